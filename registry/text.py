"""Text normalisation for Vietnamese names, phones and search."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def clean(value):
    """NFC, single spaces, stripped; ``None`` and blanks become ``""``."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value))
    return _SPACES.sub(" ", text).strip()


def fold(value):
    """Lowercase without diacritics: "Đông trùng" -> "dong trung"."""
    text = unicodedata.normalize("NFD", clean(value).lower())
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return text.replace("đ", "d")


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
