"""The `portal remind` step for compliance: store today's snapshot and tell the manager once per new failure."""
from peewee import IntegrityError

from portal.compliance.models import ComplianceFailure
from portal.compliance.services import active_projects, evaluate, store_snapshot
from portal.db import db
from portal.notify.outbox import notify_and_mail


def compliance_reminders(now, dry_run: bool = False) -> list[str]:
    """Snapshot every active project's score for today; notify each new failure; close failures put right."""
    today = now.date()
    results = evaluate(active_projects(), today)
    if not dry_run:
        store_snapshot(results, today)
    open_failures = {(pid, key): fid for fid, pid, key in ComplianceFailure.select(
        ComplianceFailure.id, ComplianceFailure.project, ComplianceFailure.check_key)
        .where(ComplianceFailure.cleared_on.is_null()).tuples()}
    failing_now = {(p["id"], c.key) for p in results for c in p["failing"]}
    lines = []
    for p in results:
        for check, passed, reason in p["results"]:
            if passed or (p["id"], check.key) in open_failures:
                continue
            line = f"compliance: {p['code']} fails '{check.label}'"
            if dry_run:
                lines.append(line + " [dry run]")
                continue
            try:
                with db.atomic():
                    ComplianceFailure.create(project=p["id"], check_key=check.key, since=today)
                    notify_and_mail([p["manager"]], f"{p['code']} {p['name']} fails the PMO check "
                                    f"'{check.label}': {reason}", f"/projects/{p['code']}/compliance")
            except IntegrityError:
                continue  # another run reported it first
            lines.append(line)
    # Only checks that ran and passed close a failure (a switched-off check is not put right).
    ran = {(p["id"], c.key) for p in results for c, _, _ in p["results"]}
    cleared = [fid for key, fid in open_failures.items() if key in ran and key not in failing_now]
    if cleared and not dry_run:
        with db.atomic():
            ComplianceFailure.update(cleared_on=today).where(ComplianceFailure.id.in_(cleared)).execute()
    return lines
