"""The `portal remind` step for help-desk SLAs: warn before a breach, escalate after one, once each."""
from flask import current_app

from portal.auth.models import User
from portal.db import db
from portal.helpdesk.models import Ticket
from portal.helpdesk.services import ticket_mail
from portal.helpdesk.sla import HOUR, BusinessCalendar
from portal.notify.outbox import notify_and_mail
from portal.webhooks.events import emit

WARN_BUSINESS_HOURS = 4
CLOCK_RUNNING = ("new", "open")  # a ticket waiting on its requester has its clock paused


def _pmo_staff() -> list[int]:
    return [uid for (uid,) in User.select(User.id).where((User.role == "pmo") & User.active).tuples()]


def _nearest_due(ticket, now) -> tuple[str, object]:
    """Which clock is closest to breaching: ('first response' | 'resolution', due time)."""
    clocks = [("resolution", ticket.resolution_due)]
    if ticket.first_response_at is None:
        clocks.append(("first response", ticket.first_response_due))
    return min(clocks, key=lambda c: c[1])


def _sla_mail(ticket) -> dict:
    """SLA mail threads on the ticket like any other; the subject still says what it is about."""
    return ticket_mail(ticket) | {"subject": None}


def _claim(column, ticket_id, now) -> bool:
    """Set `column` only if it is still empty: of two concurrent runs, exactly one gets 1 row."""
    return Ticket.update({column: now}).where((Ticket.id == ticket_id) & column.is_null()).execute() == 1


def _candidates(column, before, after=None):
    """Running tickets not yet marked in `column` with a clock due by `before` (and after `after`)."""
    def window(due):
        return (due <= before) if after is None else ((due > after) & (due <= before))
    due_soon = ((Ticket.first_response_at.is_null() & window(Ticket.first_response_due))
                | window(Ticket.resolution_due))
    return list(Ticket.select().where(Ticket.status.in_(CLOCK_RUNNING) & column.is_null() & due_soon)
                .order_by(Ticket.number).limit(1000))


def sla_reminders(now, dry_run: bool = False) -> list[str]:
    """Warn the assignee (or all PMO staff) within 4 business hours of a breach; escalate once breached."""
    calendar = BusinessCalendar.from_config(current_app.config)
    soon = calendar.add(now, WARN_BUSINESS_HOURS * HOUR)
    lines, pmo = [], None
    for ticket in _candidates(Ticket.escalated_at, now):
        clock, due = _nearest_due(ticket, now)
        line = f"helpdesk: escalated {ticket.reference} ({clock} was due {due:%Y-%m-%d %H:%M})"
        if dry_run:
            lines.append(line + " [dry run]")
            continue
        pmo = pmo if pmo is not None else _pmo_staff()
        with db.atomic():
            if not _claim(Ticket.escalated_at, ticket.id, now):
                continue
            notify_and_mail(pmo, f"SLA breached on {ticket.reference}: {clock} was due {due:%Y-%m-%d %H:%M} "
                                 f"({ticket.subject})", f"/helpdesk/{ticket.number}",
                            **_sla_mail(ticket))
            emit("ticket.breaching", f"SLA breached on {ticket.reference}: {clock} was due {due:%Y-%m-%d %H:%M} "
                                     f"({ticket.subject})", f"/helpdesk/{ticket.number}",
                 {"ticket": ticket.reference, "subject": ticket.subject, "priority": ticket.priority,
                  "status": ticket.status, "clock": clock, "due": due, "project": ticket.project_code})
        lines.append(line)
    for ticket in _candidates(Ticket.warned_at, soon, after=now):
        clock, due = _nearest_due(ticket, now)
        if due <= now:
            continue  # already breached: the escalation covers it
        line = f"helpdesk: warned about {ticket.reference} ({clock} due {due:%Y-%m-%d %H:%M})"
        if dry_run:
            lines.append(line + " [dry run]")
            continue
        pmo = pmo if pmo is not None else _pmo_staff()
        with db.atomic():
            if not _claim(Ticket.warned_at, ticket.id, now):
                continue
            notify_and_mail([ticket.assignee_id] if ticket.assignee_id else pmo,
                            f"{ticket.reference} will breach its {clock} target at {due:%Y-%m-%d %H:%M}: "
                            f"{ticket.subject}", f"/helpdesk/{ticket.number}", **_sla_mail(ticket))
        lines.append(line)
    return lines
