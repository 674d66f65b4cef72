"""`kg push`: the graph lands in a real Oxigraph server and answers as `kg query` does.

The graph pushed is the built Musterland fixture (tests/data/musterland).

Each test module run starts `oxigraph serve` (the `oxigraph` package from PyPI) on a free
loopback port with its own store folder, and stops it afterwards.
"""

from __future__ import annotations

import base64
import http.server
import json
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from SPARQLWrapper import JSON, SPARQLWrapper

from graph.library import library
from tests.conftest import run

GRAPH = "https://example.org/musterland/id/graph"  # <base>graph of the Musterland fixture
PROJECT: list[Path] = []


@pytest.fixture(autouse=True)
def fixture_project(musterland_built: Path) -> Iterator[None]:
    """Every push and query here uses the built Musterland fixture."""
    PROJECT[:] = [musterland_built]
    yield


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def oxigraph_binary() -> str:
    found = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
    if found is None:
        pytest.fail("the 'oxigraph' server is not installed: pip install -e '.[test]'")
    return found


class Oxigraph:
    """A running `oxigraph serve` (or `serve-read-only`) on a loopback port."""

    def __init__(self, folder: Path, read_only: bool = False) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        command = "serve-read-only" if read_only else "serve"
        self.process = subprocess.Popen(
            [oxigraph_binary(), command, "--location", str(folder), "--bind", f"127.0.0.1:{self.port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{self.base}/query?query=ASK%7B%7D", timeout=2).close()
                return
            except (urllib.error.URLError, ConnectionError):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    pytest.fail(f"oxigraph did not start: {self.process.stderr.read() if self.process.stderr else ''}")
                time.sleep(0.1)

    @property
    def store(self) -> str:
        return f"{self.base}/store"

    def select(self, query: str, default_graph: str | None = None) -> dict[str, object]:
        sparql = SPARQLWrapper(f"{self.base}/query")
        if default_graph:
            sparql.addDefaultGraph(default_graph)
        sparql.setQuery(query)
        sparql.setReturnFormat(JSON)
        answer = sparql.queryAndConvert()
        assert isinstance(answer, dict)
        return answer

    def count(self, graph: str | None, blank_nodes: bool = True) -> int:
        pattern = "?s ?p ?o" if blank_nodes else "?s ?p ?o FILTER(!isBlank(?s) && !isBlank(?o))"
        where = f"GRAPH <{graph}> {{ {pattern} }}" if graph else pattern
        answer = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")
        return int(answer["results"]["bindings"][0]["n"]["value"])  # type: ignore[index]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="module", autouse=True)
def cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KG_CACHE_DIR", str(tmp_path_factory.mktemp("kg-cache")))
        yield


@pytest.fixture
def oxigraph(tmp_path: Path) -> Iterator[Oxigraph]:
    server = Oxigraph(tmp_path / "oxigraph")
    yield server
    server.stop()


def kg_query_json(name: str) -> dict[str, object]:
    result = run("query", name, "--project", PROJECT[0], "--format", "json")
    assert result.exit_code == 0, result.stderr
    answer = json.loads(result.stdout)
    assert isinstance(answer, dict)
    return answer


def triples_in_query_store() -> int:
    """How many triples `kg query` sees (the graph plus the ontology)."""
    result = run(
        "query", "-e", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--project", PROJECT[0], "--format", "csv"
    )
    return int(result.stdout.splitlines()[1])


# ---------------------------------------------------------------- the answers are the same


@pytest.mark.parametrize("name", ["politicians", "funding", "timeline", "integration-centres"])
def test_the_store_answers_competency_questions_as_kg_query_does(oxigraph: Oxigraph, name: str) -> None:
    result = run("push", "--endpoint", oxigraph.store, "--project", PROJECT[0])
    assert result.exit_code == 0, result.stderr
    # The pushed named graph is the query's default graph (SPARQL protocol: default-graph-uri).
    assert oxigraph.select(library()[name].text, default_graph=GRAPH) == kg_query_json(name)


def test_push_reports_what_it_did(oxigraph: Oxigraph) -> None:
    result = run("push", "--endpoint", oxigraph.store, "--project", PROJECT[0])
    assert result.exit_code == 0, result.stderr
    triples = triples_in_query_store()
    assert result.stdout.strip() == (
        f"pushed {triples:,} triples to graph <{GRAPH}> at {oxigraph.store} (replace, HTTP 201)"
    )
    assert oxigraph.count(GRAPH) == triples
    assert oxigraph.count(None) == 0  # the default graph is untouched


# ---------------------------------------------------------------- targets and modes


def test_replace_and_merge(oxigraph: Oxigraph, tmp_path: Path) -> None:
    extra = tmp_path / "extra.nt"
    extra.write_text('<urn:kg:test> <urn:kg:says> "hallo" .\n', "utf-8")
    assert run("push", "--endpoint", oxigraph.store, "--project", PROJECT[0]).exit_code == 0
    full = oxigraph.count(GRAPH, blank_nodes=False)

    merged = run("push", "--endpoint", oxigraph.store, "--project", PROJECT[0], "--data", extra, "--mode", "merge")
    assert merged.exit_code == 0, merged.stderr
    assert "(merge, HTTP 204)" in merged.stdout
    # merge adds the extra triple; the ontology, uploaded again, is already there (except its
    # blank nodes, the owl:unionOf lists: merging RDF always adds fresh ones, see the README)
    assert oxigraph.count(GRAPH, blank_nodes=False) == full + 1

    replaced = run("push", "--endpoint", oxigraph.store, "--project", PROJECT[0], "--data", extra, "--mode", "replace")
    assert replaced.exit_code == 0, replaced.stderr
    after = oxigraph.select(
        f"ASK {{ GRAPH <{GRAPH}> {{ <https://example.org/musterland/id/person/erika-beispiel> ?p ?o }} }}"
    )
    assert after["boolean"] is False  # replace: the old graph's triples are gone
    assert oxigraph.select(f'ASK {{ GRAPH <{GRAPH}> {{ <urn:kg:test> <urn:kg:says> "hallo" }} }}')["boolean"] is True


def test_push_to_the_default_graph_and_to_a_named_graph(oxigraph: Oxigraph) -> None:
    named = "https://example.org/graphs/nrw"
    assert run("push", "--endpoint", oxigraph.store, "--project", PROJECT[0], "--default-graph").exit_code == 0
    assert run("push", "--endpoint", oxigraph.store, "--project", PROJECT[0], "--graph", named).exit_code == 0
    triples = triples_in_query_store()
    assert oxigraph.count(None) == triples
    assert oxigraph.count(named) == triples
    assert oxigraph.select(library()["party-members"].text) == kg_query_json("party-members")


def test_graph_and_default_graph_together_are_refused(oxigraph: Oxigraph) -> None:
    result = run("push", "--endpoint", oxigraph.store, "--project", PROJECT[0], "--graph", GRAPH, "--default-graph")
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: give either a graph name or the default graph, not both"


# ---------------------------------------------------------------- refusals and failures


def test_a_read_only_store_refuses(tmp_path: Path) -> None:
    folder = tmp_path / "read-only"
    Oxigraph(folder).stop()  # creates the store
    server = Oxigraph(folder, read_only=True)
    try:
        result = run("push", "--endpoint", server.store, "--project", PROJECT[0])
    finally:
        server.stop()
    assert result.exit_code == 1
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .startswith(f"Error: the store at {server.store} refused the upload: HTTP 4")
    )


def test_an_unreachable_store_is_a_clear_error() -> None:
    port = free_port()  # nothing listens there
    result = run("push", "--endpoint", f"http://127.0.0.1:{port}/store", "--project", PROJECT[0], "--quiet")
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: cannot reach http://127.0.0.1:{port}/store: Connection refused"


def test_a_store_that_does_not_answer_times_out() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)  # accepts the connection, never answers
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/store"
        started = time.monotonic()
        result = run("push", "--endpoint", url, "--project", PROJECT[0], "--timeout", "1", "--quiet")
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: no answer from {url} within 1 s (--timeout)"
    assert time.monotonic() - started < 30


def test_a_bad_endpoint_url_is_refused() -> None:
    result = run("push", "--endpoint", "localhost:7878/store", "--project", PROJECT[0])
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: the endpoint must be an http:// or https:// URL, not 'localhost:7878/store'"


def test_basic_authentication_is_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, str] = {}

    class Store(http.server.BaseHTTPRequestHandler):
        def do_PUT(self) -> None:
            seen["authorization"] = self.headers.get("Authorization", "")
            seen["content_type"] = self.headers.get("Content-Type", "")
            seen["path"] = self.path
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Store)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/data"
        missing = run("push", "--endpoint", url, "--project", PROJECT[0], "--user", "alice")
        assert missing.exit_code == 1
        assert missing.stderr.strip() == "Error: --user needs the password in the environment variable KG_PUSH_PASSWORD"
        monkeypatch.setenv("KG_PUSH_PASSWORD", "s3cret")
        assert run("push", "--endpoint", url, "--project", PROJECT[0], "--user", "alice").exit_code == 0
    finally:
        server.shutdown()
        server.server_close()
    assert seen["authorization"] == "Basic " + base64.b64encode(b"alice:s3cret").decode()
    assert seen["content_type"] == "application/n-triples"
    assert seen["path"] == "/data?" + urllib.parse.urlencode({"graph": GRAPH})
