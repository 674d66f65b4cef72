"""Write suggestions as fact entries in the curation format, ready to paste under ``facts:``.

New entities are declared (``id``, ``type``, ``name``) by the first entry about them.
An entry whose subject could not be told, or that needs a new entity no entry
declares, is printed commented out with a note: pasting the output as it is keeps
an article valid.
"""

from __future__ import annotations

import re

from graph.quotes import normalize
from graph.suggest.model import Suggestion, Suggestions, Value

_PLAIN = re.compile(r"^(?:[a-z0-9]+(?:-[a-z0-9]+)*|\d{4}(?:-\d{2}(?:-\d{2}(?:T\d{2}:\d{2})?)?)?|-?\d+(?:\.\d+)?)$")
_TEXT = re.compile(r"^[A-Za-zÄÖÜäöüß][^:#'\"\n\[\]{},&*!|>%@`]*$")
_YAML_WORDS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null"})


def scalar(value: Value, key: str = "") -> str:
    """A YAML scalar as curators write it: ids, dates, numbers and plain words bare; quotes
    and anything YAML could misread single-quoted."""
    text = str(value)
    if key == "quote":
        return "'" + text.replace("'", "''") + "'"
    if isinstance(value, int | float) or _PLAIN.match(text):
        return text
    if _TEXT.match(text) and text.casefold() not in _YAML_WORDS and text == text.strip():
        return text
    return "'" + text.replace("'", "''") + "'"


def _entry(item: Suggestion, declare: bool, missing: frozenset[str]) -> list[str]:
    lines = []
    if declare:
        subject = item.subject
        lines += [f"- id: {subject.id}", f"  type: {subject.type}", f"  name: {scalar(subject.name, 'name')}"]
    else:
        lines.append(f"- subject: {item.subject.id}")
    lines.append(f"  quote: {scalar(normalize(item.quote), 'quote')}")
    if item.note:
        lines.append(f"  note: {scalar(item.note, 'note')}")
    lines += _claims(item.claims, missing, "  ")
    if item.qualifiers:
        lines.append("  qualifiers:")
        lines += _claims(item.qualifiers, missing, "    ")
    return lines


def _claims(claims: tuple[tuple[str, Value], ...], missing: frozenset[str], indent: str) -> list[str]:
    """``key: value`` lines; several values of one key as a list; values needing an undeclared entity commented."""
    lines: list[str] = []
    for key in dict.fromkeys(k for k, _ in claims):
        values = [v for k, v in claims if k == key]
        kept = [v for v in values if str(v) not in missing]
        if len(kept) == 1:
            lines.append(f"{indent}{key}: {scalar(kept[0], key)}")
        elif kept:
            lines.append(f"{indent}{key}:")
            lines += [f"{indent}  - {scalar(v, key)}" for v in kept]
        lines += [f"{indent}# {key}: {v}   (declare '{v}' first)" for v in values if str(v) in missing]
    return lines


def _new_objects(item: Suggestion) -> set[str]:
    return {e.id for e in item.objects if not e.known}


def plan(result: Suggestions) -> list[tuple[Suggestion, bool, bool]]:
    """Each suggestion with whether it declares its subject and whether it is printed live.

    An entry is live when its subject is known or declared by a live entry, and at least
    one of its claims needs no new entity that no live entry declares.
    """
    items = result.suggestions
    live = [s.complete for s in items]
    while True:
        declared = {s.subject.id for s, ok in zip(items, live, strict=True) if ok and not s.subject.known}
        changed = False
        for index, item in enumerate(items):
            missing = _new_objects(item) - declared
            usable = [v for _, v in item.claims if str(v) not in missing]
            if live[index] and not usable:
                live[index] = False
                changed = True
        if not changed:
            break
    seen: set[str] = set()
    planned = []
    for item, ok in zip(items, live, strict=True):
        declare = ok and not item.subject.known and item.subject.id not in seen
        if declare:
            seen.add(item.subject.id)
        planned.append((item, declare, ok))
    return planned


def render(result: Suggestions, label: str) -> str:
    """The suggestions as YAML fact entries (indented for an article's ``facts:`` list).

    Args:
        result: What :func:`graph.suggest.suggest` found.
        label: How the text is named in the header comment.
    """
    planned = plan(result)
    named = [m.entity for m in result.mentions] + [e for i, _, _ in planned for e in (i.subject, *i.objects)]
    new = {e.id: e for e in named if not e.known and e.id != "SUBJECT"}
    declared = frozenset(i.subject.id for i, d, _ in planned if d)
    undeclared = sorted(e for e in new if e not in declared)
    known = sorted({m.entity.id for m in result.mentions if m.entity.known})
    out = [
        f"  # kg suggest {label} (sha256 {result.sha256[:12]}…): {sum(ok for _, _, ok in planned)} entries,",
        f"  # {sum(not ok for _, _, ok in planned)} more commented out. Check each against the text before keeping it.",
    ]
    if result.already_stated:
        out.append(f"  # {result.already_stated} more left out: the article states them already.")
    if result.source_id is None:
        out.append("  # No article in sources/articles has this text's SHA-256: run kg add-source first.")
    if known:
        out.append("  # Registry entities named: " + ", ".join(known))
    if undeclared:
        out.append(
            "  # New entities the text names that no entry declares (add those you keep to sources/entities.yaml):"
        )
        for entity_id in undeclared:
            entity = new[entity_id]
            out.append(f"  #   - {{id: {entity.id}, type: {entity.type}, name: {scalar(entity.name, 'name')}}}")
    for prop, value, quote in result.source_claims:
        out.append(f"  # For the source block: {prop}: {scalar(value, prop)}   (from '{quote}')")
    for item, declare, ok in planned:
        out.append("")
        out.append(f"  # {item.kind}")
        lines = _entry(item, declare, frozenset(undeclared) if ok else frozenset())
        if not ok:
            lines = ["# " + line for line in lines]
        out += ["  " + line for line in lines]
    return "\n".join(out) + "\n"


def commented(rendered: str) -> str:
    """The rendered entries with every line commented out, for ``--append``."""
    return "".join(
        line if line.lstrip().startswith("#") or not line.strip() else "  # " + line[2:]
        for line in rendered.splitlines(True)
    )
