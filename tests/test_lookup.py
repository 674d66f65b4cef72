"""`kg terms` and `kg entities`: look-ups from the ontology and sources/, read at run time."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.curation.lookup import similarity
from graph.curation.names import fold, name_key
from tests.conftest import run
from tests.minicopy import mini_copy

# A small ontology of its own, so the expected output does not follow the project's ontology.
ONTOLOGY = """\
@prefix nik: <https://w3id.org/nrw-integration-kg/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

nik:Entity a owl:Class ; rdfs:label "Entität"@de , "entity"@en .
nik:Agent a owl:Class ; rdfs:subClassOf nik:Entity ; rdfs:label "Akteur"@de , "agent"@en .
nik:Person a owl:Class ; rdfs:subClassOf nik:Agent ; rdfs:label "Person"@de , "person"@en ;
    skos:definition "Ein Mensch."@de , "A human being."@en ; nik:iriSegment "person" .
nik:Organization a owl:Class ; rdfs:subClassOf nik:Agent ; rdfs:label "Organisation"@de , "organisation"@en ;
    nik:iriSegment "organization" .
nik:Statement a owl:Class ; rdfs:label "Aussage"@de , "statement"@en ; nik:iriSegment "statement" .

nik:memberOf a owl:ObjectProperty ; rdfs:label "Mitglied von"@de , "member of"@en ;
    skos:definition "Mitglied der Organisation."@de , "Member of the organisation."@en ;
    rdfs:domain nik:Person ; rdfs:range nik:Organization .
nik:startDate a owl:DatatypeProperty ; rdfs:label "Beginn"@de , "start date"@en ;
    rdfs:domain [ owl:unionOf ( nik:Organization nik:Statement ) ] ;
    rdfs:range [ a rdfs:Datatype ; owl:unionOf ( xsd:gYear xsd:date ) ] .
nik:note a owl:DatatypeProperty ; rdfs:label "Notiz"@de , "note"@en ; rdfs:range xsd:string .
"""


@pytest.fixture
def tiny(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "project.yaml").write_text("base: https://example.org/\n", encoding="utf-8")
    (tmp_path / "ontology").mkdir()
    (tmp_path / "ontology" / "ontology.ttl").write_text(ONTOLOGY, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_terms_prints_the_class_tree(tiny: Path) -> None:
    result = run("terms")
    assert result.exit_code == 0
    assert result.stdout == (
        "Entity            Entität / entity  (abstract)\n"
        "  Agent           Akteur / agent  (abstract)\n"
        "    Organization  Organisation / organisation\n"
        "    Person        Person / person\n"
        "Statement         Aussage / statement\n"
    )


def test_terms_for_a_class_lists_every_usable_property_with_range_and_definitions(tiny: Path) -> None:
    result = run("terms", "person")
    assert result.exit_code == 0
    assert result.stdout == (
        "Person — Person / person  (https://w3id.org/nrw-integration-kg/ontology#Person)\n"
        "  subclass of: Agent > Entity\n"
        "  de: Ein Mensch.\n"
        "  en: A human being.\n"
        "\n"
        "properties (2):\n"
        "  memberOf  →  an entity id of class Organization\n"
        "      Mitglied von / member of  (on Person)\n"
        "      de: Mitglied der Organisation.\n"
        "      en: Member of the organisation.\n"
        "  note  →  a value: text\n"
        "      Notiz / note  (on any)\n"
    )


def test_terms_shows_formats_and_qualifiers(tiny: Path) -> None:
    result = run("terms", "Organization")
    assert "  startDate  →  a value: a year (YYYY); a date (YYYY-MM-DD)\n" in result.stdout
    assert "      Beginn / start date  (on Organization, Statement; also a qualifier)\n" in result.stdout
    assert "  subclass of: Agent > Entity\n" in result.stdout


def test_a_class_added_to_the_ontology_shows_at_once(tiny: Path) -> None:
    with (tiny / "ontology" / "ontology.ttl").open("a", encoding="utf-8") as handle:
        handle.write(
            'nik:Politician a owl:Class ; rdfs:subClassOf nik:Person ; rdfs:label "Politiker"@de , "politician"@en .\n'
        )
    assert "      Politician  Politiker / politician\n" in run("terms").stdout
    assert "  subclasses: Politician\n" in run("terms", "Person").stdout
    assert "  memberOf  →  an entity id of class Organization\n" in run("terms", "Politician").stdout


def test_terms_unknown_class_is_one_line_with_a_suggestion(tiny: Path) -> None:
    result = run("terms", "Persn")
    assert result.exit_code == 2
    assert result.output == "Error: unknown class 'Persn' (did you mean 'Person'?); 'kg terms' lists them all\n"


def test_entities_lists_registry_and_article_entities_by_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mini_copy(tmp_path, monkeypatch)
    result = run("entities")
    assert result.exit_code == 0
    assert result.stdout == (
        "beispiel-handarbeit     DirectQuote     Beispiel: „Integration ist Handarbeit“    sources/articles/a.yaml:35\n"
        "besuch-beispiel         Visit           Besuch von Erika Beispiel in Musterstadt  sources/articles/a.yaml:13\n"
        "erika-beispiel          Politician      Erika Beispiel                            sources/entities.yaml:1\n"
        "gaeste-besuch-beispiel  Statistic       Gäste beim Besuch                         sources/articles/a.yaml:21\n"
        "musterstadt             City            Musterstadt                               sources/entities.yaml:10\n"
        "xyz                     PoliticalParty  XYZ                                       sources/entities.yaml:6\n"
    )


@pytest.mark.parametrize("search", ["erika beispiel", "ERIKA BEISPIEL", "Érika Béispiel", "Erika Beispeil"])
def test_entities_search_ignores_case_and_accents_and_forgives_typos(
    search: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mini_copy(tmp_path, monkeypatch)
    result = run("entities", search)
    assert result.exit_code == 0
    assert (
        result.stdout.splitlines()[0]
        == "erika-beispiel   Politician  Erika Beispiel                            sources/entities.yaml:1"
    )


def test_entities_search_by_alias_names_the_alias(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mini_copy(tmp_path, monkeypatch)
    result = run("entities", "beispiel")
    assert result.exit_code == 0
    assert result.stdout == (
        "erika-beispiel          Politician   Erika Beispiel (alias: Beispiel)          sources/entities.yaml:1\n"
        "beispiel-handarbeit     DirectQuote  Beispiel: „Integration ist Handarbeit“    sources/articles/a.yaml:35\n"
        "besuch-beispiel         Visit        Besuch von Erika Beispiel in Musterstadt  sources/articles/a.yaml:13\n"
        "gaeste-besuch-beispiel  Statistic    Gäste beim Besuch                         sources/articles/a.yaml:21\n"
    )


def test_entities_without_a_match_exit_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mini_copy(tmp_path, monkeypatch)
    result = run("entities", "Olaf Schade")
    assert result.exit_code == 1
    assert result.output == "Error: no entity matches 'Olaf Schade'\n"


def test_entities_still_searchable_when_another_file_is_broken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mini = mini_copy(tmp_path, monkeypatch)
    (mini / "sources" / "articles" / "b.yaml").write_text("source: [\n", encoding="utf-8")
    assert run("entities", "musterstadt").stdout.startswith("musterstadt ")


def test_name_keys() -> None:
    assert fold("Geiß-Netthöfel") == "geiss netthofel"
    assert name_key("Serap Gueler") == name_key("Serap Güler") == name_key("SERAP GÜLER")
    assert name_key("Köln") == name_key("Koeln")
    assert similarity("guler", "serap guler") == 0.95
    assert similarity("schade", "olaf schade landrat") == 0.95
    assert similarity("schad", "olaf schade") > 0.8
    assert similarity("klute", "kerber") < 0.8


def test_terms_marks_single_valued_properties_from_the_shapes(tiny: Path) -> None:
    (tiny / "ontology" / "shapes.ttl").write_text(
        "@prefix nik: <https://w3id.org/nrw-integration-kg/ontology#> .\n"
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "nik:S sh:targetClass nik:Agent ; sh:property [ sh:path nik:memberOf ; sh:maxCount 1 ] .\n",
        encoding="utf-8",
    )
    assert "      Mitglied von / member of  (on Person; one value)\n" in run("terms", "Person").stdout


def test_entities_type_filter_includes_subclasses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mini_copy(tmp_path, monkeypatch)
    result = run("entities", "--type", "person", "--type", "Event")
    assert result.exit_code == 0
    assert [line.split()[0] for line in result.stdout.splitlines()] == ["besuch-beispiel", "erika-beispiel"]
    unknown = run("entities", "--type", "Persn")
    assert unknown.exit_code == 2
    assert unknown.output == "Error: unknown class 'Persn' (did you mean 'Person'?); 'kg terms' lists them all\n"
