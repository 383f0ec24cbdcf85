# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models
from odoo.tools import SQL

from .crm_lead_pool_policy_mixin import POOL_POLICY_FIELDS


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
        result = super().write(vals)
        if {"pool_policy_own", *POOL_POLICY_FIELDS}.intersection(vals):
            self.env["crm.lead"]._update_pool_deadlines(
                SQL("crm_lead.team_id IN %s", tuple(self.ids))
            )
        return result

    def _get_lead_to_assign_domain(self):
        # Odoo's rule-based assignment never takes pool leads.
        return super()._get_lead_to_assign_domain() + [("in_pool", "=", False)]
