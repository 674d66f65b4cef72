"""The source cache trusts a file's ``stat`` for its bytes only once the file has settled."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from graph import buildcache, sources
from graph.errors import Problem

ARTICLE = """source: {id: s, type: NewsArticle, name: S, language: de, sha256: %s}
facts:
  - {subject: a, memberOf: b, quote: 'A ist Mitglied.'}
"""


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sources" / "articles").mkdir(parents=True)
    (tmp_path / "sources" / "articles" / "one.yaml").write_text(ARTICLE % ("0" * 64), "utf-8")
    return Path("sources")


def _read(folder: Path) -> str:
    problems: list[Problem] = []
    return repr((sources.read_sources(folder, problems), [str(p) for p in problems]))


def _reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The files whose bytes are read from now on."""
    read: list[Path] = []
    original = Path.read_bytes

    def spy(path: Path) -> bytes:
        read.append(path)
        return original(path)

    monkeypatch.setattr(Path, "read_bytes", spy)
    return read


def test_a_file_written_moments_ago_is_read_and_hashed_again(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = _read(folder)
    read = _reads(monkeypatch)
    assert _read(folder) == first
    assert read == [folder / "articles" / "one.yaml"]


def test_a_settled_file_whose_stat_is_unchanged_is_not_read_again(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(buildcache, "RACY_NS", -(10**18))  # as if every file had been written long ago
    first = _read(folder)
    _read(folder)  # records the stat of what it hashed
    read = _reads(monkeypatch)
    assert _read(folder) == first
    assert read == []


def test_a_file_whose_stat_changed_is_hashed_and_parsed_again(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(buildcache, "RACY_NS", -(10**18))
    path = folder / "articles" / "one.yaml"
    _read(folder)
    before = os.stat(path)
    path.write_text(ARTICLE % ("1" * 64), "utf-8")  # the same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))
    read = _reads(monkeypatch)
    changed = _read(folder)
    assert read == [path]
    assert "1" * 64 in changed and "0" * 64 not in changed
