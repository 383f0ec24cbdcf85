# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import _, api, fields, models
from odoo.exceptions import UserError


class CrmLeadPoolReturn(models.TransientModel):
    _name = "crm.lead.pool.return"
    _description = "Return leads to the public pool"

    lead_ids = fields.Many2many("crm.lead", required=True)
    reason_id = fields.Many2one("crm.lead.pool.return.reason")
    note = fields.Text()
    reason_required = fields.Boolean(compute="_compute_reason_required")
    team_id = fields.Many2one(
        "crm.team",
        string="Into the Pool of",
        compute="_compute_team_id",
        store=True,
        readonly=False,
        domain="[('company_id', 'in', [False, company_id])]",
        help="The sales team whose pool the leads go back to: their own by default.",
    )
    company_id = fields.Many2one("res.company", compute="_compute_company_id")

    @api.model
    def default_get(self, fields_list):
        """Say which of the selected leads cannot be returned when the wizard
        opens, not after it is filled in (the return itself checks again)."""
        values = super().default_get(fields_list)
        if values.get("lead_ids"):
            ids = self._fields["lead_ids"].convert_to_cache(values["lead_ids"], self)
            self._check_returnable(self.env["crm.lead"].browse(ids).exists())
        return values

    @api.model_create_multi
    def create(self, vals_list):
        self.env["crm.lead"]._check_leads_exist(self._fields["lead_ids"], vals_list)
        return super().create(vals_list)

    @api.depends("lead_ids")
    def _compute_company_id(self):
        for wizard in self:
            wizard.company_id = wizard.lead_ids.company_id[:1]

    @api.depends("lead_ids")
    def _compute_team_id(self):
        for wizard in self:
            teams = wizard.lead_ids.team_id
            wizard.team_id = teams if len(teams) == 1 else False

    @api.depends("lead_ids")
    def _compute_reason_required(self):
        for wizard in self:
            wizard.reason_required = any(
                lead._get_pool_policy().pool_return_reason_required
                for lead in wizard.lead_ids
            )

    @api.model
    def _check_returnable(self, leads):
        """Leads in the pool, and for salespeople the leads of others, are
        not returned (``crm.lead._pool_return``)."""
        if in_pool := leads.filtered("in_pool"):
            raise UserError(
                _(
                    "Already in the public pool: %(leads)s. Select leads outside "
                    "the pool to return them.",
                    leads=", ".join(in_pool.mapped("display_name")),
                )
            )
        if not leads._is_lead_manager() and (
            others := leads.filtered(lambda lead: lead.user_id != self.env.user)
        ):
            raise UserError(
                _(
                    "You return only your own leads to the pool, not %(leads)s: "
                    "a sales manager returns the leads of other salespeople.",
                    leads=", ".join(others.mapped("display_name")),
                )
            )

    def action_return(self):
        self.ensure_one()
        # Leads of several teams without a choice keep their own teams.
        team = self.team_id if self.team_id != self.lead_ids.team_id else None
        self.lead_ids._pool_return(reason=self.reason_id, note=self.note, team=team)
        return {"type": "ir.actions.act_window_close"}
