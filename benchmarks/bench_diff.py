"""Benchmark `kg diff` on two builds of a synthetic project that differ by one article file.

Usage:
    python benchmarks/bench_diff.py                 # 5000 facts
    python benchmarks/bench_diff.py --facts 18000

The project comes from bench_build's generator; the last article file is removed for
the older build. Reports the median of three runs of `kg diff` (reading both exports and
writing the Markdown) next to two baselines on the same files: parsing both with
pyoxigraph alone, and parsing both into rdflib graphs. Ratios, not seconds, compare
across machines.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import pyoxigraph as ox  # noqa: E402
from bench_build import generate  # noqa: E402
from rdflib import Graph  # noqa: E402

from graph import pipeline  # noqa: E402
from graph.curation import diff  # noqa: E402


def median_seconds(run: Callable[[], object], times: int = 3) -> float:
    results = []
    for _ in range(times):
        start = time.perf_counter()
        run()
        results.append(time.perf_counter() - start)
    return statistics.median(results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--facts", type=int, default=5000, help="facts of the newer build (default 5000)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        project = folder / "project"
        generate(project, args.facts)
        pipeline.build(project=project, out=folder / "new", formats=["ntriples"])
        sorted((project / "sources" / "articles").glob("*.yaml"))[-1].unlink()
        pipeline.build(project=project, out=folder / "old", formats=["ntriples"])
        files = [folder / side / "kg.nt" for side in ("old", "new")]
        triples = [sum(1 for _ in f.open(encoding="utf-8")) for f in files]

        def oxigraph() -> None:
            for f in files:
                list(ox.parse(f.read_bytes(), format=ox.RdfFormat.N_TRIPLES))

        def rdflib() -> None:
            for f in files:
                Graph().parse(f, format="nt")

        def kg_diff() -> None:
            diff.format_markdown(diff.diff(str(folder / "old"), str(folder / "new"), project=project))

        seconds = {name: median_seconds(run) for name, run in (("diff", kg_diff), ("ox", oxigraph), ("rdflib", rdflib))}
    print("| triples (old + new) | kg diff (s) | pyoxigraph parse (s) | rdflib parse (s) | diff / rdflib |")
    print("|---|---|---|---|---|")
    print(
        f"| {triples[0]:,} + {triples[1]:,} | {seconds['diff']:.2f} | {seconds['ox']:.2f} | {seconds['rdflib']:.2f} "
        f"| {seconds['diff'] / seconds['rdflib']:.2f} |"
    )


if __name__ == "__main__":
    main()
