"""A focused view without projecting the whole graph.

``kg viz --focus X --depth N`` (and ``kg stats --focus``) shows a few dozen entities, yet
reading ``exports/kg.nt`` into rdflib and projecting all of it takes half a minute at a
million triples. When the last ``kg build`` is up to date, :func:`focused_graph` instead
walks the project's query store (:func:`graph.store.open_store`, cached on disk) to find
the part of the graph the view needs, and reads just those triples from ``kg.nt`` (the
store keeps literals in canonical form, the export as they were built):

- the entities within ``depth`` statements of the focus (the same neighbourhood
  :func:`graph.projection.select` walks), with all their triples;
- every statement whose subject or object is one of them, with its references, and the
  classes of the statement's other end (so the projection tells an edge from an attribute);
- every source document with its classes and literals (the page lists them all).

Projecting that subgraph and selecting the same focus gives the same view as projecting the
whole graph: every edge of an entity in the neighbourhood is there, so the walk from the
focus reaches the same entities, and their labels, attributes and claims come from the
same triples.
"""

from __future__ import annotations

import mmap
import os
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from graph import buildcache
from graph.errors import ConfigError
from graph.namespace import NIK
from graph.ontology import Ontology

if TYPE_CHECKING:
    from rdflib import Graph

Progress = Callable[[str], None]
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_TYPE = ox.NamedNode(_RDF + "type")
_SUBJECT = ox.NamedNode(_RDF + "subject")
_OBJECT = ox.NamedNode(_RDF + "object")
_DERIVED_FROM = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
_ID = re.compile(r"[A-Za-z0-9_.\-]+")  # what an entity id looks like (anything else: the slow way)


def _subjects(store: ox.Store, predicate: ox.NamedNode, obj: object) -> list[object]:
    return [q.subject for q in store.quads_for_pattern(None, predicate, obj)]  # type: ignore[arg-type]


def _objects(store: ox.Store, subject: object, predicate: ox.NamedNode) -> list[object]:
    return [q.object for q in store.quads_for_pattern(subject, predicate, None)]  # type: ignore[arg-type]


class _Neighbourhood:
    """Walks the entity network through the statements of a store."""

    def __init__(self, store: ox.Store, ontology: Ontology) -> None:
        self.store = store
        self.entity_classes = {ox.NamedNode(str(c.iri)) for c in ontology.classes.values() if NIK.Entity in c.ancestors}
        self.source_classes = {
            ox.NamedNode(str(c.iri)) for c in ontology.classes.values() if NIK.SourceDocument in c.ancestors
        }
        self._is_entity: dict[object, bool] = {}
        self._by_id: dict[str, set[object]] | None = None

    def is_entity(self, node: object) -> bool:
        found = self._is_entity.get(node)
        if found is None:
            found = isinstance(node, ox.NamedNode) and any(
                t in self.entity_classes for t in _objects(self.store, node, _TYPE)
            )
            self._is_entity[node] = found
        return found

    def _ids(self) -> dict[str, set[object]]:
        """The entities by id (their IRI's local name)."""
        if self._by_id is None:
            self._by_id = {}
            for cls in self.entity_classes:
                for node in _subjects(self.store, _TYPE, cls):
                    value = node.value  # type: ignore[attr-defined]
                    self._by_id.setdefault(value[max(value.rfind("#"), value.rfind("/")) + 1 :], set()).add(node)
        return self._by_id

    def entity_ids(self) -> set[str]:
        """The ids of all entities (the nodes of the whole projection)."""
        return set(self._ids())

    def entity(self, text: str) -> ox.NamedNode | None:
        """The one entity whose id is ``text``, or ``None`` (unknown, ambiguous or not an id)."""
        if not _ID.fullmatch(text):
            return None
        found = self._ids().get(text, set())
        return next(iter(found)) if len(found) == 1 else None  # type: ignore[return-value]

    def statements(self, node: object) -> Iterable[tuple[object, object]]:
        """``(statement, other end)`` of every statement with ``node`` as subject or object."""
        for statement in _subjects(self.store, _SUBJECT, node):
            for other in _objects(self.store, statement, _OBJECT):
                yield statement, other
        for statement in _subjects(self.store, _OBJECT, node):
            for other in _objects(self.store, statement, _SUBJECT):
                yield statement, other

    def within(self, centres: Sequence[ox.NamedNode], depth: int) -> set[object]:
        """The entities at most ``depth`` statements away from ``centres`` (in either direction)."""
        seen: set[object] = set(centres)
        layer: set[object] = set(centres)
        for _ in range(depth):
            following = set()
            for node in layer:
                for _statement, other in self.statements(node):
                    if other not in seen and self.is_entity(other):
                        following.add(other)
            seen |= following
            layer = following
            if not layer:
                break
        return seen


def _lines_about(path: Path, whole: set[object], described: set[object]) -> tuple[bytes, int, int]:
    """The lines of the N-Triples file ``path`` about ``whole`` (all of them) and about
    ``described`` (only their classes and literals: what the projection reads of a source),
    in the order of the file; how many of them are about ``described``, and how many of
    ``described`` have no line at all.

    An export's lines are sorted, so the lines of one subject follow each other: each
    subject's are found by bisection, not by reading the whole file. Should the file not be
    sorted, some are not found, and :func:`focused_graph` sees that lines are missing.
    """
    wanted = {f"<{s.value}> ".encode(): True for s in described if isinstance(s, ox.NamedNode)}
    wanted.update({f"<{s.value}> ".encode(): False for s in whole if isinstance(s, ox.NamedNode)})
    kind = f"<{_TYPE.value}>".encode()
    found: list[bytes] = []
    about_described, unfound = 0, 0
    try:
        with path.open("rb") as file:
            if not os.fstat(file.fileno()).st_size:
                return b"", 0, sum(wanted.values())  # nothing to map
            data = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        with data:
            for head in sorted(wanted):  # the order of the file
                partly = wanted[head]
                start = _first_line_from(data, head)
                unfound += partly and data[start : start + len(head)] != head
                while data[start : start + len(head)] == head:
                    end = data.find(b"\n", start) + 1 or len(data)
                    # a line is "<s> <p> object .": an IRI has no spaces, a literal starts with a quote
                    predicate_end = data.find(b" ", start + len(head))
                    if (
                        not partly
                        or data[predicate_end + 1 : predicate_end + 2] == b'"'
                        or data[start + len(head) : predicate_end] == kind
                    ):
                        found.append(data[start:end])
                        about_described += partly
                    start = end
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from exc
    return b"".join(found), about_described, unfound


def _first_line_from(data: mmap.mmap, head: bytes) -> int:
    """Where the first line of the sorted lines ``data`` that is not before ``head`` starts."""
    low, high = 0, len(data)  # low is always the start of a line
    while low < high:
        start = max(low, data.rfind(b"\n", 0, (low + high) // 2) + 1)
        if data[start : start + len(head)] < head:
            low = data.find(b"\n", start) + 1 or len(data)
        else:
            high = start
    return low


def focused_graph(
    project: Path | str,
    ontology: Ontology,
    focus: Sequence[str],
    depth: int,
    progress: Progress,
) -> tuple[Graph, int] | None:
    """The part of the built graph a view of ``focus`` to ``depth`` needs, and how many
    entities the whole graph has; or ``None``.

    ``None`` means: use the whole graph (the last build is not up to date, or a focus is not
    exactly one entity's id, e.g. a name, an unknown or an ambiguous id, whose error or
    resolution needs the whole projection).

    Raises:
        ConfigError: When the query store cannot be built or opened.
    """
    from graph import pipeline
    from graph.build import new_graph
    from graph.project import load_project
    from graph.store import open_store, read_ntriples, store_files

    key, out_dir = pipeline.build_key(project)
    record = buildcache.up_to_date(key, out_dir)
    if record is None or pipeline.NTRIPLES_FILE not in record.files:
        return None
    with open_store(store_files(project, [out_dir / pipeline.NTRIPLES_FILE]), progress=progress) as opened:
        store = opened.store
        walk = _Neighbourhood(store, ontology)
        entities = len(walk.entity_ids())
        centres = [walk.entity(text) for text in focus]
        if any(c is None for c in centres):
            return None
        near = walk.within([c for c in centres if c is not None], depth)
        subjects: set[object] = set(near)
        typed: set[object] = set()
        for node in near:
            for statement, other in walk.statements(node):
                subjects.add(statement)
                subjects.update(_objects(store, statement, _DERIVED_FROM))
                typed.add(other)
        subjects |= {o for o in typed if isinstance(o, ox.NamedNode)}  # whole, though only their classes count
        expected = 0
        for subject in subjects:
            expected += len(list(store.quads_for_pattern(subject, None, None)))  # type: ignore[arg-type]
        described = {s for cls in walk.source_classes for s in _subjects(store, _TYPE, cls)} - subjects
    # the store keeps literals in canonical form ("20" for "20.0"); the export has them as built
    data = out_dir / pipeline.NTRIPLES_FILE
    segments = {c.segment for c in ontology.classes.values() if c.segment}
    lines, about_described, unfound = _lines_about(data, subjects, described)
    graph = read_ntriples(data, new_graph(load_project(project).base, segments), lines)
    # An IRI written differently in the export: play safe. Every source has a class, so a
    # line; the lines of one subject are all found or none, so a source is counted whole.
    if unfound or len(graph) != expected + about_described:
        return None
    progress(f"read {len(graph):,} triples around {', '.join(focus)} from the query store of {out_dir}")
    return graph, entities
