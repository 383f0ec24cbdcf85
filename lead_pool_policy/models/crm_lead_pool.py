# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""crm.lead: the public pool: its state, the guards around it, the moves into
and out of it (``_pool_enter``, ``_pool_take``) and the Claim, Return and
Assign actions.

A move is one atomic ``UPDATE … RETURNING`` (a claim re-checks on the locked
row that the lead is still in the pool, so two concurrent claims give it to
exactly one user), then the ORM is told what changed (``modified``: Odoo's
dependent computes follow), the history is written with ``create`` and each
lead gets one chatter note carrying Odoo's tracking values of owner and stage.
"""

from odoo import _, api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL
from odoo.tools.mail import generate_tracking_message_id

from .crm_lead_pool_log import POOL_REASONS
from .orm_modified import modified_except

# Kept by the pool's moves; sales managers may correct them.
POOL_BOOKKEEPING_FIELDS = frozenset(
    {
        "pool_entry_date",
        "pool_reason",
        "pool_previous_user_id",
        "pool_previous_stage_id",
        "pool_recycle_count",
    }
)
# Kept by the recycle rules: nobody writes them.
POOL_SYSTEM_FIELDS = frozenset(
    {
        "pool_recycle_deadline",
        "pool_recycle_rule",
        "pool_warned_deadline",
        "pool_escalated_deadline",
        "pool_extension_days",
    }
)
# Tracked in the chatter note of each move.
POOL_TRACKED_FIELDS = ("user_id", "stage_id")
# The history of moves (see ``_pool_record_moves``): a log row, a note and
# its tracking values (owner, stage: when they changed) per lead.
POOL_HISTORY_QUERY = """
    WITH moves AS (
        SELECT m.*, lead.name, lead.team_id, lead.company_id
          FROM ROWS FROM (%(moves)s) AS m(%(move_columns)s)
          JOIN crm_lead lead ON lead.id = m.lead_id
    ), names AS (
        SELECT * FROM unnest(%(name_fields)s::varchar[], %(name_ids)s::int4[],
                             %(name_values)s::varchar[]) AS n(fname, id, name)
    ), logged AS (
        INSERT INTO crm_lead_pool_log (lead_id, lead_name, reason, owner_before_id,
                    team_id, company_id, %(log_columns)s, date, event, user_id,
                    create_uid, create_date, write_uid, write_date)
        SELECT lead_id, name, reason, user_id_before, team_id, company_id,
               %(log_values)s, %(date)s, %(event)s, %(uid)s,
               %(uid)s, %(now)s, %(uid)s, %(now)s
          FROM moves
    ), noted AS (
        INSERT INTO mail_message (model, res_id, body, date, %(message_columns)s,
                    create_uid, create_date, write_uid, write_date)
        SELECT 'crm.lead', moves.lead_id, bodies.body, %(date)s, %(message_values)s,
               %(uid)s, %(now)s, %(uid)s, %(now)s
          FROM moves
          JOIN unnest(%(bodies)s::varchar[], %(body_values)s::text[])
               AS bodies(key, body) ON bodies.key = moves.body_key
     RETURNING id, res_id
    )
    INSERT INTO mail_tracking_value (mail_message_id, field_id,
                old_value_integer, old_value_char, new_value_integer, new_value_char,
                create_uid, create_date, write_uid, write_date)
    SELECT noted.id, t.field_id, COALESCE(t.old_id, 0), COALESCE(old.name, ''),
           COALESCE(t.new_id, 0), COALESCE(new.name, ''),
           %(uid)s, %(now)s, %(uid)s, %(now)s
      FROM noted
      JOIN moves ON moves.lead_id = noted.res_id
     CROSS JOIN LATERAL (VALUES %(tracked)s) AS t(fname, field_id, old_id, new_id)
      LEFT JOIN names old ON old.fname = t.fname AND old.id = t.old_id
      LEFT JOIN names new ON new.fname = t.fname AND new.id = t.new_id
     WHERE t.old_id IS DISTINCT FROM t.new_id
"""
# The pool log's columns a move may give for all its rows, with their types.
POOL_LOG_VALUE_TYPES = {
    "note": "text",
    "return_reason_id": "int4",
    "owner_after_id": "int4",
}


class CrmLead(models.Model):
    _inherit = "crm.lead"

    in_pool = fields.Boolean(
        string="In Pool",
        related="stage_id.is_pool",
        store=True,
        index=True,
        help="The lead is in the public pool: no salesperson, waiting to be claimed.",
    )
    pool_entry_date = fields.Datetime(readonly=True, copy=False)
    pool_reason = fields.Selection(POOL_REASONS, readonly=True, copy=False)
    pool_previous_user_id = fields.Many2one(
        "res.users", string="Previous Salesperson", readonly=True, copy=False
    )
    pool_previous_stage_id = fields.Many2one(
        "crm.stage", string="Previous Stage", readonly=True, copy=False
    )
    pool_recycle_count = fields.Integer(
        string="Times Recycled", default=0, readonly=True, copy=False
    )

    # CRUD hooks (called by crm_lead.py) --------------------------------------

    def _get_system_field_groups(self):
        return super()._get_system_field_groups() + [
            (
                POOL_BOOKKEEPING_FIELDS,
                True,
                _(
                    "The pool history of a lead is kept by Claim, Return to Pool "
                    "and the recycle job; it cannot be edited (%(fields)s)."
                ),
            ),
            (
                POOL_SYSTEM_FIELDS,
                False,
                _(
                    "Recycle deadlines are computed from the pool policy and the "
                    "lead's contacts; change the policy instead (%(fields)s)."
                ),
            ),
        ]

    def _pool_before_write(self, vals):
        """A manager moving leads into a pool stage sends them to the pool
        (returned, to be moved after the write); a manager giving a pool lead
        a salesperson assigns it out of the pool. Returns (vals, to_pool)."""
        to_pool = self.browse()
        if self._is_pool_stage(vals.get("stage_id")):
            to_pool = self.filtered(lambda lead: not lead.in_pool)
            vals = {key: value for key, value in vals.items() if key != "stage_id"}
        elif vals.get("user_id") and (assigned := self.filtered("in_pool")):
            assigned._pool_take(self.env["res.users"].browse(vals["user_id"]), "assign")
        return vals, to_pool

    def _pool_before_create(self, vals_list):
        """A manager creating leads in a pool stage sends them to the pool
        once created: returns (vals_list, positions of those leads)."""
        to_pool = [
            index
            for index, vals in enumerate(vals_list)
            if self._is_pool_stage(vals.get("stage_id"))
        ]
        if to_pool:
            vals_list = [
                {key: value for key, value in vals.items() if key != "stage_id"}
                if index in to_pool
                else vals
                for index, vals in enumerate(vals_list)
            ]
        return vals_list, to_pool

    def _pool_after_create(self):
        new = self.filtered(
            lambda lead: (
                not lead.user_id
                and not lead.in_pool
                and lead.active
                and lead._get_policy_company().pool_new_leads
            )
        )
        new._pool_enter("new", "enter")

    def _pool_divert_unlink(self):
        """Delete-to-pool: a salesperson's delete sends the leads to the pool
        (when the policy says so, else it is refused: crm gives salespeople no
        delete); a sales manager's delete, or one made by code as superuser
        (merging duplicates), really deletes. Returns the leads to really
        delete."""
        if self._is_lead_manager():
            return self
        if self.filtered("in_pool"):
            raise AccessError(_("Salespeople cannot delete leads of the public pool."))
        if self.filtered(lambda lead: not lead._get_pool_policy().pool_delete_to_pool):
            raise AccessError(
                _(
                    "Only sales managers delete leads. Mark the lead as lost, or "
                    "use Return to Pool to let another salesperson take it."
                )
            )
        self.check_access("unlink")
        self.sudo()._pool_enter("deleted", "delete")
        return self.browse()

    @api.ondelete(at_uninstall=False)
    def _unlink_except_pool_lead(self):
        if not self._is_lead_manager() and any(lead.in_pool for lead in self):
            raise AccessError(_("Salespeople cannot delete leads of the public pool."))

    def _pool_log_purge(self):
        self.env["crm.lead.pool.log"].sudo().create(
            [
                {
                    "lead_name": lead.name or "",
                    "event": "purge",
                    "user_id": self.env.uid,
                    "owner_before_id": lead.user_id.id,
                    "team_id": lead.team_id.id,
                    "company_id": lead.company_id.id,
                }
                for lead in self.sudo()
            ]
        )

    def _stage_find(self, team_id=False, domain=None, order="sequence, id", limit=1):
        # The pool stage is never a default stage.
        domain = list(domain or []) + [("is_pool", "=", False)]
        return super()._stage_find(
            team_id=team_id, domain=domain, order=order, limit=limit
        )

    # Business: policy --------------------------------------------------------

    def _get_pool_policy(self):
        """The pool policy that applies: the team's own, else the company's."""
        self.ensure_one()
        if self.team_id.pool_policy_own:
            return self.team_id
        return self._get_policy_company()

    @api.model
    def _get_pool_stage(self):
        return self.env.ref("lead_pool_policy.crm_stage_pool")

    def _check_pool_claimer(self, user):
        if not user.has_group("sales_team.group_sale_salesman"):
            raise AccessError(
                _("Only salespeople can claim leads from the public pool.")
            )

    # Business: moves ---------------------------------------------------------

    def _pool_enter(
        self, reason, event, note=None, return_reason=None, due_before=None, team=None
    ):
        """Send these leads to the pool at once: pool stage, no salesperson,
        bookkeeping; then a pool log row and a chatter note each.

        ``reason`` None takes each lead's recycle rule. With ``due_before``
        only the leads whose deadline has passed by then and that still have
        a salesperson move (the recycle cron: a lead claimed or contacted
        meanwhile is left alone). With ``team``, the leads enter that team's
        pool. Returns the rows moved as dicts.
        """
        ids = tuple(self.filtered("id").ids)
        if not ids:
            return []
        now = fields.Datetime.now()
        old, lead = self._pool_column("old"), self._pool_column("lead")
        # Conditions on the row written: re-checked on the locked row.
        condition = SQL("NOT COALESCE(%s, FALSE)", lead("in_pool"))
        if due_before:
            # The recycle job yields to people: a lead someone is changing
            # right now (its row locked) is left for the job's next pass.
            condition = SQL(
                "%s AND %s IS NOT NULL AND %s <= %s AND EXISTS (SELECT 1 FROM"
                " crm_lead locked WHERE locked.id = %s FOR UPDATE SKIP LOCKED)",
                condition,
                lead("user_id"),
                lead("pool_recycle_deadline"),
                due_before,
                lead("id"),
            )
        values = {
            "pool_previous_user_id": old("user_id"),
            "pool_previous_stage_id": old("stage_id"),
            "user_id": SQL("NULL"),
            "stage_id": SQL("%s", self._get_pool_stage().id),
            "in_pool": SQL("TRUE"),
            "pool_rank": old("priority_score"),
            "date_open": SQL("NULL"),
            # crm's day_open of a lead without date_open.
            "day_open": SQL("0"),
            "date_last_stage_update": SQL("%s", now),
            "pool_entry_date": SQL("%s", now),
            "pool_reason": SQL("COALESCE(%s, %s)", reason, old("pool_recycle_rule")),
            "pool_recycle_count": SQL(
                "COALESCE(%s, 0) + %s",
                old("pool_recycle_count"),
                int(event == "recycle"),
            ),
            "pool_recycle_deadline": SQL("NULL"),
            "pool_recycle_rule": SQL("NULL"),
            "pool_warned_deadline": SQL("NULL"),
            "pool_escalated_deadline": SQL("NULL"),
            "pool_extension_days": SQL("0"),
        }
        # crm keeps the team and the company of a lead losing its salesperson
        # (see its ``_compute_team_id`` and ``_compute_company_id``): they,
        # and what follows them, stay as they are (the team unless the lead
        # goes into another team's pool, of its company: _check_pool_team).
        if team:
            values["team_id"] = SQL("%s", team.id)
        rows = self._pool_move(
            values,
            SQL("lead.id IN %s AND %s", ids, condition),
            unchanged=["company_id"] if team else ["team_id", "company_id"],
        )
        self._pool_record_moves(
            rows,
            event,
            {
                "note": note or False,
                "return_reason_id": return_reason.id if return_reason else False,
            },
        )
        self._pool_release_previous_owners(rows)
        return rows

    def _pool_release_previous_owners(self, rows):
        """A lead entering the pool is nobody's: its former salesperson stops
        following it (as a follower they would go on receiving its mail, the
        customer's among it, and posting on a lead they no longer hold), and
        their open activities on it go (the next claimer would find the old
        owner's "attempt 3 of 6", the old owner would go on being reminded).
        Others' activities, a manager's among them, stay. One statement per
        kind for the whole move."""
        pairs = [
            (row["id"], row["user_id_before"]) for row in rows if row["user_id_before"]
        ]
        if not pairs:
            return
        activities = (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "crm.lead"),
                    ("res_id", "in", [lead_id for lead_id, _user in pairs]),
                    ("user_id", "in", list({user_id for _lead, user_id in pairs})),
                ]
            )
        )
        pairs_set = set(pairs)
        activities.filtered(
            lambda act: (act.res_id, act.user_id.id) in pairs_set
        ).unlink()
        self.env["mail.followers"].flush_model()
        self.env.execute_query(
            SQL(
                """
            DELETE FROM mail_followers follower
             USING res_users owner,
                   unnest(%s::int[], %s::int[]) AS moved(lead_id, user_id)
             WHERE owner.id = moved.user_id
               AND follower.res_model = 'crm.lead'
               AND follower.res_id = moved.lead_id
               AND follower.partner_id = owner.partner_id
                """,
                [lead_id for lead_id, _user in pairs],
                [user_id for _lead, user_id in pairs],
            )
        )
        self.env["mail.followers"].invalidate_model()
        self.browse([lead_id for lead_id, _user in pairs]).invalidate_recordset(
            ["message_follower_ids", "message_partner_ids", "message_is_follower"]
        )

    def _pool_take(self, user, event):
        """Give these pool leads to ``user`` at once (claim or assign): each
        returns to its stage from before the pool (else its team's first
        stage). Only leads still in the pool move: the UPDATE re-checks that
        on the locked row, so two concurrent claims of one lead give it to
        exactly one of them. Returns the ids taken."""
        leads = self.sudo().filtered("id")
        if not leads:
            return []
        stages, first_stages, cooldowns = {}, {}, []
        for lead in leads:
            # The new holder's cooldown starts from the pool's policy, which
            # the lead may leave when crm moves it to its owner's team.
            cooldowns.append(lead._get_pool_policy().pool_reclaim_cooldown_days)
            previous = lead.pool_previous_stage_id
            if not previous or previous.is_pool or previous.is_won:
                team_id = lead.team_id.id
                if team_id not in first_stages:
                    first_stages[team_id] = lead._stage_find(team_id=team_id)
                previous = first_stages[team_id]
            stages[lead.id] = previous.id or None
        now = fields.Datetime.now()
        old = self._pool_column("old")
        values = {
            "user_id": SQL("%s", user.id),
            "stage_id": SQL("COALESCE(targets.stage_id, %s)", old("stage_id")),
            "in_pool": SQL("FALSE"),
            "pool_rank": SQL("NULL"),
            "date_open": SQL("%s", now),
            "date_last_stage_update": SQL("%s", now),
            # See ``_pool_reclaim_cooldown``.
            "pool_cooldown_floor_days": SQL("targets.cooldown"),
            "pool_extension_days": SQL("0"),
        }
        targets = SQL(
            "unnest(%s::int[], %s::int[], %s::int[])"
            " AS targets(id, stage_id, cooldown)",
            list(stages),
            list(stages.values()),
            cooldowns,
        )
        # The condition is on the row written: re-checked on the locked row.
        condition = SQL(
            "lead.id = targets.id AND %s", self._pool_column("lead")("in_pool")
        )
        rows = self._pool_move(
            values, condition, targets, settle=["team_id", "company_id"]
        )
        self._pool_record_moves(rows, event, {"owner_after_id": user.id})
        return [row["id"] for row in rows]

    @api.model
    def _pool_column(self, alias):
        """A crm_lead column of ``alias``, flushed before the statement runs."""
        return lambda fname: SQL.identifier(alias, fname, to_flush=self._fields[fname])

    def _pool_move(self, values, condition, extra_from=None, unchanged=(), settle=()):
        """The atomic UPDATE of a move: set ``values`` ({field: SQL}) on the
        leads matching ``condition`` (``lead`` is the row written, ``old`` its
        state before); tell the ORM what changed (``unchanged``: fields that
        depend on those but that crm's own rules leave as they are, so not
        recomputed; ``settle``: fields crm's computes may change, computed
        first, see ``_pool_settle``). Returns the moved rows."""
        old = self._pool_column("old")
        assignments = SQL(", ").join(
            SQL("%s = %s", SQL.identifier(fname, to_flush=self._fields[fname]), value)
            for fname, value in values.items()
        )
        rows = self.env.execute_query_dict(
            SQL(
                """
            UPDATE crm_lead lead
               SET %(assignments)s, write_uid = %(uid)s, write_date = %(now)s
              FROM crm_lead old %(extra_from)s
             WHERE old.id = lead.id AND %(condition)s
         RETURNING lead.id, %(name)s AS name, lead.pool_reason,
                   old.user_id AS user_id_before, lead.user_id AS user_id_after,
                   old.stage_id AS stage_id_before, lead.stage_id AS stage_id_after,
                   %(team)s AS team_id, %(company)s AS company_id
                """,
                assignments=assignments,
                uid=self.env.uid,
                now=fields.Datetime.now(),
                extra_from=SQL(", %s", extra_from) if extra_from else SQL(),
                condition=condition,
                name=old("name"),
                team=self._pool_column("lead")("team_id"),
                company=old("company_id"),
            )
        )
        moved = self.env["crm.lead"].browse([row["id"] for row in rows])
        moved.invalidate_recordset(list(values))
        # The columns written are final (as in ``write``): only what depends
        # on them is recomputed (crm's probability, team, company, ...);
        # what depends on them through the ``unchanged`` fields is not.
        kept = [*unchanged, *settle]
        protected = [self._fields[fname] for fname in (*values, *kept)]
        with self.env.protecting(protected, moved):
            modified_except(moved, list(values), kept)
        moved._pool_settle(settle)
        # crm's probability and prorated revenues, set-based.
        moved._pool_write_probabilities()
        return rows

    def _pool_record_moves(self, rows, event, log_values):
        """The pool history rows and chatter notes of the moves ``rows``, in
        one statement: a ``crm.lead.pool.log`` row and one note per lead with
        its reason and the tracking values of owner and stage, the rows
        ``create``, ``_message_log_batch`` and ``_mail_track`` would write
        (see ``_pool_history_values``) without their cost per record: per
        lead only ids are sent, the notes' bodies and the tracked names are
        small tables joined in."""
        if not rows:
            return
        history = self._pool_history_values(rows, event, log_values)
        claimed = event in ("claim", "assign")
        moves = {
            "lead_id": [row["id"] for row in rows],
            "reason": [None if claimed else row["pool_reason"] for row in rows],
            "body_key": [self._pool_note_key(row, event) for row in rows],
            **{
                key: [row[key] for row in rows]
                for fname in POOL_TRACKED_FIELDS
                for key in (f"{fname}_before", f"{fname}_after")
            },
        }
        types = {"reason": "varchar", "body_key": "varchar"}
        self.env.execute_query(
            SQL(
                POOL_HISTORY_QUERY,
                moves=SQL(", ").join(
                    SQL("unnest(%s::%s[])", values, SQL(types.get(key, "int4")))
                    for key, values in moves.items()
                ),
                move_columns=SQL(", ").join(map(SQL.identifier, moves)),
                bodies=list(history["bodies"]),
                body_values=list(history["bodies"].values()),
                name_fields=[key[0] for key in history["names"]],
                name_ids=[key[1] for key in history["names"]],
                name_values=list(history["names"].values()),
                log_columns=SQL(", ").join(map(SQL.identifier, log_values)),
                log_values=SQL(", ").join(
                    SQL("%s::%s", value or None, SQL(POOL_LOG_VALUE_TYPES[fname]))
                    for fname, value in log_values.items()
                ),
                message_columns=SQL(", ").join(map(SQL.identifier, history["message"])),
                message_values=SQL(", ").join(
                    SQL("%s", value) for value in history["message"].values()
                ),
                tracked=SQL(", ").join(
                    SQL(
                        "(%s, %s, moves.%s, moves.%s)",
                        fname,
                        field_id,
                        SQL.identifier(f"{fname}_before"),
                        SQL.identifier(f"{fname}_after"),
                    )
                    for fname, field_id in history["field_ids"].items()
                ),
                date=fields.Datetime.now(),
                event=event,
                uid=self.env.uid,
                now=self.env.cr.now(),
            )
        )
        self.env["crm.lead.pool.log"].invalidate_model()
        leads = self.env["crm.lead"].browse(moves["lead_id"])
        leads.invalidate_recordset(
            [
                "message_ids",
                "message_needaction",
                "message_needaction_counter",
                "pool_log_ids",
            ]
        )
        # What the history shows on the leads (their last return) follows.
        leads.modified(["pool_log_ids"])

    @api.model
    def _pool_history_values(self, rows, event, log_values=None):
        """What the notes of the moves ``rows`` share: {"message": the
        columns ``_message_log_batch`` sets, "bodies": each reason's (or the
        claim's) body, sanitized as ``mail.message`` does, "names": the
        display name of each owner and stage a tracking value shows, keyed
        by (field, id), "field_ids": the tracked fields' ids}."""
        Message = self.env["mail.message"]
        author_id, email_from = self._message_compute_author(raise_on_email=False)
        message = {
            "author_id": author_id,
            "email_from": email_from,
            "reply_to": self.env["mail.thread"]._notify_get_reply_to(
                default=email_from
            )[False],
            "message_type": "notification",
            "is_internal": True,
            "subtype_id": self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note"),
            "email_add_signature": False,
            "message_id": generate_tracking_message_id("message-notify"),
        }
        bodies = {}
        for row in rows:
            key = self._pool_note_key(row, event)
            if key not in bodies:
                body = self._pool_move_note(row, event, log_values or {})
                bodies[key] = str(
                    Message._fields["body"].convert_to_column(body, Message)
                )
        names = {}
        for fname in POOL_TRACKED_FIELDS:
            comodel = self.env["crm.lead"]._fields[fname].comodel_name
            ids = {
                row[key]
                for row in rows
                for key in (f"{fname}_before", f"{fname}_after")
                if row[key]
            }
            for record in self.env[comodel].browse(ids).with_context(active_test=False):
                names[fname, record.id] = record.display_name
        field_ids = {
            fname: self.env["ir.model.fields"]._get("crm.lead", fname).id
            for fname in POOL_TRACKED_FIELDS
        }
        return {
            "message": message,
            "bodies": bodies,
            "names": names,
            "field_ids": field_ids,
        }
