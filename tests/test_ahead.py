"""A large build lays out its page in another process while it builds the graph (graph/ahead.py),
and a page that needs a layout promised by another process waits for it (graph/layoutcache.py).

The fixture projects are far below the size from which layouts are kept
(:data:`graph.layoutcache.REMEMBER_FROM`), so most tests keep every layout.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from graph import ahead, forked, layout, layoutcache, pipeline, viz
from graph.build import build_graph
from graph.projection import project
from tests.conftest import ROOT
from tests.test_parallel_build import SECOND_DATE

PAIRS = [(0, 1), (1, 2), (2, 3)]
POSITIONS = [(1, 2), (3, 4), (5, 6), (7, 8)]


@pytest.fixture
def keep_all(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Every layout is kept, in a cache of this test's own: the folder of the layouts."""
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(layoutcache, "REMEMBER_FROM", 0)
    return tmp_path / "cache" / "layouts"


def _contents(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def _never(*args: Any) -> Any:
    raise AssertionError("laid out in this process")


def _page_input(graph_project: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, list[tuple[int, int]]]:
    """What the page of the whole graph passes to the layout, and what is derived ahead, as the layout reads them."""
    dataset = pipeline.load(graph_project)
    seen: list[tuple[int, list[tuple[int, int]]]] = []

    def capture(count: int, pairs: list[tuple[int, int]], spacing: float) -> list[tuple[int, int]]:
        seen.append((count, pairs))
        return [(0, 0)] * count

    monkeypatch.setattr(viz, "force_layout", capture)
    viz.page_data(project(build_graph(dataset).graph, dataset.ontology))
    ((count, pairs),) = seen
    ahead_count, links = ahead.page_input(dataset)
    assert ahead_count == count
    expected = layout._pairs(pairs).tolist()
    assert layout._pairs(list(zip(links[0::2], links[1::2], strict=True))).tolist() == expected
    return count, expected


@pytest.mark.parametrize("name", ["musterland", "mini"])
def test_the_layout_ahead_has_the_input_of_the_page(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.conftest import copy_fixture

    count, pairs = _page_input(copy_fixture(name, tmp_path / name), monkeypatch)
    assert count > 3 and len(pairs) > 2  # a network, not a trivially equal nothing


def test_the_layout_ahead_has_the_input_of_the_page_of_the_real_corpus(monkeypatch: pytest.MonkeyPatch) -> None:
    count, _ = _page_input(ROOT, monkeypatch)
    assert count > 0


def _hold(promise: layoutcache.Pending, then: Any, delay: float) -> int:
    """Fork a process that holds ``promise`` for ``delay`` seconds, then runs ``then()`` and ends: its pid."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - in the child
        code = 0
        try:
            time.sleep(delay)
            then()
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    promise.hand_over()
    return pid


needs_fork = pytest.mark.skipif(not forked.available(), reason="the test forks the process that keeps the promise")


@needs_fork
def test_a_missing_layout_waits_for_the_promise_and_is_read_back(keep_all: Path) -> None:
    promise = layoutcache.pending()
    assert promise is not None
    pid = _hold(promise, lambda: layoutcache.remembered(4, PAIRS, "p", lambda: POSITIONS), 0.3)
    with layoutcache.awaiting(promise):
        assert layoutcache.remembered(4, PAIRS, "p", _never) == POSITIONS
    os.waitpid(pid, 0)
    promise.abandon()
    assert sorted(p.suffix for p in keep_all.iterdir()) == [".layout"]


@needs_fork
def test_a_promise_whose_holder_ends_without_its_layout_is_computed_here(keep_all: Path) -> None:
    promise = layoutcache.pending()
    assert promise is not None
    pid = _hold(promise, lambda: None, 0.2)
    with layoutcache.awaiting(promise):
        assert layoutcache.remembered(4, PAIRS, "p", lambda: POSITIONS[::-1]) == POSITIONS[::-1]
    os.waitpid(pid, 0)


def test_without_awaiting_a_promise_a_missing_layout_is_computed_at_once(keep_all: Path) -> None:
    promise = layoutcache.pending()  # held here, and never kept: waiting for it would never end
    assert promise is not None
    assert layoutcache.remembered(4, PAIRS, "p", lambda: POSITIONS) == POSITIONS
    promise.abandon()
    assert [p.suffix for p in keep_all.iterdir()] == [".layout"]


def test_a_stale_promise_is_removed_when_a_layout_is_kept(keep_all: Path) -> None:
    promise = layoutcache.pending()
    assert promise is not None
    promise.hand_over()  # as a killed build leaves it
    fresh = layoutcache.pending()
    assert fresh is not None
    old = time.time() - layoutcache.STALE_AFTER - 60
    os.utime(promise.path, (old, old))
    layoutcache.remembered(4, PAIRS, "p", lambda: POSITIONS)
    assert not promise.path.exists()
    assert fresh.path.exists()  # not stale yet
    fresh.abandon()


def test_no_promise_without_a_cache_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", "utf-8")
    monkeypatch.setenv("KG_CACHE_DIR", str(blocker))
    assert layoutcache.pending() is None


@needs_fork
def test_a_build_lays_out_its_page_ahead_and_the_page_reads_it(
    musterland: Path, keep_all: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines: list[str] = []
    monkeypatch.setattr(layout, "_layout", _never)  # in this process and the workers it forks
    result = pipeline.build(project=musterland, out=tmp_path / "two", jobs=2, progress=lines.append)
    assert "laying out the page in another process while the graph is built" in lines
    assert [p.suffix for p in keep_all.iterdir()] == [".layout"]  # kept; its promise removed
    if pipeline.LAYOUT_AHEAD_STEP in result.timings.workers:  # reported if it had ended by then
        assert result.timings.workers[pipeline.LAYOUT_AHEAD_STEP] > 0
        assert result.timings.ahead_memory > 2**20
    monkeypatch.undo()  # a build in one process, with a cache of its own, computes every layout itself
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "other-cache"))
    pipeline.build(project=musterland, out=tmp_path / "one", jobs=1)
    assert _contents(tmp_path / "two") == _contents(tmp_path / "one")


@needs_fork
def test_jobs_1_lays_out_nothing_ahead(musterland: Path, keep_all: Path, tmp_path: Path) -> None:
    lines: list[str] = []
    pipeline.build(project=musterland, out=tmp_path / "one", jobs=1, progress=lines.append)
    assert not any("ahead" in line or "another process" in line for line in lines)


@needs_fork
def test_a_layout_ahead_that_fails_leaves_the_page_to_lay_itself_out(
    musterland: Path, keep_all: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "executable", "/bin/false")  # the process ahead ends at once, keeping nothing
    result = pipeline.build(project=musterland, out=tmp_path / "out", jobs=2)
    assert pipeline.LAYOUT_AHEAD_STEP not in result.timings.workers
    monkeypatch.undo()
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "other-cache"))
    pipeline.build(project=musterland, out=tmp_path / "one", jobs=1)
    assert _contents(tmp_path / "out") == _contents(tmp_path / "one")


@needs_fork
def test_a_failed_build_stops_the_layout_ahead_and_leaves_no_promise(
    mini_built: Path, keep_all: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    article = mini_built / "sources" / "articles" / "a.yaml"
    article.write_text(article.read_text(encoding="utf-8") + SECOND_DATE, "utf-8")
    started: list[ahead.Ahead] = []
    start = ahead.start
    monkeypatch.setattr(ahead, "start", lambda dataset: started.append(work := start(dataset)) or work)
    with pytest.raises(pipeline.ShapeError):
        pipeline.build(project=mini_built, jobs=2)
    (work,) = started
    assert work.process.returncode is not None  # ended (killed, or done), and reaped
    assert not list(keep_all.glob("*.pending"))
