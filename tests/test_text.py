import pytest

from registry.text import clean, fold, normalise_phone


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0900000001", "0900000001"),
        (900000001, "0900000001"),
        (900000001.0, "0900000001"),
        ("0900.000.001", "0900000001"),
        (" 0900 000 001 ", "0900000001"),
        ("+84 900 000 001", "0900000001"),
        ("02133876543", "02133876543"),
        (None, ""),
        ("", ""),
    ],
)
def test_normalise_phone_restores_the_same_number(raw, expected):
    assert normalise_phone(raw) == expected


def test_fold_ignores_accents_and_case():
    assert fold("Đông trùng hạ thảo") == "dong trung ha thao"
    assert fold("ĐÔNG TRÙNG HẠ THẢO") == "dong trung ha thao"


def test_clean_joins_unicode_forms_and_spaces():
    decomposed = "Mu\u031bo\u031b\u0300ng  Te\u0300 "

    assert clean(decomposed) == "Mường Tè"


def test_fold_reads_both_unicode_forms_alike():
    decomposed = "Đo\u0302ng tru\u0300ng ha\u0323 tha\u0309o"

    assert fold(decomposed) == "dong trung ha thao"


def test_fold_removes_every_vietnamese_diacritic():
    letters = "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"

    assert fold(letters) == "a" * 17 + "e" * 11 + "i" * 5 + "o" * 17 + "u" * 11 + (
        "y" * 5 + "d"
    )
    assert fold(letters.upper()) == fold(letters)


def test_fold_removes_marks_beyond_the_basic_plane():
    # U+1D167 is a combining mark (Mn) outside the BMP, next to a Vietnamese one.
    assert fold("Ba\u0301n\U0001d167 Bo") == "ban bo"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, ""),
        ("", ""),
        ("  \t\n ", ""),
        ("Tổ\u00a03,\tphường  Đoàn Kết\n", "Tổ 3, phường Đoàn Kết"),
        (12345, "12345"),
    ],
)
def test_clean_folds_spaces_and_blanks(raw, expected):
    assert clean(raw) == expected
    assert fold(raw) == fold(expected)
