"""New organisations and places: German naming patterns and the NRW place list.

- places of the lexicon's NRW list and "Kreis X" / "X-Kreis" names;
- ministries ("Ministerium für Arbeit, Integration und Soziales NRW", "Bundesinnenministerium"),
  "Bezirksregierung X", organisation compounds tied to a place ("Integrationsrat der Stadt
  Hattingen", "Jobcenter Wuppertal", "Integrationsagenturen im Ennepe-Ruhr-Kreis"),
  names with an abbreviation in brackets ("Regionalverband Ruhr (RVR)");
- named halls and houses ("Luise-Albertz-Halle", "Haus der Integration", "Schwelmer Kreishaus");
- the local Kommunales Integrationszentrum ("das KI", "dem Kommunalen Integrationszentrum")
  when the text names its Kreis or city.
"""

from __future__ import annotations

import re
from collections import Counter

from graph.suggest.gazetteer import Gazetteer, compile_form, select
from graph.suggest.lexicon import lexicon
from graph.suggest.model import EntityRef, Mention
from graph.suggest.text import slug

CAP = r"[A-ZÄÖÜ][\wäöüß]*"
_KI = re.compile(
    r"(?<![\w-])(?:[Kk]ommunale[snm]? Integrationszentrums?|Integrationszentrums?(?! \w+ Kreis)|KI)(?![\w-])"
)


def _new(name: str, type_: str) -> EntityRef:
    return EntityRef(slug(name), type_, name, known=False)


def place_mentions(text: str, start: int, gazetteer: Gazetteer) -> list[Mention]:
    """Places of the lexicon list and Kreis names that the registry does not have."""
    known_names = {e.name.casefold() for e, _ in gazetteer.by_id.values()}
    found: list[Mention] = []
    for type_, names in lexicon().data["places"].items():
        for name in names:
            if name.casefold() in known_names:
                continue
            entity = _new(name, type_)
            for match in compile_form(name, person=False).finditer(text, start):
                found.append(Mention(entity, match.start(), match.end(), match.group()))
    for match in re.finditer(
        rf"(?<![\w-])(?:{CAP}-)+Kreis(?:es)?(?![\w-])|(?<![\w-])Kreis(?:es)? {CAP}(?![\w-])", text[start:]
    ):
        name = re.sub(r"Kreises\b", "Kreis", match.group())
        if name.casefold() not in known_names:
            found.append(Mention(_new(name, "District"), start + match.start(), start + match.end(), match.group()))
    return found


def organisation_mentions(text: str, start: int, places: list[Mention]) -> list[Mention]:
    """Ministries, regional governments, bodies tied to a place, names with an abbreviation."""
    body = text[start:]
    found: list[Mention] = []

    def add(match: re.Match[str], name: str, type_: str) -> None:
        found.append(Mention(_new(name, type_), start + match.start(), start + match.end(), match.group()))

    for match in re.finditer(
        rf"Ministeri(?:um|ums) für {CAP}(?:(?:, | und ){CAP})*(?: (?:NRW|des Landes {CAP}))?", body
    ):
        add(match, match.group().replace("Ministeriums", "Ministerium"), "Ministry")
    for match in re.finditer(rf"(?<![\w-]){CAP}ministeri(?:um|ums)(?![\w-])", body):
        add(match, re.sub(r"ums$", "um", match.group()), "Ministry")
    for match in re.finditer(rf"Bezirksregierung {CAP}", body):
        add(match, match.group(), "RegionalBody")
    endings = {e: cls for cls, words in lexicon().data["org_endings"].items() for e in words}
    ending_re = "|".join(sorted(endings, key=len, reverse=True))
    place_names = "|".join(sorted({re.escape(m.surface) for m in places}, key=len, reverse=True))
    if place_names:
        tied = rf"(?<![\w-])({CAP}(?:{ending_re})(?:es|s|en)?)(?: (?:der Stadt|des Kreises|im|in|der|des|für))? ({place_names})(?![\w-])"
        for match in re.finditer(tied, body):
            word = match.group(1)
            cls = next(
                c for e, c in sorted(endings.items(), key=lambda p: -len(p[0])) if re.search(rf"{e}(?:es|s|en)?$", word)
            )
            base = re.sub(r"(?<=[a-zäöü])(?:es|s)$", "", word) if not word.endswith("agenturen") else word
            name = match.group().replace(word, base, 1)
            add(match, name, cls)
    for match in re.finditer(
        rf"(?<![\w-])((?:{CAP}(?:-{CAP})* ){{0,3}}{CAP}(?:{ending_re})(?:es|s)?(?: {CAP})?) \(([A-ZÄÖÜ]{{2,6}})\)", body
    ):
        name = re.sub(r"(?<=[a-zäöü])(?:es)(?= |$)", "", match.group(1))
        found.append(Mention(_new(name, "Organization"), start + match.start(1), start + match.end(1), match.group(1)))
    return found


def venue_mentions(text: str, start: int, places: list[Mention]) -> list[Mention]:
    """Named halls, houses, museums: hyphenated names, "Haus der X", "<Ort>er Kreishaus"."""
    body = text[start:]
    endings = lexicon().alternation("venue_endings")
    found: list[Mention] = []
    patterns = [
        rf"(?<![\w-])(?:{CAP}-)+{CAP}?(?:{endings})(?: {CAP})?(?![\w-])",
        rf"(?<![\w-])Haus (?:der|des) {CAP}(?![\w-])",
        rf"(?<![\w-]){CAP}er (?:{CAP.replace('[A-ZÄÖÜ]', '[A-ZÄÖÜ][a-zäöüß]*')})?(?:Kreishaus|Rathaus|Stadthalle|Bürgerhaus)(?![\w-])",
        rf"(?<![\w-])(?:ehemaligen? )?(?:Schule|Halle|Kirche) an der {CAP}(?:straße|platz|weg|allee)(?![\w-])",
    ]
    for pattern in patterns:
        for match in re.finditer(pattern, body):
            name = match.group()
            name = name[0].upper() + name[1:]
            name = re.sub(r"^Ehemaligen ", "Ehemalige ", name)
            if name.rsplit("-", 1)[-1] in {"Kreis"}:
                continue
            found.append(Mention(_new(name, "Venue"), start + match.start(), start + match.end(), match.group()))
    return found


def local_place(mentions: list[Mention], categories: dict[str, str]) -> EntityRef | None:
    """The Kreis (else the city) the text names most often: the seat of "the" local centre."""
    counts: Counter[EntityRef] = Counter()
    for mention in mentions:
        if mention.entity.type in ("District", "City"):
            counts[mention.entity] += 1
    districts = [e for e in counts if e.type == "District"]
    pool = districts or list(counts)
    if not pool:
        return None
    return max(pool, key=lambda e: (counts[e], -min(m.start for m in mentions if m.entity == e)))


def centre_mentions(text: str, start: int, mentions: list[Mention], gazetteer: Gazetteer) -> list[Mention]:
    """ "das KI", "dem Kommunalen Integrationszentrum": the centre of the text's Kreis or city."""
    place = local_place(mentions, {})
    if place is None:
        return []
    centre = None
    for entity, category in gazetteer.by_id.values():
        if entity.type == "IntegrationCentre" and place.name.casefold() in entity.name.casefold():
            centre = entity
    if centre is None:
        centre = EntityRef(f"ki-{place.id}", "IntegrationCentre", f"Kommunales Integrationszentrum {place.name}", False)
    return [Mention(centre, m.start(), m.end(), m.group()) for m in _KI.finditer(text, start)]


def find_entities(text: str, start: int, gazetteer: Gazetteer) -> list[Mention]:
    """Registry mentions plus new organisations, places and venues, without overlaps."""
    known = gazetteer.find(text, start)
    places = select(known + place_mentions(text, start, gazetteer))
    place_like = [m for m in places if m.entity.type in ("City", "District", "State", "Locality", "Region", "Country")]
    new = organisation_mentions(text, start, place_like) + venue_mentions(text, start, place_like)
    merged = select(places + new)
    merged = _reuse_known(merged, gazetteer)
    return select(merged + centre_mentions(text, start, merged, gazetteer))


def _reuse_known(mentions: list[Mention], gazetteer: Gazetteer) -> list[Mention]:
    """A new entity whose proposed id is a registry id is that entity."""
    result = []
    for mention in mentions:
        if not mention.entity.known and mention.entity.id in gazetteer.by_id:
            mention = Mention(gazetteer.by_id[mention.entity.id][0], mention.start, mention.end, mention.surface)
        result.append(mention)
    return result
