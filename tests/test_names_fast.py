"""The quick ways of :func:`graph.curation.names.fold` and :func:`name_key` give what the patterns give."""

from __future__ import annotations

import random
import re
import unicodedata

import pytest

from graph.curation import names

_SPECIAL = str.maketrans({"ß": "ss", "ẞ": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ł": "l", "đ": "d", "\u0131": "i"})


def plain_fold(text: str) -> str:
    """The fold as the patterns define it: casefold, special letters, decomposition, marks dropped, non-words."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_SPECIAL))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^0-9a-z]+", " ", plain).strip()


def plain_name_key(text: str) -> str:
    return re.sub(r"(?<=[aou])e", "", plain_fold(text))


#: Letters of German and other names, the marks, white space and punctuation of every kind.
ALPHABET = (
    "aeouAEOUeeezZ09 -_.,'\t\n\r\x0b\x0c\x1c\x1f\x85\xa0ßẞæøœłđ\u0131ÆØŒŁĐäöüÄÖÜéÉçñ漢字"
    "\u2003\u200b\u0301\u0308\u034f\u0488İﬁ"
)


def texts(count: int, seed: int) -> list[str]:
    rnd = random.Random(seed)
    return ["".join(rnd.choice(ALPHABET) for _ in range(rnd.randint(0, 14))) for _ in range(count)]


@pytest.mark.parametrize(
    "text",
    ["Güler", "GÜLER", "Gueler", "Geiß-Netthöfel", "Hendrik Wüst", "Łukasz Żółw", "aee", "oee uee", "Æsir Øre", ""],
)
def test_names_as_the_patterns_give_them(text: str) -> None:
    assert names.fold(text) == plain_fold(text)
    assert names.name_key(text) == plain_name_key(text)


def test_random_texts_as_the_patterns_give_them() -> None:
    for text in texts(20000, seed=11):
        assert names.fold(text) == plain_fold(text), repr(text)
        assert names.name_key(text) == plain_name_key(text), repr(text)


def test_every_character_of_the_basic_plane_as_the_patterns_give_it() -> None:
    for code in range(0x10000):
        if 0xD800 <= code < 0xE000:
            continue  # surrogates are no characters of a text
        text = f"Ab{chr(code)}ue {chr(code)}ß"
        assert names.name_key(text) == plain_name_key(text), hex(code)
