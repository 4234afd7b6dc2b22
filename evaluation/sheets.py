"""Loading, checking and correcting the scoring sheets of the 26 product sets.

The official text has faults (sheets that add up to 110 or 109, blank scores, a
criterion printed without options). The loader keeps the sheets as printed and lists
what fails; a failing sheet cannot be scored on until someone records a correction,
with a reason, as a new version of it.

Sheets are versioned per edition (the decision they were printed in: "26-2026"); a
rulebook names the edition it scores on. The import page and ``manage.py
load_scoring_sheets`` read a criteria file (``sheet_file``) and go through
``import_scoring_sheets``; the correction page and the known corrections
(``corrections``) through ``correct_sheet``.
"""

import functools
import hashlib
import json
import logging
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ocop import audit
from registry.models import ProductSet

from .enums import PART_MAXIMA, SheetImportStatus
from .models import Criterion, Option, Rulebook, ScoringSheet
from .scoring import CriterionSpec, OptionSpec, SheetSpec
from .sheet_file import (
    MAX_POINTS,
    PRODUCT_SET_NUMBERS,
    STAR_LEVELS,
    read_criteria_file,
)

logger = logging.getLogger(__name__)

CRITERIA_FILE = Path(settings.BASE_DIR) / "fixtures" / "ocop-criteria-26-2026.json"
EDITION_2026 = "26-2026"
KNOCK_OUT_MARKERS = ("bị loại nếu", "sẽ bị loại")
# A correction's reason, per criterion changed: a few sentences, not a report.
REASON_MAX_LENGTH = 1000


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


def scoring_sheet(product_set, edition):
    """The version a council scores a product on: the newest that passes its checks.

    A newer version that fails (a file imported again with faults, a failing sheet
    corrected step by step) does not stop scoring on the last one that passed.
    Without any, the newest version, which the workflow refuses to score on; None
    without a sheet.
    """
    versions = ScoringSheet.objects.filter(product_set=product_set, edition=edition)
    return (
        versions.filter(is_valid=True).order_by("-version").first()
        or versions.order_by("-version").first()
    )


def scored_version(versions):
    """Of a set's versions (any order), the one councils score on, as
    ``scoring_sheet`` picks it; None if none passes its checks."""
    valid = [version for version in versions if version.is_valid]
    return max(valid, key=lambda version: version.version, default=None)


# -- comparing versions ----------------------------------------------------------------


def _fingerprint(heading, rejected, roots):
    """Everything a sheet prints, to tell whether two versions read the same (the
    knock-out notes are read from the notes, so the notes stand for them)."""

    def criterion(raw, part):
        return (
            raw["code"],
            part,
            raw["name"],
            raw.get("description") or "",
            raw.get("requirement") or "",
            raw.get("note") or "",
            raw["max_points"],
            bool(raw.get("choose_one")),
            tuple(
                (o["text"], o["points"], o.get("min_for_stars")) for o in raw["options"]
            ),
            tuple(criterion(child, part) for child in raw["criteria"]),
        )

    return (
        heading or "",
        tuple(rejected or ()),
        tuple(criterion(root, root["part"]) for root in roots),
    )


def _item_fingerprint(item):
    return _fingerprint(
        item.get("sheet_heading"), item.get("dossier_rejected_when"), item["criteria"]
    )


def _stored_fingerprint(sheet, roots):
    return _fingerprint(sheet.heading, sheet.dossier_rejected_when, roots)


def _points_label(points):
    return _("trống") if points is None else str(points)


def _short(text, length=60):
    text = " ".join((text or "").split())
    return text if len(text) <= length else text[: length - 1] + "…"


def _flatten(roots):
    flat = {}
    stack = list(reversed(roots))
    while stack:
        raw = stack.pop()
        flat[raw["code"]] = raw
        stack.extend(reversed(raw["criteria"]))
    return flat


def sheet_differences(old, new):
    """What reads differently from the sheet ``old`` to the sheet ``new``, as
    sentences; each is ``(heading, dossier_rejected_when, roots)``."""
    differences = []
    if (old[0] or "") != (new[0] or ""):
        differences.append(_("Tiêu đề phiếu đổi."))
    if list(old[1] or ()) != list(new[1] or ()):
        differences.append(_("Các trường hợp hồ sơ bị loại đổi."))
    before, after = _flatten(old[2]), _flatten(new[2])
    for code in before:
        if code not in after:
            differences.append(_("Bỏ tiêu chí %(code)s.") % {"code": code})
    for code, raw in after.items():
        if code not in before:
            differences.append(
                _("Thêm tiêu chí %(code)s “%(name)s”.")
                % {"code": code, "name": _short(raw["name"])}
            )
            continue
        differences.extend(_criterion_differences(before[code], raw))
    return differences


def _criterion_differences(old, new):
    code = new["code"]
    differences = []
    texts = ("name", "description", "requirement", "note")
    if any((old.get(key) or "") != (new.get(key) or "") for key in texts):
        differences.append(_("Tiêu chí %(code)s: đổi nội dung.") % {"code": code})
    if old["max_points"] != new["max_points"]:
        differences.append(
            _("Tiêu chí %(code)s: điểm tối đa %(old)s → %(new)s.")
            % {
                "code": code,
                "old": _points_label(old["max_points"]),
                "new": _points_label(new["max_points"]),
            }
        )
    if bool(old.get("choose_one")) != bool(new.get("choose_one")):
        differences.append(
            _("Tiêu chí %(code)s: đổi cách chấm các trường hợp.") % {"code": code}
        )
    for position, (was, now) in enumerate(
        zip(old["options"], new["options"], strict=False), start=1
    ):
        differences.extend(_option_differences(code, position, was, now))
    for added in new["options"][len(old["options"]) :]:
        differences.append(_added_option(code, added))
    for removed in old["options"][len(new["options"]) :]:
        differences.append(
            _("Tiêu chí %(code)s: bỏ phương án “%(text)s”.")
            % {"code": code, "text": _short(removed["text"])}
        )
    return differences


def _option_differences(code, position, was, now):
    where = {"code": code, "position": position, "text": _short(now["text"])}
    differences = []
    if was["text"] != now["text"]:
        differences.append(
            _(
                "Tiêu chí %(code)s, phương án %(position)s: đổi nội dung thành "
                "“%(text)s”."
            )
            % where
        )
    if was["points"] != now["points"]:
        differences.append(
            _(
                "Tiêu chí %(code)s, phương án %(position)s “%(text)s”: "
                "%(old)s → %(new)s điểm."
            )
            % {
                **where,
                "old": _points_label(was["points"]),
                "new": _points_label(now["points"]),
            }
        )
    if was.get("min_for_stars") != now.get("min_for_stars"):
        differences.append(
            _(
                "Tiêu chí %(code)s, phương án %(position)s “%(text)s”: mức tối "
                "thiểu hạng sao %(old)s → %(new)s."
            )
            % {
                **where,
                "old": _stars_label(was.get("min_for_stars")),
                "new": _stars_label(now.get("min_for_stars")),
            }
        )
    return differences


def _added_option(code, option):
    values = {
        "code": code,
        "text": _short(option["text"]),
        "points": _points_label(option["points"]),
    }
    if option.get("min_for_stars"):
        return _(
            "Tiêu chí %(code)s: thêm phương án “%(text)s” (%(points)s điểm, tối "
            "thiểu %(stars)s sao)."
        ) % {**values, "stars": option["min_for_stars"]}
    return _("Tiêu chí %(code)s: thêm phương án “%(text)s” (%(points)s điểm).") % values


def _stars_label(stars):
    return _("không") if not stars else _("%(stars)s sao") % {"stars": stars}


def _sheets_as_raw(sheets):
    """Stored sheets in the criteria file's shape: ``{sheet id: roots}`` (two
    queries however many sheets)."""
    ids = [sheet.pk for sheet in sheets]
    options = {}
    for option in Option.objects.filter(criterion__sheet_id__in=ids).order_by(
        "criterion_id", "order"
    ):
        options.setdefault(option.criterion_id, []).append(
            {
                "text": option.text,
                "points": option.points,
                "min_for_stars": option.min_for_stars,
            }
        )
    items = {}
    roots = {sheet_id: [] for sheet_id in ids}
    for criterion in Criterion.objects.filter(sheet_id__in=ids).order_by(
        "sheet_id", "order"
    ):
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
        items[criterion.pk] = item
        if criterion.parent_id:
            items[criterion.parent_id]["criteria"].append(item)
        else:
            roots[criterion.sheet_id].append(item)
    return roots


def _sheet_as_raw(sheet):
    """One stored sheet in the file's shape, and its criteria by code."""
    roots = _sheets_as_raw([sheet])[sheet.pk]
    return roots, _flatten(roots)


def version_history(sheet):
    """Every version of the sheet's product set and edition, oldest first, each
    with ``differences`` from the one it supersedes (five queries)."""
    versions = list(
        ScoringSheet.objects.filter(
            product_set_id=sheet.product_set_id, edition=sheet.edition
        )
        .select_related("corrected_by")
        .order_by("version")
    )
    raws = _sheets_as_raw(versions)
    by_id = {version.pk: version for version in versions}
    loaded_by = _loaded_by(versions)
    for version in versions:
        version.loaded_by = loaded_by.get(version.pk)
        version.reason_lines = [
            line for line in version.correction_reason.splitlines() if line.strip()
        ]
        previous = by_id.get(version.supersedes_id)
        version.differences = (
            sheet_differences(
                (previous.heading, previous.dossier_rejected_when, raws[previous.pk]),
                (version.heading, version.dossier_rejected_when, raws[version.pk]),
            )
            if previous
            else []
        )
    return versions


def _loaded_by(versions):
    """Who loaded each version from a file, read from the audit log."""
    from django.contrib.contenttypes.models import ContentType

    from ocop.models import AuditEntry

    entries = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(ScoringSheet),
        object_id__in=[str(version.pk) for version in versions],
        action="evaluation.sheet.loaded",
    ).select_related("actor")
    return {int(entry.object_id): entry.actor for entry in entries}


# -- importing a criteria file ---------------------------------------------------------


@dataclass
class SheetPreview:
    """What importing a file does to one product set's sheet, before it is done.

    ``name`` is the product set's as the registry keeps it: a sheet's import does
    not rename a set (``file_name`` says what the file calls it, when that differs).
    """

    number: int
    name: str
    status: str
    version: int  # the version written, or the stored one the file reads as
    latest: ScoringSheet | None
    problems: list
    differences: list = field(default_factory=list)
    file_name: str = ""

    @property
    def is_valid(self):
        return not self.problems

    @property
    def is_written(self):
        return self.status != SheetImportStatus.UNCHANGED

    def get_status_display(self):
        return SheetImportStatus(self.status).label


def preview_scoring_sheets(criteria_file, *, numbers=None):
    """For each sheet of a checked criteria file, what an import would do: new,
    unchanged (some stored version reads the same, a corrected one included, so
    that importing a file again undoes no correction) or changed (a new version),
    with the checks' results. Writes nothing; three queries."""
    product_sets = {ps.number: ps for ps in ProductSet.objects.all()}
    stored = list(
        ScoringSheet.objects.filter(edition=criteria_file.edition)
        .select_related("corrected_by")
        .order_by("version")
    )
    raws = _sheets_as_raw(stored)
    versions = {}
    for sheet in stored:
        versions.setdefault(sheet.product_set_id, []).append(sheet)

    previews = []
    for item in criteria_file.product_sets:
        if numbers is not None and item["number"] not in numbers:
            continue
        product_set = product_sets.get(item["number"])
        sheets = versions.get(product_set.pk, []) if product_set else []
        fingerprint = _item_fingerprint(item)
        same = next(
            (s for s in sheets if _stored_fingerprint(s, raws[s.pk]) == fingerprint),
            None,
        )
        latest = sheets[-1] if sheets else None
        # The name is the registry's; the file's is taken only for a missing set.
        name = product_set.name if product_set else item["name"]
        preview = SheetPreview(
            number=item["number"],
            name=name,
            status=SheetImportStatus.NEW,
            version=1,
            latest=latest,
            problems=check_sheet(_spec_from_json(item)),
            file_name=item["name"] if item["name"] != name else "",
        )
        if same is not None:
            preview.status, preview.version = SheetImportStatus.UNCHANGED, same.version
        elif latest is not None:
            preview.status = SheetImportStatus.CHANGED
            preview.version = latest.version + 1
            preview.differences = sheet_differences(
                (latest.heading, latest.dossier_rejected_when, raws[latest.pk]),
                (
                    item.get("sheet_heading"),
                    item.get("dossier_rejected_when"),
                    item["criteria"],
                ),
            )
        previews.append(preview)
    return previews


def known_editions():
    """The editions a sheet may be imported into without confirming a new one:
    those of the rulebooks (the edition they score on, and their own code) and
    those already holding sheets."""
    editions = set(ScoringSheet.objects.values_list("edition", flat=True).distinct())
    for code, edition in Rulebook.objects.values_list("code", "sheet_edition"):
        editions.update((code, edition))
    return editions


def is_new_edition(criteria_file):
    """Whether importing the file starts an edition no rulebook scores on and no
    sheet is in, from an edition typed in rather than the file's legal basis."""
    return (
        not criteria_file.is_edition_from_file
        and criteria_file.edition not in known_editions()
    )


def new_edition_message(edition):
    return _(
        "Ấn bản %(edition)s chưa có: không quy định nào dùng ấn bản này và chưa có "
        "phiếu nào của nó. Ghi sẽ tạo một bộ 26 phiếu riêng mà chưa hội đồng nào chấm "
        "trên. Kiểm tra lại ấn bản đã nhập, hoặc xác nhận đây là ấn bản mới."
    ) % {"edition": edition}


def preview_digest(previews):
    """A short digest of a preview, so that a commit can tell whether the stored
    sheets changed since the preview was shown."""
    text = json.dumps([(p.number, p.status, p.version) for p in previews])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@transaction.atomic
def import_scoring_sheets(
    criteria_file, *, actor=None, numbers=None, digest=None, is_new_edition_ok=False
):
    """Write a checked criteria file's sheets, all or none; returns a summary
    ``{"edition", "created", "changed", "unchanged", "invalid"}`` of set numbers.

    A sheet that reads as a stored version is left alone; a different one is stored
    as a new version superseding the newest. ``digest`` (of the preview shown)
    refuses the import if the stored sheets changed since. A typed edition that
    is new (``is_new_edition``) is refused unless ``is_new_edition_ok``.
    Side effects: the product sets, if missing, from the file; an audit entry
    ``evaluation.sheet.loaded`` per sheet written.
    """
    if not is_new_edition_ok and is_new_edition(criteria_file):
        raise ValidationError(new_edition_message(criteria_file.edition))
    _ensure_product_sets(criteria_file)
    # Serialises with other imports and corrections: each takes the next version.
    product_sets = {
        ps.number: ps
        for ps in ProductSet.objects.select_for_update().order_by("number")
    }
    previews = preview_scoring_sheets(criteria_file, numbers=numbers)
    if digest is not None and digest != preview_digest(previews):
        raise ValidationError(
            _(
                "Phiếu chấm đã thay đổi từ lúc xem trước; hãy xem lại bản xem trước "
                "rồi ghi."
            )
        )

    items = {item["number"]: item for item in criteria_file.product_sets}
    summary = {
        "edition": criteria_file.edition,
        "created": [],
        "changed": [],
        "unchanged": [],
        "invalid": [],
    }
    for preview in previews:
        if not preview.is_written:
            summary["unchanged"].append(preview.number)
            continue
        sheet = _write_sheet(
            product_sets[preview.number],
            items[preview.number],
            criteria_file,
            preview,
            actor,
        )
        summary["created"].append(preview.number)
        if preview.status == SheetImportStatus.CHANGED:
            summary["changed"].append(preview.number)
        if not sheet.is_valid:
            summary["invalid"].append(preview.number)
    logger.info(
        "Loaded scoring sheets %s from %s: %s new, %s unchanged, %s failing checks",
        criteria_file.edition,
        criteria_file.name,
        len(summary["created"]),
        len(summary["unchanged"]),
        len(summary["invalid"]),
    )
    return summary


def _write_sheet(product_set, item, criteria_file, preview, actor):
    latest = preview.latest
    reason = ""
    if latest is not None:
        reason = _("Nhập lại từ tệp %(name)s.") % {"name": criteria_file.name}
        reason = "\n".join([reason, *preview.differences])
    sheet = ScoringSheet.objects.create(
        product_set=product_set,
        edition=criteria_file.edition,
        version=preview.version,
        heading=item.get("sheet_heading") or "",
        dossier_rejected_when=item.get("dossier_rejected_when") or [],
        supersedes=latest,
        correction_reason=reason,
        corrected_by=actor if latest and _is_person(actor) else None,
        source=criteria_file.name[:300],
    )
    _write_criteria(sheet, item["criteria"])
    _check_and_store(sheet)
    audit.record(
        actor,
        "evaluation.sheet.loaded",
        sheet,
        from_state=f"v{latest.version}" if latest else "",
        to_state="valid" if sheet.is_valid else "invalid",
        data={
            "source": criteria_file.name,
            "legal_basis": criteria_file.legal_basis,
            "problems": sheet.problems,
        },
    )
    return sheet


def _ensure_product_sets(criteria_file):
    """The 26 product sets, read from the file if some are missing."""
    present = ProductSet.objects.filter(number__in=PRODUCT_SET_NUMBERS).count()
    if present == len(PRODUCT_SET_NUMBERS):
        return
    from registry.classification import load_product_sets

    try:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "criteria.json"
            path.write_text(json.dumps(criteria_file.data), encoding="utf-8")
            load_product_sets(path)
    except (KeyError, TypeError):
        raise ValidationError(
            _(
                "Chưa có danh mục 26 bộ sản phẩm và tệp không đủ phần phân loại "
                "(“sectors”, “groups”) để tạo."
            )
        ) from None


def load_scoring_sheets(
    path=CRITERIA_FILE, *, edition="", numbers=None, actor=None, is_new_edition_ok=False
):
    """Load a criteria file from disk, as the import page does an upload; returns
    the summary of ``import_scoring_sheets``.

    The edition is read from the file's legal basis; ``edition`` is used only when
    the file names none (a new one only with ``is_new_edition_ok``). ``numbers``
    restricts the load to some product sets.
    Raises ``sheet_file.CriteriaFileRefused`` for a file of the wrong structure.
    """
    path = Path(path)
    criteria_file = read_criteria_file(
        path.read_bytes(), name=path.name, edition=edition
    )
    return import_scoring_sheets(
        criteria_file,
        actor=actor,
        numbers=numbers,
        is_new_edition_ok=is_new_edition_ok,
    )


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
                    min_for_stars=option.get("min_for_stars"),
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


def _is_person(actor):
    return actor is not None and getattr(actor, "is_authenticated", False)


# -- correcting ----------------------------------------------------------------------


@transaction.atomic
def correct_sheet(sheet, actor, reason, changes):
    """Record a correction of a sheet as its new version; returns the new sheet.

    ``changes`` is a list of dicts, each naming a ``criterion`` code and one of:
    ``option`` (its printed position, from 1) with new ``points``; ``add_option``
    (``{"text", "points", "min_for_stars"}``, on a criterion without sub-criteria);
    ``max_points``. Each change may carry its own ``reason``; ``reason`` stands for
    those that do not, and every change needs one, of at most
    ``REASON_MAX_LENGTH`` characters. The new version's ``correction_reason``
    lists every change with its reason, one line per reason. A correction that
    would make a sheet passing its checks fail them is refused, with those checks;
    a failing sheet may be corrected step by step, each step a version.
    Side effects: the checks run on the new version; an audit entry
    ``evaluation.sheet.corrected``.
    """
    reason = " ".join((reason or "").split())
    if not _is_person(actor):
        raise ValidationError(_("Cần biết ai hiệu chỉnh phiếu chấm."))
    if not changes:
        raise ValidationError(_("Chưa có thay đổi nào."))
    if any(not " ".join(str(c.get("reason") or "").split()) for c in changes) and (
        not reason
    ):
        raise ValidationError({"reason": _("Cần ghi lý do hiệu chỉnh phiếu chấm.")})
    for why in [reason, *(str(c.get("reason") or "") for c in changes)]:
        if len(why) > REASON_MAX_LENGTH:
            raise ValidationError({"reason": reason_too_long(why)})
    # Serialises with imports and other corrections of the set: one next version.
    ProductSet.objects.select_for_update().filter(pk=sheet.product_set_id).first()
    if ScoringSheet.objects.filter(supersedes=sheet).exists():
        raise ValidationError(
            _("Phiếu này đã có phiên bản mới hơn; hãy hiệu chỉnh phiên bản mới nhất.")
        )

    roots, lines = _corrected_roots(sheet, changes, reason)
    if sheet.is_valid:
        problems = check_sheet(_spec_from_json({"criteria": roots}))
        if problems:
            raise ValidationError(
                [failing_correction_refusal(sheet), *map(problem_line, problems)]
            )

    corrected = ScoringSheet.objects.create(
        product_set=sheet.product_set,
        edition=sheet.edition,
        version=sheet.version + 1,
        heading=sheet.heading,
        dossier_rejected_when=sheet.dossier_rejected_when,
        supersedes=sheet,
        correction_reason="\n".join(
            _("%(changes)s. Lý do: %(reason)s")
            % {"changes": "; ".join(described), "reason": why}
            for described, why in lines
        ),
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
        reason=corrected.correction_reason,
        data={
            "changes": [
                {**c, "reason": str(c.get("reason") or reason)} for c in changes
            ],
            "problems": corrected.problems,
            "is_valid": corrected.is_valid,
        },
    )
    logger.info(
        "Sheet of set %s corrected to version %s by %s",
        sheet.product_set.number,
        corrected.version,
        actor.username,
    )
    return corrected


def reason_too_long(reason):
    """The refusal of a correction's reason past ``REASON_MAX_LENGTH`` characters
    (a sheet's, or a member's sheet corrected by the chair)."""
    return _(
        "Lý do chỉ được dài tối đa %(limit_value)d ký tự (đang có %(show_value)d); "
        "hãy ghi ngắn gọn."
    ) % {"limit_value": REASON_MAX_LENGTH, "show_value": len(reason)}


def correction_problems(sheet, changes):
    """The checks ``sheet`` would fail once ``changes`` are applied (as
    ``correct_sheet`` takes them); writes nothing. Raises ``ValidationError`` for a
    change that cannot be applied."""
    roots, _lines = _corrected_roots(sheet, changes, "")
    return check_sheet(_spec_from_json({"criteria": roots}))


def _corrected_roots(sheet, changes, reason):
    """The sheet's criteria in the file's shape with ``changes`` applied, and the
    lines of the correction's reason: ``([described, ...], reason)``."""
    roots, by_code = _sheet_as_raw(sheet)
    lines = []
    changed = set()
    for change in changes:
        change_reason = " ".join(str(change.get("reason") or "").split()) or reason
        described = _apply_change(by_code, change, changed)
        if lines and lines[-1][1] == change_reason:
            lines[-1][0].append(described)
        else:
            lines.append(([described], change_reason))
    return roots, lines


def failing_correction_refusal(sheet):
    """Why a correction is refused that would make ``sheet`` fail its checks."""
    return _(
        "Phiên bản %(version)s đạt kiểm tra và đang dùng để chấm; hiệu chỉnh này "
        "làm phiếu không đạt kiểm tra nên không được ghi. Các kiểm tra sẽ không đạt:"
    ) % {"version": sheet.version}


def problem_line(problem):
    """A check's problem as one sentence naming its criterion."""
    if problem["criterion"]:
        return _("Tiêu chí %(code)s: %(message)s") % {
            "code": problem["criterion"],
            "message": problem["message"],
        }
    return problem["message"]


def _apply_change(by_code, change, changed):
    """Apply one change to the sheet's raw criteria; returns its description."""
    criterion = by_code.get(change.get("criterion"))
    if criterion is None:
        raise ValidationError(
            _("Phiếu không có tiêu chí %(code)s.") % {"code": change.get("criterion")}
        )
    code = criterion["code"]
    if "option" in change:
        position = change["option"]
        if not isinstance(position, int) or not 1 <= position <= len(
            criterion["options"]
        ):
            raise ValidationError(
                _("Tiêu chí %(code)s không có phương án thứ %(n)s.")
                % {"code": code, "n": position}
            )
        option = criterion["options"][position - 1]
        points = _require_points(change.get("points"), code)
        _require_once(changed, (code, "option", position), code)
        if option["points"] == points:
            raise ValidationError(
                _("Tiêu chí %(code)s, phương án %(n)s đã là %(points)s điểm.")
                % {"code": code, "n": position, "points": points}
            )
        described = _(
            "Tiêu chí %(code)s, phương án %(n)s “%(text)s”: %(old)s → %(new)s điểm"
        ) % {
            "code": code,
            "n": position,
            "text": _short(option["text"]),
            "old": _points_label(option["points"]),
            "new": points,
        }
        option["points"] = points
        return described
    if "add_option" in change:
        added = change["add_option"]
        if criterion["criteria"]:
            raise ValidationError(
                _(
                    "Tiêu chí %(code)s có tiêu chí con; phương án chỉ thêm được cho "
                    "tiêu chí không có tiêu chí con."
                )
                % {"code": code}
            )
        text = " ".join(str(added.get("text") or "").split())
        if not text:
            raise ValidationError(
                _("Phương án thêm cho tiêu chí %(code)s cần có nội dung.")
                % {"code": code}
            )
        stars = added.get("min_for_stars")
        if stars not in (None, *STAR_LEVELS):
            raise ValidationError(
                _("Mức tối thiểu hạng sao phải là 3, 4 hoặc 5 (tiêu chí %(code)s).")
                % {"code": code}
            )
        option = {
            "text": text,
            "points": _require_points(added.get("points"), code),
            "min_for_stars": stars,
        }
        criterion["options"].append(option)
        return _added_option(code, option).rstrip(".")
    if "max_points" in change:
        points = _require_points(change["max_points"], code)
        _require_once(changed, (code, "max_points"), code)
        if criterion["max_points"] == points:
            raise ValidationError(
                _("Điểm tối đa của tiêu chí %(code)s đã là %(points)s.")
                % {"code": code, "points": points}
            )
        described = _("Tiêu chí %(code)s: điểm tối đa %(old)s → %(new)s") % {
            "code": code,
            "old": _points_label(criterion["max_points"]),
            "new": points,
        }
        criterion["max_points"] = points
        return described
    raise ValidationError(_("Thay đổi không hợp lệ: %(change)s") % {"change": change})


def _require_points(points, code):
    if isinstance(points, bool) or not isinstance(points, int):
        raise ValidationError(
            _("Điểm ở tiêu chí %(code)s phải là một số nguyên.") % {"code": code}
        )
    if not 0 <= points <= MAX_POINTS:
        raise ValidationError(
            _("Điểm ở tiêu chí %(code)s phải từ 0 đến %(max)s.")
            % {"code": code, "max": MAX_POINTS}
        )
    return points


def _require_once(changed, key, code):
    if key in changed:
        raise ValidationError(
            _("Tiêu chí %(code)s được sửa hai lần trong một lần hiệu chỉnh.")
            % {"code": code}
        )
    changed.add(key)
