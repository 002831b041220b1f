"""Change request forms."""
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from portal.errors import InvalidInput
from portal.numbers import VersionField
from portal.validators import DateField


class ChangeForm(FlaskForm):
    """A change request: what, and its impact on scope, schedule (a new end date) and budget (a difference)."""

    title = StringField("Change", validators=[InputRequired(), Length(max=200)])
    description = TextAreaField("Description", validators=[Length(max=5000)])
    scope_impact = TextAreaField("Impact on scope", validators=[Length(max=5000)])
    new_end_date = DateField("New end date", validators=[Optional()])
    budget_delta = StringField("Budget change (+ more, − less)", default="0", validators=[Length(max=20)])

    FIELDS = ("title", "description", "scope_impact", "new_end_date", "budget_delta")

    def validate_budget_delta(self, field):
        from portal.changes.services import parse_amount
        try:
            parse_amount(field.data)
        except InvalidInput as exc:
            raise ValidationError(exc.errors["budget_delta"]) from exc

    def values(self) -> dict:
        return {name: getattr(self, name).data for name in self.FIELDS}


class DecideForm(FlaskForm):
    """Approve or reject a change, with a comment (required to reject)."""

    comment = TextAreaField("Comment", validators=[Length(max=2000)])
    version = VersionField(validators=[InputRequired()])
