# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""crm.lead: the recycle rules, the deadlines they give, the owners' warnings
and the recycle cron.

The rules exist once, as SQL (``_pool_deadline_query``): the ORM compute of
``pool_recycle_deadline`` runs it for the records written, and policy edits
run it, as one UPDATE, for every lead the policy governs.
"""

from datetime import timedelta

from odoo import _, api, fields, models
from odoo.tools import SQL, Query

POOL_BATCH_SIZE = 5000
RECYCLE_RULES = [
    ("uncontacted", "Not contacted in time"),
    ("unconverted", "Not converted in time"),
    ("stale", "No recent contact"),
]
# crm.lead fields the rules read (flushed before they run).
DEADLINE_INPUT_FIELDS = (
    "user_id",
    "date_open",
    "type",
    "date_conversion",
    "tag_ids",
    "active",
    "stage_id",
    "team_id",
    "company_id",
    "first_contact_date",
    "last_contact_date",
    "pool_extension_days",
)
DEADLINE_QUERY = """
    SELECT crm_lead.id, crm_lead.team_id, crm_lead.user_id,
           CASE WHEN l.due IS NOT NULL
                THEN GREATEST(l.due + COALESCE(crm_lead.pool_extension_days, 0)
                                      * interval '1 day',
                              GREATEST(%(grace)s, team.pool_grace_date)
                                     + %(warning_days)s * interval '1 day')
           END AS deadline,
           CASE l.due WHEN c.uncontacted THEN 'uncontacted'
                      WHEN c.unconverted THEN 'unconverted'
                      WHEN c.stale THEN 'stale' END AS rule
      FROM %(policy_from)s
 LEFT JOIN crm_stage stage ON stage.id = crm_lead.stage_id
-- The lead's segment: the first override line of its policy it matches.
CROSS JOIN LATERAL (SELECT %(segment)s AS segment OFFSET 0) s
 LEFT JOIN (%(segments)s) ov ON ov.segment = s.segment
CROSS JOIN LATERAL (
    SELECT crm_lead.active
           AND NOT COALESCE(ov.exempt, FALSE)
           AND crm_lead.user_id IS NOT NULL
           AND crm_lead.date_open IS NOT NULL
           AND NOT COALESCE(stage.is_won, FALSE)
           AND NOT COALESCE(stage.is_pool, FALSE)
           AND (%(no_exempt_tags)s OR NOT EXISTS (
               SELECT 1 FROM crm_tag_rel rel
                WHERE rel.lead_id = crm_lead.id
                  AND rel.tag_id IN (%(exempt_tags)s))) AS eligible
) e
CROSS JOIN LATERAL (
    SELECT CASE WHEN e.eligible AND %(unc)s
                     AND (crm_lead.last_contact_date IS NULL
                          OR crm_lead.last_contact_date < crm_lead.date_open)
                THEN GREATEST(crm_lead.date_open, %(unc_start)s)
                     + COALESCE(NULLIF(ov.uncontacted_days, 0), %(unc_days)s)
                       * interval '1 day'
           END AS uncontacted,
           CASE WHEN e.eligible AND %(unconv)s AND crm_lead.type = 'lead'
                     AND crm_lead.date_conversion IS NULL
                     AND crm_lead.last_contact_date >= crm_lead.date_open
                THEN GREATEST(
                         CASE WHEN crm_lead.first_contact_date >= crm_lead.date_open
                              THEN crm_lead.first_contact_date
                              ELSE crm_lead.last_contact_date END,
                         %(unconv_start)s)
                     + COALESCE(NULLIF(ov.unconverted_days, 0), %(unconv_days)s)
                       * interval '1 day'
           END AS unconverted,
           CASE WHEN e.eligible AND %(stale)s AND crm_lead.type = 'opportunity'
                THEN GREATEST(crm_lead.last_contact_date, crm_lead.date_open,
                              %(stale_start)s)
                     + COALESCE(NULLIF(ov.stale_days, 0), %(stale_days)s)
                       * interval '1 day'
           END AS stale
    -- OFFSET 0: each rule's deadline computed once per lead, not once per
    -- expression that reads it.
    OFFSET 0
) c
CROSS JOIN LATERAL (SELECT LEAST(c.uncontacted, c.unconverted, c.stale) AS due) l
     WHERE %(scope)s
"""


class CrmLead(models.Model):
    _inherit = "crm.lead"

    pool_recycle_deadline = fields.Datetime(
        string="Recycle Deadline",
        compute="_compute_pool_recycle_deadline",
        store=True,
        copy=False,
        index=True,
        help="When the lead returns to the pool if nothing happens; empty when no "
        "recycle rule applies.",
    )
    pool_recycle_rule = fields.Selection(
        RECYCLE_RULES,
        string="Recycle Rule",
        compute="_compute_pool_recycle_deadline",
        store=True,
        copy=False,
    )
    pool_warned_deadline = fields.Datetime(readonly=True, copy=False)
    pool_recycle_soon = fields.Boolean(
        compute="_compute_pool_recycle_soon",
        search="_search_pool_recycle_soon",
        help="The recycle deadline falls within the warning window.",
    )

    @api.depends(*DEADLINE_INPUT_FIELDS, "stage_id.is_won", "in_pool")
    def _compute_pool_recycle_deadline(self):
        # A record being edited (onchange) shows the deadline it has saved.
        ids = {lead.id: lead._origin.id for lead in self if lead._origin.id}
        values = self._pool_deadline_values(set(ids.values()))
        for lead in self:
            deadline, rule = values.get(ids.get(lead.id), (False, False))
            lead.pool_recycle_deadline, lead.pool_recycle_rule = deadline, rule

    @api.depends("pool_recycle_deadline", "team_id", "company_id")
    def _compute_pool_recycle_soon(self):
        now = fields.Datetime.now()
        for lead in self:
            days = lead._get_pool_policy().pool_warning_days
            lead.pool_recycle_soon = bool(
                lead.pool_recycle_deadline
                and lead.pool_recycle_deadline <= now + timedelta(days=days)
            )

    def _search_pool_recycle_soon(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError(_("Unsupported search on Recycle Soon."))
        query = self._pool_policy_query()
        query.add_where(
            SQL(
                "crm_lead.pool_recycle_deadline <= %s + %s * interval '1 day'",
                fields.Datetime.now(),
                self._pool_policy_sql("pool_warning_days"),
            )
        )
        domain = [("id", "in", query)]
        return domain if (operator == "=") == value else ["!", *domain]

    # Business ----------------------------------------------------------------

    @api.model
    def _pool_policy_query(self):
        """A query over crm_lead joined to the policy that governs each lead:
        ``team`` (its own policy when ``pool_policy_own``) and ``company``."""
        query = Query(self.env, "crm_lead", SQL.identifier("crm_lead"))
        query.add_join(
            "LEFT JOIN", "team", "crm_team", SQL("team.id = crm_lead.team_id")
        )
        query.add_join(
            "JOIN",
            "company",
            "res_company",
            SQL("company.id = %s", self._policy_company_sql(team_alias="team")),
        )
        return query

    @api.model
    def _pool_policy_sql(self, fname):
        """The value of the policy setting ``fname`` of each lead of
        ``_pool_policy_query``: its team's own, else its company's."""
        return SQL(
            "CASE WHEN COALESCE(team.pool_policy_own, FALSE) THEN team.%s"
            " ELSE company.%s END",
            SQL.identifier(fname),
            SQL.identifier(fname),
        )

    @api.model
    def _pool_exempt_tags_sql(self):
        """The exempt tags of the policy of each lead of ``_pool_policy_query``."""
        team_rel = self.env["crm.team"]._fields["pool_exempt_tag_ids"]
        company_rel = self.env["res.company"]._fields["pool_exempt_tag_ids"]
        return SQL(
            "SELECT %(t_tag)s FROM %(t_rel)s WHERE %(t_own)s = team.id"
            " AND COALESCE(team.pool_policy_own, FALSE)"
            " UNION ALL SELECT %(c_tag)s FROM %(c_rel)s WHERE %(c_own)s = company.id"
            " AND NOT COALESCE(team.pool_policy_own, FALSE)",
            t_tag=SQL.identifier(team_rel.column2),
            t_rel=SQL.identifier(team_rel.relation),
            t_own=SQL.identifier(team_rel.column1),
            c_tag=SQL.identifier(company_rel.column2),
            c_rel=SQL.identifier(company_rel.relation),
            c_own=SQL.identifier(company_rel.column1),
        )

    @api.model
    def _pool_no_exempt_tags_sql(self):
        """Whether no policy has exempt tags (evaluated once per statement):
        then no lead's tags are looked at."""
        team_rel = self.env["crm.team"]._fields["pool_exempt_tag_ids"]
        company_rel = self.env["res.company"]._fields["pool_exempt_tag_ids"]
        return SQL(
            "NOT EXISTS (SELECT 1 FROM %s UNION ALL SELECT 1 FROM %s)",
            SQL.identifier(team_rel.relation),
            SQL.identifier(company_rel.relation),
        )

    @api.model
    def _pool_deadline_query(self, scope, values=None):
        """The recycle rules, once: (id, team_id, user_id, deadline, rule) of
        the leads selected by ``scope`` (an SQL condition on crm_lead, which
        may read ``team`` and ``company``), each under its policy, or under
        ``values`` (``_pool_rule_values`` of one policy: a preview of unsaved
        settings for leads that policy governs).

        uncontacted: assigned (date_open) and no contact since -> date_open + N;
        unconverted: a lead contacted since assigned -> that contact + N;
        stale: an opportunity -> last contact (or assignment) + N;
        the earliest applicable rule wins, moved by the days of approved
        extension requests. N is the policy's, or that of the first segment
        (override line) of the policy the lead matches when it sets one.
        Won, lost, exempt (by tag or segment), pool and unassigned leads have
        no deadline.

        Grace: a rule's clock never starts before the rule applied (its
        ``pool_<rule>_start``: install, creation of the policy, rule switched
        on), and no deadline falls before the policy's (or the lead's team's)
        last tightening plus the warning days (``pool_grace_date``).
        """
        if values is None:
            policy = self._pool_policy_sql
            exempt_tags = self._pool_exempt_tags_sql()
            no_exempt_tags = self._pool_no_exempt_tags_sql()
        else:

            def policy(fname):
                # An empty datetime is NULL, not FALSE.
                value = values[fname]
                return SQL("%s", None if value is False else value)

            exempt_tags = SQL(
                "SELECT unnest(%s::int[])", sorted(values["pool_exempt_tag_ids"])
            )
            no_exempt_tags = SQL("%s", not values["pool_exempt_tag_ids"])
        segment, segments = self.env[
            "crm.lead.pool.recycle.override"
        ]._pool_segment_sql(values)
        query = self._pool_policy_query()
        if values is not None:
            # A preview reads the policy from ``values``: only the team.
            query = Query(self.env, "crm_lead", SQL.identifier("crm_lead"))
            query.add_join(
                "LEFT JOIN", "team", "crm_team", SQL("team.id = crm_lead.team_id")
            )
        return SQL(
            DEADLINE_QUERY,
            policy_from=query.from_clause,
            segment=segment,
            segments=segments,
            exempt_tags=exempt_tags,
            no_exempt_tags=no_exempt_tags,
            unc=policy("pool_recycle_uncontacted"),
            unc_days=policy("pool_uncontacted_days"),
            unc_start=policy("pool_uncontacted_start"),
            unconv=policy("pool_recycle_unconverted"),
            unconv_days=policy("pool_unconverted_days"),
            unconv_start=policy("pool_unconverted_start"),
            stale=policy("pool_recycle_stale"),
            stale_days=policy("pool_stale_days"),
            stale_start=policy("pool_stale_start"),
            grace=policy("pool_grace_date"),
            warning_days=policy("pool_warning_days"),
            scope=scope,
        )

    @api.model
    def _pool_flush_deadline_inputs(self):
        self.env["crm.lead"].flush_model(DEADLINE_INPUT_FIELDS)
        self.env["crm.stage"].flush_model(["is_won", "is_pool"])
        for model in ("crm.team", "res.company"):
            self.env[model].flush_model()

    @api.model
    def _pool_deadline_values(self, ids):
        """{lead id: (deadline, rule)} of the saved leads ``ids``."""
        if not ids:
            return {}
        self._pool_flush_deadline_inputs()
        rows = self.env.execute_query(
            self._pool_deadline_query(SQL("crm_lead.id IN %s", tuple(ids)))
        )
        return {row[0]: (row[3], row[4]) for row in rows}

    @api.model
    def _update_pool_deadlines(self, scope=None):
        """Rewrite the deadline of the leads selected by ``scope`` (all when
        None) after a policy edit: one UPDATE, touching only what changes."""
        self._pool_flush_deadline_inputs()
        self.env["crm.lead"].flush_model(["pool_recycle_deadline", "pool_recycle_rule"])
        self.env.execute_query(
            SQL(
                "UPDATE crm_lead lead"
                "   SET pool_recycle_deadline = d.deadline, pool_recycle_rule = d.rule"
                "  FROM (%s) d"
                " WHERE lead.id = d.id"
                "   AND (lead.pool_recycle_deadline IS DISTINCT FROM d.deadline"
                "        OR lead.pool_recycle_rule IS DISTINCT FROM d.rule)",
                self._pool_deadline_query(scope or SQL("TRUE")),
            )
        )
        self.env["crm.lead"].invalidate_model(
            ["pool_recycle_deadline", "pool_recycle_rule", "pool_recycle_soon"]
        )

    @api.model
    def _pool_deadline_columns(self, scope):
        """The deadlines of the leads selected by ``scope`` as columns another
        UPDATE of those leads writes too (see ``_rescore_all``): the install
        fills scores and deadlines in one pass over the table."""
        return {
            "also_set": SQL(
                ", pool_recycle_deadline = deadlines.deadline,"
                " pool_recycle_rule = deadlines.rule"
            ),
            "also_from": SQL(
                "LEFT JOIN (%s) deadlines ON deadlines.id = graded.id",
                self._pool_deadline_query(scope),
            ),
            "also_changed": SQL(
                "OR lead.pool_recycle_deadline IS DISTINCT FROM deadlines.deadline"
                " OR lead.pool_recycle_rule IS DISTINCT FROM deadlines.rule"
            ),
        }

    @api.model
    def _rescore_all_with_deadlines(self):
        """Every lead's scores and recycle deadline in one pass (install): one
        statement per company. The install is one transaction, whose row
        locks last until its end however it is cut, and one statement over
        1,000,000 leads costs a quarter less than twenty of 50,000."""
        self._pool_flush_deadline_inputs()
        self.flush_model(["pool_recycle_deadline", "pool_recycle_rule"])
        changed = self._rescore_all(also=self._pool_deadline_columns, batch_size=None)
        self.invalidate_model(
            ["pool_recycle_deadline", "pool_recycle_rule", "pool_recycle_soon"]
        )
        return changed

    def _pool_notify_owners(self, by_owner):
        """One summary notification per previous salesperson."""
        for owner_id, rows in by_owner.items():
            owner = self.env["res.users"].browse(owner_id)
            if not owner.exists():
                continue
            names = ", ".join(row["name"] for row in rows[:20])
            if len(rows) > 20:
                body = _(
                    "%(count)s of your leads returned to the public pool: "
                    "%(names)s and %(more)s more",
                    count=len(rows),
                    names=names,
                    more=len(rows) - 20,
                )
            else:
                body = _(
                    "%(count)s of your leads returned to the public pool: %(names)s",
                    count=len(rows),
                    names=names,
                )
            owner.partner_id.message_notify(
                partner_ids=owner.partner_id.ids,
                subject=_("Leads returned to the pool"),
                body=body,
            )

    # Crons -------------------------------------------------------------------

    @api.model
    def _cron_pool_recycle(self):
        """Daily: warn the salespeople whose leads reach their deadline within
        the warning window, and their leaders within the escalation days
        (see ``_pool_send_reminders``), then recycle every lead whose
        deadline has passed, in batches (each committed on its own with its
        history and its owners' notification, see ``_commit_batch``)."""
        self._check_cron_caller()
        leads = self.sudo()
        now = fields.Datetime.now()
        leads._commit_batch()
        leads._pool_refresh_segment_deadlines()
        leads._pool_send_reminders(now)
        domain = [
            ("pool_recycle_deadline", "<=", now),
            ("user_id", "!=", False),
            ("in_pool", "=", False),
        ]
        recycled = 0
        # A second pass for the leads the first one skipped because someone
        # was changing them (``_pool_enter`` skips locked rows); what is
        # still locked then waits for the next run.
        for _pass in range(2):
            due = leads.search(domain, order="id")
            total, done = len(due), 0
            for start in range(0, total, POOL_BATCH_SIZE):
                batch = due[start : start + POOL_BATCH_SIZE]
                by_owner = {}
                for row in batch._pool_enter(None, "recycle", due_before=now):
                    by_owner.setdefault(row["user_id_before"], []).append(row)
                # The batch's owners are told in the batch's transaction: a
                # run killed later has told whoever lost a lead it committed.
                leads._pool_notify_owners(by_owner)
                recycled += sum(len(rows) for rows in by_owner.values())
                done += len(batch)
                leads.env["ir.cron"]._notify_progress(done=done, remaining=total - done)
                leads._commit_batch()
            if not total:
                break
        return recycled
