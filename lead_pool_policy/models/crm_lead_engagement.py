# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError

from .crm_lead import with_chosen_defaults


class CrmLeadEngagement(models.Model):
    _name = "crm.lead.engagement"
    _description = "Lead Engagement Event"
    _order = "date desc, id desc"

    lead_id = fields.Many2one("crm.lead", required=True, ondelete="cascade", index=True)
    type_id = fields.Many2one(
        "crm.lead.engagement.type", required=True, ondelete="restrict"
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    points = fields.Integer(
        compute="_compute_points",
        store=True,
        readonly=False,
        help="Points on the day of the event (default: the type's points).",
    )
    qualification = fields.Selection(related="type_id.qualification")
    note = fields.Char()
    company_id = fields.Many2one(related="lead_id.company_id", store=True)
    user_id = fields.Many2one(related="lead_id.user_id", string="Salesperson")

    @api.depends("type_id")
    def _compute_points(self):
        for event in self:
            event.points = event.type_id.points

    @api.model_create_multi
    def create(self, vals_list):
        type_ids = {vals["type_id"] for vals in vals_list if vals.get("type_id")}
        known = self.env["crm.lead.engagement.type"].browse(type_ids).exists()
        if unknown := type_ids - set(known.ids):
            raise ValidationError(
                _(
                    "Unknown engagement type (id %(ids)s): choose one of the "
                    "types under CRM > Configuration > Engagement Types.",
                    ids=", ".join(map(str, sorted(unknown))),
                )
            )
        self._check_points(with_chosen_defaults(self, vals_list))
        events = super().create(vals_list)
        events.lead_id._apply_engagement_qualification(events)
        events.lead_id._rescore()
        return events

    def write(self, vals):
        self._check_points([vals])
        if vals.get("lead_id"):
            # The record rules checked the event's lead before the write; the
            # lead it moves to must be one the user may change as well.
            self.env["crm.lead"].browse(vals["lead_id"]).check_access("write")
        leads = self.lead_id
        result = super().write(vals)
        if {"type_id", "date", "points", "lead_id"} & set(vals):
            (leads | self.lead_id)._rescore()
            if "type_id" in vals:
                self.lead_id._apply_engagement_qualification(self)
        return result

    def _check_points(self, vals_list):
        """Salespeople log events with their type's points; only sales
        managers give an event other points."""
        if (
            not any("points" in vals for vals in vals_list)
            or self.env["crm.lead"]._is_lead_manager()
        ):
            return
        Type = self.env["crm.lead.engagement.type"].sudo()
        for vals in vals_list:
            if "points" not in vals:
                continue
            types = (
                Type.browse(vals["type_id"]) if vals.get("type_id") else self.type_id
            )
            for event_type in types:
                if vals["points"] != event_type.points:
                    raise AccessError(
                        _(
                            "An event counts the points of its type (%(type)s: "
                            "%(points)s); only sales managers can give it other "
                            "points.",
                            type=event_type.name,
                            points=event_type.points,
                        )
                    )

    def unlink(self):
        leads = self.lead_id
        result = super().unlink()
        leads.exists()._rescore()
        return result
