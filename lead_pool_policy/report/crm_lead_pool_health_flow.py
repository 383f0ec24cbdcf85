# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models
from odoo.tools import SQL

from ..models.crm_lead_pool_log import POOL_REASONS
from .sql_view import create_report_view

# The pool log's events that bring a lead into a pool, and those that take
# it out to a salesperson. A move between pools (``move``) is neither: the
# log names only the pool it enters. A purge is neither: the log cannot tell
# a pool lead from another once it is gone.
POOL_ENTRY_EVENTS = ("enter", "recycle", "return", "delete")
POOL_EXIT_EVENTS = ("claim", "assign")
POOL_MOVEMENTS = [
    *POOL_REASONS,
    ("claim", "Claimed"),
    ("assign", "Assigned"),
]


class CrmLeadPoolHealthFlow(models.Model):
    """The pool's entries and exits, one row per move in the pool history:
    how many leads enter the pools each week and why, against how many
    salespeople take out."""

    _name = "crm.lead.pool.health.flow"
    _description = "Pool Entries and Exits"
    _auto = False
    _rec_name = "lead_id"
    _order = "date desc, id desc"
    # Read from the view: these are flushed first.
    _depends = {  # noqa: RUF012
        "crm.lead.pool.log": [
            "date",
            "lead_id",
            "event",
            "reason",
            "owner_before_id",
            "owner_after_id",
            "team_id",
            "company_id",
        ],
    }

    date = fields.Datetime(readonly=True)
    lead_id = fields.Many2one("crm.lead", readonly=True)
    direction = fields.Selection(
        [("in", "Entered the Pool"), ("out", "Left the Pool")], readonly=True
    )
    movement = fields.Selection(
        POOL_MOVEMENTS,
        string="Why",
        readonly=True,
        help="Why the lead entered the pool (its reason), or how it left it "
        "(claimed by a salesperson, assigned by a manager).",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        readonly=True,
        help="Who held the lead before it entered the pool, or who took it out.",
    )
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    entry_count = fields.Integer(string="Entries", readonly=True)
    exit_count = fields.Integer(string="Exits", readonly=True)
    net_count = fields.Integer(
        string="In (+) / Out (−)",
        readonly=True,
        help="Entries count up, exits down: the pool's growth.",
    )

    @api.model
    def _query(self):
        return SQL(
            """
            SELECT log.id, log.date, log.lead_id,
                   CASE WHEN log.event IN %(exits)s THEN 'out' ELSE 'in' END
                       AS direction,
                   CASE WHEN log.event IN %(exits)s THEN log.event
                        ELSE COALESCE(log.reason, CASE log.event
                            WHEN 'return' THEN 'returned'
                            WHEN 'delete' THEN 'deleted'
                            ELSE 'manager' END)
                   END AS movement,
                   CASE WHEN log.event IN %(exits)s THEN log.owner_after_id
                        ELSE log.owner_before_id END AS user_id,
                   log.team_id, log.company_id,
                   CASE WHEN log.event IN %(exits)s THEN 0 ELSE 1 END AS entry_count,
                   CASE WHEN log.event IN %(exits)s THEN 1 ELSE 0 END AS exit_count,
                   CASE WHEN log.event IN %(exits)s THEN -1 ELSE 1 END AS net_count
              FROM crm_lead_pool_log log
             WHERE log.event IN %(events)s
            """,
            exits=POOL_EXIT_EVENTS,
            events=POOL_ENTRY_EVENTS + POOL_EXIT_EVENTS,
        )

    def init(self):
        create_report_view(self)
