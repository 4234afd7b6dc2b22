"""Streaming the cell values of an .xlsx, fast.

openpyxl's read-only mode builds a cell object, a style lookup and a merged-range
object for everything it meets: 20,000 rows take it seconds on a provincial server.
The registration list needs only values, so this reads the sheet XML with expat
(``iterparse``) and the shared strings once. A workbook whose parts it cannot find
(an unusual producer's layout) is read through openpyxl instead.

Merged cells are not expanded: below the anchor they read as ``None``, as in
openpyxl's read-only mode.
"""

import posixpath
import re
import zipfile
from xml.etree.ElementTree import iterparse
from xml.parsers import expat

_COLUMN = re.compile(r"[A-Z]+")
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_STRICT_REL_ID = "{http://purl.oclc.org/ooxml/officeDocument/relationships}id"


def _local(tag):
    return tag.rpartition("}")[2]


_COLUMNS = {}


def _column_index(reference):
    letters = reference.rstrip("0123456789")
    index = _COLUMNS.get(letters)
    if index is None:
        index = _COLUMNS[letters] = _letters_index(_COLUMN.match(letters).group(0))
    return index


def _letters_index(letters):
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def _number(text):
    try:
        return int(text)
    except ValueError:
        value = float(text)
        return int(value) if value.is_integer() and "E" not in text.upper() else value


class Sheet:
    def __init__(self, book, title, member):
        self.book = book
        self.title = title
        self.member = member
        self.max_row = 0

    def iter_rows(self, min_row=1, max_row=None, values_only=True):
        """Tuples of cell values, one per row from ``min_row``, blank rows included."""
        reader = _RowReader(self.book.shared_strings())
        expected = min_row
        with self.book.archive.open(self.member) as handle:
            while chunk := handle.read(CHUNK):
                reader.feed(chunk)
                if reader.max_row:
                    self.max_row = reader.max_row
                rows, reader.rows = reader.rows, []
                for number, values in rows:
                    number = number or expected
                    if max_row is not None and number > max_row:
                        return
                    if number < min_row:
                        continue
                    while expected < number:
                        yield ()
                        expected += 1
                    yield values
                    expected = number + 1


CHUNK = 1 << 16


class _RowReader:
    """An expat state machine over a worksheet: collects (row number, values)."""

    def __init__(self, strings):
        self.strings = strings
        self.rows = []
        self.max_row = 0
        self.parser = expat.ParserCreate(namespace_separator="}")
        self.parser.buffer_text = True
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.CharacterDataHandler = self.text
        self.values = None
        self.row_number = 0
        self.cell_index = 0
        self.cell_kind = "n"
        self.buffer = None
        self.in_cell = False
        self.collecting = False

    def feed(self, chunk):
        self.parser.Parse(chunk, False)

    def start(self, name, attrs):
        name = name[name.rfind("}") + 1 :]
        if name == "c":
            reference = attrs.get("r")
            self.cell_index = (
                _column_index(reference) if reference else self.cell_index + 1
            )
            self.cell_kind = attrs.get("t", "n")
            self.in_cell = True
            self.buffer = None
        elif name in ("v", "t") and self.in_cell:
            if self.buffer is None:
                self.buffer = []
            self.collecting = True
        elif name == "row":
            self.values = []
            self.row_number = int(attrs.get("r") or 0)
            self.cell_index = -1
        elif name == "dimension":
            digits = re.findall(r"\d+", attrs.get("ref", "").split(":")[-1])
            self.max_row = int(digits[0]) if digits else 0
        elif name == "rPh":
            self.in_cell = False  # phonetic hints are not part of the text

    def text(self, data):
        if self.buffer is not None and self.collecting:
            self.buffer.append(data)

    def end(self, name):
        name = name[name.rfind("}") + 1 :]
        if name in ("v", "t"):
            self.collecting = False
        elif name == "c":
            self.in_cell = False
            if self.buffer is None:
                return
            raw = "".join(self.buffer)
            kind = self.cell_kind
            if kind == "s":
                value = self.strings[int(raw)]
            elif kind == "n":
                value = _number(raw) if raw else None
            elif kind == "b":
                value = raw == "1"
            else:
                value = raw
            if value is None:
                return
            values = self.values
            if self.cell_index >= len(values):
                values.extend([None] * (self.cell_index + 1 - len(values)))
            values[self.cell_index] = value
        elif name == "row":
            self.rows.append((self.row_number, tuple(self.values)))
        elif name == "rPh":
            self.in_cell = True


class Workbook:
    """The sheets of an .xlsx file, in workbook order."""

    def __init__(self, path):
        self.archive = zipfile.ZipFile(path)
        self._strings = None
        self.worksheets = self._sheets()

    def close(self):
        self.archive.close()

    def _relations(self, part):
        folder, name = posixpath.split(part)
        rels = posixpath.join(folder, "_rels", name + ".rels")
        targets = {}
        with self.archive.open(rels) as handle:
            for _event, element in iterparse(handle):
                if _local(element.tag) == "Relationship":
                    target = element.get("Target", "")
                    if target.startswith("/"):
                        target = target[1:]
                    else:
                        target = posixpath.normpath(posixpath.join(folder, target))
                    targets[element.get("Id")] = (element.get("Type", ""), target)
        return targets

    def _sheets(self):
        root = self._relations("")
        workbook = next(
            target for kind, target in root.values() if kind.endswith("/officeDocument")
        )
        relations = self._relations(workbook)
        self.shared_strings_part = next(
            (
                target
                for kind, target in relations.values()
                if kind.endswith("/sharedStrings")
            ),
            None,
        )
        sheets = []
        with self.archive.open(workbook) as handle:
            for _event, element in iterparse(handle):
                if _local(element.tag) == "sheet":
                    rel = element.get(_REL_ID) or element.get(_STRICT_REL_ID)
                    kind, target = relations[rel]
                    if kind.endswith("/worksheet"):
                        sheets.append(Sheet(self, element.get("name", ""), target))
        return sheets

    def shared_strings(self):
        if self._strings is None:
            self._strings = []
            if self.shared_strings_part:
                with self.archive.open(self.shared_strings_part) as handle:
                    for _event, element in iterparse(handle):
                        if _local(element.tag) != "si":
                            continue
                        # Phonetic runs (rPh) are not part of the text.
                        texts = []
                        for child in element:
                            name = _local(child.tag)
                            if name == "t":
                                texts.append(child.text or "")
                            elif name == "r":
                                texts.extend(
                                    t.text or "" for t in child if _local(t.tag) == "t"
                                )
                        self._strings.append("".join(texts))
                        element.clear()
        return self._strings


def open_workbook(path):
    """A :class:`Workbook`, or openpyxl's read-only one if the parts are unusual."""
    try:
        return Workbook(path)
    except (KeyError, StopIteration):
        from openpyxl import load_workbook

        return load_workbook(path, read_only=True, data_only=True)
