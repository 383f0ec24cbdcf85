# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Extension requests: more days before a lead is recycled, approved by the
team leader or a sales manager, never by the requester."""

from datetime import datetime

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import PoolCommon


@tagged("post_install", "-at_install", "lead_pool_policy")
class TestPoolExtension(PoolCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.pool_extension_max_days = 10
        # The team leader of the team is a salesperson leading it.
        cls.team.user_id = cls.user_rep_2

    def _request(self, lead, days=5, user=None):
        return (
            self.env["crm.lead.pool.extension"]
            .with_user(user or self.user_rep)
            .create({"lead_id": lead.id, "days": days, "reason": "Contract in review"})
        )

    def test_team_leader_approves_and_the_deadline_moves(self):
        lead = self._assigned_lead()
        self.assertEqual(lead.pool_recycle_deadline, datetime(2026, 3, 9, 9, 0))
        request = self._request(lead)
        request.action_request()
        self.assertEqual(request.state, "requested")
        self.assertEqual(request.activity_ids.user_id, self.user_rep_2)
        request.with_user(self.user_rep_2).action_approve()
        self.assertEqual(
            (request.state, request.decided_by), ("approved", self.user_rep_2)
        )
        self.assertEqual(lead.pool_recycle_deadline, datetime(2026, 3, 14, 9, 0))
        self.assertFalse(request.activity_ids)
        log = self._logs(lead, "extend")
        self.assertEqual(
            (log.user_id, log.note), (self.user_rep_2, "Contract in review")
        )
        self.assertTrue(
            lead.message_ids.filtered(lambda m: "5 more days" in (m.body or ""))
        )
        # Kept through later recomputations (a contact moves the clock) ...
        with self._clock("2026-03-03 09:00:00"):
            lead._register_contact_attempt()
        self.assertEqual(lead.pool_recycle_deadline, datetime(2026, 3, 22, 9, 0))
        # ... until the lead changes salesperson.
        lead.user_id = self.user_team_lead
        self.assertEqual(lead.pool_extension_days, 0)

    @mute_logger("odoo.models")
    def test_refusals_in_words(self):
        lead = self._assigned_lead()
        with self.assertRaisesRegex(UserError, "at most 10 days"):
            self._request(lead, days=11).action_request()
        with self.assertRaises(AccessError):
            self._request(lead, user=self.user_team_lead).action_request()
        request = self._request(lead)
        request.action_request()
        with self.assertRaisesRegex(UserError, "already has an extension request"):
            self._request(lead).action_request()
        # Never by its requester, even a manager's own request.
        with self.assertRaisesRegex(AccessError, "someone else than its requester"):
            request.with_user(self.user_rep).action_approve()
        # A salesperson who does not lead the team does not decide.
        other = self._assigned_lead(user=self.user_team_lead)
        self.team.user_id = self.user_manager
        with self.assertRaises(AccessError):
            request.with_user(self.user_team_lead).action_refuse()
        request.with_user(self.user_manager).action_refuse()
        self.assertEqual(request.state, "refused")
        self.assertEqual(lead.pool_extension_days, 0)
        # What was decided is written by the buttons only.
        for vals in ({"state": "approved"}, {"decided_by": self.user_rep.id}):
            with self.assertRaises(AccessError):
                self._request(self._assigned_lead()).write(vals)
            with self.assertRaises(AccessError):
                self.env["crm.lead.pool.extension"].with_user(self.user_rep).create(
                    dict({"lead_id": lead.id, "reason": "x"}, **vals)
                )
        # Switched off: the form hides the button, a call is refused in words.
        self.assertTrue(other.pool_extension_allowed)
        self.company.pool_extension_max_days = 0
        other.invalidate_recordset(["pool_extension_allowed"])
        self.assertFalse(other.pool_extension_allowed)
        with self.assertRaisesRegex(UserError, "switched off"):
            self._request(other, user=self.user_team_lead).action_request()
