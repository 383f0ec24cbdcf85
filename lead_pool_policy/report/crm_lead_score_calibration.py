# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models
from odoo.tools import SQL

from ..models.crm_lead_engagement_type import QUALIFICATIONS
from ..models.crm_lead_scoring_learning import LOST_SQL, WON_SQL
from .sql_view import create_report_view

SCORE_BANDS = [(str(band), f"{band * 10}–{band * 10 + 9}") for band in range(9)] + [
    ("9", "90–100")
]


class CrmLeadScoreCalibration(models.Model):
    """Closed leads by what they scored when they closed: does a hot lead win
    more often than a warm one, a higher score than a lower one?"""

    _name = "crm.lead.score.calibration"
    _description = "Score Calibration"
    _auto = False
    _rec_name = "lead_id"
    _order = "date_closed desc"
    # Read from the view: these are flushed first.
    _depends = {  # noqa: RUF012
        "crm.lead": [
            "active",
            "probability",
            "date_closed",
            "company_id",
            "team_id",
            "user_id",
            "source_id",
            "qualification",
            "lead_score",
            "priority_score",
            "temperature",
            "closing_lead_score",
            "closing_priority_score",
            "closing_temperature",
            "closing_pls_probability",
        ],
        "crm.team": ["company_id"],
    }

    lead_id = fields.Many2one("crm.lead", readonly=True)
    date_closed = fields.Datetime(string="Closed On", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    source_id = fields.Many2one("utm.source", readonly=True)
    score_band = fields.Selection(
        SCORE_BANDS, readonly=True, help="Lead score at closing."
    )
    lead_score = fields.Integer(readonly=True, aggregator="avg")
    priority_score = fields.Float(readonly=True, aggregator="avg", digits=(16, 1))
    temperature = fields.Selection(
        [("hot", "Hot"), ("warm", "Warm"), ("cold", "Cold")], readonly=True
    )
    qualification = fields.Selection(QUALIFICATIONS, readonly=True)
    closed_count = fields.Integer(string="Closed", readonly=True)
    won_count = fields.Integer(string="Won", readonly=True)
    win_rate = fields.Float(
        string="Win Rate (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Share of the closed leads that were won.",
    )
    pls_probability = fields.Float(
        string="Predicted Probability (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Odoo's predictive lead scoring just before closing (empty for "
        "leads closed before the addon was installed).",
    )

    @api.model
    def _query(self):
        Lead = self.env["crm.lead"]
        return SQL(
            """
            SELECT crm_lead.id, crm_lead.id AS lead_id, crm_lead.date_closed,
                   %(company)s AS company_id, crm_lead.team_id, crm_lead.user_id,
                   crm_lead.source_id,
                   LEAST(9, COALESCE(crm_lead.closing_lead_score,
                                     crm_lead.lead_score, 0) / 10)::varchar
                       AS score_band,
                   COALESCE(crm_lead.closing_lead_score, crm_lead.lead_score)
                       AS lead_score,
                   COALESCE(crm_lead.closing_priority_score, crm_lead.priority_score)
                       AS priority_score,
                   COALESCE(crm_lead.closing_temperature, crm_lead.temperature)
                       AS temperature,
                   crm_lead.qualification,
                   1 AS closed_count,
                   CASE WHEN %(won)s THEN 1 ELSE 0 END AS won_count,
                   CASE WHEN %(won)s THEN 100.0 ELSE 0.0 END AS win_rate,
                   crm_lead.closing_pls_probability AS pls_probability
              FROM crm_lead
         LEFT JOIN crm_team lead_team ON lead_team.id = crm_lead.team_id
             WHERE crm_lead.date_closed IS NOT NULL AND (%(won)s OR %(lost)s)
            """,
            company=Lead._policy_company_sql(team_alias="lead_team"),
            won=WON_SQL,
            lost=LOST_SQL,
        )

    def init(self):
        create_report_view(self)
