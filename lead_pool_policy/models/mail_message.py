# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""mail.message: the addresses of messages on masked pool leads (see
``crm_lead_pool_masking.py``): masked when read, and empty in every
condition, ordering and grouping built on them, as the lead's own."""

from odoo import models
from odoo.tools import SQL

from ..masking import mask_email
from .crm_lead_pool_masking import _FETCHING, _fetching

MASKED_MESSAGE_FIELDS = ("email_from", "reply_to")


class MailMessage(models.Model):
    _inherit = "mail.message"

    def _read_format(self, fnames, load="_classic_read"):
        result = super()._read_format(fnames, load=load)
        if masked_fnames := [f for f in MASKED_MESSAGE_FIELDS if f in fnames]:
            masked = set(self._pool_masked_messages().ids)
            for values in result:
                if values["id"] in masked:
                    for fname in masked_fnames:
                        if values.get(fname):
                            values[fname] = mask_email(values[fname])
        return result

    def _author_to_store(self, store):
        result = super()._author_to_store(store)
        for message in self._pool_masked_messages():
            store.add(message, {"email_from": mask_email(message.email_from)})
        return result

    def _field_to_sql(self, alias, fname, query=None, flush=True):
        sql = super()._field_to_sql(alias, fname, query, flush)
        if fname not in MASKED_MESSAGE_FIELDS or _FETCHING.get() == self._name:
            return sql
        Lead = self.env["crm.lead"]
        if not Lead._pool_masking_company_ids():
            return sql
        masked_leads = (
            Lead.sudo()
            .with_context(active_test=False)
            ._search([("pool_contacts_masked", "=", True)])
        )
        return SQL(
            "(CASE WHEN %s = %s AND %s IN %s THEN NULL ELSE %s END)",
            SQL.identifier(alias, "model", to_flush=self._fields["model"]),
            Lead._name,
            SQL.identifier(alias, "res_id", to_flush=self._fields["res_id"]),
            masked_leads.subselect(),
            sql,
        )

    def _fetch_query(self, query, fields):
        with _fetching(self._name):
            return super()._fetch_query(query, fields)

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
