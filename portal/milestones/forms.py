"""Milestone forms: a new milestone, and its forecast and completion."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional

from portal.numbers import VersionField
from portal.validators import DateField


class MilestoneForm(FlaskForm):
    """A new milestone; `depends_on` offers milestones of other projects the user can see."""

    name = StringField("Name", validators=[InputRequired(), Length(max=200)])
    due_date = DateField("Due", validators=[InputRequired()])
    forecast_date = DateField("Forecast", validators=[Optional()])
    depends_on = SelectField("Waits on (another project's milestone)", coerce=int, default=0)

    FIELDS = ("name", "due_date", "forecast_date", "depends_on")

    def values(self) -> dict:
        values = {name: getattr(self, name).data for name in self.FIELDS}
        values["name"] = values["name"].strip()
        values["depends_on"] = values["depends_on"] or None
        return values


class ForecastForm(FlaskForm):
    """Move a milestone's forecast or mark it done (version-guarded)."""

    forecast_date = DateField("Forecast", validators=[Optional()])
    done = BooleanField("Done")
    version = VersionField(validators=[InputRequired()])
