"""The rulebooks are data: read from fixtures/rulebooks.json, checked, loaded."""

import json
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from evaluation.models import Rulebook, Tier
from evaluation.rulebooks import RULEBOOKS_FILE, load_rulebooks, read_rulebooks


def _tiers(rulebook):
    return [
        (t["level"], t["certifies_stars"], t["refers_from"]) for t in rulebook["tiers"]
    ]


def test_shipped_rulebooks_are_148_of_2023_and_26_of_2026():
    by_code = {r["code"]: r for r in read_rulebooks()}

    assert sorted(by_code) == ["148-2023", "26-2026"]
    assert (by_code["148-2023"]["valid_from"], by_code["148-2023"]["valid_to"]) == (
        date(2023, 2, 24),
        date(2025, 7, 5),
    )
    assert _tiers(by_code["148-2023"]) == [
        ("commune", [], None),
        ("district", [3], Decimal("70")),
        ("province", [4], Decimal("90")),
        ("ministry", [5], None),
    ]
    assert (by_code["26-2026"]["valid_from"], by_code["26-2026"]["valid_to"]) == (
        date(2026, 5, 22),
        None,
    )
    assert _tiers(by_code["26-2026"]) == [
        ("commune", [], None),
        ("province", [3, 4], Decimal("90")),
        ("ministry", [5], None),
    ]
    assert [(b["stars"], b["min"]) for b in by_code["26-2026"]["star_bands"]] == [
        (5, "90"),
        (4, "70"),
        (3, "50"),
        (2, "30"),
        (1, "0"),
    ]


@pytest.mark.django_db
def test_loading_the_rulebooks_twice_changes_nothing():
    load_rulebooks()
    tiers = list(Tier.objects.order_by("pk").values())

    load_rulebooks()

    assert Rulebook.objects.count() == 2
    assert list(Tier.objects.order_by("pk").values()) == tiers


def _file(tmp_path, change):
    data = json.loads(RULEBOOKS_FILE.read_text(encoding="utf-8"))
    change(data["rulebooks"][1])
    path = tmp_path / "rulebooks.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda r: r["tiers"][1]["certifies_stars"].append(5),
            "Quy định 26-2026, «tiers»: mỗi hạng 3, 4 và 5 sao do đúng một cấp công "
            "nhận.",
        ),
        (
            lambda r: r.update(valid_from="22/05/2026"),
            "Quy định 26-2026, «valid_from»: «22/05/2026» không phải ngày "
            "(YYYY-MM-DD).",
        ),
        (
            lambda r: r["star_bands"].pop(),
            "Quy định 26-2026, «star_bands»: cần đủ các mức từ 5 sao xuống 1 sao, theo "
            "thứ tự.",
        ),
        (
            lambda r: r["tiers"].reverse(),
            "Quy định 26-2026, «tiers[1]»: cấp đầu tiên là đánh giá của xã, không chấm "
            "điểm.",
        ),
    ],
    ids=["a level certified twice", "a date as typed", "a band missing", "no commune"],
)
@pytest.mark.django_db
def test_load_rulebooks_refuses_a_faulty_file_and_writes_nothing(
    tmp_path, change, message
):
    path = _file(tmp_path, change)

    with pytest.raises(CommandError) as error:
        call_command("load_rulebooks", str(path), stdout=StringIO())

    assert str(error.value) == message
    assert Rulebook.objects.count() == 0


@pytest.mark.django_db
def test_a_rulebook_of_its_own_file_loads_beside_the_shipped_ones(tmp_path):
    def as_1489(rulebook):
        rulebook.update(
            code="1489-2025",
            legal_basis="1489/QĐ-TTg",
            title="Quyết định số 1489/QĐ-TTg ngày 06/7/2025",
            signed_on="2025-07-06",
            valid_from="2025-07-06",
            valid_to="2026-05-21",
        )

    load_rulebooks()
    out = StringIO()

    call_command("load_rulebooks", str(_file(tmp_path, as_1489)), stdout=out)

    assert sorted(Rulebook.objects.values_list("code", flat=True)) == [
        "148-2023",
        "1489-2025",
        "26-2026",
    ]
    assert out.getvalue().splitlines()[-1] == (
        "1489/QĐ-TTg: Ủy ban nhân dân cấp xã → Hội đồng đánh giá, phân hạng cấp tỉnh "
        "→ Hội đồng đánh giá, phân hạng cấp trung ương"
    )
