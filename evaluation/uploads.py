"""What an uploaded file really is, read from its content rather than its name.

``filetype`` reads the signature at the start of the file (``%PDF``, PNG's and
JPEG's headers, ZIP's ``PK``). Word and Excel files are ZIP archives whose main
part is named inside: that part is looked up in the archive's directory, which
``filetype`` may not reach when it sits past the first bytes.
"""

import zipfile

import filetype
from django.utils.translation import gettext_lazy as _

# The main part of each Office Open XML file, inside its ZIP archive.
OFFICE_PARTS = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml"}
ZIP_KINDS = {"zip", "docx", "xlsx", "pptx"}

KIND_NAMES = {
    ".pdf": _("tệp PDF"),
    ".jpg": _("ảnh JPG"),
    ".png": _("ảnh PNG"),
    ".docx": _("tệp Word (.docx)"),
    ".xlsx": _("tệp Excel (.xlsx)"),
    ".zip": _("tệp nén ZIP"),
}


def normal_extension(extension):
    return ".jpg" if extension == ".jpeg" else extension


def content_kind(upload):
    """The extension the file's content has (``.pdf``, ``.png``, ``.jpg``,
    ``.docx``, ``.xlsx``, ``.zip``, or another ``filetype`` knows), or None."""
    upload.seek(0)
    kind = filetype.guess(upload.read(8192))
    upload.seek(0)
    if kind is None:
        return None
    if kind.extension in ZIP_KINDS:
        return _office_kind(upload) or ".zip"
    return normal_extension("." + kind.extension)


def _office_kind(upload):
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        return None
    finally:
        upload.seek(0)
    return next((ext for ext, part in OFFICE_PARTS.items() if part in names), None)


def kind_name(extension):
    """How a person calls a kind of file: “ảnh PNG”, “tệp Excel (.xlsx)”."""
    if extension in KIND_NAMES:
        return KIND_NAMES[extension]
    return _("tệp %(kind)s") % {"kind": extension.lstrip(".").upper()}
