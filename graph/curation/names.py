"""Normalised names, so "Güler", "GÜLER" and "Gueler" are found as one name."""

from __future__ import annotations

import re
import unicodedata

_SPECIAL = str.maketrans({"ß": "ss", "ẞ": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ł": "l", "đ": "d", "\u0131": "i"})
_TRANSLITERATED = re.compile(r"(?<=[aou])e")  # "ue" written for "ü": Gueler, Koeln
_NOT_WORD = re.compile(r"[^0-9a-z]+")
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})


def fold(text: str) -> str:
    """Lower case, accents removed, punctuation as single spaces: ``"Geiß-Netthöfel"`` -> ``"geiss netthofel"``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_SPECIAL))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
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
