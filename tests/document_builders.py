"""Certified products of a decision, built through the evaluation's real models, for
the document tests and the benchmark."""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from evaluation.enums import CouncilRole, DossierState, Outcome, RoundState, TierLevel
from evaluation.models import (
    Certificate,
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
    TAM_DUONG,
    ProductSetFactory,
    RegistrationFactory,
    UserFactory,
    commune,
    district,
    province,
)

DECISION_DATE = date(2023, 10, 12)
MEMBER_TOTALS = ((68, 70, 67), (75, 73, 77), (55, 58, 52))


def expires(issued_on):
    return issued_on.replace(year=issued_on.year + 3) - timedelta(days=1)


def make_decision(
    count=3,
    *,
    number="1234/QĐ-UBND",
    rulebook_code="148-2023",
    level=TierLevel.DISTRICT,
    decision_date=DECISION_DATE,
    year=2023,
    first_serial=1,
):
    """``count`` products registered by Tam Đường, scored by a council of three and
    certified under one decision; returns (round, certificates)."""
    rulebook = load_rulebooks()[rulebook_code]
    tier = rulebook.tiers.get(level=level)
    lai_chau = province()
    area = district(TAM_DUONG) if level == TierLevel.DISTRICT else None
    area_name = area.name if area else lai_chau.name
    programme, _ = ProgrammeYear.objects.get_or_create(
        province=lai_chau, year=year, defaults={"rulebook": rulebook}
    )
    product_set = ProductSetFactory()
    sheet, _ = ScoringSheet.objects.get_or_create(
        product_set=product_set,
        edition="26-2026",
        version=1,
        defaults={"is_valid": True},
    )
    council = Council.objects.create(
        tier=tier,
        province=lai_chau,
        district=area,
        year=year,
        name=f"Hội đồng đánh giá, phân hạng sản phẩm OCOP {area_name}",
    )
    members = [
        UserFactory(
            username=f"hd{number[:4]}{index}",
            last_name=last,
            first_name=first,
            role=Role.COUNCIL_MEMBER,
        )
        for index, (last, first) in enumerate(
            (("Phạm Văn", "Chủ"), ("Lê Thị", "Phó"), ("Hoàng Văn", "Ủy")), start=1
        )
    ]
    for member, role in zip(
        members,
        (CouncilRole.CHAIR, CouncilRole.VICE_CHAIR, CouncilRole.MEMBER),
        strict=True,
    ):
        CouncilMembership.objects.create(council=council, user=member, role=role)
    round_ = Round.objects.create(
        tier=tier,
        council=council,
        province=lai_chau,
        district=area,
        year=year,
        name=f"Đợt 1 năm {year} – {area_name}",
        closes_on=decision_date - timedelta(days=10),
        state=RoundState.CLOSED,
    )
    binh_lu = commune("Xã Bình Lư", TAM_DUONG)
    certificates = []
    for index in range(count):
        totals = MEMBER_TOTALS[index % len(MEMBER_TOTALS)]
        score = (Decimal(sum(totals)) / len(totals)).quantize(Decimal("0.01"))
        stars = 4 if score >= 70 else 3
        registration = RegistrationFactory(
            product__name=f"Miến dong Bình Lư loại {index + 1}",
            product__producer__name=f"HTX Nông nghiệp và dịch vụ Bình Lư {index + 1}",
            product__producer__address="Bản Thống Nhất, xã Bình Lư",
            product__producer__commune=binh_lu,
            product__product_set=product_set,
            year=year,
        )
        dossier = Dossier.objects.create(
            registration=registration,
            programme_year=programme,
            state=DossierState.CERTIFIED,
            current_tier=tier,
            sheet=sheet,
        )
        evaluation = Evaluation.objects.create(
            dossier=dossier,
            round=round_,
            tier=tier,
            rulebook=rulebook,
            sheet=sheet,
            score=score,
            stars=stars,
            outcome=Outcome.CERTIFIED,
            certifying_tier=tier,
            frozen_at=timezone.now(),
        )
        for member, total in zip(members, totals, strict=True):
            MemberScore.objects.create(
                evaluation=evaluation,
                member=member,
                total=total,
                submitted_at=timezone.now(),
                is_locked=True,
            )
        product = registration.product
        certificates.append(
            Certificate.objects.create(
                number=f"{first_serial + index:03d}/{year}/GCN-OCOP",
                registration=registration,
                product=product,
                product_name=product.name,
                producer_name=product.producer.name,
                producer_address=f"{product.producer.address}, {binh_lu.district}",
                stars=stars,
                score=score,
                tier=tier,
                rulebook=rulebook,
                evaluation=evaluation,
                issuing_authority=tier.authority_for(area_name),
                decision_number=number,
                decision_date=decision_date,
                issued_on=decision_date,
                expires_on=expires(decision_date),
            )
        )
    return round_, certificates
