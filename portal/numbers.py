"""Whole numbers from URLs, query strings and forms: ASCII digits only, within the database's integer range."""
import re

import wtforms
from flask import request
from werkzeug.routing import IntegerConverter
from wtforms.validators import StopValidation
from wtforms.widgets import HiddenInput

# peewee creates INTEGER columns for ids, versions, scores and counts, and
# PostgreSQL's INTEGER is 32-bit: anything larger can never match a row, and
# a few hundred digits overflow float comparisons (WTForms' NumberRange).
MAX_INT = 2**31 - 1
_DIGITS = re.compile(r"[0-9]{1,10}")
_SIGNED = re.compile(r"-?[0-9]{1,10}")


def parse_int(text) -> int:
    """`text` as a non-negative int of ASCII digits up to MAX_INT; ValueError otherwise (usable as `type=`)."""
    # str.isdigit() and int() accept "²" or Arabic-Indic digits; only 0-9 are ids.
    if not isinstance(text, str) or not _DIGITS.fullmatch(text) or int(text) > MAX_INT:
        raise ValueError(f"not a whole number from 0 to {MAX_INT}")
    return int(text)


def int_arg(name: str, default=None, minimum: int = 0, maximum: int = MAX_INT):
    """The query-string argument `name` as an int within [minimum, maximum]; `default` when absent or unusable.

    Filters use it so that a mistyped or hostile number drops that filter, as an
    empty field would, instead of failing the page.
    """
    try:
        value = parse_int(request.args.get(name, ""))
    except ValueError:
        return default
    return value if minimum <= value <= maximum else default


class BoundedIntegerField(wtforms.IntegerField):
    """An integer form field limited to [minimum, maximum] (by default what an INTEGER column holds).

    ASCII digits with an optional minus sign only; anything else, or a number out
    of range, is one field error. An empty value is left to Optional or InputRequired.
    """

    def __init__(self, label=None, validators=None, minimum: int = 0, maximum: int = MAX_INT,
                 message: str | None = None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.minimum, self.maximum = max(minimum, -MAX_INT), min(maximum, MAX_INT)
        self.message = message or f"Enter a whole number between {self.minimum} and {self.maximum}."

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = valuelist[0].strip() if isinstance(valuelist[0], str) else ""
        self.data = None
        if text == "":
            # Blanks are no number: InputRequired (which reads raw_data) must see the field as empty.
            self.raw_data = [""]
            return
        # The length limit comes before int(): a long string is refused without being converted.
        if not _SIGNED.fullmatch(text) or not self.minimum <= int(text) <= self.maximum:
            raise ValueError(self.message)
        self.data = int(text)

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()  # one message, never a range check on a value that did not parse
        if self.data is not None and not self.minimum <= self.data <= self.maximum:
            raise StopValidation(self.message)  # set in code (obj=, default=), not typed


class VersionField(BoundedIntegerField):
    """The hidden edit marker of a form; a damaged one is said above the form, where the user sees it."""

    widget = HiddenInput()
    DAMAGED = ("This form's edit marker is damaged, so the portal cannot tell whether someone saved in between. "
               "Your input is below, not saved; reload the page and save again.")

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("message", self.DAMAGED)
        super().__init__(label, validators, **kwargs)

    def post_validate(self, form, validation_stopped):
        if self.errors and self.DAMAGED not in form.form_errors:
            form.form_errors.append(self.DAMAGED)


class BoundedIntegerConverter(IntegerConverter):
    """`<int:…>` URL parts above MAX_INT do not match, so a huge id is a plain 404."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_INT, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
