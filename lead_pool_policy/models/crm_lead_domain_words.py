# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""crm.lead: a filter of leads in words ("Temperature = Hot and Tags is in
VIP"), for the lists of scoring rules and segments, where the domain
editor's tree takes a hundred pixels a row."""

from odoo import _, api, models
from odoo.exceptions import ValidationError
from odoo.osv import expression


class CrmLead(models.Model):
    _inherit = "crm.lead"

    @api.model
    def _lead_filter_in_words(self, record):
        """The filter of ``record`` (a rule, a segment: with
        ``_get_lead_domain``) in words; its text when it cannot be read."""
        try:
            return self._lead_domain_in_words(record._get_lead_domain())
        except ValidationError:
            return record.domain

    @api.model
    def _lead_domain_in_words(self, domain):
        """``domain`` (normalized) in the user's words; an empty one is
        every lead."""
        if not domain or domain == [expression.TRUE_LEAF]:
            return _("All leads")
        return self._domain_words(iter(domain))

    def _domain_words(self, tokens):
        token = next(tokens)
        if token == expression.AND_OPERATOR:
            return _(
                "%(left)s and %(right)s",
                left=self._domain_words(tokens),
                right=self._domain_words(tokens),
            )
        if token == expression.OR_OPERATOR:
            return _(
                "(%(left)s or %(right)s)",
                left=self._domain_words(tokens),
                right=self._domain_words(tokens),
            )
        if token == expression.NOT_OPERATOR:
            return _("not %(condition)s", condition=self._domain_words(tokens))
        return self._leaf_words(token)

    def _leaf_words(self, leaf):
        """One condition in words: the field's label (path steps joined by
        ›), the operator, and the value as the user knows it (labels of a
        selection, names of records)."""
        if leaf in (expression.TRUE_LEAF, expression.FALSE_LEAF):
            return _("All leads") if leaf == expression.TRUE_LEAF else _("No lead")
        path, operator, value = leaf
        model, labels, field = self, [], None
        for step in str(path).split("."):
            field = model._fields.get(step)
            if field is None:
                return str(leaf)
            labels.append(field._description_string(self.env))
            if field.relational:
                model = self.env[field.comodel_name]
        name = " › ".join(labels)
        if value is False and operator in ("=", "!="):
            return (
                _("%(field)s is not set", field=name)
                if operator == "="
                else _("%(field)s is set", field=name)
            )
        shown = self._value_words(field, model, value)
        if operator in ("in", "not in"):
            return (
                _("%(field)s is in %(values)s", field=name, values=shown)
                if operator == "in"
                else _("%(field)s is not in %(values)s", field=name, values=shown)
            )
        if operator in ("ilike", "not ilike", "like", "not like"):
            return (
                _("%(field)s does not contain %(value)s", field=name, value=shown)
                if operator.startswith("not")
                else _("%(field)s contains %(value)s", field=name, value=shown)
            )
        symbol = {"!=": "≠", ">=": "≥", "<=": "≤", "<>": "≠"}.get(operator, operator)
        return f"{name} {symbol} {shown}"

    def _value_words(self, field, comodel, value):
        values = value if isinstance(value, list | tuple) else [value]
        if field.type == "selection":
            labels = dict(field._description_selection(self.env))
            shown = [str(labels.get(item, item)) for item in values]
        elif field.relational and all(isinstance(item, int) for item in values):
            records = comodel.sudo().browse(values).exists()
            shown = records.mapped("display_name") or [str(item) for item in values]
        elif field.type == "boolean":
            shown = [_("yes") if item else _("no") for item in values]
        else:
            shown = [str(item) for item in values]
        return ", ".join(shown)
