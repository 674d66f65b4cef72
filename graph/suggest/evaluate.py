"""Score ``kg suggest`` against curated articles: recall and precision per kind.

For each article whose text is found (by SHA-256), the curated facts of that article
are the answer key:

- people, organisations, places: the entities of those classes its facts use (as
  subject or object); parties count as their own kind;
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
article uses are removed from the registry first, so the rules must find them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from graph.dataset import Dataset, Entity, Fact
from graph.quotes import load_texts, normalize
from graph.suggest.gazetteer import category_of
from graph.suggest.lexicon import lexicon
from graph.suggest.model import KINDS, EntityRef, Suggestion, Suggestions
from graph.suggest.run import class_ancestors, suggest

DATE_PROPERTIES = frozenset(
    {"startDate", "endDate", "foundingDate", "asOf", "datePublished", "plannedPresentationDate", "dateDescription"}
)
OFFICE_PROPERTIES = ("holds", "headOf", "jobTitle")
_ENTITY_KINDS = {"person": "people", "place": "places", "organisation": "organisations", "party": "parties"}

Span = tuple[int, int]
C = TypeVar("C")
I = TypeVar("I")  # noqa: E741


@dataclass(frozen=True)
class Score:
    """Counts for one kind: curated items, how many are covered, suggestions, how many wrong.

    ``missed`` and ``wrongs`` name the curated items not covered and the wrong suggestions.
    """

    curated: int
    covered: int
    suggested: int
    wrong: int
    missed: tuple[str, ...] = ()
    wrongs: tuple[str, ...] = ()

    def __add__(self, other: Score) -> Score:
        return Score(
            self.curated + other.curated,
            self.covered + other.covered,
            self.suggested + other.suggested,
            self.wrong + other.wrong,
            self.missed + other.missed,
            self.wrongs + other.wrongs,
        )


@dataclass(frozen=True)
class _Office:
    person: Entity
    property: str
    value: str  # an id, or the job title
    words: frozenset[str]  # words of the post's name or the job title, casefolded


def evaluate(project: Path | str, texts: Path | str, leave_out: bool = True) -> dict[str, dict[str, Score]]:
    """Score suggestions for every article of ``project`` whose text is in ``texts``.

    Args:
        project: The project folder.
        texts: The folder with the articles' texts (found by SHA-256).
        leave_out: Remove the registry entities only this article uses, as for a new article.

    Returns:
        Source id to kind to :class:`Score`.
    """
    from graph.pipeline import load

    dataset = load(project)
    ancestors = class_ancestors(dataset.ontology)
    texts_found = {digest: path.read_bytes().decode("utf-8") for digest, (path, _) in load_texts(Path(texts)).items()}
    by_iri: dict[object, Entity] = {e.iri: e for e in dataset.entities.values()}
    used_by: dict[str, set[str]] = {}
    for fact in dataset.facts:
        for node in (fact.subject, fact.object):
            entity = by_iri.get(node)
            if entity is not None:
                used_by.setdefault(entity.id, set()).add(fact.source)
    in_registry = [e for e in dataset.entities.values() if e.location.path.name.startswith("entities")]
    scores: dict[str, dict[str, Score]] = {}
    for source in sorted(dataset.sources.values(), key=lambda s: s.id):
        if source.sha256 not in texts_found:
            continue
        registry = [
            (_ref(dataset, e), tuple(str(a) for a in e.aliases))
            for e in sorted(in_registry, key=lambda e: e.id)
            if not (leave_out and used_by.get(e.id, set()) <= {source.id})
        ]
        result = suggest(texts_found[source.sha256], registry, ancestors, source.id)
        facts = [f for f in dataset.facts if f.source == source.id]
        scores[source.id] = _Scorer(dataset, ancestors, by_iri, result).score(facts)
    return scores


def _ref(dataset: Dataset, entity: Entity) -> EntityRef:
    return EntityRef(entity.id, dataset.ontology.class_of(entity.cls).name, str(entity.name), True)


def _local(iri: object) -> str:
    return str(iri).rsplit("#", 1)[-1]


def _date(value: object) -> str:
    text = str(value)
    return (text.removesuffix(":00") if text.count(":") == 2 else text).casefold()


class _Scorer:
    """The answer key of one article and the matching rules."""

    def __init__(
        self,
        dataset: Dataset,
        ancestors: dict[str, frozenset[str]],
        by_iri: dict[object, Entity],
        result: Suggestions,
    ) -> None:
        self.dataset = dataset
        self.ancestors = ancestors
        self.by_iri = by_iri
        self.result = result
        self.text = normalize(result.text)

    def span(self, quote: str) -> Span | None:
        needle = normalize(quote)
        at = self.text.find(needle)
        return (at, at + len(needle)) if at >= 0 else None

    def spans(self, quotes: Sequence[tuple[str, object]]) -> list[Span]:
        return [s for q, _ in quotes if (s := self.span(q))]

    def located(self, item: Suggestion) -> list[Span]:
        found = self.span(item.quote)
        return [found] if found else []

    def kind(self, type_name: str) -> str | None:
        return _ENTITY_KINDS.get(category_of(type_name, self.ancestors))

    def entity(self, node: object) -> Entity | None:
        return self.by_iri.get(node)

    def same(self, suggested: EntityRef, curated: Entity) -> bool:
        names = {normalize(str(n)).casefold() for n in (curated.name, *curated.aliases)}
        return suggested.id == curated.id or normalize(suggested.name).casefold() in names

    def score(self, facts: list[Fact]) -> dict[str, Score]:
        """Per kind, the curated items covered and the suggestions that are wrong."""
        scores = self._entities(facts)
        suggestions = self.result.suggestions
        parties = [
            (person, party)
            for f in facts
            if _local(f.predicate) == "memberOf"
            and (person := self.entity(f.subject))
            and (party := self.entity(f.object))
            and self.kind(self.dataset.ontology.class_of(party.cls).name) == "parties"
        ]
        claimed = [(s.subject, str(v)) for s in suggestions if s.kind == "parties" for _, v in s.claims]
        scores["parties"] = _pairs(
            claimed, parties, lambda c, i: self.same(c[0], i[0]) and c[1] == i[1].id, _show_pair, _show_pair
        )
        offices = [self._office(f) for f in facts if _local(f.predicate) in OFFICE_PROPERTIES]
        office_claims = [(s.subject, p, str(v)) for s in suggestions for p, v in s.claims if p in OFFICE_PROPERTIES]
        scores["offices"] = _pairs(
            office_claims,
            [o for o in offices if o is not None],
            self._office_hit,
            lambda c: f"{c[0].id} {c[1]} {c[2]}",
            lambda i: f"{i.person.id} {i.property} {i.value}",
        )
        dates = [
            (_date(value), self.spans(f.quotes))
            for f in facts
            for prop, value in ((_local(f.predicate), f.object), *((_local(q), v) for q, v in f.qualifiers))
            if prop in DATE_PROPERTIES
        ]
        date_claims = [
            (_date(v), self.located(s))
            for s in suggestions
            for p, v in (*s.claims, *s.qualifiers)
            if p in DATE_PROPERTIES
        ]
        date_claims += [(_date(v), [(0, len(self.text))]) for _, v, _ in self.result.source_claims]
        scores["dates"] = _pairs(date_claims, dates, _same_value, _show_value, _show_value)
        amounts = [
            (Decimal(str(f.object)), self.spans(f.quotes)) for f in facts if _local(f.predicate) in ("amount", "value")
        ]
        amount_claims = [
            (Decimal(str(v)), self.located(s)) for s in suggestions for p, v in s.claims if p in ("amount", "value")
        ]
        scores["amounts"] = _pairs(amount_claims, amounts, _same_value, _show_value, _show_value)
        scores["quotes"] = self._quotes(facts)
        return {kind: scores[kind] for kind in KINDS}

    def _entities(self, facts: list[Fact]) -> dict[str, Score]:
        curated: dict[str, list[Entity]] = {k: [] for k in KINDS}
        for fact in facts:
            for node in (fact.subject, fact.object):
                entity = self.entity(node)
                if entity is None:
                    continue
                kind = self.kind(self.dataset.ontology.class_of(entity.cls).name)
                if kind and entity not in curated[kind]:
                    curated[kind].append(entity)
        proposed: dict[str, list[EntityRef]] = {k: [] for k in KINDS}
        mentioned = [m.entity for m in self.result.mentions]
        for ref in mentioned + [e for s in self.result.suggestions for e in (s.subject, *s.objects)]:
            kind = self.kind(ref.type)
            if kind and ref not in proposed[kind]:
                proposed[kind].append(ref)
        scores = {}
        for kind in ("people", "organisations", "places"):
            scores[kind] = _pairs(
                proposed[kind], curated[kind], self.same, lambda e: f"{e.id} ({e.name})", lambda e: e.id
            )
        return scores

    def _office(self, fact: Fact) -> _Office | None:
        person = self.entity(fact.subject)
        if person is None:
            return None
        value = self.entity(fact.object)
        words = {w.casefold() for w in str(value.name if value else fact.object).replace(",", " ").split()}
        words |= {w.rsplit("-", 1)[-1] for w in words}
        return _Office(person, _local(fact.predicate), value.id if value else str(fact.object), frozenset(words))

    def _office_hit(self, claim: tuple[EntityRef, str, str], item: _Office) -> bool:
        person, prop, value = claim
        if not self.same(person, item.person):
            return False
        if value == item.value:
            return True
        title = value.casefold()
        if prop == "jobTitle" and (title in item.words or title.rsplit("-", 1)[-1] in item.words):
            return True
        return item.property == "headOf" and prop == "jobTitle" and lexicon().is_head(value)

    def _quotes(self, facts: list[Fact]) -> Score:
        curated: list[tuple[Entity, str]] = []
        for fact in facts:
            quotation = self.entity(fact.subject)
            speaker = self.entity(fact.object)
            if _local(fact.predicate) != "spokenBy" or quotation is None or speaker is None:
                continue
            if self.dataset.ontology.class_of(quotation.cls).name != "DirectQuote":
                continue
            said = next((f for f in facts if f.subject == fact.subject and _local(f.predicate) == "text"), None)
            if said is not None:
                curated.append((speaker, normalize(str(said.object))))
        claims = [
            (s.objects[0], normalize(str(dict(s.claims)["text"])))
            for s in self.result.suggestions
            if s.kind == "quotes"
        ]

        def hit(claim: tuple[EntityRef, str], item: tuple[Entity, str]) -> bool:
            return self.same(claim[0], item[0]) and (claim[1] in item[1] or item[1] in claim[1])

        return _pairs(claims, curated, hit, lambda c: f"{c[0].id}: {c[1]}", lambda i: f"{i[0].id}: {i[1]}")


def _same_value(claim: tuple[object, list[Span]], item: tuple[object, list[Span]]) -> bool:
    return claim[0] == item[0] and any(a[0] < b[1] and b[0] < a[1] for a in claim[1] for b in item[1])


def _show_value(item: tuple[object, list[Span]]) -> str:
    return str(item[0])


def _show_pair(item: tuple[EntityRef | Entity, object]) -> str:
    value = item[1]
    return f"{item[0].id} {getattr(value, 'id', value)}"


def _pairs(
    claims: Sequence[C],
    items: Sequence[I],
    hit: Callable[[C, I], bool],
    show_claim: Callable[[C], str],
    show_item: Callable[[I], str],
) -> Score:
    missed = tuple(show_item(i) for i in items if not any(hit(c, i) for c in claims))
    wrongs = tuple(show_claim(c) for c in claims if not any(hit(c, i) for i in items))
    return Score(len(items), len(items) - len(missed), len(claims), len(wrongs), missed, wrongs)


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
        recall = f"{100 * total.covered / total.curated:.0f} %" if total.curated else "\u2013"
        right = total.suggested - total.wrong
        precision = f"{100 * right / total.suggested:.0f} %" if total.suggested else "\u2013"
        lines.append(
            f"| {kind} | {total.curated} | {total.covered} | {recall} | {total.suggested} | {total.wrong} "
            f"| {precision} |"
        )
    return "\n".join(lines)
