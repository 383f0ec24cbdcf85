# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Masked contact details of pool leads on every read path a salesperson
has: read, web_read sub-fields, export, read_group, search and the chatter."""

from odoo.tests import tagged

from .common import PoolCommon


@tagged("post_install", "-at_install", "lead_pool_policy")
class TestPoolMasking(PoolCommon):
    """Masking on every read path, the setting on and off."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner = cls.env["res.partner"].create(
            {
                "name": "John Doe",
                "email": "john.doe@example.com",
                "phone": "+1 555 123 4567",
            }
        )

    def setUp(self):
        super().setUp()
        export = self.env.ref("base.group_allow_export")
        (self.user_rep | self.user_manager).write({"groups_id": [(4, export.id)]})

    def _masked_pool_lead(self, **values):
        lead = self._pool_lead(
            name="Masked lead",
            email_from="john.doe@example.com",
            phone="+1 555 123 4567",
            **values,
        )
        self.company.pool_mask_contacts = True
        return lead

    def test_reads_exports_and_sub_fields(self):
        lead = self._masked_pool_lead(partner_id=self.partner.id)
        as_rep = lead.with_user(self.user_rep)
        self.assertEqual(
            as_rep.read(["email_from"])[0]["email_from"], "j***@example.com"
        )
        values = as_rep.web_read(
            {
                "email_normalized": {},
                "phone_sanitized": {},
                "partner_id": {"fields": {"email": {}, "phone": {}}},
            }
        )[0]
        self.assertEqual(values["email_normalized"], "j***@example.com")
        self.assertNotIn("555 123", values["phone_sanitized"] or "")
        self.assertEqual(values["partner_id"]["email"], "j***@example.com")
        self.assertEqual(values["partner_id"]["phone"], "+1 *** *** **67")
        exported = as_rep.export_data(
            ["name", "email_from", "phone", "partner_id/email"]
        )["datas"]
        self.assertEqual(
            exported,
            [
                [
                    "Masked lead",
                    "j***@example.com",
                    "+1 *** *** **67",
                    "j***@example.com",
                ]
            ],
        )
        # Off, or for a manager: the real details.
        manager = lead.with_user(self.user_manager)
        self.assertEqual(
            manager.export_data(["email_from"])["datas"], [["john.doe@example.com"]]
        )
        self.company.pool_mask_contacts = False
        self.assertEqual(
            as_rep.read(["email_from"])[0]["email_from"], "john.doe@example.com"
        )
        self.assertEqual(
            as_rep.export_data(["email_from"])["datas"], [["john.doe@example.com"]]
        )

    def test_export_keeps_order_of_mixed_leads(self):
        pool_lead = self._masked_pool_lead()
        own = self._assigned_lead(name="Own", email_from="own@example.com")
        rows = (
            (own | pool_lead)
            .with_user(self.user_rep)
            .export_data(["name", "email_from"])["datas"]
        )
        self.assertEqual(
            rows, [["Own", "own@example.com"], ["Masked lead", "j***@example.com"]]
        )

    def test_grouping_and_searching_ignore_masked_leads(self):
        lead = self._masked_pool_lead()
        Lead = self.env["crm.lead"].with_user(self.user_rep)
        domain = [("id", "=", lead.id)]
        for fname in ("email_from", "email_normalized", "phone", "phone_sanitized"):
            self.assertFalse(Lead._read_group(domain, [fname], ["__count"]), fname)
            groups = Lead.web_read_group(domain, [fname], [fname])["groups"]
            self.assertFalse(groups, fname)
        bar = Lead.read_progress_bar(
            domain, "email_from", {"field": "type", "colors": {"lead": "info"}}
        )
        self.assertFalse(bar)
        for search in (
            [("email_from", "=like", "j%")],
            [("email_normalized", "=", "john.doe@example.com")],
            [("phone_mobile_search", "like", "4567")],
            [("phone", "ilike", "555")],
        ):
            self.assertFalse(Lead.search(domain + search), search)
        self.assertEqual(Lead.search(domain), lead, "the lead itself stays visible")
        self.assertEqual(
            Lead.search(
                domain
                + ["|", ("name", "ilike", "masked"), ("email_from", "ilike", "x")]
            ),
            lead,
            "found by its name, whatever the condition on its email",
        )
        self.assertEqual(
            Lead.search(domain + ["!", ("email_from", "=like", "j%")]),
            lead,
            "the negation of a masked condition reveals nothing either",
        )
        # Setting off, or a manager: found and grouped as usual.
        Manager = self.env["crm.lead"].with_user(self.user_manager)
        self.assertEqual(Manager.search(domain + [("email_from", "=like", "j%")]), lead)
        self.company.pool_mask_contacts = False
        self.assertEqual(Lead.search(domain + [("email_from", "=like", "j%")]), lead)
        self.assertEqual(
            Lead._read_group(domain, ["email_from"], ["__count"]),
            [("john.doe@example.com", 1)],
        )

    def test_chatter(self):
        lead = self._pool_lead(name="Chatty", email_from="old@example.com")
        self.flush_tracking()
        lead.write({"email_from": "john.doe@example.com"})
        self.flush_tracking()
        lead.message_post(
            body="Hello",
            author_id=False,
            email_from="john.doe@example.com",
            message_type="email",
        )
        self.env.flush_all()
        self.company.pool_mask_contacts = True
        from odoo.addons.mail.tools.discuss import Store

        messages = lead.message_ids.with_user(self.user_rep)
        store = Store()
        messages._to_store(store, for_current_user=True)
        result = store.get_result()["mail.message"]
        emails = {values.get("email_from") for values in result} - {False, None}
        self.assertTrue(emails)
        self.assertTrue(all("john.doe" not in email for email in emails), emails)
        tracked = [
            tracking
            for values in result
            for tracking in values.get("trackingValues", [])
            if tracking["fieldName"] == "email_from"
        ]
        self.assertFalse(tracked)
        read = messages.read(["email_from"])
        self.assertTrue(all("john.doe" not in (v["email_from"] or "") for v in read))
        self.assertEqual(
            lead.with_user(self.user_rep)._message_get_suggested_recipients(), []
        )
        # Off: the chatter reads as usual.
        self.company.pool_mask_contacts = False
        store = Store()
        messages._to_store(store, for_current_user=True)
        tracked = [
            tracking
            for values in store.get_result()["mail.message"]
            for tracking in values.get("trackingValues", [])
            if tracking["fieldName"] == "email_from"
        ]
        self.assertEqual(tracked[0]["newValue"]["value"], "john.doe@example.com")
        read = messages.read(["email_from"])
        self.assertIn("john.doe@example.com", {v["email_from"] for v in read})
        self.assertTrue(
            lead.with_user(self.user_rep)._message_get_suggested_recipients()
        )

    def test_lead_without_company_masked_by_its_team_company(self):
        no_company_team = self.env["crm.team"].create(
            {"name": "Any", "company_id": False}
        )
        lead = self._masked_pool_lead(company_id=False, team_id=no_company_team.id)
        self.assertFalse(lead.company_id)
        values = lead.with_user(self.user_rep).read(["email_from"])[0]
        self.assertEqual(values["email_from"], "j***@example.com")
        self.assertFalse(
            self.env["crm.lead"]
            .with_user(self.user_rep)
            .search([("id", "=", lead.id), ("email_from", "like", "john")])
        )

    def test_read_masks_until_claimed(self):
        lead = self._pool_lead(
            email_from="john.doe@example.com",
            phone="+1 555 123 4567",
            mobile="0612345678",
        )
        fnames = ["email_from", "phone", "mobile"]
        plain = {"email_from": "john.doe@example.com", "phone": "+1 555 123 4567"}
        rep_values = lead.with_user(self.user_rep).read(fnames)[0]
        self.assertEqual(
            rep_values["email_from"], plain["email_from"], "off by default"
        )
        self.company.pool_mask_contacts = True
        rep_values = lead.with_user(self.user_rep).read(fnames)[0]
        self.assertEqual(rep_values["email_from"], "j***@example.com")
        self.assertEqual(rep_values["phone"], "+1 *** *** **67")
        self.assertEqual(rep_values["mobile"], "061*****78")
        web = lead.with_user(self.user_rep).web_read({"email_from": {}})[0]
        self.assertEqual(web["email_from"], "j***@example.com")
        manager_values = lead.with_user(self.user_manager).read(fnames)[0]
        self.assertEqual(manager_values["email_from"], plain["email_from"])
        lead.with_user(self.user_rep).action_pool_claim()
        rep_values = lead.with_user(self.user_rep).read(fnames)[0]
        self.assertEqual(rep_values["phone"], plain["phone"], "unmasked once claimed")
