# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Claims under real parallel transactions.

These tests commit their own data through separate database connections (the
test transaction cannot be seen by other connections), run claims in parallel
threads, each on its own connection, and delete everything they created.
"""

import threading
import uuid
from contextlib import contextmanager
from functools import partial
from unittest.mock import patch

from odoo import SUPERUSER_ID, api
from odoo.service.model import retrying
from odoo.sql_db import db_connect
from odoo.tests import TransactionCase, tagged


# Their own tag: these tests commit (separate connections see each other's
# work) and clean up after themselves; `--test-tags lead_pool_policy` leaves
# them out.
@tagged(
    "post_install", "-at_install", "lead_pool_policy", "lead_pool_policy_concurrency"
)
class TestPoolConcurrency(TransactionCase):
    @contextmanager
    def _committed_env(self, uid=SUPERUSER_ID):
        cr = db_connect(self.env.cr.dbname).cursor()
        try:
            yield api.Environment(cr, uid, {})
            # Separate connections only see committed data: that is the point.
            cr.commit()  # pylint: disable=invalid-commit
        finally:
            cr.close()

    def setUp(self):
        super().setUp()
        tag = uuid.uuid4().hex[:8]
        with self._committed_env() as env:
            groups = env.ref("sales_team.group_sale_salesman")
            self.rep_ids = [
                env["res.users"]
                .with_context(no_reset_password=True)
                .create(
                    {
                        "name": f"Parallel Rep {i} {tag}",
                        "login": f"lpp_parallel_{i}_{tag}",
                        "groups_id": [
                            (6, 0, [env.ref("base.group_user").id, groups.id])
                        ],
                    }
                )
                .id
                for i in range(2)
            ]
            team = env["crm.team"].create(
                {
                    "name": f"Parallel team {tag}",
                    "pool_policy_own": True,
                    "pool_claim_daily_limit": 2,
                }
            )
            self.team_id = team.id
            leads = env["crm.lead"].create(
                [
                    {"name": f"Parallel lead {i} {tag}", "team_id": team.id}
                    for i in range(14)
                ]
            )
            leads._pool_enter("manager", "enter")
            self.lead_ids = leads.ids
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self._committed_env() as env:
            env["crm.lead.pool.log"].search(
                ["|", ("lead_id", "in", self.lead_ids), ("team_id", "=", self.team_id)]
            ).unlink()
            env.cr.execute(
                "DELETE FROM crm_lead WHERE id IN %s", [tuple(self.lead_ids)]
            )
            env["crm.lead.pool.log"].search([("team_id", "=", self.team_id)]).unlink()
            env["crm.team"].browse(self.team_id).unlink()
            users = env["res.users"].browse(self.rep_ids)
            partners = users.partner_id
            users.unlink()
            partners.unlink()

    def _claim_in_parallel(self, jobs, claim=None):
        """Run ``jobs`` [(user id, lead ids)] at the same moment, each in its
        own transaction, retried on serialization errors as Odoo's RPC layer
        does; returns their outcomes in order."""
        barrier = threading.Barrier(len(jobs))
        results = [None] * len(jobs)
        errors = []

        def claim_leads(env, lead_ids):
            return env["crm.lead"].browse(lead_ids)._pool_claim(env.user)

        claim = claim or claim_leads

        def run(index, uid, lead_ids):
            try:
                with self._committed_env(uid) as env:
                    env["crm.lead"].browse(lead_ids).mapped("name")  # a snapshot
                    barrier.wait(timeout=30)
                    # As Odoo's RPC layer does: retry on serialization errors.
                    results[index] = retrying(partial(claim, env, lead_ids), env)
            except Exception as error:  # noqa: BLE001 - reported by the main thread
                errors.append(error)

        threads = [
            threading.Thread(target=run, args=(index, uid, lead_ids))
            for index, (uid, lead_ids) in enumerate(jobs)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        self.assertFalse(errors, errors)
        return results

    def test_exactly_once(self):
        rep_a, rep_b = self.rep_ids
        # Two leads: neither rep can reach the team's daily limit of 2 here.
        for lead_id in self.lead_ids[:2]:
            outcomes = self._claim_in_parallel([(rep_a, [lead_id]), (rep_b, [lead_id])])
            values = sorted(result[lead_id] for result in outcomes)
            self.assertEqual(values, ["claimed", "taken"], "one wins, one is told")
            winner = rep_a if outcomes[0][lead_id] == "claimed" else rep_b
            with self._committed_env() as env:
                lead = env["crm.lead"].browse(lead_id)
                self.assertEqual(lead.user_id.id, winner)
                self.assertFalse(lead.in_pool)
                claims = env["crm.lead.pool.log"].search(
                    [("lead_id", "=", lead_id), ("event", "=", "claim")]
                )
                self.assertEqual(len(claims), 1)

    def test_claims_do_not_conflict(self):
        """Two salespeople clicking Claim on one lead at the same moment: one
        gets it, the other is told it is taken, and neither claim fails on a
        serialization conflict (no retry here, as none should be needed:
        each claim reads the lead again once the other releases it)."""
        rep_a, rep_b = self.rep_ids
        lead_id = self.lead_ids[2]

        def claim_once(env, lead_ids):
            outcomes = env["crm.lead"].browse(lead_ids).action_pool_claim()
            return outcomes["params"]["outcomes"]

        def no_retry(func, env):
            result = func()
            env.cr.commit()  # pylint: disable=invalid-commit
            return result

        with patch(f"{__name__}.retrying", no_retry):
            outcomes = self._claim_in_parallel(
                [(rep_a, [lead_id]), (rep_b, [lead_id])], claim_once
            )
        values = sorted(outcome[str(lead_id)] for outcome in outcomes)
        self.assertEqual(values, ["claimed", "taken"], "one wins, one is told")
        with self._committed_env() as env:
            claims = env["crm.lead.pool.log"].search_count(
                [("lead_id", "=", lead_id), ("event", "=", "claim")]
            )
            self.assertEqual(claims, 1)

    def test_daily_limit_across_tabs(self):
        rep_a = self.rep_ids[0]
        free = self.lead_ids[4:12]
        jobs = [(rep_a, free[i * 2 : i * 2 + 2]) for i in range(4)]
        results = self._claim_in_parallel(jobs)
        claimed = [
            lead_id
            for result in results
            for lead_id, outcome in result.items()
            if outcome == "claimed"
        ]
        self.assertEqual(len(claimed), 2, "the daily limit of 2 holds across tabs")
        refused = [o for result in results for o in result.values() if o != "claimed"]
        self.assertEqual(set(refused), {"daily_limit"})
        with self._committed_env() as env:
            owned = env["crm.lead"].search_count(
                [("id", "in", self.lead_ids), ("user_id", "=", rep_a)]
            )
            self.assertEqual(owned, 2)

    def test_next_best_in_parallel(self):
        """Parallel "next best" claims take different leads (the best ones)
        instead of queueing for the same one."""
        with self._committed_env() as env:
            # Scores as the refresh writes them: a pool lead's rank with it.
            env.cr.execute(
                "UPDATE crm_lead SET priority_score = 1000 + id,"
                " pool_rank = 1000 + id WHERE id IN %s",
                [tuple(self.lead_ids[12:])],
            )

        def claim_next(env, _lead_ids):
            return env["crm.lead"].action_pool_claim_next()["params"]["outcomes"]

        results = self._claim_in_parallel(
            [(uid, []) for uid in self.rep_ids], claim_next
        )
        claimed = {
            int(lead_id)
            for result in results
            for lead_id, outcome in result.items()
            if outcome == "claimed"
        }
        self.assertEqual(claimed, set(self.lead_ids[12:]), "one each, the two best")
