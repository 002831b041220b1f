"""The dashboard's filters (a GET form: no CSRF, values live in the URL)."""
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import AnyOf, Optional

from portal.dashboard.services import RAG_FILTERS, SORTS
from portal.numbers import BoundedIntegerField


class DashboardFilterForm(FlaskForm):
    """Department, category, manager and RAG filters; sort column and direction (the page is read apart)."""

    department = StringField(validators=[Optional()])
    category = StringField(validators=[Optional()])
    manager = BoundedIntegerField(minimum=1, validators=[Optional()])
    rag = SelectField("RAG", choices=[("", "Any RAG")] + [(r, r.capitalize() if r != "none" else "No report")
                                                          for r in RAG_FILTERS], default="")
    sort = StringField(validators=[Optional(), AnyOf(SORTS)])
    dir = StringField(validators=[Optional(), AnyOf(("asc", "desc"))])

    def filters(self) -> dict:
        """The filter values for the services (never anything else from the request)."""
        return {"department": (self.department.data or "")[:120], "category": (self.category.data or "")[:60],
                "manager": self.manager.data or None, "rag": self.rag.data or ""}
