"""Help-desk forms."""
import datetime
import uuid

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from portal.helpdesk.models import CATEGORIES, PRIORITIES, STATUSES
from portal.markdown import LIMITS
from portal.numbers import VersionField
from portal.validators import DateField

MAX_BODY = LIMITS["ticket"]


def new_token() -> str:
    """A one-time token per rendered form, so a double submit is stored once."""
    return uuid.uuid4().hex


class TicketForm(FlaskForm):
    subject = StringField("Subject", validators=[DataRequired(), Length(max=200)],
                          render_kw={"autocomplete": "off", "autofocus": True})
    body = TextAreaField("Your question", validators=[DataRequired(), Length(max=MAX_BODY, message=f"Use at most {MAX_BODY:,} characters.")],
                         render_kw={"rows": 8})
    category = SelectField("Category", choices=CATEGORIES, default="methodology")
    priority = SelectField("Priority", choices=PRIORITIES, default="normal")
    # Offered from the projects the asker may see (helpdesk.views.project_choices); the service
    # checks the code again, so a hand-made post with another code is refused with a message.
    project = SelectField("Project (optional)", validators=[Optional(), Length(max=32)], validate_choice=False)
    attachment = FileField("Attach a file (optional)")


class ReplyForm(FlaskForm):
    body = TextAreaField("Reply", validators=[DataRequired(), Length(max=MAX_BODY, message=f"Use at most {MAX_BODY:,} characters.")], render_kw={"rows": 6})
    internal = BooleanField("Internal note (PMO only)")
    then = SelectField("Then", choices=[("", "Keep status"), ("waiting", "Wait on requester"),
                                        ("resolved", "Mark resolved")], default="", validate_choice=True)
    attachment = FileField("Attach a file (optional)")
    token = HiddenField(validators=[DataRequired(), Length(max=64)])


class TicketUpdateForm(FlaskForm):
    assignee = SelectField("Assignee", coerce=int, validate_choice=True)
    status = SelectField("Status", choices=STATUSES)
    priority = SelectField("Priority", choices=PRIORITIES)
    category = SelectField("Category", choices=CATEGORIES)
    version = VersionField(validators=[InputRequired()])


class RatingForm(FlaskForm):
    rating = RadioField("How good was the answer?", coerce=int,
                        choices=[(5, "5 — excellent"), (4, "4"), (3, "3"), (2, "2"), (1, "1 — poor")],
                        validators=[DataRequired(message="Choose a rating.")])
    comment = TextAreaField("Comment (optional)", validators=[Optional(), Length(max=2000)],
                            render_kw={"rows": 3})


class MergeForm(FlaskForm):
    into = StringField("Merge into ticket", validators=[DataRequired(), Length(max=20)],
                       render_kw={"placeholder": "PMO-1042"})
    token = HiddenField(validators=[DataRequired(), Length(max=64)])


class CannedForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=120)])
    body = TextAreaField("Answer", validators=[DataRequired(), Length(max=MAX_BODY, message=f"Use at most {MAX_BODY:,} characters.")], render_kw={"rows": 8})
    version = VersionField(validators=[Optional()])


class BulkForm(FlaskForm):
    assignee = SelectField("Assign to", coerce=int, validate_choice=False)
    status = SelectField("Set status", choices=[("", "—")] + STATUSES, validate_choice=False)


class QueueFilterForm(FlaskForm):
    q = StringField("Search", validators=[Optional(), Length(max=200)])
    category = SelectField("Category", choices=[("", "Any category")] + CATEGORIES, validate_choice=False)
    priority = SelectField("Priority", choices=[("", "Any priority")] + PRIORITIES, validate_choice=False)
    status = SelectField("Status", choices=[("", "Any status")] + STATUSES, validate_choice=False)
    sort = SelectField("Sort", validate_choice=False, choices=[
        ("due", "Due soonest"), ("newest", "Newest"), ("oldest", "Oldest"), ("priority", "Priority"),
        ("updated", "Recently updated")])


class FaqDraftForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    slug = StringField("Address in the FAQ section", validators=[DataRequired(), Length(max=120)])
    body = TextAreaField("Question and answer (Markdown)", validators=[DataRequired()], render_kw={"rows": 16})
    owner = StringField("Owner (keeps it up to date)",
                        validators=[DataRequired(message="Name who keeps this article up to date."), Length(max=200)])
    review_by = DateField("Review by", validators=[InputRequired(message="Choose a review date.")])
    version = VersionField(validators=[Optional()])

    def validate_review_by(self, field):
        if field.data is not None and field.data <= datetime.date.today():
            raise ValidationError("Choose a review date in the future.")


class FaqPublishForm(FlaskForm):
    checked = BooleanField("I removed project-specific details: project codes, people's names, figures and "
                           "references to attachments")
    version = VersionField(validators=[InputRequired()])
