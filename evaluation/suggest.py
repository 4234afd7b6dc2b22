"""A first guess at a product's set (bộ sản phẩm) from its name.

The registration spreadsheet does not say which of the 26 sets a product belongs
to, and the set decides the scoring sheet. The product page proposes one from the
words of the name; an officer confirms or changes it. The rules are read in order,
the first that matches wins; each names the words it looked for (accents and case
ignored) and, where two sets are plausible, the other one.
"""

import re
from dataclasses import dataclass

from registry.text import fold


@dataclass(frozen=True)
class Suggestion:
    number: int
    alternatives: tuple
    matched: str


def _has(words, phrase):
    """Whether ``phrase`` occurs in ``words`` as whole words."""
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", words) is not None


def _any(*phrases):
    return lambda words: next((p for p in phrases if _has(words, p)), None)


def _both(first, second):
    """The name has one phrase of ``first`` and one of ``second``."""

    def match(words):
        a, b = _any(*first)(words), _any(*second)(words)
        return f"{a} + {b}" if a and b else None

    return match


MEAT_AND_FISH = ("thit", "lon", "trau", "bo", "ngua", "de", "ga", "vit", "ca", "tep")
PROCESSED = ("say", "gac bep", "hun khoi", "kho", "xong khoi", "uop")
CORDYCEPS = ("dong trung ha thao", "dong trung")

# (rule, set number, alternative set numbers), in the order they are tried.
RULES = [
    (_any("du lich", "homestay", "diem du lich"), 26, ()),
    (_both(CORDYCEPS, ("ngam ruou",)), 15, (18,)),
    (_both(CORDYCEPS, ("ngam mat ong",)), 8, (18,)),
    (_both(CORDYCEPS, ("bot", "vien", "nhong", "cao dac")), 18, (20,)),
    (_any(*CORDYCEPS), 20, (18,)),
    (_any("tinh dau"), 20, (19,)),
    (_any("phong te thap", "gia truyen", "thuoc", "cao dan", "ca gai leo"), 18, (20,)),
    (_any("my pham", "dau goi", "xa phong", "kem duong"), 19, ()),
    (_any("ruou vang", "ruou sim", "ruou hoa qua", "bia"), 15, (14,)),
    (_any("ruou"), 14, (15,)),
    (_any("dam", "tuong", "nuoc mam", "nuoc cham"), 9, ()),
    (_any("mat ong tinh bot nghe", "mat ong nghe"), 8, (4,)),
    (_any("mat ong"), 4, (8,)),
    (_any("nuoc loc", "nuoc tinh khiet", "nuoc khoang", "nuoc suoi"), 16, (17,)),
    (_any("nuoc", "nuoc ep"), 17, ()),
    (_any("ca phe", "cacao", "ca cao"), 13, ()),
    (
        _any(
            "che day",
            "giao co lam",
            "tra hoa",
            "tra sen",
            "bi dao",
            "atiso",
            "tra thao duoc",
            "tra gung",
        ),
        12,
        (11,),
    ),
    (_any("hoa lan", "dia lan", "lan rung", "hoa"), 23, ()),
    (
        _any(
            "che",
            "tra",
            "oolong",
            "hong tra",
            "hoang tra",
            "dong phuong my nhan",
            "sencha",
            "matcha",
        ),
        11,
        (12,),
    ),
    (
        _any("lap suon", "xuc xich", "gio lon", "gio", "ruoc", "cha ca", "cha", "nem"),
        8,
        (),
    ),
    (_both(MEAT_AND_FISH, PROCESSED), 8, (2,)),
    (_any("thit", "ca", "trung", "sua"), 2, (8,)),
    (_any("gao", "nep", "ngo hat", "thoc"), 3, (6,)),
    (_any("banh", "bun", "pho", "mi", "com"), 6, ()),
    (_any("mien"), 7, (6,)),
    (
        _any("thao qua", "muoi", "toi", "hanh", "tieu", "ot", "gia vi", "mac khen"),
        10,
        (7,),
    ),
    (_any("hat macca", "nhan hat", "macca", "mac ca", "hat dieu", "oc cho"), 3, (7,)),
    (_any("kho", "say", "mut", "sieu"), 7, (1,)),
    (_any("trang phuc", "vai", "tho cam", "may mac", "khan"), 22, (21,)),
    (
        _any(
            "buoi",
            "oi",
            "nho",
            "mang tay",
            "tram",
            "cam",
            "chuoi",
            "xoai",
            "rau",
            "tao",
            "cu",
            "qua tuoi",
            "nam tuoi",
        ),
        1,
        (7,),
    ),
    (
        _any("khen", "den", "tre", "may", "dan", "go", "gom", "bac", "thu cong", "non"),
        21,
        (),
    ),
    (_any("cay canh", "bonsai"), 24, ()),
    (_any("ca canh", "chim canh", "ga canh"), 25, ()),
]


def suggest_product_set(name):
    """The proposed set for a product name, or None when no rule matches."""
    # "chế biến" (processed) is not "chè" (tea).
    words = fold(name or "").replace("che bien", "")
    for rule, number, alternatives in RULES:
        matched = rule(words)
        if matched:
            return Suggestion(number, alternatives, matched)
    return None
