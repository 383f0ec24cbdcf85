# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""crm.lead: the pool's guard: what a user who is not a sales manager may
change, on every way into the model (create, write, copy, merge, unlink,
import, won/lost/archive), so that the rules hold for RPC as for the buttons.

Three kinds of users:

- sales managers (and code running as superuser): everything;
- team leads (``group_sale_salesman_all_leads``): see and edit every lead,
  but pool leads are only moved by Claim, and the fields that drive the
  recycle clock or exempt a lead from it are the managers';
- salespeople (reps): on top of that, pool leads are read-only until they
  claim them, and their leads change owner only through Claim, Return to Pool
  and delete-to-pool (taking a lead nobody owns outside the pool, as crm's
  Convert does, stays allowed).
"""

from odoo import _, api, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

# On pool leads, the fields only managers change (the pool's moves, team and
# company, whose policy sets the claim limits).
POOL_MANAGED_FIELDS = frozenset(
    {"user_id", "stage_id", "active", "probability", "type", "team_id", "company_id"}
)


class CrmLead(models.Model):
    _inherit = "crm.lead"

    # CRUD hooks (called by crm_lead.py) --------------------------------------

    def _get_system_field_groups(self):
        return super()._get_system_field_groups() + [
            (
                frozenset({"in_pool"}),
                False,
                _(
                    "Whether a lead is in the public pool follows its stage: use "
                    "Claim, Return to Pool or Assign (%(fields)s)."
                ),
            ),
            (
                frozenset({"date_open"}),
                True,
                _(
                    "The assignment date is set by Odoo when a salesperson is "
                    "assigned and starts the recycle clock; it cannot be edited "
                    "(%(fields)s)."
                ),
            ),
        ]

    @api.model
    def _is_pool_rep(self):
        """Salespeople who see only their own documents: pool leads are
        read-only to them until claimed."""
        return not self.env.su and not self.env.user.has_group(
            "sales_team.group_sale_salesman_all_leads"
        )

    def _pool_check_create(self, vals_list):
        """Leads created by non-managers start outside the pool, owned by
        their creator or by nobody, with no exemption from recycling."""
        if self._is_lead_manager():
            return
        is_rep = self._is_pool_rep()
        for vals in vals_list:
            if self._is_pool_stage(vals.get("stage_id")):
                raise AccessError(
                    _(
                        "Leads cannot be created in the public pool: create the "
                        "lead, then use Return to Pool."
                    )
                )
            if is_rep and vals.get("user_id") not in (None, False, self.env.uid):
                raise AccessError(
                    _(
                        "You can create leads for yourself only; a sales manager "
                        "assigns leads to other salespeople."
                    )
                )
            self._pool_check_conversion_date(vals, lambda vals=vals: [vals.get("type")])

    def _pool_check_write(self, vals):
        """Pool leads move only through Claim, Return and Assign; reps may not
        edit them before claiming them, nor give their leads away."""
        if self._is_lead_manager():
            return
        pool = self.filtered("in_pool")
        if pool and self._is_pool_rep():
            raise AccessError(
                _(
                    "%(leads)s is in the public pool: claim it before changing it.",
                    leads=", ".join(pool.mapped("display_name")),
                )
            )
        if pool and (managed := POOL_MANAGED_FIELDS.intersection(vals)):
            raise AccessError(
                _(
                    "Only sales managers assign, move, win, lose or archive leads "
                    "of the public pool (%(fields)s): claim the lead to work on it.",
                    fields=", ".join(sorted(self._fields[f].string for f in managed)),
                )
            )
        if self._is_pool_stage(vals.get("stage_id")):
            raise AccessError(
                _("Use Return to Pool to send a lead back to the public pool.")
            )
        if "user_id" in vals and self._is_pool_rep() and self._pool_gives_away(vals):
            raise AccessError(
                _(
                    "Only sales managers give leads to another salesperson: to "
                    "let a lead go, use Return to Pool; to take one, claim it "
                    "from the pool."
                )
            )
        self._pool_check_conversion_date(
            vals, lambda: [vals.get("type", lead.type) for lead in self]
        )
        if vals.get("type") == "lead" and any(
            lead.type == "opportunity" for lead in self
        ):
            raise AccessError(
                _("Only sales managers turn an opportunity back into a lead.")
            )

    def _pool_gives_away(self, vals):
        """Whether writing ``vals`` changes an owner, other than a salesperson
        taking a lead nobody owns outside the pool (as crm's Convert does)."""
        new_owner = vals["user_id"] or False
        return any(
            lead.user_id.id != new_owner
            and not (not lead.user_id and new_owner == self.env.uid)
            for lead in self
        )

    def _pool_check_conversion_date(self, vals, get_types):
        """A conversion date (which ends the "unconverted" clock) comes with
        a conversion only."""
        if vals.get("date_conversion") and any(
            type_ != "opportunity" for type_ in get_types()
        ):
            raise AccessError(
                _(
                    "The conversion date is set when a lead is converted into an "
                    "opportunity: use Convert to Opportunity."
                )
            )

    def _pool_exempt_tags(self):
        """{lead: the exempt tags it carries}."""
        return {
            lead: lead.tag_ids & lead._get_pool_policy().pool_exempt_tag_ids
            for lead in self.sudo()
        }

    def _pool_check_exempt_tags_write(self, vals):
        """Exempt tags take a lead out of recycling: only managers add or
        remove them."""
        if "tag_ids" not in vals or self._is_lead_manager():
            return
        field = self._fields["tag_ids"]
        Tag = self.env["crm.tag"].sudo()
        for lead, before in self._pool_exempt_tags().items():
            after_ids = field.convert_to_cache(vals["tag_ids"], lead)
            after = Tag.browse([i for i in after_ids if isinstance(i, int)])
            self._pool_refuse_exempt_tags(
                (before | (after & lead._get_pool_policy().pool_exempt_tag_ids))
                - (before & after)
            )

    def _pool_check_created_exempt_tags(self, vals_list):
        if any("tag_ids" in vals for vals in vals_list) and not self._is_lead_manager():
            for tags in self._pool_exempt_tags().values():
                self._pool_refuse_exempt_tags(tags)

    def _pool_refuse_exempt_tags(self, tags):
        if tags:
            raise AccessError(
                _(
                    "Only sales managers add or remove the tags that exempt a lead "
                    "from recycling (%(tags)s).",
                    tags=", ".join(tags.sudo().mapped("name")),
                )
            )

    def _pool_check_copy(self):
        # A copy is a lead outside the pool, with the contact details unmasked.
        if not self._is_lead_manager() and self.filtered("in_pool"):
            raise AccessError(
                _(
                    "Leads of the public pool cannot be duplicated: claim the "
                    "lead first."
                )
            )

    def _pool_check_merge(self):
        if not self._is_lead_manager() and self.filtered("in_pool"):
            raise AccessError(
                _(
                    "Leads of the public pool are merged by sales managers only: "
                    "claim the lead first."
                )
            )

    # ORM overrides -------------------------------------------------------------

    def copy_data(self, default=None):
        self._pool_check_copy()
        vals_list = super().copy_data(default=default)
        if not self._is_lead_manager():
            # The copy gets its assignment date from its owner, like any new lead.
            for vals in vals_list:
                vals.pop("date_open", None)
        return vals_list

    @api.depends("partner_id.email")
    def _compute_email_from(self):
        kept = self._pool_keep_stored("email_from")
        return super(CrmLead, self - kept)._compute_email_from()

    @api.depends("partner_id.phone")
    def _compute_phone(self):
        kept = self._pool_keep_stored("phone")
        return super(CrmLead, self - kept)._compute_phone()

    def _pool_keep_stored(self, fname):
        """crm copies the customer's address into its leads when it changes:
        a salesperson changing a shared customer (through their own lead)
        does not rewrite a pool lead's details. Those leads keep their stored
        value; returns them."""
        if self._is_lead_manager():
            return self.browse()
        kept = self.filtered(lambda lead: lead.id and lead.in_pool)
        if kept:
            rows = self.env.execute_query(
                SQL(
                    "SELECT id, %s FROM crm_lead WHERE id IN %s",
                    SQL.identifier(fname),
                    tuple(kept.ids),
                )
            )
            for lead_id, value in rows:
                self.browse(lead_id)[fname] = value
        return kept

    def message_subscribe(self, partner_ids=None, subtype_ids=None):
        """Odoo lets whoever reads a document follow it; following a pool
        lead would mail its messages (the customer's among them) to a
        salesperson who has not claimed it: they follow what they may change."""
        if not self._is_lead_manager() and self.filtered("in_pool"):
            self.check_access("write")
        return super().message_subscribe(
            partner_ids=partner_ids, subtype_ids=subtype_ids
        )

    def _merge_opportunity(
        self, user_id=False, team_id=False, auto_unlink=True, max_length=5
    ):
        self._pool_check_merge()
        return super()._merge_opportunity(
            user_id=user_id,
            team_id=team_id,
            auto_unlink=auto_unlink,
            max_length=max_length,
        )

    # Business ----------------------------------------------------------------

    @api.model
    def _is_pool_stage(self, stage_id):
        return bool(stage_id) and self.env["crm.stage"].sudo().browse(stage_id).is_pool
