"""Benchmark ``build_graph`` (``graph/build.py``) against an older revision's, in one process.

Usage:
    python benchmarks/bench_build6.py /tmp/kg100k
    python benchmarks/bench_build6.py /tmp/kg100k --old main --rounds 5 --compare /tmp/ref100k

The project is loaded once; then the old revision's ``build_graph`` (read with ``git show``)
and the current one run one after the other in each of ``--rounds`` rounds on the same
dataset (in turns first), the cyclic garbage collector off as in a build. Prints the best wall and CPU
seconds of each and their ratio (old ÷ new: above 1 is faster), and whether the two builds
are the same: every level of the store's ``spo`` and ``pos`` indexes in the same order, and
the same :class:`~graph.build.BuiltGraph` fields (origins, facts, sourced, metadata, counts).
With ``--compare``, the N-Triples, Turtle and JSON-LD exports of the new graph are compared
byte for byte with ``kg.nt``, ``kg.ttl`` and ``kg.jsonld`` in that folder.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_build4 import FILES, index_orders, once  # noqa: E402
from oldcode import arguments, old_module  # noqa: E402

from graph import build, pipeline  # noqa: E402
from graph.export import ExportInput, exporter  # noqa: E402
from tests.test_build_fast import built_fields  # noqa: E402


def contest(works: dict[str, Callable[[], Any]], rounds: int) -> dict[str, tuple[Any, float, float]]:
    """Each work's last result and best wall and CPU seconds, the works one after the other in
    every round, in turns first (the second of a round runs beside the first's graph, a few
    per cent slower)."""
    best: dict[str, tuple[Any, float, float]] = {name: (None, float("inf"), float("inf")) for name in works}
    names = list(works)
    for round_ in range(rounds):
        for name in names if round_ % 2 == 0 else names[::-1]:
            best[name] = (None, *best[name][1:])  # the last result's memory free before the next run
            result, wall, cpu = once(works[name])
            best[name] = (result, min(best[name][1], wall), min(best[name][2], cpu))
    return best


def main() -> None:
    parser = arguments(__doc__, rounds=5, references="kg.nt, kg.ttl, kg.jsonld")
    args = parser.parse_args()
    dataset = pipeline.load(args.project)
    with tempfile.TemporaryDirectory() as folder:
        old_build = old_module(args.old, "graph/build.py", Path(folder), "old_build")
        results = contest(
            {"old": lambda: old_build.build_graph(dataset), "new": lambda: build.build_graph(dataset)},
            args.rounds,
        )
    (old, old_wall, old_cpu), (new, new_wall, new_cpu) = results["old"], results["new"]
    print(f"{len(dataset.facts):,} facts, {len(new.graph):,} triples; best of {args.rounds} rounds")
    print("| build_graph | wall (s) | CPU (s) |")
    print("|---|---|---|")
    print(f"| old ({args.old}) | {old_wall:.3f} | {old_cpu:.3f} |")
    print(f"| new | {new_wall:.3f} | {new_cpu:.3f} |")
    print(f"| old ÷ new | {old_wall / new_wall:.2f} | {old_cpu / new_cpu:.2f} |")
    print(f"store indexes equal, every level in the same order: {index_orders(new.graph) == index_orders(old.graph)}")
    print(f"built-graph fields equal (orders included): {built_fields(new) == built_fields(old)}")
    if args.compare:
        source = ExportInput(new.graph, dataset.ontology)
        for name, file in FILES.items():
            same = exporter(name).render(source) == (args.compare / file).read_bytes()
            print(f"{file} byte-identical to {args.compare / file}: {same}")


if __name__ == "__main__":
    main()
