# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

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
    pool_return_reason_required = fields.Boolean(
        related="company_id.pool_return_reason_required", readonly=False
    )
    pool_exempt_tag_ids = fields.Many2many(
        related="company_id.pool_exempt_tag_ids", readonly=False
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
