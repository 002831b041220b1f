"""A person's calendar feed (RFC 5545): status reports due, risk reviews due, milestones of their projects,
the next gate review of the projects they manage, and for the PMO every live project's milestones and gates.

Every event has a UID made of its kind, the record's id and the portal's host name, so a calendar
app that reloads the feed updates an event in place (a moved review date, a new forecast) rather
than adding a second one. Events are all-day: the portal keeps these as dates.
"""
import datetime
from urllib.parse import urlsplit

from portal.db import utcnow
from portal.gates.models import GateReview
from portal.gates.phases import current_model, current_phases, next_phase
from portal.milestones.models import Milestone
from portal.projects.models import Project, ProjectMember
from portal.projects.permissions import PMO
from portal.risks.models import OPEN_RISK, Risk
from portal.status.models import StatusReport
from portal.status.periods import latest_due, next_period_end

LIVE_STATES = ("approved", "active", "on_hold")
UPCOMING_PERIODS = 3          # status reports: the one due now (if missing) and the next three
PAST_DAYS = 90                # milestones and reviews further back than this are left out
MAX_EVENTS_PER_KIND = 2000    # a bound on the feed's size, whatever the portfolio


def host_of(base_url: str) -> str:
    """The host name in UIDs: the portal's own, so two portals' events never collide."""
    return urlsplit(base_url).hostname or "pmo-portal"


def status_due_events(user, today: datetime.date) -> list[dict]:
    """Reports `user` must write: for each active project they manage, a missing due report and the next ones."""
    projects = list(Project.select(Project.id, Project.code, Project.name, Project.reporting_cadence)
                    .where((Project.manager == user.id) & (Project.state == "active")).order_by(Project.code)
                    .limit(MAX_EVENTS_PER_KIND))
    if not projects:
        return []
    reported = set(StatusReport.select(StatusReport.project, StatusReport.period_end)
                   .where(StatusReport.project.in_([p.id for p in projects])
                          & (StatusReport.period_end >= today - datetime.timedelta(days=62))).tuples())
    events = []
    for p in projects:
        end = latest_due(p.reporting_cadence, today)
        ends = [] if (p.id, end) in reported else [end]
        for _ in range(UPCOMING_PERIODS):
            end = next_period_end(p.reporting_cadence, end)
            ends.append(end)
        for end in ends:
            if (p.id, end) in reported:
                continue
            late = " (overdue)" if end < today else ""
            events.append({"uid": f"status-{p.id}-{end:%Y%m%d}", "date": end,
                           "summary": f"Status report due: {p.code} {p.name}{late}",
                           "path": f"/projects/{p.code}/status/report"})
    return events


def risk_review_events(user, today: datetime.date) -> list[dict]:
    """Open risks `user` owns, on projects they can still see, on their review date."""
    visible = Project.visible_to(user).select(Project.id)
    rows = (Risk.select(Risk.id, Risk.title, Risk.review_date, Project.code)
            .join(Project, on=(Risk.project == Project.id))
            .where((Risk.owner == user.id) & Risk.status.in_(OPEN_RISK) & Risk.review_date.is_null(False)
                   & (Risk.review_date >= today - datetime.timedelta(days=PAST_DAYS)) & Risk.project.in_(visible))
            .order_by(Risk.review_date, Risk.id).limit(MAX_EVENTS_PER_KIND).tuples())
    return [{"uid": f"risk-review-{rid}", "date": review, "summary": f"Risk review: {code} {title}",
             "path": f"/projects/{code}/risks/{rid}"} for rid, title, review, code in rows]


def milestone_events(user, today: datetime.date) -> list[dict]:
    """Milestones of the live projects `user` manages, sponsors or works on; the PMO gets the whole portfolio."""
    query = Project.visible_to(user).select(Project.id).where(Project.state.in_(LIVE_STATES))
    if user.role not in PMO:
        member_of = ProjectMember.select(ProjectMember.project).where(ProjectMember.user == user.id)
        query = query.where((Project.manager == user.id) | (Project.sponsor == user.id) | Project.id.in_(member_of))
    rows = (Milestone.select(Milestone.id, Milestone.name, Milestone.due_date, Milestone.forecast_date,
                             Milestone.done, Project.code)
            .join(Project, on=(Milestone.project == Project.id))
            .where(Milestone.project.in_(query)
                   & (Milestone.due_date >= today - datetime.timedelta(days=PAST_DAYS)))
            .order_by(Milestone.due_date, Milestone.id).limit(MAX_EVENTS_PER_KIND).tuples())
    events = []
    for mid, name, due, forecast, done, code in rows:
        note = " (done)" if done else (f" (forecast; due {due.isoformat()})" if forecast and forecast != due else "")
        events.append({"uid": f"milestone-{mid}", "date": forecast or due, "summary": f"Milestone: {code} {name}{note}",
                       "path": f"/projects/{code}/milestones/"})
    return events


def gate_events(user, today: datetime.date) -> list[dict]:
    """The next gate of each live project `user` manages (the PMO: the whole portfolio), on the day its current
    phase runs out (entered + the phase model's days); a review already asked for says so. The UID names the
    project and the phase the gate leads into, so a new phase model or a late entry moves the event in place."""
    query = Project.visible_to(user).select(Project.id, Project.code, Project.name).where(
        Project.state.in_(LIVE_STATES) & Project.code.is_null(False))
    if user.role not in PMO:
        query = query.where(Project.manager == user.id)
    projects = list(query.order_by(Project.code).limit(MAX_EVENTS_PER_KIND).tuples())
    if not projects:
        return []
    _number, model = current_model()
    phases = current_phases([pid for pid, _code, _name in projects], model)
    asked = {pid: to for pid, to in GateReview.select(GateReview.project, GateReview.to_key)
             .where(GateReview.project.in_([pid for pid, _code, _name in projects])
                    & (GateReview.state == "requested")).tuples()}
    events = []
    for pid, code, name in projects:
        phase = phases[pid]
        to = next_phase(model, phase["key"])
        if to is None or not phase.get("entered") or phase.get("max_days") is None:
            continue  # the last phase, or no date the gate is due by
        due = phase["entered"] + datetime.timedelta(days=phase["max_days"])
        if due < today - datetime.timedelta(days=PAST_DAYS):
            continue
        note = (" (review asked for, awaiting decision)" if asked.get(pid) == to["key"]
                else " (overdue)" if due < today else "")
        events.append({"uid": f"gate-{pid}-{to['key']}", "date": due,
                       "summary": f"Gate review: {code} {name}: {phase['name']} → {to['name']}{note}",
                       "path": f"/projects/{code}/gates/"})
    return events


def feed_events(user, today: datetime.date) -> list[dict]:
    """Every event of `user`'s feed."""
    return (status_due_events(user, today) + risk_review_events(user, today) + milestone_events(user, today)
            + gate_events(user, today))


def build_calendar(user, base_url: str, today: datetime.date | None = None) -> bytes:
    """`user`'s feed as iCalendar bytes."""
    from icalendar import Calendar, Event  # ~4 MB a worker: loaded by the first feed asked for, not at start

    now = utcnow().replace(tzinfo=datetime.UTC)
    today = today or now.date()
    host, base = host_of(base_url), base_url.rstrip("/")
    cal = Calendar()
    cal.add("prodid", "-//PMO Portal//Calendar feed//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"PMO Portal: {user.name}")
    for item in feed_events(user, today):
        event = Event()
        event.add("uid", f"{item['uid']}@{host}")
        event.add("dtstamp", now)
        event.add("dtstart", item["date"])
        event.add("dtend", item["date"] + datetime.timedelta(days=1))
        event.add("summary", item["summary"])
        event.add("url", base + item["path"])
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    return cal.to_ical()
