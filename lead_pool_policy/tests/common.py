# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from contextlib import contextmanager
from unittest.mock import patch

from freezegun import freeze_time

from odoo import fields
from odoo.tests import TransactionCase

from odoo.addons.mail.tests.common import mail_new_test_user


class LeadPoolCommon(TransactionCase):
    """Users for each sales group, one sales team, and a small lead factory."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False))
        cls.company = cls.env.company
        groups_rep = "sales_team.group_sale_salesman,crm.group_use_lead"
        cls.user_rep = mail_new_test_user(
            cls.env, login="lpp_rep", name="Rita Rep", groups=groups_rep
        )
        cls.user_rep_2 = mail_new_test_user(
            cls.env, login="lpp_rep_2", name="Ron Rep", groups=groups_rep
        )
        cls.user_team_lead = mail_new_test_user(
            cls.env,
            login="lpp_team_lead",
            name="Tina Teamlead",
            groups="sales_team.group_sale_salesman_all_leads,crm.group_use_lead",
        )
        cls.user_manager = mail_new_test_user(
            cls.env,
            login="lpp_manager",
            name="Mona Manager",
            groups="sales_team.group_sale_manager,crm.group_use_lead",
        )
        cls.team = cls.env["crm.team"].create(
            {
                "name": "Pool Test Team",
                "use_leads": True,
                "use_opportunities": True,
                "company_id": cls.company.id,
                "user_id": cls.user_manager.id,
                "member_ids": [
                    (6, 0, (cls.user_rep | cls.user_rep_2 | cls.user_team_lead).ids)
                ],
            }
        )

    @contextmanager
    def _clock(self, when):
        """Move the clock: Python's (freezegun) and the cursor's ``now()``,
        which Odoo uses for assignment and creation dates."""
        when = fields.Datetime.to_datetime(when)
        with freeze_time(when), patch.object(self.env.cr, "now", lambda: when):
            yield

    def _flush_tracking(self):
        """Write pending tracking messages, as a commit would."""
        self.env.flush_all()
        self.env.cr.precommit.run()

    @classmethod
    def _create_lead(cls, user=None, **values):
        """Create one lead owned by ``user`` (default: the first rep)."""
        vals = {
            "name": "Test lead",
            "type": "lead",
            "team_id": cls.team.id,
            "user_id": (user if user is not None else cls.user_rep).id,
        }
        vals.update(values)
        return cls.env["crm.lead"].create(vals)

    @classmethod
    def _create_leads(cls, vals_list, user=None):
        owner = user if user is not None else cls.user_rep
        defaults = {"type": "lead", "team_id": cls.team.id, "user_id": owner.id}
        return cls.env["crm.lead"].create(
            [
                dict(defaults, name=f"Test lead {i}", **vals)
                for i, vals in enumerate(vals_list)
            ]
        )
