"""The contention benchmark (see bench.py): reps claiming from the public pool
at the same time through JSON-RPC on a real multi-worker Odoo server."""

import itertools
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from http.cookiejar import CookieJar

import psycopg2
from bench_pg import copy_db, drop_db, ensure_installed, install

# The floor's addon (``--floor``): a bare claim, see its models.py.
FLOOR_ADDONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench_floor")
FLOOR_MODULE = "lead_pool_bench_floor"


def setup(db, reps, pool_size, daily_limit):
    """Reps with passwords, one own lead each (for the trivial reads), a pool
    of ``pool_size`` scored leads sent there by the addon itself, and a daily
    claim limit. Returns ([(login, password, own lead id)], pool lead ids)."""
    import odoo
    from odoo import Command

    registry = odoo.modules.registry.Registry(db)
    try:
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            company = env.company
            company.write(
                {
                    "pool_claim_daily_limit": daily_limit,
                    "pool_max_open_leads": 0,
                    "pool_reclaim_cooldown_days": 0,
                    "pool_batch_claim": True,
                }
            )
            groups = [
                env.ref("base.group_user").id,
                env.ref("sales_team.group_sale_salesman").id,
                env.ref("crm.group_use_lead").id,
            ]
            Users = env["res.users"].with_context(no_reset_password=True)
            users = Users.create(
                [
                    {
                        "name": f"Bench Rep {i:02d}",
                        "login": f"bench_rep_{i:02d}",
                        "password": f"bench-rep-{i:02d}",
                        "tz": "UTC",
                        "groups_id": [Command.set(groups)],
                    }
                    for i in range(1, reps + 1)
                ]
            )
            team = env.ref("sales_team.team_sales_department")
            team.member_ids = [Command.link(user.id) for user in users]
            Lead = env["crm.lead"].with_context(
                tracking_disable=True, mail_create_nolog=True
            )
            budgets = ["unknown", "none", "planned", "approved"]
            needs = ["unknown", "none", "latent", "confirmed"]
            pool = Lead.create(
                [
                    {
                        "name": f"Bench pool lead {i}",
                        "type": "lead",
                        "team_id": team.id,
                        "email_from": f"pool{i}@example.com",
                        "bant_budget": budgets[i % 4],
                        "bant_need": needs[(i // 4) % 4],
                    }
                    for i in range(pool_size)
                ]
            )
            pool._pool_enter("manager", "enter")
            own = Lead.create(
                [
                    {
                        "name": f"Bench own lead {user.login}",
                        "type": "lead",
                        "team_id": team.id,
                        "user_id": user.id,
                    }
                    for user in users
                ]
            )
            cr.commit()
            cr.execute(
                "SELECT COUNT(*) FROM crm_lead WHERE in_pool AND id IN %s",
                [tuple(pool.ids)],
            )
            in_pool = cr.fetchone()[0]
            if in_pool != pool_size:
                raise SystemExit(
                    f"bench: only {in_pool} of {pool_size} leads entered the pool"
                )
            accounts = [
                (user.login, f"bench-rep-{i:02d}", lead.id)
                for i, (user, lead) in enumerate(zip(users, own), start=1)
            ]
            return accounts, pool.ids
    finally:
        odoo.modules.registry.Registry.delete(db)
        odoo.sql_db.close_db(db)


class Client:
    """One rep's browser session: cookies and JSON-RPC calls."""

    def __init__(self, base_url):
        self.base_url = base_url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar())
        )
        self.ids = itertools.count(1)

    def call(self, path, params, timeout=300):
        """(result, error message or None)."""
        body = json.dumps(
            {"jsonrpc": "2.0", "method": "call", "id": next(self.ids), "params": params}
        ).encode()
        request = urllib.request.Request(
            self.base_url + path,
            data=body,
            headers={"Content-Type": "application/json"},
        )
        try:
            with self.opener.open(request, timeout=timeout) as response:
                reply = json.loads(response.read())
        except (urllib.error.URLError, OSError, ValueError) as exc:
            return None, f"HTTP: {exc}"
        if "error" in reply:
            error = reply["error"]
            data = error.get("data") or {}
            return None, f"{data.get('name', '')}: {data.get('message', error)}"
        return reply.get("result"), None

    def call_kw(self, model, method, args, kwargs=None):
        return self.call(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
        )


def percentile(values, share):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def start_server(args, addons_path, db, logdir, port):
    # Started from a script like odoo-bin, not ``-m odoo``: in workers mode the
    # server spawns its websocket (gevent) process from its own argv[0]. No
    # client here opens a websocket, so an idle stand-in takes that process's
    # place: where gevent cannot start, the server would respawn it (and pay
    # its imports) in a loop during the measurement.
    launcher = os.path.join(logdir, "odoo-server")
    with open(launcher, "w", encoding="utf-8") as f:
        f.write(
            "import signal\nimport sys\n\n"
            "if sys.argv[1:2] == ['gevent']:\n    signal.pause()\n"
            "import odoo\n\nodoo.cli.main()\n"
        )
    cmd = [
        sys.executable,
        launcher,
        f"--addons-path={addons_path}",
        "-d",
        db,
        f"--db-filter=^{db}$",
        "--http-interface=127.0.0.1",
        f"--http-port={port}",
        f"--gevent-port={port + 1}",
        f"--workers={args.workers}",
        "--max-cron-threads=0",
        "--limit-time-real=600",
        "--limit-time-cpu=600",
        "--log-level=warn",
        # Odoo's retries of concurrent transactions, to count them.
        "--log-handler=odoo.service.model:INFO",
        f"--logfile={os.path.join(logdir, f'odoo-{port}.log')}",
    ]
    # Its own process group: stopping it stops its workers and nothing else.
    with open(os.path.join(logdir, f"server-{port}.out"), "wb") as out:
        return subprocess.Popen(
            cmd, start_new_session=True, stdout=out, stderr=subprocess.STDOUT
        )


def stop_server(proc):
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)


def wait_ready(proc, base_url, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"bench: the Odoo server exited ({proc.returncode})")
        try:
            with urllib.request.urlopen(base_url + "/web/health", timeout=5) as reply:
                if reply.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    raise SystemExit("bench: the Odoo server did not answer within 2 minutes")


def claim_calls(args, floor):
    """(method, args) of Claim Next Best Lead and of the claim of ``lead``:
    the addon's, or the floor's bare claim."""
    if floor:
        # One bare claim for both: None is the best lead.
        def floor_claim(lead=None):
            return ("bench_floor_claim", [lead, args.daily_limit, args.floor_cpu_ms])

        return floor_claim, floor_claim
    return (
        lambda: ("action_pool_claim_next", []),
        lambda lead: ("action_pool_claim", [[lead]]),
    )


def rep_worker(client, own_lead, pool_ids, stop_at, max_rounds, seed, out, calls):
    rng = random.Random(seed)
    claim_next, claim = calls
    for round_no in range(max_rounds):
        if time.monotonic() >= stop_at:
            break
        method, method_args = claim_next()
        start = time.perf_counter()
        _result, error = client.call_kw("crm.lead", method, method_args)
        out["claim"].append(time.perf_counter() - start)
        if error:
            out["errors"].append((method, error))
        if round_no % 2 == 1:
            # A lead somebody else may be claiming at the same moment.
            method, method_args = claim(rng.choice(pool_ids))
            start = time.perf_counter()
            _result, error = client.call_kw("crm.lead", method, method_args)
            out["claim"].append(time.perf_counter() - start)
            if error:
                out["errors"].append((method, error))
        start = time.perf_counter()
        _result, error = client.call_kw(
            "crm.lead",
            "web_read",
            [[own_lead]],
            {
                "specification": {
                    "name": {},
                    "stage_id": {"fields": {"display_name": {}}},
                }
            },
        )
        out["trivial"].append(time.perf_counter() - start)
        if error:
            out["errors"].append(("web_read", error))


JOBS = (
    "lead_pool_policy.ir_cron_lead_scoring_refresh",
    "lead_pool_policy.ir_cron_pool_recycle",
    "lead_pool_policy.ir_cron_pool_distribute",
)


def jobs_worker(client, stop_at, out):
    """An administrator re-running the nightly jobs during the claim storm,
    each round after changing the fit weight, so that the refresh rewrites
    every score (the pool's leads included)."""
    cron_ids = {}
    for xmlid in JOBS:
        module, name = xmlid.split(".")
        # (check_object_reference hides archived records: the distribution
        # job is off until a manager switches it on; run manually, it runs.)
        result, error = client.call_kw(
            "ir.model.data",
            "search_read",
            [[("module", "=", module), ("name", "=", name)], ["res_id"]],
        )
        if error or not result:
            out["job_errors"].append((xmlid, error or "not found"))
            return
        cron_ids[xmlid] = result[0]["res_id"]
    company, error = client.call_kw("res.users", "read", [[2], ["company_id"]])
    company_id = company[0]["company_id"][0] if company else 1
    weights = itertools.cycle([55, 45])
    while time.monotonic() < stop_at:
        _result, error = client.call_kw(
            "res.company", "write", [[company_id], {"score_fit_weight": next(weights)}]
        )
        if error:
            out["job_errors"].append(("res.company.write", error))
        for xmlid, cron_id in cron_ids.items():
            start = time.perf_counter()
            _result, error = client.call_kw(
                "ir.cron", "method_direct_trigger", [[cron_id]]
            )
            out["jobs"].append((xmlid, time.perf_counter() - start))
            if error:
                out["job_errors"].append((xmlid, error))


def analyse(db, log_start, since, daily_limit):
    conn = psycopg2.connect(dbname=db)
    try:
        with conn.cursor() as cr:
            cr.execute(
                "SELECT COUNT(*) FROM crm_lead_pool_log "
                "WHERE event = 'claim' AND id > %s",
                [log_start],
            )
            claims = cr.fetchone()[0]
            cr.execute(
                "SELECT MAX(date) FROM crm_lead_pool_log "
                "WHERE event = 'claim' AND id > %s",
                [log_start],
            )
            last_claim = cr.fetchone()[0]
            # A claim whose previous event on the same lead (in this run) is a
            # claim too: the lead was handed out twice.
            cr.execute(
                """
                SELECT COUNT(*) FROM (
                    SELECT event, LAG(event) OVER (PARTITION BY lead_id
                                                    ORDER BY date, id) AS previous
                      FROM crm_lead_pool_log
                     WHERE id > %s AND lead_id IS NOT NULL
                ) events
                 WHERE event IN ('claim', 'assign') AND previous IN ('claim', 'assign')
                """,
                [log_start],
            )
            double = cr.fetchone()[0]
            # The owner of each claimed lead is its last claimer.
            cr.execute(
                """
                SELECT COUNT(*) FROM (
                    SELECT DISTINCT ON (lead_id) lead_id, owner_after_id
                      FROM crm_lead_pool_log
                     WHERE id > %s AND event = 'claim'
                  ORDER BY lead_id, date DESC, id DESC
                ) last JOIN crm_lead lead ON lead.id = last.lead_id
                 WHERE lead.user_id IS DISTINCT FROM last.owner_after_id
                    OR lead.in_pool
                """,
                [log_start],
            )
            mismatched = cr.fetchone()[0]
            cr.execute(
                """
                SELECT owner_after_id, COUNT(*) FROM crm_lead_pool_log
                 WHERE event IN ('claim', 'assign') AND date >= %s
              GROUP BY owner_after_id HAVING COUNT(*) > %s
                """,
                [since, daily_limit],
            )
            over_limit = cr.fetchall()
            cr.execute(
                "SELECT COUNT(DISTINCT owner_after_id) FROM crm_lead_pool_log "
                "WHERE event = 'claim' AND id > %s",
                [log_start],
            )
            claimers = cr.fetchone()[0]
            cr.execute(
                """
                SELECT COUNT(*) FROM (
                    SELECT owner_after_id FROM crm_lead_pool_log
                     WHERE event IN ('claim', 'assign') AND date >= %s
                  GROUP BY owner_after_id HAVING COUNT(*) >= %s
                ) full_reps
                """,
                [since, daily_limit],
            )
            at_limit = cr.fetchone()[0]
    finally:
        conn.close()
    return {
        "claims": claims,
        "double": double,
        "mismatched": mismatched,
        "over_limit": over_limit,
        "claimers": claimers,
        "at_limit": at_limit,
        "last_claim": last_claim,
    }


def read_server_log(path):
    """(retries, [records of errors that were not retried conflicts])."""
    records = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line[:4].isdigit() and line[4:5] == "-":
                records.append(line)
            elif records:
                records[-1] += line
    retries = sum(" tries left" in record for record in records)
    errors = [
        record
        for record in records
        if (" ERROR " in record or " CRITICAL " in record)
        # The failed statement, logged before Odoo retries its transaction.
        and not (
            "odoo.sql_db: bad query" in record
            and (
                "could not serialize access" in record or "deadlock detected" in record
            )
        )
    ]
    return retries, errors


def bench_contention(args, floor=False):
    """The claim storm; with ``floor``, on a copy of its own where the reps
    call the floor's bare claim instead of the addon's."""
    template = f"{args.db}_pool"
    ensure_installed(args.addons_path, template, "lead_pool_policy")
    db = f"{args.db}_contention{'_floor' if floor else ''}"
    copy_db(template, db)
    accounts, pool_ids = setup(db, args.reps, args.pool, args.daily_limit)
    addons_path = args.addons_path
    if floor:
        # After the setup: this process's registry does not know the floor.
        addons_path = f"{addons_path},{FLOOR_ADDONS}"
        _s, _m, code = install(addons_path, db, FLOOR_MODULE)
        if code:
            raise SystemExit(f"bench: installing {FLOOR_MODULE} into {db} failed")
    # K servers on the one database (a load balancer's view: each rep stays
    # on one), ports two apart (HTTP and its websocket port).
    ports = [args.port + 2 * k for k in range(args.servers)]
    base_urls = [f"http://127.0.0.1:{port}" for port in ports]
    logdir = tempfile.mkdtemp(prefix="lpph_bench_contention_")
    procs = [start_server(args, addons_path, db, logdir, port) for port in ports]
    try:
        for proc, base_url in zip(procs, base_urls):
            wait_ready(proc, base_url)
        clients = []
        for n, (login, password, own_lead) in enumerate(accounts):
            client = Client(base_urls[n % len(base_urls)])
            result, error = client.call(
                "/web/session/authenticate",
                {"db": db, "login": login, "password": password},
            )
            if error or not result or not result.get("uid"):
                raise SystemExit(f"bench: {login} could not log in: {error}")
            clients.append((client, own_lead))
        # The trivial read alone, for reference.
        idle = {"claim": [], "trivial": [], "errors": []}
        client, own = clients[0]
        for _i in range(50):
            start = time.perf_counter()
            _result, error = client.call_kw(
                "crm.lead", "web_read", [[own]], {"specification": {"name": {}}}
            )
            idle["trivial"].append(time.perf_counter() - start)
            if error:
                idle["errors"].append(("web_read", error))
        conn = psycopg2.connect(dbname=db)
        try:
            with conn.cursor() as cr:
                cr.execute("SELECT COALESCE(MAX(id), 0) FROM crm_lead_pool_log")
                log_start = cr.fetchone()[0]
                cr.execute(
                    "SELECT now() at time zone 'utc', "
                    "date_trunc('day', now() at time zone 'utc')"
                )
                load_start, today = cr.fetchone()
        finally:
            conn.close()
        out = {
            "claim": [],
            "trivial": [],
            "errors": list(idle["errors"]),
            "jobs": [],
            "job_errors": [],
        }
        start = time.monotonic()
        stop_at = start + args.seconds
        threads = [
            threading.Thread(
                target=rep_worker,
                args=(
                    client,
                    own,
                    pool_ids,
                    stop_at,
                    args.max_rounds,
                    n,
                    out,
                    claim_calls(args, floor),
                ),
            )
            for n, (client, own) in enumerate(clients)
        ]
        if args.with_jobs:
            admin = Client(base_urls[-1])
            _result, error = admin.call(
                "/web/session/authenticate",
                {"db": db, "login": "admin", "password": "admin"},
            )
            if error:
                raise SystemExit(f"bench: admin could not log in: {error}")
            threads.append(
                threading.Thread(target=jobs_worker, args=(admin, stop_at, out))
            )
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - start
    finally:
        for proc in procs:
            stop_server(proc)
    result = analyse(db, log_start, today, args.daily_limit)
    # Claims stop when every rep reaches the limit: the rate until the last one.
    if result["last_claim"]:
        result["claim_window"] = max(
            1.0, (result["last_claim"] - load_start).total_seconds()
        )
    else:
        result["claim_window"] = elapsed
    retries, server_errors = 0, []
    for port in ports:
        more_retries, more_errors = read_server_log(
            os.path.join(logdir, f"odoo-{port}.log")
        )
        retries += more_retries
        server_errors += more_errors
    if not args.keep:
        drop_db(db)
    return dict(
        result,
        elapsed=elapsed,
        calls=out,
        idle=idle["trivial"],
        retries=retries,
        server_errors=server_errors,
        logdir=logdir,
    )


def p95_ratio(calls):
    """The claims' p95 over the trivial reads' p95 of a storm's ``calls``."""
    return percentile(calls["claim"], 0.95) / percentile(calls["trivial"], 0.95)


def latency_words(calls):
    """The claims' p50 and p95 and the trivial reads' p95 of ``calls``."""
    return (
        f"claim latency p50 {percentile(calls['claim'], 0.5) * 1000:.0f} ms, "
        f"p95 {percentile(calls['claim'], 0.95) * 1000:.0f} ms; trivial read "
        f"p95 {percentile(calls['trivial'], 0.95) * 1000:.0f} ms"
    )


def report_contention(args, r):
    claim_lat, trivial_lat = r["calls"]["claim"], r["calls"]["trivial"]
    errors = r["calls"]["errors"]
    distinct = sorted({f"{method}: {message}" for method, message in errors})
    jobs = r["calls"]["jobs"]
    print(
        f"contention  {args.reps} reps over {args.servers} server(s) of "
        f"{args.workers} workers{', with the nightly jobs' if args.with_jobs else ''}"
        f", pool of {args.pool:,}"
        f" leads, daily limit {args.daily_limit}, {r['elapsed']:.1f} s\n"
        f"contention  claims: {r['claims']:,} by {r['claimers']} reps, "
        f"{r['at_limit']} of them at their limit "
        f"({r['claims'] / r['claim_window']:.1f} claims/s until the last claim, "
        f"{r['claim_window']:.0f} s); claim calls: "
        f"{len(claim_lat):,}, trivial reads: {len(trivial_lat):,}\n"
        f"contention  double claims: {r['double']} (owner differs from the last "
        f"claimer: {r['mismatched']}); limit violations: {len(r['over_limit'])}; "
        f"user-visible errors: {len(errors)} (target 0/0/0)\n"
        f"contention  {latency_words(r['calls'])} (idle server: "
        f"{percentile(r['idle'], 0.95) * 1000:.0f} ms); ratio "
        f"{p95_ratio(r['calls']):.2f}x (target <= "
        f"{'2x with the jobs' if args.with_jobs else '1.2x without jobs'})\n"
        f"contention  conflicts retried by Odoo: {r['retries']}; other server "
        f"errors logged: {len(r['server_errors'])} (logs: {r['logdir']})"
    )
    if args.with_jobs:
        runs = {}
        for xmlid, seconds in jobs:
            runs.setdefault(xmlid.split(".")[1], []).append(seconds)
        print(
            "contention  jobs run during the storm: "
            + ", ".join(
                f"{name} {len(times)}x (p50 {percentile(times, 0.5):.2f} s)"
                for name, times in runs.items()
            )
            + f"; job errors: {len(r['calls']['job_errors'])}"
        )
        for xmlid, message in r["calls"]["job_errors"][:5]:
            print(f"contention  job error: {xmlid}: {message[:300]}")
    for line in distinct[:5]:
        print(f"contention  error: {line[:300]}")
    for owner, count in r["over_limit"][:5]:
        print(f"contention  user {owner} claimed {count} today")
    for record in r["server_errors"][:5]:
        print(f"contention  server: {record[:300]}")


def report_floor(args, r, floor):
    """The floor's storm next to the addon's (``--floor``)."""
    calls = floor["calls"]
    cpu = (
        f", then {args.floor_cpu_ms:g} ms of CPU per call (--floor-cpu-ms)"
        if args.floor_cpu_ms
        else ""
    )
    print(
        f"contention  floor (a bare claim by SQL: the claimer's lock, today's "
        f"count, the move, a history row; {FLOOR_MODULE}{cpu}), the same storm on "
        f"a copy: {floor['claims']:,} claims, double claims: {floor['double']}, "
        f"limit violations: {len(floor['over_limit'])}, errors: "
        f"{len(calls['errors'])}\n"
        f"contention  floor {latency_words(calls)}; ratio "
        f"{p95_ratio(calls):.2f}x (the addon's claims above: "
        f"{p95_ratio(r['calls']):.2f}x)"
    )
