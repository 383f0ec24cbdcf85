# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Browser tour (static/tests/tours/pool_health_tour.js), in Chromium: the
manager's Pool Health graph and pivot, and the pool's figures on the team's
dashboard card."""

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .test_tours import PoolTourCommon


@tagged("post_install", "-at_install", "lead_pool_policy")
class TestPoolHealthTour(PoolTourCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.team.name = "Pool Health Tour Team"

    def test_manager_pool_health(self):
        """A sales manager opens Pool Health, reads its graph and pivot, then
        the pool's figures on the team's card, and opens the team's pool."""
        now = fields.Datetime.now()
        with self._clock(now - timedelta(days=2)):
            pool_a, pool_b, claimed, due = (
                self._create_lead(name=f"Tour Health {name}")
                for name in ("Pool A", "Pool B", "Claimed", "Due")
            )
            self.env.flush_all()
        (pool_a | pool_b | claimed).sudo()._pool_enter("uncontacted", "recycle")
        claimed.sudo()._pool_claim(self.user_rep_2)
        self.assertEqual(claimed.user_id, self.user_rep_2)
        # Not contacted within 7 days: due in 5 days, and the claimed lead in 7.
        self.assertTrue(due.pool_recycle_deadline < now + timedelta(days=7))
        team = self.team.with_user(self.tour_manager)
        self.assertEqual(
            (
                team.pool_lead_count,
                team.pool_due_soon_count,
                team.pool_claimed_today_count,
            ),
            (2, 2, 1),
        )
        self.start_tour(
            "/odoo/crm",
            "lead_pool_policy_manager_pool_health",
            login="lpp_tour_manager",
        )
