"""Fast, deterministic RDF writers for graphs without blank nodes.

rdflib's serialisers are general (blank nodes, lists, any graph shape) and slow on
large graphs; ours need only IRIs and literals. Every writer orders its output
completely (subjects, predicates, objects), so the same graph always gives the same
bytes. The tests parse every output with Oxigraph and rapper and compare the triples.

At a million triples a writer is bound by the work the interpreter does per triple.
So the writers go column by column (:class:`Rows`): the subjects are grouped by their
set of predicates (a few dozen sets), each group is a table with a column per predicate,
every term is written once, many at a time, and each subject is joined from its group's
fixed pieces and its terms, so that the loops per triple run in the interpreter's C code. The
three writers of a build can share one :class:`Rows`, and with it the work on the
terms they have in common. Graphs that do not fit the columns (blank nodes, subjects
that are not IRIs, subjects or keys written alike) go triple by triple
(``_plain_ntriples`` and its siblings), which is also what the tests compare with.
"""

from __future__ import annotations

import functools
import json
import operator
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from itertools import chain, compress, count, repeat
from json.encoder import encode_basestring
from operator import attrgetter, itemgetter
from typing import Generic, TypeGuard, TypeVar

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

T = TypeVar("T")
Triple = tuple[Node, Node, Node]
Table = Mapping[Node, Mapping[Node, Collection[Node]]]
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
        self._memo: dict[str, str] = {}  # "" for an IRI without a prefix form

    def compact(self, iri: str) -> str | None:
        """``prefix:local`` for ``iri``, or ``None`` when no prefix fits."""
        known = self._memo.get(iri)  # not try/except: most IRIs are asked for once
        if known is not None:
            return known or None
        cut = max(iri.rfind("/"), iri.rfind("#")) + 1
        prefix = self.by_namespace.get(iri[:cut])
        local = iri[cut:]
        result = f"{prefix}:{local}" if prefix is not None and _PN_LOCAL.match(local) else None
        if prefix is not None and result is not None:
            self.used.add(prefix)
        self._memo[iri] = result or ""
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


def subject_table(graph: Graph) -> dict[Node, dict[Node, dict[Node, int]]]:
    """Subject → predicate → objects of ``graph`` (read-only), each level in insertion order.

    On rdflib's in-memory stores this is the store's own ``spo`` index (:func:`store_table`),
    which spares the per-triple generator layers of ``Graph.triples`` (a third of the time
    of a writer on large graphs, a million calls for the projection); any other store is
    read once through the public API. The writers refuse blank nodes while they render
    the terms (:class:`_Memo`), not by a scan of their own.
    """
    spo = store_table(graph, "spo")
    if spo is not None:
        return spo
    built: dict[Node, dict[Node, dict[Node, int]]] = defaultdict(lambda: defaultdict(dict))
    for s, p, o in graph:
        built[s][p][o] = 1
    return built


class _BlankNode(ValueError):
    """A blank node met while rendering; :func:`_refusal` says which subject has one."""

    def __init__(self, node: Node) -> None:
        super().__init__(node)
        self.node = node


def _refusal(table: Table, error: _BlankNode) -> ValueError:
    """The error for a graph with blank nodes: the first subject with one, in the table's order."""
    for subject, predicates in table.items():
        if isinstance(subject, BNode) or any(isinstance(o, BNode) for objects in predicates.values() for o in objects):
            return ValueError(f"blank nodes are not supported by this writer: {subject}")
    return ValueError(f"cannot write {error.node!r}")  # a blank predicate, as the term writers say


class _Memo(Generic[T]):
    """What ``render`` gives for each term, computed once.

    Terms repeat a lot (predicates, classes, entities named by many statements), so a
    writer renders each one once. Hot loops read ``get(id(node)) or miss(node)``
    (renderings are never empty): a hit is one C-level lookup of the term object's id.
    The ids stay valid because the table holds every term for the writer's call, and a
    memo never outlives it. A graph holds many objects for one IRI, so a miss looks the IRI up by
    value before rendering it; literals are not merged by value, since rdflib's equality
    would merge literals that are written differently (``"a"@DE == "a"@de``).
    """

    __slots__ = ("_iris", "_render", "_values", "get")

    def __init__(self, render: Callable[[Node], T]) -> None:
        self._values: dict[int, T] = {}
        self._iris: dict[str, T] = {}
        self._render = render
        self.get = self._values.get

    def miss(self, node: Node) -> T:
        """Render ``node`` and remember it.

        Raises:
            _BlankNode: For a blank node.
        """
        if type(node) is URIRef:  # equal IRIs are written alike
            iri = str(node)  # a plain string: compared in C, not by rdflib's __eq__
            value = self._iris.get(iri)
            if value is None:
                value = self._iris[iri] = self._render(node)
        elif type(node) is not Literal and isinstance(node, BNode):
            raise _BlankNode(node)
        else:
            value = self._render(node)
        self._values[id(node)] = value
        return value


def _is_iri(node: Node) -> TypeGuard[URIRef]:
    """``isinstance(node, URIRef)``, quick for plain terms (on rdflib's abstract base classes it runs Python code)."""
    kind = type(node)
    return kind is URIRef or (kind is not Literal and isinstance(node, URIRef))


def _is_literal(node: Node) -> TypeGuard[Literal]:
    """``isinstance(node, Literal)``, quick for plain literals."""
    return type(node) is Literal or isinstance(node, Literal)


def _iri(iri: str) -> str:
    if _IRI_FORBIDDEN.search(iri):
        raise ValueError(f"IRI contains a character that cannot be written: {iri!r}")
    return f"<{iri}>"


def _string(text: str) -> str:
    return '"' + _ESCAPE.sub(lambda m: _ESCAPES[m.group()], text) + '"'


def _object_key(node: Node) -> tuple[str, str, str]:
    if _is_literal(node):
        return (str(node), node.language or "", str(node.datatype or ""))
    return (str(node), "", "")


# ---------------------------------------------------------------- N-Triples, triple by triple


def _nt_term(node: Node) -> str:
    if _is_iri(node):
        return _iri(str(node))
    if _is_literal(node):
        text = _string(str(node))
        if node.language:
            return f"{text}@{node.language}"
        if node.datatype and node.datatype != _STRING:
            return f"{text}^^{_iri(str(node.datatype))}"
        return text
    raise ValueError(f"cannot write {node!r}")


def _plain_ntriples(graph: Graph) -> bytes:
    """N-Triples, one triple per line, lines sorted by code point.

    The lines are not sorted as a million strings: a written subject, predicate or
    object never continues another one with a character below the space that follows it
    (IRIs end at ``>``, a literal goes on only with ``@`` or ``^``), so sorting the
    subjects, then each subject's predicates, then the objects gives the same order.
    Terms written alike (only literals can be) fall back to sorting the lines themselves.
    """
    table = subject_table(graph)
    terms = _Memo(_nt_term)
    ends = _Memo(lambda node: _nt_term(node) + " .\n")  # an object and the end of its line
    get, miss, end, end_miss = terms.get, terms.miss, ends.get, ends.miss
    layouts: dict[tuple[int, ...], tuple[list[tuple[Node, str]], bool]] = {}
    chunks: list[tuple[str, bytes]] = []
    try:
        for s, predicates in table.items():
            subject = _nt_term(s) if type(s) is URIRef else get(id(s)) or miss(s)  # a subject comes once
            signature = tuple(map(id, predicates))
            layout = layouts.get(signature)
            if layout is None:
                heads = sorted(((get(id(p)) or miss(p)) + " ", index, p) for index, p in enumerate(predicates))
                tie = len({head for head, _, _ in heads}) < len(heads)
                layout = layouts[signature] = ([(p, head) for head, _, p in heads], tie)
            lines = []  # each line without its subject, which joins them
            for p, head in layout[0]:
                objects = predicates[p]
                if len(objects) == 1:
                    for o in objects:
                        lines.append(head + (end(id(o)) or end_miss(o)))
                else:
                    lines += [head + text for text in sorted([end(id(o)) or end_miss(o) for o in objects])]
            subject += " "
            if layout[1]:  # two predicates written alike: their lines interleave
                lines.sort()
            # Encoded per subject: a few lines of text outside Latin-1 would make one text
            # of the whole graph twice or four times as large, and slow to encode.
            chunks.append((subject, (subject + subject.join(lines)).encode("utf-8") if lines else b""))
    except _BlankNode as error:
        raise _refusal(table, error) from None
    chunks.sort(key=itemgetter(0))
    text = b"".join([chunk for _, chunk in chunks])
    if len(set(map(itemgetter(0), chunks))) < len(chunks):  # two subjects written alike
        rows = text.split(b"\n")[:-1]  # no written term holds a line break
        rows.sort()  # UTF-8 keeps the order of code points
        text = b"\n".join(rows) + b"\n"
    return text


# ---------------------------------------------------------------- Turtle, triple by triple


def _turtle_term(node: Node, prefixes: Prefixes) -> str:
    if _is_iri(node):
        return prefixes.compact(str(node)) or _iri(str(node))
    if _is_literal(node):
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


def class_rank(types: Iterable[Node | str], last: Sequence[str]) -> tuple[int, str]:
    """How a subject of ``types`` sorts in Turtle: after the others if it is of one of the
    ``last`` classes (their IRIs; by the first of them it is of), then by its first type's IRI."""
    names = sorted(str(t) for t in types)
    first = names[0] if names else "\uffff"
    rank = next((i + 1 for i, c in enumerate(last) if c in names), 0)
    return (rank, first)


def _plain_turtle(graph: Graph, last_classes: Sequence[URIRef] = ()) -> bytes:
    """Turtle grouped by subject; subjects ordered by class, then IRI.

    Args:
        graph: The graph (IRIs and literals only).
        last_classes: Classes whose members come after all others, in this order
            (e.g. statements and references after the entities they describe).
    """
    prefixes = Prefixes.of(graph)
    # Subjects by (rank, first type), each group in the table's order: IRI and block.
    groups: dict[tuple[int, str], list[tuple[str, bytes]]] = {}
    for rank, iri, block in _turtle_blocks(subject_table(graph), prefixes, last_classes):
        group = groups.get(rank)
        if group is None:
            group = groups[rank] = []
        group.append((iri, block))
    header = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(prefixes.pairs) if p in prefixes.used)
    blocks = [header.encode("utf-8")]
    for rank in sorted(groups):
        group = groups[rank]
        group.sort(key=itemgetter(0))  # sorts the IRIs alone, stably, as strings
        blocks += [block for _, block in group]
    return b"\n".join(blocks) if len(blocks) > 1 else blocks[0] + b"\n"


#: Where a subject's block goes in Turtle: its class's rank (see :func:`class_rank`) and its IRI.
TurtleKey = tuple[int, str, str]


def turtle_blocks(
    table: Table, prefixes: Prefixes, last_classes: Sequence[URIRef] = ()
) -> list[tuple[TurtleKey, bytes]]:
    """The block :func:`turtle` writes for each subject of ``table`` (subject → predicate →
    objects) with ``prefixes``, with where it goes, in the document's order; between two
    blocks the document has an empty line.

    Raises:
        ValueError: For a blank node, or a term that cannot be written.
    """
    found = [((*rank, iri), block) for rank, iri, block in _turtle_blocks(table, prefixes, last_classes)]
    found.sort(key=itemgetter(0))
    return found


def _turtle_blocks(
    table: Table, prefixes: Prefixes, last_classes: Sequence[URIRef]
) -> list[tuple[tuple[int, str], str, bytes]]:
    """Each subject's (rank, first type), IRI and block, in the table's order."""
    last = [str(c) for c in last_classes]
    terms = _Memo(lambda node: _turtle_term(node, prefixes))
    keys = _Memo(_object_key)
    get, miss = terms.get, terms.miss
    # Per set of predicates: the type predicate and the others in order, each with its verb.
    layouts: dict[tuple[int, ...], tuple[Node | None, list[tuple[Node, str]]]] = {}
    ranks: dict[tuple[int, ...], tuple[int, str]] = {}
    found: list[tuple[tuple[int, str], str, bytes]] = []
    try:
        for s, predicates in table.items():
            signature = tuple(map(id, predicates))
            layout = layouts.get(signature)
            if layout is None:
                typed = next((p for p in predicates if p == _TYPE), None)
                ordered = sorted(predicates, key=lambda p: (p != _TYPE, str(p)))
                verbs = [(p, ("a" if p == _TYPE else _turtle_term(p, prefixes)) + " ") for p in ordered]
                layout = layouts[signature] = (typed, verbs)
            typed, verbs = layout
            types = predicates[typed] if typed is not None else ()
            kinds = tuple(map(id, types))
            rank = ranks.get(kinds) or ranks.setdefault(kinds, class_rank(types, last))
            lines = []
            for p, verb in verbs:
                objects = predicates[p]
                if len(objects) == 1:
                    for o in objects:
                        lines.append(verb + (get(id(o)) or miss(o)))
                else:
                    order = sorted(objects, key=lambda o: keys.get(id(o)) or keys.miss(o))
                    lines.append(verb + ",\n        ".join([get(id(o)) or miss(o) for o in order]))
            subject = _turtle_term(s, prefixes) if type(s) is URIRef else get(id(s)) or miss(s)  # comes once
            found.append((rank, str(s), (subject + " " + " ;\n    ".join(lines) + " .\n").encode("utf-8")))
    except _BlankNode as error:
        raise _refusal(table, error) from None
    return found


# ---------------------------------------------------------------- JSON-LD, triple by triple


def _jsonld_value(node: Node, prefixes: Prefixes) -> str | dict[str, str]:
    if _is_iri(node):
        return {"@id": prefixes.compact(str(node)) or str(node)}
    if _is_literal(node):
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


# Indents of the document: the keys of an item of "@graph" and the members of a key's list.
_KEY, _MEMBER = " " * 6, " " * 8

#: A value of a node object: its sort key, its text alone under a key, and as a member of a list.
_Value = tuple[tuple[str, ...], str, str]
#: Where a key's values come from: the part of the node, the predicate, and the memo of how
#: its objects are written (its ``get`` and ``miss``).
_Source = tuple[int, Node, Callable[[int], _Value | None], Callable[[Node], _Value]]


def _value(value: str | dict[str, str]) -> _Value:
    """What :func:`_indented` writes for ``value`` under a key and in a list, with its sort key.

    Values are strings or flat dictionaries of strings, so the recursion is not needed.
    """
    if isinstance(value, str):
        text = _STR(value)
        return (("", value, "", ""), text, _MEMBER + text)
    fields = [f"{_STR(key)}: {_STR(item)}" for key, item in sorted(value.items())]
    alone = "{\n" + ",\n".join([_MEMBER + field for field in fields]) + "\n" + _KEY + "}"
    member = _MEMBER + "{\n" + ",\n".join([_MEMBER + "  " + field for field in fields]) + "\n" + _MEMBER + "}"
    return (_jsonld_sort_key(value), alone, member)


def _plain_jsonld(graph: Graph) -> bytes:
    """Compacted JSON-LD: a prefix context and one node object per subject, all sorted.

    The text is the one ``json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True)``
    gives for the document of nested dictionaries, written directly: each value is written
    once, and the keys of a node object are laid out once per set of predicates.
    """
    prefixes = Prefixes.of(graph)
    items = [item for _, item in jsonld_items(subject_table(graph), prefixes)]
    context = _indented({p: ns for p, ns in sorted(prefixes.pairs) if p in prefixes.used}, "  ")
    opening = f'{{\n  "@context": {context},\n  "@graph": '.encode()
    if not items:
        return opening + b"[]\n}\n"
    items[0] = opening + b"[\n" + items[0]  # so that the document is joined in one go
    items[-1] += b"\n  ]\n}\n"
    return b",\n".join(items)


def jsonld_items(table: Table, prefixes: Prefixes) -> list[tuple[str, bytes]]:
    """The node object :func:`jsonld` writes for each subject of ``table`` (subject →
    predicate → objects) with ``prefixes``, indented as an item of ``@graph``, after its
    ``@id``, in the document's order (subjects written alike make one node object).

    Raises:
        ValueError: For a blank node, or a term that cannot be written.
    """
    compact = prefixes.compact
    ids = _Memo(lambda node: compact(str(node)) or str(node))
    types = _Memo(lambda node: _value(ids.get(id(node)) or ids.miss(node)))
    values = _Memo(lambda node: _value(_jsonld_value(node, prefixes)))
    # Subjects that compact alike (not seen in practice) make one node object of several parts.
    nodes: dict[str, list[Mapping[Node, Collection[Node]]]] = {}
    layouts: dict[tuple[object, ...], list[tuple[str, list[_Source] | None]]] = {}
    items: list[tuple[str, bytes]] = []
    try:
        for s, predicates in table.items():
            subject = compact(str(s)) or str(s) if type(s) is URIRef else ids.get(id(s)) or ids.miss(s)  # comes once
            parts = nodes.get(subject)
            if parts is None:
                nodes[subject] = [predicates]
            else:
                parts.append(predicates)
        for subject in sorted(nodes):
            parts = nodes[subject]
            if len(parts) == 1:
                signature: tuple[object, ...] = tuple(map(id, parts[0]))
            else:
                signature = tuple([tuple(map(id, predicates)) for predicates in parts])
            layout = layouts.get(signature)
            if layout is None:
                layout = layouts[signature] = _layout(parts, ids, types, values)
            lines = []
            for key, sources in layout:
                if sources is None:
                    lines.append(key + _STR(subject))
                    continue
                if len(sources) == 1:
                    part, p, get, miss = sources[0]
                    objects = parts[part][p]
                    if len(objects) == 1:
                        for o in objects:
                            lines.append(key + (get(id(o)) or miss(o))[1])
                        continue
                    found = [get(id(o)) or miss(o) for o in objects]
                else:
                    found = [get(id(o)) or miss(o) for part, p, get, miss in sources for o in parts[part][p]]
                if len(found) == 1:
                    lines.append(key + found[0][1])
                elif not found:
                    lines.append(key + "[]")
                else:
                    found.sort(key=itemgetter(0))
                    members = ",\n".join([member for _, _, member in found])
                    lines.append(f"{key}[\n{members}\n{_KEY}]")
            items.append((subject, ("    {\n" + ",\n".join(lines) + "\n    }").encode("utf-8")))  # as an item
    except _BlankNode as error:
        raise _refusal(table, error) from None
    return items


def _layout(
    parts: Sequence[Mapping[Node, Collection[Node]]], ids: _Memo[str], types: _Memo[_Value], values: _Memo[_Value]
) -> list[tuple[str, list[_Source] | None]]:
    """The keys of a node object in order, each written with its indent, and where its values come from.

    ``None`` stands for the subject under ``@id``; a predicate that compacts to a key
    already taken adds its values to that key's, as the document of dictionaries would.
    """
    keys: dict[str, list[_Source] | None] = {"@id": None}
    for index, predicates in enumerate(parts):
        for p in predicates:
            typed = p == _TYPE
            key = "@type" if typed else ids.get(id(p)) or ids.miss(p)
            sources = keys.get(key)
            if sources is None:
                sources = keys[key] = []
            memo = types if typed else values
            sources.append((index, p, memo.get, memo.miss))
    return [(f"{_KEY}{_STR(key)}: ", sources) for key, sources in sorted(keys.items(), key=itemgetter(0))]


#: ``json.dumps(text, ensure_ascii=False)`` for a string: what the encoder itself calls (C-accelerated).
_STR = encode_basestring


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


# ---------------------------------------------------------------- Column by column


#: The text of an IRI or a literal (both are ``str``) as a plain ``str``: ``str(term)``, a fifth quicker.
_TEXT: Callable[[Node], str] = str.__str__


class _Group:
    """The subjects that have the same predicates (in the table's order), with their objects column by column.

    Attributes:
        predicates: The predicates, in the table's order.
        subjects: The subjects, in the table's order.
        iris: The subjects' IRIs as plain strings.
        columns: Per predicate, per subject: the number of its sole object (a key of
            :attr:`Rows.objects` or :attr:`Rows.types`), or of the cell of its objects when
            it has several (found in ``several``).
        several: Per predicate: the cells of several objects by number, each with its
            subject and the numbers of its objects.
    """

    __slots__ = ("columns", "iris", "predicates", "several", "subjects")

    def __init__(self, predicates: list[Node], subjects: list[Node]) -> None:
        self.predicates = predicates
        self.subjects = subjects
        self.iris = list(map(_TEXT, subjects))
        self.columns: list[list[int]] = []
        self.several: list[dict[int, tuple[Node, list[int]]]] = []


#: The language and the datatype of a plain ``Literal``: read from the slots its properties return
#: when rdflib keeps them there (a C call each, not a Python one), else through the properties.
_LANGUAGE_OF, _DATATYPE_OF = (
    (attrgetter("_language"), attrgetter("_datatype"))
    if {"_language", "_datatype"} <= set(getattr(Literal, "__slots__", ()))
    else (attrgetter("language"), attrgetter("datatype"))
)


class _Terms:
    """Terms by number (see :class:`Rows`), split by kind so that a writer can write each kind many at a time.

    Attributes:
        iri_keys, iris: The numbers of the plain IRIs and their text.
        literal_keys, lexicals, kinds: The numbers of the plain literals, their lexical forms,
            and the number of their language and datatype in ``kind_of``.
        other_keys, others: Terms of other types (subclasses), written one by one.
    """

    def __init__(self, nodes: Mapping[int, Node]) -> None:
        keys, values = list(nodes), list(nodes.values())
        types = list(map(type, values))
        is_iri = list(map(operator.is_, types, repeat(URIRef)))
        is_literal = list(map(operator.is_, types, repeat(Literal)))
        self.iri_keys = list(compress(keys, is_iri))
        self.iris = list(map(_TEXT, compress(values, is_iri)))
        literals = list(compress(values, is_literal))
        self.literal_keys = list(compress(keys, is_literal))
        self.lexicals = list(map(_TEXT, literals))
        numbers: dict[tuple[str | None, URIRef | None], int] = {}
        pairs = zip(map(_LANGUAGE_OF, literals), map(_DATATYPE_OF, literals), strict=True)
        self.kinds = list(map(numbers.setdefault, pairs, count()))
        self.kind_of = {number: pair for pair, number in numbers.items()}
        self.other_keys: list[int] = []
        self.others: list[Node] = []
        if len(self.iri_keys) + len(self.literal_keys) < len(keys):
            rest = list(map(operator.not_, map(operator.or_, is_iri, is_literal)))
            self.other_keys = list(compress(keys, rest))
            self.others = list(compress(values, rest))
        self._compacted: tuple[tuple[tuple[str, str], ...], list[str | None], set[str]] | None = None

    @functools.cached_property
    def quoted(self) -> list[str]:
        """The lexical forms as N-Triples and Turtle strings."""
        if _ESCAPE.search("".join(self.lexicals)) is None:
            return list(map('"{}"'.format, self.lexicals))
        return list(map(_string, self.lexicals))

    def compacted(self, prefixes: Prefixes) -> list[str | None]:
        """Each of :attr:`iris` as ``prefix:local`` or ``None``; adds the prefixes to ``prefixes.used``.

        Turtle and JSON-LD compact alike: the second writer of a build reuses the first one's work.
        """
        pairs = tuple(prefixes.pairs)
        if self._compacted is None or self._compacted[0] != pairs:
            found: set[str] = set()
            self._compacted = (pairs, _compact_all(prefixes.by_namespace, self.iris, found), found)
        prefixes.used |= self._compacted[2]
        return self._compacted[1]

    @functools.cached_property
    def iri_text(self) -> dict[int, str]:
        """The text of each plain IRI, by number."""
        return dict(zip(self.iri_keys, self.iris, strict=True))

    @functools.cached_property
    def json(self) -> list[str]:
        """The lexical forms as JSON strings."""
        return list(map(_STR, self.lexicals))


class Rows:
    """The triples of a graph laid out once for all three writers.

    A writer that goes triple by triple in Python spends most of its time on the loop
    itself. Here the subjects are grouped by their set of predicates (a few dozen sets in
    a graph of a hundred thousand subjects), and each group is a table with a column per
    predicate, holding the number of each subject's object (one per term). A writer
    renders each term once, many at a time, looks the columns up with ``map`` and joins
    each subject of a group from fixed pieces and its terms, so the work per triple is
    done by the interpreter's C code. Only objects that share a subject and predicate (a
    few in a hundred) are written one collection at a time. The subjects are sorted by
    IRI once (:attr:`order`), and each writer sorts its own keys from that order.

    The three writers of a build can share one ``Rows`` (pass it as ``rows=``), and with
    it the work on the terms they have in common; it must not outlive changes to the
    graph. Graphs the columns do not fit (blank nodes, subjects that are not IRIs, a
    predicate without objects) are not :attr:`regular`; the writers then go triple by triple.
    """

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        table = subject_table(graph)
        self.groups: list[_Group] = []
        #: Every term that is an object of a predicate other than ``rdf:type``, by number; and of ``rdf:type``.
        self.objects: dict[int, Node] = {}
        self.types: dict[int, Node] = {}
        self._compacted: tuple[tuple[tuple[str, str], ...], list[list[str | None]], set[str]] | None = None
        # While the columns are laid out: the number of each term object by its id, among the
        # objects of other predicates and of rdf:type; and the next number.
        self._ids: tuple[dict[int, int], dict[int, int]] = ({}, {})
        self._next = 0
        subjects = list(table)
        self.regular = set(map(type, subjects)) <= {URIRef}
        if not self.regular:
            return
        tables = list(table.values())
        # Each subject's predicates (in order) as a number, and the subjects sorted by it (stably).
        numbers: dict[tuple[Node, ...], int] = {}
        signatures = list(map(numbers.setdefault, map(tuple, tables), count()))
        order = sorted(range(len(signatures)), key=signatures.__getitem__)
        subjects, tables = list(map(subjects.__getitem__, order)), list(map(tables.__getitem__, order))
        start = 0
        try:
            for size in map(Counter(signatures).__getitem__, sorted(numbers.values())):
                group = _Group(list(tables[start]), subjects[start : start + size])
                if not self._add_columns(group, tables[start : start + size]):
                    self.regular = False
                    return
                self.groups.append(group)
                start += size
        finally:
            self._ids = ({}, {})  # the ids are valid only while the terms are held: not kept
        kinds = set(map(type, self.objects.values())) | set(map(type, self.types.values()))
        self.regular = all(issubclass(kind, (URIRef, Literal)) and not issubclass(kind, BNode) for kind in kinds)

    def _add_columns(self, group: _Group, tables: Sequence[dict[Node, dict[Node, int]]]) -> bool:
        """Fill the columns of ``group`` from the subjects' ``tables``; ``False`` if they do not fit."""
        if not set(map(type, group.predicates)) <= {URIRef}:
            return False
        width = len(group.predicates)
        cells = list(chain.from_iterable(map(dict.values, tables)))  # row by row
        sole = list(chain.from_iterable(cells))
        several: list[int] = []
        if len(sole) != len(cells) or not all(cells):  # not the common case: one object in each cell
            lengths = list(map(len, cells))
            if 0 in lengths:
                return False
            sole = list(map(next, map(iter, cells)))  # the first of several, for now
            several = list(compress(count(), map((1).__ne__, lengths)))
        columns = [self._numbered(sole[index::width], p == _TYPE) for index, p in enumerate(group.predicates)]
        group.several = [{} for _ in range(width)]
        for place in several:
            index, row = place % width, place // width
            members = self._numbered(list(cells[place]), group.predicates[index] == _TYPE)
            columns[index][row] = self._next
            group.several[index][self._next] = (group.subjects[row], members)
            self._next += 1
        group.columns = columns
        return True

    def _numbered(self, nodes: list[Node], typed: bool) -> list[int]:
        """The number of each of ``nodes`` (objects of ``rdf:type`` if ``typed``); adds the new ones to
        :attr:`types` or :attr:`objects`.

        The columns hold numbers, not the terms: each term object is numbered where it is
        first met (its place among all objects laid out), each cell of several objects gets
        a number of its own. So a column holds one ``int`` per term, not one per triple (a
        third less memory than ids at a million triples), and the writers look up keys that
        are small and close together, which is quicker.
        """
        start = self._next
        self._next += len(nodes)
        keys = list(map(self._ids[typed].setdefault, map(id, nodes), count(start)))
        first = list(map(operator.eq, keys, count(start)))  # met here first: numbered by its place
        (self.types if typed else self.objects).update(zip(compress(keys, first), compress(nodes, first), strict=True))
        return keys

    @functools.cached_property
    def order(self) -> list[int]:
        """The places of the subjects (of the groups one after the other) in the order of their IRIs."""
        iris = list(chain.from_iterable([group.iris for group in self.groups]))
        return sorted(range(len(iris)), key=iris.__getitem__)

    @functools.cached_property
    def object_terms(self) -> _Terms:
        """The objects of predicates other than ``rdf:type``."""
        return _Terms(self.objects)

    @functools.cached_property
    def type_terms(self) -> _Terms:
        """The objects of ``rdf:type``."""
        return _Terms(self.types)

    def compacted_subjects(self, prefixes: Prefixes) -> list[list[str | None]]:
        """Per group, each subject as ``prefix:local`` or ``None``; adds the prefixes to ``prefixes.used``."""
        if self._compacted is None or self._compacted[0] != tuple(prefixes.pairs):
            found: set[str] = set()
            compacted = [_compact_all(prefixes.by_namespace, group.iris, found) for group in self.groups]
            self._compacted = (tuple(prefixes.pairs), compacted, found)
        prefixes.used |= self._compacted[2]
        return self._compacted[1]


#: An IRI that may be written ``prefix:local``: its namespace (up to its last ``/`` or ``#``)
#: and a local name as :data:`_PN_LOCAL` takes them.
_COMPACTABLE = re.compile(r"((?s:.*)[/#])[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?$")


#: A local name as :data:`_PN_LOCAL` takes it, matched from where the namespace ends.
_LOCAL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?$")


def _compact_all(by_namespace: Mapping[str, str], iris: list[str], used: set[str]) -> list[str | None]:
    """What :meth:`Prefixes.compact` gives for each of ``iris``; adds the prefixes it uses to ``used``.

    IRIs of one namespace (the subjects of a group, mostly) are compacted all at once.
    """
    alike = _compact_alike(by_namespace, iris)
    if alike is not None:
        used.add(alike[0])
        return alike[1]  # type: ignore[return-value]
    written: list[str | None] = []
    append = written.append
    for iri, match in zip(iris, map(_COMPACTABLE.match, iris), strict=True):
        if match is not None:
            namespace = match.group(1)
            prefix = by_namespace.get(namespace)
            if prefix is not None:
                append(f"{prefix}:{iri[len(namespace) :]}")
                used.add(prefix)
                continue
        append(None)
    return written


def _compact_alike(by_namespace: Mapping[str, str], iris: list[str]) -> tuple[str, list[str]] | None:
    """The prefix and the compact form of ``iris`` if all are in the namespace of the first, else ``None``."""
    first = _COMPACTABLE.match(iris[0]) if iris else None
    if first is None or first.group(1) not in by_namespace:
        return None
    namespace = first.group(1)
    start = len(namespace)
    if list(map(str.startswith, iris, repeat(namespace))).count(True) < len(iris):
        return None
    if None in map(_LOCAL.match, iris, repeat(start)):  # a local name that is not one, or holds a "/" or "#"
        return None
    prefix = by_namespace[namespace]
    return prefix, list(map(f"{prefix}:".__add__, map(str.__getitem__, iris, repeat(slice(start, None)))))


def _filled(pieces: Sequence[str], columns: Sequence[list[bytes]]) -> Iterator[bytes]:
    """Each row of ``columns`` between the fixed ``pieces`` (one more than columns), encoded:
    ``pieces[0] + columns[0][row] + pieces[1] + … + pieces[-1]``.

    A row is joined from a tuple (``b"".join``): a quarter quicker than a ``%`` template.
    """
    parts: list[Iterable[bytes]] = []
    for piece, column in zip(pieces, [*columns, None], strict=True):
        if piece:
            parts.append(repeat(piece.encode()))
        if column is not None:
            parts.append(column)
    return map(b"".join, zip(*parts))  # noqa: B905  # the pieces repeat without end


def _encoded(forms: Mapping[int, str]) -> dict[int, bytes]:
    """``forms`` encoded as UTF-8.

    The writers fill their rows with bytes: each term is encoded once, and the
    document is joined from the texts of its subjects in one go (one text of the whole
    document would be twice or four times as large as its bytes when a few characters
    lie outside Latin-1, and slow to encode).
    """
    return dict(zip(forms, _encode_all(forms.values()), strict=True))


def _encode_all(texts: Iterable[str]) -> list[bytes]:
    return list(map(str.encode, texts))


#: The bytes of the characters that no written IRI holds (:data:`_IRI_FORBIDDEN`), but for the
#: three that :func:`iri_bytes` puts around and between the IRIs (it counts those).
_IRI_FORBIDDEN_BYTES = bytes(range(0x21)).replace(b"\n", b"") + b'"{}|^`\\'


def iri_bytes(iris: list[str]) -> list[bytes]:
    """``<iri>`` for each of ``iris``, encoded: all joined to one text a line each, encoded and cut at once.

    UTF-8 writes each character outside ASCII as bytes above 127 alone, so the characters
    that cannot be written are found among the bytes: the text holds each of ``<``, ``>``
    and the line break only as many times as it puts them in, and none of the others.

    Raises:
        ValueError: When one holds a character that cannot be written.
    """
    if not iris:
        return []
    text = ("<" + ">\n<".join(iris) + ">").encode()
    if (
        text.count(b"<") != len(iris)
        or text.count(b">") != len(iris)
        or text.count(b"\n") != len(iris) - 1
        or len(text.translate(None, _IRI_FORBIDDEN_BYTES)) != len(text)
    ):
        raise ValueError("an IRI holds a character that cannot be written")
    return text.split(b"\n")


def _column_forms(
    group: _Group, index: int, forms: Mapping[int, bytes], several: Callable[[Node, list[int]], bytes]
) -> list[bytes]:
    """The written objects of column ``index`` of ``group``: looked up in ``forms``, or written by ``several``."""
    cells = group.several[index]
    if not cells:
        return list(map(forms.__getitem__, group.columns[index]))
    written = {key: several(s, objects) for key, (s, objects) in cells.items()}
    return [written[key] if key in written else forms[key] for key in group.columns[index]]


def _interleaved(separator: bytes, texts: list[bytes]) -> list[bytes]:
    """The pieces of ``separator.join(texts)``, without joining them."""
    pieces = [separator] * (2 * len(texts) - 1) if texts else []
    pieces[::2] = texts
    return pieces


def _sorted_texts(texts: list[bytes], keys: list[str] | list[bytes], rows: Rows) -> list[bytes]:
    """``texts`` (one per subject of ``rows``, in the groups' order) in the order of their ``keys``, which
    are unique.

    The keys are sorted from the order of the IRIs (:attr:`Rows.order`), which they mostly
    keep: a stable sort of an almost sorted list compares little more than neighbours.
    """
    order = sorted(rows.order, key=keys.__getitem__)
    return list(map(texts.__getitem__, order))


# ---------------------------------------------------------------- N-Triples, column by column


def _nt_forms(terms: _Terms) -> dict[int, bytes]:
    """Every term written in N-Triples and encoded, by number."""
    forms = dict(zip(terms.iri_keys, iri_bytes(terms.iris), strict=True))
    suffixes = {number: _nt_suffix(*kind) for number, kind in terms.kind_of.items()}
    written = map(operator.add, terms.quoted, map(suffixes.__getitem__, terms.kinds))
    forms.update(zip(terms.literal_keys, map(str.encode, written), strict=True))
    forms.update(zip(terms.other_keys, map(str.encode, map(_nt_term, terms.others)), strict=True))
    return forms


def _nt_suffix(language: str | None, datatype: URIRef | None) -> str:
    """What follows the string of a literal in N-Triples (as :func:`_nt_term` writes it)."""
    if language:
        return f"@{language}"
    if datatype and datatype != _STRING:
        return f"^^{_iri(str(datatype))}"
    return ""


def _ntriples_rows(rows: Rows) -> list[bytes]:
    forms = {**_nt_forms(rows.object_terms), **_nt_forms(rows.type_terms)}
    keys: list[bytes] = []
    texts: list[bytes] = []
    for group in rows.groups:
        written = iri_bytes(group.iris)
        heads = [_nt_term(p) + " " for p in group.predicates]
        order = sorted(range(len(heads)), key=heads.__getitem__)
        pieces = ["", *chain.from_iterable((" " + heads[j], " .\n") for j in order)]
        columns = []
        for j in order:

            def several(s: Node, keys: list[int], head: str = heads[j]) -> bytes:
                ends = sorted(map(operator.add, map(forms.__getitem__, keys), repeat(b" .\n")))  # UTF-8 keeps the order
                return (_nt_term(s) + " " + head).encode().join(ends)[:-3]  # the pieces end the last line

            columns += [written, _column_forms(group, j, forms, several)]
        keys += written  # sorted as with the space that follows them (no IRI holds a ">"); UTF-8 keeps the order
        texts += _filled(pieces, columns)
    return _sorted_texts(texts, keys, rows)


def ntriples(graph: Graph, rows: Rows | None = None) -> bytes:
    """N-Triples, one triple per line, lines sorted by code point.

    Args:
        graph: The graph (IRIs and literals only).
        rows: The graph's :class:`Rows`, when the caller shares them between writers.

    Raises:
        ValueError: For a blank node, or a term that cannot be written.
    """
    return b"".join(ntriples_pieces(graph, rows))


def ntriples_pieces(graph: Graph, rows: Rows | None = None) -> list[bytes]:
    """:func:`ntriples` in pieces whose concatenation it is (for writing a large file without a joined copy)."""
    return _column_or_plain(graph, rows, _ntriples_rows, _plain_ntriples)


def _column_or_plain(
    graph: Graph,
    rows: Rows | None,
    by_columns: Callable[[Rows], list[bytes]],
    plain: Callable[[Graph], bytes],
    fitting: tuple[type[Exception], ...] = (ValueError,),
) -> list[bytes]:
    """The pieces written column by column, or (for a graph the columns do not fit, or a
    term that cannot be written: the writer triple by triple says which) the whole text
    written triple by triple."""
    rows = rows if rows is not None else Rows(graph)
    if rows.regular:
        try:
            return by_columns(rows)
        except fitting:
            pass
    return [plain(graph)]


# ---------------------------------------------------------------- Turtle, column by column


def _turtle_iris(prefixes: Prefixes, terms: _Terms) -> list[str]:
    """Each IRI of ``terms`` as :func:`_turtle_term` writes it."""
    compacted, iris = terms.compacted(prefixes), terms.iris
    if None not in compacted:
        return compacted  # type: ignore[return-value]
    return [name if name is not None else _iri(iri) for name, iri in zip(compacted, iris, strict=True)]


def _turtle_forms(terms: _Terms, prefixes: Prefixes) -> dict[int, str]:
    """Every term written in Turtle, by number."""
    forms = dict(zip(terms.iri_keys, _turtle_iris(prefixes, terms), strict=True))
    suffixes: dict[int, str] = {}
    shortcuts: dict[int, re.Pattern[str]] = {}
    for number, (language, datatype) in terms.kind_of.items():
        if language:
            suffixes[number] = f"@{language}"
        elif datatype is None or datatype == _STRING:
            suffixes[number] = ""
        elif datatype in _TURTLE_SHORTCUTS:  # written bare if its lexical form allows (below)
            suffixes[number] = ""
            shortcuts[number] = _TURTLE_SHORTCUTS[datatype]
        else:
            suffixes[number] = "^^" + _turtle_term(datatype, prefixes)
    written = list(map(operator.add, terms.quoted, map(suffixes.__getitem__, terms.kinds)))
    if shortcuts:  # the literals of those datatypes one by one (a few in a hundred)
        lexicals, kinds = terms.lexicals, terms.kinds
        for place in compress(count(), map(shortcuts.__contains__, kinds)):
            number = kinds[place]
            if shortcuts[number].match(lexicals[place]):
                written[place] = lexicals[place]
            else:
                written[place] += "^^" + _turtle_term(terms.kind_of[number][1], prefixes)  # type: ignore[arg-type]
    forms.update(zip(terms.literal_keys, written, strict=True))
    forms.update((key, _turtle_term(node, prefixes)) for key, node in zip(terms.other_keys, terms.others, strict=True))
    return forms


def _boolean(lexical: str) -> bool:
    return lexical in ("true", "false")


#: Datatypes whose literals Turtle writes bare, when their lexical form matches.
_TURTLE_SHORTCUTS: dict[URIRef, re.Pattern[str]] = {
    _INTEGER_T: _INTEGER,
    _DECIMAL_T: _DECIMAL,
    _BOOLEAN: re.compile(r"(?:true|false)\Z"),
}


def _node(rows: Rows, key: int) -> Node:
    """The object whose id is ``key``."""
    return rows.objects[key] if key in rows.objects else rows.types[key]


def _turtle_rows(rows: Rows, last_classes: Sequence[URIRef]) -> list[bytes]:
    prefixes = Prefixes.of(rows.graph)
    last = [str(c) for c in last_classes]
    forms = _encoded({**_turtle_forms(rows.object_terms, prefixes), **_turtle_forms(rows.type_terms, prefixes)})
    iris = {**rows.object_terms.iri_text, **rows.type_terms.iri_text}
    compacted = rows.compacted_subjects(prefixes)
    ranks: dict[tuple[int, str], int] = {}  # each (rank, first type) numbered in the order first met
    positions: list[int] = []  # each subject's (rank, first type) by its number in ``ranks``
    texts: list[bytes] = []

    def several(s: Node, keys: list[int]) -> bytes:
        try:  # IRIs alone: _object_key orders them by their text
            keys = sorted(keys, key=iris.__getitem__)
        except KeyError:
            keys = sorted(keys, key=lambda key: _object_key(_node(rows, key)))
        return b",\n        ".join(map(forms.__getitem__, keys))

    for group, names in zip(rows.groups, compacted, strict=True):
        predicates = group.predicates
        order = sorted(range(len(predicates)), key=lambda j: (predicates[j] != _TYPE, str(predicates[j])))
        verbs = ["a" if predicates[j] == _TYPE else _turtle_term(predicates[j], prefixes) for j in order]
        pieces = ["", *[(" ;\n    " if i else " ") + verb + " " for i, verb in enumerate(verbs)], " .\n"]
        if None in names:
            subjects = [name if name is not None else _iri(iri) for name, iri in zip(names, group.iris, strict=True)]
        else:
            subjects = names  # type: ignore[assignment]
        columns = [_encode_all(subjects)] + [_column_forms(group, j, forms, several) for j in order]
        typed = next((j for j in order if predicates[j] == _TYPE), None)
        if typed is None:
            positions += [ranks.setdefault(class_rank((), last), len(ranks))] * len(subjects)
        else:
            by_cell: dict[int, int] = {}
            for key in set(group.columns[typed]):
                cell = group.several[typed].get(key)
                types = [rows.types[member] for member in cell[1]] if cell is not None else [rows.types[key]]
                by_cell[key] = ranks.setdefault(class_rank(types, last), len(ranks))
            positions += map(by_cell.__getitem__, group.columns[typed])
        texts += _filled(pieces, columns)
    header = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(prefixes.pairs) if p in prefixes.used)
    if not texts:
        return [header.encode("utf-8") + b"\n"]
    places = {ranks[rank]: place for place, rank in enumerate(sorted(ranks))}
    order = rows.order.copy()
    order.sort(key=list(map(places.__getitem__, positions)).__getitem__)  # stable: by IRI within a class
    return [header.encode("utf-8") + b"\n", *_interleaved(b"\n", list(map(texts.__getitem__, order)))]


def turtle(graph: Graph, last_classes: Sequence[URIRef] = (), rows: Rows | None = None) -> bytes:
    """Turtle grouped by subject; subjects ordered by class, then IRI.

    Args:
        graph: The graph (IRIs and literals only).
        last_classes: Classes whose members come after all others, in this order
            (e.g. statements and references after the entities they describe).
        rows: The graph's :class:`Rows`, when the caller shares them between writers.

    Raises:
        ValueError: For a blank node, or a term that cannot be written.
    """
    return b"".join(turtle_pieces(graph, last_classes, rows))


def turtle_pieces(graph: Graph, last_classes: Sequence[URIRef] = (), rows: Rows | None = None) -> list[bytes]:
    """:func:`turtle` in pieces whose concatenation it is (for writing a large file without a joined copy)."""
    return _column_or_plain(
        graph, rows, lambda r: _turtle_rows(r, last_classes), lambda g: _plain_turtle(g, last_classes)
    )


# ---------------------------------------------------------------- JSON-LD, column by column


class _Collision(Exception):
    """Two subjects of a node object, or two keys, written alike: left to the writer triple by triple."""


def _jsonld_ids(prefixes: Prefixes, terms: _Terms) -> list[str]:
    """Each IRI of ``terms`` as ``prefix:local``, or itself."""
    compacted, iris = terms.compacted(prefixes), terms.iris
    if None not in compacted:
        return compacted  # type: ignore[return-value]
    return [name if name is not None else iri for name, iri in zip(compacted, iris, strict=True)]


def _jsonld_forms(terms: _Terms, prefixes: Prefixes) -> tuple[dict[int, str], dict[int, str]]:
    """Every term as a value of a node object (what :func:`_value` writes alone), and the ``@id`` of each IRI."""
    ids = _jsonld_ids(prefixes, terms)
    forms = dict(zip(terms.iri_keys, map(_ID_OBJECT.format, map(_STR, ids)), strict=True))
    before: dict[int, str] = {}
    after: dict[int, str] = {}
    for number, (language, datatype) in terms.kind_of.items():
        if language:
            before[number], after[number] = (
                "{\n" + _MEMBER + '"@language": ' + _STR(language) + ",\n" + _MEMBER + '"@value": ',
                "\n" + _KEY + "}",
            )
        elif datatype and datatype != _STRING:
            name = _STR(prefixes.compact(str(datatype)) or str(datatype))
            before[number], after[number] = (
                "{\n" + _MEMBER + '"@type": ' + name + ",\n" + _MEMBER + '"@value": ',
                "\n" + _KEY + "}",
            )
        else:
            before[number], after[number] = "", ""
    written = map(
        operator.add,
        map(operator.add, map(before.__getitem__, terms.kinds), terms.json),
        map(after.__getitem__, terms.kinds),
    )
    forms.update(zip(terms.literal_keys, written, strict=True))
    forms.update(
        (key, _value(_jsonld_value(node, prefixes))[1])
        for key, node in zip(terms.other_keys, terms.others, strict=True)
    )
    return forms, dict(zip(terms.iri_keys, ids, strict=True))


#: A node object of an IRI alone, as :func:`_value` writes it.
_ID_OBJECT = "{{\n" + _MEMBER + '"@id": {}\n' + _KEY + "}}"


def _jsonld_type_forms(terms: _Terms, prefixes: Prefixes) -> tuple[dict[int, str], dict[int, str]]:
    """Every object of ``rdf:type`` as a value of ``@type``, and its name, by number."""
    ids = dict(zip(terms.iri_keys, _jsonld_ids(prefixes, terms), strict=True))
    rest = chain(
        zip(terms.literal_keys, terms.lexicals, strict=True), zip(terms.other_keys, map(str, terms.others), strict=True)
    )
    ids.update((key, prefixes.compact(text) or text) for key, text in rest)
    return dict(zip(ids, map(_STR, ids.values()), strict=True)), ids


def _jsonld_rows(rows: Rows) -> list[bytes]:
    prefixes = Prefixes.of(rows.graph)
    compact = prefixes.compact
    value_forms, value_ids = _jsonld_forms(rows.object_terms, prefixes)
    type_forms, type_ids = _jsonld_type_forms(rows.type_terms, prefixes)
    values, types = _encoded(value_forms), _encoded(type_forms)
    compacted = rows.compacted_subjects(prefixes)

    def several_values(s: Node, keys: list[int]) -> bytes:
        try:  # IRIs alone: _jsonld_sort_key orders them by their "@id"
            keys = sorted(keys, key=value_ids.__getitem__)
        except KeyError:
            return _members([_value(_jsonld_value(rows.objects[key], prefixes)) for key in keys]).encode()
        return _members_of(list(map(value_forms.__getitem__, keys))).encode()

    def several_types(s: Node, keys: list[int]) -> bytes:
        keys = sorted(keys, key=type_ids.__getitem__)  # as _jsonld_sort_key orders strings
        return _list(map(_MEMBER.__add__, map(type_forms.__getitem__, keys))).encode()

    ids: list[str] = []
    texts: list[bytes] = []
    for group, names in zip(rows.groups, compacted, strict=True):
        keyed: dict[str, int] = {"@id": -1}
        for j, p in enumerate(group.predicates):
            key = "@type" if p == _TYPE else compact(str(p)) or str(p)
            if key in keyed:
                raise _Collision(key)
            keyed[key] = j
        order = sorted(keyed)
        pieces = [("    {\n" if i == 0 else ",\n") + f"{_KEY}{_STR(key)}: " for i, key in enumerate(order)] + [
            "\n    }"
        ]
        if None in names:
            subjects = [name if name is not None else iri for name, iri in zip(names, group.iris, strict=True)]
        else:
            subjects = names  # type: ignore[assignment]
        columns = []
        for key in order:
            j = keyed[key]
            if j < 0:
                columns.append(_encode_all(map(_STR, subjects)))
            elif group.predicates[j] == _TYPE:
                columns.append(_column_forms(group, j, types, several_types))
            else:
                columns.append(_column_forms(group, j, values, several_values))
        ids += subjects
        texts += _filled(pieces, columns)
    if len(set(ids)) < len(ids):
        raise _Collision("subjects")
    context = _indented({p: ns for p, ns in sorted(prefixes.pairs) if p in prefixes.used}, "  ")
    opening = f'{{\n  "@context": {context},\n  "@graph": '.encode()
    if not texts:
        return [opening + b"[]\n}\n"]
    return [opening + b"[\n", *_interleaved(b",\n", _sorted_texts(texts, ids, rows)), b"\n  ]\n}\n"]


def _members(found: list[_Value]) -> str:
    """Several values of a key, sorted, as a list."""
    found.sort(key=itemgetter(0))
    return _list([member for _, _, member in found])


def _list(members: Iterable[str]) -> str:
    """The list of a key's values, each written as a member."""
    return "[\n" + ",\n".join(members) + "\n" + _KEY + "]"


def _members_of(alone: list[str]) -> str:
    """The list of a key's values from what each is written alone under a key, in one go.

    As a member of a list a value is one level more indented (each line break gains two
    spaces). The values are JSON, which holds no NUL (it escapes it), so that NUL can
    mark where one ends while the line breaks are indented.
    """
    return "[\n" + _MEMBER + "\0".join(alone).replace("\n", "\n  ").replace("\0", ",\n" + _MEMBER) + "\n" + _KEY + "]"


def jsonld(graph: Graph, rows: Rows | None = None) -> bytes:
    """Compacted JSON-LD: a prefix context and one node object per subject, all sorted.

    The text is the one ``json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True)``
    gives for the document of nested dictionaries, written directly.

    Args:
        graph: The graph (IRIs and literals only).
        rows: The graph's :class:`Rows`, when the caller shares them between writers.

    Raises:
        ValueError: For a blank node, or a term that cannot be written.
    """
    return b"".join(jsonld_pieces(graph, rows))


def jsonld_pieces(graph: Graph, rows: Rows | None = None) -> list[bytes]:
    """:func:`jsonld` in pieces whose concatenation it is (for writing a large file without a joined copy)."""
    # a collision: two subjects or keys written alike, which the writer triple by triple merges
    return _column_or_plain(graph, rows, _jsonld_rows, _plain_jsonld, (ValueError, _Collision))
