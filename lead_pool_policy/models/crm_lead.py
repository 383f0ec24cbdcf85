# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import threading
from datetime import timedelta

import pytz
from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, email_normalize
from odoo.tools.safe_eval import safe_eval

from ..masking import mask_email, mask_phone
from .crm_lead_engagement_type import QUALIFICATION_RANK, QUALIFICATIONS
from .crm_lead_pool_log import POOL_REASONS

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

# Bookkeeping kept by the addon itself: only sales managers (or code running
# as superuser) may write these directly.
BOOKKEEPING_FIELDS = frozenset(
    {
        "contact_count",
        "first_contact_date",
        "last_contact_date",
        "pool_entry_date",
        "pool_reason",
        "pool_previous_user_id",
        "pool_previous_stage_id",
        "pool_recycle_count",
    }
)
# What the pool's statements read and write on crm.lead: flushed before them,
# and no more (flushing the whole model would run unrelated pending
# computations, such as Odoo's probabilities, in the middle of a write).
POOL_SQL_FIELDS = [
    "name",
    "user_id",
    "stage_id",
    "team_id",
    "company_id",
    "in_pool",
    "date_open",
    "pool_previous_user_id",
    "pool_previous_stage_id",
    "pool_entry_date",
    "pool_reason",
    "pool_recycle_count",
    "pool_recycle_deadline",
    "pool_recycle_rule",
    "pool_warned_deadline",
]
# Kept by the pool's own SQL: refused to everybody but the superuser.
POOL_SYSTEM_FIELDS = (
    "pool_recycle_deadline",
    "pool_recycle_rule",
    "pool_warned_deadline",
)
POOL_BATCH_SIZE = 5000
# Contact details hidden on pool leads from non-managers (setting).
MASKED_FIELDS = {
    "email_from": mask_email,
    "email_normalized": mask_email,
    "phone": mask_phone,
    "mobile": mask_phone,
    "phone_sanitized": mask_phone,
}

# Written only by the scoring engine (in SQL): refused to everybody else.
SCORE_FIELDS = (
    "fit_score",
    "engagement_score",
    "lead_score",
    "temperature",
    "nurture_tier",
    "source_conversion_rate",
    "priority_score",
)
# Lead fields the scores depend on besides those the scoring rules read.
SCORING_INPUT_FIELDS = frozenset(
    {
        "bant_budget",
        "bant_authority",
        "bant_need",
        "bant_timeline",
        "qualification",
        "source_id",
        "company_id",
    }
)
QUALIFICATION_TAGS = {
    "mql": "lead_pool_policy.crm_tag_mql",
    "sql": "lead_pool_policy.crm_tag_sql",
    "pql": "lead_pool_policy.crm_tag_pql",
}
RESCORE_REQUEST_PARAM = "lead_pool_policy.rescore_requested"
RESCORE_BATCH_SIZE = 50000

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

    fit_score = fields.Integer(
        readonly=True,
        copy=False,
        help="Sum of the points of the fit scoring rules the lead matches, "
        "from 0 to 100.",
    )
    engagement_score = fields.Integer(
        readonly=True,
        copy=False,
        help="Points of the lead's engagement events, decayed by age, plus the "
        "engagement scoring rules it matches, from 0 to 100.",
    )
    lead_score = fields.Integer(
        readonly=True,
        copy=False,
        help="Fit and engagement scores blended by the company's fit weight.",
    )
    temperature = fields.Selection(
        [("hot", "Hot"), ("warm", "Warm"), ("cold", "Cold")],
        readonly=True,
        copy=False,
        help="Hot: all four BANT criteria met, or a score at the hot threshold. "
        "Cold: no need, or a score below the warm threshold. Warm: the rest.",
    )
    qualification = fields.Selection(
        QUALIFICATIONS,
        copy=False,
        index=True,
        tracking=True,
        help="Marketing-, sales- or product-qualified lead, set by the lead's "
        "engagement events (SQL over PQL over MQL) or by hand.",
    )
    nurture_tier = fields.Selection(
        [("top", "Top"), ("middle", "Middle"), ("low", "Low")],
        readonly=True,
        copy=False,
        help="For marketing-qualified leads: the nurturing tier given by their "
        "score (top: trial offers, middle: white papers, low: newsletter).",
    )
    source_conversion_rate = fields.Float(
        readonly=True,
        copy=False,
        digits=(16, 4),
        help="Smoothed conversion rate of the lead's source.",
    )
    priority_score = fields.Integer(
        readonly=True,
        copy=False,
        help="Lead score blended with the source's conversion rate; pool lists "
        "and the next best lead are ordered by it.",
    )
    in_pool = fields.Boolean(
        string="In Pool",
        related="stage_id.is_pool",
        store=True,
        index=True,
        help="The lead is in the public pool: no salesperson, waiting to be claimed.",
    )
    pool_entry_date = fields.Datetime(readonly=True, copy=False)
    pool_reason = fields.Selection(POOL_REASONS, readonly=True, copy=False)
    pool_previous_user_id = fields.Many2one(
        "res.users", string="Previous Salesperson", readonly=True, copy=False
    )
    pool_previous_stage_id = fields.Many2one(
        "crm.stage", string="Previous Stage", readonly=True, copy=False
    )
    pool_recycle_count = fields.Integer(
        string="Times Recycled", default=0, readonly=True, copy=False
    )
    pool_recycle_deadline = fields.Datetime(
        string="Recycle Deadline",
        compute="_compute_pool_recycle_deadline",
        store=True,
        copy=False,
        index=True,
        help="When the lead returns to the pool if nothing happens; empty when no "
        "recycle rule applies.",
    )
    pool_recycle_rule = fields.Selection(
        [
            ("uncontacted", "Not contacted in time"),
            ("unconverted", "Not converted in time"),
            ("stale", "No recent contact"),
        ],
        string="Recycle Rule",
        compute="_compute_pool_recycle_deadline",
        store=True,
        copy=False,
    )
    pool_warned_deadline = fields.Datetime(readonly=True, copy=False)
    pool_recycle_soon = fields.Boolean(
        compute="_compute_pool_recycle_soon",
        search="_search_pool_recycle_soon",
        help="The recycle deadline falls within the warning window.",
    )
    engagement_ids = fields.One2many(
        "crm.lead.engagement", "lead_id", string="Engagement Events"
    )
    engagement_count = fields.Integer(compute="_compute_engagement_count")
    contact_count = fields.Integer(
        string="Contact Attempts",
        default=0,
        readonly=True,
        copy=False,
        help="Contact attempts so far: done calls, emails and meetings, messages "
        "sent to the customer, emails received from them, and logged contacts.",
    )
    first_contact_date = fields.Datetime(readonly=True, copy=False)
    last_contact_date = fields.Datetime(readonly=True, copy=False)
    contact_target = fields.Integer(
        compute="_compute_contact_target",
        help="How many contact attempts a lead deserves before it is qualified "
        "or returned to the pool (CRM settings).",
    )

    @api.depends(*BANT_MET_VALUES)
    def _compute_bant_met_count(self):
        for lead in self:
            lead.bant_met_count = sum(
                lead[fname] == value for fname, value in BANT_MET_VALUES.items()
            )

    @api.depends("engagement_ids")
    def _compute_engagement_count(self):
        counts = dict(
            self.env["crm.lead.engagement"]._read_group(
                [("lead_id", "in", self.ids)], ["lead_id"], ["__count"]
            )
        )
        for lead in self:
            lead.engagement_count = counts.get(lead, 0)

    @api.depends(
        "user_id",
        "date_open",
        "type",
        "date_conversion",
        "tag_ids",
        "active",
        "stage_id.is_won",
        "in_pool",
        "team_id",
        "company_id",
        "first_contact_date",
        "last_contact_date",
    )
    def _compute_pool_recycle_deadline(self):
        """The deadline of the records changed by the ORM; policy edits and
        the cron use the set-based SQL twin, _update_pool_deadlines(), which
        applies the same rules (see its docstring)."""
        for lead in self:
            lead.pool_recycle_deadline, lead.pool_recycle_rule = (
                lead._get_pool_deadline()
            )

    def _get_pool_deadline(self):
        self.ensure_one()
        if (
            not self.active
            or not self.user_id
            or not self.date_open
            or self.in_pool
            or self.stage_id.is_won
        ):
            return False, False
        policy = self._get_pool_policy()
        if self.tag_ids & policy.pool_exempt_tag_ids:
            return False, False
        opened, first, last = (
            self.date_open,
            self.first_contact_date,
            self.last_contact_date,
        )
        candidates = []
        if policy.pool_recycle_uncontacted and (not last or last < opened):
            candidates.append(
                (opened + timedelta(days=policy.pool_uncontacted_days), "uncontacted")
            )
        if (
            policy.pool_recycle_unconverted
            and self.type == "lead"
            and not self.date_conversion
            and last
            and last >= opened
        ):
            anchor = first if first and first >= opened else last
            candidates.append(
                (anchor + timedelta(days=policy.pool_unconverted_days), "unconverted")
            )
        if policy.pool_recycle_stale and self.type == "opportunity":
            anchor = max(last, opened) if last else opened
            candidates.append(
                (anchor + timedelta(days=policy.pool_stale_days), "stale")
            )
        if not candidates:
            return False, False
        return min(candidates, key=lambda candidate: candidate[0])

    @api.depends("pool_recycle_deadline", "team_id", "company_id")
    def _compute_pool_recycle_soon(self):
        now = fields.Datetime.now()
        for lead in self:
            policy = lead._get_pool_policy()
            lead.pool_recycle_soon = bool(
                lead.pool_recycle_deadline
                and lead.pool_recycle_deadline
                <= now + timedelta(days=policy.pool_warning_days)
            )

    def _search_pool_recycle_soon(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError(_("Unsupported search on Recycle Soon."))
        horizon = fields.Datetime.now() + timedelta(
            days=self.env.company.pool_warning_days
        )
        domain = [
            ("pool_recycle_deadline", "!=", False),
            ("pool_recycle_deadline", "<=", horizon),
        ]
        return domain if (operator == "=") == value else ["!", "&", *domain]

    @api.depends("company_id")
    @api.depends_context("company")
    def _compute_contact_target(self):
        for lead in self:
            lead.contact_target = lead._get_policy_company().contact_target

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(
            set(SCORE_FIELDS).intersection(v) for v in vals_list
        ):
            self._check_bookkeeping_write(dict.fromkeys(SCORE_FIELDS))
        leads = super().create(vals_list)
        leads.filtered("qualification")._sync_qualification_tags()
        leads._rescore()
        if pool_new := leads.filtered(
            lambda lead: (
                not lead.user_id
                and not lead.in_pool
                and lead.active
                and lead._get_policy_company().pool_new_leads
            )
        ):
            pool_new._pool_enter("new", "enter")
        return leads

    def write(self, vals):
        self._check_bookkeeping_write(vals)
        self._check_pool_write(vals)
        if self.env.context.get("lead_pool_policy_raw_write"):
            return super().write(vals)
        # A manager moving leads into a pool stage sends them to the pool; a
        # manager giving a pool lead a salesperson assigns it out of the pool.
        to_pool = self.browse()
        if (
            vals.get("stage_id")
            and self.env["crm.stage"].browse(vals["stage_id"]).is_pool
        ):
            to_pool = self.filtered(lambda lead: not lead.in_pool)
            vals = dict(vals)
            vals.pop("stage_id")
        assigned = self.browse()
        if vals.get("user_id") and not to_pool:
            assigned = self.filtered("in_pool")
            if assigned:
                assigned._pool_take(
                    self.env["res.users"].browse(vals["user_id"]), "assign"
                )
        result = super().write(vals) if vals else True
        if to_pool:
            to_pool._pool_enter("manager", "enter")
        if "qualification" in vals:
            self._sync_qualification_tags()
        if self._is_scoring_write(vals):
            self._rescore()
        return result

    def unlink(self):
        """Delete-to-pool: a salesperson's delete sends the leads to the pool
        (when the policy says so); a sales manager's delete, or one made by
        code as superuser (merging duplicates), really deletes and is logged
        as a purge."""
        if self.env.su or self.env.user.has_group("sales_team.group_sale_manager"):
            self._pool_log_purge()
            return super().unlink()
        to_pool = self.filtered(
            lambda lead: (
                not lead.in_pool and lead._get_pool_policy().pool_delete_to_pool
            )
        )
        if to_pool:
            to_pool.check_access("unlink")
            to_pool.sudo()._pool_enter("deleted", "delete")
        rest = self - to_pool
        if rest:
            rest._pool_log_purge()
            return super(CrmLead, rest).unlink()
        return True

    @api.ondelete(at_uninstall=False)
    def _unlink_except_pool_lead(self):
        if self.env.su or self.env.user.has_group("sales_team.group_sale_manager"):
            return
        if any(lead.in_pool for lead in self):
            raise AccessError(_("Salespeople cannot delete leads of the public pool."))

    def _check_bookkeeping_write(self, vals):
        """Contact and pool bookkeeping is written by the addon's own actions,
        never directly by salespeople (through a form or an RPC call)."""
        if self.env.su:
            return
        if scores := set(SCORE_FIELDS + POOL_SYSTEM_FIELDS).intersection(vals):
            raise AccessError(
                _(
                    "Scores are computed from the scoring rules, the engagement "
                    "events and the settings; they cannot be written (%(fields)s).",
                    fields=", ".join(sorted(scores)),
                )
            )
        if not BOOKKEEPING_FIELDS.intersection(vals):
            return
        if not self.env.user.has_group("sales_team.group_sale_manager"):
            raise AccessError(
                _(
                    "Contact attempts are counted by the system: use the Log "
                    "Contact button, mark an activity as done or send a message "
                    "to the customer instead of editing %(fields)s.",
                    fields=", ".join(
                        self._fields[fname].string
                        for fname in sorted(BOOKKEEPING_FIELDS.intersection(vals))
                    ),
                )
            )

    def _read_format(self, fnames, load="_classic_read"):
        """Mask the contact details of pool leads for users who are not sales
        managers when the company's setting says so (every view and RPC read
        goes through here)."""
        result = super()._read_format(fnames, load=load)
        if (
            self.env.su
            or not MASKED_FIELDS.keys() & set(fnames)
            or self.env.user.has_group("sales_team.group_sale_manager")
        ):
            return result
        masked = {
            lead.id
            for lead in self.sudo()
            if lead.in_pool and lead._get_policy_company().pool_mask_contacts
        }
        if not masked:
            return result
        for values in result:
            if values["id"] in masked:
                for fname, mask in MASKED_FIELDS.items():
                    if values.get(fname):
                        values[fname] = mask(values[fname])
        return result

    def _check_pool_write(self, vals):
        """Salespeople change pool leads only through Claim and Return."""
        if self.env.su or self.env.user.has_group("sales_team.group_sale_manager"):
            return
        if "user_id" in vals and self.filtered("in_pool"):
            raise AccessError(
                _(
                    "A lead of the public pool has no salesperson until someone "
                    "claims it: use the Claim button."
                )
            )
        if (
            vals.get("stage_id")
            and self.env["crm.stage"].browse(vals["stage_id"]).is_pool
        ):
            raise AccessError(
                _("Use Return to Pool to send a lead back to the public pool.")
            )

    def _message_post_after_hook(self, message, msg_vals):
        result = super()._message_post_after_hook(message, msg_vals)
        if self._is_contact_message(message):
            self._register_contact_attempt(message.date)
        return result

    def message_new(self, msg_dict, custom_values=None):
        # The email that creates a lead is not a contact attempt on it.
        lead = super().message_new(msg_dict, custom_values=custom_values)
        return lead.with_context(lead_pool_policy_new_from_email=True)

    def action_log_contact(self):
        self.ensure_one()
        self.check_access("write")
        return {
            "type": "ir.actions.act_window",
            "name": _("Log Contact"),
            "res_model": "crm.lead.contact.log",
            "view_mode": "form",
            "target": "new",
            "context": {"default_lead_id": self.id},
        }

    @api.model
    def action_open_followups_today(self):
        """My leads and opportunities with an activity due today or overdue."""
        today = fields.Date.context_today(self)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "lead_pool_policy.crm_lead_action_followups_today"
        )
        action["domain"] = self._get_followups_today_domain(today)
        return action

    @api.model
    def _get_followups_today_domain(self, today):
        return [
            ("user_id", "=", self.env.uid),
            ("activity_date_deadline", "<=", fields.Date.to_string(today)),
        ]

    def _get_policy_company(self):
        self.ensure_one()
        return self.company_id or self.env.company

    def _is_contact_message(self, message):
        """Whether ``message``, just posted on this lead, is a contact attempt:
        sent from the chatter to the customer (not a note, not to followers
        only), or an email received from the customer on an existing lead."""
        self.ensure_one()
        if self.env.context.get("lead_pool_policy_new_from_email"):
            return False
        customer_email = self.email_normalized or email_normalize(
            self.partner_id.email or ""
        )

        def is_customer(partner):
            return partner and (
                partner == self.partner_id
                or (customer_email and partner.email_normalized == customer_email)
            )

        if message.message_type == "comment":
            sent_by_user = message.author_id.user_ids and not any(
                message.author_id.user_ids.mapped("share")
            )
            return bool(
                sent_by_user
                and message.subtype_id
                and not message.subtype_id.internal
                and any(is_customer(partner) for partner in message.partner_ids)
            )
        if message.message_type == "email":
            return bool(
                is_customer(message.author_id)
                or (
                    customer_email
                    and email_normalize(message.email_from or "") == customer_email
                )
            )
        return False

    def _register_contact_attempt(self, date=None):
        """Count one contact attempt at ``date`` on each lead, then schedule
        the next follow-up.

        The counter is incremented in SQL so that attempts registered at the
        same time by concurrent transactions are all counted.
        """
        if not self:
            return
        date = date or fields.Datetime.now()
        fnames = ["contact_count", "first_contact_date", "last_contact_date"]
        self.flush_recordset(fnames)
        self.env.cr.execute(
            """
            UPDATE crm_lead
               SET contact_count = COALESCE(contact_count, 0) + 1,
                   first_contact_date = LEAST(COALESCE(first_contact_date, %(date)s),
                                              %(date)s),
                   last_contact_date = GREATEST(COALESCE(last_contact_date, %(date)s),
                                                %(date)s)
             WHERE id IN %(ids)s
            """,
            {"date": date, "ids": tuple(self.ids)},
        )
        self.invalidate_recordset(fnames)
        self.modified(fnames)
        self.sudo()._schedule_followup()

    # Scoring engine ---------------------------------------------------------

    def _is_scoring_write(self, vals):
        rules = self.env["crm.lead.scoring.rule"]
        return bool(
            (SCORING_INPUT_FIELDS | rules._get_scoring_field_names()).intersection(vals)
        )

    def _apply_engagement_qualification(self, events):
        """Upgrade each lead to the strongest qualification among ``events``;
        a weaker event never downgrades a lead."""
        best = {}
        for event in events:
            qualification = event.type_id.qualification
            rank = QUALIFICATION_RANK[qualification]
            if rank > QUALIFICATION_RANK[best.get(event.lead_id)]:
                best[event.lead_id] = qualification
        by_value = {}
        for lead, qualification in best.items():
            if (
                QUALIFICATION_RANK[qualification]
                > QUALIFICATION_RANK[lead.qualification]
            ):
                by_value.setdefault(qualification, self.browse())
                by_value[qualification] |= lead
        for qualification, leads in by_value.items():
            leads.sudo().write({"qualification": qualification})

    def _sync_qualification_tags(self):
        """Each lead carries exactly the MQL/SQL/PQL tag of its qualification;
        other tags are left alone."""
        tags = {
            key: self.env.ref(xmlid, raise_if_not_found=False)
            for key, xmlid in QUALIFICATION_TAGS.items()
        }
        tags = {key: tag for key, tag in tags.items() if tag}
        for qualification in [False, *tags]:
            leads = self.filtered(lambda lead, q=qualification: lead.qualification == q)
            if not leads:
                continue
            commands = [
                fields.Command.unlink(tag.id)
                for key, tag in tags.items()
                if key != qualification
            ]
            if qualification:
                commands.append(fields.Command.link(tags[qualification].id))
            leads.sudo().write({"tag_ids": commands})

    def _rescore(self):
        """Recompute the scores of these leads now (one statement a company)."""
        leads = self.sudo().with_context(active_test=False).filtered("id")
        if not leads:
            return
        by_company = {}
        for lead in leads:
            company = lead._get_policy_company()
            by_company.setdefault(company, []).append(lead.id)
        for company, ids in by_company.items():
            changed = self._rescore_scope(company, SQL("crm_lead.id IN %s", tuple(ids)))
            # Only what really changed: stars are written only when they
            # follow the temperature (they feed Odoo's predictive scoring).
            fnames = SCORE_FIELDS + (
                ("priority",) if company.score_sync_priority else ()
            )
            self.browse(changed).modified(fnames)

    @api.model
    def _rescore_all(self, commit=False):
        """Recompute every lead's scores, company by company, in batches of ids.

        Each batch is one UPDATE statement that only touches leads whose
        values change; between batches the cron reports its progress and, with
        ``commit``, commits, so an interrupted run keeps its finished batches
        and a rerun completes the rest.
        """
        leads = self.sudo().with_context(active_test=False)
        default_company = leads.env.company
        cr = leads.env.cr
        leads.flush_model()
        cr.execute(
            "SELECT COALESCE(company_id, %s), MIN(id), MAX(id), COUNT(*) "
            "FROM crm_lead GROUP BY 1 ORDER BY 1",
            [default_company.id],
        )
        spans = cr.fetchall()
        total = sum(span[3] for span in spans)
        done = changed = 0
        for company_id, min_id, max_id, count in spans:
            company = leads.env["res.company"].browse(company_id)
            company_done = 0
            for low in range(min_id, max_id + 1, RESCORE_BATCH_SIZE):
                high = low + RESCORE_BATCH_SIZE
                changed += len(
                    leads._rescore_scope(
                        company,
                        SQL("crm_lead.id >= %s AND crm_lead.id < %s", low, high),
                    )
                )
                company_done = min(count, company_done + RESCORE_BATCH_SIZE)
                leads.env["ir.cron"]._notify_progress(
                    done=done + company_done, remaining=total - done - company_done
                )
                if commit:
                    # A finished batch is consistent on its own: keep it.
                    cr.commit()  # pylint: disable=invalid-commit
            done += count
        leads.invalidate_model(SCORE_FIELDS + ("priority",))
        return changed

    def _rescore_scope(self, company, scope):
        """One UPDATE that recomputes the scores of the leads of ``company``
        selected by ``scope`` (an SQL condition on crm_lead), reading the
        rules, the engagement events and the source rates. Returns the ids of
        the leads that changed."""
        Lead = self.sudo().with_context(active_test=False)
        # Flush only what the statement reads (execute_query flushes what the
        # rules read): flushing the whole model would run unrelated pending
        # computations (e.g. Odoo's probabilities) in the middle of the
        # caller's write.
        Lead.flush_model(
            [
                "company_id",
                "source_id",
                "bant_met_count",
                "bant_need",
                "qualification",
                "priority",
                *SCORE_FIELDS,
            ]
        )
        self.env["crm.lead.engagement"].flush_model(["lead_id", "date", "points"])
        self.env["utm.source"].flush_model(["conversion_rate"])
        if company == self.env.company:
            company_scope = SQL(
                "(crm_lead.company_id = %s OR crm_lead.company_id IS NULL)", company.id
            )
        else:
            company_scope = SQL("crm_lead.company_id = %s", company.id)
        scope = SQL("%s AND %s", scope, company_scope)
        rules = (
            self.env["crm.lead.scoring.rule"]
            .sudo()
            .with_context(active_test=True)
            .search([("company_id", "in", (company.id, False))])
        )
        points = {"fit": [SQL("0")], "engagement": [SQL("0")]}
        for rule in rules:
            query = Lead._search(rule._get_lead_domain())
            if query._joins:
                # The rule reads other tables through joins: test membership.
                query.add_where(scope)
                condition = SQL("crm_lead.id IN (%s)", query.subselect())
            else:
                # A condition on the lead's own row: evaluate it inline.
                condition = query.where_clause or SQL("TRUE")
            points[rule.category].append(
                SQL("CASE WHEN %s THEN %s ELSE 0 END", condition, rule.points)
            )
        fit_weight = company.score_fit_weight / 100.0
        lead_weight = company.priority_lead_score_weight / 100.0
        hot, warm = company.score_hot_threshold, company.score_warm_threshold
        rows = self.env.execute_query(
            SQL(
                """
            WITH scoped AS (
                SELECT crm_lead.id, crm_lead.source_id, crm_lead.bant_met_count,
                       crm_lead.bant_need, crm_lead.qualification,
                       LEAST(100, GREATEST(0, %(fit)s)) AS fit,
                       %(engagement_rules)s AS engagement_rules
                  FROM crm_lead
                 WHERE %(scope)s
            ), events AS (
                SELECT event.lead_id,
                       SUM(event.points * POWER(0.5,
                           GREATEST(EXTRACT(EPOCH FROM (%(now)s - event.date)), 0)
                           / 86400.0 / %(half_life)s)) AS points
                  FROM crm_lead_engagement event
                 WHERE event.lead_id IN (SELECT id FROM scoped)
              GROUP BY event.lead_id
            ), scores AS (
                SELECT scoped.*,
                       LEAST(100, GREATEST(0, FLOOR(COALESCE(events.points, 0)
                            + scoped.engagement_rules + 0.5)))::int AS engagement,
                       COALESCE(source.conversion_rate, %(company_rate)s) AS source_rate
                  FROM scoped
             LEFT JOIN events ON events.lead_id = scoped.id
             LEFT JOIN utm_source source ON source.id = scoped.source_id
            ), blended AS (
                SELECT scores.*,
                       FLOOR(%(fit_weight)s * fit + (1 - %(fit_weight)s) * engagement
                             + 0.5)::int AS score
                  FROM scores
            ), graded AS (
                SELECT blended.*,
                       CASE WHEN bant_met_count = 4 THEN 'hot'
                            WHEN bant_need = 'none' THEN 'cold'
                            WHEN score >= %(hot)s THEN 'hot'
                            WHEN score < %(warm)s THEN 'cold'
                            ELSE 'warm' END AS temperature,
                       CASE WHEN qualification = 'mql' THEN
                            CASE WHEN score >= %(hot)s THEN 'top'
                                 WHEN score >= %(warm)s THEN 'middle'
                                 ELSE 'low' END END AS nurture_tier,
                       LEAST(100, GREATEST(0, FLOOR(%(lead_weight)s * score
                             + (1 - %(lead_weight)s) * source_rate * 100 + 0.5)))::int
                           AS priority_score
                  FROM blended
            )
            UPDATE crm_lead lead
               SET fit_score = graded.fit,
                   engagement_score = graded.engagement,
                   lead_score = graded.score,
                   temperature = graded.temperature,
                   nurture_tier = graded.nurture_tier,
                   source_conversion_rate = graded.source_rate,
                   priority_score = graded.priority_score,
                   priority = CASE WHEN %(sync_priority)s THEN
                                   CASE graded.temperature WHEN 'hot' THEN '3'
                                        WHEN 'warm' THEN '2' ELSE '1' END
                              ELSE lead.priority END
              FROM graded
             WHERE lead.id = graded.id
               AND (lead.fit_score IS DISTINCT FROM graded.fit
                    OR lead.engagement_score IS DISTINCT FROM graded.engagement
                    OR lead.lead_score IS DISTINCT FROM graded.score
                    OR lead.temperature IS DISTINCT FROM graded.temperature
                    OR lead.nurture_tier IS DISTINCT FROM graded.nurture_tier
                    OR lead.source_conversion_rate IS DISTINCT FROM graded.source_rate
                    OR lead.priority_score IS DISTINCT FROM graded.priority_score
                    OR (%(sync_priority)s AND lead.priority IS DISTINCT FROM
                        CASE graded.temperature WHEN 'hot' THEN '3'
                             WHEN 'warm' THEN '2' ELSE '1' END))
         RETURNING lead.id
                """,
                fit=SQL(" + ").join(points["fit"]),
                engagement_rules=SQL(" + ").join(points["engagement"]),
                scope=scope,
                now=fields.Datetime.now(),
                half_life=company.engagement_half_life_days,
                company_rate=company.lead_conversion_rate,
                fit_weight=fit_weight,
                lead_weight=lead_weight,
                hot=hot,
                warm=warm,
                sync_priority=company.score_sync_priority,
            )
        )
        changed = [row[0] for row in rows]
        self.invalidate_model(SCORE_FIELDS + ("priority",))
        return changed

    @api.model
    def _request_mass_rescore(self):
        """Ask the refresh cron to rescore every lead (rule or setting change)."""
        self.env["ir.config_parameter"].sudo().set_param(
            RESCORE_REQUEST_PARAM, fields.Datetime.to_string(fields.Datetime.now())
        )
        cron = self.env.ref(
            "lead_pool_policy.ir_cron_lead_scoring_refresh", raise_if_not_found=False
        )
        if cron:
            cron.sudo()._trigger()

    @api.model
    def _cron_lead_scoring_refresh(self):
        """Daily: source conversion rates, then every lead's scores (time decay,
        source rates, priority, and any rescore a rule or setting change asked)."""
        params = self.env["ir.config_parameter"].sudo()
        requested = params.get_param(RESCORE_REQUEST_PARAM)
        self.env["utm.source"].sudo()._update_conversion_stats()
        # Commit between batches, except under tests (their transaction is
        # rolled back at the end).
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        changed = self._rescore_all(commit=auto_commit)
        if requested and params.get_param(RESCORE_REQUEST_PARAM) == requested:
            params.set_param(RESCORE_REQUEST_PARAM, False)
        return changed

    # Public pool -----------------------------------------------------------

    def _get_pool_policy(self):
        """The pool policy that applies: the team's own, else the company's."""
        self.ensure_one()
        if self.team_id.pool_policy_own:
            return self.team_id
        return self._get_policy_company()

    @api.model
    def _get_pool_stage(self):
        return self.env.ref("lead_pool_policy.crm_stage_pool")

    def _update_pool_deadlines(self, leads=None):
        """Recompute the recycle deadline of ``leads`` (all leads when None),
        one UPDATE per applicable policy, only touching what changes.

        uncontacted: assigned (date_open) and no contact since -> date_open + N;
        unconverted: a lead contacted since assigned -> that contact + N;
        stale: an opportunity -> last contact (or assignment) + N;
        the earliest applicable rule wins. Won, lost, exempt, pool and
        unassigned leads have no deadline.
        """
        Lead = self.env["crm.lead"].sudo()
        if leads is not None:
            ids = tuple(leads.filtered("id").ids)
            if not ids:
                return
            scope = SQL("crm_lead.id IN %s", ids)
        else:
            scope = SQL("TRUE")
        Lead.flush_model(
            [
                "user_id",
                "date_open",
                "type",
                "date_conversion",
                "tag_ids",
                "active",
                "stage_id",
                "team_id",
                "company_id",
                "first_contact_date",
                "last_contact_date",
                "in_pool",
                *POOL_SYSTEM_FIELDS,
            ]
        )
        own_teams = (
            self.env["crm.team"]
            .sudo()
            .with_context(active_test=False)
            .search([("pool_policy_own", "=", True)])
        )
        groups = [(team, SQL("crm_lead.team_id = %s", team.id)) for team in own_teams]
        not_own = (
            SQL(
                "(crm_lead.team_id IS NULL OR crm_lead.team_id NOT IN %s)",
                tuple(own_teams.ids),
            )
            if own_teams
            else SQL("TRUE")
        )
        for company in self.env["res.company"].sudo().search([]):
            if company == self.env.company:
                in_company = SQL(
                    "(crm_lead.company_id = %s OR crm_lead.company_id IS NULL)",
                    company.id,
                )
            else:
                in_company = SQL("crm_lead.company_id = %s", company.id)
            groups.append((company, SQL("%s AND %s", in_company, not_own)))
        changed = []
        for policy, group_scope in groups:
            changed += self._update_pool_deadlines_scope(
                policy, SQL("%s AND %s", scope, group_scope)
            )
        Lead.invalidate_model(POOL_SYSTEM_FIELDS)
        return changed

    def _update_pool_deadlines_scope(self, policy, scope):
        day = SQL("interval '1 day'")
        rows = self.env.execute_query(
            SQL(
                """
            WITH candidates AS (
                SELECT crm_lead.id,
                       CASE WHEN %(unc)s AND (crm_lead.last_contact_date IS NULL
                                 OR crm_lead.last_contact_date < crm_lead.date_open)
                            THEN crm_lead.date_open + %(unc_days)s * %(day)s
                       END AS uncontacted,
                       CASE WHEN %(unconv)s AND crm_lead.type = 'lead'
                                 AND crm_lead.date_conversion IS NULL
                                 AND crm_lead.last_contact_date >= crm_lead.date_open
                            THEN CASE WHEN crm_lead.first_contact_date
                                           >= crm_lead.date_open
                                      THEN crm_lead.first_contact_date
                                      ELSE crm_lead.last_contact_date END
                                 + %(unconv_days)s * %(day)s
                       END AS unconverted,
                       CASE WHEN %(stale)s AND crm_lead.type = 'opportunity'
                            THEN GREATEST(crm_lead.last_contact_date,
                                          crm_lead.date_open)
                                 + %(stale_days)s * %(day)s
                       END AS stale
                  FROM crm_lead
             LEFT JOIN crm_stage stage ON stage.id = crm_lead.stage_id
                 WHERE %(scope)s
                   AND crm_lead.active
                   AND crm_lead.user_id IS NOT NULL
                   AND crm_lead.date_open IS NOT NULL
                   AND NOT COALESCE(stage.is_won, FALSE)
                   AND NOT COALESCE(stage.is_pool, FALSE)
                   AND NOT EXISTS (
                       SELECT 1 FROM crm_tag_rel rel
                        WHERE rel.lead_id = crm_lead.id
                          AND rel.tag_id = ANY(%(exempt)s))
            ), deadlines AS (
                SELECT crm_lead.id,
                       LEAST(c.uncontacted, c.unconverted, c.stale) AS deadline,
                       CASE LEAST(c.uncontacted, c.unconverted, c.stale)
                            WHEN c.uncontacted THEN 'uncontacted'
                            WHEN c.unconverted THEN 'unconverted'
                            WHEN c.stale THEN 'stale' END AS rule
                  FROM crm_lead
             LEFT JOIN candidates c ON c.id = crm_lead.id
                 WHERE %(scope)s
            )
            UPDATE crm_lead lead
               SET pool_recycle_deadline = deadlines.deadline,
                   pool_recycle_rule = deadlines.rule
              FROM deadlines
             WHERE lead.id = deadlines.id
               AND (lead.pool_recycle_deadline IS DISTINCT FROM deadlines.deadline
                    OR lead.pool_recycle_rule IS DISTINCT FROM deadlines.rule)
         RETURNING lead.id
                """,
                unc=policy.pool_recycle_uncontacted,
                unc_days=policy.pool_uncontacted_days,
                unconv=policy.pool_recycle_unconverted,
                unconv_days=policy.pool_unconverted_days,
                stale=policy.pool_recycle_stale,
                stale_days=policy.pool_stale_days,
                exempt=policy.pool_exempt_tag_ids.ids or [0],
                day=day,
                scope=scope,
            )
        )
        return [row[0] for row in rows]

    def _pool_enter(
        self, reason, event, note=None, return_reason=None, due_before=None
    ):
        """Send these leads to the pool in one statement: pool stage, no
        salesperson, bookkeeping, a pool log row and a chatter note each.

        ``reason`` None takes each lead's recycle rule. With ``due_before``
        only the leads whose deadline has passed by then and that still have
        a salesperson move (the recycle cron: a lead claimed or contacted
        meanwhile is left alone). Returns the rows moved as dicts.
        """
        ids = tuple(self.filtered("id").ids)
        if not ids:
            return []
        now = fields.Datetime.now()
        pool_stage = self._get_pool_stage()
        reasons = dict(self._fields["pool_reason"]._description_selection(self.env))
        reason_label = SQL(
            "CASE moved.pool_reason %s END",
            SQL(" ").join(
                SQL("WHEN %s THEN %s", key, label) for key, label in reasons.items()
            ),
        )
        self.env["crm.lead"].flush_model(POOL_SQL_FIELDS)
        condition = SQL("NOT COALESCE(lead.in_pool, FALSE)")
        if due_before:
            condition = SQL(
                "%s AND lead.user_id IS NOT NULL AND lead.pool_recycle_deadline <= %s",
                condition,
                due_before,
            )
        rows = self.env.execute_query_dict(
            SQL(
                """
            WITH moved AS (
                UPDATE crm_lead lead
                   SET pool_previous_user_id = old.user_id,
                       pool_previous_stage_id = old.stage_id,
                       user_id = NULL,
                       stage_id = %(pool_stage)s,
                       in_pool = TRUE,
                       date_open = NULL,
                       date_last_stage_update = %(now)s,
                       pool_entry_date = %(now)s,
                       pool_reason = COALESCE(%(reason)s, old.pool_recycle_rule),
                       pool_recycle_count = COALESCE(old.pool_recycle_count, 0)
                           + CASE WHEN %(event)s = 'recycle' THEN 1 ELSE 0 END,
                       pool_recycle_deadline = NULL,
                       pool_recycle_rule = NULL,
                       pool_warned_deadline = NULL,
                       write_uid = %(uid)s,
                       write_date = %(now)s
                  FROM crm_lead old
                 WHERE old.id = lead.id AND lead.id IN %(ids)s AND %(condition)s
             RETURNING lead.id, lead.name, lead.pool_reason, old.user_id AS owner_id,
                       lead.team_id, lead.company_id
            ), logged AS (
                INSERT INTO crm_lead_pool_log
                       (date, lead_id, lead_name, event, reason, return_reason_id, note,
                        user_id, owner_before_id, team_id, company_id,
                        create_uid, create_date, write_uid, write_date)
                SELECT %(now)s, moved.id, moved.name, %(event)s, moved.pool_reason,
                       %(return_reason)s, %(note)s, %(uid)s, moved.owner_id,
                       moved.team_id, moved.company_id,
                       %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM moved
            ), noted AS (
                INSERT INTO mail_message
                       (model, res_id, record_company_id, message_type, subtype_id,
                        is_internal, author_id, date, body,
                        create_uid, create_date, write_uid, write_date)
                SELECT 'crm.lead', moved.id, moved.company_id, 'notification',
                       %(note_subtype)s, TRUE, %(author)s, %(now)s,
                       '<p>' || %(title)s || ' ' || %(reason_label)s
                       || COALESCE('. ' || %(previous)s || ' '
                                   || replace(replace(replace(partner.name,
                                              '&', '&amp;'), '<', '&lt;'), '>', '&gt;'),
                                   '')
                       || '.</p>',
                       %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM moved
             LEFT JOIN res_users owner ON owner.id = moved.owner_id
             LEFT JOIN res_partner partner ON partner.id = owner.partner_id
            )
            SELECT id, name, pool_reason, owner_id, team_id, company_id FROM moved
                """,
                pool_stage=pool_stage.id,
                now=now,
                reason=reason,
                event=event,
                uid=self.env.uid,
                ids=ids,
                condition=condition,
                return_reason=return_reason.id if return_reason else None,
                note=note or None,
                note_subtype=self.env.ref("mail.mt_note").id,
                author=self.env.user.partner_id.id,
                title=_("Returned to the public pool:"),
                reason_label=reason_label,
                previous=_("Previous salesperson:"),
            )
        )
        self.env["crm.lead"].invalidate_model()
        self.env["crm.lead.pool.log"].invalidate_model()
        self.env["mail.message"].invalidate_model()
        return rows

    def _pool_take(self, user, event):
        """Give these pool leads to ``user`` at once (claim or assign): each
        returns to its stage from before the pool (else its team's first
        stage). Only leads still in the pool move: the UPDATE re-checks that
        on the locked row, so two concurrent claims of one lead give it to
        exactly one of them. Returns the ids taken."""
        leads = self.sudo().filtered("id")
        if not leads:
            return []
        now = fields.Datetime.now()
        stage_by_lead = {}
        first_stage = {}
        for lead in leads:
            previous = lead.pool_previous_stage_id
            if previous and not previous.is_pool and not previous.is_won:
                stage_by_lead[lead.id] = previous.id
                continue
            team = lead.team_id
            if team not in first_stage:
                first_stage[team] = lead._stage_find(team_id=team.id).id
            stage_by_lead[lead.id] = first_stage[team] or False
        self.env["crm.lead"].flush_model(POOL_SQL_FIELDS)
        rows = self.env.execute_query(
            SQL(
                """
            WITH targets AS (
                SELECT *
                  FROM unnest(%(ids)s::int[], %(stages)s::int[]) AS t(id, stage_id)
            ), taken AS (
                UPDATE crm_lead lead
                   SET user_id = %(user)s,
                       stage_id = COALESCE(targets.stage_id, lead.stage_id),
                       in_pool = FALSE,
                       date_open = %(now)s,
                       date_last_stage_update = %(now)s,
                       write_uid = %(uid)s,
                       write_date = %(now)s
                  FROM targets
                 WHERE lead.id = targets.id AND lead.in_pool
             RETURNING lead.id, lead.name, lead.team_id, lead.company_id
            ), logged AS (
                INSERT INTO crm_lead_pool_log
                       (date, lead_id, lead_name, event, user_id, owner_after_id,
                        team_id, company_id,
                        create_uid, create_date, write_uid, write_date)
                SELECT %(now)s, taken.id, taken.name, %(event)s, %(uid)s, %(user)s,
                       taken.team_id, taken.company_id,
                       %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM taken
            )
            SELECT id FROM taken
                """,
                ids=list(stage_by_lead),
                stages=[stage_by_lead[i] or None for i in stage_by_lead],
                user=user.id,
                uid=self.env.uid,
                now=now,
                event=event,
            )
        )
        taken = self.browse([row[0] for row in rows])
        self.env["crm.lead"].invalidate_model()
        self.env["crm.lead.pool.log"].invalidate_model()
        taken._update_pool_deadlines(taken)
        return taken.ids

    def _pool_log_purge(self):
        if not self:
            return
        now = fields.Datetime.now()
        self.env["crm.lead.pool.log"].sudo().create(
            [
                {
                    "date": now,
                    "lead_id": False,
                    "lead_name": lead.name or "",
                    "event": "purge",
                    "user_id": self.env.uid,
                    "owner_before_id": lead.user_id.id,
                    "team_id": lead.team_id.id,
                    "company_id": lead.company_id.id,
                }
                for lead in self.sudo()
            ]
        )

    def action_pool_claim(self):
        """Claim these pool leads for the current user (form button, list
        action, RPC); returns a notification saying what happened to each."""
        outcomes = self._pool_claim(self.env.user)
        return self._pool_claim_notification(outcomes)

    @api.model
    def action_pool_claim_next(self):
        """Claim the highest-priority pool lead the current user may claim."""
        user = self.env.user
        self._check_pool_claimer(user)
        for lead in self.search(
            [("in_pool", "=", True)], order="priority_score desc, id", limit=50
        ):
            outcomes = lead._pool_claim(user)
            if outcomes.get(lead.id) == "claimed":
                action = self._pool_claim_notification(outcomes)
                action["params"]["next"] = {
                    "type": "ir.actions.act_window",
                    "res_model": "crm.lead",
                    "res_id": lead.id,
                    "views": [(False, "form")],
                }
                return action
            if outcomes.get(lead.id) in ("daily_limit", "open_limit"):
                return self._pool_claim_notification(outcomes)
        return self._pool_claim_notification({})

    def _check_pool_claimer(self, user):
        if not user.has_group("sales_team.group_sale_salesman"):
            raise AccessError(
                _("Only salespeople can claim leads from the public pool.")
            )

    def _pool_claim(self, user, event="claim", enforce_limits=True):
        """Claim for ``user`` what the policy allows, best priority first.

        Claims of one user are serialized (a row lock on the user), so the
        daily and open-lead limits hold across parallel browser tabs; two
        users claiming one lead conflict on its row, and Odoo's retry of the
        loser finds it taken.
        Returns {lead id: outcome} with outcome in claimed, taken, cooldown,
        daily_limit, open_limit. Managers assigning leads (``event`` assign)
        go through the same path, and may lift the limits.
        """
        self._check_pool_claimer(user)
        if not self:
            return {}
        leads = self.with_user(user)
        visible = leads._filtered_access("write")
        outcomes = dict.fromkeys(self.ids, "taken")
        cr = self.env.cr
        # Serialize this user's claims: the no-op update locks the user's row
        # until the end of the transaction, and a claim of the same user
        # committed since this transaction's snapshot makes it fail with a
        # serialization error, which Odoo's RPC layer retries on a fresh
        # snapshot, where the counts below see that claim.
        cr.execute(
            "UPDATE res_users SET write_date = write_date WHERE id = %s", [user.id]
        )
        visible = visible.sudo()
        visible.invalidate_recordset()
        policies = {lead: lead._get_pool_policy() for lead in visible}
        if (
            enforce_limits
            and len(self) > 1
            and any(not policy.pool_batch_claim for policy in policies.values())
        ):
            raise UserError(
                _("Batch claiming is switched off: claim the leads one at a time.")
            )
        now = fields.Datetime.now()
        claimed_today, open_count = self._pool_claim_stats(user)
        candidates = self.browse()
        for lead in visible.sorted(lambda ld: (-ld.priority_score, ld.id)):
            policy = policies[lead]
            if not lead.in_pool:
                continue
            if not enforce_limits:
                candidates |= lead
            elif (
                policy.pool_reclaim_cooldown_days
                and lead.pool_previous_user_id == user
                and lead.pool_entry_date
                and lead.pool_entry_date
                > now - timedelta(days=policy.pool_reclaim_cooldown_days)
            ):
                outcomes[lead.id] = "cooldown"
            elif (
                policy.pool_claim_daily_limit
                and claimed_today >= policy.pool_claim_daily_limit
            ):
                outcomes[lead.id] = "daily_limit"
            elif (
                policy.pool_max_open_leads and open_count >= policy.pool_max_open_leads
            ):
                outcomes[lead.id] = "open_limit"
            else:
                candidates |= lead
                claimed_today += 1
                open_count += 1
        for lead_id in candidates._pool_take(user, event):
            outcomes[lead_id] = "claimed"
        return outcomes

    @api.model
    def _pool_claim_stats(self, user):
        """(leads claimed or assigned to ``user`` today in their timezone,
        open leads they own), in one query."""
        now = fields.Datetime.now()
        tz = pytz.timezone(user.tz or "UTC")
        today_start = (
            pytz.utc.localize(now)
            .astimezone(tz)
            .replace(hour=0, minute=0, second=0, microsecond=0)
            .astimezone(pytz.utc)
            .replace(tzinfo=None)
        )
        self.env["crm.lead"].flush_model(
            ["user_id", "active", "stage_id", "probability"]
        )
        self.env.cr.execute(
            """
            SELECT (SELECT COUNT(*) FROM crm_lead_pool_log
                     WHERE event IN ('claim', 'assign') AND owner_after_id = %(user)s
                       AND date >= %(today)s),
                   (SELECT COUNT(*) FROM crm_lead lead
                      LEFT JOIN crm_stage stage ON stage.id = lead.stage_id
                     WHERE lead.user_id = %(user)s AND lead.active
                       AND NOT COALESCE(stage.is_won, FALSE)
                       AND COALESCE(lead.probability, 0) < 100)
            """,
            {"user": user.id, "today": today_start},
        )
        return self.env.cr.fetchone()

    @api.model
    def _cron_pool_distribute(self):
        """Hand the best pool leads of each team to its members with spare
        capacity (Odoo's assignment_max over 30 days, assignment domain, opt
        out), round robin, within the pool's limits and cooldown."""
        leads_model = self.sudo()
        assigned = 0
        for team in leads_model.env["crm.team"].search([("use_leads", "=", True)]):
            members = team.crm_team_member_ids.filtered(
                lambda m: (
                    not m.assignment_optout
                    and m.assignment_max > m.lead_month_count
                    and m.user_id.active
                )
            )
            if not members:
                continue
            pool = leads_model.search(
                [("in_pool", "=", True), ("team_id", "=", team.id)],
                order="priority_score desc, id",
            )
            capacity = {m: m.assignment_max - m.lead_month_count for m in members}
            domains = {m: safe_eval(m.assignment_domain or "[]") for m in members}
            plan = {m: leads_model.browse() for m in members}
            order = list(members)
            turn = 0
            for lead in pool:
                for step in range(len(order)):
                    member = order[(turn + step) % len(order)]
                    if capacity[member] and lead.filtered_domain(domains[member]):
                        plan[member] |= lead
                        capacity[member] -= 1
                        turn = (turn + step + 1) % len(order)
                        break
            for member, leads in plan.items():
                if leads:
                    outcomes = leads._pool_claim(member.user_id, event="assign")
                    assigned += list(outcomes.values()).count("claimed")
        return assigned

    def _pool_claim_notification(self, outcomes):
        labels = {
            "claimed": _("claimed"),
            "taken": _("already claimed or not available"),
            "cooldown": _("recently recycled from you (cooldown)"),
            "daily_limit": _("daily claim limit reached"),
            "open_limit": _("open-lead limit reached"),
        }
        counts = {}
        for outcome in outcomes.values():
            counts[outcome] = counts.get(outcome, 0) + 1
        if not outcomes:
            message = _("No lead of the pool can be claimed right now.")
        else:
            message = ", ".join(
                f"{count} {labels[outcome]}" for outcome, count in counts.items()
            )
        claimed = counts.get("claimed", 0)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Claim"),
                "message": message,
                "type": "success"
                if claimed and claimed == len(outcomes)
                else "warning",
                "sticky": False,
                "outcomes": {str(lead_id): o for lead_id, o in outcomes.items()},
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_pool_assign(self):
        """Managers: open the Assign wizard for these pool leads."""
        return {
            "type": "ir.actions.act_window",
            "name": _("Assign from Pool"),
            "res_model": "crm.lead.pool.assign",
            "view_mode": "form",
            "target": "new",
            "context": {"default_lead_ids": self.filtered("in_pool").ids},
        }

    def action_pool_return(self):
        """Open the Return to Pool wizard for these leads."""
        return {
            "type": "ir.actions.act_window",
            "name": _("Return to Pool"),
            "res_model": "crm.lead.pool.return",
            "view_mode": "form",
            "target": "new",
            "context": {"default_lead_ids": self.ids},
        }

    def _pool_return(self, reason=None, note=None):
        """Return these leads to the pool: their salesperson or a manager."""
        user = self.env.user
        is_manager = user.has_group("sales_team.group_sale_manager")
        for lead in self:
            if lead.in_pool:
                raise UserError(_("%s is already in the public pool.", lead.name))
            if not is_manager and lead.user_id != user:
                raise AccessError(
                    _(
                        "Only its salesperson or a sales manager can return %s.",
                        lead.name,
                    )
                )
            if lead._get_pool_policy().pool_return_reason_required and not reason:
                raise UserError(_("Give a reason to return a lead to the pool."))
        self.check_access("write")
        return self.sudo()._pool_enter(
            "returned", "return", note=note, return_reason=reason
        )

    @api.model
    def _cron_pool_recycle(self):
        """Daily: warn the salespeople whose leads reach their deadline within
        the warning window (once per lead and deadline), then recycle every
        lead whose deadline has passed, in batches."""
        leads = self.sudo()
        now = fields.Datetime.now()
        leads._pool_send_warnings(now)
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        leads.flush_model()
        domain = [
            ("pool_recycle_deadline", "<=", now),
            ("user_id", "!=", False),
            ("in_pool", "=", False),
        ]
        due = leads.search(domain, order="id")
        total, done = len(due), 0
        by_owner = {}
        for start in range(0, total, POOL_BATCH_SIZE):
            batch = due[start : start + POOL_BATCH_SIZE]
            for row in batch._pool_enter(None, "recycle", due_before=now):
                by_owner.setdefault(row["owner_id"], []).append(row)
            done += len(batch)
            leads.env["ir.cron"]._notify_progress(done=done, remaining=total - done)
            if auto_commit:
                # Each batch is consistent on its own (lead, log and note move
                # together): keep it even if a later batch fails.
                self.env.cr.commit()  # pylint: disable=invalid-commit
        leads._pool_notify_owners(by_owner)
        return sum(len(rows) for rows in by_owner.values())

    def _pool_send_warnings(self, now):
        max_days = max(
            [c.pool_warning_days for c in self.env["res.company"].search([])]
            + [
                t.pool_warning_days
                for t in self.env["crm.team"].search([("pool_policy_own", "=", True)])
            ]
            + [0]
        )
        leads = self.search(
            [
                ("pool_recycle_deadline", ">", now),
                ("pool_recycle_deadline", "<=", now + timedelta(days=max_days)),
                ("user_id", "!=", False),
                ("in_pool", "=", False),
            ]
        )
        activity_type = self.env.ref(
            "lead_pool_policy.mail_activity_type_recycle_warning"
        )
        warned = self.browse()
        for lead in leads:
            if lead.pool_warned_deadline == lead.pool_recycle_deadline:
                continue
            days = lead._get_pool_policy().pool_warning_days
            if lead.pool_recycle_deadline > now + timedelta(days=days):
                continue
            lead.activity_schedule(
                activity_type_id=activity_type.id,
                date_deadline=fields.Date.context_today(
                    lead, lead.pool_recycle_deadline
                ),
                summary=_(
                    "Returns to the pool on %s",
                    fields.Date.to_string(
                        fields.Date.context_today(lead, lead.pool_recycle_deadline)
                    ),
                ),
                user_id=lead.user_id.id,
            )
            warned |= lead
        if warned:
            self.env.cr.execute(
                "UPDATE crm_lead SET pool_warned_deadline = pool_recycle_deadline "
                "WHERE id IN %s",
                [tuple(warned.ids)],
            )
            warned.invalidate_recordset(["pool_warned_deadline"])

    def _pool_notify_owners(self, by_owner):
        """One summary notification per previous salesperson."""
        for owner_id, rows in by_owner.items():
            owner = self.env["res.users"].browse(owner_id)
            if not owner.exists():
                continue
            names = ", ".join(row["name"] for row in rows[:20])
            more = len(rows) - 20
            body = _(
                "%(count)s of your leads returned to the public pool: %(names)s",
                count=len(rows),
                names=names + (_(" and %s more", more) if more > 0 else ""),
            )
            owner.partner_id.message_notify(
                partner_ids=owner.partner_id.ids,
                subject=_("Leads returned to the pool"),
                body=body,
            )

    def _stage_find(self, team_id=False, domain=None, order="sequence, id", limit=1):
        # The pool stage is never a default stage.
        domain = list(domain or []) + [("is_pool", "=", False)]
        return super()._stage_find(
            team_id=team_id, domain=domain, order=order, limit=limit
        )

    def _schedule_followup(self):
        """The cadence: an open lead below its contact target with nothing
        planned gets its owner's next follow-up call; a lead that reached the
        target without being converted gets a "qualify or return" activity."""
        call_type = self.env.ref("mail.mail_activity_data_call")
        qualify_type = self.env.ref(
            "lead_pool_policy.mail_activity_type_qualify_or_return"
        )
        for lead in self:
            if not (lead.active and lead.user_id) or lead.stage_id.is_won:
                continue
            today = fields.Date.context_today(lead)
            company = lead._get_policy_company()
            if lead.contact_count < company.contact_target:
                if any(act.date_deadline >= today for act in lead.activity_ids):
                    continue
                lead.activity_schedule(
                    activity_type_id=call_type.id,
                    date_deadline=today
                    + timedelta(days=company.followup_interval_days),
                    summary=_(
                        "Follow-up: attempt %(attempt)s of %(target)s",
                        attempt=lead.contact_count + 1,
                        target=company.contact_target,
                    ),
                    user_id=lead.user_id.id,
                )
            elif lead.type == "lead" and not lead.activity_ids.filtered(
                lambda act: act.activity_type_id == qualify_type
            ):
                lead.activity_schedule(
                    activity_type_id=qualify_type.id,
                    date_deadline=today,
                    note=Markup("<p>%s</p>")
                    % _(
                        "%(count)s contact attempts without conversion: convert "
                        "this lead to an opportunity or return it to the pool.",
                        count=lead.contact_count,
                    ),
                    user_id=lead.user_id.id,
                )
