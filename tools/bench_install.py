"""The install benchmark (see bench.py): installing lead_pool_policy on a
database that already runs crm with N leads, next to the empty install and to
a hand-written SQL floor doing the same state change."""

import datetime
import os
import tempfile
import time

import psycopg2
from bench_pg import SHIPPED_FIT_SQL as FIT_SQL
from bench_pg import copy_db, db_exists, drop_db, ensure_installed, install

# Bump when the generated crm data changes: cached databases are rebuilt.
CRM_BASE_VERSION = "1"  # reps and sources
CRM_DATA_VERSION = f"{CRM_BASE_VERSION}.4"  # leads
REPS = 5
SOURCES = 20


# The addon's defaults (res.company) that the floor's formulas use.
DEFAULTS = {
    "fit_weight": 0.6,
    "lead_weight": 0.5,
    "hot": 70,
    "warm": 40,
    "window_days": 365,
    "prior": 20,
    "uncontacted_days": 7,
}


def connect(db):
    return psycopg2.connect(dbname=db)


def get_marker(db):
    conn = connect(db)
    try:
        with conn.cursor() as cr:
            cr.execute(
                "SELECT value FROM ir_config_parameter WHERE key = 'lpph_bench.data'"
            )
            row = cr.fetchone()
            return row and row[0]
    finally:
        conn.close()


def set_marker(cr, value):
    cr.execute("DELETE FROM ir_config_parameter WHERE key = 'lpph_bench.data'")
    cr.execute(
        "INSERT INTO ir_config_parameter (key, value) VALUES ('lpph_bench.data', %s)",
        [value],
    )


def prepare_crm_base(db):
    """Reps (salespeople in the Sales team) and sources, through the ORM."""
    import odoo
    from odoo import Command

    registry = odoo.modules.registry.Registry(db)
    try:
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            group = env.ref("sales_team.group_sale_salesman")
            users = (
                env["res.users"]
                .with_context(no_reset_password=True)
                .create(
                    [
                        {
                            "name": f"Bench Rep {i}",
                            "login": f"bench_rep_{i}",
                            "tz": "UTC",
                            "groups_id": [Command.link(group.id)],
                        }
                        for i in range(1, REPS + 1)
                    ]
                )
            )
            team = env.ref("sales_team.team_sales_department")
            team.member_ids = [Command.link(user.id) for user in users]
            env["utm.source"].create(
                [{"name": f"bench source {i}"} for i in range(1, SOURCES + 1)]
            )
            set_marker(cr, CRM_BASE_VERSION)
            cr.commit()
    finally:
        odoo.modules.registry.Registry.delete(db)
        odoo.sql_db.close_db(db)


def fill_crm_leads(db, leads):
    """``leads`` leads as a running CRM has them: owners among the reps (some
    unassigned), stages, sources, assignment dates over 500 days, a quarter
    opportunities, some won and some lost."""
    conn = connect(db)
    try:
        with conn.cursor() as cr:
            cr.execute("SELECT id FROM res_users WHERE login LIKE 'bench_rep_%%'")
            reps = [row[0] for row in cr.fetchall()]
            cr.execute(
                "SELECT id FROM crm_stage WHERE NOT COALESCE(is_won, FALSE) "
                "ORDER BY sequence, id"
            )
            open_stages = [row[0] for row in cr.fetchall()]
            cr.execute(
                "SELECT id FROM crm_stage WHERE is_won ORDER BY sequence LIMIT 1"
            )
            won_stage = cr.fetchone()[0]
            cr.execute("SELECT id FROM utm_source ORDER BY id")
            sources = [row[0] for row in cr.fetchall()]
            cr.execute("SELECT id FROM crm_lost_reason ORDER BY id")
            reasons = [row[0] for row in cr.fetchall()] or [None]
            cr.execute(
                "SELECT res_id FROM ir_model_data "
                "WHERE module = 'sales_team' AND name = 'team_sales_department'"
            )
            team = cr.fetchone()[0]
            cr.execute("SELECT id FROM res_company ORDER BY id LIMIT 1")
            company = cr.fetchone()[0]
            print(f"bench: generating {leads:,} crm leads in {db}", flush=True)
            cr.execute(
                """
                INSERT INTO crm_lead (
                    name, type, active, company_id, user_id, team_id, stage_id,
                    source_id, contact_name, partner_name, email_from,
                    email_normalized, phone, priority, probability,
                    automated_probability, expected_revenue, prorated_revenue,
                    date_open, date_last_stage_update, date_conversion,
                    date_closed, lost_reason_id,
                    create_uid, write_uid, create_date, write_date)
                SELECT 'bench ' || i, type, NOT lost, %(company)s, user_id, %(team)s,
                       CASE WHEN won THEN %(won_stage)s
                            WHEN type = 'lead' THEN (%(stages)s::int[])[1]
                            ELSE (%(stages)s::int[])
                                 [1 + (i / 7) %% array_length(%(stages)s::int[], 1)]
                       END,
                       (%(sources)s::int[])[source],
                       'Contact ' || i, 'Company ' || (i %% 50000),
                       'contact' || i || '@company' || (i %% 50000) || '.example.com',
                       'contact' || i || '@company' || (i %% 50000) || '.example.com',
                       '+1 555 ' || lpad((i %% 10000000)::text, 7, '0'),
                       (i %% 4)::text,
                       CASE WHEN won THEN 100 WHEN lost THEN 0
                            WHEN type = 'lead' THEN 10 ELSE 10 + (i / 7) %% 3 * 25 END,
                       CASE WHEN won THEN 100 WHEN lost THEN 0 ELSE 10 END,
                       CASE WHEN type = 'opportunity' THEN (i %% 100) * 100 END,
                       CASE WHEN type = 'opportunity' THEN (i %% 100) * 10 END,
                       CASE WHEN user_id IS NOT NULL
                            THEN LEAST(created + interval '1 hour', now_utc) END,
                       created,
                       CASE WHEN type = 'opportunity'
                            THEN LEAST(created + interval '1 day', now_utc) END,
                       CASE WHEN won OR lost
                            THEN LEAST(created + interval '20 days', now_utc) END,
                       CASE WHEN lost AND type = 'opportunity'
                            THEN (%(reasons)s::int[])[1 + i %% 3] END,
                       1, 1, created, created
                  FROM (
                    SELECT typed.*,
                           type = 'opportunity' AND i %% 5 = 0 AS won,
                           (type = 'opportunity' AND i %% 5 = 1)
                               OR (type = 'lead' AND i %% 50 = 1) AS lost
                      FROM (
                        SELECT sourced.*,
                               -- From 10 %% to about 50 %% opportunities by source.
                               CASE WHEN abs(hashint4(i + 5)) %% 100
                                         < 10 + COALESCE(source, 0) * 2
                                    THEN 'opportunity' ELSE 'lead' END AS type
                          FROM (
                            SELECT i,
                                   CASE WHEN abs(hashint4(i + 3)) %% 10 <> 0
                                        THEN 1 + abs(hashint4(i + 4))
                                             %% array_length(%(sources)s::int[], 1)
                                   END AS source,
                                   CASE WHEN abs(hashint4(i)) %% 10 <> 0
                                        THEN (%(reps)s::int[])
                                             [1 + abs(hashint4(i + 1))
                                                  %% array_length(%(reps)s::int[], 1)]
                                   END AS user_id,
                                   now() at time zone 'utc'
                                       - (abs(hashint4(i + 2)) %% 500)
                                         * interval '1 day'
                                       - (i %% 1440) * interval '1 minute' AS created,
                                   now() at time zone 'utc' AS now_utc
                              FROM generate_series(1, %(leads)s) i
                          ) sourced
                      ) typed
                  ) generated
                """,
                {
                    "company": company,
                    "team": team,
                    "won_stage": won_stage,
                    "stages": open_stages[:3],
                    "sources": sources,
                    "reasons": reasons[:3] * 3,
                    "reps": reps,
                    "leads": leads,
                },
            )
            set_marker(cr, f"{CRM_DATA_VERSION}:{leads}")
        conn.commit()
        conn.autocommit = True
        with conn.cursor() as cr:
            cr.execute("VACUUM ANALYZE crm_lead")
    finally:
        conn.close()


def ensure_crm_databases(args):
    """(empty crm database, crm database with the leads), built once each."""
    base = f"{args.db}_crm_0"
    if db_exists(base) and get_marker(base) != CRM_BASE_VERSION:
        drop_db(base)
    if ensure_installed(args.addons_path, base, "crm"):
        prepare_crm_base(base)
    full = f"{args.db}_crm_{args.leads}"
    if not db_exists(full) or get_marker(full) != f"{CRM_DATA_VERSION}:{args.leads}":
        copy_db(base, full)
        fill_crm_leads(full, args.leads)
    return base, full


def floor_sql(cr, now):
    """What the install changes on existing data, by hand: the addon's lead
    columns filled (BANT not asked, scores from the shipped rules and the
    company defaults, source rates, recycle deadlines with the install grace),
    their indexes, and the sources' conversion statistics."""
    params = dict(DEFAULTS, now=now)
    cr.execute(
        """
        ALTER TABLE utm_source ADD COLUMN lead_count integer,
                               ADD COLUMN converted_count integer,
                               ADD COLUMN conversion_rate numeric;
        ALTER TABLE res_company ADD COLUMN lead_conversion_rate numeric;
        ALTER TABLE crm_lead
            ADD COLUMN bant_budget varchar NOT NULL DEFAULT 'unknown',
            ADD COLUMN bant_authority varchar NOT NULL DEFAULT 'unknown',
            ADD COLUMN bant_need varchar NOT NULL DEFAULT 'unknown',
            ADD COLUMN bant_timeline varchar NOT NULL DEFAULT 'unknown',
            ADD COLUMN budget_amount numeric,
            ADD COLUMN bant_met_count integer DEFAULT 0,
            ADD COLUMN contact_count integer DEFAULT 0,
            ADD COLUMN first_contact_date timestamp,
            ADD COLUMN last_contact_date timestamp,
            ADD COLUMN fit_score integer,
            ADD COLUMN engagement_score integer,
            ADD COLUMN lead_score integer,
            ADD COLUMN temperature varchar,
            ADD COLUMN qualification varchar,
            ADD COLUMN nurture_tier varchar,
            ADD COLUMN source_conversion_rate numeric,
            ADD COLUMN priority_score numeric,
            ADD COLUMN in_pool boolean DEFAULT FALSE,
            ADD COLUMN pool_rank numeric,
            ADD COLUMN pool_entry_date timestamp,
            ADD COLUMN pool_reason varchar,
            ADD COLUMN pool_previous_user_id integer,
            ADD COLUMN pool_previous_stage_id integer,
            ADD COLUMN pool_recycle_count integer DEFAULT 0,
            ADD COLUMN pool_recycle_deadline timestamp,
            ADD COLUMN pool_recycle_rule varchar,
            ADD COLUMN pool_warned_deadline timestamp;
        ALTER TABLE crm_lead
            ALTER COLUMN bant_budget DROP DEFAULT,
            ALTER COLUMN bant_authority DROP DEFAULT,
            ALTER COLUMN bant_need DROP DEFAULT,
            ALTER COLUMN bant_timeline DROP DEFAULT,
            ALTER COLUMN bant_met_count DROP DEFAULT,
            ALTER COLUMN contact_count DROP DEFAULT,
            ALTER COLUMN in_pool DROP DEFAULT,
            ALTER COLUMN pool_recycle_count DROP DEFAULT;
        """
    )
    cr.execute(
        """
        WITH stats AS (
            SELECT source_id, COUNT(*) AS leads,
                   COUNT(*) FILTER (WHERE date_conversion IS NOT NULL
                                       OR type = 'opportunity') AS converted
              FROM crm_lead
             WHERE create_date >= %(now)s - %(window_days)s * interval '1 day'
          GROUP BY source_id
        ), total AS (
            SELECT COALESCE(SUM(converted)::float / NULLIF(SUM(leads), 0), 0) AS rate
              FROM stats
        ), company AS (
            UPDATE res_company SET lead_conversion_rate = ROUND(total.rate::numeric, 4)
              FROM total
        )
        UPDATE utm_source source
           SET lead_count = COALESCE(stats.leads, 0),
               converted_count = COALESCE(stats.converted, 0),
               conversion_rate = ROUND(((COALESCE(stats.converted, 0)
                                         + %(prior)s * total.rate)
                                        / (COALESCE(stats.leads, 0) + %(prior)s))
                                       ::numeric, 4)
          FROM total CROSS JOIN utm_source src
     LEFT JOIN stats ON stats.source_id = src.id
         WHERE source.id = src.id
        """,
        params,
    )
    cr.execute(
        f"""
        UPDATE crm_lead lead
           SET fit_score = scored.fit,
               engagement_score = 0,
               lead_score = scored.score,
               temperature = CASE WHEN scored.score >= %(hot)s THEN 'hot'
                                  WHEN scored.score < %(warm)s THEN 'cold'
                                  ELSE 'warm' END,
               source_conversion_rate = scored.rate,
               priority_score = LEAST(100, GREATEST(0, ROUND((%(lead_weight)s
                   * scored.score + (1 - %(lead_weight)s) * scored.rate * 100
                   )::numeric, 1))),
               pool_recycle_deadline = CASE WHEN scored.due
                   THEN GREATEST(lead.date_open, %(now)s)
                        + %(uncontacted_days)s * interval '1 day' END,
               pool_recycle_rule = CASE WHEN scored.due THEN 'uncontacted' END
          FROM (
            SELECT l.id, fit,
                   FLOOR(%(fit_weight)s * fit + 0.5)::int AS score,
                   COALESCE(source.conversion_rate, company.lead_conversion_rate)
                       AS rate,
                   l.active AND l.user_id IS NOT NULL AND l.date_open IS NOT NULL
                       AND NOT COALESCE(stage.is_won, FALSE) AS due
              FROM (SELECT id, {FIT_SQL} AS fit FROM crm_lead) f
              JOIN crm_lead l ON l.id = f.id
         LEFT JOIN crm_stage stage ON stage.id = l.stage_id
         LEFT JOIN utm_source source ON source.id = l.source_id
        CROSS JOIN (SELECT lead_conversion_rate FROM res_company
                     ORDER BY id LIMIT 1) company
          ) scored
         WHERE lead.id = scored.id
        """,
        params,
    )
    cr.execute(
        """
        CREATE INDEX crm_lead__in_pool_index ON crm_lead (in_pool);
        CREATE INDEX crm_lead__qualification_index ON crm_lead (qualification);
        CREATE INDEX crm_lead__pool_recycle_deadline_index
            ON crm_lead (pool_recycle_deadline);
        CREATE INDEX crm_lead_pool_rank_index
            ON crm_lead (pool_rank DESC, id) WHERE in_pool;
        """
    )


STATE_COLUMNS = [
    "bant_budget",
    "bant_authority",
    "bant_need",
    "bant_timeline",
    "bant_met_count",
    "contact_count",
    "COALESCE(in_pool, FALSE)",
    "fit_score",
    "engagement_score",
    "lead_score",
    "temperature",
    "nurture_tier",
    "ROUND(source_conversion_rate, 4)",
    "priority_score",
    "pool_recycle_rule",
    "pool_recycle_count",
]


def lead_state(db, started):
    """A fingerprint of each addon column over all leads, and the recycle
    deadlines: how many are set, and how many start their clock before
    ``started`` (the install), i.e. fall earlier than ``started`` + 7 days."""
    conn = connect(db)
    try:
        with conn.cursor() as cr:
            sums = ", ".join(
                f"SUM(hashtextextended(id || ':' || COALESCE(({col})::text, '-'), 0)"
                "::numeric)"
                for col in STATE_COLUMNS
            )
            cr.execute(
                f"""
                SELECT COUNT(*), COUNT(pool_recycle_deadline),
                       COUNT(*) FILTER (WHERE pool_recycle_deadline
                           < %(started)s + interval '7 days' - interval '1 minute'),
                       {sums}
                  FROM crm_lead
                """,
                {"started": started},
            )
            row = cr.fetchone()
    finally:
        conn.close()
    return {
        "leads": row[0],
        "deadlines": row[1],
        "early": row[2],
        "columns": dict(zip(STATE_COLUMNS, row[3:])),
    }


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def bench_install(args):
    base, full = ensure_crm_databases(args)
    copy = f"{args.db}_install"
    logdir = tempfile.mkdtemp(prefix="lpph_bench_install_")
    empty, addon, floor = [], [], []
    state_install = state_floor = None
    try:
        for round_no in range(args.rounds):
            copy_db(base, copy)
            seconds, rss, code = install(
                args.addons_path,
                copy,
                "lead_pool_policy",
                log_path=os.path.join(logdir, f"empty_{round_no}.log"),
            )
            if code:
                raise SystemExit(f"bench: empty install failed, see {logdir}")
            empty.append((seconds, rss))

            copy_db(full, copy)
            started = utc_now()
            seconds, rss, code = install(
                args.addons_path,
                copy,
                "lead_pool_policy",
                log_path=os.path.join(logdir, f"leads_{round_no}.log"),
            )
            if code:
                raise SystemExit(
                    f"bench: install on {args.leads:,} leads failed, see {logdir}"
                )
            addon.append((seconds, rss))
            state_install = lead_state(copy, started)
            # The floor counts the sources' leads in the install's window: a
            # window ending minutes later would count the leads created in
            # those minutes a year ago (at 1,000,000 leads, a few).
            install_started = started

            copy_db(full, copy)
            conn = connect(copy)
            try:
                start = time.perf_counter()
                with conn.cursor() as cr:
                    floor_sql(cr, install_started)
                conn.commit()
                floor.append(time.perf_counter() - start)
            finally:
                conn.close()
            state_floor = lead_state(copy, install_started)
    finally:
        drop_db(copy)
    return {
        "empty": min(empty),
        "addon": min(addon),
        "floor": min(floor),
        "peak": max(rss for _s, rss in addon),
        "peak_empty": max(rss for _s, rss in empty),
        "state_install": state_install,
        "state_floor": state_floor,
        "logdir": logdir,
    }


def report_install(args, result):
    empty_t, _rss = result["empty"]
    addon_t, _rss = result["addon"]
    beyond = addon_t - empty_t
    floor_t = result["floor"]
    ours, theirs = result["state_install"], result["state_floor"]
    differing = [
        col for col in STATE_COLUMNS if ours["columns"][col] != theirs["columns"][col]
    ]
    print(
        f"install  empty crm database (baseline): {empty_t:8.2f} s"
        f"  (peak {result['peak_empty']:.0f} MB)\n"
        f"install  crm database with {args.leads:,} leads: {addon_t:8.2f} s"
        f"  (peak memory of the install process: {result['peak']:.0f} MB)\n"
        f"install  time beyond the empty install: {beyond:8.2f} s\n"
        f"install  floor (SQL: columns, scores, deadlines, indexes, source stats):"
        f" {floor_t:8.2f} s\n"
        f"install  ratio (install - empty)/floor: {beyond / floor_t:.2f}x "
        "(target <= 1.3x)\n"
        f"install  lead columns identical to the floor's: {not differing}"
        + (f" (differ: {', '.join(differing)})" if differing else "")
        + "\n"
        f"install  recycle deadlines set: {ours['deadlines']:,} "
        f"(floor {theirs['deadlines']:,}); clock started before the install "
        f"(deadline < install + 7 days): {ours['early']:,} (floor {theirs['early']:,})"
    )
