"""The import of the province's registration spreadsheet: reading, planning, writing."""

import shutil
import zipfile

import pytest
from django.db import IntegrityError
from django.utils import translation
from openpyxl import load_workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.utils import range_boundaries

from registry.enums import ProducerKind, RegistrationKind
from registry.importer import ImportRefused, preview_file
from registry.importer.committer import commit_plan
from registry.importer.planner import names_agree
from registry.importer.reader import read_workbook
from registry.models import Commune, Producer, Product, Registration

from .conftest import REGISTRATION_XLSX
from .import_helpers import (
    HEADER_ROW_INDEX,
    map_text,
    nfd,
    sheet_rows,
    spaced,
    write_workbook,
)

SHEET = "Danh sach OCOP 2023"

# What the 2023 list holds, district by district (section A + B + C rows).
REGISTRATIONS_BY_DISTRICT = {
    "Thành phố Lai Châu": 23 + 16,
    "Huyện Tam Đường": 11 + 1,
    "Huyện Tân Uyên": 2,
    "Huyện Than Uyên": 8 + 8,
    "Huyện Mường Tè": 6 + 3,
    "Huyện Nậm Nhùn": 8 + 1 + 1,
    "Huyện Sìn Hồ": 4 + 5,
    "Huyện Phong Thổ": 3 + 5,
}


def _by_district(preview):
    return {entry["name"]: entry["registrations"] for entry in preview["districts"]}


def _producer_names(plan):
    return sorted(item.values["name"] for item in plan.producers)


def _messages(preview, level="warning"):
    return [
        (issue["row"], issue["message"])
        for issue in preview["issues"]
        if issue["level"] == level
    ]


def test_import_preview_of_the_shared_file_finds_the_plan(lai_chau):
    preview = preview_file(REGISTRATION_XLSX, lai_chau).preview()

    assert preview["year"] == 2023
    assert preview["year_source"] == "title"
    assert preview["sheet"] == SHEET
    assert preview["header_row"] == 4
    assert preview["counts"]["registrations"] == {
        "created": 105,
        "updated": 0,
        "unchanged": 0,
    }
    assert preview["registrations_by_kind"] == {
        "new": 65,
        "re_evaluation": 39,
        "upgrade": 1,
    }
    assert preview["distinct_producers"] == 57
    assert preview["counts"]["producers"]["created"] == 57
    assert preview["counts"]["products"]["created"] == 105
    assert _by_district(preview) == REGISTRATIONS_BY_DISTRICT
    assert preview["errors"] == 0


def test_import_preview_writes_nothing(lai_chau):
    preview_file(REGISTRATION_XLSX, lai_chau)

    assert Producer.objects.count() == 0
    assert Registration.objects.count() == 0


def test_import_subtotals_of_the_shared_file_disagree_only_on_the_city(lai_chau):
    # Counted by hand: Thành phố Lai Châu's section A rows list 2 cooperatives (the
    # branch of HTX Đăng Giang, HTX Vương Hà) and 8 household businesses, while its
    # subtotal says 3 HTX and 7 households; section A's total repeats the mismatch.
    preview = preview_file(REGISTRATION_XLSX, lai_chau).preview()

    subtotal_warnings = [
        (row, message)
        for row, message in _messages(preview)
        if message.startswith("Dòng tổng")
    ]
    assert subtotal_warnings == [
        (5, "Dòng tổng của «A» ghi 13 hợp tác xã nhưng các dòng bên dưới có 12."),
        (5, "Dòng tổng của «A» ghi 17 hộ kinh doanh nhưng các dòng bên dưới có 18."),
        (
            6,
            "Dòng tổng của «Thành phố Lai Châu» ghi 3 hợp tác xã nhưng các dòng bên "
            "dưới có 2.",
        ),
        (
            6,
            "Dòng tổng của «Thành phố Lai Châu» ghi 7 hộ kinh doanh nhưng các dòng "
            "bên dưới có 8.",
        ),
    ]


def test_import_subtotal_wrong_counts_are_reported_with_their_row(lai_chau, tmp_path):
    rows = sheet_rows()
    # Row 30: "II. Huyện Tam Đường: 11 sản phẩm của 7 chủ thể (2 Doanh nghiệp, …)"
    rows[29][0] = (
        "II. Huyện Tam Đường: 12 sản phẩm của 6 chủ thể (3 Doanh nghiệp, 1 HTX, "
        "2 hộ kinh doanh, 2 tổ hợp tác)"
    )
    path = write_workbook(tmp_path / "wrong.xlsx", rows)

    preview = preview_file(path, lai_chau).preview()

    at_row_30 = [message for row, message in _messages(preview) if row == 30]
    assert at_row_30 == [
        "Dòng tổng của «Huyện Tam Đường» ghi 12 sản phẩm nhưng các dòng bên dưới "
        "có 11.",
        "Dòng tổng của «Huyện Tam Đường» ghi 6 chủ thể nhưng các dòng bên dưới có 7.",
        "Dòng tổng của «Huyện Tam Đường» ghi 3 doanh nghiệp nhưng các dòng bên dưới "
        "có 2.",
    ]


def test_import_commit_writes_producers_products_and_registrations(lai_chau):
    plan = preview_file(REGISTRATION_XLSX, lai_chau)

    counts = commit_plan(plan)

    assert counts["registrations"]["created"] == 105
    assert Producer.objects.filter(province=lai_chau).count() == 57
    assert Product.objects.count() == 105
    assert Registration.objects.filter(year=2023, province=lai_chau).count() == 105
    kinds = {
        kind: Registration.objects.filter(kind=kind).count()
        for kind in RegistrationKind.values
    }
    assert kinds == {"new": 65, "re_evaluation": 39, "upgrade": 1}
    assert Registration.objects.values("district").distinct().count() == 8


def test_import_commit_names_households_after_their_representative(lai_chau):
    commit_plan(preview_file(REGISTRATION_XLSX, lai_chau))

    producer = Producer.objects.get(phone="0900000004")

    assert producer.name == "Hộ kinh doanh Nguyễn Thị Dung"
    assert producer.kind == ProducerKind.HOUSEHOLD
    assert producer.representative == "Nguyễn Thị Dung"


def test_import_in_english_writes_the_same_vietnamese_data(lai_chau):
    with translation.override("en"):
        commit_plan(preview_file(REGISTRATION_XLSX, lai_chau))

    producer = Producer.objects.get(phone="0900000004")

    assert (producer.name, producer.kind) == (
        "Hộ kinh doanh Nguyễn Thị Dung",
        ProducerKind.HOUSEHOLD,
    )
    assert Producer.objects.filter(kind=ProducerKind.OTHER).count() == 0


def test_import_commit_tells_apart_producers_with_one_representative(lai_chau):
    commit_plan(preview_file(REGISTRATION_XLSX, lai_chau))

    lan = Producer.objects.filter(representative="Đỗ Thị Lan").order_by("phone")

    assert [(p.phone, p.kind) for p in lan] == [
        ("0900000008", ProducerKind.HOUSEHOLD),
        ("0900000032", ProducerKind.COOPERATIVE),
        ("0900000056", ProducerKind.ENTERPRISE),
    ]


def _small_sheet(tmp_path, products):
    """A sheet in the province's layout, one district, with ``products`` rows of
    (product, producer, representative, address, phone)."""
    rows = sheet_rows()[: HEADER_ROW_INDEX + 1]
    rows.append(["A", "Danh sách sản phẩm đăng ký mới", None, None, None, None])
    rows.append(["I. Huyện Tam Đường", None, None, None, None, None])
    rows.extend([number, *row] for number, row in enumerate(products, 1))
    return write_workbook(tmp_path / "small.xlsx", rows)


def _producers_of(plan):
    return sorted(
        (item.values["name"], item.values["phone"], len(item.rows))
        for item in plan.producers
    )


def test_import_one_phone_of_a_household_and_a_company_is_two_producers(
    lai_chau, tmp_path
):
    path = _small_sheet(
        tmp_path,
        [
            ["Mật ong", "Hộ kinh doanh", "Lò Văn Tư", "Bản Nà Tăm", "0912345678"],
            ["Trà shan", "Công ty TNHH Tư Lò", "Lò Văn Tư", "Bản Nà Tăm", "0912345678"],
        ],
    )

    plan = preview_file(path, lai_chau)

    assert _producers_of(plan) == [
        ("Công ty TNHH Tư Lò", "0912345678", 1),
        ("Hộ kinh doanh Lò Văn Tư", "0912345678", 1),
    ]
    assert (
        8,
        "Chủ thể «Công ty TNHH Tư Lò» có cùng số điện thoại 0912345678 với «Hộ kinh "
        "doanh Lò Văn Tư» nhưng khác tên hoặc loại hình: ghi là hai chủ thể; hãy "
        "kiểm tra số điện thoại.",
    ) in _messages(plan.preview())


def test_import_a_phone_typed_on_another_company_row_moves_no_product(
    lai_chau, tmp_path
):
    commit_plan(preview_file(REGISTRATION_XLSX, lai_chau))
    rows = sheet_rows()
    assert rows[7][2] == "Công ty TNHH Năm Mai Vàng"
    rows[7][5] = rows[6][5]  # Trường Giang's phone typed on Năm Mai Vàng's row
    path = write_workbook(tmp_path / "typo.xlsx", rows)

    plan = preview_file(path, lai_chau)
    preview = plan.preview()
    commit_plan(plan)

    assert preview["counts"]["products"] == {
        "created": 0,
        "updated": 0,
        "unchanged": 105,
    }
    assert (
        8,
        "Chủ thể «Công ty TNHH Năm Mai Vàng» có cùng số điện thoại 0900000001 với "
        "«Công ty TNHH MTV Trường Giang Lai Châu» nhưng khác tên hoặc loại hình: ghi "
        "là hai chủ thể; hãy kiểm tra số điện thoại.",
    ) in _messages(preview)
    assert Product.objects.count() == 105
    assert (
        Product.objects.filter(producer__name="Công ty TNHH Năm Mai Vàng").count() == 4
    )


def test_import_says_which_registrations_of_the_year_the_file_leaves_out(
    lai_chau, tmp_path
):
    commit_plan(preview_file(REGISTRATION_XLSX, lai_chau))
    rows = sheet_rows()
    assert rows[6][1] == "Tinh dầu Mắc Ca"
    del rows[6]
    path = write_workbook(tmp_path / "shorter.xlsx", rows)

    preview = preview_file(path, lai_chau).preview()

    assert preview["not_in_file"] == 1
    assert (
        None,
        "Đăng ký năm 2023 của sản phẩm «Tinh dầu Mắc Ca» (Công ty TNHH MTV Trường "
        "Giang Lai Châu) đã có trong hệ thống nhưng không có trong tệp này; vẫn giữ "
        "nguyên.",
    ) in _messages(preview)
    assert Registration.objects.filter(year=2023).count() == 105


def test_import_one_phone_under_two_spellings_is_one_producer_and_says_so(
    lai_chau, tmp_path
):
    path = _small_sheet(
        tmp_path,
        [
            ["Chè Tả Lèng", "HTX Chè Tả Lèng", "Vàng A Sử", "Xã Tả Lèng", "0912000111"],
            ["Chè búp", "Hợp tác xã chè Tả Lèng", "Vàng A Sử", "", "0912000111"],
        ],
    )

    plan = preview_file(path, lai_chau)

    assert _producers_of(plan) == [("HTX Chè Tả Lèng", "0912000111", 2)]
    assert (
        8,
        "Chủ thể «Hợp tác xã chè Tả Lèng» có cùng số điện thoại 0912000111 với «HTX "
        "Chè Tả Lèng» ở dòng 7: coi là một chủ thể, giữ tên «HTX Chè Tả Lèng».",
    ) in _messages(plan.preview())


def test_import_one_cooperative_name_without_phone_is_one_producer(lai_chau, tmp_path):
    path = _small_sheet(
        tmp_path,
        [
            ["Gạo tẻ", "HTX Nông nghiệp Bản Giang", "Lò Thị Hoa", "Xã Bản Giang", ""],
            ["Gạo nếp", "HTX nông nghiệp Bản Giang", "Tao Văn Pọm", "", ""],
        ],
    )

    plan = preview_file(path, lai_chau)

    assert _producers_of(plan) == [("HTX Nông nghiệp Bản Giang", "", 2)]


def test_import_two_households_of_one_name_and_two_phones_are_two_producers(
    lai_chau, tmp_path
):
    path = _small_sheet(
        tmp_path,
        [
            ["Mật ong", "Hộ kinh doanh", "Lò Văn Tư", "Xã Bản Bo", "0912345678"],
            ["Thịt sấy", "Hộ kinh doanh", "Lò Văn Tư", "Xã Sơn Bình", "0987654321"],
        ],
    )

    plan = preview_file(path, lai_chau)

    assert _producers_of(plan) == [
        ("Hộ kinh doanh Lò Văn Tư", "0912345678", 1),
        ("Hộ kinh doanh Lò Văn Tư", "0987654321", 1),
    ]


def test_import_does_not_update_a_registered_producer_of_another_kind_by_phone(
    lai_chau, tmp_path
):
    registered = Producer.objects.create(
        province=lai_chau,
        name="Hộ kinh doanh Lò Văn Tư",
        kind=ProducerKind.HOUSEHOLD,
        representative="Lò Văn Tư",
        phone="0912345678",
    )
    path = _small_sheet(
        tmp_path,
        [["Trà shan", "Công ty TNHH Tư Lò", "Lò Văn Tư", "Xã Bản Bo", "0912345678"]],
    )

    commit_plan(preview_file(path, lai_chau))

    registered.refresh_from_db()
    assert registered.name == "Hộ kinh doanh Lò Văn Tư"
    assert list(
        Producer.objects.filter(phone="0912345678")
        .order_by("pk")
        .values_list("name", "kind")
    ) == [
        ("Hộ kinh doanh Lò Văn Tư", ProducerKind.HOUSEHOLD),
        ("Công ty TNHH Tư Lò", ProducerKind.ENTERPRISE),
    ]


def test_import_commit_reads_producer_kinds_from_names(lai_chau):
    commit_plan(preview_file(REGISTRATION_XLSX, lai_chau))

    branch = Producer.objects.get(phone="0900000007")
    group = Producer.objects.get(phone="0900000021")

    assert (branch.name, branch.kind, branch.is_branch) == (
        "Chi nhánh HTX Đăng Giang",
        ProducerKind.COOPERATIVE,
        True,
    )
    assert (group.kind, group.is_branch) == (ProducerKind.COOPERATIVE_GROUP, False)
    assert Producer.objects.filter(kind=ProducerKind.OTHER).count() == 0


def test_import_commit_keeps_one_producer_across_sections(lai_chau):
    commit_plan(preview_file(REGISTRATION_XLSX, lai_chau))

    producer = Producer.objects.get(phone="0900000032")
    registrations = Registration.objects.filter(product__producer=producer)

    assert sorted(registrations.values_list("kind", flat=True)) == [
        RegistrationKind.NEW,
        RegistrationKind.UPGRADE,
    ]
    upgrade = registrations.get(kind=RegistrationKind.UPGRADE)
    assert (upgrade.product.name, upgrade.previous_year, upgrade.source_row) == (
        "Mật ong nơi thượng nguồn Sông Đà",
        2021,
        128,
    )
    assert upgrade.previous_stars is None


def test_import_commit_records_the_year_a_re_evaluated_product_was_starred(lai_chau):
    commit_plan(preview_file(REGISTRATION_XLSX, lai_chau))

    years = set(
        Registration.objects.filter(kind=RegistrationKind.RE_EVALUATION).values_list(
            "previous_year", flat=True
        )
    )
    new_years = set(
        Registration.objects.filter(kind=RegistrationKind.NEW).values_list(
            "previous_year", flat=True
        )
    )

    assert years == {2020}
    assert new_years == {None}


def test_import_commit_takes_details_split_over_a_producers_rows(lai_chau):
    commit_plan(preview_file(REGISTRATION_XLSX, lai_chau))

    producer = Producer.objects.get(phone="0900000022")

    assert producer.name == "Hợp tác xã Mường Than"
    assert producer.address == "Bản Cẩm Trung 1, xã Mường Than"
    assert producer.commune.name == "Xã Mường Than"
    assert producer.products.count() == 2


def test_import_commit_finds_the_commune_in_the_address(lai_chau):
    commit_plan(preview_file(REGISTRATION_XLSX, lai_chau))

    communes = dict(
        Producer.objects.filter(
            phone__in=["0900000001", "0900000020", "0900000037", "0900000056"]
        ).values_list("phone", "commune__name")
    )

    assert communes == {
        "0900000001": "Phường Đoàn Kết",
        "0900000020": "Xã Mường Khoa",
        "0900000037": "Thị trấn Sìn Hồ",
        "0900000056": "Phường Tân Phong",
    }


def test_import_registration_commune_only_within_the_registering_district(lai_chau):
    commit_plan(preview_file(REGISTRATION_XLSX, lai_chau))

    # The seed company of Tây Bắc sits in Lai Châu city but registers in Phong Thổ.
    elsewhere = Registration.objects.get(product__name="Gạo tẻ râu Phong Thổ")
    at_home = Registration.objects.get(product__name="Tinh dầu Mắc Ca")

    assert elsewhere.district.name == "Huyện Phong Thổ"
    assert elsewhere.commune is None
    assert at_home.commune == Commune.objects.get(
        name="Phường Đoàn Kết", is_current=False
    )


def test_import_warns_about_an_address_without_a_known_commune(lai_chau):
    preview = preview_file(REGISTRATION_XLSX, lai_chau).preview()

    assert (
        111,
        "Không tìm thấy xã, phường, thị trấn nào trong địa chỉ «Bản Bum Nura, xã "
        "Bum Nura» của chủ thể «HTX Thắng Tuế».",
    ) in _messages(preview)


def test_import_of_the_same_file_again_changes_nothing(lai_chau):
    commit_plan(preview_file(REGISTRATION_XLSX, lai_chau))
    before = list(Producer.objects.values_list("id", "updated_at").order_by("id"))

    plan = preview_file(REGISTRATION_XLSX, lai_chau)
    commit_plan(plan)

    assert plan.counts() == {
        "producers": {"created": 0, "updated": 0, "unchanged": 57},
        "products": {"created": 0, "updated": 0, "unchanged": 105},
        "registrations": {"created": 0, "updated": 0, "unchanged": 105},
    }
    assert list(Producer.objects.values_list("id", "updated_at").order_by("id")) == (
        before
    )
    assert Registration.objects.count() == 105


def test_import_updates_a_producer_edited_since(lai_chau):
    commit_plan(preview_file(REGISTRATION_XLSX, lai_chau))
    producer = Producer.objects.get(phone="0900000001")
    producer.representative = "Người khác"
    producer.save()

    plan = preview_file(REGISTRATION_XLSX, lai_chau)
    commit_plan(plan)

    assert plan.counts()["producers"] == {"created": 0, "updated": 1, "unchanged": 56}
    producer.refresh_from_db()
    assert producer.representative == "Lù Văn An"


def test_import_year_can_be_overridden(lai_chau):
    plan = preview_file(REGISTRATION_XLSX, lai_chau, year=2024)
    commit_plan(plan)

    assert plan.year_source == "override"
    assert Registration.objects.filter(year=2024).count() == 105


def test_import_failure_midway_leaves_the_database_as_it_was(lai_chau):
    plan = preview_file(REGISTRATION_XLSX, lai_chau)
    # Someone registers one of the products between preview and commit: the
    # registrations' insert fails after producers and products were written.
    producer = Producer.objects.create(
        province=lai_chau, name="Công ty TNHH MTV Trường Giang Lai Châu"
    )
    product = Product.objects.create(producer=producer, name="Tinh dầu Mắc Ca")
    Registration.objects.create(
        product=product, year=2023, kind=RegistrationKind.NEW, province=lai_chau
    )
    for item in plan.registrations:
        if item.product.name == "Tinh dầu Mắc Ca":
            item.product.id = product.id
    plan.products = [p for p in plan.products if p.name != "Tinh dầu Mắc Ca"]
    for item in plan.products:
        item.id = None

    with pytest.raises(IntegrityError):
        commit_plan(plan)

    assert Producer.objects.count() == 1
    assert Product.objects.count() == 1
    assert Registration.objects.count() == 1


# Messy variants of the real file ---------------------------------------------------


def _same_as_real(lai_chau, path):
    real = preview_file(REGISTRATION_XLSX, lai_chau)
    plan = preview_file(path, lai_chau)
    preview = plan.preview()
    assert preview["registrations_by_kind"] == {
        "new": 65,
        "re_evaluation": 39,
        "upgrade": 1,
    }
    assert preview["distinct_producers"] == 57
    assert _by_district(preview) == REGISTRATIONS_BY_DISTRICT
    assert _producer_names(plan) == _producer_names(real)
    assert sorted(item.values["phone"] for item in plan.producers) == sorted(
        item.values["phone"] for item in real.producers
    )
    return preview


def test_import_reads_phones_typed_as_numbers(lai_chau, tmp_path):
    rows = sheet_rows()
    for row in rows[HEADER_ROW_INDEX + 1 :]:
        if isinstance(row[5], str) and row[5].isdigit():
            row[5] = int(row[5])
    path = write_workbook(tmp_path / "numbers.xlsx", rows)

    _same_as_real(lai_chau, path)


def test_import_reads_phones_with_spaces_and_dots(lai_chau, tmp_path):
    rows = sheet_rows()
    for row in rows[HEADER_ROW_INDEX + 1 :]:
        if isinstance(row[5], str) and row[5].isdigit():
            row[5] = f"{row[5][:4]}.{row[5][4:7]} {row[5][7:]}"
    path = write_workbook(tmp_path / "dots.xlsx", rows)

    _same_as_real(lai_chau, path)


def test_import_reads_decomposed_unicode(lai_chau, tmp_path):
    path = write_workbook(tmp_path / "nfd.xlsx", map_text(sheet_rows(), nfd))

    preview = _same_as_real(lai_chau, path)

    assert preview["year"] == 2023


def test_import_reads_stray_spaces(lai_chau, tmp_path):
    path = write_workbook(tmp_path / "spaces.xlsx", map_text(sheet_rows(), spaced))

    _same_as_real(lai_chau, path)


def test_import_finds_a_moved_header_in_another_column_order(lai_chau, tmp_path):
    order = [5, 4, 0, 3, 2, 1]
    rows = [[None, None] + [row[i] for i in order] for row in sheet_rows()]
    rows = [["Ghi chú của văn phòng"]] * 3 + rows
    path = write_workbook(tmp_path / "moved.xlsx", rows)

    plan = preview_file(path, lai_chau)

    assert plan.header_row == 7
    _same_as_real(lai_chau, path)


def test_import_skips_repeated_headers_and_blank_rows(lai_chau, tmp_path):
    rows = sheet_rows()
    header = rows[HEADER_ROW_INDEX]
    messy = []
    for index, row in enumerate(rows):
        messy.append(row)
        if index > HEADER_ROW_INDEX and index % 20 == 0:
            messy.append(list(header))
        if index > HEADER_ROW_INDEX and index % 7 == 0:
            messy.append([None] * 6)
    path = write_workbook(tmp_path / "repeated.xlsx", messy)

    preview = _same_as_real(lai_chau, path)

    assert preview["errors"] == 0


def test_import_picks_the_sheet_with_the_header_and_warns_of_others(lai_chau, tmp_path):
    path = write_workbook(
        tmp_path / "sheets.xlsx",
        sheet_rows(),
        before=[("Ghi chu", [["Danh sách gửi Sở Nông nghiệp"], ["Người lập: …"]])],
    )

    preview = _same_as_real(lai_chau, path)

    assert preview["sheet"] == "Danh sach"
    assert {
        "level": "warning",
        "sheet": "Ghi chu",
        "row": None,
        "message": "Trang tính không có dòng tiêu đề của danh sách; bỏ qua.",
    } in preview["issues"]


def test_import_without_a_year_in_the_title_asks_for_one(lai_chau, tmp_path):
    rows = sheet_rows()
    rows[0][0] = "DANH SÁCH SẢN PHẨM ĐĂNG KÝ THAM GIA CHƯƠNG TRÌNH OCOP"
    path = write_workbook(tmp_path / "no-year.xlsx", rows)

    with pytest.raises(ImportRefused) as refused:
        preview_file(path, lai_chau)
    plan = preview_file(path, lai_chau, year=2023)

    assert refused.value.message == (
        "Không tìm thấy năm chương trình trong tiêu đề (ví dụ «NĂM 2023»). Hãy ghi "
        "năm vào ô «Năm chương trình» khi tải tệp lên."
    )
    assert plan.year == 2023


def test_import_row_without_a_producer_is_an_error(lai_chau, tmp_path):
    rows = sheet_rows()
    rows.insert(6, [1, "Sản phẩm lạc", None, None, None, None])
    path = write_workbook(tmp_path / "orphan.xlsx", rows)

    preview = preview_file(path, lai_chau).preview()

    assert _messages(preview, "error") == [
        (
            7,
            "Không có tên chủ thể, và không có chủ thể ở dòng trên; bỏ qua sản phẩm "
            "«Sản phẩm lạc».",
        )
    ]


def _merged_ranges(path=REGISTRATION_XLSX):
    workbook = load_workbook(path)
    ranges = [str(cells) for cells in workbook.worksheets[0].merged_cells.ranges]
    workbook.close()
    return ranges


def _add_merged_ranges(path, ranges):
    """Merge ``ranges`` in the sheet's XML without touching the cells, as a file
    written by another program can keep text in a merged range's hidden cells."""
    member = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    merges = "".join(f'<mergeCell ref="{ref}"/>' for ref in ranges)
    parts[member] = parts[member].replace(
        b"</sheetData>",
        f'</sheetData><mergeCells count="{len(ranges)}">{merges}</mergeCells>'.encode(),
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def test_import_reads_hidden_cells_of_a_merged_range_as_blank(lai_chau, tmp_path):
    ranges = _merged_ranges()
    rows = sheet_rows()
    for cells in ranges:
        (left, top, right, bottom) = range_boundaries(cells)
        for row in range(top, bottom + 1):
            for column in range(left, right + 1):
                if (row, column) != (top, left):
                    rows[row - 1][column - 1] = "Ô ẩn còn chữ cũ"
    path = write_workbook(tmp_path / "hidden.xlsx", rows)
    _add_merged_ranges(path, ranges)

    preview = _same_as_real(lai_chau, path)

    assert preview["errors"] == 0


def test_import_reads_numbers_typed_in_cells_as_whole_numbers(lai_chau, tmp_path):
    rows = sheet_rows()
    rows[6][5] = 12345
    path = write_workbook(tmp_path / "numbers.xlsx", rows)

    content = read_workbook(path)
    preview = preview_file(path, lai_chau).preview()

    assert [row.number for row in content.rows[2:5]] == ["1", "2", "3"]
    assert (7, "Số điện thoại «12345» không đúng dạng (10 chữ số).") in _messages(
        preview
    )


def test_import_warns_of_a_phone_without_any_digit(lai_chau, tmp_path):
    rows = sheet_rows()
    rows[6][5] = "abc"
    rows[7][5] = "Không có"
    path = write_workbook(tmp_path / "phones.xlsx", rows)

    messages = _messages(preview_file(path, lai_chau).preview())

    assert (
        7,
        "Số điện thoại «abc» không có chữ số nào: bỏ qua, chủ thể được ghi không "
        "có số điện thoại.",
    ) in messages
    assert not [text for row, text in messages if row == 8 and "điện thoại" in text]


def test_import_reads_an_xlsx_whatever_its_file_name(lai_chau, tmp_path):
    path = tmp_path / "danh-sach.xls"
    shutil.copy(REGISTRATION_XLSX, path)

    preview = preview_file(path, lai_chau).preview()

    assert preview["counts"]["registrations"]["created"] == 105


def test_import_skips_a_chart_sheet(lai_chau, tmp_path):
    path = write_workbook(tmp_path / "chart.xlsx", sheet_rows())
    workbook = load_workbook(path)
    chart = BarChart()
    chart.add_data(Reference(workbook.worksheets[0], min_col=1, min_row=7, max_row=9))
    workbook.create_chartsheet("Biểu đồ", 0).add_chart(chart)
    workbook.save(path)

    preview = _same_as_real(lai_chau, path)

    assert [issue for issue in preview["issues"] if issue["sheet"] == "Biểu đồ"] == []


def test_import_writes_the_search_fields_the_models_compute(lai_chau, tmp_path):
    path = write_workbook(tmp_path / "nfd.xlsx", map_text(sheet_rows(), nfd))
    commit_plan(preview_file(path, lai_chau))

    for producer in Producer.objects.all():
        stored = (producer.name_key, producer.search_text, producer.phone)
        producer.refresh_search_fields()
        assert stored == (producer.name_key, producer.search_text, producer.phone)
    for product in Product.objects.all():
        stored = (product.name_key, product.search_text)
        product.refresh_search_fields()
        assert stored == (product.name_key, product.search_text)


@pytest.mark.parametrize(
    ("name", "other", "agree"),
    [
        ("HTX Bản Giang", "Hợp tác xã nông nghiệp Bản Giang", True),
        ("Công ty TNHH MTV Trường Giang", "Cty Trường Giang", True),
        ("Hộ kinh doanh Lò Văn Tư", "HKD Lò Văn Tư", True),
        ("Công ty TNHH Năm Mai Vàng", "Công ty TNHH MTV Trường Giang", False),
        ("HTX Đăng Giang", "HTX Chè Tả Lèng", False),
    ],
)
def test_import_names_agree_once_their_legal_forms_are_set_aside(name, other, agree):
    assert names_agree(name, other) is agree


def test_import_names_twenty_registrations_the_file_leaves_out_then_counts(
    lai_chau,
):
    from tests.factories import RegistrationFactory

    for number in range(25):
        RegistrationFactory(year=2023, product__name=f"Sản phẩm cũ {number:02}")

    preview = preview_file(REGISTRATION_XLSX, lai_chau).preview()
    left_out = [
        message
        for row, message in _messages(preview)
        if "không có trong tệp" in message
    ]

    assert preview["not_in_file"] == 25
    assert len(left_out) == 21
    assert left_out[-1] == (
        "Và 5 đăng ký khác của năm 2023 đã có trong hệ thống nhưng không có trong tệp "
        "này."
    )
