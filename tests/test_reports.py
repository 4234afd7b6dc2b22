import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from evaluation.documents.verification import new_verification_code
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


@pytest.fixture
def programme_history(lai_chau):
    """Seven certificates of Lai Châu, by hand:

    - 2020, Thành phố Lai Châu: E, 3★, expired on 02/03/2023.
    - 2023, Tam Đường (district council): A, B, C, 3★ each, valid to 12/10/2026;
      B revoked on 02/05/2024.
    - 2026, the province: F 3★ and G 4★, registered by Xã Bình Lư after the districts
      went; and A2, 4★, the re-evaluation of A's product, replacing A.
    """
    from evaluation.models import Certificate
    from registry.models import Commune, Registration
    from tests.factories import LAI_CHAU_CITY

    binh_lu = Commune.objects.get(name="Xã Bình Lư", is_current=True)
    _r, (expired,) = make_decision(
        1,
        number="12/QĐ-UBND",
        district_code=LAI_CHAU_CITY,
        decision_date=date(2020, 3, 2),
        year=2020,
    )
    _r, (a, b, c) = make_decision(3, decision_date=date(2023, 10, 12))
    Certificate.objects.filter(pk=b.pk).update(
        status=CertificateStatus.REVOKED, revoked_on=date(2024, 5, 2)
    )
    _r, (f, g) = make_decision(
        2,
        number="55/QĐ-UBND",
        rulebook_code="26-2026",
        level=TierLevel.PROVINCE,
        decision_date=date(2026, 7, 1),
        year=2026,
    )
    Registration.objects.filter(certificates__in=[f, g]).update(
        district=None, commune=binh_lu
    )
    again = Registration.objects.create(
        product=a.product,
        year=2026,
        kind=a.registration.kind,
        province=lai_chau,
        commune=binh_lu,
    )
    a2 = Certificate.objects.get(pk=a.pk)
    a2.pk = None
    a2.verification_code = new_verification_code()
    a2.number = "0003/2026/OCOP-12"
    a2.registration = again
    a2.stars = 4
    a2.decision_number = "55/QĐ-UBND"
    a2.issued_on = a2.decision_date = date(2026, 7, 1)
    a2.expires_on = date(2029, 7, 1)
    a2.follows = a
    a2.save()
    return {"E": expired, "A": a, "B": b, "C": c, "F": f, "G": g, "A2": a2}


def sheet_rows(sheet):
    return list(sheet.iter_rows(min_row=4, values_only=True))


def test_products_report_counts_each_product_once_by_its_certificate_in_force(
    programme_history, lai_chau
):
    data = products_report_data(lai_chau, date(2026, 9, 1))

    book = workbook(products_report_xlsx(data))

    # In force on 01/09/2026: C (3★, Tam Đường), F (3★), G and A2 (4★, Bình Lư).
    # Not E (expired), B (revoked), A (replaced by A2).
    assert book["Huyện"]["A1"].value == (
        "Sản phẩm OCOP có giấy chứng nhận còn hiệu lực ngày 01/09/2026: Tỉnh Lai Châu"
    )
    assert book["Huyện"]["A2"].value.startswith(
        "Mỗi sản phẩm tính một lần, theo giấy chứng nhận cấp gần nhất đến ngày đó; "
        "không tính giấy đã hết hạn, đã thu hồi hoặc đã được thay bằng giấy mới."
    )
    assert sheet_rows(book["Huyện"]) == [
        ("Huyện Tam Đường", 1, 0, 0, 1),
        ("Xã Bình Lư (xã từ 01/07/2025)", 1, 2, 0, 3),
        ("Tổng cộng", 2, 2, 0, 4),
    ]
    assert sheet_rows(book["Loại hình chủ thể"]) == [
        ("Hợp tác xã", 2, 2, 0, 4),
        ("Tổng cộng", 2, 2, 0, 4),
    ]
    assert sheet_rows(book["Nhóm sản phẩm"]) == [
        ("Thực phẩm tươi sống", 2, 2, 0, 4),
        ("Tổng cộng", 2, 2, 0, 4),
    ]
    assert book["Năm"]["A3"].value == "Năm cấp giấy chứng nhận"
    assert sheet_rows(book["Năm"]) == [
        ("2023", 1, 0, 0, 1),
        ("2026", 1, 2, 0, 3),
        ("Tổng cộng", 2, 2, 0, 4),
    ]


def test_products_report_on_a_later_day_leaves_out_what_expired_by_then(
    programme_history, lai_chau
):
    # C expired on 12/10/2026; on 01/12/2026 only F, G and A2 are in force.
    data = products_report_data(lai_chau, date(2026, 12, 1))

    book = workbook(products_report_xlsx(data))

    assert sheet_rows(book["Huyện"]) == [
        ("Xã Bình Lư (xã từ 01/07/2025)", 1, 2, 0, 3),
        ("Tổng cộng", 1, 2, 0, 3),
    ]


def test_products_report_before_the_re_evaluation_counts_the_first_certificate(
    programme_history, lai_chau
):
    # On 01/06/2024: A and C (3★, Tam Đường); B revoked a month before; E expired.
    data = products_report_data(lai_chau, date(2024, 6, 1))

    book = workbook(products_report_xlsx(data))

    assert sheet_rows(book["Huyện"]) == [
        ("Huyện Tam Đường", 2, 0, 0, 2),
        ("Tổng cộng", 2, 0, 0, 2),
    ]


def test_certificates_report_says_each_certificates_state_on_the_day(
    programme_history, lai_chau
):
    history = programme_history
    data = certificates_report_data(lai_chau, date(2026, 9, 1), days=60)

    book = workbook(certificates_report_xlsx(data))

    issued, soon, withdrawn = (book[name] for name in book.sheetnames)
    assert issued["A1"].value == "Giấy chứng nhận OCOP đã cấp đến ngày 01/09/2026"
    assert [(row[1], row[4], row[10]) for row in sheet_rows(issued)[:-1]] == [
        (history["E"].number, "Thành phố Lai Châu", "Hết hiệu lực"),
        (history["A"].number, "Huyện Tam Đường", "Đã thay bằng giấy mới"),
        (history["B"].number, "Huyện Tam Đường", "Đã thu hồi"),
        (history["C"].number, "Huyện Tam Đường", "Còn hiệu lực"),
        (history["F"].number, "Xã Bình Lư (xã từ 01/07/2025)", "Còn hiệu lực"),
        (history["G"].number, "Xã Bình Lư (xã từ 01/07/2025)", "Còn hiệu lực"),
        ("0003/2026/OCOP-12", "Xã Bình Lư (xã từ 01/07/2025)", "Còn hiệu lực"),
    ]
    assert sheet_rows(issued)[-1][1] == "Tổng số: 7"
    # A also expires on 12/10/2026, but A2 replaced it: only C needs re-evaluating.
    assert soon["A1"].value == (
        "Giấy chứng nhận hết hạn trong 60 ngày tới (tính từ 01/09/2026)"
    )
    assert [row[1] for row in sheet_rows(soon)] == [history["C"].number, "Tổng số: 1"]
    assert [row[1] for row in sheet_rows(withdrawn)] == [
        history["B"].number,
        "Tổng số: 1",
    ]


def test_certificates_report_before_the_revocation_does_not_list_it(
    programme_history, lai_chau
):
    data = certificates_report_data(lai_chau, date(2024, 4, 1))

    book = workbook(certificates_report_xlsx(data))

    issued, _soon, withdrawn = (book[name] for name in book.sheetnames)
    assert [row[10] for row in sheet_rows(issued)[:-1]] == [
        "Hết hiệu lực",
        "Còn hiệu lực",
        "Còn hiệu lực",
        "Còn hiệu lực",
    ]
    assert [row[1] for row in sheet_rows(withdrawn)] == ["Tổng số: 0"]


# -- text stays text: a name typed like a formula is never one in Excel ------------

FORMULA_LIKE = ("=1+1", "-Mật ong", '=HYPERLINK("http://evil","Bấm vào đây")')


def cells_holding(sheet, values):
    """``{value: cell}`` for each cell of the sheet whose value is one of them."""
    return {
        cell.value: cell
        for row in sheet.iter_rows()
        for cell in row
        if cell.value in values
    }


def test_registration_list_export_keeps_formula_like_names_as_text(
    imported_2023, tmp_path
):
    from registry.importer import preview_file
    from registry.models import Registration
    from tests.factories import RegistrationFactory

    first = Registration.objects.filter(year=2023).order_by("pk").first()
    for name in FORMULA_LIKE:
        RegistrationFactory(
            product__name=name,
            product__producer=first.product.producer,
            year=2023,
            kind=first.kind,
            district=first.district,
            commune=first.commune,
            previous_year=first.previous_year,
        )
    exported = tmp_path / "export.xlsx"
    exported.write_bytes(
        registration_list_xlsx(registration_list_data(imported_2023, 2023))
    )

    cells = cells_holding(load_workbook(exported).active, FORMULA_LIKE)
    plan = preview_file(exported, imported_2023, year=2023)

    types = {value: cell.data_type for value, cell in cells.items()}
    assert types == dict.fromkeys(FORMULA_LIKE, "s")
    assert plan.counts() == {
        "producers": {"created": 0, "updated": 0, "unchanged": 57},
        "products": {"created": 0, "updated": 0, "unchanged": 108},
        "registrations": {"created": 0, "updated": 0, "unchanged": 108},
    }


def test_decision_annex_keeps_formula_like_names_as_text():
    from evaluation.documents.data import DecisionData, DecisionRow
    from evaluation.reports import decision_annex_xlsx

    data = DecisionData(
        number="=2150/QĐ-UBND",
        date=date(2023, 6, 28),
        authority="Ủy ban nhân dân thành phố Lai Châu",
        place="Lai Châu",
        signer_title="Chủ tịch",
        signer_name="",
        round_name="Đợt 1",
        rulebook="148/QĐ-TTg",
        rows=(
            DecisionRow(
                product=FORMULA_LIKE[2],
                producer=FORMULA_LIKE[0],
                district=FORMULA_LIKE[1],
                score=Decimal("68.33"),
                stars=3,
                certificate_number="0001/2023/OCOP-12",
            ),
        ),
    )

    sheet = workbook(decision_annex_xlsx(data)).active

    row = next(sheet.iter_rows(min_row=4, max_row=4))
    assert [(cell.value, cell.data_type) for cell in row[1:5]] == [
        (FORMULA_LIKE[2], "s"),
        (FORMULA_LIKE[0], "s"),
        (FORMULA_LIKE[1], "s"),
        (68.33, "n"),
    ]
    assert (sheet["A1"].value, sheet["A1"].data_type) == (
        "Danh sách sản phẩm đạt sao OCOP (kèm theo Quyết định số =2150/QĐ-UBND)",
        "s",
    )


def test_certificates_report_keeps_formula_like_names_as_text(lai_chau):
    from evaluation.models import Certificate

    _round, (certificate,) = make_decision(1, decision_date=date(2023, 10, 12))
    Certificate.objects.filter(pk=certificate.pk).update(
        product_name=FORMULA_LIKE[2], producer_name=FORMULA_LIKE[0]
    )
    data = certificates_report_data(lai_chau, date(2024, 1, 1))

    issued = workbook(certificates_report_xlsx(data))["Đã cấp"]

    row = next(issued.iter_rows(min_row=4, max_row=4))
    assert [(cell.value, cell.data_type) for cell in row[2:4]] == [
        (FORMULA_LIKE[2], "s"),
        (FORMULA_LIKE[0], "s"),
    ]


def test_products_report_keeps_a_formula_like_group_as_text(lai_chau):
    from registry.models import ProductSet

    make_decision(1, decision_date=date(2023, 10, 12))
    ProductSet.objects.update(group_name=FORMULA_LIKE[0])

    book = workbook(
        products_report_xlsx(products_report_data(lai_chau, date(2024, 1, 1)))
    )

    cell = book["Nhóm sản phẩm"]["A4"]
    assert (cell.value, cell.data_type) == (FORMULA_LIKE[0], "s")
