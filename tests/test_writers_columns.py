"""The shortcuts of the writers column by column give what the plain ways give.

The subjects are sorted once (``Rows.order``) and each writer sorts its own keys from that
order; IRIs of one namespace are compacted as one
text; Turtle writes numbers and booleans bare one literal at a time. Each is checked on
small graphs made to hit its edge cases, against the writers triple by triple.
"""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from graph import writers

EX = "https://example.org/e/"


def _graph(*triples: tuple[object, object, object], prefixes: dict[str, str] | None = None) -> Graph:
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in (prefixes or {"ex": EX, "rdfs": str(RDFS), "xsd": str(XSD)}).items():
        graph.bind(prefix, namespace)
    for triple in triples:
        graph.add(triple)  # type: ignore[arg-type]
    return graph


def _both(graph: Graph) -> list[tuple[bytes, bytes]]:
    """Each format written column by column and triple by triple."""
    assert writers.Rows(graph).regular
    last = (URIRef(EX + "Last"),)
    return [
        (writers.ntriples(graph), writers._plain_ntriples(graph)),
        (writers.turtle(graph, last), writers._plain_turtle(graph, last)),
        (writers.jsonld(graph), writers._plain_jsonld(graph)),
    ]


def test_iris_that_begin_other_iris_sort_as_each_format_sorts_them() -> None:
    """``p1`` sorts before ``p10`` as an IRI, after it in N-Triples (``<…p10>`` < ``<…p1>``)."""
    names = ["p1", "p10", "p1-a", "p1.b", "p1_c", "p", "q", "p2", "p1#x"]
    graph = _graph(*[(URIRef(EX + name), RDFS.label, Literal(name)) for name in names])
    for columns, plain in _both(graph):
        assert columns == plain
    lines = writers.ntriples(graph).decode().splitlines()
    assert lines.index(f'<{EX}p10> <{RDFS.label}> "p10" .') < lines.index(f'<{EX}p1> <{RDFS.label}> "p1" .')


def test_subjects_of_prefixed_and_unprefixed_namespaces_in_one_group() -> None:
    other = "https://example.org/unbound/"
    graph = _graph(
        *[(URIRef(base + local), RDF.type, URIRef(EX + "T")) for base in (EX, other) for local in ("b", "a", "c.d")],
        (URIRef(EX + "ends."), RDF.type, URIRef(EX + "T")),
        (URIRef(EX + "-dash"), RDF.type, URIRef(EX + "T")),
        (URIRef(EX + "deep/er"), RDF.type, URIRef(EX + "T")),
    )
    for columns, plain in _both(graph):
        assert columns == plain


@pytest.mark.parametrize(
    "literals",
    [
        [Literal("1", datatype=XSD.integer), Literal("2", datatype=XSD.integer)],  # all bare: no xsd prefix used
        [Literal("1", datatype=XSD.integer), Literal("x", datatype=XSD.integer)],
        [Literal("1.5", datatype=XSD.decimal), Literal("1", datatype=XSD.boolean, normalize=False), Literal("a", "de")],
    ],
    ids=["all bare", "one not bare", "mixed"],
)
def test_numbers_and_booleans_in_turtle(literals: list[Literal]) -> None:
    graph = _graph(*[(URIRef(f"{EX}s{index}"), URIRef(EX + "v"), node) for index, node in enumerate(literals)])
    for columns, plain in _both(graph):
        assert columns == plain


def test_a_literal_that_holds_a_nul() -> None:
    graph = _graph(
        (URIRef(EX + "a"), RDFS.label, Literal("nul \0 inside")),
        (URIRef(EX + "b"), RDFS.label, Literal("größer 😀")),
    )
    for columns, plain in _both(graph):
        assert columns == plain


def test_rows_order_is_the_order_of_the_subjects_iris() -> None:
    graph = _graph(
        *[(URIRef(EX + name), RDFS.label, Literal(name)) for name in ("b", "a", "c")],
        (URIRef(EX + "d"), RDF.type, URIRef(EX + "T")),
    )
    rows = writers.Rows(graph)
    iris = [iri for group in rows.groups for iri in group.iris]
    assert [iris[place] for place in rows.order] == sorted(iris)


@pytest.mark.parametrize("character", [*map(chr, range(0x21)), *'<>"{}|^`\\'])
@pytest.mark.parametrize("place", ["subject", "object", "type"])
def test_an_iri_that_cannot_be_written_gives_the_error_of_the_writer_triple_by_triple(
    character: str, place: str
) -> None:
    bad = URIRef(f"{EX}a{character}b")
    good = URIRef(EX + "good")
    triple = {
        "subject": (bad, RDFS.label, Literal("x")),
        "object": (good, RDFS.seeAlso, bad),
        "type": (good, RDF.type, bad),
    }
    graph = _graph(triple[place], (URIRef(EX + "other"), RDFS.label, Literal("y")))
    with pytest.raises(ValueError) as plain:
        writers._plain_ntriples(graph)
    with pytest.raises(ValueError) as columns:
        writers.ntriples(graph)
    assert str(columns.value) == str(plain.value)


def test_iris_outside_ascii() -> None:
    graph = _graph(*[(URIRef(EX + name), RDFS.seeAlso, URIRef(EX + name + "x")) for name in ("ä", "€", "😀", "a")])
    for columns, plain in _both(graph):
        assert columns == plain
