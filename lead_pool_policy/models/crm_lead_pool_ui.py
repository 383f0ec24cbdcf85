# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""crm.lead: what the pool's screens show and nothing decides: the last
return reason and note of a lead, and the current user's claim counters."""

from odoo import _, api, fields, models


class CrmLead(models.Model):
    _inherit = "crm.lead"

    pool_last_return_reason_id = fields.Many2one(
        "crm.lead.pool.return.reason",
        string="Last Return Reason",
        compute="_compute_pool_last_return",
        compute_sudo=True,
        help="Why the lead was last returned to the pool.",
    )
    pool_last_return_note = fields.Text(
        string="Last Return Note",
        compute="_compute_pool_last_return",
        compute_sudo=True,
    )
    pool_last_return_user_id = fields.Many2one(
        "res.users",
        string="Last Returned By",
        compute="_compute_pool_last_return",
        compute_sudo=True,
    )

    def _compute_pool_last_return(self):
        """From the lead's last ``return`` row of the pool history."""
        last = {}
        if self.ids:
            for log in self.env["crm.lead.pool.log"].search(
                [("lead_id", "in", self.ids), ("event", "=", "return")],
                order="date desc, id desc",
            ):
                last.setdefault(log.lead_id.id, log)
        for lead in self:
            log = last.get(lead.id, self.env["crm.lead.pool.log"])
            lead.pool_last_return_reason_id = log.return_reason_id
            lead.pool_last_return_note = log.note
            lead.pool_last_return_user_id = log.owner_before_id

    @api.model
    def get_pool_claim_status(self):
        """The current user's claim counters under the policy of their sales
        team (else their company): claimed today and open leads, each with its
        limit (0: none), and the sentence the pool's control panel shows.
        Public (called by the pool views); it tells users only about
        themselves."""
        user = self.env.user
        team = user.sale_team_id
        policy = (
            team
            if team.pool_policy_own
            else (team.company_id or self.env.company).sudo()
        )
        claimed, open_count = self._pool_claim_stats(user)
        daily_limit = policy.pool_claim_daily_limit
        open_limit = policy.pool_max_open_leads
        parts = [
            _(
                "Claimed today %(claimed)s / %(limit)s",
                claimed=claimed,
                limit=daily_limit,
            )
            if daily_limit
            else _("Claimed today %(claimed)s", claimed=claimed),
            _("Open %(open)s / %(limit)s", open=open_count, limit=open_limit)
            if open_limit
            else _("Open %(open)s", open=open_count),
        ]
        return {
            "claimed_today": claimed,
            "daily_limit": daily_limit,
            "open_count": open_count,
            "open_limit": open_limit,
            "limit_reached": bool(
                (daily_limit and claimed >= daily_limit)
                or (open_limit and open_count >= open_limit)
            ),
            "label": " · ".join(parts),
        }
