# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import date, datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, tagged, users

from odoo.addons.crm.tests.common import INCOMING_EMAIL

from .common import LeadPoolCommon


@tagged("post_install", "-at_install", "lead_pool_policy")
class TestFollowup(LeadPoolCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.call_type = cls.env.ref("mail.mail_activity_data_call")
        cls.todo_type = cls.env.ref("mail.mail_activity_data_todo")
        cls.qualify_type = cls.env.ref(
            "lead_pool_policy.mail_activity_type_qualify_or_return"
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Carla Customer", "email": "carla@customer.example.com"}
        )
        cls.company.write(
            {
                "contact_target": 6,
                "followup_interval_days": 2,
                "contact_activity_type_ids": [
                    (
                        6,
                        0,
                        [
                            cls.call_type.id,
                            cls.env.ref("mail.mail_activity_data_email").id,
                            cls.env.ref("mail.mail_activity_data_meeting").id,
                        ],
                    )
                ],
            }
        )

    def _lead_for_customer(self, **values):
        return self._create_lead(
            partner_id=self.customer.id,
            email_from=self.customer.email,
            **values,
        )

    def _log_contact(self, lead, user=None, **values):
        lead = lead.with_user(user or self.user_rep)
        wizard = (
            self.env["crm.lead.contact.log"]
            .with_user(user or self.user_rep)
            .create(dict({"lead_id": lead.id, "channel": "call"}, **values))
        )
        return wizard.action_log_contact()

    def _open_activities(self, lead, activity_type=None):
        activities = lead.activity_ids
        if activity_type:
            activities = activities.filtered(
                lambda a: a.activity_type_id == activity_type
            )
        return activities

    # counting paths

    def test_defaults_and_installed_settings(self):
        lead = self._create_lead()
        self.assertEqual(lead.contact_count, 0)
        self.assertFalse(lead.first_contact_date)
        self.assertFalse(lead.last_contact_date)
        self.assertEqual(lead.contact_target, 6)
        # Every company got the default contact types at install time.
        types = self.env["res.company"].search([]).mapped("contact_activity_type_ids")
        self.assertIn(self.call_type, types)

    def test_done_contact_activity_counts(self):
        lead = self._create_lead()
        with freeze_time("2026-03-02 09:30:00"):
            activity = lead.activity_schedule(
                activity_type_id=self.call_type.id, user_id=self.user_rep.id
            )
            activity.with_user(self.user_rep).action_feedback(
                feedback="Talked to Carla"
            )
        self.assertEqual(lead.contact_count, 1)
        self.assertEqual(lead.first_contact_date, datetime(2026, 3, 2, 9, 30))
        self.assertEqual(lead.last_contact_date, datetime(2026, 3, 2, 9, 30))

    def test_done_other_activity_does_not_count(self):
        lead = self._create_lead()
        activity = lead.activity_schedule(
            activity_type_id=self.todo_type.id, user_id=self.user_rep.id
        )
        activity.with_user(self.user_rep).action_feedback(feedback="Done")
        self.assertEqual(lead.contact_count, 0)
        self.assertFalse(lead.first_contact_date)

    def test_message_to_customer_counts(self):
        lead = self._lead_for_customer()
        lead.with_user(self.user_rep).message_post(
            body="Here is our offer",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            partner_ids=self.customer.ids,
        )
        self.assertEqual(lead.contact_count, 1)
        self.assertTrue(lead.last_contact_date)

    def test_note_and_followers_message_do_not_count(self):
        lead = self._lead_for_customer()
        lead.message_subscribe(partner_ids=self.user_rep_2.partner_id.ids)
        rep_lead = lead.with_user(self.user_rep)
        rep_lead.message_post(
            body="Internal: customer sounded keen",
            message_type="comment",
            subtype_xmlid="mail.mt_note",
            partner_ids=self.customer.ids,
        )
        rep_lead.message_post(
            body="Team, please review",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        self.assertEqual(lead.contact_count, 0)

    def test_incoming_email_from_customer_counts(self):
        lead = self._lead_for_customer()
        self.env["mail.thread"].message_process(
            "crm.lead",
            INCOMING_EMAIL.format(
                return_path=self.customer.email,
                to="sales@test.example.com",
                email_from=f'"Carla Customer" <{self.customer.email}>',
                msg_id="<carla-reply-1@customer.example.com>",
                subject="Re: your offer",
            ),
            thread_id=lead.id,
        )
        self.assertEqual(lead.contact_count, 1)

    def test_lead_created_by_email_is_not_contacted(self):
        lead_id = self.env["mail.thread"].message_process(
            "crm.lead",
            INCOMING_EMAIL.format(
                return_path="new.prospect@prospect.example.com",
                to="sales@test.example.com",
                email_from="new.prospect@prospect.example.com",
                msg_id="<new-prospect-1@prospect.example.com>",
                subject="Request for a quote",
            ),
        )
        lead = self.env["crm.lead"].browse(lead_id)
        self.assertTrue(lead.exists())
        self.assertEqual(lead.contact_count, 0)

    def test_log_contact_wizard(self):
        lead = self._create_lead()
        self._log_contact(
            lead, channel="chat", outcome="left_message", note="Sent the brochure"
        )
        self.assertEqual(lead.contact_count, 1)
        message = lead.message_ids[0]
        self.assertIn("Contact attempt: Chat, left a message", message.body)
        self.assertIn("Sent the brochure", message.body)
        self.assertTrue(message.subtype_id.internal, "logged as an internal note")
        # The action on the lead opens the wizard for that lead.
        action = lead.with_user(self.user_rep).action_log_contact()
        self.assertEqual(action["res_model"], "crm.lead.contact.log")
        self.assertEqual(action["context"]["default_lead_id"], lead.id)

    def test_log_contact_fulfils_the_open_call(self):
        """One call, one attempt: Log Contact marks the claim's first contact
        done (its message carries the outcome) instead of counting beside it,
        and plans the next attempt."""
        lead = self._create_lead()
        with freeze_time("2026-03-02 10:00:00"):
            lead._schedule_first_contact(self.user_rep)
            first = self._open_activities(lead, self.call_type)
            self.assertEqual(first.summary, "First contact")
            self._log_contact(lead, outcome="left_message", note="Voicemail")
            self.assertFalse(first.exists(), "the first contact is done")
            self.assertEqual(lead.contact_count, 1)
            followup = self._open_activities(lead, self.call_type)
            self.assertEqual(followup.summary, "Follow-up: attempt 2 of 6")
            self.assertEqual(followup.date_deadline, date(2026, 3, 4))
        done = lead.message_ids.filtered(
            lambda m: "Contact attempt: Call, left a message" in m.body
        )
        self.assertEqual(len(done), 1)
        self.assertIn("First contact", done.body)
        self.assertIn("Voicemail", done.body)
        self.assertEqual(done.author_id, self.user_rep.partner_id)
        # A colleague's call on the lead is theirs to do.
        other = lead.activity_schedule(
            activity_type_id=self.call_type.id,
            date_deadline=date(2026, 3, 1),
            user_id=self.user_rep_2.id,
        )
        self._log_contact(lead)
        self.assertTrue(other.exists())
        self.assertEqual(lead.contact_count, 2)

    def test_log_contact_in_future_refused(self):
        lead = self._create_lead()
        with freeze_time("2026-03-02 10:00:00"), self.assertRaises(ValidationError):
            self._log_contact(lead, date=datetime(2026, 3, 3, 10, 0))
        self.assertEqual(lead.contact_count, 0)

    def test_rep_cannot_log_contact_on_other_rep_lead(self):
        lead = self._create_lead(user=self.user_rep_2)
        with self.assertRaises(AccessError):
            self._log_contact(lead, user=self.user_rep)
        with self.assertRaises(AccessError):
            lead.with_user(self.user_rep).action_log_contact()
        self.assertEqual(lead.contact_count, 0)
        self.assertFalse(
            lead.message_ids.filtered(lambda m: "Contact attempt" in m.body)
        )

    @users("lpp_rep")
    def test_rep_cannot_write_bookkeeping(self):
        lead = self._create_lead().with_user(self.env.user)
        with self.assertRaises(AccessError):
            lead.write({"contact_count": 5})
        with self.assertRaises(AccessError):
            lead.write({"last_contact_date": "2026-01-01 00:00:00"})
        self.assertEqual(lead.contact_count, 0)

    def test_first_and_last_dates(self):
        lead = self._create_lead()
        self._log_contact(lead, date=datetime(2026, 3, 5, 8, 0))
        self._log_contact(lead, date=datetime(2026, 3, 1, 8, 0))  # back-dated
        self._log_contact(lead, date=datetime(2026, 3, 3, 8, 0))
        self.assertEqual(lead.contact_count, 3)
        self.assertEqual(lead.first_contact_date, datetime(2026, 3, 1, 8, 0))
        self.assertEqual(lead.last_contact_date, datetime(2026, 3, 5, 8, 0))

    # cadence

    def test_cadence_schedules_next_followup(self):
        lead = self._create_lead()
        with freeze_time("2026-03-02 10:00:00"):
            self._log_contact(lead)
            followups = self._open_activities(lead, self.call_type)
            self.assertEqual(len(followups), 1)
            self.assertEqual(followups.date_deadline, date(2026, 3, 4))
            self.assertEqual(followups.user_id, self.user_rep)
            self.assertEqual(followups.summary, "Follow-up: attempt 2 of 6")
            # More attempts the same day: no duplicate follow-up.
            self._log_contact(lead, channel="email")
            self._log_contact(lead, channel="meeting")
            self.assertEqual(len(self._open_activities(lead, self.call_type)), 1)
            self.assertEqual(lead.contact_count, 3)
        with freeze_time("2026-03-05 11:00:00"):
            # The overdue follow-up call is done: it counts, and the next is planned.
            followups.with_user(self.user_rep).action_feedback(feedback="No answer")
            self.assertEqual(lead.contact_count, 4)
            nxt = self._open_activities(lead, self.call_type)
            self.assertEqual(len(nxt), 1)
            self.assertEqual(nxt.date_deadline, date(2026, 3, 7))
            self.assertEqual(nxt.summary, "Follow-up: attempt 5 of 6")

    def test_cadence_respects_planned_activity(self):
        lead = self._create_lead()
        with freeze_time("2026-03-02 10:00:00"):
            lead.activity_schedule(
                activity_type_id=self.todo_type.id,
                date_deadline=date(2026, 3, 10),
                user_id=self.user_rep.id,
            )
            self._log_contact(lead)
        self.assertFalse(self._open_activities(lead, self.call_type))

    def test_cadence_skips_closed_and_unassigned(self):
        won_stage = self.env["crm.stage"].create({"name": "Won here", "is_won": True})
        won = self._create_lead(type="opportunity", stage_id=won_stage.id)
        unassigned = self._create_lead(user=self.env["res.users"])
        self._log_contact(won, user=self.user_manager)
        self._log_contact(unassigned, user=self.user_manager)
        self.assertEqual((won | unassigned).mapped("contact_count"), [1, 1])
        self.assertFalse((won | unassigned).activity_ids)

    def test_target_reached_asks_to_qualify_or_return(self):
        self.company.contact_target = 2
        lead = self._create_lead()
        with freeze_time("2026-03-02 10:00:00"):
            self._log_contact(lead)
            self._log_contact(lead)
            qualify = self._open_activities(lead, self.qualify_type)
            self.assertEqual(len(qualify), 1)
            self.assertEqual(qualify.date_deadline, date(2026, 3, 2))
            self.assertEqual(qualify.user_id, self.user_rep)
            self._log_contact(lead)
        self.assertEqual(len(self._open_activities(lead, self.qualify_type)), 1)
        self.assertEqual(lead.contact_count, 3)

    def test_target_reached_on_opportunity(self):
        self.company.contact_target = 1
        opportunity = self._create_lead(type="opportunity")
        with freeze_time("2026-03-02 10:00:00"):
            self._log_contact(opportunity)
        self.assertFalse(opportunity.activity_ids)

    # Follow-ups Today

    def _followups_today(self, user):
        with freeze_time("2026-03-02 10:00:00"):
            action = self.env["crm.lead"].with_user(user).action_open_followups_today()
            return self.env["crm.lead"].with_user(user).search(action["domain"])

    def test_followups_today_menu(self):
        def lead_with_activity(owner, deadline, name):
            lead = self._create_lead(user=owner, name=name)
            lead.activity_schedule(
                activity_type_id=self.todo_type.id,
                date_deadline=deadline,
                user_id=owner.id,
            )
            return lead

        due_today = lead_with_activity(self.user_rep, date(2026, 3, 2), "due today")
        overdue = lead_with_activity(self.user_rep, date(2026, 2, 20), "overdue")
        lead_with_activity(self.user_rep, date(2026, 3, 9), "next week")
        self._create_lead(name="no activity")
        other = lead_with_activity(self.user_rep_2, date(2026, 3, 1), "other rep")
        manager_lead = lead_with_activity(
            self.user_manager, date(2026, 3, 2), "manager"
        )

        self.assertEqual(self._followups_today(self.user_rep), due_today | overdue)
        self.assertEqual(self._followups_today(self.user_rep_2), other)
        self.assertEqual(self._followups_today(self.user_manager), manager_lead)
        # Best priority first.
        list_view = self.env.ref("lead_pool_policy.crm_lead_view_list_followups")
        self.assertIn('default_order="priority_score desc', list_view.arch)
        action = (
            self.env["crm.lead"].with_user(self.user_rep).action_open_followups_today()
        )
        self.assertEqual(action["view_id"][0], list_view.id)
        action = self.env.ref("lead_pool_policy.crm_lead_action_followups_today_server")
        self.assertIn(self.env.ref("sales_team.group_sale_salesman"), action.groups_id)

    # settings

    def test_settings_validation(self):
        with self.assertRaises(ValidationError):
            self.company.contact_target = 0
        with self.assertRaises(ValidationError):
            self.company.followup_interval_days = 0
        with self.assertRaises(ValidationError):
            self.company.followup_interval_days = -3
        self.assertEqual(self.company.contact_target, 6)
        settings = Form(self.env["res.config.settings"])
        settings.contact_target = 4
        settings.followup_interval_days = 3
        settings.save().execute()
        self.assertEqual(self.company.contact_target, 4)
        self.assertEqual(self.company.followup_interval_days, 3)
        settings = Form(self.env["res.config.settings"])
        settings.contact_target = 0
        with self.assertRaises(ValidationError):
            settings.save().execute()
