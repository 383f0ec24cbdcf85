# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import threading
from datetime import timedelta

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL, email_normalize

from .crm_lead_engagement_type import QUALIFICATION_RANK, QUALIFICATIONS

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
    {"contact_count", "first_contact_date", "last_contact_date"}
)

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
        return leads

    def write(self, vals):
        self._check_bookkeeping_write(vals)
        result = super().write(vals)
        if "qualification" in vals:
            self._sync_qualification_tags()
        if self._is_scoring_write(vals):
            self._rescore()
        return result

    def _check_bookkeeping_write(self, vals):
        """Contact and pool bookkeeping is written by the addon's own actions,
        never directly by salespeople (through a form or an RPC call)."""
        if self.env.su:
            return
        if scores := set(SCORE_FIELDS).intersection(vals):
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
