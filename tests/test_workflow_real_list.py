"""The 105 products of Lai Châu's real list through both rulebooks.

The list is imported as the province keeps it; each product gets the set its name
suggests. Under 148/QĐ-TTg (2023) every product goes through the commune's
assessment and its district's council (three members), those with 70 or more
through the province's council (four members), those with 90 or more to the
Ministry. Under 26/2026/QĐ-TTg the same products, registered again for 2026, go
from the commune straight to the province's council (five members), which certifies
3 and 4 stars and refers 90 or more to the Ministry. Member totals follow fixed
cycles of patterns whose scores, stars and outcomes are worked out by hand below.
"""

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest

from evaluation import services
from evaluation.demo import propose_product_sets
from evaluation.enums import DossierState, Outcome
from evaluation.models import Certificate, Dossier
from registry.enums import Role
from registry.importer import import_once
from registry.models import Product, Registration
from tests.conftest import REGISTRATION_XLSX
from tests.factories_evaluation import (
    ProgrammeYearFactory,
    account,
    council_with_members,
    load_sheets,
    prepared_dossier,
    rulebook,
    score_by_council,
)

# (district members' totals, score, stars, outcome) — worked out by hand:
# (72 + 70 + 69) / 3 = 70.33 → 4★, 70 or more: referred to the province.
# (68 + 66 + 67) / 3 = 67.00 → 3★, certified by the district.
# (49 + 50 + 50) / 3 = 49.67 → 2★, no certificate.
# (95 + 93 + 94) / 3 = 94.00 → 5★, referred to the province.
# (55 + 58 + 56) / 3 = 56.33 → 3★, certified by the district.
DISTRICT_PATTERNS = [
    ([72, 70, 69], Decimal("70.33"), 4, Outcome.REFERRED),
    ([68, 66, 67], Decimal("67.00"), 3, Outcome.CERTIFIED),
    ([49, 50, 50], Decimal("49.67"), 2, Outcome.ENDED),
    ([95, 93, 94], Decimal("94.00"), 5, Outcome.REFERRED),
    ([55, 58, 56], Decimal("56.33"), 3, Outcome.CERTIFIED),
]
# At the province: a product referred at 70.33 scores (74 + 73 + 72 + 71) / 4 =
# 72.50 → 4★, certified by the province; one referred at 94.00 scores
# (91 + 90 + 90 + 89) / 4 = 90.00 → 5★, referred to the Ministry.
PROVINCE_PATTERNS = {
    Decimal("70.33"): ([74, 73, 72, 71], Decimal("72.50"), 4, Outcome.CERTIFIED),
    Decimal("94.00"): ([91, 90, 90, 89], Decimal("90.00"), 5, Outcome.REFERRED),
}


# Under 26/2026, the province's five members — worked out by hand, at each band edge:
# (50 × 5) / 5 = 50.00 → 3★, certified by the province.
# (69 + 70 + 71 + 70 + 70) / 5 = 70.00 → 4★, certified by the province.
# (90 + 89 + 91 + 90 + 90) / 5 = 90.00 → 5★, referred to the Ministry.
# (89 + 90 + 89 + 90 + 89) / 5 = 89.40 → 4★, certified by the province.
# (49 + 50 + 50 + 50 + 50) / 5 = 49.80 → 2★, no certificate.
# (70 + 69 + 70 + 70 + 70) / 5 = 69.80 → 3★, certified by the province.
PROVINCE_2026_PATTERNS = [
    ([50, 50, 50, 50, 50], Decimal("50.00"), 3, Outcome.CERTIFIED),
    ([69, 70, 71, 70, 70], Decimal("70.00"), 4, Outcome.CERTIFIED),
    ([90, 89, 91, 90, 90], Decimal("90.00"), 5, Outcome.REFERRED),
    ([89, 90, 89, 90, 89], Decimal("89.40"), 4, Outcome.CERTIFIED),
    ([49, 50, 50, 50, 50], Decimal("49.80"), 2, Outcome.ENDED),
    ([70, 69, 70, 70, 70], Decimal("69.80"), 3, Outcome.CERTIFIED),
]


@pytest.fixture
def imported(lai_chau):
    return import_with_sets(lai_chau, 2023)


def import_with_sets(lai_chau, year):
    summary = import_once(REGISTRATION_XLSX, lai_chau, year=year)
    assert summary is not None
    propose_product_sets(lai_chau)
    Product.objects.update(is_product_set_confirmed=True)
    numbers = set(Product.objects.values_list("product_set__number", flat=True))
    load_sheets(*numbers)
    return lai_chau


def test_real_list_registered_for_2026_goes_through_the_province_and_ministry(
    lai_chau,
):
    import_with_sets(lai_chau, 2026)
    book = rulebook("26-2026")
    ProgrammeYearFactory(year=2026, rulebook=book)
    province_tier = book.tiers.get(order=2)
    staff = account("tinh.real", Role.PROVINCE_STAFF)
    registrations = list(
        Registration.objects.filter(year=2026)
        .select_related("district", "product")
        .order_by("district__code", "source_row", "id")
    )
    dossiers = [prepared_dossier(r, staff, staff) for r in registrations]

    assert {(d.state, d.current_tier_id) for d in dossiers} == {
        (DossierState.WAITING, province_tier.pk)
    }
    council, members = council_with_members(province_tier, 5, prefix="tinh2026.")
    round = services.open_round(
        province_tier,
        staff,
        council=council,
        year=2026,
        name="Đợt 1 năm 2026 cấp tỉnh",
        closes_on=date(2026, 6, 30),
    )
    expected = {}
    for position, dossier in enumerate(dossiers):
        pattern = PROVINCE_2026_PATTERNS[position % len(PROVINCE_2026_PATTERNS)]
        expected[dossier.pk] = pattern
        evaluation = services.add_to_round(round, dossier, staff)
        score_by_council(evaluation, members, pattern[0], level=pattern[2])
    services.close_round(round, members[0])
    to_ministry = services.refer_round(round, staff)
    certificates = services.certify(
        round,
        staff,
        decision_number="1234/QĐ-UBND",
        decision_date=date(2026, 7, 10),
    )
    for dossier in to_ministry:
        services.record_ministry_result(
            dossier,
            staff,
            stars=5,
            decision_number="789/QĐ-BNNMT-KTHT",
            decision_date=date(2026, 9, 25),
        )

    assert {
        e.dossier_id: (e.score, e.stars, e.outcome) for e in round.evaluations.all()
    } == {pk: pattern[1:] for pk, pattern in expected.items()}
    # 105 products in a cycle of six: 18 of the first three patterns, 17 of the rest.
    assert Counter(pattern[2] for pattern in expected.values()) == {
        3: 18 + 17,
        4: 18 + 17,
        5: 18,
        2: 17,
    }
    assert sorted(d.pk for d in to_ministry) == sorted(
        pk for pk, pattern in expected.items() if pattern[3] == Outcome.REFERRED
    )
    assert {c.tier_id for c in certificates} == {province_tier.pk}
    assert {c.issuing_authority for c in certificates} == {
        "Ủy ban nhân dân tỉnh Lai Châu"
    }
    assert Counter(
        Certificate.objects.filter(registration__year=2026).values_list(
            "stars", flat=True
        )
    ) == {3: 35, 4: 35, 5: 18}
    assert (
        Dossier.objects.filter(
            registration__year=2026, state=DossierState.NOT_CERTIFIED
        ).count()
        == 17
    )


def test_real_2023_list_goes_through_districts_province_and_ministry(imported):
    book = rulebook("148-2023")
    ProgrammeYearFactory(year=2023, rulebook=book)
    district_tier, province_tier = book.tiers.get(order=2), book.tiers.get(order=3)
    staff = account("tinh.real", Role.PROVINCE_STAFF)
    registrations = list(
        Registration.objects.filter(year=2023)
        .select_related("district", "product")
        .order_by("district__code", "source_row", "id")
    )
    dossiers = [prepared_dossier(r, staff, staff) for r in registrations]

    expected = {}
    by_district = {}
    for position, dossier in enumerate(dossiers):
        by_district.setdefault(dossier.registration.district, []).append(dossier)
        expected[dossier.pk] = DISTRICT_PATTERNS[position % len(DISTRICT_PATTERNS)]
    district_results = {}
    for district, members_dossiers in by_district.items():
        council, members = council_with_members(
            district_tier, 3, district=district, prefix=f"real{district.code}."
        )
        round = services.open_round(
            district_tier,
            staff,
            council=council,
            year=2023,
            name=f"Đợt 1 năm 2023 – {district.short_name}",
            closes_on=date(2023, 6, 30),
            district=district,
        )
        for dossier in members_dossiers:
            evaluation = services.add_to_round(round, dossier, staff)
            totals = expected[dossier.pk][0]
            score_by_council(evaluation, members, totals)
        services.close_round(round, members[0])
        services.refer_round(round, staff)
        services.certify(
            round, staff, decision_number="01/QĐ-UBND", decision_date=date(2023, 7, 5)
        )
        for evaluation in round.evaluations.all():
            district_results[evaluation.dossier_id] = (
                evaluation.score,
                evaluation.stars,
                evaluation.outcome,
            )

    assert district_results == {pk: pattern[1:] for pk, pattern in expected.items()}

    referred = list(
        Dossier.objects.filter(
            state=DossierState.WAITING, current_tier=province_tier
        ).order_by("id")
    )
    assert [d.pk for d in referred] == sorted(
        pk for pk, pattern in expected.items() if pattern[3] == Outcome.REFERRED
    )
    council, members = council_with_members(province_tier, 4, prefix="realtinh")
    round = services.open_round(
        province_tier,
        staff,
        council=council,
        year=2023,
        name="Đợt tháng 7 năm 2023 cấp tỉnh",
        closes_on=date(2023, 7, 31),
    )
    province_expected = {}
    for dossier in referred:
        evaluation = services.add_to_round(round, dossier, staff)
        pattern = PROVINCE_PATTERNS[expected[dossier.pk][1]]
        province_expected[dossier.pk] = pattern
        score_by_council(evaluation, members, pattern[0], level=pattern[2])
    services.close_round(round, members[0])
    to_ministry = services.refer_round(round, staff)
    services.certify(
        round,
        staff,
        decision_number="1020/QĐ-UBND",
        decision_date=date(2023, 8, 15),
        tier=province_tier,
    )

    assert {
        e.dossier_id: (e.score, e.stars, e.outcome) for e in round.evaluations.all()
    } == {pk: pattern[1:] for pk, pattern in province_expected.items()}
    for dossier in to_ministry:
        services.record_ministry_result(
            dossier,
            staff,
            stars=5,
            decision_number="4567/QĐ-BNN-KTHT",
            decision_date=date(2023, 12, 20),
        )

    outcomes = Counter(pattern[3] for pattern in expected.values())
    stars = Counter(Certificate.objects.values_list("stars", flat=True))
    assert len(dossiers) == 105
    # 105 products in a cycle of five: 21 of each pattern.
    assert outcomes == {
        Outcome.REFERRED: 42,
        Outcome.CERTIFIED: 42,
        Outcome.ENDED: 21,
    }
    assert stars == {3: 42, 4: 21, 5: 21}
    assert Dossier.objects.filter(state=DossierState.NOT_CERTIFIED).count() == 21
    assert Dossier.objects.filter(state=DossierState.CERTIFIED).count() == 84
