"""The status report form; only its declared fields are ever read."""
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from portal.markdown import LIMITS
from portal.numbers import BoundedIntegerField
from portal.projects.forms import AmountField
from portal.status.services import FIELDS
from portal.validators import DateField

# Each text of a report (the Markdown ones and the RAG reasons) has the status cap.
TEXT_LENGTH = Length(max=LIMITS["status"], message=f"Use at most {LIMITS['status']:,} characters.")

RAG_CHOICES = [("green", "Green"), ("amber", "Amber"), ("red", "Red")]
REASON_HELP = "Required for amber and red."


def _rag(label):
    return SelectField(label, choices=RAG_CHOICES, validators=[InputRequired()])


def _reason(label):
    return TextAreaField(label, validators=[TEXT_LENGTH], render_kw={"rows": 2})


class StatusForm(FlaskForm):
    """One period's report: RAG per dimension with reasons, progress, money and the narrative (Markdown)."""

    period_end = SelectField("Period ending", validators=[InputRequired()])
    rag_overall = _rag("Overall")
    reason_overall = _reason("Why (overall)")
    rag_schedule = _rag("Schedule")
    reason_schedule = _reason("Why (schedule)")
    rag_budget = _rag("Budget")
    reason_budget = _reason("Why (budget)")
    rag_scope = _rag("Scope")
    reason_scope = _reason("Why (scope)")
    rag_resources = _rag("Resources")
    reason_resources = _reason("Why (resources)")
    percent_complete = BoundedIntegerField("Percent complete", maximum=100, validators=[InputRequired()])
    forecast_finish = DateField("Forecast finish", validators=[Optional()])
    spent_to_date = AmountField("Spent to date", places=2,
                                 validators=[Optional(), NumberRange(min=0, max=999_999_999_999)])
    accomplishments = TextAreaField("Accomplishments", validators=[TEXT_LENGTH], render_kw={"rows": 4})
    next_steps = TextAreaField("Next steps", validators=[TEXT_LENGTH], render_kw={"rows": 4})
    blockers = TextAreaField("Blockers", validators=[TEXT_LENGTH], render_kw={"rows": 3})
    decisions = TextAreaField("Decisions needed", validators=[TEXT_LENGTH], render_kw={"rows": 3})
    version = HiddenField(default="0")

    def values(self) -> dict:
        """The declared report fields only (never project, author or version)."""
        return {name: getattr(self, name).data for name in FIELDS}

    def fill(self, source) -> "StatusForm":
        """Pre-fill every report field from `source` (a report)."""
        for name in FIELDS:
            getattr(self, name).data = getattr(source, name)
        return self
