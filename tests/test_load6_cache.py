"""The source cache keeps each path as its text and gives back the ``Path`` the read was given.

Making a ``Path`` from its text again cost more than unpickling the rest of an article's
declarations, so the cache files keep paths as persistent ids
(:class:`graph.sourcecache._Pickler`) and reading them back gives the very objects
:func:`graph.sources.read_sources` found (:meth:`SourceCache.expect`), or a ``Path`` made
from the text for one it was not told of; a cache file whose id is anything but a text is
foreign, ignored, and its files are parsed again.
"""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest

from graph import sources
from graph.errors import Problem
from graph.sourcecache import SourceCache
from tests.conftest import DATA
from tests.test_sourcecache import _parses, _read


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sources" / "articles").mkdir(parents=True)
    (tmp_path / "sources" / "entities.yaml").write_text("- {id: a, type: Person, name: A}\n", "utf-8")
    for n, case in enumerate(sorted((DATA / "valid").glob("*.yaml"))[:3]):
        shutil.copy(case, tmp_path / "sources" / "articles" / f"{n}.yaml")
    return Path("sources")


def _cache_files() -> list[Path]:
    return sorted((Path("cache") / "sources").glob("*/*.pickle"))


def test_the_paths_read_back_are_the_paths_read(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _read(folder, cache=False)
    _read(folder)
    assert b"PosixPath" not in b"".join(f.read_bytes() for f in _cache_files())  # kept as their text
    parsed = _parses(monkeypatch)
    problems: list[Problem] = []
    declarations = sources.read_sources(folder, problems)
    assert parsed == []
    assert (repr(declarations), [str(p) for p in problems]) == expected
    found = sources.article_files(folder)
    assert [a.path for a in declarations.articles] == found
    for article, path in zip(declarations.articles, found, strict=True):
        assert type(article.path) is type(path)
        assert article.source.location.path is article.path  # one object for the file, as parsed


def test_a_path_it_was_not_told_of_is_made_from_its_text(folder: Path) -> None:
    _read(folder)
    cache = SourceCache.of(folder)
    path = sources.article_files(folder)[0]
    found = cache.read(path, "article", sources._read_article, [])  # no expect(): nothing to give back
    assert found is not None and found.path == path and type(found.path) is type(path)


def test_a_cache_file_with_a_foreign_id_is_ignored(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _read(folder, cache=False)
    _read(folder)

    class Foreign(pickle.Pickler):
        def persistent_id(self, obj: object) -> object:
            return ("not", "a path") if isinstance(obj, Path) else None

    for file in _cache_files():
        entries = SourceCache(file.parent)._load(file)
        assert entries  # read back as it was written
        with open(file, "wb") as handle:
            Foreign(handle, protocol=pickle.HIGHEST_PROTOCOL).dump(entries)
        assert SourceCache(file.parent)._load(file) == {}
    parsed = _parses(monkeypatch)
    assert _read(folder) == expected
    assert len(parsed) == 4  # the registry and the three articles, parsed again
