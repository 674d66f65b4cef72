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

    def _indexes(self) -> tuple[_Index, _Index, _Index] | None:
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
