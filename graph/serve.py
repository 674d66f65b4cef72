"""``kg serve``: a read-only SPARQL 1.1 Protocol endpoint with a query page.

Requests are handled by threads; queries run in worker processes (:mod:`graph.workers`)
on the cached query store (:mod:`graph.store`), each with a time limit that really stops
it, so a slow query never holds up other clients. Every query first passes the checks of
:func:`graph.sparql.check_query`: updates are refused with 403; ``SERVICE``, ``FROM`` /
``FROM NAMED`` and the dataset parameters with 400.

Routes: ``/sparql`` (the protocol: GET, or POST as a form or ``application/sparql-query``;
without a query, the service description), ``/`` (the query page), ``/static/…`` (its
script and style, served from the package: nothing is loaded from elsewhere),
``/queries`` (the named questions as JSON) and ``/queries/NAME?param=value`` (a named
question with its parameters bound as RDF terms, as ``kg query NAME --param`` does).
"""

from __future__ import annotations

import functools
import ipaddress
import json
import os
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, VOID

from graph import engine
from graph.errors import ConfigError, QueryError, QueryRefused, suggest
from graph.formats import FORMAT_PARAMETERS, UnknownFormat, choose, negotiate, offered, requested_format
from graph.library import library
from graph.project import load_project
from graph.query import bind_parameters, prefixes_for, segments
from graph.sparql import QueryInfo, check_query, load_parser
from graph.store import QueryStore, answer_key, graph_files, open_store
from graph.workers import Job, PoolBusy, PoolCrash, PoolSlowFull, PoolTimeout, WorkerPool

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
DEFAULT_TIMEOUT = 10.0
#: How long a request waits for a free worker before it is answered 503.
QUEUE_WAIT = 5.0
#: How long a refused long query waits for its 503, so that clients retrying at once do not
#: busy the server (a thread sleeping costs nothing; answering costs CPU).
SLOW_REFUSAL_DELAY = 1.0
DEFAULT_MAX_RESULT_MB = 50
MAX_BODY = 1_000_000
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS_NS = Namespace("http://www.w3.org/ns/formats/")
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")

DESCRIPTION_TYPES = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml"}
_STATIC = {"query.js": "text/javascript", "query.css": "text/css", "index.html": "text/html"}

Progress = Callable[[str], None]


def _silent(message: str) -> None:
    pass


class HTTPProblem(Exception):
    """An answer other than 200, with a one-line message for the client."""

    def __init__(self, status: HTTPStatus, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


@dataclass
class Settings:
    """What the request handlers need to know (shared by all threads, read-only)."""

    pool: WorkerPool
    store: ox.Store
    base: str
    prefixes: dict[str, str]
    triples: int
    timeout: float
    max_bytes: int
    cors_origins: frozenset[str]
    allowed_hosts: frozenset[str] | None
    progress: Progress
    answers: QueryStore | None = None  # keeps the named questions' answers (see QueryStore.remember)


def service_description(endpoint: str, triples: int, timeout: float, max_bytes: int) -> Graph:
    """The SPARQL 1.1 Service Description of the endpoint."""
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in (("sd", SD), ("formats", FORMATS_NS), ("void", VOID), ("rdfs", RDFS), ("dct", DCTERMS)):
        graph.bind(prefix, namespace)
    service, dataset, default = URIRef(endpoint), BNode("dataset"), BNode("defaultGraph")
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, service))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    for name in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV"):
        graph.add((service, SD.resultFormat, FORMATS_NS[name]))
    for name in ("Turtle", "N3", "N-Triples", "RDF_XML", "JSON-LD"):
        graph.add((service, SD.resultFormat, FORMATS_NS[name]))
    graph.add((service, DCTERMS.title, Literal("NRW integration knowledge graph", lang="en")))
    graph.add(
        (
            service,
            RDFS.comment,
            Literal(
                f"Read-only. Each query may run {timeout:g} s and return {max_bytes // 1_000_000} MB; "
                "updates, SERVICE and FROM/FROM NAMED are refused.",
                lang="en",
            ),
        )
    )
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    graph.add((default, VOID.triples, Literal(triples)))
    return graph


@functools.cache
def _static(name: str) -> bytes:
    return (resources.files("graph") / "static" / name).read_bytes()


@functools.cache
def _queries_json(prefixes: tuple[tuple[str, str], ...]) -> bytes:
    named = [
        {
            "name": q.name,
            "question_en": q.question_en,
            "question_de": q.question_de,
            "parameters": [{"name": p.name, "description": p.description} for p in q.parameters],
            "text": q.text,
        }
        for q in library().values()
    ]
    return json.dumps({"queries": named, "prefixes": dict(prefixes)}, ensure_ascii=False).encode("utf-8")


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    timeout = 60  # seconds to wait for a slow client before dropping the connection
    server_version = "kg-sparql"

    # -- plumbing -------------------------------------------------------------

    @property
    def settings(self) -> Settings:
        return self.server.settings

    def log_message(self, format: str, *args: object) -> None:
        self.settings.progress(f"{self.client_address[0]} {format % args}")

    def _send(self, status: HTTPStatus, body: bytes, media_type: str, headers: dict[str, str] | None = None) -> None:
        textual = media_type.startswith("text/") or media_type.endswith(("json", "xml"))
        if textual and "charset=" not in media_type:
            media_type += "; charset=utf-8"
        self.send_response(status)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-store")
        for name, value in {**self._cors_headers(), **(headers or {})}.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Answer what http.server itself refuses (a malformed request line or header) like our own problems.

        An unreadable request line leaves the request version at HTTP/0.9, which would send
        a bare HTML page without a status line; every client here speaks HTTP/1.x.
        """
        if self.request_version == "HTTP/0.9":
            self.request_version = "HTTP/1.1"
        self.close_connection = True
        status = HTTPStatus(code)
        body = f"{message or status.phrase}\n".encode("utf-8", "replace")
        self.send_response(code)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and code >= 200 and code not in (HTTPStatus.NO_CONTENT, HTTPStatus.NOT_MODIFIED):
            self.wfile.write(body)

    def _problem(self, problem: HTTPProblem) -> None:
        self._send(problem.status, (str(problem) + "\n").encode("utf-8"), "text/plain", problem.headers)

    def _cors_headers(self) -> dict[str, str]:
        origin = self.headers.get("Origin")
        allowed = self.settings.cors_origins
        if origin is None or not allowed:
            return {}
        if "*" in allowed:
            return {"Access-Control-Allow-Origin": "*"}
        if origin in allowed:
            return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
        return {}

    def _handle(self, action: Callable[[], None]) -> None:
        try:
            self._check_host()
            action()
        except HTTPProblem as problem:
            self._problem(problem)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client went away
        except Exception as exc:  # a bug must still get an answer, not a dropped connection
            self.settings.progress(f"error: {type(exc).__name__}: {exc}")
            self.close_connection = True
            self._problem(HTTPProblem(HTTPStatus.INTERNAL_SERVER_ERROR, "the server failed on this request"))

    def _check_host(self) -> None:
        # A web page whose domain resolves to 127.0.0.1 (DNS rebinding) sends its own name as Host.
        allowed = self.settings.allowed_hosts
        hosts = self.headers.get_all("Host") or []
        if len(hosts) > 1:
            raise HTTPProblem(HTTPStatus.BAD_REQUEST, "the request has more than one Host header")
        if allowed is not None and (hosts[0] if hosts else "").lower() not in allowed:
            raise HTTPProblem(HTTPStatus.FORBIDDEN, "this server answers only requests to localhost")

    # -- methods --------------------------------------------------------------

    def do_GET(self) -> None:
        self._handle(self._get)

    def do_HEAD(self) -> None:
        self._handle(self._get)

    def do_POST(self) -> None:
        self._handle(self._post)

    def _read_only(self) -> None:
        raise HTTPProblem(HTTPStatus.FORBIDDEN, "this endpoint is read-only")

    def do_PUT(self) -> None:
        self._handle(self._read_only)

    def do_DELETE(self) -> None:
        self._handle(self._read_only)

    def do_PATCH(self) -> None:
        self._handle(self._read_only)

    def do_OPTIONS(self) -> None:
        def preflight() -> None:
            if not self._cors_headers():
                raise HTTPProblem(
                    HTTPStatus.FORBIDDEN, "cross-origin requests are not enabled (kg serve --cors-origin)"
                )
            self._send(
                HTTPStatus.NO_CONTENT,
                b"",
                "text/plain",
                {
                    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                    "Access-Control-Allow-Headers": "Content-Type, Accept",
                    "Access-Control-Max-Age": "600",
                },
            )

        self._handle(preflight)

    # -- routes ---------------------------------------------------------------

    def _get(self) -> None:
        url = urlsplit(self.path)
        if url.path in ("/", "/index.html"):
            self._send(HTTPStatus.OK, _static("index.html"), "text/html", {"Content-Security-Policy": _CSP})
        elif url.path.startswith("/static/") and url.path[len("/static/") :] in _STATIC:
            name = url.path[len("/static/") :]
            self._send(HTTPStatus.OK, _static(name), _STATIC[name])
        elif url.path == "/queries":
            self._send(HTTPStatus.OK, _queries_json(tuple(sorted(self.settings.prefixes.items()))), "application/json")
        elif url.path.startswith("/queries/"):
            self._named(unquote(url.path[len("/queries/") :]), parse_qs(url.query, keep_blank_values=True))
        elif url.path == "/sparql":
            fields = parse_qs(url.query, keep_blank_values=True)
            if "query" not in fields and "update" not in fields:
                self._describe()
            else:
                self._protocol(fields)
        else:
            raise HTTPProblem(HTTPStatus.NOT_FOUND, f"nothing at {url.path}; the endpoint is /sparql")

    def _post(self) -> None:
        url = urlsplit(self.path)
        if url.path != "/sparql":
            raise HTTPProblem(HTTPStatus.NOT_FOUND, f"nothing at {url.path}; the endpoint is /sparql")
        media = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        body = self._body()
        fields = parse_qs(url.query, keep_blank_values=True)
        if media == "application/x-www-form-urlencoded":
            try:
                fields.update(parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False))
            except UnicodeDecodeError:
                raise HTTPProblem(HTTPStatus.BAD_REQUEST, "the form is not UTF-8") from None
        elif media == "application/sparql-query":
            try:
                fields["query"] = [body.decode("utf-8")]
            except UnicodeDecodeError:
                raise HTTPProblem(HTTPStatus.BAD_REQUEST, "the query is not UTF-8") from None
        elif media == "application/sparql-update":
            self._read_only()
        else:
            raise HTTPProblem(
                HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                "send the query as application/sparql-query or as a form (application/x-www-form-urlencoded)",
            )
        self._protocol(fields)

    def _body(self) -> bytes:
        length = self.headers.get("Content-Length")
        if length is None:
            raise HTTPProblem(HTTPStatus.LENGTH_REQUIRED, "a POST needs a Content-Length")
        if not (length.isascii() and length.isdigit()) or len(self.headers.get_all("Content-Length") or []) > 1:
            self.close_connection = True  # where the body ends is unknown
            raise HTTPProblem(HTTPStatus.BAD_REQUEST, "Content-Length must be one number of bytes")
        if int(length) > MAX_BODY:
            self.close_connection = True
            if int(length) <= 16 * MAX_BODY:  # read it, so the client is not cut off while sending
                remaining = int(length)
                while remaining > 0:
                    chunk = self.rfile.read(min(remaining, 65536))
                    if not chunk:
                        break
                    remaining -= len(chunk)
            raise HTTPProblem(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                f"the request is larger than {MAX_BODY:,} bytes",
                {"Connection": "close"},
            )
        return self.rfile.read(int(length))

    def _describe(self) -> None:
        accept = self.headers.get("Accept") or ""
        if "text/html" in accept:  # a browser: show the query page
            self._send(HTTPStatus.OK, _static("index.html"), "text/html", {"Content-Security-Policy": _CSP})
            return
        fmt = negotiate(accept, DESCRIPTION_TYPES)
        if fmt is None:
            raise HTTPProblem(HTTPStatus.NOT_ACCEPTABLE, f"the description comes as: {', '.join(DESCRIPTION_TYPES)}")
        if self.settings.allowed_hosts is not None:  # the Host header was checked: a loopback name
            host = self.headers.get("Host", "")
        else:
            address, port = self.server.server_address[:2]
            host = f"{address!s}:{port}"
        endpoint = f"http://{host}/sparql"
        graph = service_description(endpoint, self.settings.triples, self.settings.timeout, self.settings.max_bytes)
        media = next(m for m, f in DESCRIPTION_TYPES.items() if f == fmt)
        self._send(HTTPStatus.OK, graph.serialize(format=fmt, encoding="utf-8"), media)

    def _protocol(self, fields: dict[str, list[str]]) -> None:
        if "update" in fields:
            self._read_only()
        if "default-graph-uri" in fields or "named-graph-uri" in fields:
            raise HTTPProblem(
                HTTPStatus.BAD_REQUEST,
                "default-graph-uri and named-graph-uri are refused: the graph is the store's default graph",
            )
        queries = fields.get("query", [])
        if len(queries) != 1:
            raise HTTPProblem(HTTPStatus.BAD_REQUEST, "give exactly one query parameter")
        text = queries[0]
        info = self._check(text)
        self._run(Job(info.text, self._format(fields, info.returns_graph), self.settings.max_bytes))

    def _named(self, name: str, fields: dict[str, list[str]]) -> None:
        """A named question with parameters bound as terms, as ``kg query NAME --param …`` does."""
        named = library().get(name)
        if named is None:
            hint = suggest(name, library())
            raise HTTPProblem(HTTPStatus.NOT_FOUND, f"no question '{name}'{hint}; GET /queries lists them")
        settings = self.settings
        info = self._check(named.text)
        pairs = [f"{key}={value}" for key, values in fields.items() if key not in FORMAT_PARAMETERS for value in values]
        try:
            bound = bind_parameters(pairs, info, named, settings.store, settings.base, settings.prefixes)
        except QueryError as exc:
            raise HTTPProblem(HTTPStatus.BAD_REQUEST, str(exc)) from None
        fmt = self._format(fields, returns_graph=False)
        key = answer_key(info.text, fmt, bound, settings.max_bytes)
        hit = settings.answers.cached(key) if settings.answers is not None else None
        if hit is not None:
            self._send(HTTPStatus.OK, hit[0], hit[1]["media_type"], {"X-Query-Seconds": "0.000"})
            return
        self._run(Job(info.text, fmt, settings.max_bytes, {v.value: term for v, term in bound.items()}), key)

    def _run(self, job: Job, remember: str | None = None) -> None:
        settings = self.settings
        started = time.perf_counter()
        try:
            result = settings.pool.run(job, settings.timeout, wait=min(QUEUE_WAIT, settings.timeout))
        except PoolTimeout:
            raise HTTPProblem(
                HTTPStatus.SERVICE_UNAVAILABLE,
                f"the query ran longer than the time limit of {settings.timeout:g} s and was stopped; "
                "narrow it down or add a LIMIT",
            ) from None
        except PoolSlowFull:
            time.sleep(SLOW_REFUSAL_DELAY)
            raise HTTPProblem(
                HTTPStatus.SERVICE_UNAVAILABLE,
                f"too many long-running queries at once (at most {settings.pool.max_slow}); "
                "this one was stopped: try again shortly, or narrow it down",
                {"Retry-After": "10"},
            ) from None
        except PoolBusy:
            raise HTTPProblem(
                HTTPStatus.SERVICE_UNAVAILABLE, "all query workers are busy; try again shortly", {"Retry-After": "5"}
            ) from None
        except PoolCrash:
            raise HTTPProblem(
                HTTPStatus.INTERNAL_SERVER_ERROR, "the query stopped its worker (out of memory?)"
            ) from None
        except engine.EngineError as exc:
            if exc.kind == "too-large":
                raise HTTPProblem(
                    HTTPStatus.UNPROCESSABLE_ENTITY,
                    f"the result is larger than the limit of {settings.max_bytes // 1_000_000} MB; "
                    "select fewer rows (LIMIT) or columns",
                ) from None
            status = HTTPStatus.BAD_REQUEST if exc.kind == "syntax" else HTTPStatus.INTERNAL_SERVER_ERROR
            raise HTTPProblem(status, str(exc)) from None
        if remember is not None and settings.answers is not None:
            settings.answers.remember(remember, result.body, media_type=result.media_type, count=result.count)
        self._send(
            HTTPStatus.OK, result.body, result.media_type, {"X-Query-Seconds": f"{time.perf_counter() - started:.3f}"}
        )

    def _check(self, text: str) -> QueryInfo:
        try:
            return check_query(text, self.settings.prefixes)
        except QueryRefused as exc:
            status = HTTPStatus.FORBIDDEN if str(exc).startswith("updates are refused") else HTTPStatus.BAD_REQUEST
            raise HTTPProblem(status, str(exc)) from None
        except QueryError as exc:
            raise HTTPProblem(HTTPStatus.BAD_REQUEST, str(exc)) from None

    def _format(self, fields: dict[str, list[str]], returns_graph: bool) -> str:
        """The engine format: from the ``format``/``output`` parameter, else the Accept header."""
        try:
            fmt = requested_format(fields, returns_graph)
        except UnknownFormat as exc:
            raise HTTPProblem(HTTPStatus.BAD_REQUEST, str(exc)) from None
        if fmt is not None:
            return fmt
        fmt = choose(self.headers.get("Accept"), returns_graph)
        if fmt is None:
            raise HTTPProblem(HTTPStatus.NOT_ACCEPTABLE, f"this result comes as: {', '.join(offered(returns_graph))}")
        return fmt


# The page may load nothing from elsewhere, and nothing inline: a browser enforces "works offline".
_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; frame-ancestors 'none'"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    settings: Settings


class _Server6(_Server):
    address_family = socket.AF_INET6


@dataclass
class Endpoint:
    """A running endpoint; call :meth:`serve_forever` (blocks) or use it from another thread."""

    server: _Server
    store: QueryStore
    pool: WorkerPool
    host: str
    port: int
    _thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The SPARQL endpoint's URL."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/sparql"

    def serve_forever(self) -> None:
        self.server.serve_forever(poll_interval=0.2)

    def start(self) -> Endpoint:
        """Serve from a background thread (for tests and notebooks)."""
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving, stop the workers and release the store."""
        if self._thread is not None:
            self.server.shutdown()
            self._thread.join()
        self.server.server_close()
        self.pool.close()
        self.store.close()

    def __enter__(self) -> Endpoint:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def start_endpoint(
    project: Path | str = ".",
    data: Sequence[Path | str] = (),
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    workers: int | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_result_mb: int = DEFAULT_MAX_RESULT_MB,
    cors_origin: Sequence[str] = (),
    progress: Progress | None = None,
) -> Endpoint:
    """Load the graph, start the workers and bind the port; nothing is served yet.

    Args:
        project: The project folder (its ``exports/kg.nt`` and ontology are served).
        data: RDF files to serve instead of ``exports/kg.nt`` (the ontology is added).
        host: The address to listen on; the loopback address by default.
        port: The port; 0 picks a free one (see :attr:`Endpoint.port`).
        workers: Queries that can run at once (default: one per CPU, at least 2, at most 8).
        timeout: Seconds a query may run before it is stopped.
        max_result_mb: The largest result, in MB, before the query is stopped.
        cors_origin: Web origins allowed to read answers (``*`` for any); none by default.
        progress: Called with the start-up steps and one line per request.

    Raises:
        ConfigError: When the graph cannot be loaded or the port cannot be bound.
    """
    say = progress or _silent
    settings = load_project(project)
    store = open_store(graph_files(project, data), progress=say)
    try:
        prefixes = prefixes_for(settings.base, segments(store.store))
        load_parser()  # so that the first request is checked as fast as the next
        size = workers or min(8, max(2, os.cpu_count() or 2))
        say(f"starting {size} query workers")
        pool = WorkerPool(store.path, prefixes, size)
    except (OSError, RuntimeError) as exc:
        store.close()
        raise ConfigError(f"cannot start the query workers: {exc}") from exc
    server_class = _Server6 if ":" in host else _Server
    try:
        server = server_class((host, port), _Handler)
    except OSError as exc:
        pool.close()
        store.close()
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror} (choose another --port)") from exc
    bound_port = int(server.server_address[1])
    server.settings = Settings(
        pool=pool,
        store=store.store,
        base=settings.base,
        prefixes=prefixes,
        triples=store.triples,
        timeout=timeout,
        max_bytes=max_result_mb * 1_000_000,
        cors_origins=frozenset(cors_origin),
        allowed_hosts=_allowed_hosts(host, bound_port),
        progress=say,
        answers=store,
    )
    return Endpoint(server, store, pool, host, bound_port)


def _allowed_hosts(host: str, port: int) -> frozenset[str] | None:
    """The Host headers to accept: loopback names when listening on loopback, else any."""
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback:
        return None
    names = {f"{name}:{port}" for name in LOOPBACK_NAMES}
    if port == 80:  # browsers leave out the default port
        names.update(LOOPBACK_NAMES)
    return frozenset(names)


def serve(
    project: Path | str = ".",
    data: Sequence[Path | str] = (),
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    workers: int | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_result_mb: int = DEFAULT_MAX_RESULT_MB,
    cors_origin: Sequence[str] = (),
    progress: Progress | None = None,
) -> None:
    """Serve until interrupted (Ctrl-C); see :func:`start_endpoint` for the arguments."""
    say = progress or _silent
    endpoint = start_endpoint(project, data, host, port, workers, timeout, max_result_mb, cors_origin, say)
    try:
        say(f"SPARQL endpoint: {endpoint.url}  (query page: {endpoint.url.removesuffix('sparql')}; Ctrl-C stops)")
        if endpoint.server.settings.allowed_hosts is None:
            say(f"warning: listening on {host}: anyone who can reach this machine can query the graph")
        if endpoint.pool.network is not None:
            say(
                f"warning: the query workers could not be cut off from the network ({endpoint.pool.network}); "
                "SERVICE is still refused by the query checks"
            )
        endpoint.serve_forever()
    finally:
        endpoint.close()
