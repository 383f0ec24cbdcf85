# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .crm_lead_pool_policy_mixin import (
    POOL_GRACE_FIELDS,
    POOL_POLICY_FIELDS,
)

POOL_POLICY_FIELDS_SET = frozenset(POOL_POLICY_FIELDS)
POOL_RULE_FIELDS_SET = POOL_POLICY_FIELDS_SET | frozenset(POOL_GRACE_FIELDS)

# Odoo's activity types that count as a contact attempt by default.
DEFAULT_CONTACT_ACTIVITY_TYPES = (
    "mail.mail_activity_data_call",
    "mail.mail_activity_data_email",
    "mail.mail_activity_data_meeting",
)
# Changing one of these rescores every lead (through the refresh cron).
SCORING_SETTINGS = frozenset(
    {
        "score_fit_weight",
        "score_hot_threshold",
        "score_warm_threshold",
        "engagement_half_life_days",
        "source_window_days",
        "source_prior_weight",
        "priority_lead_score_weight",
        "score_sync_priority",
    }
)


class ResCompany(models.Model):
    _name = "res.company"
    _inherit = ["res.company", "crm.lead.pool.policy.mixin"]  # noqa: RUF012

    pool_new_leads = fields.Boolean(
        string="New Unassigned Leads Enter the Pool",
        help="A lead created without a salesperson goes straight to the pool.",
    )
    pool_mask_contacts = fields.Boolean(
        string="Mask Pool Contact Details",
        help="Salespeople who are not sales managers see the email and phone "
        "numbers of pool leads masked until they claim them.",
    )

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

    score_fit_weight = fields.Integer(
        string="Fit Weight (%)",
        default=60,
        help="Share of the fit score in the lead score; engagement gets the rest.",
    )
    score_hot_threshold = fields.Integer(
        string="Hot Threshold", default=70, help="Leads scoring at least this are hot."
    )
    score_warm_threshold = fields.Integer(
        string="Warm Threshold",
        default=40,
        help="Leads scoring below this are cold; between the two thresholds, warm.",
    )
    engagement_half_life_days = fields.Integer(
        string="Engagement Half-life (Days)",
        default=30,
        help="An engagement event is worth half its points after this many days.",
    )
    source_window_days = fields.Integer(
        string="Conversion Window (Days)",
        default=365,
        help="Source conversion rates count the leads created within this many days.",
    )
    source_prior_weight = fields.Integer(
        string="Conversion Prior Weight (Leads)",
        default=20,
        help="Each source's rate is smoothed toward the company-wide rate as if "
        "it had this many more leads converting at that rate.",
    )
    priority_lead_score_weight = fields.Integer(
        string="Priority: Lead Score Weight (%)",
        default=50,
        help="Share of the lead score in the priority score; the source's "
        "conversion rate gets the rest.",
    )
    score_learn_threshold = fields.Float(
        string="Suggest Learned Points Above",
        default=0.02,
        digits=(16, 3),
        help="Each month the learner fits the scoring points on the last year's "
        "won and lost leads; when they would raise the ranking quality (AUC) "
        "of the most recent leads by more than this, the sales managers get a "
        "to-do to review them. 0 switches the suggestion off.",
    )
    score_sync_priority = fields.Boolean(
        string="Stars Follow Temperature",
        help="Set Odoo's star priority from the temperature: hot 3 stars, warm 2, "
        "cold 1.",
    )
    lead_conversion_rate = fields.Float(
        readonly=True,
        digits=(16, 4),
        help="Share of the leads created within the window that became an "
        "opportunity (refreshed daily).",
    )

    def _default_contact_activity_type_ids(self):
        types = self.env["mail.activity.type"]
        for xmlid in DEFAULT_CONTACT_ACTIVITY_TYPES:
            types |= self.env.ref(xmlid, raise_if_not_found=False) or types
        return types

    @api.constrains(
        "score_fit_weight",
        "score_hot_threshold",
        "score_warm_threshold",
        "engagement_half_life_days",
        "source_window_days",
        "source_prior_weight",
        "priority_lead_score_weight",
        "score_learn_threshold",
    )
    def _check_scoring_settings(self):
        self._check_bounds(
            (
                "score_fit_weight",
                "score_hot_threshold",
                "score_warm_threshold",
                "priority_lead_score_weight",
            ),
            low=0,
            high=100,
        )
        self._check_bounds(
            ("engagement_half_life_days", "source_window_days", "source_prior_weight"),
            low=1,
        )
        self._check_bounds(("score_learn_threshold",), low=0, high=1)
        for company in self:
            if company.score_warm_threshold >= company.score_hot_threshold:
                raise ValidationError(
                    _(
                        "The warm threshold (%(warm)s) must stay below the hot "
                        "threshold (%(hot)s) (%(company)s).",
                        warm=company.score_warm_threshold,
                        hot=company.score_hot_threshold,
                        company=company.name,
                    )
                )

    def write(self, vals):
        before = {}
        if POOL_POLICY_FIELDS_SET.intersection(vals):
            before = {company: company._pool_rule_values() for company in self}
        result = super().write(vals)
        if SCORING_SETTINGS.intersection(vals):
            self.env["crm.lead"]._request_mass_rescore()
        for company, changes in self._pool_grace_updates(before, vals).items():
            super(ResCompany, company).write(changes)
        if POOL_RULE_FIELDS_SET.intersection(vals):
            self._pool_update_deadlines()
        return result

    def _pool_grace_updates(self, before, vals):
        """{company: grace fields to write} after a policy change from
        ``before`` (see ``_pool_grace_changes``); grace fields written
        explicitly are kept as written."""
        now = fields.Datetime.now()
        updates = {}
        for company in self.filtered(lambda company: company in before):
            changes = self._pool_grace_changes(
                before[company], company._pool_rule_values(), now
            )
            changes = {
                fname: value for fname, value in changes.items() if fname not in vals
            }
            if changes:
                updates[company] = changes
        return updates

    @api.constrains("contact_target", "followup_interval_days")
    def _check_followup_settings(self):
        self._check_bounds(("contact_target", "followup_interval_days"), low=1)
