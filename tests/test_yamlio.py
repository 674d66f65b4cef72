"""Reading YAML with line numbers and without PyYAML's silent surprises."""

from __future__ import annotations

import tracemalloc
from decimal import Decimal
from pathlib import Path

import pytest

from graph.errors import Problem
from graph.yamlio import MAX_DEPTH, MAX_EXPANSION, LMap, LSeq, describe_character, load_yaml


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
    assert problems == ["keys must be text, not '2019'", "merge keys ('<<') are not supported; write the keys out"]


def test_several_documents_are_reported(tmp_path: Path) -> None:
    data, problems = load(tmp_path, "a: 1\n---\nb: 2\n")
    assert data is None and problems == ["only one YAML document per file ('---' found)"]


def test_invalid_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_bytes(b"a: 1\nb: caf\xe9\n")
    problems: list[Problem] = []
    assert load_yaml(path, problems) is None
    assert [str(p) for p in problems] == [f"{path}:2: file is not valid UTF-8"]


def test_numbers_follow_yaml_1_2_and_leading_zeros_stay_text(tmp_path: Path) -> None:
    # YAML 1.1 reads 012 as 10 and 1:20 as 80; here they stay as written, for the property to read.
    data, problems = load(tmp_path, "a: 012\nb: 1:20\nc: 0x1F\nd: 1e3\ne: -.5\nf: 0\ng: TRUE\nh: ~\ni: 0o17\n")
    assert problems == []
    assert data == {
        "a": "012",
        "b": "1:20",
        "c": "0x1F",
        "d": Decimal("1e3"),
        "e": Decimal("-0.5"),
        "f": 0,
        "g": True,
        "h": None,
        "i": "0o17",
    }


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("a: !!python/object/apply:os.system ['ls']\n", "!!python/object/apply:os.system"),
        ("a: !!python/name:os.system ''\n", "!!python/name:os.system"),
        ("a: !!str 12\n", "!!str"),
        ("a: !Ref x\n", "!Ref"),
        ("a: !!map {b: 1}\n", "!!map"),
    ],
)
def test_every_tag_is_refused(tmp_path: Path, text: str, tag: str) -> None:
    data, problems = load(tmp_path, text)
    assert data is None
    assert problems == [f"YAML tags are not allowed ('{tag}'); write the plain value, in quotes if it is text"]


def test_aliases_within_the_limit_are_values(tmp_path: Path) -> None:
    data, problems = load(tmp_path, "a: &x [1, 2]\nb: *x\n")
    assert problems == [] and data == {"a": [1, 2], "b": [1, 2]}


def test_an_alias_bomb_is_refused_without_expanding_it(tmp_path: Path) -> None:
    levels = [f"x{i}: &x{i} [" + ", ".join([f"*x{i - 1}" if i else "lol"] * 9) + "]" for i in range(10)]
    tracemalloc.start()
    data, problems = load(tmp_path, "\n".join(levels) + "\n")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert data is None
    assert problems == [
        f"aliases expand this file to more than {MAX_EXPANSION} values (an alias bomb?); write the values out instead"
    ]
    assert peak < 5_000_000  # a billion values would be gigabytes


def test_recursive_and_undefined_aliases_are_refused(tmp_path: Path) -> None:
    assert load(tmp_path, "a: &a [1, *a]\n")[1] == ["alias '*a' refers to the structure that contains it (recursive)"]
    assert load(tmp_path, "a: *b\n")[1] == ["alias '*b' has no anchor '&b' before it"]


def test_deep_nesting_is_refused_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_text("a: 1\nb: " + "[" * 985 + "]" * 985 + "\n", encoding="utf-8")
    problems: list[Problem] = []
    assert load_yaml(path, problems) is None
    assert [str(p) for p in problems] == [
        f"{path}:2: nesting deeper than {MAX_DEPTH} levels; curated files need only a few"
    ]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("a: 1\nb: 'open\nc: 2\nd: 3\ne: 'x'\n", 2, "the value's opening ' at column 4 has no closing ' on its line"),
        ("a:\n  b: 1\n\tc: 2\n", 3, "a tab at column 1; YAML indents with spaces only"),
        ("a: [1, 2\nb: 3\nc: 4\n", 1, "'[' at column 4 is never closed with ']'"),
        ("a:\n  b: x\n    c: y\n", 3, "key 'c' is out of line: indented 4 spaces, deeper than 'b' on line 2 (2)"),
        ("a:\n  b: x\n c: y\n", 3, "key 'c' is out of line: indented 1 space, but 'b' on line 2 is indented 2"),
    ],
)
def test_syntax_errors_point_at_the_mistake(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = tmp_path / "f.yaml"
    path.write_text(text, encoding="utf-8")
    problems: list[Problem] = []
    assert load_yaml(path, problems) is None
    assert len(problems) == 1
    assert problems[0].location is not None and problems[0].location.line == line
    assert problems[0].message.startswith(message)


def test_a_crlf_file_reads_like_an_lf_file(tmp_path: Path) -> None:
    data, problems = load(tmp_path, "a: 1\r\nb: |\r\n  x\r\n  y\r\n")
    assert problems == [] and data == {"a": 1, "b": "x\ny\n"}


def test_characters_are_named_by_code_point() -> None:
    assert describe_character("\x00") == "U+0000 (NUL)"
    assert describe_character("\x1b") == "U+001B (ESC)"
    assert describe_character("\u201c") == "U+201C"


def test_a_folder_named_like_a_yaml_file_is_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "x.yaml"
    folder.mkdir()
    problems: list[Problem] = []
    assert load_yaml(folder, problems) is None
    assert [p.message for p in problems] == ["cannot read the file: Is a directory"]


def test_very_long_numbers_stay_exact(tmp_path: Path) -> None:
    digits = "1" * 5000  # past Python's limit for reading integers
    data, problems = load(tmp_path, f"a: {digits}\nb: 1e999999999\n")
    assert problems == [] and data == {"a": Decimal(digits), "b": Decimal("1e999999999")}
