"""Helpers for status report tests: a form payload and reports written straight to the database."""
import datetime
from decimal import Decimal

from portal.db import utcnow
from portal.status.models import StatusReport
from portal.status.periods import latest_due, previous_period_end


def today():
    return utcnow().date()


def due_now(project) -> datetime.date:
    """The period whose report is due today for `project`."""
    return latest_due(project.reporting_cadence, today())


def form_data(period: datetime.date, version=0, **changes) -> dict:
    """A complete, valid status form for `period`; `changes` override fields."""
    data = {"period_end": period.isoformat(), "percent_complete": "40", "forecast_finish": "2026-12-31",
            "spent_to_date": "12000.00", "accomplishments": "Design signed off.", "next_steps": "Build.",
            "blockers": "", "decisions": "", "version": str(version)}
    for dim in ("overall", "schedule", "budget", "scope", "resources"):
        data[f"rag_{dim}"] = "green"
        data[f"reason_{dim}"] = ""
    data.update({k: str(v) for k, v in changes.items()})
    return data


def make_report(project, period_end, rag="green", percent=40, submitted_at=None, **fields) -> StatusReport:
    """A saved report for `project` and `period_end`, every dimension `rag` unless overridden."""
    values = {f"rag_{d}": rag for d in ("overall", "schedule", "budget", "scope", "resources")}
    values.update({f"reason_{d}": ("Because." if rag != "green" else "") for d in
                   ("overall", "schedule", "budget", "scope", "resources")})
    values.update(percent_complete=percent, spent_to_date=Decimal("1000"), submitted_by=project.manager_id,
                  submitted_at=submitted_at or datetime.datetime.combine(period_end, datetime.time(12)))
    values.update(fields)
    return StatusReport.create(project=project.id, period_end=period_end, **values)


def earlier(project, end, n=1):
    """The period end `n` periods before `end`."""
    for _ in range(n):
        end = previous_period_end(project.reporting_cadence, end)
    return end
