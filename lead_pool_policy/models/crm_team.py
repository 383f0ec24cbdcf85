# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models
from odoo.tools import SQL

from .crm_lead_pool_policy_mixin import (
    POOL_GRACE_FIELDS,
    POOL_POLICY_FIELDS,
    RECYCLE_RULES,
    RULE_START_FIELDS,
)


class CrmTeam(models.Model):
    _name = "crm.team"
    _inherit = ["crm.team", "crm.lead.pool.policy.mixin"]  # noqa: RUF012

    pool_policy_own = fields.Boolean(
        string="Own Pool Policy",
        help="Use the pool policy below for this team's leads instead of the "
        "company's.",
    )

    @api.onchange("pool_policy_own")
    def _onchange_pool_policy_own(self):
        # Start from the company's policy.
        if self.pool_policy_own:
            company = self.company_id or self.env.company
            self.update(company._pool_policy_values())

    def write(self, vals):
        before = {}
        if {"pool_policy_own", *POOL_POLICY_FIELDS}.intersection(vals):
            before = {
                team: (team.pool_policy_own, team._pool_effective_rule_values())
                for team in self
            }
        result = super().write(vals)
        if before:
            self._pool_record_grace(before, vals)
        if {"pool_policy_own", *POOL_POLICY_FIELDS, *POOL_GRACE_FIELDS}.intersection(
            vals
        ):
            self.env["crm.lead"]._update_pool_deadlines(
                SQL("crm_lead.team_id IN %s", tuple(self.ids))
            )
        return result

    def _pool_effective_rule_values(self):
        """The rule values that govern the team's leads: its own policy, else
        its company's."""
        self.ensure_one()
        if self.pool_policy_own:
            return self._pool_rule_values()
        company = self.company_id or self.env["crm.lead"]._default_company()
        return company._pool_rule_values()

    def _pool_record_grace(self, before, vals):
        """Grace on a policy change of the team's leads (see
        ``_pool_grace_changes``). A team taking its own policy continues the
        company's clock of each rule both apply, and starts the others now.
        The team's ``pool_grace_date`` counts for its leads whichever policy
        governs them, so that going back to the company's policy warns too."""
        now = fields.Datetime.now()
        for team in self:
            was_own, old = before[team]
            changes = self._pool_grace_changes(
                old, team._pool_effective_rule_values(), now
            )
            if team.pool_policy_own and not was_own:
                for rule, (switch, _days) in RECYCLE_RULES.items():
                    start = RULE_START_FIELDS[rule]
                    if team[switch] and start not in changes:
                        changes[start] = old[start]
            elif not team.pool_policy_own:
                # The company's rules now govern the leads: only the warning.
                changes = {
                    fname: value
                    for fname, value in changes.items()
                    if fname == "pool_grace_date"
                }
            changes = {
                fname: value for fname, value in changes.items() if fname not in vals
            }
            if changes:
                super(CrmTeam, team).write(changes)

    def _get_lead_to_assign_domain(self):
        # Odoo's rule-based assignment never takes pool leads.
        return super()._get_lead_to_assign_domain() + [("in_pool", "=", False)]
