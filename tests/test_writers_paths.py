"""The writers give the same bytes on rdflib's default store (read through its index) and on any other."""

from __future__ import annotations

import json

import pytest
from rdflib import BNode, Graph, Literal, URIRef

from graph import pipeline, writers
from graph.build import build_graph
from graph.namespace import NIK
from tests.conftest import ROOT

TRICKY = ["", 'a\nb\r"c"\\', "\u2028\u2029", "</script>", "é\u0301", "\x00\x01\x1f", "😀", '"""']


class _OtherGraph(Graph):
    """A graph type the fast paths do not know, so they go through rdflib's public API."""


@pytest.mark.parametrize("text", TRICKY)
def test_indented_json_is_the_standard_librarys(text: str) -> None:
    document = {"@context": {"nik": text}, "@graph": [{"@id": text, "k": [text, {"@value": text}], "e": {}, "l": []}]}
    assert writers._indented(document, "") == json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True)


def test_every_writer_gives_the_same_bytes_on_another_store() -> None:
    graph = build_graph(pipeline.load(ROOT)).graph
    other = _OtherGraph(bind_namespaces="none")  # not a plain in-memory graph: read through the public API
    for prefix, namespace in graph.namespaces():
        other.bind(prefix, namespace)
    for triple in graph:
        other.add(triple)
    assert writers.ntriples(other) == writers.ntriples(graph)
    assert writers.turtle(other, (NIK.Statement, NIK.Reference)) == writers.turtle(
        graph, (NIK.Statement, NIK.Reference)
    )
    assert writers.jsonld(other) == writers.jsonld(graph)


@pytest.mark.parametrize("kind", [Graph, _OtherGraph])
def test_blank_nodes_are_refused(kind: type[Graph]) -> None:
    graph = kind()
    graph.add((URIRef("https://example.org/a"), URIRef("https://example.org/p"), BNode()))
    graph.add((URIRef("https://example.org/a"), URIRef("https://example.org/q"), Literal("x")))
    with pytest.raises(ValueError, match="blank nodes are not supported"):
        writers.ntriples(graph)
