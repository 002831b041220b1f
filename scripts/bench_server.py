#!/usr/bin/env python3
"""Server-mode benchmark: the large data set under gunicorn, driven by wrk, against a floor.

Usage: .venv/bin/python scripts/bench_server.py [--backends sqlite,postgresql]
       [--seconds 3] [--runs 3] [--only NAME,...] [--reseed] [--no-write] [--strict]

What it does, per backend (SQLite, then PostgreSQL):
1. seeds the large data set once and reuses it: SQLite in
   instance/bench/large-<fingerprint>.sqlite3, PostgreSQL in the database
   `portal_bench` on 127.0.0.1:5432 (its COMMENT holds the fingerprint). The
   fingerprint covers the migrations and the demo modules, so a change to
   either seeds afresh;
2. starts `gunicorn -w 2` (sync workers) with the portal on a free loopback
   port, and the same gunicorn with a hello-world Flask app (scripts/bench_floor.py)
   as the floor;
3. signs in through /login once per role and reuses the session cookie;
4. drives each page at concurrency 1 and 8 with `--runs` short runs of
   `--seconds / --runs` each (median of the runs is reported), with
   `Connection: close` and a browser's Accept-Encoding;
5. prints req/s, p50 and p99, req/s as a percentage of the floor measured in
   the same run, bytes of HTML (plain, on the wire, and as an htmx fragment),
   the first load (HTML + the CSS and JS it links, on the wire), and the peak
   resident memory (VmHWM) of each worker after the run;
6. writes the tables to docs/benchmark-server.md between its markers, with
   the date, machine and commit.

Load generator: wrk (Debian package `wrk`), with scripts/bench_wrk.lua for the
cookie and to count answers other than 200. A Python generator on this
2-core machine would spend as much CPU as the server it measures and cap the
floor at its own speed; wrk is C with an event loop, so the floor it reaches is
the server's. Only loopback addresses are ever contacted.
"""
import argparse
import datetime
import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HOST = "127.0.0.1"
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DATABASE = "portal_bench"
DOC = ROOT / "docs" / "benchmark-server.md"
MARK_START, MARK_END = "<!-- bench-server:start -->", "<!-- bench-server:end -->"
LONG_RUN_SECONDS = 6  # for pages too slow for short runs (see measure())
ACCEPT_ENCODING = "gzip, deflate, br, zstd"  # what a current browser sends

# (name, kind, role or None for anonymous, path). kind picks the target:
# "record" pages must reach 20 % of the floor at c=8, the others 10 %.
PAGES = [
    ("home admin", "list", "admin", "/"),
    ("home pmo", "list", "pmo", "/"),
    ("home manager", "list", "manager", "/"),
    ("home member", "list", "member", "/"),
    ("home executive", "list", "executive", "/"),
    ("dashboard", "list", "executive", "/dashboard/"),
    ("pmo", "list", "pmo", "/pmo/"),
    ("compliance", "list", "pmo", "/compliance/"),
    ("resources", "list", "pmo", "/resources/"),
    ("risks", "list", "pmo", "/risks/"),
    ("project", "record", "pmo", "/projects/{project}"),
    ("risk log", "record", "pmo", "/projects/{project}/risks/"),
    ("status history", "record", "pmo", "/projects/{project}/status/"),
    ("projects", "list", "pmo", "/projects/"),
    ("helpdesk", "list", "pmo", "/helpdesk/"),
    ("helpdesk deep", "list", "pmo", "/helpdesk/?view=all&page=500"),
    ("ticket", "record", "pmo", "/helpdesk/{ticket}"),
    ("kb article", "record", "member", "/kb/standards/status-reporting"),
    ("kb search", "list", "member", "/kb/search?q=risk+register"),
    ("lessons search", "list", "pmo", "/lessons/?q=supplier"),
    ("milestones", "list", "pmo", "/milestones/"),
    ("login", "list", None, "/login"),
]
ROLE_ACCOUNTS = {"admin": "admin@demo.pmo", "pmo": "pmo@demo.pmo", "manager": "manager@demo.pmo",
                 "member": "member@demo.pmo", "executive": "executive@demo.pmo"}
TARGETS = {"record_pct": 20, "list_pct": 10, "p99_ms": 50, "first_load_kb": 100, "fragment_kb": 10,
           "rss_mb": 120}


# --- the data set ---------------------------------------------------------------

def fingerprint() -> str:
    """A short hash of what shapes the seeded data: migrations and demo modules."""
    digest = hashlib.sha256()
    files = sorted((ROOT / "migrations").glob("*.py")) + [ROOT / "portal" / "demo.py"]
    files += sorted((ROOT / "portal").glob("*/demo.py"))
    for path in files:
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def _seed(url: str) -> None:
    """Create the schema at `url` and load the large demo set into it."""
    from portal import create_app
    from portal.db import db, upgrade
    from portal.demo import load_demo

    app = create_app({"DATABASE_URL": url})
    upgrade()
    started = time.monotonic()
    with app.app_context(), db.connection_context():
        load_demo("large")
    print(f"  seeded in {time.monotonic() - started:.0f}s", flush=True)
    db.close()


def sqlite_url(reseed: bool) -> str:
    """The cached SQLite file for this fingerprint, seeding it first when missing."""
    folder = ROOT / "instance" / "bench"
    target = folder / f"large-{fingerprint()}.sqlite3"
    if target.exists() and not reseed:
        print(f"  reusing {target.relative_to(ROOT)}", flush=True)
        return f"sqlite:///{target}"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("large-*.sqlite3*"):
        old.unlink()
    # Seeded under another name and renamed when complete, so an interrupted seed is never reused.
    partial = folder / "seeding.sqlite3"
    for leftover in folder.glob("seeding.sqlite3*"):
        leftover.unlink()
    print(f"  seeding {target.relative_to(ROOT)} (a few minutes, once)", flush=True)
    _seed(f"sqlite:///{partial}")
    partial.rename(target)
    return f"sqlite:///{target}"


def postgresql_url(reseed: bool) -> str:
    """The `portal_bench` database, created and seeded when missing or seeded from other code."""
    import psycopg2

    wanted = f"portal bench seed {fingerprint()}"
    admin = psycopg2.connect(PG_ADMIN_URL)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                    (PG_DATABASE,))
        row = cur.fetchone()
        if row and row[0] == wanted and not reseed:
            print(f"  reusing database {PG_DATABASE}", flush=True)
        else:
            if row:
                cur.execute(f"DROP DATABASE {PG_DATABASE} WITH (FORCE)")
            cur.execute(f"CREATE DATABASE {PG_DATABASE}")
            print(f"  seeding database {PG_DATABASE} (a few minutes, once)", flush=True)
            _seed(f"postgresql://postgres@127.0.0.1:5432/{PG_DATABASE}")
            # Marked only once complete: an interrupted seed is dropped next time.
            cur.execute(f"COMMENT ON DATABASE {PG_DATABASE} IS %s", (wanted,))
    admin.close()
    # A server in use has planner statistics (autovacuum gathers them within minutes of a bulk load);
    # a database measured straight after seeding would not, and its plans would not be the real ones.
    seeded = psycopg2.connect(f"postgresql://postgres@127.0.0.1:5432/{PG_DATABASE}")
    seeded.autocommit = True
    with seeded.cursor() as cur:
        cur.execute("ANALYZE")
    seeded.close()
    return f"postgresql://postgres@127.0.0.1:5432/{PG_DATABASE}"


def page_values(url: str) -> dict:
    """The busiest project (most risks, then status reports) and the ticket with most replies."""
    from peewee import fn

    from portal import create_app
    from portal.db import db

    create_app({"DATABASE_URL": url})  # first: it imports the feature packages in a working order
    from portal.helpdesk.models import Reply, Ticket
    from portal.projects.models import Project
    from portal.risks.models import Risk
    from portal.status.models import StatusReport
    with db.connection_context():
        live = Project.select(Project.id).where(Project.state == "active")
        risks = dict(Risk.select(Risk.project, fn.COUNT(Risk.id)).where(Risk.project.in_(live))
                     .group_by(Risk.project).tuples())
        reports = dict(StatusReport.select(StatusReport.project, fn.COUNT(StatusReport.id))
                       .group_by(StatusReport.project).tuples())
        busiest = max(risks, key=lambda pid: (risks[pid], reports.get(pid, 0)))
        project = Project.select(Project.code).where(Project.id == busiest).scalar()
        ticket = (Ticket.select(Ticket.number).join(Reply, on=(Reply.ticket == Ticket.id))
                  .group_by(Ticket.id, Ticket.number).order_by(fn.COUNT(Reply.id).desc()).scalar())
    db.close()
    return {"project": project, "ticket": ticket}


# --- servers --------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Gunicorn:
    """`gunicorn -w 2` (sync workers) on a free loopback port, for the life of a `with` block."""

    def __init__(self, app: str, env: dict, workers: int, pythonpath: Path = ROOT):
        self.port = free_port()
        self.log = tempfile.NamedTemporaryFile(prefix="bench-gunicorn-", suffix=".log", delete=False)
        self.cmd = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-k", "sync",
                    "-b", f"{HOST}:{self.port}", "--pythonpath", str(pythonpath), "--timeout", "60", app]
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), **env}
        self.proc = None

    def __enter__(self):
        self.proc = subprocess.Popen(self.cmd, cwd=ROOT, env=self.env, stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log.name}")
            try:
                status, _, _ = request(self.port, "/healthz" if "wsgi" in self.cmd[-1] else "/")
                if status == 200 and len(self.workers()) >= int(self.cmd[4]):
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within 60 s; see {self.log.name}")

    def __exit__(self, *exc):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def workers(self) -> list[int]:
        """Process ids of this master's workers."""
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.proc.pid:
                pids.append(int(stat.parent.name))
        return pids

    def peak_rss_mb(self) -> list[float]:
        """VmHWM (peak resident set) of each worker, in MB."""
        peaks = []
        for pid in self.workers():
            text = Path(f"/proc/{pid}/status").read_text()
            peaks.append(int(re.search(r"VmHWM:\s+(\d+) kB", text).group(1)) / 1024)
        return sorted(peaks)


# --- requests -------------------------------------------------------------------

def request(port: int, path: str, method: str = "GET", headers: dict | None = None, body: str | None = None):
    """(status, headers, body bytes) of one request to the loopback server."""
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def _cookie_from(headers, jar: dict) -> dict:
    for value in headers.get_all("Set-Cookie") or []:
        name, _, rest = value.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]
    return jar


def sign_in(port: int, role: str) -> str:
    """Sign in through /login as the demo account of `role`; the Cookie header to reuse."""
    from portal.demo import demo_password

    email = ROLE_ACCOUNTS[role]
    status, headers, body = request(port, "/login")
    jar = _cookie_from(headers, {})
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body).group(1).decode()
    form = urlencode({"csrf_token": token, "email": email, "password": demo_password(email), "next": ""})
    cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
    status, headers, _ = request(port, "/login", "POST", body=form, headers={
        "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    if status not in (302, 303):
        raise RuntimeError(f"signing in as {email} answered {status}")
    jar = _cookie_from(headers, jar)
    # The first page shows the welcome message and clears it from the session: take
    # that cookie, or every measured request would carry and render the message.
    _, headers, _ = request(port, "/", headers={"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())})
    jar = _cookie_from(headers, jar)
    return "; ".join(f"{k}={v}" for k, v in jar.items())


_ASSET = re.compile(rb'<(?:link[^>]+rel="stylesheet"[^>]+href|script[^>]+src)="(/static/[^"]+)"')


def sizes(port: int, path: str, cookie: str, asset_cache: dict) -> dict:
    """Bytes of the page as HTML, on the wire, as an htmx fragment, and of its first load."""
    base = {"Cookie": cookie} if cookie else {}
    status, _, plain = request(port, path, headers={**base, "Accept-Encoding": "identity"})
    _, headers, wire = request(port, path, headers={**base, "Accept-Encoding": ACCEPT_ENCODING})
    _, _, fragment = request(port, path, headers={**base, "Accept-Encoding": "identity", "HX-Request": "true",
                                                  "HX-Current-URL": f"http://{HOST}:{port}{path}"})
    assets = 0
    for asset in _ASSET.findall(plain):
        asset = asset.decode()
        if asset not in asset_cache:
            _, _, data = request(port, asset, headers={"Accept-Encoding": ACCEPT_ENCODING})
            asset_cache[asset] = len(data)
        assets += asset_cache[asset]
    is_fragment = not fragment.lstrip()[:15].lower().startswith(b"<!doctype")
    return {"status": status, "html": len(plain), "wire": len(wire),
            "encoding": headers.get("Content-Encoding", ""), "first_load": len(wire) + assets,
            "fragment": len(fragment) if is_fragment else None}


def wrk(port: int, path: str, cookie: str, connections: int, seconds: int) -> dict:
    """One wrk run; its JSON summary line plus req/s."""
    env = {**os.environ, "BENCH_COOKIE": cookie, "BENCH_ENCODING": ACCEPT_ENCODING}
    cmd = ["wrk", "-t", str(min(connections, 2)), "-c", str(connections), "-d", f"{seconds}s",
           "--timeout", "10s", "-s", str(ROOT / "scripts" / "bench_wrk.lua"), f"http://{HOST}:{port}{path}"]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=seconds + 30).stdout
    line = next((ln for ln in out.splitlines() if ln.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary for {path}:\n{out}")
    result = json.loads(line[6:])
    result["rps"] = result["requests"] / result["seconds"] if result["seconds"] else 0.0
    return result


def measure(port: int, path: str, cookie: str, connections: int, args) -> dict:
    """The median of `args.runs` short runs: req/s, p50 and p99 in ms, and failures."""
    runs = [wrk(port, path, cookie, connections, max(1, args.seconds // args.runs)) for _ in range(args.runs)]
    if min(r["requests"] for r in runs) < 2 * connections:
        # wrk drops requests still in flight when a run ends: on a page this slow a
        # short run measures nothing, so it gets one longer run instead.
        runs = [wrk(port, path, cookie, connections, LONG_RUN_SECONDS)]
    return {"rps": statistics.median(r["rps"] for r in runs),
            "p50": statistics.median(r["p50_us"] for r in runs) / 1000,
            "p99": statistics.median(r["p99_us"] for r in runs) / 1000,
            "failed": sum(r["not_200"] + r["errors"] for r in runs)}


# --- one backend ----------------------------------------------------------------

def floor(args, concurrencies) -> dict:
    """The hello-world app's req/s and latency at each concurrency."""
    with Gunicorn("bench_floor:app", {}, args.workers, pythonpath=ROOT / "scripts") as server:
        return {c: measure(server.port, "/", "", c, args) for c in concurrencies}


def run_backend(name: str, url: str, args, concurrencies) -> dict:
    """Measure every page on one backend, with the floor measured before and after it."""
    values = page_values(url)
    before = floor(args, concurrencies)
    rows = []
    env = {"PORTAL_DATABASE_URL": url, "PORTAL_SECRET_KEY": "bench-server"}
    with Gunicorn("wsgi:app", env, args.workers) as server:
        cookies = {role: sign_in(server.port, role) for role in ROLE_ACCOUNTS}
        assets = {}
        for page, kind, role, path in PAGES:
            if args.only and page not in args.only:
                continue
            path = path.format(**values)
            cookie = cookies[role] if role else ""
            info = sizes(server.port, path, cookie, assets)
            for _ in range(3):  # warm both workers' caches, as a running server would be
                request(server.port, path, headers={"Cookie": cookie} if cookie else {})
            row = {"page": page, "kind": kind, "role": role or "anonymous", "path": path, **info}
            for c in concurrencies:
                row[c] = measure(server.port, path, cookie, c, args)
            rows.append(row)
            print(format_row(row, before, concurrencies), flush=True)
        rss = server.peak_rss_mb()
    after = floor(args, concurrencies)
    floors = {c: {k: statistics.mean([before[c][k], after[c][k]]) for k in ("rps", "p50", "p99")}
              for c in concurrencies}
    return {"backend": name, "rows": rows, "floor": floors, "rss": rss, "values": values}


# --- reporting ------------------------------------------------------------------

def pct(row, floors, c) -> float:
    return 100 * row[c]["rps"] / floors[c]["rps"] if floors[c]["rps"] else 0.0


def misses(row, floors, concurrencies) -> list[str]:
    """The targets this page misses (empty when all are met)."""
    out = []
    need = TARGETS["record_pct"] if row["kind"] == "record" else TARGETS["list_pct"]
    top = max(concurrencies)
    if pct(row, floors, top) < need:
        out.append(f"<{need}% floor")
    if 1 in concurrencies and row[1]["p99"] > TARGETS["p99_ms"]:
        out.append(f"p99>{TARGETS['p99_ms']}ms")
    if row["first_load"] > TARGETS["first_load_kb"] * 1024:
        out.append(f"load>{TARGETS['first_load_kb']}KB")
    if row["fragment"] is not None and row["fragment"] > TARGETS["fragment_kb"] * 1024:
        out.append(f"frag>{TARGETS['fragment_kb']}KB")
    if row["status"] != 200 or any(row[c]["failed"] for c in concurrencies):
        out.append("NOT 200")
    return out


def _kb(n) -> str:
    return "—" if n is None else f"{n / 1024:.1f}"


def format_row(row, floors, concurrencies) -> str:
    cells = [f"{row['page']:<16}"]
    for c in concurrencies:
        cells.append(f"c{c} {row[c]['rps']:7.1f}/s {pct(row, floors, c):5.1f}% "
                     f"p50 {row[c]['p50']:6.1f} p99 {row[c]['p99']:6.1f}")
    cells.append(f"html {_kb(row['html'])}K wire {_kb(row['wire'])}K frag {_kb(row['fragment'])}K "
                 f"load {_kb(row['first_load'])}K")
    return "  ".join(cells) + ("  " + ", ".join(misses(row, floors, concurrencies)) if misses(row, floors, concurrencies) else "")


def markdown(results: list[dict], concurrencies, args) -> str:
    """The tables for docs/benchmark-server.md."""
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                           capture_output=True, text=True).stdout.strip()
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), "unknown")
    lines = [f"Run {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')} on {os.cpu_count()} CPU(s), {cpu}; "
             f"commit {commit}{' (with local changes)' if dirty else ''}; gunicorn -w {args.workers} sync workers; "
             f"wrk, `Connection: close`, Accept-Encoding `{ACCEPT_ENCODING}`; {args.runs} runs of "
             f"{max(1, args.seconds // args.runs)} s per page and concurrency (medians).", ""]
    for result in results:
        floors = result["floor"]
        lines.append(f"### {result['backend']}")
        lines.append("")
        lines.append("Floor (hello-world Flask, same gunicorn): " + "; ".join(
            f"c={c} {floors[c]['rps']:.0f} req/s, p50 {floors[c]['p50']:.1f} ms, p99 {floors[c]['p99']:.1f} ms"
            for c in concurrencies) + ".")
        lines.append(f"Peak RSS per worker (VmHWM): {', '.join(f'{m:.0f} MB' for m in result['rss'])}"
                     f" (target ≤ {TARGETS['rss_mb']} MB).")
        lines.append("")
        head = ["page", "role"]
        for c in concurrencies:
            head += [f"c={c} req/s", f"c={c} % floor", f"c={c} p50 ms", f"c={c} p99 ms"]
        head += ["HTML KB", "wire KB", "fragment KB", "first load KB", "targets missed"]
        lines.append("| " + " | ".join(head) + " |")
        lines.append("|" + "---|" * len(head))
        for row in result["rows"]:
            cells = [f"{row['page']} `{row['path']}`", row["role"]]
            for c in concurrencies:
                cells += [f"{row[c]['rps']:.1f}", f"{pct(row, floors, c):.1f}", f"{row[c]['p50']:.1f}",
                          f"{row[c]['p99']:.1f}"]
            cells += [_kb(row["html"]), _kb(row["wire"]) + (f" ({row['encoding']})" if row["encoding"] else ""),
                      _kb(row["fragment"]), _kb(row["first_load"]),
                      ", ".join(misses(row, floors, concurrencies)) or "none"]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def write_doc(text: str) -> None:
    """Replace the generated part of docs/benchmark-server.md, keeping the prose around it."""
    current = DOC.read_text() if DOC.exists() else f"# Server-mode benchmark\n\n{MARK_START}\n{MARK_END}\n"
    head, _, rest = current.partition(MARK_START)
    _, _, tail = rest.partition(MARK_END)
    DOC.write_text(f"{head}{MARK_START}\n{text}\n{MARK_END}{tail}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--concurrency", default="1,8")
    parser.add_argument("--seconds", type=int, default=3, help="per page and concurrency, split into --runs")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", default="", help="comma-separated page names (see PAGES)")
    parser.add_argument("--reseed", action="store_true", help="seed afresh even when a cached set matches")
    parser.add_argument("--no-write", action="store_true", help=f"do not update {DOC.relative_to(ROOT)}")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a page misses a target")
    args = parser.parse_args()
    args.only = {name.strip() for name in args.only.split(",") if name.strip()}
    concurrencies = [int(c) for c in args.concurrency.split(",")]
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install -y wrk", file=sys.stderr)
        return 2
    os.environ.setdefault("PORTAL_SECRET_KEY", "bench-server")
    # A TERM (a timeout, a Ctrl-C from make) unwinds the `with` blocks, which stop gunicorn.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    results = []
    for backend in args.backends.split(","):
        print(f"\n== {backend}", flush=True)
        url = sqlite_url(args.reseed) if backend == "sqlite" else postgresql_url(args.reseed)
        results.append(run_backend(backend, url, args, concurrencies))
        result = results[-1]
        print("floor: " + "; ".join(f"c={c} {result['floor'][c]['rps']:.0f} req/s" for c in concurrencies))
        print(f"peak RSS per worker: {', '.join(f'{m:.0f} MB' for m in result['rss'])}", flush=True)
    text = markdown(results, concurrencies, args)
    if not args.no_write and not args.only:
        write_doc(text)
        print(f"\nwrote {DOC.relative_to(ROOT)}")
    missed = any(misses(r, res["floor"], concurrencies) for res in results for r in res["rows"])
    over_rss = any(m > TARGETS["rss_mb"] for res in results for m in res["rss"])
    return 1 if args.strict and (missed or over_rss) else 0


if __name__ == "__main__":
    sys.exit(main())
