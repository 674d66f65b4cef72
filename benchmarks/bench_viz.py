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
(Debian's ``chromium``, offline), median of three loads. Prints a
Markdown table for the README; progress goes to stderr.
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

from graph import pipeline  # noqa: E402
from graph.build import build_graph  # noqa: E402
from graph.projection import project  # noqa: E402
from graph.viz import PHYSICS_LIMIT, render_html  # noqa: E402

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
            "layout": "browser physics" if nodes <= PHYSICS_LIMIT else "precomputed",
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
    if not args.keep:
        shutil.rmtree(workdir)


if __name__ == "__main__":
    main()
