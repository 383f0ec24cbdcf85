# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The recycle preview: before saving a pool policy, what the recycle job's
next run does with it; then saving and running the job does exactly that."""

from ast import literal_eval
from datetime import timedelta

from odoo.api import call_kw
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import T0, PoolCommon

NEXT_RUN = T0 + timedelta(days=10)
PREVIEW = T0 + timedelta(days=9)


@tagged("post_install", "-at_install", "lead_pool_policy")
class TestPreview(PoolCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.ref("lead_pool_policy.ir_cron_pool_recycle").nextcall = NEXT_RUN

    def setUp(self):
        super().setUp()
        # T0 + 7: overdue, not yet recycled (the job runs at NEXT_RUN).
        self.overdue = self._assigned_lead(name="overdue")
        # T0 + 4 + 7 = T0 + 11: within the window after the next run.
        self.soon = self._lead_at(T0 + timedelta(days=4), "soon")
        # T0 + 2 + 7 = T0 + 9: due at the next run, another salesperson.
        self.due_2 = self._lead_at(
            T0 + timedelta(days=2), "due, rep 2", self.user_rep_2
        )
        # Contacted: T0 + 2 + 14 = T0 + 16.
        self.contacted = self._lead_at(T0 + timedelta(days=1), "contacted")
        with self._clock(T0 + timedelta(days=2)):
            self.contacted._register_contact_attempt()
        # An opportunity: no rule while stale is off.
        self.opportunity = self._assigned_lead(name="opportunity", type="opportunity")
        with self._clock(T0 + timedelta(days=1)):
            self.opportunity._register_contact_attempt()
        self.leads = (
            self.overdue | self.soon | self.due_2 | self.contacted | self.opportunity
        )

    def _lead_at(self, when, name, user=None):
        with self._clock(when):
            lead = self._create_lead(name=name, user=user)
            self.env.flush_all()
        return lead

    def _settings_preview(self, values):
        with self._clock(PREVIEW):
            settings = self.env["res.config.settings"].new(values)
            return (
                settings.pool_preview_due_count,
                settings.pool_preview_soon_count,
                settings.pool_preview_html,
            )

    def _next_run(self):
        """Recycled and warned by the next run."""
        recycled = self._recycle(NEXT_RUN)
        warning = self.env.ref("lead_pool_policy.mail_activity_type_recycle_warning")
        warned = self.leads.filtered(
            lambda lead: warning in lead.activity_ids.activity_type_id
        )
        return recycled, len(warned)

    def test_preview_unchanged_settings(self):
        """Unchanged settings: what tonight's run does, per salesperson."""
        due, soon, html = self._settings_preview({})
        self.assertEqual((due, soon), (2, 1))
        self.assertIn(self.user_rep_2.name, html)
        self.assertIn(self.team.name, html)
        self.assertEqual(self._next_run(), (2, 1))
        self.assertEqual(self.leads.filtered("in_pool"), self.overdue | self.due_2)

    def test_preview_then_save_and_run(self):
        """A longer first-contact delay: the preview counts, the list shows,
        and the run after saving does, the same leads."""
        values = {"pool_uncontacted_days": 8, "pool_unconverted_days": 20}
        deadlines = self.leads.mapped("pool_recycle_deadline")
        due, soon, _html = self._settings_preview(values)
        self.assertEqual((due, soon), (2, 1), "T0 + 8 and T0 + 10; T0 + 12")
        # Read-only: nothing saved, nothing moved.
        self.assertEqual(self.company.pool_uncontacted_days, 7)
        self.env.invalidate_all()
        self.assertEqual(self.leads.mapped("pool_recycle_deadline"), deadlines)

        with self._clock(PREVIEW):
            action = (
                self.env["res.config.settings"]
                .with_user(self.user_manager)
                .action_pool_preview_leads(values)
            )
        listed = (
            self.env["crm.lead"]
            .with_user(self.user_manager)
            .with_context(**action["context"])
        )
        with self._clock(PREVIEW):
            found = listed.search(literal_eval(action["domain"]))
            self.assertEqual(found, self.overdue | self.due_2 | self.soon)
            self.assertEqual(
                listed.search([("pool_preview_state", "=", "soon")]), self.soon
            )
            self.assertEqual(
                found.mapped("pool_preview_state").count("due"), 2, "computed column"
            )
            groups = listed._read_group(
                literal_eval(action["domain"]), ["user_id"], ["__count"]
            )
            self.assertEqual(
                dict(groups), {self.user_rep: 2, self.user_rep_2: 1}, "per salesperson"
            )

        with self._clock(PREVIEW):
            self.company.write(values)
        self.assertEqual(self._next_run(), (due, soon))

    def test_preview_tightened_policy(self):
        """A shorter delay and a rule switched on: the preview shows the
        grace (nobody loses a lead before the warning window), and the run
        after saving agrees."""
        values = {
            "pool_unconverted_days": 6,
            "pool_recycle_stale": True,
            "pool_stale_days": 5,
        }
        due, soon, html = self._settings_preview(values)
        self.assertEqual((due, soon), (0, 4), "every deadline at PREVIEW + 2 days")
        # The preview says why none is due: the grace holds the leads already
        # past the new delays (the four of the window) until PREVIEW + 2 days;
        # the next run's date as the web client shows dates and times.
        self.assertIn("at the next run (03/12/2026 10:00:00)", html)
        self.assertIn(
            "4 more leads are already past these delays: the grace of a policy "
            "change keeps them until 03/13/2026",
            html,
        )
        with self._clock(PREVIEW):
            self.company.write(values)
        self.assertEqual(self._next_run(), (due, soon))

    def test_team_preview(self):
        """On the team's Pool Policy page: its own, stricter policy, before
        saving."""
        with self._clock(PREVIEW):
            edited = self.team.new(
                {"pool_policy_own": True, "pool_uncontacted_days": 3}, origin=self.team
            )
            result = edited._pool_preview_result()
            self.assertEqual((result["due"], result["soon"]), (0, 3))
            self.assertEqual(
                (edited.pool_preview_due_count, edited.pool_preview_soon_count), (0, 3)
            )
            action = self.team.with_user(self.user_manager).action_pool_preview_leads(
                {"pool_policy_own": True, "pool_uncontacted_days": 3}
            )
            found = (
                self.env["crm.lead"]
                .with_context(**action["context"])
                .search(literal_eval(action["domain"]))
            )
            self.assertEqual(found, self.overdue | self.soon | self.due_2)
            self.assertFalse(self.team.pool_policy_own, "not saved")
            self.team.write({"pool_policy_own": True, "pool_uncontacted_days": 3})
        self.assertEqual(self._next_run(), (0, 3))

    def test_preview_access(self):
        with self.assertRaises(AccessError):
            self.env["res.config.settings"].with_user(
                self.user_rep
            ).action_pool_preview_leads({})
        with self.assertRaises(AccessError):
            self.team.with_user(self.user_rep).action_pool_preview_leads({})

    def test_preview_button_calls(self):
        """The RPC calls of the List button (pool_preview_button.js): on the
        settings model, on the saved team's id."""
        values = {"pool_uncontacted_days": 8, "pool_exempt_tag_ids": []}
        settings = self.env["res.config.settings"].with_user(self.user_manager)
        action = call_kw(settings, "action_pool_preview_leads", [], {"values": values})
        self.assertEqual(action["res_model"], "crm.lead")
        team = self.env["crm.team"].with_user(self.user_manager)
        action = call_kw(
            team, "action_pool_preview_leads", [[self.team.id]], {"values": values}
        )
        self.assertIn('"kind": "team"', action["context"]["pool_preview"])
