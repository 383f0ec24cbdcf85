"""Benchmarks of recycle days by segment and of escalations (``./dev bench
--only segments``), on the in-process bench database (see tools/bench.py).

Three override lines on the company's policy: "VIP" (a tag, never recycled),
"Hot leads" (temperature hot: 20 days to first contact) and "Large deals"
(expected revenue of 50,000 or more: 30 days to first contact, 60 to
conversion). Measured, each against a hand-written floor:

- deadlines: every lead's recycle deadline recomputed
  (``crm.lead._update_pool_deadlines``, the statement every policy edit runs)
  next to one hand-written UPDATE computing the same deadlines with the three
  segments spelled out; both results are compared lead by lead;
- recycle: the recycle cron with the segments in force, next to the recycle
  floor of tools/bench.py (``bench_recycle``);
- escalations: ``--escalations`` leads (default 100,000) due within the
  escalation days, whose team leader gets a to-do each
  (``crm.lead._pool_send_reminder('escalation', now)``: selection, words in
  the leader's language, activities created by lists, bookkeeping), next to
  the same activities created by one ``mail.activity`` ``create`` of a list
  of ready values plus the bookkeeping UPDATE (the least the ORM does for
  them); a raw SQL INSERT of the rows is printed for reference.
"""

import time

SEGMENT_LINES = (
    ("VIP", "exempt", None, None),
    ("Hot leads", "[('temperature', '=', 'hot')]", 20, 0),
    ("Large deals", "[('expected_revenue', '>=', 50000)]", 30, 60),
)


def setup_segments(env):
    """The three lines on the company, the VIP tag on 1 % of the bench leads
    and expected revenues (0 to 99,000) on all; scores computed once."""
    cr = env.cr
    company = env.company
    tag = env["crm.tag"].search([("name", "=", "bench VIP")], limit=1) or env[
        "crm.tag"
    ].create({"name": "bench VIP"})
    cr.execute("DELETE FROM crm_tag_rel WHERE tag_id = %s", (tag.id,))
    cr.execute(
        "INSERT INTO crm_tag_rel (lead_id, tag_id) SELECT id, %s FROM crm_lead"
        " WHERE name LIKE 'bench %%' AND id %% 100 = 7",
        (tag.id,),
    )
    cr.execute(
        "UPDATE crm_lead SET expected_revenue = (id %% 100) * 1000"
        " WHERE name LIKE 'bench %%'"
        " AND expected_revenue IS DISTINCT FROM (id %% 100) * 1000",
        {"unused": 0},
    )
    cr.execute("SELECT COUNT(*) FROM crm_lead WHERE temperature IS NULL")
    if cr.fetchone()[0]:
        env["crm.lead"]._rescore_all()
    company.pool_recycle_override_ids.unlink()
    lines = []
    for index, (name, domain, unc, unconv) in enumerate(SEGMENT_LINES):
        line = {"sequence": index, "name": name, "company_id": company.id}
        if domain == "exempt":
            line.update(domain=f"[('tag_ids', 'in', [{tag.id}])]", exempt=True)
        else:
            line.update(domain=domain, uncontacted_days=unc, unconverted_days=unconv)
        lines.append(line)
    env["crm.lead.pool.recycle.override"].create(lines)
    env.cr.commit()
    return tag


def deadline_floor_sql(company, tag_id):
    """The deadlines of the bench's policy (uncontacted and unconverted rules,
    no grace, no exempt tag) under the three segments, by hand."""
    return (
        """
        UPDATE crm_lead lead
           SET pool_recycle_deadline = d.deadline, pool_recycle_rule = d.rule
          FROM (SELECT x.id, LEAST(x.unc, x.unconv) AS deadline,
                       CASE LEAST(x.unc, x.unconv) WHEN x.unc THEN 'uncontacted'
                            WHEN x.unconv THEN 'unconverted' END AS rule
                  FROM (SELECT l.id,
                               CASE WHEN l.last_contact_date IS NULL
                                         OR l.last_contact_date < l.date_open
                                    THEN l.date_open + seg.unc * interval '1 day'
                               END AS unc,
                               CASE WHEN l.type = 'lead' AND l.date_conversion IS NULL
                                         AND l.last_contact_date >= l.date_open
                                    THEN CASE WHEN l.first_contact_date >= l.date_open
                                              THEN l.first_contact_date
                                              ELSE l.last_contact_date END
                                         + seg.unconv * interval '1 day'
                               END AS unconv
                          FROM crm_lead l
                     LEFT JOIN crm_stage st ON st.id = l.stage_id
                    CROSS JOIN LATERAL (
                        SELECT CASE WHEN EXISTS (
                                        SELECT 1 FROM crm_tag_rel r
                                         WHERE r.lead_id = l.id AND r.tag_id = %(tag)s)
                                    THEN NULL
                                    WHEN l.temperature = 'hot' THEN 20
                                    WHEN l.expected_revenue >= 50000 THEN 30
                                    ELSE %(unc)s END AS unc,
                               CASE WHEN l.temperature = 'hot' THEN %(unconv)s
                                    WHEN l.expected_revenue >= 50000 THEN 60
                                    ELSE %(unconv)s END AS unconv,
                               EXISTS (SELECT 1 FROM crm_tag_rel r
                                        WHERE r.lead_id = l.id
                                          AND r.tag_id = %(tag)s) AS exempt
                    ) seg
                         WHERE l.active AND l.user_id IS NOT NULL
                           AND l.date_open IS NOT NULL AND NOT seg.exempt
                           AND NOT COALESCE(st.is_won, FALSE)
                           AND NOT COALESCE(st.is_pool, FALSE)) x) d
         WHERE lead.id = d.id
        """,
        {
            "tag": tag_id,
            "unc": company.pool_uncontacted_days,
            "unconv": company.pool_unconverted_days,
        },
    )


def bench_deadlines(env, rounds, tag):
    from bench import best_of
    from bench_pg import vacuum

    cr = env.cr
    Lead = env["crm.lead"]
    # One instant for every round of both sides: their deadlines compare.
    base = datetime_now(cr)

    def reset():
        cr.execute(
            """
            UPDATE crm_lead
               SET user_id = 2, in_pool = FALSE, pool_recycle_deadline = NULL,
                   pool_recycle_rule = NULL, pool_extension_days = 0,
                   date_open = %(base)s
                               - (id %% 40) * interval '1 day',
                   first_contact_date = CASE WHEN id %% 3 = 0 THEN
                       %(base)s - (id %% 20) * interval '1 day' END,
                   last_contact_date = CASE WHEN id %% 3 = 0 THEN
                       %(base)s - (id %% 20) * interval '1 day' END
             WHERE name LIKE 'bench %%'
            """,
            {"base": base},
        )
        cr.execute(
            "UPDATE res_company SET pool_uncontacted_start = NULL,"
            " pool_unconverted_start = NULL, pool_stale_start = NULL,"
            " pool_grace_date = NULL, pool_recycle_stale = FALSE"
        )
        cr.execute("UPDATE crm_team SET pool_grace_date = NULL")
        env.invalidate_all()
        cr.commit()
        vacuum(cr.dbname, "crm_lead")

    def engine():
        Lead._update_pool_deadlines()
        cr.commit()

    query, params = deadline_floor_sql(env.company, tag.id)

    def floor():
        cr.execute(query, params)
        cr.commit()

    engine_time, _r = best_of(rounds, reset, engine)
    cr.execute("DROP TABLE IF EXISTS lpph_deadline_engine")
    cr.execute(
        "CREATE TEMP TABLE lpph_deadline_engine AS SELECT id, pool_recycle_deadline,"
        " pool_recycle_rule FROM crm_lead"
    )
    floor_time, _r = best_of(rounds, reset, floor)
    cr.execute(
        """SELECT COUNT(*) FROM crm_lead l JOIN lpph_deadline_engine e ON e.id = l.id
            WHERE l.pool_recycle_deadline IS DISTINCT FROM e.pool_recycle_deadline
               OR l.pool_recycle_rule IS DISTINCT FROM e.pool_recycle_rule"""
    )
    differ = cr.fetchone()[0]
    cr.execute(
        "SELECT COUNT(*) FILTER (WHERE pool_recycle_deadline IS NOT NULL),"
        " COUNT(*) FILTER (WHERE pool_recycle_deadline IS NULL AND user_id IS NOT NULL"
        " AND active) FROM crm_lead"
    )
    with_deadline, without = cr.fetchone()
    cr.execute("DROP TABLE lpph_deadline_engine")
    cr.commit()
    return floor_time, engine_time, differ, with_deadline, without


def bench_escalations(env, rounds, count):
    """``count`` leads due tomorrow, owned by a bench rep, in a team led by
    the admin: one to-do each for the leader."""
    from bench import best_of
    from bench_pg import vacuum

    cr = env.cr
    Lead = env["crm.lead"]
    rep = env["res.users"].search([("login", "=", "bench_rep")], limit=1)
    if not rep:
        rep = env["res.users"].create(
            {"name": "Bench Rep", "login": "bench_rep", "lang": "en_US"}
        )
    team = env["crm.team"].search([("name", "=", "bench team")], limit=1)
    if not team:
        team = env["crm.team"].create({"name": "bench team", "user_id": 2})
    env.company.pool_escalation_days = 3
    todo = env.ref("mail.mail_activity_data_todo")
    leader_partner = env["res.users"].browse(2).partner_id.id
    model_id = env["ir.model"]._get_id("crm.lead")
    cr.commit()

    def reset():
        cr.execute(
            "DELETE FROM mail_activity WHERE res_model = 'crm.lead'"
            " AND activity_type_id = %s",
            (todo.id,),
        )
        cr.execute(
            "DELETE FROM mail_followers WHERE res_model = 'crm.lead'"
            " AND partner_id = %s",
            (leader_partner,),
        )
        cr.execute(
            """
            UPDATE crm_lead
               SET user_id = CASE WHEN id %% 10 < %(share)s THEN %(rep)s ELSE 2 END,
                   team_id = %(team)s, in_pool = FALSE,
                   pool_escalated_deadline = NULL, pool_warned_deadline = NULL,
                   pool_recycle_deadline = CASE WHEN id %% 10 < %(share)s
                       THEN (now() at time zone 'utc') + interval '1 day'
                            + (id %% 600) * interval '1 minute' END
             WHERE id IN (SELECT id FROM crm_lead WHERE name LIKE 'bench %%'
                          ORDER BY id LIMIT %(limit)s)
            """,
            {
                "share": 10,
                "rep": rep.id,
                "team": team.id,
                "limit": count,
            },
        )
        env.invalidate_all()
        cr.commit()
        vacuum(cr.dbname, "crm_lead", "mail_activity", "mail_followers")

    now = datetime_now(cr)

    def engine():
        sent = Lead._pool_send_reminder("escalation", now)
        cr.commit()
        return sent

    engine_time, sent = best_of(rounds, reset, engine)
    cr.execute(
        "SELECT COUNT(*) FROM mail_activity WHERE res_model = 'crm.lead'"
        " AND activity_type_id = %s",
        (todo.id,),
    )
    created = cr.fetchone()[0]

    def prepared():
        cr.execute(
            "SELECT id, pool_recycle_deadline FROM crm_lead"
            " WHERE pool_recycle_deadline IS NOT NULL AND team_id = %s"
            " AND pool_escalated_deadline IS NULL",
            (team.id,),
        )
        return cr.fetchall()

    def floor():
        # What the ORM does at the least: one create of a list of ready
        # values (quick update: no mail each; the record names read at
        # once), and the bookkeeping.
        rows = floor.rows
        Activity = env["mail.activity"].with_context(
            mail_activity_quick_update=True, tracking_disable=True
        )
        # The record names read at once (as the engine does).
        Activity.env["crm.lead"].browse([row[0] for row in rows]).mapped("display_name")
        Activity.create(
            [
                {
                    "res_model_id": model_id,
                    "res_id": lead_id,
                    "activity_type_id": todo.id,
                    "date_deadline": deadline.date(),
                    "summary": "Returns to the pool unless Bench Rep contacts them",
                    "user_id": 2,
                }
                for lead_id, deadline in rows
            ]
        )
        cr.execute(
            "UPDATE crm_lead SET pool_escalated_deadline = pool_recycle_deadline"
            " WHERE id = ANY(%s)",
            ([row[0] for row in rows],),
        )
        cr.commit()

    def floor_reset():
        reset()
        floor.rows = prepared()

    floor_time, _r = best_of(rounds, floor_reset, floor)

    def sql_floor():
        cr.execute(
            """
            WITH due AS (
                UPDATE crm_lead SET pool_escalated_deadline = pool_recycle_deadline
                 WHERE pool_recycle_deadline IS NOT NULL AND team_id = %(team)s
                   AND pool_escalated_deadline IS NULL
             RETURNING id, name, pool_recycle_deadline
            ), act AS (
                INSERT INTO mail_activity (res_model_id, res_model, res_id, res_name,
                        activity_type_id, summary, date_deadline, user_id,
                        automated, create_uid, write_uid, create_date, write_date)
                SELECT %(model)s, 'crm.lead', due.id, due.name, %(todo)s,
                       'Returns to the pool unless Bench Rep contacts them',
                       due.pool_recycle_deadline::date, 2, FALSE, 1, 1,
                       now() at time zone 'utc', now() at time zone 'utc'
                  FROM due
            )
            INSERT INTO mail_followers (res_model, res_id, partner_id)
            SELECT 'crm.lead', due.id, %(partner)s FROM due
            ON CONFLICT DO NOTHING
            """,
            {
                "team": team.id,
                "model": model_id,
                "todo": todo.id,
                "partner": leader_partner,
            },
        )
        cr.commit()

    sql_time, _r = best_of(rounds, reset, sql_floor)
    reset()
    return floor_time, engine_time, sql_time, sent, created


def datetime_now(cr):
    cr.execute("SELECT now() at time zone 'utc'")
    return cr.fetchone()[0]


def run_segments(env, args):
    from bench import bench_recycle

    started = time.perf_counter()
    tag = setup_segments(env)
    floor_t, engine_t, differ, with_deadline, without = bench_deadlines(
        env, args.rounds, tag
    )
    print(
        "segments deadlines  floor (one hand-written UPDATE, 3 segments): "
        f"{floor_t:8.2f} s\n"
        f"segments deadlines  engine (_update_pool_deadlines): {engine_t:8.2f} s"
        f"  ({with_deadline:,} leads with a deadline, {without:,} assigned without)\n"
        f"segments deadlines  ratio engine/floor: {engine_t / floor_t:.2f}x "
        "(target <= 1.2x)\n"
        f"segments deadlines  same deadlines as the floor: {not differ}"
        + (f" ({differ:,} leads differ)" if differ else "")
    )
    result = bench_recycle(env, args.rounds)
    floor_t, engine_t, floor_moved, moved = result[:4]
    differ = result[8]
    print(
        f"segments recycle  floor: {floor_t:8.2f} s ({floor_moved:,} leads)\n"
        f"segments recycle  engine (_cron_pool_recycle): {engine_t:8.2f} s"
        f"  ({moved:,} leads)\n"
        f"segments recycle  ratio engine/floor: {engine_t / floor_t:.2f}x "
        "(target <= 1.2x)\n"
        f"segments recycle  same state as the floor: {not differ}"
        + (f" ({differ})" if differ else "")
    )
    floor_t, engine_t, sql_t, sent, created = bench_escalations(
        env, args.rounds, args.escalations
    )
    print(
        "segments escalations  floor (one mail.activity create of a list, "
        f"bookkeeping): {floor_t:8.2f} s\n"
        f"segments escalations  engine (_pool_send_reminder): {engine_t:8.2f} s"
        f"  ({sent:,} leads, {created:,} to-dos)\n"
        f"segments escalations  ratio engine/floor: {engine_t / floor_t:.2f}x "
        "(target <= 1.5x)\n"
        f"segments escalations  raw SQL INSERT of the rows, for reference: "
        f"{sql_t:8.2f} s"
    )
    env.company.pool_recycle_override_ids.unlink()
    env.company.pool_escalation_days = 0
    env.cr.commit()
    print(f"segments  total: {time.perf_counter() - started:.0f} s")
