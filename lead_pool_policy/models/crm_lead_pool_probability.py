# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""crm.lead: what crm recomputes after a pool move, at the cost of the move:
the team and company of claimed leads first (``_pool_settle``), then the
predictive probability, written set-based.

A move changes a lead's stage (and its owner), so crm recomputes its
probability (``_compute_probabilities``: naive Bayes) and what follows from
it, the prorated revenues. Through the ORM that costs a compute and a
write per 1,000 leads and a currency lookup per value: most of a recycle
night. ``_pool_write_probabilities`` computes crm's probabilities for the
whole move at once (crm's own ``_pls_get_naive_bayes_probabilities``) and
writes them, and the prorated revenues, in one UPDATE, as crm's
probability cron writes them (``_update_automated_probabilities``), with
the values crm's computes give. It does so only while these computes are
crm's own: an addon overriding one of them gets the ORM's recomputation.
"""

from odoo import models
from odoo.tools import SQL

from odoo.addons.crm.models.crm_lead import Lead as CrmLeadBase

# crm's computes of the fields written here, by field.
PROBABILITY_COMPUTES = {
    "automated_probability": "_compute_probabilities",
    "probability": "_compute_probabilities",
    "prorated_revenue": "_compute_prorated_revenue",
    "recurring_revenue_prorated": "_compute_recurring_revenue_prorated",
    "recurring_revenue_monthly_prorated": (
        "_compute_recurring_revenue_monthly_prorated"
    ),
}

# What PROBABILITY_UPDATE reads of the leads besides crm's inputs.
PROBABILITY_READS = ("active", "company_id")

PROBABILITY_UPDATE = """
    UPDATE crm_lead lead
       SET automated_probability = new.value,
           probability = new.probability,
           prorated_revenue = ROUND(ROUND((COALESCE(lead.expected_revenue, 0)
                                           * new.probability / 100)::numeric, 2)
                                    / new.rounding) * new.rounding,
           recurring_revenue_prorated = ROUND(
               (COALESCE(lead.recurring_revenue, 0)
                * new.probability / 100)::numeric / new.rounding) * new.rounding,
           recurring_revenue_monthly_prorated = ROUND(
               (COALESCE(lead.recurring_revenue_monthly, 0)
                * new.probability / 100)::numeric / new.rounding) * new.rounding
      FROM (SELECT p.id, p.value,
                   -- crm's was_automated: active, and both equal at 2 digits.
                   CASE WHEN l.active
                             AND ROUND((COALESCE(l.probability, 0)
                                        - COALESCE(l.automated_probability, 0)
                                       )::numeric, 2) = 0
                        THEN p.value ELSE COALESCE(l.probability, 0)
                   END AS probability,
                   COALESCE(currency.rounding, fallback.rounding) AS rounding
              FROM unnest(%(ids)s::int[], %(values)s::float8[]) AS p(id, value)
              JOIN crm_lead l ON l.id = p.id
         LEFT JOIN res_company company ON company.id = l.company_id
         LEFT JOIN res_currency currency ON currency.id = company.currency_id
              -- crm's currency of a lead without a company.
              JOIN res_currency fallback ON fallback.id = %(currency)s
           ) new
     WHERE lead.id = new.id
"""


class CrmLead(models.Model):
    _inherit = "crm.lead"

    def _pool_settle(self, fnames):
        """Recompute ``fnames`` of these moved leads now, in order, with crm's
        computes (a claim: crm moves a lead to its new owner's team unless
        they are a member of its own, and its company may follow); what
        depends on them is recomputed only for the leads whose value
        changed. Through the ORM alone, what depends on the team would be
        recomputed for every claimed lead (its properties, its probability,
        one lead at a time)."""
        for fname in fnames:
            before = {lead: lead[fname] for lead in self}
            self.env.add_to_compute(self._fields[fname], self)
            changed = self.browse(
                lead.id for lead, value in before.items() if lead[fname] != value
            )
            if changed:
                changed.modified([fname])

    def _pool_write_probabilities(self):
        """Write crm's probability and prorated revenues of these moved leads
        (saved: their new stage and owner written, what depends on them
        marked for recomputation) in one statement, and take them off the
        ORM's recomputation. The ORM recomputes them instead when an addon
        changed how they are computed, or when something they depend on is
        itself still to recompute."""
        # In order of id: crm's naive Bayes reads its leads in the order given,
        # and gives a few of them other values in another order.
        leads = self.filtered("id").sorted("id")
        if not leads or not self._pool_probabilities_are_crms():
            return
        fields = [self._fields[fname] for fname in PROBABILITY_COMPUTES]
        inputs = {
            self._fields[path.split(".")[0]]
            for field in fields
            for path in self.pool.field_depends[field]
        } - set(fields)
        if any(leads & self.env.records_to_compute(field) for field in inputs):
            return
        # The statement reads the probabilities as saved: one changed in this
        # transaction and not yet written (flushing it would recompute it)
        # is the ORM's to follow.
        if self.env.cache.has_dirty_fields(leads, fields):
            return
        # What else the statement reads, saved (the outputs, still marked,
        # are not computed meanwhile); crm's naive Bayes reads its inputs
        # through the ORM, as its compute.
        leads.flush_recordset([*(field.name for field in inputs), *PROBABILITY_READS])
        probabilities = leads._pls_get_naive_bayes_probabilities()
        if probabilities:
            self.env.execute_query(
                SQL(
                    PROBABILITY_UPDATE,
                    ids=list(probabilities),
                    values=list(probabilities.values()),
                    currency=self.env.company.currency_id.id,
                )
            )
        # Off the ORM's recomputation first: invalidating flushes, and would
        # recompute them.
        for field in fields:
            self.env.remove_to_compute(field, leads)
        leads.invalidate_recordset([*PROBABILITY_COMPUTES, "is_automated_probability"])

    def _pool_probabilities_are_crms(self):
        """Whether the probability fields are computed by crm's own methods."""
        model = type(self)
        return all(
            self._fields[fname].compute == method
            and getattr(model, method) is getattr(CrmLeadBase, method)
            for fname, method in PROBABILITY_COMPUTES.items()
        )
