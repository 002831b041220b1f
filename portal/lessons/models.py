"""Benefits realised by a project and the lessons it learned."""
import peewee

from portal.auth.models import User
from portal.db import BaseModel, VersionedModel, utcnow
from portal.projects.models import Project

CATEGORIES = {"governance": "Governance", "planning": "Planning", "stakeholders": "Stakeholders",
              "delivery": "Delivery", "suppliers": "Suppliers", "technology": "Technology",
              "people": "People and skills", "other": "Other"}
REVIEWS = {"": "Not reviewed", "confirmed": "Confirmed", "queried": "Queried"}


class Benefit(VersionedModel):
    """One benefit: what is measured, the target, what was realised and when; reviewed by the PMO."""

    project = peewee.ForeignKeyField(Project, backref="+", on_delete="CASCADE", index=True)
    description = peewee.CharField(max_length=300)
    measure = peewee.CharField(max_length=200, default="")
    target = peewee.CharField(max_length=100, default="")
    actual = peewee.CharField(max_length=100, default="")
    realised_on = peewee.DateField(null=True)
    recorded_by = peewee.ForeignKeyField(User, null=True, backref="+")
    recorded_at = peewee.DateTimeField(default=utcnow)
    review = peewee.CharField(max_length=16, default="")
    review_note = peewee.CharField(max_length=1000, default="")
    reviewed_by = peewee.ForeignKeyField(User, null=True, backref="+")
    reviewed_at = peewee.DateTimeField(null=True)


class Lesson(BaseModel):
    """What a project learned: what went well, what to improve, and the advice for the next one."""

    project = peewee.ForeignKeyField(Project, backref="+", on_delete="CASCADE", index=True)
    category = peewee.CharField(max_length=20, default="other", index=True)
    went_well = peewee.TextField(default="")
    to_improve = peewee.TextField(default="")
    recommendation = peewee.TextField(default="")
    author = peewee.ForeignKeyField(User, null=True, backref="+")
    created_at = peewee.DateTimeField(default=utcnow, index=True)
