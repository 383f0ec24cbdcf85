# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import datetime, timedelta

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, tagged

from .common import T0, PoolCommon


@tagged("post_install", "-at_install", "lead_pool_policy")
class TestPool(PoolCommon):
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
        with self._clock(T0 - timedelta(days=1)):
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
        with self._clock(T0), Form(self.team) as team_form:
            team_form.pool_policy_own = True
            self.assertEqual(
                team_form.pool_uncontacted_days, 7, "starts from the company"
            )
            team_form.pool_uncontacted_days = 3
        self.assertEqual(lead.pool_recycle_deadline, datetime(2026, 3, 5, 9, 0))
        self.team.pool_recycle_uncontacted = False
        self.assertFalse(lead.pool_recycle_deadline)
        with self._clock(T0):
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
        # Odoo's tracking values of the move, in the same note.
        tracking = note.sudo().tracking_value_ids
        owner = tracking.filtered(lambda t: t.field_id.name == "user_id")
        self.assertEqual(
            (owner.old_value_integer, owner.old_value_char, owner.new_value_integer),
            (self.user_rep.id, "Rita Rep", 0),
        )
        stage = tracking.filtered(lambda t: t.field_id.name == "stage_id")
        self.assertEqual(
            (stage.old_value_integer, stage.new_value_integer),
            (self.stage_qualified.id, self.pool_stage.id),
        )
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

    # security

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
        _company_b, rep_b = self._company_with_rep("lpp_rep_b")
        lead_a = self._pool_lead()
        self.assertEqual(lead_a.company_id, self.company)
        self.assertFalse(
            self.env["crm.lead"].with_user(rep_b).search([("id", "=", lead_a.id)])
        )
        with self.assertRaisesRegex(AccessError, "does not work for"):
            lead_a.with_user(rep_b)._pool_claim(rep_b)
        self.assertTrue(lead_a.in_pool)
        self.assertFalse(lead_a.user_id)

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

    def test_deadlines_by_rule_after_policy_edit(self):
        """The rules give each lead its deadline, whether the lead was written
        (ORM compute) or the policy edited (one UPDATE): same code, same
        values."""
        with self._clock(T0 - timedelta(days=1)):
            self.company.write(
                {"pool_recycle_stale": True, "pool_exempt_tag_ids": False}
            )
        vip = self.env["crm.tag"].create({"name": "Exempt here"})
        with self._clock(T0):
            lead = self._create_lead()
            opportunity = self._create_lead(type="opportunity")
            exempt = self._create_lead(tag_ids=[(6, 0, vip.ids)])
            unassigned = self._create_lead(user=self.env["res.users"])
            contacted = self._create_lead()
            contacted_opp = self._create_lead(type="opportunity")
            self.env.flush_all()
        contact = datetime(2026, 3, 4, 8, 0)
        with self._clock(contact):
            (contacted | contacted_opp)._register_contact_attempt()
        t0 = T0
        expected = {
            lead: (t0 + timedelta(days=7), "uncontacted"),
            opportunity: (t0 + timedelta(days=7), "uncontacted"),
            exempt: (t0 + timedelta(days=7), "uncontacted"),
            unassigned: (False, False),
            contacted: (contact + timedelta(days=14), "unconverted"),
            contacted_opp: (contact + timedelta(days=30), "stale"),
        }
        leads = self.env["crm.lead"].union(*expected)
        for record, values in expected.items():
            self.assertEqual(
                (record.pool_recycle_deadline, record.pool_recycle_rule), values
            )
        self.company.pool_exempt_tag_ids = vip
        expected[exempt] = (False, False)
        self.env.invalidate_all()
        for record, values in expected.items():
            self.assertEqual(
                (record.pool_recycle_deadline, record.pool_recycle_rule), values
            )
        self.assertEqual(len(leads), 6)

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
