"""Configuring webhooks (PMO staff and admins) and reading their delivery log."""
import json
import secrets
from urllib.parse import urlsplit

from flask import current_app
from peewee import fn

from portal.audit.services import record
from portal.db import db, utcnow
from portal.errors import InvalidInput, NotFound, Stale
from portal.pagination import paginate
from portal.permissions import permission
from portal.webhooks.addresses import problem_on_save
from portal.webhooks.events import EVENTS, PING, envelope
from portal.webhooks.models import FORMATS, Webhook, WebhookDelivery, masked
from portal.webhooks.payloads import format_body
from portal.webhooks.sealing import seal

# Audited fields: never the secret, and the address without its path (which may hold a token).
AUDITED = ("name", "url", "format", "events", "active")


def _audited(values) -> dict:
    get = values.get if isinstance(values, dict) else lambda k: getattr(values, k)
    return {k: masked(get(k)) if k == "url" else get(k) for k in AUDITED}


@permission("webhooks.manage", "Webhooks are set up by PMO staff and admins.")
def _manage(user, obj):
    return user.role in ("pmo", "admin")


def clean(values: dict, creating: bool) -> dict:
    """Checked, trimmed values; InvalidInput naming each bad field."""
    errors, out = {}, {}
    out["name"] = (values.get("name") or "").strip()
    if not out["name"] or len(out["name"]) > 120:
        errors["name"] = "Give a name of up to 120 characters."
    url = (values.get("url") or "").strip()
    errors.update(_url_problem(url))
    out["url"] = url
    out["format"] = values.get("format") or "json"
    if out["format"] not in FORMATS:
        errors["format"] = "Choose one of the formats."
    events = [e for e in dict.fromkeys(values.get("events") or []) if e]
    if not events or any(e not in EVENTS for e in events):
        errors["events"] = "Choose at least one event from the list."
    out["events"] = " ".join(events)
    secret = values.get("secret") or ""
    if secret:
        if not 16 <= len(secret) <= 255:
            errors["secret"] = "Use 16 to 255 characters (or leave empty to have one generated)."
        out["secret"] = secret
    elif creating:
        out["secret"] = secrets.token_urlsafe(32)
    out["active"] = bool(values.get("active"))
    if errors:
        raise InvalidInput(errors)
    return out


def _url_problem(url: str) -> dict:
    """{"url": why} when `url` may not receive webhooks (see `addresses`), else {}."""
    try:
        parts = urlsplit(url) if len(url) <= 2000 else None
        port_ok = parts is None or parts.port is None or parts.port > 0
    except ValueError:
        parts, port_ok = urlsplit(url), False
    if not parts or parts.scheme not in ("http", "https") or not parts.hostname:
        return {"url": "Give an http:// or https:// address of up to 2,000 characters."}
    if parts.username or parts.password:
        return {"url": "Leave user names and passwords out of the address; the secret signs each delivery."}
    if not port_ok:
        return {"url": "The port after the host name must be a number from 1 to 65535."}
    config = current_app.config
    problem = problem_on_save(url, allow_http=config["WEBHOOK_ALLOW_HTTP"],
                              allow_private=config["WEBHOOK_ALLOW_PRIVATE"])
    return {"url": problem} if problem else {}


def _sealed(data: dict) -> dict:
    """The values as stored: the secret encrypted."""
    out = {k: v for k, v in data.items() if k != "secret"}
    if "secret" in data:
        out["sealed_secret"] = seal(data["secret"])
    return out


def create_webhook(values: dict, actor) -> tuple[Webhook, str]:
    """Save a new webhook; returns it and its secret, which the page shows this once."""
    data = clean(values, creating=True)
    with db.atomic():
        hook = Webhook.create(created_by=actor.id, **_sealed(data))
        record(actor, "webhook.create", "webhook", hook.id, f"Webhook {hook.name} created",
               after=_audited(data))
    return hook, data["secret"]


def update_webhook(hook: Webhook, actor, expected_version: int, values: dict) -> Webhook:
    """Change a webhook; an empty secret keeps the old one. A stale form is refused."""
    data = clean(values, creating=False)
    with db.atomic():
        before = _audited(hook)
        if not hook.save_if_current(expected_version, updated_at=utcnow(), **_sealed(data)):
            raise Stale("Someone changed this webhook since you opened it; reload and try again.")
        after = _audited(data)
        record(actor, "webhook.edit", "webhook", hook.id,
               f"Webhook {data['name']} changed{' (new secret)' if 'secret' in data else ''}",
               before=before, after=after)
    return Webhook.get_by_id(hook.id)


def delete_webhook(hook: Webhook, actor) -> None:
    """Remove a webhook and its delivery log."""
    with db.atomic():
        record(actor, "webhook.delete", "webhook", hook.id, f"Webhook {hook.name} deleted",
               before=_audited(hook))
        hook.delete_instance(recursive=False)


def send_test(hook: Webhook, actor) -> None:
    """Queue a `ping` for this webhook alone (even when inactive or not following it)."""
    message = envelope(PING, f"Test delivery requested by {actor.name}.", "/pmo/webhooks/",
                       {"webhook": hook.name})
    with db.atomic():
        WebhookDelivery.create(webhook=hook.id, event=PING, body=json.dumps(format_body(hook.format, message),
                                                                             sort_keys=True))


def load_webhook(hook_id: int) -> Webhook:
    hook = Webhook.get_or_none(Webhook.id == hook_id)
    if hook is None:
        raise NotFound("There is no such webhook.")
    return hook


def webhooks():
    """Every webhook with its delivery counts by state, in one query each."""
    hooks = list(Webhook.select().order_by(Webhook.name, Webhook.id))
    counts = {}
    for hook_id, state, n in (WebhookDelivery.select(WebhookDelivery.webhook, WebhookDelivery.state,
                                                     fn.COUNT(WebhookDelivery.id))
                              .group_by(WebhookDelivery.webhook, WebhookDelivery.state).tuples()):
        counts.setdefault(hook_id, {})[state] = n
    return hooks, counts


def deliveries(hook: Webhook, state: str = "", page: int = 1, per_page: int = 50):
    """One page of a webhook's delivery log, newest first, optionally of one state."""
    query = WebhookDelivery.select().where(WebhookDelivery.webhook == hook.id)
    if state in ("pending", "sending", "delivered", "failed"):
        query = query.where(WebhookDelivery.state == state)
    return paginate(query.order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc()), page, per_page)


def load_delivery(hook: Webhook, delivery_id: int) -> WebhookDelivery:
    delivery = WebhookDelivery.get_or_none((WebhookDelivery.id == delivery_id)
                                           & (WebhookDelivery.webhook == hook.id))
    if delivery is None:
        raise NotFound("There is no such delivery.")
    return delivery

