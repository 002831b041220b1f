"""Submitting, editing and reading status reports; every write is one transaction with its audit event."""
import datetime
from decimal import Decimal

from peewee import IntegrityError

from portal.audit.services import record, snapshot
from portal.auth.models import User
from portal.db import db, utcnow
from portal.errors import InvalidInput, Stale
from portal.markdown import LIMITS
from portal.pagination import paginate
from portal.rendered import rendered_columns
from portal.sqlfunc import PreparedQuery
from portal.status.models import DIMENSIONS, RAGS, StatusReport
from portal.status.periods import is_open, is_valid_end, open_periods
from portal.webhooks.events import emit

RAG_FIELDS = ["rag_overall"] + [f"rag_{d}" for d in DIMENSIONS]
REASON_FIELDS = {f"rag_{d}": f"reason_{d}" for d in ("overall", *DIMENSIONS)}
TEXT_FIELDS = ["accomplishments", "next_steps", "blockers", "decisions"]
FIELDS = RAG_FIELDS + list(REASON_FIELDS.values()) + ["percent_complete", "forecast_finish", "spent_to_date"] \
    + TEXT_FIELDS
TEXT_LIMIT = LIMITS["status"]
RANK = {"green": 0, "amber": 1, "red": 2}


# The status page asks both on every view: their SQL is built once.
_REPORT_FOR = PreparedQuery(lambda project_id, period_end: StatusReport.select().where(
    (StatusReport.project == project_id) & (StatusReport.period_end == period_end)).limit(1))
_RECENT_REPORTS = PreparedQuery(lambda project_id, limit: StatusReport.select(
    StatusReport.period_end, StatusReport.rag_overall, StatusReport.rag_schedule, StatusReport.rag_budget,
    StatusReport.rag_scope, StatusReport.rag_resources, StatusReport.percent_complete, StatusReport.forecast_finish,
    StatusReport.spent_to_date).where(StatusReport.project == project_id).order_by(StatusReport.period_end.desc())
    .limit(limit))


def report_for(project, period_end: datetime.date):
    """The project's report for the period ending `period_end`, or None."""
    return _REPORT_FOR.first(project.id, period_end)


def previous_report(project, before: datetime.date | None = None):
    """The latest report before `before` (or the latest of all), or None."""
    query = StatusReport.select().where(StatusReport.project == project.id)
    if before is not None:
        query = query.where(StatusReport.period_end < before)
    return query.order_by(StatusReport.period_end.desc()).first()


def default_period(project, today: datetime.date) -> datetime.date:
    """The period a new report is for: the one due now unless it is written already, else the running one."""
    choices = open_periods(project.reporting_cadence, today)
    due = choices[-1]
    return choices[0] if report_for(project, due) else due


def clean(values: dict, project, period_end, today: datetime.date) -> dict:
    """Check a report's fields; raises InvalidInput naming each bad field. Only FIELDS are kept."""
    errors, out = {}, {}
    if not isinstance(period_end, datetime.date) or not is_valid_end(project.reporting_cadence, period_end):
        errors["period_end"] = f"Choose a {project.reporting_cadence} period end."
    elif not is_open(project.reporting_cadence, period_end, today) or period_end not in open_periods(
            project.reporting_cadence, today):
        errors["period_end"] = "That period is closed: reports can be written until the next one is due."
    for name in RAG_FIELDS:
        if values.get(name) not in RAGS:
            errors[name] = "Choose green, amber or red."
        out[name] = values.get(name)
    for rag, reason in REASON_FIELDS.items():
        text = (values.get(reason) or "").strip()
        if out.get(rag) in ("amber", "red") and not text:
            errors[reason] = f"Say why it is {out[rag]}."
        out[reason] = text
    percent = values.get("percent_complete")
    if not isinstance(percent, int) or not 0 <= percent <= 100:
        errors["percent_complete"] = "Enter a whole number from 0 to 100."
    out["percent_complete"] = percent
    spent = values.get("spent_to_date")
    if spent is not None and (not isinstance(spent, (int, Decimal)) or spent < 0):
        errors["spent_to_date"] = "Enter an amount of zero or more."
    out["spent_to_date"] = spent
    out["forecast_finish"] = values.get("forecast_finish")
    for name in TEXT_FIELDS + list(REASON_FIELDS.values()):
        out[name] = (values.get(name) or "").strip()
        if len(out[name]) > TEXT_LIMIT:
            errors[name] = f"Use at most {TEXT_LIMIT:,} characters."
    if errors:
        raise InvalidInput(errors, "Please correct the marked fields.")
    return out


def submit_report(project, user, period_end, values: dict, expected_version: int, today=None):
    """Create the period's report, or edit it when `expected_version` matches; returns (report, created).

    A stale form (someone saved since it was opened) raises Stale, with the report as it is now.
    """
    now = utcnow()
    today = today or now.date()
    data = clean(values, project, period_end, today)
    with db.atomic():
        existing = report_for(project, period_end)
        if existing is None and expected_version == 0:
            try:
                with db.atomic():
                    report = StatusReport.create(project=project.id, period_end=period_end, submitted_by=user.id,
                                                 submitted_at=now, updated_by=user.id, updated_at=now, **data)
            except IntegrityError:
                existing = report_for(project, period_end)
            else:
                record(user, "status.submit", "status_report", report.id,
                       f"{project.code} status for {period_end}", after=snapshot(report, FIELDS), project=project)
                previous = previous_report(project, before=period_end)
                _announce(project, report, user, was_red=previous is not None and previous.rag_overall == "red",
                          filed=True)
                return report, True
        if existing is None or existing.version != expected_version:
            raise _stale(existing)
        before = snapshot(existing, FIELDS)
        if not existing.save_if_current(expected_version, updated_by=user.id, updated_at=now, **data,
                                        **rendered_columns(StatusReport, data)):
            raise _stale(report_for(project, period_end))
        report = StatusReport.get_by_id(existing.id)
        _announce(project, report, user, was_red=before["rag_overall"] == "red", filed=False)
        record(user, "status.edit", "status_report", report.id, f"{project.code} status for {period_end} edited",
               before=before, after=snapshot(report, FIELDS), project=project)
        return report, False


def _announce(project, report, user, was_red: bool, filed: bool) -> None:
    """Webhook events for a saved report: filed (a new one), and red when the overall RAG turned red."""
    facts = {"project": project.code, "name": project.name, "period_end": report.period_end,
             "overall": report.rag_overall, **{d: getattr(report, f"rag_{d}") for d in DIMENSIONS},
             "percent_complete": report.percent_complete, "by": user.name}
    url = f"/projects/{project.code}/status/{report.period_end.isoformat()}"
    if filed:
        emit("status.filed", f"{project.code} {project.name}: status for {report.period_end} filed "
                             f"({report.rag_overall}).", url, facts)
    if report.rag_overall == "red" and not was_red:
        emit("status.red", f"{project.code} {project.name} turned red "
                           f"(status for {report.period_end}): {report.reason_overall[:200]}", url, facts)


def _stale(current):
    who = User.get_or_none(User.id == (current.updated_by_id or current.submitted_by_id)) if current else None
    when = current.updated_at.strftime("%Y-%m-%d %H:%M") if current else "just now"
    return Stale(f"{who.name if who else 'Someone'} saved this period's report at {when} UTC, after you "
                 "opened the form. Your input is kept below: check it against theirs and save again.",
                 who=who, when=current.updated_at if current else None, current=current)


def reports_page(project, page: int = 1, per_page: int = 50):
    """One page of the project's reports, newest first, with the submitter's name: the history table's columns."""
    query = (StatusReport.select(StatusReport.id, StatusReport.period_end, StatusReport.rag_overall,
                                 StatusReport.rag_schedule, StatusReport.rag_budget, StatusReport.rag_scope,
                                 StatusReport.rag_resources, StatusReport.percent_complete,
                                 StatusReport.forecast_finish, StatusReport.spent_to_date,
                                 StatusReport.submitted_at, StatusReport.submitted_by, User.id, User.name)
             .join(User, on=(StatusReport.submitted_by == User.id))
             .where(StatusReport.project == project.id))
    count = StatusReport.select(StatusReport.id).where(StatusReport.project == project.id)  # every report has a submitter
    return paginate(query.order_by(StatusReport.period_end.desc()), page, per_page, count_query=count)


def recent_reports(project, limit: int = 26) -> list:
    """The last `limit` reports, oldest first: what the trend charts draw."""
    return list(_RECENT_REPORTS(project.id, limit))[::-1]


def load_report(project, period_end: datetime.date):
    """The project's report for `period_end` with its submitter, or None (the project is already access-checked)."""
    return (StatusReport.select(StatusReport, User).join(User, on=(StatusReport.submitted_by == User.id))
            .where((StatusReport.project == project.id) & (StatusReport.period_end == period_end)).first())
