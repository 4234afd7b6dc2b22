"""The OCOP classification (Appendix I): sectors, groups and the 26 product sets."""

import json
from pathlib import Path

from django.conf import settings
from django.db import transaction

from .models import ProductSet

CRITERIA_FILE = Path(settings.BASE_DIR) / "fixtures" / "ocop-criteria-26-2026.json"
TOURISM_SECTOR = "VI"


@transaction.atomic
def load_product_sets(path=CRITERIA_FILE):
    """Create or update the 26 product sets from the criteria file; returns them."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    sectors = {s["code"]: s["name"] for s in data["sectors"]}
    groups = {g["code"]: g["name"] for g in data["groups"]}
    product_sets = []
    for item in data["product_sets"]:
        product_set, _ = ProductSet.objects.update_or_create(
            number=item["number"],
            defaults={
                "name": item["name"],
                "sector_code": item["sector"],
                "sector_name": sectors.get(item["sector"], ""),
                "group_code": item["group"],
                "group_name": groups.get(item["group"], ""),
                "subgroup_code": item.get("subgroup") or "",
                "is_tourism": item["sector"] == TOURISM_SECTOR,
            },
        )
        product_sets.append(product_set)
    return product_sets
