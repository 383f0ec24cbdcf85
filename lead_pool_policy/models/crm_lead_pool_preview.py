# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""crm.lead: the recycle preview: what the recycle job's next run would do
under a policy being edited (Settings or a team), read through the recycle
rules' one statement (``_pool_deadline_query`` with the edited values)."""

import json
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .crm_lead_pool_policy_mixin import POOL_GRACE_FIELDS, POOL_POLICY_FIELDS
from .crm_lead_pool_recycle_override import OVERRIDE_VALUE_FIELDS

PREVIEW_STATES = [
    ("due", "At the next run"),
    ("soon", "Within the warning window"),
]


class CrmLead(models.Model):
    _inherit = "crm.lead"

    pool_preview_state = fields.Selection(
        PREVIEW_STATES,
        string="Returns to the Pool",
        compute="_compute_pool_preview",
        search="_search_pool_preview_state",
        help="Under the pool policy being previewed: whether the lead returns "
        "to the pool at the recycle job's next run, or within the warning "
        "window after it.",
    )
    pool_preview_deadline = fields.Datetime(
        string="Previewed Deadline", compute="_compute_pool_preview"
    )

    @api.depends_context("pool_preview")
    def _compute_pool_preview(self):
        preview = self._pool_preview_context()
        deadlines, next_run = {}, None
        if preview and self._origin.ids:
            kind, res_id, values, next_run, window_end = preview
            self._pool_flush_preview_inputs()
            rows = self.env.execute_query(
                SQL(
                    "SELECT d.id, d.deadline FROM (%s) d WHERE d.id IN %s",
                    self._pool_preview_deadlines_sql(kind, res_id, values, window_end),
                    tuple(self._origin.ids),
                )
            )
            deadlines = dict(rows)
        for lead in self:
            deadline = deadlines.get(lead._origin.id)
            lead.pool_preview_deadline = deadline or False
            if not deadline:
                lead.pool_preview_state = False
            else:
                lead.pool_preview_state = "due" if deadline <= next_run else "soon"

    def _search_pool_preview_state(self, operator, value):
        preview = self._pool_preview_context()
        if operator not in ("=", "!=", "in", "not in") or not preview:
            raise UserError(
                _(
                    "Returns to the Pool can only be searched in the recycle "
                    "preview: open it from the policy's Preview button."
                )
            )
        kind, res_id, values, next_run, window_end = preview
        states = value if isinstance(value, list | tuple) else [value]
        if operator in ("!=", "not in"):
            states = [state for state, _label in PREVIEW_STATES if state not in states]
        bounds = []
        if "due" in states:
            bounds.append(SQL("d.deadline <= %s", next_run))
        if "soon" in states:
            bounds.append(SQL("d.deadline > %s", next_run))
        if not bounds:
            return [("id", "=", False)]
        self._pool_flush_preview_inputs()
        return [
            (
                "id",
                "in",
                SQL(
                    "(SELECT d.id FROM (%s) d WHERE %s)",
                    self._pool_preview_deadlines_sql(kind, res_id, values, window_end),
                    SQL(" OR ").join(bounds),
                ),
            )
        ]

    # Business ----------------------------------------------------------------

    @api.model
    def _pool_next_run(self):
        """When the recycle job runs next (now when it is late)."""
        now = fields.Datetime.now()
        cron = self.env.ref(
            "lead_pool_policy.ir_cron_pool_recycle", raise_if_not_found=False
        )
        return max(cron.sudo().nextcall, now) if cron else now

    @api.model
    def _pool_preview_scope(self, kind, res_id):
        """The leads one policy governs: a company's (leads of teams with
        their own policy excepted), or a team's."""
        if kind == "team":
            scope = SQL("crm_lead.team_id = %s", res_id)
        else:
            # ``_policy_company_sql`` spelled out in conditions on columns,
            # which the planner can estimate (not on the joined company, which
            # a preview does not read).
            scope = SQL(
                "(crm_lead.company_id = %(company)s OR (crm_lead.company_id IS NULL"
                " AND (team.company_id = %(company)s OR (team.company_id IS NULL"
                " AND %(company)s = %(default)s))))"
                " AND NOT COALESCE(team.pool_policy_own, FALSE)",
                company=res_id,
                default=self._default_company().id,
            )
        # Only assigned open leads can have a deadline: filtered first.
        return SQL(
            "crm_lead.user_id IS NOT NULL AND crm_lead.active"
            " AND crm_lead.date_open IS NOT NULL AND %s",
            scope,
        )

    @api.model
    def _pool_preview_deadlines_sql(self, kind, res_id, values, window_end):
        """(id, team_id, user_id, deadline) of the leads the policy governs
        that are due by ``window_end`` under ``values`` (a whole policy's
        ``_pool_rule_values``), through the rules' one statement; with
        ``values`` None (nothing changed), their stored deadlines, which that
        statement wrote."""
        scope = self._pool_preview_scope(kind, res_id)
        if values is None:
            query = self._pool_policy_query()
            query.add_where(scope)
            query.add_where(SQL("crm_lead.pool_recycle_deadline <= %s", window_end))
            return query.select(
                SQL(
                    "crm_lead.id, crm_lead.team_id, crm_lead.user_id,"
                    " crm_lead.pool_recycle_deadline AS deadline"
                )
            )
        return SQL(
            "SELECT d.id, d.team_id, d.user_id, d.deadline FROM (%s) d"
            " WHERE d.deadline <= %s",
            self._pool_deadline_query(scope, values),
            window_end,
        )

    @api.model
    def _pool_flush_preview_inputs(self):
        self._pool_flush_deadline_inputs()
        self.env["crm.lead"].flush_model(["pool_recycle_deadline"])

    @api.model
    def _pool_preview(self, kind, res_id, values, changed=True):
        """What the recycle job's next run does to the leads of one policy
        if it took ``values``: {next_run, window_end, due, soon, rows}, rows
        being (team id, user id, due, soon); ``due`` leads return to the pool
        at the next run, ``soon`` ones within the warning window after it.
        Read-only: one aggregate over the rules' statement."""
        next_run = self._pool_next_run()
        window_end = next_run + timedelta(days=values["pool_warning_days"])
        self._pool_flush_preview_inputs()
        rows = self.env.execute_query(
            SQL(
                "SELECT d.team_id, d.user_id,"
                " COUNT(*) FILTER (WHERE d.deadline <= %(next_run)s),"
                " COUNT(*) FILTER (WHERE d.deadline > %(next_run)s)"
                " FROM (%(deadlines)s) d GROUP BY 1, 2 ORDER BY 3 DESC, 4 DESC",
                next_run=next_run,
                deadlines=self._pool_preview_deadlines_sql(
                    kind, res_id, values if changed else None, window_end
                ),
            )
        )
        due = sum(row[2] for row in rows)
        return {
            "next_run": next_run,
            "window_end": window_end,
            "due": due,
            "soon": sum(row[3] for row in rows),
            "held": self._pool_preview_held(kind, res_id, values, next_run, due)
            if changed
            else 0,
            "held_until": values.get("pool_grace_date")
            and values["pool_grace_date"] + timedelta(days=values["pool_warning_days"]),
            "rows": rows,
        }

    @api.model
    def _pool_preview_held(self, kind, res_id, values, next_run, due):
        """How many more leads the next run would recycle without the grace
        of the policy's adoption and changes (``POOL_GRACE_FIELDS``): leads
        already past a shortened delay, which the grace keeps for their
        salespeople's warning days first. One more aggregate."""
        if not any(values.get(fname) for fname in POOL_GRACE_FIELDS):
            return 0
        ungraced = dict(values, **dict.fromkeys(POOL_GRACE_FIELDS, False))
        [[count]] = self.env.execute_query(
            SQL(
                "SELECT COUNT(*) FROM (%s) d",
                self._pool_preview_deadlines_sql(kind, res_id, ungraced, next_run),
            )
        )
        return max(count - due, 0)

    @api.model
    def _pool_preview_context(self):
        """(kind, id, values or None, next run, window end) of the preview
        the context carries (see ``_pool_preview_action``), or None; a
        context that is not one the preview wrote is refused in words."""
        raw = self.env.context.get("pool_preview")
        if not raw:
            return None
        try:
            preview = json.loads(raw)
            kind, res_id = preview["kind"], int(preview["id"])
            warning_days = int(preview["warning_days"])
            if kind not in ("company", "team") or not 0 <= warning_days <= 3650:
                raise ValueError(kind)
            values = preview["values"]
            if values is not None:
                values = self._pool_preview_values(values)
            next_run = self._pool_next_run()
            window_end = next_run + timedelta(days=warning_days)
        except (TypeError, ValueError, KeyError, OverflowError, AttributeError):
            raise UserError(
                _(
                    "This recycle preview cannot be read: open it again from the "
                    "policy's Preview button."
                )
            ) from None
        return kind, res_id, values, next_run, window_end

    @api.model
    def _pool_preview_values(self, plain):
        """The previewed policy from its JSON form, each value of the type the
        rules' statement expects (anything else raises ValueError)."""
        Company = self.env["res.company"]
        values = {}
        for fname in POOL_POLICY_FIELDS:
            value = plain[fname]
            ftype = Company._fields[fname].type
            if fname == "pool_exempt_tag_ids":
                values[fname] = {int(tag) for tag in value}
            elif ftype == "boolean":
                if not isinstance(value, bool):
                    raise ValueError(fname)
                values[fname] = value
            else:
                values[fname] = int(value)
                if not 0 <= values[fname] <= 36500:
                    raise ValueError(fname)
        Override = self.env["crm.lead.pool.recycle.override"]
        values["pool_recycle_override_ids"] = []
        for line in plain["pool_recycle_override_ids"]:
            line = Override._pool_clean_line(line)
            self._parse_lead_domain(line["domain"])
            values["pool_recycle_override_ids"].append(
                {fname: line[fname] for fname in OVERRIDE_VALUE_FIELDS}
            )
        for fname in POOL_GRACE_FIELDS:
            if plain[fname] and not isinstance(plain[fname], str):
                raise ValueError(fname)
            values[fname] = fields.Datetime.to_datetime(plain[fname] or False)
        return values

    @api.model
    def _pool_preview_action(self, kind, res_id, values, changed):
        """The leads of the preview, in a list grouped by team and
        salesperson; the previewed policy travels in the context."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "lead_pool_policy.crm_lead_action_pool_preview"
        )
        plain = None
        if changed:
            plain = dict(
                values, pool_exempt_tag_ids=sorted(values["pool_exempt_tag_ids"])
            )
            for fname in POOL_GRACE_FIELDS:
                plain[fname] = fields.Datetime.to_string(plain[fname])
        # A string: a context key a computed field depends on must be hashable.
        action["context"] = {
            "pool_preview": json.dumps(
                {
                    "kind": kind,
                    "id": res_id,
                    "values": plain,
                    "warning_days": values["pool_warning_days"],
                }
            ),
            "group_by": ["team_id", "user_id"],
        }
        return action
