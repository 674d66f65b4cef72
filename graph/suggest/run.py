"""Put the rules together: from a text (and the project's registry) to suggestions."""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from graph.suggest import numbers, people, places, speech
from graph.suggest.gazetteer import Gazetteer, category_of, select
from graph.suggest.lexicon import lexicon
from graph.suggest.model import EntityRef, Mention, Suggestion, Suggestions, Value
from graph.suggest.text import Sentence, clip, sentences, slug, split_header

if TYPE_CHECKING:
    from graph.sources import Claim, EntityDecl, FactDecl

_PLACE_TYPES = ("City", "District", "State", "Locality", "Region", "Country", "Municipality")


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
    found = select(found + _credits(text, body, gazetteer) + contacts)
    local = places.local_place(found)
    references, result = people.title_references(text, parts, found, gazetteer)
    found = select(found + references)
    result += contact_facts
    result += people.office_suggestions(text, parts, found, gazetteer, local)
    result += _containment(text, found, entities.towns, gazetteer)
    amounts = _amounts(text, body, parts, found, local)
    result += amounts
    result += _dates(text, body, parts, found, amounts, gazetteer)
    result += _quotes(text, body, parts, found, gazetteer)
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


def _sentence_of(parts: list[Sentence], offset: int) -> Sentence | None:
    return next((s for s in parts if s.start <= offset < s.end), None)


def _credits(text: str, body: int, gazetteer: Gazetteer) -> list[Mention]:
    """ "Foto: Jürgen Theobald": a photographer's name (a new Person when not known)."""
    known = {e.name.casefold(): e for e in gazetteer.people()}
    result = []
    for match in re.finditer(rf"(?m)^(?:Foto|Fotos|Bild): ({people.NAME})\s*$", text[body:]):
        name = match.group(1)
        entity = known.get(name.casefold()) or EntityRef(slug(name), "Person", name, False)
        result.append(Mention(entity, body + match.start(1), body + match.end(1), name))
    return result


def _containment(
    text: str, found: list[Mention], towns: dict[str, EntityRef], gazetteer: Gazetteer
) -> list[Suggestion]:
    """containedInPlace: a venue "in <Ort>" or "<Ort>er Kreishaus", a part of a town "Ennepetal-Hasperbach"."""
    result = []
    by_name = {e.name: e for e in places.lexicon_places()}
    by_name.update({e.name: e for e, _ in gazetteer.by_id.values() if e.type in _PLACE_TYPES})
    by_name.update({m.entity.name: m.entity for m in found if m.entity.type in _PLACE_TYPES})
    for mention in found:
        town = towns.get(mention.entity.id)
        if town is not None:
            claims: tuple[tuple[str, Value], ...] = (("containedInPlace", town.id),)
            result.append(
                Suggestion(
                    "places", mention.entity, claims, mention.surface, mention.start, mention.end, objects=(town,)
                )
            )
            continue
        if mention.entity.type != "Venue":
            continue
        adjective = re.match(r"([A-ZÄÖÜ][a-zäöüß]+)er ", mention.entity.name)  # "Schwelmer Kreishaus"
        trailing = re.search(r" ([A-ZÄÖÜ][\w-]+)$", mention.entity.name)  # "Stadthalle Unna"
        if adjective or trailing:
            stem = adjective.group(1) if adjective else ""
            names = (stem, stem + "en", stem + "e") if adjective else (trailing.group(1),) if trailing else ()
            town = next((by_name[n] for n in names if n in by_name), None)
            if town is not None:
                claims = (("containedInPlace", town.id),)
                result.append(
                    Suggestion(
                        "places", mention.entity, claims, mention.surface, mention.start, mention.end, objects=(town,)
                    )
                )
                continue
        place = next(
            (
                m
                for m in found
                if m.entity.type in _PLACE_TYPES and re.fullmatch(r",? in |, ", text[mention.end : m.start])
            ),
            None,
        )
        if place is not None:
            start, end = mention.start, max(mention.end, place.end)
            result.append(
                Suggestion(
                    "places",
                    mention.entity,
                    (("containedInPlace", place.entity.id),),
                    text[start:end],
                    start,
                    end,
                    objects=(place.entity,),
                )
            )
    return result


def _amounts(
    text: str, body: int, parts: list[Sentence], found: list[Mention], local: EntityRef | None
) -> list[Suggestion]:
    """Money as FundingCommitment, percentages and counts as Statistic."""
    result = []
    inside = [(m.start, m.end) for m in found]
    for number in numbers.find_numbers(text, body):
        if any(s <= number.start < e for s, e in inside):
            continue
        sentence = _sentence_of(parts, number.start)
        if sentence is None:
            continue
        start, end = clip(text, sentence.start, sentence.end)
        if not start <= number.start < end:
            start, end = clip(text, number.start, sentence.end)
        value = _number(number.value)
        qualifiers: tuple[tuple[str, Value], ...] = (
            (("approximation", number.approximation),) if number.approximation else ()
        )
        words = text[number.start : number.end]
        if number.kind == "money":
            assert number.currency is not None
            entity = EntityRef(
                slug(f"mittel {_short(value)} {number.currency}"), "FundingCommitment", f"{words}", False
            )
            claims: tuple[tuple[str, Value], ...] = (("amount", value), ("currency", number.currency))
            result.append(
                Suggestion(
                    "amounts",
                    entity,
                    claims,
                    text[start:end],
                    start,
                    end,
                    qualifiers,
                    declares=(entity,),
                    at=number.start,
                )
            )
            continue
        about = next(
            (m.entity for m in found if sentence.start <= m.start < sentence.end and m.entity.type in _PLACE_TYPES),
            local,
        )
        if number.kind == "percent":
            unit = "percent"
            variable = _after(text, number.end, sentence.end) or "Anteil"
        else:
            assert number.noun is not None
            unit = next(
                (u for u, nouns in lexicon().data["units"].items() if number.noun.split()[-1] in nouns), number.noun
            )
            variable = number.noun
        entity = EntityRef(slug(f"{variable} {_short(value)}"), "Statistic", f"{words}", False)
        claims = (("value", value), ("unitText", unit), ("variableMeasured", variable))
        objects: tuple[EntityRef, ...] = ()
        if about is not None:
            claims += (("observationAbout", about.id),)
            objects = (about,)
        result.append(
            Suggestion(
                "amounts",
                entity,
                claims,
                text[start:end],
                start,
                end,
                qualifiers,
                note=None if about is not None else "observationAbout: what does the number describe?",
                at=number.start,
                complete=about is not None,
                objects=objects,
                declares=(entity,),
            )
        )
    return result


def _after(text: str, start: int, end: int) -> str:
    words = re.match(r"\s*([^,.;:()]*)", text[start:end])
    phrase = " ".join(words.group(1).split()[:5]) if words else ""
    return phrase


def _number(value: Decimal) -> Value:
    return int(value) if value == value.to_integral_value() else float(value)


def _short(value: Value) -> str:
    return str(value).replace(".", "-")


def _dates(
    text: str,
    body: int,
    parts: list[Sentence],
    found: list[Mention],
    amounts: list[Suggestion],
    gazetteer: Gazetteer,
) -> list[Suggestion]:
    """Each date with the event, programme, organisation or commitment of its sentence."""
    lex = lexicon()
    ancestors = gazetteer.ancestors
    editions = {e.name.casefold(): e for e, c in gazetteer.by_id.values() if c == "event"}
    result = []
    inside = [(m.start, m.end) for m in found]
    for date in numbers.find_dates(text, body):
        if any(s <= date.start < e for s, e in inside):
            continue
        sentence = _sentence_of(parts, date.start)
        if sentence is None:
            continue
        start, end = clip(text, sentence.start, sentence.end)
        if not start <= date.start < end:
            start, end = clip(text, date.start, sentence.end)
        in_sentence = [m for m in found if sentence.start <= m.start < sentence.end]
        founding = any(w in sentence.text for w in lex.words("founding_words"))
        events = [m.entity for m in in_sentence if category_of(m.entity.type, ancestors) == "event"]
        programmes = [m.entity for m in in_sentence if category_of(m.entity.type, ancestors) == "programme"]
        organisations = [m.entity for m in in_sentence if category_of(m.entity.type, ancestors) == "organisation"]
        money = [a.subject for a in amounts if a.start == start and a.subject.type == "FundingCommitment"]
        subject: EntityRef | None
        if founding and organisations and not events:
            subject, prop = organisations[0], "foundingDate"
        elif events:
            subject, prop = events[0], "startDate"
        elif money:
            subject, prop = money[0], "startDate"
        elif programmes:
            subject, prop = programmes[0], "startDate"
        else:
            subject, prop = None, "foundingDate" if founding else "startDate"
        if subject is not None and subject.type == "EventSeries" and date.value:
            # "die Sozialkonferenz Ruhr am 27. November 2019": the edition of that year, when known
            edition = editions.get(f"{subject.name} {date.value[:4]}".casefold())
            subject = edition or subject
        if date.bound == "end":
            prop = "endDate"
        claims: list[tuple[str, Value]] = []
        qualifiers: list[tuple[str, Value]] = []
        if date.value is None:
            claims.append(("dateDescription", date.words))
        else:
            claims.append((prop, date.value))
            if date.end_value:
                claims.append(("endDate", date.end_value))
            if re.search(rf"\b(?:{lex.alternation('seasons')})\b", date.words):  # "im Frühjahr 2013"
                target = qualifiers if prop == "foundingDate" else claims
                target.append(("dateDescription", date.words))
        declares: tuple[EntityRef, ...] = ()
        if subject is None and (event := _event_noun(sentence)) is not None:
            noun, type_ = event
            subject = EntityRef(slug(f"{noun} {date.words}"), type_, f"{noun} {date.words}", False)
            declares = (subject,)
            if prop == "foundingDate":
                claims = [(p if p != "foundingDate" else "startDate", v) for p, v in claims]
                claims += qualifiers
                qualifiers = []
        if subject is None:
            subject = EntityRef("SUBJECT", "Entity", "", known=True)
        result.append(
            Suggestion(
                "dates",
                subject,
                tuple(claims),
                text[start:end],
                start,
                end,
                tuple(qualifiers),
                note=None if subject.id != "SUBJECT" else "what is dated here? put its id as subject",
                complete=subject.id != "SUBJECT",
                declares=declares,
                at=date.start,
            )
        )
    return result


def _event_noun(sentence: Sentence) -> tuple[str, str] | None:
    """The first event noun of a sentence ("Integrationskonferenz") and the class it gives."""
    groups: dict[str, list[str]] = lexicon().data["event_words"]
    endings = sorted(((e, cls) for cls, words in groups.items() for e in words), key=lambda p: -len(p[0]))
    for word in re.findall(r"(?<![\w-])[A-ZÄÖÜ][\wäöüß-]*", sentence.text):
        stem = re.sub(r"(?:es|s)$", "", word) if not word.endswith(("ss", "us")) else word
        for ending, cls in endings:
            if stem.casefold().endswith(ending):
                return stem, cls
    return None


def _quotes(
    text: str, body: int, parts: list[Sentence], found: list[Mention], gazetteer: Gazetteer
) -> list[Suggestion]:
    speakers = [m for m in found if gazetteer.category(m.entity) == "person"]
    result = []
    for quote in speech.find_quotes(text, body, parts, speakers):
        speaker = quote.speaker.entity
        surname = speaker.name.split()[-1]
        opening = " ".join(quote.text.split()[:6])
        entity = EntityRef(
            slug(f"{surname} {' '.join(quote.text.split()[:4])}"),
            "DirectQuote",
            f"{surname}: „{opening}{' …' if len(quote.text.split()) > 6 else ''}“",
            False,
        )
        start, end = clip(text, quote.start, quote.end)
        claims: tuple[tuple[str, Value], ...] = (("spokenBy", speaker.id), ("text", quote.text))
        result.append(
            Suggestion(
                "quotes",
                entity,
                claims,
                text[start:end],
                start,
                end,
                note="speaker read from an earlier sentence" if quote.inferred else None,
                objects=(speaker,),
                declares=(entity,),
            )
        )
    return result


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
