"""Forms for managing users."""
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from portal.config import ROLES

ROLE_CHOICES = [(r, r.capitalize()) for r in ROLES]


class UserCreateForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField("Full name", validators=[DataRequired(), Length(max=120)])
    role = SelectField("Role", choices=ROLE_CHOICES, default="member")
    department = StringField("Department", validators=[Optional(), Length(max=120)])
    password = PasswordField("Initial password", validators=[DataRequired(), Length(min=10, message="Use at least 10 characters."), Length(max=1024)],
                             render_kw={"autocomplete": "new-password"})


class UserEditForm(FlaskForm):
    name = StringField("Full name", validators=[DataRequired(), Length(max=120)])
    role = SelectField("Role", choices=ROLE_CHOICES)
    department = StringField("Department", validators=[Optional(), Length(max=120)])
    version = HiddenField(validators=[DataRequired()])


class UserStateForm(FlaskForm):
    """Deactivate or reactivate: only the version travels with the button."""
    version = IntegerField(validators=[DataRequired()])


class UserFilterForm(FlaskForm):
    q = StringField("Search", validators=[Optional(), Length(max=100)])
    role = SelectField("Role", choices=[("", "Any role")] + ROLE_CHOICES, validate_choice=False)
    active = SelectField("Status", choices=[("", "Any status"), ("yes", "Active"), ("no", "Deactivated")],
                         validate_choice=False)
