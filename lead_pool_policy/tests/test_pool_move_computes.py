# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What a pool move recomputes: crm's probability and prorated revenues,
set-based, with crm's values; what depends on the fields the move keeps
(the team, the company) is not recomputed."""

from unittest.mock import patch

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import float_round

from odoo.addons.mail.tests.common import mail_new_test_user

from ..models.orm_modified import modified_except
from .common import PoolCommon


@tagged("post_install", "-at_install", "lead_pool_policy")
class TestPoolMoveComputes(PoolCommon):
    def _revenue_lead(self, **values):
        return self._assigned_lead(
            expected_revenue=1234.0,
            recurring_revenue=99.99,
            recurring_plan=self.env.ref("crm.crm_recurring_plan_yearly").id,
            **values,
        )

    def _assert_crm_values(self, lead, probability):
        """The lead's probability fields are those crm's computes give."""
        lead.invalidate_recordset()
        automated = lead._pls_get_naive_bayes_probabilities()[lead.id]
        self.assertAlmostEqual(lead.automated_probability, automated, places=2)
        self.assertAlmostEqual(lead.probability, probability, places=2)
        self.assertEqual(
            lead.prorated_revenue, float_round(1234.0 * probability / 100, 2)
        )
        self.assertEqual(
            lead.recurring_revenue_prorated,
            lead.company_currency.round(99.99 * probability / 100),
        )
        self.assertEqual(
            lead.recurring_revenue_monthly_prorated,
            lead.company_currency.round(
                lead.recurring_revenue_monthly * probability / 100
            ),
        )

    def test_move_writes_crms_probability(self):
        automated = self._revenue_lead()
        manual = self._revenue_lead()
        manual.probability = 35.0
        self.env.flush_all()
        leads = automated | manual
        leads.sudo()._pool_enter("manager", "enter")
        self.assertEqual(leads.mapped("in_pool"), [True, True])
        # The automated lead follows crm's new probability at the pool's
        # stage; the one set by hand keeps its own.
        expected = automated._pls_get_naive_bayes_probabilities()[automated.id]
        self._assert_crm_values(automated, expected)
        self._assert_crm_values(manual, 35.0)
        self.assertNotEqual(manual.automated_probability, 35.0)
        # Claimed back: the same at the stage it returns to.
        automated._pool_claim(self.user_sales_salesman)
        self.assertEqual(automated.user_id, self.user_sales_salesman)
        expected = automated._pls_get_naive_bayes_probabilities()[automated.id]
        self._assert_crm_values(automated, expected)

    def test_claim_settles_the_team_first(self):
        """A claim computes the claimed lead's team (crm's rule: it follows a
        new owner who is not a member of it) before what depends on it: a
        claimer of the lead's team keeps it, and what depends on the team
        (its properties) is not recomputed; a claimer of another team gets
        the lead in their team, and what depends on it follows. The
        probability is crm's in both cases, written set-based."""
        other_rep = mail_new_test_user(
            self.env,
            login="lpp_settle_rep",
            groups="sales_team.group_sale_salesman,crm.group_use_lead",
        )
        other_team = self.env["crm.team"].create(
            {"name": "Other team", "member_ids": [(6, 0, other_rep.ids)]}
        )
        kept, moved = self._revenue_lead(), self._revenue_lead()
        (kept | moved).sudo()._pool_enter("manager", "enter")
        self.env.flush_all()
        Lead = type(self.env["crm.lead"])
        field = self.env["crm.lead"]._fields["lead_properties"]
        write_probabilities = Lead._pool_write_probabilities
        properties_marked = {}

        def spy(records):
            marked = records.env.transaction.tocompute.get(field, ())
            properties_marked.update({lead.id: lead.id in marked for lead in records})
            return write_probabilities(records)

        with patch.object(Lead, "_pool_write_probabilities", spy):
            kept._pool_claim(self.user_rep)
            moved._pool_claim(other_rep)
        self.env.flush_all()
        self.assertEqual(kept.team_id, self.team)
        self.assertEqual(moved.team_id, other_team)
        self.assertEqual(properties_marked, {kept.id: False, moved.id: True})
        for lead in kept | moved:
            expected = lead._pls_get_naive_bayes_probabilities()[lead.id]
            self._assert_crm_values(lead, expected)

    def test_pool_rank_follows_the_pool(self):
        """The pool's order (``pool_rank``) is the priority score of the pool
        leads: given when a lead enters the pool (a manager's stage move
        included), following its rescores there, by a write or the refresh
        job, and left when it leaves; a lead outside the pool keeps none."""
        pooled, owned = self._pool_lead(), self._assigned_lead()
        self.assertTrue(pooled.priority_score)
        self.assertEqual(pooled.pool_rank, pooled.priority_score)
        self.assertFalse(owned.pool_rank)
        pooled.write({"bant_budget": "approved"})
        owned.write({"bant_budget": "approved"})
        self.env.flush_all()
        self.env.invalidate_all()
        self.assertEqual(pooled.pool_rank, pooled.priority_score)
        self.assertFalse(owned.pool_rank)
        self.company.score_fit_weight = 30
        self.env["crm.lead"]._rescore_all()
        self.env.invalidate_all()
        self.assertEqual(pooled.pool_rank, pooled.priority_score)
        self.assertFalse(owned.pool_rank)
        pooled._pool_claim(self.user_rep)
        self.assertFalse(pooled.in_pool)
        self.assertFalse(pooled.pool_rank)
        owned.with_user(self.user_manager).write(
            {"stage_id": self.env.ref("lead_pool_policy.crm_stage_pool").id}
        )
        self.env.flush_all()
        self.env.invalidate_all()
        self.assertTrue(owned.in_pool)
        self.assertEqual(owned.pool_rank, owned.priority_score)
        with self.assertRaises(AccessError):
            owned.with_user(self.user_manager).write({"pool_rank": 100})

    def test_move_after_an_unsaved_probability(self):
        """A probability set by hand in the same transaction, not yet written
        when the lead moves, is kept, and its revenues follow it."""
        lead = self._revenue_lead()
        lead.probability = 35.0
        lead.sudo()._pool_enter("manager", "enter")
        self.assertTrue(lead.in_pool)
        self.env.flush_all()
        self._assert_crm_values(lead, 35.0)

    def test_move_follows_an_overridden_compute(self):
        """An addon computing a prorated revenue its own way keeps it: the
        move leaves the fields to the ORM."""
        lead = self._revenue_lead()
        Lead = type(self.env["crm.lead"])

        def _compute_prorated_revenue(self):
            for record in self:
                record.prorated_revenue = 42.0

        with patch.object(
            Lead, "_compute_prorated_revenue", _compute_prorated_revenue, create=True
        ):
            self.assertFalse(lead._pool_probabilities_are_crms())
            lead.sudo()._pool_enter("manager", "enter")
            self.env.flush_all()
        self.assertTrue(lead.in_pool)
        self.assertEqual(lead.prorated_revenue, 42.0)

    def test_modified_stops_at_unchanged_fields(self):
        lead = self._assigned_lead()
        Lead = self.env["crm.lead"]
        fields = Lead._fields
        self.env.flush_all()
        tocompute = self.env.transaction.tocompute
        protected = [fields[name] for name in ("user_id", "team_id", "company_id")]
        with self.env.protecting(protected, lead):
            modified_except(lead, ["user_id"], ["team_id", "company_id"])
            # What depends on the owner is recomputed ...
            self.assertIn(lead.id, tocompute[fields["pool_recycle_deadline"]])
            # ... not what depends on it through the team the move keeps.
            self.assertNotIn(lead.id, tocompute.get(fields["lead_properties"], ()))
        self.env.transaction.tocompute.clear()
        with self.env.protecting(protected, lead):
            lead.modified(["user_id"])
            self.assertIn(lead.id, tocompute[fields["lead_properties"]])
        self.env.transaction.tocompute.clear()
