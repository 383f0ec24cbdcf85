# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models
from odoo.tools import SQL

from ..models.crm_lead_scoring_learning import LOST_SQL, WON_SQL
from .crm_lead_pool_health_flow import POOL_ENTRY_EVENTS, POOL_EXIT_EVENTS
from .sql_view import create_report_view

CLAIM_OUTCOMES = [
    ("won", "Won"),
    ("opportunity", "Converted to Opportunity"),
    ("lost", "Lost"),
    ("returned", "Back in the Pool"),
    ("open", "Still Open"),
    ("deleted", "Deleted"),
]


class CrmLeadPoolHealthClaim(models.Model):
    """Leads taken from the pool, one row per claim or assignment, and what
    became of them in the hands of who took them: until the lead entered a
    pool again, or until now.

    The claim *converted* when the lead became an opportunity in that time
    (its conversion date) or was won in it (its closing date, at 100 %): a
    claimed opportunity, recycled for lack of contact, converts by being
    won. A conversion after the lead came back to a pool counts for the
    claim that took it out again, never for the earlier ones."""

    _name = "crm.lead.pool.health.claim"
    _description = "Claims and Conversions"
    _auto = False
    _rec_name = "lead_id"
    _order = "date desc, id desc"
    # Read from the view: these are flushed first.
    _depends = {  # noqa: RUF012
        "crm.lead.pool.log": [
            "date",
            "lead_id",
            "event",
            "owner_after_id",
            "team_id",
            "company_id",
        ],
        "crm.lead": ["active", "probability", "date_closed", "date_conversion"],
    }

    date = fields.Datetime(string="Taken On", readonly=True)
    lead_id = fields.Many2one("crm.lead", readonly=True)
    event = fields.Selection(
        [("claim", "Claimed"), ("assign", "Assigned")], string="How", readonly=True
    )
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    outcome = fields.Selection(
        CLAIM_OUTCOMES,
        readonly=True,
        help="What became of the lead in the hands of who took it: won, "
        "converted to an opportunity, lost, back in a pool, or still open.",
    )
    held_until = fields.Datetime(
        readonly=True, help="When the lead entered a pool again, if it did."
    )
    claim_count = fields.Integer(string="Claims", readonly=True)
    converted_count = fields.Integer(
        string="Converted",
        readonly=True,
        help="Claims whose lead became an opportunity or was won before it "
        "entered a pool again.",
    )
    won_count = fields.Integer(
        string="Won",
        readonly=True,
        help="Claims whose lead was won before it entered a pool again.",
    )
    conversion_rate = fields.Float(
        string="Conversion Rate (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Share of the claims that converted.",
    )

    @api.model
    def _query(self):
        return SQL(
            """
            SELECT log.id, log.date, log.lead_id, log.event,
                   log.owner_after_id AS user_id, log.team_id, log.company_id,
                   back.until AS held_until,
                   CASE WHEN crm_lead.id IS NULL THEN 'deleted'
                        WHEN held.won THEN 'won'
                        WHEN held.opportunity THEN 'opportunity'
                        WHEN held.lost THEN 'lost'
                        WHEN back.until IS NOT NULL THEN 'returned'
                        ELSE 'open' END AS outcome,
                   1 AS claim_count,
                   CASE WHEN held.won OR held.opportunity THEN 1 ELSE 0 END
                       AS converted_count,
                   CASE WHEN held.won THEN 1 ELSE 0 END AS won_count,
                   CASE WHEN held.won OR held.opportunity THEN 100.0 ELSE 0.0 END
                       AS conversion_rate
              FROM crm_lead_pool_log log
         LEFT JOIN crm_lead ON crm_lead.id = log.lead_id
         -- The lead's next entry into a pool: who took it held it until then.
         LEFT JOIN LATERAL (
                   SELECT MIN(back.date) AS until
                     FROM crm_lead_pool_log back
                    WHERE back.lead_id = log.lead_id
                      AND back.event IN %(entries)s
                      AND (back.date, back.id) > (log.date, log.id)
                   ) back ON TRUE
        CROSS JOIN LATERAL (
                   SELECT COALESCE(%(won)s AND %(closed_held)s, FALSE) AS won,
                          COALESCE(%(lost)s AND %(closed_held)s, FALSE) AS lost,
                          COALESCE(crm_lead.date_conversion >= log.date
                              AND (back.until IS NULL
                                   OR crm_lead.date_conversion < back.until), FALSE)
                              AS opportunity
                   ) held
             WHERE log.event IN %(exits)s
            """,
            entries=POOL_ENTRY_EVENTS,
            exits=POOL_EXIT_EVENTS,
            won=WON_SQL,
            lost=LOST_SQL,
            closed_held=SQL(
                "crm_lead.date_closed >= log.date"
                " AND (back.until IS NULL OR crm_lead.date_closed < back.until)"
            ),
        )

    def init(self):
        create_report_view(self)
