# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, tagged, users

from .common import LeadPoolCommon

ALL_MET = {
    "bant_budget": "approved",
    "bant_authority": "decision_maker",
    "bant_need": "confirmed",
    "bant_timeline": "within_3_months",
}


@tagged("post_install", "-at_install", "lead_pool_policy")
class TestScoring(LeadPoolCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "score_fit_weight": 60,
                "score_hot_threshold": 70,
                "score_warm_threshold": 40,
                "engagement_half_life_days": 30,
                "priority_lead_score_weight": 50,
                "score_sync_priority": False,
            }
        )
        cls.type_webinar = cls.env.ref("lead_pool_policy.engagement_type_webinar")
        cls.type_trial = cls.env.ref("lead_pool_policy.engagement_type_trial_signup")
        cls.type_pricing = cls.env.ref(
            "lead_pool_policy.engagement_type_pricing_request"
        )
        cls.type_revisit = cls.env.ref(
            "lead_pool_policy.engagement_type_website_revisit"
        )
        cls.tag_mql = cls.env.ref("lead_pool_policy.crm_tag_mql")
        cls.tag_sql = cls.env.ref("lead_pool_policy.crm_tag_sql")
        cls.tag_pql = cls.env.ref("lead_pool_policy.crm_tag_pql")
        cls.Lead = cls.env["crm.lead"]

    def _engage(self, lead, etype, points=None, date=None):
        vals = {"lead_id": lead.id, "type_id": etype.id}
        if points is not None:
            vals["points"] = points
        if date:
            vals["date"] = date
        return self.env["crm.lead.engagement"].create(vals)

    def _refresh(self):
        return self.Lead._cron_lead_scoring_refresh()

    # BANT classes and thresholds

    def test_new_lead_is_scored(self):
        lead = self._create_lead()
        self.assertEqual(
            (lead.fit_score, lead.engagement_score, lead.lead_score, lead.temperature),
            (0, 0, 0, "cold"),
        )

    def test_temperature_classes(self):
        all_met = self._create_lead(**ALL_MET)
        self.assertEqual((all_met.fit_score, all_met.lead_score), (100, 60))
        self.assertEqual(all_met.temperature, "hot", "all four BANT criteria met")

        warm = self._create_lead(**dict(ALL_MET, bant_timeline="later"))
        self.assertEqual((warm.fit_score, warm.lead_score), (80, 48))
        self.assertEqual(warm.temperature, "warm", "need identified, timeline missing")

        cold = self._create_lead(bant_need="confirmed")
        self.assertEqual(cold.lead_score, 18)
        self.assertEqual(cold.temperature, "cold", "score below the warm threshold")

        self.env["crm.lead.scoring.rule"].create(
            {
                "name": "Big deal",
                "domain": "[('expected_revenue', '>=', 1000)]",
                "points": 30,
            }
        )
        no_need = self._create_lead(
            expected_revenue=5000, **dict(ALL_MET, bant_need="none")
        )
        self.assertEqual(no_need.fit_score, 70)
        for _i in range(5):
            self._engage(no_need, self.type_pricing)
        self.assertEqual(no_need.engagement_score, 100)
        self.assertGreaterEqual(no_need.lead_score, 70)
        self.assertEqual(
            no_need.temperature, "cold", "no need is cold whatever the score"
        )

        engaged = self._create_lead(**dict(ALL_MET, bant_timeline="later"))
        for _i in range(4):
            self._engage(engaged, self.type_pricing)
        self.assertEqual(engaged.engagement_score, 100)
        self.assertEqual(engaged.lead_score, 88)
        self.assertEqual(engaged.temperature, "hot", "score at the hot threshold")

    def test_temperature_follows_writes(self):
        lead = self._create_lead(**dict(ALL_MET, bant_timeline="later"))
        self.assertEqual(lead.temperature, "warm")
        lead.bant_timeline = "within_3_months"
        self.assertEqual(lead.temperature, "hot")
        lead.bant_need = "none"
        self.assertEqual(lead.temperature, "cold")
        self.assertEqual(lead.fit_score, 40)  # 25 + 25 - 30 + 20

    def test_clamping(self):
        self.env["crm.lead.scoring.rule"].create(
            {
                "name": "Big deal",
                "domain": "[('expected_revenue', '>=', 1000)]",
                "points": 50,
            }
        )
        high = self._create_lead(expected_revenue=5000, **ALL_MET)
        self.assertEqual(high.fit_score, 100, "150 points clamp to 100")
        low = self._create_lead(bant_need="none", bant_budget="none")
        self.assertEqual(low.fit_score, 0, "-40 points clamp to 0")
        for _i in range(10):
            self._engage(low, self.type_pricing)
        self.assertEqual(low.engagement_score, 100, "250 points clamp to 100")

    def test_each_shipped_rule(self):
        rules = self.env["crm.lead.scoring.rule"].search(
            [("id", "in", self._shipped_rule_ids())]
        )
        self.assertEqual(len(rules), 13)
        # The base rule matches every lead and gives nothing until a manager
        # (or the learner) sets its points.
        base = self.env.ref("lead_pool_policy.crm_lead_scoring_rule_base")
        self.assertEqual((base.domain, base.points), ("[]", 0))
        self.assertEqual(self._create_lead().fit_score, 0)
        base.points = 15
        self.env["crm.lead"]._cron_lead_scoring_refresh()
        self.assertEqual(self._create_lead().fit_score, 15)
        base.points = 0
        for rule in rules - base:
            field, _op, value = rule._get_lead_domain()[0]
            # A confirmed need (+30) lifts negative rules above the clamp.
            base = {} if field == "bant_need" else {"bant_need": "confirmed"}
            base_points = 0 if field == "bant_need" else 30
            lead = self._create_lead(**dict(base, **{field: value}))
            self.assertEqual(
                lead.fit_score, max(0, base_points + rule.points), rule.name
            )

    def _shipped_rule_ids(self):
        return (
            self.env["ir.model.data"]
            .search(
                [
                    ("module", "=", "lead_pool_policy"),
                    ("model", "=", "crm.lead.scoring.rule"),
                ]
            )
            .mapped("res_id")
        )

    def test_custom_rule_rescores_existing_leads(self):
        france = self.env.ref("base.fr")
        lead_fr = self._create_lead(country_id=france.id, bant_need="confirmed")
        lead_us = self._create_lead(country_id=self.env.ref("base.us").id)
        self.assertEqual(lead_fr.fit_score, 30)
        rule = self.env["crm.lead.scoring.rule"].create(
            {
                "name": "France",
                "domain": f"[('country_id', '=', {france.id})]",
                "points": 15,
            }
        )
        # Existing leads are rescored by the refresh cron, which the rule
        # change requested.
        cron = self.env.ref("lead_pool_policy.ir_cron_lead_scoring_refresh")
        self.assertTrue(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        )
        changed = self._refresh()
        self.assertGreaterEqual(changed, 1)
        self.assertEqual(lead_fr.fit_score, 45)
        self.assertEqual(lead_us.fit_score, 0)
        # A second run changes nothing.
        self.assertEqual(self._refresh(), 0)
        # New leads and written fields are scored at once.
        new_fr = self._create_lead(country_id=france.id)
        self.assertEqual(new_fr.fit_score, 15)
        lead_us.country_id = france
        self.assertEqual(lead_us.fit_score, 15)
        rule.points = 5
        self._refresh()
        self.assertEqual((lead_fr | new_fr).mapped("fit_score"), [35, 5])
        rule.active = False
        self._refresh()
        self.assertEqual(lead_fr.fit_score, 30)

    def test_engagement_rule(self):
        self.env["crm.lead.scoring.rule"].create(
            {
                "name": "Came from the website",
                "category": "engagement",
                "domain": "[('website', '!=', False)]",
                "points": 20,
            }
        )
        lead = self._create_lead(website="https://example.com")
        self.assertEqual((lead.fit_score, lead.engagement_score), (0, 20))
        self.assertEqual(lead.lead_score, 8)

    def test_decay_after_months(self):
        with freeze_time("2026-01-01 12:00:00"):
            lead = self._create_lead()
            self._engage(lead, self.type_revisit, points=40)
            self.assertEqual(lead.engagement_score, 40)
        with freeze_time("2026-01-31 12:00:00"):
            self._refresh()
            self.assertEqual(lead.engagement_score, 20, "one half-life")
        with freeze_time("2026-03-02 12:00:00"):
            self._refresh()
            self.assertEqual(lead.engagement_score, 10, "two half-lives")
        with freeze_time("2026-07-01 12:00:00"):
            self._refresh()
            # 40 x 0.5 ^ (181 / 30) = 0.61, rounded
            self.assertEqual(lead.engagement_score, 1, "six months later")
        with freeze_time("2027-01-01 12:00:00"):
            self._refresh()
            self.assertEqual(lead.engagement_score, 0, "a year later")

    def test_half_life_setting(self):
        with freeze_time("2026-01-01 12:00:00"):
            lead = self._create_lead()
            self._engage(lead, self.type_revisit, points=40)
        with freeze_time("2026-01-11 12:00:00"):
            self.company.engagement_half_life_days = 10
            self._refresh()
            self.assertEqual(lead.engagement_score, 20)

    def test_events_rescore_and_unlink(self):
        lead = self._create_lead()
        event = self._engage(lead, self.type_webinar)
        self.assertEqual(event.points, 15, "points default from the type")
        self.assertEqual(lead.engagement_score, 15)
        event.points = 30
        self.assertEqual(lead.engagement_score, 30)
        event.unlink()
        self.assertEqual(lead.engagement_score, 0)

    def test_unknown_engagement_type(self):
        lead = self._create_lead()
        with self.assertRaises(ValidationError):
            self.env["crm.lead.engagement"].create(
                {"lead_id": lead.id, "type_id": 999999999}
            )
        self.assertFalse(lead.engagement_ids)

    def test_activity_logs_engagement(self):
        meeting = self.env.ref("mail.mail_activity_data_meeting")
        self.assertEqual(
            self.env.ref(
                "lead_pool_policy.engagement_type_demo_accepted"
            ).activity_type_id,
            meeting,
        )
        lead = self._create_lead()
        activity = lead.activity_schedule(
            activity_type_id=meeting.id, user_id=self.user_rep.id
        )
        activity.with_user(self.user_rep).action_feedback(feedback="Demo booked")
        self.assertEqual(lead.engagement_ids.type_id.qualification, "sql")
        self.assertEqual(lead.qualification, "sql")

    # MQL / SQL / PQL

    def test_qualification_precedence(self):
        lead = self._create_lead()
        self._engage(lead, self.type_webinar)
        self.assertEqual(lead.qualification, "mql")
        self._engage(lead, self.type_trial)
        self.assertEqual(lead.qualification, "pql")
        self._engage(lead, self.type_pricing)
        self.assertEqual(lead.qualification, "sql")
        self._engage(lead, self.type_webinar)
        self._engage(lead, self.type_trial)
        self.assertEqual(lead.qualification, "sql", "no downgrade by a weaker event")
        self._engage(lead, self.type_revisit)
        self.assertEqual(lead.qualification, "sql")
        # One batch with several events takes the strongest.
        other = self._create_lead()
        self.env["crm.lead.engagement"].create(
            [
                {"lead_id": other.id, "type_id": self.type_pricing.id},
                {"lead_id": other.id, "type_id": self.type_webinar.id},
            ]
        )
        self.assertEqual(other.qualification, "sql")

    def test_manual_qualification_wins_until_next_event(self):
        lead = self._create_lead()
        self._engage(lead, self.type_pricing)
        lead.qualification = "mql"
        self.assertEqual(lead.qualification, "mql")
        self._refresh()
        self.assertEqual(
            lead.qualification, "mql", "the refresh keeps the manual value"
        )
        self._engage(lead, self.type_trial)
        self.assertEqual(lead.qualification, "pql")

    def test_tags_in_step(self):
        vip = self.env["crm.tag"].create({"name": "VIP"})
        lead = self._create_lead(tag_ids=[(6, 0, vip.ids)])
        self._engage(lead, self.type_webinar)
        self.assertEqual(lead.tag_ids, vip | self.tag_mql)
        self._engage(lead, self.type_pricing)
        self.assertEqual(lead.tag_ids, vip | self.tag_sql)
        lead.qualification = "pql"
        self.assertEqual(lead.tag_ids, vip | self.tag_pql)
        lead.qualification = False
        self.assertEqual(lead.tag_ids, vip)
        created = self._create_lead(
            qualification="mql", tag_ids=[(6, 0, self.tag_sql.ids)]
        )
        self.assertEqual(created.tag_ids, self.tag_mql)

    def test_nurture_tier(self):
        low = self._create_lead(qualification="mql")
        self.assertEqual(low.nurture_tier, "low")
        middle = self._create_lead(
            qualification="mql", **dict(ALL_MET, bant_timeline="later")
        )
        self.assertEqual((middle.lead_score, middle.nurture_tier), (48, "middle"))
        top = self._create_lead(
            qualification="mql", **dict(ALL_MET, bant_timeline="later")
        )
        for _i in range(4):
            self._engage(top, self.type_revisit, points=25)
        self.assertEqual(top.qualification, "mql")
        self.assertEqual((top.lead_score, top.nurture_tier), (88, "top"))
        sql_lead = self._create_lead(qualification="sql")
        self.assertFalse(sql_lead.nurture_tier)

    # Source conversion and priority

    def test_source_smoothing_and_priority(self):
        source_a = self.env["utm.source"].create({"name": "One lucky lead"})
        source_b = self.env["utm.source"].create({"name": "Steady fair"})

        def leads(source, count, converted):
            return self._create_leads(
                [
                    {
                        "source_id": source.id if source else False,
                        "type": "opportunity" if i < converted else "lead",
                    }
                    for i in range(count)
                ]
            )

        mine = leads(source_a, 1, 1) | leads(source_b, 20, 10) | leads(False, 19, 4)
        # Only these leads fall in the window.
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_lead SET create_date = %s WHERE id NOT IN %s",
            [datetime(2000, 1, 1), tuple(mine.ids)],
        )
        self.env.invalidate_all()
        self._refresh()
        self.assertEqual((source_a.lead_count, source_a.converted_count), (1, 1))
        self.assertEqual((source_b.lead_count, source_b.converted_count), (20, 10))
        self.assertAlmostEqual(self.company.lead_conversion_rate, 15 / 40, places=4)
        self.assertAlmostEqual(
            source_a.conversion_rate, (1 + 20 * 0.375) / 21, places=4
        )
        self.assertAlmostEqual(
            source_b.conversion_rate, (10 + 20 * 0.375) / 40, places=4
        )
        self.assertLess(source_a.conversion_rate, source_b.conversion_rate)
        lead_a = self._create_lead(source_id=source_a.id, bant_need="confirmed")
        lead_b = self._create_lead(source_id=source_b.id, bant_need="confirmed")
        self.assertAlmostEqual(lead_a.source_conversion_rate, source_a.conversion_rate)
        self.assertLess(lead_a.priority_score, lead_b.priority_score)
        # To one decimal.
        self.assertEqual(
            lead_b.priority_score,
            round(0.5 * lead_b.lead_score + 0.5 * source_b.conversion_rate * 100, 1),
        )
        no_source = self._create_lead()
        self.assertAlmostEqual(no_source.source_conversion_rate, 0.375, places=4)

    def test_source_window(self):
        source = self.env["utm.source"].create({"name": "Old fair"})
        lead = self._create_lead(source_id=source.id)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_lead SET create_date = %s WHERE id = %s",
            [datetime.now() - timedelta(days=400), lead.id],
        )
        self._refresh()
        self.assertEqual(source.lead_count, 0)
        self.company.source_window_days = 500
        self._refresh()
        self.assertEqual(source.lead_count, 1)

    def test_stars_follow_temperature(self):
        hot = self._create_lead(**ALL_MET)
        cold = self._create_lead()
        self.assertEqual(hot.priority, "0", "off by default")
        self.company.score_sync_priority = True
        self._refresh()
        self.assertEqual((hot.priority, cold.priority), ("3", "1"))
        hot.bant_timeline = "later"
        self.assertEqual(hot.priority, "2")

    # Settings and rights

    def test_settings_validation(self):
        bad_values = [
            {"score_fit_weight": 101},
            {"score_fit_weight": -1},
            {"priority_lead_score_weight": 150},
            {"score_hot_threshold": 120},
            {"score_warm_threshold": 70},
            {"score_warm_threshold": 80},
            {"engagement_half_life_days": 0},
            {"source_window_days": 0},
            {"source_prior_weight": 0},
            {"source_prior_weight": -5},
        ]
        for vals in bad_values:
            with (
                self.subTest(vals=vals),
                self.assertRaises(ValidationError),
                self.env.cr.savepoint(),
            ):
                self.company.write(vals)
        self.assertEqual(
            (self.company.score_fit_weight, self.company.score_warm_threshold), (60, 40)
        )
        settings = Form(self.env["res.config.settings"])
        settings.score_fit_weight = 80
        settings.save().execute()
        self.assertEqual(self.company.score_fit_weight, 80)

    def test_setting_change_rescores_through_cron(self):
        lead = self._create_lead(**dict(ALL_MET, bant_timeline="later"))
        self.assertEqual(lead.lead_score, 48)
        self.company.score_fit_weight = 100
        self._refresh()
        self.assertEqual(lead.lead_score, 80)
        self.assertEqual(lead.temperature, "hot")

    def test_bad_rule_domain(self):
        Rule = self.env["crm.lead.scoring.rule"]
        for domain in ["[('no_such_field', '=', 1)]", "[('name', '=',", "'not a list'"]:
            with (
                self.subTest(domain=domain),
                self.assertRaises(ValidationError),
                self.env.cr.savepoint(),
            ):
                Rule.create({"name": "Bad", "domain": domain, "points": 5})
        self.assertFalse(Rule.search([("name", "=", "Bad")]))

    @users("lpp_rep")
    def test_rep_reads_but_cannot_edit_rules(self):
        Rule = self.env["crm.lead.scoring.rule"]
        self.assertTrue(Rule.search([]))
        with self.assertRaises(AccessError):
            Rule.create({"name": "Mine", "domain": "[]", "points": 100})
        rule = Rule.search([], limit=1)
        with self.assertRaises(AccessError):
            rule.points = 100
        with self.assertRaises(AccessError):
            self.env["crm.lead.engagement.type"].create({"name": "X", "points": 1})

    @users("lpp_rep")
    def test_rep_cannot_write_scores(self):
        lead = self._create_lead().with_user(self.env.user)
        with self.assertRaises(AccessError):
            lead.write({"lead_score": 99})
        with self.assertRaises(AccessError):
            self.env["crm.lead"].create({"name": "Forged", "temperature": "hot"})
        self.assertEqual(lead.lead_score, 0)

    @users("lpp_rep")
    def test_rep_logs_engagement_on_own_lead_only(self):
        own = self._create_lead().with_user(self.env.user)
        other = self._create_lead(user=self.user_rep_2)
        self.env["crm.lead.engagement"].create(
            {"lead_id": own.id, "type_id": self.type_webinar.id}
        )
        self.assertEqual(own.qualification, "mql")
        with self.assertRaises(AccessError):
            self.env["crm.lead.engagement"].create(
                {"lead_id": other.id, "type_id": self.type_webinar.id}
            )
