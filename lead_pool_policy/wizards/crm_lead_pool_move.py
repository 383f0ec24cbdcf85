# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL


class CrmLeadPoolMove(models.TransientModel):
    _name = "crm.lead.pool.move"
    _description = "Move pool leads to another team's pool"

    lead_ids = fields.Many2many(
        "crm.lead", required=True, domain=[("in_pool", "=", True)]
    )
    team_id = fields.Many2one(
        "crm.team",
        string="To the Pool of",
        required=True,
        help="The sales team whose pool the leads move to.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        self.env["crm.lead"]._check_leads_exist(self._fields["lead_ids"], vals_list)
        return super().create(vals_list)

    def action_move(self):
        self.ensure_one()
        self.lead_ids._pool_move_to_team(self.team_id)
        return {"type": "ir.actions.act_window_close"}


class CrmLead(models.Model):
    _inherit = "crm.lead"

    def action_pool_move(self):
        """Managers: open the Move wizard for these pool leads."""
        return {
            "type": "ir.actions.act_window",
            "name": _("Move to Another Pool"),
            "res_model": "crm.lead.pool.move",
            "view_mode": "form",
            "target": "new",
            "context": {"default_lead_ids": self.filtered("in_pool").ids},
        }

    def _check_pool_team(self, team):
        """The pool these leads go to is a team of their company (return,
        move): refused in words otherwise."""
        if other := self.filtered(
            lambda lead: (
                team.company_id
                and lead.company_id
                and lead.company_id != team.company_id
            )
        ):
            raise UserError(
                _(
                    "%(team)s sells for another company than %(leads)s: choose a "
                    "team of the leads' company.",
                    team=team.name,
                    leads=", ".join(other.mapped("display_name")),
                )
            )

    def _pool_move_to_team(self, team):
        """Sales managers move pool leads into ``team``'s pool at once, with
        a history row and a note each; leads already there stay."""
        if not self._is_lead_manager():
            raise AccessError(
                _("Only sales managers move leads between the teams' pools.")
            )
        if outside := self.filtered(lambda lead: not lead.in_pool):
            raise UserError(
                _(
                    "Not in the public pool: %(leads)s. Return them to the pool first.",
                    leads=", ".join(outside.mapped("display_name")),
                )
            )
        self._check_pool_team(team)
        ids = tuple(self.ids)
        if not ids:
            return []
        leads = self.sudo()
        lead = leads._pool_column("lead")
        rows = leads._pool_move(
            {"team_id": SQL("%s", team.id)},
            SQL(
                "lead.id IN %s AND COALESCE(%s, FALSE) AND %s IS DISTINCT FROM %s",
                ids,
                lead("in_pool"),
                lead("team_id"),
                team.id,
            ),
        )
        leads._pool_record_moves(rows, "move", {"note": False})
        return rows
