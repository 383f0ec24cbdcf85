# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models
from odoo.tools import SQL

from ..models.crm_lead_pool_recycle import RECYCLE_RULES
from .sql_view import create_report_view


class CrmLeadPoolHealthDue(models.Model):
    """The recycles to come: one row per assigned lead with a recycle
    deadline, by salesperson and day (the report's default filter keeps the
    next 14 days, and those already due at the next run)."""

    _name = "crm.lead.pool.health.due"
    _description = "Due Recycles"
    _auto = False
    _rec_name = "lead_id"
    _order = "deadline, id"
    # Read from the view: these are flushed first.
    _depends = {  # noqa: RUF012
        "crm.lead": [
            "active",
            "in_pool",
            "user_id",
            "team_id",
            "company_id",
            "pool_recycle_deadline",
            "pool_recycle_rule",
            "priority_score",
        ],
        "crm.team": ["company_id"],
    }

    lead_id = fields.Many2one("crm.lead", readonly=True)
    deadline = fields.Datetime(
        string="Recycle Deadline",
        readonly=True,
        help="When the lead returns to the pool if nothing happens.",
    )
    rule = fields.Selection(RECYCLE_RULES, string="Recycle Rule", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    priority_score = fields.Float(readonly=True, aggregator="avg", digits=(16, 1))
    due_count = fields.Integer(string="Due Recycles", readonly=True)

    @api.model
    def _query(self):
        return SQL(
            """
            SELECT crm_lead.id, crm_lead.id AS lead_id,
                   crm_lead.pool_recycle_deadline AS deadline,
                   crm_lead.pool_recycle_rule AS rule,
                   crm_lead.user_id, crm_lead.team_id,
                   %(company)s AS company_id,
                   crm_lead.priority_score,
                   1 AS due_count
              FROM crm_lead
         LEFT JOIN crm_team lead_team ON lead_team.id = crm_lead.team_id
             WHERE crm_lead.pool_recycle_deadline IS NOT NULL
               AND crm_lead.user_id IS NOT NULL
               AND crm_lead.active
               AND NOT COALESCE(crm_lead.in_pool, FALSE)
            """,
            company=self.env["crm.lead"]._policy_company_sql(team_alias="lead_team"),
        )

    def init(self):
        create_report_view(self)
