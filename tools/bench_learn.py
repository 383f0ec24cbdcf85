"""Benchmark of the scoring learner (see bench.py, ``--only learn``).

On a database ``NAME_learn`` (the addon, no demo data), closed leads are drawn
from a known model: each BANT answer and each of 20 sources shifts the
log-odds of winning (``TRUE_LOGIT``). Winners were converted to opportunities
and won, losers lost as leads. The shipped rules' points are then set equal
(10 each, "No need" and "No budget" included: equal and wrong), and fresh
open leads are drawn from the same model. Reported, as the expected AUC of
the ranking of the fresh leads (computed from their known probabilities):

- before learning: ``priority_score`` with the equal points;
- after learning: ``priority_score`` once the learned points and weight are
  written (what ``action_apply`` writes) and the leads rescored;
- Odoo's predictive lead scoring over the same fields (``crm.pls_fields`` set
  to the four BANT answers and the source; its cron rebuilds the frequencies
  from the closed leads and rescores the open ones): ``automated_probability``;
- the oracle: the true probabilities themselves;

and the learning's time, its Python peak (tracemalloc) and the process's
peak memory.
"""

import resource
import time
import tracemalloc

from bench_pg import ensure_installed, is_generated, mark_generated

GENERATOR_VERSION = "2"
GENERATOR_KEY = "lpp_bench.learn_generated"
SOURCES = 20
# The known model: log-odds of winning.
TRUE_LOGIT = """
    (-2.2
     + CASE {t}.bant_budget WHEN 'approved' THEN 1.2 WHEN 'planned' THEN 0.5
                            WHEN 'none' THEN -1.0 ELSE 0 END
     + CASE {t}.bant_authority WHEN 'decision_maker' THEN 1.0
                               WHEN 'influencer' THEN 0.4 WHEN 'user' THEN 0.1
                               ELSE 0 END
     + CASE {t}.bant_need WHEN 'confirmed' THEN 1.5 WHEN 'latent' THEN 0.4
                          WHEN 'none' THEN -2.0 ELSE 0 END
     + CASE {t}.bant_timeline WHEN 'within_3_months' THEN 0.9
                              WHEN 'within_6_months' THEN 0.4
                              WHEN 'later' THEN -0.3 ELSE 0 END
     + COALESCE(-1.0 + 2.0 * (array_position(%(sources)s::int[], {t}.source_id) - 1)
                / (%(source_count)s - 1), 0))
"""
ANSWERS = """
    (ARRAY['unknown','none','planned','approved'])[1 + floor(random() * 4)::int]
        AS bant_budget,
    (ARRAY['unknown','user','influencer','decision_maker'])
        [1 + floor(random() * 4)::int] AS bant_authority,
    (ARRAY['unknown','none','latent','confirmed'])[1 + floor(random() * 4)::int]
        AS bant_need,
    (ARRAY['unknown','later','within_6_months','within_3_months'])
        [1 + floor(random() * 4)::int] AS bant_timeline,
    CASE WHEN random() < 0.1 THEN NULL
         ELSE (%(sources)s::int[])[1 + floor(random() * %(source_count)s)::int] END
        AS source_id
"""
PLS_FIELDS = "bant_budget,bant_authority,bant_need,bant_timeline,source_id"


def _sources(cr):
    cr.execute(
        "SELECT id FROM utm_source WHERE name LIKE 'learn source %%' ORDER BY id"
    )
    return [row[0] for row in cr.fetchall()]


def _insert_leads(cr, count, sources, closed, prefix):
    """``count`` leads with random answers; closed ones won with the model's
    probability (won: an opportunity at a won stage; lost: an archived lead)."""
    cr.execute("SELECT id FROM res_company ORDER BY id LIMIT 1")
    company = cr.fetchone()[0]
    cr.execute("SELECT id FROM crm_stage WHERE is_won ORDER BY sequence LIMIT 1")
    won_stage = cr.fetchone()[0]
    cr.execute(
        "SELECT id FROM crm_stage WHERE NOT COALESCE(is_won, FALSE)"
        " AND NOT COALESCE(is_pool, FALSE) ORDER BY sequence LIMIT 1"
    )
    first_stage = cr.fetchone()[0]
    params = {
        "sources": sources,
        "source_count": len(sources),
        "count": count,
        "company": company,
        "prefix": prefix,
        "won_stage": won_stage,
        "first_stage": first_stage,
    }
    outcome = (
        "random() < 1 / (1 + exp(-" + TRUE_LOGIT.format(t="drawn") + "))"
        if closed
        else "NULL::boolean"
    )
    cr.execute(
        f"""
        WITH drawn AS (
            SELECT i, {ANSWERS}
              FROM generate_series(1, %(count)s) i
        ), outcome AS (
            SELECT drawn.*, {outcome} AS won,
                   now() at time zone 'utc' - (20 + i %% 320) * interval '1 day'
                       AS created
              FROM drawn
        )
        INSERT INTO crm_lead (name, type, active, company_id, source_id, stage_id,
                              bant_budget, bant_authority, bant_need, bant_timeline,
                              bant_met_count, contact_count, probability,
                              date_conversion, date_closed,
                              create_uid, write_uid, create_date, write_date)
        SELECT %(prefix)s || i,
               CASE WHEN won THEN 'opportunity' ELSE 'lead' END,
               won IS NOT FALSE, %(company)s, source_id,
               CASE WHEN won THEN %(won_stage)s ELSE %(first_stage)s END,
               bant_budget, bant_authority, bant_need, bant_timeline,
               (bant_budget = 'approved')::int
               + (bant_authority = 'decision_maker')::int
               + (bant_need = 'confirmed')::int
               + (bant_timeline = 'within_3_months')::int,
               0,
               CASE WHEN won THEN 100 WHEN NOT won THEN 0 END,
               CASE WHEN won THEN created + interval '10 days' END,
               CASE WHEN won IS NOT NULL THEN created + interval '20 days' END,
               1, 1, created, created
          FROM outcome
        """,
        params,
    )


def generate(cr, closed):
    """Bring the database to ``closed`` generated closed leads."""
    if is_generated(cr, GENERATOR_KEY, GENERATOR_VERSION, "learn closed ", closed):
        return False
    print(f"bench: generating {closed:,} closed leads", flush=True)
    cr.execute("DELETE FROM crm_lead WHERE name LIKE 'learn %%'")
    cr.execute("DELETE FROM utm_source WHERE name LIKE 'learn source %%'")
    cr.execute(
        """
        INSERT INTO utm_source (name, create_uid, write_uid, create_date, write_date)
        SELECT 'learn source ' || lpad(i::text, 2, '0'), 1, 1,
               now() at time zone 'utc', now() at time zone 'utc'
          FROM generate_series(1, %s) i
        """,
        [SOURCES],
    )
    cr.execute("SELECT setseed(0.42)")
    _insert_leads(cr, closed, _sources(cr), True, "learn closed ")
    mark_generated(cr, GENERATOR_KEY, GENERATOR_VERSION)
    cr.execute("ANALYZE crm_lead")
    return True


def expected_auc(cr, sources, column):
    """Expected AUC of the fresh leads ranked by ``column``, their outcomes
    drawn from the known model."""
    from odoo.addons.lead_pool_policy import learning

    cr.execute(
        f"""
        SELECT {column}, p, 1 - p
          FROM (SELECT lead.*, 1 / (1 + exp(-{TRUE_LOGIT.format(t="lead")})) AS p
                  FROM crm_lead lead
                 WHERE lead.name LIKE 'learn fresh %%') fresh
        """,
        {"sources": sources, "source_count": len(sources)},
    )
    return learning.auc(cr.fetchall())


def bench_learn(args):
    import odoo
    from odoo.tools import SQL

    db = f"{args.db}_learn"
    ensure_installed(args.addons_path, db, "lead_pool_policy")
    registry = odoo.modules.registry.Registry(db)
    figures = {}
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        generate(cr, args.closed)
        sources = _sources(cr)
        cr.execute("DELETE FROM crm_lead WHERE name LIKE 'learn fresh %%'")
        cr.execute("SELECT setseed(0.17)")
        _insert_leads(cr, args.fresh, sources, False, "learn fresh ")
        cr.commit()
        env.invalidate_all()
        company = env["res.company"].search([], order="id", limit=1)
        env["utm.source"]._update_conversion_stats()
        rules = env["crm.lead.scoring.rule"]._get_company_rules(company)
        rules.write({"points": 10})
        company.write({"score_fit_weight": 60, "priority_lead_score_weight": 50})
        Lead = env["crm.lead"]
        fresh = SQL("crm_lead.name LIKE 'learn fresh %%'")
        Lead._rescore_scope(company, fresh)
        cr.commit()
        figures["before"] = expected_auc(cr, sources, "priority_score")
        figures["oracle"] = expected_auc(cr, sources, "p")

        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        tracemalloc.start()
        start = time.perf_counter()
        learned = env["crm.lead.scoring.rule"]._learn(company)
        figures["learn_seconds"] = time.perf_counter() - start
        figures["learn_python_peak"] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        figures["rss_before"] = rss_before
        figures["rss_peak"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        figures["closed"] = learned["closed"]
        figures["problem"] = learned["problem"]
        figures["backtest"] = (learned["auc_current"], learned["auc_suggested"])
        figures["points"] = [
            (rule.name, before, after)
            for rule, before, after in zip(
                learned["rules"], learned["current"], learned["suggested"], strict=True
            )
        ]
        figures["weight"] = (
            learned["lead_weight_current"],
            learned["lead_weight_suggested"],
        )
        for rule, points in zip(learned["rules"], learned["suggested"], strict=True):
            rule.points = points
        company.priority_lead_score_weight = learned["lead_weight_suggested"]
        Lead._rescore_scope(company, fresh)
        cr.commit()
        figures["after"] = expected_auc(cr, sources, "priority_score")

        env["ir.config_parameter"].set_param("crm.pls_fields", PLS_FIELDS)
        env["ir.config_parameter"].set_param("crm.pls_start_date", "2000-01-01")
        start = time.perf_counter()
        Lead._cron_update_automated_probabilities()
        figures["pls_seconds"] = time.perf_counter() - start
        cr.commit()
        figures["pls"] = expected_auc(cr, sources, "automated_probability")
    odoo.modules.registry.Registry.delete(db)
    odoo.sql_db.close_db(db)
    return figures


def report_learn(args, figures):
    oracle = figures["oracle"]
    print(
        f"learn    {figures['closed']:,} closed leads, {args.fresh:,} fresh open "
        "leads ranked (expected AUC from the known model)"
    )
    if figures["problem"]:
        print(f"learn    the learner refused: {figures['problem']}")
    for label, key in (
        ("before learning (equal points)", "before"),
        ("after learning (priority_score)", "after"),
        ("Odoo predictive scoring (PLS)", "pls"),
        ("oracle (true probability)", "oracle"),
    ):
        print(
            f"learn    {label:34s} AUC {figures[key]:.4f}"
            f"  ({figures[key] / oracle:.3f} x oracle)"
        )
    print(
        f"learn    after / oracle {figures['after'] / oracle:.3f} (target >= 0.97); "
        f"after - PLS {figures['after'] - figures['pls']:+.4f} (target >= 0)"
    )
    current, suggested = figures["backtest"]
    print(
        f"learn    the learner's own backtest: {current or 0:.4f} -> "
        f"{suggested or 0:.4f}; "
        f"lead score weight {figures['weight'][0]} -> {figures['weight'][1]} %"
    )
    print(
        "learn    points: "
        + ", ".join(f"{name} {old}->{new}" for name, old, new in figures["points"])
    )
    print(
        f"learn    time {figures['learn_seconds']:.1f} s (target <= 60 s); "
        f"Python peak {figures['learn_python_peak'] / 2**20:.0f} MB; "
        f"process peak {figures['rss_peak'] / 1024:.0f} MB "
        f"(before learning {figures['rss_before'] / 1024:.0f} MB; target <= 500 MB); "
        f"PLS cron {figures['pls_seconds']:.1f} s"
    )
