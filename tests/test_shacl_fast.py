"""The fast paths of the build's SHACL step give what the plain paths give.

- :mod:`graph.shacl` compiles each shape once and reads the store's own ``spo``/``pos``
  tables of a plain in-memory graph; for any other graph it builds them through rdflib's
  public API. Each focus node is checked the short way (all count bounds at once, then the
  value tests) unless a count fails or ``sh:hasValue`` is involved, when every step runs in order.
- :func:`graph.validate.check_provenance` reads the store's tables, or any other graph's triples.

Compared on the fixture projects (mini, musterland) as built and broken in the ways a curator
breaks them (quotes deleted, wrong datatypes, names missing, random damage): the whole report
of ``validate_graph`` must be identical, text for text and in order; and on a small graph with
every constraint and target kind the validator supports, the results must be pySHACL's.
"""

from __future__ import annotations

import dataclasses
import random
import shutil
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Node

from graph import pipeline, shacl
from graph.build import BuiltGraph, build_graph
from graph.namespace import NIK
from graph.validate import ShaclReport, load_shapes, validate_graph
from tests.conftest import DATA, ROOT
from tests.test_shacl import pyshacl_results

# A wrong datatype on a number is the point of some broken copies; rdflib warns when it writes one.
pytestmark = pytest.mark.filterwarnings("ignore:Serializing weird numerical:UserWarning")

SHAPES = ROOT / "ontology" / "shapes.ttl"
EX = "https://example.org/"
Triple = tuple[Node, Node, Node]
Change = Callable[[Triple, random.Random], list[Triple]]


class _OtherGraph(Graph):
    """A graph type the fast paths do not know, so they go through rdflib's public API."""


def _elsewhere(built: BuiltGraph) -> BuiltGraph:
    """``built`` with its graph copied into a graph the fast paths do not know (same prefixes)."""
    other = _OtherGraph(bind_namespaces="none")
    for prefix, namespace in built.graph.namespaces():
        other.bind(prefix, namespace)
    for triple in built.graph:
        other.add(triple)
    return dataclasses.replace(built, graph=other)


def _changed(built: BuiltGraph, change: Change) -> BuiltGraph:
    """``built`` with each triple replaced by ``change(triple, rng)``, in the builder's kind of graph."""
    rng = random.Random(11)
    triples = [new for triple in sorted(built.graph) for new in change(triple, rng)]
    for triple in list(built.graph):
        built.graph.remove(triple)
    for triple in triples:
        built.graph.add(triple)
    return built


def _no_quotes(triple: Triple, rng: random.Random) -> list[Triple]:
    return [] if triple[1] == NIK.quote and str(triple[0])[-1] in "02468ace" else [triple]


def _no_labels(triple: Triple, rng: random.Random) -> list[Triple]:
    return [] if triple[1] == RDFS.label and len(str(triple[0])) % 2 else [triple]


def _wrong_datatypes(triple: Triple, rng: random.Random) -> list[Triple]:
    s, p, o = triple
    if isinstance(o, Literal) and len(str(o)) % 3 == 0:
        return [(s, p, Literal(str(o)[:12], datatype=(XSD.integer, XSD.date, XSD.decimal)[len(str(o)) % 4 % 3]))]
    return [triple]


def _damaged(triple: Triple, rng: random.Random) -> list[Triple]:
    s, p, o = triple
    roll = rng.random()
    if roll < 0.05:
        return []
    if p in _REIFICATION:  # two subjects of a statement: which is its fact depends on the order of a table
        return [triple]
    if roll < 0.09:
        return [triple, (s, p, Literal(f"zweiter Wert {rng.randrange(9)}", lang="de"))]
    if roll < 0.11 and isinstance(o, Literal):
        return [(s, p, URIRef(f"{EX}x/{rng.randrange(20)}"))]
    if roll < 0.13:
        return [triple, (s, p, BNode(f"b{rng.randrange(5)}"))]
    return [triple]


_REIFICATION = frozenset({RDF.subject, RDF.predicate, RDF.object})
BREAKAGES: dict[str, Change | None] = {
    "as built": None,
    "quotes deleted": _no_quotes,
    "names missing": _no_labels,
    "wrong datatypes": _wrong_datatypes,
    "random damage": _damaged,
}
PROJECTS = ("mini", "musterland")


@pytest.fixture(scope="module")
def datasets(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    found = {}
    for name in PROJECTS:
        target = tmp_path_factory.mktemp("shacl-fast") / name
        shutil.copytree(DATA / name, target)
        shutil.copytree(ROOT / "ontology", target / "ontology")
        found[name] = pipeline.load(target)
    return found


def _built(dataset: Any, breakage: str) -> BuiltGraph:
    built = build_graph(dataset)
    change = BREAKAGES[breakage]
    return built if change is None else _changed(built, change)


def _report(built: BuiltGraph, dataset: Any) -> ShaclReport:
    return validate_graph(built, dataset.ontology, SHAPES)


def test_every_project_and_breakage_is_compared() -> None:
    assert len(PROJECTS) * len(BREAKAGES) == 10


@pytest.mark.parametrize("breakage", list(BREAKAGES))
@pytest.mark.parametrize("name", PROJECTS)
def test_the_store_tables_and_the_public_api_give_the_same_report(
    datasets: dict[str, Any], name: str, breakage: str
) -> None:
    dataset = datasets[name]
    built = _built(dataset, breakage)
    report = _report(built, dataset)
    assert _report(_elsewhere(built), dataset) == report
    from_triples = dataclasses.replace(built, facts={}, sourced=None)  # the provenance rule read from the graph
    assert _report(_elsewhere(from_triples), dataset) == _report(from_triples, dataset)
    if breakage == "as built":
        assert report.conforms
    else:
        assert not report.conforms, "a broken graph must have violations"


@pytest.mark.parametrize("breakage", list(BREAKAGES))
def test_the_results_of_the_store_tables_and_the_public_api_are_the_same(
    datasets: dict[str, Any], breakage: str
) -> None:
    built = _built(datasets["musterland"], breakage)
    shapes = load_shapes(SHAPES)
    hierarchy = list(datasets["musterland"].ontology.graph.subject_objects(RDFS.subClassOf))
    results = shacl.validate(built.graph, shapes, hierarchy)
    # the same results, each as often; the order follows the tables, which differ between stores
    assert Counter(shacl.validate(_elsewhere(built).graph, shapes, hierarchy)) == Counter(results)
    assert shacl.validate(built.graph, shapes, hierarchy) == results, "the same order on every run"


EVERY_KIND = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <https://example.org/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

ex:ThingShape a sh:NodeShape ;
    sh:targetClass ex:Thing ; sh:targetSubjectsOf ex:tag ; sh:targetNode ex:lone ;
    sh:property [ sh:path ex:tag ; sh:hasValue "x" ; sh:maxCount 2 ] ;
    sh:property [ sh:path ex:size ; sh:datatype xsd:integer ; sh:minExclusive 0 ; sh:maxInclusive 10 ;
        sh:maxCount 1 ] ;
    sh:property [ sh:path ex:weight ; sh:minInclusive 1.5 ; sh:maxExclusive 9 ] ;
    sh:property [ sh:path ex:colour ; sh:in ( ex:red ex:green ) ] ;
    sh:property [ sh:path ex:code ; sh:pattern "^ab" ; sh:flags "i" ; sh:nodeKind sh:Literal ] ;
    sh:property [ sh:path [ sh:inversePath ex:owns ] ; sh:maxCount 1 ; sh:class ex:Owner ;
        sh:message "one owner, an ex:Owner" ] ;
    sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:datatype rdf:langString ] .

ex:OwnedShape a sh:NodeShape ;
    sh:targetObjectsOf ex:owns ;
    sh:nodeKind sh:BlankNodeOrIRI ;
    sh:or ( [ sh:class ex:Thing ] [ sh:node ex:NamedShape ] ) .

ex:NamedShape a sh:NodeShape ;
    sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:maxCount 1 ; sh:datatype rdf:langString ] .

ex:OffShape a sh:NodeShape ;
    sh:targetClass ex:Thing ; sh:deactivated true ;
    sh:property [ sh:path ex:tag ; sh:minCount 5 ] .

ex:LinkShape a sh:PropertyShape ;
    sh:targetSubjectsOf ex:link ; sh:path ex:link ; sh:node ex:NamedShape ; sh:severity sh:Warning .
"""

EVERY_KIND_DATA = """
@prefix ex: <https://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

ex:Special rdfs:subClassOf ex:Thing .
ex:good a ex:Thing ; ex:name "Gut"@de ; ex:tag "x" ; ex:size 3 ; ex:weight 2.5 ; ex:colour ex:red ;
    ex:code "ABC" .
ex:keeper a ex:Owner ; ex:owns ex:good , ex:named .
ex:named ex:name "Benannt"@de .
ex:bad a ex:Special ; ex:tag "y" , "z" , "x" ; ex:size 0 , "4" , 11 ; ex:weight 9 , "2" , 1.5 ;
    ex:colour ex:blue , "red" ; ex:code "xab" , ex:ab , "abc"@de ; ex:name "Schlecht" .
ex:other ex:owns ex:bad , ex:unnamed , "ein Wert" .
ex:keeper ex:owns ex:bad .
ex:unnamed ex:name "eins"@de , "zwei"@de .
ex:lone ex:size "2019-13-45"^^xsd:date .
ex:tagged ex:tag "x" ; ex:name "Markiert"@de .
ex:linker ex:link ex:named , ex:unnamed , ex:nothing .
"""


def test_every_supported_constraint_and_target_kind_gives_pyshacls_results() -> None:
    shapes = Graph().parse(data=EVERY_KIND, format="turtle")
    data = Graph().parse(data=EVERY_KIND_DATA, format="turtle")
    results = shacl.validate(data, shapes)
    found = Counter((r.focus, r.path, r.value, r.component, r.severity) for r in results)
    assert found == Counter(pyshacl_results(data, shapes))
    components = {r.component.removesuffix("ConstraintComponent") for r in results}
    assert components == {
        "HasValue", "MaxCount", "MinCount", "Datatype", "MinExclusive", "MaxInclusive", "MinInclusive",
        "MaxExclusive", "In", "Pattern", "NodeKind", "Class", "Or", "Node",
    }  # fmt: skip
    assert Counter(shacl.validate(_elsewhere(BuiltGraph(data, {}, 0, 0)).graph, shapes)) == Counter(results)


def test_a_literal_never_has_a_class_even_when_typed() -> None:
    shapes = Graph().parse(data=EVERY_KIND, format="turtle")
    data = Graph().parse(data=EVERY_KIND_DATA, format="turtle")
    owner = Literal("ein Eigentümer")
    data.add((owner, RDF.type, URIRef(f"{EX}Owner")))  # rdflib allows a literal subject; SHACL has none
    data.add((owner, URIRef(f"{EX}owns"), URIRef(f"{EX}good")))
    data.remove((URIRef(f"{EX}keeper"), URIRef(f"{EX}owns"), URIRef(f"{EX}good")))
    classes = [r for r in shacl.validate(data, shapes) if r.focus == URIRef(f"{EX}good") and r.value == owner]
    assert [(r.component, r.message) for r in classes] == [("ClassConstraintComponent", "one owner, an ex:Owner")]
