"""Every relation in the exported graph is backed by a statement with a source and a quote.

Checked with SPARQL on exports/kg.ttl plus the ontology (for rdfs:subClassOf*), run by
Oxigraph, so the check relies neither on the code that built the graph nor on rdflib.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from tests.conftest import ROOT

PREFIXES = """
PREFIX nik: <https://w3id.org/nrw-integration-kg/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
"""

RELATIONS = (
    PREFIXES
    + """
SELECT ?s ?p ?o WHERE {
    ?s ?p ?o .
    ?s a/rdfs:subClassOf* nik:Entity .
    ?o a/rdfs:subClassOf* nik:Entity .
}"""
)

SOURCED = """
        ?statement a nik:Statement ; prov:wasDerivedFrom ?reference .
        ?reference a nik:Reference ; nik:statedIn ?source ; nik:quote ?quote .
        ?source a/rdfs:subClassOf* nik:SourceDocument .
        FILTER (lang(?quote) = "de" && strlen(?quote) > 0)"""

UNSOURCED = (
    PREFIXES
    + f"""
SELECT ?s ?p ?o WHERE {{
    ?s ?p ?o .
    ?s a/rdfs:subClassOf* nik:Entity .
    ?o a/rdfs:subClassOf* nik:Entity .
    FILTER NOT EXISTS {{
        ?statement rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .{SOURCED}
    }}
    FILTER NOT EXISTS {{  # a fact of an owl:inverseOf pair is stated in one direction
        ?p owl:inverseOf|^owl:inverseOf ?q .
        ?statement rdf:subject ?o ; rdf:predicate ?q ; rdf:object ?s .{SOURCED}
    }}
}}"""
)


@pytest.fixture
def exported() -> ox.Store:
    store = ox.Store()
    store.load(path=str(ROOT / "exports" / "kg.ttl"), format=ox.RdfFormat.TURTLE)
    store.load(path=str(ROOT / "ontology" / "ontology.ttl"), format=ox.RdfFormat.TURTLE)
    return store


def rows(store: ox.Store, query: str) -> list[str]:
    return sorted(" ".join(str(v) for v in solution) for solution in store.query(query))


def test_every_relation_between_entities_has_a_sourced_statement(exported: ox.Store) -> None:
    assert len(rows(exported, RELATIONS)) > 200  # the check below is not vacuous
    assert rows(exported, UNSOURCED) == []


def test_the_check_finds_a_relation_whose_statement_lost_its_reference(exported: ox.Store) -> None:
    exported.update(
        PREFIXES
        + """
        DELETE { ?statement prov:wasDerivedFrom ?reference }
        WHERE { ?statement rdf:subject <https://w3id.org/nrw-integration-kg/id/person/serap-gueler> ;
                           rdf:predicate nik:memberOf ; prov:wasDerivedFrom ?reference }"""
    )
    assert rows(exported, UNSOURCED) == [  # the fact and its inverse lose their source
        "<https://w3id.org/nrw-integration-kg/id/party/cdu> "
        "<https://w3id.org/nrw-integration-kg/ontology#hasMember> "
        "<https://w3id.org/nrw-integration-kg/id/person/serap-gueler>",
        "<https://w3id.org/nrw-integration-kg/id/person/serap-gueler> "
        "<https://w3id.org/nrw-integration-kg/ontology#memberOf> "
        "<https://w3id.org/nrw-integration-kg/id/party/cdu>",
    ]


def test_every_statement_has_its_truthy_triple(exported: ox.Store) -> None:
    query = (
        PREFIXES
        + """
    SELECT ?statement WHERE {
        ?statement a nik:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
        FILTER NOT EXISTS { ?s ?p ?o }
    }"""
    )
    assert rows(exported, query) == []


def test_every_entity_is_mentioned_by_a_source(exported: ox.Store) -> None:
    query = (
        PREFIXES
        + """
    SELECT ?entity WHERE {
        ?entity a/rdfs:subClassOf* nik:Entity .
        FILTER NOT EXISTS { ?source nik:mentions ?entity }
    }"""
    )
    assert rows(exported, query) == []


def test_sources_describe_but_do_not_assert_unknowns(exported: ox.Store) -> None:
    # None of the five texts states its publisher, date or URL, so none may appear.
    query = (
        PREFIXES
        + """
    SELECT ?source ?p WHERE {
        ?source a/rdfs:subClassOf* nik:SourceDocument ; ?p ?value .
        FILTER (?p IN (nik:publisher, nik:datePublished, nik:url))
    }"""
    )
    assert rows(exported, query) == []
    hashes = PREFIXES + "SELECT ?s WHERE { ?s nik:sha256 ?hash }"
    assert len(rows(exported, hashes)) == 5
