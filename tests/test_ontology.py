"""The ontology: complete labels and definitions, standard alignments, shapes for all data."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib import namespace as ns
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS, XSD, Namespace

from graph import pipeline
from graph.errors import SourceError
from graph.namespace import NIK, ONTOLOGY_IRI
from graph.ontology import load_ontology
from graph.values import DATATYPES
from tests.conftest import DATA, ROOT

ONTOLOGY = Graph().parse(ROOT / "ontology" / "ontology.ttl")
SHAPES = Graph().parse(ROOT / "ontology" / "shapes.ttl")
EXPORT = Graph().parse(ROOT / "exports" / "kg.ttl")
VANN = Namespace("http://purl.org/vocab/vann/")
TERM = Namespace(str(NIK))  # any term of the ontology (NIK lists only those the code uses)
STANDARD = (*tuple(str(ns) for ns in (ns.SDO, ns.ORG, ns.FOAF, ns.PROV, ns.DCTERMS)), str(RDF))


def ours(kind: URIRef) -> list[URIRef]:
    return sorted(t for t in ONTOLOGY.subjects(RDF.type, kind) if str(t).startswith(str(NIK)))


CLASSES = ours(OWL.Class)
PROPERTIES = ours(OWL.ObjectProperty) + ours(OWL.DatatypeProperty)


def test_the_ontology_has_the_terms_the_articles_need() -> None:
    names = {str(t).split("#")[1] for t in CLASSES}
    wanted = {
        "Politician", "PoliticalParty", "Ministry", "Government", "RegionalBody", "Municipality", "City",
        "District", "IntegrationCentre", "Organization", "Venue", "Event", "Conference", "Visit", "Reception",
        "Post", "Programme", "FundingCommitment", "Statistic", "SourceDocument", "Statement", "Quotation",
    }  # fmt: skip
    assert wanted <= names
    assert len(CLASSES) >= 40 and len(PROPERTIES) >= 60


def test_code_terms_exist_in_the_ontology() -> None:
    for name in NIK.__annotations__:
        term = NIK[name]
        assert (term, None, None) in ONTOLOGY, f"NIK.{name} is not defined in ontology.ttl"


@pytest.mark.parametrize("term", CLASSES + PROPERTIES, ids=lambda t: str(t).split("#")[1])
def test_every_term_has_german_and_english_label_and_definition(term: URIRef) -> None:
    for prop in (RDFS.label, SKOS.definition):
        languages = {o.language for o in ONTOLOGY.objects(term, prop) if isinstance(o, Literal)}
        assert {"de", "en"} <= languages, f"{term} lacks {prop} in { ({'de', 'en'} - languages) }"
    # ontology checkers (and Protégé) read rdfs:comment: the same text as the definition
    assert set(ONTOLOGY.objects(term, RDFS.comment)) == set(ONTOLOGY.objects(term, SKOS.definition))


def aligned(term: URIRef, relation: URIRef) -> bool:
    """Whether ``term`` reaches schema.org, ORG, FOAF or PROV-O through ``relation`` (transitively)."""
    seen, todo = set(), [term]
    while todo:
        for parent in ONTOLOGY.objects(todo.pop(), relation):
            if str(parent).startswith(STANDARD):
                return True
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return False


@pytest.mark.parametrize("term", CLASSES, ids=lambda t: str(t).split("#")[1])
def test_every_class_aligns_with_a_standard_vocabulary(term: URIRef) -> None:
    assert aligned(term, RDFS.subClassOf)


@pytest.mark.parametrize("term", PROPERTIES, ids=lambda t: str(t).split("#")[1])
def test_every_property_aligns_and_has_a_range(term: URIRef) -> None:
    # a sub-property where every use of ours is a use of theirs, else the nearest term as
    # skos:closeMatch (which entails nothing)
    close = [m for m in ONTOLOGY.objects(term, SKOS.closeMatch) if str(m).startswith(STANDARD)]
    assert aligned(term, RDFS.subPropertyOf) or close
    assert ONTOLOGY.value(term, RDFS.range) is not None


def test_the_ontology_header_says_licence_creator_version_and_prefix() -> None:
    header = ONTOLOGY_IRI
    required = (ns.DCTERMS.license, ns.DCTERMS.creator, OWL.versionIRI, OWL.versionInfo, VANN.preferredNamespacePrefix)
    for prop in required:
        assert ONTOLOGY.value(header, prop) is not None, f"the ontology header lacks {prop}"
    assert str(ONTOLOGY.value(header, VANN.preferredNamespacePrefix)) == "nik"
    assert str(ONTOLOGY.value(header, VANN.preferredNamespaceUri)) == str(NIK)
    version = str(ONTOLOGY.value(header, OWL.versionInfo))
    assert str(ONTOLOGY.value(header, OWL.versionIRI)).endswith(f"/{version}")


INVERSES = sorted((p, q) for p, q in ONTOLOGY.subject_objects(OWL.inverseOf) if str(p).startswith(str(NIK)))


def test_the_ontology_declares_the_inverses_users_query_both_ways() -> None:
    assert (TERM.memberOf, TERM.hasMember) in INVERSES


@pytest.mark.parametrize("pair", INVERSES, ids=lambda pair: "-".join(str(t).split("#")[1] for t in pair))
def test_inverse_properties_declare_each_other_with_swapped_domain_and_range(pair: tuple[URIRef, URIRef]) -> None:
    p, q = pair
    assert (q, OWL.inverseOf, p) in ONTOLOGY, f"{q} does not declare owl:inverseOf {p}"
    assert ONTOLOGY.value(p, RDFS.domain) == ONTOLOGY.value(q, RDFS.range)
    assert ONTOLOGY.value(p, RDFS.range) == ONTOLOGY.value(q, RDFS.domain)


def test_inverse_facts_are_in_the_export_both_ways() -> None:
    for p, q in INVERSES:
        forward = set(EXPORT.subject_objects(p))
        assert {(o, s) for s, o in forward} <= set(EXPORT.subject_objects(q)), f"{q} misses inverses of {p}"


def test_datatypes_are_literals_for_owl_and_name_their_xsd_datatypes() -> None:
    ontology = load_ontology(ROOT / "ontology")
    for datatype in ONTOLOGY.subjects(RDF.type, RDFS.Datatype):
        if str(datatype).startswith(str(NIK)):
            assert ONTOLOGY.value(datatype, OWL.equivalentClass) == RDFS.Literal
            assert set(ONTOLOGY.objects(datatype, NIK.lexicalDatatype)) <= set(DATATYPES)
    assert ontology.properties["startDate"].range == (XSD.gYear, XSD.gYearMonth, XSD.date, XSD.dateTime)
    assert ontology.properties["duration"].range == (XSD.duration,)


def test_the_new_event_and_credit_terms() -> None:
    ontology = load_ontology(ROOT / "ontology")
    assert ontology.is_a(TERM.Interview, TERM.Meeting) and ontology.is_a(TERM.Meeting, TERM.Event)
    assert ontology.properties["creditedTo"].range == (TERM.Agent,)
    assert (TERM.photographer, RDFS.subPropertyOf, TERM.creditedTo) in ONTOLOGY
    assert ontology.properties["hasMember"].range == (TERM.Agent,)


def shape_targets() -> set[URIRef]:
    return {t for t in SHAPES.objects(None, SH.targetClass) if isinstance(t, URIRef)}


def test_every_class_used_in_the_data_has_a_shape() -> None:
    ontology = load_ontology(ROOT / "ontology")
    targets = shape_targets()
    used = {c for c in EXPORT.objects(None, RDF.type) if isinstance(c, URIRef)}
    assert len(used) > 20
    for cls in used:
        assert ontology.class_of(cls).ancestors & targets, f"no shape targets {cls} or a superclass"


def test_every_property_used_in_the_data_is_constrained_by_a_shape() -> None:
    paths = set(SHAPES.objects(None, SH.path))
    used = {p for p in EXPORT.predicates() if str(p).startswith(str(NIK))}
    assert used - paths == set()


def test_iri_segments_are_inherited() -> None:
    ontology = load_ontology(ROOT / "ontology")
    assert ontology.classes["Politician"].segment == "person"
    assert ontology.classes["City"].segment == "place"
    assert ontology.classes["IntegrationCentre"].segment == "organization"
    assert ontology.classes["Entity"].segment is None  # abstract: no entity may have it
    assert ontology.properties["startDate"].qualifier and not ontology.properties["memberOf"].qualifier


def test_a_fact_stated_one_way_is_queryable_both_ways(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A curator writes ``hasMember``; the build adds ``memberOf``, with one sourced statement."""
    monkeypatch.delenv("KG_TEXTS", raising=False)
    mini = tmp_path / "mini"
    shutil.copytree(DATA / "mini", mini)
    shutil.copytree(ROOT / "ontology", mini / "ontology")
    article = mini / "sources" / "articles" / "b.yaml"
    text = article.read_text(encoding="utf-8")
    article.write_text(
        text.replace("  - subject: erika-beispiel\n", "  - subject: xyz\n").replace(
            "memberOf: xyz", "hasMember: erika-beispiel"
        ),
        "utf-8",
    )
    graph = pipeline.build(project=mini, texts=mini / "texts").built.graph  # validates: no provenance error
    person, party = URIRef("https://example.org/kg/person/erika-beispiel"), URIRef("https://example.org/kg/party/xyz")
    assert (party, TERM.hasMember, person) in graph and (person, TERM.memberOf, party) in graph
    statements = list(graph.subjects(RDF.subject, None))
    assert [graph.value(s, RDF.predicate) for s in statements if graph.value(s, RDF.subject) == party] == [
        TERM.hasMember
    ]


def mini_with_credit(tmp_path: Path, prop: str) -> Path:
    """The mini project, its second text ending in a photo credit to the party XYZ."""
    mini = tmp_path / "mini"
    shutil.copytree(DATA / "mini", mini)
    shutil.copytree(ROOT / "ontology", mini / "ontology")
    text = mini / "texts" / "b.txt"
    old = hashlib.sha256(text.read_bytes()).hexdigest()
    text.write_bytes(text.read_bytes() + b"\nFoto: XYZ\n")
    article = mini / "sources" / "articles" / "b.yaml"
    yaml = article.read_text(encoding="utf-8").replace(old, hashlib.sha256(text.read_bytes()).hexdigest())
    article.write_text(yaml + f"\n  - subject: zeitung-b\n    quote: 'Foto: XYZ'\n    {prop}: xyz\n", "utf-8")
    return mini


def test_a_photo_credit_may_name_an_organisation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KG_TEXTS", raising=False)
    mini = mini_with_credit(tmp_path, "creditedTo")
    graph = pipeline.build(project=mini, texts=mini / "texts").built.graph
    source, party = URIRef("https://example.org/kg/source/zeitung-b"), URIRef("https://example.org/kg/party/xyz")
    assert (source, TERM.creditedTo, party) in graph


def test_a_photographer_is_still_a_person(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KG_TEXTS", raising=False)
    mini = mini_with_credit(tmp_path, "photographer")
    with pytest.raises(SourceError) as raised:
        pipeline.build(project=mini, texts=mini / "texts")
    assert [p.message for p in raised.value.problems] == [
        "'photographer' expects a Person, but 'xyz' is a PoliticalParty"
    ]
