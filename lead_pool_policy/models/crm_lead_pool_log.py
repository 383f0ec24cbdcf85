# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import fields, models

POOL_REASONS = [
    ("new", "New lead"),
    ("uncontacted", "Not contacted in time"),
    ("unconverted", "Not converted in time"),
    ("stale", "No recent contact"),
    ("deleted", "Deleted"),
    ("returned", "Returned"),
    ("manager", "Moved by a manager"),
]
POOL_EVENTS = [
    ("enter", "Entered the pool"),
    ("recycle", "Recycled"),
    ("claim", "Claimed"),
    ("assign", "Assigned"),
    ("return", "Returned"),
    ("delete", "Deleted to the pool"),
    ("purge", "Purged"),
    ("move", "Moved to another pool"),
    ("extend", "Deadline extended"),
]


class CrmLeadPoolLog(models.Model):
    _name = "crm.lead.pool.log"
    _description = "Public Pool History"
    _order = "date desc, id desc"
    _rec_name = "lead_name"

    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    lead_id = fields.Many2one(
        "crm.lead", string="Lead Record", ondelete="set null", index=True
    )
    lead_name = fields.Char(string="Lead", required=True)
    event = fields.Selection(POOL_EVENTS, required=True, index=True)
    reason = fields.Selection(POOL_REASONS)
    return_reason_id = fields.Many2one("crm.lead.pool.return.reason")
    note = fields.Text()
    user_id = fields.Many2one("res.users", string="Done By", index=True)
    owner_before_id = fields.Many2one("res.users", index=True)
    owner_after_id = fields.Many2one("res.users", index=True)
    team_id = fields.Many2one("crm.team", string="Sales Team")
    company_id = fields.Many2one("res.company", index=True)
