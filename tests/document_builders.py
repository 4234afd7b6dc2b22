"""Certified products of a decision, for the document tests and the benchmark.

The council's results are written straight into the evaluation's models; the
certificates are issued by the evaluation's own services (``certify``, and
``record_ministry_result`` for the Ministry), as the programme office would.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from evaluation.enums import (
    CouncilRole,
    DossierState,
    Outcome,
    RoundState,
    TierKind,
    TierLevel,
)
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
from evaluation.services import certify, record_ministry_result
from registry.enums import Role
from tests.factories import (
    TAM_DUONG,
    ProductSetFactory,
    RegistrationFactory,
    UserFactory,
    commune,
    district,
    first_commune,
    province,
)

DECISION_DATE = date(2023, 10, 12)
# Each member's total, product after product: 68.33 (3 stars), 75 (4 stars; a
# district council refers it to the province), 55 (3 stars).
MEMBER_TOTALS = ((68, 70, 67), (75, 73, 77), (55, 58, 52))
DISTRICT_TOTALS = ((68, 70, 67), (62, 60, 64), (55, 58, 52))
MINISTRY_SCORE = Decimal("92.00")


def make_decision(
    count=3,
    *,
    number="1234/QĐ-UBND",
    rulebook_code="148-2023",
    level=TierLevel.DISTRICT,
    decision_date=DECISION_DATE,
    year=2023,
    district_code=TAM_DUONG,
):
    """``count`` products registered by a district (Tam Đường unless told), scored
    by a council of three and certified under one decision; returns (round,
    certificates)."""
    rulebook = load_rulebooks()[rulebook_code]
    tier = rulebook.tiers.get(level=level)
    lai_chau = province()
    area = district(district_code) if level == TierLevel.DISTRICT else None
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
    binh_lu = (
        commune("Xã Bình Lư", TAM_DUONG)
        if district_code == TAM_DUONG
        else first_commune(district_code)
    )
    issuer = UserFactory(
        username=f"vp{number[:4]}", last_name="Văn phòng", first_name="OCOP"
    )
    ministry = []
    scores = DISTRICT_TOTALS if level == TierLevel.DISTRICT else MEMBER_TOTALS
    for index in range(count):
        totals = scores[index % len(scores)]
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
            state=DossierState.IN_EVALUATION,
            current_tier=tier,
            sheet=sheet,
        )
        if tier.kind == TierKind.RECORDED:
            dossier.state = DossierState.WAITING
            dossier.save(update_fields=["state"])
            ministry.append(dossier)
            continue
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
    if ministry:
        certificates = [
            record_ministry_result(
                dossier,
                issuer,
                stars=5,
                score=MINISTRY_SCORE,
                decision_number=number,
                decision_date=decision_date,
            ).certificates.get()
            for dossier in ministry
        ]
    else:
        certificates = certify(
            round_, issuer, decision_number=number, decision_date=decision_date
        )
    return round_, certificates
