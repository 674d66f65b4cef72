"""Benchmark the network exports (projection, HTML page, GraphML, GEXF) against an older revision.

Usage:
    python benchmarks/bench_netexports.py /tmp/kg100k
    python benchmarks/bench_netexports.py /tmp/kg100k --old main --rounds 3 --compare /tmp/ref100k

The project is loaded, checked and built once (``pipeline.validate``); then, in the same
process and on the same graph, the old revision's ``graph/projection.py``, ``viz.py``,
``layout.py`` and ``netformats.py`` (read with ``git show``) and the current ones project it
and render the page, GraphML and GEXF, as ``kg build`` does (the projection computed once
and shared, the garbage collector off as in ``pipeline.Timings.step``). Prints the best of
``--rounds`` per step for each side and their ratio; with ``--compare``, whether the current
exports are byte-identical to ``kg.html``, ``kg.graphml`` and ``kg.gexf`` in that folder.
"""

from __future__ import annotations

import gc
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from oldcode import arguments, old_module, timed  # noqa: E402

from graph import pipeline  # noqa: E402
from graph.export import ExportInput, exporter  # noqa: E402
from graph.projection import project, select  # noqa: E402
from graph.viz import render_html  # noqa: E402

STEPS = ("projection", "html", "graphml", "gexf")
NAMES = ("projection", "layout", "viz", "netformats")
FILES = {"html": "kg.html", "graphml": "kg.graphml", "gexf": "kg.gexf"}


def old_modules(revision: str, folder: Path) -> dict[str, ModuleType]:
    """The old revision's network modules, imported under their own names (old_viz …)."""
    modules = {name: old_module(revision, f"graph/{name}.py", folder, f"old_{name}") for name in NAMES}
    modules["viz"].force_layout = modules["layout"].force_layout  # type: ignore[attr-defined]  # it imported the current one
    return modules


Timer = Callable[[Callable[[], Any]], tuple[Any, float]]


def prepared(project: Path, old: dict[str, ModuleType]) -> tuple[Any, Any]:
    """The built graph of ``project`` and its ontology, with the page's layout in the cache
    and the assets loaded by both sides, the collector paused (as in a build)."""
    checked = pipeline._prepare(project, None, lambda _: None, False)
    graph, ontology = checked.built.graph, checked.dataset.ontology
    print(f"built {len(graph)} triples", file=sys.stderr)
    exporter("html").render(ExportInput(graph, ontology))  # the layout into the cache; assets loaded
    old["viz"].render_html(old["projection"].project(graph, ontology))
    gc.collect()
    gc.disable()
    return graph, ontology


def rounds(
    old: dict[str, ModuleType], graph: Any, ontology: Any, count: int, timed: Timer = timed
) -> tuple[list[dict[str, float]], list[dict[str, float]], dict[str, bytes]]:
    """``count`` rounds of the old and the new code, each timed: their steps, and the new outputs."""
    olds, news, outputs = [], [], {}
    for _ in range(count):
        olds.append(run_old(old, graph, ontology, timed))
        new, outputs = run_new(graph, ontology, timed)
        news.append(new)
        gc.collect()  # what the round left, outside the timings
    return olds, news, outputs


def run_old(old: dict[str, ModuleType], graph: Any, ontology: Any, timed: Timer = timed) -> dict[str, float]:
    seconds = {}
    view, seconds["projection"] = timed(lambda: old["projection"].project(graph, ontology))
    _, seconds["html"] = timed(lambda: old["viz"].render_html(view))
    _, seconds["graphml"] = timed(lambda: old["netformats"].graphml(view))
    _, seconds["gexf"] = timed(lambda: old["netformats"].gexf(view))
    return seconds


def run_new(graph: Any, ontology: Any, timed: Timer = timed) -> tuple[dict[str, float], dict[str, bytes]]:
    seconds, outputs = {}, {}
    source = ExportInput(graph, ontology)
    _, seconds["projection"] = timed(lambda: source.projection)
    for name in FILES:
        render = exporter(name).render
        outputs[name], seconds[name] = timed(lambda: render(source))  # noqa: B023  called at once
    return seconds, outputs


def report(
    olds: list[dict[str, float]],
    news: list[dict[str, float]],
    outputs: dict[str, bytes],
    compare: Path | None,
    label: str,
    more: dict[str, tuple[float, float]] | None = None,
) -> None:
    """Print whether ``outputs`` equal the files in ``compare``, then each step's best old and
    new time with their ratio (``more``: further rows, not in the total), then the total."""
    if compare is not None:
        for name, filename in FILES.items():
            same = (compare / filename).read_bytes() == outputs[name]
            print(f"{filename}: {'identical to' if same else 'DIFFERS from'} {compare / filename}")
    best = {step: (min(r[step] for r in olds), min(r[step] for r in news)) for step in STEPS}
    width = max(len(label), *(len(step) for step in [*best, *(more or {})]), 5) + 2
    print(f"{label:<{width}} {'old s':>7} {'new s':>7} {'ratio':>6}")
    for step, (before, after) in {**best, **(more or {})}.items():
        print(f"{step:<{width}} {before:7.2f} {after:7.2f} {before / after:5.2f}x")
    before, after = sum(b for b, _ in best.values()), sum(a for _, a in best.values())
    print(f"{'total':<{width}} {before:7.2f} {after:7.2f} {before / after:5.2f}x")


def main() -> None:
    parser = arguments(__doc__, references="kg.html, kg.graphml, kg.gexf")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        old = old_modules(args.old, Path(folder))
        checked, seconds = timed(lambda: pipeline.validate(project=args.project))
        graph, ontology = checked.built.graph, checked.dataset.ontology
        print(f"validated {len(graph)} triples in {seconds:.1f} s", file=sys.stderr)
        # assets, style tables and igraph load once per module: not part of the comparison
        whole = project(graph, ontology)
        small = select(whole, focus=[next(iter(whole.network))])
        old["viz"].render_html(small)
        render_html(small)
        del whole, small
        gc.disable()
        olds, news = [], []
        for _ in range(args.rounds):
            olds.append(run_old(old, graph, ontology))
            new, outputs = run_new(graph, ontology)
            news.append(new)
    report(olds, news, outputs, args.compare, "step")


if __name__ == "__main__":
    main()
