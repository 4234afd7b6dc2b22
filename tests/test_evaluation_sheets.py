"""Loading the 26 official sheets, finding their faults, and recording corrections."""

import copy
import json
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from evaluation.corrections import apply_known_corrections
from evaluation.models import Criterion, Option, ScoringSheet
from evaluation.rulebooks import load_rulebooks
from evaluation.services import submit_member_score
from evaluation.sheet_file import CriteriaFileRefused, read_criteria_file
from evaluation.sheets import (
    CRITERIA_FILE,
    EDITION_2026,
    correct_sheet,
    correction_problems,
    import_scoring_sheets,
    is_new_edition,
    latest_sheet,
    load_scoring_sheets,
    preview_scoring_sheets,
    scoring_sheet,
    sheet_spec,
)
from ocop.models import AuditEntry
from registry.enums import Role
from registry.models import ProductSet
from tests.evaluation_builders import Meeting, programme_2023
from tests.factories import UserFactory
from tests.test_evaluation_views import second_options


@pytest.fixture
def loaded(lai_chau):
    return load_scoring_sheets()


SOME = {1, 4, 7, 11, 21, 22, 26}


@pytest.fixture
def some(lai_chau):
    """The sheets the single-sheet tests look at (loading all 26 takes seconds)."""
    return load_scoring_sheets(numbers=SOME)


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
    assert corrected.correction_reason == (
        "Tiêu chí 7, phương án 3 “Có trên 2 chỉ tiêu”: 13 → 3 điểm. "
        "Lý do: Nhóm 7 in 13 điểm, vượt tối đa 3."
    )
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


# -- reading a criteria file ---------------------------------------------------------


@pytest.fixture(scope="module")
def criteria():
    return json.loads(CRITERIA_FILE.read_text(encoding="utf-8"))


def as_bytes(data):
    return json.dumps(data).encode("utf-8")


def test_read_criteria_file_reads_the_edition_from_the_legal_basis(criteria):
    read = read_criteria_file(as_bytes(criteria), name="a.json", edition="khac")

    assert (read.edition, read.legal_basis, read.is_edition_from_file) == (
        "26-2026",
        "26/2026/QĐ-TTg",
        True,
    )
    assert [item["number"] for item in read.product_sets] == list(range(1, 27))


def test_read_criteria_file_takes_the_year_of_148_from_its_signing_date(criteria):
    older = {**criteria, "legal_basis": "148/QĐ-TTg", "signed_on": "2023-02-24"}

    assert read_criteria_file(as_bytes(older), name="148.json").edition == "148-2023"


def test_read_criteria_file_without_a_legal_basis_takes_the_given_edition(criteria):
    unnamed = {k: v for k, v in criteria.items() if k != "legal_basis"}

    read = read_criteria_file(as_bytes(unnamed), name="a.json", edition="26-2026")

    assert (read.edition, read.is_edition_from_file) == ("26-2026", False)


def test_read_criteria_file_lists_every_fault_of_its_structure(criteria):
    broken = copy.deepcopy(criteria)
    sets = broken["product_sets"]
    sets[0]["criteria"][0]["criteria"][0]["options"][0]["points"] = "3"
    sets[1]["criteria"][0]["part"] = "D"
    sets[2]["criteria"][1]["criteria"][0]["code"] = "1.1"
    sets[3]["criteria"][0]["criteria"][0]["options"][0]["min_for_stars"] = 2
    sets.append(copy.deepcopy(sets[4]))
    del sets[25]

    with pytest.raises(CriteriaFileRefused) as refusal:
        read_criteria_file(as_bytes(broken), name="a.json")

    assert refusal.value.messages == [
        "Bộ sản phẩm 1, tiêu chí 1.1: phương án thứ 1: điểm phải là số nguyên từ 0 "
        "đến 100, hoặc để trống (null).",
        "Bộ sản phẩm 2: nhóm tiêu chí thứ 1 không thuộc phần A, B hoặc C.",
        "Bộ sản phẩm 3, tiêu chí 1.1: mã tiêu chí có hai lần.",
        "Bộ sản phẩm 4, tiêu chí 1.1: phương án thứ 1: mức tối thiểu hạng sao phải "
        "là 3, 4, 5 hoặc để trống (null).",
        "Bộ sản phẩm 5 có hai lần trong tệp.",
        "Tệp thiếu phiếu của bộ sản phẩm 26 (cần đủ 26 bộ).",
    ]


# -- importing, from the command line as from the page ------------------------------


def test_load_scoring_sheets_command_reads_the_edition_from_the_file(
    lai_chau, criteria, tmp_path, capsys
):
    path = tmp_path / "tieu-chi-27.json"
    path.write_text(json.dumps({**criteria, "legal_basis": "27/2027/QĐ-TTg"}))

    call_command("load_scoring_sheets", str(path))

    out = capsys.readouterr().out
    assert out.startswith(
        "Phiếu mới: 26, không đổi: 0, không đạt kiểm tra: 22.\nẤn bản: 27-2027.\n"
    )
    assert set(ScoringSheet.objects.values_list("edition", flat=True)) == {"27-2027"}


def test_load_scoring_sheets_command_refuses_a_bad_file_and_writes_nothing(
    lai_chau, criteria, tmp_path
):
    path = tmp_path / "thieu.json"
    path.write_text(
        json.dumps({**criteria, "product_sets": criteria["product_sets"][:25]})
    )

    with pytest.raises(CommandError) as error:
        call_command("load_scoring_sheets", str(path))

    assert str(error.value) == "Tệp thiếu phiếu của bộ sản phẩm 26 (cần đủ 26 bộ)."
    assert ScoringSheet.objects.count() == 0


def test_preview_scoring_sheets_writes_nothing_and_says_what_an_import_would_do(
    some, criteria
):
    read = read_criteria_file(as_bytes(criteria), name="a.json")

    previews = preview_scoring_sheets(read, numbers={1, 2, 26})

    assert [(p.number, p.status, p.version, p.is_valid) for p in previews] == [
        (1, "unchanged", 1, False),
        (2, "new", 1, False),
        (26, "unchanged", 1, True),
    ]
    assert ScoringSheet.objects.count() == 7


def test_import_scoring_sheets_after_a_correction_keeps_it(some, criteria, admin):
    correct_sheet(
        sheet_of(4),
        admin,
        "Sửa nhóm 7.",
        [{"criterion": "7", "option": 3, "points": 3}],
    )
    read = read_criteria_file(as_bytes(criteria), name="a.json")

    summary = import_scoring_sheets(read, actor=admin, numbers={4})

    assert (summary["created"], summary["unchanged"]) == ([], [4])
    assert sheet_of(4).version == 2


# -- correcting ----------------------------------------------------------------------


def test_correct_sheet_lists_every_change_one_line_per_reason(some, admin):
    sheet = correct_sheet(
        sheet_of(4),
        admin,
        "",
        [
            {"criterion": "1.2", "option": 1, "points": 0, "reason": "Như bộ khác."},
            {"criterion": "7", "option": 3, "points": 3, "reason": "Vượt tối đa."},
            {"criterion": "2", "max_points": 9, "reason": "Vượt tối đa."},
        ],
    )

    assert sheet.correction_reason.splitlines() == [
        "Tiêu chí 1.2, phương án 1 “Không được cấp giấy chứng nhận chất lượng”: "
        "trống → 0 điểm. Lý do: Như bộ khác.",
        "Tiêu chí 7, phương án 3 “Có trên 2 chỉ tiêu”: 13 → 3 điểm; Tiêu chí 2: điểm "
        "tối đa 10 → 9. Lý do: Vượt tối đa.",
    ]


def test_correct_sheet_that_changes_nothing_is_refused(some, admin):
    with pytest.raises(ValidationError) as error:
        correct_sheet(
            sheet_of(4), admin, "Sửa.", [{"criterion": "7", "option": 2, "points": 1}]
        )

    assert error.value.messages == ["Tiêu chí 7, phương án 2 đã là 1 điểm."]
    assert ScoringSheet.objects.count() == 7


def test_correct_sheet_refuses_options_on_a_criterion_with_sub_criteria(some, admin):
    with pytest.raises(ValidationError) as error:
        correct_sheet(
            sheet_of(4),
            admin,
            "Thêm.",
            [{"criterion": "1", "add_option": {"text": "Có", "points": 1}}],
        )

    assert error.value.messages == [
        "Tiêu chí 1 có tiêu chí con; phương án chỉ thêm được cho tiêu chí không có "
        "tiêu chí con."
    ]


def test_apply_known_corrections_goes_through_correct_sheet(some, admin):
    corrected = apply_known_corrections(
        admin, {ps.number: ps for ps in ProductSet.objects.all()}, numbers=SOME
    ).corrected

    assert sorted(s.product_set.number for s in corrected) == [1, 4, 7, 11, 21, 22]
    assert all(s.is_valid for s in corrected)
    assert (
        AuditEntry.objects.filter(
            action="evaluation.sheet.corrected", actor=admin
        ).count()
        == 6
    )
    assert sheet_of(7).correction_reason.splitlines()[1] == (
        "Tiêu chí 1.2, phương án 1 “Không được cấp giấy chứng nhận chất lượng”: "
        "trống → 0 điểm. Lý do: Phương án “Không được cấp giấy chứng nhận chất "
        "lượng” để trống điểm; các bộ khác cho 0 điểm nên ghi 0 (chưa đối chiếu bản "
        "ký)."
    )


# -- a correction keeps a passing sheet passing -------------------------------------

# Set 26 passes its checks as printed; criterion 1.4 gives at most 2 points.
PART_A_AT_41 = [
    {"criterion": "1.4", "option": 2, "points": 3},
    {"criterion": "1.4", "max_points": 3},
]


def test_correct_sheet_that_would_make_a_passing_sheet_fail_is_refused(some, admin):
    with pytest.raises(ValidationError) as error:
        correct_sheet(sheet_of(26), admin, "Thêm một điểm.", PART_A_AT_41)

    assert error.value.messages == [
        "Phiên bản 1 đạt kiểm tra và đang dùng để chấm; hiệu chỉnh này làm phiếu "
        "không đạt kiểm tra nên không được ghi. Các kiểm tra sẽ không đạt:",
        "Tiêu chí 1: Điểm tối đa in là 14 nhưng phương án cao nhất cho 15.",
        "Phần A cộng được 41 điểm, phải là 40.",
    ]
    assert ScoringSheet.objects.filter(product_set__number=26).count() == 1
    assert not AuditEntry.objects.filter(action="evaluation.sheet.corrected").exists()


def test_correct_sheet_of_a_failing_sheet_goes_step_by_step(some, admin):
    first = correct_sheet(
        sheet_of(4),
        admin,
        "Nhóm 7 in 13.",
        [{"criterion": "7", "option": 3, "points": 3}],
    )
    second = correct_sheet(
        first,
        admin,
        "Phương án để trống.",
        [{"criterion": "1.2", "option": 1, "points": 0}],
    )

    assert [(s.version, s.is_valid) for s in (first, second)] == [
        (2, False),
        (3, False),
    ]
    assert [p["criterion"] for p in second.problems] == ["2", "2.4", "2.4", ""]


def test_correction_problems_says_what_a_correction_would_fail_and_writes_nothing(
    some,
):
    problems = correction_problems(sheet_of(26), PART_A_AT_41)

    assert [(p["criterion"], p["message"]) for p in problems] == [
        ("1", "Điểm tối đa in là 14 nhưng phương án cao nhất cho 15."),
        ("", "Phần A cộng được 41 điểm, phải là 40."),
    ]
    assert ScoringSheet.objects.count() == 7


def test_correct_sheet_refuses_a_reason_over_1000_characters(some, admin):
    change = {"criterion": "7", "option": 3, "points": 3, "reason": "x" * 1001}

    with pytest.raises(ValidationError) as error:
        correct_sheet(sheet_of(4), admin, "", [change])

    assert error.value.message_dict == {
        "reason": [
            "Lý do chỉ được dài tối đa 1000 ký tự (đang có 1001); hãy ghi ngắn gọn."
        ]
    }
    assert ScoringSheet.objects.count() == 7


# -- which version councils score on -------------------------------------------------


def failing_file(criteria, number=26):
    """The criteria file with set ``number``'s criterion 1.4 giving 3 points: its
    part A adds up to 41."""
    changed = copy.deepcopy(criteria)
    item = changed["product_sets"][number - 1]
    criterion = item["criteria"][0]["criteria"][3]
    assert criterion["code"] == "1.4"
    criterion["options"][1]["points"] = 3
    return read_criteria_file(as_bytes(changed), name="tieu-chi-loi.json")


def test_scoring_sheet_is_the_newest_version_that_passes_its_checks(
    some, criteria, admin
):
    import_scoring_sheets(failing_file(criteria), actor=admin, numbers={26})
    tourism = ProductSet.objects.get(number=26)

    chosen = scoring_sheet(tourism, EDITION_2026)

    assert (sheet_of(26).version, sheet_of(26).is_valid) == (2, False)
    assert (chosen.version, chosen.is_valid) == (1, True)
    assert scoring_sheet(ProductSet.objects.get(number=4), EDITION_2026).version == 1


def test_add_to_round_scores_on_the_newest_version_that_passes_its_checks(
    lai_chau, criteria, admin
):
    programme_2023()
    import_scoring_sheets(failing_file(criteria), actor=admin, numbers={26})

    meeting = Meeting()
    chair = meeting.scorers()[0]
    score = submit_member_score(
        meeting.evaluation, chair, second_options(meeting.evaluation)
    )

    assert (meeting.evaluation.sheet.version, meeting.dossier.sheet.version) == (1, 1)
    assert sheet_of(26).version == 2
    assert score.submitted_at is not None


# -- the known corrections, applied again -------------------------------------------


def test_apply_known_corrections_leaves_alone_a_sheet_corrected_since(
    some, criteria, admin
):
    sets = {ps.number: ps for ps in ProductSet.objects.all()}
    apply_known_corrections(admin, sets, numbers={4, 11})
    import_scoring_sheets(failing_file(criteria, 4), actor=admin, numbers={4})
    correct_sheet(
        sheet_of(11),
        admin,
        "Sửa lại.",
        [{"criterion": "1.2", "option": 1, "points": 1}],
    )

    again = apply_known_corrections(admin, sets, numbers={1, 4, 11})

    assert [s.product_set.number for s in again.corrected] == [1]
    assert [(s.product_set.number, s.version) for s in again.left_alone] == [
        (4, 3),
        (11, 3),
    ]
    assert again.left_alone_line() == (
        "Hiệu chỉnh đã biết: để nguyên 2 phiếu đã có hiệu chỉnh riêng. Phiên bản "
        "mới nhất không đạt kiểm tra: bộ 4 phiên bản 3; hội đồng chấm trên phiên bản "
        "đạt kiểm tra trước đó."
    )
    assert ScoringSheet.objects.filter(product_set__number=4).count() == 3


# -- files that are no criteria file -------------------------------------------------


def test_read_criteria_file_refuses_deeply_nested_json(criteria):
    with pytest.raises(CriteriaFileRefused) as refusal:
        read_criteria_file(b"[" * 100_000, name="sau.json")

    assert refusal.value.messages == [
        "Tệp lồng nhau quá 32 cấp; tệp tiêu chí chỉ lồng khoảng 12 cấp, nên đây "
        "không phải tệp tiêu chí."
    ]


def test_read_criteria_file_refuses_json_nested_past_32_levels(criteria):
    nested = {**criteria, "extra": json.loads("[" * 40 + "]" * 40)}

    with pytest.raises(CriteriaFileRefused) as refusal:
        read_criteria_file(as_bytes(nested), name="sau.json")

    assert refusal.value.messages == [
        "Tệp lồng nhau quá 32 cấp; tệp tiêu chí chỉ lồng khoảng 12 cấp, nên đây "
        "không phải tệp tiêu chí."
    ]


def test_read_criteria_file_refuses_criteria_nested_past_four_levels(criteria):
    deep = copy.deepcopy(criteria)
    sub = deep["product_sets"][10]["criteria"][5]["criteria"][0]["criteria"][0]
    assert sub["code"] == "6.1.1"
    sub["options"] = []
    sub["criteria"] = [
        {
            "code": "6.1.1.1",
            "name": "Cấp tư",
            "max_points": 2,
            "options": [],
            "criteria": [
                {
                    "code": "6.1.1.1.1",
                    "name": "Cấp năm",
                    "max_points": 2,
                    "options": [{"text": "Có", "points": 2, "min_for_stars": None}],
                    "criteria": [],
                }
            ],
        }
    ]

    with pytest.raises(CriteriaFileRefused) as refusal:
        read_criteria_file(as_bytes(deep), name="sau.json")

    assert refusal.value.messages == [
        "Bộ sản phẩm 11, tiêu chí 6.1.1.1.1: tiêu chí lồng quá 4 cấp (nhóm, tiêu "
        "chí, tiêu chí con); phiếu chấm chỉ có 3 cấp."
    ]


# -- the edition typed in --------------------------------------------------------------


@pytest.mark.parametrize("typed", ["<b>x</b>../..", "abc", "26-26", "26-2017"])
def test_read_criteria_file_refuses_an_edition_not_of_number_and_year(criteria, typed):
    unnamed = {k: v for k, v in criteria.items() if k != "legal_basis"}

    with pytest.raises(CriteriaFileRefused) as refusal:
        read_criteria_file(as_bytes(unnamed), name="a.json", edition=typed)

    message = (
        f"Ấn bản “{typed}” không đúng dạng: cần số và năm của quyết định ban hành "
        f"phiếu chấm, nối bằng dấu gạch ngang (năm từ 2018 đến "
        f"{date.today().year + 1}), ví dụ 26-2026 hoặc 148-2023."
    )
    assert refusal.value.messages == [message]
    assert refusal.value.edition_messages == [message]


def test_import_scoring_sheets_of_a_new_typed_edition_needs_confirming(
    lai_chau, criteria
):
    unnamed = {k: v for k, v in criteria.items() if k != "legal_basis"}
    read = read_criteria_file(as_bytes(unnamed), name="a.json", edition="27-2027")

    with pytest.raises(ValidationError) as error:
        import_scoring_sheets(read, numbers={26})
    confirmed = import_scoring_sheets(read, numbers={26}, is_new_edition_ok=True)

    assert error.value.messages == [
        "Ấn bản 27-2027 chưa có: không quy định nào dùng ấn bản này và chưa có phiếu "
        "nào của nó. Ghi sẽ tạo một bộ 26 phiếu riêng mà chưa hội đồng nào chấm "
        "trên. Kiểm tra lại ấn bản đã nhập, hoặc xác nhận đây là ấn bản mới."
    ]
    assert confirmed["created"] == [26]
    assert is_new_edition(read) is False


def test_import_scoring_sheets_of_a_rulebooks_edition_needs_no_confirming(
    lai_chau, criteria
):
    load_rulebooks()
    unnamed = {k: v for k, v in criteria.items() if k != "legal_basis"}

    for edition in ("26-2026", "148-2023"):
        read = read_criteria_file(as_bytes(unnamed), name="a.json", edition=edition)
        import_scoring_sheets(read, numbers={26})

    assert sorted(ScoringSheet.objects.values_list("edition", flat=True)) == [
        "148-2023",
        "26-2026",
    ]


# -- the product set's name ----------------------------------------------------------


def test_preview_scoring_sheets_names_the_set_as_the_registry_does(some, criteria):
    renamed = copy.deepcopy(criteria)
    renamed["product_sets"][3]["name"] = "<script>alert(1)</script>"
    read = read_criteria_file(as_bytes(renamed), name="a.json")

    preview = preview_scoring_sheets(read, numbers={4})[0]
    import_scoring_sheets(read, numbers={4})

    assert (preview.status, preview.name, preview.file_name) == (
        "unchanged",
        "Mật ong, mật khác và nông sản thực phẩm khác",
        "<script>alert(1)</script>",
    )
    assert ProductSet.objects.get(number=4).name == (
        "Mật ong, mật khác và nông sản thực phẩm khác"
    )
    assert ScoringSheet.objects.count() == 7
