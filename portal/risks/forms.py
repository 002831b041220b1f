"""Forms for risks: the full form, the inline row, quick status, review, escalation and the list filters."""
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from portal.numbers import BoundedIntegerField, VersionField
from portal.risks.models import CATEGORIES, RESPONSES
from portal.validators import DateField

SCALE = [(n, str(n)) for n in range(1, 6)]
SCALE_OR_NONE = [("", "—")] + [(str(n), str(n)) for n in range(1, 6)]
STATUS_LABELS = {"open": "Open", "monitoring": "Monitoring", "closed": "Closed", "occurred": "Occurred"}


class RowForm(FlaskForm):
    """The fields edited inline in a row of the log (also the quick-add row)."""

    title = StringField("Title", validators=[InputRequired(), Length(max=200)])
    category = SelectField("Category", choices=[(c, c.capitalize()) for c in CATEGORIES], default="other")
    probability = SelectField("Probability", choices=SCALE, coerce=int, default=3)
    impact = SelectField("Impact", choices=SCALE, coerce=int, default=3)
    owner = SelectField("Owner", coerce=int)
    review_date = DateField("Review date", validators=[Optional()])
    version = VersionField(validators=[Optional()])

    FIELDS = ("title", "category", "probability", "impact", "owner", "review_date")

    def with_people(self, people):
        """Owner choices are the project's people only."""
        self.owner.choices = list(people)
        return self

    def values(self) -> dict:
        """The declared fields only (never score, project, status or version)."""
        return {name: getattr(self, name).data for name in self.FIELDS}


class RiskForm(RowForm):
    """Everything about a risk."""

    description = TextAreaField("Description", validators=[Length(max=5000)])
    residual_probability = SelectField("Residual probability (after mitigation)", choices=SCALE_OR_NONE,
                                       default="")
    residual_impact = SelectField("Residual impact (after mitigation)", choices=SCALE_OR_NONE, default="")
    response = SelectField("Response", choices=[(r, r.capitalize()) for r in RESPONSES], default="mitigate")
    mitigation = TextAreaField("Mitigation", validators=[Length(max=5000)])
    contingency = TextAreaField("Contingency", validators=[Length(max=5000)])
    trigger = StringField("Trigger", validators=[Length(max=500)])

    FIELDS = RowForm.FIELDS + ("description", "residual_probability", "residual_impact", "response",
                               "mitigation", "contingency", "trigger")


class StatusForm(FlaskForm):
    status = SelectField("Status", choices=[(s, STATUS_LABELS[s]) for s in ("open", "monitoring", "closed")])
    version = VersionField(validators=[Optional()])


class EscalateForm(FlaskForm):
    note = TextAreaField("Note for the PMO", validators=[InputRequired(), Length(max=1000)])


class ActionForm(FlaskForm):
    """A button that only needs its CSRF token (review, convert, clear escalation)."""


class FilterForm(FlaskForm):
    q = StringField("Search", validators=[Optional(), Length(max=100)])
    status = SelectField("Status", choices=[("", "Open and monitoring"), ("all", "Any status")]
                         + list(STATUS_LABELS.items()), validate_choice=False)
    category = SelectField("Category", choices=[("", "Any category")] + [(c, c.capitalize()) for c in CATEGORIES],
                           validate_choice=False)
    band = SelectField("Score band", choices=[("", "Any score"), ("high", "High (15–25)"),
                                              ("medium", "Medium (8–14)"), ("low", "Low (1–7)")],
                       validate_choice=False)
    owner = BoundedIntegerField("Owner", minimum=1, validators=[Optional()])
    p = BoundedIntegerField("Probability", minimum=1, maximum=5, validators=[Optional()])
    i = BoundedIntegerField("Impact", minimum=1, maximum=5, validators=[Optional()])
    overdue = StringField("Review overdue", validators=[Optional(), Length(max=3)])
    escalated = StringField("Escalated", validators=[Optional(), Length(max=3)])
    project = StringField("Project", validators=[Optional(), Length(max=32)])
    sort = SelectField("Sort", choices=[("score", "Score"), ("review", "Review date"), ("title", "Title"),
                                        ("newest", "Newest"), ("status", "Status"), ("probability", "Probability"),
                                        ("impact", "Impact")], validate_choice=False)

    def filters(self) -> dict:
        """The filters as plain values; an invalid form filters nothing."""
        return {name: self[name].data or "" for name in
                ("q", "status", "category", "band", "owner", "p", "i", "overdue", "escalated", "project")}
