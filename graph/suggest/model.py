"""The suggestions: entities found in the text and candidate facts about them."""

from __future__ import annotations

from dataclasses import dataclass, field

# The kinds of suggestion, in the order they are reported.
KINDS = ("people", "offices", "parties", "organisations", "places", "dates", "amounts", "quotes")

Value = str | int | float


@dataclass(frozen=True)
class EntityRef:
    """An entity a suggestion is about: from the registry (``known``) or proposed."""

    id: str
    type: str
    name: str
    known: bool


@dataclass(frozen=True)
class Mention:
    """Where the text names an entity."""

    entity: EntityRef
    start: int
    end: int
    surface: str


@dataclass(frozen=True)
class Suggestion:
    """One candidate fact entry: a subject, the claims a quote backs, the quote.

    ``start``/``end`` are the quote's offsets in the text. ``complete`` is False when
    the subject could not be told from the text: the entry is then printed commented
    out, for the curator to complete.
    """

    kind: str
    subject: EntityRef
    claims: tuple[tuple[str, Value], ...]
    quote: str
    start: int
    end: int
    qualifiers: tuple[tuple[str, Value], ...] = ()
    note: str | None = None
    complete: bool = True
    objects: tuple[EntityRef, ...] = ()  # entities among the claims' values
    declares: tuple[EntityRef, ...] = ()  # a new entity this entry introduces (id, type, name)
    at: int = -1  # where what was found starts, when the quote is a longer sentence

    def position(self) -> tuple[int, int]:
        """Sort key: text order of what was found, then of its quote."""
        return (self.at if self.at >= 0 else self.start, self.start)


@dataclass(frozen=True)
class Suggestions:
    """Everything ``kg suggest`` found in one text."""

    text: str
    sha256: str
    source_id: str | None
    mentions: tuple[Mention, ...]
    suggestions: tuple[Suggestion, ...]
    source_claims: tuple[tuple[str, Value, str], ...] = field(default=())  # property, value, quote
    already_stated: int = 0  # suggestions left out because the article states them already
