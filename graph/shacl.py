"""A fast SHACL Core validator for the shapes this project writes, read from the shapes file.

pySHACL is the reference, but it is pure Python and walks the data graph once per
shape and focus node (45-60 s at a million triples). This module compiles the shapes
graph once (shapes are data: nothing here knows a class or property of ours) into plain
Python objects, then, for one data graph, each shape into a :class:`_Plan`: its own
constraints and those of its property shapes as a flat list of units, each with its path
resolved to the graph's tables (``spo``, ``pos``: rdflib's own indexes of an in-memory
graph) and its constraints bound to their arguments (the members of a class, a compiled
pattern, a datatype). Checking a focus node is then one look-up per property and one test
per value; the results come in the order of the shapes, their focus nodes and constraints.

Most units of a graph as built find nothing, and that is shown for all of a shape's focus
nodes at once from the ``pos`` table (:meth:`Validator._clear`: which nodes have values of
the path and how many, each distinct value tested once); only the units it cannot show clear
run node by node, which at a million triples halves the time (most of it is spent waiting for
memory, one scattered row and value table per node and property).

Supported (SHACL Core): targets ``sh:targetClass``, ``sh:targetSubjectsOf``,
``sh:targetObjectsOf``, ``sh:targetNode``; property paths that are an IRI or
``[sh:inversePath IRI]``; constraints ``sh:class``, ``sh:datatype``, ``sh:nodeKind``,
``sh:minCount``, ``sh:maxCount``, ``sh:pattern`` (with ``sh:flags``), ``sh:node``,
``sh:or``, ``sh:minInclusive``, ``sh:maxInclusive``, ``sh:minExclusive``,
``sh:maxExclusive``, ``sh:in``, ``sh:hasValue``; ``sh:message``, ``sh:severity``,
``sh:deactivated``. A shapes graph that uses anything else raises :class:`Unsupported`,
and :func:`graph.validate.validate_graph` then runs pySHACL instead, so results never
silently differ. ``tests/test_shacl.py`` compares the results with pySHACL's.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain, repeat
from operator import attrgetter
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection as RDFList
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD
from rdflib.term import Node

_SHAPE_KEYS = {
    SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode, SH.property, SH.path,
    SH["class"], SH.datatype, SH.nodeKind, SH.minCount, SH.maxCount, SH.pattern, SH.flags, SH.node,
    SH["or"], SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive, SH["in"], SH.hasValue,
    SH.message, SH.severity, SH.deactivated, SH.name, SH.description, SH.order, SH.group,
}  # fmt: skip
_COMPARISONS = {
    SH.minInclusive: ("MinInclusiveConstraintComponent", lambda v, b: v >= b, ">="),
    SH.maxInclusive: ("MaxInclusiveConstraintComponent", lambda v, b: v <= b, "<="),
    SH.minExclusive: ("MinExclusiveConstraintComponent", lambda v, b: v > b, ">"),
    SH.maxExclusive: ("MaxExclusiveConstraintComponent", lambda v, b: v < b, "<"),
}
_KINDS = {
    SH.IRI: (URIRef,),
    SH.BlankNode: (BNode,),
    SH.Literal: (Literal,),
    SH.BlankNodeOrIRI: (BNode, URIRef),
    SH.BlankNodeOrLiteral: (BNode, Literal),
    SH.IRIOrLiteral: (URIRef, Literal),
}


class Unsupported(Exception):
    """The shapes use a feature this validator does not implement (use pySHACL)."""


@dataclass(frozen=True)
class Result:
    """One validation result, as pySHACL's ``sh:ValidationResult`` would give it.

    Attributes:
        focus: The focus node.
        path: The property path (an IRI, or ``("inverse", IRI)``), ``None`` for node shapes.
        value: The offending value, ``None`` for count constraints.
        component: The constraint component's local name, e.g. ``MinCountConstraintComponent``.
        severity: ``sh:Violation``, ``sh:Warning`` or ``sh:Info``.
        message: The shape's ``sh:message``, or a default one.
        shape: The shape that produced it.
    """

    focus: Node
    path: Node | tuple[str, Node] | None
    value: Node | None
    component: str
    severity: URIRef
    message: str
    shape: Node


@dataclass
class _Shape:
    node: Node
    path: Node | tuple[str, Node] | None = None
    targets: list[tuple[Node, Node]] = field(default_factory=list)
    checks: list[tuple[str, object]] = field(default_factory=list)  # (constraint's local name, argument)
    properties: list[_Shape] = field(default_factory=list)
    message: str | None = None
    severity: URIRef = SH.Violation
    deactivated: bool = False


class _Compiler:
    def __init__(self, shapes: Graph) -> None:
        self.graph = shapes
        self.compiled: dict[Node, _Shape] = {}

    def shapes(self) -> list[_Shape]:
        nodes = set(self.graph.subjects(RDF.type, SH.NodeShape)) | set(self.graph.subjects(RDF.type, SH.PropertyShape))
        for key in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode):
            nodes |= set(self.graph.subjects(key, None))
        for node in nodes:
            if (node, RDF.type, RDFS.Class) in self.graph or (node, RDF.type, OWL.Class) in self.graph:
                raise Unsupported(f"implicit class target {node}")
        return [self.shape(n) for n in sorted(nodes, key=str)]

    def shape(self, node: Node) -> _Shape:
        if node in self.compiled:
            return self.compiled[node]
        shape = _Shape(node)
        self.compiled[node] = shape
        for key, value in sorted(self.graph.predicate_objects(node), key=lambda pair: (str(pair[0]), str(pair[1]))):
            if str(key).startswith(str(SH)) and key not in _SHAPE_KEYS:
                raise Unsupported(f"{key} on {node}")
            if key in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode):
                shape.targets.append((key, value))
            elif key == SH.path:
                shape.path = self.path(value)
            elif key == SH.property:
                shape.properties.append(self.shape(value))
            elif key == SH.message:
                shape.message = str(value)
            elif key == SH.severity:
                shape.severity = value  # type: ignore[assignment]
            elif key == SH.deactivated:
                shape.deactivated = bool(value.toPython()) if isinstance(value, Literal) else False
            elif key in (SH.node,):
                shape.checks.append(("node", self.shape(value)))
            elif key == SH["or"]:
                shape.checks.append(("or", [self.shape(member) for member in RDFList(self.graph, value)]))
            elif key == SH["in"]:
                shape.checks.append(("in", frozenset(RDFList(self.graph, value))))
            elif key == SH.pattern:
                flags = self.graph.value(node, SH.flags)
                shape.checks.append(("pattern", _regex(str(value), str(flags) if flags is not None else "")))
            elif key in (SH.minCount, SH.maxCount):
                assert isinstance(value, Literal)
                shape.checks.append((_local(key), int(value.toPython())))
            elif key == SH.nodeKind:
                if value not in _KINDS:
                    raise Unsupported(f"node kind {value} on {node}")
                shape.checks.append(("nodeKind", _KINDS[value]))  # type: ignore[index]
            elif key in _COMPARISONS:
                shape.checks.append(("compare", (*_COMPARISONS[key], value)))  # type: ignore[index]
            elif key in (SH["class"], SH.datatype, SH.hasValue):
                shape.checks.append((_local(key), value))
        if shape.path is None and any(op in ("minCount", "maxCount", "hasValue") for op, _ in shape.checks):
            raise Unsupported(f"a count constraint without a path on {node}")
        return shape

    def path(self, value: Node) -> Node | tuple[str, Node]:
        if isinstance(value, URIRef):
            return value
        inverse = self.graph.value(value, SH.inversePath)
        if isinstance(inverse, URIRef) and len(list(self.graph.predicate_objects(value))) == 1:
            return ("inverse", inverse)
        raise Unsupported(f"property path {value}")


def _local(term: Node) -> str:
    return str(term).removeprefix(str(SH))


def _regex(pattern: str, flags: str) -> re.Pattern[str]:
    bits = 0
    for flag in flags:
        bits |= {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}.get(flag, 0)
    return re.compile(pattern, bits)


def compile_shapes(shapes: Graph) -> list[_Shape]:
    """The shapes of ``shapes`` ready to run.

    Raises:
        Unsupported: When a shape uses a feature this module does not implement.
    """
    return _Compiler(shapes).shapes()


def store_indexes(graph: Graph, predicates: Iterable[Node]) -> tuple[dict[Any, Any], dict[Any, Any]]:
    """Subject → predicate → objects and predicate → object → subjects tables of ``graph``.

    rdflib's in-memory stores keep exactly these two tables (the private ``__spo`` and
    ``__pos`` of ``Memory`` and ``SimpleMemory``); they are used as they are, read-only, which costs nothing
    and spares a million calls through ``Graph.triples``. For any other store the two
    tables are built for ``predicates`` (and ``rdf:type``, ``rdfs:subClassOf``) through
    the public API.
    """
    from graph.writers import store_table

    spo, pos = store_table(graph, "spo"), store_table(graph, "pos")
    if spo is not None and pos is not None:
        return spo, pos
    spo, pos = {}, {}
    for p in {*predicates, RDF.type, RDFS.subClassOf}:
        for s, o in graph.subject_objects(p):
            spo.setdefault(s, {}).setdefault(p, {})[o] = 1
            pos.setdefault(p, {}).setdefault(o, {})[s] = 1
    return spo, pos


_EMPTY: dict[Any, Any] = {}
# rdflib's namespaces make a new URIRef on every attribute access: read once.
_TYPE, _SUBCLASS_OF, _LANG_STRING, _STRING = RDF.type, RDFS.subClassOf, RDF.langString, XSD.string
_TARGET_NODE, _TARGET_CLASS, _TARGET_SUBJECTS_OF = SH.targetNode, SH.targetClass, SH.targetSubjectsOf
_TARGET_OBJECTS_OF = SH.targetObjectsOf


class _Data:
    """Look-ups in the data graph: the tables, instances of classes, the class hierarchy."""

    def __init__(self, graph: Graph, hierarchy: Iterable[tuple[Node, Node]], predicates: set[Node]) -> None:
        self.spo, self.pos = store_indexes(graph, predicates)
        parents: dict[Node, set[Node]] = defaultdict(set)
        for parent, children in self.pos.get(_SUBCLASS_OF, {}).items():
            for child in children:
                parents[child].add(parent)
        for child, parent in hierarchy:
            parents[child].add(parent)
        self._parents = parents
        self.ancestors: dict[Node, frozenset[Node]] = {}
        self._instances: dict[Node, dict[Node, int]] = {}
        self._members: dict[Node, frozenset[Node] | dict[Node, int]] = {}
        # The graph's own term objects: a look-up with the identical object as key spares
        # rdflib's ``__eq__`` (a Python call) on every hit of a dictionary.
        self._terms: dict[Node, Node] = {p: p for p in self.pos}

    def term(self, node: Node) -> Node:
        """``node`` as the graph's own object for it, if the graph uses it as a predicate."""
        return self._terms.get(node, node)

    def instances(self, cls: Node) -> dict[Node, int]:
        """Nodes whose type is ``cls`` or a subclass of it (``rdf:type/rdfs:subClassOf*``), in the table's order."""
        found = self._instances.get(cls)
        if found is None:
            found = self._instances[cls] = {}
            for type_, nodes in self.pos.get(_TYPE, {}).items():
                if cls in self.supers(type_):
                    found.update(nodes)
        return found

    def members(self, cls: Node) -> frozenset[Node] | dict[Node, int]:
        """The nodes that pass ``sh:class cls``: its instances, except literals (which never do)."""
        found = self._members.get(cls)
        if found is None:
            instances = self.instances(cls)
            literals = [node for node in instances if isinstance(node, Literal)]
            found = self._members[cls] = frozenset(instances).difference(literals) if literals else instances
        return found

    def supers(self, cls: Node) -> frozenset[Node]:
        found = self.ancestors.get(cls)
        if found is None:
            seen = {cls}
            todo = [cls]
            while todo:
                for parent in self._parents.get(todo.pop(), ()):
                    if parent not in seen:
                        seen.add(parent)
                        todo.append(parent)
            found = self.ancestors[cls] = frozenset(seen)
        return found

    def subjects(self, predicate: Node) -> set[Node]:
        """The nodes with a value of ``predicate``: a new set, not kept (at a million nodes, 32 MiB).

        Made from the hashes ``pos`` keeps, without reading the nodes themselves.
        """
        return set().union(*self.pos.get(predicate, _EMPTY).values())

    def objects(self, predicate: Node) -> Collection[Node]:
        """The values of ``predicate``."""
        table: dict[Node, dict[Node, int]] = self.pos.get(predicate, _EMPTY)
        if all(table.values()):
            return table.keys()
        # rdflib's ``SimpleMemory`` keeps a value's (empty) row when its last triple goes
        return {o for o, subjects in table.items() if subjects}

    def targets(self, shape: _Shape) -> Iterable[Node]:
        """The focus nodes of ``shape``, each once, in the order of its targets and the tables."""
        found: list[Iterable[Node]] = []
        for kind, value in shape.targets:
            if kind == _TARGET_NODE:
                found.append([value])
            elif kind == _TARGET_CLASS:
                found.append(self.instances(value))
            elif kind == _TARGET_SUBJECTS_OF:
                found.append(dict.fromkeys(chain.from_iterable(self.pos.get(value, _EMPTY).values()), 1))
            else:
                found.append(self.pos.get(value, _EMPTY))  # a dict: a set of it is made from its hashes
        if len(found) == 1:
            return found[0]  # the nodes of one target are distinct already
        return {node: 1 for nodes in found for node in nodes}


def _predicates(shapes: list[_Shape]) -> set[Node]:
    found: set[Node] = set()
    todo = list(shapes)
    seen: set[int] = set()
    while todo:
        shape = todo.pop()
        if id(shape) in seen:
            continue
        seen.add(id(shape))
        if shape.path is not None:
            found.add(shape.path[1] if isinstance(shape.path, tuple) else shape.path)
        for kind, value in shape.targets:
            if kind in (_TARGET_SUBJECTS_OF, _TARGET_OBJECTS_OF):
                found.add(value)
        todo += shape.properties
        for _, check in shape.checks:
            if isinstance(check, _Shape):
                todo.append(check)
            elif isinstance(check, list):
                todo += check
    return found


# How a compiled check tests the value nodes of one focus node.
_MIN, _MAX, _HAS, _EACH = 0, 1, 2, 3
#: (kind, test, component, message): ``_MIN``, ``_MAX``: ``test`` is the bound on the number of
#: values; ``_HAS``: ``test`` is the value that must be there; ``_EACH``: ``test(value)`` is true when it passes.
_Step = tuple[int, Any, str, str]


_Row = tuple[Any, Any, bool, int, int, list[tuple[Callable[[Node], bool], str, str]], "_Unit"]


@dataclass(slots=True)
class _Unit:
    """One shape's own constraints, compiled: where its values are and how to test them.

    A shape's results are its own constraints' (in the order of ``_Shape.checks``), then
    those of its property shapes on the same focus node, depth first; a :class:`_Plan` is
    that order flattened into units.
    """

    shape: _Shape
    key: Node | None  # the path's predicate as the graph's own object; None: the focus node itself
    inverse: dict[Any, dict[Any, int]] | None  # for an inverse path: object -> subjects of its predicate
    steps: list[_Step]
    # The usual case in one go: no count step fails for fewest <= values <= most, and then
    # only the value tests can (unless there is a sh:hasValue: then always ``steps``).
    fewest: int
    most: int
    simple: bool
    fails_on_none: bool  # whether a step fails when there are no values (sh:minCount, sh:hasValue)
    tests: list[tuple[Callable[[Node], bool], str, str]]
    # each test as one call on many values, with what it tests (for the tables' shortcut)
    all_pass: list[tuple[Any, Callable[[Iterable[Node]], bool]]] = field(default_factory=list)

    def row(self) -> _Row:
        """What the loop over focus nodes reads: a tuple unpacks faster than attributes load."""
        fewest = self.fewest if self.simple else sys.maxsize  # sh:hasValue: never the short way
        return self.key, self.inverse, self.fails_on_none, fewest, self.most, self.tests, self

    def result(self, focus: Node, value: Node | None, component: str, message: str) -> Result:
        shape = self.shape
        return Result(focus, shape.path, value, component, shape.severity, message, shape.node)

    def every_step(self, focus: Node, values: Any, out: list[Result]) -> None:
        """The results of the steps in order: the way for no values, a count that fails, or ``sh:hasValue``."""
        for kind, test, component, message in self.steps:
            if kind == _EACH:
                out += [self.result(focus, value, component, message) for value in values if not test(value)]
            elif _fails(kind, test, values):
                out.append(self.result(focus, None, component, message))


@dataclass(slots=True)
class _Plan:
    """A shape compiled for one data graph: its units, and which nodes conform (for ``sh:node``, ``sh:or``)."""

    units: list[_Unit] = field(default_factory=list)
    reads_table: bool = False  # whether a unit looks its values up in the focus node's row of ``spo``
    rows: list[_Row] = field(default_factory=list)  # the units as tuples, for the loop over focus nodes
    conforming: dict[Node, bool] = field(default_factory=dict)


class _Nodes:
    """A shape's focus nodes, and the same as a set when first asked (made from a dict's hashes)."""

    def __init__(self, nodes: Iterable[Node]) -> None:
        self.nodes = nodes
        self._set: set[Node] | None = None

    def set(self) -> set[Node]:
        if self._set is None:
            self._set = set(self.nodes)
        return self._set


class Validator:
    """Compiled shapes plus the indexes of one data graph.

    Each shape is compiled once into a :class:`_Plan`: tests bound to the shape's arguments
    (the members of a class, a compiled pattern, the datatype) and its paths resolved to the
    graph's tables, so checking a focus node is one look-up per property and one test per value.
    """

    def __init__(self, shapes: list[_Shape], graph: Graph, hierarchy: Iterable[tuple[Node, Node]] = ()) -> None:
        self.shapes = shapes
        self.data = _Data(graph, hierarchy, _predicates(shapes))
        self._plans: dict[int, _Plan] = {}
        # (path's predicate, inverse, test's signature) -> whether every value of the path passes
        self._passed: dict[tuple[Node, bool, Any], bool] = {}

    def results(self, by_table: bool = True, focus: Sequence[Node] | None = None) -> list[Result]:
        """Every result, by shape (in the compiled order), focus node and constraint.

        Args:
            by_table: First show, from whole tables, which units cannot fail on any of a
                shape's focus nodes (:meth:`_clear`), and check only the others node by node;
                ``False``: check every unit node by node. The results are the same.
            focus: Check only these nodes (those a shape targets), in this order: the
                results on them, as the whole run would find them (see :func:`reach`).
        """
        found: list[Result] = []
        for shape in self.shapes:
            if shape.deactivated or not shape.targets:
                continue
            plan, foci = self._plan(shape), self.data.targets(shape)
            if focus is not None:
                targeted = foci if isinstance(foci, dict | set | frozenset) else set(foci)
                self._run(plan, [node for node in focus if node in targeted], found)
                continue
            if not by_table:
                self._run(plan, foci, found)
                continue
            # A unit shown clear has no results: leaving it out keeps the others' order.
            nodes = _Nodes(foci)
            left = [row for unit, row in zip(plan.units, plan.rows, strict=True) if not self._clear(unit, nodes)]
            if left:
                self._run_rows(left, any(row[0] is not None and row[1] is None for row in left), foci, found)
        return found

    def validate(self, shape: _Shape, focus: Node) -> list[Result]:
        """The results of ``shape`` on one focus node."""
        found: list[Result] = []
        self._run(self._plan(shape), (focus,), found)
        return found

    def _clear(self, unit: _Unit, foci: _Nodes) -> bool:
        """Whether ``unit`` finds nothing on any of ``foci``, shown from whole tables.

        A look-up per focus node reads a row of ``spo`` and a table of values for each,
        scattered over the heap: at a million triples that is most of the time, waiting
        for memory. Instead, the nodes with values of the path are gathered from ``pos``
        into a set (from the hashes the tables keep, not from the nodes), which is then
        compared with the focus nodes as a whole; each value test runs once on every
        distinct value the path has in the graph, whoever's it is, and once for all shapes
        with that path and test (``sh:class`` on a property of several classes). Values of
        nodes that are no focus node make this stricter, never wrong: ``False`` means "not
        shown", and the unit then runs node by node.
        """
        if not unit.simple:
            return False  # sh:hasValue: node by node
        if unit.key is None:
            return all(passes(foci.nodes) for _, passes in unit.all_pass)  # the focus node is the value
        return self._bounds_fit(unit, unit.key, foci) and self._values_pass(unit, unit.key)

    def _values_pass(self, unit: _Unit, key: Node) -> bool:
        """Whether every value the unit's path has in the graph passes its tests (known per path and test)."""
        inverse = unit.inverse is not None
        values: Collection[Node] | None = None
        for signature, passes in unit.all_pass:
            known = self._passed.get((key, inverse, signature))
            if known is None:
                if values is None:
                    values = self.data.subjects(key) if inverse else self.data.objects(key)
                known = self._passed[(key, inverse, signature)] = passes(values)
            if not known:
                return False
        return True

    def _bounds_fit(self, unit: _Unit, key: Node, foci: _Nodes) -> bool:
        """Whether every focus node has between ``unit.fewest`` and ``unit.most`` values of the path."""
        if unit.fewest == 0 and unit.most == sys.maxsize:
            return True
        if unit.fewest > 1:
            return False  # not shown from the tables: node by node
        having: Collection[Node]  # the nodes with values
        if unit.inverse is None:
            having = self.data.subjects(key)
            # one value each when there are as many pairs as nodes with values
            most = 1 if sum(map(len, self.data.pos.get(key, _EMPTY).values())) == len(having) else sys.maxsize
        else:
            table = unit.inverse  # value (focus node) -> subjects
            having = table if all(table.values()) else {node for node, subjects in table.items() if subjects}
            most = max(map(len, table.values()), default=0)
        if unit.fewest == 1 and not foci.set().issubset(having):
            return False
        if unit.most == 0:
            return foci.set().isdisjoint(having)
        return most <= unit.most

    def conforms(self, plan: _Plan, node: Node) -> bool:
        """Whether ``node`` conforms to the shape of ``plan`` (remembered per node)."""
        known = plan.conforming.get(node)
        if known is None:
            found: list[Result] = []
            self._run(plan, (node,), found)
            known = plan.conforming[node] = not found
        return known

    def _run(self, plan: _Plan, foci: Iterable[Node], out: list[Result]) -> None:
        self._run_rows(plan.rows, plan.reads_table, foci, out)

    def _run_rows(self, units: list[_Row], reads: bool, foci: Iterable[Node], out: list[Result]) -> None:
        """The results of ``units`` on each of ``foci``, node by node; ``reads``: whether one reads ``spo``."""
        spo = self.data.spo
        about: dict[Any, Any] = _EMPTY
        values: Any
        for focus in foci:
            if reads:
                about = spo.get(focus, _EMPTY)
            for key, inverse, fails_on_none, fewest, most, tests, unit in units:
                if key is None:
                    values = (focus,)
                elif inverse is None:
                    values = about.get(key)
                else:
                    values = inverse.get(focus)
                if not values:
                    if fails_on_none:
                        unit.every_step(focus, (), out)
                elif fewest <= len(values) <= most:
                    for test, component, message in tests:
                        for value in values:
                            if not test(value):
                                out.append(unit.result(focus, value, component, message))
                else:
                    unit.every_step(focus, values, out)

    def _plan(self, shape: _Shape) -> _Plan:
        plan = self._plans.get(id(shape))
        if plan is None:
            plan = self._plans[id(shape)] = _Plan()  # before its parts: a shape may refer to itself
            plan.units = self._units(shape)
            plan.rows = [unit.row() for unit in plan.units]
            plan.reads_table = any(unit.key is not None and unit.inverse is None for unit in plan.units)
        return plan

    def _units(self, shape: _Shape) -> list[_Unit]:
        if shape.deactivated:
            return []  # a deactivated shape has no results, nor have its property shapes
        data = self.data
        key: Node | None = None
        inverse = None
        if isinstance(shape.path, tuple):
            key = data.term(shape.path[1])
            inverse = data.pos.get(key, {})
        elif shape.path is not None:
            key = data.term(shape.path)
        steps = [self._step(op, check, shape.message) for op, check in shape.checks]
        units = []
        if steps:  # a shape without constraints of its own (a node shape of properties) finds nothing itself
            fewest = max((test for kind, test, _, _ in steps if kind == _MIN), default=0)
            most = min((test for kind, test, _, _ in steps if kind == _MAX), default=sys.maxsize)
            simple = all(kind != _HAS for kind, _, _, _ in steps)
            fails_on_none = fewest > 0 or not simple
            tests = [(test, component, message) for kind, test, component, message in steps if kind == _EACH]
            each = [(op, check) for (op, check), (kind, *_) in zip(shape.checks, steps, strict=True) if kind == _EACH]
            all_pass = [
                (_signature(op, check), _all_pass(op, check, test))
                for (op, check), (test, _, _) in zip(each, tests, strict=True)
            ]
            units.append(_Unit(shape, key, inverse, steps, fewest, most, simple, fails_on_none, tests, all_pass))
        for prop in shape.properties:
            units += self._units(prop)
        return units

    def _step(self, op: str, check: Any, message: str | None) -> _Step:
        kind, test, component, default = self._test(op, check)
        return kind, test, component, message or default

    def _test(self, op: str, check: Any) -> tuple[int, Any, str, str]:
        if op == "minCount":
            return _MIN, check, "MinCountConstraintComponent", f"fewer than {check} values"
        if op == "maxCount":
            return _MAX, check, "MaxCountConstraintComponent", f"more than {check} values"
        if op == "hasValue":
            return _HAS, check, "HasValueConstraintComponent", f"no value {check}"
        test: Callable[[Node], bool]
        if op == "class":
            test = self.data.members(check).__contains__
            return _EACH, test, "ClassConstraintComponent", f"value does not have class {check}"
        if op == "datatype":
            return (
                _EACH,
                _datatype_test(check),
                "DatatypeConstraintComponent",
                (f"value is not a literal of datatype {check}"),
            )
        if op == "nodeKind":
            return (
                _EACH,
                lambda v: isinstance(v, check),
                "NodeKindConstraintComponent",
                ("value is not of the required node kind"),
            )
        if op == "pattern":
            search = check.search
            return (
                _EACH,
                lambda v: not isinstance(v, BNode) and search(str(v)) is not None,
                ("PatternConstraintComponent"),
                f"value does not match the pattern {check.pattern!r}",
            )
        if op == "node":
            plan, conforms = self._plan(check), self.conforms
            return (
                _EACH,
                lambda v: conforms(plan, v),
                "NodeConstraintComponent",
                (f"value does not conform to {check.node}"),
            )
        if op == "or":
            plans = [self._plan(member) for member in check]
            return (
                _EACH,
                lambda v: any(self.conforms(plan, v) for plan in plans),
                "OrConstraintComponent",
                ("value conforms to none of the alternatives"),
            )
        if op == "in":
            return _EACH, check.__contains__, "InConstraintComponent", "value is not one of the allowed ones"
        if op == "compare":
            component, comparison, sign, bound = check
            return _EACH, lambda v: _compare(v, bound, comparison), component, f"value is not {sign} {bound}"
        raise Unsupported(f"constraint {op}")  # the compiler makes none other


def _signature(op: str, check: Any) -> Any:
    """What a value test tests, as a key: two units with equal ones pass on the same values."""
    try:
        hash(check)
    except TypeError:  # a shape (sh:node), a list of them (sh:or): the same object
        return op, id(check)
    return op, check


_LANGUAGE = attrgetter("language")


def _all_pass(op: str, check: Any, test: Callable[[Node], bool]) -> Callable[[Iterable[Node]], bool]:
    """Whether every one of some values (a collection, read more than once) passes ``test``.

    The tests of node kind and of ``rdf:langString`` run in C loops; the others once per value.
    """
    if op == "nodeKind":
        return lambda values: all(map(isinstance, values, repeat(check)))
    if op == "datatype" and check == _LANG_STRING:
        return lambda values: all(map(isinstance, values, repeat(Literal))) and None not in map(_LANGUAGE, values)
    return lambda values: all(map(test, values))


def _fails(kind: int, test: Any, values: Any) -> bool:
    """Whether a count or ``sh:hasValue`` step fails on ``values``."""
    if kind == _MIN:
        return bool(len(values) < test)
    if kind == _MAX:
        return bool(len(values) > test)
    return test not in values


def _datatype_test(datatype: Node) -> Callable[[Node], bool]:
    """Whether a value is a well-formed literal of ``datatype`` (``rdf:langString``: has a language)."""
    if datatype == _LANG_STRING:
        return lambda v: isinstance(v, Literal) and v.language is not None

    def test(value: Node) -> bool:
        if not isinstance(value, Literal) or value.language is not None:
            return False
        actual = value.datatype or _STRING
        return (actual is datatype or actual == datatype) and not getattr(value, "ill_typed", False)

    return test


def _compare(value: Node, bound: Node, test: object) -> bool:
    if not isinstance(value, Literal) or not isinstance(bound, Literal):
        return False
    if isinstance(value.value, str) != isinstance(bound.value, str):
        return False  # text against a number or date (as pySHACL): not comparable
    try:  # rdflib's comparison of literals, as pySHACL uses (ill-typed or other kinds: not comparable)
        return bool(test(value, bound))  # type: ignore[operator]
    except TypeError:
        return False


@dataclass(frozen=True)
class Reach:
    """How far from its focus node a run of the shapes reads the data graph (see :func:`reach`).

    Attributes:
        hops: How many steps along a path a value node whose own triples are read (its
            types for ``sh:class``, its paths for ``sh:node`` and ``sh:or``) can be from
            the focus node; 0 when only the focus node's own triples are read.
        forward: The predicates of the paths that are an IRI.
        inverse: The predicates of the ``sh:inversePath`` paths and of ``sh:targetObjectsOf``.
    """

    hops: int
    forward: frozenset[Node]
    inverse: frozenset[Node]


def reach(shapes: list[_Shape]) -> Reach | None:
    """How far the results on a focus node can depend on other nodes, or ``None`` when the
    shapes refer to themselves through values (``sh:node`` on a path back to the same shape).

    A focus node's results depend only on the triples of the nodes within ``hops`` steps
    of it along the shapes' paths (each step from a node to a value of a forward path, or
    to a subject of an inverse path's predicate), and on whether it is targeted (its own
    triples). So after a change of some triples, only the nodes in those triples and the
    nodes that many steps back from them can have other results; the others have the
    results they had (:func:`graph.changes.reached`).
    """
    forward: set[Node] = set()
    inverse: set[Node] = set()
    known: dict[int, int | None] = {}

    def hops(shape: _Shape) -> int | None:
        if id(shape) in known:
            return known[id(shape)]  # None while being worked out: the shape refers to itself
        known[id(shape)] = None
        # whether a node is a focus node of sh:targetObjectsOf is read from triples it is the object of
        inverse.update(value for kind, value in shape.targets if kind == _TARGET_OBJECTS_OF)
        if isinstance(shape.path, tuple):
            inverse.add(shape.path[1])
        elif shape.path is not None:
            forward.add(shape.path)
        away = 0 if shape.path is None else 1  # where the shape's value nodes are
        found = 0
        for op, argument in shape.checks:
            check: Any = argument
            nested: list[_Shape] = [check] if op == "node" else list(check) if op == "or" else []
            if op == "class":
                found = max(found, away)
            for member in nested:
                further = hops(member)
                if further is None:
                    return None
                found = max(found, away + further)
        for prop in shape.properties:
            further = hops(prop)
            if further is None:
                return None
            found = max(found, further)
        known[id(shape)] = found
        return found

    most = 0
    for shape in shapes:
        found = hops(shape)
        if found is None:
            return None
        most = max(most, found)
    return Reach(most, frozenset(forward), frozenset(inverse))


def validate(graph: Graph, shapes: Graph, hierarchy: Iterable[tuple[Node, Node]] = ()) -> list[Result]:
    """Every result of ``shapes`` on ``graph``.

    Args:
        graph: The data graph.
        shapes: The shapes graph.
        hierarchy: Extra ``(class, superclass)`` pairs (the ontology's), as if they were in ``graph``.

    Raises:
        Unsupported: When the shapes use a feature this module does not implement.
    """
    return Validator(compile_shapes(shapes), graph, hierarchy).results()
