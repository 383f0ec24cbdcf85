# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The recycle job killed in the middle of a run (kill -9, as a server
restart or the out-of-memory killer does it), then run again: nothing lost,
doubled or left untold.

The job runs in a separate Odoo process on the test database, with its own
connection; the leads it works on are committed by a connection of this test
and removed at the end (the test database's other leads are never due here:
the pool's clocks start at the install)."""

import os
import signal
import subprocess
import sys
import textwrap

from odoo import SUPERUSER_ID, api, sql_db
from odoo.tests import BaseCase, tagged
from odoo.tools import config

LEADS = 30
BATCH = 10

# The job, in its own process: the real recycle cron, in batches of BATCH,
# saying on stdout when a batch has moved its leads and told their owners,
# then pausing before that batch commits (when the test kills it).
JOB = textwrap.dedent(
    """
    import sys, time
    import odoo
    from odoo import SUPERUSER_ID, api

    db, addons_path, batch = sys.argv[1], sys.argv[2], int(sys.argv[3])
    odoo.tools.config.parse_config(
        [f"--addons-path={addons_path}", "--log-level=warn"]
    )
    odoo.modules.module.initialize_sys_path()
    from odoo.addons.lead_pool_policy.models import crm_lead_pool_recycle as recycle
    recycle.POOL_BATCH_SIZE = batch
    notify = recycle.CrmLead._pool_notify_owners

    def notify_and_pause(self, by_owner):
        notify(self, by_owner)
        print("batch told", sum(map(len, by_owner.values())), flush=True)
        time.sleep(0.5)

    recycle.CrmLead._pool_notify_owners = notify_and_pause
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        print("recycled", env["crm.lead"]._cron_pool_recycle(), flush=True)
    """
)


@tagged("post_install", "-at_install", "lead_pool_policy")
class TestRecycleCrash(BaseCase):
    def setUp(self):
        super().setUp()
        self.dbname = sql_db.db_connect(config["db_name"]).dbname
        self.owner_id = self._committed(self._make_leads)
        self.addCleanup(self._committed, self._remove_leads)

    def _committed(self, function):
        """``function(env)`` on a connection of its own, committed."""
        with sql_db.db_connect(self.dbname).cursor() as cr:
            result = function(api.Environment(cr, SUPERUSER_ID, {}))
            cr.commit()  # pylint: disable=invalid-commit
        return result

    def _make_leads(self, env):
        owner = env.ref("base.user_admin")
        leads = env["crm.lead"].create(
            [
                {"name": f"Crash Lead {i:02d}", "type": "lead", "user_id": owner.id}
                for i in range(LEADS)
            ]
        )
        env.flush_all()
        # Due since yesterday (through the one column the job reads).
        env.cr.execute(
            "UPDATE crm_lead SET pool_recycle_deadline = "
            "(now() at time zone 'UTC') - interval '1 day' WHERE id IN %s",
            [tuple(leads.ids)],
        )
        self.lead_ids = leads.ids
        return owner.id

    def _remove_leads(self, env):
        leads = env["crm.lead"].with_context(active_test=False).browse(self.lead_ids)
        self._notifications(env).unlink()
        leads.exists().unlink()
        # Their history, the purge rows of the unlink among it.
        env["crm.lead.pool.log"].search(
            [("lead_name", "=like", "Crash Lead %")]
        ).unlink()

    def _notifications(self, env):
        owner = env["res.users"].browse(self.owner_id)
        return env["mail.message"].search(
            [
                ("model", "=", "res.partner"),
                ("res_id", "=", owner.partner_id.id),
                ("body", "ilike", "Crash Lead"),
            ]
        )

    def _run_job(self, kill_after_batches=None):
        """Run the job; kill -9 it while the batch after
        ``kill_after_batches`` committed ones is told but not committed."""
        job = subprocess.Popen(
            [
                sys.executable,
                "-c",
                JOB,
                self.dbname,
                config["addons_path"],
                str(BATCH),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        told = 0
        for line in job.stdout:
            told += line.startswith("batch told")
            if kill_after_batches is not None and told > kill_after_batches:
                os.kill(job.pid, signal.SIGKILL)
                break
        job.wait(timeout=300)
        return job.returncode

    def _state(self, env):
        """(names of the recycled leads, number of recycle rows of each
        lead, names told to their owner) after a run, checking on the way
        what must hold at any moment."""
        leads = env["crm.lead"].with_context(active_test=False).browse(self.lead_ids)
        for lead in leads:
            self.assertEqual(lead.in_pool, lead.stage_id.is_pool, lead.name)
            if lead.in_pool:
                self.assertFalse(lead.user_id, f"{lead.name}: a pool lead has no owner")
        rows = env["crm.lead.pool.log"].search(
            [("lead_id", "in", leads.ids), ("event", "=", "recycle")]
        )
        rows_by_name = {}
        for row in rows:
            rows_by_name[row.lead_id.name] = rows_by_name.get(row.lead_id.name, 0) + 1
        told = sorted(
            lead.name
            for message in self._notifications(env)
            for lead in leads
            if lead.name in message.body
        )
        return sorted(leads.filtered("in_pool").mapped("name")), rows_by_name, told

    def _check(self, count):
        """``count`` leads recycled, each with one history row and told to
        its owner once; the others untouched."""
        recycled, rows_by_name, told = self._committed(self._state)
        self.assertEqual(len(recycled), count)
        self.assertEqual(rows_by_name, dict.fromkeys(recycled, 1))
        self.assertEqual(told, recycled)

    def test_killed_mid_run_then_rerun(self):
        # Killed while its second batch is told but not committed: the first
        # batch is kept whole (moves, history, its owner told), the second
        # is rolled back whole.
        self.assertEqual(self._run_job(kill_after_batches=1), -signal.SIGKILL)
        self._check(BATCH)
        # The next run finishes the rest, recycling nothing twice and telling
        # each owner once per lead.
        self.assertEqual(self._run_job(), 0)
        self._check(LEADS)
