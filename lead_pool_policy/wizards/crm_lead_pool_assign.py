# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import _, api, fields, models
from odoo.exceptions import AccessError


class CrmLeadPoolAssign(models.TransientModel):
    _name = "crm.lead.pool.assign"
    _description = "Assign pool leads to a salesperson"

    lead_ids = fields.Many2many(
        "crm.lead", required=True, domain=[("in_pool", "=", True)]
    )
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        required=True,
        domain=lambda self: [
            ("groups_id", "in", self.env.ref("sales_team.group_sale_salesman").ids),
            ("share", "=", False),
        ],
    )
    override_limits = fields.Boolean(
        help="Assign even beyond the salesperson's daily, open-lead and cooldown "
        "limits."
    )
    claimed_today = fields.Integer(compute="_compute_user_stats")
    open_lead_count = fields.Integer(string="Open Leads", compute="_compute_user_stats")
    daily_limit = fields.Integer(compute="_compute_user_stats")
    open_limit = fields.Integer(compute="_compute_user_stats")

    @api.model_create_multi
    def create(self, vals_list):
        self.env["crm.lead"]._check_leads_exist(self._fields["lead_ids"], vals_list)
        return super().create(vals_list)

    @api.depends("user_id", "lead_ids")
    def _compute_user_stats(self):
        for wizard in self:
            lead = wizard.lead_ids[:1]
            policy = lead._get_pool_policy() if lead else self.env.company
            company = lead._get_policy_company() if lead else self.env.company
            wizard.daily_limit = policy.pool_claim_daily_limit
            wizard.open_limit = policy.pool_max_open_leads
            if wizard.user_id:
                stats = self.env["crm.lead"]._pool_claim_stats(wizard.user_id, company)
                wizard.claimed_today, wizard.open_lead_count = stats
            else:
                wizard.claimed_today = wizard.open_lead_count = 0

    def action_assign(self):
        self.ensure_one()
        if not self.env["crm.lead"]._is_lead_manager():
            raise AccessError(_("Only sales managers assign leads from the pool."))
        outcomes = self.lead_ids._pool_claim(
            self.user_id, event="assign", enforce_limits=not self.override_limits
        )
        return self.lead_ids._pool_claim_notification(
            outcomes, user=self.user_id, event="assign"
        )
