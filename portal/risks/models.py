"""Risks and issues of a project: the two logs, scored and owned."""
import peewee

from portal.auth.models import User
from portal.db import BaseModel, VersionedModel, utcnow
from portal.projects.models import Project

CATEGORIES = ("schedule", "cost", "scope", "quality", "resources", "technical", "supplier", "compliance",
              "other")
RESPONSES = ("avoid", "mitigate", "transfer", "accept")
RISK_STATUSES = ("open", "monitoring", "closed", "occurred")
OPEN_RISK = ("open", "monitoring")
ISSUE_STATUSES = ("open", "in_progress", "resolved", "closed")
OPEN_ISSUE = ("open", "in_progress")
# The standard's 5×5 scale: (band, lowest score) from the top down.
BANDS = (("high", 15), ("medium", 8), ("low", 1))


def band(score: int | None) -> str:
    """High (15–25), medium (8–14) or low (1–7), as the risk standard rates a score."""
    for name, lowest in BANDS:
        if score is not None and score >= lowest:
            return name
    return ""


class Risk(VersionedModel):
    """One risk on a project's log; `score` is probability × impact, computed by the service."""

    project = peewee.ForeignKeyField(Project, backref="risks", on_delete="CASCADE")
    title = peewee.CharField(max_length=200)
    description = peewee.TextField(default="")
    category = peewee.CharField(max_length=20, index=True)
    probability = peewee.SmallIntegerField()
    impact = peewee.SmallIntegerField()
    score = peewee.SmallIntegerField(index=True)
    residual_probability = peewee.SmallIntegerField(null=True)
    residual_impact = peewee.SmallIntegerField(null=True)
    residual_score = peewee.SmallIntegerField(null=True)
    owner = peewee.ForeignKeyField(User, backref="+")
    response = peewee.CharField(max_length=10, default="mitigate")
    mitigation = peewee.TextField(default="")
    contingency = peewee.TextField(default="")
    trigger = peewee.CharField(max_length=500, default="")
    review_date = peewee.DateField(null=True, index=True)
    status = peewee.CharField(max_length=12, default="open", index=True)
    last_reviewed_at = peewee.DateTimeField(null=True)
    escalated = peewee.BooleanField(default=False)
    escalation_note = peewee.CharField(max_length=1000, default="")
    escalated_at = peewee.DateTimeField(null=True)
    escalated_by = peewee.ForeignKeyField(User, null=True, backref="+")
    created_at = peewee.DateTimeField(default=utcnow, index=True)
    created_by = peewee.ForeignKeyField(User, null=True, backref="+")
    updated_at = peewee.DateTimeField(default=utcnow)
    updated_by = peewee.ForeignKeyField(User, null=True, backref="+")

    class Meta:
        indexes = ((("project", "status", "score"), False), (("project", "probability", "impact"), False),
                   (("status", "review_date"), False), (("owner", "status"), False),
                   (("escalated", "status"), False), (("project", "status", "review_date"), False))

    @property
    def band(self) -> str:
        return band(self.score)

    @property
    def residual_band(self) -> str:
        return band(self.residual_score)


# The portfolio pages read every open risk of the projects a person may see: this index holds what their
# heat map, top ten, owners filter, count and page ids need, so none of them reads a risk's row (0027).
Risk.add_index(Risk.index(Risk.project, Risk.status, Risk.score, Risk.review_date, Risk.probability, Risk.impact,
                          Risk.owner, name="risk_portfolio_cover"))


class Issue(VersionedModel):
    """Something that has happened and needs action; `risk` links back when a risk occurred."""

    project = peewee.ForeignKeyField(Project, backref="issues", on_delete="CASCADE")
    title = peewee.CharField(max_length=200)
    description = peewee.TextField(default="")
    priority = peewee.SmallIntegerField(index=True)
    owner = peewee.ForeignKeyField(User, backref="+")
    due_date = peewee.DateField(null=True)
    status = peewee.CharField(max_length=12, default="open", index=True)
    resolution = peewee.TextField(default="")
    risk = peewee.ForeignKeyField(Risk, null=True, unique=True, backref="issues", on_delete="SET NULL")
    created_at = peewee.DateTimeField(default=utcnow, index=True)
    created_by = peewee.ForeignKeyField(User, null=True, backref="+")
    updated_at = peewee.DateTimeField(default=utcnow)
    updated_by = peewee.ForeignKeyField(User, null=True, backref="+")

    class Meta:
        indexes = ((("project", "status", "priority"), False), (("status", "due_date"), False),
                   (("owner", "status"), False), (("project", "status", "due_date"), False))


class ReviewReminder(BaseModel):
    """The owner was told that `risk` is due for review on `review_date`: once per risk and date."""

    risk = peewee.ForeignKeyField(Risk, on_delete="CASCADE")
    review_date = peewee.DateField()
    sent_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("risk", "review_date"), True),)
