"""Phase 1 remembered per file: the same declarations and problems, without parsing again."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from graph import sources
from graph.errors import Problem
from graph.sourcecache import FOLDERS, SHARDS, SourceCache
from tests.conftest import DATA

CASES = sorted((DATA / "invalid").glob("*.yaml")) + sorted((DATA / "valid").glob("*.yaml"))


def test_cases_are_all_collected() -> None:
    assert len(CASES) == 106 + 5


def every_case_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A sources folder (the cwd's ``sources``, with a cache of its own) holding every valid
    and invalid case of ``tests/data`` as an article, and a registry of one entity."""
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sources" / "articles").mkdir(parents=True)
    (tmp_path / "sources" / "entities.yaml").write_text("- {id: a, type: Person, name: A}\n", "utf-8")
    for case in CASES:
        (tmp_path / "sources" / "articles" / f"{case.parent.name}-{case.name}").write_bytes(case.read_bytes())
    return Path("sources")


def _read(folder: Path, cache: bool = True) -> tuple[str, list[str]]:
    problems: list[Problem] = []
    declarations = sources.read_sources(folder, problems, cache=cache)
    return repr(declarations), [str(p) for p in problems]


def _parses(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The files parsed from now on."""
    parsed: list[Path] = []
    for name in ("_read_article", "_read_registry"):
        original = getattr(sources, name)

        def spy(
            path: Path, problems: list[Problem], data: bytes | None = None, original: Callable[..., object] = original
        ) -> object:
            parsed.append(path)
            return original(path, problems, data)

        monkeypatch.setattr(sources, name, spy)
    return parsed


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)  # locations relative to it, as a user sees them
    (tmp_path / "sources" / "articles").mkdir(parents=True)
    (tmp_path / "sources" / "entities.yaml").write_text("- {id: a, type: Person, name: A}\n", "utf-8")
    return Path("sources")


@pytest.mark.parametrize("case", CASES, ids=[f"{c.parent.name}-{c.stem}" for c in CASES])
def test_a_remembered_file_gives_what_parsing_it_gives(
    case: Path, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (folder / "articles" / case.name).write_bytes(case.read_bytes())
    parsed = _read(folder, cache=False)
    assert _read(folder) == parsed  # parsed, and remembered
    again = _parses(monkeypatch)
    assert _read(folder) == parsed
    assert again == []


def test_a_changed_file_is_parsed_again_and_the_others_are_not(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    articles = folder / "articles"
    for n in range(3):
        shutil.copy(DATA / "valid" / sorted(p.name for p in (DATA / "valid").glob("*.yaml"))[n], articles / f"{n}.yaml")
    _read(folder)
    shards = {p: p.stat().st_mtime_ns for p in (Path("cache") / "sources").glob("*/*.pickle")}
    assert 0 < len(shards) <= SHARDS
    text = (articles / "1.yaml").read_text(encoding="utf-8")
    (articles / "1.yaml").write_text(text + "\n  - {subject: nobody, quote: 'x'}\n", "utf-8")
    parsed = _parses(monkeypatch)
    remembered = _read(folder)
    assert parsed == [articles / "1.yaml"]
    assert remembered == _read(folder, cache=False)
    rewritten = [p for p, mtime in shards.items() if p.stat().st_mtime_ns != mtime]
    assert len(rewritten) == 1  # one cache file of the shards, not all


def test_a_damaged_or_unwritable_cache_is_only_slower(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(DATA / "invalid" / "unknown-property.yaml", folder / "articles" / "x.yaml")
    expected = _read(folder, cache=False)
    _read(folder)
    for file in (Path("cache") / "sources").glob("*/*.pickle"):
        file.write_bytes(file.read_bytes()[:20])
    parsed = _parses(monkeypatch)
    assert _read(folder) == expected
    assert len(parsed) == 2  # the registry and the article, parsed again
    shutil.rmtree("cache")
    Path("cache").write_text("not a folder", "utf-8")
    assert _read(folder) == expected


def test_another_version_of_the_tool_starts_afresh_and_removes_the_old_entries(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(DATA / "invalid" / "unknown-property.yaml", folder / "articles" / "x.yaml")
    _read(folder)
    (old,) = (Path("cache") / "sources").iterdir()
    monkeypatch.setattr(SourceCache, "of", classmethod(lambda cls, d: cls(old.with_name(old.name[:25] + "other"))))
    parsed = _parses(monkeypatch)
    _read(folder)
    assert len(parsed) == 2
    assert [p.name for p in (Path("cache") / "sources").iterdir()] == [old.name[:25] + "other"]


def test_only_the_folders_used_last_are_kept(folder: Path) -> None:
    shutil.copy(DATA / "invalid" / "unknown-property.yaml", folder / "articles" / "x.yaml")
    root = Path("cache") / "sources"
    for n in range(FOLDERS + 2):  # other projects' entries, used before this one
        (root / f"{n:024d}-tool").mkdir(parents=True)
        os.utime(root / f"{n:024d}-tool", ns=(n * 10**9, n * 10**9))
    _read(folder)
    kept = sorted(p.name for p in root.iterdir())
    assert len(kept) == FOLDERS
    assert [n for n in kept if n.endswith("-tool")] == [f"{n:024d}-tool" for n in range(3, FOLDERS + 2)]
