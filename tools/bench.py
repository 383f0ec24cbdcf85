"""Benchmarks of lead_pool_policy against hand-written SQL floors.

Run through ``./dev bench [--leads N] [--rounds R] [--only a,b,...] [--db NAME]``
(``--only`` picks among rescore, sources, recycle, segments, install,
contention, learn; all but learn by default). Nothing here is a test: it
prints figures and ratios and never fails on time. Each side of a comparison
starts from the same state (what it writes is reset outside the timing) and
the best of ``--rounds`` runs is kept.

In one process, on a database ``NAME`` (default ``lpp_bench``) with the addon
and no demo data, filled once with N generated leads (BANT answers, sources,
qualifications, one or two engagement events for a third of them):

- rescore: the refresh cron's full rescore (``crm.lead._rescore_all``) next to
  one hand-written UPDATE doing the same state change: fit (the shipped BANT
  rules), engagement (events decayed by the half-life, plus engagement rules:
  none shipped), lead score, temperature, nurture tier, source conversion rate
  and priority score, with the company's settings. Both run at the same
  instant (the engine's clock is pinned to the floor's), and every score
  column of every lead is compared;
- sources: the source conversion statistics (``utm.source``) next to the raw
  ``GROUP BY`` they need;
- recycle: the recycle cron (``crm.lead._cron_pool_recycle``) with a tenth of
  the leads past their deadline, next to one hand-written statement doing the
  same state change (pool stage, owner, bookkeeping, a pool log row, a chatter
  note and its tracking values of owner and stage per lead, with Odoo's
  author and audit columns) followed by what crm recomputes (its predictive
  probability, by crm's own batch function, and the prorated revenues, in one
  UPDATE); the moved leads' columns and history counts of both sides are
  compared, and the cron's peak memory is reported.

In subprocesses (tools/bench_install.py), the way an administrator installs
the addon (``-i lead_pool_policy --without-demo=all --stop-after-init``):

- install: a database with crm and N existing leads (owners among five reps,
  stages, sources, assignment dates over 500 days, opportunities, won and
  lost), built once as ``NAME_crm_N`` from the empty ``NAME_crm_0``, and
  copied (``CREATE DATABASE ... TEMPLATE``) to ``NAME_install`` for each
  measurement. Measured: the install on a copy of the empty crm database
  (baseline), the install on a copy with the leads, and a hand-written SQL
  floor on another copy (the addon's lead columns added and filled: BANT not
  asked, scores, source rates and statistics, recycle deadlines with the
  install grace, indexes). Reports the time beyond the empty install, its
  ratio to the floor, the install process's peak memory, and whether the
  install leaves the leads in the floor's state (same values in every addon
  column; how many recycle clocks start before the install).

Segments and escalations (tools/bench_segments.py, ``--only segments
[--escalations N]``): deadline recomputation and the recycle cron with three
recycle-days-by-segment lines, and a night of N escalations (default
100,000), each next to its floor.

The upgrade (tools/bench_upgrade.py, ``--only upgrade [--from-tag T]``): the
previous release (a git tag) installed on crm with N leads and given a pool
history by its own code, then ``-u lead_pool_policy`` with the current code,
next to crm's own ``-u crm`` on the same leads; time, peak memory, and
whether every lead, score, deadline and history row is kept.

The learner (tools/bench_learn.py, ``--only learn [--closed N] [--fresh M]``):
closed leads drawn from a known model, the rules' points set equal and wrong,
then the expected AUC of fresh leads ranked by ``priority_score`` before and
after learning, next to Odoo's predictive scoring over the same fields and the
oracle; the learning's time and peak memory.

Against a real server (tools/bench_contention.py):

- contention: Odoo with ``--workers`` workers (default 4, no cron thread) on
  127.0.0.1:``--port`` (default 8170; the next port for its websocket process,
  replaced by an idle stand-in since no client opens a websocket) and
  ``NAME_contention``, a fresh copy of ``NAME_pool`` (the addon, no demo
  data): ``--reps`` salespeople (default 20) with passwords, a pool of
  ``--pool`` leads (default 1,000) sent there by the addon itself, and a daily
  claim limit (``--daily-limit``, default 30). Each rep, in its own thread and
  session (``/web/session/authenticate``), calls ``action_pool_claim_next``,
  every other round ``action_pool_claim`` on a random pool lead (collisions),
  and a one-lead ``web_read``, for ``--seconds`` (default 30). Reports double
  claims, limit violations, errors shown to users (JSON-RPC errors), claims/s,
  claim latency p50/p95 and the p95 of the trivial read under the same load
  (and on the idle server), and Odoo's retries of conflicting transactions.
  The server is always stopped; the database is dropped unless ``--keep``.
  ``--floor``: the same storm again, on a copy with the bench-only addon
  ``tools/bench_floor/lead_pool_bench_floor`` installed, the reps calling its
  bare claim (the claimer's lock, today's count, the move and a history row,
  by SQL, none of the pool's rules): what any claim costs next to the trivial
  read in that storm, reported next to the addon's ratio. ``--floor-cpu-ms
  N`` makes each bare claim first spend N ms of the worker's CPU, as a claim
  doing that much more work in Python would: what a claim may cost and still
  stay within a ratio.
"""

import argparse
import os
import sys
import time
from unittest import mock

from bench_pg import SHIPPED_FIT_SQL, is_generated, mark_generated, vacuum

SHIPPED_RULES = {
    ("fit", "[]", None, 0),
    ("fit", "bant_budget", "approved", 25),
    ("fit", "bant_budget", "planned", 12),
    ("fit", "bant_budget", "none", -10),
    ("fit", "bant_authority", "decision_maker", 25),
    ("fit", "bant_authority", "influencer", 12),
    ("fit", "bant_authority", "user", 3),
    ("fit", "bant_need", "confirmed", 30),
    ("fit", "bant_need", "latent", 10),
    ("fit", "bant_need", "none", -30),
    ("fit", "bant_timeline", "within_3_months", 20),
    ("fit", "bant_timeline", "within_6_months", 10),
    ("fit", "bant_timeline", "later", 0),
}


def score_columns():
    """The score columns the engine writes (the addon's own list; importable
    once the registry is loaded)."""
    from odoo.addons.lead_pool_policy.models.crm_lead_scoring import SCORE_FIELDS

    return SCORE_FIELDS


# Bump when generate() changes: the cached bench database is refilled.
GENERATOR_VERSION = "2"
GENERATOR_KEY = "lpp_bench.generated"


def generate(cr, leads):
    """Bring the database to exactly ``leads`` generated leads; returns
    whether it generated them."""
    if is_generated(cr, GENERATOR_KEY, GENERATOR_VERSION, "bench ", leads):
        return False
    print(f"bench: generating {leads:,} leads", flush=True)
    cr.execute("DELETE FROM crm_lead_pool_log")
    cr.execute("DELETE FROM crm_lead WHERE name LIKE 'bench %%'")
    cr.execute("DELETE FROM utm_source WHERE name LIKE 'bench source %%'")
    cr.execute(
        """
        INSERT INTO utm_source (name, create_uid, write_uid, create_date, write_date)
        SELECT 'bench source ' || i, 1, 1,
               now() at time zone 'utc', now() at time zone 'utc'
          FROM generate_series(1, 50) i
        """
    )
    cr.execute("SELECT id FROM utm_source WHERE name LIKE 'bench source %%'")
    sources = [row[0] for row in cr.fetchall()]
    cr.execute("SELECT id FROM res_company ORDER BY id LIMIT 1")
    company_id = cr.fetchone()[0]
    cr.execute(
        """
        INSERT INTO crm_lead (name, type, active, company_id, user_id, source_id,
                              bant_budget, bant_authority, bant_need, bant_timeline,
                              bant_met_count, contact_count, probability,
                              date_conversion,
                              create_uid, write_uid, create_date, write_date)
        SELECT 'bench ' || i,
               CASE WHEN i %% 5 = 0 THEN 'opportunity' ELSE 'lead' END,
               i %% 13 <> 0, %(company)s, NULL,
               CASE WHEN i %% 11 = 0 THEN NULL
                    ELSE (%(sources)s::int[])
                         [1 + (i * 7) %% array_length(%(sources)s::int[], 1)] END,
               (ARRAY['unknown','none','planned','approved'])[1 + i %% 4],
               (ARRAY['unknown','user','influencer','decision_maker'])
                   [1 + (i / 4) %% 4],
               (ARRAY['unknown','none','latent','confirmed'])[1 + (i / 16) %% 4],
               (ARRAY['unknown','later','within_6_months','within_3_months'])
                   [1 + (i / 64) %% 4],
               0, 0, 10,
               -- Sources convert at different rates.
               CASE WHEN (i * 7) %% 50 < (i %% 7) * 4
                    THEN now() at time zone 'utc' - (i %% 400) * interval '1 day'
               END,
               1, 1,
               now() at time zone 'utc' - (i %% 400) * interval '1 day',
               now() at time zone 'utc'
          FROM generate_series(1, %(leads)s) i
        """,
        {"company": company_id, "sources": sources, "leads": leads},
    )
    cr.execute(
        """
        UPDATE crm_lead SET bant_met_count =
              (bant_budget = 'approved')::int + (bant_authority = 'decision_maker')::int
            + (bant_need = 'confirmed')::int + (bant_timeline = 'within_3_months')::int
         WHERE name LIKE 'bench %%'
        """
    )
    cr.execute("SELECT id FROM crm_lead_engagement_type WHERE active ORDER BY id")
    types = [row[0] for row in cr.fetchall()]
    # A third of the leads have an event, a sixth a second one, over 90 days.
    cr.execute(
        """
        INSERT INTO crm_lead_engagement (lead_id, type_id, date, points, company_id,
                                         create_uid, write_uid, create_date, write_date)
        SELECT l.id, type.id,
               now() at time zone 'utc' - ((l.id * n) %% 90) * interval '1 day'
                   - (l.id %% 1440) * interval '1 minute',
               type.points, l.company_id, 1, 1,
               now() at time zone 'utc', now() at time zone 'utc'
          FROM crm_lead l
    CROSS JOIN generate_series(1, 2) n
          JOIN crm_lead_engagement_type type
            ON type.id = (%(types)s::int[])
                         [1 + (l.id / n) %% array_length(%(types)s::int[], 1)]
         WHERE l.name LIKE 'bench %%' AND l.id %% 3 = 0 AND (n = 1 OR l.id %% 6 = 0)
        """,
        {"types": types},
    )
    # The qualification the events give (SQL over PQL over MQL).
    cr.execute(
        """
        UPDATE crm_lead l SET qualification = best.qualification
          FROM (SELECT DISTINCT ON (e.lead_id) e.lead_id, t.qualification
                  FROM crm_lead_engagement e
                  JOIN crm_lead_engagement_type t ON t.id = e.type_id
                 WHERE t.qualification IS NOT NULL
              ORDER BY e.lead_id,
                       array_position(ARRAY['sql', 'pql', 'mql'],
                                      t.qualification::text)) best
         WHERE best.lead_id = l.id
        """
    )
    mark_generated(cr, GENERATOR_KEY, GENERATOR_VERSION)
    cr.execute("ANALYZE crm_lead")
    cr.execute("ANALYZE crm_lead_engagement")
    return True


def best_of(rounds, reset, run):
    timings = []
    result = None
    for _i in range(rounds):
        reset()
        start = time.perf_counter()
        result = run()
        timings.append(time.perf_counter() - start)
    return min(timings), result


def check_rules(env):
    """Warn when the active rules are not the shipped ones (the floor only
    knows those)."""
    found = set()
    for rule in env["crm.lead.scoring.rule"].search([]):
        domain = rule._get_lead_domain()
        if rule.domain.strip() == "[]":
            found.add((rule.category, "[]", None, rule.points))
        elif len(domain) == 1 and domain[0][1] == "=":
            found.add((rule.category, domain[0][0], domain[0][2], rule.points))
        else:
            found.add((rule.category, str(domain), None, rule.points))
    if found != SHIPPED_RULES:
        print(
            "bench: warning: the active scoring rules are not the shipped ones; "
            "the rescore floor computes the shipped ones only"
        )


def rescore_floor_sql(company, now):
    """One UPDATE giving every lead the scores ``_rescore_all`` gives it."""
    return (
        f"""
        UPDATE crm_lead lead
           SET fit_score = s.fit,
               engagement_score = s.engagement,
               lead_score = s.score,
               temperature = CASE WHEN s.bant_met_count = 4 THEN 'hot'
                                  WHEN s.bant_need = 'none' THEN 'cold'
                                  WHEN s.score >= %(hot)s THEN 'hot'
                                  WHEN s.score < %(warm)s THEN 'cold'
                                  ELSE 'warm' END,
               nurture_tier = CASE WHEN s.qualification = 'mql' THEN
                                  CASE WHEN s.score >= %(hot)s THEN 'top'
                                       WHEN s.score >= %(warm)s THEN 'middle'
                                       ELSE 'low' END END,
               source_conversion_rate = s.rate,
               priority_score = LEAST(100, GREATEST(0, ROUND((%(lead_weight)s
                   * s.score + (1 - %(lead_weight)s) * s.rate * 100)::numeric, 1)))
          FROM (
            SELECT e.*,
                   FLOOR(%(fit_weight)s * e.fit + (1 - %(fit_weight)s) * e.engagement
                         + 0.5)::int AS score
              FROM (
                SELECT l.id, l.bant_met_count, l.bant_need, l.qualification,
                       {SHIPPED_FIT_SQL} AS fit,
                       -- No engagement rule is shipped: events only.
                       LEAST(100, GREATEST(0, FLOOR(COALESCE(ev.points, 0) + 0
                                                    + 0.5)))::int AS engagement,
                       COALESCE((src.conversion_rate->>%(company_key)s)::float,
                                %(company_rate)s) AS rate
                  FROM crm_lead l
             LEFT JOIN (SELECT lead_id,
                               SUM(points * POWER(0.5, GREATEST(EXTRACT(EPOCH FROM
                                   (%(now)s - date)), 0) / 86400.0 / %(half_life)s))
                                   AS points
                          FROM crm_lead_engagement
                      GROUP BY lead_id) ev ON ev.lead_id = l.id
             LEFT JOIN utm_source src ON src.id = l.source_id
              ) e
          ) s
         WHERE lead.id = s.id
        """,
        {
            "now": now,
            "hot": company.score_hot_threshold,
            "warm": company.score_warm_threshold,
            "fit_weight": company.score_fit_weight / 100.0,
            "lead_weight": company.priority_lead_score_weight / 100.0,
            "half_life": company.engagement_half_life_days,
            "company_rate": company.lead_conversion_rate,
            "company_key": str(company.id),
        },
    )


def bench_rescore(env, rounds):
    from odoo import fields

    cr = env.cr
    Lead = env["crm.lead"]
    company = env.company
    check_rules(env)
    if company.score_sync_priority:
        print("bench: warning: stars follow temperature; the floor leaves them")
    cr.execute("SELECT COUNT(DISTINCT COALESCE(company_id, 0)) FROM crm_lead")
    if cr.fetchone()[0] > 1:
        print("bench: warning: several companies; the floor uses one's settings")
    # One instant for both sides: time decay makes the scores depend on it.
    now = datetime_now().replace(microsecond=0)
    columns = ", ".join(score_columns())

    def reset():
        cr.execute(
            "UPDATE crm_lead SET fit_score = 0, engagement_score = 0, lead_score = 0, "
            "temperature = NULL, nurture_tier = NULL, priority_score = 0, "
            "source_conversion_rate = 0"
        )
        cr.commit()
        env.invalidate_all()

    query, params = rescore_floor_sql(company, now)

    def floor():
        cr.execute(query, params)
        cr.commit()

    floor_time, _r = best_of(rounds, reset, floor)
    cr.execute("DROP TABLE IF EXISTS lpph_rescore_floor")
    cr.execute(
        f"CREATE TEMP TABLE lpph_rescore_floor AS SELECT id, {columns} FROM crm_lead"
    )
    cr.commit()

    from odoo.addons.lead_pool_policy.models.crm_lead_scoring import (
        RESCORE_CRON_BATCH_SIZE,
    )

    def engine():
        # As the refresh job runs it: batches of 5,000, each committed in
        # READ COMMITTED, locking only the leads that change.
        with mock.patch.object(fields.Datetime, "now", return_value=now):
            changed = Lead._rescore_all(
                commit=True, batch_size=RESCORE_CRON_BATCH_SIZE, skip_locked=True
            )
        cr.commit()
        return changed

    engine_time, changed = best_of(rounds, reset, engine)
    left = ", ".join(f"l.{col}" for col in score_columns())
    right = ", ".join(f"f.{col}" for col in score_columns())
    by_column = ", ".join(
        f"COUNT(*) FILTER (WHERE l.{col} IS DISTINCT FROM f.{col})"
        for col in score_columns()
    )
    cr.execute(
        f"""
        SELECT COUNT(*) FILTER (WHERE ({left}) IS DISTINCT FROM ({right})),
               {by_column}
          FROM crm_lead l FULL JOIN lpph_rescore_floor f ON f.id = l.id
        """
    )
    row = cr.fetchone()
    cr.execute("DROP TABLE lpph_rescore_floor")
    cr.commit()
    mismatches = {col: count for col, count in zip(score_columns(), row[1:]) if count}
    return floor_time, engine_time, changed, row[0], mismatches


def bench_sources(env, rounds):
    cr = env.cr
    Source = env["utm.source"]
    company = env.company

    def reset():
        cr.execute("UPDATE utm_source SET lead_count = NULL, converted_count = NULL")
        cr.commit()
        env.invalidate_all()

    def floor():
        cr.execute(
            """
            SELECT source_id, COUNT(*),
                   COUNT(*) FILTER (WHERE date_conversion IS NOT NULL
                                       OR type = 'opportunity')
              FROM crm_lead
             WHERE create_date >= (now() at time zone 'utc') - %s * interval '1 day'
          GROUP BY source_id
            """,
            [company.source_window_days],
        )
        return cr.fetchall()

    floor_time, _r = best_of(rounds, reset, floor)

    def engine():
        Source._update_conversion_stats()
        cr.commit()

    engine_time, _r = best_of(rounds, reset, engine)
    return floor_time, engine_time


def bench_recycle(env, rounds):
    import resource

    from odoo.addons.lead_pool_policy.models.crm_lead_pool_recycle import (
        POOL_BATCH_SIZE,
    )

    cr = env.cr
    Lead = env["crm.lead"]
    pool_stage = env.ref("lead_pool_policy.crm_stage_pool").id
    cr.execute(
        "SELECT id FROM crm_stage WHERE NOT COALESCE(is_pool, FALSE) "
        "ORDER BY sequence LIMIT 1"
    )
    open_stage = cr.fetchone()[0]
    note_subtype = env.ref("mail.mt_note").id
    company = env.company
    days = company.pool_uncontacted_days
    warn = company.pool_warning_days

    def reset():
        # Every bench lead assigned; one in ten past its deadline, the others
        # well before their warning window. Their probabilities and prorated
        # revenues as crm keeps them (a probability of 10 %, automated).
        cr.execute("DELETE FROM crm_lead_pool_log")
        cr.execute(
            "DELETE FROM mail_message WHERE model = 'crm.lead' "
            "AND message_type = 'notification' AND body LIKE '%%public pool%%'"
        )
        cr.execute(
            """
            UPDATE crm_lead
               SET user_id = 2, stage_id = %(stage)s, in_pool = FALSE, active = TRUE,
                   pool_rank = NULL,
                   type = 'lead', pool_reason = NULL, pool_entry_date = NULL,
                   pool_previous_user_id = NULL, pool_previous_stage_id = NULL,
                   pool_recycle_count = 0, pool_warned_deadline = NULL,
                   first_contact_date = NULL, last_contact_date = NULL,
                   probability = 10, automated_probability = 10,
                   prorated_revenue = COALESCE(expected_revenue, 0) * 0.1,
                   recurring_revenue_prorated = COALESCE(recurring_revenue, 0) * 0.1,
                   recurring_revenue_monthly_prorated =
                       COALESCE(recurring_revenue_monthly, 0) * 0.1,
                   day_open = NULL,
                   date_open = (now() at time zone 'utc') - CASE WHEN id %% 10 = 0
                       THEN (%(days)s + 1) * interval '1 day'
                       ELSE interval '0 days' END
             WHERE name LIKE 'bench %%'
            """,
            {"stage": open_stage, "days": days},
        )
        # A policy in force long before the bench's assignments: no grace
        # (install, rule switched on, tightening) holds a deadline back.
        cr.execute(
            "UPDATE res_company SET pool_uncontacted_start = NULL,"
            " pool_unconverted_start = NULL, pool_stale_start = NULL,"
            " pool_grace_date = NULL"
        )
        env.invalidate_all()
        Lead._update_pool_deadlines()
        cr.commit()
        vacuum(cr.dbname, "crm_lead", "crm_lead_pool_log", "mail_message")

    cr.execute(
        "SELECT name, id FROM ir_model_fields WHERE model = 'crm.lead'"
        " AND name IN ('user_id', 'stage_id')"
    )
    tracked = dict(cr.fetchall())

    def floor():
        # The same state change as the cron: leads moved, a history row, a
        # chatter note per lead, and its two tracking values (owner, stage),
        # with the author and audit columns Odoo gives every row;
        # then what crm recomputes after a change of stage and owner: the
        # predictive probability (crm's own batch computation, written as its
        # probability cron writes it) and the prorated revenues.
        # The planner cannot estimate the CTEs' rows and would join the notes
        # to the moved leads by nested loops (quadratic: hours at 1,000,000
        # leads); the floor is the best plan of this statement, by hash joins.
        now = datetime_now()
        cr.execute("SET LOCAL enable_nestloop = off")
        cr.execute(
            """
            WITH moved AS (
                UPDATE crm_lead lead
                   SET pool_previous_user_id = old.user_id,
                       pool_previous_stage_id = old.stage_id,
                       user_id = NULL, stage_id = %(pool)s, in_pool = TRUE,
                       pool_rank = old.priority_score,
                       date_open = NULL, day_open = 0, pool_entry_date = %(now)s,
                       date_last_stage_update = %(now)s,
                       pool_reason = old.pool_recycle_rule,
                       pool_recycle_count = old.pool_recycle_count + 1,
                       pool_recycle_deadline = NULL, pool_recycle_rule = NULL,
                       write_uid = 1, write_date = %(now)s
                  FROM crm_lead old
                 WHERE old.id = lead.id AND old.pool_recycle_deadline <= %(now)s
                   AND old.user_id IS NOT NULL AND NOT old.in_pool
             RETURNING lead.id, lead.name, old.user_id, old.stage_id, lead.team_id,
                       lead.company_id
            ), logged AS (
                INSERT INTO crm_lead_pool_log (date, lead_id, lead_name, event, reason,
                                               owner_before_id, team_id, company_id,
                                               user_id, create_uid, create_date,
                                               write_uid, write_date)
                SELECT %(now)s, id, name, 'recycle', 'uncontacted', user_id, team_id,
                       company_id, 1, 1, %(now)s, 1, %(now)s FROM moved
            ), noted AS (
                INSERT INTO mail_message (model, res_id, message_type, subtype_id,
                                          is_internal, date, body, author_id,
                                          email_from, reply_to, message_id,
                                          email_add_signature, create_uid,
                                          create_date, write_uid, write_date)
                SELECT 'crm.lead', moved.id, 'notification', %(subtype)s, TRUE, %(now)s,
                       '<p>Returned to the public pool: Not contacted in time.</p>',
                       bot.id, bot.email, bot.email, '<bench-message-notify>', FALSE,
                       1, %(now)s, 1, %(now)s
                  FROM moved, res_partner bot WHERE bot.id = %(bot)s
             RETURNING id, res_id
            ), tracked AS (
                INSERT INTO mail_tracking_value (field_id, mail_message_id,
                                                 old_value_integer, old_value_char,
                                                 new_value_integer, new_value_char,
                                                 create_uid, create_date, write_uid,
                                                 write_date)
                SELECT %(user_field)s, noted.id, moved.user_id, partner.name, 0, '',
                       1, %(now)s, 1, %(now)s
                  FROM noted
                  JOIN moved ON moved.id = noted.res_id
                  JOIN res_users owner ON owner.id = moved.user_id
                  JOIN res_partner partner ON partner.id = owner.partner_id
                UNION ALL
                SELECT %(stage_field)s, noted.id, moved.stage_id,
                       stage.name->>'en_US', %(pool)s, pool.name->>'en_US',
                       1, %(now)s, 1, %(now)s
                  FROM noted
                  JOIN moved ON moved.id = noted.res_id
                  JOIN crm_stage stage ON stage.id = moved.stage_id
                  JOIN crm_stage pool ON pool.id = %(pool)s
            )
            SELECT id FROM moved
            """,
            {
                "pool": pool_stage,
                "now": now,
                "subtype": note_subtype,
                "user_field": tracked["user_id"],
                "stage_field": tracked["stage_id"],
                "bot": env.ref("base.partner_root").id,
            },
        )
        moved_ids = sorted(row[0] for row in cr.fetchall())
        # By the cron's batches: crm's naive Bayes reads the variables of the
        # leads it is given, so other batches would give a few leads other
        # values.
        probabilities = {}
        for start in range(0, len(moved_ids), POOL_BATCH_SIZE):
            batch = Lead.browse(moved_ids[start : start + POOL_BATCH_SIZE])
            probabilities.update(batch._pls_get_naive_bayes_probabilities())
            env.invalidate_all()
        cr.execute(
            """
            UPDATE crm_lead lead
               SET automated_probability = new.value,
                   probability = new.probability,
                   prorated_revenue = COALESCE(lead.expected_revenue, 0)
                                      * new.probability::numeric / 100,
                   recurring_revenue_prorated = COALESCE(lead.recurring_revenue, 0)
                                                * new.probability::numeric / 100,
                   recurring_revenue_monthly_prorated = COALESCE(
                       lead.recurring_revenue_monthly, 0)
                       * new.probability::numeric / 100
              FROM (SELECT p.id, p.value,
                           CASE WHEN l.probability = l.automated_probability
                                THEN p.value ELSE l.probability END AS probability
                      FROM unnest(%s::int[], %s::float8[]) AS p(id, value)
                      JOIN crm_lead l ON l.id = p.id) new
             WHERE lead.id = new.id
            """,
            (list(probabilities), list(probabilities.values())),
        )
        cr.commit()

    def engine():
        return Lead._cron_pool_recycle()

    # The engine first: the process's peak memory is then the cron's.
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    engine_time, moved = best_of(rounds, reset, engine)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cr.execute("SELECT COUNT(*) FROM crm_lead_pool_log WHERE event = 'recycle'")
    logged = cr.fetchone()[0]
    engine_state = recycle_state(cr)
    env.invalidate_all()

    floor_time, _r = best_of(rounds, reset, floor)
    cr.execute("SELECT COUNT(*) FROM crm_lead WHERE in_pool AND name LIKE 'bench %%'")
    floor_moved = cr.fetchone()[0]
    floor_state = recycle_state(cr)
    differ = {
        column: sum(
            1
            for lead_id, values in floor_state["leads"].items()
            if engine_state["leads"].get(lead_id, {}).get(column) != values[column]
        )
        for column in RECYCLE_STATE_COLUMNS
    }
    differ = {column: count for column, count in differ.items() if count}
    counts = {
        key: (floor_state[key], engine_state[key])
        for key in ("logs", "notes", "tracking_values")
    }
    return (
        floor_time,
        engine_time,
        floor_moved,
        moved,
        logged,
        before,
        peak,
        warn,
        differ,
        counts,
    )


# The lead columns a recycle changes, compared between floor and engine.
RECYCLE_STATE_COLUMNS = (
    "user_id",
    "stage_id",
    "in_pool",
    "pool_rank",
    "date_open",
    "day_open",
    "team_id",
    "company_id",
    "pool_previous_user_id",
    "pool_previous_stage_id",
    "pool_reason",
    "pool_recycle_count",
    "pool_recycle_deadline",
    "pool_recycle_rule",
    "probability",
    "automated_probability",
    "prorated_revenue",
    "recurring_revenue_prorated",
    "recurring_revenue_monthly_prorated",
)


def recycle_state(cr):
    """The moved bench leads' columns, and how many history rows they have."""
    cr.execute(
        "SELECT id, {} FROM crm_lead WHERE in_pool AND name LIKE 'bench %%'".format(
            ", ".join(RECYCLE_STATE_COLUMNS)
        )
    )
    leads = {
        row[0]: dict(zip(RECYCLE_STATE_COLUMNS, row[1:], strict=True))
        for row in cr.fetchall()
    }
    cr.execute("SELECT COUNT(*) FROM crm_lead_pool_log")
    logs = cr.fetchone()[0]
    # By ids, through the indexes: a LIKE's misestimate would join the
    # tracking values by nested loops.
    cr.execute(
        "SELECT id FROM mail_message WHERE model = 'crm.lead' AND res_id = ANY(%s)"
        " AND message_type = 'notification' AND body LIKE '%%public pool%%'",
        [list(leads)],
    )
    note_ids = [row[0] for row in cr.fetchall()]
    notes = len(note_ids)
    cr.execute(
        "SELECT COUNT(*) FROM mail_tracking_value WHERE mail_message_id = ANY(%s)",
        [note_ids],
    )
    tracking_values = cr.fetchone()[0]
    return {
        "leads": leads,
        "logs": logs,
        "notes": notes,
        "tracking_values": tracking_values,
    }


def datetime_now():
    import datetime

    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--db", default="lpp_bench")
    parser.add_argument("--leads", type=int, default=100000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--only", default="rescore,sources,recycle,segments,install,contention"
    )
    parser.add_argument("--escalations", type=int, default=100000)
    learn = parser.add_argument_group("learn")
    learn.add_argument("--closed", type=int, default=1000000)
    learn.add_argument("--fresh", type=int, default=100000)
    upgrade = parser.add_argument_group("upgrade")
    upgrade.add_argument(
        "--from-tag",
        help="the release to upgrade from (default: the newest tag of an older "
        "version)",
    )
    contention = parser.add_argument_group("contention")
    contention.add_argument("--port", type=int, default=8170)
    contention.add_argument("--workers", type=int, default=4)
    contention.add_argument("--reps", type=int, default=20)
    contention.add_argument("--pool", type=int, default=1000)
    contention.add_argument("--daily-limit", type=int, default=30)
    contention.add_argument("--seconds", type=float, default=30)
    contention.add_argument("--max-rounds", type=int, default=200)
    contention.add_argument(
        "--keep", action="store_true", help="keep the contention database"
    )
    contention.add_argument(
        "--servers",
        type=int,
        default=1,
        help="separate Odoo server processes on the one database (ports two "
        "apart from --port), the reps spread over them",
    )
    contention.add_argument(
        "--floor",
        action="store_true",
        help="run the storm again on a copy where the reps claim with a bare "
        "SQL claim (tools/bench_floor), and report its ratio next to the addon's",
    )
    contention.add_argument(
        "--floor-cpu-ms",
        type=float,
        default=0,
        help="with --floor: each bare claim first spends this many ms of the "
        "worker's CPU, as a claim doing more work would",
    )
    contention.add_argument(
        "--with-jobs",
        action="store_true",
        help="an administrator re-runs the score refresh, the recycle and the "
        "distribution during the storm, changing the fit weight each time",
    )
    args = parser.parse_args()
    os.environ.setdefault("TZ", "UTC")
    only = set(args.only.split(","))
    unknown = only - {
        "rescore",
        "sources",
        "recycle",
        "segments",
        "install",
        "contention",
        "learn",
        "upgrade",
    }
    if unknown:
        parser.error(f"unknown benchmark: {', '.join(sorted(unknown))}")
    if args.floor_cpu_ms and not args.floor:
        parser.error("--floor-cpu-ms spends CPU in the floor's claims: add --floor")
    if args.floor_cpu_ms < 0:
        parser.error("--floor-cpu-ms cannot be negative")

    from odoo.tools import config

    config.parse_config([f"--addons-path={args.addons_path}", "--log-level=warn"])
    if only & {"rescore", "sources", "recycle", "segments"}:
        in_process(args, only)
    if "install" in only:
        from bench_install import bench_install, report_install

        report_install(args, bench_install(args))
    if "contention" in only:
        from bench_contention import bench_contention, report_contention, report_floor

        result = bench_contention(args)
        report_contention(args, result)
        if args.floor:
            report_floor(args, result, bench_contention(args, floor=True))
    if "learn" in only:
        from bench_learn import bench_learn, report_learn

        report_learn(args, bench_learn(args))
    if "upgrade" in only:
        from bench_upgrade import bench_upgrade, report_upgrade

        report_upgrade(args, bench_upgrade(args))


def in_process(args, only):
    from bench_pg import ensure_installed

    import odoo

    ensure_installed(args.addons_path, args.db, "lead_pool_policy")
    registry = odoo.modules.registry.Registry(args.db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        if generate(cr, args.leads):
            cr.commit()
            env["utm.source"]._update_conversion_stats()
        cr.commit()
        env.invalidate_all()
        cr.execute("SELECT COUNT(*) FROM crm_lead")
        total = cr.fetchone()[0]
        rules = env["crm.lead.scoring.rule"].search_count([])
        print(f"bench: {total:,} leads, {rules} scoring rules, best of {args.rounds}")
        if "rescore" in only:
            floor_t, engine_t, changed, differ, mismatches = bench_rescore(
                env, args.rounds
            )
            print(
                f"rescore  floor (one UPDATE of all score columns): {floor_t:8.2f} s\n"
                f"rescore  engine (the refresh job's _rescore_all): {engine_t:8.2f} s"
                f"  ({changed:,} leads changed)\n"
                f"rescore  ratio engine/floor: {engine_t / floor_t:.2f}x "
                "(target <= 2x; SPEC F10: <= 3x)\n"
                f"rescore  all scores identical: {not differ}"
                + (
                    f" ({differ:,} leads differ: "
                    + ", ".join(f"{c} {n:,}" for c, n in mismatches.items())
                    + ")"
                    if differ
                    else ""
                )
            )
        if "sources" in only:
            floor_t, engine_t = bench_sources(env, args.rounds)
            print(
                f"sources  floor (raw GROUP BY): {floor_t:8.2f} s\n"
                f"sources  engine (_update_conversion_stats): {engine_t:8.2f} s\n"
                f"sources  ratio engine/floor: {engine_t / floor_t:.2f}x "
                "(target <= 1.5x)"
            )
        if "recycle" in only:
            (
                floor_t,
                engine_t,
                floor_moved,
                moved,
                logged,
                before,
                peak,
                _w,
                differ,
                counts,
            ) = bench_recycle(env, args.rounds)
            print(
                "recycle  floor (one statement: leads, log, notes, tracking; "
                f"then crm's probability and revenues): {floor_t:8.2f} s"
                f"  ({floor_moved:,} leads)\n"
                f"recycle  engine (_cron_pool_recycle): {engine_t:8.2f} s"
                f"  ({moved:,} leads, {logged:,} log rows)\n"
                f"recycle  ratio engine/floor: {engine_t / floor_t:.2f}x "
                "(target <= 1.2x)\n"
                f"recycle  peak memory of the process: {peak / 1024:.0f} MB "
                f"(before the cron: {before / 1024:.0f} MB; target <= 500 MB)\n"
                f"recycle  same state as the floor: {not differ}"
                + (
                    " ("
                    + ", ".join(
                        f"{c} differs on {n:,} leads" for c, n in differ.items()
                    )
                    + ")"
                    if differ
                    else ""
                )
                + "; log rows, notes, tracking values (floor / engine): "
                + ", ".join(f"{f:,} / {e:,}" for f, e in counts.values())
            )
        if "segments" in only:
            from bench_segments import run_segments

            run_segments(env, args)
    odoo.modules.registry.Registry.delete(args.db)
    odoo.sql_db.close_db(args.db)


if __name__ == "__main__":
    sys.exit(main())
