# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The seeds' languages: the key screens' strings read in each of them once
the language is installed (the translations are complete: ``./dev lint``)."""

from odoo.tests import tagged

from .common import PoolCommon

# Odoo language codes; vi.po and ro.po serve vi_VN and ro_RO.
LANGUAGES = ("zh_CN", "zh_TW", "vi_VN", "ro_RO")


@tagged("post_install", "-at_install", "lead_pool_policy")
class TestTranslations(PoolCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for lang in LANGUAGES:
            cls.env["res.lang"]._activate_lang(lang)
        cls.env["ir.module.module"]._load_module_terms(
            ["lead_pool_policy"], list(LANGUAGES), overwrite=True
        )

    def _in(self, lang):
        return self.env(context=dict(self.env.context, lang=lang))

    def test_key_screens_are_translated(self):
        lead = self._pool_lead(name="Mekong Agri")
        for lang in LANGUAGES:
            env = self._in(lang)
            with self.subTest(lang=lang):
                for xmlid, english in (
                    ("lead_pool_policy.crm_lead_menu_pool", "Public Pool"),
                    ("lead_pool_policy.crm_lead_pool_log_menu", "Pool History"),
                    ("lead_pool_policy.crm_stage_pool", "Public Pool"),
                ):
                    name = env.ref(xmlid).name
                    self.assertTrue(name)
                    self.assertNotEqual(name, english, f"{xmlid} in {lang}")
                field = env["crm.lead"]._fields["pool_recycle_deadline"]
                self.assertNotEqual(
                    field._description_string(env), "Recycle Deadline", lang
                )
                message = (
                    env["crm.lead"]
                    .browse(lead.id)
                    ._pool_claim_notification({lead.id: "claimed"}, user=self.user_rep)[
                        "params"
                    ]["message"]
                )
                self.assertIn("Mekong Agri", message)
                self.assertNotIn("is yours", message, f"claim toast in {lang}")
