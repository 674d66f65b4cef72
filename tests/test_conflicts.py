"""Likely duplicates and conflicts between sources: `file:line: warning:` lines, exit code 0."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from graph.curation.conflicts import SingleValued, single_valued
from graph.ontology import load_ontology
from tests.conftest import run, snapshot
from tests.minicopy import mini_copy

NIK = "https://w3id.org/nrw-integration-kg/ontology#"


@pytest.fixture
def mini(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return mini_copy(tmp_path, monkeypatch)


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)


DIFFERENT_DATE = """
  - subject: besuch-beispiel
    quote: Ministerin Erika Beispiel (XYZ) war da.
    startDate: 2021-03-04
"""


def test_sources_disagreeing_on_a_single_valued_property_warn_and_keep_both_facts(mini: Path) -> None:
    append(mini / "sources" / "articles" / "b.yaml", DIFFERENT_DATE)
    result = run("validate", "--quiet")
    assert result.exit_code == 0
    assert result.stdout == "valid: 2 sources, 6 entities, 13 facts, 165 triples\n"
    assert result.stderr == (
        "sources/articles/b.yaml:16: warning: conflict: sources disagree on startDate of 'besuch-beispiel', "
        "which takes one value (sh:maxCount 1 in the shapes): 2021-03-03 (zeitung-a, sources/articles/a.yaml:19); "
        "2021-03-04 (zeitung-b, sources/articles/b.yaml:16); both facts are kept until a curator decides\n"
    )
    built = run("build", "--quiet")
    assert built.exit_code == 0
    assert built.stderr == result.stderr
    ntriples = (mini / "exports" / "kg.nt").read_text(encoding="utf-8")
    for day in ("2021-03-03", "2021-03-04"):
        assert f'<https://example.org/kg/event/besuch-beispiel> <{NIK}startDate> "{day}"' in ntriples


def test_two_values_from_one_source_are_still_an_error(mini: Path) -> None:
    append(mini / "sources" / "articles" / "a.yaml", DIFFERENT_DATE.replace("(XYZ) war da.", "(XYZ)"))
    before = snapshot(mini / "exports") if (mini / "exports").is_dir() else {}
    result = run("build", "--quiet")
    assert result.exit_code == 1
    assert result.stderr == (
        "sources/articles/a.yaml:13: SHACL: event:besuch-beispiel: nik:startDate: at most one start date; "
        "conflicting sources need a curator's decision\n"
        "Error: 1 SHACL violation; nothing was written.\n"
    )
    assert (snapshot(mini / "exports") if (mini / "exports").is_dir() else {}) == before


def test_a_different_party_is_a_conflict_but_another_organisation_is_not(mini: Path) -> None:
    append(
        mini / "sources" / "entities.yaml",
        "\n- id: abc\n  type: PoliticalParty\n  name: ABC\n\n- id: verein\n  type: Organization\n  name: Verein\n",
    )
    append(
        mini / "sources" / "articles" / "b.yaml",
        "\n  - subject: erika-beispiel\n    quote: Ministerin Erika Beispiel (XYZ) war da.\n"
        "    memberOf: [abc, verein]\n",
    )
    result = run("validate", "--quiet")
    assert result.exit_code == 0
    assert result.stderr == (
        "sources/articles/b.yaml:16: warning: conflict: sources disagree on memberOf (a PoliticalParty) of "
        "'erika-beispiel', which takes one value (owl:maxQualifiedCardinality 1 in the ontology): "
        "xyz (zeitung-a, sources/articles/a.yaml:11); xyz (zeitung-b, sources/articles/b.yaml:12); "
        "abc (zeitung-b, sources/articles/b.yaml:16); both facts are kept until a curator decides\n"
    )


def test_entities_sharing_a_normalised_name_or_alias_are_likely_duplicates(mini: Path) -> None:
    append(
        mini / "sources" / "entities.yaml",
        "\n- id: e-beispiel\n  type: Person\n  name: ERIKA BÉISPIEL\n"
        "\n- id: stadt-muster\n  type: City\n  name: Stadt Muster\n  aliases: [Musterstadt]\n",
    )
    append(
        mini / "sources" / "articles" / "b.yaml",
        "\n  - subject: e-beispiel\n    quote: Ministerin Erika Beispiel (XYZ) war da.\n    memberOf: xyz\n"
        "\n  - subject: stadt-muster\n    quote: Ministerin Erika Beispiel (XYZ) war da.\n    description: Stadt\n",
    )
    result = run("validate", "--quiet")
    assert result.exit_code == 0
    assert result.stderr == (
        "sources/entities.yaml:14: warning: likely duplicate: 'e-beispiel' and 'erika-beispiel' "
        "(sources/entities.yaml:1) share the name 'Erika Beispiel' / 'ERIKA BÉISPIEL'; if they are one entity, "
        "keep one id\n"
        "sources/entities.yaml:18: warning: likely duplicate: 'stadt-muster' and 'musterstadt' "
        "(sources/entities.yaml:10) share the name 'Musterstadt'; if they are one entity, keep one id\n"
    )


# ---------------------------------------------------------------- where "single-valued" comes from

SHAPES = """\
@prefix nik: <https://w3id.org/nrw-integration-kg/ontology#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <https://example.org/shapes#> .
ex:A sh:targetClass nik:Event ; sh:property [ sh:path nik:endDate ; sh:maxCount 1 ] ,
    [ sh:path nik:participant ; sh:qualifiedValueShape [ sh:class nik:Person ] ; sh:qualifiedMaxCount 1 ] ,
    [ sh:path nik:theme ; sh:maxCount 2 ] .
ex:B sh:targetSubjectsOf nik:asOf ; sh:property [ sh:path nik:asOf ; sh:maxCount 1 ] .
"""


def test_single_valued_declarations_are_read_from_ontology_and_shapes(tmp_path: Path) -> None:
    from tests.conftest import ROOT

    folder = tmp_path / "ontology"
    folder.mkdir()
    text = (ROOT / "ontology" / "ontology.ttl").read_text(encoding="utf-8")
    (folder / "ontology.ttl").write_text(text + "\nnik:url a owl:FunctionalProperty .\n", encoding="utf-8")
    ontology = load_ontology(folder)
    rules = set(single_valued(ontology, Graph().parse(data=SHAPES, format="turtle")))

    def nik(name: str) -> URIRef:
        return URIRef(NIK + name)

    assert {
        SingleValued(nik("url"), None, None, "owl:FunctionalProperty in the ontology"),
        SingleValued(
            nik("memberOf"), nik("Person"), nik("PoliticalParty"), "owl:maxQualifiedCardinality 1 in the ontology"
        ),
        SingleValued(nik("endDate"), nik("Event"), None, "sh:maxCount 1 in the shapes"),
        SingleValued(nik("participant"), nik("Event"), nik("Person"), "sh:qualifiedMaxCount 1 in the shapes"),
        SingleValued(nik("asOf"), None, None, "sh:maxCount 1 in the shapes"),
    } <= rules
    assert not any(r.property == nik("theme") for r in rules)


def test_a_source_giving_two_values_where_another_gives_one_is_still_an_error(mini: Path) -> None:
    append(mini / "sources" / "articles" / "b.yaml", DIFFERENT_DATE.replace("2021-03-04", "[2021-03-04, 2021-03-05]"))
    result = run("validate", "--quiet")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == "Error: 1 SHACL violation; nothing was written."


def test_values_dated_to_periods_without_a_common_day_are_a_change_not_a_conflict(mini: Path) -> None:
    append(mini / "sources" / "entities.yaml", "\n- id: abc\n  type: PoliticalParty\n  name: ABC\n")
    dated = (
        "\n  - subject: erika-beispiel\n    quote: Ministerin Erika Beispiel (XYZ) war da.\n    memberOf: abc\n"
        "    qualifiers:\n      {when}\n"
    )
    for name in ("a.yaml", "b.yaml"):  # both say XYZ: date it from 2021
        article = mini / "sources" / "articles" / name
        article.write_text(
            article.read_text(encoding="utf-8").replace(
                "    memberOf: xyz\n", "    memberOf: xyz\n    qualifiers:\n      startDate: 2021\n", 1
            ),
            encoding="utf-8",
        )
    append(mini / "sources" / "articles" / "b.yaml", dated.format(when="endDate: 2020-12"))
    result = run("validate", "--quiet")
    assert (result.exit_code, result.stderr) == (0, "")
    article_b = mini / "sources" / "articles" / "b.yaml"
    article_b.write_text(article_b.read_text(encoding="utf-8").replace("endDate: 2020-12", "endDate: 2021-06"), "utf-8")
    result = run("validate", "--quiet")
    assert result.exit_code == 0
    assert "warning: conflict: sources disagree on memberOf (a PoliticalParty) of 'erika-beispiel'" in result.stderr


def test_sources_dating_one_fact_differently_are_a_conflict(mini: Path) -> None:
    article_a = mini / "sources" / "articles" / "a.yaml"
    article_a.write_text(
        article_a.read_text(encoding="utf-8").replace(
            "    memberOf: xyz\n", "    memberOf: xyz\n    qualifiers:\n      startDate: 2015\n", 1
        ),
        encoding="utf-8",
    )
    article_b = mini / "sources" / "articles" / "b.yaml"
    article_b.write_text(
        article_b.read_text(encoding="utf-8").replace(
            "    memberOf: xyz\n", "    memberOf: xyz\n    qualifiers:\n      startDate: 2016\n", 1
        ),
        encoding="utf-8",
    )
    result = run("validate", "--quiet")
    assert result.exit_code == 0
    assert result.stderr == (
        "sources/articles/b.yaml:12: warning: conflict: sources disagree on the startDate of 'erika-beispiel' "
        "memberOf 'xyz', which takes one value (sh:maxCount 1 in the shapes): 2015 (zeitung-a, "
        "sources/articles/a.yaml:11); 2016 (zeitung-b, sources/articles/b.yaml:12); both facts are kept until a "
        "curator decides\n"
    )
