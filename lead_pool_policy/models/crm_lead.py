# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models

BANT_BUDGET = [
    ("unknown", "Not asked"),
    ("none", "No budget"),
    ("planned", "Budget being planned"),
    ("approved", "Budget approved"),
]
BANT_AUTHORITY = [
    ("unknown", "Not asked"),
    ("user", "User / executor"),
    ("influencer", "Influencer"),
    ("decision_maker", "Decision maker"),
]
BANT_NEED = [
    ("unknown", "Not asked"),
    ("none", "No need"),
    ("latent", "Interested, need not confirmed"),
    ("confirmed", "Pain point confirmed"),
]
BANT_TIMELINE = [
    ("unknown", "Not asked"),
    ("later", "Not within 6 months"),
    ("within_6_months", "Within 6 months"),
    ("within_3_months", "Within 3 months"),
]

# The value of each BANT field that meets its criterion.
BANT_MET_VALUES = {
    "bant_budget": "approved",
    "bant_authority": "decision_maker",
    "bant_need": "confirmed",
    "bant_timeline": "within_3_months",
}


class CrmLead(models.Model):
    _inherit = "crm.lead"

    bant_budget = fields.Selection(
        BANT_BUDGET,
        string="Budget",
        default="unknown",
        required=True,
        tracking=True,
        help="Do they have a budget? How large is it? How much are they willing "
        "to spend? What does the budget cover?",
    )
    bant_authority = fields.Selection(
        BANT_AUTHORITY,
        string="Authority",
        default="unknown",
        required=True,
        tracking=True,
        help="Is this person responsible for the project? What is their role "
        "in it? Are they the only one who decides?",
    )
    bant_need = fields.Selection(
        BANT_NEED,
        string="Need",
        default="unknown",
        required=True,
        tracking=True,
        help="Are they looking for this kind of product or service to improve "
        "their process? What do they use today? What problems have they had? "
        "Which features are they looking for?",
    )
    bant_timeline = fields.Selection(
        BANT_TIMELINE,
        string="Timeline",
        default="unknown",
        required=True,
        tracking=True,
        help="When do they plan to buy? When do they intend to roll out the "
        "new system?",
    )
    budget_amount = fields.Monetary(
        currency_field="company_currency",
        tracking=True,
        help="The budget the customer has for this purchase, in the company's "
        "currency.",
    )
    bant_met_count = fields.Integer(
        string="BANT Criteria Met",
        compute="_compute_bant_met_count",
        store=True,
        help="How many of the four BANT criteria are met: budget approved, "
        "decision maker reached, pain point confirmed, purchase within 3 months.",
    )

    @api.depends(*BANT_MET_VALUES)
    def _compute_bant_met_count(self):
        for lead in self:
            lead.bant_met_count = sum(
                lead[fname] == value for fname, value in BANT_MET_VALUES.items()
            )
