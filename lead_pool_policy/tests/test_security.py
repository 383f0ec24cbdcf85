# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Every way a salesperson could go around the pool's rules, through the ORM
as RPC would call it (``with_user``): each is refused with a clear error, or
changes nothing; each test checks the lead afterwards."""

from datetime import datetime

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, tagged, users
from odoo.tests.common import JsonRpcException

from .common import PoolCommon


@tagged("post_install", "-at_install", "lead_pool_policy")
class TestPoolGuard(PoolCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.exempt_tag = cls.env["crm.tag"].create({"name": "Key account (exempt)"})
        cls.company.pool_exempt_tag_ids = cls.exempt_tag

    def assertUnchangedPoolLead(self, lead):
        lead.invalidate_recordset()
        self.assertTrue(lead.in_pool)
        self.assertFalse(lead.user_id)
        self.assertEqual(lead.stage_id, self.pool_stage)
        self.assertTrue(lead.active)
        self.assertEqual(self._logs(lead).mapped("event"), ["enter"])

    def assertUnchangedOwnLead(self, lead, deadline):
        lead.invalidate_recordset()
        self.assertFalse(lead.in_pool)
        self.assertEqual(lead.user_id, self.user_rep)
        self.assertEqual(lead.pool_recycle_deadline, deadline)
        self.assertFalse(self._logs(lead))

    # leaving the pool without Claim

    def test_rep_pool_leads_read_only(self):
        lead = self._pool_lead(name="Pool lead")
        as_rep = lead.with_user(self.user_rep)
        attempts = [
            lambda: as_rep.write({"in_pool": False}),
            lambda: as_rep.write({"stage_id": self.stage_new.id}),
            lambda: as_rep.write({"user_id": self.user_rep.id}),
            lambda: as_rep.write({"name": "Mine now"}),
            lambda: as_rep.write({"team_id": False}),
            lambda: as_rep.write({"company_id": False}),
            lambda: as_rep.action_set_won(),
            lambda: as_rep.action_set_lost(),
            lambda: as_rep.action_archive(),
            lambda: as_rep.unlink(),
        ]
        for attempt in attempts:
            with self.assertRaises(AccessError):
                attempt()
        self.assertUnchangedPoolLead(lead)
        self.assertEqual(lead.name, "Pool lead")

    def test_error_names_the_action(self):
        lead = self._pool_lead(name="Pool lead")
        with self.assertRaisesRegex(AccessError, "claim it before changing it"):
            lead.with_user(self.user_rep).write({"name": "x"})
        with self.assertRaisesRegex(AccessError, "follows its stage"):
            lead.with_user(self.user_rep).write({"in_pool": False})
        with self.assertRaisesRegex(AccessError, "history of a lead is kept"):
            self._assigned_lead().with_user(self.user_rep).write({"pool_reason": "new"})

    def test_team_lead_edits_but_does_not_move_pool_leads(self):
        lead = self._pool_lead(name="Pool lead")
        as_lead = lead.with_user(self.user_team_lead)
        as_lead.write({"name": "Pool lead (typo fixed)"})
        self.assertEqual(lead.name, "Pool lead (typo fixed)")
        other_team = self.env["crm.team"].create({"name": "No-limit team"})
        for vals in (
            {"user_id": self.user_team_lead.id},
            {"stage_id": self.stage_new.id},
            {"active": False},
            {"team_id": other_team.id},
            {"company_id": False},
        ):
            with self.assertRaisesRegex(AccessError, "Only sales managers assign"):
                as_lead.write(vals)
        self.assertUnchangedPoolLead(lead)
        self.assertEqual(lead.team_id, self.team)

    # entering or forging

    def test_rep_cannot_create_in_pool_or_forge_bookkeeping(self):
        Lead = self.env["crm.lead"].with_user(self.user_rep)
        base = {"name": "Forged", "type": "lead", "team_id": self.team.id}
        forged = [
            {"stage_id": self.pool_stage.id, "user_id": self.user_rep.id},
            {"stage_id": self.pool_stage.id, "user_id": False},
            {"in_pool": True},
            {"pool_reason": "new"},
            {"pool_recycle_count": 3},
            {"pool_recycle_deadline": "2030-01-01 00:00:00"},
            {"contact_count": 5},
            {"lead_score": 100},
            {"date_open": "2030-01-01 00:00:00"},
            {"date_conversion": "2026-01-01 00:00:00"},
            {"user_id": self.user_rep_2.id},
            {"tag_ids": [(6, 0, self.exempt_tag.ids)]},
        ]
        for vals in forged:
            with self.assertRaises(AccessError, msg=vals):
                Lead.create(dict(base, **vals))
        self.assertFalse(self.env["crm.lead"].search([("name", "=", "Forged")]))
        # What is allowed: a lead for oneself, outside the pool.
        lead = Lead.create(dict(base, user_id=self.user_rep.id))
        self.assertFalse(lead.in_pool)

    def test_manager_creates_in_pool_through_the_pool(self):
        lead = (
            self.env["crm.lead"]
            .with_user(self.user_manager)
            .create(
                {
                    "name": "Straight to the pool",
                    "team_id": self.team.id,
                    "user_id": self.user_rep.id,
                    "stage_id": self.pool_stage.id,
                }
            )
        )
        self.assertTrue(lead.in_pool)
        self.assertFalse(lead.user_id)
        self.assertEqual(self._logs(lead).mapped("event"), ["enter"])

    def test_import_obeys_the_guard(self):
        result = (
            self.env["crm.lead"]
            .with_user(self.user_rep)
            .load(
                ["name", "stage_id/.id", "user_id/.id"],
                [["Imported", str(self.pool_stage.id), str(self.user_rep.id)]],
            )
        )
        self.assertFalse(result["ids"])
        self.assertIn(
            "cannot be created in the public pool", result["messages"][0]["message"]
        )
        self.assertFalse(self.env["crm.lead"].search([("name", "=", "Imported")]))
        pool_lead = self._pool_lead()
        result = (
            self.env["crm.lead"]
            .with_user(self.user_rep)
            .load(
                ["id", "user_id/.id"],
                [[pool_lead._export_rows([["id"]])[0][0], str(self.user_rep.id)]],
            )
        )
        self.assertFalse(result["ids"])
        self.assertUnchangedPoolLead(pool_lead)

    # copy and merge

    def test_copy_and_merge_of_pool_leads(self):
        pool_lead = self._pool_lead(name="Pool dup", email_from="dup@example.com")
        own = self._assigned_lead(name="Own dup", email_from="dup@example.com")
        for user in (self.user_rep, self.user_team_lead):
            with self.assertRaisesRegex(AccessError, "cannot be duplicated"):
                pool_lead.with_user(user).copy()
        with self.assertRaisesRegex(AccessError, "merged by sales managers only"):
            (own | pool_lead).with_user(self.user_rep).merge_opportunity()
        self.assertTrue(pool_lead.exists())
        self.assertUnchangedPoolLead(pool_lead)
        self.assertFalse(
            self.env["crm.lead.pool.log"].search([("event", "=", "purge")])
        )
        self.assertEqual(
            self.env["crm.lead"].search_count([("name", "like", "Pool dup")]), 1
        )
        # Their own leads, salespeople copy as before.
        copy = own.with_user(self.user_rep).copy()
        self.assertEqual(copy.user_id, self.user_rep)
        self.assertFalse(copy.in_pool)

    # dodging recycling

    def test_rep_cannot_move_the_recycle_clock(self):
        lead = self._assigned_lead()
        deadline = lead.pool_recycle_deadline
        self.assertEqual(deadline, datetime(2026, 3, 9, 9, 0))
        as_rep = lead.with_user(self.user_rep)
        attempts = [
            ({"date_open": "2030-01-01 00:00:00"}, "assignment date"),
            ({"date_conversion": "2026-03-03 00:00:00"}, "Convert to Opportunity"),
            ({"user_id": False}, "Return to Pool"),
            ({"user_id": self.user_rep_2.id}, "Return to Pool"),
            ({"tag_ids": [(4, self.exempt_tag.id)]}, "exempt a lead from recycling"),
        ]
        for vals, message in attempts:
            with self.assertRaisesRegex(AccessError, message):
                as_rep.write(vals)
        self.assertUnchangedOwnLead(lead, deadline)
        self.assertFalse(lead.tag_ids)
        # crm's own way stays: taking a lead nobody owns, outside the pool.
        unowned = self._assigned_lead(user=self.env["res.users"])
        unowned.with_user(self.user_rep).write({"user_id": self.user_rep.id})
        self.assertEqual(unowned.user_id, self.user_rep)
        # Tags that do not exempt stay free.
        tag = self.env["crm.tag"].create({"name": "Hot topic"})
        as_rep.write({"tag_ids": [(4, tag.id)]})
        self.assertEqual(lead.tag_ids, tag)

    def test_exempt_tags_are_managers(self):
        lead = self._assigned_lead()
        lead.with_user(self.user_manager).write({"tag_ids": [(4, self.exempt_tag.id)]})
        self.assertFalse(lead.pool_recycle_deadline)
        with self.assertRaisesRegex(AccessError, "exempt"):
            lead.with_user(self.user_rep).write({"tag_ids": [(5, 0, 0)]})
        self.assertEqual(lead.tag_ids, self.exempt_tag)

    def test_conversion_is_the_way_to_a_conversion_date(self):
        lead = self._assigned_lead()
        with self._clock("2026-03-03 10:00:00"):
            lead.with_user(self.user_rep).convert_opportunity(self.env["res.partner"])
            self.env.flush_all()
        self.assertEqual(lead.type, "opportunity")
        self.assertEqual(lead.date_conversion, datetime(2026, 3, 3, 10, 0))
        with self.assertRaisesRegex(AccessError, "back into a lead"):
            lead.with_user(self.user_rep).write({"type": "lead"})
        self.assertEqual(lead.type, "opportunity")

    # limits and companies

    def test_claim_limit_policy_cannot_be_moved(self):
        """The claimer cannot move the pool lead to a team without limits."""
        self.company.pool_claim_daily_limit = 1
        free_team = self.env["crm.team"].create(
            {"name": "Free team", "pool_policy_own": True, "pool_claim_daily_limit": 0}
        )
        first, second = self._pool_lead(), self._pool_lead()
        first.with_user(self.user_rep).action_pool_claim()
        with self.assertRaises(AccessError):
            second.with_user(self.user_rep).write({"team_id": free_team.id})
        outcomes = second.with_user(self.user_rep)._pool_claim(self.user_rep)
        self.assertEqual(outcomes, {second.id: "daily_limit"})
        self.assertTrue(second.in_pool)
        self.assertEqual(second.team_id, self.team)

    def test_companies(self):
        company_b, rep_b = self._company_with_rep("lpp_rep_b2")
        team_b = self.env["crm.team"].create(
            {"name": "Team B", "company_id": company_b.id}
        )
        lead_b = self._pool_lead(user=rep_b, team_id=team_b.id, company_id=company_b.id)
        with self.assertRaises(AccessError):
            lead_b.with_user(rep_b).write({"company_id": self.company.id})
        self.assertEqual(lead_b.company_id, company_b)
        # A pool lead without a company belongs to its team's company, else
        # to the main company.
        no_company_team = self.env["crm.team"].create(
            {"name": "Any", "company_id": False}
        )
        lead_a = self._pool_lead(company_id=False, team_id=no_company_team.id)
        self.assertFalse(lead_a.company_id)
        with self.assertRaisesRegex(AccessError, "does not work for"):
            lead_a.with_user(rep_b).action_pool_claim()
        self.assertUnchangedPoolLead(lead_a)

    # claims that cannot be

    def test_claim_errors(self):
        own = self._assigned_lead()
        other = self._assigned_lead(user=self.user_rep_2)
        with self.assertRaisesRegex(UserError, "not in the public pool"):
            own.with_user(self.user_rep).action_pool_claim()
        with self.assertRaisesRegex(AccessError, "cannot see these leads"):
            other.with_user(self.user_rep).action_pool_claim()
        self.assertEqual(other.user_id, self.user_rep_2)
        # Claimed by a colleague meanwhile: no error, "taken".
        pool_lead = self._pool_lead()
        pool_lead.with_user(self.user_rep_2).action_pool_claim()
        outcomes = pool_lead.with_user(self.user_rep)._pool_claim(self.user_rep)
        self.assertEqual(outcomes, {pool_lead.id: "taken"})

    # scheduled actions

    def test_scheduled_actions_are_not_for_reps(self):
        due = self._assigned_lead()
        for xmlid in (
            "lead_pool_policy.ir_cron_pool_recycle",
            "lead_pool_policy.ir_cron_pool_distribute",
            "lead_pool_policy.ir_cron_lead_scoring_refresh",
        ):
            cron = self.env.ref(xmlid)
            self.assertIn(self.env.ref("base.group_system"), cron.groups_id)
            with self.assertRaises(AccessError), self._clock("2026-04-01 09:00:00"):
                cron.ir_actions_server_id.with_user(self.user_rep).run()
        with self.assertRaisesRegex(AccessError, "scheduled actions"):
            self.env["crm.lead"].with_user(self.user_rep)._cron_pool_recycle()
        self.assertFalse(due.in_pool)
        # The scheduler still runs them (as OdooBot).
        cron = self.env.ref("lead_pool_policy.ir_cron_pool_recycle")
        with self._clock("2026-04-01 09:00:00"):
            cron.method_direct_trigger()
        self.assertTrue(due.in_pool)
        self.assertEqual(
            self._logs(due, "recycle").user_id, self.env.ref("base.user_root")
        )

    # scores and sources

    def test_engagement_points_and_source_statistics(self):
        lead = self._assigned_lead()
        event_type = self.env["crm.lead.engagement.type"].search([], limit=1)
        Event = self.env["crm.lead.engagement"].with_user(self.user_rep)
        with self.assertRaisesRegex(AccessError, "only sales managers"):
            Event.create(
                {"lead_id": lead.id, "type_id": event_type.id, "points": 100000}
            )
        event = Event.create({"lead_id": lead.id, "type_id": event_type.id})
        self.assertEqual(event.points, event_type.points)
        with self.assertRaisesRegex(AccessError, "only sales managers"):
            event.write({"points": 100000})
        self.assertEqual(event.points, event_type.points)
        manager_event = event.with_user(self.user_manager)
        manager_event.write({"points": 3})
        self.assertEqual(event.points, 3)
        source = self.env["utm.source"].create({"name": "Fair 2026"})
        for user in (self.user_rep, self.user_manager):
            with self.assertRaisesRegex(AccessError, "Source statistics"):
                source.with_user(user).write({"conversion_rate": 0.99})
        self.assertNotEqual(source.conversion_rate, 0.99)

    # deleting

    def test_delete_goes_to_pool_or_is_refused(self):
        lead = self._assigned_lead()
        lead.with_user(self.user_rep).unlink()
        self.assertTrue(lead.in_pool)
        self.assertEqual(self._logs(lead).mapped("event"), ["delete"])
        with self.assertRaisesRegex(
            AccessError, "cannot delete leads of the public pool"
        ):
            lead.with_user(self.user_rep).unlink()
        self.assertTrue(lead.exists())

    # wizards

    def test_text_where_a_number_is_expected(self):
        Settings = self.env["res.config.settings"].with_user(
            self.env.ref("base.user_admin")
        )
        with self.assertRaisesRegex(ValidationError, "expects a number"):
            Settings.create({"pool_claim_daily_limit": "five"})
        with self.assertRaisesRegex(ValidationError, "expects a number"):
            self.team.with_user(self.user_manager).write({"pool_uncontacted_days": "x"})
        with self.assertRaisesRegex(ValidationError, "expects a number"):
            self.company.write({"contact_target": "three"})
        self.assertEqual(self.company.pool_claim_daily_limit, 0)
        settings = Settings.create({"pool_claim_daily_limit": "4"})
        self.assertEqual(settings.pool_claim_daily_limit, 4)

    def test_wizards_refuse_missing_leads(self):
        missing = self.env["crm.lead"].search([], order="id desc", limit=1).id + 1000
        with self.assertRaisesRegex(UserError, "no longer exist"):
            self.env["crm.lead.pool.return"].with_user(self.user_rep).create(
                {"lead_ids": [(6, 0, [missing])]}
            )
        with self.assertRaisesRegex(UserError, "no longer exist"):
            self.env["crm.lead.pool.assign"].with_user(self.user_manager).create(
                {"lead_ids": [(6, 0, [missing])], "user_id": self.user_rep.id}
            )
        with self.assertRaisesRegex(UserError, "no longer exist"):
            self.env["crm.lead.contact.log"].with_user(self.user_rep).create(
                {"lead_id": missing}
            )

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


@tagged("post_install", "-at_install", "lead_pool_policy")
class TestPoolRpc(HttpCase, PoolCommon):
    """A few of the attempts through Odoo's real JSON-RPC."""

    def _call(self, model, method, *args, **kwargs):
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    def test_json_rpc(self):
        self.user_rep.sudo().password = "lpp-rep-password"
        lead = self._pool_lead(email_from="john.doe@example.com")
        self.company.pool_mask_contacts = True
        self.env.flush_all()
        self.authenticate("lpp_rep", "lpp-rep-password")
        for args in (
            ("write", [lead.id], {"user_id": self.user_rep.id}),
            ("write", [lead.id], {"in_pool": False}),
            ("copy", [lead.id]),
            ("create", [{"name": "Forged", "stage_id": self.pool_stage.id}]),
        ):
            with self.assertRaises(JsonRpcException) as caught:
                self._call("crm.lead", *args)
            self.assertEqual(str(caught.exception), "odoo.exceptions.AccessError")
        cron = self.env.ref("lead_pool_policy.ir_cron_pool_recycle")
        with self.assertRaises(JsonRpcException) as caught:
            self.make_jsonrpc_request(
                "/web/action/run", {"action_id": cron.ir_actions_server_id.id}
            )
        self.assertEqual(str(caught.exception), "odoo.exceptions.AccessError")
        groups = self._call(
            "crm.lead",
            "web_read_group",
            [("id", "=", lead.id)],
            ["email_from"],
            ["email_from"],
        )
        self.assertFalse(groups["groups"])
        [values] = self._call("crm.lead", "web_read", [lead.id], {"email_from": {}})
        self.assertEqual(values["email_from"], "j***@example.com")
        lead.invalidate_recordset()
        self.assertTrue(lead.in_pool)
        self.assertFalse(lead.user_id)
        self.assertEqual(self._logs(lead).mapped("event"), ["enter"])
