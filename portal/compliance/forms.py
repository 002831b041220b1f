"""The form that changes one compliance check."""
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms.validators import InputRequired

from portal.numbers import BoundedIntegerField, VersionField


class CheckForm(FlaskForm):
    """Switch a check on or off and set its threshold (range checked per check by the view)."""

    enabled = BooleanField("Enabled")
    threshold = BoundedIntegerField("Threshold", message="Give a whole number.",
                                    validators=[InputRequired(message="Give a whole number.")])
    version = VersionField(validators=[InputRequired()])

    def within(self, low: int, high: int) -> bool:
        """Validate, then check the threshold lies in the check's range."""
        if not self.validate():
            return False
        if not low <= self.threshold.data <= high:
            self.threshold.errors.append(f"Use a number from {low} to {high}.")
            return False
        return True
