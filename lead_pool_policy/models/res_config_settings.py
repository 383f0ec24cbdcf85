# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    contact_activity_type_ids = fields.Many2many(
        related="company_id.contact_activity_type_ids", readonly=False
    )
    contact_target = fields.Integer(related="company_id.contact_target", readonly=False)
    followup_interval_days = fields.Integer(
        related="company_id.followup_interval_days", readonly=False
    )
