"""Dates as fact entries: with the event, programme, body or sum of their sentence."""

from __future__ import annotations

import re

from graph.suggest import numbers
from graph.suggest.gazetteer import Gazetteer, Spans, category_of
from graph.suggest.lexicon import lexicon
from graph.suggest.model import EntityRef, Mention, Suggestion, Value
from graph.suggest.text import Sentence, clip, sentence_at, slug


def date_suggestions(
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
    spans = Spans(found)
    for date in numbers.find_dates(text, body):
        if spans.at(date.start) is not None:
            continue
        sentence = sentence_at(parts, date.start)
        if sentence is None:
            continue
        start, end = clip(text, sentence.start, sentence.end)
        if not start <= date.start < end:
            start, end = clip(text, date.start, sentence.end)
        in_sentence = spans.between(sentence.start, sentence.end)
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
        event = _event_noun(sentence)
        if subject is None and event is not None:
            noun, type_, definite = event
            named = [
                m.entity
                for m in spans.between(body, sentence.start)
                if category_of(m.entity.type, ancestors) == "event"
            ]
            earlier = [e for e in named if noun.casefold() in e.name.casefold()]
            if definite and earlier:  # "Die Konferenz fördert seit 2018 …": the conference named before
                subject = earlier[-1]
            else:
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


def _event_noun(sentence: Sentence) -> tuple[str, str, bool] | None:
    """The first event noun of a sentence ("Integrationskonferenz"), the class it gives, and
    whether it is a bare noun with a definite article ("Die Konferenz"), which refers back."""
    groups: dict[str, list[str]] = lexicon().data["event_words"]
    endings = sorted(((e, cls) for cls, words in groups.items() for e in words), key=lambda p: -len(p[0]))
    for match in re.finditer(r"(?:\b([Dd](?:er|ie|as|em|en|es)) )?(?<![\w-])([A-ZÄÖÜ][\wäöüß-]*)", sentence.text):
        word = match.group(2)
        stem = re.sub(r"(?:es|s)$", "", word) if not word.endswith(("ss", "us")) else word
        for ending, cls in endings:
            if stem.casefold().endswith(ending):
                return stem, cls, bool(match.group(1)) and stem.casefold() == ending
    return None
