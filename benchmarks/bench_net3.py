"""Old against new network exports in one process, by CPU time: projection, page, GraphML, GEXF.

Usage:
    python benchmarks/bench_net3.py /tmp/kg100k --old cc138c3 --rounds 5 --compare /tmp/ref100k

Like ``bench_netexports.py`` (whose loading of the old modules it reuses), but each step is
timed by the process's CPU time (``time.process_time``: other engineers' processes on the
same cores count less than in wall time), old and new take turns in every round, and the
best of ``--rounds`` is kept. The layout (igraph, the same positions on both sides) is
also timed on its own, so the page's other work can be told apart: ``page w/o layout`` is
``html`` less ``layout``.
"""

from __future__ import annotations

import gc
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_netexports import old_modules, report, run_new, run_old  # noqa: E402
from oldcode import arguments  # noqa: E402
from oldcode import cpu_timed as cpu  # noqa: E402

from graph import layout, pipeline  # noqa: E402
from graph.projection import project, select  # noqa: E402
from graph.viz import page_data, render_html  # noqa: E402


def main() -> None:
    parser = arguments(__doc__, rounds=3, references="kg.html, kg.graphml, kg.gexf")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        old = old_modules(args.old, Path(folder))
        checked = pipeline.validate(project=args.project)
        graph, ontology = checked.built.graph, checked.dataset.ontology
        print(f"validated {len(graph)} triples", file=sys.stderr)
        whole = project(graph, ontology)
        small = select(whole, focus=[next(iter(whole.network))])
        old["viz"].render_html(small)  # assets, style tables and igraph load once per module
        render_html(small)
        data = page_data(whole)
        pairs = [(u, v) for u, v, _ in data["edges"]]
        count = len(data["nodes"])
        spacing = layout.page_spacing(count)
        del whole, small, data
        gc.disable()
        olds, news, layouts = [], [], []
        for _ in range(args.rounds):
            olds.append(run_old(old, graph, ontology, cpu))
            new, outputs = run_new(graph, ontology, cpu)
            news.append(new)
            before, old_seconds = cpu(lambda: old["layout"].force_layout(count, pairs, spacing=spacing))
            after, new_seconds = cpu(lambda: layout.force_layout(count, pairs, spacing=spacing))
            assert before == after, "the layouts differ"
            layouts.append((old_seconds, new_seconds))
    layout_times = (min(o for o, _ in layouts), min(n for _, n in layouts))
    html = (min(r["html"] for r in olds), min(r["html"] for r in news))
    without = (html[0] - layout_times[0], html[1] - layout_times[1])
    report(olds, news, outputs, args.compare, "step (CPU s)", {"layout": layout_times, "page w/o layout": without})


if __name__ == "__main__":
    main()
