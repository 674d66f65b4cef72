"""People, their titles and offices, and their parties.

Patterns (general German newspaper usage):

- a title before a name: "Landrat Olaf Schade", "Wuppertals Sozialdezernent Stefan Kühn",
  "NRW-Staatssekretärin Serap Güler", "Gesamtkoordinatorin Verena Eberhardt";
- an apposition after a name: "Thorsten Klute, Staatssekretär im Ministerium ...",
  "Arlin Cakal-Rasch, Leiterin des Kommunalen Integrationszentrums";
- a bracket after a name: a party "(SPD)" or a title "(Kreisdirektor HSK)";
- later short forms: the surname alone once the full name is known ("sagte Kühn").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from graph.suggest.gazetteer import Gazetteer, compile_form, select
from graph.suggest.lexicon import lexicon
from graph.suggest.model import EntityRef, Mention, Suggestion
from graph.suggest.text import Sentence, slug

CAPN = r"[A-ZÄÖÜ][a-zäöüß]+(?:-[A-ZÄÖÜ][a-zäöüß]+)?"
HONORIFIC = r"(?:(?:Prof\. )?Dr\. (?:med\. )?|Prof\. )"
NAME = rf"(?:{HONORIFIC})?{CAPN}(?: (?:von |van |de |zu )?{CAPN}){{1,2}}"
TITLE_WORD = re.compile(r"(?<![\w-])((?:[A-ZÄÖÜ][\wäöüß]*-)?[A-ZÄÖÜ][a-zäöüß]+)(?![\w-])")
_BRACKET = re.compile(r"\s*\(([^()\n]{1,60})\)")
_NAME_AFTER = re.compile(rf"\s+({NAME}|{CAPN})(?![\w-])")
_PLACE_TYPES = ("City", "District", "State", "Locality", "Region", "Country")
_TITLE = r"(?:[A-ZÄÖÜ][\wäöüß]*-)?[A-ZÄÖÜ][a-zäöüß]+"
# "Seine Leiterin, Maria Schulz," / "der Vorsitzende des Integrationsrates, Ahmet Yilmaz,"
_OF = r"(?: (?:des|der|im|vom|von der|beim) [^,.;:„“\"]{1,60})?"
_TITLE_COMMA_NAME = re.compile(rf"(?<![\w-])({_TITLE})({_OF}), ({NAME})(?=[,.;:]| und | sagte| sagt| so\b)")


@dataclass(frozen=True)
class _Titled:
    """A title that belongs to a person mention."""

    person: Mention
    title: str
    start: int  # where the phrase starts (possessive or title)
    end: int  # where it ends (name, bracket or apposition)
    title_end: int  # where the title word ends


def _clean_name(name: str) -> tuple[str, str | None]:
    match = re.match(rf"({HONORIFIC})", name)
    if match:
        return name[match.end() :], match.group(1).strip()
    return name, None


def _valid_name(name: str) -> bool:
    lex = lexicon()
    words = re.split(r"[ -]", _clean_name(name)[0])
    stop = lex.not_names | frozenset(lex.words("unit_words"))
    return all(w not in stop and lex.title_class(w) is None for w in words)


def person_candidates(text: str, start: int, gazetteer: Gazetteer) -> list[Mention]:
    """New people named after a title or before an apposition, plus known people."""
    lex = lexicon()
    known = {e.name.casefold(): e for e in gazetteer.people()}
    found: list[Mention] = []
    for match in TITLE_WORD.finditer(text, start):
        cls = lex.title_class(match.group(1))
        if cls is None:
            continue
        after = _NAME_AFTER.match(text, match.end())
        if after is None or " " not in _clean_name(after.group(1))[0] or not _valid_name(after.group(1)):
            continue
        found.append(_person(after.group(1), cls, after.start(1), after.end(1), known))
    apposition = re.compile(rf"(?<![\w-])({NAME}), (?:der |die )?((?:[A-ZÄÖÜ][\wäöüß]*-)?[A-ZÄÖÜ][a-zäöüß]+)(?![\w-])")
    for match in apposition.finditer(text, start):
        cls = lex.title_class(match.group(2))
        if cls is not None and _valid_name(match.group(1)):
            found.append(_person(match.group(1), cls, match.start(1), match.end(1), known))
    for match in _TITLE_COMMA_NAME.finditer(text, start):
        cls = lex.title_class(match.group(1))
        if cls is not None and _valid_name(match.group(3)):
            found.append(_person(match.group(3), cls, match.start(3), match.end(3), known))
    bracketed = re.compile(rf"(?<![\w-])({NAME}) \((?:[A-ZÄÖÜ][\wäöüß]*-)?([A-ZÄÖÜ][a-zäöüß]+)[ ,)]")
    for match in bracketed.finditer(text, start):  # "Dr. Klaus Drathen (Kreisdirektor HSK)"
        cls = lex.title_class(match.group(2))
        if cls is not None and _valid_name(match.group(1)):
            found.append(_person(match.group(1), cls, match.start(1), match.end(1), known))
    honoured = re.compile(rf"(?<![\w-])({HONORIFIC}{CAPN}(?: (?:von |van |de |zu )?{CAPN}){{1,2}})(?![\w-])")
    for match in honoured.finditer(text, start):  # "Dr. Anna Feld"
        if _valid_name(match.group(1)):
            found.append(_person(match.group(1), "Person", match.start(1), match.end(1), known))
    return found


def _person(name: str, cls: str, start: int, end: int, known: dict[str, EntityRef]) -> Mention:
    bare, _ = _clean_name(name)
    entity = known.get(bare.casefold()) or EntityRef(slug(bare), cls, bare, known=False)
    return Mention(entity, start, end, name)


def short_forms(text: str, start: int, people: list[EntityRef]) -> list[Mention]:
    """Surnames alone ("Kühn"), for people whose full name the text gives; unambiguous only."""
    by_surname: dict[str, list[EntityRef]] = {}
    for person in people:
        by_surname.setdefault(person.name.split()[-1], []).append(person)
    found: list[Mention] = []
    for surname, owners in by_surname.items():
        if len(owners) != 1 or len(surname) < 3:
            continue
        for match in compile_form(surname, person=True).finditer(text, start):
            found.append(Mention(owners[0], match.start(), match.end(), match.group()))
    return found


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
    comma = re.search(rf"(?<![\w-])({_TITLE})({_OF}), $", before)
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
    posts = [(p, {m.entity.id for m in gazetteer.find(p.name)}) for p in gazetteer.posts()]
    result: list[Suggestion] = []
    for person in people:
        sentence = next((s for s in sentences if s.start <= person.start < s.end), None)
        if sentence is None:
            continue
        context = [m for m in mentions if sentence.start <= m.start < sentence.end and m.entity != person.entity]
        for item in titled(text, person, sentence):
            result.extend(_office(text, item, sentence, context, posts, local))
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
        following = [
            m
            for m in context
            if item.title_end <= m.start <= item.end + 5
            and m.entity.type not in _PLACE_TYPES
            and m.entity.type != "Venue"
        ]
        organisations = [m for m in following if m.entity.type not in ("Politician", "Person", "Journalist")]
        if organisations:
            claims.append(("headOf", organisations[0].entity.id))
            objects.append(organisations[0].entity)
            end = max(end, organisations[0].end)
    end = min(end, sentence.end)
    return [
        Suggestion("offices", item.person.entity, tuple(claims), text[start:end], start, end, objects=tuple(objects))
    ]


def find_people(text: str, start: int, mentions: list[Mention], gazetteer: Gazetteer) -> list[Mention]:
    """All person mentions (known and new, with short forms), merged into ``mentions``."""
    candidates = person_candidates(text, start, gazetteer)
    merged = select(mentions + candidates)
    people = list(dict.fromkeys(m.entity for m in merged if gazetteer.category(m.entity) == "person"))
    return select(merged + short_forms(text, start, people))


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


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?:\+|0)\d[\d /-]{6,}\d")


def contact_blocks(
    text: str, start: int, mentions: list[Mention], gazetteer: Gazetteer
) -> tuple[list[Mention], list[Suggestion]]:
    """A contact box: a line with only a name, then within four lines an e-mail address or
    telephone number; the units named on the lines between are the person's."""
    known = {e.name.casefold(): e for e in gazetteer.people()}
    lines = [(m.start(), m.end(), m.group().strip()) for m in re.finditer(r"[^\n]+", text[start:])]
    lines = [(start + a, start + b, t) for a, b, t in lines if t]
    found: list[Mention] = []
    suggestions: list[Suggestion] = []
    for index, (line_start, line_end, line) in enumerate(lines):
        if not re.fullmatch(NAME, line) or not _valid_name(line):
            continue
        claims: list[tuple[str, str]] = []
        units: list[EntityRef] = []
        end = line_end
        for next_start, next_end, following in lines[index + 1 : index + 5]:
            email, phone = _EMAIL.fullmatch(following), _PHONE.fullmatch(following)
            unit = next((m for m in mentions if m.start == next_start and m.end == next_end), None)
            if email:
                claims.append(("email", following))
            elif phone:
                claims.append(("telephone", following))
            elif unit is not None and unit.entity.type == "OrganizationalUnit":
                units.append(unit.entity)
                continue
            else:
                break
            end = next_end
        if not claims:
            continue
        bare = text[text.index(line, line_start) : line_end]
        entity = known.get(line.casefold()) or EntityRef(slug(line), "Person", line, False)
        found.append(Mention(entity, line_start, line_start + len(bare), bare))
        all_claims = tuple([("memberOf", u.id) for u in units] + claims)
        suggestions.append(
            Suggestion("people", entity, all_claims, text[line_start:end], line_start, end, objects=tuple(units))
        )
    return found, suggestions
