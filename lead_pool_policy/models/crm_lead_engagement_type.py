# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import fields, models

QUALIFICATIONS = [
    ("mql", "MQL"),
    ("sql", "SQL"),
    ("pql", "PQL"),
]
# Precedence: a sales-qualified lead outranks a product-qualified one, which
# outranks a marketing-qualified one.
QUALIFICATION_RANK = {False: 0, None: 0, "mql": 1, "pql": 2, "sql": 3}


class CrmLeadEngagementType(models.Model):
    _name = "crm.lead.engagement.type"
    _description = "Lead Engagement Type"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    points = fields.Integer(
        required=True,
        help="Engagement points an event of this type is worth on the day it "
        "happens; they decay with the company's half-life.",
    )
    qualification = fields.Selection(
        QUALIFICATIONS,
        help="An event of this type qualifies the lead as MQL, SQL or PQL.",
    )
    activity_type_id = fields.Many2one(
        "mail.activity.type",
        domain="['|', ('res_model', '=', False), ('res_model', '=', 'crm.lead')]",
        help="Marking an activity of this type as done on a lead logs an event "
        "of this type.",
    )
