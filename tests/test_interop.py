"""The exports are accepted by tools nobody here wrote: Oxigraph, rapper (Raptor), pySHACL."""

from __future__ import annotations

import re
import shutil
import subprocess

import pyoxigraph as ox
import pyshacl
import pytest
from rdflib import Graph

from graph.namespace import NIK
from tests.conftest import ROOT

EXPORTS = ROOT / "exports"
FORMATS = {
    "kg.ttl": (ox.RdfFormat.TURTLE, "turtle"),
    "kg.nt": (ox.RdfFormat.N_TRIPLES, "nt"),
    "kg.jsonld": (ox.RdfFormat.JSON_LD, "json-ld"),
}


@pytest.fixture(scope="module")
def reference_count() -> int:
    return len(Graph().parse(EXPORTS / "kg.nt", format="nt"))


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_oxigraph_reads_the_same_triples_as_rdflib(name: str, reference_count: int) -> None:
    ox_format, rdflib_format = FORMATS[name]
    oxigraph_triples = {str(q) for q in ox.parse(path=str(EXPORTS / name), format=ox_format)}
    assert len(oxigraph_triples) == reference_count
    assert len(Graph().parse(EXPORTS / name, format=rdflib_format)) == reference_count


def test_all_three_formats_hold_the_same_graph() -> None:
    graphs = [
        {str(q) for q in ox.parse(path=str(EXPORTS / name), format=fmt)} for name, (fmt, _) in sorted(FORMATS.items())
    ]
    assert graphs[0] == graphs[1] == graphs[2]


@pytest.mark.skipif(shutil.which("rapper") is None, reason="rapper (raptor2-utils) not installed; .ci/run installs it")
@pytest.mark.parametrize(("name", "syntax"), [("kg.ttl", "turtle"), ("kg.nt", "ntriples")])
def test_rapper_parses_the_export(name: str, syntax: str, reference_count: int) -> None:
    done = subprocess.run(
        ["rapper", "--input", syntax, "--count", str(EXPORTS / name)], capture_output=True, text=True, check=True
    )
    match = re.search(r"returned (\d+) triples", done.stderr)
    assert match is not None, done.stderr
    assert int(match.group(1)) == reference_count


def test_pyshacl_finds_the_export_conforming() -> None:
    conforms, _, text = pyshacl.validate(
        Graph().parse(EXPORTS / "kg.ttl"),
        shacl_graph=Graph().parse(ROOT / "ontology" / "shapes.ttl"),
        ont_graph=Graph().parse(ROOT / "ontology" / "ontology.ttl"),
        inference="none",
    )
    assert conforms, text


def test_pyshacl_rejects_an_export_missing_a_quote() -> None:
    graph = Graph().parse(EXPORTS / "kg.ttl")
    reference = sorted(graph.subjects(NIK.quote, None))[0]
    graph.remove((reference, NIK.quote, None))
    conforms, _, text = pyshacl.validate(
        graph,
        shacl_graph=Graph().parse(ROOT / "ontology" / "shapes.ttl"),
        ont_graph=Graph().parse(ROOT / "ontology" / "ontology.ttl"),
        inference="none",
    )
    assert not conforms and "a reference needs a verbatim quote" in text


def test_ontology_and_shapes_parse_with_oxigraph() -> None:
    for name in ("ontology.ttl", "shapes.ttl"):
        assert sum(1 for _ in ox.parse(path=str(ROOT / "ontology" / name), format=ox.RdfFormat.TURTLE)) > 100
