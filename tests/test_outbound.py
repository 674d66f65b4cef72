"""No query reaches the network: SERVICE, FROM and LOAD in every disguise, against a canary.

A loopback HTTP server stands in for any address a query could call; it answers like a
SPARQL endpoint (so a call would visibly succeed) and records every request. Each query of
the corpus goes through ``kg query -e`` and through ``kg serve`` by every way the protocol
offers (GET, GET with ``%0D``, POST body, POST form); none may be answered with data, and the
canary must never be contacted. A last test shows the second wall: a query worker that is
sent a SERVICE query directly, past every check, still cannot call out.
"""

from __future__ import annotations

import errno
import http.server
import json
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.engine import EngineError
from graph.serve import Endpoint, start_endpoint
from graph.store import open_store
from graph.workers import Job, WorkerPool
from tests.conftest import ROOT, run

DATA = """\
<https://example.org/a> <http://www.w3.org/2000/01/rdf-schema#label> "A" .
<https://example.org/b> <http://www.w3.org/2000/01/rdf-schema#label> "B" .
"""
CANARY_ANSWER = json.dumps(
    {"head": {"vars": ["s"]}, "results": {"bindings": [{"s": {"type": "literal", "value": "CANARY"}}]}}
).encode()


class _Canary(http.server.BaseHTTPRequestHandler):
    calls: list[str]

    def _answer(self) -> None:
        self.calls.append(f"{self.command} {self.path}")
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(CANARY_ANSWER)))
        self.end_headers()
        self.wfile.write(CANARY_ANSWER)

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def canary() -> Iterator[tuple[str, list[str]]]:
    calls: list[str] = []
    handler = type("Canary", (_Canary,), {"calls": calls})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sparql", calls
    server.shutdown()
    server.server_close()


def variants(url: str) -> list[str]:
    """Queries that would call ``url`` or read a file if they ran; none of them may."""
    service = f"SERVICE <{url}> {{ ?s ?p ?o }}"
    escaped_iri = url.replace("s", "\\u0073", 1)
    hidden = [
        f"SELECT * WHERE {{ # c\r{service}\n}}",
        f"SELECT * WHERE {{ # c\r\n{service}\n}}",
        f"SELECT * WHERE {{ #\r{service} }}",
        f"SELECT * WHERE {{ # c\rOPTIONAL {{ {service} }}\n}}",
        f"SELECT * WHERE {{ ?a ?b ?c # c\rSERVICE SILENT <{url}> {{ ?s ?p ?o }}\n}}",
        f"SELECT * WHERE {{ # x\r{{ ?a ?b ?c }} UNION {{ {service} }}\n}}",
        f"SELECT * WHERE {{ # x\r{{ SELECT * WHERE {{ {service} }} }}\n}}",
        f"SELECT * WHERE {{ ?a ?b ?c # x\rFILTER EXISTS {{ {service} }}\n}}",
        f"SELECT * WHERE {{ ?a ?b ?c # x\rMINUS {{ {service} }}\n}}",
        f"SELECT * # x\rFROM <{url}>\nWHERE {{ ?s ?p ?o }}",
        "SELECT * # x\rFROM <file:///etc/passwd>\nWHERE { ?s ?p ?o }",
        f"SELECT * # x\rFROM NAMED <{url}>\nWHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ # \x0b{service} }}",
        f"SELECT * WHERE {{ # \x0c{service} }}",
        f"SELECT * WHERE {{ # \x85{service} }}",
        f"SELECT * WHERE {{ # \u2028{service} }}",
        f"SELECT * WHERE {{ \x00{service} }}",
        f"ASK {{ # c\r{service}\n}}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ # c\r{service}\n}}",
        f"DESCRIBE ?s WHERE {{ # c\r{service}\n}}",
    ]
    plain = [
        f"SELECT * WHERE {{ {service} }}",
        f"select * where {{ service <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ OPTIONAL {{ {service} }} }}",
        f"SELECT * WHERE {{ {{ ?a ?b ?c }} UNION {{ {service} }} }}",
        f"SELECT * WHERE {{ {{ SELECT * WHERE {{ {service} }} }} }}",
        f"SELECT * WHERE {{ FILTER NOT EXISTS {{ {service} }} }}",
        f'SELECT * WHERE {{ BIND(IRI("{url}") AS ?u) SERVICE ?u {{ ?s ?p ?o }} }}',
        f"SELECT * WHERE {{ VALUES ?u {{ <{url}> }} SERVICE ?u {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE <{escaped_iri}> {{ ?s ?p ?o }} }}",
        f"PREFIX c: <{url}#>\nSELECT * WHERE {{ SERVICE c: {{ ?s ?p ?o }} }}",
        f"BASE <{url}>\nSELECT * WHERE {{ SERVICE <> {{ ?s ?p ?o }} }}",
        f"SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}",
        "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
        f"SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        f"LOAD <{url}>",
        f"LOAD SILENT <{url}> INTO GRAPH <https://example.org/g>",
        f"# c\rLOAD <{url}>",
        f"SELECT * WHERE {{ ?s ?p ?o }} ;\nLOAD <{url}>",
        f"INSERT {{ ?s ?p ?o }} WHERE {{ {service} }}",
    ]
    return hidden + plain


def test_the_corpus_is_large_enough(canary: tuple[str, list[str]]) -> None:
    assert len(variants(canary[0])) == 41


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoint]:
    folder = tmp_path_factory.mktemp("outbound")
    data = folder / "data.nt"
    data.write_text(DATA, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KG_CACHE_DIR", str(folder / "cache"))
        with start_endpoint(project=ROOT, data=[data], port=0, workers=2, timeout=5).start() as running:
            yield running


def _http(url: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_no_query_reaches_the_canary_through_kg_serve(endpoint: Endpoint, canary: tuple[str, list[str]]) -> None:
    url, calls = canary
    answers: dict[str, list[int]] = {}
    for query in variants(url):
        encoded = urllib.parse.quote(query, safe="")
        ways = [
            _http(f"{endpoint.url}?query={encoded}"),
            _http(f"{endpoint.url}?query={encoded.replace('%0D', '%0D%0D')}"),
            _http(endpoint.url, query.encode("utf-8"), {"Content-Type": "application/sparql-query"}),
            _http(
                endpoint.url,
                urllib.parse.urlencode({"query": query}).encode(),
                {"Content-Type": "application/x-www-form-urlencoded"},
            ),
        ]
        answers[query] = [code for code, _ in ways]
        assert all(b"CANARY" not in body for _, body in ways), query
    assert calls == []
    assert {repr(q): codes for q, codes in answers.items() if any(c not in (400, 403) for c in codes)} == {}


def test_no_query_reaches_the_canary_through_kg_query(
    endpoint: Endpoint, canary: tuple[str, list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, calls = canary
    data = tmp_path / "data.nt"
    data.write_text(DATA, encoding="utf-8")
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    outcomes = {}
    for query in variants(url):
        result = run("query", "--project", ROOT, "--data", data, "-e", query)
        outcomes[query] = result.exit_code
        assert "CANARY" not in result.output, query
    assert calls == []
    assert {repr(q): code for q, code in outcomes.items() if code != 1} == {}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "SELECT * WHERE { # c\rSERVICE <http://127.0.0.1:9/> { ?s ?p ?o }\n}",
            "Error: SERVICE is refused: queries here never call other endpoints",
        ),
        (
            "SELECT * WHERE {\n  ?s ?p ?o \x0c}",
            "Error: control character U+000C at line 2, column 12 is not accepted",
        ),
        (
            "SELECT * WHERE { # c\rFROM <file:///etc/passwd>\n}",
            "Error: syntax error at line 2, column 1, near 'FROM <file:///etc/passwd>'",
        ),
    ],
)
def test_kg_query_says_why_in_one_line(
    query: str, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data.nt"
    data.write_text(DATA, encoding="utf-8")
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    result = run("query", "--project", ROOT, "--data", data, "-e", query)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == message


def test_deep_nesting_is_refused_with_an_answer(endpoint: Endpoint) -> None:
    for query in ("SELECT * WHERE { FILTER(" + "(" * 500 + "1" + ")" * 500 + ") }", "ASK " + "{" * 500 + "}" * 500):
        code, body = _http(endpoint.url, query.encode(), {"Content-Type": "application/sparql-query"})
        assert code == 400
        assert body.startswith(b"the query nests brackets deeper than 60 levels (line 1, column ")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the worker sandbox is a Linux network namespace")
def test_a_worker_cannot_call_out_even_past_the_checks(
    canary: tuple[str, list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, calls = canary
    data = tmp_path / "data.nt"
    data.write_text(DATA, encoding="utf-8")
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    store = open_store([data])
    pool = WorkerPool(store.path, {}, size=1)
    try:
        assert pool.network is None
        # Sent straight to a worker: no check stands between this query and the engine.
        with pytest.raises(EngineError):
            pool.run(Job(f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}", "json", None), timeout=10, wait=10)
        assert calls == []
        answer = pool.run(Job("SELECT ?o WHERE { ?s ?p ?o } ORDER BY ?o", "csv", None), timeout=10, wait=10)
        assert answer.body == b"o\r\nA\r\nB\r\n"
    finally:
        pool.close()
        store.close()


def test_a_sandboxed_process_cannot_connect_to_a_listening_port(canary: tuple[str, list[str]]) -> None:
    port = urllib.parse.urlsplit(canary[0]).port
    code = (
        "import socket; from graph.sandbox import deny_network\n"
        "print(deny_network())\n"
        "try:\n"
        f"    socket.create_connection(('127.0.0.1', {port}), timeout=2); print('connected')\n"
        "except OSError as exc:\n"
        "    print(exc.errno)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=True)
    reason, outcome = out.stdout.splitlines()
    if reason != "None":
        pytest.skip(f"no network namespace here: {reason}")
    assert outcome == str(errno.ENETUNREACH)  # the namespace's loopback is down; the canary is out of reach
    assert canary[1] == []
