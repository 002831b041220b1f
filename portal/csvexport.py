"""Exports: formula-safe CSV streamed a line at a time, and Excel workbooks with typed cells in bounded memory.

Every export in the portal goes through `csv_response`, `xlsx_response` or `export_response`, which picks one.
"""
import csv
import datetime
import io
import re
import tempfile
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


XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_FORMATS = ("csv", "xlsx")
# Route part for a list's two downloads: `/export.<any(csv, xlsx):fmt>`.
EXPORT_PATH = "export.<any(csv, xlsx):fmt>"
CHUNK = 64 * 1024


def xlsx_cells(sheet, row):
    """Write-only cells for one row: numbers stay numbers, dates dates, text always text (never a formula)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    cells = []
    for value in row:
        if isinstance(value, bool):
            value = "yes" if value else "no"
        if value is None or isinstance(value, (int, float, Decimal, datetime.date)):
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, datetime.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, datetime.date):
                cell.number_format = "yyyy-mm-dd"
        else:
            cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", str(value))[:32767])
            cell.data_type = "s"  # text that starts with = stays text: Excel does not run it
        cells.append(cell)
    return cells


def xlsx_stream(header, rows, title: str = "Export"):
    """The workbook's bytes in chunks: rows go to a temporary file as they come (openpyxl's write-only
    mode), so memory stays flat however long the list; the file is sent once complete."""
    from openpyxl import Workbook
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31] or "Export")
    sheet.freeze_panes = "A2"
    sheet.append(xlsx_cells(sheet, header))
    for row in rows:
        sheet.append(xlsx_cells(sheet, row))
    with tempfile.TemporaryFile() as spool:
        book.save(spool)
        spool.seek(0)
        while chunk := spool.read(CHUNK):
            yield chunk


def xlsx_response(filename: str, header, rows, title: str = "Export") -> Response:
    """An Excel download: `rows()` runs once the body is read, on its own connection (as for CSV)."""
    def chunks():
        with own_connection():
            yield from xlsx_stream(header, rows(), title)

    response = Response(stream_with_context(chunks()), mimetype=XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = attachment(filename)
    return response


def export_response(fmt: str, name: str, header, rows) -> Response:
    """The list as `name`.csv or `name`.xlsx, as `fmt` (from the URL's `export.<fmt>`) says."""
    if fmt == "xlsx":
        return xlsx_response(f"{name}.xlsx", header, rows, title=name)
    return csv_response(f"{name}.csv", header, rows)
