"""Direct quotes and their speakers.

A quote is text in „…“, "…", “…” or »…« of at least four words (shorter ones are
names or scare quotes). Its speaker is, in this order: the first person named after
it in the same sentence ("…“, sagte Güler"; "…“ followed by a dash and "mit dieser
Frage machte Landrat Olaf Schade …"), the last person named before it in the same sentence ("Brux betonte:
„…“"), or the last person named before it in the text (a quote that continues a
speaker's paragraph; the entry says so in its note).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from graph.suggest.gazetteer import Gazetteer
from graph.suggest.lexicon import lexicon
from graph.suggest.model import EntityRef, Mention, Suggestion, Value
from graph.suggest.text import Sentence, clip, slug

_QUOTES = re.compile(r"„([^“„\n]+)“|\"([^\"\n]+)\"|“([^”“\n]+)”|»([^«\n]+)«")


@dataclass(frozen=True)
class QuoteFound:
    """A direct quote, its speaker mention, and the span that backs both."""

    text: str
    speaker: Mention
    start: int
    end: int
    inferred: bool  # the speaker comes from an earlier sentence


def _is_speech(words: str, after: str, before: str) -> bool:
    """Words in quotation marks are speech when they are attributed ("…“, sagte X"; "X betonte: „…“")
    or read like a sentence (four words or more, two of them in small letters); else they are a
    name or a scare quote ("„Integrationsmanager“")."""
    verbs = "|".join(lexicon().words("speech_verbs"))
    if re.match(rf"\s*,\s*(?:{verbs})\b", after) or re.search(r":\s*$", before):
        return True
    lower = [w for w in words.split() if w[:1].islower() and w not in ("und", "oder")]
    return len(words.split()) >= 4 and len(lower) >= 2


def find_quotes(text: str, start: int, sentences: list[Sentence], people: list[Mention]) -> list[QuoteFound]:
    """Every direct quote with a speaker."""
    found: list[QuoteFound] = []
    for match in _QUOTES.finditer(text, start):
        words = next(g for g in match.groups() if g is not None).strip()
        if not _is_speech(
            words, text[match.end() : match.end() + 30], text[max(0, match.start() - 30) : match.start()]
        ):
            continue
        first = next((s for s in sentences if s.start <= match.start() < s.end), None)
        last = next((s for s in sentences if s.start < match.end() <= s.end), None)
        if first is None or last is None:
            continue
        after = [p for p in people if match.end() <= p.start < last.end]
        before = [p for p in people if first.start <= p.start and p.end <= match.start()]
        tail = text[match.end() : last.end]
        if after and re.match(r"\s*[,\u2013-]", tail):
            speaker = after[0]
            span = (match.start(), speaker.end)
            inferred = False
        elif before:
            speaker = before[-1]
            span = (speaker.start, match.end())
            inferred = False
        else:
            earlier = [p for p in people if p.end <= first.start]
            if not earlier:
                continue
            speaker = earlier[-1]
            span = (match.start(), match.end())
            inferred = True
        found.append(QuoteFound(words, speaker, span[0], span[1], inferred))
    return found


def quote_suggestions(
    text: str, body: int, parts: list[Sentence], found: list[Mention], gazetteer: Gazetteer
) -> list[Suggestion]:
    speakers = [m for m in found if gazetteer.category(m.entity) == "person"]
    result = []
    for quote in find_quotes(text, body, parts, speakers):
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
