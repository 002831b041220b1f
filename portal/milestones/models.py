"""Milestones, the milestone of another project each may wait on, and the at-risk alerts already sent."""
import peewee

from portal.auth.models import User
from portal.db import BaseModel, VersionedModel, utcnow
from portal.projects.models import Project


class Milestone(VersionedModel):
    """A dated point in a project; `depends_on` is a milestone of another project it waits for."""

    project = peewee.ForeignKeyField(Project, backref="milestones", on_delete="CASCADE")
    name = peewee.CharField(max_length=200)
    due_date = peewee.DateField(index=True)
    forecast_date = peewee.DateField(null=True)
    done = peewee.BooleanField(default=False)
    depends_on = peewee.ForeignKeyField("self", null=True, backref="dependants", on_delete="SET NULL", index=True)
    updated_at = peewee.DateTimeField(default=utcnow)
    updated_by = peewee.ForeignKeyField(User, null=True, backref="+")

    class Meta:
        indexes = ((("project", "due_date"), False),)

    @property
    def expected(self):
        """When it is expected now: the forecast, else the due date."""
        return self.forecast_date or self.due_date


class MilestoneAlert(BaseModel):
    """`milestone` was found at risk because of `predecessor` for `reason` (slip, red): claimed once."""

    milestone = peewee.ForeignKeyField(Milestone, backref="+", on_delete="CASCADE")
    predecessor = peewee.ForeignKeyField(Milestone, backref="+", on_delete="CASCADE")
    reason = peewee.CharField(max_length=16)
    sent_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("milestone", "predecessor", "reason"), True),)
