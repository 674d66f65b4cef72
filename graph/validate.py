"""Validate the built graph: SHACL shapes (pySHACL) and the provenance rule.

Each SHACL result becomes one problem line pointing at the curated file and line
where its focus node was declared, so a curator can act on it without reading RDF.

The provenance rule (every fact about an entity is backed by a statement with a
source and a quote, and every statement by its fact) is checked here in one pass
over the graph rather than as SHACL-SPARQL, which pySHACL runs once per entity.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SH, SKOS
from rdflib.term import Node

from graph import shacl
from graph.build import BuiltGraph, inverses
from graph.errors import ConfigError, Location, Problem
from graph.namespace import NIK
from graph.ontology import Ontology

#: Triples about entities that are not facts: names and the derived mentions.
UNSOURCED_PREDICATES = frozenset({RDF.type, RDFS.label, SKOS.altLabel})
_MAX_COUNTS = frozenset({SH.MaxCountConstraintComponent, SH.QualifiedMaxCountConstraintComponent})
_MAX_COUNTS_NAMES = frozenset({"sh:MaxCountConstraintComponent", "sh:QualifiedMaxCountConstraintComponent"})
# rdflib's namespaces make a new URIRef on every attribute access: read once.
_TYPE, _DERIVED_FROM, _MENTIONS = RDF.type, PROV.wasDerivedFrom, NIK.mentions
_STATED_IN, _QUOTE, _STATEMENT = NIK.statedIn, NIK.quote, NIK.Statement
_ENTITY, _SOURCE_DOCUMENT = NIK.Entity, NIK.SourceDocument
_EMPTY: dict[Any, Any] = {}


@dataclass(frozen=True)
class ShaclReport:
    """What the validation found: violations fail a build, warnings are shown.

    Attributes:
        violations: The violations and provenance problems, each located.
        warnings: The results of other severities, each located.
        results: Every result of the fast engine (:mod:`graph.shacl`) as it found them,
            disputed ones included, for the next build to keep those of the nodes it does
            not check again (see :mod:`graph.changes`); ``None`` when pySHACL validated.
        checked: How many nodes SHACL checked one by one because a change reaches them
            (see :class:`Focus`), or ``None`` when it validated the whole graph.
    """

    violations: tuple[Problem, ...]
    warnings: tuple[Problem, ...]
    results: tuple[shacl.Result, ...] | None = field(default=None, compare=False, repr=False)  # in table order
    checked: int | None = None

    @property
    def conforms(self) -> bool:
        return not self.violations


@dataclass(frozen=True)
class Focus:
    """What to validate of a graph after a small change, and the results on the rest (see :mod:`graph.changes`).

    Attributes:
        nodes: The nodes whose SHACL results can differ from the last validation's, in order.
        provenance: The nodes whose provenance problems can differ (the last validation found none).
        kept: The last validation's results on every other node.
        lines: How many lines of ``kg.nt`` differ.
    """

    nodes: tuple[Node, ...]
    provenance: frozenset[Node]
    kept: tuple[shacl.Result, ...]
    lines: int


def load_shapes(path: Path) -> Graph:
    """Load the shapes graph; cached while the file is unchanged.

    Raises:
        ConfigError: When the file is missing or not valid Turtle.
    """
    if not path.is_file():
        raise ConfigError(f"no SHACL shapes: {path} is missing")
    stat = path.stat()
    return _shapes_cached(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


@functools.cache
def _shapes_cached(path: str, mtime: int, size: int) -> Graph:
    try:
        return Graph().parse(path, format="turtle")
    except Exception as exc:  # rdflib raises several parser-specific types
        raise ConfigError(f"{path}: cannot parse shapes: {exc}") from exc


def validate_graph(
    built: BuiltGraph,
    ontology: Ontology,
    shapes_file: Path,
    conflicts: frozenset[tuple[Node, Node]] = frozenset(),
    engine: str = "fast",
    focus: Focus | None = None,
) -> ShaclReport:
    """Check ``built`` against the shapes, with the ontology's class hierarchy, and the provenance rule.

    Args:
        built: The graph to check.
        ontology: Supplies ``rdfs:subClassOf`` so shapes on a class also apply to its subclasses.
        shapes_file: The SHACL shapes (Turtle).
        conflicts: ``(subject, property)`` pairs for which sources disagree
            (:mod:`graph.curation.conflicts`): their too-many-values results are left out,
            because a disagreement between sources is a warning with both sources, not an error.
        engine: ``fast`` (:mod:`graph.shacl`, compiled from the shapes; pySHACL when they use
            a feature it lacks) or ``pyshacl`` (the reference).
        focus: Check only these nodes and take the last validation's results for the rest
            (the fast engine only; pySHACL validates the whole graph).

    Returns:
        Violations and warnings, each located where the focus node was curated.
    """
    shapes = load_shapes(shapes_file)
    found = _fast_results(built, ontology, shapes, focus) if engine == "fast" else None
    if found is None:
        focus = None
    violations = check_provenance(built, ontology, only=focus.provenance if focus is not None else None)
    warnings: list[Problem] = []
    located = (
        _located_results(built, found) if found is not None else _pyshacl_results(built, shapes, _hierarchy(ontology))
    )
    for severity, problem, disputed in located:
        if disputed in conflicts:
            continue
        (violations if severity == SH.Violation else warnings).append(problem)
    checked = len(focus.nodes) if focus is not None else None
    return ShaclReport(tuple(sorted(violations, key=str)), tuple(sorted(warnings, key=str)), found, checked)


#: What a result is, if it says a property has too many values: ``(focus, property)``.
Disputed = tuple[Node | None, Node | None] | None


def _hierarchy(ontology: Ontology) -> list[tuple[Node, Node]]:
    return list(ontology.graph.subject_objects(RDFS.subClassOf))


def _fast_results(
    built: BuiltGraph, ontology: Ontology, shapes: Graph, focus: Focus | None
) -> tuple[shacl.Result, ...] | None:
    """Every result of the fast engine (on the nodes of ``focus`` and kept for the rest),
    or ``None`` when the shapes use a feature it lacks."""
    try:
        validator = shacl.Validator(shacl.compile_shapes(shapes), built.graph, _hierarchy(ontology))
    except shacl.Unsupported:
        return None
    if focus is None:
        return tuple(validator.results())
    return (*focus.kept, *validator.results(focus=focus.nodes))


def _located_results(built: BuiltGraph, results: Iterable[shacl.Result]) -> list[tuple[Node, Problem, Disputed]]:
    found: list[tuple[Node, Problem, Disputed]] = []
    for r in results:
        path = r.path if isinstance(r.path, URIRef) else None
        disputed = (r.focus, path) if f"sh:{r.component}" in _MAX_COUNTS_NAMES else None
        found.append((r.severity, _located_result(built, r.focus, path, r.value, r.message), disputed))
    return found


def _pyshacl_results(
    built: BuiltGraph, shapes: Graph, hierarchy: list[tuple[Node, Node]]
) -> list[tuple[Node, Problem, Disputed]]:
    import pyshacl  # slow to import (0.2 s); only the reference engine needs it

    graph = built.graph
    if not graph.store.context_aware:  # pySHACL validates in place only in a store with named graphs
        copy = Graph(bind_namespaces="none")
        for triple in graph:
            copy.add(triple)
        graph = copy
    # SHACL needs rdfs:subClassOf in the data graph for sh:targetClass and sh:class to see
    # subclasses. pySHACL's ont_graph would copy the whole data graph to add them; adding
    # the few subclass triples in place (and removing them after) is 20 % faster.
    added = [(s, RDFS.subClassOf, o) for s, o in hierarchy if (s, RDFS.subClassOf, o) not in graph]
    try:
        for triple in added:
            graph.add(triple)
        _, results, _ = pyshacl.validate(
            graph,
            shacl_graph=shapes,
            inference="none",
            advanced=True,
            abort_on_first=False,
            allow_warnings=True,
            inplace=True,
        )
    finally:
        for triple in added:
            graph.remove(triple)
    found: list[tuple[Node, Problem, Disputed]] = []
    # The report's own results; those under sh:detail explain a failed sh:node and would
    # repeat it without a location.
    for result in results.objects(None, SH.result):
        severity = results.value(result, SH.resultSeverity)
        disputed = None
        if results.value(result, SH.sourceConstraintComponent) in _MAX_COUNTS:
            disputed = (results.value(result, SH.focusNode), results.value(result, SH.resultPath))
        found.append((severity, _problem(built, results, result), disputed))
    return found


def _problem(built: BuiltGraph, results: Graph, result: Node) -> Problem:
    focus = results.value(result, SH.focusNode)
    path = results.value(result, SH.resultPath)
    value = results.value(result, SH.value)
    message = results.value(result, SH.resultMessage) or "constraint not met"
    return _located_result(built, focus, path, value, str(message))


def _located_result(
    built: BuiltGraph, focus: Node | None, path: Node | None, value: Node | None, message: str
) -> Problem:
    names = built.graph.namespace_manager
    parts = [names.normalizeUri(focus) if isinstance(focus, URIRef) else str(focus)]
    if isinstance(path, URIRef):
        parts.append(names.normalizeUri(path))
    text = ": ".join(parts) + f": {message}"
    if value is not None and value != focus:
        text += f" (value {value.n3(names)})"
    return Problem(_origin(built, focus, path, value), f"SHACL: {text}")


def _origin(built: BuiltGraph, focus: Node | None, path: Node | None, value: Node | None) -> Location | None:
    """Where the offending value was written (its statement), else where the focus node was declared."""
    if focus is None:
        return None
    if path is not None and value is not None:
        graph = built.graph
        for statement in graph.subjects(RDF.object, value):
            written = (statement, RDF.subject, focus) in graph and (statement, RDF.predicate, path) in graph
            if written and statement in built.origins:
                return built.origins[statement]
    return built.origins.get(focus)


def check_provenance(built: BuiltGraph, ontology: Ontology, only: Collection[Node] | None = None) -> list[Problem]:
    """Every fact about an entity has a sourced statement; every statement has its fact.

    A fact is any triple whose subject is an entity (other than its type and names),
    and any triple from a source to an entity or source (the photographer, say) except
    the derived ``nik:mentions``. A fact written both ways (an ``owl:inverseOf`` pair) needs
    its statement in one direction. Source metadata (title, hash) describes the source
    itself and needs no statement.

    The builder records which facts it backed with a statement, a source and a quote
    (:attr:`BuiltGraph.sourced`), so only the triples of entities and sources are read
    here, not every statement node; a graph from elsewhere is checked from its triples.
    With ``only``, only those statements, entities and sources are checked.
    """
    graph = built.graph
    spo, pos = _tables(graph)
    ours = frozenset(c.iri for c in ontology.classes.values())
    entities: set[Node] = set()
    sources: set[Node] = set()
    for cls, members in pos.get(_TYPE, {}).items():
        if isinstance(cls, URIRef) and cls in ours:
            if ontology.is_a(cls, _ENTITY):
                entities.update(members)
            elif ontology.is_a(cls, _SOURCE_DOCUMENT):
                sources.update(members)
    problems: list[Problem] = []
    facts: dict[Node, tuple[Node | None, ...]] | dict[Node, tuple[Node, Node, Node]]
    sourced: frozenset[tuple[Node, Node, Node]] | set[tuple[Node, ...]]
    if built.sourced is not None:
        facts, sourced = built.facts, built.sourced
    else:
        facts, sourced = _facts_from_graph(spo, pos)
    checked = facts.items() if only is None else [(node, facts[node]) for node in only if node in facts]
    for statement, fact in checked:
        s, p, o = fact
        if s is None or p is None or o is None or o not in spo.get(s, _EMPTY).get(p, _EMPTY):
            problems.append(_located(built, statement, "statement has no fact (truthy triple) in the graph"))
    inverse: dict[Node, Node] = {p: q for p, q in inverses(ontology.graph).items()}  # the builder writes both ways
    # The graph's own objects for the predicates that need no statement: a set look-up by the
    # identical object spares rdflib's __eq__ (a Python call) for each of an entity's names.
    # (A union keeps the left side's object of two equal ones.)
    own = frozenset(p for p in pos if p in UNSOURCED_PREDICATES or p == _MENTIONS)
    unsourced = own.union(UNSOURCED_PREDICATES, (_MENTIONS,))
    metadata = built.metadata
    names = graph.namespace_manager
    for s in entities | sources if only is None else [n for n in only if n in entities or n in sources]:
        about_entity = s in entities
        for p, objects in spo.get(s, _EMPTY).items():
            if p in unsourced:
                continue
            back = inverse.get(p)
            for o in objects:
                if not (about_entity or o in entities or o in sources):
                    continue
                if (s, p, o) in sourced or (o, back, s) in sourced or (s, p, o) in metadata:
                    continue  # metadata: written in the source block, the source describes itself
                what = f"{p.n3(names)} {o.n3(names)}"
                problems.append(_located(built, s, f"fact {what} has no statement with a source and a quote"))
    return problems


_REIFICATION = (RDF.subject, RDF.predicate, RDF.object)


def _tables(graph: Graph) -> tuple[dict[Any, Any], dict[Any, Any]]:
    """Subject → predicate → objects of every triple, and (at least) ``rdf:type`` → class → subjects.

    The store's own ``spo`` and ``pos`` indexes when it is rdflib's in-memory one
    (:func:`graph.writers.store_table`); else read once through the public API.
    """
    from graph.writers import store_table, subject_table

    spo, pos = store_table(graph, "spo"), store_table(graph, "pos")
    if spo is not None and pos is not None:
        return spo, pos
    types: dict[Any, dict[Any, int]] = {}
    for s, o in graph.subject_objects(_TYPE):
        types.setdefault(o, {})[s] = 1
    return subject_table(graph), {_TYPE: types}


def _facts_from_graph(
    spo: dict[Any, Any], pos: dict[Any, Any]
) -> tuple[dict[Node, tuple[Node | None, ...]], set[tuple[Node, ...]]]:
    """Statement nodes with their facts, and the facts with a source and a quote, read from the triples."""
    facts: dict[Node, tuple[Node | None, ...]] = {}
    sourced: set[tuple[Node, ...]] = set()
    for statement in pos.get(_TYPE, {}).get(_STATEMENT, {}):
        about = spo.get(statement, _EMPTY)
        fact = tuple(next(iter(about.get(term, ())), None) for term in _REIFICATION)
        facts[statement] = fact
        for reference in about.get(_DERIVED_FROM, ()):
            evidence = spo.get(reference, _EMPTY)
            if evidence.get(_STATED_IN) and evidence.get(_QUOTE) and None not in fact:
                sourced.add(fact)  # type: ignore[arg-type]
    return facts, sourced


def _located(built: BuiltGraph, node: Node, message: str) -> Problem:
    names = built.graph.namespace_manager
    label = names.normalizeUri(node) if isinstance(node, URIRef) else str(node)
    return Problem(built.origins.get(node), f"provenance: {label}: {message}")
