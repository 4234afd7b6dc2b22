"""Text normalisation for Vietnamese names, phones and search.

``clean`` and ``fold`` run on every cell of an imported sheet (some 200,000 strings
for 20,000 rows), so they stay in C where they can: ``str.split``/``join`` for the
spaces, ``str.translate`` with a table of the combining marks for the diacritics.
"""

import re
import unicodedata
from functools import lru_cache

_BMP_MAX = "\uffff"


@lru_cache(maxsize=1)
def _marks_table():
    """Combining marks (category Mn) of the Basic Multilingual Plane -> removed;
    ``đ`` -> ``d``. Built once: the BMP holds every mark Vietnamese uses."""
    table = dict.fromkeys(
        code for code in range(0x10000) if unicodedata.category(chr(code)) == "Mn"
    )
    table[ord("đ")] = "d"
    return table


def clean(value):
    """NFC, single spaces, stripped; ``None`` and blanks become ``""``."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return " ".join(text.split())


@lru_cache(maxsize=65536, typed=True)
def fold(value):
    """Lowercase without diacritics: "Đông trùng" -> "dong trung"."""
    text = unicodedata.normalize("NFD", clean(value).lower())
    if text.isascii():
        return text
    if max(text) > _BMP_MAX:
        # Marks beyond the BMP (musical, historic scripts) are not in the table.
        text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return text.translate(_marks_table())


def normalise_phone(value):
    """Digits only, with the leading zero a spreadsheet may have eaten put back.

    ``900000001`` (typed as a number) and ``0900.000.001`` both give
    ``0900000001``; ``+84 900 000 001`` gives the same.
    """
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    digits = re.sub(r"\D", "", str(value))
    if digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    if digits and not digits.startswith("0") and len(digits) in (9, 10):
        digits = "0" + digits
    return digits
