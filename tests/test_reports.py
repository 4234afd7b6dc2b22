import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from evaluation.enums import CertificateStatus, TierLevel
from evaluation.reports import (
    certificates_report_data,
    certificates_report_xlsx,
    products_report_data,
    products_report_xlsx,
)
from registry.reports import registration_list_data, registration_list_xlsx
from tests.conftest import REGISTRATION_XLSX
from tests.document_builders import make_decision

pytestmark = pytest.mark.django_db


def workbook(content):
    return load_workbook(io.BytesIO(content))


@pytest.fixture
def imported_2023(lai_chau):
    from registry.importer import preview_file
    from registry.importer.committer import commit_plan

    commit_plan(preview_file(REGISTRATION_XLSX, lai_chau, year=2023))
    return lai_chau


def test_registration_list_export_imports_back_unchanged(imported_2023, tmp_path):
    from registry.importer import preview_file

    exported = tmp_path / "export.xlsx"
    exported.write_bytes(
        registration_list_xlsx(registration_list_data(imported_2023, 2023))
    )

    plan = preview_file(exported, imported_2023, year=2023)

    assert plan.counts() == {
        "producers": {"created": 0, "updated": 0, "unchanged": 57},
        "products": {"created": 0, "updated": 0, "unchanged": 105},
        "registrations": {"created": 0, "updated": 0, "unchanged": 105},
    }
    assert not [issue for issue in plan.issues if "Dòng tổng" in issue.message]


def test_registration_list_export_has_the_provinces_layout(imported_2023):
    content = registration_list_xlsx(registration_list_data(imported_2023, 2023))

    sheet = workbook(content).active

    rows = list(sheet.iter_rows(min_row=1, max_row=9, values_only=True))
    assert rows[0][0] == (
        "DANH SÁCH SẢN PHẨM ĐĂNG KÝ THAM GIA THỰC HIỆN CHƯƠNG TRÌNH OCOP NĂM 2023"
    )
    assert rows[1][0] == "(Kèm theo Kế hoạch của UBND tỉnh Lai Châu)"
    assert rows[3] == (
        "TT",
        "Tên sản phẩm/huyện",
        "Tên chủ thể sản xuất",
        "Đại diện",
        "Địa chỉ cơ sở sản xuất",
        "Số điện thoại",
    )
    assert rows[4][:2] == (
        "A",
        "Danh sách sản phẩm đăng ký tham gia Chương trình OCOP năm 2023: 65 sản phẩm "
        "của 40 chủ thể (7 Doanh nghiệp, 12 HTX, 18 hộ kinh doanh, 3 tổ hợp tác)",
    )
    assert rows[5][0] == (
        "I. Thành phố Lai Châu: 23 sản phẩm của 12 chủ thể (2 Doanh nghiệp, 2 HTX, "
        "8 hộ kinh doanh)"
    )
    assert rows[7] == (
        2,
        "Đông trùng hạ thảo tươi",
        "Công ty TNHH Năm Mai Vàng",
        "Nguyễn Thị Bình",
        "Tổ 2, phường Đoàn Kết",
        "0900000002",
    )
    merged = {str(cell_range) for cell_range in sheet.merged_cells.ranges}
    assert {"C8:C11", "D8:D11", "E8:E11", "F8:F11", "A6:F6", "B5:F5"} <= merged
    assert sheet.freeze_panes == "A5"
    assert sheet["A4"].font.b is True
    assert sheet["B7"].border.left.style == "thin"


def test_products_report_counts_certified_products_four_ways(lai_chau):
    make_decision(
        3,
        rulebook_code="26-2026",
        level=TierLevel.PROVINCE,
        decision_date=date(2026, 7, 1),
        year=2026,
    )

    book = workbook(products_report_xlsx(products_report_data(lai_chau)))

    assert book.sheetnames == ["Huyện", "Loại hình chủ thể", "Nhóm sản phẩm", "Năm"]
    by_district = list(book["Huyện"].iter_rows(min_row=3, values_only=True))
    assert by_district == [
        ("Huyện", "3 sao", "4 sao", "5 sao", "Tổng số"),
        ("Huyện Tam Đường", 2, 1, 0, 3),
        ("Tổng cộng", 2, 1, 0, 3),
    ]
    assert list(book["Loại hình chủ thể"].iter_rows(min_row=4, values_only=True)) == [
        ("Hợp tác xã", 2, 1, 0, 3),
        ("Tổng cộng", 2, 1, 0, 3),
    ]
    assert list(book["Nhóm sản phẩm"].iter_rows(min_row=4, values_only=True))[0] == (
        "Thực phẩm tươi sống",
        2,
        1,
        0,
        3,
    )
    assert list(book["Năm"].iter_rows(min_row=4, values_only=True))[0] == (
        "2026",
        2,
        1,
        0,
        3,
    )
    assert book["Huyện"].freeze_panes == "A4"
    assert book["Huyện"]["A5"].font.b is True


def test_certificates_report_lists_issued_expiring_and_revoked(lai_chau):
    today = date(2026, 6, 1)
    _round, (expiring, lasting, revoked) = make_decision(
        3, decision_date=date(2023, 10, 12)
    )
    lasting.expires_on = today + timedelta(days=181)
    lasting.save(update_fields=["expires_on"])
    revoked.status = CertificateStatus.REVOKED
    revoked.revoked_on = date(2024, 5, 2)
    revoked.save(update_fields=["status", "revoked_on"])

    book = workbook(certificates_report_xlsx(certificates_report_data(lai_chau, today)))

    issued, soon, withdrawn = (book[name] for name in book.sheetnames)
    assert book.sheetnames == ["Đã cấp", "Sắp hết hạn", "Đã thu hồi"]
    assert [row[1] for row in issued.iter_rows(min_row=4, values_only=True)] == [
        "0001/2023/OCOP-12",
        "0002/2023/OCOP-12",
        "0003/2023/OCOP-12",
        "Tổng số: 3",
    ]
    assert [row[1] for row in soon.iter_rows(min_row=4, values_only=True)] == [
        expiring.number,
        "Tổng số: 1",
    ]
    assert soon["A1"].value == (
        "Giấy chứng nhận hết hạn trong 180 ngày tới (tính từ 01/06/2026)"
    )
    assert [row[1] for row in withdrawn.iter_rows(min_row=4, values_only=True)] == [
        revoked.number,
        "Tổng số: 1",
    ]
    first = next(issued.iter_rows(min_row=4, max_row=4))
    assert first[8].value.date() == date(2023, 10, 12)
    assert first[8].number_format == "DD/MM/YYYY"
    assert first[10].value == "Còn hiệu lực"
