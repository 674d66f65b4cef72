"""A parse-ahead worker hands its results over in pieces, taken while both parse (graph/sourcecache.py)."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from pathlib import Path

import pytest

from graph import forked, sourcecache, sources
from graph.errors import Problem
from tests.test_sourcecache import CASES, _parses, _read, every_case_folder

pytestmark = pytest.mark.skipif(not forked.available(), reason="parsing ahead needs os.fork (Linux)")


@pytest.fixture
def every_case(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A sources folder with every valid and invalid case as an article, parsed ahead in four pieces."""
    folder = every_case_folder(tmp_path, monkeypatch)
    monkeypatch.setattr(sourcecache, "PARSE_AHEAD_FROM", 2)
    monkeypatch.setattr(sourcecache, "AHEAD_PIECES", 4)
    monkeypatch.setattr(sourcecache, "PIECE_FILES", 1)
    monkeypatch.setattr(sourcecache, "TAKE_EVERY", 1)
    return folder


def _files(folder: Path) -> list[tuple[Path, str, Callable[..., object]]]:
    return [(p, "article", sources._read_article) for p in sources.article_files(folder)]


def test_pieces_give_what_parsing_here_gives(every_case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    here = _read(every_case, cache=False)
    parsed = _parses(monkeypatch)
    assert _read(every_case) == here  # the same declarations, the same problems in the same order
    assert len(parsed) == (len(CASES) + 1) // 2, "the worker parsed the second half"


def test_a_piece_handed_over_is_taken_before_the_worker_ends(every_case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = sourcecache.SourceCache.of(every_case)
    files = _files(every_case)
    ahead = cache.parse_ahead(files)
    assert ahead is not None
    assert ahead.child.ready(f"{sourcecache._PARSED}-0") is not None
    ahead.take()
    assert ahead.taken >= 1
    ahead.finish()
    assert ahead.taken == 4
    parsed = _parses(monkeypatch)
    problems: list[Problem] = []
    for path, kind, reader in files[ahead.start :]:
        cache.read(path, kind, reader, problems)
    assert parsed == [], "every piece was taken"


def test_a_worker_dying_after_a_piece_only_costs_the_rest(every_case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    here = _read(every_case, cache=False)
    parse = sourcecache._parse

    def dying(files: list[tuple[Path, str, sourcecache.Reader[object]]], emit: forked.Emit) -> dict[str, float]:
        def once(name: str, content: bytes | list[bytes] | Path) -> None:
            emit(name, content)
            os.kill(os.getpid(), signal.SIGKILL)

        return parse(files, once)

    monkeypatch.setattr(sourcecache, "_parse", dying)
    parsed = _parses(monkeypatch)
    assert _read(every_case) == here
    files, half = len(CASES) + 1, (len(CASES) + 1) // 2
    piece = -(-(files - half) // 4)
    # the parent took the first piece if it looked before the worker died, else it parsed it too
    assert len(parsed) in (files - piece, files)
