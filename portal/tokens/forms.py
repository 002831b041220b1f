"""The forms of the token page: a new token's name and lifetime; one-click actions carry only the CSRF token."""
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from portal.tokens.services import DAY_CHOICES, NAME_MAX


class TokenForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(message="Give the token a name."),
                                           Length(max=NAME_MAX, message=f"Use at most {NAME_MAX} characters.")])
    days = SelectField("Valid for", choices=[(str(d), f"{d} days") for d in DAY_CHOICES], default="90")


class ActionForm(FlaskForm):
    """Revoke, regenerate, switch off: nothing but the CSRF token."""
