# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import timedelta

from odoo import fields, models


class UtmSource(models.Model):
    _inherit = "utm.source"

    lead_count = fields.Integer(
        string="Leads (Window)",
        readonly=True,
        help="Leads from this source created within the company's conversion "
        "window (refreshed daily).",
    )
    converted_count = fields.Integer(
        string="Converted (Window)",
        readonly=True,
        help="Of those leads, how many became an opportunity.",
    )
    conversion_rate = fields.Float(
        readonly=True,
        digits=(16, 4),
        help="Share of this source's leads that became an opportunity, smoothed "
        "toward the company-wide rate so that a source with few leads does not "
        "rank at 0 or 100 %.",
    )

    def _update_conversion_stats(self, company=None):
        """Set-based refresh of every source's counts and smoothed rate over
        the window of ``company`` (default: the current one), smoothed toward
        the rate of all leads in that window; returns that rate."""
        company = company or self.env.company
        since = fields.Datetime.now() - timedelta(days=company.source_window_days)
        prior = company.source_prior_weight
        self.env["crm.lead"].flush_model(
            ["source_id", "create_date", "type", "date_conversion"]
        )
        self.flush_model(["lead_count", "converted_count", "conversion_rate"])
        cr = self.env.cr
        # One scan of the leads: per-source counts, their total (the
        # company-wide rate) and the smoothed update of the changed sources.
        cr.execute(
            """
            WITH stats AS (
                SELECT source_id,
                       COUNT(*) AS leads,
                       COUNT(*) FILTER (WHERE date_conversion IS NOT NULL
                                           OR type = 'opportunity') AS converted
                  FROM crm_lead
                 WHERE create_date >= %(since)s
              GROUP BY source_id
            ), total AS (
                SELECT COALESCE(SUM(leads), 0) AS leads,
                       COALESCE(SUM(converted), 0) AS converted,
                       COALESCE(SUM(converted)::float / NULLIF(SUM(leads), 0), 0)
                           AS rate
                  FROM stats
            ), fresh AS (
                SELECT source.id,
                       COALESCE(stats.leads, 0) AS leads,
                       COALESCE(stats.converted, 0) AS converted,
                       ROUND(((COALESCE(stats.converted, 0) + %(prior)s * total.rate)
                              / (COALESCE(stats.leads, 0) + %(prior)s))::numeric, 4)
                           AS rate
                  FROM utm_source source
            CROSS JOIN total
             LEFT JOIN stats ON stats.source_id = source.id
            ), updated AS (
                UPDATE utm_source source
                   SET lead_count = fresh.leads,
                       converted_count = fresh.converted,
                       conversion_rate = fresh.rate
                  FROM fresh
                 WHERE source.id = fresh.id
                   AND (source.lead_count IS DISTINCT FROM fresh.leads
                        OR source.converted_count IS DISTINCT FROM fresh.converted
                        OR source.conversion_rate IS DISTINCT FROM fresh.rate)
            )
            SELECT rate FROM total
            """,
            {"since": since, "prior": prior},
        )
        global_rate = cr.fetchone()[0]
        self.invalidate_model(["lead_count", "converted_count", "conversion_rate"])
        companies = self.env["res.company"].sudo().search([])
        companies.write({"lead_conversion_rate": round(global_rate, 4)})
        return global_rate
