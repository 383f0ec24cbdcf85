# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""mail.render.mixin: templates are not rendered on masked pool leads for
salespeople (a template's preview or its e-mail would show, or mail, the
hidden address); every renderer (templates, their preview, the composer,
mass mailings) renders through ``_render_template``."""

from odoo import api, models


class MailRenderMixin(models.AbstractModel):
    _inherit = "mail.render.mixin"

    @api.model
    def _render_template(
        self,
        template_src,
        model,
        res_ids,
        engine="inline_template",
        add_context=None,
        options=None,
    ):
        if model == "crm.lead" and res_ids:
            self.env["crm.lead"].browse(res_ids)._pool_check_not_masked()
        return super()._render_template(
            template_src,
            model,
            res_ids,
            engine=engine,
            add_context=add_context,
            options=options,
        )
