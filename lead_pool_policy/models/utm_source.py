# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from .crm_lead import with_chosen_defaults

STATS_FIELDS = ("lead_count", "converted_count", "conversion_rate")
# Per company: each company's leads (the lead's company, else its team's)
# within its own window; one scan of the leads for all of them, a plain
# SELECT without a join (so that PostgreSQL may scan in parallel, as it may
# not in a statement that writes). The scan counts the leads of each
# (company, team, source) once per distinct window (``%(slots)s``: few, often
# one); the small result is then joined to the teams and each company takes
# its own window's counts.
LEAD_COUNTS_QUERY = """
    SELECT w.company_id, g.source_id,
           SUM(g.leads[w.slot]) AS leads, SUM(g.converted[w.slot]) AS converted
      FROM (
        SELECT crm_lead.company_id, crm_lead.team_id, crm_lead.source_id,
               ARRAY[%(lead_counts)s] AS leads,
               ARRAY[%(converted_counts)s] AS converted
          FROM crm_lead
         WHERE crm_lead.create_date >= %(since)s
      GROUP BY 1, 2, 3
      ) g
 LEFT JOIN crm_team team ON team.id = g.team_id
      JOIN unnest(%(companies)s::int[], %(slots)s::int[]) AS w(company_id, slot)
           ON w.company_id = %(company)s
  GROUP BY 1, 2
    HAVING SUM(g.leads[w.slot]) > 0
"""
# From those counts: each company's overall rate, and every source's counts
# and rate smoothed toward it with the company's prior, written as
# company-dependent values.
CONVERSION_STATS_QUERY = """
    WITH settings AS (
        SELECT id AS company_id, source_prior_weight AS prior FROM res_company
    ), stats AS (
        SELECT * FROM unnest(%(companies)s::int[], %(sources)s::int[],
                             %(leads)s::int[], %(converted)s::int[])
                   AS stats(company_id, source_id, leads, converted)
    ), total AS (
        SELECT settings.company_id, settings.prior,
               COALESCE(SUM(stats.converted)::float / NULLIF(SUM(stats.leads), 0), 0)
                   AS rate
          FROM settings
     LEFT JOIN stats ON stats.company_id = settings.company_id
      GROUP BY settings.company_id, settings.prior
    ), fresh AS (
        SELECT source.id,
               jsonb_object_agg(total.company_id::text, COALESCE(stats.leads, 0))
                   AS leads,
               jsonb_object_agg(total.company_id::text, COALESCE(stats.converted, 0))
                   AS converted,
               jsonb_object_agg(total.company_id::text,
                   ROUND(((COALESCE(stats.converted, 0) + total.prior * total.rate)
                          / (COALESCE(stats.leads, 0) + total.prior))::numeric, 4))
                   AS rate
          FROM utm_source source
    CROSS JOIN total
     LEFT JOIN stats ON stats.source_id = source.id
                    AND stats.company_id = total.company_id
      GROUP BY source.id
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
    SELECT company_id, rate FROM total
"""


class UtmSource(models.Model):
    _inherit = "utm.source"

    # Company-dependent: each company counts its own leads, over its own
    # window, smoothed toward its own rate.
    lead_count = fields.Integer(
        string="Leads (Window)",
        company_dependent=True,
        readonly=True,
        help="Leads from this source created within the company's conversion "
        "window (refreshed daily).",
    )
    converted_count = fields.Integer(
        string="Converted (Window)",
        company_dependent=True,
        readonly=True,
        help="Of those leads, how many became an opportunity.",
    )
    conversion_rate = fields.Float(
        string="Smoothed Rate",
        company_dependent=True,
        readonly=True,
        digits=(16, 4),
        aggregator="avg",
        help="Share of this source's leads that became an opportunity, smoothed "
        "toward the company-wide rate so that a source with few leads does not "
        "rank at 0 or 100 %.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in with_chosen_defaults(self, vals_list):
            self._check_stats_not_written(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._check_stats_not_written(vals)
        return super().write(vals)

    def _check_stats_not_written(self, vals):
        if not self.env.su and (written := set(STATS_FIELDS).intersection(vals)):
            raise AccessError(
                _(
                    "Source statistics are computed every night from the leads; "
                    "they cannot be written (%(fields)s).",
                    fields=", ".join(sorted(self._fields[f].string for f in written)),
                )
            )

    def _update_conversion_stats(self):
        """Set-based refresh of every source's counts and smoothed rate, for
        every company; sets each company's overall rate. Returns
        {company id: overall rate}."""
        leads = self.env["crm.lead"]
        self.env["res.company"].flush_model(
            ["source_window_days", "source_prior_weight"]
        )
        self.flush_model(STATS_FIELDS)
        leads.flush_model(["create_date", "type", "date_conversion", "team_id"])
        self.env["crm.team"].flush_model(["company_id"])
        now = fields.Datetime.now()
        since = {
            company.id: now - timedelta(days=company.source_window_days)
            for company in self.env["res.company"]
            .sudo()
            .with_context(active_test=False)
            .search([])
        }
        windows = sorted(set(since.values()))
        converted_sql = SQL(
            "(crm_lead.date_conversion IS NOT NULL OR crm_lead.type = 'opportunity')"
        )
        counts = self.env.execute_query(
            SQL(
                LEAD_COUNTS_QUERY,
                since=windows[0],
                lead_counts=SQL(", ").join(
                    SQL("COUNT(*) FILTER (WHERE crm_lead.create_date >= %s)", start)
                    for start in windows
                ),
                converted_counts=SQL(", ").join(
                    SQL(
                        "COUNT(*) FILTER (WHERE crm_lead.create_date >= %s AND %s)",
                        start,
                        converted_sql,
                    )
                    for start in windows
                ),
                companies=list(since),
                slots=[windows.index(start) + 1 for start in since.values()],
                company=leads._policy_company_sql(alias="g", team_alias="team"),
                to_flush=leads._fields["source_id"],
            )
        )
        companies, sources, lead_counts, converted = (
            [list(column) for column in zip(*counts)] if counts else ([], [], [], [])
        )
        rows = self.env.execute_query(
            SQL(
                CONVERSION_STATS_QUERY,
                companies=companies,
                sources=sources,
                leads=lead_counts,
                converted=converted,
            )
        )
        self.invalidate_model(STATS_FIELDS)
        rates = dict(rows)
        for company in self.env["res.company"].sudo().browse(rates):
            company.lead_conversion_rate = round(rates[company.id], 4)
        return rates
