# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import datetime

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged, users

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import LeadPoolCommon

T0 = datetime(2026, 3, 2, 9, 0, 0)


@tagged("post_install", "-at_install", "lead_pool_policy")
class TestPool(LeadPoolCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pool_stage = cls.env.ref("lead_pool_policy.crm_stage_pool")
        cls.stage_new = cls.env["crm.stage"].create(
            {"name": "New (pool tests)", "sequence": 1, "team_id": cls.team.id}
        )
        cls.stage_qualified = cls.env["crm.stage"].create(
            {"name": "Qualified (pool tests)", "sequence": 2, "team_id": cls.team.id}
        )
        cls.stage_won = cls.env["crm.stage"].create(
            {
                "name": "Won (pool tests)",
                "sequence": 3,
                "is_won": True,
                "team_id": cls.team.id,
            }
        )
        cls.company.write(
            {
                "pool_recycle_uncontacted": True,
                "pool_uncontacted_days": 7,
                "pool_recycle_unconverted": True,
                "pool_unconverted_days": 14,
                "pool_recycle_stale": False,
                "pool_stale_days": 30,
                "pool_delete_to_pool": True,
                "pool_batch_claim": True,
                "pool_warning_days": 2,
                "pool_claim_daily_limit": 0,
                "pool_max_open_leads": 0,
                "pool_reclaim_cooldown_days": 0,
                "pool_return_reason_required": False,
                "pool_exempt_tag_ids": [(5, 0, 0)],
                "pool_new_leads": False,
            }
        )
        cls.reason = cls.env.ref(
            "lead_pool_policy.crm_lead_pool_return_reason_unreachable"
        )
        # Pool leads already in the database (demo data) must not compete
        # with the tests' own leads for "next best lead".
        cls.env["crm.lead"].search([("in_pool", "=", True)]).active = False

    def _assigned_lead(self, user=None, **values):
        with self._clock(T0):
            lead = self._create_lead(user=user, **values)
            # Stored computes (assignment date, deadline) run at flush time.
            self.env.flush_all()
            return lead

    def _pool_lead(self, **values):
        lead = self._assigned_lead(**values)
        lead.sudo()._pool_enter("manager", "enter")
        return lead

    def _logs(self, lead, event=None):
        domain = [("lead_id", "=", lead.id)]
        if event:
            domain.append(("event", "=", event))
        return self.env["crm.lead.pool.log"].search(domain)

    def _recycle(self, when):
        with self._clock(when):
            return self.env["crm.lead"]._cron_pool_recycle()

    # stage and deadlines

    def test_pool_stage(self):
        self.assertTrue(self.pool_stage.is_pool)
        self.assertTrue(self.pool_stage.fold)
        self.assertFalse(self.pool_stage.is_won)
        lead = self._create_lead()
        self.assertNotEqual(lead.stage_id, self.pool_stage)
        self.assertFalse(lead.in_pool)
        with self.assertRaises(ValidationError):
            self.pool_stage.is_won = True

    def test_deadline_uncontacted_then_unconverted(self):
        lead = self._assigned_lead()
        self.assertEqual(lead.date_open, T0)
        self.assertEqual(lead.pool_recycle_deadline, datetime(2026, 3, 9, 9, 0))
        self.assertEqual(lead.pool_recycle_rule, "uncontacted")
        with self._clock("2026-03-04 10:00:00"):
            self.env["crm.lead.contact.log"].create(
                {"lead_id": lead.id, "channel": "call"}
            ).action_log_contact()
        self.assertEqual(lead.pool_recycle_deadline, datetime(2026, 3, 18, 10, 0))
        self.assertEqual(lead.pool_recycle_rule, "unconverted")
        # Converted: no rule applies to an opportunity while stale is off.
        lead.type = "opportunity"
        self.assertFalse(lead.pool_recycle_deadline)

    def test_deadline_stale_and_exemptions(self):
        self.company.pool_recycle_stale = True
        opportunity = self._assigned_lead(type="opportunity")
        self.assertEqual(opportunity.pool_recycle_deadline, datetime(2026, 3, 9, 9, 0))
        self.company.pool_recycle_uncontacted = False
        self.assertEqual(opportunity.pool_recycle_deadline, datetime(2026, 4, 1, 9, 0))
        self.assertEqual(opportunity.pool_recycle_rule, "stale")
        vip = self.env["crm.tag"].create({"name": "VIP"})
        self.company.pool_exempt_tag_ids = vip
        opportunity.tag_ids = vip
        self.assertFalse(opportunity.pool_recycle_deadline, "exempt tag")
        opportunity.tag_ids = False
        self.assertTrue(opportunity.pool_recycle_deadline)
        opportunity.stage_id = self.stage_won
        self.assertFalse(opportunity.pool_recycle_deadline, "won")
        lost = self._assigned_lead()
        lost.action_set_lost()
        self.assertFalse(lost.pool_recycle_deadline, "lost")
        unassigned = self._create_lead(user=self.env["res.users"])
        self.assertFalse(unassigned.pool_recycle_deadline)

    def test_team_override(self):
        lead = self._assigned_lead()
        self.assertEqual(lead.pool_recycle_deadline, datetime(2026, 3, 9, 9, 0))
        with Form(self.team) as team_form:
            team_form.pool_policy_own = True
            self.assertEqual(
                team_form.pool_uncontacted_days, 7, "starts from the company"
            )
            team_form.pool_uncontacted_days = 3
        self.assertEqual(lead.pool_recycle_deadline, datetime(2026, 3, 5, 9, 0))
        self.team.pool_recycle_uncontacted = False
        self.assertFalse(lead.pool_recycle_deadline)
        self.team.pool_policy_own = False
        self.assertEqual(lead.pool_recycle_deadline, datetime(2026, 3, 9, 9, 0))

    def test_policy_validation(self):
        for vals in [
            {"pool_uncontacted_days": 0},
            {"pool_unconverted_days": -1},
            {"pool_claim_daily_limit": -2},
            {"pool_warning_days": -1},
            {"pool_recycle_stale": True, "pool_stale_days": 0},
        ]:
            with (
                self.subTest(vals=vals),
                self.assertRaises(ValidationError),
                self.env.cr.savepoint(),
            ):
                self.company.write(vals)
        self.company.write(
            {"pool_recycle_uncontacted": False, "pool_uncontacted_days": 0}
        )
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            self.team.write({"pool_policy_own": True, "pool_max_open_leads": -1})

    # recycle

    def test_recycle_cron(self):
        lead = self._assigned_lead(
            name="Sleeping lead", stage_id=self.stage_qualified.id
        )
        contacted = self._assigned_lead(name="Busy lead")
        with self._clock("2026-03-03 09:00:00"):
            contacted._register_contact_attempt()
        self.assertEqual(self._recycle("2026-03-08 09:00:00"), 0, "not yet due")
        self.assertEqual(self._recycle("2026-03-09 10:00:00"), 1)
        self.assertTrue(lead.in_pool)
        self.assertEqual(lead.stage_id, self.pool_stage)
        self.assertFalse(lead.user_id)
        self.assertEqual(lead.pool_reason, "uncontacted")
        self.assertEqual(lead.pool_previous_user_id, self.user_rep)
        self.assertEqual(lead.pool_previous_stage_id, self.stage_qualified)
        self.assertEqual(lead.pool_recycle_count, 1)
        self.assertEqual(lead.pool_entry_date, datetime(2026, 3, 9, 10, 0))
        self.assertFalse(lead.pool_recycle_deadline)
        self.assertFalse(contacted.in_pool)
        log = self._logs(lead, "recycle")
        self.assertEqual(len(log), 1)
        self.assertEqual(
            (log.reason, log.owner_before_id, log.lead_name, log.team_id),
            ("uncontacted", self.user_rep, "Sleeping lead", self.team),
        )
        note = lead.message_ids.filtered(lambda m: "public pool" in (m.body or ""))
        self.assertEqual(len(note), 1)
        self.assertIn("Not contacted in time", note.body)
        self.assertIn("Rita Rep", note.body)
        summary = self.env["mail.message"].search(
            [
                ("partner_ids", "in", self.user_rep.partner_id.ids),
                ("subject", "=", "Leads returned to the pool"),
            ]
        )
        self.assertEqual(len(summary), 1)
        self.assertIn("Sleeping lead", summary.body)
        # Idempotent.
        self.assertEqual(self._recycle("2026-03-09 11:00:00"), 0)
        self.assertEqual(len(self._logs(lead, "recycle")), 1)

    def test_recycle_unconverted_and_exempt(self):
        lead = self._assigned_lead()
        with self._clock("2026-03-03 09:00:00"):
            lead._register_contact_attempt()
        vip = self.env["crm.tag"].create({"name": "Key account"})
        exempt = self._assigned_lead(tag_ids=[(6, 0, vip.ids)])
        self.company.pool_exempt_tag_ids = vip
        won = self._assigned_lead(stage_id=self.stage_won.id, type="opportunity")
        self._recycle("2026-03-17 10:00:00")
        self.assertTrue(lead.in_pool)
        self.assertEqual(lead.pool_reason, "unconverted")
        self.assertFalse(exempt.in_pool)
        self.assertFalse(won.in_pool)

    def test_warning_once(self):
        lead = self._assigned_lead()
        warning_type = self.env.ref(
            "lead_pool_policy.mail_activity_type_recycle_warning"
        )
        self._recycle("2026-03-06 10:00:00")
        self.assertFalse(
            lead.activity_ids.filtered(lambda a: a.activity_type_id == warning_type)
        )
        self._recycle("2026-03-07 10:00:00")
        warnings = lead.activity_ids.filtered(
            lambda a: a.activity_type_id == warning_type
        )
        self.assertEqual(len(warnings), 1)
        self.assertEqual(warnings.user_id, self.user_rep)
        self._recycle("2026-03-08 10:00:00")
        warnings = lead.activity_ids.filtered(
            lambda a: a.activity_type_id == warning_type
        )
        self.assertEqual(len(warnings), 1, "once per lead and deadline")
        self.assertFalse(lead.in_pool)

    # claim

    def test_claim(self):
        lead = self._pool_lead(stage_id=self.stage_qualified.id)
        self.assertTrue(lead.in_pool)
        with self._clock("2026-03-10 09:00:00"):
            action = lead.with_user(self.user_rep_2).action_pool_claim()
        self.assertEqual(action["params"]["outcomes"], {str(lead.id): "claimed"})
        self.assertEqual(lead.user_id, self.user_rep_2)
        self.assertEqual(lead.stage_id, self.stage_qualified, "previous stage restored")
        self.assertFalse(lead.in_pool)
        self.assertEqual(lead.date_open, datetime(2026, 3, 10, 9, 0))
        self.assertEqual(lead.pool_recycle_deadline, datetime(2026, 3, 17, 9, 0))
        log = self._logs(lead, "claim")
        self.assertEqual(
            (log.owner_after_id, log.user_id), (self.user_rep_2, self.user_rep_2)
        )
        # A second claim: already taken.
        outcomes = lead.with_user(self.user_rep)._pool_claim(self.user_rep)
        self.assertEqual(outcomes, {lead.id: "taken"})
        self.assertEqual(lead.user_id, self.user_rep_2)

    def test_claim_first_stage_without_previous(self):
        lead = self._create_lead(user=self.env["res.users"], stage_id=self.stage_new.id)
        lead.sudo()._pool_enter("new", "enter")
        self.assertFalse(lead.pool_previous_user_id)
        lead.with_user(self.user_rep).action_pool_claim()
        self.assertEqual(lead.stage_id, self.stage_new)

    def test_claim_limits(self):
        leads = self.env["crm.lead"]
        for _i in range(5):
            leads |= self._pool_lead()
        self.company.pool_claim_daily_limit = 2
        outcomes = leads.with_user(self.user_rep_2)._pool_claim(self.user_rep_2)
        self.assertEqual(sorted(outcomes.values()).count("claimed"), 2)
        self.assertEqual(sorted(outcomes.values()).count("daily_limit"), 3)
        self.company.pool_claim_daily_limit = 0
        self.company.pool_max_open_leads = 3
        outcomes = leads.with_user(self.user_rep_2)._pool_claim(self.user_rep_2)
        self.assertEqual(list(outcomes.values()).count("claimed"), 1)
        self.assertEqual(list(outcomes.values()).count("open_limit"), 2)
        self.assertEqual(
            len(leads.filtered(lambda ld: ld.user_id == self.user_rep_2)), 3
        )

    def test_claim_cooldown(self):
        lead = self._assigned_lead()
        self._recycle("2026-03-09 10:00:00")
        self.assertEqual(lead.pool_previous_user_id, self.user_rep)
        self.company.pool_reclaim_cooldown_days = 5
        with self._clock("2026-03-12 10:00:00"):
            self.assertEqual(lead._pool_claim(self.user_rep), {lead.id: "cooldown"})
        with self._clock("2026-03-15 10:00:00"):
            self.assertEqual(lead._pool_claim(self.user_rep), {lead.id: "claimed"})

    def test_claim_order_and_next_best(self):
        low = self._pool_lead(name="low")
        high = self._pool_lead(
            name="high", bant_need="confirmed", bant_budget="approved"
        )
        self.assertGreater(high.priority_score, low.priority_score)
        self.company.pool_claim_daily_limit = 1
        outcomes = (low | high)._pool_claim(self.user_rep)
        self.assertEqual(outcomes, {low.id: "daily_limit", high.id: "claimed"})
        self.company.pool_claim_daily_limit = 0
        other = self._pool_lead(name="other", bant_need="latent")
        action = (
            self.env["crm.lead"].with_user(self.user_rep_2).action_pool_claim_next()
        )
        self.assertEqual(action["params"]["next"]["res_id"], other.id)
        self.assertEqual(other.user_id, self.user_rep_2)

    def test_batch_claim_off(self):
        leads = self._pool_lead() | self._pool_lead()
        self.company.pool_batch_claim = False
        with self.assertRaises(UserError):
            leads.with_user(self.user_rep).action_pool_claim()
        self.assertTrue(all(leads.mapped("in_pool")))
        leads[0].with_user(self.user_rep).action_pool_claim()
        self.assertEqual(leads[0].user_id, self.user_rep)

    def test_claim_needs_sales_rights(self):
        lead = self._pool_lead()
        employee = mail_new_test_user(
            self.env, login="lpp_employee", groups="base.group_user"
        )
        with self.assertRaises(AccessError):
            lead.with_user(employee).action_pool_claim()
        self.assertTrue(lead.in_pool)

    def test_claim_query_count_does_not_grow(self):
        small = self.env["crm.lead"]
        big = self.env["crm.lead"]
        for _i in range(3):
            small |= self._pool_lead()
        for _i in range(30):
            big |= self._pool_lead()
        self._pool_lead()._pool_claim(self.user_manager)  # warm the caches
        self.env.flush_all()
        self.env.invalidate_all()
        with self.assertQueryCount(__system__=20):
            small._pool_claim(self.user_rep)
        self.env.flush_all()
        self.env.invalidate_all()
        with self.assertQueryCount(__system__=20):
            big._pool_claim(self.user_rep_2)
        self.assertEqual(set(big.mapped("user_id")), {self.user_rep_2})

    # return and delete

    def test_return(self):
        lead = self._assigned_lead(stage_id=self.stage_qualified.id)
        wizard = Form(
            self.env["crm.lead.pool.return"]
            .with_user(self.user_rep)
            .with_context(default_lead_ids=lead.ids)
        )
        wizard.note = "Customer moved to a competitor's territory"
        wizard.save().action_return()
        self.assertTrue(lead.in_pool)
        self.assertEqual(lead.pool_reason, "returned")
        log = self._logs(lead, "return")
        self.assertEqual(log.note, "Customer moved to a competitor's territory")
        self.assertEqual(log.user_id, self.user_rep)

    def test_return_reason_required(self):
        self.company.pool_return_reason_required = True
        lead = self._assigned_lead()
        with self.assertRaises(UserError):
            lead.with_user(self.user_rep)._pool_return()
        self.assertFalse(lead.in_pool)
        lead.with_user(self.user_rep)._pool_return(reason=self.reason)
        self.assertEqual(self._logs(lead, "return").return_reason_id, self.reason)

    def test_return_other_rep_lead_refused(self):
        lead = self._assigned_lead(user=self.user_rep_2)
        with self.assertRaises(AccessError):
            lead.with_user(self.user_rep)._pool_return(reason=self.reason)
        self.assertFalse(lead.in_pool)
        lead.with_user(self.user_manager)._pool_return(reason=self.reason)
        self.assertTrue(lead.in_pool)

    def test_rep_delete_sends_to_pool(self):
        lead = self._assigned_lead(name="Deleted by rep")
        lead.with_user(self.user_rep).unlink()
        self.assertTrue(lead.exists())
        self.assertTrue(lead.in_pool)
        self.assertEqual(lead.pool_reason, "deleted")
        self.assertEqual(self._logs(lead, "delete").owner_before_id, self.user_rep)
        with self.assertRaises(AccessError):
            lead.with_user(self.user_rep).unlink()
        self.assertTrue(lead.exists())
        other = self._assigned_lead(user=self.user_rep_2)
        with self.assertRaises(AccessError):
            other.with_user(self.user_rep).unlink()
        self.assertFalse(other.in_pool)

    def test_rep_delete_when_policy_off(self):
        self.company.pool_delete_to_pool = False
        lead = self._assigned_lead(name="Really gone")
        lead.with_user(self.user_rep).unlink()
        self.assertFalse(lead.exists())
        purge = self.env["crm.lead.pool.log"].search(
            [("lead_name", "=", "Really gone")]
        )
        self.assertEqual(purge.event, "purge")

    def test_manager_delete_purges(self):
        lead = self._assigned_lead(name="Purged lead")
        lead.with_user(self.user_manager).unlink()
        self.assertFalse(lead.exists())
        purge = self.env["crm.lead.pool.log"].search(
            [("lead_name", "=", "Purged lead")]
        )
        self.assertEqual(
            (purge.event, purge.owner_before_id, purge.user_id),
            ("purge", self.user_rep, self.user_manager),
        )

    def test_merge_purges(self):
        lead_a = self._assigned_lead(name="Dup A", email_from="dup@example.com")
        lead_b = self._assigned_lead(name="Dup B", email_from="dup@example.com")
        names = {lead_a.id: lead_a.name, lead_b.id: lead_b.name}
        merged = (lead_a | lead_b).with_user(self.user_rep).merge_opportunity()
        gone = (lead_a | lead_b) - merged
        self.assertFalse(gone.exists())
        purge = self.env["crm.lead.pool.log"].search(
            [("lead_name", "=", names[gone.id])]
        )
        self.assertEqual(purge.event, "purge")

    # security

    @users("lpp_rep")
    def test_rep_cannot_bypass_pool(self):
        pool_lead = self._pool_lead().with_user(self.env.user)
        own = self._assigned_lead(user=self.user_rep).with_user(self.env.user)
        with self.assertRaises(AccessError):
            pool_lead.write({"user_id": self.env.uid})
        with self.assertRaises(AccessError):
            pool_lead.write({"user_id": self.user_rep_2.id})
        with self.assertRaises(AccessError):
            own.write({"stage_id": self.pool_stage.id})
        with self.assertRaises(AccessError):
            own.write({"pool_recycle_count": 0})
        with self.assertRaises(AccessError):
            own.write({"pool_recycle_deadline": False})
        self.assertTrue(pool_lead.in_pool)
        self.assertFalse(own.in_pool)

    def test_manager_moves_and_assigns(self):
        lead = self._assigned_lead(stage_id=self.stage_qualified.id)
        lead.with_user(self.user_manager).write({"stage_id": self.pool_stage.id})
        self.assertTrue(lead.in_pool)
        self.assertFalse(lead.user_id)
        self.assertEqual(lead.pool_reason, "manager")
        lead.with_user(self.user_manager).write({"user_id": self.user_rep_2.id})
        self.assertFalse(lead.in_pool)
        self.assertEqual(lead.user_id, self.user_rep_2)
        self.assertEqual(lead.stage_id, self.stage_qualified)
        self.assertEqual(self._logs(lead, "assign").owner_after_id, self.user_rep_2)

    def test_multi_company_pool(self):
        company_b = self.env["res.company"].create({"name": "Pool Company B"})
        rep_b = mail_new_test_user(
            self.env,
            login="lpp_rep_b",
            groups="sales_team.group_sale_salesman",
            company_id=company_b.id,
            company_ids=[(6, 0, company_b.ids)],
        )
        lead_a = self._pool_lead()
        self.assertEqual(lead_a.company_id, self.company)
        self.assertFalse(
            self.env["crm.lead"].with_user(rep_b).search([("id", "=", lead_a.id)])
        )
        outcomes = lead_a.with_user(rep_b)._pool_claim(rep_b)
        self.assertEqual(outcomes, {lead_a.id: "taken"})
        self.assertTrue(lead_a.in_pool)

    def test_new_leads_enter_pool(self):
        self.company.pool_new_leads = True
        lead = self._create_lead(user=self.env["res.users"])
        self.assertTrue(lead.in_pool)
        self.assertEqual(lead.pool_reason, "new")
        owned = self._create_lead()
        self.assertFalse(owned.in_pool)

    def test_odoo_assignment_skips_pool(self):
        domain = self.team._get_lead_to_assign_domain()
        self.assertIn(("in_pool", "=", False), domain)

    def test_masking(self):
        lead = self._pool_lead(
            email_from="john.doe@example.com",
            phone="+1 555 123 4567",
            mobile="0612345678",
        )
        fnames = ["email_from", "phone", "mobile"]
        plain = {"email_from": "john.doe@example.com", "phone": "+1 555 123 4567"}
        rep_values = lead.with_user(self.user_rep).read(fnames)[0]
        self.assertEqual(
            rep_values["email_from"], plain["email_from"], "off by default"
        )
        self.company.pool_mask_contacts = True
        rep_values = lead.with_user(self.user_rep).read(fnames)[0]
        self.assertEqual(rep_values["email_from"], "j***@example.com")
        self.assertEqual(rep_values["phone"], "+1 *** *** **67")
        self.assertEqual(rep_values["mobile"], "061*****78")
        web = lead.with_user(self.user_rep).web_read({"email_from": {}})[0]
        self.assertEqual(web["email_from"], "j***@example.com")
        manager_values = lead.with_user(self.user_manager).read(fnames)[0]
        self.assertEqual(manager_values["email_from"], plain["email_from"])
        lead.with_user(self.user_rep).action_pool_claim()
        rep_values = lead.with_user(self.user_rep).read(fnames)[0]
        self.assertEqual(rep_values["phone"], plain["phone"], "unmasked once claimed")

    def test_sql_and_python_deadlines_agree(self):
        self.company.write({"pool_recycle_stale": True, "pool_exempt_tag_ids": False})
        vip = self.env["crm.tag"].create({"name": "Exempt here"})
        leads = self.env["crm.lead"]
        with self._clock(T0):
            leads |= self._create_lead()
            leads |= self._create_lead(type="opportunity")
            leads |= self._create_lead(tag_ids=[(6, 0, vip.ids)])
            leads |= self._create_lead(user=self.env["res.users"])
            contacted = self._create_lead()
            contacted_opp = self._create_lead(type="opportunity")
            self.env.flush_all()
        with self._clock("2026-03-04 08:00:00"):
            (contacted | contacted_opp)._register_contact_attempt()
        leads |= contacted | contacted_opp
        self.company.pool_exempt_tag_ids = vip
        python = {lead.id: lead._get_pool_deadline() for lead in leads}
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_lead SET pool_recycle_deadline = NULL, "
            "pool_recycle_rule = NULL WHERE id IN %s",
            [tuple(leads.ids)],
        )
        self.env.invalidate_all()
        self.env["crm.lead"]._update_pool_deadlines(leads)
        sql = {
            lead.id: (lead.pool_recycle_deadline, lead.pool_recycle_rule)
            for lead in leads
        }
        self.assertEqual(sql, python)
        self.assertEqual(
            sorted(rule for _deadline, rule in python.values() if rule),
            ["stale", "uncontacted", "uncontacted", "unconverted"],
        )

    # assign and distribution

    def test_manager_assign_wizard(self):
        leads = self._pool_lead() | self._pool_lead() | self._pool_lead()
        self.company.pool_claim_daily_limit = 2
        Wizard = self.env["crm.lead.pool.assign"].with_user(self.user_manager)
        wizard = Wizard.create(
            {"lead_ids": [(6, 0, leads.ids)], "user_id": self.user_rep_2.id}
        )
        self.assertEqual((wizard.claimed_today, wizard.daily_limit), (0, 2))
        action = wizard.action_assign()
        outcomes = action["params"]["outcomes"]
        self.assertEqual(
            sorted(outcomes.values()), ["claimed", "claimed", "daily_limit"]
        )
        self.assertEqual(
            len(
                self.env["crm.lead.pool.log"].search(
                    [("lead_id", "in", leads.ids), ("event", "=", "assign")]
                )
            ),
            2,
        )
        rest = leads.filtered("in_pool")
        wizard = Wizard.create(
            {
                "lead_ids": [(6, 0, rest.ids)],
                "user_id": self.user_rep_2.id,
                "override_limits": True,
            }
        )
        self.assertEqual(wizard.claimed_today, 2)
        wizard.action_assign()
        self.assertEqual(set(leads.mapped("user_id")), {self.user_rep_2})
        # Salespeople cannot assign.
        lead = self._pool_lead()
        with self.assertRaises(AccessError):
            self.env["crm.lead.pool.assign"].with_user(self.user_rep).create(
                {"lead_ids": [(6, 0, lead.ids)], "user_id": self.user_rep.id}
            ).action_assign()
        self.assertTrue(lead.in_pool)

    def test_distribution_cron(self):
        cron = self.env.ref("lead_pool_policy.ir_cron_pool_distribute")
        self.assertFalse(cron.active, "inactive by default")
        members = self.team.crm_team_member_ids
        members.write({"assignment_max": 30})
        members.filtered(
            lambda m: m.user_id == self.user_team_lead
        ).assignment_optout = True
        leads = self.env["crm.lead"]
        for i in range(5):
            leads |= self._pool_lead(name=f"dist {i}", user=self.user_manager)
        self.company.pool_reclaim_cooldown_days = 5
        # The first lead was recycled from Rita just now: she cannot get it back.
        self.env.cr.execute(
            "UPDATE crm_lead SET pool_previous_user_id = %s WHERE id = %s",
            [self.user_rep.id, leads[0].id],
        )
        leads.invalidate_recordset()
        assigned = self.env["crm.lead"]._cron_pool_distribute()
        owners = leads.mapped("user_id")
        self.assertEqual(
            owners, self.user_rep | self.user_rep_2, "round robin, opt-out skipped"
        )
        self.assertLessEqual(
            abs(
                len(leads.filtered(lambda ld: ld.user_id == self.user_rep))
                - len(leads.filtered(lambda ld: ld.user_id == self.user_rep_2))
            ),
            1,
        )
        self.assertNotEqual(leads[0].user_id, self.user_rep)
        self.assertEqual(assigned, len(leads.filtered("user_id")))

    def test_recycle_rechecks_each_lead(self):
        """A lead contacted or claimed after the cron listed it is not recycled:
        the recycle statement re-checks the deadline and the owner."""
        contacted = self._assigned_lead(name="contacted meanwhile")
        claimed = self._assigned_lead(name="reassigned meanwhile")
        due = contacted | claimed
        with self._clock("2026-03-09 10:00:00"):
            contacted._register_contact_attempt()
            claimed.sudo().write({"user_id": False})
            self.env.flush_all()
            moved = due.sudo()._pool_enter(
                None, "recycle", due_before=datetime(2026, 3, 9, 10, 0)
            )
        self.assertEqual(moved, [])
        self.assertFalse(due.filtered("in_pool"))
        self.assertFalse(self._logs(contacted) | self._logs(claimed))

    @users("lpp_team_lead")
    def test_team_lead_rights(self):
        """All-leads salespeople see every lead but change the pool only
        through its actions, like the other salespeople."""
        pool_lead = self._pool_lead().with_user(self.env.user)
        other = self._assigned_lead(user=self.user_rep_2).with_user(self.env.user)
        self.assertTrue(other.name, "sees other salespeople's leads")
        with self.assertRaises(AccessError):
            pool_lead.write({"user_id": self.user_rep.id})
        with self.assertRaises(AccessError):
            other.write({"stage_id": self.pool_stage.id})
        with self.assertRaises(AccessError):
            pool_lead.unlink()
        with self.assertRaises(AccessError):
            self.env["crm.lead.pool.assign"].create(
                {"lead_ids": [(6, 0, pool_lead.ids)], "user_id": self.user_rep.id}
            ).action_assign()
        self.assertTrue(pool_lead.in_pool)
        # Returning a colleague's lead needs a manager.
        with self.assertRaises(AccessError):
            other._pool_return(reason=self.reason)
        pool_lead.action_pool_claim()
        self.assertEqual(pool_lead.user_id, self.user_team_lead)
