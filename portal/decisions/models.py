"""Decisions: what was (or must be) decided, when, by whom, why, the options weighed, and what it touches."""
import peewee

from portal.auth.models import User
from portal.db import BaseModel, VersionedModel, utcnow
from portal.projects.models import Project
from portal.risks.models import Issue, Risk

STATUSES = ("pending", "made")
STATUS_LABELS = {"pending": "Decision needed", "made": "Decided"}


class Decision(VersionedModel):
    """One entry of a project's decision log; `pending` ones are decisions the project still needs."""

    project = peewee.ForeignKeyField(Project, backref="decisions", on_delete="CASCADE")
    title = peewee.CharField(max_length=200)
    status = peewee.CharField(max_length=12, default="made", index=True)
    needed_by = peewee.DateField(null=True)
    decided_on = peewee.DateField(null=True)
    decided_by = peewee.ForeignKeyField(User, null=True, backref="+")
    options = peewee.TextField(default="")
    rationale = peewee.TextField(default="")
    created_by = peewee.ForeignKeyField(User, null=True, backref="+")
    created_at = peewee.DateTimeField(default=utcnow, index=True)
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("project", "created_at"), False),)

    @property
    def ref(self) -> str:
        return f"D-{self.id}"


class DecisionLink(BaseModel):
    """A risk or an issue of the same project that a decision answers or affects."""

    decision = peewee.ForeignKeyField(Decision, backref="links", on_delete="CASCADE")
    risk = peewee.ForeignKeyField(Risk, null=True, backref="+", on_delete="CASCADE")
    issue = peewee.ForeignKeyField(Issue, null=True, backref="+", on_delete="CASCADE")
