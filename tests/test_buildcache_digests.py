"""The content key remembers each file's SHA-256 by its settled ``stat`` (``buildcache._Digests``)."""

from __future__ import annotations

import builtins
import os
import shutil
from pathlib import Path

import pytest

from graph import buildcache, pipeline


@pytest.fixture
def cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("KG_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch, cache: Path) -> None:
    """Every file counts as written long ago, so its stat stands for its bytes."""
    monkeypatch.setattr(buildcache, "RACY_NS", -(10**18))


def _opened(monkeypatch: pytest.MonkeyPatch, project: Path) -> list[Path]:
    """The files of ``project`` the key reads from now on."""
    read: list[Path] = []
    original = builtins.open

    def spy(file: str, *args: object, **kwargs: object) -> object:
        if Path(file).is_relative_to(project):
            read.append(Path(file).relative_to(project))
        return original(file, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(buildcache, "open", spy, raising=False)
    return read


def _key(project: Path) -> str:
    return pipeline.build_key(project)[0]


def test_a_settled_file_whose_stat_is_unchanged_is_not_read_again(
    mini: Path, settled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _key(mini)
    read = _opened(monkeypatch, mini)
    assert _key(mini) == first
    assert read == []


def test_a_file_written_moments_ago_is_read_again(mini: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = _key(mini)
    read = _opened(monkeypatch, mini)
    assert _key(mini) == first
    assert Path("sources/entities.yaml") in read  # the fixture was copied moments ago


def test_a_change_that_keeps_size_and_mtime_changes_the_key(
    mini: Path, settled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = mini / "sources" / "entities.yaml"
    first = _key(mini)
    before = os.stat(path)
    data = path.read_bytes()
    path.write_bytes(data[:-1] + (b"x" if data[-1:] != b"x" else b"y"))  # the same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # the same mtime; ctime moved on
    read = _opened(monkeypatch, mini)
    changed = _key(mini)
    assert changed != first
    assert read == [Path("sources/entities.yaml")]


def test_the_key_is_the_one_computed_without_remembered_digests(
    mini: Path, settled: None, cache: Path, tmp_path: Path
) -> None:
    _key(mini)
    article = next((mini / "sources" / "articles").glob("*.yaml"))
    article.write_bytes(article.read_bytes() + b"\n# changed\n")
    (mini / "texts" / "new.txt").write_text("Ein neuer Text.\n", "utf-8")
    remembered = _key(mini)
    shutil.rmtree(cache)
    assert _key(mini) == remembered


def test_a_broken_or_foreign_memo_is_ignored(mini: Path, settled: None, cache: Path) -> None:
    first = _key(mini)
    (memo,) = (cache / "keys").iterdir()
    path = str(mini / "sources" / "entities.yaml")
    version = buildcache.FORMAT
    other_format = b'{"format": %d, "files": {}}' % (version + 1)
    foreign = (b"{not json", other_format, b"[]", b'{"format": %d, "files": []}' % version)
    wrong = b'{"format": %d, "files": {"%s": [1, 2]}}' % (version, path.encode())
    for content in (*foreign, wrong):
        memo.write_bytes(content)
        assert _key(mini) == first
