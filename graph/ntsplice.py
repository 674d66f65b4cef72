"""``kg.nt`` after a few articles changed: the last build's file with the lines of the
subjects those articles touch written again, instead of all million lines.

Each line of ``kg.nt`` starts with its subject, and the lines are sorted (see
:func:`graph.writers.ntriples`), so each subject's lines follow each other, and a
subject's place does not depend on any other's lines. Every triple of the graph exists
because of one article or more (its facts, the entities it declares, its source) or of
what no article changes (``sources/entities.yaml``, the ontology): so the subjects whose
lines differ after some articles changed are among the subjects of what those articles
made, before and after (:func:`article_subjects`). Those subjects' lines are written
from the new graph, by the writer itself, and put in the place of the old ones
(:func:`splice`); the rest of the old file is kept as it is.

A build keeps each article's subjects with its projection (see
:mod:`graph.projectioncache`), for the next build to know what an article made before it
changed. The subjects of an article are:

- its source (the source's own triples, and what it mentions);
- the references it made (``nik:statedIn`` its source) and every statement derived from
  one of them, even one stated first by another article;
- the entities it declares, and the subject and object of each statement above (the
  truthy triple ``s p o``, and its inverse ``o q s`` for a property with an inverse).
"""

from __future__ import annotations

import functools
import mmap
import os
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import PROV, RDF
from rdflib.term import Node

from graph import buildcache, docsplice
from graph.ntdelta import Delta, mapped, remember
from graph.spans import Mapped, Piece
from graph.writers import Prefixes, Table, iri_bytes, ntriples, store_table

if TYPE_CHECKING:
    from graph.build import BuiltGraph
    from graph.changes import Census
    from graph.dataset import Dataset

_DERIVED_FROM = PROV.wasDerivedFrom
#: Each article's subjects, by the article's name among the build's inputs
#: (``sources/<path>``, see :class:`graph.projectioncache.Inputs`): their ``<iri>`` as
#: N-Triples writes them, each followed by a space, joined by line breaks.
Subjects = Mapping[str, bytes]


def article_subjects(built: BuiltGraph, dataset: Dataset, names: Collection[str] | None = None) -> dict[str, bytes]:
    """The subjects of each article of ``built``, the graph of ``dataset`` (see the module
    docstring), or of those in ``names``.

    Read from the dataset (where each entity and source was declared), from where the
    builder noted each reference was made (``built.origins``), from the graph's ``pos``
    index (the statements derived from a reference) and from each statement's fact.

    Raises:
        ValueError: When the graph has no ``pos`` index of its own (see
            :func:`graph.writers.store_table`), or an IRI N-Triples cannot write.
    """
    pos = store_table(built.graph, "pos")
    if pos is None:
        raise ValueError("the graph has no index of its own")
    folder = os.path.abspath(dataset.project.sources_dir)
    # by the path object (the locations of one file share it): a Path hashes slowly
    names_of: dict[int, str | None] = {}

    def name_of(path: Path) -> str | None:
        try:
            return names_of[id(path)]
        except KeyError:
            name = f"sources/{os.path.relpath(path, folder)}"  # as Inputs.of names it
            found = names_of[id(path)] = name if names is None or name in names else None
            return found

    by_name: dict[str, set[Node]] = defaultdict(set)
    for entity in dataset.entities.values():
        name = name_of(entity.location.path)
        if name is not None:
            by_name[name].add(entity.iri)
    for source in dataset.sources.values():
        name = name_of(source.path)
        if name is not None:
            by_name[name].add(source.iri)
    origins, facts = built.origins, built.facts
    known = names_of.get
    for reference, statements in pos.get(_DERIVED_FROM, {}).items():
        where = origins.get(reference)
        if where is None:
            continue
        name = known(id(where.path), "")  # "": not seen yet (a name is never empty)
        if name == "":
            name = name_of(where.path)
        if name is None:
            continue
        nodes = by_name[name]
        nodes.add(reference)
        for statement in statements:
            nodes.add(statement)
            fact = facts.get(statement)
            if fact is not None:  # its fact's subject and (if an entity) object
                nodes.add(fact[0])
                if isinstance(fact[2], URIRef):
                    nodes.add(fact[2])
    return {name: b"\n".join(sorted(_keys(nodes))) for name, nodes in by_name.items()}


def _keys(nodes: Iterable[Node]) -> list[bytes]:
    """Each IRI of ``nodes`` as N-Triples starts its lines: ``<iri>`` and a space.

    Raises:
        ValueError: For an IRI N-Triples cannot write.
    """
    return [key + b" " for key in iri_bytes([str(node) for node in nodes if isinstance(node, URIRef)])]


@dataclass
class Plan:
    """How a build writes its ``kg.nt`` from the last build's (see :func:`splice`), and its
    ``kg.ttl`` and ``kg.jsonld`` from those (see :mod:`graph.docsplice`).

    Attributes:
        old: The last build's ``kg.nt``.
        identity: Its identity as that build recorded it (see :func:`graph.buildcache.identity`).
        keys: The subjects whose lines are written again.
        subjects: Each article's subjects in the new graph (the kept ones of the
            articles that did not change), to be kept for the next build.
        others: The last build's other exports, by file name: each one's path and
            identity as that build recorded it.
    """

    old: Path
    identity: Sequence[int]
    keys: list[bytes]
    subjects: Subjects
    others: Mapping[str, tuple[Path, Sequence[int]]] = field(default_factory=dict)
    #: The lines the new file lacks and has beside the old one's, once :meth:`pieces` made it.
    delta: Delta | None = field(default=None, init=False)
    #: The census of the last build's graph, when the new graph is only a part of the
    #: graph (see :mod:`graph.partbuild`): the whole graph's is made from it (:meth:`census_now`).
    census: Census | None = field(default=None, init=False)

    def census_now(self, graph: Graph) -> Census | None:
        """The census of the new graph, of which ``graph`` has at least the triples of the
        subjects written again, from the last build's (:attr:`census`), or ``None`` if that
        is not known or the old file is no longer the last build's."""
        known = self.__dict__.get("_census_now")
        if known is not None and known[0] is graph:
            return known[1]  # type: ignore[no-any-return]
        before = self._before
        if self.census is None or before is None:
            return None
        from graph.changes import terms_of

        removed = (line for lines in before.values() for line in lines.splitlines(keepends=True))
        added = (
            (str(predicate), str(obj) if isinstance(obj, URIRef) else None) if not isinstance(obj, BNode) else None
            for predicates in self._table(graph).values()
            for predicate, objects in predicates.items()
            for obj in objects
        )
        census = self.census.moved(map(terms_of, removed), added)
        self.__dict__["_census_now"] = (graph, census)
        return census

    def pieces(self, graph: Graph) -> list[Piece] | None:
        """The N-Triples of ``graph``, or ``None`` if the old file is no longer the one the
        last build wrote (then the graph is written whole)."""
        if buildcache.identity(self.old) != list(self.identity):
            return None
        found = _splice(self.old, graph, self.keys, self._table(graph))
        if found is None:
            return None
        pieces, self.delta = found
        return pieces

    def written(self, path: Path) -> None:
        """Say that ``path`` holds what :meth:`pieces` made: the two files' delta is then known
        (see :func:`graph.ntdelta.remember`) and not looked for in their bytes."""
        if self.delta is not None:
            remember(self.old, path, self.delta)

    def turtle(self, graph: Graph, name: str, last_classes: Sequence[URIRef]) -> list[Piece] | None:
        """The Turtle of ``graph`` (as :func:`graph.writers.turtle` writes it) made from the last
        build's export ``name``, or ``None`` if it cannot be (then it is written whole)."""
        old, before = self._other(name), self._before
        if old is None or before is None:
            return None
        types: dict[URIRef, list[str] | None] = {}
        for subject, lines in before.items():
            found = _types(lines) if lines else None
            if lines and found is None:
                return None
            types[subject] = found
        table, prefixes = self._table(graph), Prefixes.of(graph)
        elsewhere = self._elsewhere(graph, prefixes)
        if elsewhere is None:
            return None
        return docsplice.turtle(old, table, prefixes, types, last_classes, elsewhere)

    def jsonld(self, graph: Graph, name: str) -> list[Piece] | None:
        """The JSON-LD of ``graph`` (as :func:`graph.writers.jsonld` writes it) made from the
        last build's export ``name``, or ``None`` if it cannot be (then it is written whole)."""
        old, before = self._other(name), self._before
        if old is None or before is None:
            return None
        spo = store_table(graph, "spo")

        def triples_of(subject: URIRef) -> Mapping[Node, Collection[Node]] | None:
            return spo.get(subject) if spo is not None else _po(graph, subject) or None

        present = [subject for subject, lines in before.items() if lines]
        table, prefixes = self._table(graph), Prefixes.of(graph)
        elsewhere = self._elsewhere(graph, prefixes)
        if elsewhere is None:
            return None
        return docsplice.jsonld(old, table, prefixes, present, triples_of, elsewhere)

    def _elsewhere(self, graph: Graph, prefixes: Prefixes) -> docsplice.Elsewhere | None:
        """Whether ``graph`` has, outside the subjects written again, a subject, predicate
        (but ``rdf:type``) or type in a namespace that ``prefixes`` compacts to its prefix
        (see :data:`graph.docsplice.Elsewhere`): a subject looked for in the last ``kg.nt``,
        whose other subjects ``graph`` has as they were. ``None`` when ``graph`` is a part of
        the graph (see :attr:`census`) whose whole graph's predicates and types are not known."""
        compact = Prefixes(prefixes.pairs).compact  # apart: what it uses is not what a document does
        terms: list[Node]
        if self.census is not None:  # graph is a part: the whole graph's terms
            census = self.census_now(graph)
            if census is None:
                return None
            terms = [URIRef(iri) for iri in (*census.predicates, *census.types)]
        else:
            pos = store_table(graph, "pos")
            terms = [*pos, *pos.get(RDF.type, {})] if pos is not None else []
        changed = set(self.keys)

        def elsewhere(namespace: str) -> bool:
            if any(_compacts_in(str(term), namespace, compact) for term in terms if term != RDF.type):
                return True
            return _unchanged_subject_in(self.old, namespace, changed, compact)

        return elsewhere

    def _other(self, name: str) -> Path | None:
        """The last build's export ``name``, if it is still as that build wrote it."""
        found = self.others.get(name)
        if found is None or buildcache.identity(found[0]) != list(found[1]):
            return None
        return found[0]

    @functools.cached_property
    def _before(self) -> dict[URIRef, bytes] | None:
        """Each subject's lines in the last ``kg.nt`` (empty if it had none), or ``None`` if
        that file is no longer the one the last build wrote."""
        if buildcache.identity(self.old) != list(self.identity):
            return None
        return _lines(self.old, sorted(set(self.keys)))

    def _table(self, graph: Graph) -> Table:
        """The triples of ``graph`` of each subject written again that it has (subject →
        predicate → objects), made once."""
        known = self.__dict__.get("_tables")
        if known is not None and known[0] is graph:
            return known[1]  # type: ignore[no-any-return]
        spo = store_table(graph, "spo")
        table: dict[Node, Mapping[Node, Collection[Node]]] = {}
        for key in sorted(set(self.keys)):
            subject = URIRef(key[1:-2].decode())
            found = spo.get(subject) if spo is not None else _po(graph, subject)
            if found:
                table[subject] = found
        self.__dict__["_tables"] = (graph, table)
        return table


_TYPE_IRI = b"<" + str(RDF.type).encode() + b"> "


def _types(lines: bytes) -> list[str] | None:
    """The types a subject's N-Triples ``lines`` give it, or ``None`` if one is not an IRI."""
    types = []
    for line in lines.splitlines():
        subject_end = line.find(b"> ") + 2
        if line.startswith(_TYPE_IRI, subject_end):
            term = line[subject_end + len(_TYPE_IRI) :].removesuffix(b" .")
            if not (term.startswith(b"<") and term.endswith(b">")):
                return None
            types.append(term[1:-1].decode())
    return types


def _compacts_in(iri: str, namespace: str, compact: Callable[[str], str | None]) -> bool:
    """Whether ``iri`` is written with the prefix of ``namespace`` (see :class:`graph.writers.Prefixes`)."""
    return iri[: max(iri.rfind("/"), iri.rfind("#")) + 1] == namespace and compact(iri) is not None


def _unchanged_subject_in(
    old: Path, namespace: str, changed: Collection[bytes], compact: Callable[[str], str | None], tries: int = 100
) -> bool:
    """Whether the sorted N-Triples ``old`` has a subject not among ``changed`` whose IRI
    compacts in ``namespace`` (one of the first ``tries`` subjects of that namespace)."""
    start = b"<" + namespace.encode()
    try:
        text = mapped(old)
    except (OSError, ValueError):  # unreadable, or empty
        return False
    with text:
        at = _first_at_least(text, start, 0)
        for _ in range(tries):
            if text[at : at + len(start)] != start:
                return False
            end = text.find(b"> ", at)
            if end < 0:  # not a line of N-Triples
                return False
            key = text[at : end + 2]
            iri = key[1:-2].decode()
            if key not in changed and _compacts_in(iri, namespace, compact):
                return True
            at = _past(text, key, at)
    return False


def _lines(old: Path, wanted: list[bytes]) -> dict[URIRef, bytes] | None:
    """The lines of each of the sorted subjects ``wanted`` in the sorted N-Triples ``old``."""
    found: dict[URIRef, bytes] = {URIRef(key[1:-2].decode()): b"" for key in wanted}
    try:
        if old.stat().st_size == 0:  # an empty graph (mmap maps no empty file)
            return found
        text = mapped(old)
    except (OSError, ValueError):
        return None
    with text:
        done = 0
        for key in wanted:
            start = _first_at_least(text, key, done)
            done = _past(text, key, start)
            found[URIRef(key[1:-2].decode())] = text[start:done]
    return found


def plan(
    old: Path,
    identity: Sequence[int],
    kept: Subjects,
    before: Collection[str],
    changed: Collection[str],
    built: BuiltGraph,
    dataset: Dataset,
    others: Mapping[str, tuple[Path, Sequence[int]]] | None = None,
) -> Plan | None:
    """The :class:`Plan` of a build whose graph is ``built``, made from the same inputs as
    the last build's but the article files ``changed`` (see
    :meth:`graph.projectioncache.Inputs.changed_files`), with the subjects the last build
    kept of its articles ``before`` (``kept``), and its ``others`` exports (see
    :attr:`Plan.others`); ``None`` if it did not keep those of an
    article that changed, or a subject cannot be written."""
    if any(name in before and name not in kept for name in changed):
        return None
    try:
        made = article_subjects(built, dataset, changed)
    except ValueError:
        return None
    keys = [
        key
        for name in changed
        for blob in (kept.get(name, b""), made.get(name, b""))
        for key in blob.split(b"\n")
        if key
    ]
    subjects = {name: blob for name, blob in kept.items() if name not in changed}
    subjects.update(made)
    return Plan(old, tuple(identity), keys, subjects, dict(others or {}))


def splice(old: Path, graph: Graph, keys: Iterable[bytes]) -> list[Piece] | None:
    """The N-Triples of ``graph`` made from ``old``, the N-Triples of a graph that differs
    from it only in the lines of subjects among ``keys`` (see :func:`article_subjects`):
    pieces whose concatenation it is (the runs of ``old`` between those subjects are spans
    of it, see :mod:`graph.spans`), or ``None`` if ``old`` cannot be read or does not end
    with a line break.

    Raises:
        ValueError: When a subject of ``keys`` cannot be written as N-Triples.
    """
    found = _splice(old, graph, keys)
    return found[0] if found is not None else None


def _splice(
    old: Path, graph: Graph, keys: Iterable[bytes], table: Table | None = None
) -> tuple[list[Piece], Delta] | None:
    """:func:`splice`, with the lines removed and added (as :func:`graph.ntdelta.sorted_delta`
    finds them); ``table`` holds the graph's triples of the subjects of ``keys``, if known."""
    wanted = sorted(set(keys))
    spo = store_table(graph, "spo")
    part = Graph()
    for key in wanted:
        subject = URIRef(key[1:-2].decode())
        if table is not None:
            found = table.get(subject, {})
        else:
            found = spo.get(subject, {}) if spo is not None else _po(graph, subject)
        for predicate, objects in found.items():
            for obj in objects:
                part.add((subject, predicate, obj))
    lines = ntriples(part)
    try:
        if os.stat(old).st_size == 0:  # an empty graph (mmap maps no empty file)
            return [lines], Delta((), tuple(lines.splitlines(keepends=True)))
        opened = Mapped(old)
    except (OSError, ValueError):  # unreadable, or emptied meanwhile
        return None
    with opened:
        text = opened.text
        if text[-1:] != b"\n":
            return None
        pieces: list[Piece] = []  # the runs of the old file between the subjects are spans of it
        removed: list[bytes] = []
        added: list[bytes] = []
        done = 0  # of the old file, what is in pieces
        written = 0  # of the new lines, what is in pieces
        for key in wanted:
            start = _first_at_least(text, key, done)
            end = _past(text, key, start)
            pieces.append(opened.span(done, start))
            new_end = _past(lines, key, _first_at_least(lines, key, written))
            pieces.append(lines[written:new_end])
            before = text[start:end].splitlines(keepends=True)
            after = lines[written:new_end].splitlines(keepends=True)
            kept = set(before) & set(after)
            removed += (line for line in before if line not in kept)
            added += (line for line in after if line not in kept)
            done, written = end, new_end
        pieces.append(opened.span(done, len(text)))
    return [piece for piece in pieces if piece], Delta(tuple(removed), tuple(added))


def _po(graph: Graph, subject: Node) -> dict[Node, list[Node]]:
    found: dict[Node, list[Node]] = defaultdict(list)
    for predicate, obj in graph.predicate_objects(subject):
        found[predicate].append(obj)
    return found


def _line_start(text: bytes | mmap.mmap, at: int) -> int:
    """Where the line holding the byte ``at`` starts."""
    return text.rfind(b"\n", 0, at) + 1 if at > 0 else 0


def _first_at_least(text: bytes | mmap.mmap, key: bytes, low: int) -> int:
    """Where the first line from ``low`` (a line's start) on that is not less than ``key``
    starts (the lines are sorted), or the end of ``text``."""
    high = len(text)
    while low < high:
        middle = _line_start(text, (low + high) // 2)
        if middle < low:  # the line at the middle starts before low: low is the one
            middle = low
        line_end = text.find(b"\n", middle) + 1
        if text[middle : middle + len(key)] < key:  # the line is less than key
            low = line_end
        else:
            if middle == low:
                return low
            high = middle
    return low


def _past(text: bytes | mmap.mmap, key: bytes, start: int) -> int:
    """Where the lines from ``start`` on that start with ``key`` end."""
    at = start
    size = len(key)
    while at < len(text) and text[at : at + size] == key:
        at = text.find(b"\n", at) + 1
    return at
