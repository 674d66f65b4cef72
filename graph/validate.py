"""Validate the built graph: SHACL shapes (pySHACL) and the provenance rule.

Each SHACL result becomes one problem line pointing at the curated file and line
where its focus node was declared, so a curator can act on it without reading RDF.

The provenance rule (every fact about an entity is backed by a statement with a
source and a quote, and every statement by its fact) is checked here in one pass
over the graph rather than as SHACL-SPARQL, which pySHACL runs once per entity.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SH, SKOS
from rdflib.term import Node

from graph.build import BuiltGraph, inverses
from graph.errors import ConfigError, Location, Problem
from graph.namespace import NIK
from graph.ontology import Ontology

#: Triples about entities that are not facts: names and the derived mentions.
UNSOURCED_PREDICATES = frozenset({RDF.type, RDFS.label, SKOS.altLabel})
_MAX_COUNTS = frozenset({SH.MaxCountConstraintComponent, SH.QualifiedMaxCountConstraintComponent})


@dataclass(frozen=True)
class ShaclReport:
    """What pySHACL found: violations fail a build, warnings are shown."""

    violations: tuple[Problem, ...]
    warnings: tuple[Problem, ...]

    @property
    def conforms(self) -> bool:
        return not self.violations


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
) -> ShaclReport:
    """Run pySHACL on ``built`` with the ontology mixed in (for subclass targets).

    Args:
        built: The graph to check.
        ontology: Supplies ``rdfs:subClassOf`` so shapes on a class also apply to its subclasses
            (added to ``built.graph`` for the run, removed afterwards).
        shapes_file: The SHACL shapes (Turtle).
        conflicts: ``(subject, property)`` pairs for which sources disagree
            (:mod:`graph.curation.conflicts`): their too-many-values results are left out,
            because a disagreement between sources is a warning with both sources, not an error.

    Returns:
        Violations and warnings, each located where the focus node was curated.
    """
    import pyshacl  # slow to import (0.2 s); only validation needs it

    shapes = load_shapes(shapes_file)
    graph = built.graph
    # SHACL needs rdfs:subClassOf in the data graph for sh:targetClass and sh:class to see
    # subclasses. pySHACL's ont_graph would copy the whole data graph to add them; adding
    # the few subclass triples in place (and removing them after) is 20 % faster.
    hierarchy = [t for t in ontology.graph.triples((None, RDFS.subClassOf, None)) if t not in graph]
    try:
        for triple in hierarchy:
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
        for triple in hierarchy:
            graph.remove(triple)
    violations = check_provenance(built, ontology)
    warnings: list[Problem] = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        component = results.value(result, SH.sourceConstraintComponent)
        if (
            component in _MAX_COUNTS
            and (results.value(result, SH.focusNode), results.value(result, SH.resultPath)) in conflicts
        ):
            continue
        severity = results.value(result, SH.resultSeverity)
        problem = _problem(built, results, result)
        (violations if severity == SH.Violation else warnings).append(problem)
    return ShaclReport(tuple(sorted(violations, key=str)), tuple(sorted(warnings, key=str)))


def _problem(built: BuiltGraph, results: Graph, result: Node) -> Problem:
    names = built.graph.namespace_manager
    focus = results.value(result, SH.focusNode)
    path = results.value(result, SH.resultPath)
    value = results.value(result, SH.value)
    message = results.value(result, SH.resultMessage) or "constraint not met"
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


def check_provenance(built: BuiltGraph, ontology: Ontology) -> list[Problem]:
    """Every fact about an entity has a sourced statement; every statement has its fact.

    A fact is any triple whose subject is an entity (other than its type and names),
    and any triple from a source to an entity or source (the photographer, say) except
    the derived ``nik:mentions``. A fact written both ways (an ``owl:inverseOf`` pair) needs
    its statement in one direction. Source metadata (title, hash) describes the source
    itself and needs no statement.
    """
    graph = built.graph
    ours = frozenset(c.iri for c in ontology.classes.values())
    entities: set[Node] = set()
    sources: set[Node] = set()
    for subject, cls in graph.subject_objects(RDF.type):
        if isinstance(cls, URIRef) and cls in ours:
            if ontology.is_a(cls, NIK.Entity):
                entities.add(subject)
            elif ontology.is_a(cls, NIK.SourceDocument):
                sources.add(subject)
    sourced: set[tuple[Node, Node, Node]] = set()
    problems: list[Problem] = []
    for statement in graph.subjects(RDF.type, NIK.Statement):
        fact = (
            graph.value(statement, RDF.subject),
            graph.value(statement, RDF.predicate),
            graph.value(statement, RDF.object),
        )
        if None in fact or fact not in graph:
            problems.append(_located(built, statement, "statement has no fact (truthy triple) in the graph"))
        if any(
            graph.value(reference, NIK.statedIn) is not None and graph.value(reference, NIK.quote) is not None
            for reference in graph.objects(statement, PROV.wasDerivedFrom)
        ):
            sourced.add(fact)  # type: ignore[arg-type]
    inverse: dict[Node, Node] = {p: q for p, q in inverses(ontology.graph).items()}  # the builder writes both ways
    for s, p, o in graph:
        if p in UNSOURCED_PREDICATES or p == NIK.mentions:
            continue
        if (s, p, o) in built.metadata:
            continue  # written in the source block: the source describes itself
        is_fact = s in entities or (s in sources and (o in entities or o in sources))
        if is_fact and (s, p, o) not in sourced and (o, inverse.get(p), s) not in sourced:
            names = graph.namespace_manager
            what = f"{p.n3(names)} {o.n3(names)}"
            problems.append(_located(built, s, f"fact {what} has no statement with a source and a quote"))
    return problems


def _located(built: BuiltGraph, node: Node, message: str) -> Problem:
    names = built.graph.namespace_manager
    label = names.normalizeUri(node) if isinstance(node, URIRef) else str(node)
    return Problem(built.origins.get(node), f"provenance: {label}: {message}")
