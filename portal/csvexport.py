"""Formula-safe CSV, streamed a line at a time; every export in the portal goes through it."""
import csv
import io
from decimal import Decimal

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A CSV cell a spreadsheet will not run: text starting = + - @ tab or CR gets a ' prefix; numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


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
