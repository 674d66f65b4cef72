"""A worker parses the second half of the sources while the build process reads the first (graph/sourcecache.py)."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from graph import forked, sourcecache, sources
from tests.test_sourcecache import CASES, _parses, _read, every_case_folder

pytestmark = pytest.mark.skipif(not forked.available(), reason="parsing ahead needs os.fork (Linux)")


@pytest.fixture
def every_case(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A sources folder with every valid and invalid case as an article, parsed ahead from two files on."""
    folder = every_case_folder(tmp_path, monkeypatch)
    monkeypatch.setattr(sourcecache, "PARSE_AHEAD_FROM", 2)
    return folder


def test_parsed_ahead_gives_what_parsing_here_gives(every_case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    here = _read(every_case, cache=False)
    parsed = _parses(monkeypatch)
    assert _read(every_case) == here  # the same declarations, the same problems in the same order
    files = len(CASES) + 1
    assert len(parsed) == files // 2, "the worker parsed the second half"
    assert _read(every_case) == here
    assert len(parsed) == files // 2, "nothing parsed again here"


def test_a_file_changed_after_the_worker_read_it_is_parsed_again(every_case: Path) -> None:
    cache = sourcecache.SourceCache.of(every_case)
    files = [(p, "article", sources._read_article) for p in sources.article_files(every_case)]
    ahead = cache.parse_ahead(files)
    assert ahead is not None
    last = files[-1][0]
    last.write_text("title: [\n", "utf-8")  # no longer what the worker parsed
    ahead.finish()
    problems: list[sources.Problem] = []
    assert cache.read(last, "article", sources._read_article, problems) is None
    assert [p.message for p in problems] == [p.message for p in _problems_of(last)]


def _problems_of(path: Path) -> list[sources.Problem]:
    problems: list[sources.Problem] = []
    sources._read_article(path, problems)
    assert problems
    return problems


def test_a_worker_that_dies_only_costs_its_half(every_case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    here = _read(every_case, cache=False)
    monkeypatch.setattr(sourcecache, "_parse", lambda files, emit: os.kill(os.getpid(), signal.SIGKILL))
    parsed = _parses(monkeypatch)
    assert _read(every_case) == here
    assert len(parsed) == len(CASES) + 1, "the build process parsed every file itself"


def test_few_files_are_parsed_here(every_case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sourcecache, "PARSE_AHEAD_FROM", len(CASES) + 2)
    parsed = _parses(monkeypatch)
    _read(every_case)
    assert len(parsed) == len(CASES) + 1
