"""Gate review forms and the phase model editor."""
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from portal.numbers import VersionField


class RequestForm(FlaskForm):
    """Ask for the next gate's review; the checklist items arrive as `item` values."""

    note = TextAreaField("Note for the reviewers", validators=[Length(max=2000)])


class GateDecisionForm(FlaskForm):
    """Pass, return or reject a gate review."""

    comment = TextAreaField("Comment", validators=[Length(max=2000)])
    version = VersionField(validators=[InputRequired()])


class ModelForm(FlaskForm):
    """The phase model as JSON."""

    body = TextAreaField("Phase model (JSON)", validators=[InputRequired(), Length(max=40000)])
    comment = StringField("What changed", validators=[Length(max=255)])
