# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import _, api, fields, models


class CrmLeadScoringLearnLog(models.Model):
    _name = "crm.lead.scoring.learn.log"
    _description = "Scoring points learned: suggestions and applications"
    _inherit = ["mail.thread", "mail.activity.mixin"]  # noqa: RUF012
    _order = "create_date desc, id desc"
    _rec_name = "display_title"

    kind = fields.Selection(
        [("suggestion", "Suggested"), ("applied", "Applied")],
        required=True,
        readonly=True,
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    user_id = fields.Many2one(
        "res.users",
        string="By",
        readonly=True,
        default=lambda self: self.env.user,
        help="Who applied the points (the scheduled action for a suggestion).",
    )
    date_from = fields.Date(string="Closed Since", readonly=True)
    closed_count = fields.Integer(string="Closed Leads", readonly=True)
    auc_before = fields.Float(
        string="Ranking Quality Before", digits=(16, 3), readonly=True
    )
    auc_after = fields.Float(
        string="Ranking Quality After", digits=(16, 3), readonly=True
    )
    lead_weight_before = fields.Integer(
        string="Lead Score Weight Before (%)", readonly=True
    )
    lead_weight_after = fields.Integer(
        string="Lead Score Weight After (%)", readonly=True
    )
    changes = fields.Text(
        string="Points Changed",
        readonly=True,
        help="One line per rule: before → after.",
    )
    display_title = fields.Char(compute="_compute_display_title")

    @api.depends("kind", "create_date")
    def _compute_display_title(self):
        for log in self:
            date = fields.Date.to_string(
                fields.Datetime.context_timestamp(log, log.create_date)
                if log.create_date
                else fields.Date.today()
            )
            log.display_title = (
                _("Scoring points applied on %(date)s", date=date)
                if log.kind == "applied"
                else _("Scoring points suggested on %(date)s", date=date)
            )

    @api.model
    def _record(
        self, kind, company, date_from, closed, aucs, weights, points, user=None
    ):
        """One line of the history: ``aucs`` and ``weights`` are (before,
        after); ``points`` (rule, before, after) triples, of which the changed
        ones are listed."""
        return self.sudo().create(
            {
                "kind": kind,
                "company_id": company.id,
                "user_id": (self.env.user if user is None else user).id,
                "date_from": date_from,
                "closed_count": closed,
                "auc_before": aucs[0],
                "auc_after": aucs[1],
                "lead_weight_before": weights[0],
                "lead_weight_after": weights[1],
                "changes": "\n".join(
                    f"{rule.name}: {before} → {after}"
                    for rule, before, after in points
                    if before != after
                ),
            }
        )

    def action_open_learner(self):
        """The learner on the log's company and period."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Learn Scoring Points"),
            "res_model": "crm.lead.scoring.learn",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_company_id": self.company_id.id,
                "default_date_from": fields.Date.to_string(self.date_from),
            },
        }
