"""API tokens, the per-minute call counts that rate-limit them, and each person's calendar feed secret."""
import peewee

from portal.auth.models import User
from portal.db import BaseModel, utcnow


class ApiToken(BaseModel):
    """A person's named token for the read API. Only the SHA-256 of the secret is kept; `prefix` is shown."""

    user = peewee.ForeignKeyField(User, backref="+", on_delete="CASCADE", index=True)
    name = peewee.CharField(max_length=80)
    prefix = peewee.CharField(max_length=16)
    secret_hash = peewee.CharField(max_length=64, unique=True)
    created_at = peewee.DateTimeField(default=utcnow)
    expires_at = peewee.DateTimeField(index=True)
    last_used_at = peewee.DateTimeField(null=True)
    last_used_address = peewee.CharField(max_length=64, default="")
    revoked_at = peewee.DateTimeField(null=True)
    revoked_by = peewee.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

    def is_live(self, now) -> bool:
        """Neither revoked nor expired at `now`."""
        return self.revoked_at is None and self.expires_at > now


class ApiCallWindow(BaseModel):
    """Calls made with one token in one minute: a fixed window every worker counts in the same row."""

    token = peewee.ForeignKeyField(ApiToken, backref="+", on_delete="CASCADE")
    window_start = peewee.DateTimeField()
    calls = peewee.IntegerField(default=0)

    class Meta:
        indexes = ((("token", "window_start"), True),)


class CalendarFeed(BaseModel):
    """A person's private iCalendar address: the SHA-256 of the secret in the URL, one per person."""

    user = peewee.ForeignKeyField(User, backref="+", on_delete="CASCADE", unique=True)
    secret_hash = peewee.CharField(max_length=64, unique=True)
    created_at = peewee.DateTimeField(default=utcnow)
    last_used_at = peewee.DateTimeField(null=True)
