"""Loading, checking and correcting the scoring sheets of the 26 product sets.

The official text has faults (sheets that add up to 110 or 109, blank scores, a
criterion printed without options). The loader keeps the sheets as printed and lists
what fails; a failing sheet cannot be scored on until someone records a correction,
with a reason, as a new version of it.
"""

import functools
import json
import logging
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ocop import audit
from registry.models import ProductSet

from .enums import PART_MAXIMA
from .models import Criterion, Option, ScoringSheet
from .scoring import CriterionSpec, OptionSpec, SheetSpec

logger = logging.getLogger(__name__)

CRITERIA_FILE = Path(settings.BASE_DIR) / "fixtures" / "ocop-criteria-26-2026.json"
EDITION_2026 = "26-2026"
KNOCK_OUT_MARKERS = ("bị loại nếu", "sẽ bị loại")


# -- checking ------------------------------------------------------------------------


def check_sheet(spec):
    """Everything that keeps a sheet from being scored on, as ``{criterion, message}``.

    Every criterion needs options with points; each criterion's maximum must equal its
    best option (or its sub-criteria's best, one case only in a choose-one group);
    taking the best everywhere, the parts must add up to 40, 25 and 35.
    """
    problems = []
    for criterion in spec.walk():
        if criterion.is_leaf and not criterion.options:
            problems.append(
                _problem(criterion, _("Tiêu chí không có phương án nào để chọn."))
            )
        for option in criterion.options:
            if option.points is None:
                problems.append(
                    _problem(
                        criterion,
                        _("Phương án “%(text)s” để trống điểm.")
                        % {"text": option.text[:80]},
                    )
                )
        best = criterion.best_points()
        if criterion.max_points is not None and criterion.max_points != best:
            problems.append(
                _problem(
                    criterion,
                    _(
                        "Điểm tối đa in là %(printed)s nhưng phương án cao nhất "
                        "cho %(best)s."
                    )
                    % {"printed": criterion.max_points, "best": best},
                )
            )

    for part, expected in PART_MAXIMA.items():
        total = sum(c.best_points() for c in spec.criteria if c.part == part)
        if total != expected:
            problems.append(
                {
                    "criterion": "",
                    "message": _(
                        "Phần %(part)s cộng được %(total)s điểm, phải là %(expected)s."
                    )
                    % {"part": part, "total": total, "expected": expected},
                }
            )
    return problems


def _problem(criterion, message):
    return {"criterion": criterion.code, "message": message}


# -- reading a sheet -------------------------------------------------------------------


def sheet_spec(sheet):
    """The sheet as plain data for the rules engine (two queries)."""
    criteria = list(sheet.criteria.order_by("order"))
    options = {}
    for option in Option.objects.filter(criterion__sheet=sheet).order_by("order"):
        options.setdefault(option.criterion_id, []).append(
            OptionSpec(option.pk, option.points, option.min_for_stars, option.text)
        )
    children = {}
    for criterion in criteria:
        children.setdefault(criterion.parent_id, []).append(criterion)

    def build(criterion):
        return CriterionSpec(
            id=criterion.pk,
            code=criterion.code,
            part=criterion.part,
            max_points=criterion.max_points,
            options=tuple(options.get(criterion.pk, ())),
            children=tuple(build(c) for c in children.get(criterion.pk, ())),
            choose_one=criterion.choose_one,
            knock_out=criterion.knock_out,
        )

    return SheetSpec(tuple(build(c) for c in children.get(None, ())))


@functools.lru_cache(maxsize=128)
def _cached_spec(sheet_id, created_at):
    return sheet_spec(ScoringSheet.objects.get(pk=sheet_id))


def cached_sheet_spec(sheet):
    """``sheet_spec`` kept in memory: a stored version never changes (a correction
    makes a new one), so scoring pages need not read it again on every save.

    The key includes the creation time, so that a number reused by another database
    (tests roll back) never brings back a different sheet.
    """
    spec = _cached_spec(sheet.pk, sheet.created_at)
    spec._index()
    return spec


def _spec_from_json(item):
    """A sheet of the criteria file as plain data (ids are positions)."""
    counter = iter(range(1, 1_000_000))

    def build(raw, part):
        return CriterionSpec(
            id=next(counter),
            code=raw["code"],
            part=part,
            max_points=raw["max_points"],
            options=tuple(
                OptionSpec(next(counter), o["points"], o["min_for_stars"], o["text"])
                for o in raw["options"]
            ),
            children=tuple(build(c, part) for c in raw["criteria"]),
            choose_one=bool(raw.get("choose_one")),
            knock_out=_knock_out(raw.get("note")),
        )

    return SheetSpec(tuple(build(c, c["part"]) for c in item["criteria"]))


def _knock_out(note):
    if not note:
        return ""
    lines = [
        line
        for line in note.splitlines()
        if any(marker in line.lower() for marker in KNOCK_OUT_MARKERS)
    ]
    return "\n".join(lines)


def latest_sheet(product_set, edition):
    """The newest version of a product set's sheet in an edition, or None."""
    return (
        ScoringSheet.objects.filter(product_set=product_set, edition=edition)
        .order_by("-version")
        .first()
    )


def _fingerprint(spec):
    return [
        (
            c.code,
            c.part,
            c.max_points,
            c.choose_one,
            tuple((o.text, o.points, o.min_for_stars) for o in c.options),
        )
        for c in spec.walk()
    ]


# -- loading ---------------------------------------------------------------------------


@transaction.atomic
def load_scoring_sheets(
    path=CRITERIA_FILE, *, edition=EDITION_2026, numbers=None, actor=None
):
    """Load a criteria file's sheets; returns ``{"created", "unchanged", "invalid"}``.

    A sheet identical to a stored version is left alone; a different one is stored
    as a new version of it. Each new sheet is checked and its problems kept on it.
    ``numbers`` restricts the load to some product sets.
    """
    path = Path(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    product_sets = {ps.number: ps for ps in ProductSet.objects.all()}
    if len(product_sets) < len(data["product_sets"]):
        from registry.classification import load_product_sets

        product_sets = {ps.number: ps for ps in load_product_sets(path)}

    summary = {"created": [], "unchanged": [], "invalid": []}
    for item in data["product_sets"]:
        if numbers is not None and item["number"] not in numbers:
            continue
        product_set = product_sets[item["number"]]
        spec = _spec_from_json(item)
        latest = latest_sheet(product_set, edition)
        if _already_stored(product_set, edition, spec):
            summary["unchanged"].append(item["number"])
            continue

        sheet = ScoringSheet.objects.create(
            product_set=product_set,
            edition=edition,
            version=latest.version + 1 if latest else 1,
            heading=item.get("sheet_heading") or "",
            dossier_rejected_when=item.get("dossier_rejected_when") or [],
            supersedes=latest,
            correction_reason=(
                _("Nhập lại từ tệp %(name)s.") % {"name": path.name} if latest else ""
            ),
            corrected_by=actor if latest else None,
            source=path.name,
        )
        _write_criteria(sheet, item["criteria"])
        _check_and_store(sheet)
        summary["created"].append(item["number"])
        if not sheet.is_valid:
            summary["invalid"].append(item["number"])
        audit.record(
            actor,
            "evaluation.sheet.loaded",
            sheet,
            to_state="valid" if sheet.is_valid else "invalid",
            data={"source": path.name, "problems": sheet.problems},
        )
    logger.info(
        "Loaded scoring sheets from %s: %s new, %s unchanged, %s failing checks",
        path.name,
        len(summary["created"]),
        len(summary["unchanged"]),
        len(summary["invalid"]),
    )
    return summary


def _already_stored(product_set, edition, spec):
    """Whether some stored version reads exactly as ``spec`` (corrected ones too:
    loading the same file again does not undo a correction)."""
    fingerprint = _fingerprint(spec)
    versions = ScoringSheet.objects.filter(product_set=product_set, edition=edition)
    return any(_fingerprint(sheet_spec(v)) == fingerprint for v in versions)


def _write_criteria(sheet, raw_criteria):
    order = iter(range(1, 1_000_000))
    options = []

    def write(raw, parent, part, depth):
        criterion = Criterion.objects.create(
            sheet=sheet,
            parent=parent,
            part=part,
            code=raw["code"],
            name=raw["name"],
            description=raw.get("description") or "",
            requirement=raw.get("requirement") or "",
            note=raw.get("note") or "",
            knock_out=raw.get("knock_out", _knock_out(raw.get("note"))),
            max_points=raw["max_points"],
            choose_one=bool(raw.get("choose_one")),
            depth=depth,
            order=next(order),
        )
        for position, option in enumerate(raw["options"], start=1):
            options.append(
                Option(
                    criterion=criterion,
                    order=position,
                    text=option["text"],
                    points=option["points"],
                    min_for_stars=option["min_for_stars"],
                )
            )
        for child in raw["criteria"]:
            write(child, criterion, part, depth + 1)

    for raw in raw_criteria:
        write(raw, None, raw["part"], 0)
    Option.objects.bulk_create(options)


def _check_and_store(sheet):
    sheet.problems = check_sheet(sheet_spec(sheet))
    sheet.is_valid = not sheet.problems
    sheet.save(update_fields=["problems", "is_valid"])


# -- correcting ----------------------------------------------------------------------


def _sheet_as_raw(sheet):
    """The stored sheet in the criteria file's shape, to copy into a new version."""
    criteria = list(sheet.criteria.order_by("order"))
    options = {}
    for option in Option.objects.filter(criterion__sheet=sheet).order_by("order"):
        options.setdefault(option.criterion_id, []).append(
            {
                "text": option.text,
                "points": option.points,
                "min_for_stars": option.min_for_stars,
            }
        )
    raw = {}
    roots = []
    for criterion in criteria:
        item = {
            "code": criterion.code,
            "part": criterion.part,
            "name": criterion.name,
            "description": criterion.description,
            "requirement": criterion.requirement,
            "note": criterion.note,
            "knock_out": criterion.knock_out,
            "max_points": criterion.max_points,
            "choose_one": criterion.choose_one,
            "options": options.get(criterion.pk, []),
            "criteria": [],
        }
        raw[criterion.pk] = item
        if criterion.parent_id:
            raw[criterion.parent_id]["criteria"].append(item)
        else:
            roots.append(item)
    return roots, {item["code"]: item for item in raw.values()}


@transaction.atomic
def correct_sheet(sheet, actor, reason, changes):
    """Record a correction of a sheet as its new version; returns the new sheet.

    ``changes`` is a list of dicts, each naming a ``criterion`` code and one of:
    ``option`` (its printed position, from 1) with new ``points``; ``add_option``
    (``{"text", "points", "min_for_stars"}``); ``max_points``.
    Side effects: an audit entry ``evaluation.sheet.corrected``.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Cần ghi lý do hiệu chỉnh phiếu chấm.")})
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise ValidationError(_("Cần biết ai hiệu chỉnh phiếu chấm."))
    if sheet.superseded_by.exists():
        raise ValidationError(
            _("Phiếu này đã có phiên bản mới hơn; hãy hiệu chỉnh phiên bản mới nhất.")
        )
    if not changes:
        raise ValidationError(_("Chưa có thay đổi nào."))

    roots, by_code = _sheet_as_raw(sheet)
    for change in changes:
        criterion = by_code.get(change.get("criterion"))
        if criterion is None:
            raise ValidationError(
                _("Phiếu không có tiêu chí %(code)s.")
                % {"code": change.get("criterion")}
            )
        if "option" in change:
            position = change["option"]
            if not 1 <= position <= len(criterion["options"]):
                raise ValidationError(
                    _("Tiêu chí %(code)s không có phương án thứ %(n)s.")
                    % {"code": criterion["code"], "n": position}
                )
            criterion["options"][position - 1]["points"] = change["points"]
        elif "add_option" in change:
            added = change["add_option"]
            criterion["options"].append(
                {
                    "text": added["text"],
                    "points": added["points"],
                    "min_for_stars": added.get("min_for_stars"),
                }
            )
        elif "max_points" in change:
            criterion["max_points"] = change["max_points"]
        else:
            raise ValidationError(
                _("Thay đổi không hợp lệ: %(change)s") % {"change": change}
            )

    corrected = ScoringSheet.objects.create(
        product_set=sheet.product_set,
        edition=sheet.edition,
        version=sheet.version + 1,
        heading=sheet.heading,
        dossier_rejected_when=sheet.dossier_rejected_when,
        supersedes=sheet,
        correction_reason=reason,
        corrected_by=actor,
        source=sheet.source,
    )
    _write_criteria(corrected, roots)
    _check_and_store(corrected)
    audit.record(
        actor,
        "evaluation.sheet.corrected",
        corrected,
        from_state=f"v{sheet.version}",
        to_state=f"v{corrected.version}",
        reason=reason,
        data={"changes": changes, "problems": corrected.problems},
    )
    logger.info(
        "Sheet of set %s corrected to version %s by %s",
        sheet.product_set.number,
        corrected.version,
        actor.username,
    )
    return corrected
