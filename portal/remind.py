"""`portal remind`: reminders and escalations from every feature, run by cron or a systemd timer.

Each feature adds a step "module:function" with signature step(now, dry_run) -> list of lines;
a step claims each notice in its own transaction so that it is sent exactly once.
"""
import importlib

from portal.db import utcnow
from portal.notify.outbox import send_pending
from portal.webhooks.delivery import deliver_pending

REMINDER_STEPS = [
    "portal.status.reminders:status_reminders",
    "portal.helpdesk.reminders:sla_reminders",
    "portal.resources.reminders:conflict_reminders",
    "portal.milestones.services:dependency_alerts",
    "portal.compliance.reminders:compliance_reminders",
    "portal.risks.reminders:review_reminders",
    "portal.notify.digest:daily_digests",
]


def run_reminders(now=None, dry_run: bool = False) -> list[str]:
    """Retry pending mail, run every step in order, then send the mail they queued; returns the report lines."""
    now = now or utcnow()
    lines = []
    if not dry_run:
        sent, failed = send_pending(now)
        if sent or failed:
            lines.append(f"mail: {sent} earlier e-mail(s) sent, {failed} still failing")
    total = 0
    for target in REMINDER_STEPS:
        module, function = target.split(":")
        step_lines = getattr(importlib.import_module(module), function)(now, dry_run)
        total += len(step_lines)
        lines += step_lines
        lines.append(f"{module.rsplit('.', 2)[-2]}: {len(step_lines)} notice(s){' would be sent' if dry_run else ''}")
    if not dry_run:
        sent, failed = send_pending(now)
        lines.append(f"mail: {sent} sent, {failed} failed (retried on the next run)")
        delivered, failed = deliver_pending()  # real time: back-off is counted on the clock, not a simulated run
        if delivered or failed:
            lines.append(f"webhooks: {delivered} delivered, {failed} failed (retried with back-off; see the log)")
    lines.append(f"{'dry run: ' if dry_run else ''}{total} notice(s) in all")
    return lines


def failing_mail() -> int:
    """E-mails still unsent after a failed attempt (the outbox's failures after a run)."""
    from portal.notify.models import MailDelivery
    from portal.notify.outbox import mail_enabled
    if not mail_enabled():
        return 0
    return (MailDelivery.select()
            .where((MailDelivery.state != "sent") & (MailDelivery.attempts > 0) & (MailDelivery.last_error != ""))
            .count())


def record_success() -> None:
    """Remember that a run finished with everything sent (shown on /metrics)."""
    from portal.system import REMIND_LAST_SUCCESS, set_value
    set_value(REMIND_LAST_SUCCESS, utcnow().isoformat(timespec="seconds"))
