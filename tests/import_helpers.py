"""Spreadsheets for import tests: an .xlsx (typed cells) or a CSV from a header and rows."""
import csv
import io

from openpyxl import Workbook


def xlsx_bytes(header, rows) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Data")
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(header, rows, encoding="utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)
