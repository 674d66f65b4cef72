"""The writers on small graphs of awkward terms: how each term is written, and the order of the output.

Every output is read back with Oxigraph and must hold exactly the triples written; the
order rules are checked on the text itself (N-Triples lines sorted by code point, JSON-LD
what ``json.dumps(..., indent=2, sort_keys=True)`` gives for its own document).
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from graph import writers

EX = "https://example.org/e/"
PREFIXES = {"ex": EX, "rdf": str(RDF), "rdfs": str(RDFS), "xsd": str(XSD)}
TRICKY = ["", 'say "hi"', "back\\slash", "line\nbreak\r\n", "tab\there", "Größe €", "😀", "\u2028", '"""', "\x00\x1f"]


def _graph(*triples: tuple[object, object, object]) -> Graph:
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    for s, p, o in triples:
        graph.add((s, p, o))  # type: ignore[arg-type]
    return graph


def _ex(local: str) -> URIRef:
    return URIRef(EX + local)


def _literals() -> list[Literal]:
    return [
        *(Literal(text) for text in TRICKY),
        *(Literal(text, lang="de") for text in TRICKY[:4]),
        Literal("a", lang="DE"),
        Literal("a", lang="de"),  # equal to "a"@DE for rdflib, but written differently
        Literal("a"),
        Literal("a", datatype=XSD.string),
        Literal("42", datatype=XSD.integer),
        Literal("-7", datatype=XSD.integer),
        Literal("0042", datatype=XSD.integer),
        Literal("4.2", datatype=XSD.decimal),
        Literal(".5", datatype=XSD.decimal),
        Literal("4.", datatype=XSD.decimal, normalize=False),  # not a Turtle decimal: written with its type
        Literal("true", datatype=XSD.boolean),
        Literal("1", datatype=XSD.boolean, normalize=False),  # not a Turtle boolean
        Literal("2024-02-29", datatype=XSD.date),
        Literal("x", datatype=URIRef("https://example.org/other#type")),
    ]


def _tricky_graph() -> Graph:
    iris = [_ex("a"), _ex("a/b"), _ex("a-b"), _ex("a.b"), _ex("ends."), _ex("with/slash"), URIRef("urn:x:1")]
    triples: list[tuple[object, object, object]] = []
    for index, subject in enumerate(iris):
        triples.append((subject, RDF.type, _ex("Thing") if index % 2 else _ex("Other")))
        triples.append((subject, RDFS.label, Literal(f"label {index}", lang="de")))
        triples += [(subject, _ex("link"), other) for other in iris if other != subject]
    triples += [(_ex("a"), _ex("value"), literal) for literal in _literals()]
    triples += [(_ex("b"), _ex("only"), literal) for literal in _literals()[:1]]
    return _graph(*triples)


def _parsed(data: bytes, format: ox.RdfFormat) -> set[ox.Triple]:
    return {ox.Triple(quad.subject, quad.predicate, quad.object) for quad in ox.parse(data, format=format)}


def _expected(graph: Graph) -> set[ox.Triple]:
    return _parsed(writers.ntriples(graph), ox.RdfFormat.N_TRIPLES)


def _oxigraph(graph: Graph) -> set[ox.Triple]:
    def term(node: object) -> ox.NamedNode | ox.Literal:
        if isinstance(node, URIRef):
            return ox.NamedNode(str(node))
        assert isinstance(node, Literal)
        if node.language:
            return ox.Literal(str(node), language=node.language)
        if node.datatype:
            return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
        return ox.Literal(str(node))

    return {ox.Triple(term(s), term(p), term(o)) for s, p, o in graph}  # type: ignore[arg-type]


def test_ntriples_holds_every_triple_in_lines_sorted_by_code_point() -> None:
    graph = _tricky_graph()
    text = writers.ntriples(graph).decode("utf-8")
    lines = text.split("\n")
    assert lines[-1] == ""
    assert lines[:-1] == sorted(lines[:-1])
    assert len(lines) - 1 == len(graph)
    assert _parsed(text.encode(), ox.RdfFormat.N_TRIPLES) == _oxigraph(graph)


@pytest.mark.parametrize(
    ("literal", "written"),
    [
        (Literal('say "hi"'), '"say \\"hi\\""'),
        (Literal("back\\slash"), '"back\\\\slash"'),
        (Literal("line\nbreak\r\n"), '"line\\nbreak\\r\\n"'),
        (Literal("tab\there"), '"tab\there"'),
        (Literal("Größe €"), '"Größe €"'),
        (Literal("a", lang="DE"), '"a"@DE'),
        (Literal("a", datatype=XSD.string), '"a"'),
        (Literal("42", datatype=XSD.integer), f'"42"^^<{XSD}integer>'),
        (Literal("2024-02-29", datatype=XSD.date), f'"2024-02-29"^^<{XSD}date>'),
    ],
)
def test_ntriples_term(literal: Literal, written: str) -> None:
    line = writers.ntriples(_graph((_ex("s"), _ex("p"), literal))).decode("utf-8")
    assert line == f"<{EX}s> <{EX}p> {written} .\n"


def test_ntriples_keeps_literals_that_rdflib_finds_equal_apart() -> None:
    graph = _graph((_ex("s"), _ex("p"), Literal("a", lang="DE")), (_ex("t"), _ex("p"), Literal("a", lang="de")))
    assert writers.ntriples(graph).decode("utf-8").splitlines() == [
        f'<{EX}s> <{EX}p> "a"@DE .',
        f'<{EX}t> <{EX}p> "a"@de .',
    ]


def test_ntriples_sorts_lines_of_subjects_written_alike() -> None:
    # Two literal subjects written alike ("a" and "a"^^xsd:string): their lines interleave.
    plain, typed = Literal("a"), Literal("a", datatype=XSD.string)
    graph = _graph((plain, _ex("q"), _ex("x")), (typed, _ex("p"), _ex("y")), (plain, _ex("r"), _ex("z")))
    lines = writers.ntriples(graph).decode("utf-8").splitlines()
    assert lines == sorted(lines)
    assert [line.split()[1] for line in lines] == [f"<{EX}p>", f"<{EX}q>", f"<{EX}r>"]


def test_ntriples_of_an_empty_graph_is_empty() -> None:
    assert writers.ntriples(_graph()) == b""


@pytest.mark.parametrize(
    ("obj", "written"),
    [
        (Literal("42", datatype=XSD.integer), "42"),
        (Literal("-7", datatype=XSD.integer), "-7"),
        (Literal("4.2", datatype=XSD.decimal), "4.2"),
        (Literal("4.", datatype=XSD.decimal, normalize=False), '"4."^^xsd:decimal'),
        (Literal("true", datatype=XSD.boolean), "true"),
        (Literal("1", datatype=XSD.boolean, normalize=False), '"1"^^xsd:boolean'),
        (Literal("2024-02-29", datatype=XSD.date), '"2024-02-29"^^xsd:date'),
        (Literal("x", datatype=URIRef("https://example.org/other#type")), '"x"^^<https://example.org/other#type>'),
        (Literal('say "hi"\n', lang="de"), '"say \\"hi\\"\\n"@de'),
        (Literal("a", datatype=XSD.string), '"a"'),
        (_ex("a.b"), "ex:a.b"),
        (_ex("ends."), f"<{EX}ends.>"),  # a local name cannot end with a dot
        (_ex("with/slash"), f"<{EX}with/slash>"),
        (URIRef("urn:x:1"), "<urn:x:1>"),
    ],
)
def test_turtle_term(obj: URIRef | Literal, written: str) -> None:
    text = writers.turtle(_graph((_ex("s"), _ex("p"), obj))).decode("utf-8")
    assert text.endswith(f"\nex:s ex:p {written} .\n")


def test_turtle_declares_only_the_prefixes_it_uses() -> None:
    # rdf:type is written "a", and 42 needs no xsd: neither prefix is declared.
    text = writers.turtle(_graph((_ex("s"), RDF.type, _ex("C")), (_ex("s"), _ex("n"), Literal(42)))).decode()
    assert text == f"@prefix ex: <{EX}> .\n\nex:s a ex:C ;\n    ex:n 42 .\n"


def test_turtle_orders_subjects_by_class_then_iri_and_puts_last_classes_last() -> None:
    graph = _graph(
        (_ex("z"), RDF.type, _ex("A")),
        (_ex("y"), RDF.type, _ex("Last")),
        (_ex("x"), RDF.type, _ex("B")),
        (_ex("w"), RDFS.label, Literal("untyped")),
        (_ex("v"), RDF.type, _ex("A")),
    )
    text = writers.turtle(graph, last_classes=(_ex("Last"),)).decode()
    subjects = [block.split()[0] for block in text.split("\n\n")[1:]]
    assert subjects == ["ex:v", "ex:z", "ex:x", "ex:w", "ex:y"]


def test_turtle_holds_every_triple() -> None:
    graph = _tricky_graph()
    assert _parsed(writers.turtle(graph), ox.RdfFormat.TURTLE) == _oxigraph(graph) == _expected(graph)


def test_turtle_of_an_empty_graph_is_its_header() -> None:
    assert writers.turtle(_graph()) == b"\n"


def test_jsonld_is_what_json_dumps_gives_for_its_document() -> None:
    text = writers.jsonld(_tricky_graph()).decode("utf-8")
    document = json.loads(text)
    assert text == json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    items = [item["@id"] for item in document["@graph"]]
    assert items == sorted(items)


def test_jsonld_holds_every_triple() -> None:
    graph = _tricky_graph()
    assert _parsed(writers.jsonld(graph), ox.RdfFormat.JSON_LD) == _oxigraph(graph)


def test_jsonld_values() -> None:
    graph = _graph(
        (_ex("s"), RDF.type, _ex("C")),
        (_ex("s"), _ex("iri"), URIRef("urn:x:1")),
        (_ex("s"), _ex("text"), Literal('say "hi"\n')),
        (_ex("s"), _ex("de"), Literal("Größe", lang="de")),
        (_ex("s"), _ex("date"), Literal("2024-02-29", datatype=XSD.date)),
        (_ex("s"), _ex("n"), Literal("2", datatype=XSD.integer)),
        (_ex("s"), _ex("n"), Literal("10", datatype=XSD.integer)),
    )
    document = json.loads(writers.jsonld(graph))
    assert document == {
        "@context": {"ex": EX, "xsd": str(XSD)},
        "@graph": [
            {
                "@id": "ex:s",
                "@type": "ex:C",
                "ex:iri": {"@id": "urn:x:1"},
                "ex:text": 'say "hi"\n',
                "ex:de": {"@value": "Größe", "@language": "de"},
                "ex:date": {"@value": "2024-02-29", "@type": "xsd:date"},
                "ex:n": [{"@value": "10", "@type": "xsd:integer"}, {"@value": "2", "@type": "xsd:integer"}],
            }
        ],
    }


def test_jsonld_of_an_empty_graph() -> None:
    assert writers.jsonld(_graph()) == b'{\n  "@context": {},\n  "@graph": []\n}\n'


@pytest.mark.parametrize("text", TRICKY)
def test_json_values_are_written_as_the_standard_library_writes_them(text: str) -> None:
    for value in (text, {"@id": text}, {"@value": text, "@language": "de"}, {"@value": text, "@type": text}):
        _, alone, member = writers._value(value)
        assert alone == writers._indented(value, " " * 6)
        assert member == " " * 8 + writers._indented(value, " " * 8)
        assert json.loads(alone) == value


@pytest.mark.parametrize("write", [writers.ntriples, writers.turtle, writers.jsonld])
def test_a_blank_object_is_refused_naming_its_subject(write: Callable[[Graph], bytes]) -> None:
    graph = _graph((_ex("a"), _ex("p"), Literal("x")), (_ex("b"), _ex("p"), BNode("n1")))
    with pytest.raises(ValueError, match=f"^blank nodes are not supported by this writer: {EX}b$"):
        write(graph)


@pytest.mark.parametrize("write", [writers.ntriples, writers.turtle, writers.jsonld])
def test_an_iri_that_cannot_be_written_is_refused(write: Callable[[Graph], bytes]) -> None:
    graph = _graph((_ex("a"), _ex("p"), URIRef("https://example.org/has space")))
    if write is writers.jsonld:  # JSON-LD strings can hold any character
        assert b'"@id": "https://example.org/has space"' in write(graph)
        return
    with pytest.raises(ValueError, match="IRI contains a character that cannot be written"):
        write(graph)


@pytest.mark.parametrize("write", [writers.ntriples, writers.turtle, writers.jsonld])
def test_a_blank_subject_is_refused(write: Callable[[Graph], bytes]) -> None:
    graph = _graph((_ex("a"), _ex("p"), Literal("x")), (BNode("n1"), _ex("p"), _ex("a")))
    with pytest.raises(ValueError, match=r"^blank nodes are not supported by this writer: n1$"):
        write(graph)
