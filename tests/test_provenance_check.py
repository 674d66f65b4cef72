"""The provenance rule, checked from the builder's records and, for other graphs, from the triples."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from rdflib import URIRef

from graph import pipeline
from graph.build import BuiltGraph, build_graph
from graph.namespace import NIK
from graph.validate import check_provenance
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def built() -> tuple[BuiltGraph, Any]:
    dataset = pipeline.load(ROOT)
    return build_graph(dataset), dataset


def _from_triples(built: BuiltGraph) -> BuiltGraph:
    return dataclasses.replace(built, facts={}, sourced=None)


def _copy(built: BuiltGraph) -> BuiltGraph:
    graph = built.graph.__class__(bind_namespaces="none")
    for triple in built.graph:
        graph.add(triple)
    return dataclasses.replace(built, graph=graph)


def _messages(problems: list[Any]) -> list[str]:
    return sorted(p.message for p in problems)


def test_the_built_graph_has_no_provenance_problem_either_way(built: tuple[BuiltGraph, Any]) -> None:
    graph, dataset = built
    assert check_provenance(graph, dataset.ontology) == []
    assert check_provenance(_from_triples(graph), dataset.ontology) == []


def test_a_fact_without_a_statement_is_found_either_way(built: tuple[BuiltGraph, Any]) -> None:
    original, dataset = built
    graph = _copy(original)
    entity, predicate, _ = sorted(graph.facts.values())[0]  # an entity some fact is about
    graph.graph.add((entity, predicate, URIRef(f"{dataset.project.base}organization/erfunden")))
    expected = _messages(check_provenance(_from_triples(graph), dataset.ontology))
    assert len(expected) == 1 and "has no statement with a source and a quote" in expected[0]
    assert _messages(check_provenance(graph, dataset.ontology)) == expected


def test_a_statement_whose_fact_is_gone_is_found_either_way(built: tuple[BuiltGraph, Any]) -> None:
    original, dataset = built
    graph = _copy(original)
    _, (s, p, o) = next(iter(sorted(graph.facts.items())))
    graph.graph.remove((s, p, o))
    expected = _messages(check_provenance(_from_triples(graph), dataset.ontology))
    assert any("statement has no fact" in m for m in expected)
    assert _messages(check_provenance(graph, dataset.ontology)) == expected


def test_without_quotes_every_fact_of_a_graph_from_elsewhere_fails(built: tuple[BuiltGraph, Any]) -> None:
    original, dataset = built
    graph = _copy(original)
    graph.graph.remove((None, NIK.quote, None))
    problems = check_provenance(_from_triples(graph), dataset.ontology)
    assert (
        len(problems) >= len({fact for fact in original.facts.values() if fact[0] in set(graph.graph.subjects())}) // 2
    )
