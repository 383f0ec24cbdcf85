# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Scores that prove themselves: the learner, its backtest, the calibration
report, the form's "why" and the monthly suggestion."""

import math
import random

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, JsonRpcException, tagged
from odoo.tools import SQL, mute_logger

from odoo.addons.lead_pool_policy import learning

from .common import LeadPoolCommon


@tagged("post_install", "-at_install", "lead_pool_policy")
class TestLearningMath(LeadPoolCommon):
    def test_auc_counts_ties_as_half(self):
        self.assertEqual(learning.auc([(2, 1, 0), (1, 0, 1)]), 1.0)
        self.assertEqual(learning.auc([(1, 0, 1), (2, 1, 0)]), 1.0)
        self.assertEqual(learning.auc([(1, 1, 1)]), 0.5)
        self.assertEqual(learning.auc([(2, 0, 1), (1, 1, 0)]), 0.0)
        self.assertIsNone(learning.auc([(1, 3, 0)]))

    def test_fit_recovers_log_odds(self):
        # Expected counts of a known model: intercept -1, +2 and -1.5.
        rows = []
        for a in (0, 1):
            for b in (0, 1):
                p = 1 / (1 + math.exp(-(-1 + 2 * a - 1.5 * b)))
                rows.append(((a, b), 10000 * p, 10000 * (1 - p)))
        intercept, (beta_a, beta_b) = learning.fit_logistic(rows, 2)
        self.assertAlmostEqual(intercept, -1, places=2)
        self.assertAlmostEqual(beta_a, 2, places=2)
        self.assertAlmostEqual(beta_b, -1.5, places=2)

    def test_points_span_the_score_without_saturating(self):
        points, scale = learning.points_from_coefficients(
            [2.0, 1.0, -1.0],
            ["fit", "fit", "fit"],
            {(1, 1, 0), (1, 0, 1), (0, 0, 0)},
            0.6,
        )
        self.assertEqual(points, [67, 33, -33])
        self.assertAlmostEqual(scale, 20.0)
        self.assertEqual(learning.lead_weight_for(0.0, scale), 1.0)
        self.assertAlmostEqual(learning.lead_weight_for(5.0, 20.0), 0.5)


@tagged("post_install", "-at_install", "lead_pool_policy")
class TestScoringLearn(LeadPoolCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A company of its own: the demo data's closed leads stay out.
        cls.company_l = cls.env["res.company"].create({"name": "Learning Co"})
        cls.company_l.write(
            {"score_fit_weight": 100, "priority_lead_score_weight": 100}
        )
        (cls.user_manager | cls.user_rep).write(
            {"company_ids": [(4, cls.company_l.id)]}
        )
        cls.Rule = cls.env["crm.lead.scoring.rule"]
        cls.rules = cls.Rule._get_company_rules(cls.company_l)
        cls.rule_approved = cls.env.ref(
            "lead_pool_policy.crm_lead_scoring_rule_budget_approved"
        )
        cls.rule_latent = cls.env.ref(
            "lead_pool_policy.crm_lead_scoring_rule_need_latent"
        )
        cls.rule_no_need = cls.env.ref(
            "lead_pool_policy.crm_lead_scoring_rule_need_none"
        )

    def _history(self, groups, company=None, days=300):
        """Closed leads: ``groups`` of (values, won, lost); closing dates
        interleaved over the last ``days`` days so that every part of the
        period has both outcomes."""
        company = company or self.company_l
        outcomes = []
        for values, won, lost in groups:
            outcomes += [(values, True)] * won + [(values, False)] * lost
        random.Random(7).shuffle(outcomes)
        leads = self.env["crm.lead"].create(
            [
                dict(values, name=f"Closed {i}", type="lead", company_id=company.id)
                for i, (values, _won) in enumerate(outcomes)
            ]
        )
        self.env.flush_all()
        for i, (lead, (_values, won)) in enumerate(zip(leads, outcomes, strict=True)):
            self.env.cr.execute(
                SQL(
                    "UPDATE crm_lead SET active = %s, probability = %s, "
                    "date_closed = now() at time zone 'utc' - %s * interval '1 day' "
                    "WHERE id = %s",
                    won,
                    100 if won else 0,
                    days * (len(leads) - i) / len(leads),
                    lead.id,
                )
            )
        self.env.invalidate_all()
        return leads

    def _standard_history(self):
        return self._history(
            [
                ({"bant_budget": "approved"}, 24, 6),
                ({"bant_need": "latent"}, 9, 21),
                ({"bant_need": "none"}, 1, 29),
                ({}, 6, 24),
            ]
        )

    def _wizard(self, user=None, **values):
        return (
            self.env["crm.lead.scoring.learn"]
            .with_user(user or self.user_manager)
            .create(dict({"company_id": self.company_l.id}, **values))
        )

    def _line(self, wizard, rule):
        return wizard.line_ids.filtered(lambda line: line.rule_id == rule)

    def test_suggested_points_follow_the_results(self):
        self._standard_history()
        wizard = self._wizard()
        self.assertFalse(wizard.problem)
        self.assertEqual((wizard.closed_count, wizard.won_count), (120, 40))
        self.assertEqual(wizard.line_ids.rule_id, self.rules)
        approved = self._line(wizard, self.rule_approved)
        latent = self._line(wizard, self.rule_latent)
        no_need = self._line(wizard, self.rule_no_need)
        self.assertGreater(approved.points_suggested, latent.points_suggested)
        self.assertGreater(latent.points_suggested, 0)
        self.assertLess(no_need.points_suggested, 0)
        self.assertLessEqual(approved.points_suggested, 100)
        # The base rule (every lead) lifts the lowest pattern, no need, to 0:
        # negative points no longer cut scores to 0.
        base = self._line(
            wizard, self.env.ref("lead_pool_policy.crm_lead_scoring_rule_base")
        )
        self.assertAlmostEqual(
            base.points_suggested + no_need.points_suggested, 0, delta=1
        )
        self.assertAlmostEqual(
            base.points_suggested + approved.points_suggested, 100, delta=1
        )
        self.assertEqual(
            (approved.matched_count, approved.won_count, approved.win_rate),
            (30, 24, 80.0),
        )
        self.assertAlmostEqual(approved.lift, 0.8 / (40 / 120))
        # Rules no closed lead matched keep their points.
        planned = self._line(
            wizard,
            self.env.ref("lead_pool_policy.crm_lead_scoring_rule_budget_planned"),
        )
        self.assertEqual(planned.points_suggested, planned.points_current)
        self.assertEqual(wizard.holdout_count, 25)
        self.assertGreater(wizard.auc_suggested, 0.5)
        self.assertGreater(wizard.auc_current, 0.5)
        # Learning changed nothing.
        self.assertEqual(self.rule_approved.points, 25)

    def test_too_little_history_is_said_in_words(self):
        self._history([({"bant_budget": "approved"}, 5, 5)])
        wizard = self._wizard()
        self.assertIn("Only 10 leads were won or lost", wizard.problem)
        self.assertEqual(
            wizard.line_ids.mapped("points_suggested"),
            wizard.line_ids.mapped("points_current"),
        )
        with self.assertRaisesRegex(UserError, "at least 50"):
            wizard.action_apply()
        company = self.env["res.company"].create({"name": "Never Won Co"})
        self._history([({"bant_budget": "approved"}, 0, 60)], company=company)
        self.assertIn("No lead was won", self._wizard(company_id=company.id).problem)

    @mute_logger("odoo.addons.base.models.ir_model", "odoo.models")
    def test_only_sales_managers_learn_and_apply(self):
        self._standard_history()
        with self.assertRaises(AccessError):
            self._wizard(user=self.user_rep)
        with self.assertRaises(AccessError):
            self._wizard(user=self.user_team_lead)
        wizard = self._wizard()
        with self.assertRaises(AccessError):
            wizard.with_user(self.user_rep).action_apply()
        with self.assertRaises(AccessError):
            self.Rule.with_user(self.user_rep)._cron_scoring_learn_suggest()
        self.assertEqual(self.rule_approved.points, 25)

    def test_apply_writes_points_records_and_rescores(self):
        self._standard_history()
        wizard = self._wizard()
        suggested = {line.rule_id: line.points_suggested for line in wizard.line_ids}
        open_lead = self.env["crm.lead"].create(
            {"name": "Open", "company_id": self.company_l.id, "bant_budget": "approved"}
        )
        self.assertEqual(open_lead.fit_score, 25)
        cron = self.env.ref("lead_pool_policy.ir_cron_lead_scoring_refresh")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        action = wizard.action_apply()
        for rule, points in suggested.items():
            self.assertEqual(rule.points, points)
        log = self.env["crm.lead.scoring.learn.log"].browse(action["res_id"])
        self.assertEqual(
            (log.kind, log.user_id, log.company_id, log.closed_count),
            ("applied", self.user_manager, self.company_l, 120),
        )
        self.assertAlmostEqual(log.auc_before, wizard.auc_current)
        self.assertAlmostEqual(log.auc_after, wizard.auc_suggested)
        self.assertIn(
            f"Budget approved: 25 → {suggested[self.rule_approved]}", log.changes
        )
        self.assertGreater(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]),
            triggers,
        )
        self.env["crm.lead"]._cron_lead_scoring_refresh()
        base = self.env.ref("lead_pool_policy.crm_lead_scoring_rule_base")
        self.assertEqual(
            open_lead.fit_score,
            min(100, suggested[base] + suggested[self.rule_approved]),
        )

    def test_monthly_suggestion_tells_managers_and_applies_nothing(self):
        self._standard_history()
        self.company_l.score_learn_threshold = 0
        Log = self.env["crm.lead.scoring.learn.log"]
        self.assertFalse(
            self.Rule._cron_scoring_learn_suggest().filtered(
                lambda log: log.company_id == self.company_l
            )
        )
        self.company_l.score_learn_threshold = 0.001
        # Points that rank badly: the learned ones rank the recent leads better.
        self.rule_approved.points = -40
        self.rule_no_need.points = 40
        logs = self.Rule._cron_scoring_learn_suggest()
        log = logs.filtered(lambda log: log.company_id == self.company_l)
        self.assertEqual(log.kind, "suggestion")
        self.assertGreater(log.auc_after, log.auc_before + 0.001)
        self.assertIn(self.user_manager, log.activity_ids.user_id)
        self.assertNotIn(self.user_rep, log.activity_ids.user_id)
        self.assertEqual(self.rule_approved.points, -40)
        self.assertEqual(
            log.action_open_learner()["res_model"], "crm.lead.scoring.learn"
        )
        self.assertTrue(Log.search([("id", "=", log.id)]))

    def test_calibration_report_counts_closed_leads_by_closing_score(self):
        company = self.company_l
        Lead = self.env["crm.lead"]
        hot = Lead.create(
            [
                {
                    "name": f"Hot {i}",
                    "company_id": company.id,
                    "bant_budget": "approved",
                    "bant_authority": "decision_maker",
                    "bant_need": "confirmed",
                    "bant_timeline": "within_3_months",
                }
                for i in range(3)
            ]
        )
        cold = Lead.create(
            [{"name": f"Cold {i}", "company_id": company.id} for i in range(4)]
        )
        self.assertEqual(set(hot.mapped("lead_score")), {100})
        hot[:2].action_set_won()
        hot[2].action_set_lost()
        cold[0].action_set_won()
        cold[1:].action_set_lost()
        # A later change of the rules does not rewrite what they closed with.
        self.rule_approved.points = 0
        self.env["crm.lead"]._cron_lead_scoring_refresh()
        self.assertEqual(hot[0].closing_lead_score, 100)
        groups = {
            band: (closed, won, rate)
            for band, closed, won, rate in self.env["crm.lead.score.calibration"]
            .with_user(self.user_manager)
            ._read_group(
                [("company_id", "=", company.id)],
                ["score_band"],
                ["closed_count:sum", "won_count:sum", "win_rate:avg"],
            )
        }
        self.assertEqual(groups, {"9": (3, 2, 200 / 3), "0": (4, 1, 25.0)})
        by_temperature = dict(
            self.env["crm.lead.score.calibration"]._read_group(
                [("company_id", "=", company.id)], ["temperature"], ["win_rate:avg"]
            )
        )
        self.assertGreater(by_temperature["hot"], by_temperature["cold"])
        with self.assertRaises(AccessError):
            self.env["crm.lead.score.calibration"].with_user(self.user_rep).search([])

    def test_form_says_why_a_lead_has_its_score(self):
        lead = self.env["crm.lead"].create(
            {
                "name": "Two rules",
                "user_id": self.user_rep.id,
                "bant_budget": "approved",
                "bant_need": "none",
            }
        )
        why = lead.with_user(self.user_rep).score_explanation
        self.assertIn("Budget approved <b>+25</b>", why)
        self.assertIn("No need <b>-30</b>", why)
        self.assertNotIn("Decision maker", why)
        self.assertIn("Priority", why)


@tagged("post_install", "-at_install", "lead_pool_policy")
class TestScoringLearnRpc(HttpCase, LeadPoolCommon):
    def _call(self, model, method, *args, **kwargs):
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    def test_salesperson_cannot_open_or_apply_the_learner_over_rpc(self):
        wizard = (
            self.env["crm.lead.scoring.learn"]
            .with_user(self.user_manager)
            .create({"company_id": self.company.id})
        )
        rule = self.env.ref("lead_pool_policy.crm_lead_scoring_rule_budget_approved")
        self.user_rep.sudo().password = "lpp-rep-password"
        self.env.flush_all()
        self.authenticate("lpp_rep", "lpp-rep-password")
        for model, args in (
            ("crm.lead.scoring.learn", ("create", [{"company_id": self.company.id}])),
            ("crm.lead.scoring.learn", ("action_apply", [wizard.id])),
            ("crm.lead.scoring.learn", ("read", [wizard.id], ["auc_current"])),
            ("crm.lead.scoring.learn.log", ("search_read", [])),
            ("crm.lead.score.calibration", ("search_read", [])),
            ("crm.lead.scoring.rule", ("write", [rule.id], {"points": 99})),
            ("crm.lead.scoring.rule", ("_cron_scoring_learn_suggest",)),
        ):
            with self.subTest(model=model, method=args[0]):
                with self.assertRaises(JsonRpcException) as caught:
                    self._call(model, *args)
                self.assertIn(
                    str(caught.exception),
                    ("odoo.exceptions.AccessError", "odoo.exceptions.UserError"),
                )
        rule.invalidate_recordset()
        self.assertEqual(rule.points, 25)
