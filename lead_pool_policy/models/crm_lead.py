# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""crm.lead: BANT qualification, and the CRUD overrides every concern shares.

Each concern of the addon extends crm.lead in its own file:

- ``crm_lead_scoring.py``: scores, temperature, MQL/SQL/PQL, priority;
- ``crm_lead_followup.py``: contact attempts and the follow-up cadence;
- ``crm_lead_pool.py``: the public pool (state, claim, return, moves);
- ``crm_lead_pool_guard.py``: what non-managers may change, on every RPC path;
- ``crm_lead_pool_recycle.py``: recycle rules, deadlines, warnings, recycling;
- ``crm_lead_pool_distribute.py``: automatic distribution of pool leads;
- ``crm_lead_pool_masking.py``: masked contact details of pool leads.

``create``/``write``/``unlink`` live here only, and call each concern's hooks
in a fixed order, so that the order in which the concerns act on a change is
written in one place.
"""

import threading

from psycopg2.extensions import TRANSACTION_STATUS_IDLE

from odoo import _, api, fields, models, tools
from odoo.exceptions import AccessError, UserError
from odoo.osv import expression
from odoo.tools import SQL
from odoo.tools.safe_eval import safe_eval

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
# The value of each BANT field that meets its criterion.
BANT_MET_VALUES = {
    "bant_budget": "approved",
    "bant_authority": "decision_maker",
    "bant_need": "confirmed",
    "bant_timeline": "within_3_months",
}


def domain_paths(domains):
    """The field paths ("partner_id.country_id") that ``domains`` read."""
    return frozenset(
        leaf[0]
        for domain in domains
        for leaf in domain
        if expression.is_leaf(leaf) and isinstance(leaf[0], str)
    )


def domain_field_names(domains):
    """The crm.lead fields (first step of each path) that ``domains`` read."""
    return frozenset(path.split(".", 1)[0] for path in domain_paths(domains))


def with_chosen_defaults(model, vals_list):
    """Each of ``vals_list`` with the defaults its caller chose, which Odoo
    adds after ``create`` receives it: the context's ``default_<field>`` keys
    and ``ir.default`` values (the code's own field defaults are not a
    caller's choice). What create-time checks must see: the final values;
    superuser code, which they do not check, gets ``vals_list`` as it is."""
    if model.env.su:
        return vals_list
    chosen = {
        key[8:]
        for key in model.env.context
        if key.startswith("default_") and key[8:] in model._fields
    }
    chosen.update(model.env["ir.default"].sudo()._get_model_defaults(model._name))
    if not chosen:
        return vals_list
    result = []
    for vals in vals_list:
        if missing := chosen - set(vals):
            vals = {**model.default_get(sorted(missing)), **vals}
        result.append(vals)
    return result


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

    @api.depends(*BANT_MET_VALUES)
    def _compute_bant_met_count(self):
        for lead in self:
            lead.bant_met_count = sum(
                lead[fname] == value for fname, value in BANT_MET_VALUES.items()
            )

    # CRUD: one place, dispatching to the concerns --------------------------

    @api.model_create_multi
    def create(self, vals_list):
        final_list = with_chosen_defaults(self, vals_list)
        for vals in final_list:
            self._check_system_fields(vals)
        self._pool_check_create(final_list)
        vals_list, to_pool = self._pool_before_create(vals_list)
        leads = super().create(vals_list)
        leads._pool_check_created_exempt_tags(final_list)
        leads._scoring_after_create()
        self.browse([leads[index].id for index in to_pool])._pool_enter(
            "manager", "enter"
        )
        leads._pool_after_create()
        return leads

    def write(self, vals):
        self._check_system_fields(vals)
        self._pool_check_write(vals)
        self._pool_check_exempt_tags_write(vals)
        closed = self._pool_limits_before_write(vals)
        takes = self._pool_takes_before_write(vals)
        vals, to_pool = self._pool_before_write(vals)
        to_rescore = self._scoring_before_write(vals)
        result = super().write(vals) if vals else True
        closed._pool_check_reopened()
        takes._pool_after_take()
        to_pool._pool_enter("manager", "enter")
        self._scoring_after_write(vals, to_rescore)
        self._pool_segments_after_write(vals)
        return result

    def unlink(self):
        """Delete-to-pool (see ``_pool_divert_unlink``); what really goes is
        logged in the pool history as a purge."""
        rest = self._pool_divert_unlink()
        rest._pool_log_purge()
        return super(CrmLead, rest).unlink() if rest else True

    # Shared helpers ----------------------------------------------------------

    def _check_system_fields(self, vals):
        """Fields the addon keeps itself are refused to whoever may not set
        them, with the message of the concern that keeps them."""
        if self.env.su:
            return
        for fnames, managers_may, message in self._get_system_field_groups():
            written = fnames.intersection(vals)
            if written and not (managers_may and self._is_lead_manager()):
                names = ", ".join(sorted(self._fields[f].string for f in written))
                raise AccessError(message % {"fields": names})

    def _get_system_field_groups(self):
        """[(field names, managers may write them, message with %(fields)s)]:
        each concern adds the fields it keeps."""
        return []

    @api.model
    def _is_lead_manager(self):
        """Sales managers (and code running as superuser) configure, assign
        and purge; the pool's rules for salespeople do not apply to them."""
        return self.env.su or self.env.user.has_group("sales_team.group_sale_manager")

    def _get_policy_company(self):
        """The company whose settings apply to the lead: its own, else its
        team's, else the main company (never the current user's, so that a
        lead gets the same treatment whoever looks at it)."""
        self.ensure_one()
        return self.company_id or self.team_id.company_id or self._default_company()

    def _ids_by_policy_company(self):
        """{policy company: [ids]} of these saved leads, archived included:
        the statements that read a company's settings run once a company."""
        by_company = {}
        for lead in self.sudo().with_context(active_test=False).filtered("id"):
            by_company.setdefault(lead._get_policy_company(), []).append(lead.id)
        return by_company

    @api.model
    def _parse_lead_domain(self, text):
        """A filter of leads typed as text (a rule's, a segment's), as a
        normalized domain; ValueError, saying what is wrong, when it does not
        parse or names a field crm.lead does not have."""
        try:
            domain = expression.normalize_domain(
                safe_eval(text or "[]", {"uid": self.env.uid})
            )
            # Resolving the domain into SQL validates every field path.
            self.sudo()._search(domain)
        except Exception as error:
            raise ValueError(str(error)) from error
        return domain

    @api.model
    def _lead_domain_condition(self, domain, scope=None):
        """``domain`` as an SQL condition over the crm_lead row of a
        statement (whose leads ``scope`` selects, when given): inline when it
        reads the lead's own row, else a membership test. The one translation
        of the rules' and segments' filters into SQL."""
        query = self.sudo()._search(domain)
        if query._joins:
            # The filter reads other tables through joins: test membership.
            if scope is not None:
                query.add_where(scope)
            return SQL("crm_lead.id IN (%s)", query.subselect())
        # A condition on the lead's own row: evaluate it inline.
        return query.where_clause or SQL("TRUE")

    @api.model
    def _default_company(self):
        return self.env["res.company"].browse(self._default_company_id())

    @api.model
    @tools.ormcache()
    def _default_company_id(self):
        company = self.env.ref("base.main_company", raise_if_not_found=False)
        return (company or self.env["res.company"].sudo().search([], limit=1)).id

    @api.model
    def _policy_company_sql(self, alias="crm_lead", team_alias=None):
        """SQL twin of ``_get_policy_company``: the id of each lead's company.
        With ``team_alias``, the statement joins the lead's team itself
        (``LEFT JOIN crm_team team_alias``), which keeps a scan of many leads
        free of a sub-query per lead (and open to a parallel plan)."""
        team_company = (
            SQL.identifier(team_alias, "company_id")
            if team_alias
            else SQL(
                "(SELECT team.company_id FROM crm_team team WHERE team.id = %s)",
                SQL.identifier(alias, "team_id", to_flush=self._fields["team_id"]),
            )
        )
        return SQL(
            "COALESCE(%s, %s, %s)",
            SQL.identifier(alias, "company_id", to_flush=self._fields["company_id"]),
            team_company,
            self._default_company().id,
        )

    def _commit_batch(self):
        """Crons keep each finished batch (consistent on its own) so that an
        interrupted run keeps its work and a rerun completes the rest; never
        under tests, whose transaction is rolled back at the end.

        The job's next transaction runs in READ COMMITTED: a lead a
        salesperson changed since the job's snapshot is read again (and,
        with ``SKIP LOCKED``, a lead being changed is passed over) instead
        of failing the job with a serialization error, as Odoo's repeatable
        read would. Each statement of a batch stays consistent; each
        re-checks on the row it writes what it relies on."""
        if getattr(threading.current_thread(), "testing", False):
            return
        cr = self.env.cr
        cr.commit()  # pylint: disable=invalid-commit
        # Only as the transaction's first statement (a post-commit hook may
        # have started one on this cursor: it then stays repeatable read).
        if cr._cnx.info.transaction_status == TRANSACTION_STATUS_IDLE:
            cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")

    def _pool_read_committed(self):
        """At the start of a salesperson's claim: when its transaction has
        written nothing yet (no transaction id, nothing to flush), end it and
        go on in READ COMMITTED (see ``_commit_batch``). A lead another claim
        takes meanwhile is then read again once its row is released, and
        found taken, instead of failing this claim with a serialization
        error, which Odoo retries after a random wait of up to two seconds.
        What the claim relies on is re-checked on the rows it locks: the
        lead still in the pool, the claimer's counts read after their lock.
        """
        if self.env.cache.get_dirty_fields() or self.env.transaction.tocompute:
            return
        [[xid]] = self.env.execute_query(SQL("SELECT txid_current_if_assigned()"))
        if xid is None:
            self._commit_batch()

    def _check_ids_exist(self):
        """Buttons called over RPC name leads by id: refuse, in words, ids
        that are not ids of existing leads."""
        ids = [id_ for id_ in self._ids if not isinstance(id_, int) or id_ <= 0]
        if ids or (ids := sorted(set(self._ids) - set(self.exists()._ids))):
            raise UserError(
                _(
                    "Some of the selected leads no longer exist (id %(ids)s): "
                    "reload the page and select them again.",
                    ids=", ".join(map(str, ids)),
                )
            )

    @api.model
    def _check_leads_exist(self, field, vals_list):
        """Wizards name leads by id: refuse, in words, ids that no longer
        exist (instead of the database's foreign-key error)."""
        ids = set()
        for vals in vals_list:
            if vals.get(field.name):
                value = field.convert_to_cache(
                    vals[field.name], self.env[field.model_name]
                )
                ids.update(value if isinstance(value, tuple) else [value])
        ids = {id_ for id_ in ids if isinstance(id_, int)}
        if missing := ids - set(self.browse(ids).exists().ids):
            raise UserError(
                _(
                    "Some of the selected leads no longer exist (id %(ids)s): "
                    "reload the page and select them again.",
                    ids=", ".join(map(str, sorted(missing))),
                )
            )

    @api.model
    def _company_sales_managers(self, company):
        """The internal users who are sales managers of ``company``."""
        return (
            self.env["res.users"]
            .sudo()
            .search(
                [
                    (
                        "groups_id",
                        "in",
                        self.env.ref("sales_team.group_sale_manager").id,
                    ),
                    ("company_ids", "in", company.id),
                    ("share", "=", False),
                ]
            )
        )

    def _check_cron_caller(self):
        """Scheduled work runs as the cron (superuser) or for a manager; a
        salesperson calling it through RPC or a server action is refused."""
        if not self._is_lead_manager():
            raise AccessError(
                _("Only sales managers can run the lead pool's scheduled actions.")
            )
