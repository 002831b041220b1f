"""Formula-safe CSV, streamed a line at a time; every export in the portal goes through it."""
import csv
import io
import re
from decimal import Decimal

FORMULA_START = ("=", "+", "-", "@")
LINE_START = ("\t", "\r", "\n")
# A plain number as text ("-5", "12.50"): a spreadsheet reads it as a number, never as a formula.
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def safe_cell(value):
    """A CSV cell a spreadsheet will not run; numbers, and text that is only a number, stay numbers.

    Text gets a ' prefix when it starts with = + - @, tab, CR or LF, or with
    spaces before = + - @: spreadsheets skip leading blanks and may run what follows.
    """
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return value
    text = str(value)
    if _PLAIN_NUMBER.fullmatch(text):
        return text
    if text.startswith(LINE_START) or text.lstrip()[:1] in FORMULA_START:
        return "'" + text
    return text


def csv_stream(header, rows):
    """`header` then each row of `rows` (an iterable of sequences) as CSV text, one line at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush():
        line = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return line

    writer.writerow(header)
    yield flush()
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
        yield flush()
