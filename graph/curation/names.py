"""Normalised names, so "Güler", "GÜLER" and "Gueler" are found as one name."""

from __future__ import annotations

import re
import unicodedata

_SPECIAL = str.maketrans({"ß": "ss", "ẞ": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ł": "l", "đ": "d", "\u0131": "i"})
_TRANSLITERATED = re.compile(r"(?<=[aou])e")  # "ue" written for "ü": Gueler, Koeln
_NOT_WORD = re.compile(r"[^0-9a-z]+")
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})


class _WithoutCombining(dict[int, str | None]):
    """A ``str.translate`` table that drops combining marks and keeps every other character.

    Filled as characters are first met, so translating is one C loop per text rather than
    a Python call per character.
    """

    def __missing__(self, code: int) -> str | None:
        kept = None if unicodedata.combining(chr(code)) else chr(code)
        self[code] = kept
        return kept


_DROP_COMBINING = _WithoutCombining()


def fold(text: str) -> str:
    """Lower case, accents removed, punctuation as single spaces: ``"Geiß-Netthöfel"`` -> ``"geiss netthofel"``."""
    if text.isascii():  # nothing to decompose, translate or drop (casefold is lower then)
        plain = text.lower()
    else:
        decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_SPECIAL))
        plain = decomposed if decomposed.isascii() else decomposed.translate(_DROP_COMBINING)
    return _NOT_WORD.sub(" ", plain).strip()


def name_key(text: str) -> str:
    """The key two spellings of one name share: :func:`fold`, with "ue" read as "ü" (Gueler = Güler)."""
    return _TRANSLITERATED.sub("", fold(text))


def slugify(text: str, max_length: int = 60) -> str:
    """A readable ASCII slug (``a-z``, ``0-9``, single hyphens) in the German way: ü -> ue, ß -> ss.

    Args:
        text: Any text, e.g. a headline.
        max_length: Longest slug; longer ones are cut at a hyphen.

    Returns:
        The slug; empty when ``text`` has no letters or digits.
    """
    slug = fold(text.translate(_UMLAUTS)).replace(" ", "-")
    if len(slug) > max_length:
        cut = slug[: max_length + 1]
        slug = cut[: cut.rfind("-")] if "-" in cut else slug[:max_length]
    return slug.strip("-")
