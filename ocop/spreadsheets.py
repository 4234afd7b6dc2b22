"""Formatting a clerk would keep: bold header, borders, widths, frozen header, totals.

Every cell is written through ``put``: text is stored as text, so a product named
``=HYPERLINK(…)`` is never a formula when a clerk opens the workbook in Excel, and
reads back exactly as it was typed.

openpyxl is imported inside the functions: importing this module loads nothing.
"""

import io

THIN = "thin"
HEADER_FILL = "E2EFDA"


def new_workbook():
    from openpyxl import Workbook

    workbook = Workbook()
    return workbook, workbook.active


def to_bytes(workbook):
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def put(sheet, row, column, value):
    """Write ``value`` into a cell and return the cell; text stays text, never a
    formula (openpyxl takes any text starting with ``=`` for one)."""
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def write_table(
    sheet, *, title, headers, rows, widths, totals=None, start_row=1, note=None
):
    """Title, header and rows from ``start_row``; returns the next free row.

    ``note`` (what the table counts) goes in italics between the title and the
    header. ``totals`` is a row of values written in bold under the table. Numbers
    stay numbers so that the clerk can sum and filter; text stays text (``put``).
    """
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    side = Side(style=THIN)
    border = Border(left=side, right=side, top=side, bottom=side)
    last_column = len(headers)

    put(sheet, start_row, 1, str(title)).font = Font(bold=True, size=13)
    sheet.merge_cells(
        start_row=start_row, start_column=1, end_row=start_row, end_column=last_column
    )
    sheet.cell(row=start_row, column=1).alignment = Alignment(horizontal="center")

    if note:
        put(sheet, start_row + 1, 1, str(note)).font = Font(italic=True)
        sheet.merge_cells(
            start_row=start_row + 1,
            start_column=1,
            end_row=start_row + 1,
            end_column=last_column,
        )
        sheet.cell(row=start_row + 1, column=1).alignment = Alignment(wrap_text=True)
        sheet.row_dimensions[start_row + 1].height = 30

    header_row = start_row + 2
    for column, header in enumerate(headers, start=1):
        cell = put(sheet, header_row, column, str(header))
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.alignment = Alignment(
            horizontal="center", vertical="center", wrap_text=True
        )
        cell.border = border

    row_number = header_row
    for row in rows:
        row_number += 1
        for column, value in enumerate(row, start=1):
            cell = put(sheet, row_number, column, value)
            cell.border = border
            cell.alignment = Alignment(vertical="top", wrap_text=True)

    if totals is not None:
        row_number += 1
        for column, value in enumerate(totals, start=1):
            cell = put(sheet, row_number, column, value)
            cell.font = Font(bold=True)
            cell.border = border

    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    if start_row == 1:
        sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
        sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    return row_number + 1
