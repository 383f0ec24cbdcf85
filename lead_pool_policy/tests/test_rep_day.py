# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The rep's day without surprises: no Claim that would be refused (and why),
unassigned leads taken as claims."""

from lxml import etree

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import T0, PoolCommon


@tagged("post_install", "-at_install", "lead_pool_policy")
class TestClaimFeedback(PoolCommon):
    def test_reason_instead_of_claim(self):
        """A lead that came back from the rep shows why it cannot be claimed
        back, to them only; at the daily limit every pool lead says so."""
        mine = self._assigned_lead(name="My old lead")
        other = self._pool_lead(name="Another lead", user=self.user_rep_2)
        self._recycle("2026-03-09 10:00:00")
        self.assertEqual(mine.pool_previous_user_id, self.user_rep)
        self.company.pool_reclaim_cooldown_days = 5
        with self._clock("2026-03-12 10:00:00"):
            self.assertEqual(
                mine.with_user(self.user_rep).pool_claim_blocked_reason,
                "Back from you less than 5 days ago",
            )
            self.assertFalse(mine.with_user(self.user_rep_2).pool_claim_blocked_reason)
            self.assertFalse(other.with_user(self.user_rep).pool_claim_blocked_reason)
            # "Claim next best lead" says why nothing could be claimed, to "you".
            other.sudo().active = False
            Lead = self.env["crm.lead"].with_user(self.user_rep)
            self.assertEqual(
                Lead.action_pool_claim_next()["params"]["message"],
                "My old lead came back to the pool from you less than 5 days "
                "ago: you cannot claim it back yet.",
            )
            other.sudo().active = True
        self.company.pool_claim_daily_limit = 1
        with self._clock("2026-03-12 10:00:00"):
            lead_user = self.user_team_lead
            other.with_user(lead_user).action_pool_claim()
            self.assertEqual(other.user_id, lead_user)
            self.assertEqual(
                mine.with_user(lead_user).pool_claim_blocked_reason,
                "Daily claim limit reached (1 of 1)",
            )
            status = self.env["crm.lead"].with_user(lead_user).get_pool_claim_status()
        self.assertTrue(status["limit_reached"])
        self.assertEqual(
            status["limit_message"],
            "Daily claim limit reached (1 of 1): claim again tomorrow.",
        )


@tagged("post_install", "-at_install", "lead_pool_policy")
class TestUnassignedTakenAsClaim(PoolCommon):
    def test_rep_typing_themselves_in_claims(self):
        """Outside the pool a lead nobody owns is taken as a claim: the
        history, a note and the first call; at the limit, refused in words,
        and the lead keeps no owner."""
        lead = self._assigned_lead(user=self.env["res.users"], name="Nobody's lead")
        with self._clock(T0):
            lead.with_user(self.user_rep).write({"user_id": self.user_rep.id})
            self.assertEqual(lead.user_id, self.user_rep)
            [log] = self._logs(lead, "claim")
            self.assertEqual(log.owner_after_id, self.user_rep)
            self.assertEqual(log.user_id, self.user_rep)
            self.assertIn("while it had no salesperson", lead.message_ids[0].body)
            self.assertEqual(lead.activity_ids.summary, "First contact")
            self.assertEqual(lead.activity_ids.user_id, self.user_rep)
            self.company.pool_claim_daily_limit = 1
            second = self._create_lead(user=self.env["res.users"], name="Second")
            with self.assertRaisesRegex(
                UserError,
                r"Daily claim limit reached \(1 of 1\): Second has no salesperson, "
                r"and taking it counts as a claim\.",
            ):
                second.with_user(self.user_rep).write({"user_id": self.user_rep.id})
        self.assertFalse(second.user_id)
        self.assertFalse(self._logs(second))

    def test_managers_assign_without_a_claim(self):
        lead = self._assigned_lead(user=self.env["res.users"])
        self.company.pool_claim_daily_limit = 1
        lead.with_user(self.user_manager).write({"user_id": self.user_rep.id})
        self.assertEqual(lead.user_id, self.user_rep)
        self.assertFalse(self._logs(lead))


@tagged("post_install", "-at_install", "lead_pool_policy")
class TestMaskedDetailsAreText(PoolCommon):
    def test_contact_widgets_of_the_lead_views(self):
        """The lead's views show its email and phones with the pool's
        widgets (masked values as text: no mailto:, tel: or SMS button)."""
        Lead = self.env["crm.lead"].with_user(self.user_rep)
        arch = etree.fromstring(
            Lead.get_views([(False, "form")])["views"]["form"]["arch"]
        )
        widgets = {
            (node.get("name"), node.get("widget"))
            for node in arch.xpath("//field[@name='email_from' or @name='phone']")
        }
        self.assertIn(("email_from", "lead_pool_email"), widgets)
        self.assertIn(("phone", "lead_pool_phone"), widgets)
        self.assertFalse(arch.xpath("//field[@widget='email' or @widget='phone']"))


@tagged("post_install", "-at_install", "lead_pool_policy")
class TestPoolHistoryReason(PoolCommon):
    def test_one_reason_column(self):
        """Pool History says why in one column: the reason chosen and the
        note on a return, the pool reason on a recycle, never "Returned"
        again beside the event."""
        lead = self._assigned_lead()
        lead.with_user(self.user_rep)._pool_return(
            reason=self.reason, note="Moved away"
        )
        [returned] = self._logs(lead, "return")
        self.assertEqual(returned.reason_text, f"{self.reason.name} — Moved away")
        lead.with_user(self.user_rep).action_pool_claim()
        lead.with_user(self.user_rep)._pool_return()
        self.assertEqual(self._logs(lead, "return")[0].reason_text, "")
        recycled = self._assigned_lead(user=self.user_rep_2)
        self._recycle("2026-03-09 10:00:00")
        self.assertEqual(
            self._logs(recycled, "recycle").reason_text, "Not contacted in time"
        )
