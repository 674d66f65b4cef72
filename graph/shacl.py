"""A fast SHACL Core validator for the shapes this project writes, read from the shapes file.

pySHACL is the reference, but it is pure Python and walks the data graph once per
shape and focus node (45-60 s at a million triples). This module compiles the shapes
graph once (shapes are data: nothing here knows a class or property of ours) into plain
Python objects and checks every focus node against them in one pass over indexes of the
data graph: a subject-to-values table per predicate used in a path, the types of each
node, and the closure of ``rdfs:subClassOf``.

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
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
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
                shape.checks.append(("or", [self.shape(member) for member in Collection(self.graph, value)]))
            elif key == SH["in"]:
                shape.checks.append(("in", frozenset(Collection(self.graph, value))))
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


class _Data:
    """Look-ups in the data graph: values along a path, types, the class hierarchy."""

    def __init__(self, graph: Graph, hierarchy: Iterable[tuple[Node, Node]], predicates: set[Node]) -> None:
        self.spo, self.pos = store_indexes(graph, predicates)
        parents: dict[Node, set[Node]] = defaultdict(set)
        for parent, children in self.pos.get(RDFS.subClassOf, {}).items():
            for child in children:
                parents[child].add(parent)
        for child, parent in hierarchy:
            parents[child].add(parent)
        self._parents = parents
        self.ancestors: dict[Node, frozenset[Node]] = {}

    def instances(self, cls: Node) -> list[Node]:
        """Nodes whose type is ``cls`` or a subclass of it (``rdf:type/rdfs:subClassOf*``)."""
        found: dict[Node, int] = {}
        for type_, nodes in self.pos.get(RDF.type, {}).items():
            if cls in self.supers(type_):
                found.update(nodes)
        return list(found)

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

    def has_class(self, node: Node, cls: Node) -> bool:
        return any(cls in self.supers(t) for t in self.spo.get(node, {}).get(RDF.type, ()))

    def values(self, focus: Node, path: Node | tuple[str, Node]) -> list[Node]:
        if isinstance(path, tuple):
            return list(self.pos.get(path[1], {}).get(focus, ()))
        return list(self.spo.get(focus, {}).get(path, ()))

    def targets(self, shape: _Shape) -> Iterator[Node]:
        seen: set[Node] = set()
        for kind, value in shape.targets:
            if kind == SH.targetNode:
                found: Iterable[Node] = [value]
            elif kind == SH.targetClass:
                found = self.instances(value)
            elif kind == SH.targetSubjectsOf:
                found = {s: 1 for subjects in self.pos.get(value, {}).values() for s in subjects}
            else:
                found = self.pos.get(value, {}).keys()
            for node in found:
                if node not in seen:
                    seen.add(node)
                    yield node


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
            if kind in (SH.targetSubjectsOf, SH.targetObjectsOf):
                found.add(value)
        todo += shape.properties
        for _, check in shape.checks:
            if isinstance(check, _Shape):
                todo.append(check)
            elif isinstance(check, list):
                todo += check
    return found


class Validator:
    """Compiled shapes plus the indexes of one data graph."""

    def __init__(self, shapes: list[_Shape], graph: Graph, hierarchy: Iterable[tuple[Node, Node]] = ()) -> None:
        self.shapes = shapes
        self.data = _Data(graph, hierarchy, _predicates(shapes))
        self._conforms: dict[tuple[int, Node], bool] = {}

    def results(self) -> list[Result]:
        found: list[Result] = []
        for shape in self.shapes:
            if shape.deactivated or not shape.targets:
                continue
            for focus in self.data.targets(shape):
                found += self.validate(shape, focus)
        return found

    def validate(self, shape: _Shape, focus: Node) -> list[Result]:
        if shape.deactivated:
            return []
        found: list[Result] = []
        values = [focus] if shape.path is None else self.data.values(focus, shape.path)
        for op, check in shape.checks:
            found += self._check(shape, focus, values, op, check)
        for prop in shape.properties:
            found += self.validate(prop, focus)
        return found

    def conforms(self, shape: _Shape, node: Node) -> bool:
        key = (id(shape), node)
        known = self._conforms.get(key)
        if known is None:
            known = self._conforms[key] = not self.validate(shape, node)
        return known

    def _result(self, shape: _Shape, focus: Node, value: Node | None, component: str, default: str) -> Result:
        return Result(focus, shape.path, value, component, shape.severity, shape.message or default, shape.node)

    def _check(self, shape: _Shape, focus: Node, values: list[Node], op: str, check: Any) -> list[Result]:
        out: list[Result] = []
        if op == "minCount":
            if len(values) < check:
                out.append(
                    self._result(shape, focus, None, "MinCountConstraintComponent", f"fewer than {check} values")
                )
        elif op == "maxCount":
            if len(values) > check:
                out.append(self._result(shape, focus, None, "MaxCountConstraintComponent", f"more than {check} values"))
        elif op == "hasValue":
            if check not in values:
                out.append(self._result(shape, focus, None, "HasValueConstraintComponent", f"no value {check}"))
        else:
            for value in values:
                problem = self._value_problem(op, check, value)
                if problem is not None:
                    out.append(self._result(shape, focus, value, *problem))
        return out

    def _value_problem(self, op: str, check: Any, value: Node) -> tuple[str, str] | None:
        if op == "class":
            if isinstance(value, Literal) or not self.data.has_class(value, check):
                return "ClassConstraintComponent", f"value does not have class {check}"
        elif op == "datatype":
            if not _has_datatype(value, check):
                return "DatatypeConstraintComponent", f"value is not a literal of datatype {check}"
        elif op == "nodeKind":
            if not isinstance(value, check):
                return "NodeKindConstraintComponent", "value is not of the required node kind"
        elif op == "pattern":
            if isinstance(value, BNode) or not check.search(str(value)):
                return "PatternConstraintComponent", f"value does not match the pattern {check.pattern!r}"
        elif op == "node":
            if not self.conforms(check, value):
                return "NodeConstraintComponent", f"value does not conform to {check.node}"
        elif op == "or":
            if not any(self.conforms(member, value) for member in check):
                return "OrConstraintComponent", "value conforms to none of the alternatives"
        elif op == "in":
            if value not in check:
                return "InConstraintComponent", "value is not one of the allowed ones"
        elif op == "compare":
            component, test, sign, bound = check
            if not _compare(value, bound, test):
                return component, f"value is not {sign} {bound}"
        return None


def _has_datatype(value: Node, datatype: URIRef) -> bool:
    if not isinstance(value, Literal):
        return False
    if datatype == RDF.langString:
        return value.language is not None
    if value.language is not None:
        return False
    actual = value.datatype or XSD.string
    return actual == datatype and not getattr(value, "ill_typed", False)


def _compare(value: Node, bound: Node, test: object) -> bool:
    if not isinstance(value, Literal) or not isinstance(bound, Literal):
        return False
    if isinstance(value.value, str) != isinstance(bound.value, str):
        return False  # text against a number or date (as pySHACL): not comparable
    try:  # rdflib's comparison of literals, as pySHACL uses (ill-typed or other kinds: not comparable)
        return bool(test(value, bound))  # type: ignore[operator]
    except TypeError:
        return False


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
