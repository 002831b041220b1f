"""Form fields and validators every feature shares."""
import datetime

import wtforms
from wtforms.validators import StopValidation

EARLIEST = datetime.date(1900, 1, 1)
LATEST = datetime.date(9000, 12, 31)


class DateField(wtforms.DateField):
    """A date from 1900 to 9000: anything further is a typo, and date arithmetic past 9999 fails."""

    def pre_validate(self, form):
        if self.data is not None and not EARLIEST <= self.data <= LATEST:
            raise StopValidation(f"Enter a date between {EARLIEST.year} and {LATEST.year}.")
