# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Browser tours (static/tests/tours/lead_pool_tours.js), in Chromium: the
rep's day and the manager's view of the public pool."""

from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import PoolCommon

POOL_URL = "/odoo/action-lead_pool_policy.crm_lead_action_pool"


class PoolTourCommon(HttpCase, PoolCommon):
    """A rep and a manager of the pool's team, with their tours enabled off."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.ref("base.user_admin").tour_enabled = False
        cls.tour_rep = mail_new_test_user(
            cls.env,
            login="lpp_tour_rep",
            name="Tour Rep",
            groups="sales_team.group_sale_salesman,crm.group_use_lead",
            tour_enabled=False,
        )
        cls.tour_manager = mail_new_test_user(
            cls.env,
            login="lpp_tour_manager",
            name="Tour Manager",
            groups="sales_team.group_sale_manager,crm.group_use_lead",
            tour_enabled=False,
        )
        cls.team.member_ids |= cls.tour_rep
        cls.team.user_id = cls.tour_manager
        cls.company.pool_claim_daily_limit = 5

    def _tour_pool_lead(self, name, **values):
        lead = self._create_lead(name=name, user=self.user_rep_2, **values)
        lead.sudo()._pool_enter("manager", "enter")
        self.assertTrue(lead.in_pool)
        return lead


@tagged("post_install", "-at_install", "lead_pool_policy")
class TestPoolTours(PoolTourCommon):
    def test_rep_claims_next_best_lead(self):
        """A rep claims the next best lead, finds it in their pipeline and
        logs a contact."""
        hot = self._tour_pool_lead(
            "Tour Hot Lead",
            bant_budget="approved",
            bant_authority="decision_maker",
            bant_need="confirmed",
            bant_timeline="within_3_months",
        )
        cold = self._tour_pool_lead("Tour Cold Lead")
        self.assertGreater(hot.priority_score, cold.priority_score)
        self.start_tour(POOL_URL, "lead_pool_policy_rep_claim", login="lpp_tour_rep")
        self.assertEqual(hot.user_id, self.tour_rep)
        self.assertFalse(hot.in_pool)
        self.assertTrue(cold.in_pool, "only the best lead is claimed")
        # The contact logged is the claim's first call, done: one attempt,
        # and the next one planned.
        self.assertEqual(hot.contact_count, 1)
        call = hot.activity_ids.filtered(
            lambda act: (
                act.activity_type_id == self.env.ref("mail.mail_activity_data_call")
            )
        )
        self.assertEqual(call.user_id, self.tour_rep)
        self.assertEqual(
            call.summary, f"Follow-up: attempt 2 of {self.company.contact_target}"
        )
        # Days from today in the claimer's timezone (the test's own user may
        # be a day ahead near midnight).
        self.assertEqual(
            call.date_deadline,
            fields.Date.context_today(hot.with_user(self.tour_rep))
            + timedelta(days=self.company.followup_interval_days),
        )

    def test_manager_assigns_two_leads(self):
        """A manager opens the pool, assigns two leads and sees them in Pool
        History."""
        leads = self._tour_pool_lead("Tour Pool A") | self._tour_pool_lead(
            "Tour Pool B"
        )
        self.start_tour(
            POOL_URL, "lead_pool_policy_manager_assign", login="lpp_tour_manager"
        )
        self.assertEqual(leads.user_id, self.tour_rep)
        logs = self.env["crm.lead.pool.log"].search(
            [("lead_id", "in", leads.ids), ("event", "=", "assign")]
        )
        self.assertEqual(len(logs), 2)
        self.assertEqual(logs.user_id, self.tour_manager)
        self.assertEqual(logs.owner_after_id, self.tour_rep)

    def test_rep_deletes_own_lead_to_pool(self):
        """A rep deletes their lead: the dialog and the notification say it
        moves to the public pool, where its form is read-only to them."""
        lead = self._create_lead(
            name="Tour Own Lead", user=self.tour_rep, email_from="own@example.com"
        )
        self.start_tour(
            "/odoo/action-crm.crm_lead_all_leads",
            "lead_pool_policy_rep_delete",
            login="lpp_tour_rep",
        )
        self.assertTrue(lead.exists())
        self.assertTrue(lead.in_pool)
        self.assertEqual(lead.pool_reason, "deleted")


@tagged("post_install", "-at_install", "lead_pool_policy")
class TestPoolTourPhone(PoolTourCommon):
    """The rep's claim on a phone (390 × 844, touch): the pool's kanban."""

    browser_size = "390x844"
    touch_enabled = True

    def test_rep_claims_on_a_phone(self):
        hot = self._tour_pool_lead("Tour Phone Lead", bant_need="confirmed")
        self.start_tour(
            POOL_URL, "lead_pool_policy_rep_claim_phone", login="lpp_tour_rep"
        )
        self.assertEqual(hot.user_id, self.tour_rep)
        self.assertFalse(hot.in_pool)
