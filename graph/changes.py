"""Validating a build by what changed since the last one: SHACL and the provenance rule on the
nodes a small change can reach, the last build's results for the rest.

After a small edit (one value in one article of thousands) the new ``kg.nt`` differs from
the one before in a handful of its million lines. The last build validated that file and
kept its results (:func:`keep`: a pickle in ``$KG_CACHE_DIR/validations/``, under that
build's key and the file's identity, with a digest of everything the validation depends on
besides the graph: ontology, shapes and the tool's code). The next build, once it has
rendered its ``kg.nt``, finds the lines that differ (:func:`graph.ntdelta.sorted_delta`),
and from their triples the nodes whose results can differ (:func:`reached`): the nodes in
those triples, and the nodes as many steps back along the shapes' paths as the shapes read
value nodes (:func:`graph.shacl.reach`). Those are checked; every other node has the same
triples within that reach as before, so the same results, which are taken from the last
build. The provenance rule reads a node's own triples, its statements and their
references, so its nodes are found the same way along ``rdf:subject``, ``rdf:object`` and
``prov:wasDerivedFrom``. The results are the same as validating the whole graph
(``tests/test_changes.py`` compares both on hundreds of edits); where this cannot be shown
(other shapes, ontology or tool, shapes that refer to themselves, blank nodes, a change to
the class hierarchy, more than :data:`MOST_NODES` nodes), the whole graph is validated.

As with the other caches, the folder is the user's own: whoever can write to it can change
what a build reports.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import pickle
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graph import buildcache
from graph.fsutil import write_atomically

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

    from graph.shacl import Reach, Result
    from graph.validate import Focus

#: Bump when the layout of a kept record changes.
FORMAT = 2
#: Most nodes checked one by one; a change reaching more is validated whole (by tables, faster then).
MOST_NODES = 20_000
#: Most lines of ``kg.nt`` that may differ, as a share of its lines (at least :data:`LEAST_LINES`).
LINES_SHARE = 0.01
LEAST_LINES = 1_000
#: How many records the cache keeps (the newest written).
KEEP = 4
_NTRIPLES = "kg.nt"


_FILES = buildcache.ExportFolderFiles("validations", ".validation", FORMAT)


def checks_digest(inputs: Mapping[str, str]) -> str:
    """A digest of what a validation depends on besides the graph: every input of a build
    (see :func:`graph.buildcache.check_key`) outside ``sources/``: the ontology, the shapes and the tool."""
    kept = sorted((name, digest) for name, digest in inputs.items() if not name.startswith("sources/"))
    return hashlib.sha256(json.dumps(kept).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Census:
    """How many triples a graph has, and how many of each predicate and of each type (the
    triples ``x rdf:type C``), by IRI: kept with the results of its validation, so that a
    build that builds only the part of its graph an edit reaches (:mod:`graph.partbuild`)
    knows the whole graph's from the lines of ``kg.nt`` that changed (:meth:`after`)."""

    triples: int
    predicates: Mapping[str, int]
    types: Mapping[str, int]

    @classmethod
    def of(cls, graph: Graph) -> Census:
        """The census of ``graph``."""
        from rdflib.namespace import RDF

        from graph.writers import store_table

        pos = store_table(graph, "pos")
        if pos is None:  # not rdflib's in-memory store: counted triple by triple
            pos = {}
            for s, p, o in graph:
                pos.setdefault(p, {}).setdefault(o, {})[s] = 1
        predicates = {str(p): sum(map(len, objects.values())) for p, objects in pos.items()}
        types = {str(c): len(members) for c, members in pos.get(RDF.type, {}).items()}
        return cls(sum(predicates.values()), predicates, types)

    def after(self, removed: Iterable[bytes], added: Iterable[bytes]) -> Census | None:
        """The census of the graph whose ``kg.nt`` differs from this graph's by the lines
        ``removed`` and ``added``, or ``None`` if a line is not one it can read (a blank node)."""
        return self.moved(map(terms_of, removed), map(terms_of, added))

    def moved(
        self, removed: Iterable[tuple[str, str | None] | None], added: Iterable[tuple[str, str | None] | None]
    ) -> Census | None:
        """:meth:`after`, with each line given as its predicate and IRI object (``None``: a
        literal), or as ``None`` where it has a blank node."""
        from rdflib.namespace import RDF

        type_iri = str(RDF.type)
        triples, predicates, types = self.triples, dict(self.predicates), dict(self.types)
        for lines, step in ((removed, -1), (added, 1)):
            for terms in lines:
                if terms is None:
                    return None
                predicate, obj = terms
                triples += step
                predicates[predicate] = predicates.get(predicate, 0) + step
                if predicate == type_iri and obj is not None:
                    types[obj] = types.get(obj, 0) + step
        return Census(
            triples,
            {p: n for p, n in predicates.items() if n},
            {c: n for c, n in types.items() if n},
        )


def terms_of(line: bytes) -> tuple[str, str | None] | None:
    """The predicate of an N-Triples line whose subject is an IRI, and its object if an IRI
    (``None`` if a literal); ``None`` for another line, or one with an escape in an IRI
    (its text would not be the IRI's)."""
    if not line.startswith(b"<") or b"\\" in line[: line.find(b'"') if b'"' in line else len(line)]:
        return None
    subject_end = line.find(b"> <")
    if subject_end < 0:
        return None
    predicate_end = line.find(b"> ", subject_end + 3)
    if predicate_end < 0:
        return None
    predicate = line[subject_end + 3 : predicate_end].decode()
    rest = line[predicate_end + 2 :].rstrip(b"\r\n").removesuffix(b" .")
    if rest.startswith(b"_:"):
        return None
    obj = rest[1:-1].decode() if rest.startswith(b"<") and rest.endswith(b">") else None
    return predicate, obj


@dataclass(frozen=True)
class Basis:
    """The last build's ``kg.nt``, every result its validation found and the census of its
    graph, if kept (kept by :func:`keep`)."""

    ntriples: Path
    results: tuple[Result, ...]
    census: Census | None = None


def basis(out: Path, inputs: Mapping[str, str]) -> Basis | None:
    """What the last build into ``out`` validated and found, if its ``kg.nt`` is untouched and it
    was validated with the same ontology, shapes and tool as ``inputs`` say; else ``None``."""
    record = buildcache.last_build(out)  # None if any of its exports changed since
    identity = record.files.get(_NTRIPLES) if record is not None else None
    if record is None or identity is None or not inputs:
        return None
    try:
        with open(_FILES.path(out), "rb") as handle:
            if handle.readline() != _FILES.header(record.key, identity):
                return None
            kept = pickle.load(handle)  # the user's own cache (see the module docstring)
    except (OSError, EOFError, ValueError, pickle.UnpicklingError, AttributeError, ImportError, IndexError):
        return None
    if not isinstance(kept, dict) or kept.get("checks") != checks_digest(inputs):
        return None
    results, census = kept.get("results"), kept.get("census")
    if not isinstance(results, tuple):
        return None
    return Basis(out / _NTRIPLES, tuple(results), census if isinstance(census, Census) else None)


def keep(
    key: str, out: Path, inputs: Mapping[str, str], results: Sequence[Result], census: Census | None = None
) -> None:
    """Keep ``results``, every result of validating the ``kg.nt`` the build with ``key`` has
    just written into ``out``, with the ``census`` of its graph (skipped if the cache is read-only)."""
    identity = buildcache.identity(out / _NTRIPLES)
    if identity is None or not inputs:
        return
    path = _FILES.path(out)
    kept = {"checks": checks_digest(inputs), "results": tuple(results), "census": census}
    payload = pickle.dumps(kept, pickle.HIGHEST_PROTOCOL)
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically({path: _FILES.header(key, identity) + payload})
        _FILES.keep_newest(KEEP)


def forget(out: Path) -> None:
    """Drop what was kept for ``out`` (the next build validates the whole graph)."""
    _FILES.path(out).unlink(missing_ok=True)


def focus(
    found: Basis,
    graph: Graph,
    shapes: Graph,
    ntriples: bytes | Path,
    size: int | None = None,
    asked: set[Node] | None = None,
) -> Focus | None:
    """What to validate of ``graph``, whose ``kg.nt`` has the bytes ``ntriples`` (or is that
    file), against ``shapes`` after the last build's validation (``found``), or ``None``:
    validate it whole (see the module docstring).

    For a ``graph`` that is a part of the graph (see :mod:`graph.partbuild`): ``size``
    is how many triples the whole graph has, and the nodes whose triples are read are added to ``asked``."""
    from rdflib import BNode, Graph
    from rdflib.namespace import RDFS

    from graph import shacl
    from graph.ntdelta import files_delta, mapped, sorted_delta
    from graph.validate import Focus

    try:
        reach = shacl.reach(shacl.compile_shapes(shapes))
    except shacl.Unsupported:
        return None  # pySHACL validates the whole graph
    if reach is None:
        return None
    limit = max(LEAST_LINES, int((len(graph) if size is None else size) * LINES_SHARE))  # a line per triple
    if isinstance(ntriples, Path):
        delta = files_delta(found.ntriples, ntriples, limit)
    else:
        try:
            with mapped(found.ntriples) as old:
                delta = sorted_delta(old, ntriples, limit)
        except (OSError, ValueError):  # gone, or empty (which cannot be mapped)
            return None
    if delta is None:
        return None
    changed = Graph(bind_namespaces="none")
    try:
        changed.parse(data=b"".join((*delta.removed, *delta.added)), format="nt")
    except Exception:
        return None
    triples = list(changed)
    if any(isinstance(term, BNode) for triple in triples for term in triple):
        return None  # a blank node of one file is not the same node in the other
    if any(p == RDFS.subClassOf for _, p, _ in triples):
        return None  # a change of the class hierarchy changes which nodes a shape targets
    tables = _Tables(graph, asked)
    shacl_nodes = reached(tables, triples, reach)
    if shacl_nodes is None:
        return None
    provenance_nodes = _provenance_reached(tables, triples)
    ordered = tuple(sorted(shacl_nodes, key=str))
    kept = tuple(result for result in found.results if result.focus not in shacl_nodes)
    return Focus(ordered, frozenset(provenance_nodes), kept, len(delta))


class _Tables:
    """The subject → predicate → objects and predicate → object → subjects tables of a graph
    (the nodes looked up are added to ``asked``, if given)."""

    def __init__(self, graph: Graph, asked: set[Node] | None = None) -> None:
        from graph.writers import store_table

        self.asked = asked
        spo, pos = store_table(graph, "spo"), store_table(graph, "pos")
        if spo is None or pos is None:  # not rdflib's in-memory store: made from every triple
            spo, pos = {}, {}
            for s, p, o in graph:
                spo.setdefault(s, {}).setdefault(p, {})[o] = 1
                pos.setdefault(p, {}).setdefault(o, {})[s] = 1
        self.spo: dict[Any, Any] = spo
        self.pos: dict[Any, Any] = pos

    def back(self, nodes: Iterable[Node], predicates: Iterable[Node] | None = None) -> set[Node]:
        """The subjects of triples of ``predicates`` (``None``: any) whose object is one of ``nodes``."""
        tables = [self.pos.get(p, {}) for p in predicates] if predicates is not None else list(self.pos.values())
        found: set[Node] = set()
        nodes = self._asked(nodes)
        for node in nodes:
            for table in tables:
                subjects = table.get(node)
                if subjects:
                    found.update(subjects)
        return found

    def forward(self, nodes: Iterable[Node], predicates: Iterable[Node]) -> set[Node]:
        """The objects of triples of ``predicates`` whose subject is one of ``nodes`` (no literals)."""
        from rdflib import Literal

        wanted = list(predicates)
        found: set[Node] = set()
        nodes = self._asked(nodes)
        for node in nodes:
            about: dict[Any, Any] = self.spo.get(node, {})
            for p in wanted:
                found.update(o for o in about.get(p, ()) if not isinstance(o, Literal))
        return found

    def _asked(self, nodes: Iterable[Node]) -> Iterable[Node]:
        if self.asked is None:
            return nodes
        nodes = list(nodes)
        self.asked.update(nodes)
        return nodes


def reached(tables: _Tables, triples: Sequence[tuple[Node, Node, Node]], reach: Reach) -> set[Node] | None:
    """The nodes whose SHACL results can differ after ``triples`` were added or removed (the
    graph in ``tables`` is the one after), or ``None`` if more than :data:`MOST_NODES`.

    A node's results depend on its own triples (its paths' values, its types, whether it is
    targeted), on the triples whose object it is for an inverse path (or an
    ``sh:targetObjectsOf``), and on those of the nodes it reaches along the paths within
    ``reach.hops`` steps. So: the subjects of the changed triples, their objects where the
    predicate is read backwards, then ``reach.hops`` times the nodes one step back.
    """
    changed: set[Node] = {s for s, _, _ in triples}
    changed |= {o for _, p, o in triples if p in reach.inverse}
    found = set(changed)
    frontier = changed
    for _ in range(reach.hops):
        step = tables.back(frontier, reach.forward) | tables.forward(frontier, reach.inverse)
        frontier = step - found
        found |= frontier
        if len(found) > MOST_NODES:
            return None
    return found if len(found) <= MOST_NODES else None


def _provenance_reached(tables: _Tables, triples: Sequence[tuple[Node, Node, Node]]) -> set[Node]:
    """The nodes whose provenance problems (:func:`graph.validate.check_provenance`) can differ
    after ``triples`` were added or removed.

    The rule reads an entity's or source's own triples and types, the types of its values
    (whether they are entities or sources), and the statements of its facts with their
    references; and a statement's own triples and its fact's truthy triple. So: the subjects
    of the changed triples and the statements whose references they are; the subjects and
    objects of those statements, and the statements about them; and whatever has a value
    whose type changed.
    """
    from rdflib import Literal
    from rdflib.namespace import PROV, RDF

    changed: set[Node] = {s for s, _, _ in triples}
    changed |= {o for _, p, o in triples if p != RDF.type and not isinstance(o, Literal)}
    retyped = {s for s, p, _ in triples if p == RDF.type}
    first = changed | tables.back(changed, (PROV.wasDerivedFrom,))
    reification = (RDF.subject, RDF.object)
    return first | tables.forward(first, reification) | tables.back(first, reification) | tables.back(retyped)
