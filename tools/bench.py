"""Benchmarks of lead_pool_policy against hand-written SQL floors.

Run through ``./dev bench [--leads N] [--only rescore,sources]``. It builds
(once) a database ``lpp_bench`` with the addon and no demo data, fills it with N
generated leads (with sources and engagement events), then measures, in the
same run and on the same data:

- rescore: the refresh cron's full rescore (``crm.lead._rescore_all``) next to
  one hand-written UPDATE computing the same fit scores from the shipped BANT
  rules; the fit scores of both are compared;
- sources: the source conversion statistics (``utm.source``) next to the raw
  ``GROUP BY`` they need;
- recycle: the recycle cron (``crm.lead._cron_pool_recycle``) with a tenth of
  the leads past their deadline, next to one hand-written statement doing the
  same state change (pool stage, owner, bookkeeping, a pool log row and a
  chatter note per lead); peak memory of the cron is reported too.

Each side starts from the same state (the columns it writes are reset, outside
the timing) and the best of ``--rounds`` runs is kept. This is a benchmark,
not a test: it prints figures and ratios and never fails on time.
"""

import argparse
import os
import subprocess
import sys
import time

import psycopg2

SHIPPED_FIT_SQL = """
    LEAST(100, GREATEST(0,
        CASE bant_budget WHEN 'approved' THEN 25 WHEN 'planned' THEN 12
                         WHEN 'none' THEN -10 ELSE 0 END
      + CASE bant_authority WHEN 'decision_maker' THEN 25 WHEN 'influencer' THEN 12
                            WHEN 'user' THEN 3 ELSE 0 END
      + CASE bant_need WHEN 'confirmed' THEN 30 WHEN 'latent' THEN 10
                       WHEN 'none' THEN -30 ELSE 0 END
      + CASE bant_timeline WHEN 'within_3_months' THEN 20
                           WHEN 'within_6_months' THEN 10 ELSE 0 END))
"""


def odoo_cmd(addons_path, *args):
    return [sys.executable, "-m", "odoo", f"--addons-path={addons_path}", *args]


def ensure_database(db, addons_path):
    conn = psycopg2.connect(dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cr:
        cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db])
        exists = cr.fetchone()
    conn.close()
    if not exists:
        print(f"bench: creating database {db} (addon, no demo data)", flush=True)
        subprocess.run(
            odoo_cmd(
                addons_path,
                "-d",
                db,
                "-i",
                "lead_pool_policy",
                "--without-demo=all",
                "--stop-after-init",
                "--log-level=warn",
            ),
            check=True,
        )


def generate(cr, leads):
    """Bring the database to exactly ``leads`` generated leads."""
    cr.execute("SELECT COUNT(*) FROM crm_lead WHERE name LIKE 'bench %%'")
    if cr.fetchone()[0] == leads:
        return
    print(f"bench: generating {leads:,} leads", flush=True)
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
                              create_uid, write_uid, create_date, write_date)
        SELECT 'bench ' || i,
               CASE WHEN i %% 5 = 0 THEN 'opportunity' ELSE 'lead' END,
               i %% 13 <> 0, %(company)s, NULL,
               (%(sources)s::int[])
                   [1 + (i * 7) %% array_length(%(sources)s::int[], 1)],
               (ARRAY['unknown','none','planned','approved'])[1 + i %% 4],
               (ARRAY['unknown','user','influencer','decision_maker'])
                   [1 + (i / 4) %% 4],
               (ARRAY['unknown','none','latent','confirmed'])[1 + (i / 16) %% 4],
               (ARRAY['unknown','later','within_6_months','within_3_months'])
                   [1 + (i / 64) %% 4],
               0, 0, 10, 1, 1,
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
    cr.execute(
        """
        INSERT INTO crm_lead_engagement (lead_id, type_id, date, points, company_id,
                                         create_uid, write_uid, create_date, write_date)
        SELECT l.id, (%(types)s::int[])[1 + l.id %% array_length(%(types)s::int[], 1)],
               now() at time zone 'utc' - (l.id %% 90) * interval '1 day',
               10, l.company_id, 1, 1,
               now() at time zone 'utc', now() at time zone 'utc'
          FROM crm_lead l
         WHERE l.name LIKE 'bench %%' AND l.id %% 3 = 0
        """,
        {"types": types},
    )
    cr.execute("ANALYZE crm_lead")
    cr.execute("ANALYZE crm_lead_engagement")


def best_of(rounds, reset, run):
    timings = []
    result = None
    for _i in range(rounds):
        reset()
        start = time.perf_counter()
        result = run()
        timings.append(time.perf_counter() - start)
    return min(timings), result


def bench_rescore(env, rounds):
    cr = env.cr
    Lead = env["crm.lead"]

    def reset():
        cr.execute(
            "UPDATE crm_lead SET fit_score = 0, engagement_score = 0, lead_score = 0, "
            "temperature = NULL, nurture_tier = NULL, priority_score = 0, "
            "source_conversion_rate = 0"
        )
        cr.commit()
        env.invalidate_all()

    def floor():
        cr.execute(f"UPDATE crm_lead SET fit_score = {SHIPPED_FIT_SQL}")
        cr.commit()

    floor_time, _r = best_of(rounds, reset, floor)
    cr.execute("SELECT id, fit_score FROM crm_lead ORDER BY id")
    expected = cr.fetchall()

    def engine():
        changed = Lead._rescore_all(commit=True)
        cr.commit()
        return changed

    engine_time, changed = best_of(rounds, reset, engine)
    cr.execute("SELECT id, fit_score FROM crm_lead ORDER BY id")
    same = cr.fetchall() == expected
    return floor_time, engine_time, changed, same


def bench_sources(env, rounds):
    cr = env.cr
    Source = env["utm.source"]
    company = env.company

    def reset():
        cr.execute("UPDATE utm_source SET lead_count = 0, converted_count = 0")
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
        # well before their warning window.
        cr.execute("DELETE FROM crm_lead_pool_log")
        cr.execute(
            "DELETE FROM mail_message WHERE model = 'crm.lead' "
            "AND message_type = 'notification' AND body LIKE '%%public pool%%'"
        )
        cr.execute(
            """
            UPDATE crm_lead
               SET user_id = 2, stage_id = %(stage)s, in_pool = FALSE, active = TRUE,
                   type = 'lead', pool_reason = NULL, pool_entry_date = NULL,
                   pool_previous_user_id = NULL, pool_previous_stage_id = NULL,
                   pool_recycle_count = 0, pool_warned_deadline = NULL,
                   first_contact_date = NULL, last_contact_date = NULL,
                   date_open = (now() at time zone 'utc') - CASE WHEN id %% 10 = 0
                       THEN (%(days)s + 1) * interval '1 day'
                       ELSE interval '0 days' END
             WHERE name LIKE 'bench %%'
            """,
            {"stage": open_stage, "days": days},
        )
        env.invalidate_all()
        Lead._update_pool_deadlines()
        cr.commit()

    cr.execute(
        "SELECT name, id FROM ir_model_fields WHERE model = 'crm.lead'"
        " AND name IN ('user_id', 'stage_id')"
    )
    tracked = dict(cr.fetchall())

    def floor():
        # The same state change as the cron: leads moved, a history row, a
        # chatter note per lead, and its two tracking values (owner, stage).
        cr.execute(
            """
            WITH moved AS (
                UPDATE crm_lead lead
                   SET pool_previous_user_id = old.user_id,
                       pool_previous_stage_id = old.stage_id,
                       user_id = NULL, stage_id = %(pool)s, in_pool = TRUE,
                       date_open = NULL, pool_entry_date = %(now)s,
                       date_last_stage_update = %(now)s,
                       pool_reason = old.pool_recycle_rule,
                       pool_recycle_count = old.pool_recycle_count + 1,
                       pool_recycle_deadline = NULL, pool_recycle_rule = NULL
                  FROM crm_lead old
                 WHERE old.id = lead.id AND old.pool_recycle_deadline <= %(now)s
                   AND old.user_id IS NOT NULL AND NOT old.in_pool
             RETURNING lead.id, lead.name, old.user_id, old.stage_id, lead.team_id,
                       lead.company_id
            ), logged AS (
                INSERT INTO crm_lead_pool_log (date, lead_id, lead_name, event, reason,
                                               owner_before_id, team_id, company_id)
                SELECT %(now)s, id, name, 'recycle', 'uncontacted', user_id, team_id,
                       company_id FROM moved
            ), noted AS (
                INSERT INTO mail_message (model, res_id, message_type, subtype_id,
                                          is_internal, date, body)
                SELECT 'crm.lead', id, 'notification', %(subtype)s, TRUE, %(now)s,
                       '<p>Returned to the public pool: Not contacted in time.</p>'
                  FROM moved
             RETURNING id, res_id
            )
            INSERT INTO mail_tracking_value (field_id, mail_message_id,
                                             old_value_integer, old_value_char,
                                             new_value_integer, new_value_char)
            SELECT %(user_field)s, noted.id, moved.user_id, partner.name, 0, ''
              FROM noted
              JOIN moved ON moved.id = noted.res_id
              JOIN res_users owner ON owner.id = moved.user_id
              JOIN res_partner partner ON partner.id = owner.partner_id
            UNION ALL
            SELECT %(stage_field)s, noted.id, moved.stage_id, stage.name->>'en_US',
                   %(pool)s, pool.name->>'en_US'
              FROM noted
              JOIN moved ON moved.id = noted.res_id
              JOIN crm_stage stage ON stage.id = moved.stage_id
              JOIN crm_stage pool ON pool.id = %(pool)s
            """,
            {
                "pool": pool_stage,
                "now": datetime_now(),
                "subtype": note_subtype,
                "user_field": tracked["user_id"],
                "stage_field": tracked["stage_id"],
            },
        )
        cr.commit()

    floor_time, _r = best_of(rounds, reset, floor)
    cr.execute("SELECT COUNT(*) FROM crm_lead WHERE in_pool AND name LIKE 'bench %%'")
    floor_moved = cr.fetchone()[0]

    def engine():
        return Lead._cron_pool_recycle()

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    engine_time, moved = best_of(rounds, reset, engine)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cr.execute("SELECT COUNT(*) FROM crm_lead_pool_log WHERE event = 'recycle'")
    logged = cr.fetchone()[0]
    return floor_time, engine_time, floor_moved, moved, logged, before, peak, warn


def datetime_now():
    import datetime

    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--db", default="lpp_bench")
    parser.add_argument("--leads", type=int, default=100000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", default="rescore,sources,recycle")
    args = parser.parse_args()
    os.environ.setdefault("TZ", "UTC")

    ensure_database(args.db, args.addons_path)

    import odoo
    from odoo.tools import config

    config.parse_config(
        ["-d", args.db, f"--addons-path={args.addons_path}", "--log-level=warn"]
    )
    registry = odoo.modules.registry.Registry(args.db)
    with registry.cursor() as cr:
        generate(cr, args.leads)
        cr.commit()
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        cr.execute("SELECT COUNT(*) FROM crm_lead")
        total = cr.fetchone()[0]
        rules = env["crm.lead.scoring.rule"].search_count([])
        print(f"bench: {total:,} leads, {rules} scoring rules, best of {args.rounds}")
        only = set(args.only.split(","))
        if "rescore" in only:
            floor_t, engine_t, changed, same = bench_rescore(env, args.rounds)
            print(
                f"rescore  floor (one UPDATE of fit_score): {floor_t:8.2f} s\n"
                f"rescore  engine (_rescore_all, all scores): {engine_t:8.2f} s"
                f"  ({changed:,} leads changed)\n"
                f"rescore  ratio engine/floor: {engine_t / floor_t:.2f}x "
                "(target <= 3x); "
                f"fit scores identical: {same}"
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
            (floor_t, engine_t, floor_moved, moved, logged, before, peak, _w) = (
                bench_recycle(env, args.rounds)
            )
            print(
                f"recycle  floor (one statement: leads, log, notes): {floor_t:8.2f} s"
                f"  ({floor_moved:,} leads)\n"
                f"recycle  engine (_cron_pool_recycle): {engine_t:8.2f} s"
                f"  ({moved:,} leads, {logged:,} log rows)\n"
                f"recycle  ratio engine/floor: {engine_t / floor_t:.2f}x "
                "(target <= 1.5x)\n"
                f"recycle  peak memory of the process: {peak / 1024:.0f} MB "
                f"(before the cron: {before / 1024:.0f} MB; target <= 500 MB)"
            )


if __name__ == "__main__":
    main()
