"""Loading the 26 official sheets, finding their faults, and recording corrections."""

import pytest
from django.core.exceptions import ValidationError

from evaluation.models import Criterion, Option, ScoringSheet
from evaluation.sheets import (
    EDITION_2026,
    correct_sheet,
    latest_sheet,
    load_scoring_sheets,
    sheet_spec,
)
from ocop.models import AuditEntry
from registry.enums import Role
from registry.models import ProductSet
from tests.factories import UserFactory


@pytest.fixture
def loaded(lai_chau):
    return load_scoring_sheets()


@pytest.fixture
def some(lai_chau):
    """The sheets the single-sheet tests look at (loading all 26 takes seconds)."""
    return load_scoring_sheets(numbers={1, 4, 7, 11, 21, 22, 26})


@pytest.fixture
def admin(lai_chau):
    return UserFactory(username="quantri.sheets", role=Role.ADMINISTRATOR)


def sheet_of(number):
    return latest_sheet(ProductSet.objects.get(number=number), EDITION_2026)


def problems_of(number):
    return [(p["criterion"], p["message"]) for p in sheet_of(number).problems]


def test_load_scoring_sheets_stores_all_26_sets_and_flags_22(loaded):
    assert loaded["created"] == list(range(1, 27))
    assert loaded["invalid"] == list(range(1, 23))
    assert ScoringSheet.objects.count() == 26
    assert list(
        ScoringSheet.objects.filter(is_valid=True)
        .order_by("product_set__number")
        .values_list("product_set__number", flat=True)
    ) == [23, 24, 25, 26]


def test_load_scoring_sheets_keeps_nesting_and_choose_one(some):
    tea = sheet_of(11)
    tourism = sheet_of(26)

    assert Criterion.objects.get(sheet=tea, code="6.1.1").depth == 2
    assert Criterion.objects.get(sheet=tea, code="6.1.1").parent.code == "6.1"
    assert list(
        Criterion.objects.filter(sheet=tourism, choose_one=True)
        .order_by("order")
        .values_list("code", flat=True)
    ) == ["8", "9", "15"]


def test_load_scoring_sheets_keeps_blank_points_as_printed(some):
    blank = Option.objects.get(
        criterion__sheet=sheet_of(4),
        criterion__code="1.2",
        text="Không được cấp giấy chứng nhận chất lượng",
    )

    assert blank.points is None


def test_load_scoring_sheets_reads_knock_out_notes(some):
    criterion = Criterion.objects.get(sheet=sheet_of(7), code="1.1")

    assert criterion.knock_out == (
        "Ghi chú: Bị loại nếu sử dụng toàn bộ nguyên liệu nhập khẩu hoặc không rõ "
        "nguồn gốc"
    )


def test_sheet_of_set_4_adds_up_to_110_and_says_where(some):
    assert problems_of(4) == [
        ("1.2", "Phương án “Không được cấp giấy chứng nhận chất lượng” để trống điểm."),
        ("2", "Điểm tối đa in là 10 nhưng phương án cao nhất cho 9."),
        ("2.4", "Tiêu chí không có phương án nào để chọn."),
        ("2.4", "Điểm tối đa in là 1 nhưng phương án cao nhất cho 0."),
        ("7", "Điểm tối đa in là 3 nhưng phương án cao nhất cho 13."),
        ("", "Phần A cộng được 39 điểm, phải là 40."),
        ("", "Phần C cộng được 45 điểm, phải là 35."),
    ]


def test_sheet_of_set_11_adds_up_to_109_and_says_where(some):
    problems = problems_of(11)

    assert ("6.1.1", "Điểm tối đa in là 2 nhưng phương án cao nhất cho 11.") in problems
    assert ("", "Phần C cộng được 44 điểm, phải là 35.") in problems


def test_bilingual_label_criterion_without_options_fails_in_sets_21_and_22(some):
    assert problems_of(21)[1] == ("2.3", "Tiêu chí không có phương án nào để chọn.")
    assert problems_of(22)[1] == ("2.3", "Tiêu chí không có phương án nào để chọn.")


def test_loading_the_same_file_again_changes_nothing(loaded):
    again = load_scoring_sheets()

    assert again["created"] == []
    assert again["unchanged"] == list(range(1, 27))
    assert ScoringSheet.objects.count() == 26


def test_correct_sheet_records_a_new_version_with_who_and_why(some, admin):
    printed = sheet_of(4)

    corrected = correct_sheet(
        printed,
        admin,
        "Nhóm 7 in 13 điểm, vượt tối đa 3.",
        [{"criterion": "7", "option": 3, "points": 3}],
    )

    assert (corrected.version, corrected.supersedes, corrected.corrected_by) == (
        2,
        printed,
        admin,
    )
    assert corrected.correction_reason == "Nhóm 7 in 13 điểm, vượt tối đa 3."
    assert list(
        Option.objects.filter(criterion__sheet=corrected, criterion__code="7")
        .order_by("order")
        .values_list("points", flat=True)
    ) == [0, 1, 3]
    assert ("", "Phần C cộng được 45 điểm, phải là 35.") not in [
        (p["criterion"], p["message"]) for p in corrected.problems
    ]
    assert list(
        Option.objects.filter(criterion__sheet=printed, criterion__code="7")
        .order_by("order")
        .values_list("points", flat=True)
    ) == [0, 1, 13]
    entry = AuditEntry.objects.get(action="evaluation.sheet.corrected")
    assert (entry.actor, entry.from_state, entry.to_state) == (admin, "v1", "v2")


def test_correct_sheet_until_every_check_passes_makes_it_scoreable(some, admin):
    sheet = correct_sheet(
        sheet_of(1),
        admin,
        "Thêm phương án cho tiêu chí song ngữ.",
        [
            {"criterion": "2.4", "add_option": {"text": "Không", "points": 0}},
            {"criterion": "2.4", "add_option": {"text": "Có", "points": 1}},
        ],
    )

    assert sheet.is_valid is True
    assert sheet.problems == []
    assert sheet_spec(sheet).criteria[0].part == "A"
    assert sum(c.best_points() for c in sheet_spec(sheet).criteria) == 100


def test_correct_sheet_without_a_reason_is_refused_and_changes_nothing(some, admin):
    with pytest.raises(ValidationError) as error:
        correct_sheet(
            sheet_of(4), admin, "  ", [{"criterion": "7", "option": 3, "points": 3}]
        )

    assert error.value.message_dict == {
        "reason": ["Cần ghi lý do hiệu chỉnh phiếu chấm."]
    }
    assert ScoringSheet.objects.count() == 7


def test_correct_sheet_of_an_older_version_is_refused(some, admin):
    printed = sheet_of(4)
    correct_sheet(
        printed, admin, "Sửa nhóm 7.", [{"criterion": "7", "option": 3, "points": 3}]
    )

    with pytest.raises(ValidationError) as error:
        correct_sheet(
            printed, admin, "Lần nữa.", [{"criterion": "7", "option": 3, "points": 2}]
        )

    assert error.value.messages == [
        "Phiếu này đã có phiên bản mới hơn; hãy hiệu chỉnh phiên bản mới nhất."
    ]


def test_correct_sheet_of_an_unknown_criterion_changes_nothing(some, admin):
    with pytest.raises(ValidationError) as error:
        correct_sheet(
            sheet_of(4), admin, "Sửa.", [{"criterion": "99", "option": 1, "points": 0}]
        )

    assert error.value.messages == ["Phiếu không có tiêu chí 99."]
    assert ScoringSheet.objects.count() == 7
