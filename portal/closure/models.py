"""The PMO's sign-off that lets a project close although the closure rules flagged something."""
import peewee

from portal.auth.models import User
from portal.db import BaseModel, utcnow
from portal.projects.models import Project


class ClosureSignoff(BaseModel):
    """The PMO agreed the project may close with these reasons standing (copied, as they were then)."""

    project = peewee.ForeignKeyField(Project, backref="+", on_delete="CASCADE", index=True)
    signed_by = peewee.ForeignKeyField(User, backref="+")
    signed_at = peewee.DateTimeField(default=utcnow)
    reasons = peewee.TextField(default="")
    comment = peewee.TextField(default="")
