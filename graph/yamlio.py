"""Read YAML while keeping line numbers, so every problem can name ``file:line``.

libyaml (PyYAML's C parser, when installed) turns the text into events; we build plain
Python values from them ourselves, except that mappings and sequences become
:class:`LMap` and :class:`LSeq`, which remember the line of each key and item. On the
way we refuse what ``yaml.safe_load`` would silently accept or choke on:

- duplicate keys (the later one would win), non-text keys, merge keys;
- tags of any kind (``!!python/object/apply:…``, ``!!str``, ``!local``): a value is what
  it says, never an instruction to the loader;
- control characters other than tab and line break, raw or written as escapes
  (``"\\x07"``), and the non-characters U+FFFE and U+FFFF: XML exports cannot carry them;
- aliases that expand past :data:`MAX_EXPANSION` values ("billion laughs"), aliases to
  the structure that contains them, and nesting deeper than :data:`MAX_DEPTH`.

Scalars follow the YAML 1.2 core schema, typed conservatively, because curators write
values whose meaning depends on the property they belong to:

- dates and times stay text (``2019-11-27``), so the ontology decides their precision;
- only ``true``/``false`` are booleans (``yes``, ``no``, ``on``, ``off`` stay text);
- ``12`` is an integer and ``30.6`` a :class:`decimal.Decimal` from its written form;
  a number with a leading zero (``012``), hex, octal, ``1:20`` and ``.inf`` stay text
  (YAML 1.1 would read ``012`` as 10 and ``1:20`` as 80), so a number property reads
  ``012`` as twelve and a text property keeps ``01234`` as written.

When the text is not YAML at all, the one problem reported points at the line of the
mistake, in the curator's words (a tab, a key out of line, a quote never closed).
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from sys import intern
from typing import Any

import yaml

from graph.errors import Location, Problem

_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_DEPTH = 32
"""Deepest nesting of mappings and sequences accepted (curated files need about 5)."""

MAX_EXPANSION = 10_000
"""Most values all aliases of one file may stand for together."""

_MAX_DIGITS = 100  # Python refuses to read integers of more than 4300 digits
_NULL = {"", "~", "null", "Null", "NULL"}
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_NUMBER_START = frozenset("+-.0123456789")  # the first character of anything _INT or _FLOAT matches
_INT = re.compile(r"^[-+]?(0|[1-9][0-9]*(_[0-9]+)*)$")
_FLOAT = re.compile(
    r"^[-+]?(0|[1-9][0-9]*(_[0-9]+)*)?\.[0-9]+([eE][-+]?[0-9]+)?$"  # 30.6, .5, 1.5e3
    r"|^[-+]?(0|[1-9][0-9]*)[eE][-+]?[0-9]+$"  # 1e3
)
_C0_NAMES = (
    *("NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "HT", "LF", "VT", "FF", "CR", "SO", "SI"),
    *("DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM", "SUB", "ESC", "FS", "GS", "RS", "US"),
)
# Characters no value may contain: C0/C1 controls but tab and line feed, DEL, the
# non-characters U+FFFE/U+FFFF (XML 1.0 has no way to write any of them), and
# surrogates (no UTF-8 form).
_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
# In the raw text a carriage return is a line break (CR LF files are fine).
_FORBIDDEN_RAW = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
# YAML reads these as line breaks, editors mostly do not: every line number after them would be off.
_LINE_SEPARATORS = re.compile("[\u2028\u2029]")


class LMap(dict[str, Any]):
    """A mapping that knows its own line and the line of each key."""

    line: int
    key_lines: dict[str, int]


class LSeq(list[Any]):
    """A sequence that knows its own line and the line of each item."""

    line: int
    item_lines: list[int]


class _Refused(Exception):
    """Stop reading a file: a problem was recorded that makes the rest meaningless."""


def describe_character(char: str) -> str:
    """``U+0007 (BEL)`` for a control character, ``U+201C`` for any other."""
    code = ord(char)
    name = _C0_NAMES[code] if code < 32 else {0x7F: "DEL", 0x85: "NEL"}.get(code, "")
    return f"U+{code:04X} ({name})" if name else f"U+{code:04X}"


def forbidden_character(text: str) -> str | None:
    """A description of the first character in ``text`` no value may contain, or ``None``."""
    match = _FORBIDDEN.search(text)
    return None if match is None else describe_character(match.group())


def load_yaml(path: Path, problems: list[Problem], data: bytes | None = None) -> Any:
    """Read one YAML file; append problems instead of raising.

    Args:
        path: The file to read.
        problems: Where problems are collected.
        data: The file's bytes, when the caller has read them already.

    Returns:
        The document as plain values with :class:`LMap`/:class:`LSeq` containers, or
        ``None`` when the file cannot be read at all (a problem is appended then).
    """
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as exc:  # a folder named *.yaml, no permission, ...
            problems.append(Problem(Location(path, 1), f"cannot read the file: {exc.strerror or exc}"))
            return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.append(Problem(Location(path, line), "file is not valid UTF-8"))
        return None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")  # as text mode reads it
    match = _FORBIDDEN_RAW.search(text) or _LINE_SEPARATORS.search(text)
    if match is not None:
        line = text.count("\n", 0, match.start()) + 1
        column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
        problems.append(Problem(Location(path, line), _raw_character_message(match.group(), column)))
        return None
    builder = _Builder(path, problems)
    loader = None
    try:
        loader = _Loader(text)
        # yaml.parse's events, without a generator's step per event: get_event gives None at the end
        return builder.build(iter(loader.get_event, None))
    except yaml.MarkedYAMLError as exc:
        line, message = explain_syntax_error(exc, text)
        problems.append(Problem(Location(path, line), message))
    except yaml.YAMLError as exc:  # reader errors without a mark; the scan above should prevent them
        problems.append(Problem(Location(path, 1), f"malformed YAML: {exc}"))
    except _Refused:
        pass
    finally:
        if loader is not None:
            loader.dispose()
    return None


def _raw_character_message(char: str, column: int) -> str:
    if char in "\u2028\u2029":
        escape = "\\L" if char == "\u2028" else "\\P"
        return (
            f"{describe_character(char)} ({'line' if char == chr(0x2028) else 'paragraph'} separator) at column "
            f'{column}, which YAML reads as a line break; remove it, or write it as {escape} inside "..."'
        )
    if char in "\ufffe\uffff":
        return (
            f"{describe_character(char)} at column {column} is not a character "
            "(is the file UTF-16? save it as UTF-8); remove it"
        )
    return (
        f"control character {describe_character(char)} at column {column}; "
        "only tab and line breaks are allowed (remove it)"
    )


class _Builder:
    """Turn parser events into values, checking tags, characters, aliases and depth."""

    def __init__(self, path: Path, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems
        self.anchors: dict[str, tuple[Any, int]] = {}  # name -> (value, expanded size)
        self.open_anchors: set[str] = set()
        self.expanded = 0
        self.failed = False

    def fail(self, line: int, message: str, fatal: bool = False) -> None:
        self.problems.append(Problem(Location(self.path, line), message))
        self.failed = True
        if fatal:
            raise _Refused

    def build(self, events: Any) -> Any:
        # stack entries: [container, anchor, size, pending key, pending key line, is a sequence]
        stack: list[list[Any]] = []
        container: LMap | LSeq
        result: Any = None
        documents = 0
        # Scalars are nine events in ten: they are handled here, without a call per value.
        for event in events:
            kind = event.__class__
            if kind is _SCALAR:
                mark = event.start_mark
                line = mark.line + 1 if mark is not None else 1
                tag = event.tag
                if tag is not None:
                    self._check_tag(tag, line)
                raw: str = event.value
                style = event.style
                if style == '"':  # escapes are the only way to a character the raw text cannot have
                    value: Any = self._escaped(raw, line)
                elif style != "" or tag is not None:
                    value = raw
                else:
                    value = plain_scalar(raw)
                if event.anchor:
                    self.anchors[event.anchor] = (value, 1)
                if not stack:
                    result = value
                    continue
                top = stack[-1]
                top[2] += 1
                if top[5]:
                    items: LSeq = top[0]
                    items.item_lines.append(line)
                    items.append(value)
                elif top[3] is None:  # this value is a key
                    # Keys repeat in every file: one string object each, in memory and in the cache
                    top[3] = intern(value) if value.__class__ is str and raw != "<<" else self._key(value, line, event)
                    top[4] = line
                else:
                    self._set(top, value)
                continue
            if kind is _MAPPING_START or kind is _SEQUENCE_START:
                line = _line(event)
                self._check_tag(event.tag, line)
                if len(stack) >= MAX_DEPTH:
                    self.fail(line, f"nesting deeper than {MAX_DEPTH} levels; curated files need only a few", True)
                if kind is _MAPPING_START:
                    container = LMap()
                    container.key_lines = {}
                else:
                    container = LSeq()
                    container.item_lines = []
                container.line = line
                if event.anchor:
                    self.open_anchors.add(event.anchor)
                stack.append([container, event.anchor, 1, None, None, kind is _SEQUENCE_START])
            elif kind is _MAPPING_END or kind is _SEQUENCE_END:
                container, anchor, size, _, _, _ = stack.pop()
                if anchor:
                    self.open_anchors.discard(anchor)
                    self.anchors[anchor] = (container, size)
                result = self._add(stack, container, size, container.line)
            elif kind is _ALIAS:
                line = _line(event)
                if event.anchor in self.open_anchors:
                    message = f"alias '*{event.anchor}' refers to the structure that contains it (recursive)"
                    self.fail(line, message, fatal=True)
                if event.anchor not in self.anchors:
                    self.fail(line, f"alias '*{event.anchor}' has no anchor '&{event.anchor}' before it", True)
                value, size = self.anchors[str(event.anchor)]
                self.expanded += size
                if self.expanded > MAX_EXPANSION:
                    self.fail(
                        line,
                        f"aliases expand this file to more than {MAX_EXPANSION} values (an alias bomb?); "
                        "write the values out instead",
                        fatal=True,
                    )
                result = self._add(stack, value, size, line)
            elif kind is _DOCUMENT_START:
                documents += 1
                if documents > 1:
                    line = _line(event)
                    self.fail(line, "only one YAML document per file ('---' found)", fatal=True)
        return None if self.failed else result

    def _add(self, stack: list[list[Any]], value: Any, size: int, line: int) -> Any:
        if not stack:
            return value
        top = stack[-1]
        top[2] += size
        container = top[0]
        if top[5]:
            container.item_lines.append(line)
            container.append(value)
        elif top[3] is None:  # this value is a key
            top[3], top[4] = self._key(value, line, None), line
        else:
            self._set(top, value)
        return None

    def _set(self, top: list[Any], value: Any) -> None:
        """Give the pending key of the mapping on top of the stack its value."""
        container, key, key_line = top[0], top[3], top[4]
        top[3] = top[4] = None
        if key is _SKIP:
            return
        if key in container.key_lines:
            first = container.key_lines[key]
            self.problems.append(
                Problem(Location(self.path, key_line), f"duplicate key '{key}' (first at line {first})")
            )
            return
        container.key_lines[key] = key_line
        container[key] = value

    def _key(self, value: Any, line: int, event: Any) -> Any:
        if isinstance(event, yaml.ScalarEvent) and event.style == "" and event.value == "<<":
            self.fail(line, "merge keys ('<<') are not supported; write the keys out")
            return _SKIP
        if not isinstance(value, str):
            shown = event.value if isinstance(event, yaml.ScalarEvent) else value
            self.fail(line, f"keys must be text, not {shown!r}")
            return _SKIP
        return value

    def _check_tag(self, tag: str | None, line: int) -> None:
        if tag is None:
            return
        shown = "!!" + tag[len("tag:yaml.org,2002:") :] if tag.startswith("tag:yaml.org,2002:") else tag
        self.fail(line, f"YAML tags are not allowed ('{shown}'); write the plain value, in quotes if it is text")

    def _escaped(self, raw: str, line: int) -> str:
        """A double-quoted scalar, refused if an escape wrote a character no value may contain."""
        match = _FORBIDDEN.search(raw)
        if match is not None:
            char = match.group()
            if char in "\ufffe\uffff":
                self.fail(line, f"{describe_character(char)} in a value is not a character; remove it")
            else:
                self.fail(
                    line,
                    f"control character {describe_character(char)} in a value; "
                    "only tab and line breaks are allowed (remove it)",
                )
        return raw


_SKIP = object()
_SCALAR, _ALIAS, _DOCUMENT_START = yaml.ScalarEvent, yaml.AliasEvent, yaml.DocumentStartEvent
_MAPPING_START, _MAPPING_END = yaml.MappingStartEvent, yaml.MappingEndEvent
_SEQUENCE_START, _SEQUENCE_END = yaml.SequenceStartEvent, yaml.SequenceEndEvent


def plain_scalar(raw: str) -> Any:
    """The value of an unquoted scalar: ``None``, a boolean, an ``int``, a ``Decimal`` or text."""
    if raw in _NULL:
        return None
    if raw[0] not in _NUMBER_START:  # most values: neither of the patterns below can match
        return _BOOL.get(raw, raw)
    if raw in _BOOL:
        return _BOOL[raw]
    if _INT.match(raw) and len(raw) <= _MAX_DIGITS:
        return int(raw.replace("_", ""))
    if _FLOAT.match(raw) or _INT.match(raw):  # longer integers are exact as decimals
        return Decimal(raw.replace("_", ""))
    return raw


# -- syntax errors in the curator's words ---------------------------------------------


def explain_syntax_error(exc: yaml.MarkedYAMLError, text: str) -> tuple[int, str]:
    """The line of the mistake behind a parser error, and what to do about it.

    libyaml reports where it gave up, which is often lines after the mistake: an
    unclosed quote runs on to the next quote character, a list opened with ``[``
    runs to the end of the file. This finds the line that caused it.

    Args:
        exc: The parser's error.
        text: The file's text.

    Returns:
        The 1-based line and a one-line message.
    """
    lines = text.splitlines() or [""]
    mark = exc.problem_mark or exc.context_mark
    line = (mark.line if mark is not None else 0) + 1
    column = (mark.column if mark is not None else 0) + 1
    context = exc.context or ""
    problem = exc.problem or "cannot parse"
    tab = _tab_near(lines, line, exc.context_mark.line + 1 if exc.context_mark else line)
    if tab is not None:
        tab_line, tab_column = tab
        return tab_line, f"a tab at column {tab_column}; YAML indents with spaces only (replace the tab with spaces)"
    unclosed = _unclosed_quote(lines, line)
    if unclosed is not None:
        quote_line, quote_column, quote = unclosed
        return quote_line, (
            f"the value's opening {quote} at column {quote_column} has no closing {quote} on its line"
            + (" (inside '...' write '' for a ')" if quote == "'" else ' (inside "..." write \\" for a ")')
        )
    if context.startswith("while parsing a flow") and exc.context_mark is not None:
        opener = "[" if "sequence" in context else "{"
        closer = "]" if opener == "[" else "}"
        start = exc.context_mark
        return start.line + 1, f"'{opener}' at column {start.column + 1} is never closed with '{closer}'"
    current = lines[line - 1] if line <= len(lines) else ""
    if "cannot start any token" in problem and line <= len(lines) and column <= len(current):
        return line, f"a value cannot start with {current[column - 1]!r} (column {column}); put the value in quotes"
    if "block sequence entries are not allowed" in problem:
        return line, f"a list item ('- ') cannot follow a key on its line (column {column}); start it on the next line"
    if current.lstrip(" ").startswith(": ") or current.strip() == ":":
        return line, "a line starts with ':' but has no key before it"
    if "escape" in problem:
        backslash = current.rfind("\\", 0, column) + 1 or column
        if "invalid Unicode" in problem:
            return line, f"the escape at column {backslash} names no Unicode character; remove it"
        return line, (
            f"unknown escape at column {backslash} in a \"...\" value; write \\\\ for a backslash, or use '...' quotes"
        )
    if "mapping values are not allowed" in problem:
        over = _over_indented(lines, line)
        if over is not None:
            return line, over
        return line, f"a second ': ' on one line (column {column}); put a value that contains ': ' in quotes"
    if problem.startswith(("did not find expected", "expected")) and current.strip():
        indent = len(current) - len(current.lstrip(" "))
        if column - 1 == indent:
            return line, _out_of_line(lines, line)
        before = current[: column - 1].rstrip()
        if before.endswith("'"):
            return line, (
                f"text after the closing ' at column {len(before)}; "
                "to put ' inside '...', write it twice ('') or use \"...\""
            )
        if before.endswith('"'):
            return line, f'text after the closing " at column {len(before)}; inside "...", write \\" for a "'
        return line, f"unexpected text at column {column} after a value (put the whole value in quotes)"
    return line, f"malformed YAML: {problem}"


def _tab_near(lines: list[str], line: int, context_line: int) -> tuple[int, int] | None:
    """A tab in the indentation of the problem line, or of a line between it and the context."""
    for number in range(min(line, len(lines)), max(min(context_line, line), 1) - 1, -1):
        text = lines[number - 1]
        indentation = text[: len(text) - len(text.lstrip(" \t"))]
        if "\t" in indentation:
            return number, indentation.index("\t") + 1
    return None


_VALUE_START = re.compile(r"^\s*(?:-\s+)*(?:[^\s'\"#][^#]*?:\s+|-\s+)?(['\"])")


def _unclosed_quote(lines: list[str], problem_line: int) -> tuple[int, int, str] | None:
    """The last line before the problem where a quoted value opens and does not close.

    Only counts when that quote closes exactly on the problem line (or never): then the
    parser read the lines between as one value, and the mistake is where it opened.
    """
    for number in range(min(problem_line, len(lines)), 0, -1):
        text = lines[number - 1]
        match = _VALUE_START.match(text)
        if match is None:
            continue
        quote = match.group(1)
        start = match.end(1)
        if _closing(text, start, quote) is not None:
            continue
        closes_at = None
        for later in range(number + 1, len(lines) + 1):
            if _closing(lines[later - 1], 0, quote) is not None:
                closes_at = later
                break
        if closes_at is None or closes_at == problem_line:
            return number, start, quote
        return None
    return None


def _closing(text: str, start: int, quote: str) -> int | None:
    """Index of the quote character that closes a value begun before ``start``, if on this line."""
    i = start
    while i < len(text):
        char = text[i]
        if quote == '"' and char == "\\":
            i += 2
            continue
        if char == quote:
            if quote == "'" and text[i + 1 : i + 2] == "'":
                i += 2
                continue
            return i
        i += 1
    return None


def _indentation(text: str) -> int:
    """Column (0-based) where a line's content starts, counting ``- `` as indentation."""
    match = re.match(r"^[ ]*(?:-[ ]+)*", text)
    return match.end() if match else 0


def _raw_indentation(text: str) -> int:
    return len(text) - len(text.lstrip(" "))


def _key_of(text: str) -> str:
    stripped = text.strip().lstrip("- ").strip()
    return stripped.split(":", 1)[0].strip() if ":" in stripped else stripped[:40]


def _previous_content(lines: list[str], line: int) -> int | None:
    for number in range(line - 1, 0, -1):
        stripped = lines[number - 1].strip()
        if stripped and not stripped.startswith("#"):
            return number
    return None


def _over_indented(lines: list[str], line: int) -> str | None:
    current = lines[line - 1] if line <= len(lines) else ""
    previous = _previous_content(lines, line)
    if previous is None:
        return None
    own, theirs = _indentation(current), _indentation(lines[previous - 1])
    if own <= theirs or current.lstrip().startswith("-"):
        return None
    return (
        f"key '{_key_of(current)}' is out of line: indented {_spaces(own)}, deeper than "
        f"'{_key_of(lines[previous - 1])}' on line {previous} ({theirs}); align it with the keys above"
    )


def _out_of_line(lines: list[str], line: int) -> str:
    current = lines[line - 1]
    own = _indentation(current)
    key = _key_of(current)
    previous = _previous_content(lines, line)
    if previous is not None:
        above = lines[previous - 1]
        item_here, item_above = current.lstrip().startswith("- "), above.lstrip().startswith("- ")
        if item_here != item_above and _raw_indentation(current) == _raw_indentation(above):
            if item_here:
                return (
                    f"list item '{current.strip()[:40]}' among the keys of a mapping ('{_key_of(above)}' on line "
                    f"{previous}); indent it under a key, or make every entry a list item"
                )
            return f"'{key}' is out of line: the lines above are list items ('- ...'); start it with '- ' or indent it"
        theirs = _indentation(lines[previous - 1])
        if own != theirs:
            what = f"list item '{current.strip()[:40]}'" if item_here else f"key '{key}'"
            return (
                f"{what} is out of line: indented {_spaces(own)}, but "
                f"'{_key_of(lines[previous - 1])}' on line {previous} is indented {theirs}; "
                "keys of one entry start in the same column"
            )
        if lines[previous - 1].lstrip().startswith("-") and not current.lstrip().startswith("-"):
            return f"'{key}' is out of line: the lines above are list items ('- ...'); start it with '- ' or indent it"
    return f"'{key}' is out of line: its indentation ({_spaces(own)}) fits no key above it"


def _spaces(count: int) -> str:
    return f"{count} space" if count == 1 else f"{count} spaces"


def _line(event: Any) -> int:
    """The 1-based line an event starts on."""
    mark = event.start_mark
    return mark.line + 1 if mark is not None else 1
