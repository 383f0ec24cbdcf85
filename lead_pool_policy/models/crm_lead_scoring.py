# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""crm.lead: scores, temperature, MQL/SQL/PQL and priority.

Every score column is written by ONE set-based statement (``RESCORE_QUERY``),
for the few leads a write touches as for the refresh cron's batches: there is
no Python twin of the formula to keep in step.
"""

from odoo import _, api, fields, models
from odoo.tools import SQL

from .crm_lead_engagement_type import QUALIFICATION_RANK, QUALIFICATIONS

# Written only by the scoring engine (in SQL): refused to everybody else.
SCORE_FIELDS = (
    "fit_score",
    "engagement_score",
    "lead_score",
    "temperature",
    "nurture_tier",
    "source_conversion_rate",
    "priority_score",
)
# What a lead scored when it closed: written once, at that moment.
CLOSING_FIELDS = (
    "closing_lead_score",
    "closing_priority_score",
    "closing_temperature",
    "closing_pls_probability",
)
# Lead fields the scores depend on besides those the scoring rules read.
SCORING_INPUT_FIELDS = frozenset(
    {
        "bant_budget",
        "bant_authority",
        "bant_need",
        "bant_timeline",
        "qualification",
        "source_id",
        "company_id",
    }
)
# What the statement reads on crm.lead (flushed before it, and no more:
# flushing the whole model would run unrelated pending computations, such as
# Odoo's probabilities, in the middle of the caller's write).
RESCORE_READ_FIELDS = (
    "in_pool",
    "pool_rank",
    "company_id",
    "team_id",
    "source_id",
    "bant_met_count",
    "bant_need",
    "qualification",
    "priority",
    *SCORE_FIELDS,
)
QUALIFICATION_TAGS = {
    "mql": "lead_pool_policy.crm_tag_mql",
    "sql": "lead_pool_policy.crm_tag_sql",
    "pql": "lead_pool_policy.crm_tag_pql",
}
RESCORE_BATCH_SIZE = 50000
# The refresh job's batches, small enough that a claim meeting one of their
# leads waits a fraction of a second (the batch's commit) at most.
RESCORE_CRON_BATCH_SIZE = 5000
# Leads someone is changing right now are left as they are (the next run, or
# their own change, rescores them); locked only when their scores change.
SKIP_LOCKED = SQL(
    "AND EXISTS (SELECT 1 FROM crm_lead locked WHERE locked.id = lead.id"
    " FOR UPDATE SKIP LOCKED)"
)
STARS = SQL(
    "CASE graded.temperature WHEN 'hot' THEN '3' WHEN 'warm' THEN '2' ELSE '1' END"
)
RESCORE_QUERY = """
    WITH scoped AS (
        SELECT crm_lead.id, crm_lead.source_id, crm_lead.bant_met_count,
               crm_lead.bant_need, crm_lead.qualification,
               LEAST(100, GREATEST(0, %(fit)s)) AS fit,
               %(engagement_rules)s AS engagement_rules
          FROM crm_lead
         WHERE %(scope)s
    ), events AS (
        SELECT event.lead_id,
               SUM(event.points * POWER(0.5,
                   GREATEST(EXTRACT(EPOCH FROM (%(now)s - event.date)), 0)
                   / 86400.0 / %(half_life)s)) AS points
          FROM crm_lead_engagement event
         WHERE event.lead_id IN (SELECT id FROM scoped)
      GROUP BY event.lead_id
    ), scores AS (
        SELECT scoped.*,
               LEAST(100, GREATEST(0, FLOOR(COALESCE(events.points, 0)
                    + scoped.engagement_rules + 0.5)))::int AS engagement,
               COALESCE((source.conversion_rate->>%(company_key)s)::float,
                        %(company_rate)s) AS source_rate
          FROM scoped
     LEFT JOIN events ON events.lead_id = scoped.id
     LEFT JOIN utm_source source ON source.id = scoped.source_id
    ), blended AS (
        SELECT scores.*,
               FLOOR(%(fit_weight)s * fit + (1 - %(fit_weight)s) * engagement
                     + 0.5)::int AS score
          FROM scores
    ), graded AS (
        SELECT blended.*,
               CASE WHEN bant_met_count = 4 THEN 'hot'
                    WHEN bant_need = 'none' THEN 'cold'
                    WHEN score >= %(hot)s THEN 'hot'
                    WHEN score < %(warm)s THEN 'cold'
                    ELSE 'warm' END AS temperature,
               CASE WHEN qualification = 'mql' THEN
                    CASE WHEN score >= %(hot)s THEN 'top'
                         WHEN score >= %(warm)s THEN 'middle'
                         ELSE 'low' END END AS nurture_tier,
               LEAST(100, GREATEST(0, ROUND((%(lead_weight)s * score
                     + (1 - %(lead_weight)s) * source_rate * 100)::numeric, 1)))
                   AS priority_score
          FROM blended
    )
    UPDATE crm_lead lead
       SET fit_score = graded.fit,
           engagement_score = graded.engagement,
           lead_score = graded.score,
           temperature = graded.temperature,
           nurture_tier = graded.nurture_tier,
           source_conversion_rate = graded.source_rate,
           priority_score = graded.priority_score,
           -- The pool's order (see crm_lead_pool_rank.py): pool leads only.
           pool_rank = CASE WHEN lead.in_pool THEN graded.priority_score
                            ELSE lead.pool_rank END,
           priority = CASE WHEN %(sync_priority)s THEN %(stars)s
                      ELSE lead.priority END
           %(also_set)s
      FROM graded %(also_from)s
     WHERE lead.id = graded.id
       AND (lead.fit_score IS DISTINCT FROM graded.fit
            OR lead.engagement_score IS DISTINCT FROM graded.engagement
            OR lead.lead_score IS DISTINCT FROM graded.score
            OR lead.temperature IS DISTINCT FROM graded.temperature
            OR lead.nurture_tier IS DISTINCT FROM graded.nurture_tier
            OR lead.source_conversion_rate IS DISTINCT FROM graded.source_rate
            OR lead.priority_score IS DISTINCT FROM graded.priority_score
            OR (lead.in_pool AND lead.pool_rank IS DISTINCT FROM graded.priority_score)
            OR (%(sync_priority)s AND lead.priority IS DISTINCT FROM %(stars)s)
            %(also_changed)s)
       %(skip_locked)s
 RETURNING lead.id
"""
# Nothing else written by the rescore (see ``_rescore_all``'s ``also``).
RESCORE_ALSO_NOTHING = {"also_set": SQL(), "also_from": SQL(), "also_changed": SQL()}


class CrmLead(models.Model):
    _inherit = "crm.lead"

    fit_score = fields.Integer(
        readonly=True,
        copy=False,
        help="Sum of the points of the fit scoring rules the lead matches, "
        "from 0 to 100.",
    )
    engagement_score = fields.Integer(
        readonly=True,
        copy=False,
        help="Points of the lead's engagement events, decayed by age, plus the "
        "engagement scoring rules it matches, from 0 to 100.",
    )
    lead_score = fields.Integer(
        readonly=True,
        copy=False,
        help="Fit and engagement scores blended by the company's fit weight.",
    )
    temperature = fields.Selection(
        [("hot", "Hot"), ("warm", "Warm"), ("cold", "Cold")],
        readonly=True,
        copy=False,
        help="Hot: all four BANT criteria met, or a score at the hot threshold. "
        "Cold: no need, or a score below the warm threshold. Warm: the rest.",
    )
    qualification = fields.Selection(
        QUALIFICATIONS,
        copy=False,
        index=True,
        tracking=True,
        help="Marketing-, sales- or product-qualified lead, set by the lead's "
        "engagement events (SQL over PQL over MQL) or by hand.",
    )
    nurture_tier = fields.Selection(
        [("top", "Top"), ("middle", "Middle"), ("low", "Low")],
        readonly=True,
        copy=False,
        help="For marketing-qualified leads: the nurturing tier given by their "
        "score (top: trial offers, middle: white papers, low: newsletter).",
    )
    source_conversion_rate = fields.Float(
        readonly=True,
        copy=False,
        digits=(16, 4),
        help="Smoothed conversion rate of the lead's source.",
    )
    # One decimal: rounded to whole points, leads of different chances tie
    # (the learner's benchmark loses a thousandth of AUC to those ties).
    priority_score = fields.Float(
        readonly=True,
        copy=False,
        digits=(16, 1),
        aggregator="avg",
        help="Lead score blended with the source's conversion rate, from 0 to "
        "100 with one decimal; pool lists and the next best lead are ordered "
        "by it.",
    )
    # What the lead scored when it was won or lost (the calibration report):
    # the scores go on changing afterwards (engagement decays, rules change),
    # and crm sets its predictive probability to 0 or 100 on closing.
    closing_lead_score = fields.Integer(
        string="Lead Score at Closing", readonly=True, copy=False
    )
    closing_priority_score = fields.Float(
        string="Priority Score at Closing", digits=(16, 1), readonly=True, copy=False
    )
    closing_temperature = fields.Selection(
        [("hot", "Hot"), ("warm", "Warm"), ("cold", "Cold")],
        string="Temperature at Closing",
        readonly=True,
        copy=False,
    )
    closing_pls_probability = fields.Float(
        string="Predicted Probability at Closing", readonly=True, copy=False
    )
    engagement_ids = fields.One2many(
        "crm.lead.engagement", "lead_id", string="Engagement Events"
    )
    engagement_count = fields.Integer(compute="_compute_engagement_count")

    @api.depends("engagement_ids")
    def _compute_engagement_count(self):
        counts = dict(
            self.env["crm.lead.engagement"]._read_group(
                [("lead_id", "in", self.ids)], ["lead_id"], ["__count"]
            )
        )
        for lead in self:
            lead.engagement_count = counts.get(lead, 0)

    # CRUD hooks (called by crm_lead.py) --------------------------------------

    def _get_system_field_groups(self):
        return super()._get_system_field_groups() + [
            (
                frozenset(SCORE_FIELDS + CLOSING_FIELDS),
                False,
                _(
                    "Scores are computed from the scoring rules, the engagement "
                    "events and the settings; they cannot be written (%(fields)s)."
                ),
            )
        ]

    def _scoring_after_create(self):
        self.filtered("qualification")._sync_qualification_tags()
        self._rescore()

    def _scoring_before_write(self, vals):
        """What a write must rescore: every lead when it changes a score
        input; else, on a team change, the leads without a company whose
        team's company changes (it is theirs). Returns a callable."""
        rules = self.env["crm.lead.scoring.rule"]
        if (SCORING_INPUT_FIELDS | rules._get_scoring_field_names()).intersection(vals):
            return lambda: self
        if "team_id" not in vals:
            return self.browse
        before = {
            lead: lead._get_policy_company() for lead in self if not lead.company_id
        }
        return lambda: self.browse(
            [
                lead.id
                for lead, company in before.items()
                if lead._get_policy_company() != company
            ]
        )

    def _scoring_after_write(self, vals, to_rescore):
        if "qualification" in vals:
            self._sync_qualification_tags()
        to_rescore()._rescore()

    def _handle_won_lost(self, vals):
        """Leads being won or lost keep the scores they close with: one
        statement on the stored values of those still open, before crm's
        write sets the probability to 0 or 100. Nothing is read through the
        ORM here (reading in the middle of crm's write would run pending
        computations, such as the probability, out of their order)."""
        if self.ids and (
            ("active" in vals and not vals["active"])
            or (
                vals.get("stage_id")
                and self.env["crm.stage"].browse(vals["stage_id"]).is_won
            )
        ):
            self.env.execute_query(
                SQL(
                    """UPDATE crm_lead
                          SET closing_lead_score = lead_score,
                              closing_priority_score = priority_score,
                              closing_temperature = temperature,
                              closing_pls_probability = automated_probability
                        WHERE id IN %s AND active
                          AND NOT EXISTS (SELECT 1 FROM crm_stage stage
                                           WHERE stage.id = crm_lead.stage_id
                                             AND stage.is_won)""",
                    tuple(self.ids),
                )
            )
            self.invalidate_recordset(CLOSING_FIELDS)
        return super()._handle_won_lost(vals)

    # Business ----------------------------------------------------------------

    def _apply_engagement_qualification(self, events):
        """Upgrade each lead to the strongest qualification among ``events``;
        a weaker event never downgrades a lead."""
        best = {}
        for event in events:
            qualification = event.type_id.qualification
            rank = QUALIFICATION_RANK[qualification]
            if rank > QUALIFICATION_RANK[best.get(event.lead_id)]:
                best[event.lead_id] = qualification
        by_value = {}
        for lead, qualification in best.items():
            if (
                QUALIFICATION_RANK[qualification]
                > QUALIFICATION_RANK[lead.qualification]
            ):
                by_value.setdefault(qualification, self.browse())
                by_value[qualification] |= lead
        for qualification, leads in by_value.items():
            leads.sudo().write({"qualification": qualification})

    def _sync_qualification_tags(self):
        """Each lead carries exactly the MQL/SQL/PQL tag of its qualification;
        other tags are left alone."""
        tags = {
            key: self.env.ref(xmlid, raise_if_not_found=False)
            for key, xmlid in QUALIFICATION_TAGS.items()
        }
        tags = {key: tag for key, tag in tags.items() if tag}
        for qualification in [False, *tags]:
            leads = self.filtered(lambda lead, q=qualification: lead.qualification == q)
            if not leads:
                continue
            commands = [
                fields.Command.unlink(tag.id)
                for key, tag in tags.items()
                if key != qualification
            ]
            if qualification:
                commands.append(fields.Command.link(tags[qualification].id))
            leads.sudo().write({"tag_ids": commands})

    def _rescore(self):
        """Recompute the scores of these leads now (one statement a company)."""
        for company, ids in self._ids_by_policy_company().items():
            changed = self.browse(
                self._rescore_scope(company, SQL("crm_lead.id IN %s", tuple(ids)))
            )
            # Only what really changed: stars are written only when they
            # follow the temperature (they feed Odoo's predictive scoring).
            fnames = SCORE_FIELDS + (
                ("priority",) if company.score_sync_priority else ()
            )
            changed.modified(fnames)
            # The statement wrote the pool's order with the score.
            self.env.remove_to_compute(self._fields["pool_rank"], changed)

    @api.model
    def _rescore_all(
        self, commit=False, also=None, batch_size=RESCORE_BATCH_SIZE, skip_locked=False
    ):
        """Recompute every lead's scores, company by company, in batches of ids.

        Each batch is one UPDATE statement that only touches leads whose
        values change; between batches the cron reports its progress and, with
        ``commit``, commits (see ``_commit_batch``). ``also(scope)`` may give
        more columns for the same statement to write (``also_set``,
        ``also_from`` joined to ``graded``, ``also_changed``): the install
        fills the recycle deadlines in the same pass over the table.
        ``skip_locked``: leave the leads others are changing (the refresh
        job yields to the working day, see ``_rescore_scope``).
        ``batch_size`` None: one statement per company.
        """
        leads = self.sudo().with_context(active_test=False)
        spans = leads.env.execute_query(
            SQL(
                "SELECT %s, MIN(id), MAX(id), COUNT(*) FROM crm_lead"
                " GROUP BY 1 ORDER BY 1",
                leads._policy_company_sql(),
            )
        )
        total = sum(span[3] for span in spans)
        done = changed = 0
        for company_id, min_id, max_id, count in spans:
            company = leads.env["res.company"].browse(company_id)
            company_done = 0
            step = batch_size or max_id - min_id + 1
            for low in range(min_id, max_id + 1, step):
                batch = SQL("crm_lead.id >= %s AND crm_lead.id < %s", low, low + step)
                changed += len(
                    leads._rescore_scope(
                        company, batch, also=also, skip_locked=skip_locked
                    )
                )
                company_done = min(count, company_done + step)
                leads.env["ir.cron"]._notify_progress(
                    done=done + company_done, remaining=total - done - company_done
                )
                if commit:
                    leads._commit_batch()
            done += count
        return changed

    def _rescore_scope(self, company, scope, also=None, skip_locked=False):
        """One UPDATE that recomputes the scores of the leads of ``company``
        selected by ``scope`` (an SQL condition on crm_lead), reading the
        rules, the engagement events and the source rates (and writing what
        ``also`` adds, see ``_rescore_all``). Returns the ids of the leads
        that changed."""
        Lead = self.sudo().with_context(active_test=False)
        Lead.flush_model(RESCORE_READ_FIELDS)
        self.env["crm.lead.engagement"].flush_model(["lead_id", "date", "points"])
        self.env["utm.source"].flush_model(["conversion_rate"])
        scope = SQL("%s AND %s = %s", scope, Lead._policy_company_sql(), company.id)
        rows = self.env.execute_query(
            SQL(
                RESCORE_QUERY,
                scope=scope,
                **Lead._rescore_rule_points(company, scope),
                now=fields.Datetime.now(),
                half_life=company.engagement_half_life_days,
                company_key=str(company.id),
                company_rate=company.lead_conversion_rate,
                fit_weight=company.score_fit_weight / 100.0,
                lead_weight=company.priority_lead_score_weight / 100.0,
                hot=company.score_hot_threshold,
                warm=company.score_warm_threshold,
                sync_priority=company.score_sync_priority,
                stars=STARS,
                **(also(scope) if also else RESCORE_ALSO_NOTHING),
                skip_locked=SKIP_LOCKED if skip_locked else SQL(),
            )
        )
        self.invalidate_model(SCORE_FIELDS + ("priority", "pool_rank"))
        return [row[0] for row in rows]

    def _rescore_rule_points(self, company, scope):
        """The sums of the points of the company's fit and engagement rules,
        as SQL expressions over the crm_lead row."""
        rules = self.env["crm.lead.scoring.rule"]._get_company_rules(company)
        points = {"fit": [SQL("0")], "engagement": [SQL("0")]}
        for rule, condition in zip(
            rules, self._scoring_rule_conditions(rules, scope), strict=True
        ):
            points[rule.category].append(
                SQL("CASE WHEN %s THEN %s ELSE 0 END", condition, rule.points)
            )
        return {
            "fit": SQL(" + ").join(points["fit"]),
            "engagement_rules": SQL(" + ").join(points["engagement"]),
        }

    def _scoring_rule_conditions(self, rules, scope):
        """Each rule's filter as an SQL condition over the crm_lead row (of a
        statement whose leads ``scope`` selects): for the scores, the learner
        and the form's "why"."""
        return [
            self._lead_domain_condition(rule._get_lead_domain(), scope)
            for rule in rules
        ]

    @api.model
    def _request_mass_rescore(self):
        """Ask the refresh cron to rescore every lead (rule or setting change)."""
        cron = self.env.ref(
            "lead_pool_policy.ir_cron_lead_scoring_refresh", raise_if_not_found=False
        )
        if cron:
            cron.sudo()._trigger()

    # Crons -------------------------------------------------------------------

    @api.model
    def _cron_lead_scoring_refresh(self):
        """Daily (and on request): source conversion rates, then every lead's
        scores (time decay, source rates, priority, rule or setting changes)."""
        self._check_cron_caller()
        self.env["utm.source"].sudo()._update_conversion_stats()
        self._commit_batch()
        return self._rescore_all(
            commit=True, batch_size=RESCORE_CRON_BATCH_SIZE, skip_locked=True
        )
