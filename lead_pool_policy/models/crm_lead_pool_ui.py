# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""crm.lead: what the pool's screens show and nothing decides: the last
return reason and note of a lead, the current user's claim counters, which
fields of a pool lead the current user may edit (the guard's rules, shown as
read-only fields) and whether a delete sends leads to the pool."""

from odoo import _, api, fields, models

from .crm_lead_pool_guard import POOL_MANAGED_FIELDS

# Form and list fields that stay as they are on pool leads: the flags that
# make the others read-only.
POOL_READONLY_FLAGS = ("pool_readonly", "pool_locked")


def readonly_or(readonly, flag):
    """A view's ``readonly`` expression, or ``flag``."""
    readonly = (readonly or "").strip()
    if readonly in ("", "0", "False"):
        return flag
    if readonly in ("1", "True"):
        return readonly
    return f"({readonly}) or {flag}"


class CrmLead(models.Model):
    _inherit = "crm.lead"

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
    def get_pool_claim_status(self):
        """The current user's claim counters under the policy of their sales
        team (else their company): claimed today and open leads, each with its
        limit (0: none), and what the pool's control panel shows: the two
        counters (``parts``) and the sentence of both (``label``).
        Public (called by the pool views); it tells users only about
        themselves."""
        user = self.env.user
        team = user.sale_team_id
        if team.pool_policy_own:
            policy = team
        else:
            # The company whose pool the team works in (see crm.team).
            policy = (team._pool_policy_company() if team else self.env.company).sudo()
        claimed, open_count = self._pool_claim_stats(user, self.env.company)
        daily_limit = policy.pool_claim_daily_limit
        open_limit = policy.pool_max_open_leads
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
        return {
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
        }
