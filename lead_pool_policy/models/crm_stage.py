# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class CrmStage(models.Model):
    _inherit = "crm.stage"

    is_pool = fields.Boolean(
        string="Public Pool",
        help="Leads in this stage are in the public pool: they have no "
        "salesperson and wait to be claimed.",
    )

    @api.constrains("is_pool", "is_won")
    def _check_pool_not_won(self):
        if any(stage.is_pool and stage.is_won for stage in self):
            raise ValidationError(_("A public pool stage cannot be a won stage."))
