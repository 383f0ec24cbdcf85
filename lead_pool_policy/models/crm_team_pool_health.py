# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The pool's figures on the sales teams' cards of the CRM dashboard: each
one grouped query for all the cards shown (as crm's own figures), under the
reader's access rules, and each opens the records it counts."""

from collections import defaultdict
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.osv import expression

POOL_DUE_SOON_DAYS = 7


class CrmTeam(models.Model):
    _inherit = "crm.team"

    pool_lead_count = fields.Integer(
        string="# Leads in the Pool",
        compute="_compute_pool_lead_count",
        help="Leads waiting in the team's public pool.",
    )
    pool_due_soon_count = fields.Integer(
        string="# Due for Recycling Within 7 Days",
        compute="_compute_pool_due_soon_count",
        help="The team's assigned leads whose recycle deadline falls within the "
        "next 7 days (or has passed: they go at the next run), unless their "
        "salesperson acts.",
    )
    pool_claimed_today_count = fields.Integer(
        string="# Claimed Today",
        compute="_compute_pool_claimed_today_count",
        help="Leads claimed from the team's pool, or assigned from it, since "
        "the start of the day in the company's time zone (as the claim "
        "counters count them).",
    )

    def _compute_pool_lead_count(self):
        counts = self._pool_count_by_team("crm.lead", self._pool_lead_domain())
        for team in self:
            team.pool_lead_count = counts.get(team.id, 0)

    def _compute_pool_due_soon_count(self):
        counts = self._pool_count_by_team("crm.lead", self._pool_due_soon_domain())
        for team in self:
            team.pool_due_soon_count = counts.get(team.id, 0)

    def _compute_pool_claimed_today_count(self):
        counts = self._pool_count_by_team(
            "crm.lead.pool.log", self._pool_claimed_today_domain()
        )
        for team in self:
            team.pool_claimed_today_count = counts.get(team.id, 0)

    def action_open_pool_leads(self):
        """The team's pool leads, in the Public Pool's views."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "lead_pool_policy.crm_lead_action_pool"
        )
        # The web client titles an action by its display name.
        action.update(
            display_name=_("%(team)s: Public Pool", team=self.name),
            domain=self._pool_lead_domain(),
            context={"create": False},
        )
        return action

    def action_open_pool_due_soon_leads(self):
        """The team's leads that return to the pool within 7 days."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("%(team)s: Due for Recycling Within 7 Days", team=self.name),
            "res_model": "crm.lead",
            "views": [
                (self.env.ref("crm.crm_case_tree_view_leads").id, "list"),
                (False, "form"),
            ],
            "search_view_id": [self.env.ref("crm.view_crm_case_leads_filter").id],
            "domain": self._pool_due_soon_domain(),
            "context": {"create": False},
        }

    def action_open_pool_claims_today(self):
        """Today's claims and assignments from the team's pool, in the pool
        history (who took which lead)."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "lead_pool_policy.crm_lead_pool_log_action"
        )
        action.update(
            display_name=_("%(team)s: Claimed Today", team=self.name),
            domain=self._pool_claimed_today_domain(),
            context={"create": False},
            view_mode="list",
            views=[
                (
                    self.env.ref("lead_pool_policy.crm_lead_pool_log_view_list").id,
                    "list",
                )
            ],
        )
        return action

    def _pool_count_by_team(self, model, domain):
        """{team id: number of ``model`` records matching ``domain``}, in one
        grouped query under the reader's access rules."""
        if not self.ids:
            return {}
        return {
            team.id: count
            for team, count in self.env[model]._read_group(
                domain, ["team_id"], ["__count"]
            )
        }

    def _pool_lead_domain(self):
        return [("team_id", "in", self.ids), ("in_pool", "=", True)]

    def _pool_due_soon_domain(self):
        until = fields.Datetime.now() + timedelta(days=POOL_DUE_SOON_DAYS)
        return [
            ("team_id", "in", self.ids),
            ("in_pool", "=", False),
            ("user_id", "!=", False),
            ("pool_recycle_deadline", "<=", fields.Datetime.to_string(until)),
        ]

    def _pool_claimed_today_domain(self):
        """Claims and assignments of the teams' leads since the start of the
        day of each team's policy company."""
        teams_by_company = defaultdict(list)
        for team in self:
            teams_by_company[team._pool_policy_company()].append(team.id)
        since_by_company = [
            [
                ("team_id", "in", team_ids),
                (
                    "date",
                    ">=",
                    fields.Datetime.to_string(self._pool_day_start(company)),
                ),
            ]
            for company, team_ids in teams_by_company.items()
        ]
        return expression.AND(
            [
                [("event", "in", ("claim", "assign"))],
                expression.OR(since_by_company or [expression.FALSE_DOMAIN]),
            ]
        )

    @api.model
    def _pool_day_start(self, company):
        """The start of the day the claim counters count, for ``company``
        (see ``crm.lead._pool_day_start_sql``)."""
        [[start]] = self.env.execute_query(
            self.env["crm.lead"]._pool_day_start_sql(company)
        )
        return start
