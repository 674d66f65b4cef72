"""`kg serve`: a SPARQL 1.1 Protocol endpoint that real clients can use and cannot abuse.

The endpoint runs in this process on a free loopback port, with real worker processes;
SPARQLWrapper (a client nobody here wrote) and plain urllib talk to it over HTTP.
"""

from __future__ import annotations

import configparser
import csv
import fnmatch
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS
from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from graph.errors import ConfigError
from graph.library import library
from graph.serve import Endpoint, _allowed_hosts, negotiate, start_endpoint
from tests.conftest import ROOT, run

BASE = "https://example.org/musterland/id/"  # the Musterland fixture (tests/data/musterland)

TIMEOUT = 2.0
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # 4,000³ rows: never ends in time
QUICK = "SELECT ?name WHERE { person:erika-beispiel rdfs:label ?name }"
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SPARQL_RESULTS = "{http://www.w3.org/2005/sparql-results#}"


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("kg-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KG_CACHE_DIR", str(folder))
        yield folder


@pytest.fixture(scope="module")
def served(musterland_built: Path) -> Path:
    """The project the endpoints serve: the built Musterland fixture."""
    return musterland_built


@pytest.fixture(scope="module")
def endpoint(cache: Path, served: Path) -> Iterator[Endpoint]:
    with start_endpoint(project=served, port=0, workers=2, timeout=TIMEOUT, max_result_mb=1).start() as running:
        yield running


def http(
    url: str,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
    method: str | None = None,
) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def get(endpoint: Endpoint, query: str, accept: str = "", **extra: str) -> tuple[int, dict[str, str], bytes]:
    params = urllib.parse.urlencode({"query": query, **extra})
    return http(f"{endpoint.url}?{params}", headers={"Accept": accept} if accept else {})


def client(endpoint: Endpoint) -> SPARQLWrapper:
    sparql = SPARQLWrapper(endpoint.url)
    sparql.setTimeout(30)
    return sparql


# ---------------------------------------------------------------- SPARQLWrapper, a real client


def test_sparqlwrapper_select_as_json_gives_the_same_answer_as_kg_query(
    endpoint: Endpoint, cache: Path, served: Path
) -> None:
    sparql = client(endpoint)
    sparql.setQuery(library()["politicians"].text)
    sparql.setReturnFormat(JSON)
    answer = sparql.queryAndConvert()
    assert isinstance(answer, dict)
    expected = json.loads(run("query", "politicians", "--project", served, "--format", "json").stdout)
    assert answer == expected
    names = [row["name"]["value"] for row in answer["results"]["bindings"]]
    assert names == ["Bernd Neu", "Erika Beispiel", "Hans Muster", "Karl Kern", "Otto Alt", "Petra Probe", "Tom Test"]


def test_sparqlwrapper_construct_as_turtle(endpoint: Endpoint) -> None:
    sparql = client(endpoint)
    sparql.setQuery(
        "PREFIX nik: <https://w3id.org/nrw-integration-kg/ontology#>\n"
        "CONSTRUCT { ?p nik:memberOf ?party } WHERE { ?p nik:memberOf ?party . ?party a nik:PoliticalParty }"
    )
    sparql.setReturnFormat(TURTLE)
    turtle = sparql.queryAndConvert()
    assert isinstance(turtle, bytes)
    graph = Graph().parse(data=turtle, format="turtle")
    member_of = URIRef("https://w3id.org/nrw-integration-kg/ontology#memberOf")
    assert set(graph) == {
        (URIRef(f"{BASE}person/{person}"), member_of, URIRef(f"{BASE}party/{party}"))
        for person, party in (("erika-beispiel", "xyz"), ("hans-muster", "xyz"), ("petra-probe", "uvw"))
    }


def test_sparqlwrapper_update_is_refused_with_403(endpoint: Endpoint) -> None:
    sparql = client(endpoint)
    sparql.setMethod(POST)
    sparql.setQuery("INSERT DATA { <urn:a> <urn:b> <urn:c> }")  # SPARQLWrapper sends it as an update
    with pytest.raises(urllib.error.HTTPError) as refused:
        sparql.query()
    assert refused.value.code == 403
    assert refused.value.read() == b"this endpoint is read-only\n"
    assert get(endpoint, "ASK { <urn:a> <urn:b> <urn:c> }", "application/sparql-results+json")[2] == (
        b'{"head":{},"boolean":false}'
    )


def test_sparqlwrapper_service_query_is_refused_with_400(endpoint: Endpoint) -> None:
    sparql = client(endpoint)
    sparql.setQuery("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    sparql.setReturnFormat(JSON)
    with pytest.raises(QueryBadFormed) as refused:
        sparql.query()
    assert "SERVICE is refused: queries here never call other endpoints" in str(refused.value)


def test_a_slow_query_is_stopped_while_another_client_gets_its_answer(endpoint: Endpoint) -> None:
    slow: dict[str, object] = {}

    def ask_slowly() -> None:
        sparql = client(endpoint)
        sparql.setQuery(SLOW)
        sparql.setReturnFormat(JSON)
        try:
            sparql.query()
        except urllib.error.HTTPError as error:
            slow["code"], slow["body"] = error.code, error.read().decode("utf-8")
        slow["done"] = time.perf_counter()

    started = time.perf_counter()
    thread = threading.Thread(target=ask_slowly)
    thread.start()
    time.sleep(0.3)  # the slow query is running now
    sparql = client(endpoint)
    sparql.setQuery(QUICK)
    sparql.setReturnFormat(JSON)
    answer = sparql.queryAndConvert()
    quick_done = time.perf_counter()
    thread.join()

    assert isinstance(answer, dict)
    assert answer["results"]["bindings"][0]["name"]["value"] == "Erika Beispiel"
    assert quick_done < slow["done"], "the quick answer had to wait for the slow query"  # type: ignore[operator]
    assert slow["code"] == 503
    assert slow["body"] == (
        f"the query ran longer than the time limit of {TIMEOUT:g} s and was stopped; narrow it down or add a LIMIT\n"
    )
    assert TIMEOUT <= slow["done"] - started < TIMEOUT + 5  # type: ignore[operator]
    # The stopped worker was replaced: both workers answer again.
    answers = [get(endpoint, QUICK, "text/csv") for _ in range(4)]
    assert all(code == 200 for code, _, _ in answers)


def test_a_stopped_query_really_stops(endpoint: Endpoint) -> None:
    pids = {worker.process.pid for worker in endpoint.pool._all}
    assert get(endpoint, SLOW)[0] == 503
    killed = pids - {worker.process.pid for worker in endpoint.pool._all}
    assert len(killed) == 1
    pid = killed.pop()
    assert not Path(f"/proc/{pid}").exists() or "zombie" not in Path(f"/proc/{pid}/status").read_text()


# ---------------------------------------------------------------- the protocol, with plain HTTP


def test_get_post_form_and_post_query_give_the_same_answer(endpoint: Endpoint) -> None:
    accept = {"Accept": "text/csv"}
    by_get = get(endpoint, QUICK, "text/csv")
    form = urllib.parse.urlencode({"query": QUICK}).encode()
    by_form = http(endpoint.url, form, {**accept, "Content-Type": "application/x-www-form-urlencoded"})
    by_body = http(endpoint.url, QUICK.encode(), {**accept, "Content-Type": "application/sparql-query"})
    for code, headers, body in (by_get, by_form, by_body):
        assert code == 200
        assert headers["Content-Type"] == "text/csv; charset=utf-8"
        assert list(csv.reader(io.StringIO(body.decode("utf-8")))) == [["name"], ["Erika Beispiel"]]


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
        ("*/*", "application/sparql-results+json"),
        ("", "application/sparql-results+json"),
    ],
)
def test_content_negotiation_for_tables(endpoint: Endpoint, accept: str, media_type: str) -> None:
    code, headers, body = get(endpoint, QUICK, accept)
    assert code == 200
    assert headers["Content-Type"] == f"{media_type}; charset=utf-8"
    if media_type.endswith("xml"):
        assert ET.fromstring(body).find(f".//{SPARQL_RESULTS}literal").text == "Erika Beispiel"  # type: ignore[union-attr]
    elif media_type.endswith("json"):
        assert json.loads(body)["results"]["bindings"] == [
            {"name": {"type": "literal", "value": "Erika Beispiel", "xml:lang": "de"}}
        ]
    else:
        assert body.decode("utf-8").splitlines() == ["?name", '"Erika Beispiel"@de']


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/rdf+xml", "xml"),
        ("application/ld+json", "json-ld"),
    ],
)
def test_content_negotiation_for_graphs(endpoint: Endpoint, accept: str, rdflib_format: str) -> None:
    code, headers, body = get(endpoint, "DESCRIBE person:erika-beispiel", accept)
    assert code == 200
    assert headers["Content-Type"].split(";")[0] == accept
    graph = Graph().parse(data=body, format=rdflib_format)
    beispiel = URIRef(f"{BASE}person/erika-beispiel")
    assert (beispiel, RDFS.label, Literal("Erika Beispiel", lang="de")) in graph


def test_an_unacceptable_accept_header_gets_406(endpoint: Endpoint) -> None:
    code, _, body = get(endpoint, QUICK, "image/png")
    assert code == 406
    assert body.decode().startswith("this result comes as: application/sparql-results+json, application/json,")


def test_a_format_parameter_overrides_accept(endpoint: Endpoint) -> None:
    code, headers, _ = get(endpoint, QUICK, "application/sparql-results+json", format="csv")
    assert code == 200 and headers["Content-Type"] == "text/csv; charset=utf-8"
    assert get(endpoint, QUICK, format="png")[2].startswith(b"unknown format 'png'; use one of: csv, json, ")


@pytest.mark.parametrize(
    ("query", "extra", "message"),
    [
        (
            "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
            {},
            "FROM and FROM NAMED are refused: the graph is the store's default graph; remove the clause",
        ),
        (
            "SELECT * FROM NAMED <http://example.org/g> WHERE { GRAPH ?g { ?s ?p ?o } }",
            {},
            "FROM and FROM NAMED are refused: the graph is the store's default graph; remove the clause",
        ),
        (
            QUICK,
            {"default-graph-uri": "file:///etc/passwd"},
            "default-graph-uri and named-graph-uri are refused: the graph is the store's default graph",
        ),
        ("SELECT ?s WHERE { ?s ?p }", {}, "syntax error at line 1, column 19, near '?s ?p }'"),  # the incomplete triple
    ],
)
def test_dataset_clauses_and_bad_syntax_get_400(
    endpoint: Endpoint, query: str, extra: dict[str, str], message: str
) -> None:
    code, _, body = get(endpoint, query, **extra)
    assert (code, body.decode("utf-8")) == (400, message + "\n")


@pytest.mark.parametrize(
    ("method", "content_type", "data"),
    [
        ("POST", "application/sparql-update", b"DROP ALL"),
        ("POST", "application/x-www-form-urlencoded", b"update=DROP+ALL"),
        ("POST", "application/x-www-form-urlencoded", b"query=CLEAR+DEFAULT"),
        ("PUT", "text/turtle", b"<urn:a> <urn:b> <urn:c> ."),
        ("DELETE", "text/plain", b""),
    ],
)
def test_every_kind_of_write_gets_403(endpoint: Endpoint, method: str, content_type: str, data: bytes) -> None:
    code, _, _ = http(endpoint.url, data, {"Content-Type": content_type}, method=method)
    assert code == 403
    assert get(endpoint, "ASK { person:erika-beispiel a nik:Politician }", "text/csv")[2] == b"true"


def test_results_beyond_the_size_limit_are_refused(endpoint: Endpoint) -> None:
    code, _, body = get(
        endpoint, "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } LIMIT 200000", "application/sparql-results+json"
    )
    assert code == 422
    assert body == b"the result is larger than the limit of 1 MB; select fewer rows (LIMIT) or columns\n"


def test_requests_for_another_host_name_are_refused(endpoint: Endpoint) -> None:
    # DNS rebinding: a page on attacker.example resolving to 127.0.0.1 sends its own Host.
    code, _, body = http(f"{endpoint.url}?query=ASK%7B%7D", headers={"Host": f"attacker.example:{endpoint.port}"})
    assert (code, body) == (403, b"this server answers only requests to localhost\n")
    assert http(f"{endpoint.url}?query=ASK%7B%7D", headers={"Host": f"localhost:{endpoint.port}"})[0] == 200


def test_oversized_and_unknown_requests(endpoint: Endpoint) -> None:
    big = b"query=" + b"x" * 1_000_001
    code, _, _ = http(endpoint.url, big, {"Content-Type": "application/x-www-form-urlencoded"})
    assert code == 413
    code, _, _ = http(endpoint.url, b"{}", {"Content-Type": "application/json"})
    assert code == 415
    assert http(endpoint.url.replace("/sparql", "/nothing"))[0] == 404


# ---------------------------------------------------------------- named questions over HTTP


def test_a_named_question_with_parameters_answers_as_kg_query_does(endpoint: Endpoint, served: Path) -> None:
    root = endpoint.url.removesuffix("sparql")
    code, headers, body = http(f"{root}queries/participation?entity=erika-beispiel")
    assert code == 200 and headers["Content-Type"] == "application/sparql-results+json; charset=utf-8"
    expected = run("query", "participation", "-P", "entity=erika-beispiel", "--project", served, "--format", "json")
    assert json.loads(body) == json.loads(expected.stdout)
    code, headers, body = http(f"{root}queries/statistics?area=altstadt&format=csv")
    assert code == 200 and headers["Content-Type"] == "text/csv; charset=utf-8"
    assert len(body.decode("utf-8").splitlines()) == 3  # the two figures on Altstadt in text c


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        (
            "queries/participaton",
            404,
            "no question 'participaton' (did you mean 'participation'?); GET /queries lists them",
        ),
        (
            "queries/participation?entity=erika-beispil",
            400,
            "unknown entity 'erika-beispil' for ?entity (did you mean 'erika-beispiel'?)",
        ),
        ("queries/participation?name=x", 400, "query 'participation' has no parameter 'name' (its parameters: entity)"),
    ],
)
def test_named_question_errors(endpoint: Endpoint, path: str, status: int, message: str) -> None:
    code, _, body = http(endpoint.url.removesuffix("sparql") + path)
    assert (code, body.decode("utf-8")) == (status, message + "\n")


# ---------------------------------------------------------------- CORS: off unless configured


def test_cors_is_off_by_default(endpoint: Endpoint) -> None:
    request = urllib.request.Request(endpoint.url + "?" + urllib.parse.urlencode({"query": QUICK}))
    request.add_header("Origin", "https://example.org")
    with urllib.request.urlopen(request, timeout=30) as response:
        assert "Access-Control-Allow-Origin" not in response.headers
    code, _, _ = http(
        endpoint.url,
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST"},
        method="OPTIONS",
    )
    assert code == 403


def test_cors_for_a_configured_origin_only(cache: Path, served: Path) -> None:
    with start_endpoint(project=served, port=0, workers=1, cors_origin=["https://yasgui.example"]).start() as allowed:
        query = f"{allowed.url}?{urllib.parse.urlencode({'query': QUICK})}"
        _, headers, _ = http(query, headers={"Origin": "https://yasgui.example"})
        assert headers["Access-Control-Allow-Origin"] == "https://yasgui.example"
        _, headers, _ = http(query, headers={"Origin": "https://other.example"})
        assert "Access-Control-Allow-Origin" not in headers
        code, headers, _ = http(allowed.url, headers={"Origin": "https://yasgui.example"}, method="OPTIONS")
        assert code == 204 and "POST" in headers["Access-Control-Allow-Methods"]


# ---------------------------------------------------------------- description and query page


def test_service_description(endpoint: Endpoint, served: Path) -> None:
    code, headers, body = http(endpoint.url, headers={"Accept": "text/turtle"})
    assert code == 200 and headers["Content-Type"] == "text/turtle; charset=utf-8"
    graph = Graph().parse(data=body, format="turtle")
    service = URIRef(endpoint.url)
    assert (service, RDF.type, SD.Service) in graph
    assert (service, SD.endpoint, service) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    triples = graph.value(
        graph.value(graph.value(service, SD.defaultDataset), SD.defaultGraph), URIRef("http://rdfs.org/ns/void#triples")
    )
    loaded = Graph().parse(served / "exports" / "kg.nt").parse(ROOT / "ontology" / "ontology.ttl")
    assert triples is not None and int(triples) == len(loaded)  # the export carries the class hierarchy too


def test_the_query_page_loads_nothing_from_elsewhere(endpoint: Endpoint) -> None:
    root = endpoint.url.removesuffix("sparql")
    code, headers, body = http(root)
    assert code == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Content-Security-Policy"].startswith("default-src 'self'")
    page = body.decode("utf-8")
    links = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sorted(links) == ["static/query.css", "static/query.js"]
    for link in links:
        code, _, asset = http(root + link)
        assert code == 200 and asset
        assert not re.search(rb"https?://|//cdn", asset), f"{link} refers to another server"
    queries = json.loads(http(root + "queries")[2])
    assert [q["name"] for q in queries["queries"]] == sorted(library())
    assert http(root + "static/../graph/store.py")[0] == 404


# ---------------------------------------------------------------- start-up and negotiation


def test_a_port_in_use_is_a_clear_error(endpoint: Endpoint, served: Path) -> None:
    with pytest.raises(ConfigError, match=rf"cannot listen on 127.0.0.1:{endpoint.port}: .*\(choose another --port\)"):
        start_endpoint(project=served, port=endpoint.port, workers=1)


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "json"),
        ("text/csv", "csv"),
        ("text/*", "xml"),  # the first offered text/ type
        ("application/xml;q=0.1, text/csv;q=0.2", "csv"),
        ("text/csv;q=0", None),
        ("image/png", None),
    ],
)
def test_negotiate(accept: str | None, expected: str | None) -> None:
    offered = {"application/json": "json", "text/xml": "xml", "text/csv": "csv"}
    assert negotiate(accept, offered) == expected


def test_kg_serve_command_serves_until_terminated(cache: Path, served: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "graph", "serve", "--project", str(served), "--port", "0", "--workers", "1"],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "KG_CACHE_DIR": str(cache)},
    )
    try:
        assert process.stderr is not None
        lines = []
        for line in process.stderr:
            lines.append(line)
            if line.startswith("SPARQL endpoint: "):
                break
        url = lines[-1].split()[2]
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/sparql", url), lines
        code, _, body = http(f"{url}?{urllib.parse.urlencode({'query': QUICK})}", headers={"Accept": "text/csv"})
        assert (code, body) == (200, b"name\r\nErika Beispiel\r\n")
        workers = [p for p in Path("/proc").glob("[0-9]*") if _parent(p) == process.pid]
        assert len(workers) == 1
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
        assert "stopped" in process.stderr.read()
        assert not any(p.exists() and "zombie" not in (p / "status").read_text() for p in workers)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _parent(proc: Path) -> int | None:
    try:
        fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1])


def test_the_package_ships_the_page_and_the_questions() -> None:
    # Installed from a wheel, graph/static and graph/queries must come along (setup.cfg package_data).
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    patterns = [p.strip() for p in config["options.package_data"]["graph"].split(",")]
    package = ROOT / "graph"
    for folder in ("static", "queries"):
        files = [p.relative_to(package).as_posix() for p in (package / folder).iterdir()]
        assert files and all(any(fnmatch.fnmatch(f, pattern) for pattern in patterns) for f in files), folder


def browser() -> str:
    """Chromium from $KG_CHROMIUM or the PATH; skips the test without it, unless KG_REQUIRE_BROWSER is set."""
    for name in (os.environ.get("KG_CHROMIUM"), "chromium", "chromium-browser"):
        found = shutil.which(name) if name else None
        if found:
            return found
    if os.environ.get("KG_REQUIRE_BROWSER"):
        pytest.fail("chromium is required (KG_REQUIRE_BROWSER is set) but not installed")
    pytest.skip("chromium not installed (Debian: apt-get install chromium); .ci/run installs it")


def test_the_query_page_runs_a_query_in_a_real_browser_offline(endpoint: Endpoint, tmp_path: Path) -> None:
    executable = browser()
    # Every request that does not go to this server is sent to a proxy that does not exist,
    # so the page only works if it needs nothing from elsewhere.
    page = endpoint.url.removesuffix("sparql") + "?" + urllib.parse.urlencode({"query": QUICK})
    done = subprocess.run(
        [
            executable,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--proxy-server=http://127.0.0.1:9",  # loopback addresses bypass it
            "--virtual-time-budget=15000",
            "--dump-dom",
            page,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    assert re.search(r'<p id="status" role="status"( class="")?>1 row in [0-9.]+ s</p>', dom), dom[-3000:]
    assert "<th>name</th>" in dom and "Erika Beispiel" in dom
    assert "— a named question —" in dom and "participation — Which events did" in dom  # /queries loaded


@pytest.mark.parametrize(
    ("host", "port", "allowed"),
    [
        ("127.0.0.1", 8765, {"localhost:8765", "127.0.0.1:8765", "[::1]:8765"}),
        ("::1", 80, {"localhost", "127.0.0.1", "[::1]", "localhost:80", "127.0.0.1:80", "[::1]:80"}),
        ("0.0.0.0", 8765, None),  # listening for everyone: any Host
    ],
)
def test_host_names_accepted(host: str, port: int, allowed: set[str] | None) -> None:
    assert _allowed_hosts(host, port) == (None if allowed is None else frozenset(allowed))


def test_an_ipv6_loopback_endpoint(cache: Path, served: Path) -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6")
    try:
        running = start_endpoint(project=served, host="::1", port=0, workers=1).start()
    except ConfigError as exc:
        pytest.skip(f"IPv6 loopback unavailable: {exc}")
    with running:
        assert running.url == f"http://[::1]:{running.port}/sparql"
        code, _, body = http(
            f"{running.url}?{urllib.parse.urlencode({'query': QUICK})}", headers={"Accept": "text/csv"}
        )
        assert (code, body) == (200, b"name\r\nErika Beispiel\r\n")
