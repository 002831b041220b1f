"""Forms for requests and projects, review decisions, scoring, the team and the list filters."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, DecimalField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Length, NumberRange, Optional, StopValidation

from portal.auth.models import User
from portal.numbers import BoundedIntegerField, VersionField
from portal.projects.models import CADENCES, STATES
from portal.projects.services import FIELDS, MANAGER_ROLES, NOT_AN_AMOUNT
from portal.validators import DateField

NOBODY = (0, "—")


class AmountField(DecimalField):
    """A decimal that must be a real number: "NaN", "sNaN" and "Infinity" are refused with a message."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(NOT_AN_AMOUNT) from None
        # Decimal() accepts them, but they cannot be compared with a limit or stored.
        if self.data is not None and not self.data.is_finite():
            self.data = None
            raise ValueError(NOT_AN_AMOUNT)

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()  # one message, not a range error on top of it


class ProjectForm(FlaskForm):
    """The request: everything a PMO needs to decide on it."""

    name = StringField("Name", validators=[InputRequired(), Length(max=120)])
    # Shown only once the name turned out to be taken: saving a second project of that name is then deliberate.
    same_name_ok = BooleanField("Use this name anyway: it is a different project")
    name_taken: list = []  # set by the view when the name is already used
    summary = TextAreaField("Summary", validators=[Length(max=2000)])
    business_case = TextAreaField("Business case", validators=[Length(max=10000)])
    sponsor = SelectField("Sponsor", coerce=int)
    manager = SelectField("Manager", coerce=int)
    compliance_owner = SelectField("Compliance owner", coerce=int)
    department = StringField("Department", validators=[Length(max=120)])
    category = SelectField("Category")
    strategic_objective = StringField("Strategic objective", validators=[Length(max=200)])
    start_date = DateField("Start date", validators=[Optional()])
    end_date = DateField("End date", validators=[Optional()])
    budget = AmountField("Budget", places=2, validators=[Optional(), NumberRange(min=0, max=999_999_999_999)])
    benefits = TextAreaField("Expected benefits", validators=[Length(max=5000)])
    known_risks = TextAreaField("Known risks", validators=[Length(max=5000)])
    reporting_cadence = SelectField("Reporting cadence", choices=[(c, c.capitalize()) for c in CADENCES],
                                    default="monthly")
    version = VersionField(validators=[Optional()])

    def set_choices(self, rules: dict):
        """People and categories come from the database and the governance rules."""
        people = list(User.select(User.id, User.name, User.role).where(User.active).order_by(User.name).tuples())
        self.sponsor.choices = [NOBODY] + [(i, n) for i, n, _ in people]
        self.compliance_owner.choices = [NOBODY] + [(i, n) for i, n, _ in people]
        self.manager.choices = [(i, n) for i, n, r in people if r in MANAGER_ROLES]
        self.category.choices = [("", "—")] + [(c, c) for c in rules["categories"]]
        return self

    def values(self) -> dict:
        """The declared request fields only (never state, code or owner)."""
        return {name: (getattr(self, name).data or None) if name in ("sponsor", "manager", "compliance_owner")
                else getattr(self, name).data for name in FIELDS}


class DecisionForm(FlaskForm):
    decision = StringField(validators=[AnyOf(["approve", "reject", "return"], message="Choose a decision.")])
    comment = TextAreaField("Comment (required to reject or return)", validators=[Length(max=2000)])


class ScoreForm(FlaskForm):
    strategic_fit = BoundedIntegerField("Strategic fit", minimum=1, maximum=5, validators=[InputRequired()])
    value = BoundedIntegerField("Value", minimum=1, maximum=5, validators=[InputRequired()])
    risk = BoundedIntegerField("Risk", minimum=1, maximum=5, validators=[InputRequired()])
    effort = BoundedIntegerField("Effort", minimum=1, maximum=5, validators=[InputRequired()])
    comment = TextAreaField("Comment", validators=[Length(max=2000)])


class StateForm(FlaskForm):
    comment = TextAreaField("Note", validators=[Length(max=2000)])


class MemberForm(FlaskForm):
    user = SelectField("Person", coerce=int)
    role = SelectField("Role", choices=[("contributor", "Contributor"), ("deputy", "Deputy"), ("viewer", "Viewer")],
                       default="contributor")


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=[("deputy", "Deputy"), ("contributor", "Contributor"), ("viewer", "Viewer")])


class RulesForm(FlaskForm):
    body = TextAreaField("Rules (TOML)", validators=[InputRequired(), Length(max=20000)])
    comment = StringField("What changed", validators=[Length(max=255)])


class FilterForm(FlaskForm):
    q = StringField("Search", validators=[Optional(), Length(max=100)])
    state = SelectField("State", choices=[("", "Any state"), ("requests", "Open requests")]
                        + [(s, s.replace("_", " ").capitalize()) for s in STATES], validate_choice=False)
    department = StringField("Department", validators=[Optional(), Length(max=120)])
    category = StringField("Category", validators=[Optional(), Length(max=60)])
    manager = BoundedIntegerField("Manager", validators=[Optional()])
    sort = SelectField("Sort", choices=[("name", "Name"), ("code", "Code"), ("state", "State"),
                                        ("budget", "Budget"), ("start", "Start date"), ("newest", "Newest")],
                       validate_choice=False)
