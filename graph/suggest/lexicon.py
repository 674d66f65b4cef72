"""The German word lists of ``lexicon.yaml``, loaded once."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

LEXICON_FILE = Path(__file__).with_name("lexicon.yaml")


@dataclass(frozen=True)
class Lexicon:
    """The word lists, indexed for the rules."""

    data: dict[str, Any]
    titles: dict[str, str]  # casefolded title -> class
    title_endings: tuple[tuple[str, str], ...]  # (ending, class), longest first
    head_titles: frozenset[str]
    parties: dict[str, tuple[str, str]]  # casefolded form -> (id, name)
    not_names: frozenset[str]

    def title_class(self, word: str) -> str | None:
        """The class a title gives its holder, or None when ``word`` is no title.

        A hyphenated prefix is ignored ("NRW-Staatssekretärin"), compounds count by
        their ending ("Sozialdezernent").
        """
        base = word.rsplit("-", 1)[-1].casefold()
        if base in self.titles:
            return self.titles[base]
        for ending, cls in self.title_endings:
            if base.endswith(ending) and len(base) > len(ending) + 2:
                return cls
        return None

    def is_head(self, word: str) -> bool:
        """Whether the title makes its holder the head of an organisation."""
        base = word.rsplit("-", 1)[-1].casefold()
        return any(base == h or base.endswith(h) for h in self.head_titles)

    def words(self, key: str) -> list[str]:
        """A plain word list."""
        return list(self.data[key])

    def alternation(self, key: str) -> str:
        """A regex alternation of a word list, longest first."""
        return "|".join(re.escape(w) for w in sorted(self.data[key], key=len, reverse=True))


@functools.cache
def lexicon() -> Lexicon:
    """Load ``lexicon.yaml`` (cached)."""
    data = yaml.safe_load(LEXICON_FILE.read_text(encoding="utf-8"))
    titles = {t.casefold(): cls for cls, words in data["titles"].items() for t in words}
    endings = sorted(
        ((e.casefold(), cls) for cls, words in data["title_endings"].items() for e in words),
        key=lambda p: -len(p[0]),
    )
    parties: dict[str, tuple[str, str]] = {}
    for party in data["parties"]:
        for form in [party["name"], *party.get("forms", [])]:
            parties[form.casefold()] = (party["id"], party["name"])
    return Lexicon(
        data=data,
        titles=titles,
        title_endings=tuple(endings),
        head_titles=frozenset(h.casefold() for h in data["head_titles"]),
        parties=parties,
        not_names=frozenset(data["not_names"]),
    )
