"""Forms for benefits, lessons, closing with lessons, the PMO's review and the lesson search."""
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from portal.lessons.models import CATEGORIES
from portal.numbers import VersionField
from portal.validators import DateField


class BenefitForm(FlaskForm):
    description = StringField("Benefit", validators=[InputRequired(message="Say what the benefit is."),
                                                     Length(max=300)])
    measure = StringField("Measure", validators=[Optional(), Length(max=200)])
    target = StringField("Target", validators=[Optional(), Length(max=100)])
    actual = StringField("Actual (realised)", validators=[Optional(), Length(max=100)])
    realised_on = DateField("Realised on", validators=[Optional()])
    version = VersionField(validators=[Optional()])

    FIELDS = ("description", "measure", "target", "actual", "realised_on")

    def values(self) -> dict:
        """The declared fields only (never project, review or version)."""
        return {name: self[name].data for name in self.FIELDS}


class LessonForm(FlaskForm):
    category = SelectField("Category", choices=[("", "Choose…")] + list(CATEGORIES.items()))
    went_well = TextAreaField("What went well", validators=[Length(max=5000)])
    to_improve = TextAreaField("What to improve", validators=[Length(max=5000)])
    recommendation = TextAreaField("Recommendation for the next project", validators=[Length(max=5000)])

    FIELDS = ("category", "went_well", "to_improve", "recommendation")

    def values(self) -> dict:
        return {name: self[name].data for name in self.FIELDS}


class CloseForm(LessonForm):
    comment = TextAreaField("Closing note", validators=[InputRequired(message="Say why: a closing note is required."),
                                                        Length(max=2000)])


class ReviewForm(FlaskForm):
    review = SelectField("Review", choices=[("confirmed", "Confirmed"), ("queried", "Queried")])
    review_note = StringField("Note", validators=[Optional(), Length(max=1000)])


class SearchForm(FlaskForm):
    q = StringField("Search lessons", validators=[Optional(), Length(max=100)])
    category = SelectField("Category", choices=[("", "Any category")] + list(CATEGORIES.items()),
                           validate_choice=False)
