"""``kg.ttl`` and ``kg.jsonld`` after a few articles changed: the last build's files with
the units of the subjects those articles touch written again (as :mod:`graph.ntsplice`
does for ``kg.nt``, whose subjects these are).

Both documents are a head, one unit of text per subject and a tail. In Turtle a unit is a
subject's block (:func:`graph.writers.turtle_blocks`), with an empty line between two; in
JSON-LD it is a node object of ``@graph`` (:func:`graph.writers.jsonld_items`), with a
comma between two. A unit is made of its subject's triples and the prefixes alone, and
its place depends on the subject alone: in Turtle its class's rank and its IRI, in
JSON-LD its ``@id``. So the units of the subjects whose triples changed are taken out of
the old file, each found by binary search among the sorted units, and the new ones put
where they go; the rest of the old file is kept as it is.

The head lists the prefixes the document uses (Turtle's ``@prefix`` lines, JSON-LD's
``@context``). It stays the same when the new units use no prefix the old document did
not, and every prefix it used is still used: by a new unit, or by a kept one (a prefix
that none of the removed units holds as ``prefix:`` was only in kept ones). Otherwise,
as for a file that is not as the writers leave it, nothing is spliced (``None``): the
document is written whole.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Generic, TypeVar

from rdflib import URIRef
from rdflib.term import Node

from graph.spans import Mapped, Piece
from graph.writers import Prefixes, Table, TurtleKey, class_rank, jsonld_items, turtle_blocks

K = TypeVar("K", TurtleKey, str)


class _Unreadable(ValueError):
    """The old file is not as the writer leaves it."""


@dataclass(frozen=True)
class _Form:
    """How the units of a document are separated.

    Attributes:
        marker: What is between two units, and nowhere else in the document's units.
        end: From where a marker starts to the end of the unit before it.
        start: From where a marker starts to the start of the unit after it.
        separator: What is between the end of a unit and the start of the next.
    """

    marker: bytes
    end: int
    start: int
    separator: bytes


# a block ends with a line break, then an empty line; no block holds an empty line (a
# literal's line breaks are escaped)
_TURTLE = _Form(b"\n\n", 1, 2, b"\n")
# a node object ends with "}" indented by four, which nothing inside it is (its keys are
# indented by six, their values by more)
_JSONLD = _Form(b"\n    },\n", 6, 8, b",\n")


class _Units(Generic[K]):
    """The units of ``old.text[begin:end]``, ordered by ``key`` (of a unit's bytes)."""

    def __init__(self, old: Mapped, begin: int, end: int, form: _Form, key: Callable[[bytes], K]) -> None:
        self.old, self.text, self.begin, self.end, self.form = old, old.text, begin, end, form
        self.key: Callable[[bytes], K] = key

    def end_of(self, start: int) -> int:
        """Where the unit that starts at ``start`` ends."""
        found = self.text.find(self.form.marker, start, self.end)
        return found + self.form.end if found >= 0 else self.end

    def first_at_least(self, wanted: K) -> int:
        """Where the first unit not less than ``wanted`` starts; if there is none, where a
        unit after the last one would start (one separator past the end of the units)."""
        low, high = self.begin, self.end
        marker, start, after = self.form.marker, self.form.start, len(self.form.separator)
        while low < high:
            found = self.text.rfind(marker, low, (low + high) // 2)
            middle = found + start if found >= 0 else low  # the start of a unit, before the middle
            end = self.end_of(middle)
            if self.key(self.text[middle:end]) < wanted:
                low = end + after
            else:
                if middle == low:
                    return low
                high = middle
        return low


def _spliced(
    units: _Units[K], removed: Iterable[K], added: Iterable[tuple[K, bytes]]
) -> tuple[list[Piece], list[bytes]]:
    """The units of the new document: the old ones but those whose keys are ``removed``,
    with the ``added`` ones (in their order, as the writers give them) where they go, in
    runs (consecutive kept units in one piece, a span of the old file) to be joined by the
    separator; and the removed units.

    Raises:
        _Unreadable: When a removed key has no unit.
    """
    text, begin, end = units.text, units.begin, units.end
    events: list[tuple[int, int, int, bytes]] = []  # where, 0 to insert or 1 to remove, where it ends, what
    taken: list[bytes] = []
    for key in removed:
        start = units.first_at_least(key)
        if start >= end:
            raise _Unreadable(f"no unit for {key!r}")
        stop = units.end_of(start)
        unit = text[start:stop]
        if units.key(unit) != key:
            raise _Unreadable(f"no unit for {key!r}")
        taken.append(unit)
        events.append((start, 1, stop, b""))
    for key, unit in added:
        events.append((units.first_at_least(key), 0, 0, unit))
    events.sort(key=itemgetter(0, 1))  # stable: the added ones at one place stay in order
    gap = len(units.form.separator)
    runs: list[Piece] = []
    cursor = begin  # where the next old unit not yet in runs starts
    for at, kind, stop, unit in events:
        if cursor < at - gap:  # the old units from cursor to the one before at
            runs.append(units.old.span(cursor, at - gap))
        if kind == 0:
            runs.append(unit)
            cursor = max(cursor, at)
        else:
            cursor = stop + gap
    if cursor < end:
        runs.append(units.old.span(cursor, end))
    return runs, taken


def _interleaved(separator: bytes, runs: list[Piece]) -> list[Piece]:
    pieces: list[Piece] = [separator] * (2 * len(runs) - 1) if runs else []
    pieces[::2] = runs
    return pieces


def _head_kept(
    names: Mapping[str, str], prefixes: Prefixes, taken: Iterable[bytes], elsewhere: Callable[[str], bool]
) -> bool:
    """Whether a document whose head lists the prefixes ``names`` (each with its namespace)
    lists them still, now that its new units used ``prefixes.used`` and the ``taken`` ones
    are gone: see :data:`Elsewhere` for ``elsewhere``."""
    if not prefixes.used <= names.keys():
        return False
    removed = b"".join(taken)
    for name, namespace in names.items():
        if name not in prefixes.used and f"{name}:".encode() in removed and not elsewhere(namespace):
            return False
    return True


#: Whether the new graph, outside the subjects written again, has a term in a namespace
#: that the documents write in its prefixed form (so that the prefix is still used):
#: ``False`` when that is not known.
Elsewhere = Callable[[str], bool]


def _spliced_from(old: Path, splice: Callable[[Mapped], list[Piece] | None]) -> list[Piece] | None:
    """``splice`` of ``old`` (mapped, see :class:`graph.spans.Mapped`), or ``None`` where its
    bytes cannot be read or are not as the writer leaves them (:class:`_Unreadable`, or
    bytes that are not UTF-8)."""
    try:
        opened = Mapped(old)
    except (OSError, ValueError):  # unreadable, or empty (mmap maps no empty file)
        return None
    with opened:
        try:
            return splice(opened)
        except (ValueError, TypeError):
            return None


def _expanded(term: bytes, names: Mapping[bytes, str]) -> str:
    """The IRI a Turtle term ``<iri>`` or ``prefix:local`` stands for."""
    if term.startswith(b"<") and term.endswith(b">"):
        return term[1:-1].decode()
    prefix, colon, local = term.partition(b":")
    namespace = names.get(prefix) if colon else None
    if namespace is None:
        raise _Unreadable(f"not an IRI: {term!r}")
    return namespace + local.decode()


_PREFIX_LINE = re.compile(rb"@prefix ([^:\s]*): <([^>\s]*)> \.")
_TYPES_BETWEEN = b",\n        "


def _turtle_key(names: Mapping[bytes, str], last: Sequence[str]) -> Callable[[bytes], TurtleKey]:
    def key(unit: bytes) -> TurtleKey:
        space = unit.find(b" ")
        if space < 0:
            raise _Unreadable("not a block")
        iri = _expanded(unit[:space], names)
        types: list[str] = []
        at = space + 1
        if unit.startswith(b"a ", at):  # the types come first, each an IRI, sorted
            at += 2
            while True:
                if unit.startswith(b"<", at):
                    stop = unit.find(b">", at) + 1
                else:
                    stop = min(found for found in (unit.find(b" ", at), unit.find(b",", at), len(unit)) if found >= 0)
                types.append(_expanded(unit[at:stop], names))
                if not unit.startswith(_TYPES_BETWEEN, stop):
                    break
                at = stop + len(_TYPES_BETWEEN)
        return (*class_rank(types, last), iri)

    return key


def turtle(
    old: Path,
    table: Table,
    prefixes: Prefixes,
    before: Mapping[URIRef, Sequence[str] | None],
    last_classes: Sequence[URIRef],
    elsewhere: Elsewhere,
) -> list[Piece] | None:
    """The Turtle of a graph (as :func:`graph.writers.turtle` writes it with ``last_classes``)
    made from ``old``, the Turtle of a graph that differs from it only in the triples of
    the subjects of ``before``: pieces whose concatenation it is, or ``None`` (see the
    module docstring).

    Args:
        old: The last build's ``kg.ttl``.
        table: The new graph's triples of those subjects (subject → predicate → objects).
        prefixes: The new graph's prefixes (:meth:`graph.writers.Prefixes.of`), none used yet.
        before: Each subject's types in the old graph, or ``None`` if it had no triples.
        last_classes: As for :func:`graph.writers.turtle`.
        elsewhere: See :data:`Elsewhere`.
    """
    return _spliced_from(old, lambda opened: _turtle(opened, table, prefixes, before, last_classes, elsewhere))


def _turtle(
    old: Mapped,
    table: Table,
    prefixes: Prefixes,
    before: Mapping[URIRef, Sequence[str] | None],
    last_classes: Sequence[URIRef],
    elsewhere: Elsewhere,
) -> list[Piece] | None:
    text = old.text
    last = [str(c) for c in last_classes]
    names: dict[bytes, str] = {}
    at = 0
    while text[at : at + 8] == b"@prefix ":
        line_end = text.find(b"\n", at)
        match = _PREFIX_LINE.fullmatch(text[at:line_end]) if line_end >= 0 else None
        if match is None:
            raise _Unreadable("not a prefix line")
        names[match.group(1)] = match.group(2).decode()
        at = line_end + 1
    if text[at : at + 1] != b"\n" or text[-1:] != b"\n":
        raise _Unreadable("no empty line after the prefixes")
    header = {(name.decode(), namespace) for name, namespace in names.items()}
    if not header <= set(prefixes.pairs):  # not the prefixes it was written with
        return None
    try:
        blocks = turtle_blocks(table, prefixes, last_classes)
    except ValueError:  # a term the writer refuses: it says which when it writes the graph whole
        return None
    units: _Units[TurtleKey] = _Units(old, at + 1, len(text), _TURTLE, _turtle_key(names, last))
    removed = [(*class_rank(types, last), str(s)) for s, types in before.items() if types is not None]
    runs, taken = _spliced(units, removed, blocks)
    if not _head_kept(dict(header), prefixes, taken, elsewhere):
        return None
    return [text[: at + 1], *_interleaved(_TURTLE.separator, runs)]


_OPENING = b'{\n  "@context": '
_GRAPH = b',\n  "@graph": '
_ID = b'\n      "@id": '
_CLOSING = b"\n  ]\n}\n"
_EMPTY = b"[]\n}\n"  # what follows the opening of a document without node objects


def _jsonld_key(unit: bytes) -> str:
    at = unit.find(_ID)
    if at < 0:
        raise _Unreadable("not a node object")
    at += len(_ID)
    line_end = unit.find(b"\n", at)
    value = unit[at : line_end if line_end >= 0 else len(unit)].removesuffix(b",")
    try:
        found = json.loads(value)
    except ValueError:
        raise _Unreadable("not an @id") from None
    if not isinstance(found, str):
        raise _Unreadable("not an @id")
    return found


def jsonld(
    old: Path,
    table: Table,
    prefixes: Prefixes,
    before: Collection[URIRef],
    triples_of: Callable[[URIRef], Mapping[Node, Collection[Node]] | None],
    elsewhere: Elsewhere,
) -> list[Piece] | None:
    """The JSON-LD of a graph (as :func:`graph.writers.jsonld` writes it) made from ``old``,
    the JSON-LD of a graph that differs from it only in the triples of the subjects of
    ``table`` and ``before``: pieces whose concatenation it is, or ``None`` (see the module
    docstring).

    Args:
        old: The last build's ``kg.jsonld``.
        table: The new graph's triples of the subjects to write again (subject →
            predicate → objects), all that it has of them.
        prefixes: The new graph's prefixes (:meth:`graph.writers.Prefixes.of`), none used yet.
        before: Those of the subjects that had triples in the old graph.
        triples_of: The new graph's triples of any subject, or ``None`` if it has none.
        elsewhere: See :data:`Elsewhere`.
    """
    return _spliced_from(old, lambda opened: _jsonld(opened, table, prefixes, before, triples_of, elsewhere))


def _jsonld(
    old: Mapped,
    table: Table,
    prefixes: Prefixes,
    before: Collection[URIRef],
    triples_of: Callable[[URIRef], Mapping[Node, Collection[Node]] | None],
    elsewhere: Elsewhere,
) -> list[Piece] | None:
    text = old.text
    graph_at = text.find(_GRAPH) if text[: len(_OPENING)] == _OPENING else -1
    if graph_at < 0:
        raise _Unreadable("no @graph")
    try:
        context = json.loads(text[len(_OPENING) : graph_at])
    except ValueError:
        raise _Unreadable("no @context") from None
    if not isinstance(context, dict) or not all(isinstance(v, str) for v in context.values()):
        raise _Unreadable("not a @context of prefixes")
    if not set(context.items()) <= set(prefixes.pairs):
        return None
    opening = text[: graph_at + len(_GRAPH)]
    rest = len(opening)
    if len(text) - rest == len(_EMPTY) and text[rest:] == _EMPTY:
        begin = end = rest + 2
    elif text[rest : rest + 2] == b"[\n" and text[-len(_CLOSING) :] == _CLOSING:
        begin, end = rest + 2, len(text) - len(_CLOSING)
    else:
        raise _Unreadable("not a @graph of node objects")
    ids = Prefixes(prefixes.pairs)  # apart: what the ids use is not what the new units do
    spelled = {s: ids.compact(str(s)) or str(s) for s in (*table, *before) if isinstance(s, URIRef)}
    removed = {spelled[s] for s in before}
    # A subject written as another's compact form (an IRI "prefix:local") shares its node
    # object: an unchanged one is written again with it, from the new graph.
    whole = dict(table)
    for s, name in spelled.items():
        for other in _alike(name, str(s), prefixes.pairs):
            found = triples_of(URIRef(other)) if URIRef(other) not in spelled else None
            if found and (ids.compact(other) or other) == name:
                whole[URIRef(other)] = found
                removed.add(name)  # unchanged: it was in the old document, in that node object
    try:
        items = jsonld_items(whole, prefixes)
    except ValueError:  # a term the writer refuses: it says which when it writes the graph whole
        return None
    units: _Units[str] = _Units(old, begin, end, _JSONLD, _jsonld_key)
    runs, taken = _spliced(units, sorted(removed), items)
    if not _head_kept(context, prefixes, taken, elsewhere):
        return None
    if not runs:
        return [opening + _EMPTY]
    return [opening + b"[\n", *_interleaved(_JSONLD.separator, runs), _CLOSING]


def _alike(name: str, iri: str, pairs: Iterable[tuple[str, str]]) -> list[str]:
    """The IRIs other than ``iri`` that may be written ``name`` too: ``name`` itself when
    it is ``iri`` compacted, else what ``name`` stands for as ``prefix:local``."""
    if name != iri:
        return [name]
    return [namespace + name[len(prefix) + 1 :] for prefix, namespace in pairs if name.startswith(prefix + ":")]
