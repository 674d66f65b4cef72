"""The whole-table shortcut of :mod:`graph.shacl` gives exactly what checking node by node gives.

``Validator.results()`` first shows from whole tables which units of a shape cannot fail on
any of its focus nodes (who has values of a path, how many, and every distinct value tested
once) and runs only the others node by node; ``results(by_table=False)`` runs every unit node
by node. Both must give the same results in the same order: on the fixture projects as built
and broken, on the graph with every supported constraint and target kind, and on small graphs
made for the cases the tables cannot show (a node that is no focus node breaking a bound, rows
left empty by a removal, ``sh:maxCount 0``, inverse paths with more than one value).
"""

from __future__ import annotations

from typing import Any

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from graph import shacl
from graph.build import BuiltGraph
from graph.validate import load_shapes
from tests.test_shacl_fast import (
    BREAKAGES,
    EVERY_KIND,
    EVERY_KIND_DATA,
    PROJECTS,
    SHAPES,
    _built,
    _elsewhere,
    datasets,  # noqa: F401  a fixture
)

# A wrong datatype on a number is the point of some broken copies; rdflib warns when it writes one.
pytestmark = pytest.mark.filterwarnings("ignore:Serializing weird numerical:UserWarning")
EX = "https://example.org/"

SMALL_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <https://example.org/> .

ex:ThingShape a sh:NodeShape ;
    sh:targetClass ex:Thing ;
    sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:maxCount 1 ] ;
    sh:property [ sh:path ex:gone ; sh:maxCount 0 ] ;
    sh:property [ sh:path ex:part ; sh:class ex:Part ] ;
    sh:property [ sh:path [ sh:inversePath ex:owns ] ; sh:minCount 1 ; sh:maxCount 2 ] ;
    sh:property [ sh:path [ sh:inversePath ex:likes ] ; sh:maxCount 1 ] .
"""


def _both(graph: Graph, shapes: Graph, hierarchy: list[Any] = ()) -> tuple[list[shacl.Result], list[shacl.Result]]:  # type: ignore[assignment]
    compiled = shacl.compile_shapes(shapes)
    by_table = shacl.Validator(compiled, graph, hierarchy).results()
    by_node = shacl.Validator(compiled, graph, hierarchy).results(by_table=False)
    return by_table, by_node


def _node_by_node_units(graph: Graph, shapes: Graph, hierarchy: list[Any], monkeypatch: pytest.MonkeyPatch) -> int:
    """How many units of the shapes' own targets ``results()`` checks node by node on ``graph``."""
    counted = [0]
    run_rows = shacl.Validator._run_rows

    def counting(self: shacl.Validator, units: list[Any], *args: Any) -> None:
        counted[0] += len(units)
        run_rows(self, units, *args)

    validator = shacl.Validator(shacl.compile_shapes(shapes), graph, hierarchy)
    with monkeypatch.context() as patch:
        patch.setattr(shacl.Validator, "_run_rows", counting)
        patch.setattr(
            shacl.Validator,
            "_run",
            lambda self, plan, foci, out: run_rows(self, plan.rows, plan.reads_table, foci, out),
        )
        validator.results()
    return counted[0]


@pytest.mark.parametrize("breakage", list(BREAKAGES))
@pytest.mark.parametrize("name", PROJECTS)
def test_the_tables_give_the_results_of_checking_node_by_node(
    datasets: dict[str, Any],  # noqa: F811
    name: str,
    breakage: str,
) -> None:
    dataset = datasets[name]
    built = _built(dataset, breakage)
    shapes = load_shapes(SHAPES)
    hierarchy = list(dataset.ontology.graph.subject_objects(RDFS.subClassOf))
    by_table, by_node = _both(built.graph, shapes, hierarchy)
    assert by_table == by_node
    assert (breakage == "as built") == (not by_node)
    assert _both(_elsewhere(built).graph, shapes, hierarchy)[0] == _both(_elsewhere(built).graph, shapes, hierarchy)[1]


def test_a_graph_as_built_is_shown_clear_by_the_tables_alone(
    datasets: dict[str, Any],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dataset = datasets["musterland"]
    built = _built(dataset, "as built")
    hierarchy = list(dataset.ontology.graph.subject_objects(RDFS.subClassOf))
    assert _node_by_node_units(built.graph, load_shapes(SHAPES), hierarchy, monkeypatch) == 0
    broken = _built(dataset, "names missing")
    assert _node_by_node_units(broken.graph, load_shapes(SHAPES), hierarchy, monkeypatch) > 0


def test_every_supported_constraint_and_target_kind() -> None:
    shapes = Graph().parse(data=EVERY_KIND, format="turtle")
    data = Graph().parse(data=EVERY_KIND_DATA, format="turtle")
    by_table, by_node = _both(data, shapes)
    assert by_table == by_node and by_node
    other = _elsewhere(BuiltGraph(data, {}, 0, 0)).graph
    assert _both(other, shapes)[0] == _both(other, shapes)[1]


def _small(extra: str) -> Graph:
    return Graph().parse(
        data=f"""
        @prefix ex: <https://example.org/> .
        ex:a a ex:Thing ; ex:name "A" ; ex:part ex:p .
        ex:b a ex:Thing ; ex:name "B" .
        ex:p a ex:Part .
        ex:o ex:owns ex:a , ex:b .
        {extra}
        """,
        format="turtle",
    )


SMALL_CASES = {
    "conforms": "",
    "a node that is no focus node has two names and a value of another class": (
        'ex:x ex:name "X1" , "X2" ; ex:part ex:a .'
    ),
    "a focus node has two names": 'ex:b ex:name "B2" .',
    "a focus node has a value it must not have": 'ex:b ex:gone "weg" .',
    "a node that is no focus node has that value": 'ex:x ex:gone "weg" .',
    "a focus node has a value of the wrong class": "ex:b ex:part ex:a .",
    "three owners": "ex:o2 ex:owns ex:a . ex:o3 ex:owns ex:a .",
    "two owners": "ex:o2 ex:owns ex:a .",
    "liked twice": "ex:l1 ex:likes ex:a . ex:l2 ex:likes ex:a .",
    "liked twice, but not a focus node": "ex:l1 ex:likes ex:x . ex:l2 ex:likes ex:x .",
}


def test_every_small_case_is_compared() -> None:
    assert len(SMALL_CASES) == 10


@pytest.mark.parametrize("case", list(SMALL_CASES))
def test_the_tables_and_node_by_node_agree_where_the_tables_cannot_show_much(case: str) -> None:
    shapes = Graph().parse(data=SMALL_SHAPES, format="turtle")
    graph = _small(SMALL_CASES[case])
    by_table, by_node = _both(graph, shapes)
    assert by_table == by_node
    assert (case in ("conforms", "two owners") or "not a focus node" in case or "no focus node" in case) == (
        not by_node
    )


def test_rows_left_empty_by_a_removal_count_as_no_values() -> None:
    # rdflib's in-memory stores keep a node's emptied row in ``pos`` after its last triple goes
    shapes = Graph().parse(data=SMALL_SHAPES, format="turtle")
    for removed in [
        (URIRef(f"{EX}b"), URIRef(f"{EX}name"), Literal("B")),
        (URIRef(f"{EX}o"), URIRef(f"{EX}owns"), URIRef(f"{EX}b")),
    ]:
        graph = _small("")
        graph.remove(removed)
        by_table, by_node = _both(graph, shapes)
        assert by_table == by_node
        assert [(r.focus, r.component) for r in by_node] == [(URIRef(f"{EX}b"), "MinCountConstraintComponent")]
