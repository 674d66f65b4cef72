"""Benchmark the load step (read ``sources/`` through the source cache, then resolve) against an older revision.

Usage:
    python benchmarks/bench_resolve4.py /tmp/kg100k
    python benchmarks/bench_resolve4.py /tmp/kg-bench-query/query-1000000 --old main --rounds 2

In one process, the old revision's ``graph/sources.py``, ``sourcecache.py``, ``yamlio.py``,
``values.py`` and ``dataset.py`` (:func:`oldcode.old_module`, importing each other) and the
current ones run ``pipeline.load``'s two steps on a copy of the project's ``ontology/`` and
``sources/``, with the garbage collector off as in ``pipeline.Timings.step``, in two cases:

- ``cold``: an empty source cache (the full build's benchmark): every file is parsed,
  half of them in a forked parse-ahead worker, and the cache is written (by another
  worker, from ``sourcecache.SAVE_AHEAD_FROM`` entries on: the next run waits for it);
- ``one changed``: every file cached but one article, changed before each run (a
  comment appended), as after editing one article.

Each revision has its own cache (``KG_CACHE_DIR``). The result of each revision's first
run (every fact, entity and source, or every problem, by its ``repr``) must be the same,
or the benchmark stops. Prints the best of ``--rounds`` per case and step as wall
seconds (the parse-ahead worker runs on the other core) and this process's CPU seconds,
and the ratio old / new; the two revisions take turns at running first.
"""

from __future__ import annotations

import gc
import hashlib
import shutil
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from oldcode import arguments, old_module, scratch_project

MODULES = ("yamlio", "values", "sourcecache", "sources", "dataset")  # each imports only those before it
CASES = ("cold", "one changed")
STEPS = ("read", "resolve", "load")
CHANGED = "sources/articles/00003.yaml"


def old_modules(revision: str, folder: Path) -> dict[str, ModuleType]:
    """The old revision's modules, importing each other (the rest of ``graph`` is current)."""
    replace = {f"from graph.{name} import": f"from old_resolve4_{name} import" for name in MODULES}
    return {name: old_module(revision, f"graph/{name}.py", folder, f"old_resolve4_{name}", replace) for name in MODULES}


def sourcecache_racy_seconds() -> float:
    """How long after a write a file's ``stat`` is trusted by the source cache (a little more)."""
    from graph import buildcache

    return buildcache.RACY_NS / 1e9 + 0.1


def fingerprint(result: Any) -> str:
    """A digest of a dataset's facts, entities and sources, or of the problems that stopped it."""
    from graph.errors import SourceError

    digest = hashlib.sha256()
    if isinstance(result, SourceError):
        for problem in result.problems:
            digest.update(f"{problem}\n".encode())
        return "problems " + digest.hexdigest()
    for fact in result.facts:
        digest.update(repr(fact).encode())
    digest.update(repr(sorted(result.entities.items())).encode())
    digest.update(repr(sorted(result.sources.items())).encode())
    return digest.hexdigest()


def run(modules: dict[str, Any], project: Path, cache: Path, case: str, round_: int) -> tuple[list[float], Any]:
    """One load: wall and CPU seconds of reading, resolving and both, and the dataset (or its error)."""
    import os

    from graph.errors import SourceError
    from graph.ontology import load_ontology
    from graph.project import load_project

    for module in modules.values():  # a worker may still be writing a cache (the new sourcecache's)
        getattr(module, "finish_saving", lambda: None)()
    os.environ["KG_CACHE_DIR"] = str(cache)
    if case == "cold":
        shutil.rmtree(cache, ignore_errors=True)
    else:
        with open(project / CHANGED, "a", encoding="utf-8") as handle:
            handle.write(f"# changed {round_} {id(modules)}\n")
    settings = load_project(project)
    ontology = load_ontology(settings.ontology_dir)
    gc.collect()
    gc.disable()
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        problems: list[Any] = []
        declarations = modules["sources"].read_sources(settings.sources_dir, problems)
        read_wall, read_cpu = time.perf_counter(), time.process_time()
        try:
            result: Any = modules["dataset"].resolve(settings, ontology, declarations, problems)
        except SourceError as exc:
            result = exc
        done_wall, done_cpu = time.perf_counter(), time.process_time()
    finally:
        gc.enable()
    walls = [read_wall - wall, done_wall - read_wall, done_wall - wall]
    cpus = [read_cpu - cpu, done_cpu - read_cpu, done_cpu - cpu]
    return walls + cpus, result


def main() -> None:
    parser = arguments(__doc__, rounds=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        project = scratch_project(args.project, scratch)
        time.sleep(sourcecache_racy_seconds())  # so that the copies' stat stands for their bytes
        variants = {
            "old": (old_modules(args.old, scratch), scratch / "cache-old"),
            "new": ({name: __import__(f"graph.{name}", fromlist=["_"]) for name in MODULES}, scratch / "cache-new"),
        }
        expected: dict[str, str] = {}
        for name, (modules, cache) in variants.items():  # fills each cache, and checks the results
            _, result = run(modules, project, cache, "cold", 0)
            expected[name] = fingerprint(result)
            del result
            gc.collect()
        if expected["old"] != expected["new"]:
            raise SystemExit(f"results differ: old {expected['old']}, new {expected['new']}")
        print(f"{args.project}: same result ({expected['new'][:16]})")
        for case in CASES:
            best: dict[str, list[float]] = {}
            for round_ in range(args.rounds):
                order = list(variants.items()) if round_ % 2 == 0 else list(variants.items())[::-1]
                for name, (modules, cache) in order:
                    seconds, result = run(modules, project, cache, case, round_ + 1)
                    if fingerprint(result) != expected[name]:  # an appended comment changes nothing
                        raise SystemExit(f"{name}: another result in {case} round {round_ + 1}")
                    del result
                    gc.collect()
                    best[name] = [min(a, b) for a, b in zip(best.get(name, seconds), seconds, strict=True)]
            for index, step in enumerate(STEPS):
                old_wall, new_wall = best["old"][index], best["new"][index]
                old_cpu, new_cpu = best["old"][index + 3], best["new"][index + 3]
                wall = f"wall old {old_wall:6.2f} s  new {new_wall:6.2f} s  x{old_wall / new_wall:4.2f}"
                cpu = f"cpu old {old_cpu:6.2f} s  new {new_cpu:6.2f} s  x{old_cpu / new_cpu:4.2f}"
                print(f"  {case:12} {step:8} {wall}   {cpu}")


if __name__ == "__main__":
    main()
