# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import datetime, timedelta

from odoo import fields

from odoo.addons.crm.tests.common import TestCrmCommon
from odoo.addons.mail.tests.common import mail_new_test_user

T0 = datetime(2026, 3, 2, 9, 0, 0)
# The pool policies of the tests' companies and teams apply since long before
# T0 (grace on adoption counts from the install, see test_adoption).
POLICY_SINCE = {
    "pool_uncontacted_start": T0 - timedelta(days=365),
    "pool_unconverted_start": T0 - timedelta(days=365),
    "pool_stale_start": T0 - timedelta(days=365),
    "pool_grace_date": False,
}


class LeadPoolCommon(TestCrmCommon):
    """crm's test world (``TestCrmCommon``, a ``MailCase``), plus users for each
    sales group, one sales team with the pool's policy, and a small lead factory."""

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
        (cls.env["res.company"].search([]) | cls.company).write(POLICY_SINCE)
        cls.team.write(POLICY_SINCE)

    @classmethod
    def _company_with_rep(cls, login):
        """Another company, and a salesperson who works for it only."""
        company = cls.env["res.company"].create({"name": "Pool Company B"})
        rep = mail_new_test_user(
            cls.env,
            login=login,
            groups="sales_team.group_sale_salesman",
            company_id=company.id,
            company_ids=[(6, 0, company.ids)],
        )
        return company, rep

    def _clock(self, when):
        """Move Python's clock and the cursor's ``now()`` (Odoo's helper)."""
        return self.mock_datetime_and_now(fields.Datetime.to_datetime(when))

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


class PoolCommon(LeadPoolCommon):
    """A team with its stages, and pool leads made the way the pool makes them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pool_stage = cls.env.ref("lead_pool_policy.crm_stage_pool")
        cls.stage_new = cls.env["crm.stage"].create(
            {"name": "New (pool tests)", "sequence": 1, "team_id": cls.team.id}
        )
        cls.stage_qualified = cls.env["crm.stage"].create(
            {"name": "Qualified (pool tests)", "sequence": 2, "team_id": cls.team.id}
        )
        cls.stage_won = cls.env["crm.stage"].create(
            {
                "name": "Won (pool tests)",
                "sequence": 3,
                "is_won": True,
                "team_id": cls.team.id,
            }
        )
        cls.company.write(
            {
                "pool_recycle_uncontacted": True,
                "pool_uncontacted_days": 7,
                "pool_recycle_unconverted": True,
                "pool_unconverted_days": 14,
                "pool_recycle_stale": False,
                "pool_stale_days": 30,
                "pool_delete_to_pool": True,
                "pool_batch_claim": True,
                "pool_warning_days": 2,
                "pool_claim_daily_limit": 0,
                "pool_max_open_leads": 0,
                "pool_reclaim_cooldown_days": 0,
                "pool_return_reason_required": False,
                "pool_exempt_tag_ids": [(5, 0, 0)],
                "pool_new_leads": False,
            }
        )
        cls.reason = cls.env.ref(
            "lead_pool_policy.crm_lead_pool_return_reason_unreachable"
        )
        # Pool leads already in the database (demo data) must not compete
        # with the tests' own leads for "next best lead".
        cls.env["crm.lead"].search([("in_pool", "=", True)]).active = False

    def _assigned_lead(self, user=None, **values):
        with self._clock(T0):
            lead = self._create_lead(user=user, **values)
            # Stored computes (assignment date, deadline) run at flush time.
            self.env.flush_all()
            return lead

    def _pool_lead(self, **values):
        lead = self._assigned_lead(**values)
        lead.sudo()._pool_enter("manager", "enter")
        return lead

    def _logs(self, lead, event=None):
        domain = [("lead_id", "=", lead.id)]
        if event:
            domain.append(("event", "=", event))
        return self.env["crm.lead.pool.log"].search(domain)

    def _recycle(self, when):
        with self._clock(when):
            return self.env["crm.lead"]._cron_pool_recycle()
