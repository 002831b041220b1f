"""A saved view: a name for a list page's query string (filters and sort), kept by its owner."""
import peewee

from portal.auth.models import User
from portal.db import BaseModel, utcnow


class SavedView(BaseModel):
    """One named query string of one list page; `shared` puts it in everyone's menu."""

    owner = peewee.ForeignKeyField(User, backref="+", on_delete="CASCADE")
    page = peewee.CharField(max_length=32)
    name = peewee.CharField(max_length=80)
    query = peewee.TextField(default="")
    shared = peewee.BooleanField(default=False)
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("owner", "page", "name"), True), (("page", "shared"), False))
