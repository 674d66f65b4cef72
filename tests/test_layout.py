"""Dates for --as-of, and the layout of large views: unit tests of graph/temporal.py and graph/layout.py."""

from __future__ import annotations

import math
import random
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from graph import pipeline
from graph.build import build_graph
from graph.layout import _pairs, force_layout
from graph.projection import project
from graph.temporal import DateProblem, Span, parse_span, period_of
from graph.viz import LARGE_VIEW, page_data
from tests.conftest import ROOT

# ------------------------------------------------------------------ dates


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("2019", date(2019, 1, 1), date(2019, 12, 31)),
        ("2020-02", date(2020, 2, 1), date(2020, 2, 29)),
        ("2019-11-27", date(2019, 11, 27), date(2019, 11, 27)),
        ("2019-11-27T16:30:00", date(2019, 11, 27), date(2019, 11, 27)),
    ],
)
def test_a_date_stands_for_the_days_it_covers(text: str, first: date, last: date) -> None:
    assert parse_span(text) == Span(first, last)


@pytest.mark.parametrize("text", ["27.11.2019", "2019-13", "2019-02-30", "", "19"])
def test_other_texts_are_not_dates(text: str) -> None:
    with pytest.raises(DateProblem):
        parse_span(text)


def test_periods_have_open_bounds_and_points() -> None:
    day = parse_span("2019-11-27")
    assert not period_of([], [], []).overlaps(day)  # undated: never
    assert period_of(["2018"], [], []).overlaps(day)  # "seit 2018"
    assert period_of([], ["2020"], []).overlaps(day)  # "bis 2020"
    assert not period_of([], ["2018"], []).overlaps(day)
    assert period_of([], [], ["2019"]).overlaps(day)  # asOf at a coarser precision
    assert not period_of([], [], ["2019-11-26"]).overlaps(day)
    assert period_of(["2019-11-27T12:00"], ["2019-11-27T16:30"], []).overlaps(parse_span("2019-11"))
    assert not period_of(["2019-01"], ["2018-12"], []).overlaps(day)  # contradictory dates: empty


# ------------------------------------------------------------------ layout


def test_layout_is_deterministic_spread_out_and_keeps_neighbours_close() -> None:
    rng = random.Random(5)
    # two dense clusters of 150 nodes joined by one edge
    edges = [(rng.randrange(150), rng.randrange(150)) for _ in range(450)]
    edges += [(150 + rng.randrange(150), 150 + rng.randrange(150)) for _ in range(450)]
    edges.append((0, 150))
    positions = force_layout(300, edges)
    assert positions == force_layout(300, edges)
    assert len(set(positions)) == 300
    centre_a = np.mean(positions[:150], axis=0)
    centre_b = np.mean(positions[150:], axis=0)
    spread_a = np.mean([math.dist(p, centre_a) for p in positions[:150]])
    assert math.dist(centre_a, centre_b) > spread_a  # the clusters stay apart


def test_layout_packs_components_close_and_keeps_the_median_edge_at_the_spacing() -> None:
    # a triangle, a pair and three lone nodes
    edges = [(0, 1), (1, 2), (2, 0), (3, 4)]
    positions = force_layout(8, edges, spacing=100)
    assert positions == force_layout(8, edges, spacing=100)
    lengths = sorted(math.dist(positions[a], positions[b]) for a, b in edges)
    assert 90 <= lengths[2] <= 110  # the median edge
    xs, ys = [p[0] for p in positions], [p[1] for p in positions]
    assert max(xs) - min(xs) < 600 and max(ys) - min(ys) < 600  # lone nodes did not drift away
    assert len(set(positions)) == 8


def test_every_view_gets_positions(tmp_path: Path, musterland_built: Path) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_build import generate

    generate(tmp_path / "big", 1200)
    shutil.rmtree(tmp_path / "big" / "ontology")
    shutil.copytree(ROOT / "ontology", tmp_path / "big" / "ontology")
    dataset = pipeline.load(tmp_path / "big")
    view = project(build_graph(dataset).graph, dataset.ontology)
    assert view.network.number_of_nodes() > LARGE_VIEW
    data = page_data(view)
    assert data["large"] is True
    assert all(len(node) == 8 for node in data["nodes"])  # every node has x and y
    small_dataset = pipeline.load(musterland_built)  # far below the limit
    small = page_data(project(build_graph(small_dataset).graph, small_dataset.ontology))
    assert small["large"] is False and all(len(node) == 8 for node in small["nodes"])


def test_layout_is_the_same_in_a_fresh_process() -> None:
    # igraph's random numbers and numpy's are seeded per call: another process, another
    # import order, and the positions are still the same
    script = "from graph.layout import force_layout; print(force_layout(60, [(i, (i * 7) % 60) for i in range(60)]))"
    runs = {
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
        for _ in range(2)
    }
    edges = [(i, (i * 7) % 60) for i in range(60)]
    assert runs == {f"{force_layout(60, edges)}\n"}


@pytest.mark.parametrize("size", [0, 1, 2, 10, 500, 20_000])
def test_the_links_are_each_pair_once_sorted_without_loops(size: int) -> None:
    rng = random.Random(size)
    nodes = max(1, size // 3)
    edges = [(rng.randrange(nodes), rng.randrange(nodes)) for _ in range(size)]  # loops, both ways, twice
    found = _pairs(edges)
    expected = sorted({(min(u, v), max(u, v)) for u, v in edges if u != v})
    assert found.dtype == np.int64 and found.shape == (len(expected), 2)
    assert [tuple(row) for row in found.tolist()] == expected
    # the bytes the layout cache keys on: those of numpy's unique rows (the key of kept layouts)
    rows = np.sort(np.asarray(edges, dtype=np.int64).reshape(-1, 2), axis=1)
    assert found.tobytes() == np.unique(rows[rows[:, 0] != rows[:, 1]], axis=0).tobytes()
