# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""crm.lead: follow-up discipline: contact attempts, their counters and the
cadence of follow-up activities."""

from datetime import timedelta

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.tools import email_normalize

CONTACT_FIELDS = frozenset({"contact_count", "first_contact_date", "last_contact_date"})


class CrmLead(models.Model):
    _inherit = "crm.lead"

    contact_count = fields.Integer(
        string="Contact Attempts",
        default=0,
        readonly=True,
        copy=False,
        help="Contact attempts so far: done calls, emails and meetings, messages "
        "sent to the customer, emails received from them, and logged contacts.",
    )
    first_contact_date = fields.Datetime(readonly=True, copy=False)
    last_contact_date = fields.Datetime(readonly=True, copy=False)
    contact_target = fields.Integer(
        compute="_compute_contact_target",
        help="How many contact attempts a lead deserves before it is qualified "
        "or returned to the pool (CRM settings).",
    )

    @api.depends("company_id", "team_id.company_id")
    def _compute_contact_target(self):
        for lead in self:
            lead.contact_target = lead._get_policy_company().contact_target

    # CRUD hooks (called by crm_lead.py) --------------------------------------

    def _get_system_field_groups(self):
        return super()._get_system_field_groups() + [
            (
                CONTACT_FIELDS,
                True,
                _(
                    "Contact attempts are counted by the system: use the Log "
                    "Contact button, mark an activity as done or send a message "
                    "to the customer instead of editing %(fields)s."
                ),
            )
        ]

    # Mail hooks ----------------------------------------------------------------

    def _message_post_after_hook(self, message, msg_vals):
        result = super()._message_post_after_hook(message, msg_vals)
        if self._is_contact_message(message):
            self._register_contact_attempt(message.date)
        return result

    def message_new(self, msg_dict, custom_values=None):
        # The email that creates a lead is not a contact attempt on it.
        lead = super().message_new(msg_dict, custom_values=custom_values)
        return lead.with_context(lead_pool_policy_new_from_email=True)

    # Actions -----------------------------------------------------------------

    def action_log_contact(self):
        self.ensure_one()
        self.check_access("write")
        return {
            "type": "ir.actions.act_window",
            "name": _("Log Contact"),
            "res_model": "crm.lead.contact.log",
            "view_mode": "form",
            "target": "new",
            "context": {"default_lead_id": self.id},
        }

    @api.model
    def action_open_followups_today(self):
        """My leads and opportunities with an activity due today or overdue."""
        today = fields.Date.context_today(self)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "lead_pool_policy.crm_lead_action_followups_today"
        )
        action["domain"] = self._get_followups_today_domain(today)
        return action

    @api.model
    def _get_followups_today_domain(self, today):
        return [
            ("user_id", "=", self.env.uid),
            ("activity_date_deadline", "<=", fields.Date.to_string(today)),
        ]

    # Business ----------------------------------------------------------------

    def _is_contact_message(self, message):
        """Whether ``message``, just posted on this lead, is a contact attempt:
        sent from the chatter to the customer (not a note, not to followers
        only), or an email received from the customer on an existing lead."""
        self.ensure_one()
        if self.env.context.get("lead_pool_policy_new_from_email"):
            return False
        customer_email = self.email_normalized or email_normalize(
            self.partner_id.email or ""
        )

        def is_customer(partner):
            return partner and (
                partner == self.partner_id
                or (customer_email and partner.email_normalized == customer_email)
            )

        if message.message_type == "comment":
            sent_by_user = message.author_id.user_ids and not any(
                message.author_id.user_ids.mapped("share")
            )
            return bool(
                sent_by_user
                and message.subtype_id
                and not message.subtype_id.internal
                and any(is_customer(partner) for partner in message.partner_ids)
            )
        if message.message_type == "email":
            return bool(
                is_customer(message.author_id)
                or (
                    customer_email
                    and email_normalize(message.email_from or "") == customer_email
                )
            )
        return False

    def _register_contact_attempt(self, date=None):
        """Count one contact attempt at ``date`` on each lead, then schedule
        the next follow-up.

        The counter is incremented in SQL so that attempts registered at the
        same time by concurrent transactions are all counted.
        """
        if not self:
            return
        date = date or fields.Datetime.now()
        fnames = ["contact_count", "first_contact_date", "last_contact_date"]
        self.flush_recordset(fnames)
        self.env.cr.execute(
            """
            UPDATE crm_lead
               SET contact_count = COALESCE(contact_count, 0) + 1,
                   first_contact_date = LEAST(COALESCE(first_contact_date, %(date)s),
                                              %(date)s),
                   last_contact_date = GREATEST(COALESCE(last_contact_date, %(date)s),
                                                %(date)s)
             WHERE id IN %(ids)s
            """,
            {"date": date, "ids": tuple(self.ids)},
        )
        self.invalidate_recordset(fnames)
        self.modified(fnames)
        self.sudo()._schedule_followup()

    def _open_contact_activity(self):
        """The open activity a logged contact fulfils: the first, due today
        or overdue, of a contact type (a call, the first contact) planned for
        the user who logs it or for the lead's owner. A follow-up planned for
        a later day stays: it is the next attempt."""
        self.ensure_one()
        contact_types = self._get_policy_company().contact_activity_type_ids
        today = fields.Date.context_today(self)
        activities = self.activity_ids.filtered(
            lambda act: (
                act.activity_type_id in contact_types
                and act.date_deadline <= today
                and act.user_id in (self.env.user | self.user_id)
            )
        )
        return activities.sorted(lambda act: (act.date_deadline, act.id))[:1]

    def _schedule_first_contact(self, user):
        """The start of the cadence for a new owner: the first call, due
        today in their timezone (claim and assign)."""
        if not self:
            return
        today = fields.Date.context_today(self.with_user(user))
        # No email per activity: the claimer knows; an assignee finds them in
        # their activities (one claim or assignment may bring many leads).
        self.with_context(mail_activity_quick_update=True).activity_schedule(
            activity_type_id=self.env.ref("mail.mail_activity_data_call").id,
            date_deadline=today,
            summary=_("First contact"),
            user_id=user.id,
        )

    def _schedule_followup(self):
        """The cadence: an open lead below its contact target with nothing
        planned gets its owner's next follow-up call; a lead that reached the
        target without being converted gets a "qualify or return" activity."""
        call_type = self.env.ref("mail.mail_activity_data_call")
        qualify_type = self.env.ref(
            "lead_pool_policy.mail_activity_type_qualify_or_return"
        )
        for lead in self:
            if not (lead.active and lead.user_id) or lead.stage_id.is_won:
                continue
            today = fields.Date.context_today(lead)
            company = lead._get_policy_company()
            if lead.contact_count < company.contact_target:
                if any(act.date_deadline >= today for act in lead.activity_ids):
                    continue
                lead.activity_schedule(
                    activity_type_id=call_type.id,
                    date_deadline=today
                    + timedelta(days=company.followup_interval_days),
                    summary=_(
                        "Follow-up: attempt %(attempt)s of %(target)s",
                        attempt=lead.contact_count + 1,
                        target=company.contact_target,
                    ),
                    user_id=lead.user_id.id,
                )
            elif lead.type == "lead" and not lead.activity_ids.filtered(
                lambda act: act.activity_type_id == qualify_type
            ):
                lead.activity_schedule(
                    activity_type_id=qualify_type.id,
                    date_deadline=today,
                    note=Markup("<p>%s</p>")
                    % _(
                        "%(count)s contact attempts without conversion: convert "
                        "this lead to an opportunity or return it to the pool.",
                        count=lead.contact_count,
                    ),
                    user_id=lead.user_id.id,
                )
