"""Benchmark the three RDF exports of a build (``Rows``, Turtle, N-Triples, JSON-LD) against an older revision.

Usage:
    python benchmarks/bench_rdf5.py /tmp/kg100k
    python benchmarks/bench_rdf5.py /tmp/kg100k --old main --rounds 3 --compare /tmp/ref100k

The project is prepared once as a build does (``pipeline._prepare``: load, quotes,
build). Then, in the same process and on the same graph, the old revision's
``graph/writers.py`` (read with ``git show``) and the current one each build one
:class:`~graph.writers.Rows` and write Turtle, N-Triples and JSON-LD from it, in the
order of a build's process (the cyclic garbage collector off, as in a build), one side
after the other in each of ``--rounds`` rounds. Prints the best CPU seconds of this
process per step and in all for each side, and the ratios; the memory that one
``Rows`` holds, built and after the writers (``tracemalloc``, measured apart from the timings); whether the new
pieces join to the old bytes; with ``--compare``, whether they are byte-identical to
``kg.ttl``, ``kg.nt`` and ``kg.jsonld`` in that folder.
"""

from __future__ import annotations

import gc
import sys
import tempfile
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from oldcode import arguments, cpu_timed, old_module  # noqa: E402

from graph import pipeline, writers  # noqa: E402
from graph.namespace import NIK  # noqa: E402

FILES = {"turtle": "kg.ttl", "ntriples": "kg.nt", "jsonld": "kg.jsonld"}
STEPS = ("rows", *FILES)


def exports(module: ModuleType, graph: Any) -> tuple[dict[str, float], dict[str, bytes]]:
    """CPU seconds of each step of ``module``'s writers on ``graph`` (the GC off), and each format's bytes."""
    seconds: dict[str, float] = {}
    written: dict[str, bytes] = {}
    work: dict[str, Callable[[Any], list[bytes]]] = {
        "turtle": lambda rows: module.turtle_pieces(graph, (NIK.Statement, NIK.Reference), rows),
        "ntriples": lambda rows: module.ntriples_pieces(graph, rows),
        "jsonld": lambda rows: module.jsonld_pieces(graph, rows),
    }
    gc.collect()
    gc.disable()
    try:
        rows, seconds["rows"] = cpu_timed(lambda: module.Rows(graph))
        for name, write in work.items():
            pieces, seconds[name] = cpu_timed(lambda write=write: write(rows))  # type: ignore[misc]
            written[name] = b"".join(pieces)
            del pieces
    finally:
        gc.enable()
    return seconds, written


def rows_memory(module: ModuleType, graph: Any) -> tuple[float, float]:
    """MiB that one ``module.Rows(graph)`` holds once built, and once the three writers have
    used it (with what it keeps for them: the terms split by kind, compact names, orders)."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        rows = module.Rows(graph)
        built = tracemalloc.get_traced_memory()[0] - before
        module.turtle_pieces(graph, (NIK.Statement, NIK.Reference), rows)
        module.ntriples_pieces(graph, rows)
        module.jsonld_pieces(graph, rows)
        used = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    del rows
    return built / 2**20, used / 2**20


def main() -> None:
    parser = arguments(__doc__, rounds=3, references="kg.ttl, kg.nt, kg.jsonld")
    args = parser.parse_args()
    prepared = pipeline._prepare(str(args.project), None, lambda _: None, False)
    graph = prepared.built.graph
    with tempfile.TemporaryDirectory() as folder:
        sides = {"old": old_module(args.old, "graph/writers.py", Path(folder), "old_writers"), "new": writers}
        best = {side: dict.fromkeys(STEPS, float("inf")) for side in sides}
        texts: dict[str, dict[str, bytes]] = {}
        for _ in range(args.rounds):
            for side, module in sides.items():
                texts.pop(side, None)  # the last side's bytes freed before the next run
                seconds, texts[side] = exports(module, graph)
                best[side] = {step: min(best[side][step], seconds[step]) for step in STEPS}
        memory = {side: rows_memory(module, graph) for side, module in sides.items()}
    print(f"{len(graph):,} triples; best CPU seconds of {args.rounds} (old and new one after the other in each round)")
    print("| step | old (s) | new (s) | new ÷ old |")
    print("|---|---|---|---|")
    for step in STEPS:
        old, new = best["old"][step], best["new"][step]
        print(f"| {step} | {old:.3f} | {new:.3f} | {new / old:.2f} |")
    old_total, new_total = sum(best["old"].values()), sum(best["new"].values())
    print(f"| all four | {old_total:.3f} | {new_total:.3f} | {new_total / old_total:.2f} |")
    for when, index in (("built", 0), ("after the three writers", 1)):
        old_mib, new_mib = memory["old"][index], memory["new"][index]
        print(f"memory held by Rows, {when} (tracemalloc): old {old_mib:.1f} MiB, new {new_mib:.1f} MiB")
    for name, file in FILES.items():
        print(f"{file}: new equals old: {texts['new'][name] == texts['old'][name]}")
        if args.compare:
            same = texts["new"][name] == (args.compare / file).read_bytes()
            print(f"{file} byte-identical to {args.compare / file}: {same}")


if __name__ == "__main__":
    main()
