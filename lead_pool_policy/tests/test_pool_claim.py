# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import datetime

from markupsafe import Markup

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged
from odoo.tools import SQL, mute_logger

from odoo.addons.lead_pool_policy.models.crm_lead_pool_rank import POOL_RANK_INDEX
from odoo.addons.mail.tests.common import mail_new_test_user

from .common import PoolCommon


@tagged("post_install", "-at_install", "lead_pool_policy")
class TestPoolClaim(PoolCommon):
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

    def test_claim_flow(self):
        """A claim opens the lead, schedules the first call for today and
        says so in a whole sentence; a batch opens the claimed leads."""
        lead = self._pool_lead(name="Mekong Agri: ERP rollout")
        with self._clock("2026-03-10 09:00:00"):
            action = lead.with_user(self.user_rep).action_pool_claim()
        params = action["params"]
        self.assertEqual(
            params["message"],
            "Mekong Agri: ERP rollout is yours: first call due today.",
        )
        self.assertEqual(params["type"], "success")
        self.assertEqual(
            (params["next"]["res_model"], params["next"]["res_id"]),
            ("crm.lead", lead.id),
        )
        activity = lead.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.user_rep)
        self.assertEqual(
            activity.activity_type_id, self.env.ref("mail.mail_activity_data_call")
        )
        self.assertEqual(str(activity.date_deadline), "2026-03-10")
        self.assertIn("Claimed from the public pool", lead.message_ids[0].body)
        batch = self._pool_lead() | self._pool_lead()
        action = batch.with_user(self.user_rep).action_pool_claim()
        self.assertEqual(
            action["params"]["message"], "2 leads are yours: first calls due today."
        )
        self.assertEqual(action["params"]["next"]["domain"], [("id", "in", batch.ids)])
        self.assertEqual(len(batch.activity_ids), 2)

    def test_claim_messages(self):
        self.company.pool_claim_daily_limit = 1
        first, second = self._pool_lead(), self._pool_lead(name="Second")
        first.with_user(self.user_rep).action_pool_claim()
        action = second.with_user(self.user_rep).action_pool_claim()
        self.assertEqual(
            action["params"]["message"],
            "Daily claim limit reached (1 of 1): Second stays in the pool.",
        )
        self.assertEqual(action["params"]["type"], "warning")
        self.company.pool_claim_daily_limit = 0
        taken = self._pool_lead(name="Gone")
        taken.with_user(self.user_rep_2).action_pool_claim()
        outcomes = taken.with_user(self.user_rep)._pool_claim(self.user_rep)
        message = taken._pool_claim_notification(outcomes)["params"]["message"]
        self.assertEqual(message, "Gone was claimed by someone else just before.")
        wizard = (
            self.env["crm.lead.pool.assign"]
            .with_user(self.user_manager)
            .create({"lead_ids": [(6, 0, second.ids)], "user_id": self.user_rep_2.id})
        )
        message = wizard.action_assign()["params"]["message"]
        self.assertEqual(message, "Assigned Second to Ron Rep.")

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

    def test_moves_are_tracked_and_followed_by_crm_computes(self):
        """A pool move is seen by Odoo like any write: tracking values for
        owner and stage, and crm's probability recomputed for the new stage."""
        frequencies = self.env["crm.lead.scoring.frequency"]
        # crm reads its totals on the first shared stage.
        first_stage = self.env["crm.stage"].search(
            [("team_id", "=", False)], order="sequence, id", limit=1
        )
        for stage, won, lost in (
            (first_stage, 100, 100),
            (self.stage_qualified, 90, 10),
            (self.pool_stage, 10, 90),
        ):
            frequencies.create(
                {
                    "variable": "stage_id",
                    "value": str(stage.id),
                    "won_count": won,
                    "lost_count": lost,
                    "team_id": self.team.id,
                }
            )
        lead = self._assigned_lead(stage_id=self.stage_qualified.id)
        qualified = lead.automated_probability
        lead.sudo()._pool_enter("manager", "enter")
        self.assertLess(lead.automated_probability, qualified)
        self.assertEqual(lead.probability, lead.automated_probability)
        lead.with_user(self.user_rep_2).action_pool_claim()
        self.assertEqual(lead.stage_id, self.stage_qualified)
        self.assertEqual(lead.automated_probability, qualified)
        claim_note = lead.message_ids.filtered(
            lambda m: "Claimed from the public pool" in (m.body or "")
        )
        owner = claim_note.sudo().tracking_value_ids.filtered(
            lambda t: t.field_id.name == "user_id"
        )
        self.assertEqual(
            (owner.old_value_integer, owner.new_value_integer),
            (0, self.user_rep_2.id),
        )

    def test_move_history_is_what_odoo_writes(self):
        """A move writes its history in one statement; the rows are the ones
        Odoo's own API writes for the same change: the note as
        ``_message_log_batch``, the tracking values as ``_mail_track``."""
        lead = self._assigned_lead(stage_id=self.stage_qualified.id)
        owner, stage = lead.user_id, lead.stage_id
        lead.sudo()._pool_enter("manager", "enter")
        note = lead.message_ids.filtered(
            lambda m: "Returned to the public pool" in (m.body or "")
        ).sudo()
        reference = (
            lead.sudo()
            ._message_log_batch(
                bodies={
                    lead.id: Markup("<p>%s</p>")
                    % "Returned to the public pool: Moved by a manager."
                }
            )
            .sudo()
        )
        columns = [
            "model",
            "res_id",
            "body",
            "author_id",
            "email_from",
            "reply_to",
            "message_type",
            "subtype_id",
            "is_internal",
            "email_add_signature",
            "record_name",
            "record_company_id",
            "record_alias_domain_id",
        ]
        self.assertEqual(
            note.read(columns)[0] | {"id": 0}, reference.read(columns)[0] | {"id": 0}
        )
        tracked = lead.fields_get(
            ["user_id", "stage_id"], attributes=("string", "type", "selection")
        )
        _changes, commands = lead.sudo()._mail_track(
            tracked, {"user_id": owner, "stage_id": stage}
        )
        values = [
            "field_id",
            "old_value_integer",
            "old_value_char",
            "new_value_integer",
            "new_value_char",
        ]
        self.assertEqual(
            sorted(
                tuple(value.id if hasattr(value, "id") else value for value in row)
                for row in note.tracking_value_ids.mapped(
                    lambda t: tuple(t[fname] for fname in values)
                )
            ),
            sorted(
                tuple(command[2][fname] for fname in values) for command in commands
            ),
        )
        log = self.env["crm.lead.pool.log"].search(
            [("lead_id", "=", lead.id)], order="id desc", limit=1
        )
        self.assertEqual(
            (log.event, log.reason, log.user_id, log.owner_before_id, log.lead_name),
            ("enter", "manager", self.env.user, owner, lead.name),
        )
        self.assertEqual(
            (log.create_uid, log.team_id, log.company_id),
            (self.env.user, lead.team_id, lead.company_id),
        )

    def test_claim_needs_sales_rights(self):
        lead = self._pool_lead()
        employee = mail_new_test_user(
            self.env, login="lpp_employee", groups="base.group_user"
        )
        with self.assertRaises(AccessError):
            lead.with_user(employee).action_pool_claim()
        self.assertTrue(lead.in_pool)

    def test_next_best_reads_the_pool_index(self):
        """Claim Next Best Lead takes the pool's first lead in the index's
        order: no sort of the whole pool, whatever its size."""
        query = (
            self.env["crm.lead"]
            .with_user(self.user_rep)
            ._search([("in_pool", "=", True)], order="pool_rank desc, id", limit=1)
        )
        # What the planner would do on a large pool, on this small one.
        self.env.cr.execute("SET LOCAL enable_seqscan = off")
        self.env.cr.execute("SET LOCAL enable_sort = off")
        try:
            plan = "\n".join(
                row[0]
                for row in self.env.execute_query(
                    SQL("EXPLAIN %s FOR UPDATE OF crm_lead SKIP LOCKED", query.select())
                )
            )
        finally:
            self.env.cr.execute("RESET enable_seqscan; RESET enable_sort")
        self.assertIn(POOL_RANK_INDEX, plan)
        self.assertNotIn("Sort", plan)

    def test_claim_query_count_does_not_grow(self):
        small = self.env["crm.lead"]
        big = self.env["crm.lead"]
        for _i in range(3):
            small |= self._pool_lead()
        for _i in range(30):
            big |= self._pool_lead()
        self._pool_lead()._pool_claim(self.user_manager)  # warm the caches
        # The claim's whole work is counted: the move, its history, its
        # notes with tracking values, the claimer's first-contact activities
        # (and following the leads), and crm's computes that follow it
        # (probability, team), flushed inside the budget. Both claimers
        # follow none of the leads yet. crm's test world (TestCrmCommon) adds
        # two fixed queries to any lead change: predictive scoring reads the
        # first stage once per team with won/lost history (its won and lost
        # leads give sales_team_1 one), and its mail gateway's alias domain is
        # read for the notes. Neither depends on the number of leads claimed.
        self.env.flush_all()
        self.env.invalidate_all()
        with self.assertQueryCount(__system__=47):
            small._pool_claim(self.user_team_lead)
            self.env.flush_all()
        self.env.flush_all()
        self.env.invalidate_all()
        with self.assertQueryCount(__system__=47):
            big._pool_claim(self.user_rep_2)
            self.env.flush_all()
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
        wizard.reason_id = self.reason
        wizard.save().action_return()
        self.assertTrue(lead.in_pool)
        self.assertEqual(lead.pool_reason, "returned")
        log = self._logs(lead, "return")
        self.assertEqual(log.note, "Customer moved to a competitor's territory")
        self.assertEqual(log.user_id, self.user_rep)
        # The chatter tells the story: the reason and the note.
        note = lead.message_ids[0]
        self.assertIn("Returned to the public pool", note.body)
        self.assertIn(self.reason.name, note.body)
        self.assertIn("Customer moved to a competitor", note.body)

    def test_return_into_another_teams_pool(self):
        other = self.env["crm.team"].create(
            {"name": "Inside Sales", "company_id": self.company.id}
        )
        lead = self._assigned_lead()
        wizard = Form(
            self.env["crm.lead.pool.return"]
            .with_user(self.user_rep)
            .with_context(default_lead_ids=lead.ids)
        )
        self.assertEqual(wizard.team_id, self.team, "its own team's pool by default")
        wizard.team_id = other
        wizard.reason_id = self.reason
        wizard.save().action_return()
        self.assertTrue(lead.in_pool)
        self.assertEqual((lead.team_id, lead.stage_id), (other, self.pool_stage))
        log = self._logs(lead, "return")
        self.assertEqual((log.team_id, log.return_reason_id), (other, self.reason))
        # A team of another company is refused in words, and nothing moves.
        company_b, _rep = self._company_with_rep("lpp_rep_b_return")
        team_b = self.env["crm.team"].create(
            {"name": "Team B", "company_id": company_b.id}
        )
        kept = self._assigned_lead()
        with self.assertRaisesRegex(UserError, "choose a team of the leads' company"):
            kept._pool_return(team=team_b)
        self.assertFalse(kept.in_pool)
        self.assertEqual(kept.team_id, self.team)

    @mute_logger("odoo.models")
    def test_manager_moves_pool_leads_to_another_teams_pool(self):
        other = self.env["crm.team"].create(
            {"name": "Inside Sales", "company_id": self.company.id}
        )
        leads = self._pool_lead() | self._pool_lead()
        assigned = self._assigned_lead()
        with self.assertRaises(AccessError):
            leads.with_user(self.user_rep)._pool_move_to_team(other)
        with self.assertRaisesRegex(UserError, "Not in the public pool"):
            (leads | assigned).with_user(self.user_manager)._pool_move_to_team(other)
        action = leads.with_user(self.user_manager).action_pool_move()
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.user_manager)
            .with_context(**action["context"])
            .create({"team_id": other.id})
        )
        wizard.action_move()
        for lead in leads:
            self.assertEqual(
                (lead.team_id, lead.in_pool, lead.user_id),
                (other, True, self.env["res.users"]),
            )
            log = self._logs(lead, "move")
            self.assertEqual((log.team_id, log.user_id), (other, self.user_manager))
            self.assertTrue(
                lead.message_ids.filtered(
                    lambda m: "Moved to the public pool of Inside Sales" in m.body
                )
            )
        self.assertEqual(assigned.team_id, self.team)

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
        """Without delete-to-pool, salespeople delete nothing (as in crm)."""
        self.company.pool_delete_to_pool = False
        lead = self._assigned_lead(name="Kept lead")
        with self.assertRaisesRegex(AccessError, "Only sales managers delete leads"):
            lead.with_user(self.user_rep).unlink()
        self.assertTrue(lead.exists())
        self.assertEqual(lead.user_id, self.user_rep)
        self.assertFalse(lead.in_pool)
        self.assertFalse(self._logs(lead))

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
        # Odoo's quota: a day's share of the monthly capacity (60 / 30 = 2).
        members.write({"assignment_max": 60})
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
        self.assertEqual(assigned, 4, "two each: one run hands out a day's share")
        self.assertEqual(len(leads.filtered("in_pool")), 1)
        self.assertEqual(self.env["crm.lead"]._cron_pool_distribute(), 0)
