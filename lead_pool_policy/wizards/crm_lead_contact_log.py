# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class CrmLeadContactLog(models.TransientModel):
    _name = "crm.lead.contact.log"
    _description = "Log a contact attempt on a lead"

    lead_id = fields.Many2one("crm.lead", required=True, ondelete="cascade")
    channel = fields.Selection(
        [
            ("call", "Call"),
            ("email", "Email"),
            ("meeting", "Meeting"),
            ("chat", "Chat"),
        ],
        required=True,
        default="call",
    )
    outcome = fields.Selection(
        [
            ("reached", "Reached"),
            ("no_answer", "No answer"),
            ("left_message", "Left a message"),
            ("wrong_number", "Wrong number"),
        ],
        required=True,
        default="reached",
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    note = fields.Text()

    @api.model_create_multi
    def create(self, vals_list):
        self.env["crm.lead"]._check_leads_exist(self._fields["lead_id"], vals_list)
        return super().create(vals_list)

    @api.constrains("date")
    def _check_date(self):
        now = fields.Datetime.now()
        if any(log.date > now for log in self):
            raise ValidationError(
                _("A contact attempt cannot be logged in the future.")
            )

    def action_log_contact(self):
        self.ensure_one()
        lead = self.lead_id
        lead.check_access("write")
        channel = dict(self._fields["channel"]._description_selection(self.env))
        sentence = self._outcome_sentence(channel[self.channel])
        activity = lead._open_contact_activity()
        if activity:
            # The contact the open call or first contact planned: marking it
            # done counts the attempt once (marking it done later would
            # count a second one) and tells the outcome in its message.
            feedback = "\n".join(filter(None, [sentence, self.note]))
            activity.with_context(lead_pool_contact_date=self.date).action_feedback(
                feedback=feedback
            )
            return {"type": "ir.actions.act_window_close"}
        body = Markup("<p><b>%s</b></p>") % sentence
        if self.note:
            body += Markup("<p>%s</p>") % self.note
        lead.message_post(body=body, subtype_xmlid="mail.mt_note")
        lead._register_contact_attempt(self.date)
        return {"type": "ir.actions.act_window_close"}

    def _outcome_sentence(self, channel):
        """The attempt in one sentence per outcome, each translated whole
        (a label changed to lower case reads wrong in many languages)."""
        self.ensure_one()
        if self.outcome == "no_answer":
            return _("Contact attempt: %(channel)s, no answer", channel=channel)
        if self.outcome == "left_message":
            return _("Contact attempt: %(channel)s, left a message", channel=channel)
        if self.outcome == "wrong_number":
            return _("Contact attempt: %(channel)s, wrong number", channel=channel)
        return _("Contact attempt: %(channel)s, reached", channel=channel)
