"""The issue form and the issue list's filters."""
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from portal.issues.services import FIELDS, PRIORITIES
from portal.numbers import VersionField
from portal.risks.models import ISSUE_STATUSES
from portal.validators import DateField

STATUS_LABELS = {"open": "Open", "in_progress": "In progress", "resolved": "Resolved", "closed": "Closed"}


class IssueForm(FlaskForm):
    """Everything about an issue."""

    title = StringField("Title", validators=[InputRequired(), Length(max=200)])
    description = TextAreaField("Description", validators=[Length(max=5000)])
    priority = SelectField("Priority (impact)", choices=list(PRIORITIES.items()), coerce=int, default=3)
    owner = SelectField("Owner", coerce=int)
    due_date = DateField("Due date", validators=[Optional()])
    status = SelectField("Status", choices=[(s, STATUS_LABELS[s]) for s in ISSUE_STATUSES], default="open")
    resolution = TextAreaField("Resolution", validators=[Length(max=5000)])
    version = VersionField(validators=[Optional()])

    def with_people(self, people):
        self.owner.choices = list(people)
        return self

    def values(self) -> dict:
        """The declared fields only (never project, linked risk or version)."""
        return {name: getattr(self, name).data for name in FIELDS}


class IssueFilterForm(FlaskForm):
    status = SelectField("Status", choices=[("", "Open and in progress"), ("all", "Any status")]
                         + list(STATUS_LABELS.items()), validate_choice=False)
    overdue = StringField("Overdue", validators=[Optional(), Length(max=3)])
    sort = SelectField("Sort", choices=[("due", "Due date"), ("priority", "Priority"), ("newest", "Newest")],
                       validate_choice=False)
