"""Loading the official administrative units from ``vietnamadminunits``.

The package carries both lists with their official codes: the 63 provinces with
districts and communes in force until 30 June 2025, and the 34 provinces with their
communes since 1 July 2025, plus the mapping from old communes to new ones.
"""

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from .enums import UnitKind
from .models import Commune, CommuneSuccession, District, Province

logger = logging.getLogger(__name__)

_KINDS = {
    "Tỉnh": UnitKind.PROVINCE,
    "Thành phố": UnitKind.CITY,
    "Huyện": UnitKind.DISTRICT,
    "Thị xã": UnitKind.TOWN,
    "Quận": UnitKind.URBAN_DISTRICT,
    "Xã": UnitKind.COMMUNE,
    "Phường": UnitKind.WARD,
    "Thị trấn": UnitKind.TOWNLET,
    "Đặc khu": UnitKind.SPECIAL_ZONE,
}


@dataclass
class LoadResult:
    provinces: int = 0
    districts: int = 0
    communes_old: int = 0
    communes_new: int = 0
    successions: int = 0


def _kind(label, name=""):
    if label in _KINDS:
        return _KINDS[label]
    for prefix, kind in _KINDS.items():
        if name.startswith(prefix + " "):
            return kind
    return UnitKind.COMMUNE


def proper_name(name, kind_label):
    """A unit's name with each word after its kind capitalised, as Vietnamese place
    names are written: the list has a few in lower case ("Xã Pa ủ" for Pa Ủ, "Xã
    Đại áng"). "Nông trường" (a state farm) stays a common noun."""
    if not name.startswith(kind_label + " "):
        return name
    words = name[len(kind_label) :].split()
    fixed = [
        word
        if word[:1].isupper() or (word == "trường" and words[i - 1 : i] == ["Nông"])
        else word[:1].upper() + word[1:]
        for i, word in enumerate(words)
    ]
    return " ".join([kind_label, *fixed])


def _query(sql, params=()):
    import sqlite3

    from vietnamadminunits.database import main as db

    with sqlite3.connect(db.MODULE_DIR / "data/dataset.db") as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(sql, params).fetchall()]


def _converter_data():
    from vietnamadminunits.database import main as db

    path = Path(db.MODULE_DIR) / "data" / "converter_2025.json"
    return json.loads(path.read_text(encoding="utf-8"))


def available_provinces():
    """Today's provinces as (code, name), for choosing what to load."""
    rows = _query(
        "SELECT DISTINCT provinceCode, province FROM admin_units ORDER BY provinceCode"
    )
    return [(r["provinceCode"], r["province"]) for r in rows]


@transaction.atomic
def load_province(code):
    """Load one of today's provinces, its old districts and communes, its new
    communes and the mapping between them. Running it again changes nothing."""
    result = LoadResult()
    new_rows = _query("SELECT * FROM admin_units WHERE provinceCode = ?", (code,))
    if not new_rows:
        raise ValueError(f"Không có tỉnh mã {code} trong danh mục hành chính.")
    first = new_rows[0]
    province, created = Province.objects.update_or_create(
        code=code,
        defaults={
            "name": first["province"],
            "kind": UnitKind.CITY_PROVINCE
            if first["province"].startswith("Thành phố")
            else UnitKind.PROVINCE,
        },
    )
    result.provinces += int(created)

    province_key = first["provinceKey"]
    new_by_key = {}
    for row in new_rows:
        commune, created = Commune.objects.update_or_create(
            code=row["wardCode"],
            is_current=True,
            defaults={
                "province": province,
                "district": None,
                "name": proper_name(row["ward"], row["wardType"]),
                "kind": _kind(row["wardType"], row["ward"]),
            },
        )
        new_by_key[row["wardKey"]] = commune
        result.communes_new += int(created)

    # Old provinces merged into this one: their keys as the converter lists them.
    converter = _converter_data()
    old_province_keys = converter["DICT_PROVINCE"].get(province_key, [province_key])
    placeholders = ",".join("?" * len(old_province_keys))
    old_rows = _query(
        f"SELECT * FROM admin_units_legacy WHERE provinceKey IN ({placeholders})",
        tuple(old_province_keys),
    )
    districts = {}
    old_by_key = {}
    for row in old_rows:
        district = districts.get(row["districtCode"])
        if district is None:
            district, created = District.objects.update_or_create(
                code=row["districtCode"],
                defaults={
                    "province": province,
                    "name": proper_name(row["district"], row["districtType"]),
                    "kind": _kind(row["districtType"], row["district"]),
                    "legacy_province_code": row["provinceCode"],
                    "legacy_province_name": row["province"],
                },
            )
            districts[row["districtCode"]] = district
            result.districts += int(created)
        if not row["wardCode"]:
            continue
        commune, created = Commune.objects.update_or_create(
            code=row["wardCode"],
            is_current=False,
            defaults={
                "province": province,
                "district": district,
                "name": proper_name(row["ward"], row["wardType"]),
                "kind": _kind(row["wardType"], row["ward"]),
            },
        )
        key = f"{row['provinceKey']}_{row['districtKey']}_{row['wardKey']}"
        old_by_key[key] = commune
        result.communes_old += int(created)

    not_divided = converter["DICT_PROVINCE_WARD_NO_DIVIDED"].get(province_key, {})
    divided = converter["DICT_PROVINCE_WARD_DIVIDED"].get(province_key, {})
    links = []
    for new_key, old_keys in not_divided.items():
        for old_key in old_keys:
            links.append((old_key, new_key, True))
    for old_key, options in divided.items():
        for option in options:
            links.append(
                (old_key, option["newWardKey"], bool(option["isDefaultNewWard"]))
            )
    for old_key, new_key, is_default in links:
        old, new = old_by_key.get(old_key), new_by_key.get(new_key)
        if old is None or new is None:
            logger.warning("Không ghép được %s -> %s", old_key, new_key)
            continue
        _, created = CommuneSuccession.objects.update_or_create(
            old=old, new=new, defaults={"is_default": is_default}
        )
        result.successions += int(created)

    logger.info("Loaded administrative units of %s: %s", province.name, result)
    return province, result
