"""The `portal remind` step for status reports: remind the manager, remind again, then escalate."""
import datetime

from peewee import IntegrityError

from portal.auth.models import User
from portal.db import db
from portal.notify.outbox import notify_and_mail
from portal.projects.models import Project
from portal.status.models import StatusReminder, StatusReport
from portal.status.periods import latest_due

# (stage, days after the period end when it is sent), in order.
SCHEDULE = (("due", 0), ("second", 2), ("escalation", 5))
TEXT = {
    "due": "The status report for {code} {name} is due (period ending {end}).",
    "second": "Reminder: the status report for {code} {name} (period ending {end}) is still missing.",
    "escalation": "Escalation: {code} {name} has no status report for the period ending {end}.",
}


def stage_due(period_end: datetime.date, today: datetime.date) -> str | None:
    """The most advanced reminder stage due on `today` for a report missing since `period_end`."""
    due = None
    for stage, days in SCHEDULE:
        if (today - period_end).days >= days:
            due = stage
    return due


def missing_reports(today: datetime.date):
    """(project, period end, stage due, stages sent) for active projects whose due report is missing."""
    projects = list(Project.select(Project.id, Project.code, Project.name, Project.reporting_cadence,
                                   Project.manager, Project.sponsor, Project.start_date)
                    .where(Project.state == "active").order_by(Project.code))
    due = {p.id: latest_due(p.reporting_cadence, today) for p in projects}
    if not due:
        return []
    earliest = min(due.values())
    reported = set(StatusReport.select(StatusReport.project, StatusReport.period_end)
                   .where(StatusReport.period_end >= earliest).tuples())
    sent = {}
    for pid, end, stage in (StatusReminder.select(StatusReminder.project, StatusReminder.period_end,
                                                  StatusReminder.stage)
                            .where(StatusReminder.period_end >= earliest).tuples()):
        sent.setdefault((pid, end), set()).add(stage)
    out = []
    for p in projects:
        end = due[p.id]
        if (p.id, end) in reported or (p.start_date and p.start_date > end):
            continue
        stage = stage_due(end, today)
        out.append((p, end, stage, sent.get((p.id, end), set())))
    return out


def _recipients(project, stage: str) -> list[int]:
    if stage != "escalation":
        return [project.manager_id]
    pmo = [uid for (uid,) in User.select(User.id).where((User.role == "pmo") & User.active).tuples()]
    return [project.sponsor_id, *pmo]


def _claim_and_notify(project, end, stage, now) -> bool:
    """Claim (project, period, stage) with a UNIQUE row and notify in the same transaction."""
    text = TEXT[stage].format(code=project.code, name=project.name, end=end.isoformat())
    try:
        with db.atomic():
            StatusReminder.create(project=project.id, period_end=end, stage=stage, sent_at=now)
            notify_and_mail(_recipients(project, stage), text, f"/projects/{project.code}/status/")
    except IntegrityError:
        return False  # another run sent it first
    return True


def status_reminders(now, dry_run: bool = False) -> list[str]:
    """Send each due reminder or escalation once; returns one line per notice (sent, or would be sent)."""
    lines = []
    order = [s for s, _ in SCHEDULE]
    for project, end, stage, sent in missing_reports(now.date()):
        if stage is None or any(order.index(s) >= order.index(stage) for s in sent):
            continue
        line = f"status: {stage} notice for {project.code} (period ending {end})"
        if dry_run:
            lines.append(line + " [dry run]")
        elif _claim_and_notify(project, end, stage, now):
            lines.append(line)
    return lines
