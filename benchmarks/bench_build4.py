"""Benchmark the build step (``graph/build.py``) and the quote check (``graph/quotes.py``) against an older revision.

Usage:
    python benchmarks/bench_build4.py /tmp/kg100k
    python benchmarks/bench_build4.py /tmp/kg100k --old main --rounds 3 --compare /tmp/ref100k

The project is loaded once; then, in the same process and on the same dataset, the old
revision's ``build_graph`` and ``check_quotes`` (read with ``git show``) and the current
ones run one after another, ``--rounds`` times, with the cyclic garbage collector off as
in ``pipeline.Timings.step``. Prints the best CPU seconds of each side and their ratio,
and whether the two builds are the same: every level of the store's ``spo`` and ``pos``
indexes in the same order, and the same :class:`~graph.build.BuiltGraph` fields
(origins, facts, sourced, metadata, counts) and quote report. With ``--compare``, the
N-Triples, Turtle and JSON-LD exports of the new graph are compared byte for byte with
``kg.nt``, ``kg.ttl`` and ``kg.jsonld`` in that folder.
"""

from __future__ import annotations

import gc
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from oldcode import arguments, old_module  # noqa: E402
from oldcode import cpu_timed as timed  # noqa: E402

from graph import build, pipeline, quotes  # noqa: E402
from graph.export import ExportInput, exporter  # noqa: E402
from graph.writers import store_table  # noqa: E402

FILES = {"ntriples": "kg.nt", "turtle": "kg.ttl", "jsonld": "kg.jsonld"}


def index_orders(graph: Any) -> list[object]:
    """Both indexes of the graph's store with the order of their keys at every level."""
    orders: list[object] = []
    for name in ("spo", "pos"):
        table = store_table(graph, name)
        assert table is not None, f"no {name} index"
        orders.append([(k, [(k2, list(v2)) for k2, v2 in v.items()]) for k, v in table.items()])
    return orders


def fields(built: Any) -> tuple[object, ...]:
    """Everything a :class:`~graph.build.BuiltGraph` holds besides the graph, orders included."""
    return (
        list(built.origins.items()),
        built.statements,
        built.references,
        built.metadata,
        list(built.facts.items()),
        built.sourced,
        len(built.graph),
    )


def best(work: Callable[[], Any], rounds: int) -> tuple[Any, float]:
    """The last result of ``work`` and its best CPU seconds over ``rounds`` (collector off)."""
    result, seconds = None, float("inf")
    for _ in range(rounds):
        result = None
        gc.collect()
        gc.disable()
        try:
            result, spent = timed(work)
        finally:
            gc.enable()
        seconds = min(seconds, spent)
    return result, seconds


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
        rows = []
        old_report, old_q = best(lambda: old_quotes.check_quotes(dataset, texts), args.rounds)
        new_report, new_q = best(lambda: quotes.check_quotes(dataset, texts), args.rounds)
        rows.append(("quotes", old_q, new_q))
        old_built, old_b = best(lambda: old_build.build_graph(dataset), args.rounds)
        old_orders, old_fields = index_orders(old_built.graph), fields(old_built)
        del old_built
        new_built, new_b = best(lambda: build.build_graph(dataset), args.rounds)
        rows.append(("build", old_b, new_b))
    print(f"{len(new_built.graph):,} triples, {len(dataset.facts):,} facts; best of {args.rounds}, CPU seconds")
    print("| step | old (s) | new (s) | new ÷ old |")
    print("|---|---|---|---|")
    for name, old, new in rows:
        print(f"| {name} | {old:.3f} | {new:.3f} | {new / old:.2f} |")
    same_quotes = (old_report.sources, old_report.quotes, [(p.location, p.message) for p in old_report.problems]) == (
        new_report.sources,
        new_report.quotes,
        [(p.location, p.message) for p in new_report.problems],
    )
    print(f"quote reports equal: {same_quotes}")
    print(f"store indexes equal, every level in the same order: {index_orders(new_built.graph) == old_orders}")
    print(f"built-graph fields equal (orders included): {fields(new_built) == old_fields}")
    if args.compare:
        source = ExportInput(new_built.graph, dataset.ontology)
        for name, file in FILES.items():
            same = exporter(name).render(source) == (args.compare / file).read_bytes()
            print(f"{file} byte-identical to {args.compare / file}: {same}")


if __name__ == "__main__":
    main()
