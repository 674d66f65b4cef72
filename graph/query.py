"""The library behind ``kg query`` and ``kg queries``: run SPARQL on the graph.

A query comes from the library by name (``graph/queries/*.rq``), from a file, or as
text. It is checked (:mod:`graph.sparql`), its ``--param`` values are bound as RDF
terms through Oxigraph's substitutions (never pasted into the text), and it runs on
the query store (:mod:`graph.store`): by default the project's ``exports/kg.nt``
plus the ontology. Results come back serialised: a readable table, CSV, TSV, SPARQL
JSON or XML for SELECT and ASK; Turtle, N-Triples, RDF/XML or JSON-LD for CONSTRUCT
and DESCRIBE.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from graph import engine, iris
from graph.checkcache import check_kept
from graph.errors import QueryError, suggest
from graph.library import NamedQuery, library
from graph.project import load_project
from graph.sparql import QueryInfo, parse_term
from graph.store import QueryStore, answer_key, graph_files, open_store

#: RDF formats for CONSTRUCT and DESCRIBE (the engine's ``n3`` is Turtle under another media type, for HTTP).
GRAPH_FORMATS = tuple(name for name in engine.GRAPH_FORMATS if name != "n3")
#: Output formats: the table, then the SPARQL result and RDF formats of the engine.
FORMATS = ("table", *engine.RESULT_FORMATS, *GRAPH_FORMATS)
DEFAULT_MAX_WIDTH = 60
_VARIABLE = re.compile(r"^[?$]?([A-Za-z_][A-Za-z0-9_]*)$")
_ENTITY_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")

Progress = Callable[[str], None]


def _silent(message: str) -> None:
    pass


@dataclass(frozen=True)
class QueryOutput:
    """A query's serialised result.

    Attributes:
        output: The bytes to print or save.
        form: ``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``.
        format: The format it is written in.
        count: Rows (table) or triples (graph formats) when counted, else ``None``.
        seconds: Time to run and serialise, without opening the store.
    """

    output: bytes
    form: str
    format: str
    count: int | None
    seconds: float


def queries() -> list[NamedQuery]:
    """The named queries of the library, sorted by name (for ``kg queries``)."""
    return list(library().values())


def resolve_query(query: str | Path | None = None, expression: str | None = None) -> tuple[str, NamedQuery | None]:
    """The text of a query given by name, file or expression, and its library entry.

    Raises:
        QueryError: When none or both are given, the file cannot be read, or the name is unknown.
    """
    if expression is not None and query is not None:
        raise QueryError("give either a query (a name or a .rq file) or -e TEXT, not both")
    if expression is not None:
        return expression, None
    if query is None:
        raise QueryError("no query: give a name from 'kg queries', a .rq file, or -e 'SELECT …'")
    path = Path(query)
    if path.is_file():
        try:
            return path.read_text(encoding="utf-8"), None
        except (OSError, UnicodeDecodeError) as exc:
            raise QueryError(f"cannot read {path}: {exc}") from None
    named = library().get(str(query))
    if named is not None:
        return named.text, named
    if path.suffix == ".rq" or len(path.parts) > 1:
        raise QueryError(f"no such query file: {path}")
    hint = suggest(str(query), library())
    raise QueryError(f"unknown query '{query}'{hint}: not a file and not in the library ('kg queries' lists it)")


def prefixes_for(base: str, segments: Sequence[str]) -> dict[str, str]:
    """The prefixes every query may use undeclared: the export's (nik, rdf, …) and one per IRI segment."""
    found = dict(iris.PREFIXES)
    for segment in sorted(segments):
        found.setdefault(segment, f"{base}{segment}/")
    return found


def segments(store: ox.Store) -> list[str]:
    """The IRI segments the ontology in ``store`` declares (person, place, event, …)."""
    solutions = store.query(f"SELECT DISTINCT ?segment WHERE {{ ?class <{iris.IRI_SEGMENT}> ?segment }}")
    assert isinstance(solutions, ox.QuerySolutions)
    return sorted(str(s["segment"].value) for s in solutions if s["segment"] is not None)


def bind_parameters(
    values: Sequence[str],
    info: QueryInfo,
    named: NamedQuery | None,
    store: ox.Store,
    base: str,
    prefixes: Mapping[str, str],
) -> dict[ox.Variable, ox.NamedNode | ox.Literal]:
    """Turn ``name=value`` strings into variable bindings.

    A value that looks like an entity id (``serap-gueler``) becomes that entity's IRI;
    anything else is read as a Turtle term (see :func:`graph.sparql.parse_term`).

    Raises:
        QueryError: For a malformed pair, a variable the query cannot bind or an unknown entity.
    """
    bound: dict[ox.Variable, ox.NamedNode | ox.Literal] = {}
    known_segments = segments(store) if values else []
    for pair in values:
        name, sep, value = pair.partition("=")
        match = _VARIABLE.match(name.strip())
        if not sep or match is None:
            raise QueryError(f"bad parameter {pair!r}: write NAME=VALUE, e.g. person=serap-gueler")
        variable = match.group(1)
        if ox.Variable(variable) in bound:
            raise QueryError(f"parameter '{variable}' is given twice; give one value")
        _check_bindable(variable, info, named)
        bound[ox.Variable(variable)] = _term(value.strip(), variable, store, base, known_segments, prefixes)
    return bound


def _check_bindable(variable: str, info: QueryInfo, named: NamedQuery | None) -> None:
    if named is not None and named.parameter(variable) is None:
        takes = ", ".join(p.name for p in named.parameters) or "none"
        raise QueryError(f"query '{named.name}' has no parameter '{variable}' (its parameters: {takes})")
    if variable not in info.variables:
        names = ", ".join(f"?{v}" for v in sorted(info.variables)) or "none"
        raise QueryError(f"the query has no variable ?{variable} to bind (its variables: {names})")
    if info.projected is not None and variable not in info.projected:
        raise QueryError(f"?{variable} must be one of the selected variables (SELECT … ?{variable} …) to be bound")


def _term(
    value: str, variable: str, store: ox.Store, base: str, known_segments: Sequence[str], prefixes: Mapping[str, str]
) -> ox.NamedNode | ox.Literal:
    if _ENTITY_ID.match(value) and not _NUMBER.match(value) and value not in ("true", "false"):
        for segment in known_segments:
            candidate = ox.NamedNode(f"{base}{segment}/{value}")
            if next(iter(store.quads_for_pattern(candidate, None, None)), None) is not None:
                return candidate
        raise QueryError(f"unknown entity '{value}' for ?{variable}{_suggest(value, store, base)}")
    try:
        return parse_term(value, prefixes)
    except QueryError as exc:
        raise QueryError(f"bad value for ?{variable}: {exc}") from None


def _suggest(value: str, store: ox.Store, base: str) -> str:
    solutions = store.query("SELECT DISTINCT ?e WHERE { ?e a ?class }")
    assert isinstance(solutions, ox.QuerySolutions)
    ids = {
        str(s["e"].value).rsplit("/", 1)[-1]
        for s in solutions
        if isinstance(s["e"], ox.NamedNode) and s["e"].value.startswith(base)
    }
    return suggest(value, sorted(ids))


def run_query(
    project: Path | str = ".",
    query: str | Path | None = None,
    expression: str | None = None,
    data: Sequence[Path | str] = (),
    param: Sequence[str] = (),
    format: str | None = None,
    max_width: int = DEFAULT_MAX_WIDTH,
    progress: Progress | None = None,
) -> QueryOutput:
    """Run a query on the project's graph and serialise the result.

    Args:
        project: The project folder (its ``exports/kg.nt`` and ontology are queried).
        query: A library name (see :func:`queries`) or a ``.rq`` file.
        expression: The query text itself (instead of ``query``).
        data: RDF files to query instead of ``exports/kg.nt`` (the ontology is added).
        param: ``name=value`` bindings (an entity id, ``<iri>``, ``prefix:name``,
            ``"text"``, ``"text"@de``, ``"2019"^^xsd:gYear`` or a number).
        format: One of :data:`FORMATS`; default ``table`` for SELECT and ASK,
            ``turtle`` for CONSTRUCT and DESCRIBE.
        max_width: Longest table cell before it is shortened with "…"; 0 for no limit.
        progress: Called with a line when the query store is being built.

    Returns:
        The serialised result.

    Raises:
        QueryError: For a bad query, parameter or format (with line and column for syntax errors).
        ConfigError: When the project or its data files are missing.
    """
    text, named = resolve_query(query, expression)
    settings = load_project(project)
    with open_store(graph_files(project, data), progress=progress) as store:
        return run_on_store(store, text, named, settings.base, param, format, max_width)


def run_on_store(
    store: QueryStore,
    text: str,
    named: NamedQuery | None,
    base: str,
    param: Sequence[str] = (),
    format: str | None = None,
    max_width: int = DEFAULT_MAX_WIDTH,
) -> QueryOutput:
    """Like :func:`run_query`, on an open store (for callers that run many queries).

    Raises:
        QueryError: See :func:`run_query`.
    """
    start = time.perf_counter()
    prefixes = prefixes_for(base, segments(store.store))
    info = check_kept(store, text, prefixes)
    fmt = format or ("turtle" if info.returns_graph else "table")
    if fmt not in FORMATS:
        raise QueryError(f"unknown format '{fmt}'; choose from: {', '.join(FORMATS)}")
    if info.returns_graph and fmt not in GRAPH_FORMATS:
        raise QueryError(f"{info.form} returns triples: use --format {' or '.join(GRAPH_FORMATS)}")
    if not info.returns_graph and fmt in GRAPH_FORMATS:
        raise QueryError(f"{info.form} returns a table: use --format {' or '.join(('table', *engine.RESULT_FORMATS))}")
    bindings = bind_parameters(param, info, named, store.store, base, prefixes)
    # The named questions' answers are kept with the store (it never changes; see store.py).
    key = answer_key(text, fmt, bindings, max_width) if named is not None else None
    hit = store.cached(key) if key is not None else None
    if hit is not None:
        return QueryOutput(hit[0], info.form, fmt, hit[1].get("count"), time.perf_counter() - start)
    count: int | None
    try:
        if fmt == "table":
            output, count = _table(engine.run(store.store, info.text, prefixes, bindings), prefixes, max_width)
        else:
            result = engine.execute(store.store, info.text, fmt, prefixes, bindings)
            output, count = result.body, result.count
    except engine.EngineError as exc:
        raise QueryError(str(exc), exc.line, exc.column) from None
    if key is not None:
        store.remember(key, output, count=count)
    return QueryOutput(output, info.form, fmt, count, time.perf_counter() - start)


# ---------------------------------------------------------------- the terminal table


def _table(
    result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples, prefixes: Mapping[str, str], max_width: int
) -> tuple[bytes, int]:
    if isinstance(result, ox.QueryBoolean):
        return (b"true\n" if bool(result) else b"false\n"), 1
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    compact = _Compactor(prefixes)
    try:
        rows = [[_cell(solution[name], compact, max_width) for name in names] for solution in result]
    except (OSError, RuntimeError) as exc:
        raise engine.EngineError("failed", str(exc)) from None
    widths = [max([len(name), *(len(row[i]) for row in rows)]) for i, name in enumerate(names)]
    lines = ["  ".join(name.ljust(w) for name, w in zip(names, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8"), len(rows)


class _Compactor:
    """``prefix:local`` for IRIs in a known namespace (the longest one wins)."""

    def __init__(self, prefixes: Mapping[str, str]) -> None:
        self.namespaces = sorted(((ns, p) for p, ns in prefixes.items()), key=lambda pair: -len(pair[0]))

    def __call__(self, iri: str) -> str:
        for namespace, prefix in self.namespaces:
            if iri.startswith(namespace) and re.fullmatch(r"[\w.-]*", iri[len(namespace) :]):
                return f"{prefix}:{iri[len(namespace) :]}"
        return f"<{iri}>"


def _cell(term: object, compact: _Compactor, max_width: int) -> str:
    if term is None:
        text = ""
    elif isinstance(term, ox.NamedNode):
        text = compact(term.value)
    elif isinstance(term, ox.Literal):
        text = term.value
    elif isinstance(term, ox.BlankNode):
        text = f"_:{term.value}"
    else:
        text = str(term)
    text = " ".join(text.split())  # one line per row: newlines and tabs become spaces
    if max_width and len(text) > max_width:
        text = text[: max_width - 1] + "…"
    return text
