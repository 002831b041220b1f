"""Notifications, their e-mail outbox, daily digests and each person's preference."""
import peewee

from portal.auth.models import User
from portal.db import BaseModel, utcnow

PREFERENCES = {"portal": "In the portal only", "immediate": "E-mail me each one as it happens",
               "digest": "E-mail me a daily digest"}


class Notification(BaseModel):
    """One message to one person, with a link to what it is about."""

    user = peewee.ForeignKeyField(User, backref="notifications", on_delete="CASCADE")
    text = peewee.CharField(max_length=255)
    url = peewee.CharField(max_length=255, default="")
    created_at = peewee.DateTimeField(default=utcnow)
    read_at = peewee.DateTimeField(null=True)

    class Meta:
        indexes = ((("user", "read_at", "created_at"), False),)


class MailDelivery(BaseModel):
    """The outbox: an e-mail to send after commit, and how far it got.

    Most are the e-mail copy of a notification; a mail to an address that need not be a
    person's (a password link, the help desk's answer to a stranger) has none.
    """

    notification = peewee.ForeignKeyField(Notification, unique=True, null=True, backref="+", on_delete="CASCADE")
    to_address = peewee.CharField(max_length=255)
    subject = peewee.CharField(max_length=255)
    body = peewee.TextField()
    state = peewee.CharField(max_length=10, default="pending")  # pending, sending, sent
    attempts = peewee.IntegerField(default=0)
    last_error = peewee.CharField(max_length=255, default="")
    claimed_at = peewee.DateTimeField(null=True)
    sent_at = peewee.DateTimeField(null=True)
    created_at = peewee.DateTimeField(default=utcnow)
    # The request that queued it, sent as the X-Request-ID header: one id from click to inbox.
    request_id = peewee.CharField(max_length=64, null=True)
    # Threading: the message's own Message-ID (kept across retries), the Message-ID of the
    # conversation it belongs to (In-Reply-To and References) and where replies should go.
    message_id = peewee.CharField(max_length=255, null=True)
    in_reply_to = peewee.CharField(max_length=255, null=True)
    reply_to = peewee.CharField(max_length=255, null=True)
    # RFC 3834: "auto-generated", or "auto-replied" for an answer to a mail received.
    auto_submitted = peewee.CharField(max_length=16, default="auto-generated")
    # The body holds a one-time link: it is blanked once sent, so the outbox keeps no live secret.
    forget_body = peewee.BooleanField(default=False)

    class Meta:
        indexes = ((("state", "id"), False),)


class DigestSent(BaseModel):
    """One person's daily digest was queued for `day`: the UNIQUE key makes it once a day."""

    user = peewee.ForeignKeyField(User, on_delete="CASCADE")
    day = peewee.DateField()
    sent_at = peewee.DateTimeField(default=utcnow)  # the next digest starts from here

    class Meta:
        indexes = ((("user", "day"), True),)


class NotificationPreference(BaseModel):
    """How one person wants to hear about things: in the portal only, e-mail at once, or a daily digest."""

    user = peewee.ForeignKeyField(User, unique=True, backref="+", on_delete="CASCADE")
    mode = peewee.CharField(max_length=16, default="portal")
    updated_at = peewee.DateTimeField(default=utcnow)
