"""Likely duplicates and conflicts between sources: warnings, never failures.

*Likely duplicates* are entities with different ids whose names or aliases are the
same after normalisation (:func:`graph.curation.names.name_key`: case, accents,
punctuation and "ue" for "ü" ignored). *Conflicts* are two or more sources giving
different values for a property that takes one value: both facts stay in the graph
with their sources, and the curator decides.

Which properties take one value is data, read from the ontology and the shapes:

- ``owl:FunctionalProperty`` (any subject);
- an OWL restriction on a class, ``owl:maxCardinality 1`` or
  ``owl:maxQualifiedCardinality 1`` with ``owl:onClass`` (only values of that class count);
- a SHACL property shape with ``sh:maxCount 1`` (on its ``sh:targetClass``, or any
  subject for ``sh:targetSubjectsOf``), or ``sh:qualifiedMaxCount 1`` with a
  ``sh:qualifiedValueShape`` of some ``sh:class``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Container, Iterable
from dataclasses import dataclass
from itertools import chain, compress, pairwise
from operator import attrgetter, itemgetter

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH
from rdflib.term import Node

from graph.curation.names import name_key
from graph.dataset import Dataset, Fact
from graph.errors import Location, Problem
from graph.ontology import Ontology
from graph.temporal import Period, period_of

_NIK = "https://w3id.org/nrw-integration-kg/ontology#"
_PREDICATE, _QUALIFIERS = attrgetter("predicate"), attrgetter("qualifiers")


@dataclass(frozen=True, order=True)
class SingleValued:
    """A property that takes at most one value (of ``of_class``, when given) on subjects of class ``on``."""

    property: URIRef
    on: URIRef | None  # None: on any subject
    of_class: URIRef | None  # None: every value counts
    declared: str  # where it is declared, for the message


@dataclass(frozen=True)
class Conflict:
    """Sources that give different values for one single-valued property of one subject."""

    subject: URIRef
    rule: SingleValued
    facts: tuple[Fact, ...]  # sorted by location

    @property
    def between_sources(self) -> bool:
        """Whether each source gives one value, so the values differ only between sources.

        Only then are the extra values tolerated; a source that itself gives two values of a
        single-valued property is still a mistake for the shapes to report.
        """
        values: dict[str, set[Node]] = defaultdict(set)
        for fact in self.facts:
            values[fact.source].add(fact.object)
        return all(len(v) == 1 for v in values.values())

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(sorted({f.source for f in self.facts}))


def single_valued(ontology: Ontology, shapes: Graph | None = None) -> list[SingleValued]:
    """Every single-valued declaration in the ontology and, when given, the shapes; sorted."""
    rules: set[SingleValued] = set()
    graph = ontology.graph
    for functional in graph.subjects(RDF.type, OWL.FunctionalProperty):
        if _ours(functional):
            rules.add(SingleValued(functional, None, None, "owl:FunctionalProperty in the ontology"))  # type: ignore[arg-type]
    for cls, restriction in graph.subject_objects(RDFS.subClassOf):
        prop = graph.value(restriction, OWL.onProperty)
        if not (_ours(cls) and _ours(prop)):
            continue
        if _is_one(graph.value(restriction, OWL.maxCardinality)):
            rules.add(SingleValued(prop, cls, None, "owl:maxCardinality 1 in the ontology"))  # type: ignore[arg-type]
        on_class = graph.value(restriction, OWL.onClass)
        if _is_one(graph.value(restriction, OWL.maxQualifiedCardinality)) and _ours(on_class):
            rules.add(SingleValued(prop, cls, on_class, "owl:maxQualifiedCardinality 1 in the ontology"))  # type: ignore[arg-type]
    if shapes is not None:
        rules.update(_shape_rules(shapes))
    return sorted(rules, key=lambda r: (str(r.property), str(r.on), str(r.of_class), r.declared))


def _shape_rules(shapes: Graph) -> set[SingleValued]:
    rules: set[SingleValued] = set()
    for shape, property_shape in shapes.subject_objects(SH.property):
        prop = shapes.value(property_shape, SH.path)
        if not _ours(prop):
            continue
        targets: list[URIRef | None] = [c for c in shapes.objects(shape, SH.targetClass) if _ours(c)]  # type: ignore[misc]
        if any(shapes.objects(shape, SH.targetSubjectsOf)):
            targets.append(None)
        qualified = shapes.value(property_shape, SH.qualifiedValueShape)
        value_class = shapes.value(qualified, SH["class"]) if qualified is not None else None
        for target in targets:
            if _is_one(shapes.value(property_shape, SH.maxCount)):
                rules.add(SingleValued(prop, target, None, "sh:maxCount 1 in the shapes"))  # type: ignore[arg-type]
            if _is_one(shapes.value(property_shape, SH.qualifiedMaxCount)) and _ours(value_class):
                rules.add(SingleValued(prop, target, value_class, "sh:qualifiedMaxCount 1 in the shapes"))  # type: ignore[arg-type]
    return rules


def _ours(node: Node | None) -> bool:
    return isinstance(node, URIRef) and str(node).startswith(_NIK)


def _is_one(node: Node | None) -> bool:
    return isinstance(node, Literal) and str(node) == "1"


def find_conflicts(dataset: Dataset, rules: list[SingleValued]) -> list[Conflict]:
    """Subjects for which two or more sources give different values of a single-valued property.

    Values given by one source only (however many) are not a conflict between sources;
    the shapes judge those (see :attr:`Conflict.between_sources`).
    """
    ontology = dataset.ontology
    classes = {e.iri: e.cls for e in dataset.entities.values()}
    classes.update({s.iri: s.cls for s in dataset.sources.values()})
    by_property: dict[URIRef, list[SingleValued]] = defaultdict(list)
    for rule in rules:
        by_property[rule.property].append(rule)
    grouped: dict[tuple[URIRef, URIRef], list[Fact]] = defaultdict(list)
    predicates = list(map(_PREDICATE, dataset.facts))
    single = _own_terms(predicates, by_property)
    for fact in compress(dataset.facts, map(single.__contains__, predicates)):  # chosen in a C loop
        grouped[(fact.subject, fact.predicate)].append(fact)
    conflicts: list[Conflict] = []
    # Only a subject and property with two facts or more can conflict: sorting just those
    # (most have one fact) gives them in the same order as sorting all.
    for (subject, predicate), facts in sorted(item for item in grouped.items() if len(item[1]) > 1):
        cls = classes.get(subject)
        for rule in by_property[predicate]:
            if rule.on is not None and (cls is None or not ontology.is_a(cls, rule.on)):
                continue
            counted = [
                f for f in facts if rule.of_class is None or _value_is_a(f.object, rule.of_class, classes, ontology)
            ]
            if len({f.object for f in counted}) > 1 and len({f.source for f in counted}) > 1 and _overlapping(counted):
                conflicts.append(Conflict(subject, rule, tuple(sorted(counted, key=lambda f: f.location))))
                break  # one conflict per subject and property, whichever rule found it first
    return conflicts


def find_qualifier_conflicts(dataset: Dataset, rules: list[SingleValued]) -> list[Problem]:
    """Warnings for one fact (subject, property, value) that sources qualify with different values
    of a single-valued qualifier: one source dates Güler's office from 2017, another from 2018.

    A source that gives no value for the qualifier does not disagree.
    """
    ontology = dataset.ontology
    statement = ontology.classes.get("Statement")
    singles = {
        rule.property: rule
        for rule in reversed(rules)
        if rule.of_class is None and (rule.on is None or (statement is not None and statement.iri == rule.on))
    }
    ids = _ids(dataset)
    grouped: dict[tuple[URIRef, URIRef, Node, URIRef], list[tuple[Node, Fact]]] = defaultdict(list)
    qualified = list(compress(dataset.facts, map(_QUALIFIERS, dataset.facts)))  # most facts have none
    single = _own_terms(map(itemgetter(0), chain.from_iterable(map(_QUALIFIERS, qualified))), singles)
    for fact in qualified:
        for qualifier, value in fact.qualifiers:
            if qualifier in single:
                grouped[(fact.subject, fact.predicate, fact.object, qualifier)].append((value, fact))
    problems = []
    for (subject, predicate, obj, qualifier), entries in sorted(item for item in grouped.items() if len(item[1]) > 1):
        if len({v for v, _ in entries}) < 2 or len({f.source for _, f in entries}) < 2:
            continue
        entries.sort(key=lambda e: e[1].location)
        at = next(f for v, f in entries if v != entries[0][0])
        values = "; ".join(f"{_shown(v, ids)} ({f.source}, {f.location})" for v, f in entries)
        problems.append(
            Problem(
                at.location,
                f"conflict: sources disagree on the {_local(qualifier)} of '{_shown(subject, ids)}' "
                f"{_local(predicate)} '{_shown(obj, ids)}', which takes one value ({singles[qualifier].declared}): "
                f"{values}; both facts are kept until a curator decides",
            )
        )
    return problems


def _own_terms(terms: Iterable[URIRef], wanted: Container[URIRef]) -> frozenset[URIRef]:
    """The distinct ``terms`` that are in ``wanted``, as the objects ``terms`` holds.

    The dataset uses one object per property; looked up by that identical object, a set
    spares rdflib's ``__eq__`` (a Python call) for every fact, as ``wanted`` would not.
    """
    return frozenset(term for term in set(terms) if term in wanted)


def _local(iri: URIRef) -> str:
    return str(iri)[len(_NIK) :] if str(iri).startswith(_NIK) else str(iri)


def _ids(dataset: Dataset) -> dict[URIRef, str]:
    ids = {e.iri: e.id for e in dataset.entities.values()}
    ids.update({s.iri: s.id for s in dataset.sources.values()})
    return ids


def _overlapping(facts: list[Fact]) -> bool:
    """Whether two facts with different values may hold at the same time.

    Facts whose ``startDate``/``endDate``/``asOf`` qualifiers give periods without a common
    day (a party until 2019, another from 2020) record a change, not a conflict.
    """
    periods = [(f.object, _period(f)) for f in facts]
    for i, (value, period) in enumerate(periods):
        for other_value, other in periods[i + 1 :]:
            if value != other_value and not _disjoint(period, other):
                return True
    return False


def _period(fact: Fact) -> Period:
    dates: dict[str, list[str]] = {"startDate": [], "endDate": [], "asOf": []}
    for qualifier, value in fact.qualifiers:
        name = str(qualifier)[len(_NIK) :]
        if name in dates:
            dates[name].append(str(value))
    return period_of(dates["startDate"], dates["endDate"], dates["asOf"])


def _disjoint(a: Period, b: Period) -> bool:
    if not (a.dated and b.dated):
        return False
    return bool((a.last and b.first and a.last < b.first) or (b.last and a.first and b.last < a.first))


def _value_is_a(value: Node, cls: URIRef, classes: dict[URIRef, URIRef], ontology: Ontology) -> bool:
    value_class = classes.get(value)  # type: ignore[call-overload]
    return value_class is not None and ontology.is_a(value_class, cls)


def conflict_warning(conflict: Conflict, dataset: Dataset) -> Problem:
    """One warning line for a conflict, at the first fact that disagrees with the first one."""
    ids = _ids(dataset)
    first = conflict.facts[0]
    at = next(f for f in conflict.facts if f.object != first.object)
    values = "; ".join(f"{_shown(f.object, ids)} ({f.source}, {f.location})" for f in conflict.facts)
    what = str(conflict.rule.property)[len(_NIK) :]
    if conflict.rule.of_class is not None:
        name = _local(conflict.rule.of_class)
        what += f" ({'an' if name[0] in 'AEIOU' else 'a'} {name})"
    return Problem(
        at.location,
        f"conflict: sources disagree on {what} of '{ids.get(conflict.subject, conflict.subject)}', "
        f"which takes one value ({conflict.rule.declared}): {values}; both facts are kept until a curator decides",
    )


def _shown(value: Node, ids: dict[URIRef, str]) -> str:
    if isinstance(value, URIRef):
        return ids.get(value, str(value))
    return str(value)


def find_duplicates(dataset: Dataset) -> list[Problem]:
    """One warning per pair of entities with different ids that share a normalised name or alias.

    The warning sits at the later declaration (registry before articles, then by file and line).
    """
    owners: dict[str, list[tuple[Location, str, str]]] = defaultdict(list)
    for entity in dataset.entities.values():
        seen: set[str] = set()
        for name in (entity.name, *entity.aliases):
            key = name_key(str(name))
            if key and key not in seen:
                seen.add(key)
                owners[key].append((entity.location, entity.id, str(name)))
    shared: dict[tuple[tuple[Location, str], tuple[Location, str]], list[tuple[str, str]]] = defaultdict(list)
    for holders in owners.values():
        if len(holders) < 2:
            continue  # most names have one holder
        for earlier, later in pairwise(sorted(holders)):
            if earlier[1] != later[1]:
                shared[((earlier[0], earlier[1]), (later[0], later[1]))].append((earlier[2], later[2]))
    problems = []
    for ((first_location, first_id), (location, entity_id)), names in sorted(shared.items()):
        spelled = ", ".join(f"'{a}'" if a == b else f"'{a}' / '{b}'" for a, b in sorted(names))
        problems.append(
            Problem(
                location,
                f"likely duplicate: '{entity_id}' and '{first_id}' ({first_location}) share the name {spelled}; "
                "if they are one entity, keep one id",
            )
        )
    return problems


def curation_warnings(dataset: Dataset, shapes: Graph | None) -> tuple[list[Problem], list[Conflict]]:
    """Likely duplicates and conflicts of ``dataset``, as warnings, plus the conflicts themselves.

    Args:
        dataset: The resolved sources.
        shapes: The SHACL shapes (their ``sh:maxCount 1`` declarations count), or ``None``.

    Returns:
        The warnings (duplicates, then conflicts) and the conflicts found.
    """
    rules = single_valued(dataset.ontology, shapes)
    conflicts = find_conflicts(dataset, rules)
    warnings = [
        *find_duplicates(dataset),
        *(conflict_warning(c, dataset) for c in conflicts),
        *find_qualifier_conflicts(dataset, rules),
    ]
    return warnings, conflicts
