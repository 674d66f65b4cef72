"""Check that every quote (and title) appears verbatim in the text of its source.

Texts are not part of the project (copyright): a source records the SHA-256 of its
text, and this check finds the text by that hash in a folder the user points to.
Whitespace is compared loosely (runs of spaces and line breaks count as one space),
everything else exactly, after Unicode NFC normalisation.

What a check learnt is remembered under the cache root (see
:func:`graph.buildcache.cache_root`): each text file's SHA-256 by its ``stat`` (trusted
as :mod:`graph.sourcecache` trusts it), and by a text's SHA-256 the quotes found in it.
An unchanged text is then not read again, and a quote found in it before is not searched
for again; a quote not found is searched for every time, and reported as before.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import operator
import os
import pickle
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from graph import buildcache, sourcecache
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


@dataclass
class _Memo:
    """What an earlier check learnt about a texts folder (see :func:`check_quotes`)."""

    files: dict[str, tuple[tuple[int, int, int, int, int], str | None]] = field(default_factory=dict)
    """Each file's settled stat (:func:`graph.buildcache.file_stat`) and SHA-256 (``None``: not UTF-8)."""
    found: dict[str, set[str]] = field(default_factory=dict)
    """By a text's SHA-256, the quotes (as written) found in it, normalised."""


class _Texts:
    """The texts of one folder by SHA-256; a file is read only when its stat changed or a
    quote not found in it before is looked for, and what was learnt is remembered
    under the cache root (``quotes/<folder>-<tool>.pickle``)."""

    def __init__(self, folder: Path, remember: bool) -> None:
        if not folder.is_dir():
            raise ConfigError(f"texts folder not found: {folder}")
        self.file = None
        if remember:
            name = hashlib.sha256(os.fsencode(os.path.abspath(folder))).hexdigest()[:24]
            self.file = buildcache.cache_root() / "quotes" / f"{name}-{sourcecache.tool_id()}.pickle"
        self.memo = self._load()
        self.changed = False
        self.folder = folder
        self.names: dict[str, str] = {}  # SHA-256 -> the file's name (the last by name of equal ones)
        self.normalized: dict[str, str] = {}
        files: dict[str, tuple[tuple[int, int, int, int, int], str | None]] = {}
        started = time.time_ns()
        # by name, as sorted paths of one folder are (names compare faster than paths)
        for entry in sorted((e for e in os.scandir(folder) if e.is_file()), key=lambda e: e.name):
            stat = buildcache.file_stat(entry.path)
            known = self.memo.files.get(entry.name)
            if known is not None and known[0] == stat:
                digest = known[1]
            else:
                data = (folder / entry.name).read_bytes()
                digest = hashlib.sha256(data).hexdigest()
                try:
                    self.normalized[digest] = normalize(data.decode("utf-8"))
                except UnicodeDecodeError:
                    digest = None  # not a text; it cannot be a source's text either
                self.changed = True
            if buildcache.settled(stat, started):
                files[entry.name] = (stat, digest)
            else:
                self.changed = True  # hashed again next time
            if digest is not None:
                self.names[digest] = entry.name
        self.changed = self.changed or files.keys() != self.memo.files.keys()
        self.memo.files = files

    def found(self, digest: str, quote: str) -> bool:
        """Whether ``quote``, normalised, is in the text with SHA-256 ``digest`` (one of :attr:`names`)."""
        found = self.memo.found.get(digest)
        if found is not None and quote in found:
            return True
        if normalize(quote) in self.text(digest):
            self.memo.found.setdefault(digest, set()).add(quote)
            self.changed = True
            return True
        return False

    def text(self, digest: str) -> str:
        """The normalised text with SHA-256 ``digest``."""
        text = self.normalized.get(digest)
        if text is None:
            text = self.normalized[digest] = normalize((self.folder / self.names[digest]).read_bytes().decode("utf-8"))
        return text

    def save(self) -> None:
        """Keep what was learnt (skipped when nothing was, or if the cache is unwritable).

        Only the :data:`graph.sourcecache.FOLDERS` texts folders checked last are kept,
        and one version of the tool.
        """
        if self.file is None:
            return
        with contextlib.suppress(OSError):  # an unwritable cache only costs the next check its shortcut
            if not self.changed:
                os.utime(self.file)  # used now: the folders used longest ago go first
                return
            self.memo.found = {d: quotes for d, quotes in self.memo.found.items() if d in self.names}
            self.file.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.file.with_name(f"{self.file.name}.{os.getpid()}.tmp")
            temporary.write_bytes(pickle.dumps(self.memo, protocol=pickle.HIGHEST_PROTOCOL))
            os.replace(temporary, self.file)
            prefix = self.file.name.split("-", 1)[0]
            others = [p for p in self.file.parent.glob("*.pickle") if p != self.file]
            for other in [p for p in others if p.name.startswith(f"{prefix}-")]:  # another version of the tool
                other.unlink(missing_ok=True)
            kept = sorted((p for p in others if p.exists()), key=lambda p: p.stat().st_mtime_ns, reverse=True)
            for other in kept[sourcecache.FOLDERS - 1 :]:
                other.unlink(missing_ok=True)

    def _load(self) -> _Memo:
        if self.file is None:
            return _Memo()
        try:
            with open(self.file, "rb") as handle:
                memo = pickle.load(handle)
        except Exception:  # missing, truncated or foreign: the texts are read again
            return _Memo()
        return memo if isinstance(memo, _Memo) else _Memo()


def check_quotes(dataset: Dataset, texts_dir: Path, cache: bool = True) -> QuoteReport:
    """Look up each source's text by hash and search it for each quote and the title.

    Args:
        dataset: The resolved sources.
        texts_dir: Folder with the full texts (any file names).
        cache: Remember each text file's SHA-256 (by its stat, as :mod:`graph.sourcecache`
            does) and the quotes found in each text, so that an unchanged text is not
            read again and a quote found in it before is not searched for again.

    Returns:
        The counts and one problem per missing text, quote or title.

    Raises:
        ConfigError: When the folder does not exist.
    """
    texts = _Texts(texts_dir, cache)
    problems: list[Problem] = []
    # Each source's quotes, once per text and place, in the order first seen.
    wanted: dict[str, dict[tuple[str, int, str], tuple[str, Location]]] = {}
    previous: object = None
    places: dict[tuple[str, int, str], tuple[str, Location]] = {}
    source_id = None
    for fact in dataset.facts:
        if fact.quotes is previous:  # the claims of one fact entry share its quotes
            continue
        previous = fact.quotes
        if fact.source != source_id:  # the facts of one source follow each other
            source_id = fact.source
            places = wanted.setdefault(source_id, {})
        for evidence in previous:
            location = evidence[1]
            places.setdefault((evidence[0], location.line, str(location.path)), evidence)
    checked = 0
    for source in sorted(dataset.sources.values(), key=lambda s: s.id):
        name = texts.names.get(source.sha256)
        if name is None:
            problems.append(
                Problem(
                    source.sha256_location,
                    f"no file in {texts_dir} has SHA-256 {source.sha256} (the text of source '{source.id}')",
                )
            )
            continue
        items = _by_location(wanted.get(source.id, {}))
        if source.title is not None:
            items.append(source.title)
        for quote, location in items:
            checked += 1
            if not texts.found(source.sha256, quote):
                explained = explain_miss(normalize(quote), texts.text(source.sha256))
                problems.append(Problem(location, f"not found verbatim in {name} (source '{source.id}'): {explained}"))
    texts.save()
    return QuoteReport(len(dataset.sources), checked, tuple(problems))


def _by_location(places: dict[tuple[str, int, str], tuple[str, Location]]) -> list[tuple[str, Location]]:
    """The quotes of ``places`` sorted by location (quotes at one place in the order first seen)."""
    if len({path for _, _, path in places}) <= 1:  # one file (as always): its lines decide, faster
        return [places[key] for key in sorted(places, key=_LINE)]
    items = list(places.values())
    items.sort(key=lambda q: q[1])
    return items


_LINE = operator.itemgetter(1)  # of a key of places: the line


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
