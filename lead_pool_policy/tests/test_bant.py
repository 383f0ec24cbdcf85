# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import itertools

from odoo.exceptions import AccessError
from odoo.tests import Form, tagged, users

from odoo.addons.lead_pool_policy.models.crm_lead import (
    BANT_AUTHORITY,
    BANT_BUDGET,
    BANT_MET_VALUES,
    BANT_NEED,
    BANT_TIMELINE,
)

from .common import LeadPoolCommon

BANT_FIELDS = {
    "bant_budget": BANT_BUDGET,
    "bant_authority": BANT_AUTHORITY,
    "bant_need": BANT_NEED,
    "bant_timeline": BANT_TIMELINE,
}


@tagged("post_install", "-at_install", "lead_pool_policy")
class TestBant(LeadPoolCommon):
    def test_selection_keys(self):
        """The public keys of the four fields are exactly the spec's."""
        expected = {
            "bant_budget": ["unknown", "none", "planned", "approved"],
            "bant_authority": ["unknown", "user", "influencer", "decision_maker"],
            "bant_need": ["unknown", "none", "latent", "confirmed"],
            "bant_timeline": ["unknown", "later", "within_6_months", "within_3_months"],
        }
        Lead = self.env["crm.lead"]
        for fname, keys in expected.items():
            selection = Lead.fields_get([fname])[fname]["selection"]
            self.assertEqual([key for key, _label in selection], keys, fname)
            self.assertTrue(Lead._fields[fname].tracking, f"{fname} is tracked")
        self.assertEqual(Lead._fields["budget_amount"].type, "monetary")
        self.assertEqual(
            Lead._fields["budget_amount"].currency_field, "company_currency"
        )
        self.assertTrue(Lead._fields["bant_met_count"].store)

    def test_defaults(self):
        lead = self.env["crm.lead"].create({"name": "Fresh lead"})
        self.assertEqual(
            [lead.bant_budget, lead.bant_authority, lead.bant_need, lead.bant_timeline],
            ["unknown"] * 4,
        )
        self.assertEqual(lead.bant_met_count, 0)
        self.assertEqual(lead.budget_amount, 0.0)
        # The form gets the same defaults.
        with Form(self.env["crm.lead"]) as form:
            form.name = "Form lead"
            self.assertEqual(form.bant_need, "unknown")
            self.assertEqual(form.bant_met_count, 0)

    def test_met_count_every_combination(self):
        """All 256 combinations: a criterion counts only at its qualifying value."""
        combos = [
            dict(zip(BANT_FIELDS, values, strict=True))
            for values in itertools.product(
                *[[key for key, _label in sel] for sel in BANT_FIELDS.values()]
            )
        ]
        leads = self._create_leads(combos)
        self.assertEqual(len(leads), 256)
        for lead, combo in zip(leads, combos, strict=True):
            expected = sum(combo[f] == v for f, v in BANT_MET_VALUES.items())
            self.assertEqual(lead.bant_met_count, expected, combo)
        counts = {
            n: len(leads.filtered(lambda ld, n=n: ld.bant_met_count == n))
            for n in range(5)
        }
        # 3 non-qualifying values per field: C(4, k) * 3^(4-k) leads meet k criteria.
        self.assertEqual(counts, {0: 81, 1: 108, 2: 54, 3: 12, 4: 1})

    def test_met_count_follows_writes(self):
        lead = self._create_lead(
            bant_budget="approved",
            bant_authority="decision_maker",
            bant_need="confirmed",
            bant_timeline="within_3_months",
        )
        self.assertEqual(lead.bant_met_count, 4)
        lead.bant_timeline = "within_6_months"
        self.assertEqual(lead.bant_met_count, 3)
        lead.write({"bant_budget": "planned", "bant_need": "latent"})
        self.assertEqual(lead.bant_met_count, 1)
        # Stored: a search on the column sees the new value.
        self.env.flush_all()
        self.assertEqual(
            self.env["crm.lead"].search(
                [("id", "=", lead.id), ("bant_met_count", "=", 1)]
            ),
            lead,
        )

    def test_tracking(self):
        lead = self._create_lead(name="Tracked lead")
        self.flush_tracking()
        lead.write(
            {"bant_budget": "approved", "bant_need": "latent", "budget_amount": 1500}
        )
        self.flush_tracking()
        message = lead.message_ids[0]
        tracked = {
            value.field_id.name: (value.old_value_char, value.new_value_char)
            for value in message.sudo().tracking_value_ids
        }
        self.assertEqual(tracked["bant_budget"], ("Not asked", "Budget approved"))
        self.assertEqual(
            tracked["bant_need"], ("Not asked", "Interested, need not confirmed")
        )
        self.assertIn("budget_amount", tracked)

    @users("lpp_rep")
    def test_salesman_edits_own_lead_only(self):
        own = self._create_lead(user=self.user_rep).with_user(self.env.user)
        other = self._create_lead(user=self.user_rep_2).with_user(self.env.user)
        own.write({"bant_authority": "decision_maker", "bant_need": "confirmed"})
        self.assertEqual(own.bant_met_count, 2)
        with self.assertRaises(AccessError):
            other.write({"bant_authority": "decision_maker"})
        self.assertEqual(other.sudo().bant_authority, "unknown")

    @users("lpp_manager")
    def test_manager_edits_any_lead(self):
        other = self._create_lead(user=self.user_rep_2).with_user(self.env.user)
        other.bant_budget = "approved"
        self.assertEqual(other.bant_met_count, 1)
