"""Forms for resources: booking a person on a project, and the grid's filters."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from portal.numbers import BoundedIntegerField
from portal.validators import DateField


class AllocationForm(FlaskForm):
    """Book a person: who, as what, how much of their time, from when to when."""

    person = SelectField("Person", coerce=int, validators=[InputRequired()])
    role = StringField("Role on the project", validators=[Length(max=80)])
    percent = BoundedIntegerField("Percent of their time", minimum=1, maximum=100, validators=[InputRequired()])
    start_date = DateField("From", validators=[InputRequired()])
    end_date = DateField("To", validators=[InputRequired()])
    allow_over = BooleanField("Allow booking beyond 100% (PMO only)")
    note = StringField("Note", validators=[Length(max=500)])

    FIELDS = ("person", "role", "percent", "start_date", "end_date", "note")

    def validate_end_date(self, field):
        if self.start_date.data and field.data and field.data < self.start_date.data:
            raise ValidationError("The end must be on or after the start.")
        if self.start_date.data and field.data and (field.data - self.start_date.data).days > 3 * 366:
            raise ValidationError("Book at most three years at a time.")

    def validate_note(self, field):
        if self.allow_over.data and not (field.data or "").strip():
            raise ValidationError("Say why this person may be booked beyond 100%.")

    def values(self) -> dict:
        """The declared fields only (never project or creator)."""
        values = {name: getattr(self, name).data for name in self.FIELDS}
        values["role"], values["note"] = (values["role"] or "").strip(), (values["note"] or "").strip()
        return values


class GridForm(FlaskForm):
    """The grid's window: first day and unit (GET, no CSRF)."""

    start = DateField("From", validators=[Optional()])
    unit = SelectField("Unit", choices=[("week", "Weeks"), ("month", "Months")], default="week",
                       validators=[Optional()])
