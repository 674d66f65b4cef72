"""A forked worker writes the source cache while the build process goes on (graph/sourcecache.py).

From ``SAVE_AHEAD_FROM`` entries to write on, :meth:`SourceCache.save` leaves the
pickling and writing to a worker. Whatever the worker does, the next read must give
what parsing gives; the next read in the process, and the end of the process, wait for it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph import forked, sourcecache
from tests.conftest import ROOT
from tests.test_sourcecache import CASES, _parses, _read, every_case_folder

pytestmark = pytest.mark.skipif(not forked.available(), reason="saving ahead needs os.fork (Linux)")


@pytest.fixture
def every_case(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A sources folder with every valid and invalid case as an article, saved ahead from one entry on."""
    folder = every_case_folder(tmp_path, monkeypatch)
    monkeypatch.setattr(sourcecache, "SAVE_AHEAD_FROM", 1)
    yield folder
    sourcecache.finish_saving()  # nothing left for the next test


def _cache_files(tmp_path: Path) -> list[str]:
    return sorted(p.name for p in (tmp_path / "cache" / "sources").glob("*/*"))


def test_the_next_read_waits_for_the_worker_and_parses_nothing(
    every_case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = _read(every_case, cache=False)
    assert _read(every_case) == here
    assert len(sourcecache._saving) == 1, "a worker is writing the cache"
    parsed = _parses(monkeypatch)
    assert _read(every_case) == here
    assert parsed == [], "everything was in the cache the worker wrote"
    sourcecache.finish_saving()
    assert sourcecache._saving == {}
    assert not any(p.suffix == ".tmp" for p in (tmp_path / "cache" / "sources").glob("*/*"))


def test_a_worker_that_dies_only_costs_parsing_again(
    every_case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = _read(every_case, cache=False)
    write = sourcecache._write
    monkeypatch.setattr(sourcecache, "_write", lambda cache, shards, emit: os.kill(os.getpid(), signal.SIGKILL))
    assert _read(every_case) == here
    sourcecache.finish_saving()
    assert _cache_files(tmp_path) == []
    monkeypatch.setattr(sourcecache, "_write", write)
    parsed = _parses(monkeypatch)
    assert _read(every_case) == here
    assert len(parsed) == len(CASES) + 1, "every file parsed again"


def test_few_entries_are_written_here(every_case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sourcecache, "SAVE_AHEAD_FROM", len(CASES) + 2)
    _read(every_case)
    assert sourcecache._saving == {}
    assert _cache_files(tmp_path)


def test_the_end_of_the_process_waits_for_the_worker(every_case: Path, tmp_path: Path) -> None:
    script = (
        "import sys; from pathlib import Path; from graph import sourcecache, sources\n"
        "sourcecache.SAVE_AHEAD_FROM = 1\n"
        "sources.read_sources(Path('sources'), [])\n"
        "assert sourcecache._saving\n"
        "sys.exit(0)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", script], check=True, env=env, cwd=tmp_path)
    written = _cache_files(tmp_path)
    assert written and not any(name.endswith(".tmp") for name in written)


def test_a_forked_child_leaves_its_parents_worker_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class NotOurs:
        def join(self) -> None:
            raise AssertionError("joined another process's worker")

    monkeypatch.setitem(sourcecache._saving, tmp_path, (os.getpid() + 1, NotOurs()))  # type: ignore[arg-type]
    sourcecache.finish_saving(tmp_path)
    assert tmp_path not in sourcecache._saving
