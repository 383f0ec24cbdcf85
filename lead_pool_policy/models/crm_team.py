# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import _, api, fields, models

from .crm_lead_pool_policy_mixin import (
    POOL_GRACE_FIELDS,
    POOL_POLICY_FIELDS,
    POOL_POLICY_START_FIELDS,
    RECYCLE_RULES,
    RULE_START_FIELDS,
)
from .crm_lead_pool_recycle_override import POOL_OVERRIDE_DEPENDS


class CrmTeam(models.Model):
    _name = "crm.team"
    _inherit = ["crm.team", "crm.lead.pool.policy.mixin"]  # noqa: RUF012

    pool_policy_own = fields.Boolean(
        string="Own Pool Policy",
        help="Use the pool policy below for this team's leads instead of the "
        "company's.",
    )

    # The company's values the team's own policy starts from and overrides,
    # as the Pool Policy page shows them next to the team's (its policy
    # company's: see ``_pool_policy_company``).
    pool_company_uncontacted = fields.Char(
        string="Company's Uncontacted Rule",
        compute="_compute_pool_company",
        groups="sales_team.group_sale_manager",
    )
    pool_company_unconverted = fields.Char(
        string="Company's Unconverted Rule",
        compute="_compute_pool_company",
        groups="sales_team.group_sale_manager",
    )
    pool_company_stale = fields.Char(
        string="Company's Stale Rule",
        compute="_compute_pool_company",
        groups="sales_team.group_sale_manager",
    )
    pool_company_warning_days = fields.Char(
        string="Company's Warning Days",
        compute="_compute_pool_company",
        groups="sales_team.group_sale_manager",
    )
    pool_company_exempt_tags = fields.Char(
        string="Company's Exempt Tags",
        compute="_compute_pool_company",
        groups="sales_team.group_sale_manager",
    )
    pool_company_batch_claim = fields.Char(
        string="Company's Batch Claim",
        compute="_compute_pool_company",
        groups="sales_team.group_sale_manager",
    )
    pool_company_claim_daily_limit = fields.Char(
        string="Company's Claims per Day",
        compute="_compute_pool_company",
        groups="sales_team.group_sale_manager",
    )
    pool_company_max_open_leads = fields.Char(
        string="Company's Max Open Leads",
        compute="_compute_pool_company",
        groups="sales_team.group_sale_manager",
    )
    pool_company_reclaim_cooldown_days = fields.Char(
        string="Company's Reclaim Cooldown",
        compute="_compute_pool_company",
        groups="sales_team.group_sale_manager",
    )
    pool_company_return_reason_required = fields.Char(
        string="Company's Return Reason Required",
        compute="_compute_pool_company",
        groups="sales_team.group_sale_manager",
    )
    pool_company_escalation_days = fields.Char(
        string="Company's Escalation",
        compute="_compute_pool_company",
        groups="sales_team.group_sale_manager",
    )
    pool_company_extension_max_days = fields.Char(
        string="Company's Extensions",
        compute="_compute_pool_company",
        groups="sales_team.group_sale_manager",
    )
    pool_company_delete_to_pool = fields.Char(
        string="Company's Deleting Sends to the Pool",
        compute="_compute_pool_company",
        groups="sales_team.group_sale_manager",
    )

    pool_preview_html = fields.Html(
        string="Recycle Preview",
        compute="_compute_pool_preview",
        sanitize=False,
        groups="sales_team.group_sale_manager",
    )
    pool_preview_due_count = fields.Integer(
        compute="_compute_pool_preview", groups="sales_team.group_sale_manager"
    )
    pool_preview_soon_count = fields.Integer(
        compute="_compute_pool_preview", groups="sales_team.group_sale_manager"
    )

    @api.depends(
        *POOL_POLICY_FIELDS, *POOL_OVERRIDE_DEPENDS, "pool_policy_own", "company_id"
    )
    def _compute_pool_preview(self):
        for team in self:
            result = team._pool_preview_result()
            team.pool_preview_html = self._pool_preview_render(result)
            team.pool_preview_due_count = result["due"] if result else 0
            team.pool_preview_soon_count = result["soon"] if result else 0

    @api.depends(
        "company_id", *(f"company_id.{fname}" for fname in POOL_POLICY_START_FIELDS)
    )
    @api.depends_context("lang")
    def _compute_pool_company(self):
        for team in self:
            team.update(team._pool_company_texts(team._pool_policy_company().sudo()))

    @api.onchange("pool_policy_own")
    def _onchange_pool_policy_own(self):
        # Start from the company's policy (the one the page shows).
        if self.pool_policy_own:
            self.update(self._pool_policy_company()._pool_policy_values())

    def write(self, vals):
        before = {}
        if {"pool_policy_own", *POOL_POLICY_FIELDS}.intersection(vals):
            before = {
                team: (team.pool_policy_own, team._pool_effective_rule_values())
                for team in self
            }
        result = super().write(vals)
        for team, changes in self._pool_grace_updates(before, vals).items():
            super(CrmTeam, team).write(changes)
        if {"pool_policy_own", *POOL_POLICY_FIELDS, *POOL_GRACE_FIELDS}.intersection(
            vals
        ):
            self._pool_update_deadlines()
        return result

    def _pool_policy_company(self):
        """The company whose policy the team follows without its own, and
        its own starts from: its company, else the default one (as for the
        team's leads that have no company)."""
        self.ensure_one()
        return self.company_id or self.env["crm.lead"]._default_company()

    def _pool_company_texts(self, company):
        """{pool_company_* field: the company's value in words}."""
        on, off = _("Company: on"), _("Company: off")
        texts = {}
        for rule, (switch, days) in RECYCLE_RULES.items():
            texts[f"pool_company_{rule}"] = (
                _("Company: on, %(days)s days", days=company[days])
                if company[switch]
                else off
            )
        for fname in ("pool_warning_days", "pool_reclaim_cooldown_days"):
            texts[fname.replace("pool_", "pool_company_", 1)] = _(
                "Company: %(days)s days", days=company[fname]
            )
        for fname in ("pool_escalation_days", "pool_extension_max_days"):
            texts[fname.replace("pool_", "pool_company_", 1)] = (
                _("Company: %(days)s days", days=company[fname])
                if company[fname]
                else off
            )
        for fname in ("pool_claim_daily_limit", "pool_max_open_leads"):
            texts[fname.replace("pool_", "pool_company_", 1)] = (
                _("Company: %(value)s", value=company[fname])
                if company[fname]
                else _("Company: no limit")
            )
        for fname in (
            "pool_batch_claim",
            "pool_return_reason_required",
            "pool_delete_to_pool",
        ):
            texts[fname.replace("pool_", "pool_company_", 1)] = (
                on if company[fname] else off
            )
        tags = company.pool_exempt_tag_ids
        texts["pool_company_exempt_tags"] = (
            _("Company: %(value)s", value=", ".join(tags.mapped("name")))
            if tags
            else _("Company: none")
        )
        return texts

    def _pool_policy(self):
        """The policy that governs the team's leads: its own, else its
        company's."""
        self.ensure_one()
        return self if self.pool_policy_own else self._pool_policy_company()

    def _pool_effective_rule_values(self):
        """The rule values that govern the team's leads."""
        return self._pool_policy()._pool_rule_values()

    def _pool_grace_updates(self, before, vals):
        """{team: grace fields to write} after a policy change of the team's
        leads (grace fields written explicitly are kept as written)."""
        now = fields.Datetime.now()
        updates = {}
        for team in self.filtered(lambda team: team in before):
            was_own, old = before[team]
            changes = team._pool_grace_team_changes(was_own, old, now)
            changes = {
                fname: value for fname, value in changes.items() if fname not in vals
            }
            if changes:
                updates[team] = changes
        return updates

    def _pool_grace_team_changes(self, was_own, old, now):
        """The grace fields of the team that its change from ``old`` (the
        rule values that governed its leads, its own policy when
        ``was_own``) to its current values sets (see ``_pool_grace_changes``).
        A team taking its own policy continues the company's clock of each
        rule both apply, and starts the others now. The team's
        ``pool_grace_date`` counts for its leads whichever policy governs
        them, so that going back to the company's policy warns too."""
        self.ensure_one()
        changes = self._pool_grace_changes(old, self._pool_effective_rule_values(), now)
        if self.pool_policy_own and not was_own:
            for rule, (switch, _days) in RECYCLE_RULES.items():
                start = RULE_START_FIELDS[rule]
                if self[switch] and start not in changes:
                    changes[start] = old[start]
        elif not self.pool_policy_own:
            # The company's rules now govern the leads: only the warning.
            changes = {
                fname: value
                for fname, value in changes.items()
                if fname == "pool_grace_date"
            }
        return changes

    def _pool_preview_values(self):
        """(values, changed): the rule values that would govern the leads of
        this team (edited, not saved: ``_origin`` is the saved team) once
        saved, grace included; ``changed`` when they differ from now."""
        origin = self._origin
        old = origin._pool_effective_rule_values()
        changes = self._pool_grace_team_changes(
            origin.pool_policy_own, old, fields.Datetime.now()
        )
        values = self._pool_effective_rule_values()
        if self.pool_policy_own:
            values.update(changes)
        elif changes.get("pool_grace_date"):
            # The team's own tightening date counts too (see the rules).
            values["pool_grace_date"] = changes["pool_grace_date"]
        return values, values != old

    def _pool_preview_result(self):
        """The recycle preview of the edited team (see ``_pool_preview``)."""
        self.ensure_one()
        if not self._origin.id:
            return None
        values, changed = self._pool_preview_values()
        return (
            self.env["crm.lead"]
            .sudo()
            ._pool_preview("team", self._origin.id, values, changed)
        )

    def action_pool_preview_leads(self, values):
        """The leads the preview counts, under ``values`` (the unsaved form's
        policy settings): called by the preview button without saving."""
        self._pool_check_preview_access()
        self.ensure_one()
        team = self.new(self._pool_preview_clean(values), origin=self)
        values, changed = team._pool_preview_values()
        return self.env["crm.lead"]._pool_preview_action(
            "team", self.id, values, changed
        )

    def _get_lead_to_assign_domain(self):
        # Odoo's rule-based assignment never takes pool leads.
        return super()._get_lead_to_assign_domain() + [("in_pool", "=", False)]
