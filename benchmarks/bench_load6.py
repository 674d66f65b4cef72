"""Benchmark the load step (read ``sources/``, resolve) of a build against an older revision.

Usage:
    python benchmarks/bench_load6.py /tmp/kg100k
    python benchmarks/bench_load6.py /tmp/kg-bench-query/query-1000000 --rounds 2

In one process, the old revision's ``graph/yamlio.py``, ``values.py``, ``sourcecache.py``,
``sources.py`` and ``dataset.py`` (:func:`oldcode.old_module`, importing each other) and the
current ones run ``pipeline.load``'s two steps on a copy of the project's ``ontology/`` and
``sources/``, with the cyclic garbage collector off as in a build (``graph.gcpause``):

- ``cold``: from an empty source cache (the full build): every file is parsed, half of
  them in a forked parse-ahead worker, and the cache is written by another worker (the
  next run waits for it before it starts);
- ``warm``: every file cached but one article, in which a statistic's value was changed
  before each run, as after a curator's edit (the one-changed-article build);
- ``unchanged``: every file cached.

Each revision has its own source cache (``KG_CACHE_DIR``). Both revisions' datasets must be
the same in every run (every fact, entity and source by its ``repr``, in order, or every
problem: ``bench_resolve4.fingerprint``), or the benchmark stops. Prints the best of
``--rounds`` as wall seconds (the workers run on the other core) and this process's CPU
seconds, and the ratio old / new; the two revisions take turns at running first.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_load5 import change, changed_article, load, once, report
from bench_resolve4 import fingerprint, sourcecache_racy_seconds
from oldcode import arguments, old_module, scratch_project

MODULES = ("yamlio", "values", "sourcecache", "sources", "dataset")  # each imports only those before it
CASES = ("cold", "warm", "unchanged")


def old_modules(revision: str, folder: Path) -> dict[str, ModuleType]:
    """The old revision's modules, importing each other (the rest of ``graph`` is current)."""
    replace = {f"from graph.{name} import": f"from old_load6_{name} import" for name in MODULES}
    return {name: old_module(revision, f"graph/{name}.py", folder, f"old_load6_{name}", replace) for name in MODULES}


def finish_saving(*module_sets: dict[str, ModuleType]) -> None:
    """Wait for every worker still writing a source cache."""
    for modules in module_sets:
        for module in modules.values():
            getattr(module, "finish_saving", lambda: None)()


def main() -> None:
    parser = arguments(__doc__, rounds=2)
    parser.add_argument("--cases", default=",".join(CASES), help=f"comma-separated, of {', '.join(CASES)}")
    args = parser.parse_args()
    cases = args.cases.split(",")
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        project = scratch_project(args.project, scratch)
        edited = changed_article(project)
        time.sleep(sourcecache_racy_seconds())  # so that the copies' stat stands for their bytes
        new = {name: __import__(f"graph.{name}", fromlist=["_"]) for name in MODULES}
        variants = {"old": (old_modules(args.old, scratch), scratch / "cache-old"), "new": (new, scratch / "cache-new")}
        print(f"{args.project}: best of {args.rounds}, seconds")
        print("| load | old wall | new wall | old/new | old CPU | new CPU | old/new |")
        print("|---|---|---|---|---|---|---|")
        run = 0
        for case in cases:
            best: dict[str, tuple[float, float]] = {}
            for round_ in range(args.rounds):
                order = list(variants.items()) if round_ % 2 == 0 else list(variants.items())[::-1]
                if case == "warm":
                    run += 1
                    change(edited, run)
                    time.sleep(sourcecache_racy_seconds())
                results: dict[str, str] = {}
                for name, (modules, cache) in order:
                    finish_saving(variants["old"][0], variants["new"][0])
                    if case == "cold":
                        shutil.rmtree(cache, ignore_errors=True)
                    elif not cache.exists():  # filled once, before the first timed run
                        once(load(modules, project, cache))
                        finish_saving(modules)
                    result, wall, cpu = once(load(modules, project, cache))
                    results[name] = fingerprint(result)
                    del result
                    old = best.get(name, (wall, cpu))
                    best[name] = (min(old[0], wall), min(old[1], cpu))
                if results["old"] != results["new"]:
                    raise SystemExit(f"{case}, round {round_ + 1}: results differ: {results}")
            report(case, best)
        finish_saving(variants["old"][0], variants["new"][0])
        print("same datasets in every run")


if __name__ == "__main__":
    main()
