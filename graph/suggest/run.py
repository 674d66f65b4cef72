"""Put the rules together: from a text (and the project's registry) to suggestions."""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from graph.suggest import counted, dated, numbers, offices, people, places, speech
from graph.suggest.gazetteer import Gazetteer, category_of, select
from graph.suggest.model import EntityRef, Suggestion, Suggestions, Value
from graph.suggest.text import sentences, split_header

if TYPE_CHECKING:
    from graph.sources import Claim, EntityDecl, FactDecl


def suggest(
    text: str,
    registry: list[tuple[EntityRef, tuple[str, ...]]],
    ancestors: dict[str, frozenset[str]],
    source_id: str | None = None,
    taken: frozenset[str] = frozenset(),
) -> Suggestions:
    """Find candidate facts in ``text``.

    Args:
        text: The article text, with or without a header block.
        registry: Known entities with their aliases.
        ancestors: Class name to the names of it and its superclasses (from the ontology).
        source_id: The id of the source the text belongs to, when it is registered.
        taken: Ids already in use in the project: proposed ids avoid them.

    Returns:
        Mentions and candidate fact entries, in text order.
    """
    header, body = split_header(text)
    gazetteer = Gazetteer(registry, ancestors)
    parts = sentences(text, body)
    entities = places.find_entities(text, body, gazetteer)
    found = people.find_people(text, body, entities.mentions, gazetteer)
    contacts, contact_facts = people.contact_blocks(text, body, found, gazetteer)
    found = select(found + people.credit_mentions(text, body, gazetteer) + contacts)
    local = places.local_place(found)
    references, result = offices.title_references(text, parts, found, gazetteer)
    found = select(found + references)
    result += contact_facts
    result += offices.office_suggestions(text, parts, found, gazetteer, local)
    result += places.containment_suggestions(text, found, entities.towns, gazetteer)
    amounts = counted.amount_suggestions(text, body, parts, found, local)
    result += amounts
    result += dated.date_suggestions(text, body, parts, found, amounts, gazetteer)
    result += speech.quote_suggestions(text, body, parts, found, gazetteer)
    source_claims: list[tuple[str, Value, str]] = []
    for match in re.finditer(r"(?m)^(?:Foto|Fotos|Bild): (.+?)\s*$", text):
        person = next((m for m in found if m.start == match.start(1)), None)
        if person and gazetteer.category(person.entity) == "person":
            subject = EntityRef(source_id or "SOURCE", "SourceDocument", "", known=True)
            result.append(
                Suggestion(
                    "people",
                    subject,
                    (("photographer", person.entity.id),),
                    match.group(),
                    match.start(),
                    match.end(),
                    complete=source_id is not None,
                    objects=(person.entity,),
                )
            )
    if "Date" in header:
        iso = re.fullmatch(r"\d{4}(?:-\d{2}(?:-\d{2})?)?", header["Date"])
        date = [iso.group()] if iso else [d.value for d in numbers.find_dates(header["Date"], 0) if d.value]
        if date:
            source_claims.append(("datePublished", date[0], f"Date: {header['Date']}"))
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    ordered = sorted(_unique_ids(result, taken | {e.id for e, _ in registry}), key=lambda s: (*s.position(), s.kind))
    return Suggestions(text, digest, source_id, tuple(found), tuple(ordered), tuple(source_claims))


def suggest_file(path: Path, project: Path | str = ".") -> Suggestions:
    """Suggest facts for a text file, with the registry and ontology of ``project``.

    Raises:
        KGError: When the text cannot be read or the project is broken.
    """
    from graph.errors import ConfigError, Problem
    from graph.ontology import load_ontology
    from graph.project import load_project
    from graph.sources import read_sources

    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read {path} as UTF-8 text: {error}") from error
    settings = load_project(project)
    ontology = load_ontology(settings.ontology_dir)
    problems: list[Problem] = []
    declarations = read_sources(settings.sources_dir, problems)
    registry = [(EntityRef(e.id, e.type, e.name, True), e.aliases) for e in declarations.registry]
    shared = ("person", "party", "organisation", "place", "event", "programme")
    ancestors = class_ancestors(ontology)
    for declared in declarations.articles:  # entities declared in articles may be named again
        registry += [
            (EntityRef(e.id, e.type, e.name, True), e.aliases)
            for e in declared.entities
            if category_of(e.type, ancestors) in shared
        ]
    taken = frozenset(e.id for a in declarations.articles for e in a.entities)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    article = next((a for a in declarations.articles if _claim(a.source.claims, "sha256") == digest), None)
    result = suggest(text, registry, ancestors, article.source.id if article else None, taken)
    return without_stated(result, article.facts, article.entities) if article else result


def _claim(claims: tuple[Claim, ...], name: str) -> object:
    return next((c.value for c in claims if c.property == name), None)


def without_stated(
    result: Suggestions, facts: tuple[FactDecl, ...], entities: tuple[EntityDecl, ...] = ()
) -> Suggestions:
    """Leave out what an article already states: claims about the same subject, and new
    entities (a quote, a statistic) when one of the same class has all their claims."""
    stated = {(f.subject, c.property, str(c.value)) for f in facts for c in f.claims}
    by_entity: dict[str, set[tuple[str, str]]] = {}
    for fact in facts:
        by_entity.setdefault(fact.subject, set()).update((c.property, str(c.value)) for c in fact.claims)
    declared = [(e.type, by_entity.get(e.id, set())) for e in entities]
    kept: list[Suggestion] = []
    for item in result.suggestions:
        if item.declares:
            wanted = {(p, str(v)) for p, v in item.claims}
            if any(t == item.subject.type and wanted <= claims for t, claims in declared):
                continue
        claims = tuple(c for c in item.claims if (item.subject.id, c[0], str(c[1])) not in stated)
        if not claims:
            continue
        kept.append(item if claims == item.claims else replace(item, claims=claims))
    return replace(result, suggestions=tuple(kept), already_stated=len(result.suggestions) - len(kept))


def class_ancestors(ontology: object) -> dict[str, frozenset[str]]:
    """Class name to the local names of it and its ancestors in our namespace."""
    from graph.namespace import NIK

    prefix = str(NIK)
    return {
        name: frozenset(str(a)[len(prefix) :] for a in info.ancestors if str(a).startswith(prefix))
        for name, info in ontology.classes.items()  # type: ignore[attr-defined]
    }


def _unique_ids(items: list[Suggestion], taken: frozenset[str] | set[str]) -> list[Suggestion]:
    """Drop repeats (same subject, claims and quote); make proposed ids unique (-2, -3, ...).

    Every suggestion that refers to a renamed entity (a date of a funding commitment)
    follows the new id.
    """
    used = set(taken)
    kept: list[Suggestion] = []
    repeated: set[tuple[str, tuple[tuple[str, Value], ...], str]] = set()
    renamed: dict[EntityRef, EntityRef] = {}
    for item in sorted(items, key=lambda s: (*s.position(), s.kind)):
        key = (item.subject.id if not item.declares else "", item.claims, item.quote)
        if key in repeated:
            continue
        repeated.add(key)
        for entity in item.declares:
            candidate, count = entity.id, 1
            while candidate in used:
                count += 1
                candidate = f"{entity.id}-{count}"
            used.add(candidate)
            renamed.setdefault(entity, EntityRef(candidate, entity.type, entity.name, False))
        kept.append(item)
    return [
        replace(
            item,
            subject=renamed.get(item.subject, item.subject),
            objects=tuple(renamed.get(e, e) for e in item.objects),
            declares=tuple(renamed.get(e, e) for e in item.declares),
        )
        for item in kept
    ]
