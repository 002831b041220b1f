"""The PMO's checks (thresholds editable), daily score snapshots, and failures already reported."""
import peewee

from portal.auth.models import User
from portal.db import BaseModel, VersionedModel, utcnow
from portal.projects.models import Project


class ComplianceCheck(VersionedModel):
    """One check the PMO applies to every active project; `threshold` means what checks.py says per key."""

    key = peewee.CharField(max_length=32, unique=True)
    label = peewee.CharField(max_length=120)
    enabled = peewee.BooleanField(default=True)
    threshold = peewee.IntegerField(default=0)
    position = peewee.SmallIntegerField(default=0)
    updated_at = peewee.DateTimeField(default=utcnow)
    updated_by = peewee.ForeignKeyField(User, null=True, backref="+")


class ComplianceSnapshot(BaseModel):
    """A project's score on one day (UNIQUE project + day), for the trend."""

    project = peewee.ForeignKeyField(Project, backref="+", on_delete="CASCADE")
    day = peewee.DateField(index=True)
    score = peewee.SmallIntegerField()
    failing = peewee.CharField(max_length=255, default="")

    class Meta:
        indexes = ((("project", "day"), True),)


class ComplianceFailure(BaseModel):
    """A check failing on a project since `since`; the UNIQUE key makes its notice once-only."""

    project = peewee.ForeignKeyField(Project, backref="+", on_delete="CASCADE")
    check_key = peewee.CharField(max_length=32)
    since = peewee.DateField()
    cleared_on = peewee.DateField(null=True)

    class Meta:
        indexes = ((("project", "check_key", "since"), True), (("cleared_on",), False))
