# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""crm.lead: why a lead has its score (the rules it matches, its source)."""

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.tools import SQL


class CrmLead(models.Model):
    _inherit = "crm.lead"

    score_explanation = fields.Html(
        string="Why This Score",
        compute="_compute_score_explanation",
        sanitize=False,
        help="The scoring rules the lead matches with their points, and the "
        "source's conversion rate that the priority blends in.",
    )

    @api.depends(
        "fit_score", "engagement_score", "priority_score", "source_conversion_rate"
    )
    def _compute_score_explanation(self):
        matched = self._scoring_matched_rules()
        for lead in self:
            lead.score_explanation = lead._score_explanation_html(
                matched.get(lead.id, [])
            )

    def _scoring_matched_rules(self):
        """{lead id: [matched rules]}: one statement per company."""
        Rule = self.env["crm.lead.scoring.rule"]
        matched = {}
        for company, ids in self._ids_by_policy_company().items():
            rules = Rule._get_company_rules(company)
            if not rules:
                continue
            scope = SQL("crm_lead.id IN %s", tuple(ids))
            # The conditions name the columns they read: the query flushes
            # those (``execute_query``), no more.
            conditions = self.sudo()._scoring_rule_conditions(rules, scope)
            rows = self.env.execute_query(
                SQL(
                    "SELECT crm_lead.id, ARRAY[%s] FROM crm_lead WHERE %s",
                    SQL(", ").join(
                        SQL("COALESCE(%s, FALSE)", condition)
                        for condition in conditions
                    ),
                    scope,
                )
            )
            for lead_id, bits in rows:
                matched[lead_id] = [
                    rule for rule, bit in zip(rules, bits, strict=True) if bit
                ]
        return matched

    def _score_explanation_html(self, rules):
        self.ensure_one()
        company = self._get_policy_company()
        lines = []
        for category, label, score in (
            ("fit", _("Fit"), self.fit_score),
            ("engagement", _("Engagement"), self.engagement_score),
        ):
            # Rules worth nothing (a base at 0) explain nothing.
            category_rules = [
                rule for rule in rules if rule.category == category and rule.points
            ]
            items = Markup("").join(
                Markup("<li>%s <b>%s</b></li>") % (rule.name, f"{rule.points:+d}")
                for rule in category_rules
            )
            if category == "engagement" and self.engagement_ids:
                items += Markup("<li>%s</li>") % _(
                    "Engagement events, worth less as they age"
                )
            if not items:
                items = Markup("<li class='text-muted'>%s</li>") % _("No rule matches.")
            lines.append(
                Markup("<div><b>%s: %s</b><ul class='mb-1'>%s</ul></div>")
                % (label, score, items)
            )
        weight = company.priority_lead_score_weight
        values = {
            "priority": self.priority_score,
            "weight": weight,
            "score": self.lead_score,
            "rest": 100 - weight,
            "rate": self.source_conversion_rate * 100,
        }
        if self.source_id:
            sentence = _(
                "Priority %(priority)s = %(weight)s %% of the lead score %(score)s "
                "+ %(rest)s %% of the conversion rate of %(source_name)s "
                "(%(rate).1f %%).",
                source_name=self.source_id.name,
                **values,
            )
        else:
            sentence = _(
                "Priority %(priority)s = %(weight)s %% of the lead score %(score)s "
                "+ %(rest)s %% of the company's conversion rate (%(rate).1f %%): "
                "the lead has no source.",
                **values,
            )
        lines.insert(0, Markup("<div class='fw-bold'>%s</div>") % _("Why this score"))
        lines.append(Markup("<div>%s</div>") % sentence)
        return Markup("").join(lines)
