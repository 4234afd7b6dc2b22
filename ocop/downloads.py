"""Files people download, always through a view that has checked who they are.

Nothing under ``MEDIA_ROOT`` is served by path: documents, evidence and uploaded
spreadsheets may name a producer's business, so each has a download view that finds
the row through the person's "what may I see" query and hands the file over here.

A file keeps a readable name on the way: ``giay-chung-nhan-0004-2023-OCOP-12.pdf``
for certificate 0004/2023/OCOP-12. A name in Vietnamese (an evidence file's own)
goes in the header twice: in UTF-8 for the browsers that read it, and in ASCII,
without its diacritics, for those that do not.
"""

import re
import unicodedata
from urllib.parse import quote

from django.http import FileResponse, Http404
from django.utils.http import content_disposition_header

NOT_ASCII_WORD = re.compile(r"[^A-Za-z0-9]+")


def ascii_words(text):
    """``text`` in ASCII letters and digits as it reads, any other run of characters
    one hyphen: '0004/2023/OCOP-12' gives '0004-2023-OCOP-12', 'Đợt 1 – Lai Châu'
    gives 'Dot-1-Lai-Chau'."""
    text = unicodedata.normalize("NFD", text).replace("đ", "d").replace("Đ", "D")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return NOT_ASCII_WORD.sub("-", text).strip("-")


def ascii_file_name(name):
    """The file name in ASCII: 'Giấy phép kinh doanh.pdf' gives
    'Giay-phep-kinh-doanh.pdf'."""
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    stem = ascii_words(stem) or "tai-ve"
    extension = ascii_words(extension)
    return f"{stem}.{extension}" if extension else stem


def content_disposition(filename, *, as_attachment):
    """The Content-Disposition of a download named ``filename``: Django's own for a
    plain ASCII name, else the ASCII name and the UTF-8 one (RFC 6266)."""
    header = content_disposition_header(as_attachment, filename)
    if "filename*=" not in header:
        return header
    disposition = "attachment" if as_attachment else "inline"
    return (
        f'{disposition}; filename="{ascii_file_name(filename)}"; '
        f"filename*=utf-8''{quote(filename)}"
    )


def file_response(request, field_file, *, filename, content_type=""):
    """The stored file as a download (inline with ``?inline=1``); 404 if it is gone."""
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    as_attachment = request.GET.get("inline") != "1"
    response = FileResponse(
        handle,
        as_attachment=as_attachment,
        filename=filename,
        content_type=content_type or None,
    )
    if filename:
        response["Content-Disposition"] = content_disposition(
            filename, as_attachment=as_attachment
        )
    return response
