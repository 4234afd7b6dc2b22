"""A formula cell whose value the file does not keep (a workbook written by a program,
not saved by Excel) reads blank: the import says so at its sheet row and column."""

import zipfile

from openpyxl import Workbook

from registry.importer import preview_file
from registry.importer.reader import FORMULA_WARNINGS_PER_COLUMN, read_workbook

from .import_helpers import sheet_rows

SHEET = "Danh sach OCOP 2023"
HYPERLINK = '=HYPERLINK("http://x","Nguyễn Văn A")'
REPRESENTATIVE = 3  # column D, «Đại diện»


def workbook_with(path, cells):
    """The province's list as openpyxl writes it, with ``cells`` ({(row, column):
    value}, the sheet's row from 1 and column from 0) put in; openpyxl keeps a
    formula's text and no value."""
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = SHEET
    for number, row in enumerate(sheet_rows(), start=1):
        worksheet.append(
            [cells.get((number, column), value) for column, value in enumerate(row)]
        )
    workbook.save(path)
    return path


def warnings(path, lai_chau):
    preview = preview_file(path, lai_chau).preview()
    return [
        (issue["sheet"], issue["row"], issue["message"])
        for issue in preview["issues"]
        if issue["level"] == "warning" and "công thức" in issue["message"]
    ]


def said(cell, column, formula):
    return (
        f"Ô {cell} (cột «{column}») chứa công thức «{formula}» mà tệp không lưu giá "
        "trị, nên được đọc là ô trống. Hãy mở tệp bằng Excel và lưu lại để có giá trị "
        "của công thức, hoặc thay công thức bằng giá trị của nó."
    )


def test_formula_without_a_value_is_said_at_its_row_and_column(lai_chau, tmp_path):
    path = workbook_with(tmp_path / "cong-thuc.xlsx", {(8, REPRESENTATIVE): HYPERLINK})

    content = read_workbook(path)

    assert warnings(path, lai_chau) == [(SHEET, 8, said("D8", "Đại diện", HYPERLINK))]
    row = next(item for item in content.rows if item.row == 8)
    assert (row.product, row.representative) == ("Đông trùng hạ thảo tươi", "")


def test_formulas_in_several_columns_are_each_said(lai_chau, tmp_path):
    path = workbook_with(
        tmp_path / "cong-thuc.xlsx",
        {(7, 0): "=ROW()-6", (7, 5): '="0900"&"000001"', (9, 1): '=B8&" sấy"'},
    )

    assert warnings(path, lai_chau) == [
        (SHEET, 7, said("A7", "TT", "=ROW()-6")),
        (SHEET, 7, said("F7", "Số điện thoại", '="0900"&"000001"')),
        (SHEET, 9, said("B9", "Tên sản phẩm/huyện", '=B8&" sấy"')),
    ]


def test_formula_outside_the_list_columns_is_not_said(lai_chau, tmp_path):
    # Column G is none of the list's: nothing is read from it.
    path = workbook_with(tmp_path / "cong-thuc.xlsx", {(8, 6): "=1+1"})

    assert warnings(path, lai_chau) == []


def test_formula_whose_value_the_file_keeps_reads_that_value(lai_chau, tmp_path):
    # As Excel saves it: the formula, and its value beside it.
    path = workbook_with(tmp_path / "cong-thuc.xlsx", {(8, REPRESENTATIVE): HYPERLINK})
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    member = "xl/worksheets/sheet1.xml"
    cell = '<c r="D8"><f>HYPERLINK("http://x","Nguyễn Văn A")</f><v /></c>'
    assert cell.encode() in parts[member]
    parts[member] = parts[member].replace(
        cell.encode(),
        '<c r="D8" t="str"><f>HYPERLINK("http://x","Nguyễn Văn A")</f>'
        "<v>Nguyễn Văn A</v></c>".encode(),
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)

    content = read_workbook(path)

    assert warnings(path, lai_chau) == []
    row = next(item for item in content.rows if item.row == 8)
    assert row.representative == "Nguyễn Văn A"


def test_a_column_of_formulas_is_said_for_its_first_cells_then_at_once(
    lai_chau, tmp_path
):
    rows = sheet_rows()
    numbered = [n for n, row in enumerate(rows, start=1) if isinstance(row[0], int)]
    path = workbook_with(
        tmp_path / "cong-thuc.xlsx", {(n, 0): f"=ROW()-{n - 1}" for n in numbered}
    )

    found = warnings(path, lai_chau)

    first = numbered[:FORMULA_WARNINGS_PER_COLUMN]
    rest = numbered[FORMULA_WARNINGS_PER_COLUMN:]
    assert found[:-1] == [
        (SHEET, n, said(f"A{n}", "TT", f"=ROW()-{n - 1}")) for n in first
    ]
    assert found[-1] == (
        SHEET,
        rest[0],
        f"Và {len(rest)} ô khác của cột «TT», từ dòng {rest[0]} đến dòng "
        f"{rest[-1]}, cũng chứa công thức mà tệp không lưu giá trị, nên được đọc là "
        "ô trống.",
    )
