"""Read YAML while keeping line numbers, so every problem can name ``file:line``.

PyYAML's composer gives a node tree with positions; we turn it into plain Python
values, except that mappings and sequences become :class:`LMap` and :class:`LSeq`,
which remember the line of each key and item. On the way we reject what
``yaml.safe_load`` would silently accept: duplicate keys (the later one wins),
non-text keys, and merge keys.

Scalars are typed conservatively, because curators write values whose meaning
depends on the property they belong to:

- dates and times stay text (``2019-11-27``), so the ontology decides their precision;
- ``yes``/``no``/``on``/``off`` stay text (only ``true``/``false`` are booleans);
- decimal numbers become :class:`decimal.Decimal` from their written form, not floats.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from graph.errors import Location, Problem

_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_NULL_TAG = "tag:yaml.org,2002:null"


class LMap(dict[str, Any]):
    """A mapping that knows its own line and the line of each key."""

    line: int
    key_lines: dict[str, int]


class LSeq(list[Any]):
    """A sequence that knows its own line and the line of each item."""

    line: int
    item_lines: list[int]


def load_yaml(path: Path, problems: list[Problem]) -> Any:
    """Read one YAML file; append problems instead of raising.

    Args:
        path: The file to read.
        problems: Where problems are collected.

    Returns:
        The document as plain values with :class:`LMap`/:class:`LSeq` containers, or
        ``None`` when the file cannot be read at all (a problem is appended then).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        problems.append(Problem(Location(path, line), "file is not valid UTF-8"))
        return None
    try:
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        what = exc.problem or exc.context or "cannot parse"
        problems.append(Problem(Location(path, line), f"malformed YAML: {what}"))
        return None
    if len(nodes) > 1:
        line = nodes[1].start_mark.line + 1
        problems.append(Problem(Location(path, line), "only one YAML document per file ('---' found)"))
        return None
    if not nodes or nodes[0] is None:
        return None
    return _convert(nodes[0], path, problems)


def _convert(node: yaml.Node, path: Path, problems: list[Problem]) -> Any:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result = LMap()
        result.line = line
        result.key_lines = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if key_node.tag == "tag:yaml.org,2002:merge":
                problems.append(Problem(Location(path, key_line), "merge keys ('<<') are not supported"))
                continue
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != "tag:yaml.org,2002:str":
                problems.append(Problem(Location(path, key_line), f"keys must be text, not {key_node.value!r}"))
                continue
            key = key_node.value
            if key in result.key_lines:
                first = result.key_lines[key]
                problems.append(Problem(Location(path, key_line), f"duplicate key '{key}' (first at line {first})"))
                continue
            result.key_lines[key] = key_line
            result[key] = _convert(value_node, path, problems)
        return result
    if isinstance(node, yaml.SequenceNode):
        seq = LSeq()
        seq.line = line
        seq.item_lines = []
        for item in node.value:
            seq.item_lines.append(item.start_mark.line + 1)
            seq.append(_convert(item, path, problems))
        return seq
    assert isinstance(node, yaml.ScalarNode)
    return _scalar(node)


def _scalar(node: yaml.ScalarNode) -> Any:
    raw: str = node.value
    if node.tag == _NULL_TAG:
        return None
    if node.tag == _BOOL_TAG:
        return {"true": True, "false": False}.get(raw.lower(), raw)
    if node.tag == _INT_TAG:
        return _CONSTRUCTOR.construct_yaml_int(node)
    if node.tag == _FLOAT_TAG:
        try:
            return Decimal(raw.replace("_", ""))
        except InvalidOperation:
            return raw
    return raw
