# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the pool's screens offer to whom: the Leads feature, the actions
visible per group and per lead (the views' ``groups`` and ``invisible``
evaluated on real leads), the claim counters, the last return, the reports."""

import ast

from lxml import etree

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import PoolCommon


@tagged("post_install", "-at_install", "lead_pool_policy")
class TestPoolUi(PoolCommon):
    def _arch(self, user, view_type, view_ref=None):
        view_id = self.env.ref(view_ref).id if view_ref else False
        views = self.env["crm.lead"].with_user(user).get_views([(view_id, view_type)])
        return etree.fromstring(views["views"][view_type]["arch"])

    def _eval(self, expr, lead, user):
        """The view expression ``expr`` on ``lead`` as ``user`` sees it."""
        names = {
            name.id
            for name in ast.walk(ast.parse(expr.strip(), mode="eval"))
            if isinstance(name, ast.Name)
        }
        values = {"uid": user.id, "context": {}, "True": True, "False": False}
        lead = lead.with_user(user)
        for fname in names - set(values):
            value = lead[fname]
            values[fname] = value.id if hasattr(value, "_name") else value
        return safe_eval(expr, values)

    def _visible(self, node, lead, user):
        """Whether ``node``'s ``invisible`` is false on ``lead`` for ``user``."""
        expr = node.get("invisible")
        return not expr or not self._eval(expr, lead, user)

    def _readonly_fields(self, user, lead, view_type="form", view_ref=None):
        """{field name: read-only} of the view's own fields, on ``lead``."""
        arch = self._arch(user, view_type, view_ref)
        return {
            node.get("name"): bool(
                self._eval(node.get("readonly"), lead, user)
                if node.get("readonly")
                else lead._fields[node.get("name")].readonly
            )
            for node in arch.xpath("//field[not(ancestor::field)]")
            if node.get("name") not in ("pool_readonly", "pool_locked")
        }

    def _form_buttons(self, user, lead):
        """The strings of the form's header buttons ``user`` sees on ``lead``."""
        arch = self._arch(user, "form")
        return {
            button.get("string")
            for button in arch.xpath("//header/button")
            if self._visible(button, lead, user)
        }

    # Leads are first-class

    def test_leads_feature(self):
        """Installing the addon switches CRM's Leads setting on: every
        internal user has the Leads menu, those created later too (a pool of
        leads needs it)."""
        admin = self.env.ref("base.user_admin")
        self.assertTrue(admin.has_group("crm.group_use_lead"))
        if demo := self.env.ref("base.user_demo", raise_if_not_found=False):
            self.assertTrue(demo.has_group("crm.group_use_lead"))
        menus = self.env["ir.ui.menu"].with_user(admin)._visible_menu_ids()
        self.assertIn(self.env.ref("crm.crm_menu_leads").id, menus)
        # Through "Internal User", as the Settings checkbox does it.
        user = mail_new_test_user(self.env, login="lpp_plain", groups="base.group_user")
        self.assertTrue(user.has_group("crm.group_use_lead"))

    # Actions where they apply

    def test_form_actions_rep(self):
        pool_lead = self._pool_lead()
        own_lead = self._assigned_lead(user=self.user_rep)
        other_lead = self._assigned_lead(user=self.user_rep_2)
        on_pool = self._form_buttons(self.user_rep, pool_lead)
        self.assertIn("Claim", on_pool)
        for hidden in (
            "Assign",
            "Return to Pool",
            "Log Contact",
            "Convert to Opportunity",
            "Lost",
            "Won",
            "Enrich",
        ):
            self.assertNotIn(hidden, on_pool)
        on_own = self._form_buttons(self.user_rep, own_lead)
        self.assertTrue(
            {"Return to Pool", "Log Contact", "Convert to Opportunity"} <= on_own
        )
        self.assertFalse({"Claim", "Assign"} & on_own)
        on_other = self._form_buttons(self.user_rep, other_lead)
        self.assertNotIn("Return to Pool", on_other, "only on the rep's own leads")
        self.assertNotIn("Claim", on_other)

    def test_form_actions_manager(self):
        pool_lead = self._pool_lead()
        rep_lead = self._assigned_lead(user=self.user_rep)
        on_pool = self._form_buttons(self.user_manager, pool_lead)
        self.assertTrue({"Claim", "Assign"} <= on_pool)
        self.assertFalse({"Return to Pool", "Convert to Opportunity", "Lost"} & on_pool)
        on_rep_lead = self._form_buttons(self.user_manager, rep_lead)
        self.assertEqual(
            [b for b in on_rep_lead if b == "Return to Pool"], ["Return to Pool"]
        )
        self.assertFalse({"Claim", "Assign"} & on_rep_lead)

    def test_pool_ribbon(self):
        pool_lead = self._pool_lead()
        own_lead = self._assigned_lead()
        ribbon = self._arch(self.user_rep, "form").xpath(
            "//widget[@name='web_ribbon'][@title='In Pool']"
        )
        self.assertEqual(len(ribbon), 1)
        self.assertTrue(self._visible(ribbon[0], pool_lead, self.user_rep))
        self.assertFalse(self._visible(ribbon[0], own_lead, self.user_rep))

    def test_pool_views(self):
        pool_list = "lead_pool_policy.crm_lead_view_list_pool"
        rep_list = self._arch(self.user_rep, "list", pool_list)
        self.assertEqual(rep_list.get("js_class"), "lead_pool_list")
        self.assertEqual(rep_list.xpath("//header/button/@name"), ["action_pool_claim"])
        manager_list = self._arch(self.user_manager, "list", pool_list)
        self.assertEqual(
            manager_list.xpath("//header/button/@name"),
            ["action_pool_claim", "action_pool_assign", "action_pool_move"],
        )
        kanban = self._arch(
            self.user_rep, "kanban", "lead_pool_policy.crm_lead_view_kanban_pool"
        )
        self.assertEqual(kanban.get("js_class"), "lead_pool_kanban")
        [entry_date] = kanban.xpath("//field[@name='pool_entry_date']")
        self.assertIsNone(entry_date.get("widget"), "a plain date, not a due date")
        self.assertEqual(entry_date.get("options"), "{'show_time': false}")
        action = self.env.ref("lead_pool_policy.crm_lead_action_pool")
        self.assertIn("'search_default_pool_my_team': 1", action.context)

    def test_no_pool_actions_on_every_list(self):
        """Claim and Assign are buttons of the pool, Return a button of the
        leads and pipeline lists: none is an action bound to every lead list
        (the pool's, other salespeople's leads)."""
        for user in (self.user_rep, self.user_manager):
            bound = (
                self.env["ir.actions.actions"].with_user(user).get_bindings("crm.lead")
            )
            names = {action["name"] for action in bound.get("action", [])}
            self.assertFalse(
                {"Claim from Pool", "Assign from Pool", "Return to Pool"} & names
            )
        for view_ref in (
            "crm.crm_case_tree_view_leads",
            "crm.crm_case_tree_view_oppor",
        ):
            arch = self._arch(self.user_rep, "list", view_ref)
            self.assertEqual(len(arch.xpath("header")), 1, "the client reads one")
            self.assertEqual(
                arch.xpath("header/button[@name='action_pool_return']/@string"),
                ["Return to Pool"],
            )
        pool_list = self._arch(
            self.user_rep, "list", "lead_pool_policy.crm_lead_view_list_pool"
        )
        self.assertFalse(pool_list.xpath("//button[@name='action_pool_return']"))

    def test_return_wizard_says_what_cannot_be_returned(self):
        """The Return to Pool wizard refuses, when it opens, leads that are in
        the pool and, for salespeople, the leads of others."""
        own = self._assigned_lead(user=self.user_rep)
        other = self._assigned_lead(user=self.user_rep_2, name="Ron's lead")
        pool_lead = self._pool_lead(name="Pool lead")

        def open_wizard(user, leads):
            action = leads.with_user(user).action_pool_return()
            return (
                self.env[action["res_model"]]
                .with_user(user)
                .with_context(**action["context"])
                .default_get(["lead_ids"])
            )

        self.assertTrue(open_wizard(self.user_rep, own)["lead_ids"])
        with self.assertRaisesRegex(UserError, "Already in the public pool: Pool lead"):
            open_wizard(self.user_rep, own | pool_lead)
        with self.assertRaisesRegex(UserError, "not Ron's lead"):
            open_wizard(self.user_rep, own | other)
        self.assertTrue(open_wizard(self.user_manager, own | other)["lead_ids"])

    def test_team_pool_filter(self):
        other_team = self.env["crm.team"].create({"name": "Other Team"})
        mine = self._pool_lead()
        theirs = self._pool_lead(team_id=other_team.id)
        no_team = self._pool_lead(team_id=False)
        [filter_node] = etree.fromstring(
            self.env.ref("lead_pool_policy.crm_lead_view_search_pool").arch
        ).xpath("//filter[@name='pool_my_team']")
        domain = safe_eval(filter_node.get("domain"), {"uid": self.user_rep.id})
        found = (
            self.env["crm.lead"]
            .with_user(self.user_rep)
            .search(domain + [("id", "in", (mine | theirs | no_team).ids)])
        )
        self.assertEqual(found, mine | no_team)

    # Pool leads read-only

    def test_pool_readonly_per_group(self):
        """Pool leads are read-only to salespeople; team leads edit them but
        not what only managers move; managers edit them."""
        pool_lead = self._pool_lead()
        own_lead = self._assigned_lead(user=self.user_rep)
        for user, readonly, locked in (
            (self.user_rep, True, True),
            (self.user_team_lead, False, True),
            (self.user_manager, False, False),
        ):
            flags = pool_lead.with_user(user).read(["pool_readonly", "pool_locked"])[0]
            self.assertEqual(
                (flags["pool_readonly"], flags["pool_locked"]),
                (readonly, locked),
                user.login,
            )
            self.assertFalse(own_lead.with_user(user).pool_readonly)
            self.assertFalse(own_lead.with_user(user).pool_locked)

    def test_pool_lead_form_read_only(self):
        """Every field of the lead form is read-only on a pool lead for a
        salesperson (but Claim); team leads may not change its salesperson,
        team or company; nothing changes on the rep's own leads."""
        pool_lead = self._pool_lead()
        own_lead = self._assigned_lead(user=self.user_rep)
        on_pool = self._readonly_fields(self.user_rep, pool_lead)
        self.assertTrue(
            {"name", "email_from", "phone", "tag_ids", "bant_need"} <= set(on_pool)
        )
        self.assertEqual([f for f, readonly in on_pool.items() if not readonly], [])
        self.assertIn("Claim", self._form_buttons(self.user_rep, pool_lead))
        on_own = self._readonly_fields(self.user_rep, own_lead)
        for fname in ("name", "email_from", "tag_ids", "bant_need", "priority"):
            self.assertFalse(on_own[fname], fname)
        for fname in ("lead_score", "temperature", "in_pool"):
            self.assertTrue(on_own[fname], f"{fname}: read-only anyway")
        team_lead = self._readonly_fields(self.user_team_lead, pool_lead)
        self.assertFalse(team_lead["name"])
        self.assertFalse(team_lead["bant_need"])
        self.assertTrue(team_lead["user_id"])
        self.assertTrue(team_lead["team_id"])
        manager = self._readonly_fields(self.user_manager, pool_lead)
        self.assertFalse(manager["user_id"])
        self.assertFalse(manager["name"])

    def test_pool_lead_list_inline_edit_read_only(self):
        """The lists with multi-edit (leads, pipeline) edit no field of a pool
        lead for a salesperson; the pool's own list is not editable."""
        pool_lead = self._pool_lead()
        own_lead = self._assigned_lead(user=self.user_rep)
        for view_ref in (
            "crm.crm_case_tree_view_leads",
            "crm.crm_case_tree_view_oppor",
        ):
            on_pool = self._readonly_fields(self.user_rep, pool_lead, "list", view_ref)
            self.assertTrue(all(on_pool.values()), view_ref)
            on_own = self._readonly_fields(self.user_rep, own_lead, "list", view_ref)
            self.assertFalse(on_own["email_from"], view_ref)
        pool_list = self._arch(
            self.user_rep, "list", "lead_pool_policy.crm_lead_view_list_pool"
        )
        self.assertFalse(pool_list.get("editable") or pool_list.get("multi_edit"))

    # Delete to pool

    def test_delete_to_pool_per_policy(self):
        """The delete dialogs ask whether a delete moves the leads to the pool:
        for salespeople under a policy that says so, per lead's team or
        company; never for managers (their delete deletes) nor for leads a
        delete would be refused on."""
        own = self._assigned_lead(user=self.user_rep)
        own_2 = self._assigned_lead(user=self.user_rep)
        Lead = self.env["crm.lead"]
        self.assertTrue(own.with_user(self.user_rep).get_pool_delete_to_pool())
        self.assertTrue(
            (own | own_2).with_user(self.user_team_lead).get_pool_delete_to_pool()
        )
        self.assertFalse(own.with_user(self.user_manager).get_pool_delete_to_pool())
        self.assertFalse(Lead.with_user(self.user_rep).get_pool_delete_to_pool())
        pool_lead = self._pool_lead()
        self.assertFalse(
            (own | pool_lead).with_user(self.user_rep).get_pool_delete_to_pool()
        )
        # The team's own policy, then the company's.
        self.team.write({"pool_policy_own": True, "pool_delete_to_pool": False})
        self.assertFalse(own.with_user(self.user_rep).get_pool_delete_to_pool())
        self.team.write({"pool_policy_own": False})
        self.company.pool_delete_to_pool = False
        self.assertFalse(own.with_user(self.user_rep).get_pool_delete_to_pool())
        self.company.pool_delete_to_pool = True
        # Each company its own policy.
        company_b, rep_b = self._company_with_rep("lpp_rep_b_delete")
        company_b.pool_delete_to_pool = False
        lead_b = Lead.create(
            {
                "name": "B lead",
                "type": "lead",
                "company_id": company_b.id,
                "user_id": rep_b.id,
                "team_id": False,
            }
        )
        self.assertFalse(lead_b.with_user(rep_b).get_pool_delete_to_pool())
        company_b.pool_delete_to_pool = True
        self.assertTrue(lead_b.with_user(rep_b).get_pool_delete_to_pool())
        # What the dialog announced is what the delete does.
        own.with_user(self.user_rep).unlink()
        self.assertTrue(own.in_pool)
        self.assertEqual(own.pool_reason, "deleted")

    # Search filters

    def test_temperature_and_qualification_filters(self):
        """Hot, Warm, Cold, Not Scored and MQL/SQL/PQL in the leads and
        pipeline search views: Cold and Not Scored as the temperature badge
        shows them, won leads in none."""
        bant_hot = {
            "bant_budget": "approved",
            "bant_authority": "decision_maker",
            "bant_need": "confirmed",
        }
        hot = self._create_lead(name="hot", bant_timeline="within_3_months", **bant_hot)
        warm = self._create_lead(name="warm", **bant_hot)
        cold = self._create_lead(name="cold", bant_need="none")
        unscored = self._create_lead(name="unscored")
        won = self._create_lead(
            name="won", type="opportunity", bant_timeline="within_3_months", **bant_hot
        )
        won.probability = 100
        sql = self._create_lead(name="sql", qualification="sql")
        leads = hot | warm | cold | unscored | won | sql
        self.assertEqual(
            (hot | warm | cold | unscored | won).mapped("temperature"),
            ["hot", "warm", "cold", "cold", "hot"],
        )
        expected = {
            "temperature_hot": hot,
            "temperature_warm": warm,
            "temperature_cold": cold,
            "temperature_unscored": unscored | sql,
            "qualification_sql": sql,
            "qualification_mql": self.env["crm.lead"],
        }
        for view_ref in (
            "crm.view_crm_case_leads_filter",
            "crm.view_crm_case_opportunities_filter",
            "lead_pool_policy.crm_lead_view_search_pool",
        ):
            arch = self._arch(self.user_manager, "search", view_ref)
            for name, found in expected.items():
                [node] = arch.xpath(f"//filter[@name='{name}']")
                domain = safe_eval(node.get("domain"), {"uid": self.user_manager.id})
                self.assertEqual(
                    leads.search(domain + [("id", "in", leads.ids)]),
                    found,
                    f"{view_ref}: {name}",
                )

    # Counters and pool facts

    def test_claim_status(self):
        leads = self.env["crm.lead"].with_user(self.user_rep)
        self._assigned_lead(user=self.user_rep)
        self.assertEqual(
            leads.get_pool_claim_status()["label"], "Claimed today 0 · Open 1"
        )
        self.company.write({"pool_claim_daily_limit": 3, "pool_max_open_leads": 2})
        self._pool_lead().with_user(self.user_rep).action_pool_claim()
        status = leads.get_pool_claim_status()
        self.assertEqual(status["label"], "Claimed today 1 / 3 · Open 2 / 2")
        self.assertEqual(status["parts"], ["Claimed today 1 / 3", "Open 2 / 2"])
        self.assertTrue(status["limit_reached"])
        self.company.write({"pool_claim_daily_limit": 0, "pool_max_open_leads": 0})

    def test_last_return(self):
        lead = self._assigned_lead(user=self.user_rep)
        self.assertFalse(lead.pool_last_return_reason_id)
        lead.with_user(self.user_rep)._pool_return(self.reason, "Never picks up.")
        lead.invalidate_recordset()
        self.assertEqual(
            (lead.pool_last_return_reason_id, lead.pool_last_return_note),
            (self.reason, "Never picks up."),
        )
        self.assertEqual(lead.pool_last_return_user_id, self.user_rep)
        lead.with_user(self.user_rep_2).action_pool_claim()
        lead.invalidate_recordset()
        self.assertEqual(
            lead.with_user(self.user_rep_2).pool_last_return_reason_id, self.reason
        )

    # Reports

    def test_source_raw_rate(self):
        source = self.env["utm.source"].create({"name": "Trade fair (test)"})
        self._create_leads([{"source_id": source.id}] * 3)
        self._create_lead(source_id=source.id, type="opportunity")
        self.env["utm.source"]._update_conversion_stats()
        source.invalidate_recordset()
        self.assertEqual((source.lead_count, source.converted_count), (4, 1))
        self.assertAlmostEqual(source.conversion_rate_raw, 0.25)
        self.assertNotAlmostEqual(source.conversion_rate, 0.25, msg="smoothed")

    def test_pool_history_report(self):
        action = self.env.ref("lead_pool_policy.crm_lead_pool_log_action")
        self.assertNotIn("group_by", action.context or "")
        favourites = self.env["ir.filters"].search([("action_id", "=", action.id)])
        self.assertEqual(
            set(favourites.mapped("name")),
            {
                "Recycled per Salesperson per Week",
                "Claims per Salesperson",
                "Why Leads Enter the Pool",
            },
        )
        self.assertFalse(favourites.user_id, "shared with everybody")
        rules = self.env.ref("lead_pool_policy.crm_lead_scoring_rule_action")
        self.assertNotIn("group_by", rules.context or "")
