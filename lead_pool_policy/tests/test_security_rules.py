# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Pool leads are read-only to salespeople by record rules: every path that
asks for write access on the lead obeys the pool, with no override of its
own. Also: create-time checks see the defaults the caller chose, and mail
is neither rendered nor posted on masked leads."""

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import PoolCommon


@tagged("post_install", "-at_install", "lead_pool_policy")
class TestPoolRecordRules(PoolCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lead = cls._pool_lead_cls(name="Pool lead", email_from="c@example.com")
        cls.lead.message_post(body="Manager's note", message_type="comment")
        cls.activity = cls.lead.activity_schedule(
            "mail.mail_activity_data_todo", user_id=cls.user_manager.id
        )
        cls.attachment = cls.env["ir.attachment"].create(
            {
                "name": "brief.txt",
                "raw": b"x",
                "res_model": "crm.lead",
                "res_id": cls.lead.id,
            }
        )
        cls.lead.message_subscribe(partner_ids=cls.user_manager.partner_id.ids)
        cls.engagement_type = cls.env["crm.lead.engagement.type"].search([], limit=1)

    @classmethod
    def _pool_lead_cls(cls, **values):
        lead = cls._create_lead(**values)
        lead._pool_enter("manager", "enter")
        return lead

    def _snapshot(self):
        lead = self.lead
        lead.invalidate_recordset()
        return (
            lead.in_pool,
            lead.user_id,
            lead.contact_count,
            lead.message_ids.ids,
            lead.activity_ids.ids,
            lead.message_follower_ids.mapped("partner_id").ids,
            self.env["ir.attachment"]
            .search([("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)])
            .ids,
            lead.engagement_ids.ids,
        )

    @mute_logger("odoo.addons.base.models.ir_rule", "odoo.models")
    def test_rep_cannot_work_on_a_pool_lead_without_claiming_it(self):
        before = self._snapshot()
        rep = self.user_rep
        as_rep = self.lead.with_user(rep)
        env = self.env(user=rep)
        attempts = {
            "check_access": lambda: as_rep.check_access("write"),
            "log contact": lambda: (
                env["crm.lead.contact.log"]
                .create({"lead_id": self.lead.id})
                .action_log_contact()
            ),
            "message_post": lambda: as_rep.message_post(body="Mine"),
            "activity_schedule": lambda: as_rep.activity_schedule(
                "mail.mail_activity_data_todo", user_id=rep.id
            ),
            "attachment": lambda: env["ir.attachment"].create(
                {
                    "name": "a.txt",
                    "raw": b"y",
                    "res_model": "crm.lead",
                    "res_id": self.lead.id,
                }
            ),
            "follow": lambda: as_rep.message_subscribe(partner_ids=rep.partner_id.ids),
            "unfollow": lambda: as_rep.message_unsubscribe(
                partner_ids=self.user_manager.partner_id.ids
            ),
            "engagement": lambda: env["crm.lead.engagement"].create(
                {"lead_id": self.lead.id, "type_id": self.engagement_type.id}
            ),
            "edit message": lambda: (
                self.lead.message_ids[0].with_user(rep).write({"body": "changed"})
            ),
            "delete message": lambda: self.lead.message_ids[0].with_user(rep).unlink(),
            "reassign activity": lambda: self.activity.with_user(rep).write(
                {"user_id": rep.id}
            ),
            "activity done": lambda: self.activity.with_user(rep).action_done(),
            "delete activity": lambda: self.activity.with_user(rep).unlink(),
            "move attachment": lambda: self.attachment.with_user(rep).write(
                {"res_id": self._assigned_lead().id}
            ),
            "delete attachment": lambda: self.attachment.with_user(rep).unlink(),
        }
        for name, attempt in attempts.items():
            with (
                self.subTest(name),
                self.assertRaises(AccessError),
                self.env.cr.savepoint(),
            ):
                attempt()
        self.assertEqual(self._snapshot(), before)
        # Claimed, the same rep works on it.
        self.lead.with_user(rep).action_pool_claim()
        as_rep.message_post(body="Mine")
        as_rep.check_access("write")

    @mute_logger("odoo.addons.base.models.ir_rule", "odoo.models")
    def test_engagement_event_cannot_move_to_another_reps_lead(self):
        own = self._assigned_lead()
        other = self._assigned_lead(user=self.user_rep_2)
        event = (
            self.env["crm.lead.engagement"]
            .with_user(self.user_rep)
            .create({"lead_id": own.id, "type_id": self.engagement_type.id})
        )
        for target in (other, self.lead):
            with self.assertRaises(AccessError):
                event.write({"lead_id": target.id})
        self.assertEqual(event.lead_id, own)

    @mute_logger("odoo.addons.base.models.ir_rule", "odoo.models")
    def test_activity_and_attachment_cannot_move_onto_a_lead(self):
        own = self._assigned_lead()
        other = self._assigned_lead(user=self.user_rep_2)
        rep_env = self.env(user=self.user_rep)
        activity = own.with_user(self.user_rep).activity_schedule(
            "mail.mail_activity_data_todo", user_id=self.user_rep.id
        )
        attachment = rep_env["ir.attachment"].create(
            {"name": "n.txt", "raw": b"z", "res_model": "crm.lead", "res_id": own.id}
        )
        moves = [
            lambda target: activity.with_user(self.user_rep).write(
                {"res_id": target.id}
            ),
            lambda target: attachment.write({"res_id": target.id}),
        ]
        for target in (self.lead, other):
            for move in moves:
                with (
                    self.subTest(target.name),
                    self.assertRaises(AccessError),
                    self.env.cr.savepoint(),
                ):
                    move(target)
        self.assertEqual(activity.res_id, own.id)
        self.assertEqual(attachment.sudo().res_id, own.id)

    def test_former_owner_lets_go_of_a_lead_entering_the_pool(self):
        """Recycled (or returned), a lead keeps neither its former owner as a
        follower nor their open activities; others' activities stay."""
        leads = self._assigned_lead(name="A") | self._assigned_lead(name="B")
        other = self._assigned_lead(name="Kept by its owner")
        owner = self.user_rep
        for lead in leads | other:
            lead.message_subscribe(partner_ids=owner.partner_id.ids)
            lead.activity_schedule(
                "mail.mail_activity_data_call", summary="Attempt 3", user_id=owner.id
            )
        managers = leads[0].activity_schedule(
            "mail.mail_activity_data_todo", user_id=self.user_manager.id
        )
        done = leads[1].activity_schedule(
            "mail.mail_activity_data_todo", user_id=owner.id
        )
        done.action_feedback(feedback="Called")
        leads.sudo()._pool_enter(None, "recycle")
        for lead in leads:
            self.assertNotIn(owner.partner_id, lead.message_partner_ids)
        self.assertEqual(leads.activity_ids, managers)
        self.assertEqual(
            self.env["mail.activity"].search(
                [("user_id", "=", owner.id), ("res_model", "=", "crm.lead")]
            ),
            other.activity_ids.filtered(lambda a: a.user_id == owner),
        )
        self.assertIn(owner.partner_id, other.message_partner_ids)
        # What was done is history: the done activity's message stays.
        self.assertTrue(
            leads[1].message_ids.filtered(lambda m: "Called" in (m.body or ""))
        )

    @mute_logger("odoo.models")
    def test_bad_ids_and_searches_are_refused_in_words(self):
        Lead = self.env["crm.lead"].with_user(self.user_rep)
        for ids in ([None], [0], [10**9]):
            with (
                self.subTest(ids),
                self.assertRaisesRegex(UserError, "no longer exist"),
            ):
                Lead.browse(ids).action_pool_claim()
        with self.assertRaisesRegex(UserError, "recycle preview"):
            Lead.search([("pool_preview_state", "!=", False)])

    def test_team_lead_and_manager_keep_their_access(self):
        self.lead.with_user(self.user_team_lead).check_access("write")
        self.lead.with_user(self.user_manager).message_post(body="Manager")

    @mute_logger("odoo.addons.base.models.ir_rule", "odoo.models")
    def test_defaults_are_values(self):
        Lead = self.env["crm.lead"].with_user(self.user_rep)
        count = Lead.sudo().search_count([])
        forged = {
            "default_stage_id": self.pool_stage.id,
            "default_contact_count": 5,
            "default_date_open": "2099-01-01 00:00:00",
            "default_pool_recycle_count": 3,
            "default_user_id": self.user_rep_2.id,
        }
        for key, value in forged.items():
            with (
                self.subTest(key),
                self.assertRaises(AccessError),
                self.env.cr.savepoint(),
            ):
                Lead.with_context(**{key: value}).create({"name": "Forged"})
        exempt = self.env["crm.tag"].create({"name": "Exempt"})
        self.company.pool_exempt_tag_ids = exempt
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            Lead.with_context(default_tag_ids=[(6, 0, exempt.ids)]).create(
                {"name": "Forged"}
            )
        # The same through ir.default, set for the rep only.
        self.env["ir.default"].set(
            "crm.lead", "contact_count", 4, user_id=self.user_rep.id
        )
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            Lead.create({"name": "Forged"})
        self.assertEqual(Lead.sudo().search_count([]), count)
        # Other models: an event's points, a source's statistics.
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            self.env["crm.lead.engagement"].with_user(self.user_rep).with_context(
                default_points=1000
            ).create(
                {
                    "lead_id": self._assigned_lead().id,
                    "type_id": self.engagement_type.id,
                }
            )
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            self.env["utm.source"].with_user(self.user_manager).with_context(
                default_conversion_rate=99
            ).create({"name": "Forged source"})

    def test_templates_are_not_rendered_on_masked_leads(self):
        self.company.pool_mask_contacts = True
        template = self.env["mail.template"].create(
            {
                "name": "To the customer",
                "model_id": self.env.ref("crm.model_crm_lead").id,
                "email_to": "{{ object.email_from }}",
                "body_html": '<p><t t-out="object.email_from"/></p>',
            }
        )
        preview = (
            self.env["mail.template.preview"]
            .with_user(self.user_rep)
            .create(
                {
                    "mail_template_id": template.id,
                    "resource_ref": f"crm.lead,{self.lead.id}",
                }
            )
        )
        self.assertIn("claim it before writing to its contact", preview.error_msg)
        self.assertNotIn("c@example.com", f"{preview.body_html}{preview.email_to}")
        with self.assertRaises(AccessError):
            template.with_user(self.user_rep).send_mail(self.lead.id)
        # The manager, or the setting off: rendered as usual.
        self.assertIn(
            "c@example.com",
            template.with_user(self.user_manager)._render_field(
                "body_html", self.lead.ids
            )[self.lead.id],
        )

    def test_malformed_preview_context_is_refused_in_words(self):
        Lead = self.env["crm.lead"].with_user(self.user_manager)
        for raw in (
            "{",
            "[]",
            '{"kind": "x"}',
            '{"kind": "team", "id": "a"}',
            '{"kind": "team", "id": 1, "warning_days": 1e308, "values": null}',
            '{"kind": "team", "id": 1, "warning_days": 2, "values": {}}',
        ):
            with self.subTest(raw), self.assertRaises(UserError):
                Lead.with_context(pool_preview=raw).search_read(
                    [("pool_preview_state", "=", "due")], ["name"]
                )
