"""The notification model."""
import peewee

from portal.auth.models import User
from portal.db import BaseModel, utcnow


class Notification(BaseModel):
    """One message to one person, with a link to what it is about."""

    user = peewee.ForeignKeyField(User, backref="notifications", on_delete="CASCADE")
    text = peewee.CharField(max_length=255)
    url = peewee.CharField(max_length=255, default="")
    created_at = peewee.DateTimeField(default=utcnow)
    read_at = peewee.DateTimeField(null=True)

    class Meta:
        indexes = ((("user", "read_at", "created_at"), False),)
