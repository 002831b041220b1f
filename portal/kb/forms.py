"""Forms for editing, creating, moving, acknowledging and completing articles."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from portal.kb.files import MAX_SECTION, MAX_SLUG
from portal.markdown import LIMITS
from portal.numbers import VersionField

MAX_TEXT = LIMITS["article"]
TOO_LONG = f"Use at most {MAX_TEXT:,} characters."


class EditForm(FlaskForm):
    text = TextAreaField("Markdown (front matter and body)", validators=[DataRequired(), Length(max=MAX_TEXT, message=TOO_LONG)])
    message = StringField("What changed", validators=[Optional(), Length(max=300)])
    new_version = BooleanField("New version: everyone acknowledges again")
    draft = BooleanField("Save as draft (readers keep seeing the published version)")
    version = VersionField(validators=[InputRequired()])


class NewArticleForm(FlaskForm):
    section = StringField("Section (folder)", validators=[DataRequired(), Length(max=MAX_SECTION)])
    slug = StringField("Address (file name without .md)", validators=[DataRequired(), Length(max=MAX_SLUG)])
    text = TextAreaField("Markdown (front matter and body)", validators=[DataRequired(), Length(max=MAX_TEXT, message=TOO_LONG)])
    message = StringField("What changed", validators=[Optional(), Length(max=300)])


class MoveForm(FlaskForm):
    section = StringField("Section (folder)", validators=[DataRequired(), Length(max=MAX_SECTION)])
    slug = StringField("Address (file name without .md)", validators=[DataRequired(), Length(max=MAX_SLUG)])
    version = VersionField(validators=[InputRequired()])


class VersionForm(FlaskForm):
    """A button that acts on an article as the editor last saw it."""
    version = VersionField(validators=[InputRequired()])


class PreviewForm(FlaskForm):
    text = TextAreaField(validators=[Optional(), Length(max=MAX_TEXT, message=TOO_LONG)])


class AcknowledgeForm(FlaskForm):
    doc_version = HiddenField(validators=[DataRequired(), Length(max=32)])


def quiz_form(quiz: list[dict], formdata=None):
    """A form with one required radio group per quiz question (q0, q1, …)."""
    class QuizForm(FlaskForm):
        pass

    for i, q in enumerate(quiz):
        setattr(QuizForm, f"q{i}", RadioField(q["question"], choices=list(enumerate(q["options"])),
                                              coerce=int, validators=[InputRequired("Choose an answer.")]))
    return QuizForm(formdata=formdata) if formdata is not None else QuizForm()


class SearchForm(FlaskForm):
    q = StringField("Search the knowledge base", validators=[Optional()])
