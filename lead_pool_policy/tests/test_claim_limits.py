# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Claim limits that hold at all times: Batch Claim binds salespeople only,
the counters show the policy the claims meet, the daily limit counts on the
company's day, the open-lead limit holds when a lead re-opens, the cooldown
follows the lead through its teams; the Leads feature for every user."""

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged
from odoo.tools.safe_eval import safe_eval

from odoo.addons.mail.tests.common import mail_new_test_user

from ..models.crm_lead_pool_ui import pool_domain_team_ids
from .common import POLICY_SINCE, PoolCommon


@tagged("post_install", "-at_install", "lead_pool_policy")
class TestBatchClaimSwitch(PoolCommon):
    """Batch Claim is the salespeople's switch, not the managers'."""

    def test_manager_assigns_two_leads_with_batch_claim_off(self):
        leads = self._pool_lead(name="Batch A") | self._pool_lead(name="Batch B")
        self.company.pool_batch_claim = False
        with self.assertRaises(UserError) as caught:
            leads.with_user(self.user_rep).action_pool_claim()
        self.assertIn("Batch claiming is switched off", str(caught.exception))
        self.assertTrue(all(leads.mapped("in_pool")))
        wizard = (
            self.env["crm.lead.pool.assign"]
            .with_user(self.user_manager)
            .create({"lead_ids": [(6, 0, leads.ids)], "user_id": self.user_rep.id})
        )
        action = wizard.action_assign()
        self.assertEqual(
            action["params"]["outcomes"],
            {str(lead.id): "claimed" for lead in leads},
        )
        self.assertEqual(action["params"]["message"], "Assigned 2 leads to Rita Rep.")
        self.assertEqual(leads.user_id, self.user_rep)
        self.assertFalse(any(leads.mapped("in_pool")))

    def test_team_policy_batch_claim_off_binds_salespeople_only(self):
        self.team.write({"pool_policy_own": True, "pool_batch_claim": False})
        leads = self._pool_lead() | self._pool_lead()
        with self.assertRaises(UserError):
            leads.with_user(self.user_team_lead).action_pool_claim()
        self.assertTrue(all(leads.mapped("in_pool")))
        # A sales manager's own claim is not a salesperson's batch.
        action = leads.with_user(self.user_manager).action_pool_claim()
        self.assertEqual(sorted(action["params"]["outcomes"].values()), ["claimed"] * 2)
        self.assertEqual(leads.user_id, self.user_manager)

    def test_distribution_cron_hands_out_a_quota_of_three(self):
        self.company.pool_batch_claim = False
        members = self.team.crm_team_member_ids
        # Only Rita takes leads; Odoo's quota: 90 a month, 3 a day.
        members.write({"assignment_max": 90})
        (members - members.filtered(lambda m: m.user_id == self.user_rep)).write(
            {"assignment_optout": True}
        )
        leads = self.env["crm.lead"]
        for i in range(4):
            leads |= self._pool_lead(name=f"quota {i}", user=self.user_manager)
        assigned = self.env["crm.lead"]._cron_pool_distribute()
        self.assertEqual(assigned, 3)
        self.assertEqual(len(leads.filtered(lambda ld: ld.user_id == self.user_rep)), 3)
        self.assertEqual(len(leads.filtered("in_pool")), 1)
        logs = self.env["crm.lead.pool.log"].search(
            [("lead_id", "in", leads.ids), ("event", "=", "assign")]
        )
        self.assertEqual(logs.owner_after_id, self.user_rep)
        self.assertEqual(len(logs), 3)


@tagged("post_install", "-at_install", "lead_pool_policy")
class TestClaimCounters(PoolCommon):
    """The pool's counters show the limits the rep's claims meet."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"pool_claim_daily_limit": 10, "pool_max_open_leads": 20})
        cls.team.write(
            dict(
                POLICY_SINCE,
                pool_policy_own=True,
                pool_claim_daily_limit=3,
                pool_max_open_leads=0,
            )
        )
        cls.team_b = cls.env["crm.team"].create(
            dict(
                POLICY_SINCE,
                name="Second Pool Team",
                use_leads=True,
                company_id=cls.company.id,
                pool_policy_own=True,
                pool_claim_daily_limit=0,
                pool_max_open_leads=4,
            )
        )
        cls.team_c = cls.env["crm.team"].create(
            dict(
                POLICY_SINCE,
                name="Third Pool Team",
                use_leads=True,
                company_id=cls.company.id,
                pool_policy_own=True,
                pool_claim_daily_limit=7,
                pool_max_open_leads=8,
            )
        )

    def _status(self, domain=None, **context):
        leads = self.env["crm.lead"].with_user(self.user_rep).with_context(**context)
        return leads.get_pool_claim_status(domain)

    def test_team_of_the_pool_viewed(self):
        """Opened or filtered on one team: that team's limits (the policy
        its leads follow), said in words."""
        self._assigned_lead()
        for status in (
            self._status([("team_id", "=", self.team_c.id)]),
            self._status([("in_pool", "=", True), ("team_id", "in", [self.team_c.id])]),
            self._status(default_team_id=self.team_c.id),
        ):
            self.assertEqual(status["label"], "Claimed today 0 / 7 · Open 1 / 8")
            self.assertEqual(status["scope"], "Policy of Third Pool Team")
            self.assertIn("pool policy of Third Pool Team", status["title"])
        # A team following its company's policy shows the company's limits.
        self.team_c.pool_policy_own = False
        status = self._status([("team_id", "=", self.team_c.id)])
        self.assertEqual(status["label"], "Claimed today 0 / 10 · Open 1 / 20")

    def test_strictest_of_the_rep_teams(self):
        """No team viewed: per limit, the strictest of the rep's teams'
        policies and the company's."""
        self._assigned_lead()
        # Odoo's setting that lets a salesperson be in several teams.
        self.env["ir.config_parameter"].set_param("sales_team.membership_multi", True)
        self.team_b.member_ids |= self.user_rep
        self.assertEqual(self.user_rep.crm_team_ids, self.team | self.team_b)
        status = self._status([("in_pool", "=", True)])
        self.assertEqual(status["label"], "Claimed today 0 / 3 · Open 1 / 4")
        self.assertEqual(status["scope"], "Strictest of your teams")
        self.assertIn("strictest limits", status["title"])
        # Conditions that do not name one team for every lead shown.
        for domain in (
            ["|", ("team_id", "=", self.team_c.id), ("team_id", "=", self.team_b.id)],
            ["!", ("team_id", "=", self.team_c.id)],
            [("team_id", "in", [self.team_c.id, self.team_b.id])],
            [("team_id", "=", self.team_c.id), ("team_id", "=", self.team_b.id)],
        ):
            self.assertEqual(self._status(domain)["scope"], "Strictest of your teams")
        # Only the company's policy: said so.
        (self.team | self.team_b).pool_policy_own = False
        status = self._status()
        self.assertEqual(status["label"], "Claimed today 0 / 10 · Open 1 / 20")
        self.assertEqual(status["scope"], f"Policy of {self.company.name}")

    def test_domain_team_ids(self):
        team = self.team.id
        self.assertEqual(pool_domain_team_ids([("team_id", "=", team)]), {team})
        self.assertEqual(
            pool_domain_team_ids(
                ["&", ("in_pool", "=", True), ("team_id", "in", (team,))]
            ),
            {team},
        )
        self.assertIsNone(pool_domain_team_ids([("team_id", "ilike", "Pool")]))
        self.assertIsNone(pool_domain_team_ids(["|", ("team_id", "=", team)]))
        for garbage in (None, "team_id", [("team_id", "=", True)], [["team_id"]], 7):
            self.assertIsNone(pool_domain_team_ids(garbage))
        # Nothing raises on what a client may send.
        status = self._status([("team_id", "=", 10**9), "|", "!", 3])
        self.assertEqual(status["scope"], "Strictest of your teams")

    def test_open_leads_of_the_current_company_only(self):
        company_b = self.env["res.company"].create({"name": "Counter Company B"})
        company_b.write(POLICY_SINCE)
        team_b = self.env["crm.team"].create(
            {"name": "Team of B", "company_id": company_b.id, "use_leads": True}
        )
        self.user_rep.company_ids |= company_b
        self._assigned_lead()
        self._assigned_lead(company_id=company_b.id, team_id=team_b.id)
        self._assigned_lead(company_id=company_b.id, team_id=team_b.id)
        self.assertEqual(self._status()["open_count"], 1)
        status = (
            self.env["crm.lead"]
            .with_user(self.user_rep)
            .with_company(company_b)
            .get_pool_claim_status()
        )
        self.assertEqual(status["open_count"], 2)
        # Claims count the same: two open leads in B do not stop a claim
        # under a limit of two open leads in this company.
        self.team.pool_max_open_leads = 2
        lead = self._pool_lead(user=self.user_rep_2)
        self.assertEqual(
            lead.with_user(self.user_rep)._pool_claim(self.user_rep),
            {lead.id: "claimed"},
        )


@tagged("post_install", "-at_install", "lead_pool_policy")
class TestDailyLimitDay(PoolCommon):
    """The daily limit counts on the policy company's day."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.pool_claim_daily_limit = 1
        cls.company.partner_id.tz = "UTC"
        cls.user_rep.tz = "UTC"

    def test_rep_changing_timezone_cannot_claim_more(self):
        first, second = self._pool_lead(), self._pool_lead()
        with self._clock("2026-03-10 22:00:00"):
            self.assertEqual(
                first.with_user(self.user_rep)._pool_claim(self.user_rep),
                {first.id: "claimed"},
            )
            # Tokyo is already on the next day: not the day that counts.
            self.user_rep.with_user(self.user_rep).write({"tz": "Asia/Tokyo"})
            self.assertEqual(
                second.with_user(self.user_rep)._pool_claim(self.user_rep),
                {second.id: "daily_limit"},
            )
            status = (
                self.env["crm.lead"].with_user(self.user_rep).get_pool_claim_status()
            )
            self.assertEqual(status["parts"][0], "Claimed today 1 / 1")
        self.assertTrue(second.in_pool)
        with self._clock("2026-03-11 00:30:00"):
            self.assertEqual(
                second.with_user(self.user_rep)._pool_claim(self.user_rep),
                {second.id: "claimed"},
            )

    def test_day_of_the_company_timezone(self):
        self.company.partner_id.tz = "Asia/Ho_Chi_Minh"  # UTC+7
        first, second = self._pool_lead(), self._pool_lead()
        with self._clock("2026-03-10 16:30:00"):  # 23:30 in Ho Chi Minh City
            first.with_user(self.user_rep)._pool_claim(self.user_rep)
        with self._clock("2026-03-10 16:45:00"):
            self.assertEqual(
                second.with_user(self.user_rep)._pool_claim(self.user_rep),
                {second.id: "daily_limit"},
            )
        with self._clock("2026-03-10 17:30:00"):  # 00:30, the next day there
            self.assertEqual(
                second.with_user(self.user_rep)._pool_claim(self.user_rep),
                {second.id: "claimed"},
            )

    def test_company_timezone_is_not_the_rep_one(self):
        self.user_rep.groups_id |= self.env.ref("base.group_partner_manager")
        partner = self.company.partner_id.with_user(self.user_rep)
        with self.assertRaises(AccessError) as caught:
            partner.write({"tz": "Pacific/Kiritimati"})
        self.assertIn("only sales managers", str(caught.exception))
        self.company.partner_id.invalidate_recordset()
        self.assertEqual(self.company.partner_id.tz, "UTC")
        # Their own time zone, other contacts' and the managers' stay open.
        self.user_rep.with_user(self.user_rep).write({"tz": "Asia/Tokyo"})
        other = self.env["res.partner"].create({"name": "Customer"})
        other.with_user(self.user_rep).write({"tz": "Asia/Tokyo"})
        self.assertEqual(other.tz, "Asia/Tokyo")
        self.user_manager.groups_id |= self.env.ref("base.group_partner_manager")
        self.company.partner_id.with_user(self.user_manager).write(
            {"tz": "Europe/Paris"}
        )
        self.assertEqual(self.company.partner_id.tz, "Europe/Paris")


@tagged("post_install", "-at_install", "lead_pool_policy")
class TestOpenLeadLimitOnReopen(PoolCommon):
    """The open-lead limit also holds when a lead of the rep re-opens."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.pool_max_open_leads = 2

    def _at_limit_with(self, close):
        """A lead of Rita closed by ``close``, then a claim that brings her
        to the limit of 2 open leads."""
        lead = self._assigned_lead(name="Closed lead")
        self._assigned_lead(name="Open lead")
        close(lead.with_user(self.user_rep))
        claimed = self._pool_lead(user=self.user_rep_2)
        self.assertEqual(
            claimed.with_user(self.user_rep)._pool_claim(self.user_rep),
            {claimed.id: "claimed"},
        )
        return lead.with_user(self.user_rep)

    def assertRefused(self, reopen, lead):
        with self.assertRaises(UserError) as caught:
            reopen(lead)
        self.assertIn("cannot be reopened", str(caught.exception))
        lead.invalidate_recordset()
        self.assertFalse(lead.sudo()._pool_is_open())

    def test_unarchive_paths(self):
        lead = self._at_limit_with(lambda lead: lead.action_set_lost())
        self.assertFalse(lead.active)
        for reopen in (
            lambda lead: lead.action_unarchive(),
            lambda lead: lead.toggle_active(),
            lambda lead: lead.write({"active": True}),
            lambda lead: lead.write({"active": True, "probability": 20}),
        ):
            self.assertRefused(reopen, lead)
        # Below the limit the lead comes back.
        self.company.pool_max_open_leads = 3
        lead.toggle_active()
        self.assertTrue(lead.active)

    def test_back_from_won(self):
        lead = self._at_limit_with(lambda lead: lead.action_set_won())
        won_stage = lead.stage_id
        self.assertTrue(won_stage.is_won)
        self.assertRefused(
            lambda lead: lead.write({"stage_id": self.stage_new.id}), lead
        )
        self.assertEqual(lead.stage_id, won_stage)

    def test_back_from_probability_100(self):
        lead = self._at_limit_with(lambda lead: lead.write({"probability": 100}))
        self.assertRefused(lambda lead: lead.write({"probability": 40}), lead)
        self.assertEqual(lead.probability, 100)

    def test_lost_lead_won_at_the_limit(self):
        """crm's Won restores a lost lead, then wins it: it ends closed."""
        lead = self._at_limit_with(lambda lead: lead.action_set_lost())
        lead.action_set_won()
        self.assertTrue(lead.active)
        self.assertTrue(lead.stage_id.is_won)

    def test_managers_are_not_limited(self):
        lead = self._at_limit_with(lambda lead: lead.action_set_lost())
        lead.with_user(self.user_manager).action_unarchive()
        self.assertTrue(lead.active)
        self.assertEqual(
            self.env["crm.lead"]._pool_claim_stats(self.user_rep, self.company)[1], 3
        )

    def test_reopen_message(self):
        lead = self._at_limit_with(lambda lead: lead.action_set_lost())
        with self.assertRaises(UserError) as caught:
            lead.action_unarchive()
        self.assertEqual(
            str(caught.exception),
            "Closed lead cannot be reopened: Rita Rep would have 3 open leads, "
            "over the limit of 2 of the pool policy. Mark a lead as won or lost, "
            "or return one to the pool, first.",
        )


@tagged("post_install", "-at_install", "lead_pool_policy")
class TestCooldownFollowsLead(PoolCommon):
    """A lead keeps the reclaim cooldown of the policies it was under."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.pool_reclaim_cooldown_days = 5
        cls.lax_rep = mail_new_test_user(
            cls.env,
            login="lpp_lax_rep",
            name="Lars Lax",
            groups="sales_team.group_sale_salesman",
        )
        cls.lax_team = cls.env["crm.team"].create(
            dict(
                POLICY_SINCE,
                name="Lax Pool Team",
                use_leads=True,
                use_opportunities=True,
                company_id=cls.company.id,
                member_ids=[(6, 0, cls.lax_rep.ids)],
                pool_policy_own=True,
                pool_reclaim_cooldown_days=0,
            )
        )

    def test_team_hop_keeps_the_cooldown(self):
        lead = self._assigned_lead(name="Hopping lead")
        as_rep = lead.with_user(self.user_rep)
        with self._clock("2026-03-03 09:00:00"):
            as_rep.write({"team_id": self.lax_team.id})
            self.assertEqual(lead.pool_cooldown_floor_days, 5)
            as_rep._pool_return(reason=self.reason)
        self.assertEqual(lead.team_id, self.lax_team)
        self.assertTrue(lead.in_pool)
        with self._clock("2026-03-04 09:00:00"):
            action = as_rep.action_pool_claim()
        self.assertEqual(action["params"]["outcomes"], {str(lead.id): "cooldown"})
        self.assertEqual(
            action["params"]["message"],
            "Hopping lead came back to the pool from you less than 5 days "
            "ago: you cannot claim it back yet.",
        )
        self.assertTrue(lead.in_pool)
        # Another salesperson is not held back; the lead then carries the
        # policy of the pool it was claimed from.
        with self._clock("2026-03-04 09:00:00"):
            lead.with_user(self.user_rep_2).action_pool_claim()
        self.assertEqual(lead.user_id, self.user_rep_2)
        self.assertEqual(lead.pool_cooldown_floor_days, 0)

    def test_claimed_lead_hop_and_back_after_cooldown(self):
        lead = self._pool_lead(name="Claimed hopper", user=self.user_rep_2)
        as_rep = lead.with_user(self.user_rep)
        with self._clock("2026-03-03 09:00:00"):
            as_rep.action_pool_claim()
            as_rep.write({"team_id": self.lax_team.id})
            as_rep._pool_return(reason=self.reason)
        with self._clock("2026-03-07 09:00:00"):
            self.assertEqual(as_rep._pool_claim(self.user_rep), {lead.id: "cooldown"})
        with self._clock("2026-03-08 09:30:00"):
            self.assertEqual(as_rep._pool_claim(self.user_rep), {lead.id: "claimed"})

    def test_hop_through_crm_team_of_the_claimer(self):
        """crm moves a claimed lead to its new owner's team: the cooldown of
        the pool it was claimed from stays."""
        lead = self._pool_lead(name="Strict pool lead", user=self.user_rep_2)
        as_lax = lead.with_user(self.lax_rep)
        with self._clock("2026-03-03 09:00:00"):
            as_lax.action_pool_claim()
            self.assertEqual(lead.team_id, self.lax_team)
            as_lax._pool_return(reason=self.reason)
        with self._clock("2026-03-05 09:00:00"):
            self.assertEqual(as_lax._pool_claim(self.lax_rep), {lead.id: "cooldown"})

    def test_hop_through_crm_team_of_the_assignee(self):
        """A manager gives a lead of the strict team to a rep of the lax one
        (crm moves it to the rep's team), who returns it."""
        lead = self._assigned_lead(name="Assigned across", user=self.user_rep_2)
        lead.with_user(self.user_manager).write({"user_id": self.lax_rep.id})
        self.assertEqual(lead.team_id, self.lax_team)
        as_lax = lead.with_user(self.lax_rep)
        with self._clock("2026-03-03 09:00:00"):
            as_lax._pool_return(reason=self.reason)
        with self._clock("2026-03-05 09:00:00"):
            self.assertEqual(as_lax._pool_claim(self.lax_rep), {lead.id: "cooldown"})

    def test_manager_moving_pool_lead_keeps_cooldown(self):
        lead = self._assigned_lead()
        with self._clock("2026-03-03 09:00:00"):
            lead.with_user(self.user_rep)._pool_return(reason=self.reason)
            lead.with_user(self.user_manager).write({"team_id": self.lax_team.id})
            self.assertEqual(lead._pool_claim(self.user_rep), {lead.id: "cooldown"})

    def test_rep_cannot_lower_the_cooldown_kept(self):
        lead = self._assigned_lead()
        as_rep = lead.with_user(self.user_rep)
        as_rep.write({"team_id": self.lax_team.id})
        with self.assertRaises(AccessError):
            as_rep.write({"pool_cooldown_floor_days": 0})
        # Back in the strict team and out again: still the strictest.
        as_rep.write({"team_id": self.team.id})
        as_rep.write({"team_id": self.lax_team.id})
        self.assertEqual(lead.pool_cooldown_floor_days, 5)
        with self.assertRaises(AccessError):
            self.env["crm.lead"].with_user(self.user_rep).create(
                {"name": "Forged", "pool_cooldown_floor_days": 0}
            )


@tagged("post_install", "-at_install", "lead_pool_policy")
class TestLeadsForEveryone(PoolCommon):
    """CRM's Leads setting is on, as its Settings checkbox switches it on."""

    def test_salesperson_created_after_install_finds_claimed_lead(self):
        self.assertIn(
            self.env.ref("crm.group_use_lead"),
            self.env.ref("base.group_user").implied_ids,
        )
        self.assertTrue(self.env["res.config.settings"].create({}).group_use_lead)
        newcomer = mail_new_test_user(
            self.env,
            login="lpp_newcomer",
            name="Nina Newcomer",
            groups="sales_team.group_sale_salesman",
        )
        self.assertTrue(newcomer.has_group("crm.group_use_lead"))
        lead = self._pool_lead(name="Newcomer's first lead", user=self.user_rep_2)
        lead.with_user(newcomer).action_pool_claim()
        self.assertEqual(lead.user_id, newcomer)
        menu = self.env.ref("crm.crm_menu_leads")
        self.assertIn(
            menu.id, self.env["ir.ui.menu"].with_user(newcomer)._visible_menu_ids()
        )
        action = menu.action
        leads = (
            self.env["crm.lead"]
            .with_user(newcomer)
            .search(safe_eval(action.domain or "[]") + [("user_id", "=", newcomer.id)])
        )
        self.assertEqual(leads, lead)


@tagged("post_install", "-at_install", "lead_pool_policy")
class TestHistoryComputes(PoolCommon):
    """Computed fields follow what they depend on, without invalidation."""

    def test_last_return_follows_the_history(self):
        lead = self._assigned_lead()
        self.assertFalse(lead.pool_last_return_reason_id)
        lead.with_user(self.user_rep)._pool_return(self.reason, "No budget this year.")
        self.assertEqual(lead.pool_last_return_reason_id, self.reason)
        self.assertEqual(lead.pool_last_return_note, "No budget this year.")
        other = self.env.ref("lead_pool_policy.crm_lead_pool_return_reason_no_need")
        log = self.env["crm.lead.pool.log"].create(
            {
                "lead_id": lead.id,
                "lead_name": lead.name,
                "event": "return",
                "return_reason_id": other.id,
                "owner_before_id": self.user_rep_2.id,
            }
        )
        self.assertEqual(lead.pool_last_return_reason_id, other)
        self.assertEqual(lead.pool_last_return_user_id, self.user_rep_2)
        log.note = "Bought elsewhere."
        self.assertEqual(lead.pool_last_return_note, "Bought elsewhere.")

    def test_contacts_masked_follows_the_company(self):
        lead = self._pool_lead(email_from="pool@example.com")
        as_rep = lead.with_user(self.user_rep)
        self.company.pool_mask_contacts = False
        self.assertFalse(as_rep.pool_contacts_masked)
        self.company.pool_mask_contacts = True
        self.assertTrue(as_rep.pool_contacts_masked)
        as_rep.action_pool_claim()
        self.assertFalse(as_rep.pool_contacts_masked)

    def test_log_contact_sentences(self):
        lead = self._assigned_lead()
        expected = {
            "reached": "Contact attempt: Call, reached",
            "no_answer": "Contact attempt: Call, no answer",
            "left_message": "Contact attempt: Call, left a message",
            "wrong_number": "Contact attempt: Call, wrong number",
        }
        for outcome, sentence in expected.items():
            wizard = Form(
                self.env["crm.lead.contact.log"]
                .with_user(self.user_rep)
                .with_context(default_lead_id=lead.id)
            )
            wizard.outcome = outcome
            wizard.save().action_log_contact()
            self.assertTrue(
                lead.message_ids.filtered(lambda m, s=sentence: s in m.body), sentence
            )
