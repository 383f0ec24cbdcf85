# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""utm.source: the raw conversion rate shown beside the smoothed one in the
Source Conversion report (the smoothed rate is the one that ranks leads)."""

from odoo import api, fields, models


class UtmSource(models.Model):
    _inherit = "utm.source"

    conversion_rate_raw = fields.Float(
        string="Raw Rate",
        compute="_compute_conversion_rate_raw",
        digits=(16, 4),
        help="Converted leads divided by leads, within the window, without smoothing.",
    )

    @api.depends("lead_count", "converted_count")
    @api.depends_context("company")
    def _compute_conversion_rate_raw(self):
        for source in self:
            source.conversion_rate_raw = (
                source.converted_count / source.lead_count if source.lead_count else 0.0
            )
