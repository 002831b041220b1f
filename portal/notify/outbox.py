"""The mail outbox: notifications that also go out by e-mail, sent after commit and retried until sent."""
import datetime
import smtplib

from flask import current_app, has_app_context

from portal.auth.models import User
from portal.db import db, utcnow
from portal.notify.models import MailDelivery, Notification
from portal.notify.services import notify

# A delivery claimed by a run that died mid-send is tried again after this long.
STALE_CLAIM = datetime.timedelta(minutes=10)
BATCH = 200


def mail_enabled() -> bool:
    """True when an SMTP host is configured; otherwise (or outside the app) notices stay in the portal."""
    return has_app_context() and bool(current_app.config.get("SMTP_HOST"))


def mail_body(text: str, url: str) -> str:
    """The plain-text e-mail for a notice: the text, the link into the portal, a signature."""
    link = current_app.config["BASE_URL"].rstrip("/") + url
    return f"{text}\n\n{link}\n\n-- \nPMO Portal"


def queue_mail(note: Notification, to_address: str, subject: str, body: str) -> MailDelivery:
    """Put an e-mail for `note` in the outbox; `send_pending` delivers it after commit."""
    from portal.logs import current_request_id
    from portal.mail import one_line
    return MailDelivery.create(notification=note, to_address=to_address, subject=one_line(subject)[:255],
                               body=body, created_at=utcnow(), request_id=current_request_id())


def notify_and_mail(users, text: str, url: str = "", subject: str | None = None) -> int:
    """Notify each user (None and repeats skipped) and, when mail is configured, queue an e-mail each.

    For reminders and escalations, which go by e-mail whatever the person's
    preference. Call inside the transaction that claims the notice.
    """
    ids = list(dict.fromkeys(getattr(u, "id", u) for u in users if u is not None))
    if not ids:
        return 0
    if not mail_enabled():
        return notify(ids, text, url)
    body = mail_body(text, url)
    now = utcnow()
    for uid, email in User.select(User.id, User.email).where(User.id.in_(ids)).tuples():
        note = Notification.create(user=uid, text=text[:255], url=url[:255], created_at=now)
        queue_mail(note, email, subject or text, body)
    return len(ids)


def _claim(delivery_id: int, now) -> bool:
    """Take one delivery for this run (conditional UPDATE): False when another run has it."""
    with db.atomic():
        return (MailDelivery.update(state="sending", claimed_at=now, attempts=MailDelivery.attempts + 1)
                .where((MailDelivery.id == delivery_id)
                       & ((MailDelivery.state == "pending")
                          | ((MailDelivery.state == "sending") & (MailDelivery.claimed_at < now - STALE_CLAIM))))
                .execute()) == 1


def send_pending(now=None, dry_run: bool = False) -> tuple[int, int]:
    """Send every pending e-mail once; failures go back to pending for the next run. Returns (sent, failed)."""
    from portal.mail import send_mail
    if not mail_enabled():
        return 0, 0
    now = now or utcnow()
    ready = ((MailDelivery.state == "pending")
             | ((MailDelivery.state == "sending") & (MailDelivery.claimed_at < now - STALE_CLAIM)))
    sent = failed = 0
    last_id = 0
    while True:
        batch = list(MailDelivery.select().where(ready & (MailDelivery.id > last_id))
                     .order_by(MailDelivery.id).limit(BATCH))
        if not batch:
            return sent, failed
        for delivery in batch:
            last_id = delivery.id
            if dry_run:
                sent += 1
                continue
            if not _claim(delivery.id, now):
                continue
            try:
                send_mail(delivery.to_address, delivery.subject, delivery.body, request_id=delivery.request_id)
            except (OSError, smtplib.SMTPException, ValueError) as exc:
                # One bad message must not stop the others, nor the reminder steps after it.
                failed += 1
                with db.atomic():
                    MailDelivery.update(state="pending", last_error=str(exc)[:255]).where(
                        MailDelivery.id == delivery.id).execute()
                continue
            sent += 1
            with db.atomic():
                MailDelivery.update(state="sent", sent_at=utcnow(), last_error="").where(
                    MailDelivery.id == delivery.id).execute()
