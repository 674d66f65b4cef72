"""``kg push``: upload the graph to a triple store over the SPARQL 1.1 Graph Store Protocol.

What is uploaded is exactly what ``kg query`` queries (the query store: the graph plus
the ontology), written as N-Triples, so a competency question gives the same answer
in the store as on the command line. The upload is one HTTP request to the store's
Graph Store endpoint: ``PUT`` replaces the target graph, ``POST`` merges into it; the
target is a named graph (``?graph=IRI``, by default ``<base>graph``) or the default
graph (``?default``). Oxigraph, Fuseki, GraphDB, RDF4J and Virtuoso speak the protocol.
"""

from __future__ import annotations

import base64
import os
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from graph.errors import PushError
from graph.project import load_project
from graph.store import graph_files, open_store

MODES = {"replace": "PUT", "merge": "POST"}
DEFAULT_TIMEOUT = 120.0
PASSWORD_VARIABLE = "KG_PUSH_PASSWORD"
MEDIA_TYPE = "application/n-triples"

Progress = Callable[[str], None]


def _silent(message: str) -> None:
    pass


@dataclass(frozen=True)
class PushResult:
    """What was uploaded where."""

    url: str
    graph: str | None  # None: the default graph
    mode: str
    triples: int
    bytes: int
    status: int
    seconds: float


def default_graph_name(base: str) -> str:
    """The named graph ``kg push`` writes to unless told otherwise: ``<base>graph``."""
    return f"{base}graph"


def target_url(endpoint: str, graph: str | None) -> str:
    """The Graph Store Protocol URL for ``graph`` (``None``: the default graph).

    Raises:
        PushError: When ``endpoint`` is not an http(s) URL or ``graph`` not an absolute IRI.
    """
    parts = urllib.parse.urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PushError(f"the endpoint must be an http:// or https:// URL, not {endpoint!r}")
    if graph is None:
        parameter = "default"
    else:
        if not urllib.parse.urlsplit(graph).scheme:
            raise PushError(f"the graph name must be an absolute IRI, not {graph!r}")
        parameter = urllib.parse.urlencode({"graph": graph})
    query = f"{parts.query}&{parameter}" if parts.query else parameter
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def push(
    project: Path | str = ".",
    endpoint: str = "",
    graph: str | None = None,
    default_graph: bool = False,
    mode: str = "replace",
    data: Sequence[Path | str] = (),
    timeout: float = DEFAULT_TIMEOUT,
    user: str | None = None,
    progress: Progress | None = None,
) -> PushResult:
    """Upload the project's graph and ontology to a Graph Store Protocol endpoint.

    Args:
        project: The project folder.
        endpoint: The store's Graph Store endpoint, e.g. ``http://localhost:7878/store``
            (Oxigraph) or ``http://localhost:3030/ds/data`` (Fuseki).
        graph: The named graph to write (default ``<base>graph``).
        default_graph: Write the store's default graph instead of a named graph.
        mode: ``replace`` (HTTP PUT: the graph holds exactly this upload afterwards)
            or ``merge`` (HTTP POST: the triples are added to what the graph holds).
        data: RDF files to upload instead of ``exports/kg.nt`` (the ontology is added).
        timeout: Seconds to wait for the store to accept the connection or answer.
        user: User name for HTTP Basic authentication; the password is read from
            ``$KG_PUSH_PASSWORD``.
        progress: Called with a line per step.

    Returns:
        What was uploaded, where, and how the store answered.

    Raises:
        PushError: When the store cannot be reached, refuses the upload or does not answer in time.
        ConfigError: When the project or its data files are missing.
    """
    say = progress or _silent
    if mode not in MODES:
        raise PushError(f"unknown mode '{mode}'; choose from: {', '.join(MODES)}")
    if default_graph and graph is not None:
        raise PushError("give either a graph name or the default graph, not both")
    settings = load_project(project)
    name = None if default_graph else (graph or default_graph_name(settings.base))
    url = target_url(endpoint, name)
    headers = {"Content-Type": MEDIA_TYPE}
    if user is not None:
        password = os.environ.get(PASSWORD_VARIABLE)
        if password is None:
            raise PushError(f"--user needs the password in the environment variable {PASSWORD_VARIABLE}")
        token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        headers["Authorization"] = f"Basic {token}"
    start = time.perf_counter()
    with open_store(graph_files(project, data), progress=say) as store, tempfile.TemporaryFile() as body:
        store.store.dump(body, ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
        size = body.tell()
        body.seek(0)
        target = f"graph <{name}>" if name else "the default graph"
        say(f"{mode} {target} at {endpoint}: {store.triples:,} triples ({size / 1e6:.1f} MB)")
        status = _send(url, MODES[mode], body, size, headers, timeout, endpoint)
        triples = store.triples
    seconds = time.perf_counter() - start
    say(f"the store answered HTTP {status} after {seconds:.1f} s")
    return PushResult(endpoint, name, mode, triples, size, status, seconds)


def _send(
    url: str, method: str, body: object, size: int, headers: dict[str, str], timeout: float, endpoint: str
) -> int:
    request = urllib.request.Request(url, data=body, method=method, headers={**headers, "Content-Length": str(size)})  # type: ignore[arg-type]
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        detail = _first_line(error.read(2000))
        raise PushError(
            f"the store at {endpoint} refused the upload: HTTP {error.code} {error.reason}"
            + (f": {detail}" if detail else "")
        ) from None
    except TimeoutError:
        raise PushError(f"no answer from {endpoint} within {timeout:g} s (--timeout)") from None
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, TimeoutError):
            raise PushError(f"no answer from {endpoint} within {timeout:g} s (--timeout)") from None
        text = reason.strerror if isinstance(reason, OSError) and reason.strerror else str(reason)
        raise PushError(f"cannot reach {endpoint}: {text}") from None
    except (ConnectionError, OSError) as error:
        raise PushError(f"the connection to {endpoint} failed during the upload: {error}") from None


def _first_line(data: bytes) -> str:
    text = data.decode("utf-8", errors="replace").strip()
    line = text.splitlines()[0] if text else ""
    return line[:300]
