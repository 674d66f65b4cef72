"""Old against new network exports in one process, by CPU time, with a warm layout cache.

Usage:
    KG_CACHE_DIR=/tmp/me/cache python benchmarks/bench_page4.py /tmp/kg100k --rounds 5 --compare /tmp/ref100k

As ``kg build`` runs them (the projection computed once, then the page, GraphML and GEXF,
the garbage collector off): the old revision's ``graph/projection.py``, ``viz.py``,
``layout.py`` and ``netformats.py`` (read with ``git show``) and the current ones take turns
in every round on the same graph; the best of ``--rounds`` CPU seconds per step is kept.
The layout is read from the layout cache on both sides (it is computed once, before the
rounds, when the cache does not have it yet): what is left is the work of this round's
modules. ``total`` is the CPU time of all four steps, which share two busy cores in a build.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_netexports import old_modules, prepared, report, rounds  # noqa: E402
from oldcode import arguments  # noqa: E402
from oldcode import cpu_timed as cpu  # noqa: E402


def main() -> None:
    parser = arguments(__doc__, rounds=5, references="kg.html, kg.graphml, kg.gexf")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        old = old_modules(args.old, Path(folder))
        graph, ontology = prepared(args.project, old)
        olds, news, outputs = rounds(old, graph, ontology, args.rounds, cpu)
    report(olds, news, outputs, args.compare, "step (CPU s)")


if __name__ == "__main__":
    main()
