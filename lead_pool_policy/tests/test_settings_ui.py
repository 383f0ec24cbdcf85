# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""CRM › Settings and the team's Pool Policy page: Odoo's setting boxes (an
on/off rule is the checkbox of its setting, its values inside it, hidden when
it is off), the same words on both, and the company values a team's own
policy starts from and overrides."""

from lxml import etree

from odoo.tests import Form, tagged, users

from ..models.crm_lead_pool_policy_mixin import POOL_POLICY_FIELDS, RECYCLE_RULES
from .common import POLICY_SINCE, LeadPoolCommon

SETTINGS_BLOCKS = (
    "lead_pool_policy_setting_container",
    "lead_pool_policy_recycle_container",
    "lead_pool_policy_claim_container",
)
# The on/off settings of the addon: each one a setting box of its own.
SETTINGS_SWITCHES = {
    "score_sync_priority",
    "pool_recycle_uncontacted",
    "pool_recycle_unconverted",
    "pool_recycle_stale",
    "pool_batch_claim",
    "pool_return_reason_required",
    "pool_delete_to_pool",
    "pool_new_leads",
    "pool_mask_contacts",
}


@tagged("post_install", "-at_install", "lead_pool_policy")
class TestSettingsUi(LeadPoolCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, lang="en_US"))
        cls.company_a = cls.company
        cls.company_b = cls.env["res.company"].create({"name": "Pool Company B"})
        cls.tag_vip = cls.env["crm.tag"].create({"name": "VIP"})
        cls.company_a.write(
            {
                "pool_recycle_uncontacted": True,
                "pool_uncontacted_days": 7,
                "pool_recycle_stale": False,
                "pool_warning_days": 2,
                "pool_claim_daily_limit": 0,
                "pool_batch_claim": True,
                "pool_exempt_tag_ids": [(5, 0, 0)],
            }
        )
        cls.company_b.write(
            {
                "pool_recycle_uncontacted": True,
                "pool_uncontacted_days": 10,
                "pool_recycle_stale": True,
                "pool_stale_days": 45,
                "pool_warning_days": 5,
                "pool_claim_daily_limit": 8,
                "pool_batch_claim": False,
                "pool_exempt_tag_ids": [(6, 0, cls.tag_vip.ids)],
                **POLICY_SINCE,
            }
        )
        cls.team_b = cls.env["crm.team"].create(
            {"name": "Team B", "company_id": cls.company_b.id, "use_leads": True}
        )
        # The manager works in company A and may open company B's records.
        cls.user_manager.write({"company_ids": [(4, cls.company_b.id)]})
        cls.user_admin = cls.env.ref("base.user_admin")

    def _form_arch(self, model, user=None):
        Model = self.env[model].with_user(user or self.env.user)
        arch = Model.get_views([(False, "form")])["views"]["form"]["arch"]
        return etree.fromstring(arch)

    def _settings_arch(self):
        """The addon's setting blocks of CRM › Settings, as the admin gets them."""
        arch = self._form_arch("res.config.settings", self.user_admin)
        blocks = [arch.find(f".//block[@name='{name}']") for name in SETTINGS_BLOCKS]
        self.assertTrue(all(block is not None for block in blocks), SETTINGS_BLOCKS)
        return blocks

    def _team_page(self):
        page = self._form_arch("crm.team").find(".//page[@name='pool_policy']")
        self.assertIsNotNone(page, "the Pool Policy page")
        return page

    def _switch_of(self, setting, model):
        """The boolean field that is the setting's checkbox, if any."""
        first = setting[0] if len(setting) else None
        if first is None or first.tag != "field":
            return None
        if self.env[model]._fields[first.get("name")].type != "boolean":
            return None
        return first.get("name")

    def _check_setting_boxes(self, roots, model):
        """Every boolean is the checkbox of its own setting, and every other
        input of that setting is hidden while it is off. Returns the
        switches."""
        switches = set()
        for root in roots:
            for setting in root.iter("setting"):
                switch = self._switch_of(setting, model)
                # The fields of a list's lines (segments) are another model's.
                own = [
                    node
                    for node in setting.iter("field")
                    if next(node.iterancestors("field"), None) is None
                ]
                inputs = [node for node in own if node is not setting[0]]
                if switch is None:
                    inputs = own
                    for node in inputs:
                        self.assertNotEqual(
                            self.env[model]._fields[node.get("name")].type,
                            "boolean",
                            f"{node.get('name')} ({model}) is a checkbox in a row "
                            "instead of its own setting",
                        )
                    continue
                switches.add(switch)
                for node in inputs:
                    if node.get("name").startswith("pool_company_"):
                        continue  # the company's value shows either way
                    hidden = [
                        parent.get("invisible")
                        for parent in node.iterancestors()
                        if parent is not setting
                        and setting in parent.iterancestors()
                        and parent.get("invisible")
                    ]
                    self.assertIn(
                        f"not {switch}",
                        hidden,
                        f"{node.get('name')} shows while {switch} is off ({model})",
                    )
        return switches

    def _captions(self, root, model, fnames):
        """{field: (setting title, setting help, the words around the
        field)} as a page shows them."""
        Model = self.env[model]
        captions = {}
        for fname in fnames:
            nodes = [node for node in root.iter("field") if node.get("name") == fname]
            self.assertEqual(len(nodes), 1, f"{fname} once on the {model} page")
            node = nodes[0]
            setting = next(node.iterancestors("setting"))
            if setting[0] is node:
                words = node.get("string") or Model._fields[fname]._description_string(
                    self.env
                )
                title = words
            else:
                label = root.find(f".//label[@for='{fname}']")
                if label is not None:
                    words = label.get("string")
                else:  # in a sentence: "Recycle after [7] days without contact"
                    words = " ".join(" ".join(node.getparent().itertext()).split())
                title = setting.get("string") or Model._fields[
                    setting[0].get("name")
                ]._description_string(self.env)
            captions[fname] = (title, setting.get("help"), words)
        return captions

    def test_settings_rules_are_setting_boxes(self):
        """Each on/off rule is the checkbox of its setting; its day count and
        other inputs are inside it, hidden while the rule is off; day counts
        read as one sentence with their unit."""
        blocks = self._settings_arch()
        switches = self._check_setting_boxes(blocks, "res.config.settings")
        self.assertEqual(switches, SETTINGS_SWITCHES)
        for switch, days in RECYCLE_RULES.values():
            (node,) = [
                n for b in blocks for n in b.iter("field") if n.get("name") == days
            ]
            setting = next(node.iterancestors("setting"))
            self.assertEqual(self._switch_of(setting, "res.config.settings"), switch)
            self.assertTrue((node.tail or "").strip().startswith("days"), days)

    @users("lpp_manager")
    def test_team_page_uses_settings_words(self):
        """The team's Pool Policy page: the same setting boxes and the same
        words as Settings for every rule, and the same section titles."""
        page = self._team_page()
        switches = self._check_setting_boxes([page], "crm.team")
        self.assertEqual(
            switches,
            {"pool_policy_own"} | (SETTINGS_SWITCHES & set(POOL_POLICY_FIELDS)),
        )
        team_words = self._captions(page, "crm.team", POOL_POLICY_FIELDS)
        blocks = self._settings_arch()
        settings = etree.Element("settings")
        settings.extend(blocks)
        settings_words = self._captions(
            settings, "res.config.settings", POOL_POLICY_FIELDS
        )
        for fname in POOL_POLICY_FIELDS:
            self.assertEqual(team_words[fname], settings_words[fname], fname)
        titles = {block.get("title") for block in blocks} | {
            setting.get("string") for setting in settings.iter("setting")
        }
        for separator in page.iter("separator"):
            self.assertIn(separator.get("string"), titles)

    @users("lpp_manager")
    def test_team_page_shows_its_company_values(self):
        """Next to each of its values, a team shows its own company's (not the
        user's current company's), which its own policy starts from."""
        env = self.env(
            context=dict(
                self.env.context,
                allowed_company_ids=[self.company_a.id, self.company_b.id],
            )
        )
        self.assertEqual(env.company, self.company_a)
        team_b = self.team_b.with_env(env)
        self.assertRecordValues(
            team_b,
            [
                {
                    "pool_company_uncontacted": "Company: on, 10 days",
                    "pool_company_stale": "Company: on, 45 days",
                    "pool_company_warning_days": "Company: 5 days",
                    "pool_company_claim_daily_limit": "Company: 8",
                    "pool_company_batch_claim": "Company: off",
                    "pool_company_exempt_tags": "Company: VIP",
                }
            ],
        )
        self.assertRecordValues(
            self.team.with_env(env),
            [
                {
                    "pool_company_uncontacted": "Company: on, 7 days",
                    "pool_company_stale": "Company: off",
                    "pool_company_warning_days": "Company: 2 days",
                    "pool_company_claim_daily_limit": "Company: no limit",
                    "pool_company_batch_claim": "Company: on",
                    "pool_company_exempt_tags": "Company: none",
                }
            ],
        )
        # Its own policy starts from those values.
        with Form(team_b) as form:
            form.pool_policy_own = True
            self.assertEqual(form.pool_uncontacted_days, 10)
            self.assertTrue(form.pool_recycle_stale)
            self.assertEqual(form.pool_stale_days, 45)
            self.assertEqual(form.pool_claim_daily_limit, 8)
        self.assertEqual(team_b.pool_exempt_tag_ids, self.tag_vip)

    def test_team_without_company_shows_the_default_company(self):
        """A team of no company follows the default company's policy (as its
        leads without a company do): its page says so, whatever company the
        user works in."""
        team = self.env["crm.team"].create({"name": "Any company", "company_id": False})
        default = self.env["crm.lead"]._default_company()
        self.assertEqual(
            team.with_company(self.company_b).pool_company_uncontacted,
            f"Company: on, {default.pool_uncontacted_days} days"
            if default.pool_recycle_uncontacted
            else "Company: off",
        )
