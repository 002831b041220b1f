"""The decision form."""
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from portal.decisions.models import STATUS_LABELS
from portal.validators import DateField


class DecisionForm(FlaskForm):
    """A decision taken, or one the project needs; risks and issues are the project's own."""

    title = StringField("What", validators=[InputRequired(), Length(max=200)])
    status = SelectField("Status", choices=[("made", STATUS_LABELS["made"]), ("pending", STATUS_LABELS["pending"])])
    decided_on = DateField("Decided on", validators=[Optional()])
    decided_by = SelectField("Decided by", coerce=int, default=0)
    needed_by = DateField("Needed by", validators=[Optional()])
    options = TextAreaField("Options considered", validators=[Length(max=5000)])
    rationale = TextAreaField("Rationale", validators=[Length(max=5000)])
    risks = SelectMultipleField("Linked risks", coerce=int)
    issues = SelectMultipleField("Linked issues", coerce=int)

    FIELDS = ("title", "status", "decided_on", "decided_by", "needed_by", "options", "rationale", "risks", "issues")

    def values(self) -> dict:
        return {name: getattr(self, name).data for name in self.FIELDS}


class ResolveForm(FlaskForm):
    """Record the decision a pending entry waited for."""

    rationale = TextAreaField("Rationale", validators=[InputRequired(), Length(max=5000)])
