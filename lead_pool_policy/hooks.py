# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Install and uninstall on a live CRM.

Install: the addon's crm_lead columns are created before the ORM sees them
(``pre_init_hook``, Odoo's own pattern with ``create_column``), so that it
neither computes them lead by lead nor rewrites the table once per default;
``post_init_hook`` then fills what depends on the data with the addon's
set-based statements (source statistics, scores, recycle deadlines with the
install's grace).

Uninstall: every lead stays visible in a stage that still exists, and the
addon's activities are removed or handed over to Odoo's To-Do type, so that
deleting the pool stage and the activity types logs no error.
"""

import logging

from odoo import fields
from odoo.tools import SQL
from odoo.tools.sql import column_exists, create_column, drop_index, make_index_name

_logger = logging.getLogger(__name__)

# The addon's crm_lead columns: (column type, value of every existing lead at
# install, NOT NULL). pre_init_hook runs before the addon's models are loaded,
# so they are listed here (tests/test_adoption.py checks the list against the
# fields). None: empty, or filled by post_init_hook (scores, deadlines).
INSTALL_COLUMNS = {
    "bant_budget": ("varchar", "unknown", True),
    "bant_authority": ("varchar", "unknown", True),
    "bant_need": ("varchar", "unknown", True),
    "bant_timeline": ("varchar", "unknown", True),
    "budget_amount": ("numeric", None, False),
    # Computed: no criterion is met when nothing was asked.
    "bant_met_count": ("int4", 0, False),
    "contact_count": ("int4", 0, False),
    "first_contact_date": ("timestamp", None, False),
    "last_contact_date": ("timestamp", None, False),
    "fit_score": ("int4", None, False),
    "engagement_score": ("int4", None, False),
    "lead_score": ("int4", None, False),
    "temperature": ("varchar", None, False),
    "qualification": ("varchar", None, False),
    "nurture_tier": ("varchar", None, False),
    "source_conversion_rate": ("numeric", None, False),
    "priority_score": ("numeric", None, False),
    # Written when a lead is won or lost from now on.
    "closing_lead_score": ("int4", None, False),
    "closing_priority_score": ("numeric", None, False),
    "closing_temperature": ("varchar", None, False),
    "closing_pls_probability": ("float8", None, False),
    # Related to the stage: no stage is a pool stage before the install.
    "in_pool": ("bool", False, False),
    # The pool's order: no lead is in the pool before the install.
    "pool_rank": ("numeric", None, False),
    "pool_entry_date": ("timestamp", None, False),
    "pool_reason": ("varchar", None, False),
    "pool_previous_user_id": ("int4", None, False),
    "pool_previous_stage_id": ("int4", None, False),
    "pool_recycle_count": ("int4", 0, False),
    "pool_cooldown_floor_days": ("int4", None, False),
    "pool_extension_days": ("int4", 0, False),
    # Computed: filled by post_init_hook with the rules' statement.
    "pool_recycle_deadline": ("timestamp", None, False),
    "pool_recycle_rule": ("varchar", None, False),
    "pool_warned_deadline": ("timestamp", None, False),
    "pool_escalated_deadline": ("timestamp", None, False),
}
# Activity types of the addon: the warnings go, the reminders stay as To-Dos.
WARNING_ACTIVITY_TYPE = "lead_pool_policy.mail_activity_type_recycle_warning"
REMINDER_ACTIVITY_TYPES = ("lead_pool_policy.mail_activity_type_qualify_or_return",)


def pre_init_hook(env):
    """Create the addon's crm_lead columns with the value every existing lead
    has at install (``INSTALL_COLUMNS``), so that the ORM finds them and
    neither computes them lead by lead nor fills them one UPDATE per column.
    A constant is given as the column's default when it is added, which
    PostgreSQL stores once in the catalog instead of rewriting the table."""
    cr = env.cr
    for name, (column_type, value, not_null) in INSTALL_COLUMNS.items():
        if column_exists(cr, "crm_lead", name):
            continue
        if value is None:
            create_column(cr, "crm_lead", name, column_type)
            continue
        # create_column() cannot give a default.
        cr.execute(
            SQL(
                "ALTER TABLE crm_lead ADD COLUMN %(column)s %(type)s"
                " DEFAULT %(value)s %(not_null)s;"
                " ALTER TABLE crm_lead ALTER COLUMN %(column)s DROP DEFAULT",
                column=SQL.identifier(name),
                type=SQL(column_type),
                value=value,
                not_null=SQL("NOT NULL" if not_null else ""),
            )
        )
    _logger.info("lead_pool_policy: crm_lead columns created for existing leads")


def post_init_hook(env):
    """Fill what depends on the data, set-based: the companies' settings that
    field defaults only give to new companies, source statistics, every
    lead's scores, and every lead's recycle deadline, whose clocks start at
    the install (the rules' start fields default to now)."""
    companies = env["res.company"].search([("contact_activity_type_ids", "=", False)])
    for company in companies:
        company.contact_activity_type_ids = company._default_contact_activity_type_ids()
    env["utm.source"]._update_conversion_stats()
    # Scores and deadlines in one pass over the leads: each UPDATE of the
    # table rewrites every row and every index entry. The indexes Odoo just
    # created on the addon's lead columns are built again after the fill,
    # once, rather than maintained lead by lead.
    indexes = _drop_install_indexes(env.cr)
    env["crm.lead"]._rescore_all_with_deadlines()
    for definition in indexes:
        env.cr.execute(definition)
    # No existing lead has a qualification yet, so no MQL/SQL/PQL tag to set.


def _drop_install_indexes(cr):
    """Drop the indexes of the addon's crm_lead columns; returns their
    definitions (as PostgreSQL gives them) to create them again."""
    names = [make_index_name("crm_lead", name) for name in INSTALL_COLUMNS]
    cr.execute(
        SQL(
            "SELECT indexname, indexdef FROM pg_indexes"
            " WHERE tablename = 'crm_lead' AND indexname IN %s",
            tuple(names),
        )
    )
    rows = cr.fetchall()
    for name, _definition in rows:
        drop_index(cr, name, "crm_lead")
    return [definition for _name, definition in rows]


def uninstall_hook(env):
    """Leave every lead in a stage that outlives the addon, and no activity of
    a type the uninstall deletes."""
    _release_pool_leads(env)
    _release_activities(env)
    _restore_crm_rules(env)


def _restore_crm_rules(env):
    """crm's personal rule grants every permission again (the addon made it
    read-only, writing through its own rule that leaves the pool out)."""
    rule = env.ref("crm.crm_rule_personal_lead", raise_if_not_found=False)
    if rule:
        rule.write(
            {
                "perm_read": True,
                "perm_write": True,
                "perm_create": True,
                "perm_unlink": True,
            }
        )


def _release_pool_leads(env):
    """Pool leads stay unassigned, in the stage they had before the pool
    (unless it is a pool or won stage), else their team's first stage, else
    the first stage; archived ones too. One statement."""
    leads = env["crm.lead"].with_context(active_test=False)
    pool_stages = (
        env["crm.stage"]
        .with_context(active_test=False)
        .search([("is_pool", "=", True)])
    )
    if not pool_stages:
        return
    leads.flush_model()
    env["crm.stage"].flush_model()
    rows = env.execute_query(
        SQL(
            """
            UPDATE crm_lead lead
               SET stage_id = COALESCE(
                       (SELECT previous.id FROM crm_stage previous
                         WHERE previous.id = lead.pool_previous_stage_id
                           AND previous.id NOT IN %(pool)s
                           AND NOT COALESCE(previous.is_won, FALSE)),
                       (SELECT stage.id FROM crm_stage stage
                         WHERE stage.id NOT IN %(pool)s
                           AND NOT COALESCE(stage.is_won, FALSE)
                           AND (stage.team_id = lead.team_id OR stage.team_id IS NULL)
                      ORDER BY stage.team_id IS NULL, stage.sequence, stage.id
                         LIMIT 1),
                       (SELECT stage.id FROM crm_stage stage
                         WHERE stage.id NOT IN %(pool)s
                      ORDER BY stage.sequence, stage.id LIMIT 1)),
                   in_pool = FALSE,
                   date_last_stage_update = %(now)s
             WHERE lead.stage_id IN %(pool)s
         RETURNING lead.id
            """,
            pool=tuple(pool_stages.ids),
            now=fields.Datetime.now(),
        )
    )
    leads.invalidate_model(["stage_id", "in_pool", "date_last_stage_update"])
    _logger.info("lead_pool_policy: %s pool leads moved to a lasting stage", len(rows))


def _release_activities(env):
    """Recycle warnings mean nothing without the pool: removed. The addon's
    reminders (qualify or return) stay as To-Dos with their summary."""
    activities = env["mail.activity"].with_context(active_test=False).sudo()
    warning = env.ref(WARNING_ACTIVITY_TYPE, raise_if_not_found=False)
    if warning:
        activities.search([("activity_type_id", "=", warning.id)]).unlink()
    reminder_types = [
        env.ref(xmlid, raise_if_not_found=False) for xmlid in REMINDER_ACTIVITY_TYPES
    ]
    reminder_ids = [
        activity_type.id for activity_type in reminder_types if activity_type
    ]
    todo = env.ref("mail.mail_activity_data_todo", raise_if_not_found=False)
    if reminder_ids and todo:
        reminders = activities.search([("activity_type_id", "in", reminder_ids)])
        for activity_type in env["mail.activity.type"].browse(reminder_ids):
            of_type = reminders.filtered(
                lambda activity, t=activity_type: activity.activity_type_id == t
            )
            of_type.filtered(lambda activity: not activity.summary).summary = (
                activity_type.summary or activity_type.name
            )
            of_type.activity_type_id = todo
