"""The evaluation part of the demo: rulebooks, sheets, and the 2023 plan's rounds.

Lai Châu's 2023 plan follows 148/QĐ-TTg: each district's council meets before 30/6
and before 30/10, the province's in July and in November. The demo councils are the
three demo council accounts, ``hoidong1`` in the chair.
"""

from datetime import date

from django.db import transaction

from registry.classification import load_product_sets
from registry.models import Product, ProductSet, Registration, User

from .corrections import apply_known_corrections
from .enums import CouncilRole, TierLevel
from .models import (
    Council,
    CouncilMembership,
    CouncilSettings,
    Dossier,
    ProgrammeYear,
    Round,
)
from .rulebooks import load_rulebooks
from .services import create_dossier
from .sheets import load_scoring_sheets
from .suggest import suggest_product_set

DEMO_YEAR = 2023
DEMO_RULEBOOK = "148-2023"
DEMO_MEMBERS = [
    ("hoidong1", CouncilRole.CHAIR),
    ("hoidong2", CouncilRole.VICE_CHAIR),
    ("hoidong3", CouncilRole.MEMBER),
]
DISTRICT_ROUNDS = [("Đợt 1", date(2023, 6, 30)), ("Đợt 2", date(2023, 10, 30))]
PROVINCE_ROUNDS = [
    ("Đợt tháng 7", date(2023, 7, 31)),
    ("Đợt tháng 11", date(2023, 11, 30)),
]


@transaction.atomic
def setup_demo_evaluation(province, admin_username="quantri"):
    """Load everything the evaluation pages need for the demo; returns a summary."""
    admin = User.objects.get(username=admin_username)
    rulebooks = load_rulebooks()
    sheets = load_scoring_sheets(actor=admin)
    product_sets = {ps.number: ps for ps in ProductSet.objects.all()}
    corrected = apply_known_corrections(admin, product_sets)

    rulebook = rulebooks[DEMO_RULEBOOK]
    ProgrammeYear.objects.get_or_create(
        province=province,
        year=DEMO_YEAR,
        defaults={
            "rulebook": rulebook,
            "plan_reference": "Kế hoạch OCOP tỉnh Lai Châu năm 2023",
        },
    )
    CouncilSettings.objects.get_or_create(province=province)

    members = [
        (User.objects.get(username=username), role) for username, role in DEMO_MEMBERS
    ]
    rounds = 0
    for tier in rulebook.tiers.filter(kind="council"):
        if tier.level == TierLevel.DISTRICT:
            for district in province.districts.order_by("code"):
                council = _council(tier, province, district, members)
                rounds += _rounds(council, DISTRICT_ROUNDS, district.short_name)
        else:
            council = _council(tier, province, None, members)
            rounds += _rounds(council, PROVINCE_ROUNDS, "cấp tỉnh")

    proposed = propose_product_sets(province)
    dossiers = 0
    registrations = Registration.objects.filter(
        province=province, year=DEMO_YEAR, dossier__isnull=True
    ).select_related("product__product_set")
    for registration in registrations:
        create_dossier(registration, admin)
        dossiers += 1
    return {
        "sheets": len(sheets["created"]) + len(sheets["unchanged"]),
        "corrected": len(corrected),
        "rounds": Round.objects.filter(province=province, year=DEMO_YEAR).count(),
        "new_rounds": rounds,
        "proposed": proposed,
        "dossiers": Dossier.objects.filter(
            programme_year__province=province, programme_year__year=DEMO_YEAR
        ).count(),
        "new_dossiers": dossiers,
    }


def _council(tier, province, district, members):
    area = district.name if district else province.name
    council, _ = Council.objects.get_or_create(
        tier=tier,
        province=province,
        district=district,
        year=DEMO_YEAR,
        defaults={"name": f"Hội đồng đánh giá, phân hạng sản phẩm OCOP {area}"},
    )
    for user, role in members:
        CouncilMembership.objects.get_or_create(
            council=council, user=user, defaults={"role": role}
        )
    return council


def _rounds(council, plan, area_label):
    created = 0
    for name, closes_on in plan:
        _, is_new = Round.objects.get_or_create(
            tier=council.tier,
            council=council,
            province=council.province,
            district=council.district,
            year=DEMO_YEAR,
            name=f"{name} năm {DEMO_YEAR} – {area_label}",
            defaults={"closes_on": closes_on},
        )
        created += is_new
    return created


def propose_product_sets(province):
    """Give each product without a set the one its name suggests (unconfirmed)."""
    product_sets = {ps.number: ps for ps in ProductSet.objects.all()}
    if len(product_sets) < 26:
        product_sets = {ps.number: ps for ps in load_product_sets()}
    proposed = 0
    products = Product.objects.filter(
        producer__province=province, product_set__isnull=True
    )
    for product in products:
        suggestion = suggest_product_set(product.name)
        if suggestion is None:
            continue
        product.product_set = product_sets[suggestion.number]
        product.is_product_set_confirmed = False
        product.save(update_fields=["product_set", "is_product_set_confirmed"])
        proposed += 1
    return proposed
