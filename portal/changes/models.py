"""Change requests and the project baselines they change, each baseline kept as a numbered version."""
import peewee

from portal.auth.models import User
from portal.db import BaseModel, VersionedModel, utcnow
from portal.projects.models import Project

STATES = ("submitted", "approved", "rejected", "withdrawn")
STATE_LABELS = {"submitted": "Awaiting decision", "approved": "Approved", "rejected": "Rejected",
                "withdrawn": "Withdrawn"}
DECIDERS = {"sponsor": "the sponsor (or the PMO)", "pmo": "the PMO"}


class ChangeRequest(VersionedModel):
    """A proposed change to scope, schedule or budget; the rules pick who decides when it is raised."""

    project = peewee.ForeignKeyField(Project, backref="change_requests", on_delete="CASCADE")
    title = peewee.CharField(max_length=200)
    description = peewee.TextField(default="")
    scope_impact = peewee.TextField(default="")
    new_end_date = peewee.DateField(null=True)
    schedule_days = peewee.IntegerField(default=0)
    budget_delta = peewee.DecimalField(max_digits=14, decimal_places=2, default=0)
    requested_by = peewee.ForeignKeyField(User, backref="+")
    requested_at = peewee.DateTimeField(default=utcnow, index=True)
    decider = peewee.CharField(max_length=12, default="pmo")
    state = peewee.CharField(max_length=12, default="submitted", index=True)
    decided_by = peewee.ForeignKeyField(User, null=True, backref="+")
    decided_at = peewee.DateTimeField(null=True)
    decision_comment = peewee.TextField(default="")

    class Meta:
        indexes = ((("project", "requested_at"), False),)

    @property
    def ref(self) -> str:
        return f"CR-{self.id}"


class Baseline(BaseModel):
    """Version `number` of a project's baseline (dates and budget); number 1 is what was approved at intake."""

    project = peewee.ForeignKeyField(Project, backref="baselines", on_delete="CASCADE")
    number = peewee.IntegerField()
    start_date = peewee.DateField(null=True)
    end_date = peewee.DateField(null=True)
    budget = peewee.DecimalField(max_digits=14, decimal_places=2, null=True)
    change = peewee.ForeignKeyField(ChangeRequest, null=True, backref="+", on_delete="SET NULL")
    set_by = peewee.ForeignKeyField(User, null=True, backref="+")
    set_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("project", "number"), True),)
