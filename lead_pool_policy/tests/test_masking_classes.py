# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Masking closes classes of paths, not a list of them: every stored contact
detail of a lead, its own or its customer's, found by enumeration, is
checked on search, ordering, grouping and export, by sub-path and through
the relations that lead back to the lead."""

from odoo.tests import tagged

from .common import PoolCommon

CONTACT_WORDS = ("email", "phone", "mobile", "reply_to")


def contact_fields(model):
    """The stored text fields of ``model`` that hold a contact detail."""
    return sorted(
        fname
        for fname, field in model._fields.items()
        if field.store
        and field.type in ("char", "text")
        and any(word in fname for word in CONTACT_WORDS)
    )


@tagged("post_install", "-at_install", "lead_pool_policy")
class TestMaskingClasses(PoolCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        export = cls.env.ref("base.group_allow_export")
        cls.user_rep.write({"groups_id": [(4, export.id)]})
        cls.partner = cls.env["res.partner"].create(
            {
                "name": "Anna Customer",
                "email": "anna@example.com",
                "phone": "+1 555 000 1111",
                "mobile": "+1 555 000 2222",
            }
        )
        values = {
            "email_from": "anna@example.com",
            "email_cc": "boss@example.com",
            "phone": "+1 555 000 1111",
            "mobile": "+1 555 000 2222",
        }
        # Opportunities (the customer's opportunity_ids lists those), the
        # rep's own one with the same customer and details: a way back to
        # the pool lead, and a neighbour in every ordering and grouping.
        cls.masked, cls.own = cls._create_leads(
            [dict(values, type="opportunity", partner_id=cls.partner.id)] * 2
        )
        cls.masked.name = "Masked"
        cls.masked.sudo()._pool_enter("manager", "enter")
        cls.company.pool_mask_contacts = True
        cls.Lead = cls.env["crm.lead"].with_user(cls.user_rep)
        cls.scope = [("id", "in", (cls.masked | cls.own).ids)]

    def test_enumerated_fields_are_all_masked(self):
        from ..models.crm_lead_pool_masking import CONTACT_NAMES, MASKED_FIELDS

        lead_fields = contact_fields(self.env["crm.lead"])
        partner_fields = contact_fields(self.env["res.partner"])
        self.assertIn("email_from", lead_fields)
        self.assertIn("email", partner_fields)
        self.assertFalse(set(lead_fields) - set(MASKED_FIELDS), "unmasked lead field")
        self.assertFalse(set(partner_fields) - CONTACT_NAMES, "unmasked partner field")

    def _masked_value(self, path):
        record = self.masked
        for name in path.split("."):
            record = record[name]
        return record

    def test_search_order_group_and_export(self):
        paths = contact_fields(self.env["crm.lead"]) + [
            f"partner_id.{fname}" for fname in contact_fields(self.env["res.partner"])
        ]
        for path in paths:
            real = self._masked_value(path)
            if not real:
                continue
            with self.subTest(path):
                for operator, value in (
                    ("=like", real[:1] + "%"),
                    ("ilike", real[:4]),
                    ("=", real),
                    ("in", [real]),
                ):
                    found = self.Lead.search(self.scope + [(path, operator, value)])
                    self.assertNotIn(self.masked, found, (path, operator))
                for operator, value in (("not ilike", real[:4]), ("!=", real)):
                    found = self.Lead.search(self.scope + [(path, operator, value)])
                    self.assertIn(self.masked, found, (path, operator))
                export = "/".join(path.split("."))
                for column in (export, f"{export}/id", f"{export}/.id"):
                    rows = self.masked.with_user(self.user_rep).export_data([column])
                    self.assertNotIn(real, str(rows), column)
        # Stored columns: the masked lead orders with empty values, its
        # neighbour (the same details) with its own.
        for fname in contact_fields(self.env["crm.lead"]):
            real = self.masked[fname]
            if not real or self.own[fname] != real:
                continue
            with self.subTest(fname):
                for direction in ("asc", "desc"):
                    ordered = self.Lead.search(
                        self.scope, order=f"{fname} {direction}, id"
                    )
                    # PostgreSQL puts empty values last when ascending.
                    expected = self.own | self.masked
                    if direction == "desc":
                        expected = self.masked | self.own
                    self.assertEqual(ordered, expected, direction)
                # Grouped by a contact detail, a masked lead is in no group.
                groups = dict(self.Lead._read_group(self.scope, [fname], ["__count"]))
                self.assertEqual(groups, {real: 1})
                [[values]] = self.Lead._read_group(
                    self.scope, [], [f"{fname}:array_agg"]
                )
                self.assertEqual(values.count(real), 1)

    def test_customer_found_by_its_address(self):
        for domain in (
            [("partner_id", "ilike", "anna@")],
            [("partner_id", "any", [("email", "=like", "a%")])],
            [("message_partner_ids", "ilike", "anna@")],
            [("partner_id.child_ids.email", "=like", "a%")],
        ):
            with self.subTest(domain):
                self.assertNotIn(self.masked, self.Lead.search(self.scope + domain))
        # The manager's search is untouched.
        manager = self.env["crm.lead"].with_user(self.user_manager)
        self.assertIn(
            self.masked, manager.search(self.scope + [("partner_id", "ilike", "anna@")])
        )

    def test_relations_back_to_the_lead(self):
        # The rep's own opportunity shows the address, the pool one its mask.
        rows = self.partner.with_user(self.user_rep).export_data(
            ["opportunity_ids/email_from"]
        )
        self.assertIn("a***@example.com", str(rows))
        for record, columns in (
            (self.partner, ["opportunity_ids/email_from", "opportunity_ids/phone"]),
            (self.own, ["duplicate_lead_ids/email_from"]),
            (self.own, ["partner_id/opportunity_ids/email_from"]),
        ):
            with self.subTest(columns):
                rows = str(record.with_user(self.user_rep).export_data(columns))
                self.assertLessEqual(rows.count("anna@example.com"), 1)
        event_type = self.env["crm.lead.engagement.type"].search([], limit=1)
        event = self.env["crm.lead.engagement"].create(
            {"lead_id": self.masked.id, "type_id": event_type.id}
        )
        rows = event.with_user(self.user_rep).export_data(["lead_id/email_from"])
        self.assertNotIn("anna@example.com", str(rows))
        found = (
            self.env["crm.lead.engagement"]
            .with_user(self.user_rep)
            .search([("id", "=", event.id), ("lead_id.email_from", "=like", "a%")])
        )
        self.assertFalse(found)

    def test_messages_addresses(self):
        message = self.masked.message_post(
            body="Hi",
            author_id=False,
            email_from="anna@example.com",
            reply_to="anna@example.com",
            message_type="email",
        )
        Message = self.env["mail.message"].with_user(self.user_rep)
        values = Message.browse(message.id).read(["email_from", "reply_to"])[0]
        self.assertNotIn("anna", values["email_from"] + values["reply_to"])
        for fname in ("email_from", "reply_to"):
            found = Message.search([("id", "=", message.id), (fname, "=like", "a%")])
            self.assertFalse(found, fname)
        found = self.Lead.search(
            self.scope + [("message_ids.email_from", "=like", "a%")]
        )
        self.assertNotIn(self.masked, found)
