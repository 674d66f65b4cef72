"""The builder's bulk insertion: the same store as one ``Graph.add`` per triple, or the public way."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from graph.build import CountedMemory, _Index, add_triples, new_graph
from graph.writers import store_table

EX = "https://example.org/kg/"
TRIPLES = [
    (URIRef(EX + "a"), RDF.type, URIRef(EX + "Thing")),
    (URIRef(EX + "a"), RDFS.label, Literal("A", lang="de")),
    (URIRef(EX + "b"), RDFS.label, Literal("A", lang="de")),  # the same object again
    (URIRef(EX + "a"), RDF.type, URIRef(EX + "Thing")),  # a duplicate
    (URIRef(EX + "b"), URIRef(EX + "count"), Literal("3", datatype=XSD.integer)),
    (URIRef(EX + "b"), URIRef(EX + "knows"), URIRef(EX + "a")),
]


class _Elsewhere(CountedMemory):
    """A store whose rdflib keeps its indexes somewhere this code does not know."""

    def _indexes(self) -> tuple[_Index, _Index] | None:
        return None


def _orders(graph: Graph) -> list[object]:
    """Each index of the store with the order of its keys at every level."""
    orders: list[object] = []
    for name in ("spo", "pos"):
        table = store_table(graph, name)
        assert table is not None
        orders.append([(k, [(k2, list(v2)) for k2, v2 in v.items()]) for k, v in table.items()])
    orders.append(sorted(graph.triples((None, None, Literal("A", lang="de")))))  # the osp index
    return orders


def test_bulk_insertion_fills_the_indexes_as_one_add_per_triple_does() -> None:
    one_by_one = new_graph(EX, set())
    for triple in TRIPLES:
        one_by_one.add(triple)
    bulk = new_graph(EX, set())
    len(bulk)  # a remembered size must be forgotten by the bulk insertion
    add_triples(bulk, TRIPLES)
    assert len(bulk) == len(one_by_one) == 5
    assert _orders(bulk) == _orders(one_by_one)
    assert set(bulk.subjects(RDFS.label, Literal("A", lang="de"))) == {URIRef(EX + "a"), URIRef(EX + "b")}


@pytest.mark.parametrize("store", [_Elsewhere(), None], ids=["unknown indexes", "default store"])
def test_without_known_indexes_the_triples_go_through_the_public_api(store: CountedMemory | None) -> None:
    graph = Graph(store=store) if store is not None else Graph()
    add_triples(graph, TRIPLES)
    assert len(graph) == 5
    assert set(graph) == set(TRIPLES)


def _by_object(graph: Graph) -> set[tuple[object, ...]]:
    """Every triple, found through the object-only pattern (rdflib's ``osp`` index)."""
    return {(s, p, o) for o in set(graph.objects()) for s, p in graph.subject_predicates(o)}


def test_the_index_left_out_is_complete_when_first_read() -> None:
    graph = new_graph(EX, set())
    add_triples(graph, TRIPLES)
    assert _by_object(graph) == set(TRIPLES)


def test_changes_after_a_bulk_insertion_reach_every_index() -> None:
    graph = new_graph(EX, set())
    add_triples(graph, TRIPLES[:3])
    extra = (URIRef(EX + "c"), RDFS.label, Literal("C"))
    graph.add(extra)  # one by one, before the object-only index was ever read
    add_triples(graph, TRIPLES[3:])
    graph.remove((URIRef(EX + "b"), None, Literal("A", lang="de")))
    expected = (set(TRIPLES) | {extra}) - {(URIRef(EX + "b"), RDFS.label, Literal("A", lang="de"))}
    assert set(graph) == expected and len(graph) == len(expected)
    assert _by_object(graph) == expected
    graph.add((URIRef(EX + "d"), RDFS.label, Literal("C")))  # and once it was read
    assert set(graph.subjects(None, Literal("C"))) == {URIRef(EX + "c"), URIRef(EX + "d")}


@pytest.mark.parametrize("store", [CountedMemory, _Elsewhere])
def test_the_size_is_counted_from_the_index_and_follows_every_change(store: type[CountedMemory]) -> None:
    from rdflib.plugins.stores.memory import SimpleMemory

    graph = Graph(store=store())
    add_triples(graph, TRIPLES)
    assert len(graph) == SimpleMemory.__len__(graph.store) == len(set(TRIPLES)) == 5
    graph.add((URIRef(EX + "c"), RDF.type, URIRef(EX + "Thing")))
    assert len(graph) == 6
    graph.remove((URIRef(EX + "a"), None, None))
    assert len(graph) == SimpleMemory.__len__(graph.store) == 4
    add_triples(graph, TRIPLES[:1])
    assert len(graph) == 5
