# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Points learned from won and lost leads.

The data set is one SQL statement: the closed leads of a company grouped by
their pattern of matched rules, their source's rate, whether they belong to
the backtest (the most recent fifth by closing date) and their outcome. The
fit (``learning.fit_logistic``) and the backtest run on those few thousand
rows, whatever the number of leads.
"""

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.tools import SQL

from .. import learning

# Fewer closed leads than this, and the learner suggests nothing.
MIN_CLOSED_LEADS = 50
# The backtest ranks the most recent fifth of the closed leads with points
# learned from the rest.
HOLDOUT_SHARE = 0.2
WON_SQL = SQL("(crm_lead.active AND crm_lead.probability = 100)")
LOST_SQL = SQL("(NOT crm_lead.active AND COALESCE(crm_lead.probability, 0) = 0)")
LEARNING_QUERY = """
    WITH closed AS (
        SELECT crm_lead.date_closed,
               ARRAY[%(bits)s]::int[] AS pattern,
               COALESCE((source.conversion_rate->>%(company_key)s)::float,
                        %(company_rate)s) AS rate,
               %(won)s AS won
          FROM crm_lead
     LEFT JOIN utm_source source ON source.id = crm_lead.source_id
     LEFT JOIN crm_team lead_team ON lead_team.id = crm_lead.team_id
         WHERE %(scope)s
    ), cut AS (
        SELECT percentile_disc(%(split)s) WITHIN GROUP (ORDER BY date_closed) AS at
          FROM closed
    )
    SELECT closed.pattern, closed.rate, closed.date_closed >= cut.at AS holdout,
           COUNT(*) FILTER (WHERE closed.won), COUNT(*) FILTER (WHERE NOT closed.won)
      FROM closed CROSS JOIN cut
  GROUP BY 1, 2, 3
"""


class CrmLeadScoringRule(models.Model):
    _inherit = "crm.lead.scoring.rule"

    @api.model
    def _learning_rows(self, company, rules, date_from):
        """The closed leads of ``company`` closed since ``date_from``, grouped:
        ``[(pattern, rate, holdout, won, lost)]``."""
        Lead = self.env["crm.lead"].sudo().with_context(active_test=False)
        # What the statement reads by name (the rules' conditions and the
        # policy company flush their own columns through ``execute_query``).
        Lead.flush_model(["active", "probability", "date_closed", "source_id"])
        self.env["utm.source"].flush_model(["conversion_rate"])
        closed_since = SQL(
            "crm_lead.date_closed >= %s", fields.Datetime.to_datetime(date_from)
        )
        scope = SQL(
            "%s AND %s = %s AND (%s OR %s)",
            closed_since,
            Lead._policy_company_sql(team_alias="lead_team"),
            company.id,
            WON_SQL,
            LOST_SQL,
        )
        conditions = Lead._scoring_rule_conditions(rules, closed_since)
        bits = [SQL("CASE WHEN %s THEN 1 ELSE 0 END", c) for c in conditions]
        rows = self.env.execute_query(
            SQL(
                LEARNING_QUERY,
                bits=SQL(", ").join(bits) if bits else SQL(""),
                company_key=str(company.id),
                company_rate=company.lead_conversion_rate,
                won=WON_SQL,
                scope=scope,
                split=1 - HOLDOUT_SHARE,
            )
        )
        return [
            (tuple(pattern or ()), rate, holdout, won, lost)
            for pattern, rate, holdout, won, lost in rows
        ]

    @api.model
    def _learn(self, company, date_from=None):
        """Learn the points of ``company``'s rules from its closed leads.

        Returns a dict: ``rules``; per rule ``current``, ``suggested``
        (points), ``matched``, ``won``; ``closed``, ``won``;
        ``lead_weight_current`` / ``lead_weight_suggested`` (percent);
        ``auc_current`` / ``auc_suggested`` (the backtest, None when it
        cannot be measured); ``holdout`` (leads ranked by the backtest);
        ``problem``: a sentence when the history is too short (then nothing
        is suggested)."""
        date_from = date_from or fields.Date.today() - relativedelta(years=1)
        rules = self._get_company_rules(company)
        rows = self._learning_rows(company, rules, date_from)
        won = sum(row[3] for row in rows)
        lost = sum(row[4] for row in rows)
        result = {
            "rules": rules,
            "current": rules.mapped("points"),
            "suggested": rules.mapped("points"),
            "matched": [0] * len(rules),
            "matched_won": [0] * len(rules),
            "closed": won + lost,
            "won": won,
            "lead_weight_current": company.priority_lead_score_weight,
            "lead_weight_suggested": company.priority_lead_score_weight,
            "auc_current": None,
            "auc_suggested": None,
            "holdout": sum(row[3] + row[4] for row in rows if row[2]),
            "problem": False,
        }
        for pattern, _rate, _holdout, row_won, row_lost in rows:
            for index, matched in enumerate(pattern):
                if matched:
                    result["matched"][index] += row_won + row_lost
                    result["matched_won"][index] += row_won
        result["problem"] = self._learning_problem(won, lost)
        if result["problem"]:
            return result
        fit_weight = company.score_fit_weight / 100.0
        categories = rules.mapped("category")
        suggestion = self._learn_points(rows, categories, fit_weight, result)
        if not suggestion:
            result["problem"] = _(
                "No rule separates won from lost leads in this period: there "
                "is nothing to learn from."
            )
            return result
        result["suggested"], result["lead_weight_suggested"] = suggestion
        train = [row for row in rows if not row[2]]
        holdout = [row for row in rows if row[2]]
        backtest = self._learn_points(train, categories, fit_weight, result)
        current = (result["current"], result["lead_weight_current"])
        result["auc_current"] = self._learning_auc(
            holdout, current, categories, fit_weight
        )
        if backtest:
            result["auc_suggested"] = self._learning_auc(
                holdout, backtest, categories, fit_weight
            )
        return result

    @api.model
    def _learning_problem(self, won, lost):
        if won + lost < MIN_CLOSED_LEADS:
            return _(
                "Only %(count)s leads were won or lost in this period: at "
                "least %(minimum)s are needed to learn from. Choose an earlier "
                "start date, or come back when more leads are closed.",
                count=won + lost,
                minimum=MIN_CLOSED_LEADS,
            )
        if not won:
            return _(
                "No lead was won in this period: there is no success to learn "
                "from. Choose an earlier start date."
            )
        if not lost:
            return _(
                "No lead was lost in this period: there is no failure to learn "
                "from. Choose an earlier start date."
            )
        return False

    @api.model
    def _learn_points(self, rows, categories, fit_weight, result):
        """Fit on ``rows`` and translate the coefficients into points and the
        priority's lead-score weight: ``(points, weight_percent)``, or None
        when the rows cannot be learned from.

        A rule that every lead matches (a base, e.g. "Every lead", domain
        ``[]``) is not learned: the first of its category takes the offset
        that keeps the scores off 0, the others 0 points. Rules that no lead
        matches keep their points; so do the rules of a category that does
        not count in the lead score (a weight of 0)."""
        weights = {"fit": fit_weight, "engagement": 1 - fit_weight}
        if not any(row[3] for row in rows) or not any(row[4] for row in rows):
            return None
        counted = [
            index
            for index, category in enumerate(categories)
            if weights[category] and any(row[0][index] for row in rows)
        ]
        constant = [i for i in counted if all(row[0][i] for row in rows)]
        learned = [i for i in counted if i not in constant]
        bases = {}
        for index in constant:
            bases.setdefault(categories[index], index)
        data = [
            ((*(pattern[i] for i in learned), rate), won, lost)
            for pattern, rate, _holdout, won, lost in rows
        ]
        _intercept, coefficients = learning.fit_logistic(data, len(learned) + 1)
        by_rule = dict(zip(learned, coefficients[:-1], strict=True))
        patterns = {tuple(pattern[i] for i in counted) for pattern, *_r in rows}
        points, scale = learning.points_from_coefficients(
            [by_rule.get(i, 0.0) for i in counted],
            [categories[i] for i in counted],
            patterns,
            fit_weight,
            bases={cat: counted.index(i) for cat, i in bases.items()},
        )
        if points is None:
            return None
        suggested = list(result["current"])
        for index, value in zip(counted, points, strict=True):
            suggested[index] = value
        weight = learning.lead_weight_for(coefficients[-1], scale)
        return suggested, round(weight * 100)

    @api.model
    def _learning_auc(self, rows, scoring, categories, fit_weight):
        """The ranking quality (AUC) of the priority score given by
        ``scoring`` (points, lead-score weight in percent) on ``rows``."""
        points, weight = scoring
        return learning.auc(
            [
                (
                    learning.priority(
                        pattern, rate, points, categories, fit_weight, weight / 100.0
                    ),
                    won,
                    lost,
                )
                for pattern, rate, _holdout, won, lost in rows
            ]
        )

    # Crons -------------------------------------------------------------------

    @api.model
    def _cron_scoring_learn_suggest(self):
        """Monthly: learn each company's points; when they would rank the
        backtest leads better by more than the company's threshold, tell its
        sales managers (a to-do on a suggestion, with a button to the
        learner). Never applies anything."""
        self.env["crm.lead"]._check_cron_caller()
        suggested = self.env["crm.lead.scoring.learn.log"]
        for company in self.env["res.company"].sudo().search([]):
            threshold = company.score_learn_threshold
            if threshold <= 0:
                continue
            learned = self._learn(company)
            before, after = learned["auc_current"], learned["auc_suggested"]
            if learned["problem"] or before is None or after is None:
                continue
            if after - before > threshold:
                suggested |= self._learn_suggest(company, learned)
        return suggested

    @api.model
    def _learn_suggest(self, company, learned):
        log = self.env["crm.lead.scoring.learn.log"]._record(
            "suggestion",
            company,
            fields.Date.today() - relativedelta(years=1),
            learned["closed"],
            (learned["auc_current"], learned["auc_suggested"]),
            (learned["lead_weight_current"], learned["lead_weight_suggested"]),
            zip(
                learned["rules"], learned["current"], learned["suggested"], strict=True
            ),
            user=self.env["res.users"],
        )
        managers = self.env["crm.lead"]._company_sales_managers(company)
        todo = self.env.ref("mail.mail_activity_data_todo")
        model = self.env["ir.model"]._get_id(log._name)
        self.env["mail.activity"].sudo().create(
            [
                {
                    "res_model_id": model,
                    "res_id": log.id,
                    "activity_type_id": todo.id,
                    "user_id": manager.id,
                    "summary": _("Review the learned scoring points"),
                    "note": _(
                        "Points learned from the leads won and lost this year "
                        "would rank the most recent ones better (ranking quality "
                        "%(before).3f → %(after).3f). Open the learner to review "
                        "them; nothing changes until you apply them.",
                        before=learned["auc_current"],
                        after=learned["auc_suggested"],
                    ),
                }
                for manager in managers
            ]
        )
        return log
