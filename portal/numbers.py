"""Whole numbers from URLs and forms: ASCII digits only, bounded so every database can compare them."""
import re

from werkzeug.routing import IntegerConverter
from wtforms.validators import NumberRange

# SQLite stores 64-bit integers and raises on anything larger; 2**53 - 1 also
# survives a round trip through JavaScript, so ids never need more.
MAX_INT = 2**53 - 1
_DIGITS = re.compile(r"[0-9]{1,16}")


def parse_int(text) -> int:
    """`text` as a non-negative int of ASCII digits up to MAX_INT; ValueError otherwise (usable as `type=`)."""
    # str.isdigit() and int() accept "²" or Arabic-Indic digits; only 0-9 are ids.
    if not isinstance(text, str) or not _DIGITS.fullmatch(text) or int(text) > MAX_INT:
        raise ValueError(f"not a whole number from 0 to {MAX_INT}")
    return int(text)


def in_range(minimum: int = 0, message: str | None = None) -> NumberRange:
    """A WTForms validator keeping an integer field within what the database can store."""
    return NumberRange(min=minimum, max=MAX_INT, message=message)


class BoundedIntegerConverter(IntegerConverter):
    """`<int:…>` URL parts above MAX_INT do not match, so a huge id is a plain 404."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_INT, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
