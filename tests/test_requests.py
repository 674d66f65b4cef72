"""Every malformed request to ``kg serve`` gets an HTTP answer, never a dropped connection.

Requests are written byte for byte on a raw socket, as a broken or hostile client would.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from graph.serve import Endpoint, start_endpoint
from tests.conftest import ROOT

DATA = '<https://example.org/a> <http://www.w3.org/2000/01/rdf-schema#label> "A" .\n'


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoint]:
    folder = tmp_path_factory.mktemp("requests")
    data = folder / "data.nt"
    data.write_text(DATA, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KG_CACHE_DIR", str(folder / "cache"))
        with start_endpoint(project=ROOT, data=[data], port=0, workers=1, timeout=5).start() as running:
            yield running


def send(endpoint: Endpoint, raw: bytes) -> bytes:
    """Send ``raw`` and read until the server closes or stops answering."""
    with socket.create_connection((endpoint.host, endpoint.port), timeout=10) as connection:
        connection.sendall(raw)
        connection.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


def status(answer: bytes) -> str:
    return answer.split(b"\r\n", 1)[0].decode("latin-1")


def host(endpoint: Endpoint) -> bytes:
    return f"127.0.0.1:{endpoint.port}".encode()


QUERY = b"ASK { ?s ?p ?o }"
POST = b"POST /sparql HTTP/1.1\r\nHost: {h}\r\nContent-Type: application/sparql-query\r\n"


@pytest.mark.parametrize(
    ("name", "request_bytes", "expected"),
    [
        (
            "superscript length",
            POST + b"Content-Length: \xc2\xb2\r\n\r\nAS",
            "HTTP/1.1 400 Bad Request",
        ),
        (
            "negative length",
            POST + b"Content-Length: -1\r\n\r\n",
            "HTTP/1.1 400 Bad Request",
        ),
        (
            "two lengths",
            POST + b"Content-Length: 16\r\nContent-Length: 3\r\n\r\n" + QUERY,
            "HTTP/1.1 400 Bad Request",
        ),
        (
            "no length",
            POST + b"\r\n",
            "HTTP/1.1 411 Length Required",
        ),
        (
            "too large",
            POST + b"Content-Length: 2000001\r\n\r\n",
            "HTTP/1.1 413 Request Entity Too Large",
        ),
        (
            "two hosts, loopback first",
            b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: {h}\r\nHost: evil.example\r\n\r\n",
            "HTTP/1.1 400 Bad Request",
        ),
        (
            "two hosts, evil first",
            b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: evil.example\r\nHost: {h}\r\n\r\n",
            "HTTP/1.1 400 Bad Request",
        ),
        ("no host", b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\n\r\n", "HTTP/1.1 403 Forbidden"),
        (
            "header too long",
            b"GET /sparql HTTP/1.1\r\nHost: {h}\r\nX-Long: " + b"a" * 70000 + b"\r\n\r\n",
            "HTTP/1.1 431 Request Header Fields Too Large",
        ),
        (
            "too many headers",
            b"GET /sparql HTTP/1.1\r\nHost: {h}\r\n" + b"X-A: 1\r\n" * 200 + b"\r\n",
            "HTTP/1.1 431 Request Header Fields Too Large",
        ),
        (
            "request line too long",
            b"GET /sparql?query=" + b"a" * 70000 + b" HTTP/1.1\r\nHost: {h}\r\n\r\n",
            "HTTP/1.1 414 Request-URI Too Long",
        ),
        ("garbage", b"\x00\x01\x02 nonsense\r\n\r\n", "HTTP/1.1 400 Bad Request"),
        ("bad version", b"GET /sparql HTTP/9.9\r\nHost: {h}\r\n\r\n", "HTTP/1.1 505 HTTP Version Not Supported"),
        (
            "deep nesting",
            b"GET /sparql?query=ASK" + b"%7B" * 500 + b"%7D" * 500 + b" HTTP/1.1\r\nHost: {h}\r\n\r\n",
            "HTTP/1.1 400 Bad Request",
        ),
        (
            "query not utf-8",
            POST + b"Content-Length: 3\r\n\r\n\xff\xfe\xfd",
            "HTTP/1.1 400 Bad Request",
        ),
    ],
)
def test_every_malformed_request_gets_an_answer(
    endpoint: Endpoint, name: str, request_bytes: bytes, expected: str
) -> None:
    answer = send(endpoint, request_bytes.replace(b"{h}", host(endpoint)))
    assert status(answer) == expected, name


def test_the_endpoint_still_answers_after_the_malformed_ones(endpoint: Endpoint) -> None:
    raw = POST + b"Accept: text/csv\r\n"
    raw += b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(QUERY), QUERY)
    answer = send(endpoint, raw.replace(b"{h}", host(endpoint)))
    assert status(answer) == "HTTP/1.1 200 OK"
    assert answer.endswith(b"\r\n\r\ntrue")
