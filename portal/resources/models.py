"""Allocations of people to projects, and the over-allocation notices already sent."""
import peewee

from portal.auth.models import User
from portal.db import BaseModel, VersionedModel, utcnow
from portal.projects.models import Project


class Allocation(VersionedModel):
    """A booking: `person` works `percent` of their time on `project` from `start_date` to `end_date` (inclusive)."""

    person = peewee.ForeignKeyField(User, backref="allocations", on_delete="CASCADE")
    project = peewee.ForeignKeyField(Project, backref="allocations", on_delete="CASCADE")
    role = peewee.CharField(max_length=80, default="")
    percent = peewee.SmallIntegerField()
    start_date = peewee.DateField()
    end_date = peewee.DateField()
    note = peewee.CharField(max_length=500, default="")
    created_by = peewee.ForeignKeyField(User, null=True, backref="+")
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("person", "start_date", "end_date"), False), (("project", "start_date"), False),
                   (("start_date", "end_date"), False))

    @classmethod
    def overlapping(cls, start, end):
        """Allocations that touch the days from `start` to `end`."""
        return cls.select().where((cls.start_date <= end) & (cls.end_date >= start))


class ConflictNotice(BaseModel):
    """One person's over-allocated week, claimed once: the UNIQUE key makes the notice once-only."""

    person = peewee.ForeignKeyField(User, backref="+", on_delete="CASCADE")
    week = peewee.DateField()
    sent_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("person", "week"), True),)
