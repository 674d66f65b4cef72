"""Finding people: new ones from German naming patterns, known ones by name and short form.

- a title before a name: "Landrat Olaf Schade", "NRW-Staatssekretärin Serap Güler",
  "Gesamtkoordinatorin Verena Eberhardt";
- a name before an apposition ("Thorsten Klute, Staatssekretär im ...") or a bracketed title
  ("Dr. Klaus Drathen (Kreisdirektor HSK)"), a title before a comma and a name ("Seine
  Leiterin, Maria Schulz,"), a name with an honorific ("Dr. Anna Feld");
- a photo credit ("Foto: Jürgen Theobald") and a contact box (a name line, units, e-mail);
- later short forms: the surname alone once the full name is known ("sagte Kühn").

Titles, offices and parties are read in :mod:`graph.suggest.offices`.
"""

from __future__ import annotations

import re

from graph.suggest.gazetteer import Gazetteer, compile_form, select
from graph.suggest.lexicon import lexicon
from graph.suggest.model import EntityRef, Mention, Suggestion
from graph.suggest.text import slug

CAPN = r"[A-ZÄÖÜ][a-zäöüß]+(?:-[A-ZÄÖÜ][a-zäöüß]+)?"
HONORIFIC = r"(?:(?:Prof\. )?Dr\. (?:med\. )?|Prof\. )"
NAME = rf"(?:{HONORIFIC})?{CAPN} (?:(?:von der|von|van|de|zu) )?{CAPN}"  # given name and surname
TITLE_WORD = re.compile(r"(?<![\w-])((?:[A-ZÄÖÜ][\wäöüß]*-)?[A-ZÄÖÜ][a-zäöüß]+)(?![\w-])")
_NAME_AFTER = re.compile(rf"\s+({NAME}|{CAPN})(?![\w-])")
TITLE = r"(?:[A-ZÄÖÜ][\wäöüß]*-)?[A-ZÄÖÜ][a-zäöüß]+"
# "Seine Leiterin, Maria Schulz," / "der Vorsitzende des Integrationsrates, Ahmet Yilmaz,"
OF = r"(?: (?:des|der|im|vom|von der|beim) [^,.;:„“\"]{1,60})?"
_TITLE_COMMA_NAME = re.compile(rf"(?<![\w-])({TITLE})({OF}), ({NAME})(?=[,.;:]| und | sagte| sagt| so\b)")


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
    honoured = re.compile(rf"(?<![\w-])({HONORIFIC}{CAPN} (?:(?:von der|von|van|de|zu) )?{CAPN})(?![\w-])")
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


def find_people(text: str, start: int, mentions: list[Mention], gazetteer: Gazetteer) -> list[Mention]:
    """All person mentions (known and new, with short forms), merged into ``mentions``."""
    candidates = person_candidates(text, start, gazetteer)
    merged = select(mentions + candidates)
    people = list(dict.fromkeys(m.entity for m in merged if gazetteer.category(m.entity) == "person"))
    return select(merged + short_forms(text, start, people))


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


def credit_mentions(text: str, body: int, gazetteer: Gazetteer) -> list[Mention]:
    """ "Foto: Jürgen Theobald": a photographer's name (a new Person when not known)."""
    known = {e.name.casefold(): e for e in gazetteer.people()}
    result = []
    for match in re.finditer(rf"(?m)^(?:Foto|Fotos|Bild): ({NAME})\s*$", text[body:]):
        name = match.group(1)
        entity = known.get(name.casefold()) or EntityRef(slug(name), "Person", name, False)
        result.append(Mention(entity, body + match.start(1), body + match.end(1), name))
    return result
