"""The `portal remind` step for risk reviews: tell each owner once when a risk falls due for review."""
from peewee import IntegrityError, fn

from portal.db import db
from portal.notify.outbox import notify_and_mail
from portal.projects.models import Project
from portal.risks.models import OPEN_RISK, ReviewReminder, Risk

LIVE = ("approved", "active", "on_hold")


def review_reminders(now, dry_run: bool = False) -> list[str]:
    """One notice per risk and review date, to the risk's owner, on live projects only."""
    today = now.date()
    due = (Risk.select(Risk.id, Risk.title, Risk.owner, Risk.review_date, Project.code)
           .join(Project, on=(Risk.project == Project.id))
           .where(Risk.status.in_(OPEN_RISK) & (Risk.review_date <= today) & Project.state.in_(LIVE))
           .where(~fn.EXISTS(_reminded_for_current_date()))
           .order_by(Risk.review_date, Risk.id).limit(2000).tuples())
    lines = []
    for risk_id, title, owner_id, review_date, code in due:
        line = f"risks: review of R-{risk_id} on {code} was due {review_date}"
        if dry_run:
            lines.append(line + " [dry run]")
            continue
        try:
            with db.atomic():
                ReviewReminder.create(risk=risk_id, review_date=review_date, sent_at=now)
                notify_and_mail([owner_id], f"Risk R-{risk_id} on {code} is due for review (since {review_date}): "
                                            f"{title}", f"/projects/{code}/risks/{risk_id}")
        except IntegrityError:
            continue  # another run told them first
        lines.append(line)
    return lines


def _reminded_for_current_date():
    """Correlated subquery: a reminder for the risk's current review date was sent already."""
    return ReviewReminder.select(ReviewReminder.id).where((ReviewReminder.risk == Risk.id)
                                                          & (ReviewReminder.review_date == Risk.review_date))
