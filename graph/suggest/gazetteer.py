"""Find registry entities in a text by name and alias, with German inflection.

"Regionalverband Ruhr" is also found as "des Regionalverbandes Ruhr", "Kommunales
Integrationszentrum" as "dem Kommunalen Integrationszentrum", "Wuppertal" as
"Wuppertals" and "Wuppertaler". People are matched by their names and aliases with
at most a genitive ``s``.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from graph.suggest.model import EntityRef, Mention

_ENDINGS = "(?:e|en|es|er|em|ern|ens|s|n)?"
# The category of a class is its first ancestor here (a City is a place, not an organisation).
_CATEGORY_ROOTS = (
    ("person", "Person"),
    ("party", "PoliticalParty"),
    ("post", "Post"),
    ("place", "Place"),
    ("organisation", "Organization"),
    ("event", "Event"),
    ("programme", "Programme"),
)


def category_of(type_name: str, ancestors: dict[str, frozenset[str]]) -> str:
    """person, party, post, place, organisation, event, programme or other, from the ontology."""
    names = ancestors.get(type_name, frozenset({type_name}))
    return next((category for category, root in _CATEGORY_ROOTS if root in names), "other")


_INFLECTED = re.compile(r"^(.{3,}?)(?:es|en|er|em|e)$")


@dataclass(frozen=True)
class Entry:
    """One name or alias of one entity, compiled."""

    entity: EntityRef
    category: str
    form: str
    pattern: re.Pattern[str]


def _token_pattern(token: str, person: bool, last: bool) -> str:
    if person or len(token) <= 3 or not token[0].isalpha() or token.isupper() or any(c.isdigit() for c in token):
        return re.escape(token) + ("s?" if person and token[0].isupper() else "")
    if last:  # a noun or name: endings are added ("Kreises", "Wuppertals", "Hattinger")
        forms = [re.escape(token) + "(?:s|es|er|ern|n|en)?"]
        if token.endswith("en"):
            forms.append(re.escape(token[:-2]) + "er")
        return "(?:" + "|".join(forms) + ")"
    match = _INFLECTED.match(token)
    stem = match.group(1) if match else token
    body = re.escape(stem) + _ENDINGS  # an adjective: "Kommunales", "Kommunalen", "Schwelmer"
    return f"[{body[0].upper()}{body[0].lower()}]{body[1:]}" if body[0].isalpha() else body


def compile_form(form: str, person: bool) -> re.Pattern[str]:
    """The pattern that finds ``form`` and its inflected forms as whole words."""
    tokens = form.split()
    body = r"\s+".join(_token_pattern(t, person, i == len(tokens) - 1) for i, t in enumerate(tokens))
    return re.compile(rf"(?<![\w-]){body}(?!\w)")


class Gazetteer:
    """Names and aliases of known entities, and the class tree to tell their categories."""

    def __init__(self, entities: list[tuple[EntityRef, tuple[str, ...]]], ancestors: dict[str, frozenset[str]]) -> None:
        """Index known entities with their aliases; ``ancestors`` maps a class to its superclasses."""
        self.ancestors = ancestors
        self.entries: list[Entry] = []
        self.by_id: dict[str, tuple[EntityRef, str]] = {}
        for entity, aliases in entities:
            category = category_of(entity.type, ancestors)
            self.by_id[entity.id] = (entity, category)
            for form in dict.fromkeys((entity.name, *aliases)):
                pattern = compile_form(form, category == "person")
                self.entries.append(Entry(entity, category, form, pattern))

    def category(self, entity: EntityRef) -> str:
        """The category of a known or proposed entity (see :func:`category_of`)."""
        return category_of(entity.type, self.ancestors)

    def find(self, text: str, start: int = 0, skip: frozenset[str] = frozenset({"post"})) -> list[Mention]:
        """Every mention in ``text[start:]``: longest first, no overlaps, in text order."""
        found: list[Mention] = []
        for entry in self.entries:
            if entry.category in skip:
                continue
            for match in entry.pattern.finditer(text, start):
                found.append(Mention(entry.entity, match.start(), match.end(), match.group()))
        return select(found)

    def people(self) -> list[EntityRef]:
        """The known people."""
        return [e for e, c in self.by_id.values() if c == "person"]

    def posts(self) -> list[EntityRef]:
        """The known posts (offices)."""
        return [e for e, c in self.by_id.values() if c == "post"]


def select(mentions: list[Mention]) -> list[Mention]:
    """Keep the longest of overlapping mentions (the earlier one on a tie), in text order."""
    starts: list[int] = []  # the chosen spans, sorted by start (they never overlap)
    chosen: list[Mention] = []
    for mention in sorted(mentions, key=lambda m: (-(m.end - m.start), m.start, not m.entity.known)):
        at = bisect.bisect_right(starts, mention.start)
        before_ok = at == 0 or chosen[at - 1].end <= mention.start
        after_ok = at == len(chosen) or mention.end <= chosen[at].start
        if before_ok and after_ok:
            starts.insert(at, mention.start)
            chosen.insert(at, mention)
    return chosen


class Spans:
    """Mentions sorted and without overlaps (as :func:`select` returns them), searchable by offset."""

    def __init__(self, mentions: list[Mention]) -> None:
        self.mentions = mentions
        self.starts = [m.start for m in mentions]

    def at(self, offset: int) -> Mention | None:
        """The mention that covers ``offset``."""
        index = bisect.bisect_right(self.starts, offset) - 1
        if index >= 0 and self.mentions[index].end > offset:
            return self.mentions[index]
        return None

    def between(self, start: int, end: int) -> list[Mention]:
        """The mentions that start in ``start:end``."""
        return self.mentions[bisect.bisect_left(self.starts, start) : bisect.bisect_left(self.starts, end)]
