"""Webhooks the PMO configured and the log of every delivery."""
import peewee

from portal.auth.models import User
from portal.db import BaseModel, VersionedModel, utcnow
from portal.webhooks.sealing import unseal

FORMATS = {"json": "Plain JSON", "teams": "Microsoft Teams (Adaptive Card)", "slack": "Slack (incoming webhook)"}


class Webhook(VersionedModel):
    """Where to send which events, in which format, signed with which secret (never shown after saving).

    The secret is stored encrypted (`sealing.seal`); `signing_secret()` gives it back for signing.
    """

    name = peewee.CharField(max_length=120)
    url = peewee.CharField(max_length=2000)
    sealed_secret = peewee.CharField(max_length=500, column_name="secret")
    format = peewee.CharField(max_length=10, default="json")
    events = peewee.CharField(max_length=500)  # space-separated event names
    active = peewee.BooleanField(default=True)
    created_by = peewee.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow)

    @property
    def event_list(self) -> list[str]:
        return self.events.split()

    def signing_secret(self) -> str:
        """The secret in clear, for signing a delivery; UnreadableSecret when the key changed since it was saved."""
        return unseal(self.sealed_secret)

    @property
    def masked_url(self) -> str:
        """Scheme and host only: Teams and Slack addresses carry a token in their path."""
        return masked(self.url)


def masked(url: str) -> str:
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0].rsplit("@", 1)[-1]
    return f"{scheme}://{host}/…" if rest else "…"


class WebhookDelivery(BaseModel):
    """One event for one webhook: the exact body sent, and how far its delivery got."""

    webhook = peewee.ForeignKeyField(Webhook, backref="deliveries", on_delete="CASCADE")
    event = peewee.CharField(max_length=40)
    body = peewee.TextField()
    state = peewee.CharField(max_length=10, default="pending")  # pending, sending, delivered, failed
    attempts = peewee.IntegerField(default=0)
    next_attempt_at = peewee.DateTimeField(default=utcnow)
    claimed_at = peewee.DateTimeField(null=True)
    last_status = peewee.IntegerField(null=True)
    last_error = peewee.CharField(max_length=255, default="")
    delivered_at = peewee.DateTimeField(null=True)
    created_at = peewee.DateTimeField(default=utcnow)
    replay_of = peewee.ForeignKeyField("self", null=True, backref="+", on_delete="SET NULL")
    request_id = peewee.CharField(max_length=64, null=True)

    class Meta:
        indexes = ((("state", "next_attempt_at"), False), (("webhook", "created_at"), False))
