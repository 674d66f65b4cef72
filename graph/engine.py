"""Run a checked SPARQL query on an Oxigraph store and serialise its result.

Shared by ``kg query`` (in-process) and the workers of ``kg serve`` (one per process).
It imports nothing but pyoxigraph and the standard library, so worker processes
start fast; the query must already have passed :func:`graph.sparql.check_query`.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyoxigraph as ox

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

#: Formats for SELECT and ASK results: name -> (Oxigraph format, media type).
RESULT_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
#: Formats for CONSTRUCT and DESCRIBE results.
GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}
_POSITION = re.compile(r"^error at (\d+):(\d+): ")

Substitutions = Mapping[ox.Variable, ox.NamedNode | ox.Literal]


class EngineError(Exception):
    """The engine rejected or failed the query; ``kind`` says how, for the caller to map."""

    def __init__(self, kind: str, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.kind = kind  # "syntax", "failed" or "too-large"
        self.line = line
        self.column = column


@dataclass(frozen=True)
class Result:
    """A serialised result."""

    body: bytes
    media_type: str
    count: int | None  # solutions or triples, when counted


def term_to_json(term: ox.NamedNode | ox.Literal) -> dict[str, str]:
    """A term as in SPARQL JSON results, to send it to another process."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    encoded = {"type": "literal", "value": term.value, "datatype": term.datatype.value}
    if term.language:
        encoded["xml:lang"] = term.language
    return encoded


def term_from_json(encoded: Mapping[str, str]) -> ox.NamedNode | ox.Literal:
    """The inverse of :func:`term_to_json`."""
    if encoded["type"] == "uri":
        return ox.NamedNode(encoded["value"])
    if "xml:lang" in encoded:
        return ox.Literal(encoded["value"], language=encoded["xml:lang"])
    return ox.Literal(encoded["value"], datatype=ox.NamedNode(encoded["datatype"]))


class _Capped(io.BytesIO):
    """A byte buffer that refuses to grow beyond ``limit`` bytes."""

    def __init__(self, limit: int | None) -> None:
        super().__init__()
        self.limit = limit

    def write(self, data: ReadableBuffer, /) -> int:
        if self.limit is not None and self.tell() + memoryview(data).nbytes > self.limit:
            raise _TooLarge
        return super().write(data)


class _TooLarge(Exception):
    pass


def execute(
    store: ox.Store,
    text: str,
    fmt: str,
    prefixes: Mapping[str, str],
    substitutions: Substitutions | None = None,
    max_bytes: int | None = None,
) -> Result:
    """Run ``text`` and serialise the result as ``fmt``.

    Args:
        store: The store to query.
        text: The query, already checked.
        fmt: A name from :data:`RESULT_FORMATS` (SELECT, ASK) or :data:`GRAPH_FORMATS`
            (CONSTRUCT, DESCRIBE).
        prefixes: Prefixes declared for the query, also used to abbreviate Turtle.
        substitutions: Values bound to variables before the query runs.
        max_bytes: Stop and fail when the serialised result grows beyond this size.

    Raises:
        EngineError: With kind ``syntax`` (and the position) when Oxigraph cannot parse
            the query, ``too-large`` beyond ``max_bytes``, ``failed`` otherwise or when
            ``fmt`` does not fit the query form.
    """
    result = run(store, text, prefixes, substitutions)
    sink = _Capped(max_bytes)
    try:
        if isinstance(result, ox.QueryTriples):
            if fmt not in GRAPH_FORMATS:
                raise EngineError(
                    "failed", f"a CONSTRUCT or DESCRIBE query returns triples; it cannot be written as {fmt}"
                )
            triples = sorted(result, key=str)  # a stable order: the same query, the same bytes
            ox.serialize(triples, sink, GRAPH_FORMATS[fmt], prefixes=_used_prefixes(fmt, triples, prefixes))
            return Result(sink.getvalue(), GRAPH_FORMATS[fmt].media_type, len(triples))
        if fmt not in RESULT_FORMATS:
            raise EngineError("failed", f"a SELECT or ASK query returns a table; it cannot be written as {fmt}")
        result.serialize(sink, RESULT_FORMATS[fmt])
        return Result(sink.getvalue(), RESULT_FORMATS[fmt].media_type, None)
    except _TooLarge:
        raise EngineError("too-large", f"the result is larger than {max_bytes:,} bytes") from None
    except (OSError, RuntimeError, ValueError) as exc:
        raise EngineError("failed", str(exc)) from None


def run(
    store: ox.Store,
    text: str,
    prefixes: Mapping[str, str],
    substitutions: Substitutions | None = None,
) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
    """Start the query; the result is evaluated as it is read.

    Raises:
        EngineError: See :func:`execute`.
    """
    try:
        return store.query(text, prefixes=dict(prefixes), substitutions=dict(substitutions or {}))
    except SyntaxError as exc:
        message = str(exc).split("\n", 1)[0]
        match = _POSITION.match(message)
        if match:
            line, column = int(match.group(1)), int(match.group(2))
            rest = message[match.end() :]
            raise EngineError("syntax", f"syntax error at line {line}, column {column}: {rest}", line, column) from None
        raise EngineError("syntax", f"syntax error: {message}") from None
    except (OSError, RuntimeError, ValueError) as exc:
        raise EngineError("failed", str(exc)) from None


def _used_prefixes(fmt: str, triples: list[ox.Triple], prefixes: Mapping[str, str]) -> dict[str, str] | None:
    """The prefixes that abbreviate at least one IRI of ``triples`` (Turtle and RDF/XML only)."""
    if fmt not in ("turtle", "rdfxml"):
        return None
    iris = {term.value for triple in triples for term in triple if isinstance(term, ox.NamedNode)}
    if fmt == "turtle":
        iris.update(t.datatype.value for triple in triples for t in triple if isinstance(t, ox.Literal))
    return {p: ns for p, ns in prefixes.items() if any(iri.startswith(ns) for iri in iris)}
