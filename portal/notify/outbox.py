"""The mail outbox: notifications that also go out by e-mail, sent after commit and retried until sent."""
import datetime
import smtplib

from portal.db import db, utcnow
from portal.mail import send_mail
from portal.notify.mailing import mail_enabled
from portal.notify.models import MailDelivery
from portal.notify.services import notify

# A delivery claimed by a run that died mid-send is tried again after this long.
STALE_CLAIM = datetime.timedelta(minutes=10)
BATCH = 200


def notify_and_mail(users, text: str, url: str = "", subject: str | None = None, **threading) -> int:
    """Notify each user (None and repeats skipped) and, when mail is configured, queue an e-mail each.

    For reminders and escalations, which go by e-mail whatever the person's
    preference. Call inside the transaction that claims the notice.
    """
    return notify(users, text, url, subject=subject, always_mail=True, **threading)


def _headers(delivery: MailDelivery) -> dict:
    """Threading headers of a queued mail; every portal mail is marked machine-made (RFC 3834),
    so out-of-office responders stay quiet and the help desk drops it if it comes back."""
    return {"Message-ID": delivery.message_id, "In-Reply-To": delivery.in_reply_to,
            "References": delivery.in_reply_to, "Reply-To": delivery.reply_to,
            "Auto-Submitted": "auto-generated"}


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
                send_mail(delivery.to_address, delivery.subject, delivery.body, request_id=delivery.request_id,
                          headers=_headers(delivery))
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
