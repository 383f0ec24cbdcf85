# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models

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
    reason_text = fields.Char(
        string="Why",
        compute="_compute_reason_text",
        help="The real reason of the event: the return reason and the "
        "salesperson's note, else why the lead entered the pool.",
    )
    note = fields.Text()
    user_id = fields.Many2one("res.users", string="Done By", index=True)
    owner_before_id = fields.Many2one("res.users", index=True)
    owner_after_id = fields.Many2one("res.users", index=True)
    team_id = fields.Many2one("crm.team", string="Sales Team")
    company_id = fields.Many2one("res.company", index=True)

    @api.depends("event", "reason", "return_reason_id", "note")
    @api.depends_context("lang")
    def _compute_reason_text(self):
        """One column instead of three: the reason chosen and the note; the
        pool reason only when it says more than the event ("Returned" on a
        return, "Deleted" on a delete-to-pool say nothing new)."""
        reasons = dict(self._fields["reason"]._description_selection(self.env))
        implied = {"return": "returned", "delete": "deleted"}
        for log in self:
            parts = [log.return_reason_id.name, log.note]
            if not log.return_reason_id and log.reason != implied.get(log.event):
                parts.insert(0, reasons.get(log.reason))
            log.reason_text = " — ".join(part for part in parts if part)
