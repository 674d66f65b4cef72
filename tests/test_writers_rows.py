"""The writers column by column (``writers.Rows``) give the bytes of the writers triple by triple.

Each graph here is written both ways and must give the same bytes; the graphs the columns
fit are checked to take that path (``Rows.regular``), so that a fallback cannot hide a
difference. Graphs they do not fit must give the same output or the same error.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from graph import pipeline, writers
from graph.build import build_graph
from graph.namespace import NIK

EX = "https://example.org/e/"
OTHER = "https://example.org/other#"
PREFIXES = {"ex": EX, "o": OTHER, "rdf": str(RDF), "rdfs": str(RDFS), "xsd": str(XSD)}
LAST = (URIRef(EX + "Last"),)
Write = Callable[..., bytes]
WRITERS: dict[str, tuple[Write, Write, dict[str, object]]] = {
    "ntriples": (writers.ntriples, writers._plain_ntriples, {}),
    "turtle": (writers.turtle, writers._plain_turtle, {"last_classes": LAST}),
    "jsonld": (writers.jsonld, writers._plain_jsonld, {}),
}


def _graph(*triples: tuple[object, object, object]) -> Graph:
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    for triple in triples:
        graph.add(triple)  # type: ignore[arg-type]
    return graph


def _ex(local: str) -> URIRef:
    return URIRef(EX + local)


LITERALS = [
    Literal(""),
    Literal("plain"),
    Literal('quote " back \\ line \n return \r tab \t'),
    Literal("100 % sure, %s %d %(x)s"),
    Literal("Größe € 😀 \u2028"),
    Literal("a", lang="de"),
    Literal("a", lang="DE"),
    Literal("a", datatype=XSD.string),
    Literal("42", datatype=XSD.integer),
    Literal("0042", datatype=XSD.integer),
    Literal("4x", datatype=XSD.integer),
    Literal("4.2", datatype=XSD.decimal),
    Literal("4.", datatype=XSD.decimal, normalize=False),
    Literal("true", datatype=XSD.boolean),
    Literal("1", datatype=XSD.boolean, normalize=False),
    Literal("2024-02-29", datatype=XSD.date),
    Literal("x", datatype=URIRef(OTHER + "type")),
    Literal("y", datatype=URIRef("urn:no-prefix")),
]
IRIS = [
    _ex("a"),
    _ex("a.b"),
    _ex("ends."),
    _ex("with/slash"),
    _ex("100%"),
    _ex("p%41"),
    _ex("ä"),
    URIRef(OTHER + "x"),
    URIRef("urn:x:1"),
    URIRef("https://example.org/unbound/z"),
]


def _awkward() -> Graph:
    """Every kind of term, alone and among several objects of a subject and predicate."""
    triples: list[tuple[object, object, object]] = []
    for index, subject in enumerate(IRIS):
        if index % 3:
            triples.append((subject, RDF.type, _ex("Thing") if index % 2 else _ex("Last")))
        triples.append((subject, RDFS.label, LITERALS[index]))
        triples.append((subject, _ex("sole"), IRIS[(index + 1) % len(IRIS)]))
    triples += [(_ex("many"), _ex("value"), node) for node in LITERALS + IRIS]
    triples += [(_ex("iris"), _ex("link"), node) for node in IRIS]
    triples += [(_ex("literals"), _ex("value"), node) for node in LITERALS]
    triples += [(_ex("types"), RDF.type, node) for node in (*IRIS[:4], *LAST)]
    triples += [(_ex("odd-type"), RDF.type, Literal("not a class")), (_ex("odd-type"), RDF.type, _ex("Thing"))]
    triples += [(_ex("sole-odd-type"), RDF.type, Literal("x", datatype=XSD.date))]
    triples += [(_ex("%s"), _ex("100%"), Literal("%"))]
    triples += [(_ex("key-type"), URIRef("@type"), Literal("not rdf:type")), (_ex("key-type"), URIRef("@id"), _ex("a"))]
    return _graph(*triples)


def _large() -> Graph:
    """Thousands of subjects in a few groups, some with text outside Latin-1."""
    triples: list[tuple[object, object, object]] = []
    for index in range(5000):
        subject = _ex(f"s{index}")
        triples.append((subject, RDF.type, _ex(f"C{index % 3}")))
        triples.append((subject, RDFS.label, Literal(f"label {index}" + ("😀" if index % 997 == 0 else ""), lang="de")))
        if index % 2:
            triples.append((subject, _ex("n"), Literal(index)))
        if index % 5 == 0:
            triples += [(subject, _ex("knows"), _ex(f"s{other}")) for other in (index + 1, index + 10, index + 100)]
    return _graph(*triples)


REGULAR: dict[str, Callable[[], Graph]] = {
    "empty": _graph,
    "one triple": lambda: _graph((_ex("s"), _ex("p"), _ex("o"))),
    "awkward terms": _awkward,
    "large": _large,
}


def _outputs(graph: Graph, write: Write, plain: Write, options: dict[str, object]) -> tuple[bytes, bytes]:
    return write(graph, **options), plain(graph, **options)


@pytest.mark.parametrize("format", WRITERS)
@pytest.mark.parametrize("name", REGULAR)
def test_columns_give_the_bytes_of_the_writer_triple_by_triple(name: str, format: str) -> None:
    graph = REGULAR[name]()
    assert writers.Rows(graph).regular
    write, plain, options = WRITERS[format]
    fast, slow = _outputs(graph, write, plain, options)
    assert fast == slow


def test_shared_rows_give_the_same_bytes_in_any_order() -> None:
    graph = _awkward()
    alone = {name: write(graph, **options) for name, (write, _, options) in WRITERS.items()}
    rows = writers.Rows(graph)
    for name in ("jsonld", "turtle", "ntriples", "jsonld"):
        write, _, options = WRITERS[name]
        assert write(graph, rows=rows, **options) == alone[name]


class _OtherGraph(Graph):
    """Not a plain in-memory graph: its triples are read through rdflib's public API."""


def test_columns_of_a_graph_read_through_the_public_api() -> None:
    graph = _awkward()
    other = _OtherGraph(bind_namespaces="none")
    for prefix, namespace in graph.namespaces():
        other.bind(prefix, namespace)
    for triple in graph:
        other.add(triple)
    assert writers.Rows(other).regular
    for write, plain, options in WRITERS.values():
        assert write(other, **options) == plain(graph, **options)


def _removed() -> Graph:
    """rdflib's stores keep an empty collection where the last object of a subject and predicate was removed."""
    graph = _graph((_ex("s"), _ex("p"), _ex("o")), (_ex("s"), _ex("q"), _ex("o")), (_ex("t"), _ex("p"), _ex("o")))
    graph.remove((_ex("s"), _ex("p"), _ex("o")))
    return graph


IRREGULAR: dict[str, Callable[[], Graph]] = {
    "a predicate whose objects were removed": _removed,
    # Not regular: the writers go triple by triple.
    "literal subjects": lambda: _graph(
        (Literal("a"), _ex("q"), _ex("x")), (Literal("a", datatype=XSD.string), _ex("p"), _ex("y"))
    ),
    # Regular, but the JSON-LD writer leaves merging to the one triple by triple.
    "two predicates with one key": lambda: _graph(
        (_ex("s"), _ex("p"), Literal("1")), (_ex("s"), URIRef("ex:p"), Literal("2"))
    ),
    "two subjects with one @id": lambda: _graph(
        (_ex("s"), _ex("p"), Literal("1")), (URIRef("ex:s"), _ex("p"), _ex("o"))
    ),
}


@pytest.mark.parametrize("format", WRITERS)
@pytest.mark.parametrize("name", IRREGULAR)
def test_graphs_the_columns_do_not_fit_give_the_same_bytes(name: str, format: str) -> None:
    graph = IRREGULAR[name]()
    write, plain, options = WRITERS[format]
    fast, slow = _outputs(graph, write, plain, options)
    assert fast == slow


REFUSED: dict[str, Callable[[], Graph]] = {
    "blank subject": lambda: _graph((_ex("a"), _ex("p"), _ex("o")), (BNode("b1"), _ex("p"), _ex("o"))),
    "blank object": lambda: _graph((_ex("a"), _ex("p"), _ex("o")), (_ex("b"), _ex("p"), BNode("b2"))),
    "blank among several": lambda: _graph((_ex("a"), _ex("p"), _ex("o")), (_ex("a"), _ex("p"), BNode("b3"))),
    "IRI with a space": lambda: _graph((_ex("a"), _ex("p"), URIRef(EX + "x y")), (_ex("b"), _ex("p"), _ex("o"))),
    "subject with a quote": lambda: _graph((URIRef(EX + 'x"y'), _ex("p"), _ex("o"))),
}


@pytest.mark.parametrize("format", WRITERS)
@pytest.mark.parametrize("name", REFUSED)
def test_graphs_that_cannot_be_written_give_the_same_error(name: str, format: str) -> None:
    graph = REFUSED[name]()
    write, plain, options = WRITERS[format]
    try:
        expected = plain(graph, **options)
    except ValueError as error:
        with pytest.raises(ValueError) as raised:
            write(graph, **options)
        assert str(raised.value) == str(error)
    else:  # JSON-LD writes any IRI
        assert (format, write(graph, **options)) == ("jsonld", expected)


def test_every_case_is_collected() -> None:
    assert (len(REGULAR), len(IRREGULAR), len(REFUSED)) == (4, 4, 5)


_IRI_TEXT = st.text(alphabet="ab1_-.:/#%ä\n", max_size=12)
_NAMESPACES = st.sampled_from(["", EX, OTHER, "https://example.org/", "urn:"])


def _compacted_both_ways(iris: list[str]) -> None:
    one_by_one = writers.Prefixes(PREFIXES.items())
    many = writers.Prefixes(PREFIXES.items())
    assert writers._compact_all(many.by_namespace, iris, many.used) == [one_by_one.compact(iri) for iri in iris]
    assert many.used == one_by_one.used


@given(st.lists(st.tuples(_NAMESPACES, _IRI_TEXT), max_size=8))
def test_compacting_many_iris_at_once_is_compacting_each(parts: list[tuple[str, str]]) -> None:
    _compacted_both_ways([namespace + local for namespace, local in parts])


@given(_NAMESPACES, st.lists(_IRI_TEXT, max_size=8))
def test_compacting_iris_of_one_namespace_at_once_is_compacting_each(namespace: str, locals: list[str]) -> None:
    _compacted_both_ways([namespace + local for local in locals])


def test_columns_of_a_built_project(musterland_built: Path) -> None:
    graph = build_graph(pipeline.load(musterland_built)).graph
    assert writers.Rows(graph).regular
    last = (NIK.Statement, NIK.Reference)
    assert writers.ntriples(graph) == writers._plain_ntriples(graph)
    assert writers.turtle(graph, last) == writers._plain_turtle(graph, last)
    assert writers.jsonld(graph) == writers._plain_jsonld(graph)
