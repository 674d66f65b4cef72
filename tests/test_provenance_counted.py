"""The provenance rule's counting shortcut finds exactly what looking up each value finds.

:func:`graph.validate.check_provenance` takes a subject's values of a predicate as sourced
when there are as many as the subject has sourced facts with that predicate (every sourced
fact is a statement's fact, and each was found in the graph). Compared with looking up each
value (``by_count=False``): on the fixture projects as built and broken, with the builder's
records and read from the triples, and where a count alone would be fooled (a sourced fact
replaced by another value, so the number of values stays the same).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from rdflib import URIRef

from graph.build import BuiltGraph
from graph.validate import check_provenance
from tests.test_shacl_fast import BREAKAGES, PROJECTS, _built, _elsewhere
from tests.test_shacl_fast import datasets as datasets  # a fixture

# A wrong datatype on a number is the point of some broken copies; rdflib warns when it writes one.
pytestmark = pytest.mark.filterwarnings("ignore:Serializing weird numerical:UserWarning")


def _both_ways(built: BuiltGraph, dataset: Any) -> list[Any]:
    counted = check_provenance(built, dataset.ontology)
    assert counted == check_provenance(built, dataset.ontology, by_count=False)
    return counted


@pytest.mark.parametrize("breakage", list(BREAKAGES))
@pytest.mark.parametrize("name", PROJECTS)
def test_counting_finds_what_looking_up_each_value_finds(datasets: dict[str, Any], name: str, breakage: str) -> None:
    dataset = datasets[name]
    built = _built(dataset, breakage)
    problems = _both_ways(built, dataset)
    if breakage == "as built":
        assert problems == []
    _both_ways(dataclasses.replace(built, facts={}, sourced=None), dataset)
    _both_ways(_elsewhere(built), dataset)


def test_a_sourced_fact_replaced_by_another_value_is_found(datasets: dict[str, Any]) -> None:
    dataset = datasets["musterland"]
    built = _built(dataset, "as built")
    s, p, o = sorted(t for t in built.sourced or () if isinstance(t[2], URIRef))[0]
    built.graph.remove((s, p, o))
    built.graph.add((s, p, URIRef(f"{dataset.project.base}organization/erfunden")))  # as many values as before
    messages = [problem.message for problem in _both_ways(built, dataset)]
    assert any("statement has no fact" in m for m in messages)
    assert any("organization:erfunden" in m and "has no statement with a source and a quote" in m for m in messages)
