"""`kg build`: deterministic exports, in sync with sources/, with the statement pattern intact."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF

from graph import pipeline
from graph.namespace import NIK
from tests.conftest import DATA, ROOT, assert_same_graph, copy_fixture, run, snapshot

EXPORTS = ("kg.gexf", "kg.graphml", "kg.html", "kg.jsonld", "kg.nt", "kg.ttl")
TERMS = Namespace(str(NIK))  # any ontology term, including ones the code never names


@pytest.fixture
def mini(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The invented two-article project of tests/data/mini, with this project's ontology."""
    monkeypatch.delenv("KG_TEXTS", raising=False)  # its texts are its own (tests/data/mini/texts)
    return copy_fixture("mini", tmp_path / "mini")


def test_two_builds_in_separate_processes_are_byte_identical(tmp_path: Path) -> None:
    # Different hash seeds change set and dict iteration order; the bytes must not change.
    outputs = []
    for seed in ("1", "4242"):
        out = tmp_path / seed
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [sys.executable, "-m", "graph", "build", "--quiet", "--project", ROOT, "--out", out],
            check=True,
            env=env,
        )
        outputs.append({name: (out / name).read_bytes() for name in EXPORTS})
    assert outputs[0] == outputs[1]


def test_mini_project_matches_golden_graph(mini: Path, tmp_path: Path, pytestconfig: pytest.Config) -> None:
    result = run("build", "--quiet", "--project", mini, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    graph = Graph().parse(tmp_path / "out" / "kg.ttl")
    assert_same_graph(graph, DATA / "mini-expected.ttl", pytestconfig.getoption("--update-golden"))


def test_fact_stated_by_two_sources_is_one_statement_with_two_references(mini: Path) -> None:
    graph = pipeline.build(project=mini, out=mini / "exports").built.graph
    person = URIRef("https://example.org/kg/person/erika-beispiel")
    statements = [s for s in graph.subjects(RDF.subject, person) if graph.value(s, RDF.predicate) == TERMS.memberOf]
    assert len(statements) == 1
    references = list(graph.objects(statements[0], URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")))
    sources = sorted(str(graph.value(r, NIK.statedIn)).rsplit("/", 1)[-1] for r in references)
    assert sources == ["zeitung-a", "zeitung-b"]


def test_statement_iris_do_not_depend_on_the_base(mini: Path, tmp_path: Path) -> None:
    def statement_ids(base: str) -> set[str]:
        config = mini / "sources" / "project.yaml"
        text = config.read_text(encoding="utf-8").splitlines()
        config.write_text("\n".join(f"base: {base}" if line.startswith("base:") else line for line in text), "utf-8")
        graph = pipeline.validate(project=mini).built.graph
        return {str(s).rsplit("/", 1)[-1] for s in graph.subjects(RDF.type, NIK.Statement)}

    first = statement_ids("https://example.org/kg/")
    second = statement_ids("https://data.example.net/other/")
    assert first == second and len(first) == 11


def test_unchanged_exports_are_not_rewritten(mini: Path) -> None:
    first = run("build", "--project", mini)
    assert first.exit_code == 0
    assert "wrote 6 of 6 files" in first.stderr
    before = snapshot(mini / "exports")
    second = run("build", "--force", "--project", mini)
    assert "wrote 0 of 6 files" in second.stderr and "(6 unchanged)" in second.stderr
    assert snapshot(mini / "exports") == before


def test_format_option_writes_only_that_format(mini: Path, tmp_path: Path) -> None:
    result = run("build", "--quiet", "--project", mini, "--format", "ntriples", "--out", tmp_path / "nt")
    assert result.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "nt").iterdir()) == ["kg.nt"]
    lines = (tmp_path / "nt" / "kg.nt").read_text(encoding="utf-8").splitlines()
    assert lines == sorted(lines) and len(lines) == 158


def test_unknown_format_lists_the_valid_ones(mini: Path) -> None:
    result = run("build", "--project", mini, "--format", "rdfxml")
    assert result.exit_code == 2
    assert "'rdfxml' is not one of 'gexf', 'graphml', 'html', 'jsonld', 'ntriples', 'turtle'" in result.stderr


def test_a_new_ontology_property_needs_no_code_change(mini: Path) -> None:
    ontology = mini / "ontology" / "ontology.ttl"
    ontology.write_text(
        ontology.read_text(encoding="utf-8")
        + """
nik:nickname a owl:DatatypeProperty ;
    rdfs:label "Spitzname"@de , "nickname"@en ;
    skos:definition "Spitzname laut Quelle."@de , "Nickname according to the source."@en ;
    rdfs:subPropertyOf schema:alternateName ;
    rdfs:domain nik:Person ; rdfs:range rdf:langString .
""",
        "utf-8",
    )
    article = mini / "sources" / "articles" / "b.yaml"
    article.write_text(
        article.read_text(encoding="utf-8") + "\n  - subject: erika-beispiel\n    quote: Erika Beispiel\n"
        "    nickname: Ministerin\n",
        "utf-8",
    )
    graph = pipeline.build(project=mini, texts=mini / "texts").built.graph
    person = URIRef("https://example.org/kg/person/erika-beispiel")
    assert [str(v) for v in graph.objects(person, TERMS.nickname)] == ["Ministerin"]
