"""New organisations and places: German naming patterns and the lexicon's lists.

- places of the lexicon (NRW's Kreise and towns, regions, countries), "Kreis X" and
  "X-Kreis" names, and parts of a town written "Ennepetal-Hasperbach";
- ministries ("Ministerium für Arbeit, Integration und Soziales NRW",
  "Bundesinnenministerium"), "Bezirksregierung X", bodies tied to a place ("Integrationsrat
  der Stadt Hattingen", "Jobcenter Wuppertal"), names such as "Bundesagentur für Arbeit",
  "Industrie- und Handelskammer", "Kreis-Handwerkskammer", a name with its abbreviation
  ("Regionalverband Ruhr (RVR)"), units ("Referat Bildung und Soziales") and the
  lexicon's organisations;
- named halls and houses ("Luise-Albertz-Halle", "Haus der Integration", "Schwelmer
  Kreishaus", "Schule an der Hufschmiedstraße");
- short forms of the local administration: "das Ausländeramt" in a text about Wuppertal
  is the registry's "Ausländeramt Wuppertal", and "das KI" or "dem Kommunalen
  Integrationszentrum" the centre of the Kreis (else the city) the text names most.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from graph.suggest.gazetteer import Gazetteer, Spans, compile_form, select
from graph.suggest.lexicon import lexicon
from graph.suggest.model import EntityRef, Mention, Suggestion, Value
from graph.suggest.text import slug

CAP = r"[A-ZÄÖÜ][\wäöüß]*"
PLACE_TYPES = ("City", "District", "State", "Locality", "Region", "Country", "Municipality")
_KI = re.compile(
    r"(?<![\w-])(?:[Kk]ommunale[snm]? Integrationszentrums?|Integrationszentrums?(?! \w+ Kreis)|KI)(?![\w-])"
)
# Words between a body and its place: "Integrationsrat der Stadt Hattingen".
_CONNECTOR_WORDS = ("der Stadt", "des Kreises", "in der", "im", "in", "des", "der", "von")
_CONNECTORS = "(?: " + "| ".join(_CONNECTOR_WORDS) + ")? "


@dataclass(frozen=True)
class Found:
    """Mentions of organisations and places, and the town each part of a town lies in."""

    mentions: list[Mention]
    towns: dict[str, EntityRef]  # locality id -> the town named in its hyphenated name


def _new(name: str, type_: str) -> EntityRef:
    return EntityRef(slug(name), type_, name, known=False)


def _at(entity: EntityRef, offset: int, match: re.Match[str], group: int = 0) -> Mention:
    return Mention(entity, offset + match.start(group), offset + match.end(group), match.group(group))


def lexicon_places() -> list[EntityRef]:
    """The places of the lexicon, as proposed entities."""
    return [_new(name, type_) for type_, names in lexicon().data["places"].items() for name in names]


def place_mentions(text: str, start: int, gazetteer: Gazetteer) -> list[Mention]:
    """Places of the lexicon and Kreis names that the registry does not have."""
    known_names = {e.name.casefold() for e, _ in gazetteer.by_id.values()}
    found: list[Mention] = []
    for type_, names in lexicon().data["places"].items():
        for name in names:
            if name.casefold() not in known_names:
                entity = _new(name, type_)
                found += [_at(entity, 0, m) for m in compile_form(name, person=False).finditer(text, start)]
    kreis = rf"(?<![\w-])(?:{CAP}-)+Kreis(?:es)?(?![\w-])|(?<![\w-])Kreis(?:es)? (?!der\b|des\b){CAP}(?![\w-])"
    for match in re.finditer(kreis, text[start:]):
        name = re.sub(r"Kreises\b", "Kreis", match.group())
        if name.casefold() not in known_names:
            found.append(_at(_new(name, "District"), start, match))
    found += town_mentions(text, start, known_names)
    return found


def town_mentions(text: str, start: int, known_names: set[str]) -> list[Mention]:
    """Towns not in any list: "in Musterhausen" (a town name's ending after in/aus/nach/von/bei),
    "Stadt Beispiel" when "Beispiel" is named again; then every mention of them."""
    lex = lexicon()
    endings = "|".join(lex.words("town_endings"))
    body = text[start:]
    names = re.findall(rf"(?<![\w-])(?:in|aus|nach|von|bei) ([A-ZÄÖÜ][a-zäöüß]+(?:{endings}))(?![\w-])", body)
    for name in re.findall(rf"(?<![\w-])Stadt ({CAP})(?![\w-])", body):
        if len(re.findall(rf"(?<![\w-]){re.escape(name)}s?(?![\w-])", body)) > 1:
            names.append(name)
    found: list[Mention] = []
    for name in dict.fromkeys(names):
        if name.casefold() in known_names or name in lex.not_names:
            continue
        entity = _new(name, "City")
        found += [_at(entity, 0, m) for m in compile_form(name, person=False).finditer(text, start)]
    return found


def locality_mentions(text: str, places: list[Mention]) -> tuple[list[Mention], dict[str, EntityRef]]:
    """ "Ennepetal-Hasperbach": a part of a town, written with the town's name and a hyphen."""
    found: list[Mention] = []
    towns: dict[str, EntityRef] = {}
    for place in places:
        if place.entity.type not in ("City", "Municipality"):
            continue
        match = re.compile(r"-([A-ZÄÖÜ][a-zäöüß]+)(?![\w-])").match(text, place.end)
        if match and place.surface == place.entity.name:
            entity = _new(f"{place.entity.name}-{match.group(1)}", "Locality")
            found.append(Mention(entity, place.start, match.end(), text[place.start : match.end()]))
            towns[entity.id] = place.entity
    return found, towns


def organisation_mentions(text: str, start: int, places: list[Mention]) -> list[Mention]:
    """Ministries, regional governments, bodies tied to a place, named bodies, units."""
    lex = lexicon()
    body = text[start:]
    found: list[Mention] = []

    def add(match: re.Match[str], name: str, type_: str, group: int = 0) -> None:
        found.append(_at(_new(name, type_), start, match, group))

    ministry = rf"Ministeri(?:um|ums) für {CAP}(?:(?:, | und ){CAP})*(?: (?:NRW|des Landes {CAP}))?"
    for match in re.finditer(ministry, body):
        add(match, match.group().replace("Ministeriums", "Ministerium"), "Ministry")
    for match in re.finditer(rf"(?<![\w-]){CAP}ministeri(?:um|ums)(?![\w-])", body):
        add(match, re.sub(r"ums$", "um", match.group()), "Ministry")
    for match in re.finditer(rf"Bezirksregierung {CAP}", body):
        add(match, match.group(), "RegionalBody")
    endings: list[tuple[str, str]] = sorted(
        ((e, cls) for cls, words in lex.data["org_endings"].items() for e in words), key=lambda p: -len(p[0])
    )

    def cls_of(word: str) -> str | None:
        """The class an organisation word gives ("Integrationsrat", "Jobcenter"), if it is one."""
        folded = word.casefold()
        return next((c for e, c in endings if re.search(rf"{e}(?:es|s|en)?$", folded)), None)

    def base(word: str) -> str:
        return word if word.endswith("agenturen") else re.sub(r"(?<=[a-zäöü])(?:es|s)$", "", word)

    word = r"[A-ZÄÖÜ][\wäöüß]*"
    place_names = "|".join(sorted({re.escape(m.surface) for m in places}, key=len, reverse=True))
    if place_names:  # "Integrationsrat der Stadt Hattingen", "Jobcenter Kreis Unna"
        for match in re.finditer(rf"(?<![\w-])({word}){_CONNECTORS}({place_names})(?![\w-])", body):
            cls = cls_of(match.group(1))
            if cls is not None and match.group(1) not in lex.not_names:
                add(match, match.group().replace(match.group(1), base(match.group(1)), 1), cls)
    named = [
        rf"(?<![\w-])({word}) für {CAP}(?: und {CAP})?(?![\w-])",  # Bundesagentur für Arbeit
        rf"(?<![\w-]){CAP}- und ({word})(?![\w-])",  # Industrie- und Handelskammer
        rf"(?<![\w-])(?:{CAP}-)+({word})(?![\w-])",  # Kreis-Handwerkskammer
    ]
    for pattern in named:
        for match in re.finditer(pattern, body):
            cls = cls_of(match.group(1))
            if cls is not None:
                add(match, match.group()[0].upper() + match.group()[1:], cls)
    abbreviated = rf"(?<![\w-])((?:{CAP}(?:-{CAP})* ){{0,3}}({word})(?: {CAP})?) \(([A-ZÄÖÜ]{{2,6}})\)"
    for match in re.finditer(abbreviated, body):  # "Regionalverband Ruhr (RVR)"
        if cls_of(match.group(2)) is not None:
            name = re.sub(r"(?<=[a-zäöü])es(?= |$)", "", match.group(1))
            add(match, name, "Organization", 1)
    for type_, names in lex.data["organisations"].items():
        for name in names:
            entity = _new(name, type_)
            found += [_at(entity, 0, m) for m in compile_form(name, person=False).finditer(text, start)]
    units = lex.alternation("unit_words")
    for match in re.finditer(rf"(?<![\w-])(?:{units}) {CAP}(?: (?:und|für) {CAP})*(?![\w-])", body):
        if match.group().split()[1] not in lex.not_names:
            add(match, match.group(), "OrganizationalUnit")
    return found


def venue_mentions(text: str, start: int, places: list[Mention]) -> list[Mention]:
    """Named halls, houses, museums: hyphenated names, "Haus der X", "<Ort>er Kreishaus", "Stadthalle <Ort>"."""
    body = text[start:]
    towns = "|".join(sorted({re.escape(m.surface) for m in places if m.entity.type == "City"}, key=len, reverse=True))
    endings = "|".join(f"[{e[0].upper()}{e[0]}]{re.escape(e[1:])}" for e in lexicon().words("venue_endings"))
    town_building = r"(?:Kreishaus|Rathaus|Stadthalle|Bürgerhaus|Stadtbibliothek|Kulturzentrum)"
    patterns = [
        rf"(?<![\w-])(?:{CAP}-)+(?:[A-ZÄÖÜ][a-zäöüß]*?)?(?:{endings})(?: {CAP})?(?![\w-])",
        rf"(?<![\w-])Haus (?:der|des) {CAP}(?![\w-])",
        rf"(?<![\w-])[A-ZÄÖÜ][a-zäöüß]+er {town_building}(?![\w-])",
        rf"(?<![\w-]){town_building} (?:{towns})(?![\w-])" if towns else None,
        rf"(?<![\w-])(?:ehemaligen? )?(?:Schule|Halle|Kirche) an der {CAP}(?:straße|platz|weg|allee)(?![\w-])",
    ]
    found: list[Mention] = []
    for pattern in filter(None, patterns):
        for match in re.finditer(pattern, body):
            name = match.group()[0].upper() + match.group()[1:]
            name = re.sub(r"^Ehemaligen ", "Ehemalige ", name)
            found.append(_at(_new(name, "Venue"), start, match))
    return found


def local_place(mentions: list[Mention]) -> EntityRef | None:
    """The Kreis (else the city) the text names most often: the seat of "the" local bodies."""
    counts: Counter[EntityRef] = Counter(m.entity for m in mentions if m.entity.type in ("District", "City"))
    districts = [e for e in counts if e.type == "District"]
    pool = districts or list(counts)
    if not pool:
        return None
    first = {e: min(m.start for m in mentions if m.entity == e) for e in pool}
    return max(pool, key=lambda e: (counts[e], -first[e]))


def local_short_forms(text: str, start: int, local: EntityRef, gazetteer: Gazetteer) -> list[Mention]:
    """Registry bodies named "<X> <local place>" found as "<X>" alone ("das Ausländeramt")."""
    found: list[Mention] = []
    connectors = "|".join(_CONNECTOR_WORDS)
    for entity, category in gazetteer.by_id.values():
        if category not in ("organisation",):
            continue
        match = re.fullmatch(rf"(.+?) (?:(?:{connectors}) )?{re.escape(local.name)}", entity.name)
        if match and match.group(1)[:1].isupper():
            pattern = compile_form(match.group(1), person=False)
            found += [Mention(entity, m.start(), m.end(), m.group()) for m in pattern.finditer(text, start)]
    return found


def centre_mentions(text: str, start: int, local: EntityRef, gazetteer: Gazetteer) -> list[Mention]:
    """ "das KI", "dem Kommunalen Integrationszentrum": the local centre (proposed when not registered)."""
    centres = [e for e, _ in gazetteer.by_id.values() if e.type == "IntegrationCentre"]
    centre = next((e for e in centres if local.name.casefold() in e.name.casefold()), None)
    if centre is None:
        centre = EntityRef(f"ki-{local.id}", "IntegrationCentre", f"Kommunales Integrationszentrum {local.name}", False)
    return [Mention(centre, m.start(), m.end(), m.group()) for m in _KI.finditer(text, start)]


def find_entities(text: str, start: int, gazetteer: Gazetteer) -> Found:
    """Registry mentions plus new organisations, places and venues, without overlaps."""
    places = select(gazetteer.find(text, start) + place_mentions(text, start, gazetteer))
    localities, towns = locality_mentions(text, places)
    places = select(places + localities)
    place_like = [m for m in places if m.entity.type in PLACE_TYPES]
    merged = select(places + organisation_mentions(text, start, place_like) + venue_mentions(text, start, place_like))
    merged = _reuse_known(merged, gazetteer)
    local = local_place(merged)
    if local is not None:
        merged = select(merged + local_short_forms(text, start, local, gazetteer))
        merged = select(merged + centre_mentions(text, start, local, gazetteer))
    return Found(merged, towns)


def _reuse_known(mentions: list[Mention], gazetteer: Gazetteer) -> list[Mention]:
    """A new entity whose proposed id is a registry id is that entity."""
    result = []
    for mention in mentions:
        if not mention.entity.known and mention.entity.id in gazetteer.by_id:
            mention = Mention(gazetteer.by_id[mention.entity.id][0], mention.start, mention.end, mention.surface)
        result.append(mention)
    return result


def containment_suggestions(
    text: str, found: list[Mention], towns: dict[str, EntityRef], gazetteer: Gazetteer
) -> list[Suggestion]:
    """containedInPlace: a venue "in <Ort>" or "<Ort>er Kreishaus", a part of a town "Ennepetal-Hasperbach"."""
    result = []
    spans = Spans(found)
    by_name = {e.name: e for e in lexicon_places()}
    by_name.update({e.name: e for e, _ in gazetteer.by_id.values() if e.type in PLACE_TYPES})
    by_name.update({m.entity.name: m.entity for m in found if m.entity.type in PLACE_TYPES})
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
        place = next(  # "Luise-Albertz-Halle in Oberhausen", "Luise-Albertz-Halle, Oberhausen"
            (
                m
                for m in spans.between(mention.end, mention.end + 6)
                if m.entity.type in PLACE_TYPES and re.fullmatch(r",? in |, ", text[mention.end : m.start])
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
