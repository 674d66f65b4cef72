"""The text: its header block, its sentences with offsets, slugs for proposed ids."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

HEADER_KEYS = ("URL", "Title", "Publisher", "Date")
_HEADER_LINE = re.compile(r"^(URL|Title|Publisher|Date):[ \t]*(.*?)[ \t]*$")
# Abbreviations after which a full stop does not end a sentence.
_ABBREVIATIONS = {"Dr", "Prof", "St", "Nr", "ca", "bzw", "ggf", "z.B", "u.a", "d.h", "Mio", "Mrd", "Abs", "vgl", "evtl"}
_SENTENCE_END = re.compile(r"(?<=[.!?])[“”\"«»]?(?=\s+[„“\"»A-ZÄÖÜ0-9])")
_UMLAUTS = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue"}


@dataclass(frozen=True)
class Sentence:
    """A sentence (or a heading line) and its offsets in the text."""

    start: int
    end: int
    text: str


def split_header(text: str) -> tuple[dict[str, str], int]:
    """The ``URL:``/``Title:``/``Publisher:``/``Date:`` block before a ``---`` line.

    Returns:
        The header values and the offset where the body starts (0 without a header).
    """
    header: dict[str, str] = {}
    offset = 1 if text.startswith("\ufeff") else 0  # a byte order mark before the header
    for line in text[offset:].splitlines(keepends=True):
        stripped = line.strip()
        if stripped == "---" and header:
            return header, offset + len(line)
        match = _HEADER_LINE.match(stripped)
        if match is None:
            return {}, 0
        header[match.group(1)] = match.group(2)
        offset += len(line)
    return {}, 0


def sentences(text: str, start: int = 0) -> list[Sentence]:
    """Cut ``text[start:]`` into sentences: every line break ends one, and so does
    a full stop, question or exclamation mark followed by a capital (not after an
    abbreviation or a day number such as "27. November")."""
    result: list[Sentence] = []
    for line in re.finditer(r"[^\n]+", text[start:]):
        base = start + line.start()
        chunk = line.group()
        cut = 0
        for match in _SENTENCE_END.finditer(chunk):
            end = match.end()
            before = chunk[cut:end].rstrip('“”"«» ')
            word = re.search(r"([\w.]+)\.$", before)
            if word and (word.group(1) in _ABBREVIATIONS or re.fullmatch(r"\d{1,2}", word.group(1))):
                continue
            _add(result, text, base + cut, base + end)
            cut = end
        _add(result, text, base + cut, base + len(chunk))
    return result


def _add(result: list[Sentence], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        result.append(Sentence(start, end, text[start:end]))


def slug(text: str) -> str:
    """An id as the project makes them: ASCII, lower case, single hyphens (ü → ue)."""
    ascii_text = "".join(_UMLAUTS.get(c, c) for c in text)
    ascii_text = unicodedata.normalize("NFKD", ascii_text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def clip(text: str, start: int, end: int, limit: int = 400) -> tuple[int, int]:
    """Shrink ``start:end`` to at most ``limit`` characters, ending at a word boundary."""
    if end - start <= limit:
        return start, end
    cut = text.rfind(" ", start, start + limit)
    return start, (cut if cut > start else start + limit)


def sentence_at(parts: list[Sentence], offset: int) -> Sentence | None:
    """The sentence that holds ``offset``."""
    return next((s for s in parts if s.start <= offset < s.end), None)
