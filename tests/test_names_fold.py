"""``graph.curation.names.fold`` takes short ways (ASCII text as it is, combining marks dropped by
one ``str.translate``); it must give what folding character by character gives, for any text."""

from __future__ import annotations

import random
import unicodedata

import pytest

from graph.curation.names import _NOT_WORD, _SPECIAL, fold, name_key


def _folded_char_by_char(text: str) -> str:
    """The plain way: decompose, drop each combining mark, then punctuation to single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_SPECIAL))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NOT_WORD.sub(" ", plain).strip()


NAMES = [
    "Geiß-Netthöfel", "Güler", "GÜLER", "Gueler", "Ärzte ohne Grenzen", "Łódź", "Œuvre", "İstanbul",
    "ﬁnance", "\uff21\uff42\uff43", "Çağla Şahin", "Nguyễn Thị", "Ǆemal", "  Köln / Bonn  ", "e\u0301", "",
    "plain ASCII, with (punctuation) & digits 42", "\u00a0non-breaking\u2009spaces",
]  # fmt: skip


def _random_texts(seed: int, alphabet: list[str], count: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(alphabet) for _ in range(rng.randrange(24))) for _ in range(count)]


CASES = {
    "names": NAMES,
    "ascii": _random_texts(1, [chr(i) for i in range(128)], 2000),
    "latin and combining marks": _random_texts(2, [chr(i) for i in range(0x20, 0x370)] + list("aeou"), 2000),
    "any plane-0 character": _random_texts(3, [chr(i) for i in range(0x20, 0xD800)], 2000),
}


@pytest.mark.parametrize("case", list(CASES))
def test_fold_gives_what_folding_char_by_char_gives(case: str) -> None:
    texts = CASES[case]
    assert [fold(t) for t in texts] == [_folded_char_by_char(t) for t in texts]


def test_name_keys_of_spellings_of_one_name() -> None:
    assert {name_key(n) for n in ("Güler", "GÜLER", "Gueler", "guler")} == {"guler"}
    assert fold("Geiß-Netthöfel") == "geiss netthofel"
