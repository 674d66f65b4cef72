"""Fast, deterministic RDF writers for graphs without blank nodes.

rdflib's serialisers are general (blank nodes, lists, any graph shape) and slow on
large graphs; ours need only IRIs and literals. Every writer orders its output
completely (subjects, predicates, objects), so the same graph always gives the same
bytes. The tests parse every output with Oxigraph and rapper and compare the triples.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.plugins.stores.memory import Memory, SimpleMemory
from rdflib.term import Node

_PN_LOCAL = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?\d*\.\d+$")
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"}
_ESCAPE = re.compile(r'[\\"\n\r]')

Triple = tuple[Node, Node, Node]
Table = Mapping[Node, Mapping[Node, Iterable[Node]]]
# rdflib resolves namespace attributes on every access; these are read millions of times.
_TYPE, _STRING, _INTEGER_T, _DECIMAL_T, _BOOLEAN = RDF.type, XSD.string, XSD.integer, XSD.decimal, XSD.boolean


class Prefixes:
    """Namespace prefixes and the compaction of IRIs to ``prefix:local``.

    Only namespaces ending in ``/`` or ``#`` are used, so an IRI's namespace is found by
    cutting at its last ``/`` or ``#`` (one dictionary lookup, memoised per IRI).
    """

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        self.pairs = sorted((p, ns) for p, ns in pairs if ns.endswith(("/", "#")))
        self.by_namespace = {ns: p for p, ns in sorted(self.pairs, reverse=True)}
        self.used: set[str] = set()
        self._memo: dict[str, str | None] = {}

    def compact(self, iri: str) -> str | None:
        try:
            return self._memo[iri]
        except KeyError:
            pass
        cut = max(iri.rfind("/"), iri.rfind("#")) + 1
        prefix = self.by_namespace.get(iri[:cut])
        local = iri[cut:]
        result = f"{prefix}:{local}" if prefix is not None and _PN_LOCAL.match(local) else None
        if prefix is not None and result is not None:
            self.used.add(prefix)
        self._memo[iri] = result
        return result

    @classmethod
    def of(cls, graph: Graph) -> Prefixes:
        return cls((prefix, str(namespace)) for prefix, namespace in graph.namespaces())


def store_table(graph: Graph, name: str) -> dict[Node, dict[Node, dict[Node, int]]] | None:
    """rdflib's own ``spo`` or ``pos`` index of a plain graph in its ``Memory`` or ``SimpleMemory`` store."""
    if type(graph) is not Graph:
        return None
    store = graph.store
    if isinstance(store, SimpleMemory):  # one graph per store: its index is the graph's
        table = getattr(store, f"_SimpleMemory__{name}", None)
    elif isinstance(store, Memory) and len(store) == len(graph):  # no other named graph in it
        table = getattr(store, f"_Memory__{name}", None)
    else:
        return None
    return table if isinstance(table, dict) else None


def _table(graph: Graph) -> Table:
    """Subject → predicate → objects of ``graph``, refusing blank nodes.

    On rdflib's in-memory stores this is the store's own index (read-only), which
    spares the per-triple generator layers of ``Graph.triples`` (a third of the time of a
    writer on large graphs); any other store is read through the public API.
    """
    spo = store_table(graph, "spo")
    table: Table
    if spo is not None:
        table = spo
    else:
        built: dict[Node, dict[Node, dict[Node, int]]] = defaultdict(lambda: defaultdict(dict))
        for s, p, o in graph:
            built[s][p][o] = 1
        table = built
    for subject, predicates in table.items():
        if isinstance(subject, BNode) or any(isinstance(o, BNode) for objects in predicates.values() for o in objects):
            raise ValueError(f"blank nodes are not supported by this writer: {subject}")
    return table


def _iri(iri: str) -> str:
    if _IRI_FORBIDDEN.search(iri):
        raise ValueError(f"IRI contains a character that cannot be written: {iri!r}")
    return f"<{iri}>"


def _string(text: str) -> str:
    return '"' + _ESCAPE.sub(lambda m: _ESCAPES[m.group()], text) + '"'


def _object_key(node: Node) -> tuple[str, str, str]:
    if isinstance(node, Literal):
        return (str(node), node.language or "", str(node.datatype or ""))
    return (str(node), "", "")


# ---------------------------------------------------------------- N-Triples


def _nt_term(node: Node) -> str:
    if isinstance(node, URIRef):
        return _iri(str(node))
    if isinstance(node, Literal):
        text = _string(str(node))
        if node.language:
            return f"{text}@{node.language}"
        if node.datatype and node.datatype != _STRING:
            return f"{text}^^{_iri(str(node.datatype))}"
        return text
    raise ValueError(f"cannot write {node!r}")


def ntriples(graph: Graph) -> bytes:
    """N-Triples, one triple per line, lines sorted by code point."""
    lines = []
    for s, predicates in _table(graph).items():
        subject = _nt_term(s)
        for p, objects in predicates.items():
            head = f"{subject} {_nt_term(p)} "
            lines += [f"{head}{_nt_term(o)} ." for o in objects]
    lines.sort()
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""


# ---------------------------------------------------------------- Turtle


def _turtle_term(node: Node, prefixes: Prefixes) -> str:
    if isinstance(node, URIRef):
        return prefixes.compact(str(node)) or _iri(str(node))
    if isinstance(node, Literal):
        lexical = str(node)
        if node.language:
            return f"{_string(lexical)}@{node.language}"
        datatype = node.datatype
        if datatype is None:
            return _string(lexical)
        if datatype == _INTEGER_T and _INTEGER.match(lexical):
            return lexical
        if datatype == _DECIMAL_T and _DECIMAL.match(lexical):
            return lexical
        if datatype == _BOOLEAN and lexical in ("true", "false"):
            return lexical
        if datatype != _STRING:
            return f"{_string(lexical)}^^{_turtle_term(datatype, prefixes)}"
        return _string(lexical)
    raise ValueError(f"cannot write {node!r}")


def turtle(graph: Graph, last_classes: Sequence[URIRef] = ()) -> bytes:
    """Turtle grouped by subject; subjects ordered by class, then IRI.

    Args:
        graph: The graph (IRIs and literals only).
        last_classes: Classes whose members come after all others, in this order
            (e.g. statements and references after the entities they describe).
    """
    prefixes = Prefixes.of(graph)
    by_subject = _table(graph)
    last = [str(c) for c in last_classes]

    def subject_key(subject: Node) -> tuple[int, str, str]:
        types = sorted(str(t) for t in by_subject[subject].get(_TYPE, ()))
        first = types[0] if types else "\uffff"
        rank = next((i + 1 for i, c in enumerate(last) if c in types), 0)
        return (rank, first, str(subject))

    blocks = []
    for subject in sorted(by_subject, key=subject_key):
        predicates = by_subject[subject]
        ordered = sorted(predicates, key=lambda p: (p != _TYPE, str(p)))
        lines = []
        for predicate in ordered:
            verb = "a" if predicate == _TYPE else _turtle_term(predicate, prefixes)
            objects = [_turtle_term(o, prefixes) for o in sorted(predicates[predicate], key=_object_key)]
            lines.append(f"{verb} " + ",\n        ".join(objects))
        blocks.append(_turtle_term(subject, prefixes) + " " + " ;\n    ".join(lines) + " .\n")
    header = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(prefixes.pairs) if p in prefixes.used)
    return (header + "\n" + "\n".join(blocks)).encode("utf-8")


# ---------------------------------------------------------------- JSON-LD


def _jsonld_value(node: Node, prefixes: Prefixes) -> object:
    if isinstance(node, URIRef):
        return {"@id": prefixes.compact(str(node)) or str(node)}
    if isinstance(node, Literal):
        if node.language:
            return {"@value": str(node), "@language": node.language}
        if node.datatype and node.datatype != _STRING:
            return {"@value": str(node), "@type": prefixes.compact(str(node.datatype)) or str(node.datatype)}
        return str(node)
    raise ValueError(f"cannot write {node!r}")


def _jsonld_sort_key(value: object) -> tuple[str, ...]:
    if isinstance(value, dict):
        return (value.get("@id", ""), value.get("@value", ""), value.get("@language", ""), value.get("@type", ""))
    return ("", str(value), "", "")


def jsonld(graph: Graph) -> bytes:
    """Compacted JSON-LD: a prefix context and one node object per subject, all sorted."""
    prefixes = Prefixes.of(graph)
    nodes: dict[str, dict[str, list[object]]] = defaultdict(lambda: defaultdict(list))
    for s, predicates in _table(graph).items():
        subject = prefixes.compact(str(s)) or str(s)
        node = nodes[subject]
        for p, objects in predicates.items():
            if p == _TYPE:
                node["@type"] += [prefixes.compact(str(o)) or str(o) for o in objects]
            else:
                key = prefixes.compact(str(p)) or str(p)
                node[key] += [_jsonld_value(o, prefixes) for o in objects]
    items = []
    for subject in sorted(nodes):
        item: dict[str, object] = {"@id": subject}
        for key, values in nodes[subject].items():
            ordered = sorted(values, key=_jsonld_sort_key)
            item[key] = ordered[0] if len(ordered) == 1 else ordered
        items.append(item)
    context = {p: ns for p, ns in sorted(prefixes.pairs) if p in prefixes.used}
    document = {"@context": context, "@graph": items}
    return (_indented(document, "") + "\n").encode("utf-8")


_STR = json.JSONEncoder(ensure_ascii=False).encode  # C-accelerated for a plain string


def _indented(value: object, indent: str) -> str:
    """``json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)``, three times faster.

    With ``indent`` the standard library falls back to its pure-Python encoder; the
    documents here are only dicts, lists and strings, so this writes the same text with
    the C encoder for the strings.
    """
    if isinstance(value, str):
        return _STR(value)
    inner = indent + "  "
    if isinstance(value, dict):
        if not value:
            return "{}"
        parts = [f"{inner}{_STR(key)}: {_indented(item, inner)}" for key, item in sorted(value.items())]
        return "{\n" + ",\n".join(parts) + "\n" + indent + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        return "[\n" + ",\n".join(inner + _indented(item, inner) for item in value) + "\n" + indent + "]"
    return json.dumps(value, ensure_ascii=False)
