"""Check a SPARQL query before it runs, and parse parameter values into RDF terms.

Oxigraph runs the queries; this module decides whether one may run. It parses the
query with rdflib's SPARQL 1.1 parser (a second, independent parser) and refuses:

- updates (``INSERT``, ``DELETE``, ``LOAD``, ``CLEAR`` …): the graph is read-only;
- ``SERVICE``: Oxigraph would call the given URL, and no query here makes outbound calls;
- ``FROM`` / ``FROM NAMED``: a store has one default graph here, so a dataset clause
  would silently select an empty graph (and on other engines can read files or URLs);
- ``\\u`` escapes: rdflib expands them before parsing, Oxigraph only inside strings and
  IRIs, so the two parsers could read different queries;
- control characters other than tab and line feed: no query needs them, and they are
  where parsers disagree.

**The text that is checked is the text that runs.** The two parsers end a ``#``
comment at different characters (rdflib at a line feed only, Oxigraph at a carriage
return too), so ``# c\\rSERVICE <…>`` was a comment to the checker and a SERVICE call to
the engine. :func:`check_query` therefore first normalises line ends (CR LF and CR become
LF) and returns that normalised text in :attr:`QueryInfo.text`; callers run
``info.text``, never the text they were given. Workers of ``kg serve`` additionally run
without network access (:mod:`graph.sandbox`), so even a case missed here cannot call out.

A query rdflib cannot parse is refused with the line and column of the problem: the
safety checks above can only be trusted on a query they could read.

rdflib's parser is imported when the first query is checked, not with this module:
``kg query`` keeps what the check found for a text (:mod:`graph.checkcache`), so a text
checked once before starts without it.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

import pyoxigraph as ox

from graph.errors import QueryError, QueryRefused

if TYPE_CHECKING:
    from pyparsing import ParseException, ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import Variable

FORMS = {"SelectQuery": "SELECT", "ConstructQuery": "CONSTRUCT", "DescribeQuery": "DESCRIBE", "AskQuery": "ASK"}
_ESCAPE = re.compile(r"\\[uU]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
MAX_QUERY_LENGTH = 100_000
#: Brackets and braces nested deeper than this are refused before parsing (the parser recurses).
MAX_NESTING = 60
_PARSER = threading.Lock()  # pyparsing grammars are not documented as thread-safe; the endpoint parses in threads


@dataclass(frozen=True)
class QueryInfo:
    """What the checker learnt about a query.

    Attributes:
        text: The query as checked (line ends normalised): the text to run.
        form: ``SELECT``, ``CONSTRUCT``, ``DESCRIBE`` or ``ASK``.
        variables: Every variable the query mentions (without ``?``).
        projected: The variables a ``SELECT`` lists, or ``None`` for ``SELECT *`` and
            the other forms.
    """

    text: str
    form: str
    variables: frozenset[str]
    projected: frozenset[str] | None

    @property
    def returns_graph(self) -> bool:
        """Whether the result is RDF triples (CONSTRUCT, DESCRIBE) rather than a table."""
        return self.form in ("CONSTRUCT", "DESCRIBE")


def check_query(text: str, default_prefixes: Iterable[str] = ()) -> QueryInfo:
    """Parse ``text`` and refuse what must not run (see the module docstring).

    Args:
        text: The query.
        default_prefixes: Prefixes the engine declares for the query; others must be
            declared in the query.

    Raises:
        QueryRefused: For an update, SERVICE, FROM / FROM NAMED or a \\u escape.
        QueryError: For a syntax error (with its line and column) or an undeclared prefix.
    """
    return _check(text, frozenset(default_prefixes))


def normalise(text: str) -> str:
    """``text`` with every line end a line feed, as both parsers read it alike."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


@functools.lru_cache(maxsize=512)
def _check(given: str, default_prefixes: frozenset[str]) -> QueryInfo:
    text = normalise(given)
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryRefused(f"the query is {len(text):,} characters long; at most {MAX_QUERY_LENGTH:,} are accepted")
    escape = _ESCAPE.search(text)
    if escape:
        line, column = _position(text, escape.start())
        raise QueryRefused(
            f"\\u escapes are not accepted (line {line}, column {column}); write the character itself",
            line,
            column,
        )
    control = _CONTROL.search(text)
    if control:
        line, column = _position(text, control.start())
        raise QueryRefused(
            f"control character U+{ord(control.group()):04X} at line {line}, column {column} is not accepted",
            line,
            column,
        )
    if not _has_content(text):
        raise QueryError("the query is empty")
    deep = _too_deep(text)
    if deep is not None:
        line, column = _position(text, deep)
        raise QueryRefused(
            f"the query nests brackets deeper than {MAX_NESTING} levels (line {line}, column {column})", line, column
        )
    grammar = _grammar()
    try:
        with _PARSER:
            parsed = grammar.parse_query(text)
    except RecursionError:
        raise QueryRefused("the query is nested too deeply to be checked") from None
    except grammar.parse_exception as exc:
        if _is_update(text):
            raise QueryRefused("updates are refused: this graph is read-only") from None
        raise _syntax_error(text, exc) from None
    prologue, query = parsed[0], parsed[1]
    nodes = list(_walk(query))
    names = [n.name if isinstance(n, grammar.comp_value) else "" for n in nodes]
    if "ServiceGraphPattern" in names:
        raise QueryRefused("SERVICE is refused: queries here never call other endpoints")
    if "DatasetClause" in names:
        raise QueryRefused("FROM and FROM NAMED are refused: the graph is the store's default graph; remove the clause")
    declared = {str(d["prefix"]) for d in prologue if isinstance(d, grammar.comp_value) and d.name == "PrefixDecl"}
    used = {
        str(n["prefix"]) for n in nodes if isinstance(n, grammar.comp_value) and n.name == "pname" and "prefix" in n
    }
    undeclared = sorted(used - declared - default_prefixes)
    if undeclared:
        known = ", ".join(sorted(default_prefixes)) or "none"
        raise QueryError(
            f"unknown prefix '{undeclared[0]}:'; declare it (PREFIX {undeclared[0]}: <…>) "
            f"or use a built-in prefix ({known})"
        )
    variables = frozenset(str(n) for n in nodes if isinstance(n, grammar.variable))
    form = FORMS[query.name]
    projected: frozenset[str] | None = None
    if form == "SELECT" and "projection" in query:
        projected = frozenset(str(item["var"] if "var" in item else item["evar"]) for item in query["projection"])
    return QueryInfo(text, form, variables, projected)


class _Grammar(NamedTuple):
    parse_query: Callable[[str], Any]
    parse_update: Callable[[str], Any]
    parse_exception: type[ParseException]
    parse_results: type[ParseResults]
    comp_value: type[CompValue]
    variable: type[Variable]


def load_parser() -> None:
    """Import rdflib's SPARQL parser now rather than at the first check (``kg serve`` does, at start-up)."""
    _grammar()


@functools.cache
def _grammar() -> _Grammar:
    """rdflib's SPARQL parser and the types of its parse trees, imported on first use (~0.1 s)."""
    from pyparsing import ParseException, ParseResults
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import Variable

    return _Grammar(parseQuery, parseUpdate, ParseException, ParseResults, CompValue, Variable)


def _walk(node: object) -> Iterable[object]:
    """Every node of an rdflib parse tree, depth first."""
    sequences = (_grammar().parse_results, list, tuple)  # ParseResults is also a Mapping
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, sequences):
            stack.extend(current)
        elif isinstance(current, Mapping):
            stack.extend(current.values())


def _is_update(text: str) -> bool:
    grammar = _grammar()
    try:
        with _PARSER:
            parsed = grammar.parse_update(text)
    except grammar.parse_exception:
        return False
    return "request" in parsed  # an empty text parses as an update without requests


def _too_deep(text: str) -> int | None:
    """The offset where ``(``, ``{`` and ``[`` nest beyond :data:`MAX_NESTING`, if they do.

    Brackets inside strings and comments count too: a query that needs that many is not
    one a person writes, and counting them all keeps this check simple and conservative.
    """
    depth = 0
    for offset, char in enumerate(text):
        if char in "({[":
            depth += 1
            if depth > MAX_NESTING:
                return offset
        elif char in ")}]":
            depth = max(depth - 1, 0)
    return None


def _has_content(text: str) -> bool:
    return any(line.strip() and not line.strip().startswith("#") for line in text.splitlines())


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _syntax_error(text: str, exc: ParseException) -> QueryError:
    line, column = _position(text, min(exc.loc, len(text)))
    rest = text[exc.loc :].split("\n", 1)[0].strip()
    near = f"near '{rest[:40]}{'…' if len(rest) > 40 else ''}'" if rest else "at the end of the query"
    return QueryError(f"syntax error at line {line}, column {column}, {near}", line, column)


# ---------------------------------------------------------------- parameter values

_STRING = re.compile(r'^"((?:[^"\\]|\\.)*)"(?:@([a-zA-Z]+(?:-[a-zA-Z0-9]+)*)|\^\^(\S+))?$', re.DOTALL)
_INTEGER = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?\d*\.\d+$")
_DOUBLE = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)[eE][+-]?\d+$")
_PNAME = re.compile(r"^([A-Za-z][\w.-]*)?:([\w.-]*)$")
_STRING_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", '"': '"', "'": "'", "\\": "\\", "b": "\b", "f": "\f"}
XSD = "http://www.w3.org/2001/XMLSchema#"


def parse_term(text: str, prefixes: Mapping[str, str]) -> ox.NamedNode | ox.Literal:
    """An RDF term written in Turtle syntax: ``<iri>``, ``prefix:name``, ``"text"``,
    ``"text"@de``, ``"2019"^^xsd:gYear``, ``42``, ``3.5``, ``true``.

    Entity ids (``serap-gueler``) are resolved elsewhere; this handles the rest.

    Raises:
        QueryError: When ``text`` is none of these forms or names an unknown prefix.
    """
    value = text.strip()
    if value.startswith("<") and value.endswith(">"):
        return _iri(value[1:-1], text)
    match = _STRING.match(value)
    if match:
        lexical = re.sub(r"\\(.)", lambda m: _STRING_ESCAPES.get(m.group(1), m.group(0)), match.group(1))
        if match.group(2):
            return ox.Literal(lexical, language=match.group(2).lower())
        if match.group(3):
            datatype = parse_term(match.group(3), prefixes)
            if not isinstance(datatype, ox.NamedNode):
                raise QueryError(f"bad datatype in {text!r}: expected an IRI such as xsd:date")
            return ox.Literal(lexical, datatype=datatype)
        return ox.Literal(lexical)
    if value in ("true", "false"):
        return ox.Literal(value, datatype=ox.NamedNode(XSD + "boolean"))
    for pattern, type_name in ((_INTEGER, "integer"), (_DECIMAL, "decimal"), (_DOUBLE, "double")):
        if pattern.match(value):
            return ox.Literal(value, datatype=ox.NamedNode(XSD + type_name))
    pname = _PNAME.match(value)
    if pname:
        prefix = pname.group(1) or ""
        if prefix not in prefixes:
            raise QueryError(f"unknown prefix '{prefix}:' in {text!r}; known: {', '.join(sorted(prefixes))}")
        return _iri(prefixes[prefix] + pname.group(2), text)
    raise QueryError(
        f"cannot read {text!r}: write an entity id (serap-gueler), an IRI (<https://…>), "
        'a prefixed name (nik:Politician), text in double quotes ("…", "…"@de) or a number'
    )


def _iri(value: str, text: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(value)
    except ValueError as exc:
        raise QueryError(f"bad IRI in {text!r}: {exc}") from None
