"""Score ``kg suggest`` against curated articles: recall and precision per kind.

For each article whose text is found (by SHA-256), the curated facts of that article
are the answer key:

- people, organisations, places: the entities of those classes that its facts use
  (as subject or object); parties are their own kind;
- parties: ``memberOf`` a party; offices: ``holds``, ``headOf`` and ``jobTitle`` of a person;
- dates: values of date properties and ``dateDescription`` (claims and qualifiers);
- amounts: ``amount`` and ``value``; quotes: DirectQuote entities with their speaker.

A curated item is **covered** when a suggestion states it: the same entity (same id,
or a proposed one with the same name or an alias); for parties the same person and
party; for offices the same person with the same post, or a title that is a word of
the curated post's name or job title (a head title such as "Leiterin" covers
``headOf``); for dates and amounts the same value in a quote that overlaps the
curated quote; for quotes the same speaker and overlapping quoted words. A suggestion
is **wrong** when it covers no curated item of its kind (it may still be a true fact
the curator left out: precision is a lower bound).

``leave_out=True`` scores as if the article were new: registry entities that no other
article uses are removed from the registry first, so they must be found by the rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from graph.quotes import load_texts, normalize
from graph.suggest.model import KINDS, EntityRef, Suggestions
from graph.suggest.run import category_of, class_ancestors, suggest

DATE_PROPERTIES = frozenset(
    {"startDate", "endDate", "foundingDate", "asOf", "datePublished", "plannedPresentationDate", "dateDescription"}
)
OFFICE_PROPERTIES = ("holds", "headOf", "jobTitle")
_ENTITY_KINDS = {"person": "people", "place": "places", "organisation": "organisations"}


@dataclass(frozen=True)
class Score:
    """Counts for one kind: curated items, how many are covered, suggestions, how many wrong.

    ``missed`` and ``wrongs`` describe the curated items not covered and the wrong
    suggestions, for reading (not part of the counts' arithmetic).
    """

    curated: int
    covered: int
    suggested: int
    wrong: int
    missed: tuple[str, ...] = ()
    wrongs: tuple[str, ...] = ()

    def __add__(self, other: Score) -> Score:
        counts = (a + b for a, b in zip(self.astuple(), other.astuple(), strict=True))
        return Score(*counts, self.missed + other.missed, self.wrongs + other.wrongs)  # type: ignore[call-arg]

    def astuple(self) -> tuple[int, int, int, int]:
        return (self.curated, self.covered, self.suggested, self.wrong)


def _local(iri: object) -> str:
    return str(iri).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _span(text: str, quote: str) -> tuple[int, int] | None:
    needle = normalize(quote)
    at = text.find(needle)
    return (at, at + len(needle)) if at >= 0 else None


def _overlaps(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> bool:
    return any(x[0] < y[1] and y[0] < x[1] for x in a for y in b)


def _date(value: str) -> str:
    return value.removesuffix(":00") if value.count(":") == 2 else value


def evaluate(project: Path | str, texts: Path, leave_out: bool = True) -> dict[str, dict[str, Score]]:
    """Score suggestions for every article of ``project`` whose text is in ``texts``.

    Returns:
        Source id to kind to :class:`Score`.
    """
    from graph.pipeline import load

    dataset = load(project)
    ancestors = class_ancestors(dataset.ontology)
    by_iri = {e.iri: e for e in dataset.entities.values()}
    found = load_texts(texts)
    raw_texts = {digest: path.read_bytes().decode("utf-8") for digest, (path, _) in found.items()}
    used_by: dict[str, set[str]] = {}
    for fact in dataset.facts:
        for node in (fact.subject, fact.object):
            if node in by_iri:
                used_by.setdefault(by_iri[node].id, set()).add(fact.source)
    registry_ids = {e.id for e in dataset.entities.values() if e.location.path.name.startswith("entities")}
    scores: dict[str, dict[str, Score]] = {}
    for source in sorted(dataset.sources.values(), key=lambda s: s.id):
        if source.sha256 not in raw_texts:
            continue
        registry = [
            (
                EntityRef(e.id, dataset.ontology.class_of(e.cls).name, str(e.name), True),
                tuple(str(a) for a in e.aliases),
            )
            for e in sorted(dataset.entities.values(), key=lambda e: e.id)
            if e.id in registry_ids and not (leave_out and used_by.get(e.id, set()) <= {source.id})
        ]
        result = suggest(raw_texts[source.sha256], registry, ancestors, source.id)
        facts = [f for f in dataset.facts if f.source == source.id]
        scores[source.id] = _score(result, facts, by_iri, dataset, ancestors)
    return scores


def _score(result: Suggestions, facts: list, by_iri: dict, dataset: object, ancestors: dict) -> dict[str, Score]:  # type: ignore[type-arg]
    text = normalize(result.text)
    ontology = dataset.ontology  # type: ignore[attr-defined]

    def kind_of_entity(entity: object) -> str | None:
        category = category_of(ontology.class_of(entity.cls).name, ancestors)  # type: ignore[attr-defined]
        return "parties" if category == "party" else _ENTITY_KINDS.get(category)

    def names(entity: object) -> set[str]:
        return {normalize(str(n)).casefold() for n in (entity.name, *entity.aliases)}  # type: ignore[attr-defined]

    def same(suggested: EntityRef, curated: object) -> bool:
        return suggested.id == curated.id or normalize(suggested.name).casefold() in names(curated)  # type: ignore[attr-defined]

    def spans(quotes: tuple) -> list[tuple[int, int]]:  # type: ignore[type-arg]
        return [s for q, _ in quotes if (s := _span(text, q))]

    curated_entities: dict[str, list[object]] = {k: [] for k in KINDS}
    parties, offices, dates, amounts, quotes = [], [], [], [], []
    for fact in facts:
        for node in (fact.subject, fact.object):
            entity = by_iri.get(node)
            if entity is not None and (kind := kind_of_entity(entity)) and entity not in curated_entities[kind]:
                curated_entities[kind].append(entity)
        prop = _local(fact.predicate)
        subject = by_iri.get(fact.subject)
        where = spans(fact.quotes)
        if prop == "memberOf" and fact.object in by_iri and kind_of_entity(by_iri[fact.object]) == "parties":
            parties.append((subject, by_iri[fact.object]))
        if prop in OFFICE_PROPERTIES and subject is not None:
            value = by_iri.get(fact.object)
            words = {w.casefold() for w in str(value.name if value else fact.object).replace(",", " ").split()}
            words |= {w.rsplit("-", 1)[-1] for w in words}
            offices.append((subject, prop, value.id if value else str(fact.object), words))
        for qualifier_prop, qualifier_value in ((prop, fact.object), *((_local(q), v) for q, v in fact.qualifiers)):
            if qualifier_prop in DATE_PROPERTIES:
                dates.append((_date(str(qualifier_value)).casefold(), where))
        if prop in ("amount", "value"):
            amounts.append((Decimal(str(fact.object)), where))
        if prop == "spokenBy" and subject is not None and ontology.class_of(subject.cls).name == "DirectQuote":
            text_fact = next((f for f in facts if f.subject == fact.subject and _local(f.predicate) == "text"), None)
            quoted = normalize(str(text_fact.object)) if text_fact else ""
            quotes.append((by_iri.get(fact.object), quoted))
    scores: dict[str, Score] = {}
    suggested_entities: dict[str, list[EntityRef]] = {k: [] for k in KINDS}
    for entity in [m.entity for m in result.mentions] + [
        e for s in result.suggestions for e in (s.subject, *s.objects)
    ]:
        kind = (
            "parties"
            if category_of(entity.type, ancestors) == "party"
            else _ENTITY_KINDS.get(category_of(entity.type, ancestors))
        )
        if kind and entity not in suggested_entities[kind]:
            suggested_entities[kind].append(entity)
    for kind in ("people", "organisations", "places"):
        curated = curated_entities[kind]
        proposed = suggested_entities[kind]
        missed = tuple(c.id for c in curated if not any(same(s, c) for s in proposed))  # type: ignore[attr-defined]
        wrongs = tuple(f"{s.id} ({s.name})" for s in proposed if not any(same(s, c) for c in curated))
        scores[kind] = Score(len(curated), len(curated) - len(missed), len(proposed), len(wrongs), missed, wrongs)

    party_claims = [(s.subject, v) for s in result.suggestions if s.kind == "parties" for p, v in s.claims]

    def party_hit(claim: tuple[EntityRef, object], item: tuple[object, object]) -> bool:
        return same(claim[0], item[0]) and (claim[1] == item[1].id or str(claim[1]) in names(item[1]))  # type: ignore[attr-defined]

    scores["parties"] = _pairs(party_claims, parties, party_hit)

    office_claims = [(s.subject, p, str(v)) for s in result.suggestions for p, v in s.claims if p in OFFICE_PROPERTIES]
    from graph.suggest.lexicon import lexicon

    def office_hit(claim: tuple[EntityRef, str, str], item: tuple) -> bool:  # type: ignore[type-arg]
        person, prop, value, words = item
        if not same(claim[0], person):
            return False
        if claim[2] == value:
            return True
        title = claim[2].casefold()
        if claim[1] == "jobTitle" and (title in words or title.rsplit("-", 1)[-1] in words):
            return True
        if prop == "headOf" and claim[1] == "jobTitle" and lexicon().is_head(claim[2]):
            return True
        return claim[1] == "holds" and prop == "jobTitle" and any(w in claim[2] for w in words)

    scores["offices"] = _pairs(office_claims, offices, office_hit)

    def located(s: object) -> list[tuple[int, int]]:
        found = _span(text, s.quote)  # type: ignore[attr-defined]
        return [found] if found else []

    date_claims = [
        (_date(str(v)).casefold(), located(s))
        for s in result.suggestions
        for p, v in (*s.claims, *s.qualifiers)
        if p in DATE_PROPERTIES
    ]
    date_claims += [(_date(str(v)).casefold(), [(0, len(text))]) for p, v, _ in result.source_claims]
    scores["dates"] = _pairs(date_claims, dates, lambda c, i: c[0] == i[0] and _overlaps(c[1], i[1]))
    amount_claims = [
        (Decimal(str(v)), located(s)) for s in result.suggestions for p, v in s.claims if p in ("amount", "value")
    ]
    scores["amounts"] = _pairs(amount_claims, amounts, lambda c, i: c[0] == i[0] and _overlaps(c[1], i[1]))
    quote_claims = [
        (s.objects[0], normalize(str(dict(s.claims)["text"]))) for s in result.suggestions if s.kind == "quotes"
    ]

    def quote_hit(claim: tuple[EntityRef, str], item: tuple) -> bool:  # type: ignore[type-arg]
        speaker, quoted = item
        words_overlap = claim[1] in quoted or quoted in claim[1]
        return speaker is not None and same(claim[0], speaker) and bool(quoted) and words_overlap

    scores["quotes"] = _pairs(quote_claims, quotes, quote_hit)
    return {kind: scores[kind] for kind in KINDS}


def _pairs(claims: list, items: list, hit: object) -> Score:  # type: ignore[type-arg]
    missed = tuple(_show(i) for i in items if not any(hit(c, i) for c in claims))  # type: ignore[operator]
    wrongs = tuple(_show(c) for c in claims if not any(hit(c, i) for i in items))  # type: ignore[operator]
    return Score(len(items), len(items) - len(missed), len(claims), len(wrongs), missed, wrongs)


def _show(item: tuple) -> str:  # type: ignore[type-arg]
    parts = [getattr(p, "id", None) or (str(p) if not isinstance(p, list | set) else "") for p in item]
    return " ".join(p for p in parts if p)


def table(scores: dict[str, dict[str, Score]]) -> str:
    """A Markdown table: per kind, curated items covered (recall) and suggestions wrong (precision)."""
    lines = [
        "| kind | curated | covered | recall | suggested | wrong | precision |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for kind in KINDS:
        total = Score(0, 0, 0, 0)
        for per_kind in scores.values():
            total = total + per_kind[kind]
        recall = f"{100 * total.covered / total.curated:.0f} %" if total.curated else "–"
        precision = f"{100 * (total.suggested - total.wrong) / total.suggested:.0f} %" if total.suggested else "–"
        lines.append(
            f"| {kind} | {total.curated} | {total.covered} | {recall} | {total.suggested} | {total.wrong} | {precision} |"
        )
    return "\n".join(lines)
