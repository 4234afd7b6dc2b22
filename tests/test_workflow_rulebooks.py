"""End to end, through the service functions: products go from the commune's
assessment through every council of their rulebook, and every score, star,
referral and certificate is checked against values computed by hand."""

from datetime import date
from decimal import Decimal

import pytest

from evaluation import services
from evaluation.enums import CertificateStatus, DossierState, Outcome
from evaluation.sheets import sheet_spec
from ocop.models import AuditEntry
from registry.enums import Role
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
    drop_minimum,
    load_sheets,
    prepared_dossier,
    rulebook,
    score_by_council,
)

TEA = 11


@pytest.fixture
def tea(lai_chau):
    return load_sheets(TEA)[TEA]


@pytest.fixture
def officers(lai_chau):
    tam_duong = district(TAM_DUONG)
    commune = first_commune(TAM_DUONG)
    return (
        account("huyen.td", Role.DISTRICT_OFFICER, district=tam_duong),
        account("xa.td", Role.COMMUNE_OFFICER, commune=commune),
        account("tinh.td", Role.PROVINCE_STAFF),
    )


def registration(product_set, name, year=2023, **kwargs):
    producer = ProducerFactory()
    product = ProductFactory(
        producer=producer,
        name=name,
        product_set=product_set,
        is_product_set_confirmed=True,
    )
    return RegistrationFactory(product=product, year=year, **kwargs)


def test_rulebook_148_takes_products_through_district_province_and_ministry(
    tea, officers
):
    district_officer, commune_officer, province_staff = officers
    book = rulebook("148-2023")
    ProgrammeYearFactory(year=2023, rulebook=book)
    district_tier, province_tier = book.tiers.get(order=2), book.tiers.get(order=3)
    tam_duong = district(TAM_DUONG)
    names = {
        "p1": "Chè Shan tuyết Tả Lèng",
        "p2": "Chè xanh Bản Giang",
        "p3": "Chè búp Hồ Thầu",
        "p4": "Chè cổ thụ Sơn Bình",
        "p5": "Chè đen Nà Tăm",
        "p6": "Chè vàng Khun Há",
    }
    dossiers = {
        key: prepared_dossier(
            registration(tea, name), district_officer, commune_officer
        )
        for key, name in names.items()
    }
    for dossier in dossiers.values():
        assert dossier.state == DossierState.WAITING
        assert dossier.current_tier == district_tier

    # The district council: three members, Tam Đường's round before 30/6.
    council, members = council_with_members(district_tier, 3, district=tam_duong)
    round = services.open_round(
        district_tier,
        district_officer,
        council=council,
        year=2023,
        name="Đợt 1 năm 2023 huyện Tam Đường",
        closes_on=date(2023, 6, 30),
        district=tam_duong,
    )
    evaluations = {
        key: services.add_to_round(round, dossier, district_officer)
        for key, dossier in dossiers.items()
    }
    spec = sheet_spec(evaluations["p5"].sheet)
    from tests.factories_evaluation import selections_for_total

    p5_sheet, p5_missed = drop_minimum(spec, selections_for_total(spec, 80), 4)
    district_totals = {
        "p1": [72, 70, 69],  # 70.33: 4★, referred
        "p2": [68, 66, 67],  # 67.00: 3★, certified by the district
        "p3": [49, 50, 50],  # 49.67: 2★, ends
        "p4": [95, 93, 94],  # 94.00: 5★ band, referred
        "p5": [p5_sheet] * 3,  # 80.00 missing a 4★ minimum: 3★ by the district
        "p6": [75, 76, 74],  # 75.00: 4★, referred
    }
    for key, totals in district_totals.items():
        score_by_council(evaluations[key], members, totals)

    services.close_round(round, members[0])
    referred = services.refer_round(round, district_officer)
    district_certificates = services.certify(
        round,
        district_officer,
        decision_number="125/QĐ-UBND",
        decision_date=date(2023, 7, 5),
    )

    results = {
        key: (e.score, e.stars, e.outcome)
        for key, e in ((k, e) for k, e in _refreshed(evaluations).items())
    }
    assert results == {
        "p1": (Decimal("70.33"), 4, Outcome.REFERRED),
        "p2": (Decimal("67.00"), 3, Outcome.CERTIFIED),
        "p3": (Decimal("49.67"), 2, Outcome.ENDED),
        "p4": (Decimal("94.00"), 5, Outcome.REFERRED),
        "p5": (Decimal("80.00"), 3, Outcome.CERTIFIED),
        "p6": (Decimal("75.00"), 4, Outcome.REFERRED),
    }
    assert p5_missed
    assert sorted(d.pk for d in referred) == sorted(
        dossiers[k].pk for k in ("p1", "p4", "p6")
    )
    assert sorted((c.product_name, c.stars) for c in district_certificates) == [
        (names["p2"], 3),
        (names["p5"], 3),
    ]
    assert {c.issuing_authority for c in district_certificates} == {
        "Ủy ban nhân dân huyện Tam Đường"
    }
    assert _states(dossiers) == {
        "p1": DossierState.WAITING,
        "p2": DossierState.CERTIFIED,
        "p3": DossierState.NOT_CERTIFIED,
        "p4": DossierState.WAITING,
        "p5": DossierState.CERTIFIED,
        "p6": DossierState.WAITING,
    }

    # The province council: four members, the July round.
    council, members = council_with_members(province_tier, 4, prefix="tinh")
    round = services.open_round(
        province_tier,
        province_staff,
        council=council,
        year=2023,
        name="Đợt tháng 7 năm 2023 cấp tỉnh",
        closes_on=date(2023, 7, 31),
    )
    evaluations = {
        key: services.add_to_round(round, dossiers[key], province_staff)
        for key in ("p1", "p4", "p6")
    }
    province_totals = {
        "p1": [74, 73, 72, 71],  # 72.50: 4★, certified by the province
        "p4": [91, 90, 90, 89],  # 90.00: 5★, referred to the Ministry
        "p6": [66, 65, 64, 65],  # 65.00: 3★, certified at the district's level
    }
    score_by_council(evaluations["p1"], members, province_totals["p1"])
    score_by_council(evaluations["p4"], members, province_totals["p4"], level=5)
    score_by_council(evaluations["p6"], members, province_totals["p6"])
    services.close_round(round, members[0])
    referred = services.refer_round(round, province_staff)
    province_certificates = services.certify(
        round,
        province_staff,
        decision_number="1020/QĐ-UBND",
        decision_date=date(2023, 8, 15),
        tier=province_tier,
    )
    returned_to_district = services.certify(
        round,
        district_officer,
        decision_number="140/QĐ-UBND",
        decision_date=date(2023, 8, 20),
        tier=district_tier,
    )

    assert {
        k: (e.score, e.stars, e.outcome) for k, e in _refreshed(evaluations).items()
    } == {
        "p1": (Decimal("72.50"), 4, Outcome.CERTIFIED),
        "p4": (Decimal("90.00"), 5, Outcome.REFERRED),
        "p6": (Decimal("65.00"), 3, Outcome.CERTIFIED),
    }
    assert [d.pk for d in referred] == [dossiers["p4"].pk]
    assert [
        (c.product_name, c.stars, c.issuing_authority) for c in province_certificates
    ] == [(names["p1"], 4, "Ủy ban nhân dân tỉnh Lai Châu")]
    assert [
        (c.product_name, c.stars, c.issuing_authority) for c in returned_to_district
    ] == [(names["p6"], 3, "Ủy ban nhân dân huyện Tam Đường")]

    # The Ministry's result, recorded by hand.
    result = services.record_ministry_result(
        dossiers["p4"],
        province_staff,
        stars=5,
        decision_number="4567/QĐ-BNN-KTHT",
        decision_date=date(2023, 12, 20),
    )
    certificate = result.certificates.get()
    assert (certificate.stars, certificate.issuing_authority) == (
        5,
        "Bộ Nông nghiệp và Phát triển nông thôn",
    )
    assert certificate.expires_on == date(2026, 12, 20)
    assert certificate.status == CertificateStatus.VALID
    assert certificate.rulebook == book
    assert _states(dossiers) == {
        "p1": DossierState.CERTIFIED,
        "p2": DossierState.CERTIFIED,
        "p3": DossierState.NOT_CERTIFIED,
        "p4": DossierState.CERTIFIED,
        "p5": DossierState.CERTIFIED,
        "p6": DossierState.CERTIFIED,
    }
    referrals = AuditEntry.objects.filter(action="evaluation.dossier.referred")
    assert referrals.count() == 4


def test_rulebook_26_2026_takes_products_through_the_province_and_ministry(
    tea, officers
):
    _district_officer, commune_officer, province_staff = officers
    book = rulebook("26-2026")
    ProgrammeYearFactory(year=2026, rulebook=book)
    province_tier = book.tiers.get(order=2)
    names = {
        "q1": "Chè Shan tuyết Pu Sam Cáp",
        "q2": "Chè xanh Sơn Bình",
        "q3": "Chè cổ thụ Bình Lư",
        "q4": "Chè búp Nà Tăm",
    }
    dossiers = {
        key: prepared_dossier(
            registration(tea, name, year=2026, district=None),
            province_staff,
            commune_officer,
        )
        for key, name in names.items()
    }
    assert {d.current_tier for d in dossiers.values()} == {province_tier}

    council, members = council_with_members(province_tier, 4, prefix="hd26")
    round = services.open_round(
        province_tier,
        province_staff,
        council=council,
        year=2026,
        name="Đợt 1 năm 2026 cấp tỉnh",
        closes_on=date(2026, 6, 30),
    )
    evaluations = {
        key: services.add_to_round(round, dossier, province_staff)
        for key, dossier in dossiers.items()
    }
    score_by_council(evaluations["q1"], members, [55, 56, 57, 56])  # 56.00: 3★
    score_by_council(evaluations["q2"], members, [85, 84, 86, 85])  # 85.00: 4★
    score_by_council(evaluations["q3"], members, [92, 91, 90, 90], level=5)  # 90.75
    score_by_council(evaluations["q4"], members, [45, 48, 44, 46])  # 45.75: 2★
    services.close_round(round, members[0])
    referred = services.refer_round(round, province_staff)
    certificates = services.certify(
        round,
        province_staff,
        decision_number="890/QĐ-UBND",
        decision_date=date(2026, 7, 10),
    )

    assert {
        k: (e.score, e.stars, e.outcome) for k, e in _refreshed(evaluations).items()
    } == {
        "q1": (Decimal("56.00"), 3, Outcome.CERTIFIED),
        "q2": (Decimal("85.00"), 4, Outcome.CERTIFIED),
        "q3": (Decimal("90.75"), 5, Outcome.REFERRED),
        "q4": (Decimal("45.75"), 2, Outcome.ENDED),
    }
    assert [d.pk for d in referred] == [dossiers["q3"].pk]
    assert sorted(
        (c.product_name, c.stars, c.issuing_authority) for c in certificates
    ) == [
        (names["q1"], 3, "Ủy ban nhân dân tỉnh Lai Châu"),
        (names["q2"], 4, "Ủy ban nhân dân tỉnh Lai Châu"),
    ]
    assert all(e.rulebook == book for e in _refreshed(evaluations).values())

    result = services.record_ministry_result(
        dossiers["q3"],
        province_staff,
        stars=5,
        decision_number="321/QĐ-BNNMT-KTHT",
        decision_date=date(2026, 11, 2),
    )
    assert result.certificates.get().issuing_authority == "Bộ Nông nghiệp và Môi trường"
    assert _states(dossiers) == {
        "q1": DossierState.CERTIFIED,
        "q2": DossierState.CERTIFIED,
        "q3": DossierState.CERTIFIED,
        "q4": DossierState.NOT_CERTIFIED,
    }


def _refreshed(evaluations):
    for evaluation in evaluations.values():
        evaluation.refresh_from_db()
    return evaluations


def _states(dossiers):
    for dossier in dossiers.values():
        dossier.refresh_from_db()
    return {key: dossier.state for key, dossier in dossiers.items()}
