"""Normalised names, so "Güler", "GÜLER" and "Gueler" are found as one name."""

from __future__ import annotations

import re
import unicodedata

_SPECIAL_CHARS = {"ß": "ss", "ẞ": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ł": "l", "đ": "d", "\u0131": "i"}
_SPECIAL = str.maketrans(_SPECIAL_CHARS)
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


#: Every ASCII character as itself, but for those :data:`_NOT_WORD` matches, as a space: a table
#: ``str.translate`` reads by index. With ``split`` and ``join`` this does to an ASCII text what the
#: pattern does, several times quicker (a table without a miss: a mapping that lacks a character
#: costs ``str.translate`` a caught ``KeyError`` for each one it meets).
_ASCII_NOT_WORD = "".join(" " if _NOT_WORD.fullmatch(chr(code)) else chr(code) for code in range(128))
#: What :data:`_SPECIAL` replaces and ``casefold`` leaves: the translation is skipped without them.
_HAS_SPECIAL = re.compile("[" + "".join(sorted({c for c in _SPECIAL_CHARS if c.casefold() == c})) + "]")
#: A text of ASCII and the combining diacritical marks (U+0300 to U+036F) that have a combining class.
_ASCII_OR_MARKS = re.compile(
    "[\\x00-\\x7f" + "".join(chr(code) for code in range(0x300, 0x370) if unicodedata.combining(chr(code))) + "]*"
)


def fold(text: str) -> str:
    """Lower case, accents removed, punctuation as single spaces: ``"Geiß-Netthöfel"`` -> ``"geiss netthofel"``."""
    if text.isascii():  # nothing to decompose, translate or drop (casefold is lower then)
        plain = text.lower()
    else:
        folded = text.casefold()
        if _HAS_SPECIAL.search(folded) is not None:
            folded = folded.translate(_SPECIAL)
        plain = unicodedata.normalize("NFKD", folded)
        if not plain.isascii():
            plain = _without_combining(plain)
    if plain.isascii():  # the only white space left is the spaces put in
        return " ".join(plain.translate(_ASCII_NOT_WORD).split())
    return _NOT_WORD.sub(" ", plain).strip()


def _without_combining(text: str) -> str:
    """``text`` without its combining marks; at once when they are all the characters outside
    ASCII and of the common block (German names: the marks that decomposing made of the umlauts)."""
    if _ASCII_OR_MARKS.fullmatch(text) is not None:
        return text.encode("ascii", "ignore").decode("ascii")
    return text.translate(_DROP_COMBINING)


def name_key(text: str) -> str:
    """The key two spellings of one name share: :func:`fold`, with "ue" read as "ü" (Gueler = Güler).

    The "e" after an "a", "o" or "u" goes (:data:`_TRANSLITERATED`); ``str.replace`` does that
    without the pattern, for one pair after the other: taking out the "e" of one pair joins its
    vowel to the next letter, and a pair so made is never taken out (the pattern looks at the
    text as it was), nor by the pairs replaced after it (their vowels differ).
    """
    folded = fold(text)
    if "e" not in folded:
        return folded
    return folded.replace("ae", "a").replace("oe", "o").replace("ue", "u")


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
