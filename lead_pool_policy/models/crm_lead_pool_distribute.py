# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""crm.lead: automatic distribution of pool leads to the members of their
team, within Odoo's own assignment quotas."""

from ast import literal_eval

from odoo import api, models


class CrmLead(models.Model):
    _inherit = "crm.lead"

    @api.model
    def _cron_pool_distribute(self):
        """Hand the best pool leads of each team to its members, round robin:
        each member gets at most Odoo's own quota for one run
        (``crm.team.member._get_assignment_quota``: a day's share of their
        monthly capacity), leads matching their assignment domain, unless
        they opted out; the pool's limits and cooldown apply."""
        self._check_cron_caller()
        leads_model = self.sudo()
        assigned = 0
        # Each member's leads in a transaction of their own (see
        # ``_commit_batch``): salespeople claim meanwhile.
        leads_model._commit_batch()
        for team in leads_model.env["crm.team"].search([("use_leads", "=", True)]):
            plan = leads_model._pool_distribution_plan(team)
            for member, leads in plan.items():
                outcomes = leads._pool_claim(member.user_id, event="assign")
                assigned += list(outcomes.values()).count("claimed")
                leads_model._commit_batch()
        return assigned

    @api.model
    def _pool_distribution_plan(self, team):
        """{member: pool leads to assign} for one run of ``team``."""
        quotas = {}
        # Counted anew: assignments of a previous run of this transaction.
        team.crm_team_member_ids.invalidate_recordset(["lead_day_count"])
        for member in team.crm_team_member_ids:
            if member.assignment_optout or not member.user_id.active:
                continue
            quota = member._get_assignment_quota()
            if quota > 0:
                quotas[member] = quota
        if not quotas:
            return {}
        domains = {m: literal_eval(m.assignment_domain or "[]") for m in quotas}
        pool = self.search(
            [("in_pool", "=", True), ("team_id", "=", team.id)],
            order="priority_score desc, id",
        )
        companies = {lead: lead._get_policy_company() for lead in pool}
        stats = {
            member: self._pool_claim_stats_by_company(
                member.user_id, set(companies.values())
            )
            for member in quotas
        }
        plan = {member: self.browse() for member in quotas}
        order = list(quotas)
        turn = 0
        for lead in pool:
            policy, company = lead._get_pool_policy(), companies[lead]
            for step in range(len(order)):
                member = order[(turn + step) % len(order)]
                if (
                    quotas[member]
                    and lead.filtered_domain(domains[member])
                    and not lead._pool_claim_refusal(
                        member.user_id, policy, *stats[member][company]
                    )
                ):
                    plan[member] |= lead
                    quotas[member] -= 1
                    self._pool_count_claim(stats[member], company)
                    turn = (turn + step + 1) % len(order)
                    break
        return {member: leads for member, leads in plan.items() if leads}
