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
    checks: list[tuple[Node, object]] = field(default_factory=list)
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
                shape.checks.append((key, self.shape(value)))
            elif key == SH["or"]:
                shape.checks.append((key, [self.shape(member) for member in Collection(self.graph, value)]))
            elif key == SH["in"]:
                shape.checks.append((key, frozenset(Collection(self.graph, value))))
            elif key == SH.pattern:
                flags = self.graph.value(node, SH.flags)
                shape.checks.append((key, _regex(str(value), str(flags) if flags is not None else "")))
            elif key in (SH.minCount, SH.maxCount):
                assert isinstance(value, Literal)
                shape.checks.append((key, int(value.toPython())))
            elif key in (SH["class"], SH.datatype, SH.nodeKind, SH.hasValue, *_COMPARISONS):
                shape.checks.append((key, value))
        if (SH.minCount in dict(shape.checks) or SH.maxCount in dict(shape.checks)) and shape.path is None:
            raise Unsupported(f"a count constraint without a path on {node}")
        return shape

    def path(self, value: Node) -> Node | tuple[str, Node]:
        if isinstance(value, URIRef):
            return value
        inverse = self.graph.value(value, SH.inversePath)
        if isinstance(inverse, URIRef) and len(list(self.graph.predicate_objects(value))) == 1:
            return ("inverse", inverse)
        raise Unsupported(f"property path {value}")


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


class _Data:
    """Indexes of the data graph: values per (predicate, subject), types, the class hierarchy."""

    def __init__(self, graph: Graph, hierarchy: Iterable[tuple[Node, Node]], predicates: set[Node]) -> None:
        self.graph = graph
        self.forward: dict[Node, dict[Node, list[Node]]] = {p: defaultdict(list) for p in predicates}
        self.backward: dict[Node, dict[Node, list[Node]]] = {p: defaultdict(list) for p in predicates}
        for p in predicates:
            forward, backward = self.forward[p], self.backward[p]
            for s, o in graph.subject_objects(p):
                forward[s].append(o)
                backward[o].append(s)
        self.types: dict[Node, list[Node]] = defaultdict(list)
        for s, o in graph.subject_objects(RDF.type):
            self.types[s].append(o)
        parents: dict[Node, set[Node]] = defaultdict(set)
        for child, parent in [*graph.subject_objects(RDFS.subClassOf), *hierarchy]:
            parents[child].add(parent)
        self.ancestors: dict[Node, frozenset[Node]] = {}
        self._parents = parents
        self._instances: dict[Node, list[Node]] | None = None

    def instances(self, cls: Node) -> list[Node]:
        """Nodes whose type is ``cls`` or a subclass of it (``rdf:type/rdfs:subClassOf*``)."""
        if self._instances is None:
            self._instances = defaultdict(list)
            for node, types in self.types.items():
                for cls_ in {c for t in types for c in self.supers(t)}:
                    self._instances[cls_].append(node)
        return self._instances.get(cls, [])

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
        return any(cls in self.supers(t) for t in self.types.get(node, ()))

    def values(self, focus: Node, path: Node | tuple[str, Node]) -> list[Node]:
        # A graph holds each triple once, so no value is listed twice.
        if isinstance(path, tuple):
            return self.backward[path[1]].get(focus, [])
        return self.forward[path].get(focus, [])

    def targets(self, shape: _Shape) -> Iterator[Node]:
        seen: set[Node] = set()
        for kind, value in shape.targets:
            if kind == SH.targetNode:
                found: Iterable[Node] = [value]
            elif kind == SH.targetClass:
                found = self.instances(value)
            elif kind == SH.targetSubjectsOf:
                found = self.forward[value].keys()
            else:
                found = self.backward[value].keys()
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
        for kind, check in shape.checks:
            found += self._check(shape, focus, values, kind, check)
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

    def _check(self, shape: _Shape, focus: Node, values: list[Node], kind: Node, check: object) -> list[Result]:
        out: list[Result] = []
        if kind == SH.minCount:
            if len(values) < check:  # type: ignore[operator]
                out.append(
                    self._result(shape, focus, None, "MinCountConstraintComponent", f"fewer than {check} values")
                )
        elif kind == SH.maxCount:
            if len(values) > check:  # type: ignore[operator]
                out.append(self._result(shape, focus, None, "MaxCountConstraintComponent", f"more than {check} values"))
        elif kind == SH.hasValue:
            if check not in values:
                out.append(self._result(shape, focus, None, "HasValueConstraintComponent", f"no value {check}"))
        else:
            for value in values:
                problem = self._value_problem(kind, check, value)
                if problem is not None:
                    out.append(self._result(shape, focus, value, *problem))
        return out

    def _value_problem(self, kind: Node, check: object, value: Node) -> tuple[str, str] | None:
        if kind == SH["class"]:
            if isinstance(value, Literal) or not self.data.has_class(value, check):  # type: ignore[arg-type]
                return "ClassConstraintComponent", f"value does not have class {check}"
        elif kind == SH.datatype:
            if not _has_datatype(value, check):  # type: ignore[arg-type]
                return "DatatypeConstraintComponent", f"value is not a literal of datatype {check}"
        elif kind == SH.nodeKind:
            if not isinstance(value, _KINDS[check]):  # type: ignore[index]
                return "NodeKindConstraintComponent", f"value is not of node kind {check}"
        elif kind == SH.pattern:
            if isinstance(value, BNode) or not check.search(str(value)):  # type: ignore[attr-defined]
                return "PatternConstraintComponent", f"value does not match the pattern {check.pattern!r}"  # type: ignore[attr-defined]
        elif kind == SH.node:
            if not self.conforms(check, value):  # type: ignore[arg-type]
                return "NodeConstraintComponent", f"value does not conform to {check.node}"  # type: ignore[attr-defined]
        elif kind == SH["or"]:
            if not any(self.conforms(member, value) for member in check):  # type: ignore[attr-defined]
                return "OrConstraintComponent", "value conforms to none of the alternatives"
        elif kind == SH["in"]:
            if value not in check:  # type: ignore[operator]
                return "InConstraintComponent", "value is not one of the allowed ones"
        elif kind in _COMPARISONS:
            component, test, sign = _COMPARISONS[kind]  # type: ignore[index]
            if not _compare(value, check, test):  # type: ignore[arg-type]
                return component, f"value is not {sign} {check}"
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
