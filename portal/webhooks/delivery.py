"""Sending queued webhook deliveries after commit: signed, claimed once, retried with exponential back-off."""
import datetime
import http.client
import logging
import time
import urllib.error
import urllib.request

from portal.db import db, utcnow
from portal.webhooks.models import Webhook, WebhookDelivery
from portal.webhooks.payloads import signature

log = logging.getLogger("portal.webhooks")

TIMEOUT = 10  # seconds for one attempt: a slow receiver must not hold up the run for long
MAX_ATTEMPTS = 8
FIRST_DELAY = datetime.timedelta(minutes=1)
MAX_DELAY = datetime.timedelta(hours=6)
# A delivery claimed by a run that died mid-send is tried again after this long.
STALE_CLAIM = datetime.timedelta(minutes=10)
BATCH = 100
USER_AGENT = "PMO-Portal-Webhooks/1"


def backoff(attempts: int) -> datetime.timedelta:
    """How long to wait after the `attempts`-th failure: 1, 2, 4, 8… minutes, at most 6 hours."""
    return min(FIRST_DELAY * (2 ** max(attempts - 1, 0)), MAX_DELAY)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A receiver that redirects is answered as a failure: the signed body goes only where the PMO said."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def post(url: str, body: bytes, headers: dict) -> int:
    """POST `body` to `url`; returns the HTTP status (raises OSError when nothing answered)."""
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with _OPENER.open(request, timeout=TIMEOUT) as response:
            response.read(65536)
            return response.status
    except urllib.error.HTTPError as exc:
        exc.close()
        return exc.code


def _claim(delivery_id: int, now) -> bool:
    """Take one delivery for this run (conditional UPDATE): False when another run has it."""
    with db.atomic():
        return (WebhookDelivery.update(state="sending", claimed_at=now, attempts=WebhookDelivery.attempts + 1)
                .where((WebhookDelivery.id == delivery_id)
                       & (((WebhookDelivery.state == "pending") & (WebhookDelivery.next_attempt_at <= now))
                          | ((WebhookDelivery.state == "sending")
                             & (WebhookDelivery.claimed_at < now - STALE_CLAIM))))
                .execute()) == 1


def send_one(delivery: WebhookDelivery, hook: Webhook) -> tuple[int | None, str]:
    """One attempt: (HTTP status or None, error text; empty when delivered)."""
    body = delivery.body.encode("utf-8")
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT,
               "X-Portal-Event": delivery.event, "X-Portal-Delivery": str(delivery.id),
               "X-Portal-Signature": signature(hook.secret, int(time.time()), body)}
    if delivery.request_id:
        headers["X-Request-ID"] = delivery.request_id
    try:
        status = post(hook.url, body, headers)
    except (OSError, http.client.HTTPException, ValueError) as exc:
        return None, (f"{type(exc).__name__}: {getattr(exc, 'reason', None) or exc}")[:255]
    if 200 <= status < 300:
        return status, ""
    return status, f"The receiver answered HTTP {status}."


def deliver_pending(now=None) -> tuple[int, int]:
    """Attempt every delivery that is due; returns (delivered, failed this run). Failures wait and retry."""
    now = now or utcnow()
    due = (((WebhookDelivery.state == "pending") & (WebhookDelivery.next_attempt_at <= now))
           | ((WebhookDelivery.state == "sending") & (WebhookDelivery.claimed_at < now - STALE_CLAIM)))
    delivered = failed = 0
    last_id = 0
    while True:
        batch = list(WebhookDelivery.select(WebhookDelivery, Webhook).join(Webhook)
                     .where(due & (WebhookDelivery.id > last_id)).order_by(WebhookDelivery.id).limit(BATCH))
        if not batch:
            return delivered, failed
        for delivery in batch:
            last_id = delivery.id
            if not _claim(delivery.id, now):
                continue
            attempts = delivery.attempts + 1
            status, error = send_one(delivery, delivery.webhook)
            with db.atomic():
                if not error:
                    delivered += 1
                    WebhookDelivery.update(state="delivered", delivered_at=utcnow(), last_status=status,
                                           last_error="").where(WebhookDelivery.id == delivery.id).execute()
                    continue
                failed += 1
                gave_up = attempts >= MAX_ATTEMPTS
                WebhookDelivery.update(
                    state="failed" if gave_up else "pending", last_status=status, last_error=error,
                    next_attempt_at=now + backoff(attempts)).where(WebhookDelivery.id == delivery.id).execute()
            # The URL and error only: never the secret or the signed body.
            log.warning("Webhook delivery %s to %s failed (attempt %d%s): %s", delivery.id, delivery.webhook.name,
                        attempts, ", giving up" if gave_up else "", error)


def replay(delivery: WebhookDelivery) -> WebhookDelivery:
    """Queue the same body again as a new delivery (the log keeps both); sent by the next run."""
    with db.atomic():
        return WebhookDelivery.create(webhook=delivery.webhook_id, event=delivery.event, body=delivery.body,
                                      replay_of=delivery.id, created_at=utcnow(), next_attempt_at=utcnow())
