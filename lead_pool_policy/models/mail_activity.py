# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from collections import defaultdict

from odoo import fields, models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    def write(self, vals):
        """Odoo checks an activity's document before a write, not the one it
        is moved to: that one must be writable too (a salesperson moving
        their activity onto a pool lead, or a colleague's lead)."""
        result = super().write(vals)
        if not self.env.su and {"res_id", "res_model_id", "res_model"} & set(vals):
            for activity in self:
                self.env[activity.res_model].browse(activity.res_id).check_access(
                    "write"
                )
        return result

    def _action_done(self, feedback=False, attachment_ids=None):
        # Collected before super(), which deletes or archives the activities.
        types_by_lead = defaultdict(set)
        for activity in self.filtered(lambda act: act.res_model == "crm.lead"):
            types_by_lead[activity.res_id].add(activity.activity_type_id.id)
        result = super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
        if types_by_lead:
            leads = self.env["crm.lead"].sudo().browse(list(types_by_lead)).exists()
            if not self.env["crm.lead"]._is_lead_manager():
                # A salesperson's activity left on a lead now in the pool
                # does not count as working on it.
                leads = leads.filtered(lambda lead: not lead.in_pool)
            contacted = leads.filtered(
                lambda lead: (
                    types_by_lead[lead.id]
                    & set(lead._get_policy_company().contact_activity_type_ids.ids)
                )
            )
            # Log Contact gives the attempt's own date.
            now = fields.Datetime.now()
            now = self.env.context.get("lead_pool_contact_date") or now
            contacted._register_contact_attempt(now)
            self._log_engagement_events(leads, types_by_lead, now)
        return result

    def _log_engagement_events(self, leads, types_by_lead, date):
        """A done activity whose type an engagement type names logs an event."""
        activity_type_ids = set().union(*types_by_lead.values())
        engagement_types = (
            self.env["crm.lead.engagement.type"]
            .sudo()
            .search([("activity_type_id", "in", list(activity_type_ids))])
        )
        vals_list = [
            {"lead_id": lead.id, "type_id": etype.id, "date": date}
            for lead in leads
            for etype in engagement_types
            if etype.activity_type_id.id in types_by_lead[lead.id]
        ]
        if vals_list:
            self.env["crm.lead.engagement"].sudo().create(vals_list)
