"""Benchmark the build's whole ``shacl`` step, part by part, against an older revision.

Usage:
    python benchmarks/bench_shacl5.py /tmp/kg100k
    python benchmarks/bench_shacl5.py /tmp/kg100k --old main --rounds 5 --broken

The project is loaded, its quotes checked and its graph built once (``pipeline._prepare``,
as ``kg build`` does before its ``shacl`` step); then, in the same process and on the same
graph, the old revision's ``graph/shacl.py``, ``validate.py``, ``curation/conflicts.py`` and
``curation/names.py`` (read with ``git show``) and the current ones run the step as
``pipeline._check_shapes`` does, one side after the other (each first in every other round)
in each of ``--rounds`` rounds, the cyclic garbage collector off as in a build. Prints, per
part, the best CPU seconds of this process for each side and their ratio (CPU seconds: less
swayed by the other work of a shared machine than wall seconds, printed for the whole step):

- ``curation_warnings``: ``load_shapes`` (cached) and the duplicates and conflicts;
- ``validate_graph``: the provenance rule and the shapes, of which, timed apart,
  ``check_provenance`` and ``shacl.validate`` (compiling the shapes and the pass itself).

Then the memory the whole step allocates (the peak of ``tracemalloc`` during the step, one
more run per side). Both sides must give the same warnings, conflicts, violations and SHACL
results, in the same order, or the benchmark stops; with ``--broken``, also on broken copies
of the graph and on a dataset whose sources disagree (``bench_shacl.broken_copies``,
``conflicting_sources``).
"""

from __future__ import annotations

import gc
import logging
import sys
import tempfile
import time
import tracemalloc
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_shacl import IMPORTS, broken_copies, compare, conflicting_sources  # noqa: E402
from oldcode import arguments, old_module  # noqa: E402
from rdflib.namespace import RDFS  # noqa: E402

from graph import pipeline, shacl, validate  # noqa: E402
from graph.build import BuiltGraph  # noqa: E402
from graph.curation import conflicts, names  # noqa: E402

PARTS = ("curation_warnings", "validate_graph", "check_provenance", "shacl.validate")
#: The modules of the step, as the old revision's copies are named; imported in this order.
MODULES = {
    "names": "graph/curation/names.py",
    "shacl": "graph/shacl.py",
    "validate": "graph/validate.py",
    "conflicts": "graph/curation/conflicts.py",
}


def old_modules(revision: str, folder: Path) -> dict[str, Any]:
    """The old revision's modules of the step, imported as ``old_names``, ``old_shacl``, … (each other's too)."""
    replace = {**IMPORTS, "from graph.curation.names import": "from old_names import"}
    return {name: old_module(revision, path, folder, f"old_{name}", replace) for name, path in MODULES.items()}


def step(modules: dict[str, Any], dataset: Any, built: BuiltGraph) -> tuple[Any, ...]:
    """The step as ``pipeline._check_shapes`` runs it, with one side's modules: what it finds."""
    shapes_file = dataset.project.shapes_file
    notices, found = modules["conflicts"].curation_warnings(dataset, validate.load_shapes(shapes_file))
    disputed = frozenset((c.subject, c.rule.property) for c in found if c.between_sources)
    report = modules["validate"].validate_graph(built, dataset.ontology, shapes_file, conflicts=disputed)
    return notices, found, report


def parts(modules: dict[str, Any], dataset: Any, built: BuiltGraph) -> tuple[dict[str, float], tuple[Any, ...]]:
    """CPU seconds of each part (and wall seconds of the step), and everything the parts found."""
    shapes_file = dataset.project.shapes_file
    shapes = validate.load_shapes(shapes_file)  # one graph for both sides: the same blank nodes in results
    hierarchy = list(dataset.ontology.graph.subject_objects(RDFS.subClassOf))
    seconds: dict[str, float] = {}

    def timed(name: str, work: Any) -> Any:
        start = time.process_time()
        result = work()
        seconds[name] = time.process_time() - start
        return result

    wall = time.perf_counter()
    notices, found = timed("curation_warnings", lambda: modules["conflicts"].curation_warnings(dataset, shapes))
    disputed = frozenset((c.subject, c.rule.property) for c in found if c.between_sources)
    report = timed(
        "validate_graph",
        lambda: modules["validate"].validate_graph(built, dataset.ontology, shapes_file, conflicts=disputed),
    )
    seconds["step (wall)"] = time.perf_counter() - wall
    provenance = timed("check_provenance", lambda: modules["validate"].check_provenance(built, dataset.ontology))
    results = timed("shacl.validate", lambda: modules["shacl"].validate(built.graph, shapes, hierarchy))
    conflict_keys = [(c.subject, tuple(vars(c.rule).values()), c.facts, c.between_sources) for c in found]
    result_keys = [tuple(vars(r).values()) for r in results]  # the two Result classes differ
    return seconds, (notices, conflict_keys, report.violations, report.warnings, provenance, result_keys)


def peak_memory(modules: dict[str, Any], dataset: Any, built: BuiltGraph) -> float:
    """MiB the step allocates at its peak (``tracemalloc``: Python's allocations only)."""
    tracemalloc.start()
    try:
        step(modules, dataset, built)
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def row(name: str, before: float, after: float, unit: str = "s") -> None:
    print(f"{name:<22} {before:8.3f} {after:8.3f} {before / after if after else float('inf'):6.2f}x  {unit}")


def main() -> None:
    parser = arguments(__doc__, rounds=3)
    parser.add_argument("--broken", action="store_true", help="also compare the reports on broken copies")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # rdflib warns about each ill-typed literal of the broken copies
    warnings.simplefilter("ignore")
    new = {"names": names, "shacl": shacl, "validate": validate, "conflicts": conflicts}
    with tempfile.TemporaryDirectory() as folder:
        old = old_modules(args.old, Path(folder))
        start = time.perf_counter()
        prepared = pipeline._prepare(args.project, None, lambda _: None, False)
        seconds = time.perf_counter() - start
        print(f"built {len(prepared.built.graph)} triples in {seconds:.1f} s", file=sys.stderr)
        dataset, built = prepared.dataset, prepared.built
        gc.collect()
        gc.disable()
        olds, news = [], []
        for number in range(args.rounds):
            if number % 2:  # each side first in every other round: what runs before it weighs on both
                after, found_after = parts(new, dataset, built)
                before, found_before = parts(old, dataset, built)
            else:
                before, found_before = parts(old, dataset, built)
                after, found_after = parts(new, dataset, built)
            compare("as built", found_before, found_after)
            olds.append(before)
            news.append(after)
        memory = peak_memory(old, dataset, built), peak_memory(new, dataset, built)
        if args.broken:
            for name, broken in broken_copies(prepared):
                compare(name, parts(old, dataset, broken)[1], parts(new, dataset, broken)[1])
            changed, changed_built = conflicting_sources(dataset)
            compare("conflicting sources", parts(old, changed, changed_built)[1], parts(new, changed, changed_built)[1])
    print(f"{'part (CPU s, best)':<22} {'old':>8} {'new':>8} {'ratio':>7}")
    for part in PARTS:
        row(part, min(r[part] for r in olds), min(r[part] for r in news))
    both = ("curation_warnings", "validate_graph")
    row("shacl step (the two)", min(sum(r[p] for p in both) for r in olds), min(sum(r[p] for p in both) for r in news))
    row("shacl step (wall)", min(r["step (wall)"] for r in olds), min(r["step (wall)"] for r in news))
    row("step's peak memory", *memory, unit="MiB (tracemalloc)")
    print("(check_provenance and shacl.validate are parts of validate_graph, timed again apart)")


if __name__ == "__main__":
    main()
