"""Comments on anything in a project (target type + id) and notification preferences."""
import peewee

from portal.auth.models import User
from portal.db import BaseModel, utcnow
from portal.projects.models import Project
from portal.rendered import StoredMarkdown

PREFERENCES = {"portal": "In the portal only", "immediate": "E-mail me each one as it happens",
               "digest": "E-mail me a daily digest"}


class Comment(StoredMarkdown, BaseModel):
    """One Markdown comment in the thread of one record (the project itself, a risk, …)."""

    MARKDOWN_FIELDS = ("body",)

    project = peewee.ForeignKeyField(Project, backref="+", on_delete="CASCADE", index=True)
    target_type = peewee.CharField(max_length=32)
    target_id = peewee.IntegerField()
    author = peewee.ForeignKeyField(User, backref="+")
    body = peewee.TextField()
    created_at = peewee.DateTimeField(default=utcnow)
    edited_at = peewee.DateTimeField(null=True)
    deleted_at = peewee.DateTimeField(null=True)
    deleted_by = peewee.ForeignKeyField(User, null=True, backref="+")
    # The sanitised HTML of the Markdown columns, rendered when saved (see portal/rendered.py).
    rendered_html = peewee.TextField(default="")
    rendered_version = peewee.IntegerField(default=0)

    class Meta:
        indexes = ((("target_type", "target_id", "created_at"), False),)


class NotificationPreference(BaseModel):
    """How one person wants to hear about things: in the portal only, e-mail at once, or a daily digest."""

    user = peewee.ForeignKeyField(User, unique=True, backref="+", on_delete="CASCADE")
    mode = peewee.CharField(max_length=16, default="portal")
    updated_at = peewee.DateTimeField(default=utcnow)
