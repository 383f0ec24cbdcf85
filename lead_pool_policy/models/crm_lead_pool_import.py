# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""crm.lead: leads imported straight into the public pool. The pool's list
opens Odoo's import with ``pool_import`` in its context: its template is the
pool's, and every lead it creates enters the pool (reason: new lead), for
sales managers only."""

from odoo import _, api, models
from odoo.exceptions import AccessError


class CrmLead(models.Model):
    _inherit = "crm.lead"

    @api.model
    def get_import_templates(self):
        if self.env.context.get("pool_import"):
            return [
                {
                    "label": _("Import Template for Leads into the Pool"),
                    "template": "/lead_pool_policy/static/csv/crm_lead_pool_import.csv",
                }
            ]
        return super().get_import_templates()

    def _pool_after_create(self):
        if self.env.context.get("pool_import"):
            if not self._is_lead_manager():
                raise AccessError(
                    _("Only sales managers can import leads into the public pool.")
                )
            self.filtered(lambda lead: lead.active and not lead.in_pool)._pool_enter(
                "new", "enter"
            )
        return super()._pool_after_create()
