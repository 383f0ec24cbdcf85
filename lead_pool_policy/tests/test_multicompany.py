# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Two companies with different settings: each lead is scored, ranked and
recycled by its own company's figures, whoever looks at it."""

from datetime import datetime, timedelta

from odoo.tests import tagged

from .common import POLICY_SINCE, LeadPoolCommon

NOW = datetime(2026, 5, 4, 9, 0, 0)


@tagged("post_install", "-at_install", "lead_pool_policy")
class TestMultiCompany(LeadPoolCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.company
        cls.company_b = cls.env["res.company"].create({"name": "Pool Company B"})
        cls.company_a.write(
            {
                "source_window_days": 365,
                "source_prior_weight": 20,
                "pool_warning_days": 2,
                "pool_uncontacted_days": 7,
            }
        )
        cls.company_b.write(
            {
                "source_window_days": 30,
                "source_prior_weight": 2,
                "pool_warning_days": 5,
                "pool_uncontacted_days": 10,
                "contact_target": 4,
                **POLICY_SINCE,
            }
        )
        cls.team_b = cls.env["crm.team"].create(
            {"name": "Team B", "company_id": cls.company_b.id, "use_leads": True}
        )
        cls.user_rep.company_ids |= cls.company_b
        cls.source = cls.env["utm.source"].create({"name": "Shared fair"})

    def _lead(self, company, created, **values):
        lead = self.env["crm.lead"].create(
            dict(
                {
                    "name": "MC lead",
                    "type": "lead",
                    "company_id": company.id if company else False,
                    "team_id": self.team.id if company == self.company_a else False,
                    "source_id": self.source.id,
                },
                **values,
            )
        )
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_lead SET create_date = %s WHERE id = %s", [created, lead.id]
        )
        return lead

    def test_source_rates_per_company(self):
        """Each company counts its own leads, over its own window, smoothed
        toward its own rate with its own prior."""
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_lead SET create_date = %s", [NOW - timedelta(days=3000)]
        )
        with self._clock(NOW):
            # A: 4 leads in its year, 2 converted; B: 3 leads in its 30 days
            # (1 converted) and one older, outside B's window only.
            for i in range(4):
                self._lead(
                    self.company_a,
                    NOW - timedelta(days=100),
                    type="opportunity" if i < 2 else "lead",
                )
            for i in range(3):
                self._lead(
                    self.company_b,
                    NOW - timedelta(days=10),
                    type="opportunity" if i < 1 else "lead",
                )
            self._lead(self.company_b, NOW - timedelta(days=100), type="opportunity")
            self.env.invalidate_all()
            self.env["crm.lead"]._cron_lead_scoring_refresh()
        source_a = self.source.with_company(self.company_a)
        source_b = self.source.with_company(self.company_b)
        self.assertEqual((source_a.lead_count, source_a.converted_count), (4, 2))
        self.assertEqual((source_b.lead_count, source_b.converted_count), (3, 1))
        self.assertAlmostEqual(self.company_a.lead_conversion_rate, 0.5, places=4)
        self.assertAlmostEqual(self.company_b.lead_conversion_rate, 1 / 3, places=4)
        # Smoothed with each company's prior toward its own rate.
        self.assertAlmostEqual(source_a.conversion_rate, 0.5, places=4)
        self.assertAlmostEqual(
            source_b.conversion_rate, (1 + 2 * (1 / 3)) / (3 + 2), places=4
        )
        # Each lead gets its own company's rate, whatever the current company.
        lead_b = self._lead(self.company_b, NOW)
        lead_a = self._lead(self.company_a, NOW)
        self.assertAlmostEqual(
            lead_b.with_company(self.company_a).source_conversion_rate,
            round((1 + 2 * (1 / 3)) / 5, 4),
            places=4,
        )
        self.assertAlmostEqual(lead_a.source_conversion_rate, 0.5, places=4)

    def test_recycle_soon_and_warnings_per_company(self):
        """Both leads are due on the same day; A warns 2 days ahead, B 5."""
        with self._clock(NOW - timedelta(days=4)):
            lead_a = self._lead(self.company_a, NOW, user_id=self.user_rep.id)
        with self._clock(NOW - timedelta(days=7)):
            lead_b = self._lead(
                self.company_b, NOW, user_id=self.user_rep.id, team_id=self.team_b.id
            )
        due = NOW + timedelta(days=3)
        self.assertEqual(
            (lead_a.pool_recycle_deadline, lead_b.pool_recycle_deadline), (due, due)
        )
        leads = lead_a | lead_b
        warning = self.env.ref("lead_pool_policy.mail_activity_type_recycle_warning")
        for days_before, expected in ((6, ()), (4, (lead_b,)), (2, (lead_a, lead_b))):
            when = due - timedelta(days=days_before)
            expected = self.env["crm.lead"].union(*expected)
            with self._clock(when):
                self.env.invalidate_all()
                soon = self.env["crm.lead"].search(
                    [("id", "in", leads.ids), ("pool_recycle_soon", "=", True)]
                )
                self.assertEqual(soon, expected, f"{days_before} days before")
                self.assertEqual(leads.filtered("pool_recycle_soon"), expected)
                self.env["crm.lead"]._pool_send_reminder("warning", when)
            warned = leads.filtered(
                lambda lead: warning in lead.activity_ids.activity_type_id
            )
            self.assertEqual(warned, expected, f"warned {days_before} days before")

    def test_lead_without_company_uses_its_team_company(self):
        """Not the current user's company: the team's (leads written before
        a company was required, or by an integration)."""
        with self._clock(NOW):
            lead = self._lead(
                self.company_b, NOW, user_id=self.user_rep.id, team_id=self.team_b.id
            )
        self.env.cr.execute(
            "UPDATE crm_lead SET company_id = NULL, pool_recycle_deadline = NULL"
            " WHERE id = %s",
            [lead.id],
        )
        self.env.invalidate_all()
        self.env["crm.lead"]._update_pool_deadlines()
        self.assertFalse(lead.company_id)
        self.assertEqual(lead._get_policy_company(), self.company_b)
        self.assertEqual(lead.pool_recycle_deadline, NOW + timedelta(days=10))
        self.assertEqual(
            lead.with_company(self.company_a).contact_target,
            self.company_b.contact_target,
        )
