# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""crm.lead: the night's reminders before a lead is recycled, set-based: the
owner's warning (within the policy's warning days) and the escalation to the
team leader, else the policy company's sales managers (within its escalation
days). Each once per lead and deadline; the activities of a night are
created in lists, never one call per lead."""

from odoo import api, fields, models
from odoo.tools import SQL, format_date

ACTIVITY_BATCH_SIZE = 2000
# The reminders: (the policy's days, the column that remembers the deadline
# reminded, the activity type).
REMINDERS = {
    "warning": (
        "pool_warning_days",
        "pool_warned_deadline",
        "lead_pool_policy.mail_activity_type_recycle_warning",
    ),
    "escalation": (
        "pool_escalation_days",
        "pool_escalated_deadline",
        "mail.mail_activity_data_todo",
    ),
}


class CrmLead(models.Model):
    _inherit = "crm.lead"

    pool_escalated_deadline = fields.Datetime(readonly=True, copy=False)

    @api.model
    def _pool_send_reminders(self, now):
        """The night's warnings to owners, then escalations to leaders."""
        return {kind: self._pool_send_reminder(kind, now) for kind in REMINDERS}

    @api.model
    def _pool_send_reminder(self, kind, now):
        """Remind, once per lead and deadline, the leads whose deadline falls
        within the ``kind`` days of their policy; returns how many leads."""
        days, column, type_xmlid = REMINDERS[kind]
        query = self._pool_policy_query()
        query.add_where(
            SQL(
                "%(days)s > 0 AND crm_lead.pool_recycle_deadline > %(now)s"
                " AND crm_lead.pool_recycle_deadline"
                "     <= %(now)s + %(days)s * interval '1 day'"
                " AND crm_lead.user_id IS NOT NULL"
                " AND crm_lead.%(column)s IS DISTINCT FROM"
                "     crm_lead.pool_recycle_deadline",
                now=now,
                days=self._pool_policy_sql(days),
                column=SQL.identifier(column),
            )
        )
        self.flush_model(["pool_recycle_deadline", "user_id", "team_id", column])
        rows = self.env.execute_query(
            query.select(
                SQL(
                    "crm_lead.id, crm_lead.pool_recycle_deadline, crm_lead.user_id,"
                    " team.user_id, company.id"
                )
            )
        )
        activity_type = self.env.ref(type_xmlid)
        texts = ReminderTexts(self.env, kind)
        for start in range(0, len(rows), ACTIVITY_BATCH_SIZE):
            batch = rows[start : start + ACTIVITY_BATCH_SIZE]
            vals_list = []
            for lead_id, deadline, owner_id, leader_id, company_id in batch:
                for user_id in texts.recipients(owner_id, leader_id, company_id):
                    day, summary = texts.summary(user_id, owner_id, deadline)
                    vals_list.append(
                        {
                            "res_model_id": texts.model_id,
                            "res_id": lead_id,
                            "activity_type_id": activity_type.id,
                            "date_deadline": day,
                            "summary": summary,
                            "user_id": user_id,
                        }
                    )
            self._pool_create_activities(vals_list)
            # Each batch's activities and its leads' bookkeeping commit
            # together: a run killed later neither loses nor repeats them.
            ids = [row[0] for row in batch]
            self.env.execute_query(
                SQL(
                    "UPDATE crm_lead SET %(column)s = pool_recycle_deadline"
                    " WHERE id = ANY(%(ids)s)",
                    column=SQL.identifier(column),
                    ids=ids,
                )
            )
            self.browse(ids).invalidate_recordset([column])
            self._commit_batch()
        return len(rows)

    @api.model
    def _pool_create_activities(self, vals_list):
        """Create activities as one list: their assignees see them in their
        to-do list (no mail each, which a night of 100,000 would flood)."""
        Activity = (
            self.env["mail.activity"]
            .sudo()
            .with_context(mail_activity_quick_update=True, tracking_disable=True)
        )
        if vals_list:
            # The activities' record names, read at once (mail reads each
            # lead's on its own: one query per activity).
            Activity.env["crm.lead"].browse(
                {vals["res_id"] for vals in vals_list}
            ).mapped("display_name")
            Activity.create(vals_list)


class ReminderTexts:
    """Who gets a reminder and its words, in each recipient's language and
    time zone (each user, company and day computed once a night)."""

    def __init__(self, env, kind):
        self.env, self.kind = env, kind
        self.model_id = env["ir.model"]._get_id("crm.lead")
        self._users, self._managers, self._texts = {}, {}, {}

    def user(self, user_id):
        if user_id not in self._users:
            self._users[user_id] = self.env["res.users"].sudo().browse(user_id)
        return self._users[user_id]

    def recipients(self, owner_id, leader_id, company_id):
        """The owner for a warning; for an escalation the team leader, else
        (no leader, or the owner leads the team) the company's sales
        managers: never the owner."""
        if self.kind == "warning":
            return [owner_id]
        if leader_id and leader_id != owner_id:
            return [leader_id]
        if company_id not in self._managers:
            company = self.env["res.company"].browse(company_id)
            self._managers[company_id] = (
                self.env["crm.lead"]._company_sales_managers(company).ids
            )
        return [uid for uid in self._managers[company_id] if uid != owner_id]

    def summary(self, user_id, owner_id, deadline):
        """(day, summary) of a reminder to ``user_id``: the deadline's day in
        the recipient's time zone, the words in their language."""
        user = self.user(user_id)
        day = fields.Date.context_today(user.with_context(tz=user.tz), deadline)
        key = (user_id, owner_id, day)
        if key not in self._texts:
            env = self.env(context=dict(self.env.context, lang=user.lang))
            date = format_date(env, day)
            if self.kind == "warning":
                summary = env._("Returns to the pool on %(date)s", date=date)
            else:
                summary = env._(
                    "Returns to the pool on %(date)s unless %(owner)s contacts them",
                    date=date,
                    owner=self.user(owner_id).name,
                )
            self._texts[key] = summary
        return day, self._texts[key]
