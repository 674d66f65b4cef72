"""Check that every quote (and title) appears verbatim in the text of its source.

Texts are not part of the project (copyright): a source records the SHA-256 of its
text, and this check finds the text by that hash in a folder the user points to.
Whitespace is compared loosely (runs of spaces and line breaks count as one space),
everything else exactly, after Unicode NFC normalisation.
"""

from __future__ import annotations

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
            if normalize(quote) not in text:
                shown = quote if len(quote) <= 60 else quote[:57] + "..."
                problems.append(
                    Problem(location, f"not found verbatim in {path.name} (source '{source.id}'): {shown!r}")
                )
    return QuoteReport(len(dataset.sources), checked, tuple(problems))
