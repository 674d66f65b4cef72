"""``graph.focus`` finds a subject's lines in a sorted N-Triples export by bisection."""

from __future__ import annotations

import random
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph.errors import ConfigError
from graph.focus import _lines_about

TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"


def _lines(count: int) -> list[bytes]:
    """Sorted lines of ``count`` subjects, some of whose IRIs are prefixes of others'."""
    lines = []
    for number in range(count):
        subject = f"<https://example.org/id/s{number}>"
        lines += [
            f"{subject} {TYPE} <https://example.org/C> .\n".encode(),
            f'{subject} <https://example.org/label> "S {number}"@de .\n'.encode(),
            f"{subject} <https://example.org/knows> <https://example.org/id/s{number + 1}> .\n".encode(),
        ]
    return sorted(lines)


def _scan(lines: list[bytes], whole: set[object], described: set[object]) -> bytes:
    """What the lines about ``whole`` and ``described`` are, read line by line."""
    heads = {f"<{n.value}> ".encode(): n in whole for n in whole | described}  # type: ignore[attr-defined]
    kept = []
    for line in lines:
        head = line[: line.index(b" ") + 1]
        if head not in heads:
            continue
        rest = line[len(head) :]
        if heads[head] or rest.startswith(TYPE.encode()) or b' "' in rest[: rest.index(b" ") + 2]:
            kept.append(line)
    return b"".join(kept)


def _node(number: int) -> ox.NamedNode:
    return ox.NamedNode(f"https://example.org/id/s{number}")


@pytest.mark.parametrize("count", [1, 2, 13, 150])
def test_the_lines_found_by_bisection_are_those_a_scan_finds(tmp_path: Path, count: int) -> None:
    lines = _lines(count)
    path = tmp_path / "kg.nt"
    path.write_bytes(b"".join(lines))
    chooser = random.Random(count)
    for _ in range(20):
        whole = {_node(chooser.randrange(count + 2)) for _ in range(3)}  # s{count}, s{count+1}: absent
        described = {_node(chooser.randrange(count + 2)) for _ in range(5)} - whole
        found, about_described, unfound = _lines_about(path, whole, described)
        assert found == _scan(lines, whole, described)
        assert about_described == len(_scan(lines, set(), described).splitlines())
        assert unfound == sum(node.value.endswith((f"s{count}", f"s{count + 1}")) for node in described)
    first, last = _node(0), _node(count - 1)
    assert _lines_about(path, {first, last}, set())[0] == _scan(lines, {first, last}, set())


def test_an_unsorted_file_can_only_lose_lines_never_add_wrong_ones(tmp_path: Path) -> None:
    lines = _lines(40)
    random.Random(1).shuffle(lines)
    path = tmp_path / "kg.nt"
    path.write_bytes(b"".join(lines))
    whole = {_node(n) for n in range(0, 40, 3)}
    found = set(_lines_about(path, whole, set())[0].splitlines(keepends=True))
    assert found <= set(_scan(lines, whole, set()).splitlines(keepends=True))


def test_an_empty_file_has_no_lines_and_a_missing_one_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "empty.nt").write_bytes(b"")
    assert _lines_about(tmp_path / "empty.nt", {_node(1)}, {_node(2)}) == (b"", 0, 1)
    with pytest.raises(ConfigError, match=r"^cannot read .*missing\.nt: No such file or directory$"):
        _lines_about(tmp_path / "missing.nt", {_node(1)}, set())
