"""Databases and Odoo subprocesses for the benchmarks (see bench.py)."""

import os
import subprocess
import sys
import time

import psycopg2


def odoo_cmd(addons_path, *args):
    return [sys.executable, "-m", "odoo", f"--addons-path={addons_path}", *args]


def admin_connection():
    conn = psycopg2.connect(dbname="postgres")
    conn.autocommit = True
    return conn


def vacuum(dbname, *tables):
    """VACUUM ANALYZE ``tables`` (outside any transaction): each measured run
    starts from a table without the dead rows of the previous one."""
    conn = psycopg2.connect(dbname=dbname)
    conn.autocommit = True
    try:
        with conn.cursor() as cr:
            for table in tables:
                cr.execute(f'VACUUM ANALYZE "{table}"')
    finally:
        conn.close()


def db_exists(name):
    conn = admin_connection()
    try:
        with conn.cursor() as cr:
            cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            return cr.fetchone() is not None
    finally:
        conn.close()


def drop_db(name):
    conn = admin_connection()
    try:
        with conn.cursor() as cr:
            cr.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        conn.close()


def copy_db(template, name):
    """``createdb -T template name``, replacing ``name``."""
    drop_db(name)
    conn = admin_connection()
    try:
        with conn.cursor() as cr:
            cr.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    finally:
        conn.close()


def run_measured(cmd, log_path=None):
    """Run ``cmd`` to completion; returns (seconds, peak RSS in MB of that
    process, exit code). The peak comes from wait4() on that one child. Its
    output goes to ``log_path`` when given, else to ours."""
    log = open(log_path, "ab") if log_path else None  # noqa: SIM115
    try:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
    finally:
        if log:
            log.close()
    return seconds, usage.ru_maxrss / 1024, proc.returncode


def install(addons_path, db, modules, demo=False, log_path=None):
    """Install ``modules`` into ``db`` in a subprocess (as an administrator
    would: ``-i ... --stop-after-init``); returns run_measured()'s figures."""
    args = ["-d", db, "-i", modules, "--stop-after-init", "--log-level=warn"]
    if not demo:
        args.append("--without-demo=all")
    return run_measured(odoo_cmd(addons_path, *args), log_path)


def ensure_installed(addons_path, db, modules):
    """Create ``db`` with ``modules`` (no demo data) unless it exists."""
    if db_exists(db):
        return False
    print(f"bench: creating database {db} ({modules}, no demo data)", flush=True)
    _s, _m, code = install(addons_path, db, modules)
    if code:
        drop_db(db)
        raise SystemExit(f"bench: installing {modules} into {db} failed")
    return True


# Rescore floor: the shipped BANT fit rules, by hand.
SHIPPED_FIT_SQL = """
    LEAST(100, GREATEST(0,
        CASE bant_budget WHEN 'approved' THEN 25 WHEN 'planned' THEN 12
                         WHEN 'none' THEN -10 ELSE 0 END
      + CASE bant_authority WHEN 'decision_maker' THEN 25 WHEN 'influencer' THEN 12
                            WHEN 'user' THEN 3 ELSE 0 END
      + CASE bant_need WHEN 'confirmed' THEN 30 WHEN 'latent' THEN 10
                       WHEN 'none' THEN -30 ELSE 0 END
      + CASE bant_timeline WHEN 'within_3_months' THEN 20
                           WHEN 'within_6_months' THEN 10 ELSE 0 END))
"""


def is_generated(cr, key, version, prefix, count):
    """Whether the database already holds exactly ``count`` leads named
    ``prefix...`` made by generator ``version`` (recorded under ``key``)."""
    cr.execute("SELECT value FROM ir_config_parameter WHERE key = %s", [key])
    row = cr.fetchone()
    cr.execute("SELECT COUNT(*) FROM crm_lead WHERE name LIKE %s", [prefix + "%"])
    return cr.fetchone()[0] == count and bool(row) and row[0] == version


def mark_generated(cr, key, version):
    cr.execute("DELETE FROM ir_config_parameter WHERE key = %s", [key])
    cr.execute(
        "INSERT INTO ir_config_parameter (key, value) VALUES (%s, %s)", [key, version]
    )
