"""``kg diff``: what changed between two builds, in the terms a curator uses.

Both sides are N-Triples exports (``kg.nt``): from an export folder, a file, or
``exports/kg.nt`` at a git revision. The graph is read back through the pattern
:mod:`graph.build` writes: entities are typed, labelled nodes of our ontology,
sources carry a ``nik:sha256``, every fact is a ``nik:Statement`` (subject,
predicate, object, qualifiers) whose references give its sources and quotes.

A fact is its subject, property, value and qualifiers. Between the two sides a fact
is *added* or *removed*; when a subject loses one value of a property and gains
one, that is one *changed* fact; a fact on both sides whose sources, quotes or
curator's notes differ has *changed evidence*. Changes are grouped by entity (or source).
"""

from __future__ import annotations

import collections
import subprocess
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from graph.errors import ConfigError, KGError, display_path
from graph.project import load_project

_NIK = "https://w3id.org/nrw-integration-kg/ontology#"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_ALT_LABEL = "http://www.w3.org/2004/02/skos/core#altLabel"
_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
_TYPE = _RDF + "type"
_EXPORT = "kg.nt"


class DiffError(KGError):
    """A side of ``kg diff`` cannot be read: not a folder, file or git revision."""

    exit_code = 2


@dataclass(frozen=True, order=True)
class Value:
    """An RDF term as the diff shows it: an IRI, or a literal with its datatype or language."""

    text: str
    iri: bool = False
    datatype: str | None = None
    language: str | None = None


@dataclass(frozen=True, order=True)
class Evidence:
    """One reference of a fact: the source's id, its quotes and the curator's note on it."""

    source: str
    quotes: tuple[str, ...]
    note: str | None = None


@dataclass(frozen=True, order=True)
class Fact:
    """One statement: subject, property (local name), value and qualifiers."""

    subject: str
    predicate: str
    value: Value
    qualifiers: tuple[tuple[str, Value], ...]


@dataclass(frozen=True)
class Node:
    """An entity or source: id, class, name, aliases."""

    iri: str
    id: str
    cls: str
    name: str
    aliases: tuple[str, ...]
    is_source: bool
    metadata: tuple[tuple[str, str], ...] = ()  # a source's title, date, URL, hash …: not facts


@dataclass
class Snapshot:
    """One side of the diff: its entities and sources, and its facts with their evidence."""

    nodes: dict[str, Node] = field(default_factory=dict)
    facts: dict[Fact, frozenset[Evidence]] = field(default_factory=dict)


@dataclass(frozen=True)
class FactChange:
    """One change of one fact; ``old``/``new`` are ``None`` where the fact is missing on that side."""

    kind: str  # "added", "removed", "changed" or "evidence"
    predicate: str
    old: Fact | None
    new: Fact | None
    old_evidence: tuple[Evidence, ...]
    new_evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class NodeChange:
    """Everything that changed about one entity or source."""

    node: Node
    status: str  # "added", "removed" or "changed"
    details: tuple[str, ...]  # name, class, alias changes
    facts: tuple[FactChange, ...]


@dataclass(frozen=True)
class Diff:
    """The whole difference, grouped by entity (sources first), each group sorted by id."""

    old_label: str
    new_label: str
    changes: tuple[NodeChange, ...]
    old_nodes: dict[str, Node]
    new_nodes: dict[str, Node]

    def count(self, kind: str) -> int:
        return sum(1 for c in self.changes for f in c.facts if f.kind == kind)

    def nodes(self, status: str, source: bool) -> int:
        return sum(1 for c in self.changes if c.status == status and c.node.is_source == source)


# ---------------------------------------------------------------- reading a side


def read_side(spec: str | None, project: Path | str = ".") -> tuple[bytes, str]:
    """The N-Triples of one side and a label for it.

    Args:
        spec: An export folder (its ``kg.nt``), an N-Triples file, a git revision (its
            ``exports/kg.nt``), or ``None`` for the project's ``exports/kg.nt``.
        project: The project folder (for ``None`` and git revisions).

    Raises:
        DiffError: When ``spec`` is none of these, or the revision has no export.
    """
    if spec is None:
        settings = load_project(project)
        path = settings.exports_dir / _EXPORT
        if not path.is_file():
            raise ConfigError(f"{display_path(path)} is missing; run 'kg build' first")
        return path.read_bytes(), display_path(settings.exports_dir)
    candidate = Path(spec)
    if candidate.is_dir():
        if not (candidate / _EXPORT).is_file():
            raise DiffError(f"{display_path(candidate)} has no {_EXPORT}; give an export folder (one 'kg build' wrote)")
        return (candidate / _EXPORT).read_bytes(), display_path(candidate)
    if candidate.is_file():
        return candidate.read_bytes(), display_path(candidate)
    return _from_git(spec, Path(project))


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, check=False)
    except FileNotFoundError:
        raise DiffError("git is not installed; give two export folders instead") from None


def _from_git(revision: str, project: Path) -> tuple[bytes, str]:
    settings = load_project(project)
    found = _git(settings.root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    if found.returncode != 0 or revision.startswith("-"):
        raise DiffError(f"'{revision}' is neither an export folder, an N-Triples file nor a git revision")
    top = _git(settings.root, "rev-parse", "--show-toplevel").stdout.decode().strip()
    path = (settings.exports_dir / _EXPORT).resolve().relative_to(Path(top).resolve()).as_posix()
    shown = _git(settings.root, "show", f"{found.stdout.decode().strip()}:{path}")
    if shown.returncode != 0:
        raise DiffError(f"revision '{revision}' has no {path}")
    return shown.stdout, f"{revision}:{path}"


def parse_snapshot(ntriples: bytes) -> Snapshot:
    """Read entities, sources and facts (with evidence) back from an export."""
    by_subject: dict[str, dict[str, list[Value]]] = defaultdict(lambda: defaultdict(list))
    values: dict[Any, Value] = {}  # terms repeat (types, parties, places): convert each once
    for quad in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES):
        obj = quad.object
        value = values.get(obj)
        if value is None:
            value = values[obj] = _value(obj)
        by_subject[quad.subject.value][quad.predicate.value].append(value)
    snapshot = Snapshot()
    statements: list[dict[str, list[Value]]] = []
    references: dict[str, dict[str, list[Value]]] = {}
    for subject, props in by_subject.items():
        types = [t.text for t in props.get(_TYPE, []) if t.text.startswith(_NIK)]
        if _NIK + "Statement" in types:
            statements.append(props)
        elif _NIK + "Reference" in types:
            references[subject] = props
        elif types and _RDFS_LABEL in props:
            snapshot.nodes[subject] = Node(
                iri=subject,
                id=_local_id(subject),
                cls=min(t[len(_NIK) :] for t in types),
                name=min(v.text for v in props[_RDFS_LABEL]),
                aliases=tuple(sorted(v.text for v in props.get(_ALT_LABEL, []))),
                is_source=_NIK + "sha256" in props,
                metadata=_metadata(props) if _NIK + "sha256" in props else (),
            )
    skip = {_TYPE, _RDF + "subject", _RDF + "predicate", _RDF + "object", _DERIVED}
    for props in statements:
        about, predicate, obj = (props[_RDF + part][0] for part in ("subject", "predicate", "object"))
        qualifiers = tuple(sorted((_short(p), v) for p, values in props.items() if p not in skip for v in values))
        fact = Fact(about.text, _short(predicate.text), obj, qualifiers)
        evidence = set(snapshot.facts.get(fact, frozenset()))
        for reference in props.get(_DERIVED, []):
            ref = references.get(reference.text, {})
            notes = ref.get(_NIK + "curatorNote", [])
            note = min(n.text for n in notes) if notes else None
            for source in ref.get(_NIK + "statedIn", []):
                quotes = tuple(sorted(q.text for q in ref.get(_NIK + "quote", [])))
                evidence.add(Evidence(_local_id(source.text), quotes, note))
        snapshot.facts[fact] = frozenset(evidence)
    return snapshot


def _metadata(props: dict[str, list[Value]]) -> tuple[tuple[str, str], ...]:
    """A source's literal properties (title, datePublished, url, sha256 …), sorted."""
    skip = {_TYPE, _RDFS_LABEL, _ALT_LABEL}
    return tuple(
        sorted((_short(p), v.text) for p, values in props.items() if p not in skip for v in values if not v.iri)
    )


def _value(term: Any) -> Value:
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        plain = datatype in (_RDF + "langString", "http://www.w3.org/2001/XMLSchema#string")
        return Value(term.value, datatype=None if plain else datatype, language=term.language)
    return Value(term.value, iri=isinstance(term, ox.NamedNode))


def _local_id(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _short(iri: str) -> str:
    return iri[len(_NIK) :] if iri.startswith(_NIK) else iri


# ---------------------------------------------------------------- comparing


def diff(old: str | None, new: str | None = None, project: Path | str = ".") -> Diff:
    """Compare two builds.

    Args:
        old: The earlier side (see :func:`read_side`): an export folder, a file or a git revision.
        new: The later side; ``None`` is the project's ``exports/`` (the working tree).
        project: The project folder.

    Raises:
        DiffError: A side cannot be read.
        ConfigError: ``new`` is ``None`` and the project has no ``exports/kg.nt``.
    """
    old_bytes, old_label = read_side(old, project)
    new_bytes, new_label = read_side(new, project)
    return compare(*snapshots(old_bytes, new_bytes, old_label, new_label), old_label, new_label)


#: Above this share of lines differing, both sides are read whole (see :func:`snapshots`).
WHOLE_FROM = 0.25
_TYPE_TOKEN, _DERIVED_TOKEN = f"<{_TYPE}>".encode(), f"<{_DERIVED}>".encode()
_SHA256_TOKEN = f"<{_NIK}sha256>".encode()
_STATEMENT_TOKEN, _REFERENCE_TOKEN = f"<{_NIK}Statement>".encode(), f"<{_NIK}Reference>".encode()
#: The predicates :func:`parse_snapshot` reads an entity or source by (besides a source's metadata).
_NODE_TOKENS = frozenset(f"<{iri}>".encode() for iri in (_TYPE, _RDFS_LABEL, _ALT_LABEL))


def snapshots(old: bytes, new: bytes, old_label: str = "old", new_label: str = "new") -> tuple[Snapshot, Snapshot]:
    """Both sides as :func:`compare` needs them: what it finds between them is what it finds
    between the two whole :func:`parse_snapshot` readings, but only what may differ is read.

    Two builds of one project mostly share their lines (a changed article changes a few
    dozen of a million). Every entity and source is read (their names and classes show
    facts), but of the statements and references only those that may differ: whose lines
    differ, that are derived from a reference whose lines differ, and the references of
    those. A fact read on neither side is on both with the same evidence, so it is no
    change. Read whole: sides with blank nodes (their labels are each file's own), sides
    that differ in more than :data:`WHOLE_FROM` of their lines, and any that the selection
    cannot be read from. Either way each side is parsed whole first, so that a line that
    is not N-Triples is refused wherever it is.

    Raises:
        DiffError: A side is not N-Triples (its label, the line and what is wrong).
    """
    if b"_:" in old or b"_:" in new:
        return _whole(old, old_label), _whole(new, new_label)
    old_lines, new_lines = old.split(b"\n"), new.split(b"\n")
    differing = set(old_lines).symmetric_difference(new_lines)
    if len(differing) > WHOLE_FROM * max(len(old_lines), len(new_lines)):
        return _whole(old, old_label), _whole(new, new_label)
    _check_syntax(old, old_label)
    _check_syntax(new, new_label)
    touched = {tokens[0] for tokens in map(bytes.split, differing) if tokens}
    old_kinds, new_kinds = _kinds(old_lines), _kinds(new_lines)
    derived = old_kinds.derived + new_kinds.derived
    statements = {s for s in touched if s in old_kinds.statements or s in new_kinds.statements}
    statements.update(s for s, reference in derived if reference in touched)
    references = {r for s, r in derived if s in statements}
    whole = touched | statements | references
    try:
        return (
            parse_snapshot(_selected(old_lines, whole | old_kinds.sources, old_kinds)),
            parse_snapshot(_selected(new_lines, whole | new_kinds.sources, new_kinds)),
        )
    except (KeyError, IndexError):  # a statement only partly selected: read whole
        return parse_snapshot(old), parse_snapshot(new)


def _refused(label: str, error: SyntaxError) -> DiffError:
    return DiffError(
        f"{label} is not N-Triples: {error}; give an export folder, the kg.nt 'kg build' wrote, or a git revision"
    )


def _whole(ntriples: bytes, label: str) -> Snapshot:
    """:func:`parse_snapshot` of one side.

    Raises:
        DiffError: The side is not N-Triples.
    """
    try:
        return parse_snapshot(ntriples)
    except SyntaxError as error:
        raise _refused(label, error) from None


def _check_syntax(ntriples: bytes, label: str) -> None:
    """Parse one side whole (in Rust, keeping nothing).

    Raises:
        DiffError: The side is not N-Triples.
    """
    try:
        collections.deque(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES), maxlen=0)
    except SyntaxError as error:
        raise _refused(label, error) from None


@dataclass
class _Kinds:
    """What the lines of one side say about their subjects, read from their bytes."""

    statements: set[bytes] = field(default_factory=set)
    references: set[bytes] = field(default_factory=set)
    sources: set[bytes] = field(default_factory=set)
    derived: list[tuple[bytes, bytes]] = field(default_factory=list)  # (statement, reference)


def _kinds(lines: list[bytes]) -> _Kinds:
    kinds = _Kinds()
    for line in lines:
        tokens = line.split(None, 2)
        if len(tokens) < 3:
            continue
        predicate = tokens[1]
        if predicate == _TYPE_TOKEN:
            obj = tokens[2].split(None, 1)[0]
            if obj == _STATEMENT_TOKEN:
                kinds.statements.add(tokens[0])
            elif obj == _REFERENCE_TOKEN:
                kinds.references.add(tokens[0])
        elif predicate == _DERIVED_TOKEN:
            kinds.derived.append((tokens[0], tokens[2].split(None, 1)[0]))
        elif predicate == _SHA256_TOKEN:
            kinds.sources.add(tokens[0])
    return kinds


def _selected(lines: list[bytes], whole: set[bytes], kinds: _Kinds) -> bytes:
    """The lines of the subjects in ``whole``, and those naming or typing any other subject
    that is neither a statement nor a reference."""
    others = kinds.statements | kinds.references
    kept = []
    for line in lines:
        tokens = line.split(None, 2)
        if len(tokens) == 3 and (tokens[0] in whole or (tokens[1] in _NODE_TOKENS and tokens[0] not in others)):
            kept.append(line)
    return b"\n".join(kept)


def compare(before: Snapshot, after: Snapshot, old_label: str = "old", new_label: str = "new") -> Diff:
    """The changes from ``before`` to ``after``, grouped by subject."""
    per_subject: dict[str, list[FactChange]] = defaultdict(list)
    subjects = {f.subject for f in before.facts} | {f.subject for f in after.facts}
    old_by = _by_subject(before)
    new_by = _by_subject(after)
    for subject in subjects:
        per_subject[subject] = _fact_changes(
            old_by.get(subject, {}), new_by.get(subject, {}), before.facts, after.facts
        )
    changes: list[NodeChange] = []
    for iri in sorted(set(before.nodes) | set(after.nodes) | subjects):
        old_node, new_node = before.nodes.get(iri), after.nodes.get(iri)
        node = new_node or old_node or Node(iri, _local_id(iri), "?", _local_id(iri), (), False)
        facts = tuple(per_subject.get(iri, []))
        details: tuple[str, ...] = ()
        if old_node is None and new_node is not None:
            status = "added"
        elif new_node is None and old_node is not None:
            status = "removed"
        else:
            status, details = "changed", _node_details(old_node, new_node)
            if not facts and not details:
                continue
        changes.append(NodeChange(node, status, details, facts))
    changes.sort(key=lambda c: (not c.node.is_source, c.node.id, c.node.iri))
    return Diff(old_label, new_label, tuple(changes), before.nodes, after.nodes)


def _by_subject(snapshot: Snapshot) -> dict[str, dict[str, set[Fact]]]:
    result: dict[str, dict[str, set[Fact]]] = defaultdict(lambda: defaultdict(set))
    for fact in snapshot.facts:
        result[fact.subject][fact.predicate].add(fact)
    return result


def _fact_changes(
    old: dict[str, set[Fact]],
    new: dict[str, set[Fact]],
    old_evidence: dict[Fact, frozenset[Evidence]],
    new_evidence: dict[Fact, frozenset[Evidence]],
) -> list[FactChange]:
    changes: list[FactChange] = []
    for predicate in sorted(set(old) | set(new)):
        before, after = old.get(predicate, set()), new.get(predicate, set())
        removed, added = sorted(before - after), sorted(after - before)
        if len(removed) == 1 and len(added) == 1:
            changes.append(
                FactChange(
                    "changed",
                    predicate,
                    removed[0],
                    added[0],
                    tuple(sorted(old_evidence[removed[0]])),
                    tuple(sorted(new_evidence[added[0]])),
                )
            )
        else:
            changes += [FactChange("removed", predicate, f, None, tuple(sorted(old_evidence[f])), ()) for f in removed]
            changes += [FactChange("added", predicate, None, f, (), tuple(sorted(new_evidence[f]))) for f in added]
        for fact in sorted(before & after):
            if old_evidence[fact] != new_evidence[fact]:
                changes.append(
                    FactChange(
                        "evidence",
                        predicate,
                        fact,
                        fact,
                        tuple(sorted(old_evidence[fact])),
                        tuple(sorted(new_evidence[fact])),
                    )
                )
    return changes


def _node_details(old: Node | None, new: Node | None) -> tuple[str, ...]:
    if old is None or new is None:
        return ()
    details = []
    if old.name != new.name:
        details.append(f"name: {old.name} → {new.name}")
    if old.cls != new.cls:
        details.append(f"class: {old.cls} → {new.cls}")
    for alias in sorted(set(new.aliases) - set(old.aliases)):
        details.append(f"new alias: {alias}")
    for alias in sorted(set(old.aliases) - set(new.aliases)):
        details.append(f"alias removed: {alias}")
    before, after = dict(old.metadata), dict(new.metadata)
    for key in sorted(set(before) | set(after)):
        if key not in before:
            details.append(f"new {key}: {after[key]}")
        elif key not in after:
            details.append(f"{key} removed (was {before[key]})")
        elif before[key] != after[key]:
            details.append(f"{key}: {before[key]} → {after[key]}")
    return tuple(details)


# ---------------------------------------------------------------- output


def _show(value: Value, nodes: dict[str, Node]) -> str:
    if value.iri:
        node = nodes.get(value.text)
        return f"{node.name} (`{node.id}`)" if node else f"<{value.text}>"
    return value.text


def _evidence(evidence: tuple[Evidence, ...]) -> str:
    return "; ".join(_one(e) + (f" (note: {_note(e)})" if e.note else "") for e in evidence) or "no source"


def _one(evidence: Evidence) -> str:
    return f"{evidence.source}: " + " / ".join(f'"{q}"' for q in evidence.quotes)


def _note(evidence: Evidence) -> str:
    return f'"{evidence.note}"' if evidence.note else "none"


def _evidence_changes(old: tuple[Evidence, ...], new: tuple[Evidence, ...]) -> list[str]:
    """What changed between the evidence of a fact on both sides: sources gained and lost,
    and notes changed on the same source and quotes."""
    gained = [e for e in new if e not in old]
    lost = [e for e in old if e not in new]
    renoted = [(was, now) for was in lost for now in gained if (was.source, was.quotes) == (now.source, now.quotes)]
    gained = [e for e in gained if all(e is not now for _, now in renoted)]
    lost = [e for e in lost if all(e is not was for was, _ in renoted)]
    parts = [f"new source {_evidence(tuple(gained))}"] if gained else []
    parts += [f"source removed {_evidence(tuple(lost))}"] if lost else []
    parts += [f"note on {_one(now)} changed: {_note(was)} → {_note(now)}" for was, now in renoted]
    return parts


def _qualified(fact: Fact, nodes: dict[str, Node]) -> str:
    return f"**{fact.predicate}** {_show(fact.value, nodes)}{_qualifier_text(fact, nodes)}"


def _qualifier_text(fact: Fact, nodes: dict[str, Node]) -> str:
    if not fact.qualifiers:
        return ""
    return " [" + ", ".join(f"{p} {_show(v, nodes)}" for p, v in fact.qualifiers) + "]"


def format_markdown(result: Diff) -> str:
    """The diff as Markdown: a summary line, then one section per entity or source."""
    nodes = {**result.old_nodes, **result.new_nodes}
    lines = [f"# Changes from {result.old_label} to {result.new_label}", ""]
    lines.append(
        f"{result.nodes('added', True)} sources added, {result.nodes('removed', True)} removed; "
        f"{result.nodes('added', False)} entities added, {result.nodes('removed', False)} removed; "
        f"{result.count('added')} facts added, {result.count('removed')} removed, {result.count('changed')} changed, "
        f"{result.count('evidence')} with changed sources"
    )
    if not result.changes:
        return "\n".join([*lines, "", "No changes."]) + "\n"
    for change in result.changes:
        node = change.node
        kind = "source" if node.is_source else "entity"
        status = {"added": f" — new {kind}", "removed": f" — {kind} removed", "changed": ""}[change.status]
        lines += ["", f"## {node.name} (`{node.id}`, {node.cls}){status}"]
        bullets = [f"- {detail}" for detail in change.details]
        for fact in change.facts:
            if fact.kind == "added" and fact.new:
                bullets.append(f"- new fact {_qualified(fact.new, nodes)} — {_evidence(fact.new_evidence)}")
            elif fact.kind == "removed" and fact.old:
                bullets.append(f"- removed fact {_qualified(fact.old, nodes)} — was {_evidence(fact.old_evidence)}")
            elif fact.kind == "changed" and fact.old and fact.new:
                evidence = (
                    _evidence(fact.new_evidence)
                    if fact.old_evidence == fact.new_evidence
                    else f"was {_evidence(fact.old_evidence)}; now {_evidence(fact.new_evidence)}"
                )
                shown = f"{_qualified(fact.old, nodes)} → {_qualified(fact.new, nodes)}"
                if fact.old.qualifiers == fact.new.qualifiers:
                    shown = f"**{fact.predicate}** {_show(fact.old.value, nodes)} → {_show(fact.new.value, nodes)}"
                    shown += _qualifier_text(fact.new, nodes)
                bullets.append(f"- changed {shown} — {evidence}")
            elif fact.new:
                parts = _evidence_changes(fact.old_evidence, fact.new_evidence)
                bullets.append(f"- {_qualified(fact.new, nodes)}: {'; '.join(parts)}")
        if bullets:
            lines += ["", *bullets]
    return "\n".join(lines) + "\n"


def _fact_json(fact: Fact | None) -> dict[str, Any] | None:
    if fact is None:
        return None
    return {
        "property": fact.predicate,
        "value": _value_json(fact.value),
        "qualifiers": [{"property": p, "value": _value_json(v)} for p, v in fact.qualifiers],
    }


def _value_json(value: Value) -> dict[str, Any]:
    if value.iri:
        return {"iri": value.text, "id": _local_id(value.text)}
    out: dict[str, Any] = {"literal": value.text}
    if value.language:
        out["language"] = value.language
    if value.datatype:
        out["datatype"] = value.datatype
    return out


def _evidence_json(evidence: tuple[Evidence, ...]) -> list[dict[str, Any]]:
    return [{"source": e.source, "quotes": list(e.quotes), **({"note": e.note} if e.note else {})} for e in evidence]


def as_json(result: Diff) -> dict[str, Any]:
    """The diff as a JSON-ready dictionary (sorted, so the same diff gives the same text)."""
    return {
        "old": result.old_label,
        "new": result.new_label,
        "summary": {
            "sources_added": result.nodes("added", True),
            "sources_removed": result.nodes("removed", True),
            "entities_added": result.nodes("added", False),
            "entities_removed": result.nodes("removed", False),
            "facts_added": result.count("added"),
            "facts_removed": result.count("removed"),
            "facts_changed": result.count("changed"),
            "facts_with_changed_sources": result.count("evidence"),
        },
        "changes": [
            {
                "id": c.node.id,
                "iri": c.node.iri,
                "name": c.node.name,
                "class": c.node.cls,
                "kind": "source" if c.node.is_source else "entity",
                "status": c.status,
                "details": list(c.details),
                "facts": [
                    {
                        "change": f.kind,
                        "old": _fact_json(f.old),
                        "new": _fact_json(f.new),
                        "old_sources": _evidence_json(f.old_evidence),
                        "new_sources": _evidence_json(f.new_evidence),
                    }
                    for f in c.facts
                ],
            }
            for c in result.changes
        ],
    }
