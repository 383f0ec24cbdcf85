# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Recycle days by segment, escalation to the team leader, and leads imported
straight into the pool."""

from ast import literal_eval
from datetime import timedelta

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..models.crm_lead import BANT_MET_VALUES as HOT
from .common import T0, PoolCommon


@tagged("post_install", "-at_install", "lead_pool_policy")
class TestPoolSegments(PoolCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.vip = cls.env["crm.tag"].create({"name": "VIP (segment tests)"})

    def _segments(self, *lines, policy=None):
        """Override lines on the company's policy (or ``policy``'s), written a
        week before T0: no grace of theirs reaches the tests' deadlines."""
        with self._clock(T0 - timedelta(days=7)):
            (policy or self.company).write(
                {
                    "pool_recycle_override_ids": [
                        (0, 0, dict(line, sequence=index))
                        for index, line in enumerate(lines)
                    ]
                }
            )

    def test_hot_lead_gets_its_segment_days_and_moves_with_temperature(self):
        self._segments(
            {
                "name": "Hot leads",
                "domain": "[('temperature', '=', 'hot')]",
                "uncontacted_days": 20,
            }
        )
        hot = self._assigned_lead(name="hot", **HOT)
        cold = self._assigned_lead(name="cold")
        self.assertEqual((hot.temperature, cold.temperature), ("hot", "cold"))
        self.assertEqual(hot.pool_recycle_deadline, T0 + timedelta(days=20))
        self.assertEqual(cold.pool_recycle_deadline, T0 + timedelta(days=7))
        # Its need turns out to be none: cold, the policy's 7 days.
        hot.bant_need = "none"
        self.assertEqual(hot.temperature, "cold")
        self.assertEqual(hot.pool_recycle_deadline, T0 + timedelta(days=7))
        # And back.
        hot.bant_need = "confirmed"
        self.assertEqual(hot.pool_recycle_deadline, T0 + timedelta(days=20))
        # The night recycles the cold lead only.
        self.assertEqual(self._recycle(T0 + timedelta(days=8)), 1)
        self.assertEqual((hot.in_pool, cold.in_pool), (False, True))

    def test_first_matching_segment_counts(self):
        self._segments(
            {
                "name": "VIP",
                "domain": f"[('tag_ids', 'in', {self.vip.id})]",
                "exempt": True,
            },
            {
                "name": "Large deals",
                "domain": "[('expected_revenue', '>=', 50000)]",
                "uncontacted_days": 30,
                "unconverted_days": 60,
            },
        )
        vip = self._assigned_lead(
            name="vip", expected_revenue=90000, tag_ids=[(4, self.vip.id)]
        )
        large = self._assigned_lead(name="large", expected_revenue=90000)
        small = self._assigned_lead(name="small", expected_revenue=100)
        self.assertFalse(vip.pool_recycle_deadline, "exempt: no deadline")
        self.assertEqual(large.pool_recycle_deadline, T0 + timedelta(days=30))
        self.assertEqual(small.pool_recycle_deadline, T0 + timedelta(days=7))
        # A contact: the large deal's 60 days to conversion; the small one's 14.
        with self._clock(T0 + timedelta(days=1)):
            (large | small)._register_contact_attempt()
        self.assertEqual(large.pool_recycle_deadline, T0 + timedelta(days=61))
        self.assertEqual(small.pool_recycle_deadline, T0 + timedelta(days=15))
        # The deal shrinks: it leaves the segment.
        large.expected_revenue = 1000
        self.assertEqual(large.pool_recycle_deadline, T0 + timedelta(days=15))
        # An exempt segment is never recycled, however late.
        self._recycle(T0 + timedelta(days=400))
        self.assertFalse(vip.in_pool)
        self.assertTrue(large.in_pool and small.in_pool)

    def test_segments_saved_from_settings(self):
        """Settings edit the company's segments in place, as a list."""
        line = {
            "name": "Hot leads",
            "domain": "[('temperature', '=', 'hot')]",
            "uncontacted_days": 20,
        }
        with self._clock(T0 - timedelta(days=7)):
            settings = (
                self.env["res.config.settings"]
                .with_user(self.env.ref("base.user_admin"))
                .create({"pool_recycle_override_ids": [(0, 0, line)]})
            )
            settings.execute()
        segment = self.company.pool_recycle_override_ids
        self.assertEqual(
            (segment.name, segment.uncontacted_days, segment.team_id),
            ("Hot leads", 20, self.env["crm.team"]),
        )
        hot = self._assigned_lead(name="hot", **HOT)
        self.assertEqual(hot.pool_recycle_deadline, T0 + timedelta(days=20))

    def test_team_policy_has_its_own_segments(self):
        self._segments({"name": "Everything", "domain": "[]", "uncontacted_days": 3})
        lead = self._assigned_lead()
        self.assertEqual(lead.pool_recycle_deadline, T0 + timedelta(days=3))
        with self._clock(T0 - timedelta(days=7)):
            self.team.write({"pool_policy_own": True, "pool_uncontacted_days": 9})
        self.assertEqual(lead.pool_recycle_deadline, T0 + timedelta(days=9))
        self._segments(
            {"name": "Everything", "domain": "[]", "uncontacted_days": 12},
            policy=self.team,
        )
        self.assertEqual(lead.pool_recycle_deadline, T0 + timedelta(days=12))

    def test_shorter_segment_days_warn_first(self):
        """Shortening a segment's days tightens the policy: nobody loses a
        lead before the warning window, as for the policy's own days."""
        self._segments({"name": "Hot", "domain": "[]", "uncontacted_days": 20})
        lead = self._assigned_lead()
        line = self.company.pool_recycle_override_ids
        when = T0 + timedelta(days=10)
        with self._clock(when):
            line.uncontacted_days = 5
        self.assertEqual(self.company.pool_grace_date, when)
        self.assertEqual(lead.pool_recycle_deadline, when + timedelta(days=2))
        # Longer days are no tightening.
        with self._clock(when + timedelta(days=1)):
            line.uncontacted_days = 30
        self.assertEqual(self.company.pool_grace_date, when)
        self.assertEqual(lead.pool_recycle_deadline, T0 + timedelta(days=30))

    @mute_logger("odoo.models")
    def test_segment_filter_refused_in_words(self):
        Override = self.env["crm.lead.pool.recycle.override"]
        with (
            self.assertRaisesRegex(ValidationError, "“Broken” cannot be read"),
            self.env.cr.savepoint(),
        ):
            Override.create(
                {
                    "name": "Broken",
                    "domain": "[('no_such_field', '=', 1)]",
                    "company_id": self.company.id,
                }
            )
        with (
            self.assertRaisesRegex(ValidationError, "between 0 and 3650"),
            self.env.cr.savepoint(),
        ):
            Override.create(
                {"name": "Negative", "company_id": self.company.id, "stale_days": -1}
            )
        self.env.invalidate_all()
        self.assertFalse(self.company.pool_recycle_override_ids)

    def test_filters_read_in_words(self):
        self._segments(
            {"name": "Hot", "domain": "[('temperature', '=', 'hot')]"},
            {
                "name": "VIP or large",
                "domain": f"['|', ('tag_ids', 'in', [{self.vip.id}]),"
                " ('expected_revenue', '>=', 50000)]",
            },
            {"name": "No email", "domain": "[('email_from', '=', False)]"},
            {"name": "Everything", "domain": "[]"},
        )
        self.assertEqual(
            self.company.pool_recycle_override_ids.mapped("domain_words"),
            [
                "Temperature = Hot",
                "(Tags is in VIP (segment tests) or Expected Revenue ≥ 50000)",
                "Email is not set",
                "All leads",
            ],
        )
        rule = self.env.ref("lead_pool_policy.crm_lead_scoring_rule_base")
        self.assertEqual(rule.domain_words, "All leads")

    def test_segments_are_for_managers(self):
        with self.assertRaises(AccessError):
            self.env["crm.lead.pool.recycle.override"].with_user(self.user_rep).create(
                {"name": "Mine", "domain": "[]", "company_id": self.company.id}
            )

    def test_preview_counts_unsaved_segments(self):
        hot = self._assigned_lead(name="hot", **HOT)
        cold = self._assigned_lead(name="cold")
        self.env.ref("lead_pool_policy.ir_cron_pool_recycle").nextcall = T0 + timedelta(
            days=8
        )
        line = {
            "sequence": 1,
            "name": "Hot leads",
            "domain": "[('temperature', '=', 'hot')]",
            "uncontacted_days": 20,
            "unconverted_days": 0,
            "stale_days": 0,
            "exempt": False,
        }
        values = {"pool_recycle_override_ids": [line]}
        with self._clock(T0 + timedelta(days=6)):
            Settings = self.env["res.config.settings"].with_user(self.user_manager)
            action = Settings.action_pool_preview_leads(values)
            listed = (
                self.env["crm.lead"]
                .with_user(self.user_manager)
                .with_context(**action["context"])
            )
            found = listed.search(literal_eval(action["domain"]))
            self.assertIn(cold, found)
            self.assertNotIn(hot, found, "the unsaved segment gives it 20 days")
            settings = Settings.new({})
            self.assertIn(hot, listed.search([("id", "in", (hot | cold).ids)]))
            self.assertEqual(settings.pool_preview_due_count, 2, "saved: both due")
        # Nothing was saved.
        self.assertFalse(self.company.pool_recycle_override_ids)
        self.assertEqual(hot.pool_recycle_deadline, T0 + timedelta(days=7))


@tagged("post_install", "-at_install", "lead_pool_policy")
class TestPoolEscalation(PoolCommon):
    def _todos(self, lead):
        todo = self.env.ref("mail.mail_activity_data_todo")
        return lead.activity_ids.filtered(lambda a: a.activity_type_id == todo)

    def test_team_leader_is_told_once_per_deadline(self):
        self.company.pool_escalation_days = 3
        self.team.user_id = self.user_team_lead
        lead = self._assigned_lead()
        self.assertEqual(lead.pool_recycle_deadline, T0 + timedelta(days=7))
        # Four days before: not yet.
        with self._clock(T0 + timedelta(days=3)):
            self.env["crm.lead"]._pool_send_reminders(T0 + timedelta(days=3))
        self.assertFalse(self._todos(lead))
        for day in (4, 5):
            when = T0 + timedelta(days=day)
            with self._clock(when):
                sent = self.env["crm.lead"]._pool_send_reminders(when)
            self.assertEqual(sent["escalation"], int(day == 4))
        todo = self._todos(lead)
        self.assertEqual(todo.user_id, self.user_team_lead)
        self.assertIn("unless Rita Rep contacts them", todo.summary)
        self.assertEqual(todo.date_deadline, (T0 + timedelta(days=7)).date())
        # A new deadline (an approved extension, a contact): told again.
        with self._clock(T0 + timedelta(days=5)):
            lead._register_contact_attempt()
        when = T0 + timedelta(days=17)
        with self._clock(when):
            sent = self.env["crm.lead"]._pool_send_reminders(when)
        self.assertEqual(sent["escalation"], 1)
        self.assertEqual(len(self._todos(lead)), 2)

    def test_without_leader_the_sales_managers_are_told(self):
        self.company.pool_escalation_days = 3
        self.team.user_id = False
        lead = self._assigned_lead()
        when = T0 + timedelta(days=5)
        with self._clock(when):
            self._recycle(when)
        managers = self.env["crm.lead"]._company_sales_managers(self.company)
        self.assertIn(self.user_manager, managers)
        self.assertEqual(self._todos(lead).user_id, managers)

    def test_escalation_off(self):
        self.team.user_id = self.user_team_lead
        lead = self._assigned_lead()
        self._recycle(T0 + timedelta(days=6))
        self.assertFalse(self._todos(lead))
        with self.assertRaisesRegex(ValidationError, "between 0 and 365"):
            self.company.pool_escalation_days = 400


@tagged("post_install", "-at_install", "lead_pool_policy")
class TestPoolImport(PoolCommon):
    def test_import_lands_in_the_pool(self):
        Lead = self.env["crm.lead"].with_user(self.user_manager)
        templates = Lead.with_context(pool_import=True).get_import_templates()
        self.assertIn("crm_lead_pool_import.csv", templates[0]["template"])
        result = Lead.with_context(pool_import=True).load(
            ["name", "contact_name", "email_from", "team_id"],
            [
                ["Imported one", "Bo Chen", "bo@example.com", self.team.name],
                ["Imported two", "Li Wei", "li@example.com", self.team.name],
            ],
        )
        self.assertFalse(result["messages"], result["messages"])
        leads = self.env["crm.lead"].browse(result["ids"])
        self.assertEqual(leads.mapped("in_pool"), [True, True])
        logs = self.env["crm.lead.pool.log"].search([("lead_id", "in", leads.ids)])
        self.assertEqual(set(logs.mapped("event")), {"enter"})
        self.assertEqual(set(leads.mapped("pool_reason")), {"new"})

    @mute_logger("odoo.models", "odoo.sql_db")
    def test_salespeople_do_not_import_into_the_pool(self):
        Lead = self.env["crm.lead"].with_user(self.user_rep)
        with (
            self.assertRaisesRegex(AccessError, "Only sales managers can import"),
            self.env.cr.savepoint(),
        ):
            Lead.with_context(pool_import=True).create({"name": "Sneaky"})
        self.env.invalidate_all()
        self.assertFalse(self.env["crm.lead"].search([("name", "=", "Sneaky")]))
