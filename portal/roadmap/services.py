"""The roadmap's data: a bounded number of queries however many projects, laid out in Python for the SVG."""
import datetime
from urllib.parse import quote

from flask import url_for
from peewee import JOIN

from portal.auth.models import User
from portal.changes.services import first_baselines
from portal.gates.phases import current_model, current_phases
from portal.milestones.models import Milestone
from portal.projects.models import Project
from portal.status.models import StatusReport

STATES = ("approved", "active", "on_hold", "closed")
GROUPS = {"department": "Department", "category": "Category", "manager": "Manager"}
# zoom: (months shown, months per tick)
ZOOMS = {"month": (6, 1), "quarter": (24, 3), "year": (60, 12)}
WIDTH, LABEL, ROW, HEAD = 1100, 260, 22, 34
Manager = User.alias("manager")
URL_SAFE = "!$&'()*+,/:;=@"  # what werkzeug leaves unquoted in a path part, so the links equal url_for's


def _months(start: datetime.date, n: int) -> datetime.date:
    month = start.month - 1 + n
    return datetime.date(start.year + month // 12, month % 12 + 1, 1)


def window(zoom: str, start: datetime.date | None, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day shown: by default from a little before today, aligned to the zoom's ticks."""
    months, step = ZOOMS[zoom]
    if start is None:
        first = _months(today.replace(day=1), -step if zoom != "month" else -1)
        first = first.replace(month=((first.month - 1) // step) * step + 1) if step > 1 else first
    else:
        first = start.replace(day=1)
    return first, _months(first, months) - datetime.timedelta(days=1)


def _link(endpoint: str):
    """A function from project code to `endpoint`'s URL for it: url_for once, not once per bar and diamond."""
    marker = "ROADMAP-CODE"
    prefix, suffix = url_for(endpoint, ref=marker).split(marker)
    return lambda code: prefix + quote(code, safe=URL_SAFE) + suffix


def _forecasts(ids) -> dict:
    """{project id: (forecast finish, overall RAG) of its newest report}: one query, each project's newest
    report found by one lookup in the (project, period_end) index rather than by grouping every report."""
    Newest = StatusReport.alias()
    newest = (Newest.select(Newest.id).where(Newest.project == Project.id)
              .order_by(Newest.period_end.desc()).limit(1))
    rows = (StatusReport.select(StatusReport.project, StatusReport.forecast_finish, StatusReport.rag_overall)
            .where(StatusReport.id.in_(Project.select(newest).where(Project.id.in_(ids)))).tuples())
    return {pid: (forecast, rag) for pid, forecast, rag in rows}


def roadmap(user, filters: dict, group: str, zoom: str, start, today: datetime.date) -> dict:
    """Everything the roadmap draws: groups of rows with x positions, milestones, arrows, ticks and the today line."""
    first, last = window(zoom, start, today)
    span = (last - first).days + 1
    scale = (WIDTH - LABEL) / span

    def x(day):
        return round(LABEL + (min(max(day, first), last + datetime.timedelta(days=1)) - first).days * scale, 1)

    query = (Project.filtered(user, filters.get("department"), filters.get("category"), filters.get("manager"))
             .where(Project.state.in_(STATES) & Project.start_date.is_null(False) & Project.end_date.is_null(False)
                    & (Project.start_date <= last))
             .select(Project.id, Project.code, Project.name, Project.state, Project.department, Project.category,
                     Project.start_date, Project.end_date, Manager.name.alias("manager_name"))
             .join(Manager, JOIN.LEFT_OUTER, on=(Project.manager == Manager.id)))
    if filters.get("state") in STATES:
        query = query.where(Project.state == filters["state"])
    projects = list(query.order_by(Project.start_date, Project.code).dicts())
    ids = [p["id"] for p in projects]
    _, model = current_model()
    forecasts, phases, original = _forecasts(ids), current_phases(ids, model), first_baselines(ids)
    milestones = list(Milestone.select(Milestone.id, Milestone.project, Milestone.name, Milestone.due_date,
                                       Milestone.forecast_date, Milestone.done, Milestone.depends_on)
                      .where(Milestone.project.in_(ids)).order_by(Milestone.due_date).dicts()) if ids else []
    by_id = {m["id"]: m for m in milestones}
    slipped = {m["id"] for m in milestones if not m["done"] and m["forecast_date"] and m["forecast_date"] > m["due_date"]}
    at_risk = {m["id"] for m in milestones if m["depends_on"] in by_id and not m["done"]
               and (m["depends_on"] in slipped or (by_id[m["depends_on"]]["forecast_date"] or
                                                  by_id[m["depends_on"]]["due_date"]) > m["due_date"])}
    per_project = {}
    for m in milestones:
        per_project.setdefault(m["project"], []).append(m)
    key = {"department": "department", "category": "category", "manager": "manager_name"}[group]
    grouped = {}
    for p in projects:
        grouped.setdefault(p[key] or "—", []).append(p)
    rows, y, positions, out_groups = [], HEAD, {}, []
    project_url, milestones_url = _link("projects.detail"), _link("milestones.project_page")
    for name in sorted(grouped, key=str.lower):
        # Projects that ended before the window are listed in the table but take no row of the chart,
        # which would otherwise show a blank stripe for each of them.
        if any(p["end_date"] >= first for p in grouped[name]):
            out_groups.append({"name": name, "y": y})
            y += ROW
        for p in grouped[name]:
            shown = p["end_date"] >= first
            forecast, rag = forecasts.get(p["id"], (None, None))
            phase = phases[p["id"]]
            base_end = (original.get(p["id"]) or (None,))[0]
            phase_start = phase["entered"] or p["start_date"]
            phase_end = min(p["end_date"], phase_start + datetime.timedelta(days=phase["max_days"])) \
                if phase["max_days"] else p["end_date"]
            marks = []
            for m in per_project.get(p["id"], []):
                expected = m["forecast_date"] or m["due_date"]
                state = "done" if m["done"] else "slipped" if m["id"] in slipped else \
                    "at-risk" if m["id"] in at_risk else "planned"
                visible = first <= expected <= last
                marks.append({**m, "expected": expected, "state": state, "x": x(expected), "visible": visible})
                if shown:
                    positions[m["id"]] = (x(expected), y + ROW / 2, visible)
            late = bool(forecast and forecast > p["end_date"])
            rows.append({**p, "y": y, "x1": x(p["start_date"]), "x2": x(p["end_date"] + datetime.timedelta(days=1)),
                         "forecast": forecast, "late": late, "rag": rag or "none",
                         "fx": x(forecast + datetime.timedelta(days=1)) if late else None,
                         "original_end": base_end if base_end and base_end != p["end_date"] else None,
                         "ox": x(base_end + datetime.timedelta(days=1)) if base_end and base_end != p["end_date"] else None,
                         "phase": phase["name"], "px1": x(max(phase_start, p["start_date"])),
                         "px2": x(max(phase_end, phase_start) + datetime.timedelta(days=1)),
                         "url": project_url(p["code"]), "milestones_url": milestones_url(p["code"]),
                         "milestones": marks, "stands_out": late or any(mk["state"] in ("slipped", "at-risk") for mk in marks),
                         "shown": shown})
            y += ROW if shown else 0
    arrows = []
    for m in milestones:
        if m["depends_on"] in positions and m["id"] in positions:
            (x1, y1, v1), (x2, y2, v2) = positions[m["depends_on"]], positions[m["id"]]
            if v1 or v2:
                arrows.append({"x1": x1, "y1": y1, "x2": x2, "y2": y2,
                               "risk": m["id"] in at_risk, "from": by_id[m["depends_on"]]["name"], "to": m["name"]})
    ticks, step = [], ZOOMS[zoom][1]
    day = first
    while day <= last:
        label = day.strftime("%b %Y") if step == 1 else (f"Q{(day.month - 1) // 3 + 1} {day.year}" if step == 3
                                                        else str(day.year))
        ticks.append({"x": x(day), "label": label})
        day = _months(day, step)
    return {"rows": rows, "groups": out_groups, "arrows": arrows, "ticks": ticks, "first": first, "last": last,
            "today_x": x(today) if first <= today <= last else None, "height": y + 10, "width": WIDTH,
            "label_width": LABEL, "row": ROW, "phases": [p["name"] for p in model["phases"]]}
