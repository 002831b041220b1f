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
        new = [(check, reason) for check, passed, reason in p["results"]
               if not passed and (p["id"], check.key) not in open_failures]
        if not new:
            continue
        line = f"compliance: {p['code']} fails " + ", ".join(f"'{c.label}'" for c, _ in new)
        if dry_run:
            lines.append(line + " [dry run]")
            continue
        text = (f"{p['code']} {p['name']} now fails the PMO check(s): "
                + "; ".join(f"{c.label} ({reason})" for c, reason in new))
        try:
            with db.atomic():  # one notice per project and run, however many checks newly fail
                ComplianceFailure.insert_many([{"project": p["id"], "check_key": c.key, "since": today}
                                               for c, _ in new]).execute()
                notify_and_mail([p["manager"]], text, f"/projects/{p['code']}/compliance")
        except IntegrityError:
            continue  # another run reported them first
        lines.append(line)
    # Only checks that ran and passed close a failure (a switched-off check is not put right).
    ran = {(p["id"], c.key) for p in results for c, _, _ in p["results"]}
    cleared = [fid for key, fid in open_failures.items() if key in ran and key not in failing_now]
    if cleared and not dry_run:
        with db.atomic():
            ComplianceFailure.update(cleared_on=today).where(ComplianceFailure.id.in_(cleared)).execute()
    return lines
