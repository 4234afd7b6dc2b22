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
