#!/usr/bin/env python3
"""Benchmark: seed the large data set, then time every main page and count its queries.

Usage: .venv/bin/python scripts/bench.py [--database-url URL] [--requests 30] [--skip-seed] [--only TEXT ...]

Each page is requested in-process (no network), signed in as the role that
sees the most. "cpu ms" is this process's CPU time (on SQLite, the database's
too): steadier than the wall clock on a shared machine, but on PostgreSQL it
leaves out the server's work; "KB" is the page as built (before gzip).
--only and --role time a subset; --fragment asks for the htmx fragment, as a
list's filters and pager do. The budget per page is BUDGET_MS (median) and
BUDGET_QUERIES; the script exits 1 when a page is over budget, so it can gate
a release.
"""
import argparse
import logging
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BUDGET_MS = 150
BUDGET_QUERIES = 25

# (role, url): every feature adds its heaviest pages here.
PAGES = [
    ("admin", "/"),
    ("admin", "/admin/users"),
    ("admin", "/admin/users?q=an&role=member"),
    ("admin", "/admin/audit"),
    ("member", "/"),
    ("pmo", "/"),
    ("manager", "/"),
    ("pmo", "/kb/"),
    ("pmo", "/kb/search?q=risk+register"),
    ("member", "/kb/standards/status-reporting"),
    ("pmo", "/kb/reports/acknowledgements"),
    ("admin", "/projects/"),
    ("admin", "/projects/?q=platform&state=active&sort=budget"),
    ("admin", "/projects/?page=15"),
    ("manager", "/projects/"),
    ("pmo", "/intake/"),
    ("pmo", "/helpdesk/"),
    ("pmo", "/helpdesk/?view=breaching"),
    ("pmo", "/helpdesk/?view=all&q=template&sort=priority"),
    ("pmo", "/helpdesk/?view=all&page=500"),
    ("pmo", "/helpdesk/1042"),
    ("pmo", "/helpdesk/1001"),
    ("pmo", "/helpdesk/figures"),
    ("member", "/helpdesk/"),
    ("pmo", "/risks/"),
    ("pmo", "/risks/?band=high&overdue=1&sort=review"),
    ("pmo", "/risks/?page=100"),
    ("pmo", "/risks/issues"),
    ("pmo", "/projects/{busiest_risk_log}"),
    ("pmo", "/risks/overview"),
    ("pmo", "/projects/{busiest_risk_log}/risks/"),
    ("pmo", "/projects/{busiest_risk_log}/risks/?p=3&i=4&sort=review"),
    ("manager", "/risks/"),
    ("executive", "/dashboard/"),
    ("pmo", "/dashboard/?rag=red&sort=percent&dir=desc&page=2"),
    ("executive", "/dashboard/export.csv"),
    ("executive", "/dashboard/summary"),
    ("executive", "/dashboard/mix"),
    ("member", "/dashboard/"),
    ("pmo", "/projects/{project}/status/"),
    ("pmo", "/projects/{project}/status/report"),
    ("pmo", "/projects/{project}/status/{period}"),
    ("pmo", "/resources/"),
    ("pmo", "/resources/?unit=month"),
    ("pmo", "/resources/conflicts"),
    ("manager", "/resources/"),
    ("pmo", "/milestones/"),
    ("pmo", "/compliance/"),
    ("pmo", "/projects/{project}/compliance"),
    ("pmo", "/pmo/"),
    ("pmo", "/pmo/export.csv"),
    ("executive", "/"),
    ("pmo", "/projects/"),
    ("pmo", "/lessons/?q=supplier"),
    ("member", "/kb/search?q=risk+register"),
    ("pmo", "/roadmap/"),
    ("pmo", "/roadmap/?view=table"),
    ("pmo", "/search/?q=risk"),
    ("member", "/search/?q=risk"),
]


def busiest_risk_log() -> str:
    """The code of the project with the most risks, for the risk-log pages."""
    from peewee import fn

    from portal.projects.models import Project
    from portal.risks.models import Risk
    return (Project.select(Project.code).join(Risk, on=(Risk.project == Project.id))
            .group_by(Project.id, Project.code).order_by(fn.COUNT(Risk.id).desc()).scalar())


def page_values() -> dict:
    """Values for the {placeholders} in PAGES: the active project with the most status reports."""
    from peewee import fn

    from portal.projects.models import Project
    from portal.status.models import StatusReport
    row = (StatusReport.select(Project.code, fn.MAX(StatusReport.period_end), fn.COUNT(StatusReport.id))
           .join(Project, on=(StatusReport.project == Project.id)).where(Project.state == "active")
           .group_by(Project.code).order_by(fn.COUNT(StatusReport.id).desc()).tuples().first())
    values = {"project": row[0], "period": str(row[1])[:10]} if row else {}
    values["busiest_risk_log"] = busiest_risk_log()
    return values


class QueryCounter(logging.Handler):
    """Counts the SQL statements peewee logs at DEBUG level."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record):
        if record.name == "peewee":  # not the pool's own messages (peewee.pool)
            self.count += 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None,
                        help="defaults to a new SQLite file in a temporary folder")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--skip-seed", action="store_true")
    parser.add_argument("--only", action="append", default=[], metavar="PREFIX",
                        help="time only the pages whose URL starts with PREFIX (repeatable; '/' alone means the home page)")
    parser.add_argument("--role", action="append", default=[],
                        help="time only the pages requested as ROLE (repeatable)")
    parser.add_argument("--cold", action="store_true",
                        help="compute every page afresh (PORTAL_KEEP_RESULTS=0): the first read after a change")
    parser.add_argument("--fragment", action="store_true",
                        help="request each page as htmx would (HX-Request), as its list fragment")
    args = parser.parse_args()

    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='portal-bench-')}/bench.sqlite3"
    os.environ.setdefault("PORTAL_SECRET_KEY", "bench")
    from portal import create_app
    from portal.auth.models import User
    from portal.db import db, upgrade
    from portal.demo import load_demo

    app = create_app({"DATABASE_URL": url, "KEEP_RESULTS": not args.cold})
    upgrade()
    if not args.skip_seed:
        started = time.monotonic()
        with app.app_context(), db.connection_context():
            print(load_demo("large"))
        print(f"seeded in {time.monotonic() - started:.1f}s")

    counter = QueryCounter()
    peewee_log = logging.getLogger("peewee")
    peewee_log.addHandler(counter)
    peewee_log.setLevel(logging.DEBUG)
    logging.getLogger("portal.access").setLevel(logging.WARNING)  # one line a request would drown the table

    with db.connection_context():
        values = page_values()
    failures = 0
    print(f"\n{'page':<45} {'median ms':>10} {'p95 ms':>8} {'cpu ms':>7} {'queries':>8} {'KB':>6}")
    for role, path in PAGES:
        path = path.format(**values) if "{" in path else path
        if args.only and not any(path == prefix or (prefix != "/" and path.startswith(prefix)) for prefix in args.only):
            continue
        if args.role and role not in args.role:
            continue
        headers = {"HX-Request": "true"} if args.fragment else {}
        client = app.test_client()
        with db.connection_context():
            user = User.select().where((User.role == role) & (User.active == True)).first()  # noqa: E712
        with client.session_transaction() as sess:
            sess["_user_id"] = user.get_id()
        client.get(path, headers=headers).close()  # warm caches, as a running server would be
        timings, cpu = [], []
        for _ in range(args.requests):
            counter.count = 0
            t0, c0 = time.perf_counter(), time.process_time()
            response = client.get(path, headers=headers)
            size = len(response.get_data())  # streamed exports count until their last row
            response.close()
            timings.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
            if response.status_code != 200:
                print(f"{path}: HTTP {response.status_code}")
                failures += 1
                break
        queries = counter.count
        median = statistics.median(timings)
        p95 = sorted(timings)[max(0, int(len(timings) * 0.95) - 1)]
        over = median > BUDGET_MS or queries > BUDGET_QUERIES
        failures += over
        print(f"{role + ' ' + path:<45} {median:>10.1f} {p95:>8.1f} {statistics.median(cpu):>7.1f} {queries:>8}"
              f" {size / 1024:>6.1f}{'  OVER BUDGET' if over else ''}")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak memory {peak_mb:.0f} MB; budget {BUDGET_MS} ms median and {BUDGET_QUERIES} queries per page")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
