"""The rules engine, on small hand-made sheets: parts, bands, minimums, knock-outs,
spread, quorum and what a result means at each tier."""

from decimal import Decimal
from fractions import Fraction

import pytest

from evaluation import scoring
from evaluation.rulebooks import read_rulebooks
from evaluation.scoring import CouncilRules, CriterionSpec, OptionSpec, SheetSpec

RULEBOOKS = read_rulebooks()
BANDS = tuple((b["stars"], b["min"]) for b in RULEBOOKS[0]["star_bands"])


def options(start_id, *points_and_marks):
    """Options numbered from ``start_id``; items are ``points`` or ``(points, ★)``."""
    made = []
    for offset, item in enumerate(points_and_marks):
        points, mark = item if isinstance(item, tuple) else (item, None)
        made.append(OptionSpec(start_id + offset, points, mark))
    return tuple(made)


def small_sheet():
    """A: 1.1 (0..3, 3★ at 1, 4★ at 2, 5★ at 3), 1.2 (0..2, knock-out); B: 2 (0..5);
    C: 3 choose one of 3.a (0..4, 4★ at 2) and 3.b (0..4)."""
    c11 = CriterionSpec(11, "1.1", "A", 3, options(110, 0, (1, 3), (2, 4), (3, 5)))
    c12 = CriterionSpec(
        12, "1.2", "A", 2, options(120, 0, 1, 2), knock_out="Bị loại nếu"
    )
    group1 = CriterionSpec(1, "1", "A", 5, children=(c11, c12))
    group2 = CriterionSpec(2, "2", "B", 5, options(200, 0, 3, 5))
    case_a = CriterionSpec(31, "3.a", "C", 4, options(310, 0, (2, 4), 4))
    case_b = CriterionSpec(32, "3.b", "C", 4, options(320, 0, 2, 4))
    group3 = CriterionSpec(3, "3", "C", 4, children=(case_a, case_b), choose_one=True)
    return SheetSpec((group1, group2, group3))


def tiers(code):
    rulebook = next(r for r in RULEBOOKS if r["code"] == code)
    return [
        scoring.TierSpec(order, tuple(t["certifies_stars"]), t["refers_from"])
        for order, t in enumerate(rulebook["tiers"], start=1)
    ]


# -- bands ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "stars"),
    [
        ("0", 1),
        ("29.99", 1),
        ("30", 2),
        ("49.99", 2),
        ("50", 3),
        ("69.99", 3),
        ("70", 4),
        ("89.99", 4),
        ("90", 5),
        ("100", 5),
    ],
)
def test_band_stars_at_every_edge(score, stars):
    assert scoring.band_stars(Decimal(score), BANDS) == stars


def test_council_score_is_the_mean_rounded_half_up_to_two_decimals():
    assert scoring.council_score([71, 72, 72]) == Decimal("71.67")
    # 561 / 8 = 70.125: half up gives 70.13 where banker's rounding would give 70.12.
    assert scoring.council_score([70, 70, 70, 70, 70, 70, 70, 71]) == Decimal("70.13")
    assert scoring.council_score([]) is None


def test_council_score_just_under_a_band_keeps_the_lower_band():
    score = scoring.council_score([70, 69, 70])

    assert score == Decimal("69.67")
    assert scoring.band_stars(score, BANDS) == 3


# -- one member's sheet ------------------------------------------------------------


def test_part_totals_add_the_chosen_points_by_part():
    sheet = small_sheet()

    totals = scoring.part_totals(sheet, [113, 122, 202, 312])

    assert totals == {"A": 5, "B": 5, "C": 4}


def test_check_selections_accepts_one_option_per_criterion_and_one_case():
    assert scoring.check_selections(small_sheet(), [113, 122, 202, 322]) == []


def test_check_selections_refuses_two_options_on_one_criterion():
    problems = scoring.check_selections(small_sheet(), [112, 113, 122, 202, 312])

    assert problems == ["Tiêu chí 1.1 chỉ được chọn một phương án."]


def test_check_selections_refuses_both_cases_of_a_choose_one_group():
    problems = scoring.check_selections(small_sheet(), [113, 122, 202, 312, 322])

    assert problems == ["Nhóm 3 chỉ chấm một trong các trường hợp."]


def test_check_selections_lists_unscored_criteria():
    problems = scoring.check_selections(small_sheet(), [113, 202])

    assert problems == [
        "Tiêu chí 1.2 chưa được chấm.",
        "Tiêu chí 3.a chưa được chấm.",
    ]


# -- minimums ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option_on_1_1", "level"),
    [(110, 2), (111, 3), (112, 4), (113, 5)],
)
def test_minimums_on_a_criterion_cap_the_level(option_on_1_1, level):
    sheet = small_sheet()
    # 3.a at 2 points meets its 4★ minimum.
    selections = [option_on_1_1, 122, 202, 311]

    assert scoring.met_levels(sheet, [selections]) == level


def test_minimums_are_cumulative_a_missed_three_star_minimum_blocks_four_and_five():
    sheet = small_sheet()
    # 1.1 at 0 misses the 3★ minimum; 3.a meets the 4★ one, which does not help.
    assert scoring.met_levels(sheet, [[110, 122, 202, 312]]) == 2


def test_minimum_in_the_unscored_case_of_a_choose_one_group_is_left_out():
    sheet = small_sheet()
    # Case 3.b scored at 0: 3.a's 4★ minimum does not apply.
    assert scoring.met_levels(sheet, [[113, 122, 202, 320]]) == 5


def test_minimum_in_the_scored_case_applies():
    sheet = small_sheet()
    # Case 3.a scored at 0: its 4★ minimum is missed.
    assert scoring.met_levels(sheet, [[113, 122, 202, 310]]) == 3


def test_minimum_is_met_when_the_members_mean_reaches_the_marked_points():
    sheet = small_sheet()
    at_two = [112, 122, 202, 311]
    at_one = [111, 122, 202, 311]
    at_three = [113, 122, 202, 311]

    # Mean on 1.1: (2 + 1) / 2 = 1.5, under the 4★ minimum of 2.
    assert scoring.met_levels(sheet, [at_two, at_one]) == 3
    # Mean (2 + 1 + 3) / 3 = 2 reaches it; 3 is needed for 5★.
    assert scoring.met_levels(sheet, [at_two, at_one, at_three]) == 4


def test_council_result_stars_fall_to_the_level_whose_minimums_are_met():
    sheet = SheetSpec(
        (
            CriterionSpec(1, "1", "A", 40, options(10, 0, 20, (40, 4))),
            CriterionSpec(2, "2", "B", 25, options(20, 0, 25)),
            CriterionSpec(3, "3", "C", 35, options(30, 0, 35)),
        )
    )
    # 20 + 25 + 35 = 80 points (a 4★ band) without the 4★ minimum on criterion 1.
    result = scoring.council_result(sheet, [([11, 21, 31], [])] * 3, BANDS)

    assert result.score == Decimal("80.00")
    assert result.band == 4
    assert result.stars == 3
    assert result.unmet == {3: [], 4: ["1"], 5: ["1"]}


# -- knock-outs ----------------------------------------------------------------------


def test_knock_out_marked_by_more_than_half_of_the_members_disqualifies():
    sheet = small_sheet()
    full = [113, 122, 202, 312]

    result = scoring.council_result(sheet, [(full, [12]), (full, [12]), (full, [])])

    assert result.knocked_out == ("1.2",)
    assert result.stars is None


def test_knock_out_marked_by_half_or_fewer_does_not_disqualify():
    sheet = small_sheet()

    assert scoring.knocked_out_codes(sheet, [[12], [], []]) == []
    assert scoring.knocked_out_codes(sheet, [[12], [12], [], []]) == []


def test_knock_out_mark_on_a_criterion_without_a_knock_out_note_is_ignored():
    assert scoring.knocked_out_codes(small_sheet(), [[11], [11], [11]]) == []


def test_knocked_out_product_ends_whatever_its_score():
    outcome = scoring.outcome_for(
        Decimal("95"), 5, tiers("148-2023"), 2, knocked_out=True
    )

    assert outcome == ("ended", None, None)


# -- spread and quorum ---------------------------------------------------------------


def test_spread_of_exactly_the_limit_does_not_block():
    reasons = scoring.blocking_reasons(
        [80, 90, 85],
        eligible={1, 2, 3},
        submitted_ids=[1, 2, 3],
        chair_id=1,
        rules=CouncilRules(),
    )

    assert reasons == []


def test_spread_over_the_limit_blocks():
    reasons = scoring.blocking_reasons(
        [79, 90, 85],
        eligible={1, 2, 3},
        submitted_ids=[1, 2, 3],
        chair_id=1,
        rules=CouncilRules(),
    )

    assert reasons == [
        "Điểm của các thành viên chênh nhau 11 điểm, vượt mức cho phép 10: hội "
        "đồng cần thảo luận và chấm lại."
    ]


def test_spread_limit_is_the_province_setting():
    reasons = scoring.blocking_reasons(
        [80, 86],
        eligible={1, 2},
        submitted_ids=[1, 2],
        chair_id=1,
        rules=CouncilRules(max_spread=Decimal("5")),
    )

    assert len(reasons) == 1
    assert reasons[0].startswith("Điểm của các thành viên chênh nhau 6 điểm")


@pytest.mark.parametrize(
    ("eligible", "submitted", "is_met"),
    [
        (4, 3, True),
        (4, 2, False),
        (5, 4, True),
        (5, 3, False),
        (8, 6, True),
        (8, 5, False),
    ],
)
def test_quorum_is_three_quarters_of_the_members_who_may_score(
    eligible, submitted, is_met
):
    members = set(range(1, eligible + 1))

    reasons = scoring.blocking_reasons(
        [80] * submitted,
        eligible=members,
        submitted_ids=list(range(1, submitted + 1)),
        chair_id=1,
        rules=CouncilRules(),
    )

    assert (reasons == []) is is_met


def test_quorum_without_the_chair_blocks():
    reasons = scoring.blocking_reasons(
        [80, 80, 80],
        eligible={1, 2, 3, 4},
        submitted_ids=[2, 3, 4],
        chair_id=1,
        rules=CouncilRules(),
    )

    assert reasons == [
        "Đã có 3 trong 4 thành viên được chấm sản phẩm này nộp phiếu nhưng chưa có "
        "phiếu của Chủ tịch hội đồng; quy chế cần ít nhất 3/4 số thành viên đó (3 "
        "người) nộp phiếu, kể cả Chủ tịch."
    ]


def test_chair_with_a_conflict_of_interest_is_not_required():
    reasons = scoring.blocking_reasons(
        [80, 80, 80],
        eligible={2, 3, 4},
        submitted_ids=[2, 3, 4],
        chair_id=1,
        rules=CouncilRules(),
    )

    assert reasons == []


def test_quorum_short_says_how_many_submitted_and_what_the_rule_asks():
    reasons = scoring.blocking_reasons(
        [80, 80],
        eligible={1, 2, 3},
        submitted_ids=[1, 2],
        chair_id=1,
        rules=CouncilRules(),
    )

    assert reasons == [
        "Mới có 2 trong 3 thành viên được chấm sản phẩm này nộp phiếu; quy chế cần "
        "ít nhất 3/4 số thành viên đó (3 người) nộp phiếu, kể cả Chủ tịch."
    ]


def test_quorum_short_without_the_chair_says_both():
    reasons = scoring.blocking_reasons(
        [80, 80],
        eligible={1, 2, 3, 4, 5},
        submitted_ids=[2, 3],
        chair_id=1,
        rules=CouncilRules(),
    )

    assert reasons == [
        "Mới có 2 trong 5 thành viên được chấm sản phẩm này nộp phiếu, chưa có phiếu "
        "của Chủ tịch hội đồng; quy chế cần ít nhất 3/4 số thành viên đó (4 người) "
        "nộp phiếu, kể cả Chủ tịch."
    ]


def test_quorum_names_the_members_recused_and_the_chair_among_them():
    reasons = scoring.blocking_reasons(
        [80],
        eligible={2, 3, 4},
        submitted_ids=[2],
        chair_id=1,
        rules=CouncilRules(),
        recused=2,
    )

    assert reasons == [
        "Mới có 1 trong 3 thành viên được chấm sản phẩm này nộp phiếu; quy chế cần "
        "ít nhất 3/4 số thành viên đó (3 người) nộp phiếu. Không tính 2 thành viên "
        "đã khai xung đột lợi ích, trong đó có Chủ tịch hội đồng."
    ]


def test_quorum_without_the_chair_setting_does_not_ask_for_the_chair():
    rules = CouncilRules(quorum=Fraction(2, 3), is_chair_required=False)

    met = scoring.blocking_reasons(
        [80, 80], eligible={1, 2, 3}, submitted_ids=[2, 3], chair_id=1, rules=rules
    )
    short = scoring.blocking_reasons(
        [80], eligible={1, 2, 3}, submitted_ids=[2], chair_id=1, rules=rules
    )

    assert met == []
    assert short == [
        "Mới có 1 trong 3 thành viên được chấm sản phẩm này nộp phiếu; quy chế cần "
        "ít nhất 2/3 số thành viên đó (2 người) nộp phiếu."
    ]


def test_quorum_of_every_member_says_all_of_them():
    reasons = scoring.blocking_reasons(
        [80, 80],
        eligible={1, 2, 3},
        submitted_ids=[1, 2],
        chair_id=1,
        rules=CouncilRules(quorum=Fraction(1, 1)),
        recused=1,
    )

    assert reasons == [
        "Mới có 2 trong 3 thành viên được chấm sản phẩm này nộp phiếu; quy chế cần "
        "tất cả thành viên đó (3 người) nộp phiếu, kể cả Chủ tịch. Không tính 1 "
        "thành viên đã khai xung đột lợi ích."
    ]


def test_quorum_with_every_member_recused_says_none_may_score():
    reasons = scoring.blocking_reasons(
        [],
        eligible=set(),
        submitted_ids=[],
        chair_id=1,
        rules=CouncilRules(),
        recused=3,
    )

    assert reasons == [
        "Không còn thành viên nào được chấm sản phẩm này: cả 3 thành viên chấm điểm "
        "của hội đồng đã khai xung đột lợi ích. Cần bổ sung thành viên hội đồng."
    ]


@pytest.mark.parametrize(
    ("eligible", "needed"), [(1, 1), (3, 3), (4, 3), (5, 4), (7, 6), (8, 6)]
)
def test_quorum_needs_three_quarters_rounded_up(eligible, needed):
    assert scoring.quorum_needed(eligible, Fraction(3, 4)) == needed


def test_quorum_fraction_is_the_province_setting():
    reasons = scoring.blocking_reasons(
        [80, 80],
        eligible={1, 2, 3},
        submitted_ids=[1, 2],
        chair_id=1,
        rules=CouncilRules(quorum=Fraction(2, 3)),
    )

    assert reasons == []


# -- outcome at each tier ------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "stars", "expected"),
    [
        ("69.99", 3, ("certified", 2, 3)),
        ("70", 4, ("referred", 3, None)),
        # 75 points without the 4★ minimums: the district certifies 3 stars.
        ("75", 3, ("certified", 2, 3)),
        ("49.99", 2, ("ended", None, None)),
    ],
)
def test_outcome_at_the_district_council_of_rulebook_148(score, stars, expected):
    assert scoring.outcome_for(Decimal(score), stars, tiers("148-2023"), 2) == expected


@pytest.mark.parametrize(
    ("score", "stars", "expected"),
    [
        ("89.99", 4, ("certified", 3, 4)),
        ("90", 5, ("referred", 4, None)),
        # 92 points without the 5★ minimums: the province certifies 4 stars.
        ("92", 4, ("certified", 3, 4)),
        # Referred up but 3 stars here: the district's level certifies it.
        ("65", 3, ("certified", 2, 3)),
        ("45", 2, ("ended", None, None)),
    ],
)
def test_outcome_at_the_province_council_of_rulebook_148(score, stars, expected):
    assert scoring.outcome_for(Decimal(score), stars, tiers("148-2023"), 3) == expected


@pytest.mark.parametrize(
    ("score", "stars", "expected"),
    [
        ("49.99", 2, ("ended", None, None)),
        ("50", 3, ("certified", 2, 3)),
        ("70", 4, ("certified", 2, 4)),
        ("89.99", 4, ("certified", 2, 4)),
        ("90", 5, ("referred", 3, None)),
    ],
)
def test_outcome_at_the_province_council_of_rulebook_26_2026(score, stars, expected):
    assert scoring.outcome_for(Decimal(score), stars, tiers("26-2026"), 2) == expected


def test_ministry_five_stars_are_certified_by_the_ministry():
    assert scoring.outcome_for(None, 5, tiers("26-2026"), 3) == ("certified", 3, 5)
