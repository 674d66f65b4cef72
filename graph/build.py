"""Build the RDF graph from a resolved :class:`~graph.dataset.Dataset`.

Each fact becomes (following the pattern of Wikidata's RDF export):

- a *truthy* triple ``subject predicate object`` for simple querying;
- a ``nik:Statement`` node with ``rdf:subject/predicate/object``, its qualifiers,
  and ``prov:wasDerivedFrom`` one ``nik:Reference`` per source that states it;
- a ``nik:Reference`` node with ``nik:statedIn`` (the source) and ``nik:quote``
  (the verbatim evidence), shared by all statements the same quotes back.

Statement and reference IRIs are content hashes computed without the base IRI, so
the same facts give the same IRIs on every build and under any base.

Two kinds of triple come from the ontology rather than from a fact:

- for a property with an ``owl:inverseOf``, the inverse truthy triple (``team hasMember
  person`` for ``person memberOf team``), so SPARQL finds the fact from either side; the
  statement and its references stay with the direction the curator wrote;
- the ``rdfs:subClassOf`` hierarchy of our classes, so a SHACL engine run on the exported
  data alone sees that a ``nik:Politician`` is a ``nik:Person`` (SHACL reads subclasses from
  the data graph, not from the ontology).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS
from rdflib.plugins.stores.memory import SimpleMemory
from rdflib.term import Node

from graph.dataset import Dataset, Fact
from graph.errors import KGError, Location
from graph.namespace import NIK, PREFIXES


@dataclass(frozen=True)
class BuiltGraph:
    """The graph plus where each of its nodes was declared, for error messages.

    Attributes:
        graph: The graph.
        origins: Where each entity, source, statement and reference was curated.
        statements: How many statement nodes it has.
        references: How many reference nodes it has.
        metadata: Triples from source blocks (title, publisher, …): the source describes itself.
        facts: Each statement node's fact (subject, predicate, object), as the builder made it.
        sourced: The facts the builder backed with a statement whose reference has a
            source and a quote (``None`` for a graph from elsewhere: then the provenance
            check reads it from the graph).
    """

    graph: Graph
    origins: dict[Node, Location]
    statements: int
    references: int
    metadata: frozenset[tuple[Node, Node, Node]] = frozenset()
    facts: dict[Node, tuple[Node, Node, Node]] = field(default_factory=dict)
    sourced: frozenset[tuple[Node, Node, Node]] | None = None


class CountedMemory(SimpleMemory):
    """rdflib's ``SimpleMemory`` store, remembering its size until the next change.

    ``SimpleMemory`` counts every triple on each ``len()`` (a second at a million triples).
    """

    def __init__(self) -> None:
        super().__init__()
        self._count: int | None = None

    def add(self, triple: Any, context: Any, quoted: bool = False) -> None:
        self._count = None
        super().add(triple, context, quoted)

    def remove(self, triple_pattern: Any, context: Any = None) -> None:
        self._count = None
        super().remove(triple_pattern, context)

    def __len__(self, context: Any = None) -> int:
        # SimpleMemory has no named graphs: every context sees all triples.
        if self._count is None:
            self._count = super().__len__(context)
        return self._count


def new_graph(base: str, segments: set[str]) -> Graph:
    """An empty graph with our prefixes bound (one per IRI segment for data).

    It lives in rdflib's ``SimpleMemory`` store: the same triple indexes as the default
    ``Memory`` store without its bookkeeping of named graphs, which a plain graph never
    has, so adding a million triples takes a third of the time.
    """
    graph = Graph(store=CountedMemory(), bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    for segment in sorted(segments):
        graph.bind(segment, Namespace(f"{base}{segment}/"))
    return graph


class _Hasher:
    """Short content hashes, independent of the base IRI, with a collision check."""

    def __init__(self, base: str, namespace: str) -> None:
        self.base = base
        self.namespace = namespace
        self.seen: dict[str, str] = {}

    def term(self, node: Node) -> str:
        text = node.n3()
        return text.replace(f"<{self.base}", "<~", 1) if isinstance(node, URIRef) else text

    def iri(self, content: str) -> URIRef:
        digest = hashlib.sha256(content.encode("utf-8")).hexdigest()[:16]
        previous = self.seen.setdefault(digest, content)
        if previous != content:  # 64-bit prefix: practically never, but never silently
            raise KGError(f"hash collision between {previous!r} and {content!r}")
        return URIRef(f"{self.namespace}{digest}")


def build_graph(dataset: Dataset) -> BuiltGraph:
    """Build the graph: entities, sources, truthy triples, statements, references.

    Args:
        dataset: The resolved sources.

    Returns:
        The graph and the declaration site of each entity, source, statement and reference.
    """
    ontology = dataset.ontology
    base = dataset.project.base
    segments = {c.segment for c in ontology.classes.values() if c.segment}
    graph = new_graph(base, segments)
    add = graph.add
    origins: dict[Node, Location] = {}

    for entity in sorted(dataset.entities.values(), key=lambda e: e.id):
        add((entity.iri, RDF.type, entity.cls))
        add((entity.iri, RDFS.label, entity.name))
        for alias in entity.aliases:
            add((entity.iri, SKOS.altLabel, alias))
        origins[entity.iri] = entity.location

    for source in sorted(dataset.sources.values(), key=lambda s: s.id):
        add((source.iri, RDF.type, source.cls))
        add((source.iri, RDFS.label, source.name))
        for predicate, value in source.metadata:
            add((source.iri, predicate, value))
        origins[source.iri] = source.location

    statement_ns = f"{base}{ontology.class_of(NIK.Statement).segment}/"
    reference_ns = f"{base}{ontology.class_of(NIK.Reference).segment}/"
    statements = _Hasher(base, statement_ns)
    references = _Hasher(base, reference_ns)
    entity_iris = dataset.entity_iris()
    mentions: dict[URIRef, set[URIRef]] = defaultdict(set)
    made_references: set[URIRef] = set()
    made_statements: set[URIRef] = set()
    facts: dict[Node, tuple[Node, Node, Node]] = {}
    sourced: set[tuple[Node, Node, Node]] = set()

    for fact in dataset.facts:
        source = dataset.sources[fact.source]
        reference = references.iri(_reference_key(fact))
        if reference not in made_references:
            made_references.add(reference)
            origins[reference] = fact.location
            add((reference, RDF.type, NIK.Reference))
            add((reference, NIK.statedIn, source.iri))
            for text, _ in fact.quotes:
                add((reference, NIK.quote, Literal(text, lang=source.language)))
            if fact.note:
                add((reference, NIK.curatorNote, Literal(fact.note)))
        statement = statements.iri(_statement_key(fact, statements))
        truthy = (fact.subject, fact.predicate, fact.object)
        if fact.quotes:  # the reference above has its source (statedIn) and a quote
            sourced.add(truthy)
        if statement not in made_statements:
            made_statements.add(statement)
            origins[statement] = fact.location
            facts[statement] = truthy
            add(truthy)
            add((statement, RDF.type, NIK.Statement))
            add((statement, RDF.subject, fact.subject))
            add((statement, RDF.predicate, fact.predicate))
            add((statement, RDF.object, fact.object))
            for qualifier, value in fact.qualifiers:
                add((statement, qualifier, value))
        add((statement, PROV.wasDerivedFrom, reference))
        nodes = [fact.subject, fact.object, *(value for _, value in fact.qualifiers)]
        mentions[source.iri].update(n for n in nodes if isinstance(n, URIRef) and n in entity_iris)

    metadata = frozenset((s.iri, p, v) for s in dataset.sources.values() for p, v in s.metadata)
    for source_iri, _, value in metadata:  # a source names its publisher, say
        if isinstance(value, URIRef) and value in entity_iris:
            mentions[source_iri].add(value)
    for source_iri, entities in mentions.items():
        for entity_iri in entities:
            add((source_iri, NIK.mentions, entity_iri))
    for triple in inverse_triples(graph, ontology.graph):
        add(triple)
    for triple in class_hierarchy(ontology.graph):
        add(triple)
    return BuiltGraph(graph, origins, len(made_statements), len(made_references), metadata, facts, frozenset(sourced))


def _statement_key(fact: Fact, hasher: _Hasher) -> str:
    parts = [hasher.term(fact.subject), hasher.term(fact.predicate), hasher.term(fact.object)]
    parts += [f"{hasher.term(q)} {hasher.term(v)}" for q, v in fact.qualifiers]
    return "\n".join(parts)


def _reference_key(fact: Fact) -> str:
    quotes = "\n".join(text for text, _ in fact.quotes)
    return f"{fact.source}\n{quotes}\n{fact.note or ''}"


def inverses(ontology: Graph) -> dict[URIRef, URIRef]:
    """Each property declared ``owl:inverseOf`` another (either side), mapped to that other."""
    pairs: dict[URIRef, URIRef] = {}
    for p, q in ontology.subject_objects(OWL.inverseOf):
        if isinstance(p, URIRef) and isinstance(q, URIRef):
            pairs[p] = q
            pairs[q] = p
    return pairs


def inverse_triples(graph: Graph, ontology: Graph) -> list[tuple[Node, Node, Node]]:
    """The inverse of every triple whose predicate has an ``owl:inverseOf`` (and an IRI object)."""
    pairs = inverses(ontology)
    return [(o, pairs[p], s) for p in sorted(pairs) for s, o in graph.subject_objects(p) if isinstance(o, URIRef)]


def class_hierarchy(ontology: Graph) -> list[tuple[Node, Node, Node]]:
    """The ``rdfs:subClassOf`` triples between classes of our namespace."""
    ours = str(NIK)
    return sorted(
        (c, RDFS.subClassOf, parent)
        for c, parent in ontology.subject_objects(RDFS.subClassOf)
        if isinstance(c, URIRef) and isinstance(parent, URIRef) and c.startswith(ours) and parent.startswith(ours)
    )
