"""Building registration sheets for import tests from the province's real file."""

import unicodedata

from openpyxl import Workbook, load_workbook

from .conftest import REGISTRATION_XLSX


def sheet_rows(path=REGISTRATION_XLSX):
    """The real file's rows as values; merged cells read as ``None`` below their
    anchor, as a sheet whose producer cells were left blank."""
    workbook = load_workbook(path, read_only=True)
    rows = [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    workbook.close()
    return rows


HEADER_ROW_INDEX = 3  # zero-based: row 4 of the sheet


def write_workbook(path, rows, *, title="Danh sach", before=()):
    """Write ``rows`` to a new .xlsx; ``before`` are (title, rows) sheets put first."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet_title, sheet_rows_ in before:
        worksheet = workbook.create_sheet(sheet_title)
        for row in sheet_rows_:
            worksheet.append(row)
    worksheet = workbook.create_sheet(title)
    for row in rows:
        worksheet.append(row)
    workbook.save(path)
    return path


def map_text(rows, function):
    return [
        [function(value) if isinstance(value, str) else value for value in row]
        for row in rows
    ]


def nfd(value):
    return unicodedata.normalize("NFD", value)


def spaced(value):
    return "  " + value.replace(" ", "   ") + " "
