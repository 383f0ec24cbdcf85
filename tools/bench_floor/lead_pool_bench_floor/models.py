# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The contention benchmark's floor (``./dev bench --only contention
--floor``): the barest claim that is still correct under contention, so that
the benchmark can show what any claim costs next to a trivial read in the
same storm. Installed only in the benchmark's own copy of its database: its
methods claim for whoever calls them, by SQL, without the pool's policies,
access rules, history notes or crm's computes."""

import time

from odoo import api, models

CLAIM_NEXT = """
    SELECT id FROM crm_lead WHERE in_pool AND active
  ORDER BY pool_rank DESC, id LIMIT 1 FOR UPDATE SKIP LOCKED
"""
TAKE = """
    UPDATE crm_lead
       SET user_id = %(uid)s, in_pool = FALSE, pool_rank = NULL,
           stage_id = COALESCE(pool_previous_stage_id, stage_id),
           write_uid = %(uid)s, write_date = now() AT TIME ZONE 'UTC'
     WHERE id = %(lead)s AND in_pool
 RETURNING name
"""


class CrmLead(models.Model):
    _inherit = "crm.lead"

    @api.model
    def bench_floor_claim(self, lead_id, daily_limit, cpu_ms=0):
        """Claim ``lead_id``, or with None the best pool lead nobody is
        taking, with what no claim can do without: READ COMMITTED as the
        addon's claims, the claimer's lock, today's count, the lead locked
        and moved if still in the pool, its history row (what the benchmark
        checks). Returns the outcome.

        ``cpu_ms``: first spend that much of the worker's CPU time, the way a
        claim doing more work in Python would (``--floor-cpu-ms``)."""
        self._pool_read_committed()
        until = time.thread_time() + cpu_ms / 1000
        while time.thread_time() < until:
            pass
        cr, uid = self.env.cr, self.env.uid
        cr.execute("UPDATE res_users SET write_date = write_date WHERE id = %s", [uid])
        cr.execute(
            "SELECT COUNT(*) FROM crm_lead_pool_log"
            " WHERE event IN ('claim', 'assign') AND owner_after_id = %s"
            " AND date >= date_trunc('day', now() AT TIME ZONE 'UTC')",
            [uid],
        )
        if cr.fetchone()[0] >= daily_limit:
            return "daily_limit"
        if lead_id is None:
            cr.execute(CLAIM_NEXT)
            row = cr.fetchone()
            if not row:
                return "empty"
            lead_id = row[0]
        cr.execute(TAKE, {"uid": uid, "lead": lead_id})
        row = cr.fetchone()
        if not row:
            return "taken"
        cr.execute(
            "INSERT INTO crm_lead_pool_log"
            " (lead_id, lead_name, event, owner_after_id, user_id, date)"
            " VALUES (%s, %s, 'claim', %s, %s, now() AT TIME ZONE 'UTC')",
            [lead_id, row[0], uid, uid],
        )
        return "claimed"
