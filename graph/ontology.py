"""Read the ontology (``ontology/*.ttl``) into lookup tables for the loader.

Everything the loader knows about classes and properties comes from here: which
local names exist, which class an entity may have, which values a property takes
(``rdfs:range``), on which subjects (``rdfs:domain``), whether it may qualify a
fact (its domain includes ``nik:Statement``), and the IRI segment of each class.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from graph import iris
from graph.errors import ConfigError
from graph.namespace import NIK
from graph.project import SHAPES_FILE, ontology_files
from graph.values import DATATYPES


@dataclass(frozen=True)
class ClassInfo:
    """One class of our ontology."""

    name: str
    iri: URIRef
    ancestors: frozenset[URIRef]
    segment: str | None


@dataclass(frozen=True)
class PropertyInfo:
    """One property of our ontology, as the loader needs it."""

    name: str
    iri: URIRef
    is_object: bool
    domain: frozenset[URIRef] | None
    range: tuple[URIRef, ...]
    qualifier: bool


@dataclass(frozen=True)
class Ontology:
    """The ontology graph and its lookup tables."""

    graph: Graph
    classes: dict[str, ClassInfo]
    properties: dict[str, PropertyInfo]
    files: tuple[Path, ...]

    def class_of(self, iri: URIRef) -> ClassInfo:
        """Return the class info for a class IRI of our namespace."""
        return self.classes[_local_name(iri)]

    def is_a(self, cls: URIRef, target: URIRef) -> bool:
        """Whether ``cls`` is ``target`` or one of its subclasses."""
        return target in self.class_of(cls).ancestors

    def fits(self, cls: URIRef, allowed: Iterable[URIRef]) -> bool:
        """Whether ``cls`` is (a subclass of) any class in ``allowed``."""
        ancestors = self.class_of(cls).ancestors
        return any(a in ancestors for a in allowed)

    def label(self, iri: URIRef, lang: str = "de") -> str:
        """The ``rdfs:label`` of a term in ``lang``, falling back to its local name."""
        for value in self.graph.objects(iri, RDFS.label):
            if isinstance(value, Literal) and value.language == lang:
                return str(value)
        return _local_name(iri)


def _local_name(iri: URIRef) -> str:
    return str(iri)[_NIK_LENGTH:]


_NIK_LENGTH = len(iris.NIK)


def load_ontology(directory: Path) -> Ontology:
    """Load and index the ontology in ``directory``; cached while the files are unchanged.

    Raises:
        ConfigError: When the folder has no ontology or the ontology is inconsistent
            (a property without range, a datatype without parser, a class without segment).
    """
    files = ontology_files(directory)
    if not files:
        raise ConfigError(f"no ontology: {directory} has no *.ttl files besides {SHAPES_FILE}")
    stamp = tuple((str(p.resolve()), p.stat().st_mtime_ns, p.stat().st_size) for p in files)
    return _load_cached(stamp)


@functools.cache
def _load_cached(stamp: tuple[tuple[str, int, int], ...]) -> Ontology:
    graph = Graph(bind_namespaces="none")
    for name, _, _ in stamp:
        try:
            graph.parse(name, format="turtle")
        except Exception as exc:  # rdflib raises several parser-specific types
            raise ConfigError(f"{name}: cannot parse ontology: {exc}") from exc
    classes = _index_classes(graph)
    properties = _index_properties(graph, classes)
    return Ontology(graph, classes, properties, tuple(Path(n) for n, _, _ in stamp))


def _ours(terms: Iterable[Node]) -> list[URIRef]:
    """Our namespace's IRIs among ``terms``, sorted."""
    return sorted(t for t in terms if isinstance(t, URIRef) and str(t).startswith(str(NIK)))


def _index_classes(graph: Graph) -> dict[str, ClassInfo]:
    declared = _ours(graph.subjects(RDF.type, OWL.Class))
    parents: dict[URIRef, list[URIRef]] = {
        c: sorted(p for p in graph.objects(c, RDFS.subClassOf) if isinstance(p, URIRef)) for c in declared
    }
    classes: dict[str, ClassInfo] = {}
    for cls in declared:
        classes[_local_name(cls)] = ClassInfo(
            _local_name(cls), cls, _ancestors(graph, cls), _segment(graph, cls, parents)
        )
    return classes


def _ancestors(graph: Graph, cls: URIRef) -> frozenset[URIRef]:
    """``cls`` and every class it is an ``rdfs:subClassOf``, transitively."""
    seen = {cls}
    todo = [cls]
    while todo:
        for parent in graph.objects(todo.pop(), RDFS.subClassOf):
            if isinstance(parent, URIRef) and parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return frozenset(seen)


def _segment(graph: Graph, cls: URIRef, parents: dict[URIRef, list[URIRef]]) -> str | None:
    """The class's own IRI segment, else the nearest ancestors' (which must agree)."""
    level = [cls]
    seen: set[URIRef] = set()
    while level:
        found = {str(s) for c in level for s in graph.objects(c, NIK.iriSegment)}
        if len(found) > 1:
            names = ", ".join(sorted(found))
            raise ConfigError(
                f"ontology: class {_local_name(cls)} inherits several IRI segments ({names}); "
                "give it its own nik:iriSegment"
            )
        if found:
            return found.pop()
        seen.update(level)
        level = [p for c in level for p in parents.get(c, []) if p not in seen]
    return None


def _members(graph: Graph, node: object) -> list[URIRef]:
    """A named term, the members of an ``owl:unionOf`` (also behind ``owl:equivalentClass``),
    or the XSD datatypes of one of our datatypes (``nik:lexicalDatatype``, in parser order)."""
    if isinstance(node, BNode):
        union = graph.value(node, OWL.unionOf)
        if union is None:
            return []
        return [m for m in Collection(graph, union) if isinstance(m, URIRef)]
    if isinstance(node, URIRef):
        lexical = {d for d in graph.objects(node, NIK.lexicalDatatype) if isinstance(d, URIRef)}
        if lexical:  # the loader tries them in the order of its parsers (year before date …)
            order = list(DATATYPES)
            return sorted(lexical, key=lambda d: (order.index(d) if d in order else len(order), str(d)))
        for equivalent in graph.objects(node, OWL.equivalentClass):
            members = _members(graph, equivalent)
            if members:
                return members
        return [node]
    return []


def _index_properties(graph: Graph, classes: dict[str, ClassInfo]) -> dict[str, PropertyInfo]:
    properties: dict[str, PropertyInfo] = {}
    kinds = ((OWL.ObjectProperty, True), (OWL.DatatypeProperty, False))
    for kind, is_object in kinds:
        for prop in _ours(graph.subjects(RDF.type, kind)):
            name = _local_name(prop)
            ranges = [r for node in graph.objects(prop, RDFS.range) for r in _members(graph, node)]
            if not ranges:
                raise ConfigError(f"ontology: property {name} has no rdfs:range")
            for rng in ranges:
                if is_object and _local_name(rng) not in classes:
                    raise ConfigError(f"ontology: range of {name} is not one of our classes: {rng}")
                if not is_object and rng not in DATATYPES:
                    supported = ", ".join(sorted(graph.namespace_manager.normalizeUri(d) for d in DATATYPES))
                    raise ConfigError(f"ontology: range {rng} of {name} has no parser; supported: {supported}")
            domains = [d for node in graph.objects(prop, RDFS.domain) for d in _members(graph, node)]
            properties[name] = PropertyInfo(
                name=name,
                iri=prop,
                is_object=is_object,
                domain=frozenset(domains) or None,
                range=tuple(ranges),
                qualifier=NIK.Statement in domains,
            )
    return properties


def definition(graph: Graph, iri: URIRef, lang: str = "en") -> str:
    """The ``skos:definition`` of a term in ``lang`` (empty when missing)."""
    for value in graph.objects(iri, SKOS.definition):
        if isinstance(value, Literal) and value.language == lang:
            return str(value)
    return ""
