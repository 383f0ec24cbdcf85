# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""crm.lead: the contact details of pool leads, masked for salespeople when
their company's setting says so (the masks themselves are in ``masking.py``)."""

from odoo import models

from ..masking import mask_email, mask_phone

# Contact details hidden on pool leads from non-managers (setting).
MASKED_FIELDS = {
    "email_from": mask_email,
    "email_normalized": mask_email,
    "phone": mask_phone,
    "mobile": mask_phone,
    "phone_sanitized": mask_phone,
}


class CrmLead(models.Model):
    _inherit = "crm.lead"

    def _read_format(self, fnames, load="_classic_read"):
        """Every view and RPC read goes through here."""
        result = super()._read_format(fnames, load=load)
        if not MASKED_FIELDS.keys() & set(fnames) or self._is_lead_manager():
            return result
        masked = set(self._pool_masked_leads().ids)
        for values in result:
            if values["id"] in masked:
                for fname, mask in MASKED_FIELDS.items():
                    if values.get(fname):
                        values[fname] = mask(values[fname])
        return result

    def _pool_masked_leads(self):
        """Those of these leads whose contact details are masked."""
        return self.sudo().filtered(
            lambda lead: lead.in_pool and lead._get_policy_company().pool_mask_contacts
        )
