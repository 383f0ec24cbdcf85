# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""crm.lead: the contact details of pool leads, masked for users who are not
sales managers when the lead's company says so (the masks themselves are in
``masking.py``).

Every way of reading a lead goes through one of these overrides: reads and
``web_read`` (``_read_format``, and the customer's sub-fields in
``web_read``), exports (``export_data``), grouping (``_read_group``, under
``read_group``, ``web_read_group`` and ``read_progress_bar``), searching
(``_search``: a condition on a masked field is false for masked leads, so
the address cannot be guessed letter by letter), the chatter (tracking values, suggested
recipients; the senders' addresses in ``mail_message.py``). Copies of pool
leads are refused to salespeople (``crm_lead_pool_guard.py``).
"""

from itertools import groupby

from odoo import api, fields, models
from odoo.osv import expression

from ..masking import mask_email, mask_phone

# Contact details hidden on pool leads from non-managers (setting).
MASKED_FIELDS = {
    "email_from": mask_email,
    "email_normalized": mask_email,
    "phone": mask_phone,
    "mobile": mask_phone,
    "phone_sanitized": mask_phone,
}
# Fields whose search or grouping would reveal the masked details.
MASKED_SEARCH_FIELDS = frozenset(MASKED_FIELDS) | {
    "phone_mobile_search",
    "email_domain_criterion",
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

    def export_data(self, fields_to_export):
        """Exports read records directly: mask the exported columns of the
        masked leads (each run of leads exported in order, lines unchanged)."""
        columns = {
            index: mask
            for index, path in enumerate(fields_to_export)
            if (mask := _export_mask(path.replace(":id", "").split("/")))
        }
        if not columns or self._is_lead_manager():
            return super().export_data(fields_to_export)
        masked = set(self._pool_masked_leads().ids)
        lines = []
        for is_masked, run in groupby(self, key=lambda lead: lead.id in masked):
            run_lines = super(
                CrmLead, self.browse([lead.id for lead in run])
            ).export_data(fields_to_export)["datas"]
            if is_masked:
                for line in run_lines:
                    for index, mask in columns.items():
                        if isinstance(line[index], str) and line[index]:
                            line[index] = mask(line[index])
            lines += run_lines
        return {"datas": lines}

    # Searching and grouping --------------------------------------------------

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        """A condition on contact details is false for masked leads (and its
        negation true): otherwise ``email_from =like 'a%'`` rebuilds an
        address a letter at a time. The other conditions of the search are
        untouched, so a search by name still finds pool leads."""
        if (
            _domain_fields(domain) & MASKED_SEARCH_FIELDS
            and not self._is_lead_manager()
        ):
            domain = _mask_domain(domain)
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

    def _pool_masked_leads(self):
        """Those of these leads whose contact details are masked."""
        return self.sudo().filtered(
            lambda lead: lead.in_pool and lead._get_policy_company().pool_mask_contacts
        )


def _mask_values(values, masks):
    for fname, mask in masks.items():
        if values.get(fname):
            values[fname] = mask(values[fname])


def _export_mask(path):
    """The mask of an exported column (a field path), or None."""
    if len(path) == 1:
        return MASKED_FIELDS.get(path[0])
    if len(path) == 2 and path[0] == "partner_id":
        return MASKED_PARTNER_FIELDS.get(path[1])
    return None


def _is_masked_leaf(leaf):
    return (
        isinstance(leaf, (list, tuple))
        and len(leaf) == 3
        and isinstance(leaf[0], str)
        and leaf[0].split(".")[0] in MASKED_SEARCH_FIELDS
    )


def _mask_domain(domain):
    """``domain`` with each condition on contact details replaced by
    ``(condition AND the lead is not masked)``: one term for one, so the
    domain's prefix structure holds."""
    result = []
    for leaf in domain:
        if _is_masked_leaf(leaf):
            result += ["&", leaf, ("pool_contacts_masked", "=", False)]
        else:
            result.append(leaf)
    return result


def _domain_fields(domain):
    """The first field of every leaf's path."""
    return {
        leaf[0].split(".")[0]
        for leaf in domain or ()
        if isinstance(leaf, (list, tuple))
        and len(leaf) == 3
        and isinstance(leaf[0], str)
    }
