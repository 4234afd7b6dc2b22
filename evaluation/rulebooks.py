"""The two rulebooks the software ships with, as data.

- Decision 148/QĐ-TTg (24/02/2023), the rule of Lai Châu's 2023 plan: the commune
  assesses; the district council certifies 3 stars and refers 70 points and over to
  the province; the province council certifies 4 stars and refers 90 and over to the
  Ministry, which certifies 5 stars.
- Decision 26/2026/QĐ-TTg (22/05/2026), in force now: the commune assesses; the
  province council certifies 3 and 4 stars and refers 90 and over to the Ministry.

The 148 text of the scoring sheets is not available here, so the 2023 rulebook scores
on the 2026 sheets, and says so wherever its sheets are shown.
"""

from datetime import date
from decimal import Decimal

from django.db import transaction

from .enums import TierKind, TierLevel
from .models import Rulebook, Tier

STAR_BANDS = [
    {"stars": 5, "min": "90"},
    {"stars": 4, "min": "70"},
    {"stars": 3, "min": "50"},
    {"stars": 2, "min": "30"},
    {"stars": 1, "min": "0"},
]

RULEBOOKS = [
    {
        "code": "148-2023",
        "legal_basis": "148/QĐ-TTg",
        "title": (
            "Quyết định số 148/QĐ-TTg ngày 24/02/2023 của Thủ tướng Chính phủ ban "
            "hành Bộ tiêu chí và quy trình đánh giá, phân hạng sản phẩm Chương trình "
            "mỗi xã một sản phẩm"
        ),
        "signed_on": date(2023, 2, 24),
        "valid_from": date(2023, 2, 24),
        # Decision 1489/QĐ-TTg moved the districts' part to the province from
        # 6 July 2025; it is not shipped as a rulebook of its own.
        "valid_to": date(2025, 7, 5),
        "sheet_edition": "26-2026",
        "sheet_note": (
            "Chưa có văn bản phiếu chấm của Quyết định 148/QĐ-TTg: quy định năm 2023 "
            "chấm trên phiếu của Quyết định 26/2026/QĐ-TTg."
        ),
        "tiers": [
            {
                "level": TierLevel.COMMUNE,
                "kind": TierKind.ASSESSMENT,
                "name": "Ủy ban nhân dân cấp xã",
                "certifies_stars": [],
                "refers_from": None,
                "issuing_authority": "",
            },
            {
                "level": TierLevel.DISTRICT,
                "kind": TierKind.COUNCIL,
                "name": "Hội đồng đánh giá, phân hạng cấp huyện",
                "certifies_stars": [3],
                "refers_from": Decimal("70"),
                "issuing_authority": "Ủy ban nhân dân {area}",
            },
            {
                "level": TierLevel.PROVINCE,
                "kind": TierKind.COUNCIL,
                "name": "Hội đồng đánh giá, phân hạng cấp tỉnh",
                "certifies_stars": [4],
                "refers_from": Decimal("90"),
                "issuing_authority": "Ủy ban nhân dân {area}",
            },
            {
                "level": TierLevel.MINISTRY,
                "kind": TierKind.RECORDED,
                "name": "Hội đồng đánh giá, phân hạng cấp trung ương",
                "certifies_stars": [5],
                "refers_from": None,
                "issuing_authority": "Bộ Nông nghiệp và Phát triển nông thôn",
            },
        ],
    },
    {
        "code": "26-2026",
        "legal_basis": "26/2026/QĐ-TTg",
        "title": (
            "Quyết định số 26/2026/QĐ-TTg ngày 22/5/2026 của Thủ tướng Chính phủ ban "
            "hành Bộ tiêu chí và quy trình đánh giá, phân hạng sản phẩm mỗi xã một "
            "sản phẩm"
        ),
        "signed_on": date(2026, 5, 22),
        "valid_from": date(2026, 5, 22),
        "valid_to": None,
        "sheet_edition": "26-2026",
        "sheet_note": "",
        "tiers": [
            {
                "level": TierLevel.COMMUNE,
                "kind": TierKind.ASSESSMENT,
                "name": "Ủy ban nhân dân cấp xã",
                "certifies_stars": [],
                "refers_from": None,
                "issuing_authority": "",
            },
            {
                "level": TierLevel.PROVINCE,
                "kind": TierKind.COUNCIL,
                "name": "Hội đồng đánh giá, phân hạng cấp tỉnh",
                "certifies_stars": [3, 4],
                "refers_from": Decimal("90"),
                "issuing_authority": "Ủy ban nhân dân {area}",
            },
            {
                "level": TierLevel.MINISTRY,
                "kind": TierKind.RECORDED,
                "name": "Hội đồng đánh giá, phân hạng cấp trung ương",
                "certifies_stars": [5],
                "refers_from": None,
                "issuing_authority": "Bộ Nông nghiệp và Môi trường",
            },
        ],
    },
]


@transaction.atomic
def load_rulebooks():
    """Create or update the shipped rulebooks and their tiers; returns them by code."""
    loaded = {}
    for item in RULEBOOKS:
        fields = {k: v for k, v in item.items() if k not in ("code", "tiers")}
        rulebook, _ = Rulebook.objects.update_or_create(
            code=item["code"], defaults={**fields, "star_bands": STAR_BANDS}
        )
        for order, tier in enumerate(item["tiers"], start=1):
            Tier.objects.update_or_create(rulebook=rulebook, order=order, defaults=tier)
        loaded[rulebook.code] = rulebook
    return loaded
