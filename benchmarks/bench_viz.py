"""Benchmark `kg viz` on synthetic graphs: HTML size, generation time, first draw in Chromium.

Usage:
    python benchmarks/bench_viz.py                          # 1k, 5k and 20k entities
    python benchmarks/bench_viz.py --entities 2000 --keep /tmp/bench-viz

The synthetic projects come from benchmarks/corpus.py's ``generate()`` (people,
parties, bodies, cities, conferences and statistics, with quotes and qualifiers), sized
to about the number of entities asked for. For each: the time to load and project the
graph, to render the page (with the layout computed in Python above the physics limit),
the page's size, and the time from navigation to the first drawn frame (the canvas preview
of a large view) and to vis-network's first, interactive frame, in headless Chromium
(Debian's ``chromium``, offline), median of three loads.

Also, on the same networks in the same run, the layout: graph/layout.py (igraph's
Fruchterman-Reingold, 500 iterations) against the numpy implementation it replaced
(benchmarks/layout_numpy.py, 60 iterations), with the time of each and two measures of the
picture: the mean edge length over the mean distance of random node pairs (lower: linked
nodes sit closer together than unlinked ones), and the share of nodes closer to another
node than a tenth of the median edge length (lower: fewer nodes drawn on top of each other).
Prints Markdown tables for the README; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from corpus import generate  # noqa: E402
from layout_numpy import _close_pairs as close_pairs  # noqa: E402
from layout_numpy import force_layout as numpy_layout  # noqa: E402

from graph import pipeline  # noqa: E402
from graph.build import build_graph  # noqa: E402
from graph.layout import force_layout  # noqa: E402
from graph.projection import project  # noqa: E402
from graph.viz import LARGE_VIEW, render_html  # noqa: E402

ENTITIES_PER_TRIPLE = 0.025  # what generate() makes, measured


def first_draw(html: Path, executable: str, runs: int = 3) -> tuple[float, float, int]:
    """Median milliseconds from navigation to the first drawn frame and to the interactive
    network (the same frame unless a large view drew a preview first), and the nodes drawn."""
    from playwright.sync_api import sync_playwright

    times = []
    interactive = []
    drawn = 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        for _ in range(runs):
            context = browser.new_context(offline=True, bypass_csp=True, viewport={"width": 1400, "height": 900})
            page = context.new_page()
            page.goto(html.as_uri(), timeout=600_000)
            while page.evaluate("typeof window.kgInteractive") != "number":
                time.sleep(0.05)
            times.append(float(page.evaluate("window.kgFirstDraw")))
            interactive.append(float(page.evaluate("window.kgInteractive")))
            drawn = int(page.evaluate("window.kgNetwork.body.nodeIndices.length"))
            context.close()
        browser.close()
    return statistics.median(times), statistics.median(interactive), drawn


def layout_quality(positions: list[tuple[int, int]], pairs: list[tuple[int, int]]) -> tuple[float, float]:
    """Mean edge length over mean random-pair distance, and the share of nodes nearly on another."""
    import numpy as np

    pos = np.array(positions, dtype=np.float64)
    edges = np.array(pairs, dtype=np.intp).reshape(-1, 2)
    lengths = np.linalg.norm(pos[edges[:, 0]] - pos[edges[:, 1]], axis=1)
    rng = np.random.default_rng(0)
    a, b = rng.integers(0, len(pos), 20_000), rng.integers(0, len(pos), 20_000)
    ratio = float(lengths.mean() / np.linalg.norm(pos[a] - pos[b], axis=1).mean())
    threshold = 0.1 * float(np.median(lengths))
    i, j = close_pairs(pos, threshold)  # every pair in the same or neighbouring grid cells
    close = np.linalg.norm(pos[i] - pos[j], axis=1) < threshold
    stacked = np.zeros(len(pos), dtype=bool)
    stacked[i[close]] = stacked[j[close]] = True
    return ratio, float(stacked.mean())


def compare_layouts(count: int, pairs: list[tuple[int, int]]) -> dict[str, float]:
    """Both layouts of the same network, timed and measured."""
    row: dict[str, float] = {}
    for name, function in (("numpy", numpy_layout), ("igraph", force_layout)):
        start = time.perf_counter()
        positions = function(count, pairs)
        row[f"{name}_s"] = time.perf_counter() - start
        row[f"{name}_ratio"], row[f"{name}_stacked"] = layout_quality(positions, pairs)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entities", type=int, action="append", help="about this many entities (repeatable)")
    parser.add_argument("--keep", type=Path, help="keep generated projects and pages in this folder")
    args = parser.parse_args()
    executable = os.environ.get("KG_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        sys.exit("chromium not found (Debian: apt-get install chromium)")
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="kg-bench-viz-"))
    rows = []
    for wanted in args.entities or [1_000, 5_000, 20_000]:
        folder = workdir / f"entities-{wanted}"
        if folder.exists():
            shutil.rmtree(folder)
        generate(folder, int(wanted / ENTITIES_PER_TRIPLE))
        start = time.perf_counter()
        dataset = pipeline.load(folder)
        graph = build_graph(dataset).graph
        loaded = time.perf_counter() - start
        start = time.perf_counter()
        view = project(graph, dataset.ontology)
        projected = time.perf_counter() - start
        start = time.perf_counter()
        html = render_html(view)
        rendered = time.perf_counter() - start
        page = folder / "kg.html"
        page.write_bytes(html)
        draw, ready, drawn = first_draw(page, executable)
        nodes, edges = view.network.number_of_nodes(), view.network.number_of_edges()
        order = {node: i for i, node in enumerate(view.network.nodes)}
        pairs = sorted({(order[u], order[v]) for u, v in view.network.edges() if u != v})
        layouts = compare_layouts(nodes, pairs)
        assert drawn == nodes, f"drew {drawn} of {nodes} nodes"
        row = {
            "entities": nodes,
            "relations": edges,
            "load": loaded,
            "project": projected,
            "render": rendered,
            "mb": len(html) / 1e6,
            "draw": draw / 1000,
            "interactive": ready / 1000,
            "large": nodes > LARGE_VIEW,
            **layouts,
        }
        rows.append(row)
        print({k: round(v, 2) if isinstance(v, float) else v for k, v in row.items()}, file=sys.stderr, flush=True)
    print(
        "| entities | relations | load + build (s) | projection (s) | page (s) | kg.html (MB) "
        "| first draw (s) | interactive (s) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['entities']:,} | {r['relations']:,} | {r['load']:.1f} | {r['project']:.1f} | {r['render']:.1f} "
            f"| {r['mb']:.1f} | {r['draw']:.2f} | {r['interactive']:.2f} |"
        )
    print()
    print(
        "| entities | layout numpy FR, 60 it. (s) | igraph FR, 500 it. (s) | ratio "
        "| edge/pair distance numpy | igraph | nodes stacked numpy | igraph |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['entities']:,} | {r['numpy_s']:.2f} | {r['igraph_s']:.2f} | {r['numpy_s'] / r['igraph_s']:.1f}x "
            f"| {r['numpy_ratio']:.3f} | {r['igraph_ratio']:.3f} "
            f"| {r['numpy_stacked']:.1%} | {r['igraph_stacked']:.1%} |"
        )
    if not args.keep:
        shutil.rmtree(workdir)


if __name__ == "__main__":
    main()
