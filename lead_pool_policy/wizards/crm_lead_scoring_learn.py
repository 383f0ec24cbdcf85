# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError


def _default_date_from(_model):
    return fields.Date.today() - relativedelta(years=1)


class CrmLeadScoringLearn(models.TransientModel):
    _name = "crm.lead.scoring.learn"
    _description = "Learn scoring points from won and lost leads"

    date_from = fields.Date(
        string="Closed Since",
        required=True,
        default=_default_date_from,
        help="Learn from the leads won or lost since this date.",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        domain=lambda self: [("id", "in", self.env.companies.ids)],
    )
    line_ids = fields.One2many(
        "crm.lead.scoring.learn.line",
        "wizard_id",
        compute="_compute_learning",
        store=True,
        readonly=True,
    )
    closed_count = fields.Integer(
        string="Closed Leads", compute="_compute_learning", store=True
    )
    won_count = fields.Integer(string="Won", compute="_compute_learning", store=True)
    holdout_count = fields.Integer(
        string="Backtest Leads",
        compute="_compute_learning",
        store=True,
        help="The most recent fifth of the closed leads: the backtest learns "
        "points without them, then ranks them.",
    )
    lead_weight_current = fields.Integer(
        string="Current Lead Score Weight (%)", compute="_compute_learning", store=True
    )
    lead_weight_suggested = fields.Integer(
        string="Suggested Lead Score Weight (%)",
        compute="_compute_learning",
        store=True,
        help="The priority's share of the lead score; the source's conversion "
        "rate gets the rest.",
    )
    auc_current = fields.Float(
        string="Ranking Quality Now",
        compute="_compute_learning",
        store=True,
        digits=(16, 3),
        help="Area under the ROC curve of the current priority score on the "
        "backtest leads: the chance that a won lead ranks above a lost one "
        "(0.5 is chance, 1 is perfect).",
    )
    auc_suggested = fields.Float(
        string="Ranking Quality Suggested",
        compute="_compute_learning",
        store=True,
        digits=(16, 3),
        help="The same, with points learned from the older leads only.",
    )
    problem = fields.Char(compute="_compute_learning", store=True)
    worse = fields.Boolean(
        compute="_compute_worse",
        help="The backtest ranks the most recent leads worse with the learned "
        "points than with the current ones.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_learner_access()
        return super().create(vals_list)

    @api.model
    def _check_learner_access(self):
        if not self.env.user.has_group("sales_team.group_sale_manager"):
            raise AccessError(
                _("Only sales managers can learn and apply scoring points.")
            )

    @api.depends("date_from", "company_id")
    def _compute_learning(self):
        Rule = self.env["crm.lead.scoring.rule"]
        for wizard in self:
            if not wizard.company_id or not wizard.date_from:
                wizard.line_ids = [fields.Command.clear()]
                continue
            learned = Rule._learn(wizard.company_id, wizard.date_from)
            wizard.update(
                {
                    "closed_count": learned["closed"],
                    "won_count": learned["won"],
                    "holdout_count": learned["holdout"],
                    "lead_weight_current": learned["lead_weight_current"],
                    "lead_weight_suggested": learned["lead_weight_suggested"],
                    "auc_current": learned["auc_current"] or 0.0,
                    "auc_suggested": learned["auc_suggested"] or 0.0,
                    "problem": learned["problem"],
                    "line_ids": [fields.Command.clear()]
                    + [
                        fields.Command.create(
                            {
                                "rule_id": rule.id,
                                "points_current": current,
                                "points_suggested": suggested,
                                "matched_count": matched,
                                "won_count": won,
                            }
                        )
                        for rule, current, suggested, matched, won in zip(
                            learned["rules"],
                            learned["current"],
                            learned["suggested"],
                            learned["matched"],
                            learned["matched_won"],
                            strict=True,
                        )
                    ],
                }
            )

    @api.depends("auc_current", "auc_suggested")
    def _compute_worse(self):
        for wizard in self:
            wizard.worse = bool(
                wizard.auc_current
                and wizard.auc_suggested
                and wizard.auc_suggested < wizard.auc_current
            )

    def action_apply(self):
        """Write the suggested points and weight, record who applied what,
        and ask the refresh cron to rescore every lead."""
        self.ensure_one()
        self._check_learner_access()
        if self.problem:
            raise UserError(self.problem)
        changed = self.line_ids.filtered(
            lambda line: line.points_suggested != line.rule_id.points
        )
        company = self.company_id.sudo()
        log = self.env["crm.lead.scoring.learn.log"]._record(
            "applied",
            company,
            self.date_from,
            self.closed_count,
            (self.auc_current, self.auc_suggested),
            (company.priority_lead_score_weight, self.lead_weight_suggested),
            [
                (line.rule_id, line.rule_id.points, line.points_suggested)
                for line in changed
            ],
        )
        for line in changed:
            line.rule_id.sudo().points = line.points_suggested
        if company.priority_lead_score_weight != self.lead_weight_suggested:
            company.priority_lead_score_weight = self.lead_weight_suggested
        self.env["crm.lead"]._request_mass_rescore()
        return {
            "type": "ir.actions.act_window",
            "res_model": log._name,
            "res_id": log.id,
            "view_mode": "form",
            "target": "current",
        }


class CrmLeadScoringLearnLine(models.TransientModel):
    _name = "crm.lead.scoring.learn.line"
    _description = "A scoring rule in the learner"
    _order = "id"

    wizard_id = fields.Many2one(
        "crm.lead.scoring.learn", required=True, ondelete="cascade"
    )
    rule_id = fields.Many2one(
        "crm.lead.scoring.rule", required=True, ondelete="cascade"
    )
    category = fields.Selection(related="rule_id.category")
    points_current = fields.Integer(string="Points Now")
    points_suggested = fields.Integer(string="Suggested Points")
    matched_count = fields.Integer(
        string="Leads Matched", help="Closed leads of the period matching the rule."
    )
    won_count = fields.Integer(string="Won")
    win_rate = fields.Float(
        string="Win Rate (%)", compute="_compute_rates", digits=(16, 1)
    )
    lift = fields.Float(
        compute="_compute_rates",
        digits=(16, 2),
        help="The rule's win rate divided by the win rate of all closed leads: "
        "above 1, its leads win more often than the average lead.",
    )

    @api.depends(
        "matched_count", "won_count", "wizard_id.won_count", "wizard_id.closed_count"
    )
    def _compute_rates(self):
        for line in self:
            rate = line.won_count / line.matched_count if line.matched_count else 0.0
            closed = line.wizard_id.closed_count
            overall = line.wizard_id.won_count / closed if closed else 0.0
            line.win_rate = rate * 100
            line.lift = rate / overall if overall else 0.0
