"""Reading exports back: CSV rows, and Excel workbooks opened with openpyxl (values and cell types)."""
import csv
import io

from openpyxl import load_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))


def xlsx_sheet(data: bytes):
    """The first sheet of a workbook (fully loaded, so cell types can be read)."""
    book = load_workbook(io.BytesIO(data))
    return book.worksheets[0]


def xlsx_rows(data: bytes) -> list[list]:
    return [list(row) for row in xlsx_sheet(data).iter_rows(values_only=True)]


def xlsx_records(data: bytes) -> list[dict]:
    """Rows as {header: value}."""
    rows = xlsx_rows(data)
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def csv_records(data: bytes) -> list[dict]:
    rows = csv_rows(data)
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
