"""The roadmap's filters (GET: values live in the URL, no CSRF)."""
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

from portal.numbers import BoundedIntegerField
from portal.roadmap.services import GROUPS, STATES
from portal.validators import DateField


class RoadmapForm(FlaskForm):
    """Filters like the dashboard's, plus grouping, zoom, where the window starts and the table view."""

    department = StringField("Department", validators=[Optional(), Length(max=120)])
    category = StringField("Category", validators=[Optional(), Length(max=60)])
    manager = BoundedIntegerField("Manager", minimum=1, validators=[Optional()])
    state = SelectField("State", choices=[("", "Any")] + [(s, s.replace("_", " ").capitalize()) for s in STATES],
                        default="")
    group = SelectField("Group by", choices=list(GROUPS.items()), default="department")
    zoom = SelectField("Zoom", choices=[("month", "Months"), ("quarter", "Quarters"), ("year", "Years")],
                       default="quarter")
    start = DateField("From", validators=[Optional()])
    view = SelectField("View", choices=[("chart", "Chart"), ("table", "Table")], default="chart")

    def filters(self) -> dict:
        return {"department": self.department.data or "", "category": self.category.data or "",
                "manager": self.manager.data or None, "state": self.state.data or ""}

    def chosen(self, name: str, allowed) -> str:
        value = getattr(self, name).data
        return value if value in allowed else getattr(self, name).default


