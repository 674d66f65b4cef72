"""The entity projection: the sourced RDF graph as a network of entities, with its evidence.

One projection serves every network view, so ``kg viz``, ``kg stats``, ``kg path`` and the
GraphML/GEXF exports always agree:

- **Nodes** are the entities: every instance of a subclass of ``nik:Entity`` (people,
  organisations, places, events, posts, programmes, funding commitments, statistics,
  quotations). Statements, references and sources are not nodes; they are what the nodes
  and edges carry.
- **Edges** are facts whose value is another entity (the truthy triple ``s p o``), keyed by
  the property, from subject to object. Each edge carries its *claims*: one per statement
  node, with the statement's qualifiers and its *evidence* (one per reference: the source
  and the verbatim quotes).
- **Attributes** are a node's facts whose value is a literal (a date, an amount, a text), or
  that link it to a source document (a photographer), each with its claims in the same way.

Everything is read from the graph and the ontology; a class or property added to the
ontology shows up here with no code change.

The network is a ``networkx.MultiDiGraph``, built from the nodes and edges that
:func:`project` finds only when something reads it (``kg stats``, ``kg path``, a focused
view): the page and the GraphML/GEXF exports read those lists as they are
(:meth:`Projection.entities`, :meth:`Projection.relations`), in the same order. networkx
is imported only then (0.1 to 0.3 s): a build reads a kept projection without it.
"""

from __future__ import annotations

import difflib
from bisect import bisect_left, insort
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from itertools import chain
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS
from rdflib.term import Identifier, Node

from graph.errors import ConfigError, KGError, suggest
from graph.namespace import NIK, local_name
from graph.ontology import Ontology
from graph.temporal import DateProblem, Period, Span, parse_span, period_of
from graph.writers import store_table, subject_table

if TYPE_CHECKING:
    from graph.dataset import Dataset

_OURS = str(NIK)
T = TypeVar("T")
_STATEMENT_LINKS = frozenset({RDF.type, RDF.subject, RDF.predicate, RDF.object, PROV.wasDerivedFrom})


class SelectionError(KGError):
    """A view asks for something the graph does not have (an unknown entity, class or source)."""

    exit_code = 2


@dataclass(frozen=True, order=True, slots=True)
class Evidence:
    """One reference: the source and the verbatim quotes that back a claim."""

    source: str
    quotes: tuple[str, ...]
    note: str | None = None

    def __reduce__(self) -> tuple[Callable[..., Evidence], tuple[str, tuple[str, ...], str | None]]:
        # pickled as a call with the fields: a frozen dataclass's own state methods list
        # its fields per object, twice as slow for the million objects of a kept projection;
        # read back by _evidence, which sets the slots without __init__ (a third quicker)
        return (_evidence, (self.source, self.quotes, self.note))


@dataclass(frozen=True, order=True, slots=True)
class Claim:
    """One statement of a fact: its qualifiers and the evidence for it."""

    statement: str
    qualifiers: tuple[tuple[str, str], ...]
    evidence: tuple[Evidence, ...]

    def __reduce__(self) -> tuple[Callable[..., Claim], tuple[str, tuple[tuple[str, str], ...], tuple[Evidence, ...]]]:
        return (_claim, (self.statement, self.qualifiers, self.evidence))  # see Evidence.__reduce__

    @property
    def sources(self) -> frozenset[str]:
        return frozenset(e.source for e in self.evidence)

    def qualifier(self, name: str) -> list[str]:
        return [value for key, value in self.qualifiers if key == name]


@dataclass(frozen=True, order=True, slots=True)
class Attribute:
    """A fact about an entity whose value is not another entity.

    ``value`` is the literal's text, or the id of a source document; ``inverse`` is true when
    the entity is the fact's object (a source document names its photographer).
    """

    predicate: str
    value: str
    claims: tuple[Claim, ...]
    datatype: str | None = None
    language: str | None = None
    inverse: bool = False

    def __reduce__(self) -> tuple[Callable[..., Attribute], tuple[Any, ...]]:
        fields = (self.predicate, self.value, self.claims, self.datatype, self.language, self.inverse)
        return (_attribute, fields)  # see Evidence.__reduce__


_new = object.__new__


def _setters(cls: type, names: tuple[str, ...]) -> tuple[Callable[[Any, Any], None], ...]:
    """The ``__set__`` of each slot ``names`` of ``cls`` (which a frozen ``__setattr__`` does not stop)."""
    return tuple(getattr(cls, name).__set__ for name in names)


_EVIDENCE = _setters(Evidence, ("source", "quotes", "note"))
_CLAIM = _setters(Claim, ("statement", "qualifiers", "evidence"))
_ATTRIBUTE = _setters(Attribute, ("predicate", "value", "claims", "datatype", "language", "inverse"))


def _evidence(source: str, quotes: tuple[str, ...], note: str | None) -> Evidence:
    """``Evidence(source, quotes, note)``, its slots set without the frozen ``__init__``
    (tests/test_projection_cache.py checks a read-back projection equals the one kept)."""
    made = _new(Evidence)
    set_source, set_quotes, set_note = _EVIDENCE
    set_source(made, source)
    set_quotes(made, quotes)
    set_note(made, note)
    return made


def _claim(statement: str, qualifiers: tuple[tuple[str, str], ...], evidence: tuple[Evidence, ...]) -> Claim:
    """``Claim(statement, qualifiers, evidence)`` as :func:`_evidence` makes its objects."""
    made = _new(Claim)
    set_statement, set_qualifiers, set_evidence = _CLAIM
    set_statement(made, statement)
    set_qualifiers(made, qualifiers)
    set_evidence(made, evidence)
    return made


def _attribute(*fields: Any) -> Attribute:
    """``Attribute(*fields)`` as :func:`_evidence` makes its objects."""
    made = _new(Attribute)
    for setter, value in zip(_ATTRIBUTE, fields, strict=True):
        setter(made, value)
    return made


@dataclass(frozen=True)
class SourceInfo:
    """A source document as the views show it."""

    id: str
    iri: str
    cls: str
    label: str
    title: str | None
    metadata: tuple[tuple[str, str], ...] = ()


#: An entity and its data (``iri``, ``label``, ``cls``, ``aliases``, ``attributes``).
Entity = tuple[str, dict[str, Any]]
#: A relation: subject, object, property (the edge's key) and its claims.
Relation = tuple[str, str, str, tuple[Claim, ...]]


@dataclass(frozen=True)
class Unbuilt:
    """A network not built yet: its nodes and edges in the order they are to be inserted.

    The exports read these lists as they are; the ``networkx`` graph, which costs more to
    build than all of them to write at a million triples, is made only for what needs it
    (``kg stats``, ``kg path``, a focused view).
    """

    nodes: list[Entity]
    edges: list[Relation]

    def build(self) -> Any:
        """The ``networkx.MultiDiGraph`` (see :class:`Projection`)."""
        import networkx as nx

        network = nx.MultiDiGraph()
        network.add_nodes_from(self.nodes)
        for u, v, key, claims in self.edges:
            network.add_edge(u, v, key=key, predicate=key, claims=claims)
        return network


class _Network:
    """The ``network`` field of :class:`Projection`: a graph, or an :class:`Unbuilt` one
    that is built on first use (a dataclass field with a descriptor as its default)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = "_" + name

    def __get__(self, projection: Projection | None, owner: type | None = None) -> Any:
        if projection is None:
            raise AttributeError("network")  # the field has no default
        network = projection.__dict__[self.slot]
        if isinstance(network, Unbuilt):
            network = projection.__dict__[self.slot] = network.build()
        return network

    def __set__(self, projection: Projection, network: Any) -> None:
        projection.__dict__[self.slot] = network

    def unbuilt(self, projection: Projection) -> Unbuilt | None:
        """The nodes and edges of a network not built yet, else ``None``."""
        network = projection.__dict__[self.slot]
        return network if isinstance(network, Unbuilt) else None


@dataclass
class Projection:
    """The entity network and what it needs to be shown.

    Attributes:
        network: A ``networkx.MultiDiGraph``. Nodes are entity ids with the attributes ``iri``,
            ``label``, ``cls`` (class local name), ``aliases`` (tuple), ``attributes`` (tuple of
            :class:`Attribute`); edges go from subject to object, keyed by the property's local
            name, with ``predicate`` and ``claims`` (tuple of :class:`Claim`). Given as an
            :class:`Unbuilt` network, it is built when first read; :meth:`entities` and
            :meth:`relations` read what it holds without building it.
        ontology: The ontology (labels of classes and properties).
        sources: Every source document by id.
        description: What the view shows, in words (filters applied), for titles and reports.
    """

    if TYPE_CHECKING:  # a plain field to type checkers, which do not know descriptor fields
        network: Any
    else:
        network: Any = _Network()
    ontology: Ontology
    sources: dict[str, SourceInfo]
    description: tuple[str, ...] = field(default=())
    # what is computed from this view once (labels, export rows); a view made with
    # dataclasses.replace starts empty, so the network must not change in place
    _memo: dict[Any, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def label(self, node: str) -> str:
        return str(self.network.nodes[node]["label"])

    def patched_from(self) -> Patched | None:
        """What :func:`patch` made this projection from, if it made it (a view of it, or a
        projection pickled and read back, does not say)."""
        found: Patched | None = self._memo.get(_PATCHED)
        return found

    def cls(self, node: str) -> str:
        return str(self.network.nodes[node]["cls"])

    def term_label(self, name: str, lang: str) -> str:
        """The ontology's label of a class or property local name in ``lang`` (memoised)."""
        key = ("term_label", name, lang)
        try:
            label: str = self._memo[key]
        except KeyError:
            label = self._memo[key] = self.ontology.label(URIRef(_OURS + name), lang)
        return label

    def derived(self, compute: Callable[[Projection], T]) -> T:
        """``compute(self)``, computed on first use and kept (the rows GraphML and GEXF share)."""
        try:
            value: T = self._memo[compute]
        except KeyError:
            value = self._memo[compute] = compute(self)
        return value

    def entities(self) -> Iterable[Entity]:
        """Every node with its data, in the network's order (without building an unbuilt one)."""
        unbuilt = _NETWORK.unbuilt(self)
        if unbuilt is not None:
            return unbuilt.nodes
        return self.network.nodes(data=True)  # type: ignore[no-any-return]

    def relations(self) -> Iterable[Relation]:
        """Every edge with its claims, in the order of ``network.edges(keys=True)`` (without
        building an unbuilt network)."""
        unbuilt = _NETWORK.unbuilt(self)
        if unbuilt is not None:
            return unbuilt.edges
        return _adjacent(self.network)

    def size(self) -> tuple[int, int]:
        """The number of nodes and of edges (without building an unbuilt network)."""
        unbuilt = _NETWORK.unbuilt(self)
        if unbuilt is not None:
            return len(unbuilt.nodes), len(unbuilt.edges)
        return self.network.number_of_nodes(), self.network.number_of_edges()

    def claims(self) -> Iterable[Claim]:
        """Every claim in the view (edges and attributes)."""
        for *_, claims in self.relations():
            yield from claims
        for _, data in self.entities():
            for attribute in data["attributes"]:
                yield from attribute.claims


_NETWORK: _Network = Projection.__dict__["network"]
#: Where a patched projection notes what it was made from (see :meth:`Projection.patched_from`).
_PATCHED = "patched from"


@dataclass(frozen=True)
class Patched:
    """What :func:`patch` made a projection from.

    Attributes:
        earlier: The projection it patched.
        touched: The entities it read again (of either projection); every other entity, and
            every edge from one, is the earlier's, the same objects.
        same_entities: Whether both have the same entities (none came or went).
        files: What the caller rendered from ``earlier``: each file by name, with its
            identity then (see :func:`graph.projectioncache.patcher`).
    """

    earlier: Projection
    touched: frozenset[str]
    same_entities: bool
    files: Mapping[str, tuple[Path, tuple[int, ...]]] = field(default_factory=dict)


def _adjacent(network: Any) -> Iterable[Relation]:
    """The edges of ``network`` with their claims, read from its adjacency (no edge view per edge)."""
    for u, targets in network.adjacency():
        for v, keyed in targets.items():
            for key, data in keyed.items():
                yield u, v, key, data["claims"]


# rdflib resolves namespace attributes on every access; these are read once per triple.
_TYPE, _LABEL, _ALT_LABEL = RDF.type, RDFS.label, SKOS.altLabel
_SUBJECT, _PREDICATE, _OBJECT, _DERIVED_FROM = RDF.subject, RDF.predicate, RDF.object, PROV.wasDerivedFrom
_STATEMENT, _STATED_IN, _QUOTE, _NOTE = NIK.Statement, NIK.statedIn, NIK.quote, NIK.curatorNote
_TITLE, _SHA256 = NIK.title, NIK.sha256


def _last(objects: dict[Node, int] | None) -> Node | None:
    """The object added last (a store's index may keep an emptied entry)."""
    return next(reversed(objects.keys()), None) if objects else None


class _LocalNames(dict[Node, str]):
    """:func:`local_name` per term, memoised (the same predicates recur on every statement)."""

    def __missing__(self, term: Node) -> str:
        name = self[term] = local_name(term)
        return name


# the order of Attribute (order=True): its fields compared as a tuple
_fields = attrgetter(*(f.name for f in fields(Attribute)))


def _least(objects: dict[Node, int] | None) -> str | None:
    """The text of the least object in rdflib's term order."""
    terms = cast("Iterable[Identifier]", objects or ())
    return str(min(terms)) if objects else None


def _typed(
    graph: Graph, table: dict[Node, dict[Node, dict[Node, int]]], wanted: set[URIRef]
) -> Iterable[tuple[Node, Iterable[Node]]]:
    """``(class, its instances)`` for the classes of ``wanted`` used in the graph.

    Read from the store's ``pos`` index where it can (a few dozen classes instead of every
    subject), else by a walk over every subject's types.
    """
    pos = store_table(graph, "pos")
    if pos is not None:
        types = pos.get(_TYPE, {})
        return [(cls, members) for cls, members in types.items() if cls in wanted]
    instances: dict[Node, list[Node]] = defaultdict(list)
    for node, predicates in table.items():
        for cls in predicates.get(_TYPE, ()):
            if cls in wanted:
                instances[cls].append(node)
    return list(instances.items())


K = TypeVar("K")


def _add(facts: dict[K, Claim | list[Claim]], key: K, claim: Claim) -> None:
    """Add ``claim`` to the fact ``key`` of ``facts`` (a single claim is kept without a list)."""
    known = facts.get(key)
    if known is None:
        facts[key] = claim
    elif isinstance(known, Claim):
        facts[key] = [known, claim]
    else:
        known.append(claim)


def _claims(claims: Claim | list[Claim]) -> tuple[Claim, ...]:
    """A fact's claims in order."""
    return (claims,) if isinstance(claims, Claim) else tuple(sorted(claims))


def project(graph: Graph, ontology: Ontology) -> Projection:
    """Project the built graph onto its entities.

    Args:
        graph: The graph as :func:`graph.build.build_graph` makes it (or as read from ``kg.ttl``).
        ontology: The ontology it was built with.

    Returns:
        The projection, with nodes and edges inserted in sorted order (so every algorithm
        that walks it is deterministic).
    """
    reader = _Reader(graph, ontology)
    edges: _Edges = defaultdict(dict)
    attributes: _Attributes = defaultdict(dict)
    reader.add(reader.statements, edges, attributes)
    nodes = [reader.node(iri, id_, attributes.get(id_)) for iri, id_ in sorted(reader.entities.items(), key=_second)]
    return Projection(Unbuilt(nodes, _relations(edges, sorted(edges))), ontology, reader.infos())


# by subject, then object and property: sorting the few edges of each subject is cheaper than
# sorting all of them by (subject, object, property) at once, in the same order; each fact's
# claim (mostly one), or a list of them
_Edges = dict[str, dict[tuple[str, str], Claim | list[Claim]]]
_Attributes = dict[str, dict[tuple[str, str, str | None, str | None, bool], Claim | list[Claim]]]
_second = itemgetter(1)


def _relations(edges: _Edges, subjects: Iterable[str]) -> list[Relation]:
    """The edges of ``subjects`` (sorted), each subject's by object and property."""
    relations: list[Relation] = []
    for u in subjects:
        outgoing = edges[u]
        for v, name in sorted(outgoing):
            relations.append((u, v, name, _claims(outgoing[(v, name)])))
    return relations


class _Reader:
    """What :func:`project` and :func:`patch` read from a graph: its entities and sources
    (from the types), and each statement's claim, each entity's data and each source's."""

    def __init__(self, graph: Graph, ontology: Ontology) -> None:
        entity_classes = {c.iri for c in ontology.classes.values() if NIK.Entity in c.ancestors}
        source_classes = {c.iri for c in ontology.classes.values() if NIK.SourceDocument in c.ancestors}
        self.table = table = subject_table(graph)  # the store's own index where it can
        self.names = _LocalNames()
        self.entities: dict[Node, str] = {}
        self.sources: dict[Node, str] = {}
        self.classes: dict[Node, str] = {}  # the least class IRI of each entity and source
        self.statements: Iterable[Node] = ()
        classes = self.classes
        for cls, members in _typed(graph, table, entity_classes | source_classes | {_STATEMENT}):
            kind = self.entities if cls in entity_classes else self.sources if cls in source_classes else None
            if kind is None:  # nik:Statement: read where they are (the store's own index), not copied
                self.statements = members
                continue
            name = str(cls)
            for node in members:
                kind[node] = local_name(node)
                known = classes.get(node)
                classes[node] = name if known is None else min(known, name)
        # each reference's evidence, alone in a tuple: the evidence of most claims, shared by them
        self.references: dict[Node, tuple[Evidence]] = {}

    def evidence(self, reference: Node) -> tuple[Evidence]:
        pairs = self.table.get(reference, {})
        stated, note = _last(pairs.get(_STATED_IN)), _last(pairs.get(_NOTE))
        source = "" if stated is None else self.sources.get(stated) or local_name(stated)
        quotes = tuple(sorted(map(str, pairs.get(_QUOTE, _EMPTY))))
        found = self.references[reference] = (Evidence(source, quotes, None if note is None else str(note)),)
        return found

    def add(self, statements: Iterable[Node], edges: _Edges, attributes: _Attributes) -> None:
        """Add the claim of each of ``statements`` to the edge or attributes it is about."""
        table, names, entities, sources = self.table, self.names, self.entities, self.sources
        references, evidence = self.references, self.evidence
        for statement in statements:
            pairs = table[statement]
            try:  # the objects added last (a store's index may keep an emptied entry)
                subject = next(reversed(pairs[_SUBJECT]))
                predicate = next(reversed(pairs[_PREDICATE]))
                obj = next(reversed(pairs[_OBJECT]))
            except (KeyError, StopIteration):
                continue
            derived = pairs.get(_DERIVED_FROM)
            # rdf:type, subject, predicate and object are there; qualifiers are what else is (mostly none)
            if len(pairs) == 4 or (len(pairs) == 5 and derived is not None):
                qualifiers: tuple[tuple[str, str], ...] = ()
            else:
                others = pairs.keys() - _STATEMENT_LINKS
                qualifiers = tuple(sorted((names[p], str(o)) for p in others for o in pairs[p]))
            found: tuple[Evidence, ...]
            if derived is None or len(derived) != 1:
                found = tuple(sorted((references.get(o) or evidence(o))[0] for o in derived or ()))
            else:  # mostly one reference
                reference = next(iter(derived))
                found = references.get(reference) or evidence(reference)
            claim = Claim(local_name(statement), qualifiers, found)
            name = names[predicate]
            # a literal is never an entity; skip hashing it (rdflib hashes literals in Python)
            subject_id, object_id = entities.get(subject), None if isinstance(obj, Literal) else entities.get(obj)
            if subject_id is not None and object_id is not None:
                _add(edges[subject_id], (object_id, name), claim)
            elif subject_id is not None:
                if isinstance(obj, Literal):
                    datatype = names[obj.datatype] if obj.datatype else None
                    key = (name, str(obj), datatype, obj.language, False)
                else:
                    key = (name, sources.get(obj, str(obj)), None, None, False)
                _add(attributes[subject_id], key, claim)
            elif object_id is not None:
                _add(attributes[object_id], (name, sources.get(subject, str(subject)), None, None, True), claim)

    def base(self, iri: Node, id_: str) -> dict[str, Any]:
        """The data of the entity ``iri`` but its attributes."""
        pairs = self.table[iri]
        labels = [str(o) for o in pairs.get(_LABEL, _EMPTY)]
        return {
            "iri": str(iri),
            "label": min(labels) if labels else id_,
            "cls": local_name(self.classes[iri]),
            "aliases": tuple(sorted(str(o) for o in pairs.get(_ALT_LABEL, _EMPTY))),
        }

    def node(self, iri: Node, id_: str, attributes: dict[Any, Claim | list[Claim]] | None) -> Entity:
        """The entity ``iri`` with its data, given its attributes' claims."""
        data = self.base(iri, id_)
        data["attributes"] = tuple(
            sorted(
                (
                    Attribute(name, value, _claims(claims), datatype, language, inverse)
                    for (name, value, datatype, language, inverse), claims in (attributes or {}).items()
                ),
                key=_fields,  # the dataclass's own order, without a call of its __lt__ per comparison
            )
        )
        return id_, data

    def infos(self) -> dict[str, SourceInfo]:
        """Every source document by id, sorted."""
        infos = {}
        shown: dict[Node, str | None] = {}  # each property's local name, None for one not shown
        for iri, id_ in self.sources.items():
            pairs = self.table[iri]
            label, title = _least(pairs.get(_LABEL)), _least(pairs.get(_TITLE))
            metadata = []
            for p, objects in pairs.items():
                try:
                    name = shown[p]
                except KeyError:
                    ours = p not in (_LABEL, _TITLE, _SHA256) and str(p).startswith(_OURS)
                    name = shown[p] = local_name(p) if ours else None
                if name is not None:
                    metadata += [(name, str(o)) for o in objects if isinstance(o, Literal)]
            infos[id_] = SourceInfo(
                id_,
                str(iri),
                local_name(self.classes[iri]),
                id_ if label is None else label,
                title,
                tuple(sorted(metadata)),
            )
        return dict(sorted(infos.items()))


_EMPTY: dict[Node, int] = {}


def patch(
    earlier: Projection,
    graph: Graph,
    ontology: Ontology,
    changed: Collection[str],
    files: Mapping[str, tuple[Path, tuple[int, ...]]] | None = None,
) -> Projection | None:
    """The projection of ``graph`` made from ``earlier``, the projection of a graph built from
    the same inputs but the sources ``changed`` (ids, as they were and as they are: edited,
    added or removed articles), re-reading only the entities those sources touch.

    It equals ``project(graph, ontology)``: an entity is read again from ``graph`` when a
    claim of its edges or attributes cites a changed source (in ``earlier`` or in ``graph``),
    when it came or went or its label, aliases or class changed, and when it shares a
    statement with an entity that came or went or with a source document that did (an
    attribute names a source by its id, anything else by its IRI). Every other entity's
    statements cite unchanged sources only: their statements and references are as they
    were, and so is what the projection shows of the entity.

    The result notes what it was made from (:meth:`Projection.patched_from`), with
    ``files``, what was rendered from ``earlier`` (see :class:`Patched`).

    Returns:
        ``None`` for a graph without rdflib's own ``pos`` index, or with two entities of one
        id (:func:`project` then does the work).
    """
    pos = store_table(graph, "pos")
    if pos is None:
        return None
    reader = _Reader(graph, ontology)
    entities = reader.entities
    ids = {id_: iri for iri, id_ in entities.items()}
    if len(ids) != len(entities):
        return None
    changed = set(changed)
    by_subject, by_object = pos.get(_SUBJECT, _NO_NODES), pos.get(_OBJECT, _NO_NODES)

    def linked(node: Node, into: set[str]) -> None:  # the entities sharing a statement with node
        table = reader.table
        for statement in chain(by_subject.get(node, ()), by_object.get(node, ())):
            pairs = table.get(statement, _NO_NODES)
            for end in chain(pairs.get(_SUBJECT, ()), pairs.get(_OBJECT, ())):
                found = entities.get(end)
                if found is not None:
                    into.add(found)

    touched = _citing(earlier, changed)  # entities to read again
    before: dict[str, dict[str, Any]] = dict(earlier.entities())
    came_or_went = before.keys() ^ ids.keys()
    for iri, id_ in entities.items():
        known = before.get(id_)
        if known is not None and id_ not in touched and any(known[k] != v for k, v in reader.base(iri, id_).items()):
            touched.add(id_)  # its label, aliases or class: only its own data
    for id_ in list(came_or_went):
        for node in (URIRef(before[id_]["iri"]) if id_ in before else None, ids.get(id_)):
            if node is not None:
                linked(node, came_or_went)
    then = {URIRef(info.iri) for info in earlier.sources.values()}
    for node in then ^ reader.sources.keys():
        linked(node, came_or_went)
    touched |= came_or_went
    references = pos.get(_STATED_IN, _NO_NODES)
    derived = pos.get(_DERIVED_FROM, _NO_NODES)
    for node, id_ in reader.sources.items():
        if id_ in changed:
            for reference in references.get(node, ()):
                for statement in derived.get(reference, ()):
                    pairs = reader.table.get(statement, _NO_NODES)
                    touched.update(
                        found
                        for end in chain(pairs.get(_SUBJECT, ()), pairs.get(_OBJECT, ()))
                        if (found := entities.get(end)) is not None
                    )

    statement_class = _STATEMENT
    types = reader.table
    statements = {
        statement
        for id_ in touched
        if id_ in ids
        for statement in chain(by_subject.get(ids[id_], ()), by_object.get(ids[id_], ()))
        if statement_class in types.get(statement, _NO_NODES).get(_TYPE, ())
    }
    edges: _Edges = defaultdict(dict)
    attributes: _Attributes = defaultdict(dict)
    reader.add(sorted(statements), edges, attributes)
    nodes = [reader.node(ids[id_], id_, attributes.get(id_)) for id_ in touched if id_ in ids]
    relations = list(_relations(edges, (u for u in edges if u in touched)))
    patched = merged(earlier, touched, nodes, relations, ontology, reader.infos())
    patched._memo[_PATCHED] = Patched(earlier, frozenset(touched), not came_or_went, dict(files or {}))
    return patched


#: The predicates of the triples :meth:`_Reader.base` reads an entity's data from.
_BASE_PREDICATES = frozenset({RDF.type, RDFS.label, SKOS.altLabel})


def patch_part(dataset: Dataset, earlier: Projection, changed: Collection[str]) -> Dataset:
    """The part of ``dataset`` whose graph :func:`patch` needs to make the projection of the
    graph of the whole ``dataset`` from ``earlier`` (the projection of the graph built from the
    same inputs but the sources ``changed``, as for :func:`patch`): every entity and source,
    and the facts about the entities the patch can read again. A build's worker patches the
    projection from the graph of that part, which it builds itself, while the build's
    process builds the whole graph (about a tenth of the triples after an edit of one
    article of thousands).

    ``patch`` on the part's graph gives what it gives on the whole graph, because each
    triple it reads is in both:

    - every entity's and source's own triples (type, label, aliases; a source's metadata),
      and every fact that can add to them: a fact whose predicate is ``rdf:type``,
      ``rdfs:label`` or ``skos:altLabel``, or whose subject is a source;
    - every statement whose ``rdf:subject`` or ``rdf:object`` is an entity it can read
      again, with the statement's references: the facts whose subject or object is such an
      entity (facts alike share their statement, and have the same subject and object);
    - the statements whose references cite a changed source: that source's facts.

    The entities it can read again are those ``earlier`` has claims about that cite a changed
    source, the subjects and objects of the changed sources' facts, the entities declared in
    the changed sources' files (their label, aliases or class may differ) and the entities
    of ``earlier`` that ``dataset`` no longer has. Every entity that came or went is among
    them (it is declared in a changed file), and so is any entity sharing a statement with
    one: a fact naming an entity that was not declared, or is no longer, fails to resolve,
    so such a fact is a changed source's, now or then.
    """
    from dataclasses import replace as replaced

    changed = set(changed)
    iris = {id_: URIRef(data["iri"]) for id_, data in earlier.entities()}
    again: set[Node] = {iris[id_] for id_ in _citing(earlier, changed)}  # the entities patch can read again
    files = {source.path for source in dataset.sources.values() if source.id in changed}
    again.update(e.iri for e in dataset.entities.values() if e.location.path in files)
    again.update(iris[id_] for id_ in iris.keys() - dataset.entities.keys())
    for fact in dataset.facts:
        if fact.source in changed:
            again.add(fact.subject)
            if isinstance(fact.object, URIRef):
                again.add(fact.object)
    sources = {source.iri for source in dataset.sources.values()}
    facts = tuple(
        fact
        for fact in dataset.facts
        if fact.source in changed
        or fact.subject in again
        or (isinstance(fact.object, URIRef) and fact.object in again)
        or fact.subject in sources
        or fact.predicate in _BASE_PREDICATES
    )
    return replaced(dataset, facts=facts)


def _citing(earlier: Projection, changed: Collection[str]) -> set[str]:
    """The entities of ``earlier`` with a claim that cites one of the ``changed`` sources: of
    an attribute of theirs, or of an edge from or to them (a new set each time; found once
    per projection and sources: :func:`patch_part` and :func:`patch` both ask, in one worker)."""
    key = ("citing", frozenset(changed))
    found = earlier._memo.get(key)
    if found is None:
        found = earlier._memo[key] = frozenset(_find_citing(earlier, changed))
    return set(found)


def _find_citing(earlier: Projection, changed: Collection[str]) -> set[str]:
    citing: dict[int, bool] = {}  # by evidence tuple (most are shared by the claims of a reference)

    def cites(claims: Iterable[Claim]) -> bool:
        for claim in claims:
            evidence = claim.evidence
            found = citing.get(id(evidence))
            if found is None:
                found = citing[id(evidence)] = any(e.source in changed for e in evidence)
            if found:
                return True
        return False

    found = {id_ for id_, data in earlier.entities() if any(cites(a.claims) for a in data["attributes"])}
    for u, v, _, claims in earlier.relations():
        if cites(claims):
            found.update((u, v))
    return found


def merged(
    earlier: Projection,
    touched: Collection[str],
    nodes: Iterable[Entity],
    relations: Iterable[Relation],
    ontology: Ontology,
    sources: dict[str, SourceInfo],
) -> Projection:
    """``earlier`` with the entities ``touched`` and the edges from them replaced by ``nodes``
    and ``relations`` (those of the touched entities the graph has now), in the order
    :func:`project` gives them, and with ``sources``.

    The entities of a projection are sorted by id, its edges by subject, object and property
    (:func:`project` and this keep them so): each touched entity's place, and its edges'
    run, is found by bisection, and put right in place (a few milliseconds at a million
    triples, where filtering and sorting both lists took 0.06 s).
    """
    found = list(earlier.entities())
    for id_ in sorted(touched, reverse=True):
        at = bisect_left(found, id_, key=_first)
        if at < len(found) and found[at][0] == id_:
            del found[at]
    for node in nodes:
        insort(found, node, key=_first)
    edges = list(earlier.relations())
    from_touched: dict[str, list[Relation]] = defaultdict(list)
    for relation in sorted(relations, key=_edge_key):
        from_touched[relation[0]].append(relation)
    for id_ in sorted({*touched, *from_touched}, reverse=True):  # later runs first: the earlier places stay
        start = end = bisect_left(edges, id_, key=_first)
        while end < len(edges) and edges[end][0] == id_:
            end += 1
        edges[start:end] = from_touched.get(id_, ())
    return Projection(Unbuilt(found, edges), ontology, sources)


_NO_NODES: dict[Any, Any] = {}
_first = itemgetter(0)
_edge_key = itemgetter(0, 1, 2)


# ------------------------------------------------------------------ selecting a view


def resolve_entity(projection: Projection, text: str, everything: Projection | None = None) -> str:
    """The entity id ``text`` names: an id, or else a unique exact name or alias.

    Args:
        projection: The view to look in.
        text: What the user typed.
        everything: The unfiltered projection, to tell "unknown" from "not in this view".

    Raises:
        SelectionError: For an unknown id, with the closest id or name as a suggestion.
    """
    network = projection.network
    if text in network:
        return text
    folded = text.casefold()
    by_name = sorted(
        n
        for n, data in network.nodes(data=True)
        if folded == data["label"].casefold() or folded in (a.casefold() for a in data["aliases"])
    )
    if len(by_name) == 1:
        return str(by_name[0])
    if everything is not None and text in everything.network:
        raise SelectionError(f"entity '{text}' is not in this view ({'; '.join(projection.description)})")
    raise SelectionError(f"unknown entity '{text}'{__suggest_entity(everything or projection, text)}")


def __suggest_entity(projection: Projection, text: str) -> str:
    network = projection.network
    folded = text.casefold()
    named = sorted(
        n for n, data in network.nodes(data=True) if folded in data["label"].casefold() or folded in n.casefold()
    )
    if named:
        return f" (did you mean '{named[0]}'?)"
    by_id = suggest(text, sorted(network))
    if by_id:
        return by_id
    labels = {data["label"]: n for n, data in network.nodes(data=True)}
    close = difflib.get_close_matches(text, sorted(labels), n=1, cutoff=0.6)
    return f" (did you mean '{labels[close[0]]}'?)" if close else ""


def select(
    projection: Projection,
    *,
    focus: Sequence[str] = (),
    depth: int = 1,
    types: Sequence[str] = (),
    sources: Sequence[str] = (),
    as_of: str | None = None,
    undated: bool = False,
) -> Projection:
    """A view of the projection; with no arguments, the whole of it.

    The filters apply in this order:

    1. ``as_of``: only claims that held on that date (see :func:`claim_period`); with
       ``undated``, also claims without any date. Edges and attributes without claims
       left are dropped, and so are entities with nothing left.
    2. ``sources``: only claims with evidence from one of these sources (their evidence
       from other sources is kept); entities with nothing left are dropped.
    3. ``types``: only entities of these classes or their subclasses.
    4. ``focus``: only these entities and what lies within ``depth`` edges of them
       (in either direction).

    Raises:
        SelectionError: For an unknown entity, class or source, or a malformed date.
    """
    if depth < 0:
        raise SelectionError(f"depth must be 0 or more, not {depth}")
    view = projection
    described: list[str] = []

    def narrowed(network: Any, what: str) -> Projection:
        described.append(what)
        return replace(view, network=network, description=projection.description + tuple(described))

    if as_of is not None:
        try:
            span = parse_span(as_of)
        except DateProblem as exc:
            raise SelectionError(f"--as-of: {exc}") from None
        periods = _PeriodFinder(projection)
        kept = _keep_claims(view, lambda c, s, o: periods.holds(c, s, o, span, undated))
        view = narrowed(kept.network, f"as of {as_of}" + (" (with undated facts)" if undated else ""))
    if sources:
        unknown = [s for s in sources if s not in projection.sources]
        if unknown:
            raise SelectionError(f"unknown source '{unknown[0]}'{suggest(unknown[0], list(projection.sources))}")
        wanted = frozenset(sources)
        kept = _keep_claims(view, lambda c, s, o: bool(c.sources & wanted))
        view = narrowed(kept.network, "stated in " + ", ".join(sorted(wanted)))
    import networkx as nx

    if types:
        chosen = _classes(projection.ontology, types)
        ancestors = {
            name: projection.ontology.classes[name].ancestors
            for name in set(nx.get_node_attributes(view.network, "cls").values())
        }
        keep = [n for n, cls in view.network.nodes(data="cls") if ancestors[cls] & chosen]
        view = narrowed(view.network.subgraph(keep).copy(), "classes " + ", ".join(sorted(types)))
    if focus:
        centres = [resolve_entity(view, f, projection) for f in focus]
        undirected = view.network.to_undirected(as_view=True)
        keep_set: set[str] = set()
        for centre in centres:
            keep_set.update(nx.single_source_shortest_path_length(undirected, centre, cutoff=depth))
        view = narrowed(view.network.subgraph(sorted(keep_set)).copy(), f"within {depth} of " + ", ".join(centres))
    return view


def _classes(ontology: Ontology, names: Sequence[str]) -> frozenset[URIRef]:
    entity_classes = sorted(c.name for c in ontology.classes.values() if NIK.Entity in c.ancestors)
    chosen = []
    for name in names:
        info = ontology.classes.get(name)
        if info is None or NIK.Entity not in info.ancestors:
            raise SelectionError(f"unknown class '{name}'{suggest(name, entity_classes)}")
        chosen.append(info.iri)
    return frozenset(chosen)


def _keep_claims(projection: Projection, keep: Any) -> Projection:
    """A copy with only the claims ``keep(claim, subject, object)`` accepts, and what still has claims."""
    import networkx as nx

    old = projection.network
    network = nx.MultiDiGraph()
    alive: set[str] = set()
    edges = []
    for u, v, key, claims in old.edges(keys=True, data="claims"):
        kept = tuple(c for c in claims if keep(c, u, v))
        if kept:
            edges.append((u, v, key, kept))
            alive.update((u, v))
    nodes = []
    for node, data in old.nodes(data=True):
        attributes = []
        for attribute in data["attributes"]:
            kept = tuple(c for c in attribute.claims if keep(c, node, None))
            if kept:
                attributes.append(replace(attribute, claims=kept))
        if attributes or node in alive:
            nodes.append((node, {**data, "attributes": tuple(attributes)}))
    network.add_nodes_from(nodes)
    for u, v, key, kept in edges:
        network.add_edge(u, v, key=key, **{**old.edges[u, v, key], "claims": kept})
    return replace(projection, network=network)


class _PeriodFinder:
    """Periods of claims: their own date qualifiers plus the dates of the entities they link.

    A claim is bounded by its ``startDate``, ``endDate`` and ``asOf`` qualifiers, and by the
    ``startDate`` and ``endDate`` of its subject and object (the event, programme or funding
    commitment it belongs to: a speaker of a conference on 27 November 2019 spoke then).
    """

    def __init__(self, projection: Projection) -> None:
        properties = projection.ontology.properties
        missing = [n for n in ("startDate", "endDate", "asOf") if n not in properties]
        if missing:
            raise ConfigError(f"--as-of needs the properties {', '.join(missing)} in the ontology")
        self.extent: dict[str, tuple[list[str], list[str]]] = {}
        for node, attributes in projection.network.nodes(data="attributes"):
            starts = [a.value for a in attributes if a.predicate == "startDate" and not a.inverse]
            ends = [a.value for a in attributes if a.predicate == "endDate" and not a.inverse]
            if starts or ends:
                self.extent[node] = (starts, ends)

    def period(self, claim: Claim, subject: str, obj: str | None) -> Period:
        starts = claim.qualifier("startDate")
        ends = claim.qualifier("endDate")
        for node in (subject, obj):
            if node is not None and node in self.extent:
                starts = starts + self.extent[node][0]
                ends = ends + self.extent[node][1]
        return period_of(starts, ends, claim.qualifier("asOf"))

    def holds(self, claim: Claim, subject: str, obj: str | None, span: Span, undated: bool) -> bool:
        period = self.period(claim, subject, obj)
        if not period.dated:
            return undated
        return period.overlaps(span)
