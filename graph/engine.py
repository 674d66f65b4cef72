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
#: Formats for CONSTRUCT and DESCRIBE results. N3 is written as Turtle (a subset of N3).
GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "n3": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}
_MEDIA_TYPES = {"n3": "text/n3"}
#: The vocabulary of the SPARQL test suite for a result table as RDF (Jena writes it too).
RS = "http://www.w3.org/2001/sw/DataAccess/tests/result-set#"
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_TRIPLE_TABLE = (
    "SELECT ?subject ?predicate ?object WHERE { ?subject ?predicate ?object } ORDER BY ?subject ?predicate ?object"
)
_XSD_BOOLEAN = ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
_XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
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
        fmt: A name from :data:`RESULT_FORMATS` or :data:`GRAPH_FORMATS`, for any query
            form: a table written as RDF comes in the result-set vocabulary
            (:func:`result_set_triples`), triples written as a table as rows of
            ``?subject ?predicate ?object``.
        prefixes: Prefixes declared for the query, also used to abbreviate Turtle.
        substitutions: Values bound to variables before the query runs.
        max_bytes: Stop and fail when the serialised result grows beyond this size.

    Raises:
        EngineError: With kind ``syntax`` (and the position) when Oxigraph cannot parse
            the query, ``too-large`` beyond ``max_bytes``, ``failed`` otherwise or for
            an unknown ``fmt``.
    """
    if fmt not in RESULT_FORMATS and fmt not in GRAPH_FORMATS:
        raise EngineError("failed", f"unknown format {fmt}; use one of: {', '.join([*RESULT_FORMATS, *GRAPH_FORMATS])}")
    result = run(store, text, prefixes, substitutions)
    sink = _Capped(max_bytes)
    try:
        if isinstance(result, ox.QueryTriples):
            triples = sorted(result, key=str)  # a stable order: the same query, the same bytes
            if fmt in RESULT_FORMATS:
                _triple_table(triples).serialize(sink, RESULT_FORMATS[fmt])
                return Result(sink.getvalue(), RESULT_FORMATS[fmt].media_type, len(triples))
        elif fmt in GRAPH_FORMATS:
            triples = result_set_triples(result)
            prefixes = {"rs": RS, **prefixes}
        else:
            result.serialize(sink, RESULT_FORMATS[fmt])
            return Result(sink.getvalue(), RESULT_FORMATS[fmt].media_type, None)
        ox.serialize(triples, sink, GRAPH_FORMATS[fmt], prefixes=_used_prefixes(fmt, triples, prefixes))
        return Result(sink.getvalue(), _MEDIA_TYPES.get(fmt, GRAPH_FORMATS[fmt].media_type), len(triples))
    except _TooLarge:
        raise EngineError("too-large", f"the result is larger than {max_bytes:,} bytes") from None
    except (OSError, RuntimeError, ValueError) as exc:
        raise EngineError("failed", str(exc)) from None


def result_set_triples(result: ox.QuerySolutions | ox.QueryBoolean) -> list[ox.Triple]:
    """A table as RDF in the result-set vocabulary (:data:`RS`), rows numbered by ``rs:index``.

    Blank nodes are named by position (``_:rs``, ``_:s1``, ``_:s1b1`` …), so the same
    answer gives the same bytes.
    """
    rs = ox.BlankNode("rs")
    triples = [ox.Triple(rs, _RDF_TYPE, ox.NamedNode(f"{RS}ResultSet"))]
    if isinstance(result, ox.QueryBoolean):
        triples.append(
            ox.Triple(rs, ox.NamedNode(f"{RS}boolean"), ox.Literal(str(bool(result)).lower(), datatype=_XSD_BOOLEAN))
        )
        return triples
    names = [v.value for v in result.variables]
    triples += [ox.Triple(rs, ox.NamedNode(f"{RS}resultVariable"), ox.Literal(name)) for name in names]
    rows: list[ox.Triple] = []
    for row, solution in enumerate(result, start=1):
        node = ox.BlankNode(f"s{row}")
        triples.append(ox.Triple(rs, ox.NamedNode(f"{RS}solution"), node))
        rows.append(ox.Triple(node, ox.NamedNode(f"{RS}index"), ox.Literal(str(row), datatype=_XSD_INTEGER)))
        for column, name in enumerate(names, start=1):
            value = solution[name]
            if value is None:
                continue
            binding = ox.BlankNode(f"s{row}b{column}")
            rows.append(ox.Triple(node, ox.NamedNode(f"{RS}binding"), binding))
            rows.append(ox.Triple(binding, ox.NamedNode(f"{RS}variable"), ox.Literal(name)))
            rows.append(ox.Triple(binding, ox.NamedNode(f"{RS}value"), value))
    return triples + rows


def _triple_table(triples: list[ox.Triple]) -> ox.QuerySolutions:
    """Triples as a table of ``?subject ?predicate ?object``, sorted."""
    scratch = ox.Store()
    scratch.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    solutions = scratch.query(_TRIPLE_TABLE)
    assert isinstance(solutions, ox.QuerySolutions)
    return solutions


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
    if fmt not in ("turtle", "n3", "rdfxml"):
        return None
    iris = {term.value for triple in triples for term in triple if isinstance(term, ox.NamedNode)}
    if fmt in ("turtle", "n3"):
        iris.update(t.datatype.value for triple in triples for t in triple if isinstance(t, ox.Literal))
    return {p: ns for p, ns in prefixes.items() if any(iri.startswith(ns) for iri in iris)}
