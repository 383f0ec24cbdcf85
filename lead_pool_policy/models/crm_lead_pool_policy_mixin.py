# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools.misc import format_date, format_datetime

# (switch, days) pairs of the recycle rules.
RECYCLE_RULES = {
    "uncontacted": ("pool_recycle_uncontacted", "pool_uncontacted_days"),
    "unconverted": ("pool_recycle_unconverted", "pool_unconverted_days"),
    "stale": ("pool_recycle_stale", "pool_stale_days"),
}
# When each rule started applying: a lead's clock for the rule never starts
# before it (set at install, at creation and when the rule is switched on).
RULE_START_FIELDS = {
    "uncontacted": "pool_uncontacted_start",
    "unconverted": "pool_unconverted_start",
    "stale": "pool_stale_start",
}
# The grace bookkeeping of a policy: what the rules read besides the settings.
POOL_GRACE_FIELDS = (*RULE_START_FIELDS.values(), "pool_grace_date")
POOL_POLICY_FIELDS = (
    "pool_recycle_uncontacted",
    "pool_uncontacted_days",
    "pool_recycle_unconverted",
    "pool_unconverted_days",
    "pool_recycle_stale",
    "pool_stale_days",
    "pool_delete_to_pool",
    "pool_batch_claim",
    "pool_warning_days",
    "pool_claim_daily_limit",
    "pool_max_open_leads",
    "pool_reclaim_cooldown_days",
    "pool_return_reason_required",
    "pool_exempt_tag_ids",
)


# What a team taking its own policy copies from its company's, besides the
# segments (which are each policy's own).
POOL_POLICY_START_FIELDS = (
    *POOL_POLICY_FIELDS,
    "pool_extension_max_days",
    "pool_escalation_days",
)


class CrmLeadPoolNumberMixin(models.AbstractModel):
    """Refuses, in words, a value that is not a number for a number field
    (RPC and imports can send any text; Odoo would answer with a Python
    error): for the pool policies and the settings that edit them."""

    _name = "crm.lead.pool.number.mixin"
    _description = "Number Inputs Refused in Words"

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_number_inputs(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._check_number_inputs(vals)
        return super().write(vals)

    def _check_number_inputs(self, vals):
        for fname, value in vals.items():
            field = self._fields.get(fname)
            if not field or field.type not in ("integer", "float", "monetary"):
                continue
            if value is False or value is None or isinstance(value, (int, float)):
                continue
            try:
                (int if field.type == "integer" else float)(value)
            except (TypeError, ValueError):
                raise ValidationError(
                    _(
                        "%(field)s expects a number, not “%(value)s”.",
                        field=field._description_string(self.env),
                        value=value,
                    )
                ) from None


class CrmLeadPoolPolicyMixin(models.AbstractModel):
    """The public pool's policy: held by each company, and by the sales teams
    that have their own."""

    _name = "crm.lead.pool.policy.mixin"
    _inherit = ["crm.lead.pool.number.mixin"]  # noqa: RUF012
    _description = "Public Pool Policy"

    pool_recycle_uncontacted = fields.Boolean(
        string="Recycle Uncontacted Leads",
        default=True,
        help="A lead its salesperson has not contacted within the delay after "
        "getting it returns to the pool.",
    )
    pool_uncontacted_days = fields.Integer(string="Days to First Contact", default=7)
    pool_recycle_unconverted = fields.Boolean(
        string="Recycle Unconverted Leads",
        default=True,
        help="A lead contacted but still not converted to an opportunity after "
        "the delay returns to the pool.",
    )
    pool_unconverted_days = fields.Integer(string="Days to Conversion", default=14)
    pool_recycle_stale = fields.Boolean(
        string="Recycle Stale Opportunities",
        help="An open opportunity without any contact for the delay returns to "
        "the pool.",
    )
    pool_stale_days = fields.Integer(string="Days Without Contact", default=30)
    pool_delete_to_pool = fields.Boolean(
        string="Deleting Sends to the Pool",
        default=True,
        help="When a salesperson deletes a lead, it goes to the pool instead of "
        "being destroyed.",
    )
    pool_batch_claim = fields.Boolean(
        string="Batch Claim",
        default=True,
        help="Salespeople may claim many pool leads at once.",
    )
    pool_warning_days = fields.Integer(
        string="Warning Days",
        default=2,
        help="The salesperson is warned this many days before a lead is recycled.",
    )
    pool_claim_daily_limit = fields.Integer(
        string="Claims per Day", help="Per salesperson; 0 means unlimited."
    )
    pool_max_open_leads = fields.Integer(
        string="Max Open Leads",
        help="Open leads a salesperson may own before claiming more; 0 means "
        "unlimited.",
    )
    pool_reclaim_cooldown_days = fields.Integer(
        string="Reclaim Cooldown (Days)",
        help="A salesperson cannot reclaim a lead recycled from them for this many "
        "days.",
    )
    pool_return_reason_required = fields.Boolean(
        string="Return Reason Required",
        help="Returning a lead to the pool needs a reason.",
    )
    pool_extension_max_days = fields.Integer(
        string="Extension Requests up to (Days)",
        help="A salesperson may ask for up to this many more days before a lead "
        "is recycled; the team leader or a sales manager approves. 0 switches "
        "extension requests off.",
    )
    pool_escalation_days = fields.Integer(
        string="Escalation Days",
        help="This many days before a lead is recycled, the leader of its team "
        "(without one, the company's sales managers) gets a to-do to step in. "
        "0 switches escalation off.",
    )
    pool_exempt_tag_ids = fields.Many2many(
        "crm.tag",
        string="Exempt Tags",
        help="Leads with one of these tags are never recycled.",
    )
    # Grace on adoption: kept by write(), shown read-only.
    pool_uncontacted_start = fields.Datetime(
        string="Uncontacted Rule Applies Since",
        default=fields.Datetime.now,
        readonly=True,
        copy=False,
        help="No lead's first-contact delay starts before this moment: when "
        "the module was installed or the rule switched on.",
    )
    pool_unconverted_start = fields.Datetime(
        string="Unconverted Rule Applies Since",
        default=fields.Datetime.now,
        readonly=True,
        copy=False,
        help="No lead's conversion delay starts before this moment: when the "
        "module was installed or the rule switched on.",
    )
    pool_stale_start = fields.Datetime(
        string="Stale Rule Applies Since",
        default=fields.Datetime.now,
        readonly=True,
        copy=False,
        help="No opportunity's no-contact delay starts before this moment: when "
        "the module was installed or the rule switched on.",
    )
    pool_grace_date = fields.Datetime(
        string="Policy Tightened On",
        readonly=True,
        copy=False,
        help="When the policy last became stricter (a rule switched on, a delay "
        "shortened, an exempt tag removed): no lead is recycled before this "
        "moment plus the warning days, so that its salesperson is warned first.",
    )

    @api.constrains(
        *[fname for fname in POOL_POLICY_FIELDS if fname != "pool_exempt_tag_ids"],
        "pool_extension_max_days",
        "pool_escalation_days",
    )
    def _check_pool_policy(self):
        self._check_bounds(
            (
                "pool_uncontacted_days",
                "pool_unconverted_days",
                "pool_stale_days",
                "pool_warning_days",
                "pool_claim_daily_limit",
                "pool_max_open_leads",
                "pool_reclaim_cooldown_days",
            ),
            low=0,
        )
        self._check_bounds(
            ("pool_extension_max_days", "pool_escalation_days"), low=0, high=365
        )
        for policy in self:
            for switch, days in RECYCLE_RULES.values():
                if policy[switch] and not policy[days]:
                    raise ValidationError(
                        _(
                            "%(rule)s needs a delay of at least 1 day "
                            "(%(policy)s): set %(days)s or switch the rule off.",
                            rule=self._fields[switch].string,
                            days=self._fields[days].string,
                            policy=policy.display_name,
                        )
                    )

    def _check_bounds(self, fnames, low, high=None):
        """Refuse a setting outside [low, high] with a message naming it."""
        for record in self:
            for fname in fnames:
                value = record[fname]
                if value >= low and (high is None or value <= high):
                    continue
                setting = self._fields[fname].string
                if high is None:
                    message = _(
                        "%(setting)s must be at least %(low)s (%(record)s).",
                        setting=setting,
                        low=low,
                        record=record.display_name,
                    )
                else:
                    message = _(
                        "%(setting)s must be between %(low)s and %(high)s "
                        "(%(record)s).",
                        setting=setting,
                        low=low,
                        high=high,
                        record=record.display_name,
                    )
                raise ValidationError(message)

    def _pool_policy_values(self):
        """The settings a team taking its own policy starts from."""
        self.ensure_one()
        return {fname: self[fname] for fname in POOL_POLICY_START_FIELDS}

    def _pool_rule_values(self):
        """The values the recycle rules read (settings and grace), as plain
        values: tags as a set of ids."""
        self.ensure_one()
        values = {
            fname: self[fname]
            for fname in (*POOL_POLICY_FIELDS, *POOL_GRACE_FIELDS)
            if fname != "pool_exempt_tag_ids"
        }
        values["pool_exempt_tag_ids"] = set(self.pool_exempt_tag_ids._origin.ids)
        values["pool_recycle_override_ids"] = self._pool_override_values()
        return values

    @api.model
    def _pool_grace_changes(self, before, after, now):
        """The grace bookkeeping a policy change from ``before`` to ``after``
        (``_pool_rule_values`` dicts of the policy that governs the same
        leads) sets at ``now``: a rule switched on starts applying now (its
        clock starts now for every lead); a rule switched on, a delay
        shortened, an exempt tag removed or a segment's days shortened
        tightens the policy now (no lead is due before now plus the warning
        days). Returns {field: value}."""
        changes, tightened = {}, False
        for rule, (switch, days) in RECYCLE_RULES.items():
            if not after[switch]:
                continue
            if not before[switch]:
                changes[RULE_START_FIELDS[rule]] = now
                tightened = True
            elif after[days] < before[days]:
                tightened = True
        if before["pool_exempt_tag_ids"] - after["pool_exempt_tag_ids"]:
            tightened = True
        if self._pool_overrides_tightened(
            before["pool_recycle_override_ids"], after["pool_recycle_override_ids"]
        ):
            tightened = True
        if tightened:
            changes["pool_grace_date"] = now
        return changes

    # Recycle preview ----------------------------------------------------------

    @api.model
    def _pool_may_preview(self):
        return self.env.su or self.env.user.has_group("sales_team.group_sale_manager")

    @api.model
    def _pool_check_preview_access(self):
        if not self._pool_may_preview():
            raise AccessError(_("Only sales managers can preview pool policies."))

    @api.model
    def _pool_preview_clean(self, values):
        """The policy settings among ``values`` (sent by the preview button
        from an unsaved form), as values for ``new()``."""
        clean = {}
        for fname in (
            *POOL_POLICY_FIELDS,
            "pool_policy_own",
            "pool_recycle_override_ids",
        ):
            if fname not in values or fname not in self._fields:
                continue
            value = values[fname]
            if fname == "pool_exempt_tag_ids":
                clean[fname] = [fields.Command.set([int(tag) for tag in value or []])]
            elif fname == "pool_recycle_override_ids":
                clean[fname] = [fields.Command.clear()] + [
                    fields.Command.create(
                        self.env["crm.lead.pool.recycle.override"]._pool_clean_line(
                            line
                        )
                    )
                    for line in value or []
                ]
            elif self._fields[fname].type == "boolean":
                clean[fname] = bool(value)
            else:
                clean[fname] = int(value or 0)
        return clean

    @api.model
    def _pool_preview_render(self, result):
        """The preview as HTML: the totals, then one line per team and
        salesperson (the 20 most affected)."""
        if result is None:
            return False
        # As the web client shows a date and time (the language's formats).
        when = format_datetime(self.env, result["next_run"], dt_format=False)
        html = Markup("<p>%s</p>") % _(
            "With these settings: %(due)s leads return to the pool at the next "
            "run (%(when)s), %(soon)s more within the warning window.",
            due=result["due"],
            soon=result["soon"],
            when=when,
        )
        if result.get("held"):
            html += Markup("<p class='text-muted'>%s</p>") % (
                _(
                    "%(held)s more leads are already past these delays: the grace "
                    "of a policy change keeps them until %(date)s, so that their "
                    "salespeople are warned first.",
                    held=result["held"],
                    date=format_date(self.env, result["held_until"]),
                )
                if result.get("held_until")
                else _(
                    "%(held)s more leads are already past these delays: the grace "
                    "of the policy's adoption keeps them, so that their "
                    "salespeople are warned first.",
                    held=result["held"],
                )
            )
        rows = result["rows"]
        if not rows:
            return html
        teams = self.env["crm.team"].sudo().browse({row[0] for row in rows if row[0]})
        users = self.env["res.users"].sudo().browse({row[1] for row in rows if row[1]})
        names = {("team", team.id): team.display_name for team in teams}
        names.update({("user", user.id): user.display_name for user in users})
        lines = Markup("").join(
            Markup(
                "<tr><td>%s</td><td>%s</td>"
                "<td class='text-end'>%s</td><td class='text-end'>%s</td></tr>"
            )
            % (
                names.get(("team", team_id), ""),
                names.get(("user", user_id), ""),
                due,
                soon,
            )
            for team_id, user_id, due, soon in rows[:20]
        )
        more = (
            Markup("<p class='text-muted'>%s</p>")
            % _("and %(count)s more salespeople", count=len(rows) - 20)
            if len(rows) > 20
            else Markup("")
        )
        return (
            html
            + Markup(
                "<table class='table table-sm o_pool_preview'><thead><tr>"
                "<th>%s</th><th>%s</th><th class='text-end'>%s</th>"
                "<th class='text-end'>%s</th></tr></thead><tbody>%s</tbody></table>"
            )
            % (
                _("Sales Team"),
                _("Salesperson"),
                _("Next run"),
                _("Warning window"),
                lines,
            )
            + more
        )
