"""`kg query` and `kg queries`: sources of a query, formats, safe parameters, clear errors."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from graph import store as store_module
from graph.library import library
from tests.conftest import run

BASE = "https://example.org/musterland/id/"  # the Musterland fixture (tests/data/musterland)
BEISPIEL = URIRef(f"{BASE}person/erika-beispiel")
SPARQL_RESULTS = "{http://www.w3.org/2005/sparql-results#}"


@pytest.fixture(autouse=True)
def cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Query stores go to a folder of this test session, not the user's cache."""
    folder = tmp_path_factory.getbasetemp() / "kg-cache"
    monkeypatch.setenv("KG_CACHE_DIR", str(folder))
    yield folder


@pytest.fixture(autouse=True)
def fixture_project(musterland_built: Path) -> Iterator[None]:
    """Queries run on the built Musterland fixture."""
    PROJECT[:] = [musterland_built]
    yield


PROJECT: list[Path] = []


def query(*args: str | Path) -> tuple[int, str, str]:
    result = run("query", "--project", PROJECT[0], *args)
    return result.exit_code, result.stdout, result.stderr


# ---------------------------------------------------------------- where the query comes from


def test_inline_query_prints_a_table_with_the_answer() -> None:
    code, out, err = query("-e", "SELECT ?name WHERE { person:erika-beispiel rdfs:label ?name }")
    assert code == 0, err
    assert out == "name\n--------------\nErika Beispiel\n"
    assert err.strip().endswith("s") and "1 row in" in err


def test_query_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "parties.rq"
    path.write_text(
        "PREFIX nik: <https://w3id.org/nrw-integration-kg/ontology#>\n"
        "SELECT ?party WHERE { ?party a nik:PoliticalParty } ORDER BY ?party\n",
        "utf-8",
    )
    code, out, _ = query(path, "--format", "csv")
    assert code == 0
    assert list(csv.reader(io.StringIO(out))) == [["party"], [f"{BASE}party/uvw"], [f"{BASE}party/xyz"]]


def test_a_named_query_runs_by_name() -> None:
    code, out, _ = query("party-members", "--format", "json")
    assert code == 0
    rows = json.loads(out)["results"]["bindings"]
    assert {(r["partyName"]["value"], r["name"]["value"]) for r in rows} == {
        ("XYZ", "Erika Beispiel"),
        ("XYZ", "Hans Muster"),
        ("UVW", "Petra Probe"),
    }


def test_unknown_name_suggests_the_closest_query() -> None:
    code, out, err = query("politicans")
    assert code == 1 and out == ""
    assert err.strip() == (
        "Error: unknown query 'politicans' (did you mean 'politicians'?): "
        "not a file and not in the library ('kg queries' lists it)"
    )


def test_missing_query_file_is_reported() -> None:
    code, _, err = query("nowhere/question.rq")
    assert code == 1
    assert err.strip() == "Error: no such query file: nowhere/question.rq"


def test_query_and_expression_together_are_refused() -> None:
    code, _, err = query("politicians", "-e", "ASK {}")
    assert code == 1
    assert err.strip() == "Error: give either a query (a name or a .rq file) or -e TEXT, not both"


def test_no_query_at_all_is_refused() -> None:
    code, _, err = query()
    assert code == 1
    assert err.strip() == "Error: no query: give a name from 'kg queries', a .rq file, or -e 'SELECT …'"


# ---------------------------------------------------------------- formats, read back by other parsers


SELECT_PARTIES = "SELECT ?party ?name WHERE { ?party a nik:PoliticalParty ; rdfs:label ?name } ORDER BY ?name"


def test_csv_and_tsv_results() -> None:
    _, out, _ = query("-e", SELECT_PARTIES, "--format", "csv")
    assert list(csv.reader(io.StringIO(out))) == [
        ["party", "name"],
        [f"{BASE}party/uvw", "UVW"],
        [f"{BASE}party/xyz", "XYZ"],
    ]
    _, out, _ = query("-e", SELECT_PARTIES, "--format", "tsv")
    assert out.splitlines() == ["?party\t?name", f'<{BASE}party/uvw>\t"UVW"@de', f'<{BASE}party/xyz>\t"XYZ"@de']


def test_sparql_json_and_xml_results() -> None:
    _, out, _ = query("-e", SELECT_PARTIES, "--format", "json")
    document = json.loads(out)
    assert document["head"]["vars"] == ["party", "name"]
    assert document["results"]["bindings"][0] == {
        "party": {"type": "uri", "value": f"{BASE}party/uvw"},
        "name": {"type": "literal", "value": "UVW", "xml:lang": "de"},
    }
    _, out, _ = query("-e", SELECT_PARTIES, "--format", "xml")
    root = ET.fromstring(out)
    names = [
        b.findtext(f"{SPARQL_RESULTS}literal") for b in root.iter(f"{SPARQL_RESULTS}binding") if b.get("name") == "name"
    ]
    assert names == ["UVW", "XYZ"]


def test_ask_answers_true_or_false() -> None:
    assert query("-e", "ASK { person:erika-beispiel nik:memberOf party:xyz }")[1] == "true\n"
    assert query("-e", "ASK { person:erika-beispiel nik:memberOf party:uvw }")[1] == "false\n"


def test_construct_is_written_as_turtle_with_prefixes(tmp_path: Path) -> None:
    code, out, err = query(
        "-e", "CONSTRUCT { ?p nik:memberOf ?party } WHERE { ?p nik:memberOf ?party . ?party a nik:PoliticalParty }"
    )
    assert code == 0, err
    assert "@prefix party: <https://example.org/musterland/id/party/> ." in out
    graph = Graph().parse(data=out, format="turtle")
    assert len(graph) == 3
    assert (
        BEISPIEL,
        URIRef("https://w3id.org/nrw-integration-kg/ontology#memberOf"),
        URIRef(f"{BASE}party/xyz"),
    ) in graph
    assert "3 triples in" in err


def test_describe_as_ntriples() -> None:
    code, out, _ = query("-e", "DESCRIBE person:erika-beispiel", "--format", "ntriples")
    assert code == 0
    graph = Graph().parse(data=out, format="nt")
    assert (BEISPIEL, RDFS.label, Literal("Erika Beispiel", lang="de")) in graph


def test_a_format_that_does_not_fit_the_query_form_is_refused() -> None:
    code, out, err = query("-e", "CONSTRUCT WHERE { ?s a nik:Politician }", "--format", "csv")
    assert code == 1 and out == ""
    assert err.strip() == "Error: CONSTRUCT returns triples: use --format turtle or ntriples or rdfxml or jsonld"
    code, _, err = query("-e", "SELECT * WHERE { ?s a nik:Politician }", "--format", "turtle")
    assert err.strip() == "Error: SELECT returns a table: use --format table or json or xml or csv or tsv"


def test_long_table_cells_are_shortened_only_on_request() -> None:
    text = "SELECT ?text WHERE { quote:muster-gelingt-anderswo nik:text ?text }"
    short = query("-e", text, "--max-width", "12")[1].splitlines()
    assert short[2] == "Was hier ge…"
    full = query("-e", text, "--max-width", "0")[1].splitlines()
    assert full[2] == "Was hier gelingt, gelingt auch anderswo."


# ---------------------------------------------------------------- parameters are bound, never pasted


NAME_OF = "SELECT ?who ?name WHERE { ?who rdfs:label ?name }"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("erika-beispiel", "Erika Beispiel"),  # an entity id
        (f"<{BEISPIEL}>", "Erika Beispiel"),  # an IRI
        ("person:erika-beispiel", "Erika Beispiel"),  # a prefixed name
    ],
)
def test_parameter_values_that_name_an_entity(value: str, expected: str) -> None:
    code, out, err = query("-e", NAME_OF, "--param", f"who={value}", "-f", "csv")
    assert code == 0, err
    assert list(csv.reader(io.StringIO(out)))[1:] == [[str(BEISPIEL), expected]]


def test_a_literal_parameter_matches_language_and_text() -> None:
    people = "SELECT ?who ?name WHERE { ?who rdfs:label ?name }"
    _, out, _ = query("-e", people, "-P", 'name="Erika Beispiel"@de', "-f", "csv")
    assert [row[0] for row in csv.reader(io.StringIO(out))][1:] == [str(BEISPIEL)]
    _, out, _ = query("-e", people, "-P", 'name="Erika Beispiel"', "-f", "csv")  # no language tag: another literal
    assert out.splitlines() == ["who,name"]


def test_a_number_parameter_is_a_typed_literal() -> None:
    # Values are bound as RDF terms: 8000.0 is an xsd:decimal like the graph's values, 8000 an xsd:integer.
    figures = "SELECT ?figure ?value WHERE { ?figure nik:value ?value }"
    _, out, _ = query("-e", figures, "-P", "value=8000.0", "-f", "csv")
    assert [row[0] for row in csv.reader(io.StringIO(out))][1:] == [f"{BASE}statistic/gefluechtete-altstadt"]
    _, out, _ = query("-e", figures, "-P", "value=8000", "-f", "csv")
    assert out.splitlines() == ["figure,value"]


def test_a_parameter_cannot_change_the_query() -> None:
    # Pasted into the text, this value would end the pattern and match every label.
    attack = '"x" } UNION { ?who rdfs:label ?name } #"'
    code, out, err = query("-e", NAME_OF, "-P", f"name={attack}")
    assert code == 1
    assert err.startswith("Error: bad value for ?name: cannot read")
    code, out, _ = query("-e", NAME_OF, "-P", 'name="x\\" } UNION { ?who rdfs:label ?name } #"', "-f", "csv")
    assert code == 0 and out.splitlines() == ["who,name"]  # one literal, with the quote in it: no match


def test_unknown_entity_is_reported_with_a_suggestion() -> None:
    code, _, err = query("participation", "--param", "entity=erika-beispil")
    assert code == 1
    assert err.strip() == "Error: unknown entity 'erika-beispil' for ?entity (did you mean 'erika-beispiel'?)"


def test_a_named_query_only_takes_its_declared_parameters() -> None:
    code, _, err = query("participation", "--param", "name=erika-beispiel")
    assert code == 1
    assert err.strip() == "Error: query 'participation' has no parameter 'name' (its parameters: entity)"


def test_a_parameter_must_be_a_variable_the_query_selects() -> None:
    code, _, err = query("-e", "SELECT ?name WHERE { ?who rdfs:label ?name }", "-P", "who=erika-beispiel")
    assert code == 1
    assert err.strip() == "Error: ?who must be one of the selected variables (SELECT … ?who …) to be bound"
    code, _, err = query("-e", "SELECT ?name WHERE { ?who rdfs:label ?name }", "-P", "nobody=erika-beispiel")
    assert err.strip() == "Error: the query has no variable ?nobody to bind (its variables: ?name, ?who)"


def test_a_parameter_given_twice_is_refused() -> None:
    code, _, err = query("participation", "-P", "entity=erika-beispiel", "-P", "entity=tom-test")
    assert code == 1
    assert err.strip() == "Error: parameter 'entity' is given twice; give one value"


def test_a_malformed_parameter_is_reported() -> None:
    code, _, err = query("politicians", "-P", "erika-beispiel")
    assert code == 1
    # The example is the one in the query's header (graph/queries/politicians.rq).
    assert err.strip() == "Error: bad parameter 'erika-beispiel': write NAME=VALUE, e.g. person=serap-gueler"


# ---------------------------------------------------------------- errors in and refusals of queries


def test_syntax_error_shows_line_and_column() -> None:
    code, out, err = query("-e", "SELECT ?s WHERE {\n  ?s a nik:Politician .\n  FILTER(?s = )\n}")
    assert code == 1 and out == ""
    assert err.strip() == "Error: syntax error at line 3, column 3, near 'FILTER(?s = )'"


def test_unknown_prefix_is_named() -> None:
    code, _, err = query("-e", "SELECT ?s WHERE { ?s a foaf2:Person }")
    assert code == 1
    assert err.startswith("Error: unknown prefix 'foaf2:'; declare it (PREFIX foaf2: <…>) or use a built-in prefix (")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "updates are refused: this graph is read-only"),
        ("DELETE WHERE { ?s ?p ?o }", "updates are refused: this graph is read-only"),
        (
            "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }",
            "SERVICE is refused: queries here never call other endpoints",
        ),
        (
            "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
            "FROM and FROM NAMED are refused: the graph is the store's default graph; remove the clause",
        ),
        (
            'SELECT ?x WHERE { BIND("a\\u0022 AS ?x) }',
            "\\u escapes are not accepted (line 1, column 26); write the character itself",
        ),
    ],
)
def test_what_must_not_run_is_refused(text: str, message: str) -> None:
    code, out, err = query("-e", text)
    assert code == 1 and out == ""
    assert err.strip() == f"Error: {message}"


# ---------------------------------------------------------------- what is queried


def test_missing_exports_is_a_setup_error(musterland: Path) -> None:
    (musterland / "exports" / "kg.nt").unlink()
    result = run("query", "politicians")
    assert result.exit_code == 3
    assert (
        result.stderr.strip() == f"Error: no such data file: {musterland / 'exports' / 'kg.nt'} (run 'kg build' first)"
    )


def test_data_option_queries_another_file_with_the_ontology(tmp_path: Path) -> None:
    other = tmp_path / "other.ttl"
    other.write_text(
        "@prefix nik: <https://w3id.org/nrw-integration-kg/ontology#> .\n"
        "<https://example.org/erika> a nik:Politician .\n",
        "utf-8",
    )
    # rdfs:subClassOf* needs the ontology, which is loaded with the data.
    text = "SELECT ?who WHERE { ?who a/rdfs:subClassOf* nik:Person }"
    code, out, err = query("-e", text, "--data", other, "-f", "csv")
    assert code == 0, err
    assert out.splitlines() == ["who", "https://example.org/erika"]


def test_the_store_is_built_once_and_rebuilt_when_the_graph_changes(musterland: Path, cache: Path) -> None:
    first = run("query", "-e", "ASK { person:erika-beispiel a nik:Politician }")
    assert first.stdout == "true\n"
    assert "into the query store" in first.stderr
    again = run("query", "-e", "ASK { person:erika-beispiel a nik:Politician }")
    assert "into the query store" not in again.stderr
    stores = {p.name for p in (cache / "stores").iterdir()}

    nt = musterland / "exports" / "kg.nt"
    nt.write_text(nt.read_text("utf-8").replace("#Politician>", "#Journalist>"), "utf-8")
    changed = run("query", "-e", "ASK { person:erika-beispiel a nik:Politician }")
    assert changed.stdout == "false\n"
    assert "into the query store" in changed.stderr
    after = {p.name for p in (cache / "stores").iterdir()}
    assert len(after - stores) == 1
    assert len(stores - after) == 1, "the store of the old kg.nt should have been removed"


def test_a_store_in_use_is_not_removed(musterland: Path, cache: Path) -> None:
    files = store_module.graph_files(musterland)
    with store_module.open_store(files) as held:
        nt = musterland / "exports" / "kg.nt"
        nt.write_text(nt.read_text("utf-8") + "<urn:x> <urn:y> <urn:z> .\n", "utf-8")
        assert run("query", "-e", "ASK { <urn:x> <urn:y> <urn:z> }").stdout == "true\n"
        assert held.path.is_dir()
        assert len(list(held.store.query("SELECT * WHERE { <urn:x> ?p ?o }"))) == 0


# ---------------------------------------------------------------- kg queries


def test_queries_lists_every_named_query_one_line_each() -> None:
    result = run("queries")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == sorted(library())
    assert any(
        line.startswith("participation ") and line.endswith("[entity]") and "Which events did" in line for line in lines
    )
    german = run("queries", "--lang", "de").stdout
    assert "An welchen Ereignissen hat" in german


def test_an_unreadable_data_file_is_a_setup_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text("<https://example.org/a> <https://example.org/b> .\n", "utf-8")
    code, out, err = query("-e", "ASK {}", "--data", broken)
    assert code == 3 and out == ""
    assert err.splitlines()[-1] == f"Error: {broken.resolve()}:1:49: cannot load: . is not a valid RDF object"
    other = tmp_path / "data.csv"
    other.write_text("a,b\n", "utf-8")
    code, _, err = query("-e", "ASK {}", "--data", other)
    assert code == 3
    assert err.strip() == (
        f"Error: cannot load {other}: use an N-Triples (.nt), Turtle (.ttl), RDF/XML (.rdf) or JSON-LD (.jsonld) file"
    )
