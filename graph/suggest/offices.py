"""Titles, offices and parties of the people found, and people named by title alone.

- a title before a name, with a place in front ("Wuppertals Sozialdezernent Stefan Kühn"),
  after it as an apposition ("…, Leiterin des Kommunalen Integrationszentrums") or in a
  bracket ("(Kreisdirektor HSK)"): ``holds`` a registry post whose name has the title and
  whose place or body is named nearby, else ``jobTitle``; ``headOf`` for a head title
  followed by an organisation;
- a party in a bracket after a name: ``memberOf``;
- a title with an article and no name ("Der Staatssekretär forderte"): the person last
  named with that title, else the person named in the sentence before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from graph.suggest.gazetteer import Gazetteer, Spans
from graph.suggest.lexicon import lexicon
from graph.suggest.model import EntityRef, Mention, Suggestion
from graph.suggest.people import HONORIFIC, OF, TITLE
from graph.suggest.text import Sentence

_BRACKET = re.compile(r"\s*\(([^()\n]{1,60})\)")


@dataclass(frozen=True)
class _Titled:
    """A title that belongs to a person mention."""

    person: Mention
    title: str
    start: int  # where the phrase starts (possessive or title)
    end: int  # where it ends (name, bracket or apposition)
    title_end: int  # where the title word ends


def titled(text: str, mention: Mention, sentence: Sentence) -> list[_Titled]:
    """The titles given to a person mention: before it and in an apposition or bracket after."""
    lex = lexicon()
    result: list[_Titled] = []
    before = text[sentence.start : mention.start]
    match = re.search(r"(?:(?<![\w-])([A-ZÄÖÜ][\wäöüß]*s) )?((?:[A-ZÄÖÜ][\wäöüß]*-)?[A-ZÄÖÜ][a-zäöüß]+)\s+$", before)
    end = mention.end
    bracket = _BRACKET.match(text, end)
    if bracket:
        end = bracket.end()
    comma = re.search(rf"(?<![\w-])({TITLE})({OF}), $", before)
    if comma and lex.title_class(comma.group(1)):
        title_start = sentence.start + comma.start(1)
        result.append(_Titled(mention, comma.group(1), title_start, end, title_start + len(comma.group(1))))
    elif match and lex.title_class(match.group(2)):
        possessive = match.group(1) and match.group(1) not in lex.not_names
        phrase_start = sentence.start + (match.start(1) if possessive else match.start(2))
        result.append(_Titled(mention, match.group(2), phrase_start, end, sentence.start + match.end(2)))
    if bracket:
        inner = bracket.group(1).split(",")[0].strip()
        word = inner.split()[0] if inner else ""
        if lex.title_class(word):
            result.append(_Titled(mention, word, mention.start, bracket.end(), bracket.start(1) + len(word)))
    apposition = re.compile(r", (?:der |die )?((?:[A-ZÄÖÜ][\wäöüß]*-)?[A-ZÄÖÜ][a-zäöüß]+)((?: [^,.;:“„\"]*)?)").match(
        text, end
    )
    if apposition and lex.title_class(apposition.group(1)) and apposition.end() <= sentence.end:
        result.append(_Titled(mention, apposition.group(1), mention.start, apposition.end(), apposition.end(1)))
    return result


def parties_of(text: str, mention: Mention, gazetteer: Gazetteer) -> list[EntityRef]:
    """The parties in a bracket right after a person mention: "(SPD)", "(CDU, Kreistag)"."""
    bracket = _BRACKET.match(text, mention.end)
    if bracket is None:
        return []
    registry = {e.name.casefold(): e for e, c in gazetteer.by_id.values() if c == "party"}
    result: list[EntityRef] = []
    for part in re.split(r"[,;]", bracket.group(1)):
        form = part.strip().casefold()
        if form in registry:
            result.append(registry[form])
        elif form in lexicon().parties:
            party_id, name = lexicon().parties[form]
            result.append(registry.get(name.casefold()) or EntityRef(party_id, "PoliticalParty", name, False))
    return result


def office_suggestions(
    text: str,
    sentences: list[Sentence],
    mentions: list[Mention],
    gazetteer: Gazetteer,
    local: EntityRef | None,
) -> list[Suggestion]:
    """holds / jobTitle / headOf and memberOf for every titled person mention."""
    people = [m for m in mentions if gazetteer.category(m.entity) == "person"]
    spans = Spans(mentions)
    posts = [(p, {m.entity.id for m in gazetteer.find(p.name)}) for p in gazetteer.posts()]
    result: list[Suggestion] = []
    for person in people:
        sentence = next((s for s in sentences if s.start <= person.start < s.end), None)
        if sentence is None:
            continue
        context = [m for m in spans.between(sentence.start, sentence.end) if m.entity != person.entity]
        for item in titled(text, person, sentence):
            result.extend(_office(text, item, sentence, context, posts, local, gazetteer))
        honorific = re.match(HONORIFIC, person.surface)
        if honorific:
            claims = (("honorificPrefix", honorific.group().strip()),)
            result.append(Suggestion("people", person.entity, claims, person.surface, person.start, person.end))
        parties = parties_of(text, person, gazetteer)
        if parties:
            start = min([t.start for t in titled(text, person, sentence)] + [person.start])
            bracket = _BRACKET.match(text, person.end)
            assert bracket is not None
            result.append(
                Suggestion(
                    "parties",
                    person.entity,
                    tuple(("memberOf", p.id) for p in parties),
                    text[start : bracket.end()],
                    start,
                    bracket.end(),
                    objects=tuple(parties),
                )
            )
    return result


def _office(
    text: str,
    item: _Titled,
    sentence: Sentence,
    context: list[Mention],
    posts: list[tuple[EntityRef, set[str]]],
    local: EntityRef | None,
    gazetteer: Gazetteer,
) -> list[Suggestion]:
    title = item.title
    base = title.rsplit("-", 1)[-1].casefold()
    near = [m for m in context if item.start - 1 <= m.start <= item.end + 60]
    ids = {m.entity.id for m in near}
    fitting = []
    for post, post_context in posts:
        words = {w.casefold() for w in re.split(r"[ ,]+", post.name)} | {
            w.rsplit("-", 1)[-1].casefold() for w in post.name.split()
        }
        if title.casefold() in words or base in words:
            overlap = post_context & ids or (post_context & {local.id} if local else set())
            if overlap:
                fitting.append((len(overlap), post, overlap))
    start, end = item.start, item.end
    claims: list[tuple[str, str]] = []
    objects: list[EntityRef] = []
    best = sorted(fitting, key=lambda f: -f[0])
    if best and (len(best) == 1 or best[0][0] > best[1][0]):
        post, overlap = best[0][1], best[0][2]
        claims.append(("holds", post.id))
        objects.append(post)
        used = [m for m in near if m.entity.id in overlap]
        if used:
            end = max(end, max(m.end for m in used))
            start = min(start, min(m.start for m in used))
    else:
        claims.append(("jobTitle", title))
    if lexicon().is_head(title):
        organisations = [  # "Leiterin des Kommunalen Integrationszentrums" (not a place, a person, an event)
            m
            for m in context
            if item.title_end <= m.start <= item.end + 5 and gazetteer.category(m.entity) == "organisation"
        ]
        if organisations:
            claims.append(("headOf", organisations[0].entity.id))
            objects.append(organisations[0].entity)
            end = max(end, organisations[0].end)
    end = min(end, sentence.end)
    return [
        Suggestion("offices", item.person.entity, tuple(claims), text[start:end], start, end, objects=tuple(objects))
    ]


_DEFINITE = re.compile(
    r"(?<![\w-])(?:[Dd]er|[Dd]ie|[Dd]es|[Dd]em|[Dd]en) ((?:[A-ZÄÖÜ][\wäöüß]*-)?[A-ZÄÖÜ][a-zäöüß]+)(?![\w-])"
)


def _gender_free(title: str) -> str:
    base = title.rsplit("-", 1)[-1].casefold()
    return base[:-2] if base.endswith("in") and lexicon().title_class(base[:-2]) else base


def title_references(
    text: str, sentences: list[Sentence], mentions: list[Mention], gazetteer: Gazetteer
) -> tuple[list[Mention], list[Suggestion]]:
    """ "Der Staatssekretär forderte …": a title with an article and no name refers to a person.

    It is the last person named before with that title, else the last person named in
    the sentence before. When the title and the words after it begin a registry post's
    name ("Die Staatssekretärin für Integration"), the person holds that post.
    """
    lex = lexicon()
    people = [m for m in mentions if gazetteer.category(m.entity) == "person"]
    titles: list[tuple[Mention, str]] = []
    for person in people:
        sentence = next((s for s in sentences if s.start <= person.start < s.end), None)
        if sentence is not None:
            titles += [(person, _gender_free(t.title)) for t in titled(text, person, sentence)]
    found: list[Mention] = []
    suggestions: list[Suggestion] = []
    for match in _DEFINITE.finditer(text):
        word = match.group(1)
        if lex.title_class(word) is None or any(match.end() <= p.start <= match.end() + 1 for p in people):
            continue
        sentence = next((s for s in sentences if s.start <= match.start() < s.end), None)
        if sentence is None:
            continue
        earlier = [p for p, t in titles if p.end <= match.start() and t == _gender_free(word)]
        if earlier:
            person = earlier[-1]
        else:
            index = sentences.index(sentence)
            before = [p for p in people if index and sentences[index - 1].start <= p.start < sentence.start]
            if not before:
                continue
            person = before[-1]
        found.append(Mention(person.entity, match.start(), match.end(), match.group()))
        phrase = re.match(r"[^,.;:!?„“\"]*", text[match.start(1) : sentence.end])
        words = phrase.group().split() if phrase else []
        for post in gazetteer.posts():
            name = post.name.split()
            size = next((n for n in range(len(words), 1, -1) if words[:n] == name[:n]), 0)
            if size:
                end = match.start(1) + len(" ".join(words[:size]))
                suggestions.append(
                    Suggestion(
                        "offices",
                        person.entity,
                        (("holds", post.id),),
                        text[match.start() : end],
                        match.start(),
                        end,
                        note=f"'{match.group()}' read as {person.entity.name}",
                        objects=(post,),
                    )
                )
                break
    return found, suggestions
