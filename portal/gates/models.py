"""Versions of the phase model, each project's phase history and its gate reviews."""
import peewee

from portal.auth.models import User
from portal.db import BaseModel, VersionedModel, utcnow
from portal.projects.models import Project

REVIEW_STATES = ("requested", "passed", "returned", "rejected")
REVIEW_LABELS = {"requested": "Awaiting review", "passed": "Passed", "returned": "Returned", "rejected": "Rejected"}


class PhaseModel(BaseModel):
    """One saved version of the phase model (JSON); the highest number is in force, older ones are history."""

    number = peewee.IntegerField(unique=True)
    body = peewee.TextField()
    comment = peewee.CharField(max_length=255, default="")
    saved_by = peewee.ForeignKeyField(User, null=True, backref="+")
    saved_at = peewee.DateTimeField(default=utcnow)


class ProjectPhase(BaseModel):
    """A project's stay in one phase; name and allowed days are copied so a later model never rewrites history."""

    project = peewee.ForeignKeyField(Project, backref="+", on_delete="CASCADE")
    phase_key = peewee.CharField(max_length=32)
    phase_name = peewee.CharField(max_length=60)
    max_days = peewee.IntegerField(null=True)
    model_number = peewee.IntegerField(default=0)
    entered_at = peewee.DateTimeField(default=utcnow)
    left_at = peewee.DateTimeField(null=True)

    class Meta:
        indexes = ((("project", "left_at"), False),)


class GateReview(VersionedModel):
    """A request to pass the gate from one phase into the next, and its decision."""

    project = peewee.ForeignKeyField(Project, backref="+", on_delete="CASCADE")
    model_number = peewee.IntegerField(default=0)
    from_key = peewee.CharField(max_length=32)
    from_name = peewee.CharField(max_length=60)
    to_key = peewee.CharField(max_length=32)
    to_name = peewee.CharField(max_length=60)
    sponsor_decides = peewee.BooleanField(default=False)
    note = peewee.TextField(default="")
    results = peewee.TextField(default="[]")  # the criteria as evaluated at the request, JSON
    requested_by = peewee.ForeignKeyField(User, backref="+")
    requested_at = peewee.DateTimeField(default=utcnow, index=True)
    state = peewee.CharField(max_length=12, default="requested", index=True)
    decided_by = peewee.ForeignKeyField(User, null=True, backref="+")
    decided_at = peewee.DateTimeField(null=True)
    comment = peewee.TextField(default="")

    class Meta:
        indexes = ((("project", "requested_at"), False),)
