# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""res.partner: the time zone of a company's contact is the company's day,
on which the pool's daily claim limits count (``crm.lead._pool_day_start_sql``):
salespeople, whom the limits bind, cannot change it."""

from odoo import _, models
from odoo.exceptions import AccessError


class ResPartner(models.Model):
    _inherit = "res.partner"

    def write(self, vals):
        if "tz" in vals:
            self._check_company_tz_write()
        return super().write(vals)

    def _check_company_tz_write(self):
        """Refuse salespeople who are not sales managers (nor administrators)
        a change of the time zone of a company's contact."""
        user = self.env.user
        if (
            self.env.su
            or not user.has_group("sales_team.group_sale_salesman")
            or user.has_group("sales_team.group_sale_manager")
            or user.has_group("base.group_system")
        ):
            return
        companies = (
            self.env["res.company"]
            .sudo()
            .with_context(active_test=False)
            .search([("partner_id", "in", self.ids)])
        )
        if companies:
            raise AccessError(
                _(
                    "The time zone of %(company)s sets the day on which the "
                    "lead pool's daily claim limits count: only sales managers "
                    "and administrators change it.",
                    company=companies[0].name,
                )
            )
