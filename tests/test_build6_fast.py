"""The builder's facts loop gives what the plain way gives: each fact's triples added with ``Graph.add``.

The loop of the sixth round (``build._facts``) makes the statement and reference digests
itself, finds statements by their node, writes nodes straight into the store's indexes
(``build._Indexes``) and reads the sourced facts from the statements when every fact is
quoted. Here a builder written the plain way (one ``Graph.add`` per triple, digests with
``hexdigest()``, a set of sourced facts) gives the reference: the same triples, the same
order at every level of the store's indexes, the same origins, facts, sourced facts,
metadata and counts, on fixture projects, with unquoted facts and with repeated statements.
"""

from __future__ import annotations

import dataclasses
import hashlib
import sys
from collections import defaultdict
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS
from rdflib.term import Node

from graph import build, pipeline
from graph.build import BuiltGraph, build_graph
from graph.dataset import Dataset
from graph.errors import KGError, Location
from graph.namespace import NIK
from tests.conftest import ROOT
from tests.test_build_fast import _orders, built_fields


def _text(node: Node, base: str) -> str:
    return node.n3().replace(f"<{base}", "<~", 1) if isinstance(node, URIRef) else node.n3()


def _digest(content: str) -> str:
    return hashlib.sha256(content.encode("utf-8")).hexdigest()[:16]


def plain_build(dataset: Dataset) -> BuiltGraph:
    """The graph built the plain way: every triple added with ``Graph.add``, in the builder's order."""
    ontology, base = dataset.ontology, dataset.project.base
    graph = build.new_graph(base, {c.segment for c in ontology.classes.values() if c.segment})

    def add(s: Node, p: Node, o: Node) -> None:
        graph.add((s, p, o))

    origins: dict[Node, Location] = {}
    for entity in sorted(dataset.entities.values(), key=lambda e: e.id):
        add(entity.iri, RDF.type, entity.cls)
        add(entity.iri, RDFS.label, entity.name)
        for alias in entity.aliases:
            add(entity.iri, SKOS.altLabel, alias)
        origins[entity.iri] = entity.location
    for source in sorted(dataset.sources.values(), key=lambda s: s.id):
        add(source.iri, RDF.type, source.cls)
        add(source.iri, RDFS.label, source.name)
        for predicate, value in source.metadata:
            add(source.iri, predicate, value)
        origins[source.iri] = source.location
    statement_ns = f"{base}{ontology.class_of(NIK.Statement).segment}/"
    reference_ns = f"{base}{ontology.class_of(NIK.Reference).segment}/"
    entity_iris = dataset.entity_iris()
    references: dict[str, str] = {}
    statements: dict[str, str] = {}
    facts: dict[Node, tuple[Node, Node, Node]] = {}
    sourced: set[tuple[Node, Node, Node]] = set()
    mentions: dict[URIRef, set[URIRef]] = defaultdict(set)
    for fact in dataset.facts:
        source = dataset.sources[fact.source]
        quotes = "\n".join(text for text, _ in fact.quotes)
        content = f"{fact.source}\n{quotes}\n{fact.note or ''}"
        reference = URIRef(reference_ns + _digest(content))
        if references.setdefault(_digest(content), content) != content:
            raise KGError("reference collision")
        if reference not in origins:
            origins[reference] = fact.location
            add(reference, RDF.type, NIK.Reference)
            add(reference, NIK.statedIn, source.iri)
            for text, _ in fact.quotes:
                add(reference, NIK.quote, Literal(text, lang=source.language, normalize=False))
            if fact.note:
                add(reference, NIK.curatorNote, Literal(fact.note, normalize=False))
        truthy = (fact.subject, fact.predicate, fact.object)
        content = "\n".join(_text(term, base) for term in truthy)
        for qualifier, value in fact.qualifiers:
            content += f"\n{_text(qualifier, base)} {_text(value, base)}"
        statement = URIRef(statement_ns + _digest(content))
        if statements.setdefault(_digest(content), content) != content:
            raise KGError("statement collision")
        if statement not in facts:
            origins[statement] = fact.location
            facts[statement] = truthy
            add(*truthy)
            add(statement, RDF.type, NIK.Statement)
            add(statement, RDF.subject, fact.subject)
            add(statement, RDF.predicate, fact.predicate)
            add(statement, RDF.object, fact.object)
            for qualifier, value in fact.qualifiers:
                add(statement, qualifier, value)
        add(statement, PROV.wasDerivedFrom, reference)
        if fact.quotes:
            sourced.add(truthy)
        mentioned = mentions[source.iri]
        for node in (fact.subject, fact.object, *(value for _, value in fact.qualifiers)):
            if isinstance(node, URIRef) and node in entity_iris:
                mentioned.add(node)
    metadata = frozenset((s.iri, p, v) for s in dataset.sources.values() for p, v in s.metadata)
    for source_iri, _, value in metadata:
        if isinstance(value, URIRef) and value in entity_iris:
            mentions[source_iri].add(value)
    for source_iri, entities in mentions.items():
        for entity_iri in entities:
            add(source_iri, NIK.mentions, entity_iri)
    for triple in build.inverse_triples(graph, ontology.graph) + build.class_hierarchy(ontology.graph):
        graph.add(triple)
    return BuiltGraph(graph, origins, len(facts), len(references), metadata, facts, frozenset(sourced))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    """A generated project of a few thousand facts (qualifiers, shared references, inverses)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from corpus import generate  # type: ignore[import-not-found]

    return pipeline.load(generate(tmp_path_factory.mktemp("generated") / "project", 6000))


def _unquoted(dataset: Dataset) -> Dataset:
    """``dataset`` with every third fact's quotes left out (a fact the provenance check reports)."""
    facts = tuple(dataclasses.replace(f, quotes=()) if i % 3 == 0 else f for i, f in enumerate(dataset.facts))
    return dataclasses.replace(dataset, facts=facts)


def _repeated(dataset: Dataset) -> Dataset:
    """``dataset`` with its first ten facts stated again by the last source (the same statements)."""
    last = dataset.facts[-1]
    again = tuple(dataclasses.replace(f, source=last.source, quotes=last.quotes, note=None) for f in dataset.facts[:10])
    return dataclasses.replace(dataset, facts=dataset.facts + again)


@pytest.fixture(params=["musterland", "generated", "unquoted", "repeated"])
def dataset(request: pytest.FixtureRequest, musterland_built: Path) -> Dataset:
    if request.param == "musterland":
        return pipeline.load(musterland_built)
    generated: Dataset = request.getfixturevalue("generated")
    return {"generated": generated, "unquoted": _unquoted(generated), "repeated": _repeated(generated)}[request.param]


def test_the_built_graph_is_the_one_adding_each_facts_triples_gives(dataset: Dataset) -> None:
    fast, plain = build_graph(dataset), plain_build(dataset)
    assert fast.statements > 0 and fast.references > 0
    assert set(fast.graph) == set(plain.graph)
    assert _orders(fast) == _orders(plain)
    assert built_fields(fast) == built_fields(plain)


def test_unquoted_facts_are_not_sourced(generated: Dataset) -> None:
    built = build_graph(_unquoted(generated))
    assert built.sourced is not None
    assert len(built.sourced) < len(set(built.facts.values()))
    assert build_graph(generated).sourced == frozenset(built.facts.values())


def test_a_repeated_statement_is_one_node_derived_from_both_references(generated: Dataset) -> None:
    once, twice = build_graph(generated), build_graph(_repeated(generated))
    assert twice.statements == once.statements
    first = next(node for node, truthy in once.facts.items() if truthy == _truthy(generated.facts[0]))
    assert len(set(twice.graph.objects(first, PROV.wasDerivedFrom))) == 2


def _truthy(fact: Any) -> tuple[Node, Node, Node]:
    return (fact.subject, fact.predicate, fact.object)


def test_a_reference_collision_fails_the_build_with_both_contents(
    generated: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = [build._reference_key(f) for f in generated.facts]
    first = keys[0]
    other = next(key for key in keys if key != first)
    real = hashlib.sha256  # the other reference hashes as the first
    clashing = SimpleNamespace(sha256=lambda data: real(first.encode() if data == other.encode() else data))
    monkeypatch.setattr(build, "hashlib", clashing)
    with pytest.raises(KGError) as raised:
        build_graph(generated)
    assert str(raised.value) == f"hash collision between {first!r} and {other!r}"


def test_literals_equal_but_for_the_case_of_their_language_keep_their_own_text() -> None:
    terms = build._Terms("https://example.org/kg/")
    lower, upper = Literal("Köln", lang="de"), Literal("Köln", lang="DE")
    assert lower == upper
    assert (terms.term(lower), terms.term(upper)) == (lower.n3(), upper.n3())
    iri = URIRef("https://example.org/kg/city/koeln")
    assert terms.term(iri) == terms.term(URIRef(str(iri))) == "<~city/koeln>"
