"""A project's settings are remembered by the settled ``stat`` of ``sources/project.yaml``
(``graph.project._Settings``), so an up-to-date ``kg build`` or a ``kg query`` need not load
the YAML parser; any change to the file is read again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph import buildcache, project, yamlio
from graph.errors import Location, SourceError


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file counts as written long ago, so its stat stands for its bytes."""
    monkeypatch.setattr(buildcache, "RACY_NS", -(10**18))


def _no_yaml(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(*args: object) -> None:
        raise AssertionError("project.yaml was parsed")

    monkeypatch.setattr(yamlio, "load_yaml", refused)


def _memo(mini: Path) -> dict[str, list[object]]:
    files: dict[str, list[object]] = json.loads((mini.parent / "cache" / "settings" / "projects.json").read_bytes())[
        "files"
    ]
    return files


def test_unchanged_settled_settings_are_not_parsed_again(
    mini: Path, settled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = project.load_project(mini)
    assert first.texts == (mini / "texts").resolve()
    assert first.texts_location == Location(mini / "sources" / "project.yaml", 4)
    _no_yaml(monkeypatch)
    assert project.load_project(mini) == first
    assert project.load_project(str(mini)) == first


def test_a_project_without_texts_is_remembered_without_them(
    mini: Path, settled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = mini / "sources" / "project.yaml"
    config.write_text("base: https://example.org/kg/\nlanguage: de\n", "utf-8")
    first = project.load_project(mini)
    assert first.texts is None and first.texts_location is None
    _no_yaml(monkeypatch)
    assert project.load_project(mini) == first


def test_a_changed_file_is_read_again(mini: Path, settled: None) -> None:
    config = mini / "sources" / "project.yaml"
    assert project.load_project(mini).base == "https://example.org/kg/"
    config.write_text(
        config.read_text("utf-8").replace("https://example.org/kg/", "https://example.org/other/"), "utf-8"
    )
    assert project.load_project(mini).base == "https://example.org/other/"
    assert _memo(mini)[str(config)][5] == "https://example.org/other/"


def test_a_file_changed_just_now_is_not_remembered(mini: Path) -> None:
    project.load_project(mini)  # written by the fixture a moment ago: its stat may not stand for its bytes yet
    assert not (mini.parent / "cache" / "settings" / "projects.json").exists()


def test_settings_with_problems_are_never_remembered(mini: Path, settled: None) -> None:
    config = mini / "sources" / "project.yaml"
    config.write_text("base: example.org/kg/\nlanguage: de\n", "utf-8")
    for _ in range(2):
        with pytest.raises(SourceError) as caught:
            project.load_project(mini)
        assert [str(p) for p in caught.value.problems] == [
            f"{config}:1: base must be an http(s) IRI ending in '/' or '#'"
        ]
    assert not (mini.parent / "cache" / "settings" / "projects.json").exists()


@pytest.mark.parametrize(
    "memo",
    [
        b"not json",
        b'{"format": 99, "files": {}}',
        b'{"format": 1, "files": []}',
        b'{"format": 1, "files": {"CONFIG": "not a list"}}',
        b'{"format": 1, "files": {"CONFIG": [1, 2, 3]}}',
        b'{"format": 1, "files": {"CONFIG": ["STAT", 7, "de", null, null]}}',
        b'{"format": 1, "files": {"CONFIG": ["STAT", "https://example.org/kg/", "de", null, 4]}}',
    ],
)
def test_a_broken_or_foreign_memo_is_ignored(mini: Path, settled: None, memo: bytes) -> None:
    config = mini / "sources" / "project.yaml"
    stat = json.dumps(list(buildcache.file_stat(config)))[1:-1]
    folder = mini.parent / "cache" / "settings"
    folder.mkdir(parents=True)
    (folder / "projects.json").write_bytes(
        memo.replace(b"CONFIG", str(config).encode()).replace(b'"STAT"', stat.encode())
    )
    found = project.load_project(mini)
    assert (found.base, found.texts) == ("https://example.org/kg/", (mini / "texts").resolve())
    assert _memo(mini)[str(config)][5:] == ["https://example.org/kg/", "de", "texts", 4]  # read, then kept anew


def test_a_cache_that_cannot_be_written_only_means_reading_the_file_each_time(
    mini: Path, settled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def read_only(files: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(project, "write_atomically", read_only)
    for _ in range(2):
        assert project.load_project(mini).base == "https://example.org/kg/"
    assert not (mini.parent / "cache" / "settings" / "projects.json").exists()
