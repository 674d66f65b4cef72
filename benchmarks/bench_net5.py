"""Old against new network exports in one process: CPU time, allocations and unshared memory.

Usage:
    KG_CACHE_DIR=/tmp/me/cache python benchmarks/bench_net5.py /tmp/kg100k --rounds 3 --compare /tmp/ref100k

The project is loaded and built once; then the old revision's ``graph/projection.py``,
``viz.py``, ``layout.py`` and ``netformats.py`` (read with ``git show``) and the current ones
take turns on the same graph, with the garbage collector off and the layout read from the
layout cache on both sides (as ``kg build`` renders them):

- CPU seconds of the projection, the page, GraphML and GEXF (best of ``--rounds``);
- the bytes each step allocates (``tracemalloc``): what it keeps, and its peak over what
  was there before it (GraphML's includes the rows it shares with GEXF);
- the memory a forked worker does not share (measured first, while this process holds
  little besides the graph), as a build's worker renders the network formats
  (:func:`graph.pipeline._render_claimed`): forked from this process, it projects, forks
  a helper that writes GraphML and GEXF while it writes the page, and reports its private
  memory once the helper has ended and the projection is released; the helper reports its
  own at its end. Their sum is what ``r.timings.workers_memory`` counts (with this process
  idle meanwhile, where a build's process goes on writing other exports).
"""

from __future__ import annotations

import gc
import os
import pickle
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

from bench_netexports import old_modules, prepared, report, rounds  # noqa: E402
from oldcode import arguments  # noqa: E402
from oldcode import cpu_timed as cpu  # noqa: E402

from graph import forked, netformats, projection, viz  # noqa: E402

MIB = 2**20
FORMATS = ("html", "graphml", "gexf")


class Side:
    """One revision's projection and renderers."""

    def __init__(self, project: Callable[..., Any], html: Callable[..., bytes], modules: Any) -> None:
        self.project = project
        self.render = {"html": html, "graphml": modules.graphml, "gexf": modules.gexf}


def sides(old: dict[str, ModuleType]) -> dict[str, Side]:
    return {
        "old": Side(old["projection"].project, old["viz"].render_html, old["netformats"]),
        "new": Side(projection.project, viz.render_html, netformats),
    }


def allocations(side: Side, graph: Any, ontology: Any) -> dict[str, tuple[float, float]]:
    """MiB each step keeps and its peak over what was there before it."""
    found = {}
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        view = side.project(graph, ontology)
        now, peak = tracemalloc.get_traced_memory()
        found["projection"] = ((now - before) / MIB, (peak - before) / MIB)
        for name in FORMATS:
            tracemalloc.reset_peak()
            before = tracemalloc.get_traced_memory()[0]
            content = side.render[name](view)
            now, peak = tracemalloc.get_traced_memory()
            found[name] = ((now - before - len(content)) / MIB, (peak - before) / MIB)
            del content
    finally:
        tracemalloc.stop()
    return found


def _in_child(work: Callable[[], dict[str, float]]) -> Callable[[], dict[str, float]]:
    """Run ``work`` in a forked child; the function returned waits for its answer."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - in the child
        os.close(read)
        code = 0
        try:
            answer = work()
        except BaseException as exc:  # reported by the parent
            answer, code = {"error": repr(exc)}, 1  # type: ignore[dict-item]
        os.write(write, pickle.dumps(answer))
        os._exit(code)
    os.close(write)

    def join() -> dict[str, float]:
        data = b""
        while chunk := os.read(read, 1 << 16):
            data += chunk
        os.waitpid(pid, 0)
        os.close(read)
        answer: dict[str, float] = pickle.loads(data)
        if "error" in answer:
            raise RuntimeError(answer["error"])
        return answer

    return join


def _private() -> float:
    return (forked.private_memory() or 0) / MIB


def unshared(side: Side, graph: Any, ontology: Any) -> dict[str, float]:
    """MiB of private memory of a forked worker and its helper, as a build renders the network formats."""

    def worker() -> dict[str, float]:
        found: dict[str, float] = {}
        views = [side.project(graph, ontology)]  # released before the worker's memory is read

        def helper() -> dict[str, float]:
            for name in ("graphml", "gexf"):
                content = side.render[name](views[0])
                del content
            return {"helper": _private()}

        join = _in_child(helper)
        content = side.render["html"](views[0])
        del content
        found.update(join())
        views.clear()
        found["worker"] = _private()
        found["worker + helper"] = found["worker"] + found["helper"]
        return found

    return _in_child(worker)()


def main() -> None:
    parser = arguments(__doc__, rounds=3, references="kg.html, kg.graphml, kg.gexf")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        old = old_modules(args.old, Path(folder))
        graph, ontology = prepared(args.project, old)
        both = sides(old)
        # first, while this process holds only the graph: a child's writes land on its pages
        unshared_rounds = [
            (unshared(both["old"], graph, ontology), unshared(both["new"], graph, ontology)) for _ in range(2)
        ]
        olds, news, outputs = rounds(old, graph, ontology, args.rounds, cpu)
        report(olds, news, outputs, args.compare, "step (CPU s)")
        del outputs
        gc.collect()
        heads = ("old kept", "new kept", "old peak", "new peak")
        print(f"\n{'allocations (MiB)':<22} " + " ".join(f"{h:>9}" for h in heads) + f" {'ratio':>6}")
        before, after = allocations(both["old"], graph, ontology), allocations(both["new"], graph, ontology)
        for step, (kept, peak) in before.items():
            new_kept, new_peak = after[step]
            print(f"{step:<22} {kept:9.1f} {new_kept:9.1f} {peak:9.1f} {new_peak:9.1f} {peak / new_peak:5.2f}x")
        print(f"\n{'unshared memory (MiB)':<22} {'old':>9} {'new':>9} {'ratio':>6}")
        for key in unshared_rounds[0][0]:
            low_old, low_new = min(r[0][key] for r in unshared_rounds), min(r[1][key] for r in unshared_rounds)
            print(f"{key:<22} {low_old:9.1f} {low_new:9.1f} {low_old / low_new:5.2f}x")


if __name__ == "__main__":
    main()
