"""The published shapes work on the published data alone, in more than one SHACL engine.

A user checks the graph with ``pyshacl -s ontology/shapes.ttl exports/kg.ttl``: no ontology
merged in, no inference. That works because the export carries the ``rdfs:subClassOf``
hierarchy of our classes (SHACL reads subclasses from the data graph). Each engine must
say "conforms" for the committed export and report exactly the violations injected into a
broken copy. The breaks are chosen from the graph by rule (the first entity, the first
reference, the first post held), so the checks hold for any correct corpus.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SH, Namespace

from graph.namespace import NIK
from tests.conftest import ROOT

SHAPES = ROOT / "ontology" / "shapes.ttl"
EXPORT = ROOT / "exports" / "kg.ttl"
TERM = Namespace(str(NIK))

#: One violation as every engine can report it: focus node, path, constraint component.
Violation = tuple[str, str, str]


def pyshacl_violations(data: Graph) -> set[Violation]:
    import pyshacl

    shapes = Graph().parse(SHAPES)
    _, results, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    found = set()
    for result in results.subjects(RDF.type, SH.ValidationResult):
        if results.value(result, SH.resultSeverity) == SH.Violation:
            parts = (SH.focusNode, SH.resultPath, SH.sourceConstraintComponent)
            found.add(tuple(str(results.value(result, part)) for part in parts))
    return found  # type: ignore[return-value]


def rudof_violations(data: Graph) -> set[Violation]:
    import pyrudof

    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    rudof.read_data(data.serialize(format="turtle"))
    rudof.read_shacl(str(SHAPES))
    report = rudof.validate_shacl()
    found = {
        (str(v.focus_node), str(v.path), str(v.constraint_component))
        for v in report.violations
        if v.severity == "Violation"
    }
    assert report.conforms == (not found)
    return found


ENGINES: dict[str, Callable[[Graph], set[Violation]]] = {"pyshacl": pyshacl_violations, "rudof": rudof_violations}


@pytest.fixture(scope="module")
def published() -> Graph:
    return Graph().parse(EXPORT)


def copy(graph: Graph) -> Graph:
    broken = Graph()
    for triple in graph:
        broken.add(triple)
    return broken


def first(graph: Graph, query: str) -> URIRef:
    rows = sorted(str(row[0]) for row in graph.query(f"PREFIX nik: <{NIK}>\n{query}"))  # type: ignore[index]
    assert rows, f"nothing in the graph to break: {query}"
    return URIRef(rows[0])


def delete_a_label(graph: Graph) -> set[Violation]:
    entity = first(graph, "SELECT ?e WHERE { ?e a/rdfs:subClassOf* nik:Entity ; rdfs:label ?name }")
    graph.remove((entity, RDFS.label, None))
    return {(str(entity), str(RDFS.label), str(SH.MinCountConstraintComponent))}


def delete_a_quote(graph: Graph) -> set[Violation]:
    reference = first(graph, "SELECT ?r WHERE { ?r a nik:Reference ; nik:quote ?q }")
    graph.remove((reference, NIK.quote, None))
    return {(str(reference), str(NIK.quote), str(SH.MinCountConstraintComponent))}


def retype_a_post(graph: Graph) -> set[Violation]:
    """A post typed as a venue: every value of a path that must be a nik:Post now fails."""
    post = first(graph, "SELECT ?p WHERE { ?p a nik:Post . ?holder nik:holds ?p }")
    graph.remove((post, RDF.type, None))
    graph.add((post, RDF.type, TERM.Venue))
    class_post = [TERM.holds, TERM.hasPost]  # the shapes' paths with sh:class nik:Post
    return {(str(s), str(p), str(SH.ClassConstraintComponent)) for p in class_post for s in graph.subjects(p, post)}


BREAKS = {"deleted label": delete_a_label, "missing quote": delete_a_quote, "wrong class": retype_a_post}


def test_the_cases_are_all_collected() -> None:
    assert len(ENGINES) == 2 and len(BREAKS) == 3


@pytest.mark.parametrize("engine", ENGINES)
def test_the_published_graph_conforms_to_the_published_shapes_alone(engine: str, published: Graph) -> None:
    assert ENGINES[engine](published) == set()


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", BREAKS)
def test_each_engine_reports_exactly_the_injected_violations(engine: str, name: str, published: Graph) -> None:
    broken = copy(published)
    expected = BREAKS[name](broken)
    assert expected, "the break must be visible"
    assert ENGINES[engine](broken) == expected


def test_the_readme_command_conforms() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pyshacl", "-s", str(SHAPES), str(EXPORT)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout[-2000:]
    assert "Conforms: True" in done.stdout
