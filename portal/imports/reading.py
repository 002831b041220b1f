"""Reading an uploaded CSV or Excel file into a header row and value rows, with bounded work."""
import csv
import io
from pathlib import Path

from portal.errors import InvalidInput

MAX_ROWS = 50_000
MAX_COLUMNS = 60
EXTENSIONS = {".csv": "CSV", ".xlsx": "Excel"}
ZIP_MAGIC = b"PK\x03\x04"


def check_file(filename: str, data: bytes) -> str:
    """The file's kind ("csv" or "xlsx"), or InvalidInput saying what is wrong with it."""
    suffix = Path(filename or "").suffix.lower()
    if suffix not in EXTENSIONS:
        raise InvalidInput({"file": "Upload a .csv or .xlsx file (Excel: save as \"Excel Workbook\")."})
    if not data:
        raise InvalidInput({"file": "The file is empty."})
    if suffix == ".xlsx" and not data.startswith(ZIP_MAGIC):
        raise InvalidInput({"file": "This is not an Excel workbook (.xlsx), although its name ends in .xlsx."})
    return suffix[1:]


def _csv_text(data: bytes) -> str:
    # Excel on Windows saves CSV in the ANSI code page unless asked for UTF-8: accept both.
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _trim(rows):
    """Rows cut to MAX_COLUMNS, blank rows skipped, at most MAX_ROWS; (line number, values) pairs."""
    count = 0
    for number, row in rows:
        values = list(row[:MAX_COLUMNS])
        if not any(v not in (None, "") and str(v).strip() for v in values):
            continue
        count += 1
        if count > MAX_ROWS:
            raise InvalidInput({"file": f"The file has more than {MAX_ROWS:,} rows; split it into smaller files."})
        yield number, values


def read_table(filename: str, data: bytes) -> tuple[list[str], list[tuple[int, list]]]:
    """(headers, [(row number as the spreadsheet shows it, values)]) from the first sheet or the CSV."""
    kind = check_file(filename, data)
    if kind == "csv":
        text = _csv_text(data)
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        rows = list(_trim(enumerate(csv.reader(io.StringIO(text), dialect), start=1)))
    else:
        rows = _xlsx_rows(data)
    if not rows:
        raise InvalidInput({"file": "The file has no rows."})
    (_, header), body = rows[0], rows[1:]
    headers = [str(h).strip() if h is not None else "" for h in header]
    if not any(headers):
        raise InvalidInput({"file": "The first row should name the columns; it is empty."})
    if not body:
        raise InvalidInput({"file": "The file has a header row but no data rows."})
    return headers, body


def _xlsx_rows(data: bytes) -> list:
    from openpyxl import load_workbook
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            return list(_trim(enumerate(sheet.iter_rows(values_only=True), start=1)))
        finally:
            book.close()
    except InvalidInput:
        raise
    except Exception as exc:  # an uploaded file can break the parser in any number of ways: say so, never a 500
        raise InvalidInput({"file": "This Excel file could not be read; save it again as an Excel Workbook "
                                    "(.xlsx) and upload that."}) from exc
