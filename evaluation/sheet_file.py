"""Reading a criteria file: the 26 scoring sheets of a decision, as JSON.

The shape is that of ``fixtures/ocop-criteria-26-2026.json`` (its README says how it
was read): a ``legal_basis`` such as "26/2026/QĐ-TTg", then ``product_sets``, each
with its numbered criterion groups, their criteria and their options with points.

A file whose structure is wrong is refused whole, before anything is written: not
JSON, nested deeper than any criteria file, a set missing or twice, a sheet without
one of its parts, a criterion without a code. Faults of the official text itself
(totals, blank scores) are not refusals: the loader keeps them and
``sheets.check_sheet`` lists them.
"""

import json
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from registry.enums import FIRST_PROGRAMME_YEAR, last_programme_year

PRODUCT_SET_NUMBERS = range(1, 27)
PARTS = ("A", "B", "C")
STAR_LEVELS = (3, 4, 5)
MAX_POINTS = 100
MAX_FILE_BYTES = 10 * 1024 * 1024
# Past this many, a refusal stops listing: the file is clearly not a criteria file.
ERRORS_SHOWN = 20
# An edition is the number and year of the decision that printed the sheets.
EDITION_PATTERN = re.compile(r"^(\d{1,5})-(\d{4})$")
# The official file nests 12 deep (a criterion in a group in a part of a sheet) and
# its criteria 3 levels; a file much deeper is no criteria file, and reading it
# would exhaust the stack of the checks and pages that walk it.
MAX_JSON_DEPTH = 32
MAX_CRITERION_LEVELS = 4
# "26/2026/QĐ-TTg" names its year; "148/QĐ-TTg" takes it from the signing date.
NUMBER_AND_YEAR = re.compile(r"^\s*(\d+)/(\d{4})/")
NUMBER_ONLY = re.compile(r"^\s*(\d+)/")
YEAR = re.compile(r"^(\d{4})-")
# The lengths of the columns the sheets are stored in.
CODE_LENGTH, NAME_LENGTH, HEADING_LENGTH = 20, 500, 300


class CriteriaFileRefused(Exception):
    """A criteria file that cannot be loaded; ``messages`` says why, in Vietnamese,
    and ``edition_messages`` which of them are about the edition typed in."""

    def __init__(self, messages, edition_messages=()):
        self.messages = list(messages)
        self.edition_messages = list(edition_messages)
        super().__init__("; ".join(self.messages))


@dataclass(frozen=True)
class CriteriaFile:
    """A criteria file that passed the structure checks, with its edition."""

    name: str
    edition: str
    legal_basis: str
    title: str
    product_sets: list
    data: dict

    @property
    def is_edition_from_file(self):
        return bool(edition_of(self.data))


def edition_of(data):
    """The sheet edition a file's legal basis names ("26/2026/QĐ-TTg": "26-2026"),
    or "" when it names none that can be read."""
    legal_basis = data.get("legal_basis")
    if not isinstance(legal_basis, str):
        return ""
    match = NUMBER_AND_YEAR.match(legal_basis)
    if match:
        return f"{match[1]}-{match[2]}"
    signed_on = data.get("signed_on")
    match = NUMBER_ONLY.match(legal_basis)
    year = YEAR.match(signed_on) if isinstance(signed_on, str) else None
    if match and year:
        return f"{match[1]}-{year[1]}"
    return ""


def is_valid_edition(edition):
    """Whether ``edition`` reads as a decision's number and year: "26-2026"."""
    match = EDITION_PATTERN.match(edition or "")
    return bool(match) and (
        FIRST_PROGRAMME_YEAR <= int(match[2]) <= last_programme_year()
    )


def edition_problem(edition):
    """Why a typed edition cannot be one, or ""."""
    if is_valid_edition(edition):
        return ""
    return _(
        "Ấn bản “%(edition)s” không đúng dạng: cần số và năm của quyết định ban "
        "hành phiếu chấm, nối bằng dấu gạch ngang (năm từ %(first)s đến %(last)s), "
        "ví dụ 26-2026 hoặc 148-2023."
    ) % {
        "edition": edition[:40],
        "first": FIRST_PROGRAMME_YEAR,
        "last": last_programme_year(),
    }


def _too_deep(data):
    """Whether ``data`` nests deeper than ``MAX_JSON_DEPTH`` (walked without
    recursion)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return True
        if isinstance(value, dict):
            stack.extend((child, depth + 1) for child in value.values())
        elif isinstance(value, list):
            stack.extend((child, depth + 1) for child in value)
    return False


def _too_deep_message():
    return _(
        "Tệp lồng nhau quá %(depth)s cấp; tệp tiêu chí chỉ lồng khoảng 12 cấp, nên "
        "đây không phải tệp tiêu chí."
    ) % {"depth": MAX_JSON_DEPTH}


def too_large_message():
    return _("Tệp lớn hơn %(size)s MB; tệp tiêu chí chỉ khoảng 1 MB.") % {
        "size": MAX_FILE_BYTES // (1024 * 1024)
    }


def read_criteria_file(content, *, name, edition=""):
    """The criteria file in ``content`` (bytes), checked; raises
    ``CriteriaFileRefused``.

    The edition comes from the file's legal basis; ``edition`` is used only when
    the file names none.
    """
    if len(content) > MAX_FILE_BYTES:
        raise CriteriaFileRefused([too_large_message()])
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CriteriaFileRefused(
            [_("Tệp không phải văn bản UTF-8, nên không phải tệp tiêu chí JSON.")]
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise CriteriaFileRefused(
            [
                _("Tệp không phải JSON: lỗi ở dòng %(line)s, cột %(column)s.")
                % {"line": error.lineno, "column": error.colno}
            ]
        ) from None
    except RecursionError:
        raise CriteriaFileRefused([_too_deep_message()]) from None
    if _too_deep(data):
        raise CriteriaFileRefused([_too_deep_message()])

    if not isinstance(data, dict) or not isinstance(data.get("product_sets"), list):
        raise CriteriaFileRefused(
            [
                _(
                    "Tệp không có cấu trúc của tệp tiêu chí: cần một đối tượng JSON "
                    "có danh sách “product_sets” (các bộ sản phẩm)."
                )
            ]
        )
    errors = _structure_errors(data["product_sets"])
    shown = errors[:ERRORS_SHOWN]
    if len(errors) > ERRORS_SHOWN:
        more = len(errors) - ERRORS_SHOWN
        shown.append(
            ngettext("… và %(count)s lỗi khác.", "… và %(count)s lỗi khác.", more)
            % {"count": more}
        )
    # The file's legal basis names the edition; what was typed counts only without.
    file_edition = edition_of(data)
    edition = file_edition or (edition or "").strip()
    edition_errors = []  # said at the edition field, the rest at the file's
    if not file_edition and not edition:
        shown.append(
            _(
                "Tệp không ghi căn cứ pháp lý (“legal_basis”, ví dụ "
                "“26/2026/QĐ-TTg”): hãy nhập ấn bản phiếu chấm, ví dụ 26-2026."
            )
        )
    elif not file_edition and edition_problem(edition):
        edition_errors = [edition_problem(edition)]
    if shown or edition_errors:
        raise CriteriaFileRefused(shown + edition_errors, edition_errors)
    return CriteriaFile(
        name=name,
        edition=edition,
        legal_basis=data.get("legal_basis") or "",
        title=data.get("title") or "",
        product_sets=sorted(data["product_sets"], key=lambda item: item["number"]),
        data=data,
    )


def _structure_errors(items):
    errors = []
    seen = set()
    for position, item in enumerate(items, start=1):
        number = item.get("number") if isinstance(item, dict) else None
        if not isinstance(number, int) or number not in PRODUCT_SET_NUMBERS:
            errors.append(
                _(
                    "Mục thứ %(position)s của “product_sets” không có số bộ sản "
                    "phẩm từ 1 đến 26."
                )
                % {"position": position}
            )
            continue
        if number in seen:
            errors.append(
                _("Bộ sản phẩm %(number)s có hai lần trong tệp.") % {"number": number}
            )
            continue
        seen.add(number)
        errors.extend(_sheet_errors(number, item))

    missing = [n for n in PRODUCT_SET_NUMBERS if n not in seen]
    if missing:
        errors.append(
            _("Tệp thiếu phiếu của bộ sản phẩm %(numbers)s (cần đủ 26 bộ).")
            % {"numbers": ", ".join(str(n) for n in missing)}
        )
    return errors


def _sheet_errors(number, item):
    errors = []
    if not _is_text(item.get("name")):
        errors.append(
            _("Bộ sản phẩm %(number)s không có tên (“name”).") % {"number": number}
        )
    heading = item.get("sheet_heading")
    if heading is not None and not _is_text(heading, HEADING_LENGTH, blank=True):
        errors.append(
            _("Bộ sản phẩm %(number)s: tiêu đề phiếu không đúng.") % {"number": number}
        )
    rejected = item.get("dossier_rejected_when", [])
    if not isinstance(rejected, list) or not all(isinstance(r, str) for r in rejected):
        errors.append(
            _("Bộ sản phẩm %(number)s: “dossier_rejected_when” phải là danh sách câu.")
            % {"number": number}
        )
    criteria = item.get("criteria")
    if not isinstance(criteria, list) or not criteria:
        return errors + [
            _("Phiếu của bộ sản phẩm %(number)s không có phần nào (không có tiêu chí).")
            % {"number": number}
        ]

    codes = set()
    parts = set()
    for position, group in enumerate(criteria, start=1):
        if not isinstance(group, dict) or group.get("part") not in PARTS:
            errors.append(
                _(
                    "Bộ sản phẩm %(number)s: nhóm tiêu chí thứ %(position)s không "
                    "thuộc phần A, B hoặc C."
                )
                % {"number": number, "position": position}
            )
            continue
        parts.add(group["part"])
        if "choose_one" in group and not isinstance(group["choose_one"], bool):
            errors.append(
                _criterion_error(number, group, _("“choose_one” phải là có/không."))
            )
        errors.extend(_criterion_errors(number, group, codes))
    missing = [part for part in PARTS if part not in parts]
    if missing:
        errors.append(
            _("Phiếu của bộ sản phẩm %(number)s không có phần %(parts)s.")
            % {"number": number, "parts": ", ".join(missing)}
        )
    return errors


def _criterion_errors(number, raw, codes, level=1):
    code = raw.get("code")
    if not _is_text(code, CODE_LENGTH):
        return [
            _("Bộ sản phẩm %(number)s: có tiêu chí không có mã (“code”).")
            % {"number": number}
        ]
    if code in codes:
        return [_criterion_error(number, raw, _("mã tiêu chí có hai lần."))]
    codes.add(code)
    if level > MAX_CRITERION_LEVELS:
        return [
            _criterion_error(
                number,
                raw,
                _(
                    "tiêu chí lồng quá %(levels)s cấp (nhóm, tiêu chí, tiêu chí con); "
                    "phiếu chấm chỉ có 3 cấp."
                )
                % {"levels": MAX_CRITERION_LEVELS},
            )
        ]

    errors = []
    if not _is_text(raw.get("name"), NAME_LENGTH):
        errors.append(_criterion_error(number, raw, _("không có tên tiêu chí.")))
    for key in ("description", "requirement", "note"):
        if raw.get(key) is not None and not isinstance(raw[key], str):
            errors.append(
                _criterion_error(
                    number, raw, _("“%(key)s” phải là chữ.") % {"key": key}
                )
            )
    if not _is_points(raw.get("max_points"), allow_blank=True):
        errors.append(
            _criterion_error(
                number, raw, _("điểm tối đa phải là số nguyên từ 0 đến 100.")
            )
        )
    options = raw.get("options")
    children = raw.get("criteria")
    if not isinstance(options, list) or not isinstance(children, list):
        errors.append(
            _criterion_error(
                number, raw, _("cần danh sách “options” và danh sách “criteria”.")
            )
        )
        return errors
    if options and children:
        errors.append(
            _criterion_error(number, raw, _("vừa có phương án vừa có tiêu chí con."))
        )
    for position, option in enumerate(options, start=1):
        problem = _option_problem(option)
        if problem:
            errors.append(
                _criterion_error(
                    number,
                    raw,
                    _("phương án thứ %(position)s: %(problem)s")
                    % {"position": position, "problem": problem},
                )
            )
    for child in children:
        if not isinstance(child, dict):
            errors.append(
                _criterion_error(number, raw, _("có tiêu chí con không đúng."))
            )
            continue
        errors.extend(_criterion_errors(number, child, codes, level + 1))
    return errors


def _option_problem(option):
    if not isinstance(option, dict) or not _is_text(option.get("text")):
        return _("không có nội dung (“text”).")
    if "points" not in option or not _is_points(option["points"], allow_blank=True):
        return _("điểm phải là số nguyên từ 0 đến 100, hoặc để trống (null).")
    if option.get("min_for_stars") not in (None, *STAR_LEVELS):
        return _("mức tối thiểu hạng sao phải là 3, 4, 5 hoặc để trống (null).")
    return ""


def _criterion_error(number, raw, message):
    return _("Bộ sản phẩm %(number)s, tiêu chí %(code)s: %(message)s") % {
        "number": number,
        "code": raw.get("code"),
        "message": message,
    }


def _is_text(value, length=None, blank=False):
    if not isinstance(value, str) or (not blank and not value.strip()):
        return False
    return length is None or len(value) <= length


def _is_points(value, allow_blank=False):
    if value is None:
        return allow_blank
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and 0 <= value <= MAX_POINTS
    )
