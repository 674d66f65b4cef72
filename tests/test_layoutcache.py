"""Layouts of large views are remembered by their whole input (graph/layoutcache.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from graph import layoutcache
from graph.layout import force_layout

PAIRS = [(0, 1), (1, 2), (2, 3)]


@pytest.fixture
def remember_all(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Every layout is kept, in a cache of this test's own."""
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(layoutcache, "REMEMBER_FROM", 0)
    return tmp_path / "cache" / "layouts"


def _never() -> list[tuple[int, int]]:
    raise AssertionError("computed again")


def test_the_same_input_is_read_back_not_computed(remember_all: Path) -> None:
    first = layoutcache.remembered(4, PAIRS, "p", lambda: [(1, -2), (3, 4), (-5, 6), (2**40, -(2**40))])
    assert first == [(1, -2), (3, 4), (-5, 6), (2**40, -(2**40))]
    assert layoutcache.remembered(4, PAIRS, "p", _never) == first
    assert len(list(remember_all.iterdir())) == 1


def test_another_input_is_computed(remember_all: Path) -> None:
    layoutcache.remembered(4, PAIRS, "p", lambda: [(0, 0)] * 4)
    assert layoutcache.remembered(4, PAIRS[:2], "p", lambda: [(1, 1)] * 4) == [(1, 1)] * 4
    assert layoutcache.remembered(4, PAIRS, "q", lambda: [(2, 2)] * 4) == [(2, 2)] * 4
    assert layoutcache.remembered(5, PAIRS, "p", lambda: [(3, 3)] * 5) == [(3, 3)] * 5
    assert len(list(remember_all.iterdir())) == 4


def test_a_torn_file_is_computed_again_and_replaced(remember_all: Path) -> None:
    layoutcache.remembered(4, PAIRS, "p", lambda: [(0, 0)] * 4)
    (kept,) = remember_all.iterdir()
    kept.write_bytes(kept.read_bytes()[:-1])
    assert layoutcache.remembered(4, PAIRS, "p", lambda: [(7, 7)] * 4) == [(7, 7)] * 4
    assert layoutcache.remembered(4, PAIRS, "p", _never) == [(7, 7)] * 4


def test_only_the_newest_are_kept(remember_all: Path) -> None:
    for count in range(1, layoutcache.KEEP + 3):
        layoutcache.remembered(count, [], "p", lambda count=count: [(count, 0)] * count)
        for path in remember_all.iterdir():  # distinct times, even on a coarse clock
            os.utime(path, ns=(path.stat().st_mtime_ns - 10**9,) * 2)
    assert len(list(remember_all.iterdir())) == layoutcache.KEEP
    assert layoutcache.remembered(layoutcache.KEEP + 2, [], "p", _never) == [(layoutcache.KEEP + 2, 0)] * (
        layoutcache.KEEP + 2
    )
    assert layoutcache.remembered(1, [], "p", lambda: [(9, 9)]) == [(9, 9)]  # the oldest went


def test_small_views_are_not_kept(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    assert layoutcache.remembered(layoutcache.REMEMBER_FROM - 1, [], "p", lambda: [(1, 1)]) == [(1, 1)]
    assert not (tmp_path / "cache").exists()


def test_an_unwritable_cache_only_costs_the_computation(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", "utf-8")
    monkeypatch.setenv("KG_CACHE_DIR", str(blocker))
    monkeypatch.setattr(layoutcache, "REMEMBER_FROM", 0)
    assert layoutcache.remembered(2, [(0, 1)], "p", lambda: [(1, 2), (3, 4)]) == [(1, 2), (3, 4)]


def test_force_layout_gives_the_same_positions_computed_or_remembered(remember_all: Path) -> None:
    edges = [(i, (i * 7 + 3) % 60) for i in range(60)] + [(60, 61)]
    computed = force_layout(62, edges)
    assert len(list(remember_all.iterdir())) == 1
    assert force_layout(62, edges) == computed
    assert force_layout(62, list(reversed(edges))) == computed  # the same network: read back
    assert len(list(remember_all.iterdir())) == 1
