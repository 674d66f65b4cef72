"""Every relation in the exported graph is backed by a statement with a source and a quote.

Checked with SPARQL on exports/kg.ttl plus the ontology (for rdfs:subClassOf*), run by
Oxigraph, so the check relies neither on the code that built the graph nor on rdflib.
The checks that hold for any correct corpus run on the real corpus and on the Musterland
fixture; those that know what the texts say run on the fixture only.
"""

from __future__ import annotations

from pathlib import Path

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


MUSTERLAND_ID = "https://example.org/musterland/id/"


def load(project: Path) -> ox.Store:
    store = ox.Store()
    store.load(path=str(project / "exports" / "kg.ttl"), format=ox.RdfFormat.TURTLE)
    store.load(path=str(ROOT / "ontology" / "ontology.ttl"), format=ox.RdfFormat.TURTLE)
    return store


@pytest.fixture(params=["corpus", "musterland"])
def exported(request: pytest.FixtureRequest) -> ox.Store:
    """The real corpus's export, then the fixture's."""
    if request.param == "corpus":
        return load(ROOT)
    return load(request.getfixturevalue("musterland_built"))


@pytest.fixture
def musterland_store(musterland_built: Path) -> ox.Store:
    return load(musterland_built)


def rows(store: ox.Store, query: str) -> list[str]:
    return sorted(" ".join(str(v) for v in solution) for solution in store.query(query))


def test_every_relation_between_entities_has_a_sourced_statement(exported: ox.Store) -> None:
    assert len(rows(exported, RELATIONS)) > 100  # the check below is not vacuous
    assert rows(exported, UNSOURCED) == []


def test_the_check_finds_a_relation_whose_statement_lost_its_reference(musterland_store: ox.Store) -> None:
    musterland_store.update(
        PREFIXES
        + f"""
        DELETE {{ ?statement prov:wasDerivedFrom ?reference }}
        WHERE {{ ?statement rdf:subject <{MUSTERLAND_ID}person/erika-beispiel> ;
                           rdf:predicate nik:memberOf ; prov:wasDerivedFrom ?reference }}"""
    )
    assert rows(musterland_store, UNSOURCED) == [  # the fact and its inverse lose their source
        f"<{MUSTERLAND_ID}party/xyz> "
        "<https://w3id.org/nrw-integration-kg/ontology#hasMember> "
        f"<{MUSTERLAND_ID}person/erika-beispiel>",
        f"<{MUSTERLAND_ID}person/erika-beispiel> "
        "<https://w3id.org/nrw-integration-kg/ontology#memberOf> "
        f"<{MUSTERLAND_ID}party/xyz>",
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


def test_sources_describe_but_do_not_assert_unknowns(musterland_store: ox.Store) -> None:
    # None of the fixture's five texts states its publisher, date or URL, so none may appear.
    exported = musterland_store
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
