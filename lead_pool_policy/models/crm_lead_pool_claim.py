# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""crm.lead: Claim, Claim Next Best Lead, Return and Assign: who may take
which pool lead, under which limits (the moves themselves are in
``crm_lead_pool.py``)."""

from collections import defaultdict
from contextlib import contextmanager
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

# Writing these may change the pool policy that governs a lead, directly or
# through crm's computes (the team follows the salesperson and the type, the
# company the salesperson, team and customer): the reclaim cooldown of the
# policy it leaves stays with it (``_pool_keep_cooldown``).
POOL_POLICY_KEYS = frozenset({"team_id", "company_id", "user_id", "type", "partner_id"})
# Where ``_pool_check_reopened`` keeps, on the cursor, the leads re-opened
# inside ``_pool_reopen_deferred`` (crm restores a lost lead before winning it).
REOPEN_DEFERRED_KEY = "lead_pool_policy.reopened_leads"


class CrmLead(models.Model):
    _inherit = "crm.lead"

    pool_cooldown_floor_days = fields.Integer(
        string="Reclaim Cooldown Kept (Days)",
        readonly=True,
        copy=False,
        help="The strictest reclaim cooldown of the pool policies the lead was "
        "under since it was last claimed or assigned from the pool: moving a "
        "lead to a team with a laxer policy does not shorten the cooldown of "
        "the salesperson who returns it.",
    )

    # CRUD hooks (called by crm_lead.py) --------------------------------------

    def _get_system_field_groups(self):
        return super()._get_system_field_groups() + [
            (
                frozenset({"pool_cooldown_floor_days"}),
                True,
                _(
                    "The reclaim cooldown a lead keeps from the pool policies it "
                    "left is kept by the pool; it cannot be edited (%(fields)s)."
                ),
            )
        ]

    def _pool_limits_before_write(self, vals):
        """Before a write: the leads leaving their pool policy keep its
        reclaim cooldown; returns the leads that are closed now (lost, won)
        and that a salesperson's write may re-open, for
        ``_pool_check_reopened`` once written."""
        if POOL_POLICY_KEYS.intersection(vals):
            self._pool_keep_cooldown()
        if self._is_lead_manager():
            return self.browse()
        return self.browse(
            self.sudo().filtered(lambda lead: not lead._pool_is_open()).ids
        )

    # Actions -----------------------------------------------------------------

    def action_set_won(self):
        # crm restores a lost lead before moving it to a won stage: it is
        # closed again at the end, where the open-lead limit is checked.
        with self._pool_reopen_deferred():
            return super().action_set_won()

    def action_pool_claim(self):
        """Claim these pool leads for the current user (form button, list
        action, RPC); returns a notification saying what happened to each."""
        self._check_ids_exist()
        self._pool_read_committed()
        outcomes = self._pool_claim(self.env.user)
        return self._pool_claim_notification(outcomes)

    @api.model
    def action_pool_claim_next(self):
        """Claim the highest-priority pool lead the current user may claim."""
        user = self.env.user
        self._check_pool_claimer(user)
        self._pool_read_committed()
        tried, cooldowns = [], {}
        while len(tried) < 50 and (lead := self._pool_next_candidate(tried)):
            tried.append(lead.id)
            if lead.sudo()._get_policy_company() not in user.company_ids:
                continue
            outcomes = lead._pool_claim(user)
            if outcomes.get(lead.id) in ("claimed", "daily_limit", "open_limit"):
                return self._pool_claim_notification(outcomes)
            if outcomes.get(lead.id) == "cooldown":
                cooldowns[lead.id] = "cooldown"
        # Nothing claimed: why (the leads that came back from the user), or
        # that the pool has nothing for them.
        return self._pool_claim_notification(cooldowns)

    @api.model
    def _pool_next_candidate(self, exclude):
        """The best pool lead the current user sees, but ``exclude`` and the
        leads other claims are taking right now (``SKIP LOCKED``: parallel
        "next best" claims spread over the best leads instead of all
        queueing for the first one). The lead stays locked for this claim."""
        query = self._search(
            [("in_pool", "=", True), ("id", "not in", exclude)],
            order="pool_rank desc, id",
            limit=1,
        )
        rows = self.env.execute_query(
            SQL("%s FOR UPDATE OF crm_lead SKIP LOCKED", query.select())
        )
        return self.browse(rows[0][0]) if rows else self.browse()

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

    # Business: claim and return ---------------------------------------------

    def _pool_claim(self, user, event="claim", enforce_limits=True):
        """Claim for ``user`` what the policy allows, best priority first.

        Claims of one user are serialized (a row lock on the user), so the
        daily and open-lead limits hold across parallel browser tabs; two
        users claiming one lead conflict on its row, and Odoo's retry of the
        loser finds it taken.
        Returns {lead id: outcome} with outcome in claimed, taken, cooldown,
        daily_limit, open_limit. Managers assigning leads (``event`` assign)
        go through the same path, and may lift the limits; Batch Claim is the
        salespeople's switch: it never refuses an assignment (the Assign
        wizard, the distribution cron) nor a sales manager.
        """
        self._check_pool_claimer(user)
        if not self:
            return {}
        self._pool_check_claimable(user)
        outcomes = dict.fromkeys(self.ids, "taken")
        # Serialize this user's claims: the no-op update locks the user's row
        # until the end of the transaction, and a claim of the same user
        # committed since this transaction's snapshot makes it fail with a
        # serialization error, which Odoo's RPC layer retries on a fresh
        # snapshot, where the counts below see that claim.
        self.env.cr.execute(
            "UPDATE res_users SET write_date = write_date WHERE id = %s", [user.id]
        )
        leads = self.sudo()
        leads.invalidate_recordset()
        policies = {lead: lead._get_pool_policy() for lead in leads}
        if (
            event == "claim"
            and len(self) > 1
            and not self._is_lead_manager()
            and any(not policy.pool_batch_claim for policy in policies.values())
        ):
            raise UserError(
                _("Batch claiming is switched off: claim the leads one at a time.")
            )
        companies = {lead: lead._get_policy_company() for lead in leads}
        stats = self._pool_claim_stats_by_company(user, set(companies.values()))
        candidates = self.browse()
        for lead in leads.sorted(lambda ld: (-ld.priority_score, ld.id)):
            if not lead.in_pool:
                continue
            outcome = (
                lead._pool_claim_refusal(user, policies[lead], *stats[companies[lead]])
                if enforce_limits
                else None
            )
            if outcome:
                outcomes[lead.id] = outcome
                continue
            candidates |= lead
            self._pool_count_claim(stats, companies[lead])
        taken = self.browse(candidates._pool_take(user, event))
        for lead_id in taken.ids:
            outcomes[lead_id] = "claimed"
        taken.sudo()._schedule_first_contact(user)
        return outcomes

    def _pool_check_claimable(self, user):
        """Refuse, before anything is locked, what ``user`` may not claim at
        all: leads of a company's pool they do not work for (a lead without
        a company belongs to its team's), leads they cannot see, and leads
        that were never in the pool. A lead claimed by someone else meanwhile
        is no error (its outcome is "taken"), even if its new owner's rules
        hide it from ``user`` now."""
        leads = self.sudo()
        foreign = leads.filtered(
            lambda lead: lead._get_policy_company() not in user.company_ids
        )
        if foreign:
            raise AccessError(
                _(
                    "%(leads)s belongs to the public pool of %(company)s, which "
                    "%(user)s does not work for.",
                    leads=", ".join(foreign.mapped("display_name")),
                    company=foreign[0]._get_policy_company().name,
                    user=user.name,
                )
            )
        hidden = self - self.with_user(user)._filtered_access("read")
        outside = hidden | leads.filtered(lambda lead: not lead.in_pool)
        if not outside:
            return
        taken = {
            lead.id
            for [lead] in self.env["crm.lead.pool.log"]
            .sudo()
            ._read_group(
                [("lead_id", "in", outside.ids), ("event", "in", ("claim", "assign"))],
                ["lead_id"],
            )
        }
        if hidden := hidden.filtered(lambda lead: lead.id not in taken):
            raise AccessError(
                _(
                    "%(user)s cannot see these leads, so cannot claim them "
                    "(%(count)s).",
                    user=user.name,
                    count=len(hidden),
                )
            )
        if never := outside.filtered(lambda lead: lead.id not in taken):
            raise UserError(
                _(
                    "%(leads)s is not in the public pool: only pool leads can "
                    "be claimed.",
                    leads=", ".join(never.sudo().mapped("display_name")),
                )
            )

    def _pool_claim_refusal(self, user, policy, claimed_today, open_count):
        """Why ``user`` may not claim this lead under ``policy`` now (an
        outcome of ``_pool_claim``), or None. ``claimed_today`` and
        ``open_count`` are the user's counters under the lead's policy
        company (``_pool_claim_stats``)."""
        self.ensure_one()
        cooldown = self._pool_reclaim_cooldown(policy)
        if (
            cooldown
            and self.pool_previous_user_id == user
            and self.pool_entry_date
            and self.pool_entry_date > fields.Datetime.now() - timedelta(days=cooldown)
        ):
            return "cooldown"
        if (
            policy.pool_claim_daily_limit
            and claimed_today >= policy.pool_claim_daily_limit
        ):
            return "daily_limit"
        if policy.pool_max_open_leads and open_count >= policy.pool_max_open_leads:
            return "open_limit"
        return None

    def _pool_reclaim_cooldown(self, policy=None):
        """The reclaim cooldown (days) of this lead: the strictest of its
        policy's and of the policies it was under since it was last claimed
        or assigned from the pool (``pool_cooldown_floor_days``: the pool's
        policy then, and each policy it left since), so that it follows the
        lead whatever team it passes through."""
        self.ensure_one()
        policy = policy or self._get_pool_policy()
        return max(policy.pool_reclaim_cooldown_days, self.pool_cooldown_floor_days)

    @api.model
    def _pool_claim_stats(self, user, company):
        """(leads claimed by or assigned to ``user`` since the start of the
        day of ``company``, open leads they own under the policy of
        ``company``: whose policy company it is), in one query.

        The day is the company's, not the salesperson's (whose time zone
        they may change): midnight in the time zone of the company's contact
        (changed by sales managers and administrators only, see
        res.partner), else UTC; converted by PostgreSQL, as Odoo's
        ``read_group`` converts dates to the user's time zone."""
        self.env["crm.lead.pool.log"].flush_model(["event", "owner_after_id", "date"])
        field = self._field_to_sql
        [row] = self.env.execute_query(
            SQL(
                """
            SELECT (SELECT COUNT(*) FROM crm_lead_pool_log
                     WHERE event IN ('claim', 'assign') AND owner_after_id = %(user)s
                       AND date >= (%(day_start)s)),
                   (SELECT COUNT(*) FROM crm_lead
                      LEFT JOIN crm_stage stage ON stage.id = %(stage)s
                     WHERE %(owner)s = %(user)s AND %(active)s
                       AND NOT COALESCE(stage.is_won, FALSE)
                       AND COALESCE(%(probability)s, 0) < 100
                       AND %(company)s = %(company_id)s)
                """,
                day_start=self._pool_day_start_sql(company),
                user=user.id,
                stage=field("crm_lead", "stage_id"),
                owner=field("crm_lead", "user_id"),
                active=field("crm_lead", "active"),
                probability=field("crm_lead", "probability"),
                company=self._policy_company_sql("crm_lead"),
                company_id=company.id,
            )
        )
        return row

    @api.model
    def _pool_day_start_sql(self, company):
        """A query of the start of today in the time zone of ``company``'s
        contact, else UTC, as a UTC timestamp: the day on which the claim
        limits, the claim counters and the teams' "claimed today" count."""
        return SQL(
            """
            SELECT timezone('UTC', timezone(tz, date_trunc('day',
                       timezone(tz, timezone('UTC', %(now)s::timestamp)))))
              FROM (SELECT COALESCE(NULLIF(%(tz)s, ''), 'UTC') AS tz
                      FROM res_company company
                      JOIN res_partner partner ON partner.id = %(partner)s
                     WHERE company.id = %(company_id)s) AS company_tz
            """,
            now=fields.Datetime.now(),
            tz=SQL.identifier(
                "partner", "tz", to_flush=self.env["res.partner"]._fields["tz"]
            ),
            partner=SQL.identifier(
                "company",
                "partner_id",
                to_flush=self.env["res.company"]._fields["partner_id"],
            ),
            company_id=company.id,
        )

    @api.model
    def _pool_claim_stats_by_company(self, user, companies):
        """{company: [claimed today, open leads]} of ``user`` (see
        ``_pool_claim_stats``), to count a batch of claims on."""
        return {
            company: list(self._pool_claim_stats(user, company))
            for company in companies
        }

    @api.model
    def _pool_count_claim(self, stats, company):
        """Count one more claim of a lead of ``company`` in ``stats`` (see
        ``_pool_claim_stats_by_company``): a claim of today for every
        company, an open lead for its own."""
        for counted, counts in stats.items():
            counts[0] += 1
            counts[1] += counted == company

    def _pool_is_open(self):
        """Whether the lead counts as open for the open-lead limit: active,
        neither won nor at 100 % (as ``_pool_claim_stats`` counts)."""
        self.ensure_one()
        return (
            self.active and not self.stage_id.is_won and (self.probability or 0) < 100
        )

    def _pool_keep_cooldown(self):
        """These leads may leave their pool policy (see ``POOL_POLICY_KEYS``):
        each keeps the reclaim cooldown of its policy now when it is stricter
        than the one it kept so far."""
        by_days = defaultdict(list)
        for lead in self.sudo():
            days = lead._pool_reclaim_cooldown()
            if days > lead.pool_cooldown_floor_days:
                by_days[days].append(lead.id)
        for days, ids in by_days.items():
            self.sudo().browse(ids).write({"pool_cooldown_floor_days": days})

    def _pool_check_reopened(self):
        """These leads were closed (lost, won) before a salesperson's write:
        those it re-opened must fit their owner's open-lead limit, as a claim
        must. Inside ``_pool_reopen_deferred`` the check waits for its end."""
        deferred = self.env.cr.cache.get(REOPEN_DEFERRED_KEY)
        if deferred is not None:
            deferred.update(self.ids)
            return
        reopened = self.sudo().filtered(
            lambda lead: lead.user_id and lead._pool_is_open()
        )
        stats = {}
        for lead in reopened:
            limit = lead._get_pool_policy().pool_max_open_leads
            if not limit:
                continue
            key = (lead.user_id, lead._get_policy_company())
            if key not in stats:
                stats[key] = self._pool_claim_stats(*key)[1]
            if stats[key] > limit:
                raise UserError(
                    _(
                        "%(lead)s cannot be reopened: %(user)s would have "
                        "%(open)s open leads, over the limit of %(limit)s of "
                        "the pool policy. Mark a lead as won or lost, or return "
                        "one to the pool, first.",
                        lead=lead.display_name,
                        user=lead.user_id.name,
                        open=stats[key],
                        limit=limit,
                    )
                )

    @contextmanager
    def _pool_reopen_deferred(self):
        """Check the leads re-opened inside the block once, at its end, as
        they are then (crm's Won restores a lost lead, then wins it)."""
        cache = self.env.cr.cache
        if REOPEN_DEFERRED_KEY in cache:
            yield
            return
        cache[REOPEN_DEFERRED_KEY] = deferred = set()
        try:
            yield
        finally:
            del cache[REOPEN_DEFERRED_KEY]
        self.browse(deferred)._pool_check_reopened()

    def _pool_claim_notification(self, outcomes, user=None, event="claim"):
        """What happened to each lead, in whole sentences, and where to go
        next: the claimed lead (one), the claimed leads (several), or the
        refreshed list."""
        user = user or self.env.user
        by_outcome = {}
        for lead_id, outcome in outcomes.items():
            by_outcome.setdefault(outcome, self.browse())
            by_outcome[outcome] |= self.browse(lead_id)
        sentences = [
            self._pool_claim_sentence(outcome, leads.sudo(), user, event)
            for outcome, leads in by_outcome.items()
        ] or [_("No lead of the pool can be claimed right now.")]
        claimed = by_outcome.get("claimed", self.browse())
        if event == "claim" and len(claimed) == 1:
            next_action = {
                "type": "ir.actions.act_window",
                "res_model": "crm.lead",
                "res_id": claimed.id,
                "views": [(False, "form")],
            }
        elif event == "claim" and claimed:
            next_action = {
                "type": "ir.actions.act_window",
                "name": _("Claimed Leads"),
                "res_model": "crm.lead",
                "domain": [("id", "in", claimed.ids)],
                # The Leads list (the pool holds leads), not the pipeline's.
                "views": [
                    (self.env.ref("crm.crm_case_tree_view_leads").id, "list"),
                    (False, "form"),
                ],
            }
        else:
            next_action = {"type": "ir.actions.client", "tag": "soft_reload"}
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Public Pool"),
                "message": "\n".join(sentences),
                "type": "success" if claimed and len(by_outcome) == 1 else "warning",
                "sticky": False,
                "outcomes": {str(lead_id): o for lead_id, o in outcomes.items()},
                "next": next_action,
            },
        }

    def _pool_claim_sentence(self, outcome, leads, user, event):
        """One sentence on the ``leads`` that had ``outcome``."""
        one = len(leads) == 1
        values = {
            "lead": leads[:1].display_name,
            "count": len(leads),
            "user": user.name,
        }
        if outcome == "claimed" and event == "assign":
            if one:
                return _("Assigned %(lead)s to %(user)s.", **values)
            return _("Assigned %(count)s leads to %(user)s.", **values)
        if outcome == "claimed":
            if one:
                return _("%(lead)s is yours: first call due today.", **values)
            return _("%(count)s leads are yours: first calls due today.", **values)
        if outcome == "taken":
            if one:
                return _("%(lead)s was claimed by someone else just before.", **values)
            return _(
                "%(count)s leads were claimed by someone else just before.", **values
            )
        policy = leads[:1]._get_pool_policy()
        if outcome == "cooldown":
            values["days"] = leads[:1]._pool_reclaim_cooldown(policy)
            if user == self.env.user:
                # The salesperson claiming: the leads came back from them.
                if one:
                    return _(
                        "%(lead)s came back to the pool from you less than "
                        "%(days)s days ago: you cannot claim it back yet.",
                        **values,
                    )
                return _(
                    "%(count)s leads came back to the pool from you less than "
                    "%(days)s days ago: you cannot claim them back yet.",
                    **values,
                )
            if one:
                return _(
                    "%(lead)s came back to the pool from %(user)s less than "
                    "%(days)s days ago: it cannot be claimed back yet.",
                    **values,
                )
            return _(
                "%(count)s leads came back to the pool from %(user)s less than "
                "%(days)s days ago: they cannot be claimed back yet.",
                **values,
            )
        claimed_today, open_count = self._pool_claim_stats(
            user, leads[:1]._get_policy_company()
        )
        if outcome == "daily_limit":
            values.update(claimed=claimed_today, limit=policy.pool_claim_daily_limit)
            if one:
                return _(
                    "Daily claim limit reached (%(claimed)s of %(limit)s): %(lead)s "
                    "stays in the pool.",
                    **values,
                )
            return _(
                "Daily claim limit reached (%(claimed)s of %(limit)s): %(count)s "
                "leads stay in the pool.",
                **values,
            )
        values.update(open=open_count, limit=policy.pool_max_open_leads)
        if one:
            return _(
                "Open-lead limit reached (%(open)s of %(limit)s): %(lead)s stays in "
                "the pool. Convert, win or return leads to claim more.",
                **values,
            )
        return _(
            "Open-lead limit reached (%(open)s of %(limit)s): %(count)s leads stay "
            "in the pool. Convert, win or return leads to claim more.",
            **values,
        )

    def _pool_return(self, reason=None, note=None, team=None):
        """Return these leads to the pool: their salesperson or a manager;
        with ``team``, into that team's pool (a team of the lead's company)."""
        is_manager = self._is_lead_manager()
        if team:
            self._check_pool_team(team)
        for lead in self:
            if lead.in_pool:
                raise UserError(
                    _("%(lead)s is already in the public pool.", lead=lead.name)
                )
            if not is_manager and lead.user_id != self.env.user:
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
            "returned", "return", note=note, return_reason=reason, team=team
        )
