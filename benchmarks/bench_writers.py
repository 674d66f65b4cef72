"""Benchmark the RDF writers (N-Triples, Turtle, JSON-LD) against an older revision.

Usage:
    python benchmarks/bench_writers.py /tmp/kg100k
    python benchmarks/bench_writers.py /tmp/kg100k --old main --rounds 3 --compare /tmp/ref100k

The project is loaded and built once (no SHACL); then, in the same process and on the
same graph, the old revision's ``graph/writers.py`` (read with ``git show``) and the
current exporters render the three RDF formats one after another, as a build's worker
does (the garbage collector off as in ``pipeline.Timings.step``), and once more sharing
one ``writers.Rows`` between them (as exporters that share it through ``ExportInput``
would). Prints the best of ``--rounds`` per format for each side, in CPU seconds of the
process (``time.process_time``: less swayed by other work on a shared machine than the
wall clock), and the ratios; whether the new outputs equal the old ones; with
``--compare``, whether they are byte-identical to ``kg.nt``, ``kg.ttl`` and ``kg.jsonld``
in that folder.
"""

from __future__ import annotations

import gc
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from oldcode import arguments, old_module  # noqa: E402
from oldcode import cpu_timed as timed  # noqa: E402

from graph import pipeline, writers  # noqa: E402
from graph.export import ExportInput, exporter  # noqa: E402
from graph.namespace import NIK  # noqa: E402

FILES = {"ntriples": "kg.nt", "turtle": "kg.ttl", "jsonld": "kg.jsonld"}


def old_writers(revision: str, folder: Path) -> ModuleType:
    """The old revision's ``graph/writers.py``, imported as ``old_writers``."""
    return old_module(revision, "graph/writers.py", folder, "old_writers")


def run_old(old: ModuleType, graph: Any) -> tuple[dict[str, float], dict[str, bytes]]:
    seconds, outputs = {}, {}
    outputs["ntriples"], seconds["ntriples"] = timed(lambda: old.ntriples(graph))
    last = (NIK.Statement, NIK.Reference)
    outputs["turtle"], seconds["turtle"] = timed(lambda: old.turtle(graph, last_classes=last))
    outputs["jsonld"], seconds["jsonld"] = timed(lambda: old.jsonld(graph))
    return seconds, outputs


def run_new(graph: Any, ontology: Any) -> tuple[dict[str, float], dict[str, bytes]]:
    """The exporters as ``kg build`` calls them (each writer lays out the graph's rows itself)."""
    seconds, outputs = {}, {}
    source = ExportInput(graph, ontology)  # a fresh one per round, as each build makes
    for name in FILES:
        render = exporter(name).render
        outputs[name], seconds[name] = timed(lambda: render(source))  # noqa: B023  called at once
    return seconds, outputs


def run_shared(graph: Any) -> tuple[dict[str, float], dict[str, bytes]]:
    """The writers sharing one ``writers.Rows`` (counted in the seconds of the first)."""
    seconds, outputs = {}, {}
    rows, seconds["rows"] = timed(lambda: writers.Rows(graph))
    outputs["ntriples"], seconds["ntriples"] = timed(lambda: writers.ntriples(graph, rows=rows))
    last = (NIK.Statement, NIK.Reference)
    outputs["turtle"], seconds["turtle"] = timed(lambda: writers.turtle(graph, last_classes=last, rows=rows))
    outputs["jsonld"], seconds["jsonld"] = timed(lambda: writers.jsonld(graph, rows=rows))
    seconds["ntriples"] += seconds.pop("rows")
    return seconds, outputs


def main() -> None:
    parser = arguments(__doc__, references="kg.nt, kg.ttl, kg.jsonld")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        old = old_writers(args.old, Path(folder))
        prepared, seconds = timed(lambda: pipeline._prepare(args.project, None, lambda _: None, False))
        graph, ontology = prepared.built.graph, prepared.dataset.ontology
        print(f"built {len(graph)} triples in {seconds:.1f} s", file=sys.stderr)
        gc.collect()
        gc.disable()
        olds, news, shared = [], [], []
        differ: set[str] = set()
        for _ in range(args.rounds):
            before, old_outputs = run_old(old, graph)
            olds.append(before)
            after, outputs = run_new(graph, ontology)
            news.append(after)
            differ |= {name for name in FILES if outputs[name] != old_outputs[name]}
            del outputs
            together, outputs = run_shared(graph)
            shared.append(together)
            differ |= {name for name in FILES if outputs[name] != old_outputs[name]}
            del old_outputs
    for name in FILES:
        print(f"{name}: {'DIFFERS from' if name in differ else 'identical to'} the old writer's output")
    if args.compare is not None:
        for name, filename in FILES.items():
            same = (args.compare / filename).read_bytes() == outputs[name]
            print(f"{filename}: {'identical to' if same else 'DIFFERS from'} {args.compare / filename}")
    print(f"{'format':<9} {'old s':>7} {'new s':>7} {'ratio':>6} {'shared':>7} {'ratio':>6}")
    totals = [0.0, 0.0, 0.0]
    for name in FILES:
        best = [min(r[name] for r in runs) for runs in (olds, news, shared)]
        totals = [total + value for total, value in zip(totals, best, strict=True)]
        old_s, new_s, shared_s = best
        print(f"{name:<9} {old_s:7.2f} {new_s:7.2f} {old_s / new_s:5.2f}x {shared_s:7.2f} {old_s / shared_s:5.2f}x")
    print(
        f"{'total':<9} {totals[0]:7.2f} {totals[1]:7.2f} {totals[0] / totals[1]:5.2f}x"
        f" {totals[2]:7.2f} {totals[0] / totals[2]:5.2f}x"
    )
    print("(shared: the three writers share one writers.Rows, counted with ntriples)")


if __name__ == "__main__":
    main()
