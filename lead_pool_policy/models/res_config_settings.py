# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models

from .crm_lead_pool_policy_mixin import POOL_POLICY_FIELDS
from .crm_lead_pool_recycle_override import POOL_OVERRIDE_DEPENDS


class ResConfigSettings(models.TransientModel):
    _name = "res.config.settings"
    _inherit = ["res.config.settings", "crm.lead.pool.number.mixin"]  # noqa: RUF012

    score_fit_weight = fields.Integer(
        related="company_id.score_fit_weight", readonly=False
    )
    score_hot_threshold = fields.Integer(
        related="company_id.score_hot_threshold", readonly=False
    )
    score_warm_threshold = fields.Integer(
        related="company_id.score_warm_threshold", readonly=False
    )
    engagement_half_life_days = fields.Integer(
        related="company_id.engagement_half_life_days", readonly=False
    )
    source_window_days = fields.Integer(
        related="company_id.source_window_days", readonly=False
    )
    source_prior_weight = fields.Integer(
        related="company_id.source_prior_weight", readonly=False
    )
    priority_lead_score_weight = fields.Integer(
        related="company_id.priority_lead_score_weight", readonly=False
    )
    score_learn_threshold = fields.Float(
        related="company_id.score_learn_threshold", readonly=False
    )
    score_sync_priority = fields.Boolean(
        related="company_id.score_sync_priority", readonly=False
    )
    pool_recycle_uncontacted = fields.Boolean(
        related="company_id.pool_recycle_uncontacted", readonly=False
    )
    pool_uncontacted_days = fields.Integer(
        related="company_id.pool_uncontacted_days", readonly=False
    )
    pool_recycle_unconverted = fields.Boolean(
        related="company_id.pool_recycle_unconverted", readonly=False
    )
    pool_unconverted_days = fields.Integer(
        related="company_id.pool_unconverted_days", readonly=False
    )
    pool_recycle_stale = fields.Boolean(
        related="company_id.pool_recycle_stale", readonly=False
    )
    pool_stale_days = fields.Integer(
        related="company_id.pool_stale_days", readonly=False
    )
    pool_delete_to_pool = fields.Boolean(
        related="company_id.pool_delete_to_pool", readonly=False
    )
    pool_batch_claim = fields.Boolean(
        related="company_id.pool_batch_claim", readonly=False
    )
    pool_warning_days = fields.Integer(
        related="company_id.pool_warning_days", readonly=False
    )
    pool_claim_daily_limit = fields.Integer(
        related="company_id.pool_claim_daily_limit", readonly=False
    )
    pool_max_open_leads = fields.Integer(
        related="company_id.pool_max_open_leads", readonly=False
    )
    pool_reclaim_cooldown_days = fields.Integer(
        related="company_id.pool_reclaim_cooldown_days", readonly=False
    )
    pool_extension_max_days = fields.Integer(
        related="company_id.pool_extension_max_days", readonly=False
    )
    pool_return_reason_required = fields.Boolean(
        related="company_id.pool_return_reason_required", readonly=False
    )
    pool_exempt_tag_ids = fields.Many2many(
        related="company_id.pool_exempt_tag_ids", readonly=False
    )
    pool_recycle_override_ids = fields.One2many(
        related="company_id.pool_recycle_override_ids", readonly=False
    )
    pool_escalation_days = fields.Integer(
        related="company_id.pool_escalation_days", readonly=False
    )
    pool_new_leads = fields.Boolean(related="company_id.pool_new_leads", readonly=False)
    pool_mask_contacts = fields.Boolean(
        related="company_id.pool_mask_contacts", readonly=False
    )
    contact_activity_type_ids = fields.Many2many(
        related="company_id.contact_activity_type_ids", readonly=False
    )
    contact_target = fields.Integer(related="company_id.contact_target", readonly=False)
    followup_interval_days = fields.Integer(
        related="company_id.followup_interval_days", readonly=False
    )
    pool_preview_html = fields.Html(
        string="Recycle Preview", compute="_compute_pool_preview", sanitize=False
    )
    pool_preview_due_count = fields.Integer(compute="_compute_pool_preview")
    pool_preview_soon_count = fields.Integer(compute="_compute_pool_preview")

    @api.depends(*POOL_POLICY_FIELDS, *POOL_OVERRIDE_DEPENDS, "company_id")
    def _compute_pool_preview(self):
        Company = self.env["res.company"]
        for settings in self:
            result = None
            if Company._pool_may_preview():
                values, changed = settings._pool_preview_values()
                result = (
                    self.env["crm.lead"]
                    .sudo()
                    ._pool_preview("company", settings.company_id.id, values, changed)
                )
            settings.pool_preview_html = Company._pool_preview_render(result)
            settings.pool_preview_due_count = result["due"] if result else 0
            settings.pool_preview_soon_count = result["soon"] if result else 0

    def _pool_preview_values(self):
        """(values, changed): the company's rule values once these settings
        are saved, grace included; ``changed`` when they differ from now."""
        self.ensure_one()
        company = self.company_id
        before = company._pool_rule_values()
        after = dict(
            before,
            **{
                fname: self[fname]
                for fname in POOL_POLICY_FIELDS
                if fname != "pool_exempt_tag_ids"
            },
            pool_exempt_tag_ids=set(self.pool_exempt_tag_ids._origin.ids),
            pool_recycle_override_ids=self.pool_recycle_override_ids._pool_override_list(),
        )
        after.update(company._pool_grace_changes(before, after, fields.Datetime.now()))
        return after, after != before

    @api.model
    def action_pool_preview_leads(self, values):
        """The leads the preview counts, under ``values`` (the unsaved
        settings): called by the preview button without saving."""
        Company = self.env["res.company"]
        Company._pool_check_preview_access()
        settings = self.new(Company._pool_preview_clean(values))
        values, changed = settings._pool_preview_values()
        return self.env["crm.lead"]._pool_preview_action(
            "company", settings.company_id.id, values, changed
        )
