"""Formula-safe CSV, streamed a line at a time; every export in the portal goes through `csv_response`."""
import csv
import io
import re
from decimal import Decimal
from urllib.parse import quote

from flask import Response, stream_with_context

from portal.db import own_connection

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


def attachment(filename: str) -> str:
    """A Content-Disposition value for `filename`: plain ASCII for old clients, UTF-8 for the rest."""
    plain = "".join(c for c in filename if c.isascii() and c.isprintable() and c not in '"\\') or "download"
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"


def csv_response(filename: str, header, rows) -> Response:
    """A CSV download streamed row by row: `rows()` builds its query and yields row sequences.

    `rows` is called only once the body is read, on the body's own connection, so the query
    runs (and its cursor lives) inside the stream. The request context is kept for the body,
    so `rows` may read `current_user`.
    """
    def lines():
        with own_connection():  # the request's connection is closed by the time the body is read
            yield from csv_stream(header, rows())

    response = Response(stream_with_context(lines()), mimetype="text/csv")
    response.headers["Content-Disposition"] = attachment(filename)
    return response
