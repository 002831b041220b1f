"""The daily digest: one e-mail a day listing the notices of those who chose it."""
import datetime

from peewee import IntegrityError, fn

from portal.auth.models import User
from portal.db import db
from portal.notify.mailing import mail_body, mail_enabled, queue_mail
from portal.notify.models import DigestSent, MailDelivery, Notification, NotificationPreference

DIGEST_TITLE = "Your daily digest from the PMO Portal"
MAX_ITEMS = 50
DAY = datetime.timedelta(days=1)


def daily_digests(now, dry_run: bool = False) -> list[str]:
    """A `portal remind` step: queue today's digest for each person who chose it, once a day."""
    if not mail_enabled():
        return []
    last_sent = dict(DigestSent.select(DigestSent.user, fn.MAX(DigestSent.sent_at))
                     .group_by(DigestSent.user).tuples())
    # Mail to a plain address has no notification: a NULL in NOT IN would match nothing at all.
    already_mailed = MailDelivery.select(MailDelivery.notification).where(MailDelivery.notification.is_null(False))
    people = (User.select(User.id, User.email, User.name)
              .join(NotificationPreference, on=(NotificationPreference.user == User.id))
              .where((NotificationPreference.mode == "digest") & (User.active == True)))  # noqa: E712
    lines = []
    for person in people:
        # Everything since the last digest (at most a day back), except notices e-mailed on their own.
        since = max(last_sent.get(person.id) or now - DAY, now - DAY)
        items = list(Notification.select(Notification.text, Notification.url)
                     .where((Notification.user == person.id) & (Notification.created_at > since)
                            & (Notification.created_at <= now) & (Notification.text != DIGEST_TITLE)
                            & Notification.id.not_in(already_mailed))
                     .order_by(Notification.created_at).limit(MAX_ITEMS + 1).tuples())
        if not items:
            continue
        if dry_run:
            lines.append(f"digest to {person.email}: {len(items)} notice(s)")
            continue
        try:
            with db.atomic():
                DigestSent.create(user=person.id, day=now.date(), sent_at=now)  # the claim: once per person and day
                note = Notification.create(user=person.id, text=DIGEST_TITLE, url="/notifications/",
                                           created_at=now, read_at=now)
                listed = "\n".join(f"- {text}" for text, _ in items[:MAX_ITEMS])
                more = "\n- … and more in the portal" if len(items) > MAX_ITEMS else ""
                queue_mail(note, person.email, DIGEST_TITLE,
                           mail_body(f"Since yesterday:\n\n{listed}{more}", "/notifications/"))
        except IntegrityError:
            continue  # today's digest went out already (another run claimed it)
        lines.append(f"digest to {person.email}: {len(items)} notice(s)")
    return lines
