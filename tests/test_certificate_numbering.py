"""Certificate numbers: ``0007/2023/OCOP-12``, one after the other even when two
decisions are issued at the same moment."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from evaluation import services
from evaluation.enums import CouncilRole, DossierState, Outcome, RoundState
from evaluation.models import (
    Council,
    CouncilMembership,
    Dossier,
    Evaluation,
    MemberScore,
    ProgrammeYear,
    Round,
    ScoringSheet,
)
from evaluation.rulebooks import load_rulebooks
from registry.enums import Role
from tests.factories import (
    LAI_CHAU_CITY,
    TAM_DUONG,
    ProductSetFactory,
    RegistrationFactory,
    UserFactory,
    district,
    first_commune,
    province,
)

DECISION_DATE = date(2023, 7, 5)


def closed_district_round(district_code, count, year=2023):
    """A closed round of a district council under 148/QĐ-TTg whose ``count``
    products each hold a 3-star result (61.00) not yet certified.

    The results are written straight into the models, as the document tests do:
    what is tested here is the issuing, not the scoring.
    """
    rulebook = load_rulebooks()["148-2023"]
    tier = rulebook.tiers.get(order=2)
    area = district(district_code)
    programme, _ = ProgrammeYear.objects.get_or_create(
        province=province(), year=year, defaults={"rulebook": rulebook}
    )
    product_set = ProductSetFactory()
    sheet, _ = ScoringSheet.objects.get_or_create(
        product_set=product_set, edition="26-2026", version=1, is_valid=True
    )
    council = Council.objects.create(
        tier=tier, province=province(), district=area, year=year, name=area.name
    )
    chair = UserFactory(username=f"chutich.{district_code}", role=Role.COUNCIL_MEMBER)
    CouncilMembership.objects.create(
        council=council, user=chair, role=CouncilRole.CHAIR
    )
    round_ = Round.objects.create(
        tier=tier,
        council=council,
        province=province(),
        district=area,
        year=year,
        name=f"Đợt 1 năm {year} – {area.name}",
        closes_on=date(year, 6, 30),
        state=RoundState.CLOSED,
    )
    for index in range(count):
        registration = RegistrationFactory(
            product__name=f"Miến dong {area.name} loại {index + 1}",
            product__producer__commune=first_commune(district_code),
            product__product_set=product_set,
            year=year,
        )
        dossier = Dossier.objects.create(
            registration=registration,
            programme_year=programme,
            state=DossierState.IN_EVALUATION,
            current_tier=tier,
            sheet=sheet,
        )
        evaluation = Evaluation.objects.create(
            dossier=dossier,
            round=round_,
            tier=tier,
            rulebook=rulebook,
            sheet=sheet,
            score=Decimal("61.00"),
            stars=3,
            outcome=Outcome.CERTIFIED,
            certifying_tier=tier,
            frozen_at=timezone.now(),
        )
        MemberScore.objects.create(
            evaluation=evaluation,
            member=chair,
            total=61,
            submitted_at=timezone.now(),
            is_locked=True,
        )
    return round_


def issue(round_, officer, number, decision_date=DECISION_DATE):
    return services.certify(
        round_, officer, decision_number=number, decision_date=decision_date
    )


@pytest.mark.django_db
def test_next_certificate_number_is_four_digits_year_and_province_code(lai_chau):
    first = services.next_certificate_number(lai_chau, 2023)

    assert first == "0001/2023/OCOP-12"


@pytest.mark.django_db
def test_next_certificate_number_counts_the_province_certificates_of_the_year(
    lai_chau,
):
    officer = UserFactory(username="canbo.tamduong", role=Role.DISTRICT_OFFICER)
    issued = issue(closed_district_round(TAM_DUONG, 2), officer, "125/QĐ-UBND")
    other_year = issue(
        closed_district_round(LAI_CHAU_CITY, 1, year=2024),
        officer,
        "88/QĐ-UBND",
        date(2024, 7, 8),
    )

    numbers = sorted(c.number for c in issued), [c.number for c in other_year]
    following = (
        services.next_certificate_number(lai_chau, 2023),
        services.next_certificate_number(lai_chau, 2024),
    )

    assert numbers == (
        ["0001/2023/OCOP-12", "0002/2023/OCOP-12"],
        ["0001/2024/OCOP-12"],
    )
    assert following == ("0003/2023/OCOP-12", "0002/2024/OCOP-12")


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="hai giao dịch đồng thời cần PostgreSQL; SQLite khoá cả cơ sở dữ liệu",
)
@pytest.mark.django_db(transaction=True)
def test_two_decisions_issued_at_once_take_different_numbers(lai_chau):
    officer = UserFactory(username="canbo.tinh", role=Role.PROVINCE_STAFF)
    rounds = {
        "125/QĐ-UBND": closed_district_round(TAM_DUONG, 3),
        "2150/QĐ-UBND": closed_district_round(LAI_CHAU_CITY, 3),
    }
    start = threading.Barrier(len(rounds))
    issued, failures = {}, []

    def decide(number, round_):
        try:
            start.wait()
            issued[number] = sorted(c.number for c in issue(round_, officer, number))
        except Exception as error:  # reported by the assertion below
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=item) for item in rounds.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    numbers = sorted(n for decision in issued.values() for n in decision)
    assert numbers == [f"{n:04d}/2023/OCOP-12" for n in range(1, 7)]
    # One decision waits for the other: each takes a run of numbers.
    assert sorted(issued.values()) == [
        [f"{n:04d}/2023/OCOP-12" for n in range(1, 4)],
        [f"{n:04d}/2023/OCOP-12" for n in range(4, 7)],
    ]
