"""The `portal remind` step for over-allocation: tell the managers involved once per new conflict."""
from peewee import IntegrityError

from portal.db import db
from portal.notify.outbox import notify_and_mail
from portal.projects.services import codes_visible_to
from portal.resources.models import ConflictNotice
from portal.resources.services import conflicts

WEEKS_AHEAD = 12


def _text(run, manager_id) -> str:
    """The notice for one manager: projects they may not see are counted, not named."""
    codes = [code for code, _, _, _ in run["projects"]]
    seen = codes_visible_to(manager_id, codes)
    named = [code for code in codes if code in seen]
    hidden = len(codes) - len(named)
    if hidden:
        named.append(f"{hidden} other project{'' if hidden == 1 else 's'}")
    return (f"{run['name']} is booked at up to {run['peak']}% from {run['first'].isoformat()} "
            f"to {run['last'].isoformat()} ({', '.join(named)}).")


def _claim_and_notify(run, new_weeks, now) -> bool:
    """Claim each new (person, week) with a UNIQUE row and notify in the same transaction."""
    url = (f"/resources/cell?person={run['person']}&from={run['first'].isoformat()}"
           f"&to={run['last'].isoformat()}")
    try:
        with db.atomic():
            ConflictNotice.insert_many([{"person": run["person"], "week": w, "sent_at": now}
                                        for w in new_weeks]).execute()
            for manager_id in sorted(run["manager_ids"]):
                notify_and_mail([manager_id], _text(run, manager_id), url)
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
