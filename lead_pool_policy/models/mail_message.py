# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""mail.message: the sender's address of messages on masked pool leads (see
``crm_lead_pool_masking.py``)."""

from odoo import models

from ..masking import mask_email


class MailMessage(models.Model):
    _inherit = "mail.message"

    def _read_format(self, fnames, load="_classic_read"):
        result = super()._read_format(fnames, load=load)
        if "email_from" in fnames:
            masked = set(self._pool_masked_messages().ids)
            for values in result:
                if values["id"] in masked and values.get("email_from"):
                    values["email_from"] = mask_email(values["email_from"])
        return result

    def _author_to_store(self, store):
        result = super()._author_to_store(store)
        for message in self._pool_masked_messages():
            store.add(message, {"email_from": mask_email(message.email_from)})
        return result

    def _pool_masked_messages(self):
        """Those of these messages posted on leads whose contact details
        are masked from the current user."""
        # The chatter reads messages as superuser on behalf of the user.
        Lead = self.env["crm.lead"].sudo(False)
        messages = self.sudo().filtered(
            lambda message: message.model == Lead._name and message.res_id
        )
        if not messages or Lead._is_lead_manager():
            return self.browse()
        masked = set(
            Lead.browse(set(messages.mapped("res_id")))._pool_masked_leads().ids
        )
        return self.browse(
            [message.id for message in messages if message.res_id in masked]
        )
