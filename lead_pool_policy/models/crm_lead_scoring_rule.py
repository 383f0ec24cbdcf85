# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import _, api, fields, models, tools
from odoo.exceptions import ValidationError

from .crm_lead import domain_field_names


class CrmLeadScoringRule(models.Model):
    _name = "crm.lead.scoring.rule"
    _description = "Lead Scoring Rule"
    _order = "category, sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        help="Leave empty to apply the rule to the leads of every company.",
    )
    category = fields.Selection(
        [("fit", "Fit"), ("engagement", "Engagement")],
        required=True,
        default="fit",
        help="Fit rules describe who the customer is (BANT, industry, country, "
        "size...); engagement rules what they did.",
    )
    domain = fields.Char(
        required=True,
        default="[]",
        help="Leads matching this filter get the rule's points.",
    )
    domain_words = fields.Char(string="Leads Matching", compute="_compute_domain_words")
    points = fields.Integer(
        required=True, help="Points given to matching leads; may be negative."
    )

    @api.depends("domain")
    @api.depends_context("lang")
    def _compute_domain_words(self):
        for rule in self:
            rule.domain_words = self.env["crm.lead"]._lead_filter_in_words(rule)

    @api.constrains("domain")
    def _check_domain(self):
        for rule in self:
            rule._get_lead_domain()

    @api.model_create_multi
    def create(self, vals_list):
        rules = super().create(vals_list)
        self._request_rescore()
        return rules

    def write(self, vals):
        result = super().write(vals)
        self._request_rescore()
        return result

    def unlink(self):
        result = super().unlink()
        self._request_rescore()
        return result

    def _get_lead_domain(self):
        """The rule's domain, checked: a clear error when it does not parse or
        names a field that crm.lead does not have."""
        self.ensure_one()
        try:
            return self.env["crm.lead"]._parse_lead_domain(self.domain)
        except ValueError as error:
            raise ValidationError(
                _(
                    'The filter of the scoring rule "%(rule)s" is not valid: '
                    "%(error)s. Edit it with the domain editor.",
                    rule=self.name,
                    error=error,
                )
            ) from error

    @api.model
    @tools.ormcache()
    def _get_scoring_field_names(self):
        """Names of the crm.lead fields that active rules read (cached)."""
        return domain_field_names(
            rule._get_lead_domain() for rule in self.sudo().search([])
        )

    @api.model
    def _get_company_rules(self, company):
        """The active rules that score the leads of ``company`` (its own and
        those of every company), in their order."""
        return (
            self.sudo()
            .with_context(active_test=True)
            .search([("company_id", "in", (company.id, False))])
        )

    def _request_rescore(self):
        self.env.registry.clear_cache()
        self.env["crm.lead"]._request_mass_rescore()
