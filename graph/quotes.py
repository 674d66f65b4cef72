"""Check that every quote (and title) appears verbatim in the text of its source.

Texts are not part of the project (copyright): a source records the SHA-256 of its
text, and this check finds the text by that hash in a folder the user points to.
Whitespace is compared loosely (runs of spaces and line breaks count as one space),
everything else exactly, after Unicode NFC normalisation.
"""

from __future__ import annotations

import difflib
import hashlib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from graph.dataset import Dataset
from graph.errors import ConfigError, Location, Problem


@dataclass(frozen=True)
class QuoteReport:
    """How many quotes were checked, and the ones not found."""

    sources: int
    quotes: int
    problems: tuple[Problem, ...]


def normalize(text: str) -> str:
    """NFC-normalise and collapse whitespace runs to one space."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def load_texts(texts_dir: Path) -> dict[str, tuple[Path, str]]:
    """Hash every file in ``texts_dir``: SHA-256 to (path, normalised text).

    Raises:
        ConfigError: When the folder does not exist.
    """
    if not texts_dir.is_dir():
        raise ConfigError(f"texts folder not found: {texts_dir}")
    texts: dict[str, tuple[Path, str]] = {}
    for path in sorted(p for p in texts_dir.iterdir() if p.is_file()):
        data = path.read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            continue  # not a text; it cannot be a source's text either
        texts[hashlib.sha256(data).hexdigest()] = (path, normalize(text))
    return texts


def check_quotes(dataset: Dataset, texts_dir: Path) -> QuoteReport:
    """Look up each source's text by hash and search it for each quote and the title.

    Args:
        dataset: The resolved sources.
        texts_dir: Folder with the full texts (any file names).

    Returns:
        The counts and one problem per missing text, quote or title.
    """
    texts = load_texts(texts_dir)
    problems: list[Problem] = []
    wanted: dict[str, set[tuple[str, Location]]] = {}
    for fact in dataset.facts:
        wanted.setdefault(fact.source, set()).update(fact.quotes)
    checked = 0
    for source in sorted(dataset.sources.values(), key=lambda s: s.id):
        found = texts.get(source.sha256)
        if found is None:
            problems.append(
                Problem(
                    source.sha256_location,
                    f"no file in {texts_dir} has SHA-256 {source.sha256} (the text of source '{source.id}')",
                )
            )
            continue
        path, text = found
        items = sorted(wanted.get(source.id, set()), key=lambda q: q[1])
        if source.title is not None:
            items.append(source.title)
        for quote, location in items:
            checked += 1
            wanted_text = normalize(quote)
            if wanted_text not in text:
                problems.append(
                    Problem(
                        location,
                        f"not found verbatim in {path.name} (source '{source.id}'): {explain_miss(wanted_text, text)}",
                    )
                )
    return QuoteReport(len(dataset.sources), checked, tuple(problems))


SHOWN = 80
"""Quotes and passages up to this length are shown whole; longer ones around the difference."""

_CONTEXT = 30
SIMILAR = 0.6
"""How alike (difflib ratio) a passage must be to be shown as the closest."""


def closest_passage(quote: str, text: str) -> tuple[int, str] | None:
    """The passage of ``text`` most like ``quote``: (start, passage), or ``None`` when nothing is alike.

    The passage is found around the longest stretch the two share, and runs from the
    first to the last stretch of three or more characters they share there, stretched
    by what the quote has before and after them.
    """
    if not quote or not text:
        return None
    longest = difflib.SequenceMatcher(None, text, quote, autojunk=False).find_longest_match(0, len(text), 0, len(quote))
    if longest.size < min(8, len(quote)) and longest.size * 3 < len(quote):
        return None
    low = max(0, longest.a - longest.b - len(quote))
    high = min(len(text), longest.a + len(quote) * 2)
    region = text[low:high]
    blocks = [
        b for b in difflib.SequenceMatcher(None, region, quote, autojunk=False).get_matching_blocks() if b.size >= 3
    ]
    first, last = blocks[0], blocks[-1]
    start = max(0, low + first.a - first.b)
    end = min(len(text), low + last.a + last.size + len(quote) - last.b - last.size)
    if difflib.SequenceMatcher(None, text[start:end], quote, autojunk=False).ratio() < SIMILAR:
        return None
    return start, text[start:end]


def explain_miss(quote: str, text: str) -> str:
    """Say how a quote differs from the closest passage of the text, difference included.

    Args:
        quote: The normalised quote.
        text: The normalised text it was not found in.

    Returns:
        The quote, the closest passage, and the first character where they differ with its
        code point (``'"' U+0022 where the text has '“' U+201C``).
    """
    found = closest_passage(quote, text)
    if found is None:
        return f"{_shown(quote, 0)!r}; no similar passage in the text"
    _, passage = found
    index = next((i for i, (a, b) in enumerate(zip(quote, passage, strict=False)) if a != b), len(passage))
    if index >= len(passage):
        difference = f"the text ends after {passage[-1:]!r}" if passage else "the text is empty"
    else:
        difference = f"{_char(quote[index])} where the text has {_char(passage[index])}"
    return (
        f"{_shown(quote, index)!r}; closest passage {_shown(passage, index)!r}; "
        f"first difference at character {index + 1}: {difference}"
    )


def _char(char: str) -> str:
    return f"{char!r} U+{ord(char):04X}"


def _shown(text: str, index: int) -> str:
    """``text`` whole when short, else the stretch around ``index`` with ``…`` where cut."""
    if len(text) <= SHOWN:
        return text
    start = max(0, index - _CONTEXT)
    end = min(len(text), index + _CONTEXT)
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
