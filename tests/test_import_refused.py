"""Files the import refuses, each with a message in Vietnamese and nothing written."""

import shutil
import zipfile

import pytest

from registry.importer import ImportRefused, preview_file
from registry.models import Producer, Registration

from .conftest import REGISTRATION_XLSX
from .import_helpers import HEADER_ROW_INDEX, sheet_rows, write_workbook

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _refusal(path, province):
    with pytest.raises(ImportRefused) as refused:
        preview_file(path, province)
    assert Producer.objects.count() == 0
    assert Registration.objects.count() == 0
    return refused.value


def test_import_refuses_a_legacy_xls(lai_chau, tmp_path):
    path = tmp_path / "danh-sach.xls"
    path.write_bytes(OLE2 + b"\x00" * 504 + "Workbook".encode("utf-16-le"))

    refusal = _refusal(path, lai_chau)

    assert refusal.message.startswith("Đây là tệp Excel cũ (.xls).")


def test_import_refuses_an_encrypted_workbook(lai_chau, tmp_path):
    # A password-protected .xlsx is an OLE2 container with an EncryptionInfo stream.
    path = tmp_path / "mat-khau.xlsx"
    path.write_bytes(
        OLE2
        + b"\x00" * 504
        + "EncryptionInfo".encode("utf-16-le")
        + "EncryptedPackage".encode("utf-16-le")
    )

    refusal = _refusal(path, lai_chau)

    assert refusal.message.startswith("Tệp được đặt mật khẩu.")


def test_import_refuses_a_csv(lai_chau, tmp_path):
    path = tmp_path / "danh-sach.xlsx"
    path.write_text("TT,Tên sản phẩm,Tên chủ thể\n1,Mật ong,HTX A\n", encoding="utf-8")

    refusal = _refusal(path, lai_chau)

    assert refusal.message.startswith("Tệp này không phải bảng tính Excel (.xlsx)")


def test_import_refuses_a_renamed_image(lai_chau, tmp_path):
    path = tmp_path / "anh.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)

    refusal = _refusal(path, lai_chau)

    assert refusal.message == (
        "Tệp này là một tệp ảnh, không phải bảng tính Excel (.xlsx)."
    )


def test_import_refuses_a_truncated_workbook(lai_chau, tmp_path):
    path = tmp_path / "hong.xlsx"
    path.write_bytes(REGISTRATION_XLSX.read_bytes()[:4000])

    refusal = _refusal(path, lai_chau)

    assert refusal.message.startswith("Tệp .xlsx bị hỏng, không đọc được.")


def test_import_refuses_a_zip_that_is_no_workbook(lai_chau, tmp_path):
    path = tmp_path / "nen.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "không phải bảng tính")

    refusal = _refusal(path, lai_chau)

    assert refusal.message.startswith("Tệp .xlsx bị hỏng, không đọc được.")


def test_import_refuses_a_sheet_without_header(lai_chau, tmp_path):
    rows = [row for index, row in enumerate(sheet_rows()) if index != HEADER_ROW_INDEX]
    path = write_workbook(tmp_path / "no-header.xlsx", rows)

    refusal = _refusal(path, lai_chau)

    assert refusal.message == (
        "Không tìm thấy dòng tiêu đề của danh sách trong 30 dòng đầu (cần các cột: "
        "Tên sản phẩm, Tên chủ thể sản xuất, Đại diện, Địa chỉ cơ sở sản xuất, "
        "Số điện thoại)."
    )


def test_import_refuses_missing_columns(lai_chau, tmp_path):
    rows = [row[:4] for row in sheet_rows()]
    path = write_workbook(tmp_path / "columns.xlsx", rows)

    refusal = _refusal(path, lai_chau)

    assert refusal.message == (
        "Dòng tiêu đề thiếu cột: Địa chỉ cơ sở sản xuất, Số điện thoại."
    )
    assert (refusal.sheet, refusal.row) == ("Danh sach", 4)


def test_import_refuses_an_empty_sheet(lai_chau, tmp_path):
    path = write_workbook(tmp_path / "empty.xlsx", [])

    refusal = _refusal(path, lai_chau)

    assert refusal.message == "Bảng tính trống, không có dữ liệu."


def test_import_refuses_a_header_without_products(lai_chau, tmp_path):
    path = write_workbook(tmp_path / "header-only.xlsx", sheet_rows()[:5])

    refusal = _refusal(path, lai_chau)

    assert refusal.message == "Danh sách không có dòng sản phẩm nào dưới dòng tiêu đề."


def test_import_refuses_a_file_over_the_size_limit(lai_chau, tmp_path, settings):
    settings.OCOP_IMPORT_MAX_BYTES = 1024 * 1024
    path = tmp_path / "big.xlsx"
    shutil.copy(REGISTRATION_XLSX, path)
    with path.open("ab") as handle:
        handle.write(b"\x00" * (1024 * 1024))

    refusal = _refusal(path, lai_chau)

    assert refusal.message.startswith("Tệp quá lớn (1.0 MB); giới hạn là 1.0 MB.")


def test_import_refuses_a_workbook_with_a_broken_sheet(lai_chau, tmp_path):
    path = tmp_path / "xml-hong.xlsx"
    with zipfile.ZipFile(REGISTRATION_XLSX) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = sheet[: len(sheet) // 2]
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)

    refusal = _refusal(path, lai_chau)

    assert refusal.message.startswith("Tệp .xlsx bị hỏng, không đọc được.")
