"""``kg terms`` and ``kg entities``: what the ontology offers and which ids exist.

Both read the project at run time: classes and properties (with domain, range,
labels and definitions) from ``ontology/*.ttl``, entities from ``sources/``
(phase 1 only, so a project with mistakes can still be searched).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from rdflib import URIRef

from graph.curation.conflicts import SingleValued, single_valued
from graph.curation.names import name_key
from graph.errors import KGError, Location, Problem, suggest
from graph.namespace import NIK
from graph.ontology import ClassInfo, Ontology, PropertyInfo, definition, load_ontology
from graph.project import load_project
from graph.sources import Declarations, EntityDecl, read_sources
from graph.validate import load_shapes
from graph.values import DATATYPES

#: Lowest similarity (0 to 1) for a fuzzy match in ``kg entities``.
FUZZY_CUTOFF = 0.8


class LookupFailed(KGError):
    """A look-up names a class the ontology does not have."""

    exit_code = 2


# ---------------------------------------------------------------- terms


@dataclass(frozen=True)
class TermLine:
    """One class in the class tree, at its depth."""

    depth: int
    cls: ClassInfo
    label_de: str
    label_en: str


@dataclass(frozen=True)
class PropertyUse:
    """A property usable on a class, described for a curator."""

    name: str
    kind: str  # "entity" or "value"
    expects: str  # class names, or the datatype formats
    domain: str  # the class(es) it is declared on, or "any"
    label_de: str
    label_en: str
    definition_de: str
    definition_en: str
    qualifier: bool
    single: str | None = None  # "one value", or "one PoliticalParty": from the ontology and shapes


@dataclass(frozen=True)
class ClassDescription:
    """A class with its ancestors, labels, definitions and every property usable on it."""

    cls: ClassInfo
    ancestors: tuple[str, ...]
    subclasses: tuple[str, ...]
    label_de: str
    label_en: str
    definition_de: str
    definition_en: str
    properties: tuple[PropertyUse, ...]


def class_tree(project: Path | str = ".") -> list[TermLine]:
    """Every class of the ontology as a tree (depth-first, children sorted by name).

    A class with several parents of ours appears under each of them.
    """
    ontology = load_ontology(load_project(project).ontology_dir)
    parents = {name: _parents(ontology, info) for name, info in ontology.classes.items()}
    children: dict[str, list[str]] = {name: [] for name in ontology.classes}
    for name, ups in parents.items():
        for up in ups:
            children[up].append(name)
    lines: list[TermLine] = []

    def walk(name: str, depth: int) -> None:
        info = ontology.classes[name]
        lines.append(TermLine(depth, info, ontology.label(info.iri, "de"), ontology.label(info.iri, "en")))
        for child in sorted(children[name]):
            walk(child, depth + 1)

    for root in sorted(name for name, ups in parents.items() if not ups):
        walk(root, 0)
    return lines


def _parents(ontology: Ontology, info: ClassInfo) -> list[str]:
    """The direct superclasses of ``info`` in our namespace."""
    from rdflib.namespace import RDFS

    return sorted(
        _local(p)
        for p in ontology.graph.objects(info.iri, RDFS.subClassOf)
        if isinstance(p, URIRef) and str(p).startswith(str(NIK)) and _local(p) in ontology.classes
    )


def _local(iri: URIRef) -> str:
    return str(iri)[len(str(NIK)) :]


def describe_class(project: Path | str = ".", name: str = "") -> ClassDescription:
    """A class and every property usable on it (its domain includes the class or an ancestor).

    Args:
        project: The project folder.
        name: The class's local name; case does not matter.

    Raises:
        LookupFailed: When the ontology has no such class.
    """
    settings = load_project(project)
    ontology = load_ontology(settings.ontology_dir)
    shapes = load_shapes(settings.shapes_file) if settings.shapes_file.is_file() else None
    rules = single_valued(ontology, shapes)
    info = _class_named(ontology, name)
    chain = _ancestor_chain(ontology, info)
    subclasses = sorted(c.name for c in ontology.classes.values() if info.iri in c.ancestors and c is not info)
    usable = [p for p in ontology.properties.values() if p.domain is None or any(d in info.ancestors for d in p.domain)]
    return ClassDescription(
        cls=info,
        ancestors=tuple(chain),
        subclasses=tuple(subclasses),
        label_de=ontology.label(info.iri, "de"),
        label_en=ontology.label(info.iri, "en"),
        definition_de=definition(ontology.graph, info.iri, "de"),
        definition_en=definition(ontology.graph, info.iri, "en"),
        properties=tuple(
            _use(ontology, p, _single(ontology, info, p, rules)) for p in sorted(usable, key=lambda p: p.name)
        ),
    )


def _single(ontology: Ontology, info: ClassInfo, prop: PropertyInfo, rules: list[SingleValued]) -> str | None:
    """How many values ``prop`` takes on ``info``, when the ontology or shapes limit it to one."""
    limits = sorted(
        "one value" if rule.of_class is None else f"one {_local(rule.of_class)}"
        for rule in rules
        if rule.property == prop.iri and (rule.on is None or rule.on in info.ancestors)
    )
    return limits[0] if limits else None


def _class_named(ontology: Ontology, name: str) -> ClassInfo:
    """The class with this local name (case does not matter).

    Raises:
        LookupFailed: With a suggestion, when there is none.
    """
    info = ontology.classes.get(name) or {k.casefold(): v for k, v in ontology.classes.items()}.get(name.casefold())
    if info is None:
        raise LookupFailed(f"unknown class '{name}'{suggest(name, ontology.classes)}; 'kg terms' lists them all")
    return info


def _ancestor_chain(ontology: Ontology, info: ClassInfo) -> list[str]:
    """The first-parent path up to a root: ``Politician`` -> ``Person, Agent, Entity``."""
    chain: list[str] = []
    current = info
    while parents := _parents(ontology, current):
        current = ontology.classes[parents[0]]
        if current.name in chain:
            break
        chain.append(current.name)
    return chain


def _use(ontology: Ontology, prop: PropertyInfo, single: str | None) -> PropertyUse:
    if prop.is_object:
        expects = " or ".join(ontology.class_of(r).name for r in prop.range)
    else:
        expects = "; ".join(DATATYPES[r].expected for r in prop.range)
    domain = "any"
    if prop.domain is not None:
        domain = ", ".join(sorted(_local(d) for d in prop.domain if str(d).startswith(str(NIK))))
    return PropertyUse(
        name=prop.name,
        kind="entity" if prop.is_object else "value",
        expects=expects,
        domain=domain,
        label_de=ontology.label(prop.iri, "de"),
        label_en=ontology.label(prop.iri, "en"),
        definition_de=definition(ontology.graph, prop.iri, "de"),
        definition_en=definition(ontology.graph, prop.iri, "en"),
        qualifier=prop.qualifier,
        single=single,
    )


def format_tree(lines: list[TermLine]) -> str:
    """The class tree as indented text: ``Name  label (de) / label (en)``; abstract classes marked."""
    width = max((2 * line.depth + len(line.cls.name) for line in lines), default=0)
    out = []
    for line in lines:
        name = "  " * line.depth + line.cls.name
        abstract = "  (abstract)" if line.cls.segment is None else ""
        out.append(f"{name:<{width}}  {line.label_de} / {line.label_en}{abstract}".rstrip())
    return "\n".join(out) + "\n"


def format_class(description: ClassDescription) -> str:
    """A class and its properties as text, one block per property."""
    cls = description.cls
    out = [f"{cls.name} — {description.label_de} / {description.label_en}  ({cls.iri})"]
    if description.ancestors:
        out.append(f"  subclass of: {' > '.join(description.ancestors)}")
    if description.subclasses:
        out.append(f"  subclasses: {', '.join(description.subclasses)}")
    if cls.segment is None:
        out.append("  abstract: use one of its subclasses as a type")
    for lang, text in (("de", description.definition_de), ("en", description.definition_en)):
        if text:
            out.append(f"  {lang}: {text}")
    out.append("")
    out.append(f"properties ({len(description.properties)}):")
    for prop in description.properties:
        kind = "an entity id of class" if prop.kind == "entity" else "a value:"
        qualifier = "; also a qualifier" if prop.qualifier else ""
        qualifier += f"; {prop.single}" if prop.single else ""
        out.append(f"  {prop.name}  →  {kind} {prop.expects}")
        out.append(f"      {prop.label_de} / {prop.label_en}  (on {prop.domain}{qualifier})")
        for lang, text in (("de", prop.definition_de), ("en", prop.definition_en)):
            if text:
                out.append(f"      {lang}: {text}")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- entities


@dataclass(frozen=True)
class EntityMatch:
    """An entity found by ``kg entities``, with the name or alias that matched."""

    id: str
    type: str
    name: str
    aliases: tuple[str, ...]
    location: Location
    matched: str
    score: float


def declared_entities(declarations: Declarations) -> list[EntityDecl]:
    """The registry's entities, then those declared in article files, in file order."""
    return [*declarations.registry, *(e for a in declarations.articles for e in a.entities)]


def find_entities(
    project: Path | str = ".", search: str | None = None, types: tuple[str, ...] = ()
) -> list[EntityMatch]:
    """Registry and article entities whose name, alias or id matches ``search``.

    Matching ignores case, accents and punctuation ("gueler" finds "Güler"); a name
    that contains the search as whole words matches, and so does a close spelling
    (similarity at least :data:`FUZZY_CUTOFF`). Files with mistakes are read as far
    as they can be.

    Args:
        project: The project folder.
        search: Text to look for; ``None`` lists every entity.
        types: Only entities of these classes or their subclasses (case does not matter).

    Returns:
        The matches, best first (then by id); every entity sorted by id without ``search``.

    Raises:
        LookupFailed: When a name in ``types`` is not a class of the ontology.
    """
    settings = load_project(project)
    problems: list[Problem] = []
    entities = declared_entities(read_sources(settings.sources_dir, problems))
    if types:
        ontology = load_ontology(settings.ontology_dir)
        wanted = [_class_named(ontology, name).iri for name in types]
        entities = [
            e
            for e in entities
            if e.type in ontology.classes and any(w in ontology.classes[e.type].ancestors for w in wanted)
        ]
    if search is None or not name_key(search):
        return sorted((_match(e, e.name, 1.0) for e in entities), key=lambda m: m.id)
    query = name_key(search)
    found: list[EntityMatch] = []
    for entity in entities:
        best: tuple[float, str] = (0.0, "")
        for text in (entity.name, *entity.aliases, entity.id):
            score = similarity(query, name_key(text))
            if score > best[0]:
                best = (score, text)
        if best[0] >= FUZZY_CUTOFF:
            found.append(_match(entity, best[1], best[0]))
    return sorted(found, key=lambda m: (-m.score, m.id))


def _match(entity: EntityDecl, matched: str, score: float) -> EntityMatch:
    return EntityMatch(entity.id, entity.type, entity.name, entity.aliases, entity.location, matched, score)


def similarity(query: str, candidate: str) -> float:
    """How well a normalised ``query`` matches a normalised name (1 equal, 0.95 whole words in it)."""
    if not query or not candidate:
        return 0.0
    if query == candidate:
        return 1.0
    if f" {query} " in f" {candidate} ":
        return 0.95
    words = candidate.split()
    size = len(query.split())
    windows = [" ".join(words[i : i + size]) for i in range(max(1, len(words) - size + 1))]
    whole = difflib.SequenceMatcher(None, query, candidate).ratio()
    # A close spelling of part of a name ranks below the same closeness to the whole name.
    part = max(difflib.SequenceMatcher(None, query, text).ratio() for text in windows)
    return max(whole, 0.95 * part)


def format_entities(matches: list[EntityMatch]) -> str:
    """One line per match: id, class, name (and the alias that matched), file:line; columns aligned."""
    rows = []
    for match in matches:
        name = match.name if match.matched in (match.name, match.id) else f"{match.name} (alias: {match.matched})"
        rows.append((match.id, match.type, name, str(match.location)))
    widths = [max((len(row[i]) for row in rows), default=0) for i in range(3)]
    return "".join(f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:<{widths[2]}}  {row[3]}\n" for row in rows)
