# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""crm.lead: the contact details of pool leads, masked for users who are not
sales managers when the lead's company says so (the masks themselves are in
``masking.py``).

Two mechanisms, each closing a class of paths rather than a list of them
(``readme/ARCHITECTURE.md`` says why nothing goes around them):

- **SQL**: every condition, ordering, grouping and aggregate Odoo builds on a
  column goes through ``_field_to_sql``; for a salesperson, the masked
  columns read there as ``CASE WHEN <masked> THEN NULL ELSE column END``, so
  no query, whoever builds it (``search``, ``read_group``, an ``any``
  sub-search from another model, ``order=``), tells a masked lead's address
  from an empty one; a condition on one (``_condition_to_sql``) is false for
  masked leads and its negation true. Only fetching values for reading
  bypasses it, and those values are masked on their way out (below).
  Conditions that reach contact details through a relation
  (``partner_id.email``, a customer found by its address,
  ``message_ids.email_from``) are false for masked leads, their negation
  true (``_search``).
- **Values**: what leaves the server as values is masked where Odoo formats
  it: ``_read_format`` (read, ``web_read``, ``search_read``, onchange), the
  customer's sub-fields of ``web_read``, ``_export_rows`` (exports by any
  sub-path, and every relation that leads back to a lead, which exports
  through this same method), the chatter (tracking values, suggested
  recipients; the messages' addresses in ``mail_message.py``) and mail
  rendering (``mail_render_mixin.py``).
"""

from contextlib import contextmanager
from contextvars import ContextVar
from itertools import groupby

from odoo import _, api, fields, models
from odoo.exceptions import AccessError
from odoo.osv import expression
from odoo.tools import SQL

from ..masking import mask_email, mask_phone, mask_text

# Set while Odoo fetches column values to read them (masked afterwards by
# ``_read_format``); never from a request's context, which a user controls.
_FETCHING = ContextVar("lead_pool_policy_fetching", default=False)

# Contact details hidden on pool leads from non-managers (setting).
MASKED_FIELDS = {
    "email_from": mask_email,
    "email_normalized": mask_email,
    "email_cc": mask_email,
    "email_domain_criterion": mask_text,
    "phone": mask_phone,
    "mobile": mask_phone,
    "phone_sanitized": mask_phone,
}
# Fields whose search or grouping would reveal the masked details.
MASKED_SEARCH_FIELDS = frozenset(MASKED_FIELDS) | {
    "phone_mobile_search",
    "email_domain_criterion",
}
# Names of contact details on any model: a condition or an export that ends
# on one of them, through any relation of a masked lead, is masked.
CONTACT_NAMES = frozenset(MASKED_SEARCH_FIELDS) | {
    "email",
    "email_formatted",
    "email_cc",
    "reply_to",
    "partner_email",
    "partner_phone",
}
# The same details on the lead's customer, read through the lead.
MASKED_PARTNER_FIELDS = {
    "email": mask_email,
    "email_normalized": mask_email,
    "email_formatted": mask_email,
    "phone": mask_phone,
    "mobile": mask_phone,
    "phone_sanitized": mask_phone,
}


class CrmLead(models.Model):
    _inherit = "crm.lead"

    pool_contacts_masked = fields.Boolean(
        string="Contact Details Masked",
        compute="_compute_pool_contacts_masked",
        search="_search_pool_contacts_masked",
        help="A pool lead whose company masks the contact details of pool "
        "leads from salespeople until they claim it.",
    )

    @api.depends(
        "in_pool",
        "company_id.pool_mask_contacts",
        "team_id.company_id.pool_mask_contacts",
    )
    @api.depends_context("uid")
    def _compute_pool_contacts_masked(self):
        masked = self._pool_masked_leads()
        for lead in self:
            lead.pool_contacts_masked = lead in masked

    def _search_pool_contacts_masked(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError()
        # The lead's company, else its team's, else the main company.
        masked = [
            ("in_pool", "=", True),
            "|",
            ("company_id.pool_mask_contacts", "=", True),
            "&",
            ("company_id", "=", False),
            "|",
            ("team_id.company_id.pool_mask_contacts", "=", True),
            "&",
            ("team_id.company_id", "=", False),
            expression.TRUE_LEAF
            if self._default_company().sudo().pool_mask_contacts
            else expression.FALSE_LEAF,
        ]
        if (operator == "=") == value:
            return masked
        return ["!", *expression.normalize_domain(masked)]

    # Reads -------------------------------------------------------------------

    def _read_format(self, fnames, load="_classic_read"):
        """Every view and RPC read goes through here."""
        result = super()._read_format(fnames, load=load)
        if not MASKED_FIELDS.keys() & set(fnames) or self._is_lead_manager():
            return result
        masked = set(self._pool_masked_leads().ids)
        for values in result:
            if values["id"] in masked:
                _mask_values(values, MASKED_FIELDS)
        return result

    def web_read(self, specification):
        """The customer's contact details, read as sub-fields of the lead."""
        result = super().web_read(specification)
        partner_fields = (specification.get("partner_id") or {}).get("fields") or {}
        if not MASKED_PARTNER_FIELDS.keys() & set(partner_fields) or (
            self._is_lead_manager()
        ):
            return result
        masked = set(self._pool_masked_leads().ids)
        for values in result:
            if values["id"] in masked and isinstance(values.get("partner_id"), dict):
                _mask_values(values["partner_id"], MASKED_PARTNER_FIELDS)
        return result

    def _export_rows(self, fields, *, _is_toplevel_call=True):
        """Exports of leads, from the lead list or through any relation that
        leads to leads (a customer's opportunities, an event's lead, a lead's
        duplicates): the contact columns of masked leads are masked, by any
        sub-path (``email_from/id``, ``partner_id/email``). Each run of leads
        is exported in order, its lines unchanged but for those cells."""
        columns = {
            index: mask
            for index, path in enumerate(fields)
            if (mask := _export_mask(path))
        }
        if not columns or self._is_lead_manager():
            return super()._export_rows(fields, _is_toplevel_call=_is_toplevel_call)
        masked = set(self._pool_masked_leads().ids)
        lines = []
        for is_masked, run in groupby(self, key=lambda lead: lead.id in masked):
            run_lines = super(
                CrmLead, self.browse([lead.id for lead in run])
            )._export_rows(fields, _is_toplevel_call=_is_toplevel_call)
            if is_masked:
                for line in run_lines:
                    for index, mask in columns.items():
                        if isinstance(line[index], str) and line[index]:
                            line[index] = mask(line[index])
            lines += run_lines
        return lines

    # Searching, ordering and grouping ----------------------------------------

    def _field_to_sql(self, alias, fname, query=None, flush=True):
        """A masked column reads as empty for masked leads in every condition,
        ordering, grouping and aggregate (see the module's docstring)."""
        sql = super()._field_to_sql(alias, fname, query, flush)
        if fname not in MASKED_FIELDS or _FETCHING.get() == self._name:
            return sql
        masked = self._pool_masked_sql(alias)
        if masked is None:
            return sql
        return SQL("(CASE WHEN %s THEN NULL ELSE %s END)", masked, sql)

    def _condition_to_sql(self, alias, fname, operator, value, query):
        """A condition on a masked column is false for masked leads, and its
        negation true, whatever their values: no condition tells them apart."""
        sql = super()._condition_to_sql(alias, fname, operator, value, query)
        if fname not in MASKED_FIELDS:
            return sql
        masked = self._pool_masked_sql(alias)
        if masked is None:
            return sql
        negative = operator == "!=" or operator.startswith("not ")
        return SQL(
            "(CASE WHEN %s THEN %s ELSE %s END)",
            masked,
            SQL("TRUE") if negative else SQL("FALSE"),
            sql,
        )

    def _fetch_query(self, query, fields):
        """Values fetched to be read are the real ones (``_read_format``
        masks them on the way out)."""
        with _fetching(self._name):
            return super()._fetch_query(query, fields)

    @api.model
    def _pool_masking_company_ids(self):
        """The companies whose pool leads are masked from the current user
        (none for managers)."""
        if self._is_lead_manager():
            return []
        return (
            self.env["res.company"]
            .sudo()
            .with_context(active_test=False)
            .search([("pool_mask_contacts", "=", True)])
            .ids
        )

    @api.model
    def _pool_masked_sql(self, alias):
        """SQL: whether the lead of ``alias`` is masked from the current
        user; None when nothing is masked from them."""
        company_ids = self._pool_masking_company_ids()
        if not company_ids:
            return None
        return SQL(
            "(%s AND %s IN %s)",
            SQL.identifier(alias, "in_pool", to_flush=self._fields["in_pool"]),
            self._policy_company_sql(alias),
            tuple(company_ids),
        )

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        """Conditions that reach contact details through a relation (the
        customer's address, a customer found by its address, the messages'
        senders) are false for masked leads, and their negation true; the
        lead's own columns are masked in SQL (``_field_to_sql``)."""
        if domain and not self._is_lead_manager():
            domain = [
                term for leaf in domain for term in _mask_relational_leaf(self, leaf)
            ]
        return super()._search(domain, offset=offset, limit=limit, order=order)

    @api.model
    def _read_group(
        self,
        domain,
        groupby=(),
        aggregates=(),
        having=(),
        offset=0,
        limit=None,
        order=None,
    ):
        """Groups by (or aggregates of) contact details ignore masked leads."""
        specs = {spec.split(":")[0].split(".")[0] for spec in (*groupby, *aggregates)}
        if specs & MASKED_SEARCH_FIELDS and not self._is_lead_manager():
            domain = expression.AND([domain, [("pool_contacts_masked", "=", False)]])
        return super()._read_group(
            domain,
            groupby=groupby,
            aggregates=aggregates,
            having=having,
            offset=offset,
            limit=limit,
            order=order,
        )

    # Chatter -----------------------------------------------------------------

    def _track_filter_for_display(self, tracking_values):
        """The chatter of a masked lead does not show the old values of its
        contact details."""
        tracking_values = super()._track_filter_for_display(tracking_values)
        if self._is_lead_manager() or not self._pool_masked_leads():
            return tracking_values
        return tracking_values.filtered(
            lambda tracking: tracking.field_id.name not in MASKED_FIELDS
        )

    def _message_get_suggested_recipients(self):
        """Nobody writes to the customer of a masked lead before claiming it."""
        recipients = super()._message_get_suggested_recipients()
        if self._is_lead_manager() or not self._pool_masked_leads():
            return recipients
        return []

    # Business ----------------------------------------------------------------

    def _pool_check_not_masked(self):
        if self._is_lead_manager():
            return
        if masked := self._pool_masked_leads():
            raise AccessError(
                _(
                    "%(leads)s is in the public pool and its contact details are "
                    "hidden: claim it before writing to its contact.",
                    leads=", ".join(masked.mapped("display_name")),
                )
            )

    def _pool_masked_leads(self):
        """Those of these leads whose contact details are masked."""
        return self.sudo().filtered(
            lambda lead: lead.in_pool and lead._get_policy_company().pool_mask_contacts
        )


def _mask_values(values, masks):
    for fname, mask in masks.items():
        if values.get(fname):
            values[fname] = mask(values[fname])


def _mask_relational_leaf(model, leaf):
    """The terms replacing ``leaf``: as it is, or false for masked leads
    (true for a negative operator) when it reaches contact details."""
    if not _reveals_contact(model, leaf):
        return [leaf]
    if leaf[1] == "!=" or leaf[1].startswith("not "):
        return ["|", ("pool_contacts_masked", "=", True), leaf]
    return ["&", leaf, ("pool_contacts_masked", "=", False)]


@contextmanager
def _fetching(model_name):
    token = _FETCHING.set(model_name)
    try:
        yield
    finally:
        _FETCHING.reset(token)


def _contact_mask(name):
    return mask_email if "email" in name or name == "reply_to" else mask_phone


def _export_mask(path):
    """The mask of an exported column (a field path as a list), or None: a
    masked field by any sub-path, or a contact detail through a relation."""
    names = [name for name in path if name not in ("id", ".id")]
    if not names:
        return None
    if names[0] in MASKED_FIELDS:
        return MASKED_FIELDS[names[0]]
    if len(names) > 1 and names[-1] in CONTACT_NAMES:
        return _contact_mask(names[-1])
    return None


def _reveals_contact(model, leaf, top=True):
    """Whether a domain leaf on ``model`` reaches contact details through a
    relation: a path ending on one (``partner_id.email``), a record searched
    by a name that includes its address (a customer ``ilike 'a@'``), or a
    sub-domain (``any``) that does. On the lead itself (``top``) its own
    stored columns are left to ``_field_to_sql``."""
    if not (isinstance(leaf, (list, tuple)) and len(leaf) == 3):
        return False
    if not isinstance(leaf[0], str):
        return False
    return _path_reveals_contact(model, leaf[0].split("."), leaf[1], leaf[2], top)


def _path_reveals_contact(model, path, operator, value, top):
    field = model._fields.get(path[0])
    if field is None:
        return False
    if len(path) == 1 and field.name in CONTACT_NAMES and not (top and field.store):
        # Beyond the lead, or a search method of its own (which may write its
        # own SQL, as phone_validation's phone_mobile_search does).
        return True
    if not field.relational:
        return False
    comodel = model.env[field.comodel_name]
    if len(path) > 1:
        return _path_reveals_contact(comodel, path[1:], operator, value, False)
    if operator in ("any", "not any"):
        return any(_reveals_contact(comodel, leaf, False) for leaf in value or ())
    values = value if isinstance(value, (list, tuple)) else [value]
    names = set(comodel._rec_names_search or [comodel._rec_name])
    return any(isinstance(v, str) for v in values) and bool(names & CONTACT_NAMES)
