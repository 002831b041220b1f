"""Forms for managing users."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from portal.config import ROLES
from portal.formats import role_label
from portal.numbers import VersionField

ROLE_CHOICES = [(r, role_label(r)) for r in ROLES]


def intranet_email(form, field):
    """A plain `local@domain` check that accepts intranet domains (corp.local, *.internal)."""
    value = (field.data or "").strip()
    local, _, domain = value.rpartition("@")
    if (not local or not domain or "." not in domain.strip(".") or any(c.isspace() for c in value)
            or domain.startswith(".") or domain.endswith(".") or ".." in domain):
        raise ValidationError("Enter an e-mail address such as name@example.org.")


class UserCreateForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254), intranet_email])
    name = StringField("Full name", validators=[DataRequired(), Length(max=120)])
    role = SelectField("Role", choices=ROLE_CHOICES, default="member")
    department = StringField("Department", validators=[Optional(), Length(max=120)])
    password = PasswordField("Initial password", validators=[Optional(), Length(min=10, message="Use at least 10 characters."), Length(max=1024)],
                             render_kw={"autocomplete": "new-password"})


class UserEditForm(FlaskForm):
    name = StringField("Full name", validators=[DataRequired(), Length(max=120)])
    role = SelectField("Role", choices=ROLE_CHOICES)
    department = StringField("Department", validators=[Optional(), Length(max=120)])
    version = VersionField(validators=[InputRequired()])


class UserStateForm(FlaskForm):
    """Deactivate or reactivate: only the version travels with the button."""
    version = VersionField(validators=[InputRequired()])


class UserFilterForm(FlaskForm):
    q = StringField("Search", validators=[Optional(), Length(max=100)])
    role = SelectField("Role", choices=[("", "Any role")] + ROLE_CHOICES, validate_choice=False)
    active = SelectField("Status", choices=[("", "Any status"), ("yes", "Active"), ("no", "Deactivated")],
                         validate_choice=False)


class ImportUploadForm(FlaskForm):
    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file.")])


class ImportConfirmForm(FlaskForm):
    """The previewed file travels back signed: any worker can import exactly what was shown."""
    payload = HiddenField(validators=[DataRequired()])
