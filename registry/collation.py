"""Vietnamese alphabetical order for the lists people read.

The alphabet runs a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y; tones
(huyền, hỏi, ngã, sắc, nặng) only decide between words spelt alike, and case last.
PostgreSQL orders so with ICU's Vietnamese collation; SQLite, the embedded default,
with :func:`sort_key`, registered as a collation when a connection opens.
"""

import unicodedata
from functools import lru_cache

from django.db.models.functions import Collate

POSTGRESQL_COLLATION = "vi-x-icu"
SQLITE_COLLATION = "vi"

_ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
# Marks that make a letter of the alphabet (ă â ê ô ơ ư) and those that give a tone.
_SHAPES = {"\u0306", "\u0302", "\u031b"}
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
# Spaces and punctuation before digits, digits before letters, other letters after.
_LETTER_RANK = {letter: 100 + rank for rank, letter in enumerate(_ALPHABET)}


@lru_cache(maxsize=65536)
def sort_key(text):
    """A key that orders strings as a Vietnamese dictionary does."""
    letters, tones, cases = [], [], []
    for char in unicodedata.normalize("NFC", text or ""):
        lower = char.lower()
        base, *marks = unicodedata.normalize("NFD", lower)
        shape = unicodedata.normalize(
            "NFC", base + "".join(mark for mark in marks if mark in _SHAPES)
        )
        if shape in _LETTER_RANK:
            letters.append(_LETTER_RANK[shape])
        elif shape.isdigit():
            letters.append(50 + int(shape) if shape.isascii() else 60)
        elif shape.isalpha():
            letters.append(200 + ord(shape))
        else:
            letters.append(0)
        tones.append(next((_TONES[mark] for mark in marks if mark in _TONES), 0))
        cases.append(char != lower)
    return tuple(letters), tuple(tones), tuple(cases)


def compare(first, second):
    """SQLite's collation callback: -1, 0 or 1."""
    first, second = sort_key(first), sort_key(second)
    return (first > second) - (first < second)


class VietnameseOrder(Collate):
    """``field COLLATE`` Vietnamese, for ``order_by``: ICU's on PostgreSQL, ours on
    SQLite, the database's own order elsewhere."""

    def __init__(self, expression):
        super().__init__(expression, POSTGRESQL_COLLATION)

    def as_sqlite(self, compiler, connection, **extra_context):
        extra_context["collation"] = connection.ops.quote_name(SQLITE_COLLATION)
        return self.as_sql(compiler, connection, **extra_context)

    def as_mysql(self, compiler, connection, **extra_context):
        return compiler.compile(self.get_source_expressions()[0])


def register_sqlite_collation(sender, connection, **kwargs):
    """``connection_created`` receiver: SQLite learns the Vietnamese order."""
    if connection.vendor == "sqlite":
        connection.connection.create_collation(SQLITE_COLLATION, compare)
