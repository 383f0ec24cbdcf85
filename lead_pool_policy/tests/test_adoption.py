# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Adoption on a live CRM: installing on existing leads, switching a rule on
or shortening it, and uninstalling never empty a pipeline overnight nor
recycle a lead without its owner's warning."""

from datetime import timedelta

from odoo.tests import tagged
from odoo.tools import SQL
from odoo.tools.sql import column_exists

from ..hooks import INSTALL_COLUMNS, post_init_hook, pre_init_hook, uninstall_hook
from ..models.crm_lead_pool_policy_mixin import POOL_GRACE_FIELDS, RULE_START_FIELDS
from .common import T0, PoolCommon

INSTALL = T0 + timedelta(days=100)


@tagged("post_install", "-at_install", "lead_pool_policy")
class TestAdoption(PoolCommon):
    def _install_at(self, when):
        """What installing the addon at ``when`` does to the companies and
        teams that exist (their rule start columns are new: the ORM fills
        them with the fields' default, now) and then to the leads
        (post_init_hook)."""
        self.env.flush_all()
        for model in ("res.company", "crm.team"):
            records = self.env[model]
            self.env.cr.execute(
                SQL(
                    "UPDATE %s SET %s",
                    SQL.identifier(records._table),
                    SQL(", ").join(
                        SQL("%s = NULL", SQL.identifier(fname))
                        for fname in POOL_GRACE_FIELDS
                    ),
                )
            )
            with self._clock(when):
                for fname in RULE_START_FIELDS.values():
                    records._init_column(fname)
            records.invalidate_model(POOL_GRACE_FIELDS)
        with self._clock(when):
            post_init_hook(self.env)
        self.env.invalidate_all()

    def _warned(self, leads):
        warning = self.env.ref("lead_pool_policy.mail_activity_type_recycle_warning")
        return leads.filtered(
            lambda lead: warning in lead.activity_ids.activity_type_id
        )

    def test_install_grace(self):
        """Leads assigned long before the install: every clock starts at the
        install, nothing is recycled before the rule's days have passed since,
        and owners are warned first."""
        with self._clock(T0 - timedelta(days=1)):
            self.company.pool_recycle_stale = True
        uncontacted = self._assigned_lead(name="assigned, never contacted")
        contacted = self._assigned_lead(name="contacted, not converted")
        with self._clock(T0 + timedelta(days=1)):
            contacted._register_contact_attempt()
        opportunity = self._assigned_lead(name="opportunity", type="opportunity")
        leads = uncontacted | contacted | opportunity
        self.assertTrue(
            all(lead.pool_recycle_deadline < INSTALL for lead in leads),
            "without grace every lead would be overdue at the install",
        )

        self._install_at(INSTALL)

        expected = {
            uncontacted: (INSTALL + timedelta(days=7), "uncontacted"),
            contacted: (INSTALL + timedelta(days=14), "unconverted"),
            opportunity: (INSTALL + timedelta(days=7), "uncontacted"),
        }
        for lead, values in expected.items():
            self.assertEqual(
                (lead.pool_recycle_deadline, lead.pool_recycle_rule), values, lead.name
            )
        self.assertEqual(self.company.pool_uncontacted_start, INSTALL)
        self.assertEqual(self._recycle(INSTALL + timedelta(hours=1)), 0)
        self.assertEqual(self._recycle(INSTALL + timedelta(days=6, hours=23)), 0)
        self.assertEqual(
            self._warned(leads), uncontacted | opportunity, "warned 2 days before"
        )
        self.assertEqual(self._recycle(INSTALL + timedelta(days=7, hours=1)), 2)
        self.assertEqual(leads.filtered("in_pool"), uncontacted | opportunity)
        self.assertFalse(contacted.in_pool)
        self.assertEqual(self._recycle(INSTALL + timedelta(days=14, hours=1)), 1)

    def test_install_columns_cover_the_fields(self):
        """pre_init_hook runs before the addon's models are loaded: its list
        of columns matches the fields, all of them."""
        leads = self.env["crm.lead"]
        for name, (column_type, _value, not_null) in INSTALL_COLUMNS.items():
            field = leads._fields[name]
            self.assertEqual(field.column_type[0], column_type, name)
            self.assertEqual(bool(field.required), not_null, name)
        ours = self.env["ir.model.data"].search(
            [("module", "=", "lead_pool_policy"), ("model", "=", "ir.model.fields")]
        )
        stored = (
            self.env["ir.model.fields"]
            .browse(ours.mapped("res_id"))
            .filtered(lambda f: f.model == "crm.lead" and f.store)
        )
        columns = {f.name for f in stored if leads._fields[f.name].column_type}
        self.assertEqual(
            columns,
            set(INSTALL_COLUMNS),
            "a new lead column must be in hooks.INSTALL_COLUMNS: else the ORM "
            "computes or fills it lead by lead, or column by column, at install",
        )

    def test_install_creates_columns_set_based(self):
        """pre_init_hook creates the lead columns with each existing lead's
        install value (defaults, BANT not asked, not in a pool), so that the
        ORM computes nothing lead by lead."""
        lead = self._assigned_lead()
        self.env.flush_all()
        fnames = ("bant_need", "bant_met_count", "contact_count", "in_pool")
        self.env.cr.execute(
            SQL(
                "ALTER TABLE crm_lead %s",
                SQL(", ").join(
                    SQL("DROP COLUMN %s CASCADE", SQL.identifier(fname))
                    for fname in (*fnames, "pool_recycle_deadline")
                ),
            )
        )
        pre_init_hook(self.env)
        self.assertTrue(column_exists(self.env.cr, "crm_lead", "pool_recycle_deadline"))
        rows = self.env.execute_query(
            SQL(
                "SELECT COUNT(*), COUNT(*) FILTER (WHERE bant_need = 'unknown'"
                " AND bant_met_count = 0 AND contact_count = 0 AND NOT in_pool"
                " AND pool_recycle_deadline IS NULL) FROM crm_lead"
            )
        )
        self.assertEqual(rows[0][0], rows[0][1])
        nullable = self.env.execute_query(
            SQL(
                "SELECT is_nullable FROM information_schema.columns"
                " WHERE table_name = 'crm_lead' AND column_name = 'bant_need'"
            )
        )
        self.assertEqual(nullable, [("NO",)], "required: NOT NULL from the start")
        self.env.invalidate_all()
        self.assertEqual(lead.bant_need, "unknown")

    def test_rule_switched_on(self):
        """An opportunity untouched for months: switching the stale rule on
        starts its clock now, and its owner is warned before it goes."""
        opportunity = self._assigned_lead(type="opportunity")
        with self._clock(T0 + timedelta(days=1)):
            opportunity._register_contact_attempt()
        self.company.pool_recycle_uncontacted = False
        switched = T0 + timedelta(days=90)
        with self._clock(switched):
            self.company.write({"pool_recycle_stale": True, "pool_stale_days": 30})
        self.assertEqual(self.company.pool_stale_start, switched)
        self.assertEqual(
            opportunity.pool_recycle_deadline, switched + timedelta(days=30)
        )
        self.assertEqual(self._recycle(switched + timedelta(hours=1)), 0)
        self.assertEqual(self._recycle(switched + timedelta(days=28, hours=1)), 0)
        self.assertEqual(self._warned(opportunity), opportunity)
        self.assertEqual(self._recycle(switched + timedelta(days=30, hours=1)), 1)

    def test_rule_switched_on_short_delay(self):
        """A rule switched on with a delay shorter than the warning window
        still warns for the whole window."""
        self.company.write({"pool_recycle_uncontacted": False, "pool_warning_days": 3})
        lead = self._assigned_lead()
        switched = T0 + timedelta(days=10)
        with self._clock(switched):
            self.company.write(
                {"pool_recycle_uncontacted": True, "pool_uncontacted_days": 1}
            )
        self.assertEqual(lead.pool_recycle_deadline, switched + timedelta(days=3))

    def test_rule_shortened(self):
        """Shortening a delay brings deadlines forward, but never before the
        change plus the warning days; a lead already past the new delay is
        warned, then recycled."""
        contacted = self._assigned_lead(name="contacted")
        with self._clock(T0 + timedelta(days=1)):
            contacted._register_contact_attempt()
        with self._clock(T0 + timedelta(days=8)):
            fresh = self._create_lead(name="assigned later", user=self.user_rep_2)
            self.env.flush_all()
        self.assertEqual(
            contacted.pool_recycle_deadline, T0 + timedelta(days=15), "1 + 14 days"
        )
        changed = T0 + timedelta(days=10)
        with self._clock(changed):
            self.company.write({"pool_unconverted_days": 5, "pool_uncontacted_days": 3})
        self.assertEqual(self.company.pool_grace_date, changed)
        self.assertEqual(
            contacted.pool_recycle_deadline,
            changed + timedelta(days=2),
            "1 + 5 days is past: the warning window instead",
        )
        self.assertEqual(
            fresh.pool_recycle_deadline,
            changed + timedelta(days=2),
            "8 + 3 days is within the window: the window",
        )
        self.assertEqual(self._recycle(changed + timedelta(hours=1)), 0)
        self.assertEqual(self._warned(contacted | fresh), contacted | fresh)
        self.assertEqual(self._recycle(changed + timedelta(days=2, hours=1)), 2)
        # Later assignments follow the shortened delay.
        with self._clock(changed + timedelta(days=5)):
            later = self._create_lead()
            self.env.flush_all()
        self.assertEqual(later.pool_recycle_deadline, changed + timedelta(days=8))

    def test_lengthened_is_not_tightened(self):
        """Lengthening a delay or switching a rule off is no tightening: no
        grace date, deadlines move as the rules say."""
        lead = self._assigned_lead()
        with self._clock(T0 + timedelta(days=3)):
            self.company.write(
                {"pool_uncontacted_days": 10, "pool_recycle_stale": False}
            )
        self.assertFalse(self.company.pool_grace_date)
        self.assertEqual(lead.pool_recycle_deadline, T0 + timedelta(days=10))

    def test_exempt_tag_removed(self):
        """A lead losing its exemption because the tag left the policy is
        warned before it goes."""
        vip = self.env["crm.tag"].create({"name": "Adoption VIP"})
        self.company.pool_exempt_tag_ids = vip
        lead = self._assigned_lead(tag_ids=[(6, 0, vip.ids)])
        self.assertFalse(lead.pool_recycle_deadline)
        removed = T0 + timedelta(days=30)
        with self._clock(removed):
            self.company.pool_exempt_tag_ids = False
        self.assertEqual(lead.pool_recycle_deadline, removed + timedelta(days=2))

    def test_team_policy_switches(self):
        """A team taking its own, stricter policy, or going back to the
        company's, warns its owners first; a team rule the company also has
        keeps the company's clock."""
        lead = self._assigned_lead()
        taken = T0 + timedelta(days=5)
        with self._clock(taken):
            self.team.write({"pool_policy_own": True, "pool_uncontacted_days": 3})
        self.assertEqual(
            self.team.pool_uncontacted_start, self.company.pool_uncontacted_start
        )
        self.assertEqual(self.team.pool_grace_date, taken)
        self.assertEqual(lead.pool_recycle_deadline, taken + timedelta(days=2))
        with self._clock(taken):
            self.team.write({"pool_recycle_uncontacted": False})
        self.assertFalse(lead.pool_recycle_deadline)
        back = T0 + timedelta(days=30)
        with self._clock(back):
            self.team.pool_policy_own = False
        self.assertEqual(self.team.pool_grace_date, back)
        self.assertEqual(lead.pool_recycle_deadline, back + timedelta(days=2))

    def test_uninstall_hook(self):
        """Uninstalling leaves every lead in a stage that outlives the addon:
        pool leads unassigned in their previous stage (else their team's
        first), archived ones too; recycle warnings go, reminders become
        To-Dos; the pool stage and the activity types can then be deleted."""
        qualified = self._pool_lead(stage_id=self.stage_qualified.id)
        won_before = self._pool_lead()
        self.env.cr.execute(
            "UPDATE crm_lead SET pool_previous_stage_id = %s WHERE id = %s",
            [self.stage_won.id, won_before.id],
        )
        archived = self._pool_lead(stage_id=self.stage_new.id)
        archived.sudo().active = False
        kept = self._assigned_lead()
        warning_type = self.env.ref(
            "lead_pool_policy.mail_activity_type_recycle_warning"
        )
        reminder_type = self.env.ref(
            "lead_pool_policy.mail_activity_type_qualify_or_return"
        )
        kept.activity_schedule(
            activity_type_id=warning_type.id, user_id=self.user_rep.id
        )
        reminder = kept.activity_schedule(
            activity_type_id=reminder_type.id, user_id=self.user_rep.id, summary=""
        )
        self.env.invalidate_all()

        uninstall_hook(self.env)

        self.env.invalidate_all()
        self.assertEqual(qualified.stage_id, self.stage_qualified)
        self.assertEqual(won_before.stage_id, self.stage_new, "team's first stage")
        self.assertEqual(archived.stage_id, self.stage_new)
        for lead in qualified | won_before | archived:
            self.assertFalse(lead.user_id)
            self.assertFalse(lead.in_pool)
            self.assertEqual(lead.pool_previous_user_id, self.user_rep, "history kept")
        self.assertEqual(kept.user_id, self.user_rep)
        self.assertFalse(
            self.env["mail.activity"].search(
                [("activity_type_id", "=", warning_type.id)]
            )
        )
        self.assertEqual(
            reminder.activity_type_id, self.env.ref("mail.mail_activity_data_todo")
        )
        self.assertEqual(reminder.summary, reminder_type.summary)
        # What the uninstall then deletes goes without an error.
        with self.env.cr.savepoint():
            self.pool_stage.unlink()
            (warning_type | reminder_type).unlink()
