"""The mail outbox: every e-mail the portal sends, queued in the transaction that causes it, sent after commit
and retried until sent.

`portal remind` (every 15 minutes) sends whatever is pending. Mail someone waits for at the screen
(a password link) is also sent right after the request by `send_soon`, off the request, so the page
answers as fast whether or not anything was queued; if that fails the next `portal remind` retries it.
"""
import datetime
import smtplib
import threading

from flask import current_app

from portal.db import db, own_connection, utcnow
from portal.logs import event_log
from portal.mail import send_mail
from portal.notify.mailing import mail_enabled
from portal.notify.models import MailDelivery
from portal.notify.services import notify

# A delivery claimed by a run that died mid-send is tried again after this long.
STALE_CLAIM = datetime.timedelta(minutes=10)
BATCH = 200
SENT_BODY = "(This e-mail held a one-time link; its text was removed from the portal once it was sent.)"


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
            "Auto-Submitted": delivery.auto_submitted or "auto-generated"}


def _claim(delivery_id: int, now) -> bool:
    """Take one delivery for this run (conditional UPDATE): False when another run has it."""
    with db.atomic():
        return (MailDelivery.update(state="sending", claimed_at=now, attempts=MailDelivery.attempts + 1)
                .where((MailDelivery.id == delivery_id)
                       & ((MailDelivery.state == "pending")
                          | ((MailDelivery.state == "sending") & (MailDelivery.claimed_at < now - STALE_CLAIM))))
                .execute()) == 1


def send_pending(now=None, dry_run: bool = False, only=None) -> tuple[int, int]:
    """Send every pending e-mail once (or those of the ids in `only`); failures go back to pending
    for the next run. Returns (sent, failed)."""
    if not mail_enabled():
        return 0, 0
    now = now or utcnow()
    ready = ((MailDelivery.state == "pending")
             | ((MailDelivery.state == "sending") & (MailDelivery.claimed_at < now - STALE_CLAIM)))
    if only is not None:
        ready = ready & MailDelivery.id.in_(list(only) or [0])
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
            done = {MailDelivery.state: "sent", MailDelivery.sent_at: utcnow(), MailDelivery.last_error: ""}
            if delivery.forget_body:
                done[MailDelivery.body] = SENT_BODY
            with db.atomic():
                MailDelivery.update(done).where(MailDelivery.id == delivery.id).execute()


def send_soon(deliveries) -> None:
    """Send these just-queued deliveries (or their ids) from a thread, once their transaction has committed.

    For mail a person waits for (a password link): the request does not wait for the SMTP
    server, so its answer takes as long whether or not a mail was queued. What fails here
    stays pending for the next `portal remind`; a claim keeps two senders from sending one twice.
    """
    ids = [getattr(d, "id", d) for d in deliveries if d is not None]
    if not ids or not mail_enabled():
        return
    app = current_app._get_current_object()

    def deliver():
        try:
            with app.app_context(), own_connection():
                sent, failed = send_pending(only=ids)
            if failed:
                event_log.warning("%d e-mail(s) not sent now; `portal remind` retries them", failed,
                            extra={"event": "mail_retry_later", "count": failed})
        except Exception as exc:  # noqa: BLE001 - a thread must not die loudly; the mail stays queued
            event_log.warning("Sending queued e-mail failed (%s); `portal remind` retries it", type(exc).__name__,
                        extra={"event": "mail_retry_later", "error": str(exc)[:200]})

    threading.Thread(target=deliver, name="outbox-soon", daemon=True).start()
