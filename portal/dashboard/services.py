"""Portfolio figures: one query per concern over the projects the user may see, folded in Python."""
import datetime
from decimal import Decimal

from peewee import JOIN, DateField, DateTimeField, fn

from portal.auth.models import User
from portal.changes.services import first_baselines
from portal.db import db, is_sqlite
from portal.gates.phases import current_phases
from portal.projects.models import Project
from portal.risks.services import open_high_risks, overdue_reviews
from portal.status.models import DIMENSIONS, StatusReminder, StatusReport
from portal.status.periods import latest_due
from portal.status.services import RANK

RAG_FILTERS = ("green", "amber", "red", "none")
SORTS = ("code", "name", "manager", "department", "rag", "trend", "percent", "budget", "spent", "days", "risks")
REPORT_COLUMNS = ("period_end", "rag_overall", "reason_overall", "rag_schedule", "rag_budget", "rag_scope", "rag_resources",
                  "percent_complete", "forecast_finish", "spent_to_date", "submitted_at")
Manager = User.alias("manager")


def _projects(user, filters: dict):
    """The active projects `user` may see, narrowed by the filters (a query, not yet run)."""
    return (Project.filtered(user, filters.get("department"), filters.get("category"), filters.get("manager"))
            .where(Project.state == "active"))


def _latest_two(user, filters: dict) -> dict:
    """{project id: [latest report, previous report]} as dicts, in one query.

    Each project's two newest reports are read from the (project, period_end) index:
    a few rows per project instead of sorting every report of the portfolio. PostgreSQL
    does it with a lateral join; SQLite, which has none, bounds each project's reports
    by its second-newest period end, found by a correlated lookup in the same index.
    """
    columns = [getattr(StatusReport, c) for c in REPORT_COLUMNS]
    if is_sqlite():
        Older = StatusReport.alias("older")
        second = (Older.select(Older.period_end).where(Older.project == Project.id)
                  .order_by(Older.period_end.desc()).limit(1).offset(1))
        query = (_projects(user, filters).select(StatusReport.project, *columns)
                 .join(StatusReport, on=((StatusReport.project == Project.id)
                                         & (StatusReport.period_end >= fn.COALESCE(second, datetime.date.min))))
                 .order_by(StatusReport.project, StatusReport.period_end.desc()))
    else:
        newest = (StatusReport.select(StatusReport.project, *columns).where(StatusReport.project == Project.id)
                  .order_by(StatusReport.period_end.desc()).limit(2).alias("newest"))
        query = (_projects(user, filters).select(newest.c.project_id, *[getattr(newest.c, c) for c in REPORT_COLUMNS])
                 .join(newest, JOIN.LATERAL).order_by(newest.c.project_id, newest.c.period_end.desc()))
    convert = [_converter(getattr(StatusReport, c)) for c in REPORT_COLUMNS]
    out = {}
    for row in db.execute_sql(*query.sql()):
        out.setdefault(row[0], []).append({c: f(v) for c, f, v in zip(REPORT_COLUMNS, convert, row[1:], strict=True)})
    return out


def _converter(field):
    """What turns a raw column value into the field's Python value, as peewee would: SQLite hands dates and times
    back as ISO text, read here with fromisoformat (peewee tries strptime formats, the largest cost of reading a
    portfolio's reports); PostgreSQL's are already dates and pass through."""
    if isinstance(field, DateTimeField):
        return lambda v: datetime.datetime.fromisoformat(v) if isinstance(v, str) else v
    if isinstance(field, DateField):
        return lambda v: datetime.date.fromisoformat(v[:10]) if isinstance(v, str) else v
    return lambda v: v if v is None else field.python_value(v)


def rag_history(ids: list[int], today: datetime.date, reports: int = 6) -> dict:
    """{project id: [(period end, overall RAG)…]}: each project's last `reports` reports of the past year,
    oldest first, in one query (for the trend sparklines of the rows on screen). The database numbers each
    project's reports newest first and hands back only the last few."""
    if not ids:
        return {}
    out: dict[int, list] = {}
    rn = fn.ROW_NUMBER().over(partition_by=[StatusReport.project], order_by=[StatusReport.period_end.desc()])
    numbered = (StatusReport.select(StatusReport.project, StatusReport.period_end, StatusReport.rag_overall,
                                    rn.alias("rn"))
                .where(StatusReport.project.in_(ids), StatusReport.period_end >= today - datetime.timedelta(days=366))
                .alias("numbered"))
    query = (StatusReport.select(numbered.c.project_id, numbered.c.period_end, numbered.c.rag_overall)
             .from_(numbered).where(numbered.c.rn <= reports)
             .order_by(numbered.c.project_id, numbered.c.period_end).tuples())
    for project_id, period_end, rag in query:
        if isinstance(period_end, str):  # a subquery's column comes back from SQLite as text
            period_end = datetime.date.fromisoformat(period_end)
        out.setdefault(project_id, []).append((period_end, rag))
    return out


def _trend(latest, previous):
    if not latest or not previous:
        return None
    change = RANK[latest["rag_overall"]] - RANK[previous["rag_overall"]]
    return "down" if change > 0 else "up" if change < 0 else "same"


def portfolio_rows(user, filters: dict, today: datetime.date) -> list[dict]:
    """Every visible active project matching `filters` with its latest status, trend and flags: what the
    headline figures, the heat map, the RAG filter and every sort need. `add_details` adds the rest for
    the rows actually shown."""
    fields = [Project.id, Project.code, Project.name, Project.department, Project.category, Project.budget,
              Project.reporting_cadence, Project.start_date, Project.end_date, Project.manager]
    query = (_projects(user, filters).select(*fields, Manager.name.alias("manager_name"))
             .join(Manager, on=(Project.manager == Manager.id)).order_by(Project.code))
    names = [f.name for f in fields] + ["manager_name"]
    convert = [_converter(f) for f in fields] + [lambda v: v]
    projects = [{n: f(v) for n, f, v in zip(names, convert, row, strict=True)} for row in db.execute_sql(*query.sql())]
    reports = _latest_two(user, filters)
    risks = open_high_risks([p["id"] for p in projects])  # every sort and the export need it
    dues = {}  # a handful of cadences: each one's due date worked out once
    rows = []
    for p in projects:
        latest, previous = (reports.get(p["id"], []) + [None, None])[:2]
        rag = latest["rag_overall"] if latest else "none"
        if filters.get("rag") and rag != filters["rag"]:
            continue
        cadence = p["reporting_cadence"]
        due = dues[cadence] if cadence in dues else dues.setdefault(cadence, latest_due(cadence, today))
        started = p["start_date"] is None or p["start_date"] <= due
        covered = latest is not None and latest["period_end"] >= due
        due_report = latest if latest and latest["period_end"] == due else \
            previous if previous and previous["period_end"] == due else None
        forecast = latest["forecast_finish"] if latest else None
        end = p["end_date"]
        rows.append({**p, "latest": latest, "previous": previous, "rag": rag, "trend": _trend(latest, previous),
                     "percent": latest["percent_complete"] if latest else None,
                     "spent": latest["spent_to_date"] if latest else None,
                     "days": (today - latest["submitted_at"].date()).days if latest else None,
                     "due": due, "counted": started,
                     "on_time": bool(due_report and due_report["submitted_at"].date() <= due),
                     "overdue": started and not covered and today > due,
                     "risks": risks.get(p["id"], 0),
                     "forecast_end": forecast, "slip_days": (forecast - end).days if forecast and end else None})
    return rows


def add_details(rows: list[dict]) -> list[dict]:
    """Add what only the rows shown (or exported) need: overdue risk reviews, the current phase and the first
    baseline's end when approved changes moved it. Four queries, whatever the number of rows."""
    ids = [r["id"] for r in rows]
    if not ids:
        return rows
    reviews_due, original, phases = overdue_reviews(ids), first_baselines(ids), current_phases(ids)
    for r in rows:
        first = original.get(r["id"])
        r.update(reviews_due=reviews_due.get(r["id"], 0), phase=phases[r["id"]]["name"],
                 original_end=first[0] if first and first[0] != r["end_date"] else None)
    return rows


def sort_rows(rows: list[dict], sort: str, descending: bool) -> list[dict]:
    """Rows sorted by any column; projects without a value go last either way."""
    key = {"rag": lambda r: RANK.get(r["rag"]), "trend": lambda r: {"down": 0, "same": 1, "up": 2}.get(r["trend"]),
           "manager": lambda r: r["manager_name"], "budget": lambda r: r["budget"],
           "days": lambda r: r["days"], "percent": lambda r: r["percent"], "spent": lambda r: r["spent"],
           "risks": lambda r: r["risks"]}.get(sort, lambda r: r[sort if sort in SORTS else "code"] or "")
    present = [r for r in rows if key(r) is not None]
    missing = [r for r in rows if key(r) is None]
    return sorted(present, key=key, reverse=descending) + missing


def headline(rows: list[dict], by_state: dict) -> dict:
    """The figures at the top: by state, by RAG, reports on time, overdue, budget and spend."""
    by_rag = {rag: 0 for rag in RAG_FILTERS}
    for r in rows:
        by_rag[r["rag"]] += 1
    counted = [r for r in rows if r["counted"]]
    on_time = sum(1 for r in counted if r["on_time"])
    return {"by_state": by_state, "by_rag": by_rag, "on_time": on_time, "counted": len(counted),
            "on_time_share": round(100 * on_time / len(counted)) if counted else None,
            "overdue": sum(1 for r in rows if r["overdue"]),
            "budget": sum((r["budget"] or 0 for r in rows), Decimal(0)),
            "spent": sum((r["spent"] or 0 for r in rows), Decimal(0))}


def projects_by_state(user, filters: dict) -> dict:
    """How many visible projects (not requests) are in each state, with the same filters."""
    query = (Project.filtered(user, filters.get("department"), filters.get("category"), filters.get("manager"))
             .where(Project.state.in_(("approved", "active", "on_hold", "closed"))))
    counts = dict(query.select(Project.state, fn.COUNT(Project.id)).group_by(Project.state).tuples())
    return {s: counts.get(s, 0) for s in ("approved", "active", "on_hold", "closed")}


def heat_counts(rows: list[dict]) -> dict:
    """{dimension: {rag: count}} over the rows' latest reports (the heat map's totals)."""
    out = {d: {"green": 0, "amber": 0, "red": 0, "none": 0} for d in ("overall", *DIMENSIONS)}
    for r in rows:
        for d in out:
            out[d][r["latest"][f"rag_{d}"] if r["latest"] else "none"] += 1
    return out


def reminder_stages(dues: dict) -> dict:
    """PMO only: {project id: the furthest reminder stage sent for its report due now}, from {id: due date}."""
    if not dues:
        return {}
    out, order = {}, {"due": 0, "second": 1, "escalation": 2}
    for pid, end, stage in (StatusReminder.select(StatusReminder.project, StatusReminder.period_end,
                                                  StatusReminder.stage)
                            .where(StatusReminder.project.in_(list(dues))
                                   & (StatusReminder.period_end >= min(dues.values()))).tuples()):
        if end == dues.get(pid) and order[stage] >= order.get(out.get(pid), -1):
            out[pid] = stage
    return out
