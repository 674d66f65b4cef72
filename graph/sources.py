"""Phase 1 of loading: read every file in ``sources/`` into typed declarations.

This phase checks only the *shape* of each file (which keys, which kinds of value)
and records the line of everything. Whether ids, types and properties exist is
phase 2 (:mod:`graph.dataset`), which sees all files at once.

Layout::

    sources/project.yaml        settings (graph.project)
    sources/entities.yaml       the registry: entities shared by all articles
    sources/entities/*.yaml     (optional) more registry files
    sources/articles/*.yaml     one file per source: its description and its facts
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.errors import Location, Problem, suggest
from graph.sourcecache import Reader, SourceCache, T
from graph.yamlio import LMap, LSeq, load_yaml

ENTITY_KEYS = ("id", "type", "name", "aliases")
SOURCE_KEYS = ("id", "type", "name")
FACT_KEYS = ("subject", "quote", "qualifiers", "note")
ARTICLE_KEYS = ("source", "facts")
_ENTRY_KEYS = frozenset(FACT_KEYS + ENTITY_KEYS)  # the keys that are no claims of a fact declaring an entity
_FACT_KEYS = frozenset(FACT_KEYS)
_SOURCE_KEYS = frozenset(SOURCE_KEYS)


@dataclass(frozen=True)
class Claim:
    """One ``property: value`` pair as written (value not yet typed)."""

    property: str
    value: object
    location: Location


@dataclass(frozen=True)
class EntityDecl:
    """An entity declared in the registry or in an article's fact entry."""

    id: str
    type: str
    name: str
    aliases: tuple[str, ...]
    location: Location
    type_location: Location
    origin: str | None  # source id for entities declared inside an article


@dataclass(frozen=True)
class SourceDecl:
    """The ``source:`` block of an article file."""

    id: str
    type: str
    name: str
    claims: tuple[Claim, ...]
    location: Location
    type_location: Location


@dataclass(frozen=True)
class FactDecl:
    """One fact entry: a subject, its evidence quotes, and the claims they back."""

    subject: str
    subject_location: Location
    quotes: tuple[tuple[str, Location], ...]
    claims: tuple[Claim, ...]
    qualifiers: tuple[Claim, ...]
    note: str | None
    location: Location


RawClaim = tuple[str, object, int]
"""A claim as the reader keeps it: property, value (not yet typed) and line."""

FactEntry = tuple[str, int, tuple[tuple[str, int], ...], tuple[RawClaim, ...], tuple[RawClaim, ...], str | None, int]
"""A fact entry as the reader keeps it, :class:`FactDecl`'s fields in plain tuples with line
numbers for locations: subject, its line, quotes (text, line), claims, qualifiers, note, line.

An article's entries are what resolving reads and the source cache keeps: tuples of
text and numbers are made, pickled and unpickled several times faster than a
:class:`Claim` and a :class:`~graph.errors.Location` per claim (a hundred thousand
claims at a million triples). :attr:`ArticleDecl.facts` makes the dataclasses from them.
"""

EntityEntry = tuple[str, str, str, tuple[str, ...], int, int]
"""An entity an article declares, as the reader keeps it (see :data:`FactEntry`):
:class:`EntityDecl`'s id, type, name, aliases, and the lines of its id and type."""


@dataclass(frozen=True)
class ArticleDecl:
    """Everything one article file declares."""

    path: Path
    source: SourceDecl
    entity_entries: tuple[EntityEntry, ...]
    """The entities its fact entries declare, as plain tuples (:attr:`entities` as dataclasses)."""
    fact_entries: tuple[FactEntry, ...]
    """The fact entries as plain tuples (see :data:`FactEntry`; :attr:`facts` as dataclasses)."""

    @functools.cached_property
    def entities(self) -> tuple[EntityDecl, ...]:
        """The entities its fact entries declare (made from :attr:`entity_entries` when first asked for)."""
        at, origin = _locator(self.path), self.source.id
        return tuple(
            EntityDecl(id_, type_, name, aliases, at(line), at(type_line), origin)
            for id_, type_, name, aliases, line, type_line in self.entity_entries
        )

    @functools.cached_property
    def facts(self) -> tuple[FactDecl, ...]:
        """The fact entries (made from :attr:`fact_entries` when first asked for)."""
        at = _locator(self.path)
        return tuple(
            FactDecl(
                subject=subject,
                subject_location=at(subject_line),
                quotes=tuple((text, at(line)) for text, line in quotes),
                claims=tuple(Claim(p, v, at(line)) for p, v, line in claims),
                qualifiers=tuple(Claim(p, v, at(line)) for p, v, line in qualifiers),
                note=note,
                location=at(line),
            )
            for subject, subject_line, quotes, claims, qualifiers, note, line in self.fact_entries
        )

    def __getstate__(self) -> dict[str, object]:
        """The fields only: :attr:`entities` and :attr:`facts`, once made, are not pickled (into the source cache)."""
        state = dict(self.__dict__)
        state.pop("entities", None)
        state.pop("facts", None)
        return state


def _locator(path: Path) -> Callable[[int], Location]:
    """The :class:`~graph.errors.Location` of a line of ``path``, one object per line."""
    locations: dict[int, Location] = {}

    def at(line: int) -> Location:
        location = locations.get(line)
        if location is None:
            location = locations[line] = Location(path, line)
        return location

    return at


@dataclass(frozen=True)
class Declarations:
    """Everything read from ``sources/``, before resolution."""

    registry: tuple[EntityDecl, ...]
    articles: tuple[ArticleDecl, ...]
    unreadable: tuple[Path, ...] = ()
    """Files that could not be read as a whole (not YAML, or no usable source block):
    what they declare and use is unknown, so resolution does not guess about it."""


def new_claim(property: str, value: object, location: Location) -> Claim:
    """``Claim(property, value, location)`` in half the time (the reader makes one per claim).

    A frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``;
    this fills the new instance's ``__dict__`` as that does, in the order of the fields
    (tests/test_resolve_fast.py checks that the two are the same).
    """
    claim = _new_object(Claim)
    claim.__dict__.update(property=property, value=value, location=location)
    return claim


_new_object = object.__new__


def registry_files(sources_dir: Path) -> list[Path]:
    """The registry files: ``entities.yaml`` and ``entities/*.yaml``, sorted."""
    files = [sources_dir / "entities.yaml"] if (sources_dir / "entities.yaml").is_file() else []
    return files + _sorted_files(sources_dir / "entities")


def article_files(sources_dir: Path) -> list[Path]:
    """The article files, sorted by name."""
    return _sorted_files(sources_dir / "articles")


def _sorted_files(folder: Path) -> list[Path]:
    """``sorted(folder.glob("*.yaml"))``: all in one folder, paths sort as their names do
    (which are compared without making each path's parts, thousands of times)."""
    return sorted(folder.glob("*.yaml"), key=_name)


def _name(path: Path) -> str:
    return path.name


def read_sources(sources_dir: Path, problems: list[Problem], cache: bool = True) -> Declarations:
    """Read the registry and every article file; append problems, never raise.

    Args:
        sources_dir: The ``sources/`` folder.
        problems: Where problems are collected.
        cache: Remember what each file gave, and do not parse a file again whose bytes
            are unchanged (see :mod:`graph.sourcecache`).

    Returns:
        What could be read; entries with problems are left out.
    """
    remembered = SourceCache.of(sources_dir) if cache else None

    def read(path: Path, kind: str, reader: Reader[T]) -> T:
        if remembered is None:
            return reader(path, problems, None)
        return remembered.read(path, kind, reader, problems)

    files: list[tuple[Path, str, Reader[Any]]] = [(p, "registry", _read_registry) for p in registry_files(sources_dir)]
    files += [(p, "article", _read_article) for p in article_files(sources_dir)]
    if remembered is not None:
        remembered.expect(path for path, _, _ in files)
    ahead = remembered.parse_ahead(files) if remembered is not None else None
    registry: list[EntityDecl] = []
    articles: list[ArticleDecl] = []
    unreadable: list[Path] = []
    try:
        for index, (path, kind, reader) in enumerate(files):
            if ahead is not None:
                ahead.before(index)  # from ahead.start on, the rest is in the cache, as if remembered
            found = read(path, kind, reader)
            if found is None:
                unreadable.append(path)
            elif kind == "registry":
                registry.extend(found)
            else:
                articles.append(found)
    finally:
        if ahead is not None:
            ahead.child.kill()  # stopped and cleaned up (if it is still there)
    if remembered is not None:
        remembered.save()
    return Declarations(tuple(registry), tuple(articles), tuple(unreadable))


class _Reader:
    """Shape checks for one file, with its path bound for locations."""

    def __init__(self, path: Path, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems
        # One object per line: a fact written on one line has a dozen locations there, and
        # the source cache pickles (and unpickles) each distinct object once.
        self._locations: dict[int, Location] = {}

    def at(self, line: int) -> Location:
        location = self._locations.get(line)
        if location is None:
            location = self._locations[line] = Location(self.path, line)
        return location

    def fail(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.at(line), message))

    def text(self, mapping: LMap, key: str, what: str) -> str | None:
        """A required, non-empty text value."""
        if key not in mapping:
            self.fail(mapping.line, f"{what} needs '{key}'")
            return None
        value = mapping[key]
        if not isinstance(value, str) or not value.strip():
            self.fail(mapping.key_lines[key], f"'{key}' must be non-empty text, got {value!r}")
            return None
        return value.strip()

    def claims(self, mapping: LMap, skip: Collection[str]) -> list[Claim]:
        """Every ``property: value`` pair not in ``skip``; lists give one claim per item."""
        return [new_claim(key, value, self.at(line)) for key, value, line in self.raw_claims(mapping, skip)]

    def raw_claims(self, mapping: LMap, skip: Collection[str]) -> list[RawClaim]:
        """:meth:`claims` as ``(property, value, line)`` tuples."""
        result: list[RawClaim] = []
        key_lines = mapping.key_lines
        for key, value in mapping.items():
            if key in skip:
                continue
            line = key_lines[key]
            if isinstance(value, LSeq):
                if not value:
                    self.fail(line, f"'{key}' has an empty list")
                for item, item_line in zip(value, value.item_lines, strict=True):
                    if self._plain(key, item, item_line):
                        result.append((key, item, item_line))
            # most claims: one plain value, neither None nor a mapping (_plain reports those)
            elif (value is not None and not isinstance(value, LMap)) or self._plain(key, value, line):
                result.append((key, value, line))
        return result

    def _plain(self, key: str, value: object, line: int) -> bool:
        """Whether ``value`` is one plain value (else reported)."""
        if value is None:
            self.fail(line, f"'{key}' has no value (leave unknown values out instead of writing them empty)")
            return False
        if isinstance(value, LMap | LSeq):
            self.fail(line, f"'{key}' must be a single value or a list of values, not a nested structure")
            return False
        return True

    def entity(self, mapping: LMap, origin: str | None) -> EntityDecl | None:
        entry = self.entity_entry(mapping)
        if entry is None:
            return None
        id_, type_, name, aliases, line, type_line = entry
        return EntityDecl(id_, type_, name, aliases, self.at(line), self.at(type_line), origin)

    def entity_entry(self, mapping: LMap) -> EntityEntry | None:
        """The entity ``mapping`` declares (see :data:`EntityEntry`), or ``None`` (reported)."""
        ok = True
        for name in ("id", "type", "name"):
            ok = self.text(mapping, name, "an entity") is not None and ok
        aliases: list[str] = []
        raw = mapping.get("aliases")
        if raw is not None:
            if isinstance(raw, LSeq) and all(isinstance(a, str) and a.strip() for a in raw):
                aliases = [a.strip() for a in raw]
            else:
                self.fail(mapping.key_lines["aliases"], "'aliases' must be a list of names")
                ok = False
        if not ok:
            return None
        key_lines = mapping.key_lines
        return (
            mapping["id"].strip(),
            mapping["type"].strip(),
            mapping["name"].strip(),
            tuple(aliases),
            key_lines["id"],
            key_lines["type"],
        )


def _read_registry(path: Path, problems: list[Problem], content: bytes | None = None) -> list[EntityDecl] | None:
    before = len(problems)
    data = load_yaml(path, problems, content)
    reader = _Reader(path, problems)
    if data is None:
        return None if len(problems) > before else []
    if not isinstance(data, LSeq):
        reader.fail(getattr(data, "line", 1), "the entity registry must be a list of entities (- id: ...)")
        return []
    result: list[EntityDecl] = []
    for item, line in zip(data, data.item_lines, strict=True):
        if not isinstance(item, LMap):
            reader.fail(line, "each entity must be a mapping with id, type, name")
            continue
        misspelt = False
        for key in item:
            if key not in ENTITY_KEYS:
                hint = suggest(key, [k for k in ENTITY_KEYS if k not in item])
                misspelt = misspelt or bool(hint)
                reader.fail(
                    item.key_lines[key],
                    f"unknown key '{key}'{hint} in the registry; entities take {', '.join(ENTITY_KEYS)} "
                    "(facts go into an article file, with a quote)",
                )
        if misspelt:
            continue  # what it lacks is reported as the misspelling, not once more as missing
        if (entity := reader.entity(item, None)) is not None:
            result.append(entity)
    return result


def _read_article(path: Path, problems: list[Problem], content: bytes | None = None) -> ArticleDecl | None:
    before = len(problems)
    data = load_yaml(path, problems, content)
    reader = _Reader(path, problems)
    if data is None:
        if len(problems) == before:
            reader.fail(1, "empty article file; expected 'source:' and 'facts:'")
        return None
    if not isinstance(data, LMap):
        reader.fail(getattr(data, "line", 1), "an article file must be a mapping with 'source:' and 'facts:'")
        return None
    for key in data:
        if key not in ARTICLE_KEYS:
            reader.fail(data.key_lines[key], f"unknown key '{key}'; an article file has 'source:' and 'facts:'")
    source_map = data.get("source")
    if not isinstance(source_map, LMap):
        reader.fail(data.key_lines.get("source", data.line), "'source:' must be a mapping with id, type, name, ...")
        return None
    source = _read_source(reader, source_map)
    if source is None:
        return None
    facts_seq = data.get("facts")
    if not isinstance(facts_seq, LSeq):
        reader.fail(data.key_lines.get("facts", data.line), "'facts:' must be a list of fact entries")
        return None
    entities: list[EntityEntry] = []
    facts: list[FactEntry] = []
    for item, line in zip(facts_seq, facts_seq.item_lines, strict=True):
        if not isinstance(item, LMap):
            reader.fail(line, "each fact must be a mapping with subject (or id, type, name), quote and claims")
            continue
        fact, entity = _read_fact(reader, item)
        if entity is not None:
            entities.append(entity)
        if fact is not None:
            facts.append(fact)
    return ArticleDecl(path, source, tuple(entities), tuple(facts))


def _read_source(reader: _Reader, mapping: LMap) -> SourceDecl | None:
    ok = all([reader.text(mapping, key, "'source:'") is not None for key in SOURCE_KEYS])
    if not ok:
        return None
    return SourceDecl(
        id=mapping["id"].strip(),
        type=mapping["type"].strip(),
        name=mapping["name"].strip(),
        claims=tuple(reader.claims(mapping, _SOURCE_KEYS)),
        location=reader.at(mapping.key_lines["id"]),
        type_location=reader.at(mapping.key_lines["type"]),
    )


def _misspelt_keys(reader: _Reader, item: LMap) -> set[str]:
    """Keys that look like a misspelt required key ('qoute' for a missing 'quote'); reported here.

    Only a key the entry needs and lacks is suggested, so a property whose name happens
    to be close to an optional one (``nickname`` beside ``name``) is left alone; phase 2
    suggests the optional keys among the properties.
    """
    if "id" in item:
        required: tuple[str, ...] = ("quote", "type", "name")
    elif "subject" in item:
        required = ("quote",)
    else:
        required = ("quote", "subject")
    missing = [k for k in required if k not in item]
    found: set[str] = set()
    for key, value in item.items():
        if key in _ENTRY_KEYS:
            continue
        if isinstance(value, LMap):
            # no property takes a mapping, so a mapping's key is compared with every key left
            hint = suggest(key, [k for k in FACT_KEYS + ENTITY_KEYS if k not in item])
        elif missing:
            hint = suggest(key, missing)
        else:
            continue  # nothing it could be a misspelling of (most keys of most entries)
        if hint:
            reader.fail(item.key_lines[key], f"unknown key '{key}'{hint}")
            found.add(key)
    return found


def _read_fact(reader: _Reader, item: LMap) -> tuple[FactEntry | None, EntityEntry | None]:
    entity: EntityEntry | None = None
    misspelt = _misspelt_keys(reader, item)
    if misspelt:
        return None, None
    declares = "id" in item
    if declares and "subject" in item:
        reader.fail(
            item.key_lines["subject"], "a fact has either 'subject' (an existing id) or 'id' (a new entity), not both"
        )
        return None, None
    if declares:
        entity = reader.entity_entry(item)
        if entity is None:
            return None, None
        subject, subject_line = entity[0], entity[4]
    else:
        text = reader.text(item, "subject", "a fact")
        if text is None:
            return None, None
        subject, subject_line = text, item.key_lines["subject"]
    quotes = _quotes(reader, item)
    qualifiers: list[RawClaim] = []
    raw_qualifiers = item.get("qualifiers")
    if raw_qualifiers is not None:
        if isinstance(raw_qualifiers, LMap):
            qualifiers = reader.raw_claims(raw_qualifiers, ())
        else:
            reader.fail(item.key_lines["qualifiers"], "'qualifiers' must be a mapping of property: value")
    note = item.get("note")
    if note is not None and not (isinstance(note, str) and note.strip()):
        reader.fail(item.key_lines["note"], "'note' must be text")
        note = None
    skip = _ENTRY_KEYS if declares else _FACT_KEYS
    claims = reader.raw_claims(item, skip)
    if not claims and not any(k not in skip for k in item):
        reader.fail(item.line, "this fact states nothing: add at least one 'property: value'")
        return None, entity
    if quotes is None:
        return None, entity
    note_text = note.strip() if isinstance(note, str) else None
    return (subject, subject_line, quotes, tuple(claims), tuple(qualifiers), note_text, item.line), entity


def _quotes(reader: _Reader, item: LMap) -> tuple[tuple[str, int], ...] | None:
    if "quote" not in item:
        reader.fail(item.line, "a fact needs 'quote': the verbatim words of the source that back it")
        return None
    raw = item["quote"]
    line = item.key_lines["quote"]
    if isinstance(raw, str) and raw.strip():
        return ((raw, line),)
    if isinstance(raw, LSeq) and raw and all(isinstance(q, str) and q.strip() for q in raw):
        return tuple(zip(raw, raw.item_lines, strict=True))
    reader.fail(line, "'quote' must be text or a list of texts copied verbatim from the source")
    return None
