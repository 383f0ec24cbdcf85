# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""crm.lead: what the pool's screens show and nothing decides: the last
return reason and note of a lead, the current user's claim counters, which
fields of a pool lead the current user may edit (the guard's rules, shown as
read-only fields) and whether a delete sends leads to the pool."""

from markupsafe import Markup

from odoo import _, api, fields, models

from .crm_lead_pool_guard import POOL_MANAGED_FIELDS
from .crm_lead_pool_masking import MASKED_FIELDS

# Form and list fields that stay as they are on pool leads: the flags that
# make the others read-only.
POOL_READONLY_FLAGS = ("pool_readonly", "pool_locked")

# The policy's limit field of each limit a claim can reach.
LIMIT_FIELDS = {
    "daily_limit": "pool_claim_daily_limit",
    "open_limit": "pool_max_open_leads",
}


def readonly_or(readonly, flag):
    """A view's ``readonly`` expression, or ``flag``."""
    readonly = (readonly or "").strip()
    if readonly in ("", "0", "False"):
        return flag
    if readonly in ("1", "True"):
        return readonly
    return f"({readonly}) or {flag}"


def pool_domain_team_ids(domain):
    """The ids of the sales teams that every record matching ``domain``
    belongs to, as far as its conditions outside of any ``|`` and ``!`` say
    (``team_id`` ``=`` an id, or ``in`` ids); None when they name none.
    Any value is accepted (it comes from the web client)."""
    if not isinstance(domain, (list, tuple)):
        return None
    team_ids = None
    # The operands still expected, each with whether every matching record
    # meets it (outside of any "|" and "!"); the top level is an implicit "&".
    pending = []
    for token in domain:
        required = pending.pop() if pending else True
        if token in ("&", "|"):
            pending += [required and token == "&"] * 2
        elif token == "!":
            pending.append(False)
        elif required and (ids := _team_leaf_ids(token)) is not None:
            team_ids = ids if team_ids is None else team_ids & ids
    return team_ids


def _team_leaf_ids(leaf):
    """The team ids a ``team_id`` condition ``leaf`` allows, or None."""
    if not isinstance(leaf, (list, tuple)) or len(leaf) != 3 or leaf[0] != "team_id":
        return None
    operator, value = leaf[1], leaf[2]
    values = value if operator == "in" and isinstance(value, (list, tuple)) else None
    if operator == "=":
        values = [value]
    if values is None or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in values
    ):
        return None
    return set(values)


class CrmLead(models.Model):
    _inherit = "crm.lead"

    pool_log_ids = fields.One2many(
        "crm.lead.pool.log",
        "lead_id",
        string="Pool History",
        groups="sales_team.group_sale_manager",
    )
    pool_last_return_reason_id = fields.Many2one(
        "crm.lead.pool.return.reason",
        string="Last Return Reason",
        compute="_compute_pool_last_return",
        compute_sudo=True,
        help="Why the lead was last returned to the pool.",
    )
    pool_last_return_note = fields.Text(
        string="Last Return Note",
        compute="_compute_pool_last_return",
        compute_sudo=True,
    )
    pool_last_return_user_id = fields.Many2one(
        "res.users",
        string="Last Returned By",
        compute="_compute_pool_last_return",
        compute_sudo=True,
    )
    pool_readonly = fields.Boolean(
        string="Read-only Pool Lead",
        compute="_compute_pool_readonly",
        help="The lead is in the public pool and the current user sees only "
        "their own leads: they claim it before changing it.",
    )
    pool_locked = fields.Boolean(
        string="Pool Lead Moved by Managers",
        compute="_compute_pool_readonly",
        help="The lead is in the public pool and the current user is not a "
        "sales manager: its salesperson, stage, team, company, probability "
        "and type change only through Claim or Assign.",
    )

    pool_claim_blocked_reason = fields.Char(
        string="Why Not Now",
        compute="_compute_pool_claim_blocked_reason",
        help="Why you cannot claim this pool lead now (it came back from you "
        "recently, or you reached a claim limit); empty when you can.",
    )

    @api.depends(
        "pool_log_ids.event",
        "pool_log_ids.date",
        "pool_log_ids.return_reason_id",
        "pool_log_ids.note",
        "pool_log_ids.owner_before_id",
    )
    def _compute_pool_last_return(self):
        """From the lead's last ``return`` row of the pool history."""
        last = {}
        if self.ids:
            for log in self.env["crm.lead.pool.log"].search(
                [("lead_id", "in", self.ids), ("event", "=", "return")],
                order="date desc, id desc",
            ):
                last.setdefault(log.lead_id.id, log)
        for lead in self:
            log = last.get(lead.id, self.env["crm.lead.pool.log"])
            lead.pool_last_return_reason_id = log.return_reason_id
            lead.pool_last_return_note = log.note
            lead.pool_last_return_user_id = log.owner_before_id

    @api.depends(
        "in_pool", "pool_previous_user_id", "pool_entry_date", "team_id", "company_id"
    )
    @api.depends_context("uid")
    def _compute_pool_claim_blocked_reason(self):
        """What a claim by the current user would refuse now
        (``_pool_claim_refusal``, with one count of their claims per policy
        company), in a few words: the views show it instead of Claim."""
        self.pool_claim_blocked_reason = False
        user = self.env.user
        pool = self.filtered("in_pool")
        if not pool or not user.has_group("sales_team.group_sale_salesman"):
            return
        companies = {lead: lead.sudo()._get_policy_company() for lead in pool}
        stats = self._pool_claim_stats_by_company(user, set(companies.values()))
        for lead in pool:
            policy = lead.sudo()._get_pool_policy()
            counts = stats[companies[lead]]
            outcome = lead.sudo()._pool_claim_refusal(user, policy, *counts)
            if outcome == "cooldown":
                lead.pool_claim_blocked_reason = _(
                    "Back from you less than %(days)s days ago",
                    days=lead.sudo()._pool_reclaim_cooldown(policy),
                )
            elif outcome:
                lead.pool_claim_blocked_reason = self._pool_limit_words(
                    outcome, lead._pool_limit_of(outcome, policy), *counts
                )

    @api.model
    def _pool_limit_of(self, outcome, policy):
        """The limit of ``policy`` that a refusal ``outcome`` names."""
        return policy[LIMIT_FIELDS[outcome]]

    @api.model
    def _pool_limit_words(self, outcome, limit, claimed_today, open_count):
        """The claim ``limit`` reached (``outcome`` daily_limit or
        open_limit), with the counts."""
        if outcome == "daily_limit":
            return _(
                "Daily claim limit reached (%(claimed)s of %(limit)s)",
                claimed=claimed_today,
                limit=limit,
            )
        return _(
            "Open-lead limit reached (%(open)s of %(limit)s)",
            open=open_count,
            limit=limit,
        )

    @api.depends("in_pool")
    @api.depends_context("uid")
    def _compute_pool_readonly(self):
        """What the guard (``_pool_check_write``) refuses, for the views."""
        is_rep = self._is_pool_rep()
        is_manager = self._is_lead_manager()
        for lead in self:
            lead.pool_readonly = lead.in_pool and is_rep
            lead.pool_locked = lead.in_pool and not is_manager

    @api.model
    def _get_view(self, view_id=None, view_type="form", **options):
        """Pool leads read-only where the guard refuses a save: in the forms
        and lists that carry ``pool_readonly`` (the lead form, the editable
        leads and pipeline lists), every editable field gets ``readonly``
        when ``pool_readonly`` (the fields only managers move: when
        ``pool_locked``), also the fields other modules add; a field
        read-only anyway stays so. Sub-views keep their own rules (their
        field is read-only as a whole). Lists keep one header."""
        arch, view = super()._get_view(view_id, view_type, **options)
        if view_type == "list":
            self._merge_list_headers(arch)
        self._pool_mask_widgets(arch)
        if view_type in ("form", "list") and arch.xpath(
            "//field[@name='pool_readonly'][not(ancestor::field)]"
        ):
            for node in arch.xpath("//field[not(ancestor::field)]"):
                name = node.get("name")
                field = self._fields.get(name)
                if (
                    not field
                    or name in POOL_READONLY_FLAGS
                    or (node.get("readonly") is None and field.readonly)
                ):
                    continue
                flag = "pool_locked" if name in POOL_MANAGED_FIELDS else "pool_readonly"
                node.set("readonly", readonly_or(node.get("readonly"), flag))
        return arch, view

    @api.model
    def _pool_mask_widgets(self, arch):
        """Masked contact details are text, not links: the email and phone
        widgets of the lead's contact fields become the pool's, which show a
        masked value as text (static/src/js/masked_contact_fields.js)."""
        for widget in ("email", "phone"):
            for node in arch.xpath(
                f"//field[@widget='{widget}'][not(ancestor::field)]"
            ):
                if node.get("name") in MASKED_FIELDS:
                    node.set("widget", f"lead_pool_{widget}")

    @api.model
    def _merge_list_headers(self, arch):
        """One ``<header>`` per list: the web client shows the buttons of the
        last one only, and the leads list gets one from this addon and one
        from crm_iap_mine (when installed)."""
        first, *others = arch.findall("header") or [None]
        for header in others:
            first.extend(header)
            arch.remove(header)

    def get_pool_delete_to_pool(self):
        """Whether deleting these leads, as the current user, moves them to the
        public pool instead of destroying them (``_pool_divert_unlink``): for
        the delete dialogs. False when the delete really deletes (sales
        managers) or is refused (pool leads, delete-to-pool off)."""
        if not self or self._is_lead_manager():
            return False
        return all(
            not lead.in_pool and lead._get_pool_policy().pool_delete_to_pool
            for lead in self
        )

    @api.model
    def get_pool_claim_status(self, domain=None):
        """The current user's claim counters under the policy their claims
        meet in the pool being viewed (``_pool_viewed_policy``): claimed
        today and open leads, each with its limit (0: none), what the pool's
        control panel shows (the two counters ``parts``, the sentence of
        both ``label``) and which policy and company they are of, in words
        (``scope``, short, and ``title``, a sentence).
        Public (called by the pool views with their domain); it tells users
        only about themselves."""
        user = self.env.user
        limits, company, scope, title = self._pool_viewed_policy(domain)
        claimed, open_count = self._pool_claim_stats(user, company)
        daily_limit = limits["pool_claim_daily_limit"]
        open_limit = limits["pool_max_open_leads"]
        parts = [
            _(
                "Claimed today %(claimed)s / %(limit)s",
                claimed=claimed,
                limit=daily_limit,
            )
            if daily_limit
            else _("Claimed today %(claimed)s", claimed=claimed),
            _("Open %(open)s / %(limit)s", open=open_count, limit=open_limit)
            if open_limit
            else _("Open %(open)s", open=open_count),
        ]
        limit_message = ""
        if daily_limit and claimed >= daily_limit:
            limit_message = _(
                "%(limit)s: claim again tomorrow.",
                limit=self._pool_limit_words("daily_limit", daily_limit, claimed, 0),
            )
        elif open_limit and open_count >= open_limit:
            limit_message = _(
                "%(limit)s: convert, win or return leads to claim more.",
                limit=self._pool_limit_words("open_limit", open_limit, 0, open_count),
            )
        return {
            "limit_message": limit_message,
            "claimed_today": claimed,
            "daily_limit": daily_limit,
            "open_count": open_count,
            "open_limit": open_limit,
            "limit_reached": bool(
                (daily_limit and claimed >= daily_limit)
                or (open_limit and open_count >= open_limit)
            ),
            "parts": parts,
            "label": " · ".join(parts),
            "scope": scope,
            "title": title,
        }

    @api.model
    def _pool_viewed_policy(self, domain):
        """(limits, company, scope, title) of the claims the current user
        makes in the pool being viewed: the team the view is opened on or
        filtered on (``_pool_viewed_team``), whose policy (its own, else its
        company's) each of its leads follows; else the strictest of the
        policies of the user's sales teams and of the current company.
        ``limits``: {limit field: value}; ``company``: the company whose day
        and open leads count (the team's, else the current one)."""
        fnames = ("pool_claim_daily_limit", "pool_max_open_leads")
        company = self.env.company
        team = self._pool_viewed_team(domain)
        if team:
            company = team.company_id or company
            team = team.sudo()
            policy = team._pool_policy()
            values = {fname: policy[fname] for fname in fnames}
            return (
                values,
                company,
                _("Policy of %(team)s", team=team.name),
                _(
                    "Your claims today and your open leads in %(company)s, with "
                    "the limits of the pool policy of %(team)s.",
                    company=company.name,
                    team=team.name,
                ),
            )
        teams = self.env.user.crm_team_ids.sudo().filtered(
            lambda team: (
                team.active and (not team.company_id or team.company_id == company)
            )
        )
        policies = {company.sudo()} | {team._pool_policy().sudo() for team in teams}
        values = {
            fname: min((p[fname] for p in policies if p[fname]), default=0)
            for fname in fnames
        }
        if len(policies) > 1:
            return (
                values,
                company,
                _("Strictest of your teams"),
                _(
                    "Your claims today and your open leads in %(company)s, with "
                    "the strictest limits of your sales teams' pool policies and "
                    "the company's.",
                    company=company.name,
                ),
            )
        return (
            values,
            company,
            _("Policy of %(company)s", company=company.name),
            _(
                "Your claims today and your open leads in %(company)s, with the "
                "limits of its pool policy.",
                company=company.name,
            ),
        )

    @api.model
    def _pool_viewed_team(self, domain):
        """The one sales team whose pool the current user views: the view's
        ``default_team_id``, else the team that the conditions of ``domain``
        every lead shown meets name (``team_id`` ``=`` or ``in``), if they
        name exactly one the user may read; else no team."""
        team_id = self.env.context.get("default_team_id")
        if isinstance(team_id, int) and not isinstance(team_id, bool):
            team_ids = {team_id}
        else:
            team_ids = pool_domain_team_ids(domain)
        if len(team_ids or ()) != 1:
            return self.env["crm.team"]
        team = self.env["crm.team"].browse(team_ids).exists()
        return team._filtered_access("read")

    # The notes of the moves (see ``crm_lead_pool._pool_record_moves``) ----------

    @api.model
    def _pool_note_key(self, row, event):
        """What a move's note says depends on: the claim, assign or move to
        another pool, else the reason the lead entered the pool."""
        if event == "move":
            return f"move-{row['team_id']}"
        return event if event in ("claim", "assign") else row["pool_reason"]

    def _pool_move_note(self, row, event, log_values):
        """A move's note: what happened, then the return reason and the
        salesperson's note when the move has them (``log_values``, shared
        by the leads of one move)."""
        note = self._pool_move_summary(row, event)
        reason = self.env["crm.lead.pool.return.reason"].browse(
            log_values.get("return_reason_id") or []
        )
        details = [part for part in (reason.name, log_values.get("note")) if part]
        if details:
            note += Markup("<p>%s</p>") % " — ".join(details)
        return note

    def _pool_move_summary(self, row, event):
        if event in ("claim", "assign"):
            return Markup("<p>%s</p>") % (
                _("Claimed from the public pool.")
                if event == "claim"
                else _("Assigned from the public pool.")
            )
        if event == "move":
            team = self.env["crm.team"].browse(row["team_id"])
            return Markup("<p>%s</p>") % _(
                "Moved to the public pool of %(team)s.", team=team.display_name
            )
        reasons = dict(self._fields["pool_reason"]._description_selection(self.env))
        return Markup("<p>%s</p>") % _(
            "Returned to the public pool: %(reason)s.",
            reason=reasons.get(row["pool_reason"], ""),
        )
