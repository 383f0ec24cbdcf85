"""The upgrade benchmark (see bench.py): the previous released version of the
addon (a git tag of this repository) installed on a database that runs crm
with N leads, given some pool history, then upgraded to the current code
(``-u lead_pool_policy``, as an administrator updates it), next to crm's own
``-u crm`` on the same leads without the addon; then whether every lead,
score, deadline and history row is kept."""

import ast
import os
import pathlib
import subprocess
import tarfile
import tempfile

import psycopg2
from bench_install import ensure_crm_databases
from bench_pg import copy_db, drop_db, install, odoo_cmd, run_measured

ROOT = pathlib.Path(__file__).resolve().parent.parent
ADDON = "lead_pool_policy"

# The leads' columns the upgrade must keep (the addon's, and crm's the pool
# moves), and the history's.
LEAD_COLUMNS = (
    "user_id",
    "stage_id",
    "team_id",
    "active",
    "in_pool",
    "pool_reason",
    "pool_entry_date",
    "pool_recycle_deadline",
    "pool_recycle_rule",
    "fit_score",
    "engagement_score",
    "lead_score",
    "temperature",
    "priority_score",
    "source_conversion_rate",
    "qualification",
    "contact_count",
)
LOG_COLUMNS = (
    "lead_id",
    "event",
    "reason",
    "date",
    "owner_before_id",
    "owner_after_id",
)

# Pool history made by the previous version itself: a hundredth of the leads
# go to the pool, half of those are claimed back by their owner's colleague.
HISTORY_SCRIPT = """
import sys
import odoo
from odoo import SUPERUSER_ID, api

db, addons_path = sys.argv[1], sys.argv[2]
odoo.tools.config.parse_config([f"--addons-path={addons_path}", "--log-level=warn"])
registry = odoo.modules.registry.Registry(db)
with registry.cursor() as cr:
    env = api.Environment(cr, SUPERUSER_ID, {})
    Lead = env["crm.lead"].with_context(tracking_disable=True)
    leads = Lead.search([("user_id", "!=", False), ("active", "=", True)])
    leads = leads.filtered(lambda lead: lead.id % 100 == 0)
    leads._pool_enter("manager", "enter")
    users = leads.mapped("pool_previous_user_id")
    back = leads.filtered(lambda lead: lead.id % 200 == 0)
    # One batch claim per salesperson (a claim counts the claimer's leads).
    for n, user in enumerate(users):
        back.filtered(lambda lead, n=n: lead.id // 200 % len(users) == n)._pool_claim(
            user, enforce_limits=False
        )
    print(len(leads))
"""


def previous_tag(requested=None):
    """The tag to upgrade from: ``requested``, else the newest tag of this
    repository whose manifest version is older than the current one."""
    if requested:
        return requested
    current = manifest_version(None)
    tags = subprocess.run(
        ["git", "-C", str(ROOT), "tag", "--sort=-creatordate"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    for tag in tags:
        if manifest_version(tag) != current:
            return tag
    raise SystemExit(
        "bench: no tag of an earlier version to upgrade from: tag the previous "
        "release (git tag 18.0.x.y.z <commit>) or give --from-tag"
    )


def manifest_version(tag):
    if tag is None:
        text = (ROOT / ADDON / "__manifest__.py").read_text()
    else:
        text = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{tag}:{ADDON}/__manifest__.py"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    return ast.literal_eval(text)["version"]


def export_tag(tag):
    """The addon as released at ``tag``, in a temporary directory."""
    target = tempfile.mkdtemp(prefix="lpph_bench_upgrade_")
    archive = os.path.join(target, "addon.tar")
    subprocess.run(
        ["git", "-C", str(ROOT), "archive", "-o", archive, tag, ADDON], check=True
    )
    with tarfile.open(archive) as tar:
        tar.extractall(target, filter="data")
    os.remove(archive)
    return target


def snapshot(db):
    """Counts and order-independent fingerprints of the leads' and the
    history's columns."""

    def fingerprint(table, columns):
        sums = ", ".join(
            f"SUM(hashtextextended(id || ':' || COALESCE(({col})::text, '-'), 0)"
            "::numeric)"
            for col in columns
        )
        cr.execute(f"SELECT COUNT(*), {sums} FROM {table}")
        row = cr.fetchone()
        return row[0], dict(zip(columns, row[1:]))

    conn = psycopg2.connect(dbname=db)
    try:
        with conn.cursor() as cr:
            leads = fingerprint("crm_lead", LEAD_COLUMNS)
            history = fingerprint("crm_lead_pool_log", LOG_COLUMNS)
            cr.execute(
                "SELECT latest_version FROM ir_module_module WHERE name = %s", [ADDON]
            )
            version = cr.fetchone()[0]
            # The pool's order (a column since 18.0.1.1.0): every pool lead
            # ranked by its priority score.
            cr.execute(
                "SELECT 1 FROM information_schema.columns"
                " WHERE table_name = 'crm_lead' AND column_name = 'pool_rank'"
            )
            cr.execute(
                "SELECT COUNT(*) FILTER (WHERE in_pool),"
                " COUNT(*) FILTER (WHERE in_pool AND pool_rank IS DISTINCT FROM"
                " priority_score) FROM crm_lead"
                if cr.fetchone()
                else "SELECT COUNT(*) FILTER (WHERE in_pool), NULL FROM crm_lead"
            )
            pool = cr.fetchone()
    finally:
        conn.close()
    return {"leads": leads, "history": history, "version": version, "pool": pool}


def bench_upgrade(args):
    _base, full = ensure_crm_databases(args)
    tag = previous_tag(args.from_tag)
    previous = export_tag(tag)
    previous_path = ",".join(
        previous if os.path.realpath(path) == str(ROOT) else path
        for path in args.addons_path.split(",")
    )
    db = f"{args.db}_upgrade"
    logdir = tempfile.mkdtemp(prefix="lpph_bench_upgrade_")
    try:
        # crm's own update of the same leads, without the addon.
        copy_db(full, db)
        crm = run_measured(
            odoo_cmd(
                args.addons_path,
                "-d",
                db,
                "-u",
                "crm",
                "--stop-after-init",
                "--log-level=warn",
            ),
            os.path.join(logdir, "crm.log"),
        )
        if crm[2]:
            raise SystemExit(f"bench: -u crm failed, see {logdir}")
        # The previous release, installed and used.
        copy_db(full, db)
        seconds, _rss, code = install(
            previous_path, db, ADDON, log_path=os.path.join(logdir, "previous.log")
        )
        if code:
            raise SystemExit(f"bench: installing {tag} failed, see {logdir}")
        history = subprocess.run(
            odoo_cmd(previous_path)[:1] + ["-c", HISTORY_SCRIPT, db, previous_path],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        before = snapshot(db)
        upgrade = run_measured(
            odoo_cmd(
                args.addons_path,
                "-d",
                db,
                "-u",
                ADDON,
                "--stop-after-init",
                "--log-level=warn",
            ),
            os.path.join(logdir, "upgrade.log"),
        )
        if upgrade[2]:
            raise SystemExit(f"bench: the upgrade failed, see {logdir}")
        after = snapshot(db)
    finally:
        drop_db(db)
    return {
        "tag": tag,
        "install_previous": seconds,
        "pooled": history,
        "crm": crm,
        "upgrade": upgrade,
        "before": before,
        "after": after,
        "logdir": logdir,
    }


def report_upgrade(args, r):
    crm_t, crm_rss, _code = r["crm"]
    up_t, up_rss, _code = r["upgrade"]
    before, after = r["before"], r["after"]
    lost = [
        f"{table}.{col}"
        for table in ("leads", "history")
        for col, value in before[table][1].items()
        if after[table][1][col] != value
    ]
    print(
        f"upgrade  {args.leads:,} leads: {r['tag']} ({before['version']}) installed "
        f"in {r['install_previous']:.1f} s, {r['pooled']} leads sent to its pool\n"
        f"upgrade  -u {ADDON} to {after['version']}: {up_t:.1f} s, peak "
        f"{up_rss:.0f} MB; crm's own -u crm: {crm_t:.1f} s, peak {crm_rss:.0f} MB; "
        f"ratio {up_t / crm_t:.2f}x (target <= 2x)\n"
        f"upgrade  kept: {after['leads'][0]:,} of {before['leads'][0]:,} leads, "
        f"{after['history'][0]:,} of {before['history'][0]:,} history rows; "
        f"columns changed: {', '.join(lost) or 'none'} (target: none; logs: "
        f"{r['logdir']})\n"
        f"upgrade  pool leads: {after['pool'][0]:,}, not ranked by their priority "
        f"score: {after['pool'][1]} (target 0)"
    )
