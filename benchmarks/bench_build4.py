"""Benchmark the build step (``graph/build.py``) and the quote check (``graph/quotes.py``) against an older revision.

Usage:
    python benchmarks/bench_build4.py /tmp/kg100k
    python benchmarks/bench_build4.py /tmp/kg100k --old main --rounds 3 --compare /tmp/ref100k

The project is loaded once; then, in the same process and on the same dataset, the old
revision's ``build_graph`` and ``check_quotes`` (read with ``git show``) and the current
ones run one after the other in each of ``--rounds`` rounds, with the cyclic garbage
collector off as in ``pipeline.Timings.step``. Prints the best wall and CPU seconds of
each side (CPU seconds of this process: less swayed by other work on a shared machine)
and their ratios, and whether the two builds are the same: every level of the store's ``spo`` and ``pos``
indexes in the same order, and the same :class:`~graph.build.BuiltGraph` fields
(origins, facts, sourced, metadata, counts) and quote report. With ``--compare``, the
N-Triples, Turtle and JSON-LD exports of the new graph are compared byte for byte with
``kg.nt``, ``kg.ttl`` and ``kg.jsonld`` in that folder.
"""

from __future__ import annotations

import gc
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from oldcode import arguments, cpu_timed, old_module  # noqa: E402

from graph import build, pipeline, quotes  # noqa: E402
from graph.export import ExportInput, exporter  # noqa: E402
from graph.writers import store_table  # noqa: E402
from tests.test_build_fast import built_fields as fields  # noqa: E402

FILES = {"ntriples": "kg.nt", "turtle": "kg.ttl", "jsonld": "kg.jsonld"}


def index_orders(graph: Any) -> list[object]:
    """Both indexes of the graph's store with the order of their keys at every level."""
    orders: list[object] = []
    for name in ("spo", "pos"):
        table = store_table(graph, name)
        assert table is not None, f"no {name} index"
        orders.append([(k, [(k2, list(v2)) for k2, v2 in v.items()]) for k, v in table.items()])
    return orders


def once(work: Callable[[], Any]) -> tuple[Any, float, float]:
    """What ``work`` returns, its wall and its CPU seconds, the garbage collector off (as in a build)."""
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        result, cpu = cpu_timed(work)
        return result, time.perf_counter() - start, cpu
    finally:
        gc.enable()


def contest(works: dict[str, Callable[[], Any]], rounds: int) -> dict[str, tuple[Any, float, float]]:
    """Each work's last result and best wall and CPU seconds, the works one after the other in
    every round (so that a busy moment of the machine weighs on all)."""
    best: dict[str, tuple[Any, float, float]] = {name: (None, float("inf"), float("inf")) for name in works}
    for _ in range(rounds):
        for name, work in works.items():
            best[name] = (None, *best[name][1:])  # the last result's memory free before the next run
            result, wall, cpu = once(work)
            best[name] = (result, min(best[name][1], wall), min(best[name][2], cpu))
    return best


def main() -> None:
    parser = arguments(__doc__, rounds=3, references="kg.nt, kg.ttl, kg.jsonld")
    args = parser.parse_args()
    dataset = pipeline.load(args.project)
    texts = pipeline.texts_folder(dataset.project, None, lambda _: None, required=True)
    assert texts is not None
    with tempfile.TemporaryDirectory() as folder:
        old_build = old_module(args.old, "graph/build.py", Path(folder), "old_build")
        old_quotes = old_module(args.old, "graph/quotes.py", Path(folder), "old_quotes")
        quotes.check_quotes(dataset, texts)  # the quote cache filled, as in every build but the first
        checked = contest(
            {
                "quotes, old": lambda: old_quotes.check_quotes(dataset, texts),
                "quotes, new": lambda: quotes.check_quotes(dataset, texts),
            },
            args.rounds,
        )
        built = contest(
            {
                "build, old": lambda: old_build.build_graph(dataset),
                "build, new": lambda: build.build_graph(dataset),
            },
            args.rounds,
        )
    print(f"{len(dataset.facts):,} facts; best of {args.rounds} (one after the other in each round)")
    print("| step | wall (s) | ÷ old | this process's CPU (s) | ÷ old |")
    print("|---|---|---|---|---|")
    for results in (checked, built):
        _, old_wall, old_cpu = next(iter(results.values()))
        for name, (_, wall, cpu) in results.items():
            print(f"| {name} | {wall:.3f} | {wall / old_wall:.2f} | {cpu:.3f} | {cpu / old_cpu:.2f} |")
    reports = [(r.sources, r.quotes, [(p.location, p.message) for p in r.problems]) for r, _, _ in checked.values()]
    print(f"quote reports equal: {reports[0] == reports[1]}")
    graphs = [result for result, _, _ in built.values()]
    old_orders, old_fields = index_orders(graphs[0].graph), fields(graphs[0])
    for name, new_built in zip(list(built)[1:], graphs[1:], strict=True):
        print(
            f"{name}: store indexes equal, every level in the same order: {index_orders(new_built.graph) == old_orders}"
        )
        print(f"{name}: built-graph fields equal (orders included): {fields(new_built) == old_fields}")
    if args.compare:
        source = ExportInput(graphs[-1].graph, dataset.ontology)
        for name, file in FILES.items():
            same = exporter(name).render(source) == (args.compare / file).read_bytes()
            print(f"{file} byte-identical to {args.compare / file}: {same}")


if __name__ == "__main__":
    main()
