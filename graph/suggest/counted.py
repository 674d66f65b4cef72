"""Amounts as fact entries: sums of money as FundingCommitment, percentages and counts as Statistic."""

from __future__ import annotations

import re
from decimal import Decimal

from graph.suggest import numbers
from graph.suggest.gazetteer import Spans
from graph.suggest.lexicon import lexicon
from graph.suggest.model import EntityRef, Mention, Suggestion, Value
from graph.suggest.places import PLACE_TYPES
from graph.suggest.text import Sentence, clip, sentence_at, slug


def amount_suggestions(
    text: str, body: int, parts: list[Sentence], found: list[Mention], local: EntityRef | None
) -> list[Suggestion]:
    """Money as FundingCommitment, percentages and counts as Statistic."""
    result = []
    spans = Spans(found)
    for number in numbers.find_numbers(text, body):
        if spans.at(number.start) is not None:
            continue
        sentence = sentence_at(parts, number.start)
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
            (m.entity for m in found if sentence.start <= m.start < sentence.end and m.entity.type in PLACE_TYPES),
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
