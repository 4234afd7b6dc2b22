"""The rulebooks the software ships with: the rules of evaluation, as data.

- Decision 148/QĐ-TTg (24/02/2023), the rule of Lai Châu's 2023 plan: the commune
  assesses; the district council certifies 3 stars and refers 70 points and over to
  the province; the province council certifies 4 stars and refers 90 and over to the
  Ministry, which certifies 5 stars.
- Decision 26/2026/QĐ-TTg (22/05/2026), in force now: the commune assesses; the
  province council certifies 3 and 4 stars and refers 90 and over to the Ministry.

The 148 text of the scoring sheets is not available here, so the 2023 rulebook scores
on the 2026 sheets, and says so wherever its sheets are shown.

The rulebooks are data, in ``fixtures/rulebooks.json``: a new rule is a new entry
there (or a file of its own, loaded with ``manage.py load_rulebooks FILE``), not code.
"""

import json
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from .enums import TierKind, TierLevel
from .models import Rulebook, Tier

RULEBOOKS_FILE = Path(settings.BASE_DIR) / "fixtures" / "rulebooks.json"

RULEBOOK_FIELDS = (
    "legal_basis",
    "title",
    "signed_on",
    "valid_from",
    "valid_to",
    "sheet_edition",
    "sheet_note",
    "sheet_note_en",
)
TIER_FIELDS = (
    "level",
    "kind",
    "name",
    "certifies_stars",
    "refers_from",
    "issuing_authority",
)


class RulebookFileError(ValueError):
    """A rulebooks file that cannot be loaded; the message says where, in
    Vietnamese."""


def read_rulebooks(path=None):
    """The rulebooks of a file (by default the shipped ``fixtures/rulebooks.json``),
    checked, with dates and scores as Python values. Writes nothing.

    Raises :class:`RulebookFileError` naming the rulebook and field that is wrong.
    """
    path = Path(path or RULEBOOKS_FILE)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RulebookFileError(
            _("Không đọc được tệp quy định %(path)s: %(reason)s")
            % {"path": path.name, "reason": exc}
        ) from exc
    items = data.get("rulebooks") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        raise RulebookFileError(_("Tệp quy định không có danh sách «rulebooks»."))
    return [_checked_rulebook(item) for item in items]


def _checked_rulebook(item):
    code = item.get("code") if isinstance(item, dict) else None
    if not code or not isinstance(code, str):
        raise RulebookFileError(_("Có quy định thiếu mã («code»)."))

    def fail(field, problem):
        raise RulebookFileError(
            _("Quy định %(code)s, «%(field)s»: %(problem)s")
            % {"code": code, "field": field, "problem": problem}
        )

    rulebook = {"code": code}
    for field in RULEBOOK_FIELDS:
        value = item.get(field, "")
        if field in ("signed_on", "valid_from", "valid_to"):
            value = _date(value, field, fail, required=field != "valid_to")
        elif not isinstance(value, str) or (
            not value and field in ("legal_basis", "title", "sheet_edition")
        ):
            fail(field, _("cần một chuỗi chữ."))
        rulebook[field] = value
    if rulebook["valid_to"] and rulebook["valid_to"] < rulebook["valid_from"]:
        fail("valid_to", _("ngày hết áp dụng trước ngày bắt đầu áp dụng."))
    rulebook["star_bands"] = _bands(item.get("star_bands"), fail)
    rulebook["tiers"] = _tiers(item.get("tiers"), fail)
    return rulebook


def _date(value, field, fail, *, required):
    if value in (None, ""):
        if required:
            fail(field, _("cần ngày (YYYY-MM-DD)."))
        return None
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        fail(field, _("«%(value)s» không phải ngày (YYYY-MM-DD).") % {"value": value})


def _bands(bands, fail):
    """Star levels from the highest, each with the lowest score that reaches it; the
    last starts at 0 so that every score has its level."""
    if not isinstance(bands, list) or not bands:
        fail("star_bands", _("cần danh sách các mức sao."))
    checked = []
    for band in bands:
        try:
            stars, low = int(band["stars"]), Decimal(str(band["min"]))
        except (KeyError, TypeError, ValueError, InvalidOperation):
            fail("star_bands", _("mỗi mức cần «stars» và «min»."))
        checked.append({"stars": stars, "min": str(low)})
    lows = [Decimal(band["min"]) for band in checked]
    if [b["stars"] for b in checked] != list(range(5, 0, -1)):
        fail("star_bands", _("cần đủ các mức từ 5 sao xuống 1 sao, theo thứ tự."))
    if lows != sorted(lows, reverse=True) or lows[-1] != 0 or lows[0] > 100:
        fail("star_bands", _("điểm tối thiểu phải giảm dần từ 100 về 0."))
    return checked


def _tiers(tiers, fail):
    """The tiers in order: the commune's assessment first, then councils, the
    Ministry's recorded result last."""
    if not isinstance(tiers, list) or len(tiers) < 2:
        fail("tiers", _("cần ít nhất cấp xã và một cấp hội đồng."))
    checked = []
    for position, tier in enumerate(tiers, start=1):
        where = f"tiers[{position}]"
        if not isinstance(tier, dict) or set(TIER_FIELDS) - set(tier):
            fail(
                where,
                _("mỗi cấp cần: %(fields)s.") % {"fields": ", ".join(TIER_FIELDS)},
            )
        if tier["level"] not in TierLevel.values or tier["kind"] not in TierKind.values:
            fail(where, _("cấp hoặc cách đánh giá không có trong danh mục."))
        stars = tier["certifies_stars"]
        if not isinstance(stars, list) or not set(stars) <= {3, 4, 5}:
            fail(where, _("«certifies_stars» chỉ gồm 3, 4, 5 sao."))
        refers_from = tier["refers_from"]
        if refers_from is not None:
            try:
                refers_from = Decimal(str(refers_from))
            except InvalidOperation:
                fail(where, _("«refers_from» phải là một số điểm."))
        checked.append(
            {**{f: tier[f] for f in TIER_FIELDS}, "refers_from": refers_from}
        )
    if checked[0]["kind"] != TierKind.ASSESSMENT:
        fail("tiers[1]", _("cấp đầu tiên là đánh giá của xã, không chấm điểm."))
    certified = [star for tier in checked for star in tier["certifies_stars"]]
    if sorted(certified) != [3, 4, 5]:
        fail("tiers", _("mỗi hạng 3, 4 và 5 sao do đúng một cấp công nhận."))
    return checked


@transaction.atomic
def load_rulebooks(path=None):
    """Create or update the rulebooks of a file (by default the shipped ones) and
    their tiers; returns them by code. Running it again changes nothing."""
    loaded = {}
    for item in read_rulebooks(path):
        fields = {k: v for k, v in item.items() if k not in ("code", "tiers")}
        rulebook, _created = Rulebook.objects.update_or_create(
            code=item["code"], defaults=fields
        )
        for order, tier in enumerate(item["tiers"], start=1):
            Tier.objects.update_or_create(rulebook=rulebook, order=order, defaults=tier)
        loaded[rulebook.code] = rulebook
    return loaded
