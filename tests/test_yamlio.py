"""Reading YAML with line numbers and without PyYAML's silent surprises."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from graph.errors import Problem
from graph.yamlio import LMap, LSeq, load_yaml


def load(tmp_path: Path, text: str) -> tuple[object, list[str]]:
    path = tmp_path / "f.yaml"
    path.write_text(text, encoding="utf-8")
    problems: list[Problem] = []
    data = load_yaml(path, problems)
    return data, [p.message for p in problems]


def test_lines_of_keys_and_items(tmp_path: Path) -> None:
    data, problems = load(tmp_path, "a: 1\nlist:\n  - x\n  - y: 2\n")
    assert problems == []
    assert isinstance(data, LMap) and data.key_lines == {"a": 1, "list": 2}
    items = data["list"]
    assert isinstance(items, LSeq) and items.item_lines == [3, 4]
    assert items[1].line == 4


def test_values_keep_their_written_precision(tmp_path: Path) -> None:
    data, _ = load(tmp_path, "date: 2019-11-27\nmonth: 2020-07\nyear: 2013\nshare: 30.6\nbig: 25_000_000\n")
    assert data == {"date": "2019-11-27", "month": "2020-07", "year": 2013, "share": Decimal("30.6"), "big": 25000000}


def test_yaml_1_1_booleans_stay_text(tmp_path: Path) -> None:
    data, _ = load(tmp_path, "language: no\nflag: true\nother: off\n")
    assert data == {"language": "no", "flag": True, "other": "off"}


def test_duplicate_keys_are_reported_not_overwritten(tmp_path: Path) -> None:
    data, problems = load(tmp_path, "a: 1\nb: 2\na: 3\n")
    assert problems == ["duplicate key 'a' (first at line 1)"]
    assert data == {"a": 1, "b": 2}


def test_non_text_keys_and_merge_keys_are_reported(tmp_path: Path) -> None:
    _, problems = load(tmp_path, "base: &b {x: 1}\n2019: y\nm:\n  <<: *b\n")
    assert problems == ["keys must be text, not '2019'", "merge keys ('<<') are not supported"]


def test_several_documents_are_reported(tmp_path: Path) -> None:
    data, problems = load(tmp_path, "a: 1\n---\nb: 2\n")
    assert data is None and problems == ["only one YAML document per file ('---' found)"]


def test_invalid_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_bytes(b"a: 1\nb: caf\xe9\n")
    problems: list[Problem] = []
    assert load_yaml(path, problems) is None
    assert [str(p) for p in problems] == [f"{path}:2: file is not valid UTF-8"]
