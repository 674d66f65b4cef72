"""Checks across facts that no single value can fail: loops in containment, ends before starts.

Which properties must not loop is data: a property declared ``owl:TransitiveProperty``
in the ontology is read as a containment (``containedInPlace``, ``superEvent``): a
transitive relation with a loop would make every member contain itself, so cycles and
self-loops are refused. ``owl:IrreflexiveProperty`` refuses self-loops alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

from rdflib import OWL, RDF, URIRef
from rdflib.term import Node

from graph.errors import Location, Problem
from graph.namespace import NIK
from graph.ontology import Ontology
from graph.temporal import DateProblem, parse_span

START, END = "startDate", "endDate"


class _Fact(Protocol):
    @property
    def subject(self) -> URIRef: ...
    @property
    def predicate(self) -> URIRef: ...
    @property
    def object(self) -> Node: ...
    @property
    def qualifiers(self) -> tuple[tuple[URIRef, Node], ...]: ...
    @property
    def location(self) -> Location: ...


def check_facts(ontology: Ontology, ids: Mapping[URIRef, str], facts: Sequence[_Fact]) -> list[Problem]:
    """Problems of loops and date order among ``facts``.

    Args:
        ontology: Says which properties are transitive or irreflexive.
        ids: Entity id by IRI, for the messages.
        facts: The resolved facts.
    """
    start, end = ontology.properties.get(START), ontology.properties.get(END)
    dated = _date_order(facts, start.iri, end.iri) if start and end else []
    return _loops(ontology, ids, facts) + dated


def _name(ontology: Ontology, prop: URIRef) -> str:
    return str(prop)[len(str(NIK)) :] if str(prop).startswith(str(NIK)) else prop.n3()


def _loops(ontology: Ontology, ids: Mapping[URIRef, str], facts: Sequence[_Fact]) -> list[Problem]:
    graph = ontology.graph
    transitive = set(graph.subjects(RDF.type, OWL.TransitiveProperty))
    irreflexive = transitive | set(graph.subjects(RDF.type, OWL.IrreflexiveProperty))
    problems: list[Problem] = []
    edges: dict[URIRef, dict[tuple[URIRef, URIRef], Location]] = {}
    for fact in facts:
        if fact.predicate not in irreflexive or not isinstance(fact.object, URIRef):
            continue
        name = _name(ontology, fact.predicate)
        if fact.object == fact.subject:
            who = ids.get(fact.subject, str(fact.subject))
            problems.append(Problem(fact.location, f"'{who}' {name} '{who}': an entity cannot be its own {name}"))
        elif fact.predicate in transitive:
            pair = (fact.subject, fact.object)
            here = edges.setdefault(fact.predicate, {})
            here[pair] = min(here.get(pair, fact.location), fact.location)
    for prop in sorted(edges):
        name = _name(ontology, prop)
        for component in _cycles(edges[prop].keys()):
            inside = sorted((loc, s, o) for (s, o), loc in edges[prop].items() if s in component and o in component)
            first, *others = inside
            members = " → ".join(f"'{ids.get(n, str(n))}'" for n in _walk(component, edges[prop].keys()))
            also = "; also " + ", ".join(str(loc) for loc, _, _ in others) if others else ""
            problems.append(
                Problem(
                    first[0],
                    f"{name} goes round in a circle: {members}; {name} cannot loop, remove one of these facts{also}",
                )
            )
    return problems


def _cycles(pairs: Iterable[tuple[URIRef, URIRef]]) -> list[frozenset[URIRef]]:
    """The strongly connected components with more than one node (Tarjan, iterative)."""
    successors: dict[URIRef, list[URIRef]] = {}
    for s, o in sorted(pairs):
        successors.setdefault(s, []).append(o)
        successors.setdefault(o, [])
    index: dict[URIRef, int] = {}
    low: dict[URIRef, int] = {}
    on_stack: set[URIRef] = set()
    stack: list[URIRef] = []
    found: list[frozenset[URIRef]] = []
    counter = 0
    for root in sorted(successors):
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, child = work.pop()
            if child == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            nexts = successors[node]
            if child < len(nexts):
                work.append((node, child + 1))
                target = nexts[child]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(frozenset(component))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return sorted(found, key=sorted)


def _walk(component: frozenset[URIRef], pairs: Iterable[tuple[URIRef, URIRef]]) -> list[URIRef]:
    """One cycle through the component's smallest node, as a list that ends where it starts."""
    successors: dict[URIRef, list[URIRef]] = {}
    for s, o in sorted(pairs):
        if s in component and o in component:
            successors.setdefault(s, []).append(o)
    start = min(component)
    path, seen = [start], {start}
    node = start
    while True:
        following = successors[node]
        nxt = start if start in following else next((n for n in following if n not in seen), following[0])
        path.append(nxt)
        if nxt == start or nxt in seen:
            return path
        seen.add(nxt)
        node = nxt


def _date_order(facts: Sequence[_Fact], start_iri: URIRef, end_iri: URIRef) -> list[Problem]:
    problems: list[Problem] = []
    starts: dict[URIRef, list[tuple[str, Location]]] = {}
    ends: dict[URIRef, list[tuple[str, Location]]] = {}
    dates = {start_iri: starts, end_iri: ends}  # a lookup, not two comparisons per fact
    for fact in facts:
        found = dates.get(fact.predicate)
        if found is not None:
            found.setdefault(fact.subject, []).append((str(fact.object), fact.location))
        if not fact.qualifiers:
            continue
        qualifiers = dict(fact.qualifiers)
        if start_iri in qualifiers and end_iri in qualifiers:
            problem = _order(str(qualifiers[start_iri]), fact.location, str(qualifiers[end_iri]), fact.location)
            if problem:
                problems.append(problem)
    for subject in sorted(set(starts) & set(ends)):
        for start, start_at in starts[subject]:
            for end, end_at in ends[subject]:
                problem = _order(start, start_at, end, end_at)
                if problem:
                    problems.append(problem)
    return problems


def _order(start: str, start_at: Location, end: str, end_at: Location) -> Problem | None:
    try:
        first, last = parse_span(start), parse_span(end)
    except DateProblem:
        return None  # reported as a bad value already
    if last.last >= first.first:
        return None
    if start_at == end_at:
        where = ""
    else:
        where = f" (line {start_at.line})" if start_at.path == end_at.path else f" ({start_at})"
    return Problem(end_at, f"endDate {end} is before startDate {start}{where}; an end cannot come before its start")
