"""Status reports and the reminders sent about them."""
import peewee

from portal.auth.models import User
from portal.db import BaseModel, VersionedModel, utcnow
from portal.projects.models import Project
from portal.rendered import StoredMarkdown

RAGS = ("green", "amber", "red")
DIMENSIONS = ("schedule", "budget", "scope", "resources")
STAGES = ("due", "second", "escalation")


class StatusReport(StoredMarkdown, VersionedModel):
    """One project's report for one reporting period (UNIQUE project + period_end)."""

    MARKDOWN_FIELDS = ("accomplishments", "next_steps", "blockers", "decisions")

    project = peewee.ForeignKeyField(Project, backref="status_reports", on_delete="CASCADE")
    period_end = peewee.DateField(index=True)
    rag_overall = peewee.CharField(max_length=8, index=True)
    rag_schedule = peewee.CharField(max_length=8)
    rag_budget = peewee.CharField(max_length=8)
    rag_scope = peewee.CharField(max_length=8)
    rag_resources = peewee.CharField(max_length=8)
    reason_overall = peewee.TextField(default="")
    reason_schedule = peewee.TextField(default="")
    reason_budget = peewee.TextField(default="")
    reason_scope = peewee.TextField(default="")
    reason_resources = peewee.TextField(default="")
    percent_complete = peewee.SmallIntegerField(default=0)
    forecast_finish = peewee.DateField(null=True)
    spent_to_date = peewee.DecimalField(max_digits=14, decimal_places=2, null=True)
    accomplishments = peewee.TextField(default="")
    next_steps = peewee.TextField(default="")
    blockers = peewee.TextField(default="")
    decisions = peewee.TextField(default="")
    submitted_by = peewee.ForeignKeyField(User, backref="+")
    submitted_at = peewee.DateTimeField(default=utcnow)
    updated_by = peewee.ForeignKeyField(User, null=True, backref="+")
    updated_at = peewee.DateTimeField(default=utcnow)
    # The sanitised HTML of the Markdown columns, rendered when saved (see portal/rendered.py).
    rendered_html = peewee.TextField(default="")
    rendered_version = peewee.IntegerField(default=0)

    class Meta:
        indexes = ((("project", "period_end"), True),)


# The reports on time per month and each project's last RAG per month read only these columns (migration 0026).
StatusReport.add_index(StatusReport.index(StatusReport.period_end, StatusReport.project, StatusReport.rag_overall,
                                          StatusReport.submitted_at, name="status_report_period_figures"))


class StatusReminder(BaseModel):
    """A reminder stage claimed for one project and period: the UNIQUE key makes each notice once-only."""

    project = peewee.ForeignKeyField(Project, backref="+", on_delete="CASCADE")
    period_end = peewee.DateField()
    stage = peewee.CharField(max_length=16)
    sent_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("project", "period_end", "stage"), True), (("period_end",), False))
