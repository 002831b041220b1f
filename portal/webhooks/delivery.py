"""Sending queued webhook deliveries after commit: signed, claimed once, retried with exponential back-off."""
import datetime
import http.client
import logging
import socket
import ssl
import threading
import time
from urllib.parse import urlsplit

from flask import current_app

from portal.db import db, utcnow
from portal.webhooks.addresses import RefusedAddress, target
from portal.webhooks.models import Webhook, WebhookDelivery
from portal.webhooks.payloads import signature
from portal.webhooks.sealing import UnreadableSecret

log = logging.getLogger("portal.webhooks")

TIMEOUT = 10  # seconds for one attempt: a slow receiver must not hold up the run for long
MAX_RESPONSE = 65536  # bytes of the receiver's answer read at most (only its status matters)
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


class _CheckedAddresses:
    """Connects to the addresses checked when the host name was resolved, in turn, never to a fresh lookup's."""

    def __init__(self, addresses: list[str]):
        self.addresses = addresses
        self.sock = None

    def __call__(self, host_port, timeout, source_address=None):
        error = None
        for address in self.addresses:
            try:
                self.sock = socket.create_connection((address, host_port[1]), timeout, source_address)
                return self.sock
            except OSError as exc:
                error = exc
        raise error or OSError("no address to connect to")


def _connection(scheme: str, host: str, port: int, addresses: list[str]) -> http.client.HTTPConnection:
    """An HTTP(S) connection to `host` (its name in Host, SNI and the certificate check) at a checked address."""
    if scheme == "https":
        conn = http.client.HTTPSConnection(host, port, timeout=TIMEOUT, context=ssl.create_default_context())
    else:
        conn = http.client.HTTPConnection(host, port, timeout=TIMEOUT)
    conn._create_connection = _CheckedAddresses(addresses)  # http.client's own hook for making the socket
    return conn


def post(url: str, body: bytes, headers: dict) -> int:
    """POST `body` to `url`; returns the HTTP status. RefusedAddress when the address may not be reached,
    OSError when nothing answered in time. Redirects are not followed (a 3xx is a failure: the signed body goes
    only where the PMO said), at most MAX_RESPONSE bytes of the answer are read, and the whole attempt is cut off
    after TIMEOUT seconds, however slowly the receiver trickles its answer."""
    config = current_app.config
    scheme, host, port, addresses = target(url, allow_http=config["WEBHOOK_ALLOW_HTTP"],
                                           allow_private=config["WEBHOOK_ALLOW_PRIVATE"])
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    conn = _connection(scheme, host, port, addresses)
    cut = []
    watchdog = threading.Timer(TIMEOUT, _cut, (conn, cut))
    watchdog.start()
    try:
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        if cut:  # the headers ended because the socket was shut, not because the receiver finished them
            raise TimeoutError
        try:
            response.read(MAX_RESPONSE)
        except (OSError, http.client.HTTPException):
            pass  # the status has arrived; what follows it does not matter
        return response.status
    except (OSError, http.client.HTTPException):
        if cut:
            raise TimeoutError(f"no answer within {TIMEOUT} seconds") from None
        raise
    finally:
        watchdog.cancel()
        conn.close()


def _cut(conn: http.client.HTTPConnection, cut: list) -> None:
    """At the deadline, wake a read still waiting (closing alone would not): shut the socket down."""
    cut.append(True)
    sock = conn.sock or conn._create_connection.sock
    if sock is not None:
        try:
            socket.socket.shutdown(sock, socket.SHUT_RDWR)  # the plain socket's, under TLS too
        except OSError:
            pass


def _claim(delivery_id: int, now) -> bool:
    """Take one delivery for this run (conditional UPDATE): False when another run has it."""
    with db.atomic():
        return (WebhookDelivery.update(state="sending", claimed_at=now, attempts=WebhookDelivery.attempts + 1)
                .where((WebhookDelivery.id == delivery_id)
                       & (((WebhookDelivery.state == "pending") & (WebhookDelivery.next_attempt_at <= now))
                          | ((WebhookDelivery.state == "sending")
                             & (WebhookDelivery.claimed_at < now - STALE_CLAIM))))
                .execute()) == 1


def send_one(delivery: WebhookDelivery, hook: Webhook) -> tuple[int | None, str, bool]:
    """One attempt: (HTTP status or None, error text (empty when delivered), whether trying again may help).

    A refused address or an unreadable secret is not retried: only the administrator or the PMO can change
    that (then **Replay** sends the body again)."""
    body = delivery.body.encode("utf-8")
    try:
        secret = hook.signing_secret()
    except UnreadableSecret as exc:
        return None, str(exc)[:255], False
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT,
               "X-Portal-Event": delivery.event, "X-Portal-Delivery": str(delivery.id),
               "X-Portal-Signature": signature(secret, int(time.time()), body)}
    if delivery.request_id:
        headers["X-Request-ID"] = delivery.request_id
    try:
        status = post(hook.url, body, headers)
    except RefusedAddress as exc:
        return None, f"Refused: {exc}"[:255], False
    except (OSError, http.client.HTTPException, ValueError) as exc:
        return None, (f"{type(exc).__name__}: {getattr(exc, 'reason', None) or exc}")[:255], True
    if 200 <= status < 300:
        return status, "", False
    return status, f"The receiver answered HTTP {status}.", True


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
            status, error, retry = send_one(delivery, delivery.webhook)
            with db.atomic():
                if not error:
                    delivered += 1
                    WebhookDelivery.update(state="delivered", delivered_at=utcnow(), last_status=status,
                                           last_error="").where(WebhookDelivery.id == delivery.id).execute()
                    continue
                failed += 1
                gave_up = attempts >= MAX_ATTEMPTS or not retry
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
