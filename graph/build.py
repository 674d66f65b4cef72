"""Build the RDF graph from a resolved :class:`~graph.dataset.Dataset`.

Each fact becomes (following the pattern of Wikidata's RDF export):

- a *truthy* triple ``subject predicate object`` for simple querying;
- a ``nik:Statement`` node with ``rdf:subject/predicate/object``, its qualifiers,
  and ``prov:wasDerivedFrom`` one ``nik:Reference`` per source that states it;
- a ``nik:Reference`` node with ``nik:statedIn`` (the source) and ``nik:quote``
  (the verbatim evidence), shared by all statements the same quotes back.

Statement and reference IRIs are content hashes computed without the base IRI, so
the same facts give the same IRIs on every build and under any base.

Two kinds of triple come from the ontology rather than from a fact:

- for a property with an ``owl:inverseOf``, the inverse truthy triple (``team hasMember
  person`` for ``person memberOf team``), so SPARQL finds the fact from either side; the
  statement and its references stay with the direction the curator wrote;
- the ``rdfs:subClassOf`` hierarchy of our classes, so a SHACL engine run on the exported
  data alone sees that a ``nik:Politician`` is a ``nik:Person`` (SHACL reads subclasses from
  the data graph, not from the ontology).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS
from rdflib.plugins.stores.memory import SimpleMemory
from rdflib.term import Node

from graph.dataset import Dataset, Fact, Source
from graph.errors import KGError, Location
from graph.namespace import NIK, PREFIXES, iri_maker
from graph.values import text_literal

T = TypeVar("T")
Triple = tuple[Node, Node, Node]
_Index = dict[Node, dict[Node, dict[Node, int]]]
_CHUNK = 50_000  # triples collected before they go into the store (a list of all would be 70 MB at 1 M)
# rdflib resolves namespace attributes on every access; the builder reads these per fact.
_TYPE, _SUBJECT, _PREDICATE, _OBJECT = RDF.type, RDF.subject, RDF.predicate, RDF.object
_LABEL, _ALT_LABEL, _DERIVED_FROM = RDFS.label, SKOS.altLabel, PROV.wasDerivedFrom
_STATEMENT, _REFERENCE, _STATED_IN = NIK.Statement, NIK.Reference, NIK.statedIn
_QUOTE, _CURATOR_NOTE, _MENTIONS = NIK.quote, NIK.curatorNote, NIK.mentions


@dataclass(frozen=True)
class BuiltGraph:
    """The graph plus where each of its nodes was declared, for error messages.

    Attributes:
        graph: The graph.
        origins: Where each entity, source, statement and reference was curated.
        statements: How many statement nodes it has.
        references: How many reference nodes it has.
        metadata: Triples from source blocks (title, publisher, …): the source describes itself.
        facts: Each statement node's fact (subject, predicate, object), as the builder made it.
        sourced: The facts the builder backed with a statement whose reference has a
            source and a quote (``None`` for a graph from elsewhere: then the provenance
            check reads it from the graph).
    """

    graph: Graph
    origins: dict[Node, Location]
    statements: int
    references: int
    metadata: frozenset[tuple[Node, Node, Node]] = frozenset()
    facts: dict[Node, tuple[Node, Node, Node]] = field(default_factory=dict)
    sourced: frozenset[tuple[Node, Node, Node]] | None = None


class CountedMemory(SimpleMemory):
    """rdflib's ``SimpleMemory`` store, remembering its size, filled in bulk, one index made late.

    - ``SimpleMemory`` counts every triple on each ``len()`` (a second at a million
      triples); this store remembers the count until the next change.
    - :meth:`add_triples` adds many triples at once, straight into the store's indexes.
    - ``SimpleMemory`` keeps three indexes: ``spo``, ``pos`` and ``osp``. Only a pattern
      with an object and neither subject nor predicate (``graph.subject_predicates(o)``)
      reads ``osp``, and a build never asks one; yet it is a third of the time of adding
      triples and of the store's memory (0.9 s and 300 MB at a million triples). So
      :meth:`add_triples` leaves it out, and it is made from ``spo`` when first read:
      the attribute ``SimpleMemory`` keeps it in is a property here, so every use of
      it, rdflib's own included, sees it complete. (Its order then follows ``spo``, not
      the order of insertion; rdflib promises no order.)
    """

    def __init__(self) -> None:
        self._osp: _Index | None = None
        self._osp_behind = False  # triples were added to spo and pos only
        super().__init__()
        self._count: int | None = None

    @property
    def _SimpleMemory__osp(self) -> _Index:  # the name SimpleMemory reads it by
        if self._osp_behind:
            self._catch_up_osp()
        assert self._osp is not None
        return self._osp

    @_SimpleMemory__osp.setter
    def _SimpleMemory__osp(self, index: _Index) -> None:
        self._osp = index
        self._osp_behind = False

    def _catch_up_osp(self) -> None:
        spo, _ = self._indexes() or ({}, {})
        osp: _Index = {}
        for s, po in spo.items():
            for p, objects in po.items():
                for o in objects:
                    sp = osp.get(o)
                    if sp is None:
                        sp = osp[o] = {}
                    predicates = sp.get(s)
                    if predicates is None:
                        predicates = sp[s] = {}
                    predicates[p] = 1
        self._osp = osp
        self._osp_behind = False

    def add(self, triple: Any, context: Any, quoted: bool = False) -> None:
        self._count = None
        if self._osp_behind:  # before SimpleMemory changes spo, which it is made from
            self._catch_up_osp()
        super().add(triple, context, quoted)

    def add_triples(self, triples: Iterable[Triple]) -> bool:
        """Add ``triples`` in order, as that many calls of :meth:`add` would (``osp`` later).

        ``Graph.add`` and ``SimpleMemory.add`` cost two calls, three assertions and six
        ``try`` blocks per triple; this fills the ``spo`` and ``pos`` indexes in the
        same order in one loop, in a third of the time.

        Returns:
            ``False`` (and nothing added) when the indexes, which are private to rdflib,
            are not where this version of rdflib keeps them: then use ``Graph.addN``.
        """
        indexes = self._indexes()
        if indexes is None:
            return False
        self._count = None
        self._osp_behind = True
        spo, pos = indexes
        for s, p, o in triples:
            # setdefault would build a throw-away dict per triple; most keys exist already
            po = spo.get(s)
            if po is None:
                po = spo[s] = {}
            objects = po.get(p)
            if objects is None:
                objects = po[p] = {}
            objects[o] = 1
            os_ = pos.get(p)
            if os_ is None:
                os_ = pos[p] = {}
            subjects = os_.get(o)
            if subjects is None:
                subjects = os_[o] = {}
            subjects[s] = 1
        return True

    def bulk_indexes(self) -> tuple[_Index, _Index] | None:
        """``spo`` and ``pos`` to add triples to directly, leaving them as :meth:`add_triples` would.

        The caller must not read the store (``len()`` nor ``osp``) until it is done adding.

        Returns:
            ``None`` when this rdflib keeps them elsewhere (see :meth:`add_triples`).
        """
        indexes = self._indexes()
        if indexes is not None:
            self.changed()
        return indexes

    def changed(self) -> None:
        """Forget the size and ``osp``: triples went into ``spo`` and ``pos`` directly."""
        self._count = None
        self._osp_behind = True

    def _indexes(self) -> tuple[_Index, _Index] | None:
        """``SimpleMemory``'s private ``spo`` and ``pos``, or ``None`` if this rdflib keeps them elsewhere.

        ``osp`` must be where this class expects it too: ``SimpleMemory`` stored it through
        the property above.
        """
        spo = self.__dict__.get("_SimpleMemory__spo")
        pos = self.__dict__.get("_SimpleMemory__pos")
        if isinstance(spo, dict) and isinstance(pos, dict) and isinstance(self._osp, dict):
            return spo, pos
        return None

    def remove(self, triple_pattern: Any, context: Any = None) -> None:
        self._count = None
        if self._osp_behind:
            self._catch_up_osp()
        super().remove(triple_pattern, context)

    def __len__(self, context: Any = None) -> int:
        # SimpleMemory has no named graphs: every context sees all triples. It counts them
        # one by one through its triples() generator (2 s at a million); the spo index
        # holds them as dictionaries of dictionaries, whose sizes are known.
        if self._count is None:
            indexes = self._indexes()
            if indexes is None:
                self._count = super().__len__(context)
            else:
                self._count = sum(len(objects) for po in indexes[0].values() for objects in po.values())
        return self._count


def add_triples(graph: Graph, triples: Iterable[Triple]) -> None:
    """Add ``triples`` to ``graph``: in bulk into a :class:`CountedMemory`, else one by one."""
    store = graph.store
    if not (isinstance(store, CountedMemory) and store.add_triples(triples)):
        graph.addN((s, p, o, graph) for s, p, o in triples)


class _Triples:
    """Where :func:`build_graph` puts its triples, in order: any graph, in chunks (the public way).

    The builder adds mostly whole nodes (a reference, a statement, with all their
    triples at once); :class:`_Indexes` writes those straight into the store's indexes.
    """

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.pending: list[Triple] = []

    def add(self, s: Node, p: Node, o: Node) -> None:
        self.pending.append((s, p, o))
        if len(self.pending) >= _CHUNK:
            self.flush()

    def reference(self, node: URIRef, source: URIRef, quotes: Sequence[Node], note: Node | None) -> None:
        """A new reference: its type, source, quotes and note."""
        add = self.add
        add(node, _TYPE, _REFERENCE)
        add(node, _STATED_IN, source)
        for quote in quotes:
            add(node, _QUOTE, quote)
        if note is not None:
            add(node, _CURATOR_NOTE, note)

    def statement(self, node: URIRef, fact: Fact, reference: URIRef) -> None:
        """A new statement of ``fact``: its truthy triple, then the statement node, derived from ``reference``."""
        add = self.add
        subject, predicate, obj = fact.subject, fact.predicate, fact.object
        add(subject, predicate, obj)
        add(node, _TYPE, _STATEMENT)
        add(node, _SUBJECT, subject)
        add(node, _PREDICATE, predicate)
        add(node, _OBJECT, obj)
        for qualifier, value in fact.qualifiers:
            add(node, qualifier, value)
        add(node, _DERIVED_FROM, reference)

    def flush(self) -> None:
        """Put the pending triples into the graph."""
        add_triples(self.graph, self.pending)
        self.pending.clear()


class _Indexes(_Triples):
    """:class:`_Triples` straight into the ``spo`` and ``pos`` indexes of a :class:`CountedMemory`.

    They end up exactly as :meth:`CountedMemory.add_triples` of the same triples in the
    same order leaves them (each level in the same insertion order), at a fraction of
    the dictionary look-ups: a new node's ``spo`` entry is made whole, and the ``pos``
    entries of the predicates every reference and statement has are kept at hand (each
    made where the first triple with it would make it). Where the key may be a literal,
    or the look-up would be a call, one ``setdefault`` finds or makes an entry: a literal's
    hash is a Python call (a third of a microsecond), dearer than the empty dictionary
    thrown away when the entry is there already.
    """

    def __init__(self, graph: Graph, spo: _Index, pos: _Index) -> None:
        super().__init__(graph)
        self.spo = spo
        self.pos = pos
        # pos[rdf:type][class] of references and statements, pos[p] of their other predicates
        self.typed_references: dict[Node, int] | None = None
        self.typed_statements: dict[Node, int] | None = None
        self.by_source: dict[Node, dict[Node, int]] = {}
        self.by_subject: dict[Node, dict[Node, int]] = {}
        self.by_predicate: dict[Node, dict[Node, int]] = {}
        self.by_object: dict[Node, dict[Node, int]] = {}
        self.by_reference: dict[Node, dict[Node, int]] | None = None

    def add(self, s: Node, p: Node, o: Node) -> None:
        po = self.spo.get(s)
        if po is None:
            po = self.spo[s] = {}
        objects = po.get(p)
        if objects is None:
            objects = po[p] = {}
        objects[o] = 1
        self.pos.setdefault(p, {}).setdefault(o, {})[s] = 1

    def reference(self, node: URIRef, source: URIRef, quotes: Sequence[Node], note: Node | None) -> None:
        if node in self.spo:  # not new as a subject (an entity with a reference's IRI): one by one
            super().reference(node, source, quotes, note)
            return
        if self.typed_references is None:  # the first reference: its predicates' entries, in order
            self.typed_references = self.pos.setdefault(_TYPE, {}).setdefault(_REFERENCE, {})
            self.by_source = self.pos.setdefault(_STATED_IN, {})
        po: dict[Node, dict[Node, int]] = {_TYPE: {_REFERENCE: 1}, _STATED_IN: {source: 1}}
        self.spo[node] = po
        self.typed_references[node] = 1
        self.by_source.setdefault(source, {})[node] = 1
        if len(quotes) == 1:  # most references
            quote = quotes[0]
            po[_QUOTE] = {quote: 1}
            self.pos.setdefault(_QUOTE, {}).setdefault(quote, {})[node] = 1
        elif quotes:
            po[_QUOTE] = dict.fromkeys(quotes, 1)
            by_quote = self.pos.setdefault(_QUOTE, {})
            for quote in quotes:
                by_quote.setdefault(quote, {})[node] = 1
        if note is not None:
            po[_CURATOR_NOTE] = {note: 1}
            self.pos.setdefault(_CURATOR_NOTE, {}).setdefault(note, {})[node] = 1

    def statement(self, node: URIRef, fact: Fact, reference: URIRef) -> None:
        spo = self.spo
        if node in spo:
            super().statement(node, fact, reference)
            return
        subject, predicate, obj = fact.subject, fact.predicate, fact.object
        # the truthy triple, as add() adds it
        about = spo.get(subject)
        if about is None:
            about = spo[subject] = {}
        objects = about.get(predicate)
        if objects is None:
            about[predicate] = {obj: 1}
        else:
            objects[obj] = 1
        by_object = self.pos.get(predicate)
        if by_object is None:
            by_object = self.pos[predicate] = {}
        by_object.setdefault(obj, {})[subject] = 1
        if self.typed_statements is None:  # the first statement: its predicates' entries, in order
            self.typed_statements = self.pos.setdefault(_TYPE, {}).setdefault(_STATEMENT, {})
            self.by_subject = self.pos.setdefault(_SUBJECT, {})
            self.by_predicate = self.pos.setdefault(_PREDICATE, {})
            self.by_object = self.pos.setdefault(_OBJECT, {})
        po: dict[Node, dict[Node, int]] = {
            _TYPE: {_STATEMENT: 1},
            _SUBJECT: {subject: 1},
            _PREDICATE: {predicate: 1},
            _OBJECT: {obj: 1},
        }
        spo[node] = po
        self.typed_statements[node] = 1
        subjects = self.by_subject.get(subject)
        if subjects is None:
            subjects = self.by_subject[subject] = {}
        subjects[node] = 1
        subjects = self.by_predicate.get(predicate)
        if subjects is None:
            subjects = self.by_predicate[predicate] = {}
        subjects[node] = 1
        self.by_object.setdefault(obj, {})[node] = 1
        for qualifier, value in fact.qualifiers:
            objects = po.get(qualifier)
            if objects is None:
                po[qualifier] = {value: 1}
            else:
                objects[value] = 1
            self.pos.setdefault(qualifier, {}).setdefault(value, {})[node] = 1
        if _DERIVED_FROM in po:  # a qualifier prov:wasDerivedFrom, however unlikely
            po[_DERIVED_FROM][reference] = 1
        else:
            po[_DERIVED_FROM] = {reference: 1}
        if self.by_reference is None:
            self.by_reference = self.pos.setdefault(_DERIVED_FROM, {})
        subjects = self.by_reference.get(reference)
        if subjects is None:
            subjects = self.by_reference[reference] = {}
        subjects[node] = 1

    def flush(self) -> None:
        store = self.graph.store
        assert isinstance(store, CountedMemory)
        store.changed()  # in case it was read meanwhile


def _triples(graph: Graph) -> _Triples:
    """Where to put the triples of ``graph``: its indexes when it is a :class:`CountedMemory`'s."""
    store = graph.store
    indexes = store.bulk_indexes() if isinstance(store, CountedMemory) else None
    return _Triples(graph) if indexes is None else _Indexes(graph, *indexes)


def new_graph(base: str, segments: set[str]) -> Graph:
    """An empty graph with our prefixes bound (one per IRI segment for data).

    It lives in rdflib's ``SimpleMemory`` store: the same triple indexes as the default
    ``Memory`` store without its bookkeeping of named graphs, which a plain graph never
    has, so adding a million triples takes a third of the time.
    """
    graph = Graph(store=CountedMemory(), bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    for segment in sorted(segments):
        graph.bind(segment, Namespace(f"{base}{segment}/"))
    return graph


class _Terms:
    """The terms' texts in the content a statement IRI hashes: N3, base IRI left out, each made once."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.iri_terms: dict[URIRef, str] = {}  # the same IRIs recur in thousands of facts
        # Literals by identity (a literal's hash is a Python call, its n3() a dozen): the
        # resolver makes one object per written value. The literal is kept with its
        # text, so its id stays its own.
        self.literal_terms: dict[int, tuple[Node, str]] = {}

    def term(self, node: Node) -> str:
        if isinstance(node, URIRef):
            text = self.iri_terms.get(node)
            if text is None:
                text = self.iri_terms[node] = node.n3().replace(f"<{self.base}", "<~", 1)
            return text
        known = self.literal_terms.get(id(node))
        if known is not None and known[0] is node:
            return known[1]
        text = node.n3()
        self.literal_terms[id(node)] = (node, text)
        return text

    def statement_key(self, fact: Fact) -> str:
        """What a statement's IRI hashes: its fact's terms, base IRI left out."""
        term, known = self.term, self.iri_terms.get  # subject and predicate are IRIs: one look-up when known
        subject, predicate = fact.subject, fact.predicate
        key = f"{known(subject) or term(subject)}\n{known(predicate) or term(predicate)}\n{term(fact.object)}"
        for qualifier, value in fact.qualifiers:
            key += f"\n{term(qualifier)} {term(value)}"
        return key


def _reference_key(fact: Fact) -> str:
    quotes = "\n".join(text for text, _ in fact.quotes)
    return f"{fact.source}\n{quotes}\n{fact.note or ''}"


def build_graph(dataset: Dataset) -> BuiltGraph:
    """Build the graph: entities, sources, truthy triples, statements, references.

    Args:
        dataset: The resolved sources.

    Returns:
        The graph and the declaration site of each entity, source, statement and reference.

    Raises:
        KGError: For a hash collision between two statements or two references.
    """
    ontology = dataset.ontology
    base = dataset.project.base
    segments = {c.segment for c in ontology.classes.values() if c.segment}
    graph = new_graph(base, segments)
    triples = _triples(graph)
    origins = _entities_and_sources(dataset, triples)
    built = _facts(dataset, triples, origins)
    add_triples(graph, inverse_triples(graph, ontology.graph))
    add_triples(graph, class_hierarchy(ontology.graph))
    return built


def _entities_and_sources(dataset: Dataset, triples: _Triples) -> dict[Node, Location]:
    """Add the entities' and sources' own triples: where each was declared."""
    add = triples.add
    origins: dict[Node, Location] = {}
    for entity in sorted(dataset.entities.values(), key=lambda e: e.id):
        add(entity.iri, _TYPE, entity.cls)
        add(entity.iri, _LABEL, entity.name)
        for alias in entity.aliases:
            add(entity.iri, _ALT_LABEL, alias)
        origins[entity.iri] = entity.location
    for source in sorted(dataset.sources.values(), key=lambda s: s.id):
        add(source.iri, _TYPE, source.cls)
        add(source.iri, _LABEL, source.name)
        for predicate, value in source.metadata:
            add(source.iri, predicate, value)
        origins[source.iri] = source.location
    return origins


def _facts(dataset: Dataset, triples: _Triples, origins: dict[Node, Location]) -> BuiltGraph:
    """Add the facts: truthy triples, statements, references and mentions.

    Args:
        dataset: The resolved sources.
        triples: Where the triples go (the entities' and sources' are there already).
        origins: Where each entity and source was declared: the statements and references are added.

    Raises:
        KGError: For a hash collision between two statements or two references.
    """
    ontology, base = dataset.ontology, dataset.project.base
    statement_ns = f"{base}{ontology.class_of(NIK.Statement).segment}/"
    reference_ns = f"{base}{ontology.class_of(NIK.Reference).segment}/"
    statement_iri, reference_iri = iri_maker(statement_ns), iri_maker(reference_ns)
    entity_iris = dataset.entity_iris()
    mentions: dict[URIRef, set[URIRef]] = defaultdict(set)
    # Each node with the first fact that hashed to it: another fact with its digest is the
    # same statement again or (64-bit prefix: practically never) a collision. References
    # are found by digest, so that each has one object, the one its statements point to.
    references: dict[str, tuple[URIRef, Fact]] = {}
    statements: dict[URIRef, Fact] = {}
    sources = dataset.sources
    terms = _Terms(base)
    term, iri_text = terms.term, terms.iri_terms.get  # subject and predicate are IRIs: one look-up when known
    add_statement, add = triples.statement, triples.add

    reference = URIRef("")
    source: Source | None = None  # the fact's source
    source_id: str | None = None
    mentioned: set[URIRef] = set()
    last_quotes: object = None
    last_note: str | None = None
    for fact in dataset.facts:
        quotes, note = fact.quotes, fact.note
        if fact.source != source_id:
            source_id = fact.source
            source = sources[source_id]
            mentioned = mentions[source.iri]
            last_quotes = None
        # The claims of one fact entry follow each other, sharing its quotes (one tuple)
        # and thus their reference: hashed once, for the first.
        if quotes is not last_quotes or note != last_note:
            last_quotes, last_note = quotes, note
            content = _reference_key(fact)
            digest = _digest(content)
            known = references.get(digest)
            if known is None:
                reference = reference_iri(reference_ns + digest)
                references[digest] = (reference, fact)
                origins[reference] = fact.location
                assert source is not None  # set by the first fact
                _add_reference(triples, reference, fact, source)
            else:
                if known[1] is not fact:
                    _same_content(_reference_key(known[1]), content)
                reference = known[0]
        subject, predicate, obj = fact.subject, fact.predicate, fact.object
        qualifiers = fact.qualifiers
        content = f"{iri_text(subject) or term(subject)}\n{iri_text(predicate) or term(predicate)}\n{term(obj)}"
        if qualifiers:
            for qualifier, value in qualifiers:
                content += f"\n{term(qualifier)} {term(value)}"
        statement = statement_iri(statement_ns + _digest(content))
        first = statements.get(statement)
        if first is None:
            statements[statement] = fact
            origins[statement] = fact.location
            add_statement(statement, fact, reference)
        else:
            if first is not fact:
                _same_content(terms.statement_key(first), content)
            add(statement, _DERIVED_FROM, reference)
        if subject in entity_iris:
            mentioned.add(subject)
        if isinstance(obj, URIRef) and obj in entity_iris:
            mentioned.add(obj)
        if qualifiers:
            for _, value in qualifiers:
                if isinstance(value, URIRef) and value in entity_iris:
                    mentioned.add(value)

    metadata = frozenset((s.iri, p, v) for s in sources.values() for p, v in s.metadata)
    for source_iri, _, value in metadata:  # a source names its publisher, say
        if isinstance(value, URIRef) and value in entity_iris:
            mentions[source_iri].add(value)
    for source_iri, entities in mentions.items():
        for entity_iri in entities:
            add(source_iri, _MENTIONS, entity_iri)
    triples.flush()
    facts: dict[Node, tuple[Node, Node, Node]] = {n: (f.subject, f.predicate, f.object) for n, f in statements.items()}
    if all(fact.quotes for fact in dataset.facts):  # every fact's statement has a reference with a quote
        sourced = frozenset(facts.values())
    else:
        sourced = frozenset((f.subject, f.predicate, f.object) for f in dataset.facts if f.quotes)
    return BuiltGraph(triples.graph, origins, len(facts), len(references), metadata, facts, sourced)


def _digest(content: str) -> str:
    """The hash of ``content``: 16 hexadecimal digits (the first of its SHA-256)."""
    return hashlib.sha256(content.encode("utf-8")).digest()[:8].hex()  # hexdigest()[:16], made shorter


def _add_reference(triples: _Triples, node: URIRef, fact: Fact, source: Source) -> None:
    """Add the reference ``node`` of ``fact`` (from ``source``): its quotes and note as literals."""
    quotes = [text_literal(text, source.language) for text, _ in fact.quotes]
    triples.reference(node, source.iri, quotes, text_literal(fact.note) if fact.note else None)


def _same_content(earlier: str, content: str) -> None:
    """Check that two contents with one digest are the same.

    Raises:
        KGError: When the contents differ.
    """
    if earlier != content:
        raise KGError(f"hash collision between {earlier!r} and {content!r}")


def inverses(ontology: Graph) -> dict[URIRef, URIRef]:
    """Each property declared ``owl:inverseOf`` another (either side), mapped to that other."""
    pairs: dict[URIRef, URIRef] = {}
    for p, q in ontology.subject_objects(OWL.inverseOf):
        if isinstance(p, URIRef) and isinstance(q, URIRef):
            pairs[p] = q
            pairs[q] = p
    return pairs


def inverse_triples(graph: Graph, ontology: Graph) -> list[tuple[Node, Node, Node]]:
    """The inverse of every triple whose predicate has an ``owl:inverseOf`` (and an IRI object)."""
    pairs = inverses(ontology)
    return [(o, pairs[p], s) for p in sorted(pairs) for s, o in graph.subject_objects(p) if isinstance(o, URIRef)]


def class_hierarchy(ontology: Graph) -> list[tuple[Node, Node, Node]]:
    """The ``rdfs:subClassOf`` triples between classes of our namespace."""
    ours = str(NIK)
    return sorted(
        (c, RDFS.subClassOf, parent)
        for c, parent in ontology.subject_objects(RDFS.subClassOf)
        if isinstance(c, URIRef) and isinstance(parent, URIRef) and c.startswith(ours) and parent.startswith(ours)
    )
