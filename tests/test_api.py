"""What programs get: the Python API (its doctest), standard input, and the network files.

All on the invented project of tests/data/mini, so nothing here depends on the corpus.
"""

from __future__ import annotations

import doctest
import io
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import igraph
import networkx as nx
import pytest
from click.testing import CliRunner, Result

import graph
from graph.cli import main
from graph.errors import QueryError
from graph.spool import sniff, spool
from tests.conftest import run

GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"
GEXF = "{http://gexf.net/1.3}"


@pytest.fixture
def mini_here(mini_built: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The built mini project as the working directory."""
    monkeypatch.chdir(mini_built)
    return mini_built


# ------------------------------------------------------------------ the Python API


def test_the_api_doctest_passes(mini_here: Path) -> None:
    results = doctest.testmod(graph, extraglobs={"project": mini_here}, optionflags=doctest.ELLIPSIS, verbose=False)
    assert results.attempted >= 10  # the examples ran (a docstring without them would pass)
    assert results.failed == 0


def test_import_graph_loads_no_heavy_library() -> None:
    code = "import sys, graph; print(sorted(m for m in ('rdflib', 'pyoxigraph', 'networkx') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_api_answers_like_kg_query(mini_here: Path) -> None:
    kg = graph.load(mini_here)
    rows = kg.query("party-members")
    printed = run("query", "party-members", "--format", "csv", "--quiet").output.splitlines()
    assert printed[0].split(",") == ["party", "partyName", "member", "name", "offices", "sources"]
    assert len(rows) == len(printed) - 1
    assert str(rows[0]["member"]) in printed[1]


def test_the_api_refuses_what_is_not_a_table(mini_here: Path) -> None:
    kg = graph.load(mini_here)
    with pytest.raises(QueryError, match=r"^ASK does not return rows; run it with 'kg query' or on \.graph$"):
        kg.query("ASK { ?s ?p ?o }")
    with pytest.raises(QueryError, match=r"^unknown query 'party-member'"):
        kg.query("party-member")


# ------------------------------------------------------------------ standard input


def pipe(args: list[str], text: str) -> Result:
    """Invoke ``kg`` with ``text`` on standard input."""
    return CliRunner().invoke(main, args, input=text, catch_exceptions=False)


def test_query_text_from_standard_input(mini_here: Path) -> None:
    query = "SELECT ?n WHERE { ?p a nik:Politician ; rdfs:label ?n }"
    result = pipe(["query", "-", "--format", "csv", "--quiet"], query)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["n", "Erika Beispiel"]


@pytest.mark.parametrize("data_format", ["ntriples", "turtle", "jsonld", "rdfxml"])
def test_data_from_standard_input_in_every_format(mini_here: Path, data_format: str) -> None:
    rdflib_name = {"ntriples": "nt", "turtle": "turtle", "jsonld": "json-ld", "rdfxml": "xml"}[data_format]
    text = graph.load(mini_here).graph.serialize(format=rdflib_name)
    query = ["query", "party-members", "--data", "-", "--format", "csv", "--quiet"]
    sniffed = pipe(query, text)
    told = pipe([*query, "--data-format", data_format], text)
    from_file = run("query", "party-members", "--format", "csv", "--quiet")
    assert sniffed.exit_code == told.exit_code == 0, sniffed.output + told.output
    assert sniffed.output == told.output == from_file.output


def test_standard_input_is_read_once(mini_here: Path) -> None:
    result = pipe(["query", "-", "--data", "-"], "ASK {}")
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == "Error: standard input can be read once: give either QUERY - or --data -"


def test_empty_standard_input_is_one_error(mini_here: Path) -> None:
    result = pipe(["query", "politicians", "--data", "-"], "")
    assert result.exit_code == 3
    assert result.output.strip() == "Error: --data -: standard input is empty; pipe an RDF file into it"


# ------------------------------------------------------------------ GraphML and GEXF


def test_graphml_names_nodes_by_label_and_declares_integers(mini_here: Path) -> None:
    path = mini_here / "exports" / "kg.graphml"
    keys = {k.get("attr.name"): k.get("attr.type") for k in ET.parse(path).iter(f"{GRAPHML}key")}
    assert keys["name"] == keys["label"] == "string"
    assert keys["statements"] == "int"
    read = nx.read_graphml(path)
    assert all(data["name"] == data["label"] for _, data in read.nodes(data=True))
    assert read.nodes["erika-beispiel"]["name"] == "Erika Beispiel"
    assert all(type(d["statements"]) is int for *_, d in read.edges(data=True))
    other = igraph.Graph.Read_GraphML(str(path))  # igraph keeps every number as a double
    assert "Erika Beispiel" in other.vs["name"]
    assert all(float(s).is_integer() and s >= 1 for s in other.es["statements"])


def test_gexf_names_nodes_by_label_and_declares_integers(mini_here: Path) -> None:
    path = mini_here / "exports" / "kg.gexf"
    types = {a.get("title"): a.get("type") for a in ET.parse(path).iter(f"{GEXF}attribute")}
    assert (types["name"], types["statements"]) == ("string", "integer")
    read = nx.read_gexf(path)
    assert all(data["name"] == data["label"] for _, data in read.nodes(data=True))
    assert all(type(d["statements"]) is int for *_, d in read.edges(data=True))


def test_broken_piped_data_is_one_line_naming_standard_input(mini_here: Path) -> None:
    result = pipe(["query", "politicians", "--data", "-", "--quiet"], "<urn:a> <urn:b> .\n")
    assert result.exit_code == 3
    line = result.output.strip()
    assert line.startswith("Error: ") and line.endswith(
        "/standard-input.ttl:1:17: cannot load: . is not a valid RDF object"
    )


def test_the_same_piped_data_is_one_file_and_one_store(tmp_path: Path) -> None:
    first = spool(io.BytesIO(b"<urn:a> <urn:b> <urn:c> .\n"), cache=tmp_path)
    stamp = first.stat().st_mtime_ns
    again = spool(io.BytesIO(b"<urn:a> <urn:b> <urn:c> .\n"), cache=tmp_path)
    other = spool(io.BytesIO(b"<urn:a> <urn:b> <urn:d> .\n"), "ntriples", cache=tmp_path)
    assert again == first and again.stat().st_mtime_ns == stamp  # the store's key is unchanged
    assert other != first and other.name == "standard-input.nt"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b'{"@context": {}}', "jsonld"),
        (b"  [ {", "jsonld"),
        (b"<?xml version", "rdfxml"),
        (b"<rdf:RDF", "rdfxml"),
        (b"<urn:a> <urn:b> <urn:c> .", "turtle"),
        (b"@prefix x: <urn:x> .", "turtle"),
        (b"\xef\xbb\xbf{", "jsonld"),
    ],
)
def test_piped_data_format_is_guessed_from_its_start(head: bytes, expected: str) -> None:
    assert sniff(head) == expected


def test_data_format_without_standard_input_is_a_usage_error(mini_here: Path) -> None:
    result = run("query", "politicians", "--data-format", "turtle")
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        "Error: --data-format is the format of --data - (standard input); files are known by extension"
    )
