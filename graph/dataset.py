"""Phase 2 of loading: resolve declarations against the ontology and each other.

Every id, type, property and value is checked here, with all files known, and
every problem is collected (not just the first) so a curator can fix a whole
batch at once. The result is a :class:`Dataset` of typed RDF terms, ready to build.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.term import Node

from graph.consistency import check_facts
from graph.errors import Location, Problem, SourceError, a_or_an, closest, suggest
from graph.namespace import NIK, iri_maker
from graph.ontology import Ontology, PropertyInfo
from graph.project import Project
from graph.sources import (
    ENTITY_KEYS,
    FACT_KEYS,
    ArticleDecl,
    Claim,
    Declarations,
    FactEntry,
    RawClaim,
    SourceDecl,
    new_claim,
)
from graph.values import ValueProblem, parse_literal, text_literal

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")
LANGUAGE = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")
MAX_QUOTE_LENGTH = 400
_LONGEST_SHOWN = 80


@dataclass(frozen=True)
class Entity:
    """A resolved entity: its IRI, class and names."""

    id: str
    cls: URIRef
    iri: URIRef
    name: Literal
    aliases: tuple[Literal, ...]
    location: Location


@dataclass(frozen=True)
class Source:
    """A resolved source document."""

    id: str
    cls: URIRef
    iri: URIRef
    name: Literal
    language: str
    sha256: str
    sha256_location: Location
    title: tuple[str, Location] | None
    metadata: tuple[tuple[URIRef, Node], ...]
    location: Location
    path: Path


@dataclass(frozen=True)
class Fact:
    """One sourced triple with its qualifiers and evidence."""

    subject: URIRef
    predicate: URIRef
    object: Node
    qualifiers: tuple[tuple[URIRef, Node], ...]
    source: str
    quotes: tuple[tuple[str, Location], ...]
    note: str | None
    location: Location


@dataclass(frozen=True)
class Dataset:
    """Everything in ``sources/``, resolved and typed."""

    project: Project
    ontology: Ontology
    entities: dict[str, Entity]
    sources: dict[str, Source]
    facts: tuple[Fact, ...]

    def entity_iris(self) -> frozenset[URIRef]:
        return frozenset(e.iri for e in self.entities.values())


class _Resolver:
    def __init__(self, project: Project, ontology: Ontology, declarations: Declarations) -> None:
        self.project = project
        self.ontology = ontology
        self.declarations = declarations
        self.problems: list[Problem] = []
        self.classes: dict[str, URIRef] = {}  # id -> class IRI of every entity and source
        self.iris: dict[str, URIRef] = {}
        self.invalid: set[str] = set()  # declared, but with a problem already reported
        self._first_location: dict[str, Location] = {}
        self.sources_ids = {a.source.id for a in declarations.articles}
        # Thousands of facts ask the same few questions: whether a class fits a domain or a
        # range, and what literal a written value is (years, dates, currencies, languages).
        self._fits: dict[tuple[URIRef, Collection[URIRef]], bool] = {}
        self._literals: dict[tuple[tuple[URIRef, ...], type, str, str], Literal] = {}
        # The same (property, subject class) and (property, entity id) recur in most
        # facts: what passed the checks once is remembered (problems are never remembered,
        # so each occurrence of a mistake is still reported where it is).
        self._props: dict[tuple[str, URIRef], PropertyInfo] = {}
        self._qualifiers: dict[str, PropertyInfo] = {}
        self._targets: dict[tuple[str, str], Node] = {}
        # What a written value resolves to, by property and the value's type, text and
        # language (the key of :meth:`literal`, and the property stands for its range):
        # one look-up for most claims. Only values that resolved are remembered.
        self._values: dict[tuple[str, type, object, str], Node] = {}
        # (type name, root) -> (class IRI, its entities' namespace, their IRI maker) of a
        # type that passed declare's checks
        self._types: dict[tuple[str, URIRef], tuple[URIRef, str, Callable[[str], URIRef]]] = {}
        self.used: set[str] = set()  # every id a fact entry refers to, as written (see _referenced_ids)

    def fail(self, location: Location, message: str) -> None:
        self.problems.append(Problem(location, message))

    # -- ids and types ---------------------------------------------------

    def declare(self, id_: str, type_name: str, location: Location, type_location: Location, root: URIRef) -> bool:
        first = self._first_location.get(id_)
        if first is not None:
            self.fail(location, f"duplicate id '{id_}' (first declared at {first})")
            return False
        self._first_location[id_] = location
        if not SLUG.match(id_):
            self.invalid.add(id_)
            self.fail(
                location,
                f"id '{id_}' is not a slug: use lowercase ASCII letters, digits and single hyphens (e.g. serap-gueler)",
            )
            return False
        key = (type_name, root)
        known = self._types.get(key)
        if known is None:
            found = self._type(type_name, type_location, root)
            if found is None:
                self.invalid.add(id_)
                return False
            namespace = f"{self.project.base}{found[1]}/"
            known = self._types[key] = (found[0], namespace, iri_maker(namespace))
        cls, namespace, iri = known
        self.classes[id_] = cls
        self.iris[id_] = iri(namespace + id_)  # a slug: nothing URIRef would warn about
        return True

    def _type(self, type_name: str, type_location: Location, root: URIRef) -> tuple[URIRef, str] | None:
        """The class IRI and IRI segment of ``type_name`` for an id under ``root``, or ``None`` (reported)."""
        info = self.ontology.classes.get(type_name)
        if info is None:
            self.fail(type_location, f"unknown type '{type_name}'{suggest(type_name, self._types_under(root))}")
            return None
        if root not in info.ancestors:
            kinds = ", ".join(self._types_under(root))
            self.fail(type_location, f"type '{type_name}' cannot be used here; use one of: {kinds}")
            return None
        if info.segment is None:
            kinds = ", ".join(self._types_under(root))
            self.fail(type_location, f"type '{type_name}' is abstract; use one of: {kinds}")
            return None
        return info.iri, info.segment

    def fits(self, cls: URIRef, allowed: frozenset[URIRef] | tuple[URIRef, ...]) -> bool:
        """:meth:`Ontology.fits <graph.ontology.Ontology.fits>`, remembered."""
        key = (cls, allowed)
        found = self._fits.get(key)
        if found is None:
            found = self._fits[key] = self.ontology.fits(cls, allowed)
        return found

    def literal(self, datatypes: tuple[URIRef, ...], value: object, lang: str) -> Literal:
        """:func:`~graph.values.parse_literal`, remembered per written value (one object per literal).

        The key is the value's type and text, not the value: ``-0.0`` equals ``0.0`` as a
        number but is written differently, and ``True`` equals ``1``.

        Raises:
            ValueProblem: As ``parse_literal`` (never remembered).
        """
        key = (datatypes, value.__class__, value if value.__class__ is str else str(value), lang)
        found = self._literals.get(key)
        if found is None:
            found = self._literals[key] = parse_literal(datatypes, value, lang)
        return found

    def _types_under(self, root: URIRef) -> list[str]:
        return sorted(c.name for c in self.ontology.classes.values() if root in c.ancestors and c.segment)

    # -- values ----------------------------------------------------------

    def prop(self, claim: Claim, subject_id: str | None, qualifier: bool) -> PropertyInfo | None:
        info = self.ontology.properties.get(claim.property)
        if info is None:
            kind = "qualifier" if qualifier else "property"
            keys = () if qualifier or subject_id is None or subject_id in self.sources_ids else FACT_KEYS + ENTITY_KEYS
            best = closest(claim.property, [*self.ontology.properties, *keys])
            if best in keys:
                kind = "key"
            hint = f" (did you mean '{best}'?)" if best else ""
            self.fail(claim.location, f"unknown {kind} '{claim.property}'{hint}")
            return None
        if qualifier and not info.qualifier:
            names = ", ".join(sorted(p.name for p in self.ontology.properties.values() if p.qualifier))
            self.fail(claim.location, f"'{claim.property}' cannot be a qualifier; qualifiers are: {names}")
            return None
        if not qualifier and subject_id is not None and info.domain is not None:
            cls = self.classes.get(subject_id)
            if cls is not None and not self.fits(cls, info.domain):
                domains = sorted(self.ontology.class_of(d).name for d in info.domain if d != NIK.Statement)
                allowed = " or ".join(a_or_an(n) for n in domains)
                self.fail(
                    claim.location,
                    f"'{claim.property}' cannot describe '{subject_id}' ({a_or_an(self.ontology.class_of(cls).name)}); "
                    f"its subject must be {allowed}",
                )
                return None
        return info

    def claim_prop(self, claim: Claim, subject_id: str, subject_cls: URIRef) -> PropertyInfo | None:
        """:meth:`prop` of a claim about ``subject_id`` (of class ``subject_cls``), remembered when it passes."""
        key = (claim.property, subject_cls)
        info = self._props.get(key)
        if info is None:
            info = self.prop(claim, subject_id, qualifier=False)
            if info is not None:
                self._props[key] = info
        return info

    def claim_value(self, info: PropertyInfo, claim: Claim, lang: str) -> Node | None:
        """:meth:`value`, for an entity id remembered per property when it passes (literals
        are remembered by :meth:`literal`)."""
        target = claim.value
        if not info.is_object or target.__class__ is not str:
            return self.value(info, claim, lang)
        key = (claim.property, target)
        found = self._targets.get(key)
        if found is None:
            found = self.value(info, claim, lang)
            if found is not None:
                self._targets[key] = found
        return found

    def value(self, info: PropertyInfo, claim: Claim, lang: str) -> Node | None:
        if info.is_object:
            target = claim.value
            if not isinstance(target, str):
                self.fail(claim.location, f"'{claim.property}' expects an entity id, got {shown_value(target)}")
                return None
            if target not in self.classes:
                if target not in self.invalid and not self.declarations.unreadable:
                    self.fail(claim.location, f"unknown entity '{target}'{suggest(target, self.classes)}")
                return None
            cls = self.classes[target]
            if not self.fits(cls, info.range):
                expected = " or ".join(a_or_an(self.ontology.class_of(r).name) for r in info.range)
                self.fail(
                    claim.location,
                    f"'{claim.property}' expects {expected}, "
                    f"but '{target}' is {a_or_an(self.ontology.class_of(cls).name)}",
                )
                return None
            return self.iris[target]
        try:
            return self.literal(info.range, claim.value, lang)
        except ValueProblem as exc:
            self.fail(claim.location, f"bad value {shown_value(claim.value)} for '{claim.property}': {exc}")
            return None

    # -- declarations ----------------------------------------------------

    def resolve(self) -> Dataset:
        articles = self.declarations.articles
        language = self.project.language
        # (id, type, name, aliases, location, type_location, language) of each entity declared
        declared: list[tuple[str, str, str, tuple[str, ...], Location, Location, str]] = [
            (e.id, e.type, e.name, e.aliases, e.location, e.type_location, language) for e in self.declarations.registry
        ]
        languages = {a.source.id: self._language_of(a.source) for a in articles}
        locations = [_Locations(a.path) for a in articles]
        for article, at in zip(articles, locations, strict=True):
            lang = languages[article.source.id]
            declared.extend(
                (id_, type_, name, aliases, at[line], at[type_line], lang)
                for id_, type_, name, aliases, line, type_line in article.entity_entries
            )
        ok_sources: list[tuple[ArticleDecl, _Locations]] = []
        undeclared: list[ArticleDecl] = []
        # a namespace's attribute is a call each time: looked up once, not once per declaration
        source_root, entity_root = NIK.SourceDocument, NIK.Entity
        for a, at in zip(articles, locations, strict=True):
            source = a.source
            if self.declare(source.id, source.type, source.location, source.type_location, source_root):
                ok_sources.append((a, at))
            else:
                undeclared.append(a)
        entities: dict[str, Entity] = {}
        for id_, type_, name, aliases, location, type_location, lang in declared:
            if self.declare(id_, type_, location, type_location, entity_root):
                names = tuple([text_literal(a, lang) for a in aliases]) if aliases else ()
                entities[id_] = new_entity(
                    id_, self.classes[id_], self.iris[id_], text_literal(name, lang), names, location
                )
        sources = {a.source.id: s for a, _ in ok_sources if (s := self._source(a, languages[a.source.id]))}
        facts: list[Fact] = []
        for a, at in ok_sources:
            source_id = a.source.id
            lang = languages[source_id]
            for entry in a.fact_entries:
                self._facts(entry, source_id, lang, facts, at)
        # _facts noted the ids the facts of ok_sources use; the others' are used all the same
        used = self.used
        _referenced_ids(articles, undeclared, used)
        for id_, _, _, _, location, _, _ in declared:
            # A file that could not be read may be the one that uses it: say nothing yet.
            if id_ in entities and id_ not in used and not self.declarations.unreadable:
                self.fail(
                    location,
                    f"entity '{id_}' is not used by any fact; every entity needs a sourced fact "
                    "(add one in an article file, or remove the entity)",
                )
        ids = {e.iri: e.id for e in entities.values()}
        self.problems.extend(check_facts(self.ontology, ids, facts))
        if self.problems:
            count = len(self.problems)
            raise SourceError(self.problems, f"{count} problem{'s' if count != 1 else ''} in sources/")
        return Dataset(self.project, self.ontology, entities, sources, tuple(facts))

    def _language_of(self, source: SourceDecl) -> str:
        for claim in source.claims:
            if claim.property == "language" and isinstance(claim.value, str) and LANGUAGE.match(claim.value):
                return claim.value.lower()
        return self.project.language

    def _source(self, article: ArticleDecl, lang: str) -> Source | None:
        decl = article.source
        metadata: list[tuple[URIRef, Node]] = []
        by_name: dict[str, Claim] = {}
        cls = self.classes[decl.id]
        for claim in decl.claims:
            info = self.claim_prop(claim, decl.id, cls)
            if info is None:
                continue
            value = self.claim_value(info, claim, lang)
            if value is not None:
                metadata.append((info.iri, value))
                by_name[claim.property] = claim
        for required in ("language", "sha256"):
            if required not in by_name and not any(c.property == required for c in decl.claims):
                self.fail(decl.location, f"source '{decl.id}' needs '{required}'")
        sha = by_name.get("sha256")
        if sha is not None and not SHA256.match(str(sha.value)):
            self.fail(sha.location, "sha256 must be 64 lowercase hex digits (run: sha256sum FILE)")
        if "sha256" not in by_name or "language" not in by_name:
            return None
        title = by_name.get("title")
        return Source(
            id=decl.id,
            cls=self.classes[decl.id],
            iri=self.iris[decl.id],
            name=text_literal(decl.name, lang),
            language=lang,
            sha256=str(by_name["sha256"].value),
            sha256_location=by_name["sha256"].location,
            title=(str(title.value).strip(), title.location) if title else None,
            metadata=tuple(metadata),
            location=decl.location,
            path=article.path,
        )

    def _facts(self, entry: FactEntry, source_id: str, lang: str, facts: list[Fact], at: _Locations) -> None:
        """Append the facts of ``entry`` that resolve to ``facts``, and note the ids it uses in :attr:`used`."""
        subject_id, subject_line, written_quotes, claims, qualifiers, note, _ = entry
        for text, line in written_quotes:
            if len(text) > MAX_QUOTE_LENGTH:
                self.fail(
                    at[line],
                    f"quote is {len(text)} characters; keep evidence short (at most {MAX_QUOTE_LENGTH}) "
                    "and split it over several facts",
                )
        used = self.used
        used.add(subject_id)
        if qualifiers:
            _uses(qualifiers, used)
        subject_cls = self.classes.get(subject_id)
        if subject_cls is None:
            _uses(claims, used)
            if subject_id not in self.invalid and not self.declarations.unreadable:
                self.fail(at[subject_line], f"unknown entity '{subject_id}'{suggest(subject_id, self.classes)}")
            return
        ordered = self._ordered_qualifiers(qualifiers, lang, at) if qualifiers else ()
        subject = self.iris[subject_id]
        quotes = tuple([(text, at[line]) for text, line in written_quotes])
        props = self._props
        # claim_prop and claim_value with their look-ups inlined: this loop runs once per claim
        for name, value, line in claims:
            kind = value.__class__
            if kind is str:
                used.add(value)  # type: ignore[arg-type]  # a str
            elif isinstance(value, str):
                used.add(value)
            info = props.get((name, subject_cls))
            if info is None:
                info = self.claim_prop(new_claim(name, value, at[line]), subject_id, subject_cls)
                if info is None:
                    continue
            node = self._node(info, name, kind, value, lang, line, at)
            if node is not None:
                facts.append(new_fact(subject, info.iri, node, ordered, source_id, quotes, note, at[line]))

    def _node(
        self, info: PropertyInfo, name: str, kind: type, value: object, lang: str, line: int, at: _Locations
    ) -> Node | None:
        """:meth:`value` of the claim ``name: value`` at ``line``, remembered when it resolves.

        By the property, the value's type and text (see :meth:`literal`) and the language;
        an entity id is looked up here (:meth:`value` says what is wrong with it).
        """
        key = (name, kind, value if kind is str else str(value), lang)
        node = self._values.get(key)
        if node is None:
            if info.is_object and kind is str:
                cls = self.classes.get(value)  # type: ignore[call-overload]  # a str
                if cls is not None and self.fits(cls, info.range):
                    node = self._values[key] = self.iris[value]  # type: ignore[index]  # a str
                    return node
            node = self.value(info, new_claim(name, value, at[line]), lang)
            if node is not None:
                self._values[key] = node
        return node

    def _ordered_qualifiers(
        self, claims: tuple[RawClaim, ...], lang: str, at: _Locations
    ) -> tuple[tuple[URIRef, Node], ...]:
        """The qualifiers that resolve, as ``(property, value)`` pairs in a fixed order."""
        qualifiers: list[tuple[URIRef, Node]] = []
        for name, written, line in claims:
            info = self._qualifiers.get(name)
            if info is None:
                info = self.prop(new_claim(name, written, at[line]), None, qualifier=True)
                if info is None:
                    continue
                self._qualifiers[name] = info
            value = self._node(info, name, written.__class__, written, lang, line, at)
            if value is not None:
                qualifiers.append((info.iri, value))
        if len(qualifiers) > 1:
            qualifiers.sort(key=lambda pq: (pq[0], pq[1].n3()))
        return tuple(qualifiers)


class _Locations(dict[int, Location]):
    """The :class:`~graph.errors.Location` of each line of one file, made when first
    asked for: one object per line (the facts of an entry share their quotes' and
    their claim's locations)."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path

    def __missing__(self, line: int) -> Location:
        location = self[line] = new_location(self.path, line)
        return location


def new_location(path: Path, line: int) -> Location:
    """``Location(path, line)`` without the frozen dataclass's ``__init__`` (as :func:`new_fact`)."""
    location = _new_object(Location)
    location.__dict__.update(path=path, line=line)
    return location


def new_entity(
    id_: str, cls: URIRef, iri: URIRef, name: Literal, aliases: tuple[Literal, ...], location: Location
) -> Entity:
    """``Entity(id_, cls, ...)`` without the frozen dataclass's ``__init__`` (as :func:`new_fact`)."""
    entity = _new_object(Entity)
    entity.__dict__.update(id=id_, cls=cls, iri=iri, name=name, aliases=aliases, location=location)
    return entity


def new_fact(
    subject: URIRef,
    predicate: URIRef,
    object_: Node,
    qualifiers: tuple[tuple[URIRef, Node], ...],
    source: str,
    quotes: tuple[tuple[str, Location], ...],
    note: str | None,
    location: Location,
) -> Fact:
    """``Fact(subject, predicate, ...)`` in a quarter of the time.

    A frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``;
    this fills the new instance's ``__dict__`` as that does, in the order of the fields
    (tests/test_resolve_fast.py checks that the two are the same). Resolving makes one
    ``Fact`` per claim, a hundred thousand at a million triples.
    """
    fact = _new_object(Fact)
    fact.__dict__.update(
        subject=subject,
        predicate=predicate,
        object=object_,
        qualifiers=qualifiers,
        source=source,
        quotes=quotes,
        note=note,
        location=location,
    )
    return fact


_new_object = object.__new__


def shown_value(value: object) -> str:
    """A value as the curator wrote it: text in quotes, numbers and booleans bare."""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value) if isinstance(value, int | Decimal) else repr(value)
    if len(text) > _LONGEST_SHOWN:
        return f"{text[: _LONGEST_SHOWN // 2]}… ({len(text)} characters)"
    return text


def _referenced_ids(articles: Iterable[ArticleDecl], undeclared: Iterable[ArticleDecl], used: set[str]) -> None:
    """Add to ``used`` every id the sources of ``articles`` and the fact entries of ``undeclared`` refer to, as written.

    The resolver notes the ids of the other fact entries as it goes (:meth:`_Resolver._facts`).
    """
    for article in articles:
        # a source's metadata (publisher, photographer, ...) uses entities like a fact does
        used.update(c.value for c in article.source.claims if isinstance(c.value, str))
    for article in undeclared:
        for subject, _, _, claims, qualifiers, _, _ in article.fact_entries:
            used.add(subject)
            _uses(claims, used)
            _uses(qualifiers, used)


def _uses(claims: Iterable[RawClaim], used: set[str]) -> None:
    """Add the values of ``claims`` that are text (and may be ids) to ``used``."""
    used.update(value for _, value, _ in claims if isinstance(value, str))


def resolve(project: Project, ontology: Ontology, declarations: Declarations, problems: list[Problem]) -> Dataset:
    """Resolve phase-1 declarations into a :class:`Dataset`.

    Args:
        project: The project settings.
        ontology: The loaded ontology.
        declarations: What :func:`graph.sources.read_sources` read.
        problems: Problems from phase 1; reported together with those found here.

    Raises:
        SourceError: With every problem from both phases, when there is any.
    """
    resolver = _Resolver(project, ontology, declarations)
    resolver.problems.extend(problems)
    return resolver.resolve()
