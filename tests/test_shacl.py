"""The fast SHACL validator (graph/shacl.py) gives exactly pySHACL's results.

Compared on the real corpus, the mini project and a generated corpus, each as built and
with many deterministic mutations (dropped, doubled, mistyped and misplaced values) so
that every kind of constraint in ontology/shapes.ttl fails somewhere. Results are
compared as sets of (focus node, path, value, constraint component, severity).
"""

from __future__ import annotations

import random
import shutil
import sys
from pathlib import Path

import pyshacl
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDFS, SH, XSD
from rdflib.term import Node

from graph import pipeline, shacl
from graph.build import build_graph
from graph.validate import load_shapes, validate_graph
from tests.conftest import DATA, ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))

Key = tuple[Node, object, Node | None, str, Node]


class _OtherGraph(Graph):
    """A graph type the fast paths do not know, so they go through rdflib's public API."""


def _pyshacl(graph: Graph, shapes: Graph, hierarchy: list[tuple[Node, Node]]) -> set[Key]:
    data = Graph()
    for triple in graph:
        data.add(triple)
    for s, o in hierarchy:
        data.add((s, RDFS.subClassOf, o))
    return set(pyshacl_results(data, shapes))


def pyshacl_results(data: Graph, shapes: Graph) -> list[Key]:
    """pySHACL's results on ``data``, each as focus, path, value, component and severity."""
    _, results, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True)
    found: list[Key] = []
    for result in results.objects(None, SH.result):  # the report's results, not their sh:detail
        path = results.value(result, SH.resultPath)
        if isinstance(path, BNode):
            path = ("inverse", results.value(path, SH.inversePath))
        component = str(results.value(result, SH.sourceConstraintComponent)).removeprefix(str(SH))
        found.append(
            (results.value(result, SH.focusNode), path, results.value(result, SH.value), component,
             results.value(result, SH.resultSeverity))
        )  # fmt: skip
    return found


def _fast(graph: Graph, shapes: Graph, hierarchy: list[tuple[Node, Node]]) -> set[Key]:
    return {(r.focus, r.path, r.value, r.component, r.severity) for r in shacl.validate(graph, shapes, hierarchy)}


def _mutated(graph: Graph, seed: int) -> Graph:
    """A copy with about one triple in six dropped, doubled, mistyped or misplaced."""
    rng = random.Random(seed)
    out = Graph()
    for s, p, o in sorted(graph):
        roll = rng.random()
        if roll < 0.05 or (roll > 0.9 and isinstance(o, Literal)):
            continue  # dropped: minCount, inverse paths, classes of values, pairs (sh:or)
        out.add((s, p, o))
        if roll < 0.08:
            out.add((s, p, Literal(f"zweiter Wert {rng.randrange(9)}", lang="de")))  # doubled, as text
        elif roll < 0.10:
            out.add((s, p, Literal("-7", datatype=XSD.integer)))  # doubled, as a negative integer
        elif roll < 0.12:
            out.remove((s, p, o))
            out.add((s, p, Literal("kein Datum")))  # mistyped: a plain string
        elif roll < 0.14 and isinstance(o, Literal):
            out.remove((s, p, o))
            out.add((s, p, URIRef(f"https://example.org/x/{rng.randrange(50)}")))  # an IRI where a literal was
        elif roll < 0.16:
            out.add((s, p, BNode(f"b{rng.randrange(5)}")))  # a blank node value
        elif roll < 0.17:
            out.add((s, p, Literal("2019-13-45", datatype=XSD.date)))  # ill-typed
    return out


def _graphs() -> list[tuple[str, Graph]]:
    dataset = pipeline.load(ROOT)
    real = build_graph(dataset).graph
    mini_dataset = pipeline.load(_mini())
    mini = build_graph(mini_dataset).graph
    return [
        ("real", real),
        ("real-mutated-1", _mutated(real, 1)),
        ("real-mutated-2", _mutated(real, 2)),
        ("mini", mini),
        ("mini-mutated", _mutated(mini, 3)),
        ("generated-mutated", _mutated(build_graph(pipeline.load(_generated())).graph, 4)),
    ]


_TMP: list[Path] = []


def _mini() -> Path:
    import tempfile

    target = Path(tempfile.mkdtemp(prefix="kg-shacl-")) / "mini"
    _TMP.append(target.parent)
    shutil.copytree(DATA / "mini", target)
    shutil.copytree(ROOT / "ontology", target / "ontology")
    return target


def _generated() -> Path:
    import tempfile

    from corpus import generate

    folder = Path(tempfile.mkdtemp(prefix="kg-shacl-"))
    _TMP.append(folder)
    return generate(folder / "corpus", 15000, seed=5)


@pytest.fixture(scope="module")
def cases() -> dict[str, Graph]:
    try:
        return dict(_graphs())
    finally:
        for folder in _TMP:
            shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def shapes_and_hierarchy() -> tuple[Graph, list[tuple[Node, Node]]]:
    from graph.ontology import load_ontology

    ontology = load_ontology(ROOT / "ontology")
    return load_shapes(ROOT / "ontology" / "shapes.ttl"), list(ontology.graph.subject_objects(RDFS.subClassOf))


def test_six_graphs_are_compared(cases: dict[str, Graph]) -> None:
    assert len(cases) == 6


@pytest.mark.parametrize(
    "name", ["real", "real-mutated-1", "real-mutated-2", "mini", "mini-mutated", "generated-mutated"]
)
def test_same_results_as_pyshacl(
    cases: dict[str, Graph], shapes_and_hierarchy: tuple[Graph, list[tuple[Node, Node]]], name: str
) -> None:
    shapes, hierarchy = shapes_and_hierarchy
    graph = cases[name]
    expected = _pyshacl(graph, shapes, hierarchy)
    found = _fast(graph, shapes, hierarchy)
    assert found - expected == set(), "results pySHACL does not give"
    assert expected - found == set(), "results of pySHACL missing"
    if "mutated" in name:
        assert expected, "a mutated graph must have violations"
    other_store = _OtherGraph()  # not a plain in-memory graph: the validator builds its own indexes
    for triple in graph:
        other_store.add(triple)
    assert _fast(other_store, shapes, hierarchy) == found


def test_the_mutations_exercise_every_constraint_kind_of_the_shapes(
    cases: dict[str, Graph], shapes_and_hierarchy: tuple[Graph, list[tuple[Node, Node]]]
) -> None:
    shapes, hierarchy = shapes_and_hierarchy
    failed = set()
    for name, graph in cases.items():
        if "mutated" in name:
            failed |= {key[3] for key in _fast(graph, shapes, hierarchy)}
    used = {str(p).removeprefix(str(SH)) for p in shapes.predicates() if str(p).startswith(str(SH))}
    expected = {
        name[0].upper() + name[1:] + "ConstraintComponent"
        for name in used
        if name in ("class", "datatype", "nodeKind", "minCount", "maxCount", "pattern", "node", "or", "minInclusive")
    }
    assert expected - failed == set()


def test_shapes_with_a_feature_it_lacks_fall_back_to_pyshacl(tmp_path: Path) -> None:
    shapes = Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix ex: <https://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ;
            sh:property [ sh:path ( ex:p ex:q ) ; sh:minCount 1 ] .
        """,
        format="turtle",
    )
    with pytest.raises(shacl.Unsupported):
        shacl.compile_shapes(shapes)


def test_the_build_reports_the_same_problems_with_either_engine(cases: dict[str, Graph]) -> None:
    dataset = pipeline.load(ROOT)
    built = build_graph(dataset)
    mutated = _mutated(built.graph, 1)
    for triple in list(built.graph):
        built.graph.remove(triple)
    for triple in mutated:
        built.graph.add(triple)
    shapes = ROOT / "ontology" / "shapes.ttl"
    fast = validate_graph(built, dataset.ontology, shapes, engine="fast")
    reference = validate_graph(built, dataset.ontology, shapes, engine="pyshacl")
    assert fast.violations and len(fast.violations) == len(reference.violations)
    located = lambda report: sorted((str(p.location), p.message.split(": ")[1]) for p in report.violations)  # noqa: E731
    assert located(fast) == located(reference)
