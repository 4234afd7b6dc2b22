"""Star minimums and knock-outs on the 26 official sheets, as councils score on them.

Each sheet is loaded from the criteria file with the project's known corrections
recorded by an administrator (as the demo does), and read back as the rules engine
reads it. What the file marks is worked out here from the JSON file itself, without
the loader's code: the star minimums (``min_for_stars`` on options) and the
knock-out notes ("bị loại nếu", "sẽ bị loại"). The falls in stars are worked out by
hand from the printed sheets.
"""

import json
from collections import Counter
from datetime import date
from decimal import Decimal

import pytest

from evaluation import scoring, services
from evaluation.enums import CouncilRole, DossierState, Outcome
from evaluation.models import Option
from evaluation.rulebooks import read_rulebooks
from evaluation.sheets import EDITION_2026, scoring_sheet, sheet_spec
from registry.enums import Role
from registry.models import ProductSet
from tests.conftest import CRITERIA_JSON
from tests.factories import (
    TAM_DUONG,
    ProducerFactory,
    ProductFactory,
    RegistrationFactory,
    district,
    first_commune,
)
from tests.factories_evaluation import (
    ProgrammeYearFactory,
    account,
    council_with_members,
    load_sheets,
    prepared_dossier,
    rulebook,
)

pytestmark = pytest.mark.django_db

CRITERIA = json.loads(CRITERIA_JSON.read_text(encoding="utf-8"))
PRINTED = {item["number"]: item for item in CRITERIA["product_sets"]}
BANDS = tuple((b["stars"], b["min"]) for b in read_rulebooks()[0]["star_bands"])
ALL_SETS = list(range(1, 27))
HONEY, TEA, WHITE_SPIRIT, IP_SET, TOURISM = 4, 11, 14, 21, 26


def real_spec(number):
    """The sheet a council scores set ``number`` on, as the rules engine reads it."""
    load_sheets(number)
    sheet = scoring_sheet(ProductSet.objects.get(number=number), EDITION_2026)
    assert sheet.is_valid, sheet.problems
    return sheet_spec(sheet)


def printed_criteria(items):
    """Every criterion of the file's sheet, at any depth."""
    for item in items:
        yield item
        yield from printed_criteria(item["criteria"])


def best_everywhere(spec):
    """The best option of every criterion; in a choose-one group, of its best case
    (the first of equal ones) only."""
    skipped = set()
    for group in spec.walk():
        if group.choose_one:
            best = max(group.children, key=lambda case: case.best_points())
            for case in group.children:
                if case is not best:
                    skipped.update(c.code for c in _subtree(case))
    return {
        leaf.code: max(leaf.options, key=lambda o: o.points or 0)
        for leaf in spec.leaves()
        if leaf.code not in skipped
    }


def _subtree(criterion):
    yield criterion
    for child in criterion.children:
        yield from _subtree(child)


def total_of(spec, selections):
    return sum(scoring.part_totals(spec, selections).values())


# -- (a) the best everywhere ------------------------------------------------------


@pytest.mark.parametrize("number", ALL_SETS)
def test_best_option_everywhere_scores_100_and_five_stars(lai_chau, number):
    spec = real_spec(number)
    selections = [o.id for o in best_everywhere(spec).values()]

    result = scoring.council_result(spec, [(selections, [])] * 3, BANDS)

    assert scoring.check_selections(spec, selections) == []
    assert scoring.part_totals(spec, selections) == {"A": 40, "B": 25, "C": 35}
    assert (result.score, result.band, result.stars) == (Decimal("100.00"), 5, 5)
    assert result.unmet == {3: [], 4: [], 5: []}
    assert result.knocked_out == ()


# -- (b) the star minimums, as the file marks them -----------------------------------


def printed_minimums(number):
    """``[(criterion code, option text, stars)]`` of the options the file marks."""
    return sorted(
        (criterion["code"], option["text"], option["min_for_stars"])
        for criterion in printed_criteria(PRINTED[number]["criteria"])
        for option in criterion["options"]
        if option["min_for_stars"] is not None
    )


@pytest.mark.parametrize("number", ALL_SETS)
def test_star_minimums_are_read_as_the_file_marks_them(lai_chau, number):
    expected = printed_minimums(number)
    spec = real_spec(number)
    marked = [
        (leaf.code, option.text, option.min_for_stars)
        for leaf in spec.leaves()
        for option in leaf.options
        if option.min_for_stars
    ]
    # On an empty sheet every marked criterion misses its level and those above.
    expected_unmet = {
        level: sorted({code for code, _t, stars in expected if stars <= level})
        for level in (3, 4, 5)
    }

    unmet = scoring.unmet_minimums(spec, [])

    assert Counter(stars for *_rest, stars in marked) == Counter(
        stars for *_rest, stars in expected
    )
    assert sorted(marked) == expected
    assert {level: sorted(codes) for level, codes in unmet.items()} == expected_unmet


def test_star_minimum_counts_of_some_sets_as_counted_on_the_printed_sheets(
    lai_chau,
):
    """Counted by hand, criterion by criterion, on the sheets as the file prints
    them (options marked ★★★, ★★★★, ★★★★★): honey 7/14/6, tea 8/12/3, white
    spirit 8/10/3, tourism 1/2/0; against the options stored."""
    load_sheets(HONEY, TEA, WHITE_SPIRIT, TOURISM)

    counts = {
        number: Counter(
            Option.objects.filter(
                criterion__sheet=scoring_sheet(
                    ProductSet.objects.get(number=number), EDITION_2026
                ),
                min_for_stars__isnull=False,
            ).values_list("min_for_stars", flat=True)
        )
        for number in (HONEY, TEA, WHITE_SPIRIT, TOURISM)
    }

    assert counts == {
        HONEY: {3: 7, 4: 14, 5: 6},
        TEA: {3: 8, 4: 12, 5: 3},
        WHITE_SPIRIT: {3: 8, 4: 10, 5: 3},
        TOURISM: {3: 1, 4: 2},
    }


# -- (c) one option below a minimum, everything else the best ----------------------

# (set, criterion, points of the option ticked, total, stars), read off the sheets:
FALLS = [
    # Honey 5.1 "Câu chuyện sản phẩm" (0, 1, 2, 3, 5 = 4★ minimum): 3 ticked,
    # 100 - (5 - 3) = 98, band 5★, 4★ minimum missed → 3★.
    (HONEY, "5.1", 3, 98, 3),
    # White spirit 9 "Đảm bảo chất lượng" (1 = 3★, 3 = 4★, 5): the option below
    # the 4★ minimum is the 3★ one, 100 - (5 - 1) = 96 → 3★.
    (WHITE_SPIRIT, "9", 1, 96, 3),
    # Tea 6.1.1 "Tạp chất" (0, 11 corrected to 1, 2 = 4★): 100 - (2 - 1) = 99 → 3★.
    (TEA, "6.1.1", 1, 99, 3),
    # Tea 1.5 "Liên kết chuỗi" (0, 1, 2 = 4★, 3 = 5★): 2 ticked, 99, only the 5★
    # minimum missed → 4★.
    (TEA, "1.5", 2, 99, 4),
    # Tea 1.1 "Nguồn nguyên liệu" (1, 2 = 3★, 3): 1 ticked, 98, the 3★ minimum
    # missed → 2★ whatever the score.
    (TEA, "1.1", 1, 98, 2),
    # Tourism 3.4 "Tăng trưởng sản xuất kinh doanh" (1, 3 = 4★): 100 - 2 = 98 → 3★.
    (TOURISM, "3.4", 1, 98, 3),
]


@pytest.mark.parametrize(("number", "code", "points", "total", "stars"), FALLS)
def test_one_option_below_a_minimum_drops_the_stars(
    lai_chau, number, code, points, total, stars
):
    spec = real_spec(number)
    chosen = best_everywhere(spec)
    leaf = next(c for c in spec.leaves() if c.code == code)
    below = next(o for o in leaf.options if o.points == points)
    # The option ticked is the one just below the minimum of the level above.
    minimum = max(o.points for o in leaf.options if o.min_for_stars == stars + 1)
    assert points == max(o.points for o in leaf.options if o.points < minimum)
    chosen[code] = below
    selections = [o.id for o in chosen.values()]

    result = scoring.council_result(spec, [(selections, [])] * 3, BANDS)

    assert total_of(spec, selections) == total
    assert (result.score, result.band, result.stars) == (Decimal(total), 5, stars)
    assert result.unmet[stars + 1] == [code]
    assert all(result.unmet[level] == [] for level in range(3, stars + 1))
    assert scoring.met_levels(spec, [selections]) == stars


def test_a_tourism_product_at_98_missing_a_four_star_minimum_is_certified_three_stars(
    lai_chau,
):
    """Through the services: three members tick the best everywhere but 3.4 (1 of
    its 1 and 3 = 4★), 98 points each; under 148/QĐ-TTg the district council
    refers products of 70 or more only if they reach the 4★ the province
    certifies, so this one is certified 3★ by the district."""
    from tests.evaluation_builders import Meeting

    meeting = Meeting()
    spec = sheet_spec(meeting.evaluation.sheet)
    chosen = best_everywhere(spec)
    leaf = next(c for c in spec.leaves() if c.code == "3.4")
    chosen["3.4"] = next(o for o in leaf.options if o.points == 1)
    for member in meeting.scorers():
        services.submit_member_score(
            meeting.evaluation, member, [o.id for o in chosen.values()]
        )

    evaluation = services.compute_result(meeting.evaluation, meeting.chair)

    assert (evaluation.score, evaluation.stars) == (Decimal("98.00"), 3)
    assert evaluation.blocked_reasons == []
    assert (evaluation.outcome, evaluation.certifying_tier.order) == (
        Outcome.CERTIFIED,
        2,
    )


# -- (d) the knock-out notes ---------------------------------------------------------

MARKERS = ("bị loại nếu", "sẽ bị loại")
TEXT_FIELDS = ("name", "description", "requirement", "note")


def printed_knock_outs(number):
    """``{criterion code: its lines that say the product is knocked out}``, read from
    every text the file gives a criterion."""
    found = {}
    for criterion in printed_criteria(PRINTED[number]["criteria"]):
        lines = [
            line
            for field in TEXT_FIELDS
            for line in (criterion.get(field) or "").splitlines()
            if any(marker in line.lower() for marker in MARKERS)
        ]
        if lines:
            found[criterion["code"]] = "\n".join(lines)
    return found


# Read off the printed sheets: 2.1 "giống hệt sản phẩm của nhà sản xuất khác" in
# sets 5 to 14, 1.1 "toàn bộ nguyên liệu nhập khẩu" in 7 to 15 and 18 to 20, 6.2
# "vi phạm sở hữu trí tuệ" in 21 and 22; no other set has one.
KNOCK_OUT_CODES = {
    **{n: ["2.1"] for n in (5, 6)},
    **{n: ["1.1", "2.1"] for n in range(7, 15)},
    **{n: ["1.1"] for n in (15, 18, 19, 20)},
    **{n: ["6.2"] for n in (21, 22)},
}


def test_the_file_carries_knock_outs_where_the_printed_sheets_do():
    assert {
        number: sorted(printed_knock_outs(number))
        for number in ALL_SETS
        if printed_knock_outs(number)
    } == KNOCK_OUT_CODES


@pytest.mark.parametrize("number", ALL_SETS)
def test_every_knock_out_note_is_loaded_on_its_criterion(lai_chau, number):
    expected = printed_knock_outs(number)

    spec = real_spec(number)

    assert {c.code: c.knock_out for c in spec.walk() if c.knock_out} == expected


def knock_out_round(number, members):
    """A Tam Đường product of set ``number`` in an open round of the district's 2023
    council of ``members`` scoring members (the first chairs), pre-checked."""
    sets = load_sheets(number)
    book = rulebook("148-2023")
    ProgrammeYearFactory(year=2023, rulebook=book)
    tier = book.tiers.get(order=2)
    tam_duong = district(TAM_DUONG)
    officer = account("huyen.ko", Role.DISTRICT_OFFICER, district=tam_duong)
    commune_officer = account(
        "xa.ko", Role.COMMUNE_OFFICER, commune=first_commune(TAM_DUONG)
    )
    council, users = council_with_members(tier, members, district=tam_duong)
    round = services.open_round(
        tier,
        officer,
        council=council,
        year=2023,
        name="Đợt 1 năm 2023 huyện Tam Đường",
        closes_on=date(2023, 6, 30),
        district=tam_duong,
    )
    product = ProductFactory(
        producer=ProducerFactory(commune=first_commune(TAM_DUONG)),
        name="Rượu ngô men lá Tả Lèng",
        product_set=sets[number],
        is_product_set_confirmed=True,
    )
    dossier = prepared_dossier(
        RegistrationFactory(product=product), officer, commune_officer
    )
    evaluation = services.add_to_round(round, dossier, officer)
    services.record_precheck(evaluation, users[0], "Hồ sơ đầy đủ.")
    assert council.memberships.get(user=users[0]).role == CouncilRole.CHAIR
    return round, evaluation, users


# (set, knock-out criterion, members, how many mark it, knocked out?): more than
# half of the members who scored knock the product out; half does not.
KNOCK_OUTS = [
    (WHITE_SPIRIT, "1.1", 3, 2, True),
    (WHITE_SPIRIT, "1.1", 3, 1, False),
    (WHITE_SPIRIT, "2.1", 4, 2, False),
    (WHITE_SPIRIT, "2.1", 4, 3, True),
    (IP_SET, "6.2", 3, 2, True),
    (IP_SET, "6.2", 4, 2, False),
]


@pytest.mark.parametrize(("number", "code", "members", "marks", "knocked"), KNOCK_OUTS)
def test_knock_out_ticked_on_a_real_sheet(
    lai_chau, number, code, members, marks, knocked
):
    round, evaluation, users = knock_out_round(number, members)
    spec = sheet_spec(evaluation.sheet)
    criterion = next(c for c in spec.walk() if c.code == code)
    selections = [o.id for o in best_everywhere(spec).values()]
    for position, user in enumerate(users):
        ticked = [criterion.id] if position < marks else []
        services.submit_member_score(evaluation, user, selections, ticked)

    services.close_round(round, users[0])

    evaluation.refresh_from_db()
    evaluation.dossier.refresh_from_db()
    assert evaluation.score == Decimal("100.00")
    if knocked:
        assert (evaluation.is_knocked_out, evaluation.stars) == (True, None)
        assert evaluation.outcome == Outcome.ENDED
        assert evaluation.dossier.state == DossierState.NOT_CERTIFIED
    else:
        # 100 points and 5★ at the district: referred to the province.
        assert (evaluation.is_knocked_out, evaluation.stars) == (False, 5)
        assert evaluation.outcome == Outcome.REFERRED
        assert evaluation.dossier.state == DossierState.IN_EVALUATION
