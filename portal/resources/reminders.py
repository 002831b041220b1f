"""The `portal remind` step for over-allocation: tell the managers involved once per new conflict."""
from peewee import IntegrityError

from portal.db import db
from portal.notify.outbox import notify_and_mail
from portal.resources.models import ConflictNotice
from portal.resources.services import conflicts

WEEKS_AHEAD = 12


def _claim_and_notify(run, new_weeks, now) -> bool:
    """Claim each new (person, week) with a UNIQUE row and notify in the same transaction."""
    codes = ", ".join(code for code, _, _, _ in run["projects"])
    text = (f"{run['name']} is booked at up to {run['peak']}% from {run['first'].isoformat()} "
            f"to {run['last'].isoformat()} ({codes}).")
    try:
        with db.atomic():
            ConflictNotice.insert_many([{"person": run["person"], "week": w, "sent_at": now}
                                        for w in new_weeks]).execute()
            notify_and_mail(sorted(run["manager_ids"]), text,
                            f"/resources/cell?person={run['person']}&from={run['first'].isoformat()}"
                            f"&to={run['last'].isoformat()}")
    except IntegrityError:
        return False  # another run claimed one of these weeks first
    return True


def conflict_reminders(now, dry_run: bool = False) -> list[str]:
    """One notice per new run of over-allocated weeks in the next twelve weeks; returns one line per notice."""
    runs = conflicts(None, now.date(), WEEKS_AHEAD)
    if not runs:
        return []
    sent = set(ConflictNotice.select(ConflictNotice.person, ConflictNotice.week)
               .where(ConflictNotice.week >= min(r["first"] for r in runs)).tuples())
    lines = []
    for run in runs:
        new_weeks = [w for w in run["weeks"] if (run["person"], w) not in sent]
        if not new_weeks:
            continue
        line = f"resources: over-allocation notice for {run['name']} ({len(new_weeks)} new week(s))"
        if dry_run:
            lines.append(line + " [dry run]")
        elif _claim_and_notify(run, new_weeks, now):
            lines.append(line)
    return lines
