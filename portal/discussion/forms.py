"""Forms for comments and notification preferences."""
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.validators import InputRequired, Length

from portal.markdown import LIMITS
from portal.notify.models import PREFERENCES


class CommentForm(FlaskForm):
    body = TextAreaField("Comment", validators=[InputRequired(message="Write something first."),
                                                Length(max=LIMITS["comment"],
                                                       message=f"Use at most {LIMITS['comment']:,} characters.")])


class ActionForm(FlaskForm):
    """A button that only needs its CSRF token (delete)."""


class PreferenceForm(FlaskForm):
    mode = RadioField("How should the portal tell you?", choices=list(PREFERENCES.items()), default="portal")
