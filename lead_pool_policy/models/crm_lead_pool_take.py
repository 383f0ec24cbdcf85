# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""crm.lead: a salesperson taking a lead nobody owns, outside the pool
(typing themselves in as its salesperson, crm's Convert, an RPC write) takes
it as a claim: under the claim limits of its policy, with a history row, a
note and the first call, whatever path the write comes by. Sales managers
assign; the code running as superuser (crm's assignment cron) is theirs."""

from markupsafe import Markup

from odoo import _, models
from odoo.exceptions import UserError


class CrmLead(models.Model):
    _inherit = "crm.lead"

    # CRUD hooks (called by crm_lead.py) --------------------------------------

    def _pool_takes_before_write(self, vals):
        """The leads this write makes the current salesperson take (no owner,
        not in the pool, and ``vals`` names them as owner), once the claim
        limits of each lead's policy are checked: refused in words when one
        would be passed."""
        user = self.env.user
        if (
            "user_id" not in vals
            or vals["user_id"] != user.id
            or self._is_lead_manager()
        ):
            return self.browse()
        takes = self.filtered(lambda lead: lead.id and not lead.user_id)
        if not takes or takes.filtered("in_pool"):
            # Pool leads are the guard's (``_pool_check_write``).
            return self.browse()
        # As Claim does: one user's claims one at a time (see _pool_claim).
        self.env.cr.execute(
            "UPDATE res_users SET write_date = write_date WHERE id = %s", [user.id]
        )
        leads = takes.sudo()
        companies = {lead: lead._get_policy_company() for lead in leads}
        stats = self._pool_claim_stats_by_company(user, set(companies.values()))
        for lead in leads.sorted(lambda ld: (-ld.priority_score, ld.id)):
            policy = lead._get_pool_policy()
            counts = stats[companies[lead]]
            outcome = lead._pool_claim_refusal(user, policy, *counts)
            if outcome in ("daily_limit", "open_limit"):
                raise UserError(
                    _(
                        "%(limit)s: %(lead)s has no salesperson, and taking it "
                        "counts as a claim. Ask a sales manager to assign it.",
                        limit=self._pool_limit_words(
                            outcome, lead._pool_limit_of(outcome, policy), *counts
                        ),
                        lead=lead.display_name,
                    )
                )
            self._pool_count_claim(stats, companies[lead])
        return takes

    def _pool_after_take(self):
        """The claim's bookkeeping for leads just taken: a history row
        ``claim``, a note and the new owner's first call."""
        if not self:
            return
        user = self.env.user
        leads = self.sudo()
        self.env["crm.lead.pool.log"].sudo().create(
            [
                {
                    "lead_id": lead.id,
                    "lead_name": lead.name,
                    "event": "claim",
                    "user_id": user.id,
                    "owner_after_id": user.id,
                    "team_id": lead.team_id.id,
                    "company_id": lead.company_id.id,
                    "note": _("Taken while it had no salesperson."),
                }
                for lead in leads
            ]
        )
        for lead in leads:
            lead._message_log(
                body=Markup("<p>%s</p>")
                % _(
                    "Taken by %(user)s while it had no salesperson: it counts as "
                    "a claim.",
                    user=user.name,
                )
            )
        leads._schedule_first_contact(user)
