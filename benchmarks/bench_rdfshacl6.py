"""Benchmark the build's serial steps after the graph: ``shacl`` and the three RDF exports, old against new.

Usage:
    python benchmarks/bench_rdfshacl6.py /tmp/kg100k
    python benchmarks/bench_rdfshacl6.py /tmp/kg100k --old main --rounds 3 --compare /tmp/ref100k

The project is prepared once as a build does (``pipeline._prepare``: load, quotes, build).
Then, in the same process and on the same graph, the old revision's modules of the steps
(``graph/shacl.py``, ``validate.py``, ``curation/conflicts.py``, ``curation/names.py`` and
``graph/writers.py``, read with ``git show``) and the current ones run the four steps in the
order of a build's process, one side after the other (each first in every other round), the
cyclic garbage collector off as in a build. Prints the best CPU seconds of this process per
part for each side and their ratio:

- the ``shacl`` step: ``load_shapes`` (parsed afresh, as in a build's process),
  ``curation_warnings`` and ``validate_graph``;
- the ``turtle`` step: building the :class:`~graph.writers.Rows` the three writers share,
  and the Turtle proper; then ``ntriples`` and ``jsonld``;

and the four steps together, and without ``curation_warnings`` (which a build now finds in a
forked process while the graph is built, off the serial path). Both sides must give the
same warnings, conflicts, violations and warnings of the shapes in the same order, and the
same bytes of each format, or the benchmark stops; with ``--compare``, the bytes must also
be those of ``kg.ttl``, ``kg.nt`` and ``kg.jsonld`` in that folder.
"""

from __future__ import annotations

import gc
import logging
import sys
import tempfile
import warnings
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_rdf5 import exports  # noqa: E402
from bench_shacl5 import old_modules  # noqa: E402
from oldcode import arguments, cpu_timed, old_module  # noqa: E402

from graph import pipeline, shacl, validate, writers  # noqa: E402
from graph.build import BuiltGraph  # noqa: E402
from graph.curation import conflicts, names  # noqa: E402

FILES = {"turtle": "kg.ttl", "ntriples": "kg.nt", "jsonld": "kg.jsonld"}
PARTS = ("load_shapes", "curation_warnings", "validate_graph", "rows", "turtle", "ntriples", "jsonld")
STEPS = {
    "shacl step": ("load_shapes", "curation_warnings", "validate_graph"),
    "turtle step (rows + turtle)": ("rows", "turtle"),
    "all four steps": PARTS,
    # main since 2613e91 finds the curation warnings in a forked process while the graph is built
    "serial path without curation_warnings": ("load_shapes", "validate_graph", "rows", "turtle", "ntriples", "jsonld"),
}


def run(modules: dict[str, Any], dataset: Any, built: BuiltGraph) -> tuple[dict[str, float], tuple[Any, ...]]:
    """CPU seconds of each part with one side's modules, and what the parts found and wrote."""
    shapes_file = dataset.project.shapes_file
    graph = built.graph
    seconds: dict[str, float] = {}
    gc.collect()
    gc.disable()
    try:
        validate._shapes_cached.cache_clear()  # parsed afresh, as in a build's process (both sides use it)
        shapes, seconds["load_shapes"] = cpu_timed(lambda: validate.load_shapes(shapes_file))
        (notices, found), seconds["curation_warnings"] = cpu_timed(
            lambda: modules["conflicts"].curation_warnings(dataset, shapes)
        )
        disputed = frozenset((c.subject, c.rule.property) for c in found if c.between_sources)
        report, seconds["validate_graph"] = cpu_timed(
            lambda: modules["validate"].validate_graph(built, dataset.ontology, shapes_file, conflicts=disputed)
        )
    finally:
        gc.enable()
    written_seconds, written = exports(modules["writers"], graph)  # the rows, then the three formats
    seconds.update(written_seconds)
    conflict_keys = [(c.subject, tuple(vars(c.rule).values()), c.facts, c.between_sources) for c in found]
    return seconds, (notices, conflict_keys, report.violations, report.warnings, written)


def compare(old: tuple[Any, ...], new: tuple[Any, ...]) -> None:
    """Stop unless both sides found the same curation warnings, conflicts, violations and warnings, in order."""
    labels = ("curation warnings", "conflicts", "violations", "warnings")
    for label, before, after in zip(labels, old, new, strict=True):
        if list(before) != list(after):
            raise SystemExit(f"the {label} differ from the old revision's")


def row(name: str, before: float, after: float) -> None:
    print(f"| {name} | {before:.3f} | {after:.3f} | {before / after if after else float('inf'):.2f}x |")


def main() -> None:
    parser = arguments(__doc__, rounds=3, references="kg.ttl, kg.nt, kg.jsonld")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    warnings.simplefilter("ignore")
    new: dict[str, ModuleType] = {
        "names": names,
        "shacl": shacl,
        "validate": validate,
        "conflicts": conflicts,
        "writers": writers,
    }
    with tempfile.TemporaryDirectory() as folder:
        old: dict[str, ModuleType] = {
            **old_modules(args.old, Path(folder)),
            "writers": old_module(args.old, "graph/writers.py", Path(folder), "old_writers"),
        }
        prepared = pipeline._prepare(str(args.project), None, lambda _: None, False)
        dataset, built = prepared.dataset, prepared.built
        best = {side: dict.fromkeys(PARTS, float("inf")) for side in ("old", "new")}
        for number in range(args.rounds):
            order = [("old", old), ("new", new)]
            found: dict[str, tuple[Any, ...]] = {}
            for side, modules in order if number % 2 == 0 else order[::-1]:
                seconds, found[side] = run(modules, dataset, built)
                best[side] = {part: min(best[side][part], seconds[part]) for part in PARTS}
            compare(found["old"][:4], found["new"][:4])
            for name, file in FILES.items():
                if found["old"][4][name] != found["new"][4][name]:
                    raise SystemExit(f"{file}: the new bytes differ from the old")
                if args.compare and found["new"][4][name] != (args.compare / file).read_bytes():
                    raise SystemExit(f"{file}: the new bytes differ from {args.compare / file}")
            del found
    print(f"{len(built.graph):,} triples; best CPU seconds of {args.rounds} rounds (gc off)")
    print("| part | old (s) | new (s) | old ÷ new |")
    print("|---|---|---|---|")
    for part in PARTS:
        row(part, best["old"][part], best["new"][part])
    for step, parts in STEPS.items():
        row(step, sum(best["old"][p] for p in parts), sum(best["new"][p] for p in parts))
    same = "and those in " + str(args.compare) if args.compare else ""
    print(f"warnings, conflicts, violations the same; bytes of the three formats the same as old {same}")


if __name__ == "__main__":
    main()
