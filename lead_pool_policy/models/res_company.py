# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

# Odoo's activity types that count as a contact attempt by default.
DEFAULT_CONTACT_ACTIVITY_TYPES = (
    "mail.mail_activity_data_call",
    "mail.mail_activity_data_email",
    "mail.mail_activity_data_meeting",
)


class ResCompany(models.Model):
    _inherit = "res.company"

    contact_activity_type_ids = fields.Many2many(
        "mail.activity.type",
        "res_company_contact_activity_type_rel",
        "company_id",
        "activity_type_id",
        string="Contact Activity Types",
        default=lambda self: self._default_contact_activity_type_ids(),
        help="Marking an activity of one of these types as done on a lead or "
        "an opportunity counts as a contact attempt.",
    )
    contact_target = fields.Integer(
        string="Contact Attempts Target",
        default=6,
        help="How many contact attempts a lead deserves before it is qualified "
        "or returned to the pool.",
    )
    followup_interval_days = fields.Integer(
        string="Follow-up Interval (Days)",
        default=2,
        help="After a contact attempt below the target, the next follow-up is "
        "scheduled for the owner this many days later.",
    )

    def _default_contact_activity_type_ids(self):
        types = self.env["mail.activity.type"]
        for xmlid in DEFAULT_CONTACT_ACTIVITY_TYPES:
            types |= self.env.ref(xmlid, raise_if_not_found=False) or types
        return types

    @api.constrains("contact_target", "followup_interval_days")
    def _check_followup_settings(self):
        for company in self:
            if company.contact_target < 1:
                raise ValidationError(
                    _(
                        "The contact attempts target of %(company)s must be at "
                        "least 1.",
                        company=company.name,
                    )
                )
            if company.followup_interval_days < 1:
                raise ValidationError(
                    _(
                        "The follow-up interval of %(company)s must be at least 1 day.",
                        company=company.name,
                    )
                )
