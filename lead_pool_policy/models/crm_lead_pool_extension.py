# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Extension requests: an owner in the middle of a deal asks for more days
before a lead is recycled; the team leader or a sales manager decides."""

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from .crm_lead import with_chosen_defaults


class CrmLeadPoolExtension(models.Model):
    _name = "crm.lead.pool.extension"
    _description = "Recycle Extension Request"
    _inherit = ["mail.thread", "mail.activity.mixin"]  # noqa: RUF012
    _order = "create_date desc, id desc"
    _rec_name = "lead_id"

    lead_id = fields.Many2one("crm.lead", required=True, ondelete="cascade", index=True)
    days = fields.Integer(required=True, default=7, help="More days asked for.")
    reason = fields.Text(required=True)
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("requested", "Requested"),
            ("approved", "Approved"),
            ("refused", "Refused"),
        ],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
    )
    requested_by = fields.Many2one(
        "res.users", readonly=True, default=lambda self: self.env.user
    )
    decided_by = fields.Many2one("res.users", readonly=True)
    deadline = fields.Datetime(
        related="lead_id.pool_recycle_deadline", string="Recycle Deadline"
    )
    max_days = fields.Integer(compute="_compute_max_days")

    _sql_constraints = [  # noqa: RUF012
        (
            "days_positive",
            "CHECK(days > 0)",
            "An extension asks for at least one day.",
        ),
    ]

    @api.depends("lead_id")
    def _compute_max_days(self):
        for request in self:
            request.max_days = (
                request.lead_id._get_pool_policy().pool_extension_max_days
                if request.lead_id
                else 0
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in with_chosen_defaults(self, vals_list):
            self._check_decision_not_written(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._check_decision_not_written(vals)
        if {"lead_id", "days", "reason"}.intersection(vals) and any(
            request.state != "draft" for request in self
        ):
            raise UserError(_("A sent extension request cannot be changed."))
        return super().write(vals)

    def _check_decision_not_written(self, vals):
        """Who asked and what was decided are written by the buttons only."""
        if self.env.su:
            return
        if (
            vals.get("state", "draft") != "draft"
            or vals.get("requested_by", self.env.uid) != self.env.uid
            or vals.get("decided_by")
        ):
            raise AccessError(
                _(
                    "An extension request is sent with Ask for More Days and "
                    "decided with Approve or Refuse."
                )
            )

    def _approvers(self):
        """The team leader of the lead's team, else the sales managers of the
        lead's company."""
        self.ensure_one()
        leader = self.lead_id.team_id.user_id
        if leader:
            return leader
        company = self.lead_id._get_policy_company()
        return self.env["crm.lead"]._company_sales_managers(company)

    def action_request(self):
        """The owner sends the request: checked against the policy, at most
        one open request per lead; the approvers get a to-do."""
        for request in self:
            lead = request.lead_id
            if request.state != "draft":
                raise UserError(_("This extension request was already sent."))
            if lead.user_id != self.env.user:
                raise AccessError(
                    _(
                        "Only the salesperson of %(lead)s asks for more days.",
                        lead=lead.name,
                    )
                )
            if not request.max_days:
                raise UserError(
                    _(
                        "Extension requests are switched off for %(lead)s's team.",
                        lead=lead.name,
                    )
                )
            if request.days > request.max_days:
                raise UserError(
                    _(
                        "Ask for at most %(max)s days (asked: %(days)s).",
                        max=request.max_days,
                        days=request.days,
                    )
                )
            if not lead.pool_recycle_deadline:
                raise UserError(
                    _("%(lead)s has no recycle deadline to extend.", lead=lead.name)
                )
            if self.search_count(
                [("lead_id", "=", lead.id), ("state", "=", "requested")]
            ):
                raise UserError(
                    _(
                        "%(lead)s already has an extension request waiting.",
                        lead=lead.name,
                    )
                )
            request.sudo().state = "requested"
            for approver in request._approvers():
                request.sudo().activity_schedule(
                    "mail.mail_activity_data_todo",
                    user_id=approver.id,
                    summary=_("Approve %(days)s more days?", days=request.days),
                    note=request.reason,
                )
        return True

    def _check_decider(self):
        for request in self:
            if request.state != "requested":
                raise UserError(_("Only a waiting extension request is decided."))
            if request.requested_by == self.env.user:
                raise AccessError(
                    _(
                        "An extension request is decided by someone else than "
                        "its requester."
                    )
                )
            is_leader = request.lead_id.team_id.user_id == self.env.user
            if not (
                is_leader or self.env.user.has_group("sales_team.group_sale_manager")
            ):
                raise AccessError(
                    _("The team leader or a sales manager decides extension requests.")
                )

    def action_approve(self):
        """Move the lead's recycle deadline by the days asked (kept until the
        lead changes owner), with a pool history row, a note and a word to
        the requester."""
        self._check_decider()
        for request in self.sudo():
            lead = request.lead_id
            request.write({"state": "approved", "decided_by": self.env.uid})
            # A system field: written by superuser code only (the guard).
            lead.write({"pool_extension_days": lead.pool_extension_days + request.days})
            request.env["crm.lead.pool.log"].create(
                {
                    "lead_id": lead.id,
                    "lead_name": lead.name,
                    "event": "extend",
                    "note": request.reason,
                    "user_id": self.env.uid,
                    "owner_before_id": lead.user_id.id,
                    "owner_after_id": lead.user_id.id,
                    "team_id": lead.team_id.id,
                    "company_id": lead.company_id.id,
                }
            )
            lead.message_post(
                body=Markup("<p>%s</p>")
                % _(
                    "%(days)s more days before recycling, approved by %(user)s: "
                    "%(reason)s",
                    days=request.days,
                    user=self.env.user.name,
                    reason=request.reason,
                ),
                message_type="notification",
                subtype_xmlid="mail.mt_note",
            )
            request._decided(_("approved"))
        return True

    def action_refuse(self):
        self._check_decider()
        for request in self.sudo():
            request.write({"state": "refused", "decided_by": self.env.uid})
            request._decided(_("refused"))
        return True

    def _decided(self, decision):
        self.activity_unlink(["mail.mail_activity_data_todo"])
        self.message_notify(
            partner_ids=self.requested_by.partner_id.ids,
            subject=_("Extension request %(decision)s", decision=decision),
            body=_(
                "Your request for %(days)s more days on %(lead)s was %(decision)s "
                "by %(user)s.",
                days=self.days,
                lead=self.lead_id.name,
                decision=decision,
                user=self.env.user.name,
            ),
        )


class CrmLead(models.Model):
    _inherit = "crm.lead"

    pool_extension_days = fields.Integer(
        string="Extension Days",
        default=0,
        readonly=True,
        copy=False,
        help="Days added to the recycle deadline by approved extension requests, "
        "until the lead changes salesperson.",
    )
    pool_extension_ids = fields.One2many(
        "crm.lead.pool.extension", "lead_id", string="Extension Requests"
    )
    pool_extension_allowed = fields.Boolean(
        string="Extensions Allowed",
        compute="_compute_pool_extension_allowed",
        help="The lead's policy lets its salesperson ask for more days.",
    )

    @api.depends("team_id", "company_id")
    def _compute_pool_extension_allowed(self):
        for lead in self:
            lead.pool_extension_allowed = bool(
                lead._get_pool_policy().sudo().pool_extension_max_days
            )

    def write(self, vals):
        changed = self.browse()
        if "user_id" in vals:
            changed = self.filtered(
                lambda lead: (
                    lead.pool_extension_days and lead.user_id.id != vals["user_id"]
                )
            )
        result = super().write(vals)
        if changed:
            # Another salesperson starts from the policy's days.
            changed.sudo().write({"pool_extension_days": 0})
        return result

    def action_pool_request_extension(self):
        """The owner's "Ask for More Days" button: a new request."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Ask for More Days"),
            "res_model": "crm.lead.pool.extension",
            "view_mode": "form",
            "target": "new",
            "context": {"default_lead_id": self.id},
        }
