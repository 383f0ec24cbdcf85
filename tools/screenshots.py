"""Take the addon's screenshots: the Apps listing's, and more for review.

Usage: python3 tools/screenshots.py [--url URL] [--db DB] [--out DIR] ...

Uses the Odoo server at --url (default http://localhost:$HTTP_PORT, 8069),
serving database --db (default $DB, else lead_pool_policy: the ./dev run
database); when nothing answers there, starts `./dev run --workers=0` with
that database and port (which creates the database with the addon and its
demo data on first use) and stops it at the end.

In that database, as the administrator, it loads the languages asked for
(base.language.install), sets the demo salesperson's password to their
login when that login does not work (the addon's demo users have none), and
switches the users' language for each round of shots, then puts it back.

Each shot is taken by headless Chromium (driven through the DevTools
protocol on a pipe: no port), logged in as the user the page is for, at
1440 x 900 (desktop) and 390 x 844 (phone), in each language. The desktop
English shots of the Apps listing go to lead_pool_policy/static/description
(optimised PNGs; tools/gen_readme.py shows them on the module's page): run
python3 tools/gen_readme.py afterwards. The other variants go to --out
(default /tmp/lpp_screens), with the shots of the Apps page itself. A shot
whose page does not exist in the database (Pool Health before its report
is installed) is skipped with a message.
"""

import argparse
import base64
import io
import json
import os
import pathlib
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

import requests
from PIL import Image

ROOT = pathlib.Path(__file__).resolve().parent.parent
DESCRIPTION = ROOT / "lead_pool_policy" / "static" / "description"
SIZES = {"desktop": (1440, 900), "phone": (390, 844)}
PHONE_USER_AGENT = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36"
)
REP_XMLID = "lead_pool_policy.res_users_rep_an_demo"
TEAM_XMLID = "lead_pool_policy.crm_team_pool_demo"
# No caret, transition or animation in a shot.
STILL_CSS = (
    "*, *::before, *::after { transition: none !important; "
    "animation: none !important; caret-color: transparent !important; }"
)


@dataclass
class Shot:
    """One page to photograph: who opens it, where, and what to do first.

    steps: ("click", css), ("scroll", css: to the top, a little below it),
    ("scroll_block", css: to the title of the settings block holding it),
    ("search", text: replaces the search facets), ("wait", css).
    """

    name: str
    user: str  # "rep" or "admin"
    path: str  # after the server's URL, {placeholders} from Context.ids
    ready: str  # CSS selector present once the page shows its data
    steps: list = field(default_factory=list)
    requires: str = ""  # xml id the page needs, else skipped
    listing: bool = True  # desktop English shot kept for the Apps listing


SHOTS = [
    Shot(
        "pool",
        "rep",
        "/odoo/action-lead_pool_policy.crm_lead_action_pool",
        ".o_list_renderer .o_data_row, .o_kanban_record:not(.o_kanban_ghost)",
    ),
    Shot(
        "pool_kanban",
        "rep",
        "/odoo/action-lead_pool_policy.crm_lead_action_pool?view_type=kanban",
        ".o_kanban_record:not(.o_kanban_ghost)",
        listing=False,
    ),
    Shot(
        "lead",
        "rep",
        "/odoo/action-crm.crm_lead_all_leads/{claimed_lead}",
        ".o_form_view .o_field_widget[name=name]",
        steps=[("scroll", ".o_form_view .o_field_widget[name=user_id]")],
    ),
    Shot(
        "settings",
        "admin",
        "/odoo/action-crm.crm_config_settings_action",
        ".o_setting_container, .o_settings_container",
        steps=[("scroll_block", "#lead_pool_policy_scoring")],
    ),
    Shot(
        "team",
        "admin",
        "/odoo/action-sales_team.crm_team_action_config/{team}",
        ".o_form_view .o_notebook",
        steps=[("click", ".o_notebook a[name=pool_policy]"), ("scroll", ".o_notebook")],
    ),
    Shot(
        "dashboard",
        "admin",
        "/odoo/action-sales_team.crm_team_action_pipeline",
        ".o_kanban_record:not(.o_kanban_ghost)",
    ),
    Shot(
        "pool_health",
        "admin",
        "/odoo/action-lead_pool_policy.crm_lead_pool_health_flow_action",
        ".o_view_controller .o_content > *",
        requires="lead_pool_policy.crm_lead_pool_health_flow_action",
    ),
    Shot(
        "apps",
        "admin",
        "/odoo/apps",
        ".o_kanban_record:not(.o_kanban_ghost)",
        steps=[
            ("search", "Lead Pool"),
            ("wait", ".o_kanban_record img[src*=lead_pool_policy]"),
        ],
        listing=False,
    ),
    Shot(
        "apps_form",
        "admin",
        "/odoo/apps/{module}",
        ".o_form_view .o_field_widget[name=description_html] p",
        listing=False,
    ),
]


# -- Odoo over JSON-RPC --------------------------------------------------------


class Odoo:
    """A logged-in JSON-RPC session on the server."""

    def __init__(self, url, db, login, password):
        self.url = url
        self.http = requests.Session()
        result = self._post(
            "/web/session/authenticate",
            {"db": db, "login": login, "password": password},
        )
        self.uid = result["uid"]
        self.session_id = self.http.cookies["session_id"]

    def _post(self, path, params):
        payload = {"jsonrpc": "2.0", "method": "call", "params": params}
        reply = self.http.post(self.url + path, json=payload, timeout=600).json()
        if reply.get("error"):
            raise RuntimeError(reply["error"]["data"]["message"])
        return reply["result"]

    def call(self, model, method, *args, **kwargs):
        return self._post(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    def ref(self, xmlid):
        """The record id of xml id module.name, or None."""
        module, name = xmlid.split(".")
        rows = self.call(
            "ir.model.data",
            "search_read",
            [("module", "=", module), ("name", "=", name)],
            ["res_id"],
        )
        return rows[0]["res_id"] if rows else None


def login(url, db, login_, password):
    try:
        return Odoo(url, db, login_, password)
    except (RuntimeError, KeyError, TypeError):
        return None


# -- the server ------------------------------------------------------------------


def server_answers(url):
    try:
        return requests.get(url + "/web/webclient/version_info", timeout=5).ok or True
    except requests.RequestException:
        return False


def start_server(args, log_path):
    env = dict(os.environ, DB=args.db, HTTP_PORT=str(args.port))
    print(f"starting ./dev run on {args.url} (database {args.db}, log {log_path})")
    with open(log_path, "w") as log:  # the server writes to its own copy
        process = subprocess.Popen(
            [str(ROOT / "dev"), "run", "--workers=0", "--max-cron-threads=0"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + args.server_timeout
    while not server_answers(args.url):
        if process.poll() is not None:
            sys.exit(f"./dev run stopped (exit {process.returncode}): see {log_path}")
        if time.monotonic() > deadline:
            os.killpg(process.pid, signal.SIGTERM)
            sys.exit(
                f"the server did not answer in {args.server_timeout} s: see {log_path}"
            )
        time.sleep(2)
    return process


def stop_server(process):
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


# -- Chromium over the DevTools protocol -----------------------------------------


class Chromium:
    """Headless Chromium driven through --remote-debugging-pipe: commands are
    JSON messages ended by a NUL byte, written on its fd 3, answered on fd 4."""

    def __init__(self, binary):
        self.profile = tempfile.mkdtemp(prefix="lpp_screens_chromium_")
        to_chrome, self._write = os.pipe()
        self._read, from_chrome = os.pipe()

        def wire_pipes():
            # In the child: its ends of the pipes on fds 3 and 4 (by way of
            # fds no pipe can be on). Python's own fds close at exec.
            os.dup2(to_chrome, 100)
            os.dup2(from_chrome, 101)
            os.dup2(100, 3)
            os.dup2(101, 4)
            os.close(100)
            os.close(101)

        command = [
            binary,
            "--headless=new",
            "--remote-debugging-pipe",
            f"--user-data-dir={self.profile}",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-gpu",
            "--disable-extensions",
            "--disable-background-networking",
            "--hide-scrollbars",
            "--force-color-profile=srgb",
            "--lang=en-US",
            "about:blank",
        ]
        if os.geteuid() == 0:
            command.insert(1, "--no-sandbox")  # Chromium refuses root otherwise
        self.process = subprocess.Popen(
            command,
            preexec_fn=wire_pipes,  # noqa: PLW1509 (no threads in this script)
            close_fds=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_chrome)
        os.close(from_chrome)
        self._buffer = b""
        self._next_id = 0

    def send(self, method, params=None, session=None, timeout=60):
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._write, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._receive(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def _receive(self, deadline):
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._read], [], [], left)[0]:
                raise TimeoutError("Chromium did not answer")
            chunk = os.read(self._read, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium stopped")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def close(self):
        try:
            self.send("Browser.close", timeout=10)
            self.process.wait(10)
        except (RuntimeError, TimeoutError, subprocess.TimeoutExpired):
            self.process.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


class Page:
    """A tab in its own browser context (its own cookies), logged in."""

    def __init__(self, browser, url, session_id, size):
        self.browser = browser
        self.context = browser.send("Target.createBrowserContext")["browserContextId"]
        target = browser.send(
            "Target.createTarget",
            {"url": "about:blank", "browserContextId": self.context},
        )["targetId"]
        self.session = browser.send(
            "Target.attachToTarget", {"targetId": target, "flatten": True}
        )["sessionId"]
        width, height = SIZES[size]
        phone = size == "phone"
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": phone},
        )
        if phone:
            self.send("Emulation.setUserAgentOverride", {"userAgent": PHONE_USER_AGENT})
            self.send("Emulation.setTouchEmulationEnabled", {"enabled": True})
        self.send("Network.enable")
        self.send(
            "Network.setCookie",
            {"name": "session_id", "value": session_id, "url": url, "httpOnly": True},
        )
        self.send("Page.enable")

    def send(self, method, params=None, timeout=60):
        return self.browser.send(method, params, session=self.session, timeout=timeout)

    def evaluate(self, expression):
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
        )
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"].get("text", expression))
        return result["result"].get("value")

    def wait_for(self, selector, timeout=60):
        """Until selector matches, nothing loads, and the page stays so for
        half a second; False when the time runs out."""
        check = (
            f"!!document.querySelector({json.dumps(selector)}) "
            "&& !document.querySelector('.o_loading_indicator, .o_blockUI') "
            "&& document.readyState === 'complete'"
        )
        deadline = time.monotonic() + timeout
        steady = 0
        while time.monotonic() < deadline:
            steady = steady + 1 if self.evaluate(check) else 0
            if steady >= 3:
                return True
            time.sleep(0.25)
        return False

    def open(self, url):
        self.send("Page.navigate", {"url": url})

    def still(self):
        self.evaluate(
            "(() => { const s = document.createElement('style');"
            f"s.textContent = {json.dumps(STILL_CSS)};"
            "document.head.appendChild(s);"
            "document.activeElement && document.activeElement.blur();"
            "return document.fonts.ready.then(() => true); })()"
        )

    def step(self, action, argument):
        if action == "click":
            self.evaluate(f"document.querySelector({json.dumps(argument)})?.click()")
        elif action in ("scroll", "scroll_block"):
            element = f"document.querySelector({json.dumps(argument)})"
            if action == "scroll_block":
                element += "?.closest('.o_settings_container')?.previousElementSibling"
            self.evaluate(
                f"(() => {{ const element = {element}; if (!element) return;"
                # Room for a label above its field, for sticky bars on a phone.
                "element.style.scrollMarginTop = innerWidth < 768 ? '56px' : '16px';"
                "element.scrollIntoView({block: 'start'}); })()"
            )
        elif action == "search":
            # On a phone the search bar shows once its toggler is pressed.
            self.evaluate(
                "void (document.querySelector('.o_searchview_input') || document"
                ".querySelector('.o_control_panel button .fa-search')?.click())"
            )
            time.sleep(0.5)
            self.evaluate(
                "document.querySelectorAll('.o_searchview_facet .o_facet_remove')"
                ".forEach((b) => b.click())"
            )
            time.sleep(0.5)
            self.evaluate("document.querySelector('.o_searchview_input').focus()")
            self.send("Input.insertText", {"text": argument})
            for kind in ("keyDown", "keyUp"):
                self.send(
                    "Input.dispatchKeyEvent",
                    {
                        "type": kind,
                        "key": "Enter",
                        "code": "Enter",
                        "windowsVirtualKeyCode": 13,
                    },
                )
        elif action == "wait" and not self.wait_for(argument, timeout=30):
            print(f"    (still no {argument})")
        time.sleep(0.5)

    def screenshot(self):
        return base64.b64decode(
            self.send("Page.captureScreenshot", {"format": "png"})["data"]
        )

    def close(self):
        self.browser.send(
            "Target.disposeBrowserContext", {"browserContextId": self.context}
        )


# -- images ----------------------------------------------------------------------


def save_png(data, path, optimise):
    """Writes the shot; optimised: reduced to 256 colours (Odoo's flat UI
    keeps its look) and compressed hard, for the Apps listing."""
    image = Image.open(io.BytesIO(data)).convert("RGB")
    if optimise:
        image = image.quantize(
            256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, optimize=True)
    return path.stat().st_size


# -- the run -----------------------------------------------------------------------


@dataclass
class Context:
    url: str
    db: str
    admin: Odoo
    admin_login: str
    admin_password: str
    rep_login: str
    rep_password: str
    ids: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)  # "admin"/"rep" -> res.users id


def prepare(args):
    admin = login(args.url, args.db, args.admin_login, args.admin_password)
    if not admin:
        sys.exit(f"cannot log in as {args.admin_login} on {args.url} ({args.db})")
    rep_id = admin.ref(REP_XMLID)
    if not rep_id:
        sys.exit(f"{REP_XMLID} is missing: use a database with the addon's demo data")
    rep_login = admin.call("res.users", "read", [rep_id], ["login"])[0]["login"]
    if not login(args.url, args.db, rep_login, rep_login):
        admin.call("res.users", "write", [rep_id], {"password": rep_login})
    ctx = Context(
        args.url,
        args.db,
        admin,
        args.admin_login,
        args.admin_password,
        rep_login,
        rep_login,
    )
    ctx.users = {"admin": admin.uid, "rep": rep_id}
    # Apps › Update Apps List: the module's icon and description as on disk.
    wizard = admin.call("base.module.update", "create", {})
    admin.call("base.module.update", "update_module", [wizard])
    ctx.ids["team"] = admin.ref(TEAM_XMLID)
    ctx.ids["module"] = admin.call(
        "ir.module.module", "search", [("name", "=", "lead_pool_policy")]
    )[0]
    ctx.ids["claimed_lead"] = claimed_lead(admin, rep_id)
    for lang in args.langs:
        install_language(admin, lang)
    return ctx


def claimed_lead(admin, rep_id):
    """The lead the salesperson claimed last and still holds."""
    logs = admin.call(
        "crm.lead.pool.log",
        "search_read",
        [("event", "=", "claim"), ("user_id", "=", rep_id), ("lead_id", "!=", False)],
        ["lead_id"],
        order="date desc",
    )
    lead_ids = [log["lead_id"][0] for log in logs]
    held = admin.call(
        "crm.lead",
        "search",
        [("id", "in", lead_ids), ("user_id", "=", rep_id), ("in_pool", "=", False)],
    )
    if not held:
        sys.exit("the demo salesperson holds no lead claimed from the pool")
    return next(lead_id for lead_id in lead_ids if lead_id in held)


def install_language(admin, lang):
    langs = admin.call(
        "res.lang",
        "search_read",
        [("code", "=", lang), ("active", "in", (True, False))],
        ["active"],
    )
    if not langs:
        sys.exit(f"Odoo knows no language {lang}")
    if langs[0]["active"]:
        return
    print(f"loading {lang} (base.language.install)")
    wizard = admin.call(
        "base.language.install", "create", {"lang_ids": [(6, 0, [langs[0]["id"]])]}
    )
    admin.call("base.language.install", "lang_install", [wizard])


def set_language(ctx, lang):
    ctx.admin.call("res.users", "write", list(ctx.users.values()), {"lang": lang})


def take(ctx, browser, shot, size, target):
    session = login(
        ctx.url,
        ctx.db,
        ctx.rep_login if shot.user == "rep" else ctx.admin_login,
        ctx.rep_password if shot.user == "rep" else ctx.admin_password,
    )
    page = Page(browser, ctx.url, session.session_id, size)
    try:
        page.open(ctx.url + shot.path.format(**ctx.ids))
        if not page.wait_for(shot.ready):
            print(
                f"    {shot.name}: the page did not show {shot.ready} within a minute"
            )
        for action, argument in shot.steps:
            page.step(action, argument)
        page.wait_for(".o_action_manager")
        page.still()
        time.sleep(0.5)
        return save_png(
            page.screenshot(), target, optimise=target.parent == DESCRIPTION
        )
    finally:
        page.close()


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="\n\n".join(__doc__.split("\n\n")[1:]),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--url",
        help="a running Odoo server (else http://localhost:PORT, started if need be)",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("HTTP_PORT", "8069")),
        help="port of the server to use or start ($HTTP_PORT, else 8069)",
    )
    parser.add_argument(
        "--db",
        default=os.environ.get("DB", "lead_pool_policy"),
        help="database with the addon and its demo data ($DB, else lead_pool_policy)",
    )
    parser.add_argument(
        "--out",
        type=pathlib.Path,
        default=pathlib.Path("/tmp/lpp_screens"),
        help="where the other variants go (/tmp/lpp_screens)",
    )
    parser.add_argument(
        "--only", help="comma-separated shots: " + ", ".join(s.name for s in SHOTS)
    )
    parser.add_argument("--langs", default="en_US,zh_CN", help="(en_US,zh_CN)")
    parser.add_argument("--sizes", default="desktop,phone", help="(desktop,phone)")
    parser.add_argument("--admin-login", default="admin", help="(admin)")
    parser.add_argument("--admin-password", default="admin", help="(admin)")
    parser.add_argument(
        "--chromium",
        default=shutil.which("chromium") or shutil.which("chromium-browser"),
        help="the Chromium binary (chromium on the PATH)",
    )
    parser.add_argument(
        "--server-timeout", type=int, default=1800, help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    args.start_server = not args.url
    args.url = (args.url or f"http://localhost:{args.port}").rstrip("/")
    args.langs = args.langs.split(",")
    args.sizes = args.sizes.split(",")
    unknown = set(args.sizes) - set(SIZES) or set((args.only or "").split(",")) - {
        "",
        *(s.name for s in SHOTS),
    }
    if unknown:
        parser.error(f"unknown: {', '.join(sorted(unknown))}")
    if not args.chromium:
        parser.error("Chromium was not found: install it or give --chromium")
    return args


def check_fonts(langs):
    """Chromium draws text it has no font for as boxes: say so first."""
    for lang in langs:
        code = lang.split("_")[0]
        if code not in ("zh", "ja", "ko") or not shutil.which("fc-list"):
            continue
        fonts = subprocess.run(
            ["fc-list", f":lang={code}"], capture_output=True, text=True, check=False
        ).stdout
        if not fonts.strip():
            print(
                f"warning: no {lang} font: its text will show as boxes "
                "(Debian: apt-get install fonts-noto-cjk)"
            )


def main():
    args = parse_args()
    check_fonts(args.langs)
    shots = SHOTS
    if args.only:
        shots = [s for s in SHOTS if s.name in args.only.split(",")]
    args.out.mkdir(parents=True, exist_ok=True)
    server = None
    if not server_answers(args.url):
        if not args.start_server:
            sys.exit(f"nothing answers at {args.url}")
        server = start_server(args, args.out / "server.log")
    browser = Chromium(args.chromium)
    try:
        ctx = prepare(args)
        written = run(ctx, args, shots, browser)
    finally:
        browser.close()
        if server:
            stop_server(server)
    listing = [(path, size) for path, size in written if path.parent == DESCRIPTION]
    print(
        f"Apps listing: {len(listing)} shots, "
        f"{sum(size for _path, size in listing) // 1024} KB in {DESCRIPTION}"
    )


def run(ctx, args, shots, browser):
    """Every shot in every language and size; the users' languages put back."""
    users = list(ctx.users.values())
    previous = ctx.admin.call("res.users", "read", users, ["lang"])
    written = []
    try:
        for lang in args.langs:
            set_language(ctx, lang)
            for shot in shots:
                if shot.requires and not ctx.admin.ref(shot.requires):
                    print(f"skipped {shot.name}: no {shot.requires} in {args.db} yet")
                    continue
                for size in args.sizes:
                    target = target_path(args, shot, lang, size)
                    written.append((target, take(ctx, browser, shot, size, target)))
                    print(f"{target} ({written[-1][1] // 1024} KB)")
    finally:
        for row in previous:
            ctx.admin.call("res.users", "write", [row["id"]], {"lang": row["lang"]})
    return written


def target_path(args, shot, lang, size):
    """The Apps listing's shots (desktop, English) in static/description;
    the others, named by language and size, in --out."""
    if shot.listing and lang == "en_US" and size == "desktop":
        return DESCRIPTION / f"screenshot_{shot.name}.png"
    return args.out / f"screenshot_{shot.name}_{lang}_{size}.png"


if __name__ == "__main__":
    main()
