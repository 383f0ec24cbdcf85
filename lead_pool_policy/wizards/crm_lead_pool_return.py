# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models


class CrmLeadPoolReturn(models.TransientModel):
    _name = "crm.lead.pool.return"
    _description = "Return leads to the public pool"

    lead_ids = fields.Many2many("crm.lead", required=True)
    reason_id = fields.Many2one("crm.lead.pool.return.reason")
    note = fields.Text()
    reason_required = fields.Boolean(compute="_compute_reason_required")

    @api.model_create_multi
    def create(self, vals_list):
        self.env["crm.lead"]._check_leads_exist(self._fields["lead_ids"], vals_list)
        return super().create(vals_list)

    @api.depends("lead_ids")
    def _compute_reason_required(self):
        for wizard in self:
            wizard.reason_required = any(
                lead._get_pool_policy().pool_return_reason_required
                for lead in wizard.lead_ids
            )

    def action_return(self):
        self.ensure_one()
        self.lead_ids._pool_return(reason=self.reason_id, note=self.note)
        return {"type": "ir.actions.act_window_close"}
