# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Recycle days by segment: a policy's ordered override lines. The first line
whose filter a lead matches gives its days (or exempts it); the deadline
itself stays in the recycle rules' one statement (``_pool_deadline_query``),
which reads the lines as SQL (``_pool_segment_sql``)."""

from odoo import _, api, fields, models, tools
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from .crm_lead import domain_field_names, domain_paths
from .crm_lead_pool_recycle import DEADLINE_INPUT_FIELDS
from .crm_lead_scoring import SCORE_FIELDS

# The most days a segment gives (0: the policy's own days).
SEGMENT_MAX_DAYS = 3650
# The line's days for each recycle rule (0: the policy's own days).
OVERRIDE_DAYS = {
    "uncontacted": "uncontacted_days",
    "unconverted": "unconverted_days",
    "stale": "stale_days",
}
# What the deadline's compute depends on (see ``crm_lead_pool_recycle``).
DEADLINE_FIELDS = frozenset(DEADLINE_INPUT_FIELDS)
# Written by the scoring engine in SQL, which no ORM dependency sees.
SEGMENT_SCORE_FIELDS = frozenset((*SCORE_FIELDS, "priority"))
# What the recycle rules read of a line.
OVERRIDE_VALUE_FIELDS = ("domain", *OVERRIDE_DAYS.values(), "exempt")
# What a policy's recycle preview depends on of its lines.
POOL_OVERRIDE_DEPENDS = (
    "pool_recycle_override_ids",
    "pool_recycle_override_ids.sequence",
    *(f"pool_recycle_override_ids.{fname}" for fname in OVERRIDE_VALUE_FIELDS),
)


class CrmLeadPoolRecycleOverride(models.Model):
    _name = "crm.lead.pool.recycle.override"
    _description = "Recycle Days by Segment"
    _order = "sequence, id"

    sequence = fields.Integer(default=10)
    name = fields.Char(string="Segment", required=True)
    domain = fields.Char(
        string="Leads",
        required=True,
        default="[]",
        help="The leads of the segment: the first line whose filter a lead "
        "matches gives its days.",
    )
    domain_words = fields.Char(string="Leads Matching", compute="_compute_domain_words")
    uncontacted_days = fields.Integer(
        string="Days to First Contact",
        help="0 keeps the policy's days to first contact.",
    )
    unconverted_days = fields.Integer(
        string="Days to Conversion",
        help="0 keeps the policy's days to conversion.",
    )
    stale_days = fields.Integer(
        string="Days Without Contact",
        help="0 keeps the policy's days without contact.",
    )
    exempt = fields.Boolean(
        string="Never Recycled", help="Leads of the segment never return to the pool."
    )
    company_id = fields.Many2one(
        "res.company",
        string="Company Policy",
        ondelete="cascade",
        index="btree_not_null",
    )
    team_id = fields.Many2one(
        "crm.team", string="Team Policy", ondelete="cascade", index="btree_not_null"
    )

    _sql_constraints = [  # noqa: RUF012
        (
            "one_policy",
            "CHECK((company_id IS NULL) != (team_id IS NULL))",
            "A segment belongs to one policy: a company's or a team's.",
        ),
    ]

    @api.depends("domain")
    @api.depends_context("lang")
    def _compute_domain_words(self):
        for line in self:
            line.domain_words = self.env["crm.lead"]._lead_filter_in_words(line)

    @api.constrains("domain", "name")
    def _check_domain(self):
        for line in self:
            line._get_lead_domain()

    @api.constrains(*OVERRIDE_DAYS.values())
    def _check_days(self):
        for line in self:
            for fname in OVERRIDE_DAYS.values():
                if not 0 <= line[fname] <= SEGMENT_MAX_DAYS:
                    raise ValidationError(
                        _(
                            "%(setting)s must be between 0 and %(max)s (segment "
                            "“%(segment)s”); 0 keeps the policy's days.",
                            setting=self._fields[fname].string,
                            max=SEGMENT_MAX_DAYS,
                            segment=line.name,
                        )
                    )

    def _get_lead_domain(self):
        """The segment's filter, checked: in words when it does not parse or
        names a field crm.lead does not have."""
        self.ensure_one()
        try:
            return self.env["crm.lead"]._parse_lead_domain(self.domain)
        except ValueError as error:
            raise ValidationError(
                _(
                    "The leads of the segment “%(segment)s” cannot be read: "
                    "%(error)s. Edit the filter with the domain editor.",
                    segment=self.name or "",
                    error=error,
                )
            ) from None

    @api.model
    def _pool_clean_line(self, line):
        """A line sent by the preview button (an unsaved form's), as values
        for ``new()``; anything of another type raises ValueError."""
        values = {
            "sequence": int(line.get("sequence") or 0),
            "name": str(line.get("name") or ""),
            "domain": str(line.get("domain") or "[]"),
            "exempt": bool(line.get("exempt")),
        }
        for fname in OVERRIDE_DAYS.values():
            values[fname] = int(line.get(fname) or 0)
            if not 0 <= values[fname] <= SEGMENT_MAX_DAYS:
                raise ValueError(fname)
        return values

    def _pool_override_list(self):
        """These lines as the recycle rules read them (plain dicts), in their
        order: by sequence, then as listed (a form's unsaved lines)."""
        return [
            {fname: line[fname] for fname in OVERRIDE_VALUE_FIELDS}
            for line in self.sorted(lambda line: line.sequence)
        ]

    # A change of lines is a policy change: the grace of a tightening, then
    # the deadlines of the leads the policy governs. Whatever the path (the
    # policy's form, the lines' own, RPC), it comes through here.

    @api.model_create_multi
    def create(self, vals_list):
        policies = self._pool_policies_of(vals_list)
        before = {policy: policy._pool_rule_values() for policy in policies}
        lines = super().create(vals_list)
        self._pool_policies_changed(before)
        return lines

    def write(self, vals):
        policies = [*self._pool_policies(), *self._pool_policies_of([vals])]
        before = {policy: policy._pool_rule_values() for policy in policies}
        result = super().write(vals)
        self._pool_policies_changed(before)
        return result

    def unlink(self):
        before = {
            policy: policy._pool_rule_values() for policy in self._pool_policies()
        }
        result = super().unlink()
        self._pool_policies_changed(before)
        return result

    def _pool_policies(self):
        """The policies these lines belong to: a list of companies and of
        teams with their own policy (a team's lines count only then)."""
        return self._pool_policy_list(self.company_id, self.team_id)

    def _pool_policies_of(self, vals_list):
        return self._pool_policy_list(
            self.env["res.company"].browse(
                {vals["company_id"] for vals in vals_list if vals.get("company_id")}
            ),
            self.env["crm.team"].browse(
                {vals["team_id"] for vals in vals_list if vals.get("team_id")}
            ),
        )

    @api.model
    def _pool_policy_list(self, companies, teams):
        teams = teams.sudo().exists().filtered("pool_policy_own")
        return [*companies.sudo().exists(), *teams]

    @api.model
    def _pool_policies_changed(self, before):
        self.env.registry.clear_cache()
        now = fields.Datetime.now()
        # ``before`` holds only the policies the lines count for (see
        # ``_pool_policy_list``).
        for policy, old in before.items():
            changes = policy._pool_grace_changes(old, policy._pool_rule_values(), now)
            if changes:
                policy.write(changes)
            else:
                policy._pool_update_deadlines()

    # The segments as SQL ------------------------------------------------------

    @api.model
    @tools.ormcache()
    def _pool_segment_lines(self):
        """((company id, team id, line values, parsed filter), ...): every
        policy's lines, in their order (cached: the recycle rules read them
        at each lead change, parsed once)."""
        return tuple(
            (
                line.company_id.id,
                line.team_id.id,
                line._pool_override_list()[0],
                line._get_lead_domain(),
            )
            for line in self.sudo().search([])
        )

    @api.model
    def _pool_segment_paths(self):
        """The field paths the segments' filters read."""
        return domain_paths(line[3] for line in self._pool_segment_lines())

    @api.model
    def _pool_segment_field_names(self):
        """The crm.lead fields the segments' filters read."""
        return domain_field_names(line[3] for line in self._pool_segment_lines())

    @api.model
    def _pool_segment_sql(self, values=None):
        """(segment, segments): ``segment`` an SQL expression of the statement
        of the recycle rules giving each lead's line (its position), and
        ``segments`` the lines' days as rows (segment, uncontacted_days,
        unconverted_days, stale_days, exempt). The lines of every policy, each
        tried only for the leads its policy governs (a team's, when the team
        has its own policy); with ``values`` (one policy's
        ``_pool_rule_values``, for a preview of its leads) its unsaved
        lines."""
        Lead = self.env["crm.lead"].sudo().with_context(active_test=False)
        if values is None:
            lines = [
                (
                    SQL(
                        "COALESCE(team.pool_policy_own, FALSE) AND team.id = %s",
                        team_id,
                    )
                    if team_id
                    else SQL(
                        "NOT COALESCE(team.pool_policy_own, FALSE) AND company.id = %s",
                        company_id,
                    ),
                    line,
                    domain,
                )
                for company_id, team_id, line, domain in self._pool_segment_lines()
            ]
        else:
            lines = [
                (SQL("TRUE"), line, Lead._parse_lead_domain(line["domain"]))
                for line in values["pool_recycle_override_ids"]
            ]
        if not lines:
            return SQL("NULL::int"), SQL(
                "SELECT NULL::int AS segment, NULL::int AS uncontacted_days,"
                " NULL::int AS unconverted_days, NULL::int AS stale_days,"
                " NULL::bool AS exempt WHERE FALSE"
            )
        whens, rows = [], []
        for position, (owner, line, domain) in enumerate(lines, start=1):
            whens.append(
                SQL(
                    "WHEN %s AND %s THEN %s",
                    owner,
                    Lead._lead_domain_condition(domain),
                    position,
                )
            )
            rows.append(
                SQL(
                    "(%s, %s, %s, %s, %s)",
                    position,
                    *(int(line[fname] or 0) for fname in OVERRIDE_DAYS.values()),
                    bool(line["exempt"]),
                )
            )
        # Only assigned open leads can have a deadline: the others skip the
        # filters.
        segment = SQL(
            "CASE WHEN crm_lead.user_id IS NOT NULL AND crm_lead.active"
            " THEN CASE %s END END",
            SQL(" ").join(whens),
        )
        segments = SQL(
            "SELECT * FROM (VALUES %s) AS v(segment, uncontacted_days,"
            " unconverted_days, stale_days, exempt)",
            SQL(", ").join(rows),
        )
        return segment, segments


class CrmLead(models.Model):
    _inherit = "crm.lead"

    def _pool_segments_after_write(self, vals):
        """A lead whose segment may have changed gets its deadline again:
        when the write sets a field the segments read, or the segments read
        a field computed from others (crm's probability)."""
        # The fields the deadline's compute depends on recompute it already.
        names = (
            self.env["crm.lead.pool.recycle.override"]._pool_segment_field_names()
            - DEADLINE_FIELDS
        )
        if (
            self.ids
            and names
            and (
                names.intersection(vals)
                or any(self._fields[name].compute for name in names)
            )
        ):
            self._update_pool_deadlines(SQL("crm_lead.id IN %s", tuple(self.ids)))

    def _rescore_scope(self, company, scope, also=None, skip_locked=False):
        # Scores are written by SQL: the leads whose scores changed get their
        # deadline again when a segment reads a score.
        changed = super()._rescore_scope(
            company, scope, also=also, skip_locked=skip_locked
        )
        names = self.env["crm.lead.pool.recycle.override"]._pool_segment_field_names()
        if changed and names.intersection(SEGMENT_SCORE_FIELDS):
            self._update_pool_deadlines(SQL("crm_lead.id = ANY(%s)", changed))
        return changed

    @api.model
    def _pool_refresh_segment_deadlines(self):
        """Before the night's recycle: when a segment reads other records
        than the lead (its customer's country...), which change without the
        lead being written, every assigned lead's deadline again."""
        Override = self.env["crm.lead.pool.recycle.override"]
        if any("." in path for path in Override._pool_segment_paths()):
            self._update_pool_deadlines(
                SQL(
                    "(crm_lead.user_id IS NOT NULL AND crm_lead.active)"
                    " OR crm_lead.pool_recycle_deadline IS NOT NULL"
                )
            )


class CrmLeadPoolPolicyMixin(models.AbstractModel):
    _inherit = "crm.lead.pool.policy.mixin"

    def _pool_override_values(self):
        """The policy's lines (saved, or being edited) in their order."""
        self.ensure_one()
        return self.pool_recycle_override_ids._pool_override_list()

    @api.model
    def _pool_overrides_tightened(self, before, after):
        """Whether changing the lines from ``before`` to ``after`` may bring a
        lead's deadline closer: anything but the same segments in the same
        order, each with as many days or more (or newly exempt)."""
        if [line["domain"] for line in before] != [line["domain"] for line in after]:
            return True
        for old, new in zip(before, after, strict=True):
            if old["exempt"] and not new["exempt"]:
                return True
            if new["exempt"]:
                continue
            for fname in OVERRIDE_DAYS.values():
                # 0 follows the policy's days (compared on their own): a
                # change from or to 0 may shorten them.
                if bool(old[fname]) != bool(new[fname]) or new[fname] < old[fname]:
                    return True
        return False


class ResCompany(models.Model):
    _inherit = "res.company"

    pool_recycle_override_ids = fields.One2many(
        "crm.lead.pool.recycle.override",
        "company_id",
        string="Recycle Days by Segment",
        help="Segments of leads that get other recycle days than the policy's "
        "(or are never recycled): the first line a lead matches counts.",
    )

    def _pool_update_deadlines(self):
        leads = self.env["crm.lead"]
        leads._update_pool_deadlines(
            SQL("%s IN %s", leads._policy_company_sql(), tuple(self.ids))
        )


class CrmTeam(models.Model):
    _inherit = "crm.team"

    pool_recycle_override_ids = fields.One2many(
        "crm.lead.pool.recycle.override",
        "team_id",
        string="Recycle Days by Segment",
        help="Segments of the team's leads that get other recycle days than "
        "its policy's (or are never recycled): the first line a lead matches "
        "counts.",
    )

    def _pool_update_deadlines(self):
        self.env["crm.lead"]._update_pool_deadlines(
            SQL("crm_lead.team_id IN %s", tuple(self.ids))
        )
