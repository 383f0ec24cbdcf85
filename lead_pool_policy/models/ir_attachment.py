# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import models


class IrAttachment(models.Model):
    _inherit = "ir.attachment"

    def write(self, vals):
        """Odoo checks the document an attachment leaves; the one it moves to
        (a pool lead, a colleague's lead) must be writable too."""
        result = super().write(vals)
        if not self.env.su and {"res_id", "res_model"} & set(vals):
            self.check("write")
        return result
