"""The events webhooks can follow, and `emit`, the one call a feature makes when one happens."""
import json
import uuid

from flask import current_app, has_app_context

from portal.db import utcnow
from portal.logs import current_request_id
from portal.webhooks.models import Webhook, WebhookDelivery
from portal.webhooks.payloads import format_body

EVENTS = {
    "request.submitted": "A project request was submitted",
    "request.decided": "A project request was approved, returned or rejected",
    "status.filed": "A status report was filed",
    "status.red": "A project's overall RAG turned red",
    "risk.escalated": "A risk was escalated to the PMO",
    "ticket.created": "A help-desk ticket was created",
    "ticket.breaching": "A help-desk ticket breached its SLA",
    "milestone.at_risk": "A milestone is at risk",
}
# Sent only by the "send a test" button, whatever the webhook follows.
PING = "ping"


def envelope(event: str, text: str, url: str, data: dict) -> dict:
    """The event as every format starts from: what happened, a sentence, a link, and the facts."""
    base = current_app.config.get("BASE_URL", "").rstrip("/") if has_app_context() else ""
    return {"id": uuid.uuid4().hex, "event": event, "occurred_at": utcnow().isoformat(timespec="seconds") + "Z",
            "text": text, "url": base + url if url.startswith("/") else url,
            "data": {k: _plain(v) for k, v in data.items()}}


def _plain(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def emit(event: str, text: str, url: str = "", data: dict | None = None) -> int:
    """Queue `event` for every active webhook that follows it; returns how many deliveries were queued.

    Call inside the transaction that makes the change: the deliveries commit
    with it (a rolled-back change announces nothing) and are sent afterwards by
    `delivery.deliver_pending`. `data` holds only what PMO staff may see:
    never internal notes, secrets or passwords.
    """
    if event not in EVENTS and event != PING:
        raise KeyError(f"unknown webhook event {event!r}")
    hooks = [h for h in Webhook.select().where(Webhook.active == True) if event in h.event_list]  # noqa: E712
    if not hooks:
        return 0
    message = envelope(event, text, url, data or {})
    now = utcnow()
    WebhookDelivery.insert_many([
        {"webhook": h.id, "event": event, "body": json.dumps(format_body(h.format, message), sort_keys=True),
         "created_at": now, "next_attempt_at": now, "request_id": current_request_id()} for h in hooks]).execute()
    return len(hooks)
