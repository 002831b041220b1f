"""Comments on anything in a project (target type + id)."""
import peewee

from portal.auth.models import User
from portal.db import BaseModel, utcnow
from portal.projects.models import Project
from portal.rendered import StoredMarkdown


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

