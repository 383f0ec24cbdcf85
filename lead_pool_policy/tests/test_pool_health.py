# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Pool Health: the three reports on a hand-made history, and the pool's
figures on the sales teams' dashboard cards."""

from datetime import date, datetime, timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import T0, PoolCommon


@tagged("post_install", "-at_install", "lead_pool_policy")
class TestPoolHealth(PoolCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.team_b = cls.env["crm.team"].create(
            {
                "name": "Pool Health Team B",
                "use_leads": True,
                "use_opportunities": True,
                "company_id": cls.company.id,
                "member_ids": [(6, 0, cls.user_rep_2.ids)],
            }
        )
        cls.partner = cls.env["res.partner"].create({"name": "Pool Health Customer"})

    def _log(self, when, event, reason=None, before=None, after=None, team=None):
        return (
            self.env["crm.lead.pool.log"]
            .sudo()
            .create(
                {
                    "date": when,
                    "lead_name": f"{event} {when}",
                    "event": event,
                    "reason": reason,
                    "owner_before_id": before.id if before else False,
                    "owner_after_id": after.id if after else False,
                    "team_id": (team or self.team).id,
                    "company_id": self.company.id,
                }
            )
        )

    def _lead_at(self, when, user, team=None, **values):
        """A lead given to ``user`` at ``when`` (its recycle clock starts then)."""
        with self._clock(when):
            lead = self._create_lead(
                user=user, team_id=(team or self.team).id, **values
            )
            self.env.flush_all()
        return lead

    def _pool_lead_at(self, when, user, team=None, **values):
        """A lead of ``user``'s, sent to the pool the next day."""
        lead = self._lead_at(when, user, team=team, **values)
        with self._clock(fields.Datetime.to_datetime(when) + timedelta(days=1)):
            lead.sudo()._pool_enter("manager", "enter")
        return lead

    def _grouped(self, model, domain, groupby, aggregates):
        """{group key: aggregates} of ``model``'s report rows of the test
        teams (the demo data's teams left out); many2one keys as records,
        dates as dates."""
        domain = [("team_id", "in", (self.team | self.team_b).ids), *domain]
        result = {}
        for row in self.env[model]._read_group(domain, groupby, aggregates):
            keys = tuple(
                key.date() if isinstance(key, datetime) else key
                for key in row[: len(groupby)]
            )
            values = row[len(groupby) :]
            result[keys[0] if len(keys) == 1 else keys] = (
                values[0] if len(values) == 1 else values
            )
        return result

    # Entries and exits ------------------------------------------------------

    def test_flow_per_week_and_reason(self):
        """Entries count up by reason, claims and assignments count down,
        per week; moves between pools, extensions and purges are neither."""
        rep, rep_2 = self.user_rep, self.user_rep_2
        # The week of Monday 2 March 2026 (noon: no time zone crosses a day).
        self._log("2026-03-03 12:00:00", "recycle", "uncontacted", before=rep)
        self._log("2026-03-03 12:00:00", "recycle", "uncontacted", before=rep_2)
        self._log("2026-03-04 12:00:00", "return", "returned", before=rep)
        self._log("2026-03-04 12:00:00", "enter", "new")
        self._log("2026-03-05 12:00:00", "claim", after=rep)
        # The week of Monday 9 March.
        self._log("2026-03-10 12:00:00", "recycle", "unconverted", before=rep)
        self._log("2026-03-11 12:00:00", "delete", "deleted", before=rep_2)
        self._log("2026-03-11 12:00:00", "assign", after=rep_2)
        self._log("2026-03-12 12:00:00", "assign", after=rep_2, team=self.team_b)
        self._log("2026-03-12 12:00:00", "move", "manager")
        self._log("2026-03-12 12:00:00", "extend")
        self._log("2026-03-12 12:00:00", "purge", before=rep)

        flow = "crm.lead.pool.health.flow"
        per_week = self._grouped(
            flow,
            [],
            ["date:week", "movement"],
            ["entry_count:sum", "exit_count:sum", "net_count:sum"],
        )
        # Weeks start on the user's language's first day (Sunday in English).
        week_1, week_2 = sorted({week for week, _movement in per_week})
        self.assertTrue(week_1 <= date(2026, 3, 3) < week_2 <= date(2026, 3, 10))
        self.assertEqual(
            per_week,
            {
                (week_1, "uncontacted"): (2, 0, 2),
                (week_1, "returned"): (1, 0, 1),
                (week_1, "new"): (1, 0, 1),
                (week_1, "claim"): (0, 1, -1),
                (week_2, "unconverted"): (1, 0, 1),
                (week_2, "deleted"): (1, 0, 1),
                (week_2, "assign"): (0, 2, -2),
            },
        )
        self.assertEqual(
            self._grouped(flow, [], ["date:week"], ["net_count:sum"]),
            {week_1: 3, week_2: 0},
        )
        # Entries are the salesperson's who lost the lead, exits the taker's.
        self.assertEqual(
            self._grouped(flow, [], ["user_id", "direction"], ["__count"]),
            {
                (rep, "in"): 3,
                (rep_2, "in"): 2,
                (rep, "out"): 1,
                (rep_2, "out"): 2,
                (self.env["res.users"], "in"): 1,
            },
        )
        self.assertEqual(
            self._grouped(flow, [], ["team_id"], ["exit_count:sum"]),
            {self.team: 2, self.team_b: 1},
        )

    # Due recycles -----------------------------------------------------------

    def test_due_recycles_per_rep(self):
        """Assigned leads with a recycle deadline, per salesperson; the
        report's filter keeps the next 14 days and the leads already due."""
        rep, rep_2 = self.user_rep, self.user_rep_2
        # Not contacted within 7 days of getting it: the deadline.
        self._lead_at(T0 - timedelta(days=9), rep)  # due 2026-02-28: overdue
        self._lead_at(T0 - timedelta(days=3), rep)  # due 2026-03-06
        self._lead_at(T0 + timedelta(days=2), rep)  # due 2026-03-11
        self._lead_at(T0 + timedelta(days=5), rep_2, team=self.team_b)  # 03-14
        self._lead_at(T0 + timedelta(days=20), rep_2)  # due 2026-03-29
        # Neither in the pool, nor won, nor lost: no deadline.
        self._pool_lead_at(T0, rep)
        self._lead_at(T0, rep, stage_id=self.stage_won.id)
        self._lead_at(T0, rep_2).action_set_lost()

        due = "crm.lead.pool.health.due"
        self.assertEqual(
            self._grouped(due, [], ["user_id"], ["due_count:sum"]),
            {rep: 3, rep_2: 2},
        )
        # "Next 14 Days" on 2 March 2026: deadlines before 17 March.
        next_14_days = [("deadline", "<", "2026-03-17")]
        self.assertEqual(
            self._grouped(due, next_14_days, ["user_id", "team_id"], ["__count"]),
            {(rep, self.team): 3, (rep_2, self.team_b): 1},
        )
        self.assertEqual(
            self._grouped(due, next_14_days, ["deadline:day"], ["__count"]),
            {
                date(2026, 2, 28): 1,
                date(2026, 3, 6): 1,
                date(2026, 3, 11): 1,
                date(2026, 3, 14): 1,
            },
        )
        self.assertEqual(
            self._grouped(due, [], ["rule"], ["__count"]), {"uncontacted": 5}
        )

    # Claims and conversions -------------------------------------------------

    def test_claims_and_conversions_per_rep(self):
        """A claim converts when its lead becomes an opportunity or is won
        before it enters a pool again: the conversion counts for the claim
        that last took it out."""
        rep, rep_2 = self.user_rep, self.user_rep_2
        converted, won, returned, lost, assigned = (
            self._pool_lead_at(T0, rep, name=name)
            for name in ("Converted", "Won", "Returned", "Lost", "Assigned")
        )
        with self._clock("2026-03-10 09:00:00"):
            (converted | won | returned | lost).with_user(rep).action_pool_claim()
        with self._clock("2026-03-11 09:00:00"):
            converted.convert_opportunity(self.partner)
            lost.action_set_lost()
            returned.sudo()._pool_enter("returned", "return")
        with self._clock("2026-03-12 09:00:00"):
            won.action_set_won()
            returned.with_user(rep_2).action_pool_claim()
            assigned.sudo()._pool_claim(rep_2, event="assign")
        with self._clock("2026-03-13 09:00:00"):
            returned.convert_opportunity(self.partner)
        self.assertEqual(converted.user_id | won.user_id | lost.user_id, rep)
        self.assertEqual(returned.user_id | assigned.user_id, rep_2)

        claim = "crm.lead.pool.health.claim"
        self.assertEqual(
            self._grouped(
                claim,
                [],
                ["user_id"],
                [
                    "claim_count:sum",
                    "converted_count:sum",
                    "won_count:sum",
                    "conversion_rate:avg",
                ],
            ),
            {rep: (4, 2, 1, 50.0), rep_2: (2, 1, 0, 50.0)},
        )
        self.assertEqual(
            self._grouped(claim, [], ["user_id", "outcome"], ["__count"]),
            {
                (rep, "opportunity"): 1,
                (rep, "won"): 1,
                (rep, "lost"): 1,
                (rep, "returned"): 1,
                (rep_2, "opportunity"): 1,
                (rep_2, "open"): 1,
            },
        )
        self.assertEqual(
            self._grouped(claim, [], ["event"], ["__count"]),
            {"claim": 5, "assign": 1},
        )
        rows = self.env[claim].search(
            [("lead_id", "=", returned.id), ("user_id", "=", rep.id)]
        )
        self.assertEqual(rows.held_until, datetime(2026, 3, 11, 9, 0))

    def test_reports_are_for_managers(self):
        for model in (
            "crm.lead.pool.health.flow",
            "crm.lead.pool.health.due",
            "crm.lead.pool.health.claim",
        ):
            with self.assertRaises(AccessError):
                self.env[model].with_user(self.user_team_lead).search([])
            self.env[model].with_user(self.user_manager).search([])

    def test_reports_multi_company(self):
        company_b = self.env["res.company"].create({"name": "Pool Company B"})
        self._log("2026-03-03 12:00:00", "recycle", "stale", before=self.user_rep)
        other = self._log("2026-03-03 12:00:00", "claim", after=self.user_rep)
        other.company_id = company_b
        self.user_manager.company_ids |= company_b
        flow = (
            self.env["crm.lead.pool.health.flow"]
            .with_user(self.user_manager)
            .with_context(allowed_company_ids=self.company.ids)
        )
        self.assertEqual(
            flow.search([("team_id", "=", self.team.id)]).mapped("movement"),
            ["stale"],
        )
        both = flow.with_context(allowed_company_ids=(self.company | company_b).ids)
        self.assertEqual(len(both.search([("team_id", "=", self.team.id)])), 2)

    # Dashboard cards --------------------------------------------------------

    def _dashboard_world(self):
        """Two teams' pools, deadlines and claims around 2026-03-10 02:00 UTC
        (10:00 in the company's Shanghai)."""
        self.company.partner_id.tz = "Asia/Shanghai"
        now = datetime(2026, 3, 10, 2, 0)
        rep, rep_2 = self.user_rep, self.user_rep_2
        for _i in range(3):
            self._pool_lead_at(now - timedelta(days=3), rep)
        self._pool_lead_at(now - timedelta(days=2), rep_2, team=self.team_b)
        # Deadlines 7 days after getting the lead (not contacted).
        self._lead_at(now - timedelta(days=4), rep)  # due in 3 days
        self._lead_at(now - timedelta(days=1), rep_2)  # due in 6 days
        self._lead_at(now + timedelta(days=2), rep)  # due in 9 days
        self._lead_at(now - timedelta(days=8), rep_2, team=self.team_b)  # overdue
        # Claims: today from 16:00 UTC on 9 March (midnight in Shanghai).
        self._log("2026-03-09 17:00:00", "claim", after=rep)
        self._log("2026-03-10 01:00:00", "claim", after=rep_2)
        self._log("2026-03-09 15:00:00", "claim", after=rep)  # yesterday
        self._log("2026-03-09 18:00:00", "return", "returned", before=rep)
        self._log("2026-03-10 00:00:00", "assign", after=rep_2, team=self.team_b)
        return now

    def _figures(self, teams):
        return [
            (
                team.pool_lead_count,
                team.pool_due_soon_count,
                team.pool_claimed_today_count,
            )
            for team in teams
        ]

    def test_dashboard_figures_two_teams(self):
        now = self._dashboard_world()
        teams = (self.team | self.team_b).with_user(self.user_manager)
        with self._clock(now):
            teams.invalidate_model()
            self.assertEqual(self._figures(teams), [(3, 2, 2), (1, 1, 1)])
            # Each figure opens what it counts.
            for team, figures in zip(teams, self._figures(teams), strict=True):
                counted = [
                    self.env[action["res_model"]]
                    .with_user(self.user_manager)
                    .search_count(action["domain"])
                    for action in (
                        team.action_open_pool_leads(),
                        team.action_open_pool_due_soon_leads(),
                        team.action_open_pool_claims_today(),
                    )
                ]
                self.assertEqual(tuple(counted), figures)

    def test_dashboard_figures_under_the_readers_rules(self):
        """A salesperson sees the pool and, of the rest, what their rules
        show them: their own due leads and claims."""
        now = self._dashboard_world()
        teams = (self.team | self.team_b).with_user(self.user_rep)
        with self._clock(now):
            teams.invalidate_model()
            self.assertEqual(self._figures(teams), [(3, 1, 1), (1, 0, 0)])

    def test_dashboard_figures_set_based(self):
        """The same grouped queries for all the cards, however many teams."""
        now = self._dashboard_world()
        fnames = ["pool_lead_count", "pool_due_soon_count", "pool_claimed_today_count"]
        Team = self.env["crm.team"].with_user(self.user_manager)
        teams = Team.browse((self.team | self.team_b).ids)
        more = teams | Team.browse(
            Team.sudo()
            .create([{"name": f"Pool Health Team {i}"} for i in range(3)])
            .ids
        )
        queries = []
        with self._clock(now):
            teams.read(fnames)  # the rules and the company's time zone, cached
            for records in (teams, more):
                records.invalidate_model(fnames)
                before = self.env.cr.sql_log_count
                records.read(fnames)
                queries.append(self.env.cr.sql_log_count - before)
        self.assertEqual(queries[0], queries[1])
        self.assertLessEqual(queries[0], 4, "one query per figure (and the teams')")
