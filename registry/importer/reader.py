"""Reading a registration spreadsheet as provincial offices keep it.

The sheet has title rows, then a header row (found by its words, in any column
order), then section rows (A new registrations, B re-evaluations, C star upgrades),
district rows ("I. Thành phố Lai Châu: 23 sản phẩm của 12 chủ thể (…)") and one row
per product. A producer's cells are merged down over its products: a merged cell
reads blank below its anchor, which means "same as above".

The workbook is read by calamine (``python-calamine``), values only: 20,000 rows take
it a fraction of a second. Calamine reads a formula's value as the file keeps it, and
a formula whose value the file does not keep (a workbook written by a program, not
saved by Excel) as blank; openpyxl reads the formulas, only when a worksheet's XML
has one at all, and a formula cell that reads blank is said at its row.
"""

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.formula import ArrayFormula
from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum

from ..enums import RegistrationKind
from ..text import clean, fold, normalise_phone
from .issues import (
    HINT_REMOVE_PASSWORD,
    HINT_SAVE_AGAIN,
    HINT_SAVE_AS_XLSX,
    WARNING,
    ImportRefused,
    Issue,
)

HEADER_SCAN_ROWS = 30
HEADER_MIN_MATCHES = 3
HEADER_CELL_MAX_LENGTH = 60
# A column of formulas is said a row at a time for its first cells, then at once.
FORMULA_WARNINGS_PER_COLUMN = 10

NUMBER = "number"
PRODUCT = "product"
PRODUCER = "producer"
REPRESENTATIVE = "representative"
ADDRESS = "address"
PHONE = "phone"
REQUIRED_COLUMNS = (PRODUCT, PRODUCER, REPRESENTATIVE, ADDRESS, PHONE)


def column_labels():
    return {
        NUMBER: _("TT"),
        PRODUCT: _("Tên sản phẩm"),
        PRODUCER: _("Tên chủ thể sản xuất"),
        REPRESENTATIVE: _("Đại diện"),
        ADDRESS: _("Địa chỉ cơ sở sản xuất"),
        PHONE: _("Số điện thoại"),
    }


_ROMAN = re.compile(r"^([IVXLC]+)\s*[.):/-]\s*(.+)$")
_SECTION = re.compile(r"^([A-H])\s*[.):/-]\s+(.+)$")
_DISTRICT_WORDS = re.compile(r"^(huyen|thanh pho|thi xa|quan|tp|h)\b[. ]")
_YEAR = re.compile(r"\bnam\s+(\d{4})\b")
_SUBTOTAL_PRODUCTS = re.compile(r"(\d+)\s*san pham")
_SUBTOTAL_PRODUCERS = re.compile(r"(\d+)\s*chu the")
_SUBTOTAL_PART = re.compile(r"(\d+)\s*([^,;()\d]+)")
_PHONE_SPLIT = re.compile(r"[,;/]|\s-\s|\bhoac\b")


@dataclass
class Subtotal:
    """The counts a section or district row announces for the rows under it."""

    products: int | None = None
    producers: int | None = None
    kinds: dict = field(default_factory=dict)  # folded label -> count


@dataclass
class SectionRow:
    row: int
    letter: str
    text: str
    kind: str
    previous_year: int | None
    subtotal: Subtotal


@dataclass
class DistrictRow:
    row: int
    text: str
    name: str
    subtotal: Subtotal


@dataclass
class ProductRow:
    row: int
    number: str
    product: str
    producer: str
    representative: str
    address: str
    phone: str
    raw_phone: str


@dataclass
class SheetContent:
    """What the reader found in the workbook, before anything is matched."""

    sheet: str
    header_row: int
    columns: dict
    title: str
    title_year: int | None
    rows: list
    issues: list
    product_rows: int = 0


def _header_key(value):
    text = fold(value)
    if not text or len(text) > HEADER_CELL_MAX_LENGTH:
        return None
    text = re.sub(r"[^a-z0-9 ]", " ", text)
    text = " ".join(text.split())
    if "dien thoai" in text or text in ("sdt", "so dt", "dt", "dtdd"):
        return PHONE
    if "dai dien" in text:
        return REPRESENTATIVE
    if "dia chi" in text:
        return ADDRESS
    if "chu the" in text or text in ("ten co so", "co so san xuat"):
        return PRODUCER
    if "san pham" in text:
        return PRODUCT
    if text in ("tt", "stt", "so tt", "so thu tu"):
        return NUMBER
    return None


def match_header(values):
    """The column index of each known header word in a row, or ``{}``."""
    columns = {}
    for index, value in enumerate(values):
        key = _header_key(value)
        if key and key not in columns:
            columns[key] = index
    return columns if len(columns) >= HEADER_MIN_MATCHES else {}


def parse_subtotal(text):
    folded = fold(text)
    subtotal = Subtotal()
    if match := _SUBTOTAL_PRODUCTS.search(folded):
        subtotal.products = int(match.group(1))
    if match := _SUBTOTAL_PRODUCERS.search(folded):
        subtotal.producers = int(match.group(1))
    if "(" in folded:
        inside = folded[folded.index("(") + 1 :].split(")")[0]
        for count, label in _SUBTOTAL_PART.findall(inside):
            label = label.strip(" .:")
            if label:
                subtotal.kinds[label] = subtotal.kinds.get(label, 0) + int(count)
    return subtotal


def _section_kind(letter, text):
    folded = fold(text)
    if "danh gia lai" in folded or "phan hang lai" in folded:
        return RegistrationKind.RE_EVALUATION
    if "nang hang" in folded or "nang sao" in folded:
        return RegistrationKind.UPGRADE
    if "dang ky moi" in folded:
        return RegistrationKind.NEW
    return {
        "B": RegistrationKind.RE_EVALUATION,
        "C": RegistrationKind.UPGRADE,
    }.get(letter, RegistrationKind.NEW)


def _previous_year(kind, text):
    if kind == RegistrationKind.NEW:
        return None
    match = _YEAR.search(fold(text))
    return int(match.group(1)) if match else None


def _phone(value, sheet, row, issues):
    if value == "":
        return "", ""
    raw = clean(value) if not isinstance(value, (int, float)) else str(value)
    if isinstance(value, str):
        parts = [part for part in _PHONE_SPLIT.split(fold(value)) if part.strip()]
        value = parts[0] if parts else value
    phone = normalise_phone(value)[:20]
    folded = fold(raw)
    if (
        not phone
        and any(ch.isalnum() for ch in folded)
        and not folded.startswith("khong")
    ):
        # "abc", "chưa có số": not a number, and not a deliberate "không có".
        issues.append(
            Issue(
                WARNING,
                sheet,
                row,
                _(
                    "Số điện thoại «%(phone)s» không có chữ số nào: bỏ qua, chủ thể "
                    "được ghi không có số điện thoại."
                )
                % {"phone": raw},
            )
        )
    elif phone and not 10 <= len(phone) <= 11:
        issues.append(
            Issue(
                WARNING,
                sheet,
                row,
                _("Số điện thoại «%(phone)s» không đúng dạng (10 chữ số).")
                % {"phone": raw},
            )
        )
    return phone, raw


def check_file(path):
    """Refuse what is not an .xlsx before the workbook is opened: size, magic bytes."""
    path = Path(path)
    with path.open("rb") as handle:
        check_stream(handle, path.stat().st_size)


def check_stream(handle, size):
    """:func:`check_file` for an open binary file (an upload); rewinds it."""
    limit = settings.OCOP_IMPORT_MAX_BYTES
    if size > limit:
        raise ImportRefused(
            _(
                "Tệp quá lớn (%(size).1f MB); giới hạn là %(limit).1f MB. Hãy tách "
                "danh sách thành nhiều tệp."
            )
            % {"size": size / 1024 / 1024, "limit": limit / 1024 / 1024}
        )
    if size == 0:
        raise ImportRefused(_("Tệp rỗng, không có dữ liệu."))
    handle.seek(0)
    head = handle.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        # Both a legacy .xls and a password-protected .xlsx are OLE2 files; only
        # the latter carries an EncryptionInfo stream.
        handle.seek(0)
        body = handle.read()
        handle.seek(0)
        if "EncryptionInfo".encode("utf-16-le") in body:
            raise ImportRefused(
                _("Tệp được đặt mật khẩu."),
                hint=_(
                    "Hãy mở tệp bằng Excel, bỏ mật khẩu rồi lưu lại và tải lên lần nữa."
                ),
                hint_code=HINT_REMOVE_PASSWORD,
            )
        raise ImportRefused(
            _("Đây là tệp Excel cũ (.xls)."),
            hint=_(
                "Hãy mở bằng Excel, chọn «Lưu thành» kiểu Sổ làm việc Excel (.xlsx) "
                "rồi tải lên lần nữa."
            ),
            hint_code=HINT_SAVE_AS_XLSX,
        )
    handle.seek(0)
    if head.startswith(b"PK\x03\x04"):
        return
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM", b"RIFF")):
        raise ImportRefused(
            _("Tệp này là một tệp ảnh, không phải bảng tính Excel (.xlsx).")
        )
    if head.startswith(b"%PDF"):
        raise ImportRefused(
            _("Tệp này là tệp PDF, không phải bảng tính Excel (.xlsx).")
        )
    raise ImportRefused(
        _(
            "Tệp này không phải bảng tính Excel (.xlsx) (có thể là tệp CSV hoặc văn "
            "bản). Hãy mở bằng Excel và lưu lại dưới dạng .xlsx."
        )
    )


@dataclass
class Sheet:
    """A worksheet's cell values, row by row from A1; a blank cell is ``""``.

    ``formulas`` are the cells that hold a formula whose value the file does not
    keep (read as blank), as ``{row index: {column index: formula}}`` from 0.
    """

    title: str
    rows: list
    formulas: dict = field(default_factory=dict)


_HAS_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _has_formula(handle):
    """True if a worksheet of the workbook holds a formula: a search of its XML,
    quick beside reading the cells (~30 ms for 20,000 rows)."""
    handle.seek(0)
    try:
        with zipfile.ZipFile(handle) as archive:
            return any(
                _HAS_FORMULA.search(archive.read(info))
                for info in archive.infolist()
                if info.filename.startswith("xl/worksheets/")
                and info.filename.endswith(".xml")
            )
    except zipfile.BadZipFile:
        return False


def _formulas(handle, names):
    """The formula cells of each worksheet named, as ``{name: {row index: {column
    index: formula without its "="}}}`` from 0, read by openpyxl, and only when the
    workbook has a formula at all. A workbook openpyxl cannot read leaves its
    sheets without (calamine has read the values)."""
    if not _has_formula(handle):
        return {}
    handle.seek(0)
    try:
        book = openpyxl.load_workbook(handle, read_only=True, data_only=False)
    except (KeyError, ValueError, zipfile.BadZipFile, InvalidFileException):
        return {}
    try:
        return {name: _formula_cells(book[name]) for name in names if name in book}
    finally:
        book.close()


def _formula_cells(worksheet):
    formulas = {}
    for number, values in enumerate(worksheet.iter_rows(values_only=True)):
        for column, value in enumerate(values):
            if isinstance(value, ArrayFormula):
                value = value.text
            if isinstance(value, str) and value.startswith("="):
                formulas.setdefault(number, {})[column] = value[1:]
    return formulas


def _unvalued(rows, formulas):
    """Of a sheet's formula cells, those that read blank: the file keeps no value
    for them."""
    unvalued = {}
    for number, cells in formulas.items():
        row = rows[number] if number < len(rows) else ()
        for column, formula in cells.items():
            if column >= len(row) or row[column] == "":
                unvalued.setdefault(number, {})[column] = formula
    return unvalued


def _whole_numbers(row):
    # Excel stores every number as a float; a row number or a phone typed as a
    # number is a whole one, and reads as "12", not "12.0".
    return [
        int(value) if type(value) is float and value.is_integer() else value
        for value in row
    ]


def _blank_merged(rows, ranges, formulas):
    """A merged range reads blank below and beside its anchor, whatever text (or
    formula) the file keeps in the hidden cells: blank means "same as above"."""
    for (top, left), (bottom, right) in ranges or ():
        for number in range(top, min(bottom + 1, len(rows))):
            row = rows[number]
            first = left + 1 if number == top else left
            for column in range(first, min(right + 1, len(row))):
                row[column] = ""
            if number in formulas:
                for column in range(first, right + 1):
                    formulas[number].pop(column, None)


def _sheets(handle):
    """The workbook's worksheets (not chart sheets), in workbook order."""
    try:
        with CalamineWorkbook.from_filelike(handle) as book:
            names = [
                meta.name
                for meta in book.sheets_metadata
                if meta.typ == SheetTypeEnum.WorkSheet
            ]
            formulas = _formulas(handle, names)
            sheets = []
            for name in names:
                sheet = book.get_sheet_by_name(name)
                rows = [
                    _whole_numbers(row)
                    for row in sheet.to_python(skip_empty_area=False)
                ]
                unvalued = _unvalued(rows, formulas.get(name, {}))
                _blank_merged(rows, sheet.merged_cell_ranges, unvalued)
                sheets.append(Sheet(name, rows, unvalued))
            return sheets
    except CalamineError:
        raise ImportRefused(
            _("Tệp .xlsx bị hỏng, không đọc được."),
            hint=_("Hãy mở lại bằng Excel, lưu lại và tải lên lần nữa."),
            hint_code=HINT_SAVE_AGAIN,
        ) from None


def _find_header(sheet):
    title_lines = []
    for number, values in enumerate(sheet.rows[:HEADER_SCAN_ROWS], start=1):
        columns = match_header(values)
        if columns:
            return number, columns, title_lines
        text = " ".join(clean(value) for value in values if clean(value))
        if text:
            title_lines.append(text)
    return None, {}, title_lines


def read_workbook(path, progress=None):
    """Read the registration list from an .xlsx file.

    Returns a :class:`SheetContent`; raises :class:`ImportRefused` for a file that
    cannot be read as a registration list. ``progress(done, total)`` is called as rows
    are read.
    """
    path = Path(path)
    with path.open("rb") as handle:
        check_stream(handle, path.stat().st_size)
        # By content, not by the file's name: an .xlsx saved as "x.xls" reads.
        sheets = _sheets(handle)
    return _read(sheets, progress)


def _read(sheets, progress):
    issues = []
    chosen = None
    has_content = False
    for sheet in sheets:
        header_row, columns, title_lines = _find_header(sheet)
        if title_lines or header_row:
            has_content = True
        if chosen is None and header_row:
            chosen = (sheet, header_row, columns, title_lines)
        elif header_row:
            issues.append(
                Issue(
                    WARNING,
                    sheet.title,
                    None,
                    _(
                        "Trang tính này cũng có danh sách nhưng chỉ trang «%(sheet)s» "
                        "được nhập; bỏ qua trang này."
                    )
                    % {"sheet": chosen[0].title},
                )
            )
        elif title_lines:
            issues.append(
                Issue(
                    WARNING,
                    sheet.title,
                    None,
                    _("Trang tính không có dòng tiêu đề của danh sách; bỏ qua."),
                )
            )
    if not has_content:
        raise ImportRefused(_("Bảng tính trống, không có dữ liệu."))
    if chosen is None:
        raise ImportRefused(
            _(
                "Không tìm thấy dòng tiêu đề của danh sách trong %(rows)s dòng đầu "
                "(cần các cột: %(columns)s)."
            )
            % {
                "rows": HEADER_SCAN_ROWS,
                "columns": ", ".join(
                    str(column_labels()[key]) for key in REQUIRED_COLUMNS
                ),
            }
        )
    sheet, header_row, columns, title_lines = chosen
    missing = [key for key in REQUIRED_COLUMNS if key not in columns]
    if missing:
        raise ImportRefused(
            _("Dòng tiêu đề thiếu cột: %(columns)s.")
            % {"columns": ", ".join(str(column_labels()[key]) for key in missing)},
            sheet=sheet.title,
            row=header_row,
        )

    title = " ".join(title_lines)
    match = _YEAR.search(fold(title))
    content = SheetContent(
        sheet=sheet.title,
        header_row=header_row,
        columns=columns,
        title=title,
        title_year=int(match.group(1)) if match else None,
        rows=[],
        issues=issues,
    )
    total = len(sheet.rows)
    formulas, more_formulas = sheet.formulas, {}
    for number, values in enumerate(sheet.rows[header_row:], start=header_row + 1):
        if formulas and number - 1 in formulas:
            _warn_formulas(content, sheet, number, formulas[number - 1], more_formulas)
        item = _classify(content, number, values)
        if item is not None:
            content.rows.append(item)
            content.product_rows += isinstance(item, ProductRow)
        if progress and number % 1000 == 0:
            progress(number, total)
    if progress:
        progress(total, total)
    _warn_more_formulas(content, sheet, more_formulas)
    if not content.product_rows:
        raise ImportRefused(
            _("Danh sách không có dòng sản phẩm nào dưới dòng tiêu đề."),
            sheet=content.sheet,
            row=header_row,
        )
    return content


def _column_name(content, sheet, key):
    """A list's column as its header says it (the usual label if blank)."""
    header = sheet.rows[content.header_row - 1]
    index = content.columns[key]
    return (clean(header[index]) if index < len(header) else "") or str(
        column_labels()[key]
    )


def _warn_formulas(content, sheet, number, formulas, more):
    """Say which cells of a list's column at row ``number`` hold a formula whose
    value the file does not keep: they read blank. Past the first
    ``FORMULA_WARNINGS_PER_COLUMN`` of a column, the rows go to ``more`` (column
    key: row numbers), said at once by :func:`_warn_more_formulas`."""
    for key, index in content.columns.items():
        if index not in formulas:
            continue
        rows = more.setdefault(key, [])
        rows.append(number)
        if len(rows) > FORMULA_WARNINGS_PER_COLUMN:
            continue
        content.issues.append(
            Issue(
                WARNING,
                content.sheet,
                number,
                _(
                    "Ô %(cell)s (cột «%(column)s») chứa công thức «=%(formula)s» mà "
                    "tệp không lưu giá trị, nên được đọc là ô trống. Hãy mở tệp bằng "
                    "Excel và lưu lại để có giá trị của công thức, hoặc thay công "
                    "thức bằng giá trị của nó."
                )
                % {
                    "cell": f"{get_column_letter(index + 1)}{number}",
                    "column": _column_name(content, sheet, key),
                    "formula": formulas[index][:120],
                },
            )
        )


def _warn_more_formulas(content, sheet, more):
    for key, rows in more.items():
        rows = rows[FORMULA_WARNINGS_PER_COLUMN:]
        if not rows:
            continue
        content.issues.append(
            Issue(
                WARNING,
                content.sheet,
                rows[0],
                ngettext(
                    "Và %(count)s ô khác của cột «%(column)s», từ dòng %(first)s "
                    "đến dòng %(last)s, cũng chứa công thức mà tệp không lưu giá "
                    "trị, nên được đọc là ô trống.",
                    "Và %(count)s ô khác của cột «%(column)s», từ dòng %(first)s "
                    "đến dòng %(last)s, cũng chứa công thức mà tệp không lưu giá "
                    "trị, nên được đọc là ô trống.",
                    len(rows),
                )
                % {
                    "count": len(rows),
                    "column": _column_name(content, sheet, key),
                    "first": rows[0],
                    "last": rows[-1],
                },
            )
        )


def _classify(content, number, values):
    """One row as a section, a district, a product, or ``None`` (blank, header)."""
    texts = [clean(value) for value in values]
    filled = [text for text in texts if text]
    if not filled:
        return None
    columns = content.columns
    cell = {key: texts[index] for key, index in columns.items()}
    if (
        not cell.get(NUMBER, "").isdigit()
        and _header_key(cell[PRODUCT]) == PRODUCT
        and _header_key(cell[PRODUCER]) == PRODUCER
    ):
        return None  # a repeated header row

    number_text = cell.get(NUMBER, "").rstrip(".").upper()
    joined = " ".join(filled)

    section = None
    if len(number_text) == 1 and number_text in "ABCDEFGH" and len(filled) >= 2:
        section = (number_text, " ".join(filled[1:]))
    elif len(filled) == 1 and (match := _SECTION.match(joined)):
        section = match.groups()
    if section:
        letter, text = section
        kind = _section_kind(letter, text)
        return SectionRow(
            row=number,
            letter=letter,
            text=text,
            kind=kind,
            previous_year=_previous_year(kind, text),
            subtotal=parse_subtotal(text),
        )

    product = cell[PRODUCT]
    has_producer = cell[PRODUCER] or cell[REPRESENTATIVE] or cell[PHONE]
    is_single_text = len(filled) == 1 and not has_producer
    roman = _ROMAN.match(joined) if is_single_text or not product else None
    if roman or (is_single_text and _DISTRICT_WORDS.match(fold(joined))):
        text = roman.group(2) if roman else joined
        name = text.split(":")[0].strip()
        return DistrictRow(
            row=number, text=text, name=name, subtotal=parse_subtotal(text)
        )

    if not product:
        content.issues.append(
            Issue(
                WARNING,
                content.sheet,
                number,
                _("Dòng không có tên sản phẩm, bỏ qua: «%(text)s».")
                % {"text": joined[:120]},
            )
        )
        return None
    phone, raw_phone = _phone(
        values[columns[PHONE]], content.sheet, number, content.issues
    )
    return ProductRow(
        row=number,
        number=cell.get(NUMBER, ""),
        product=product,
        producer=cell[PRODUCER],
        representative=cell[REPRESENTATIVE],
        address=cell[ADDRESS],
        phone=phone,
        raw_phone=raw_phone,
    )
