"""Benchmark the serial start of a build, the load and build steps, against an older revision.

Usage:
    python benchmarks/bench_load5.py /tmp/kg100k
    python benchmarks/bench_load5.py /tmp/kg-bench-query/query-1000000 --rounds 2 --compare /tmp/ref1m

In one process, the old revision's ``graph/yamlio.py``, ``values.py``, ``sourcecache.py``,
``sources.py``, ``dataset.py`` and ``build.py`` (:func:`oldcode.old_module`, importing each
other) and the current ones run on a copy of the project's ``ontology/`` and ``sources/``,
with the cyclic garbage collector off as in a build (``graph.gcpause``):

- ``load, cold``: ``pipeline.load``'s two steps (read ``sources/``, resolve) from an empty
  source cache, as in the full build's benchmark: every file is parsed, half of them in
  a forked parse-ahead worker, and the cache is written by another worker (the next run
  waits for it before it starts);
- ``load, one changed``: every file cached but one article, in which a statistic's value
  was changed before each run (another value each time, so that it is parsed again), as
  after a curator's edit (``bench_build.change_one_article``);
- ``build``: ``build_graph`` of the current revision's dataset of the project as it is.

Each revision has its own source cache (``KG_CACHE_DIR``). Both revisions' datasets must
be the same (every fact, entity and source by its ``repr``, or every problem) in every
run, and both builds the same graph (every level of the store's indexes in the same
order, and the same :class:`~graph.build.BuiltGraph` fields), or the benchmark stops.
With ``--compare``, the new graph's N-Triples, Turtle and JSON-LD are compared byte for
byte with ``kg.nt``, ``kg.ttl`` and ``kg.jsonld`` in that folder. Prints the best of
``--rounds`` as wall seconds (the workers run on the other core) and this process's CPU
seconds, and the ratio old / new; the two revisions take turns at running first.
"""

from __future__ import annotations

import gc
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_build4 import FILES, index_orders
from bench_resolve4 import fingerprint, sourcecache_racy_seconds
from oldcode import arguments, old_module, scratch_project

from tests.test_build_fast import built_fields

MODULES = ("yamlio", "values", "sourcecache", "sources", "dataset", "build")  # each imports only those before it
_VALUE = re.compile(r"value: [0-9.]+,")


def old_modules(revision: str, folder: Path) -> dict[str, ModuleType]:
    """The old revision's modules, importing each other (the rest of ``graph`` is current)."""
    replace = {f"from graph.{name} import": f"from old_load5_{name} import" for name in MODULES}
    return {name: old_module(revision, f"graph/{name}.py", folder, f"old_load5_{name}", replace) for name in MODULES}


def changed_article(project: Path) -> Path:
    """The article :func:`change` edits: the middle one with a statistic (as ``bench_build.change_one_article``)."""
    articles = sorted((project / "sources" / "articles").glob("*.yaml"))
    for path in articles[len(articles) // 2 :] + articles:
        if _VALUE.search(path.read_text("utf-8")):
            return path
    raise SystemExit("no statistic to change")


def change(path: Path, run: int) -> None:
    """Give the first statistic in ``path`` another value for each ``run``."""
    text = path.read_text("utf-8")
    path.write_text(_VALUE.sub(f"value: {100 + run}.5,", text, count=1), "utf-8")


def once(work: Callable[[], Any]) -> tuple[Any, float, float]:
    """What ``work`` returns (or raises), its wall and this process's CPU seconds, the collector off."""
    gc.collect()
    gc.disable()
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            result = work()
        except Exception as exc:  # a SourceError is a result too (both revisions must give it)
            result = exc
        return result, time.perf_counter() - wall, time.process_time() - cpu
    finally:
        gc.enable()


def load(modules: dict[str, Any], project: Path, cache: Path) -> Callable[[], Any]:
    """``pipeline.load``'s two steps with ``modules``, their source cache in ``cache``."""
    from graph.ontology import load_ontology
    from graph.project import load_project

    def work() -> Any:
        os.environ["KG_CACHE_DIR"] = str(cache)
        settings = load_project(project)
        ontology = load_ontology(settings.ontology_dir)
        problems: list[Any] = []
        declarations = modules["sources"].read_sources(settings.sources_dir, problems)
        return modules["dataset"].resolve(settings, ontology, declarations, problems)

    return work


def report(name: str, best: dict[str, tuple[float, float]]) -> None:
    (old_wall, old_cpu), (new_wall, new_cpu) = best["old"], best["new"]
    print(
        f"| {name} | {old_wall:.2f} | {new_wall:.2f} | {old_wall / new_wall:.2f} "
        f"| {old_cpu:.2f} | {new_cpu:.2f} | {old_cpu / new_cpu:.2f} |"
    )


def main() -> None:
    parser = arguments(__doc__, rounds=2, references="kg.nt, kg.ttl, kg.jsonld")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        project = scratch_project(args.project, scratch)
        edited = changed_article(project)
        time.sleep(sourcecache_racy_seconds())  # so that the copies' stat stands for their bytes
        variants = {
            "old": (old_modules(args.old, scratch), scratch / "cache-old"),
            "new": ({name: __import__(f"graph.{name}", fromlist=["_"]) for name in MODULES}, scratch / "cache-new"),
        }
        print(f"{args.project}: best of {args.rounds}, seconds")
        print("| step | old wall | new wall | old/new | old CPU | new CPU | old/new |")
        print("|---|---|---|---|---|---|---|")
        run = 0
        for case in ("cold", "one changed"):
            best: dict[str, tuple[float, float]] = {}
            for round_ in range(args.rounds):
                order = list(variants.items()) if round_ % 2 == 0 else list(variants.items())[::-1]
                if case == "one changed":
                    run += 1
                    change(edited, run)
                results: dict[str, str] = {}
                for name, (modules, cache) in order:
                    for module in variants["old"][0].values(), variants["new"][0].values():
                        for each in module:  # a worker may still be writing a cache
                            getattr(each, "finish_saving", lambda: None)()
                    if case == "cold":
                        shutil.rmtree(cache, ignore_errors=True)
                    result, wall, cpu = once(load(modules, project, cache))
                    results[name] = fingerprint(result)
                    del result
                    old = best.get(name, (wall, cpu))
                    best[name] = (min(old[0], wall), min(old[1], cpu))
                if results["old"] != results["new"]:
                    raise SystemExit(f"{case}, round {round_ + 1}: results differ: {results}")
            report(f"load, {case}", best)
        for module in variants["new"][0].values():
            getattr(module, "finish_saving", lambda: None)()
        shutil.copy(args.project / edited.relative_to(project), edited)  # the project as it was, for --compare
        dataset, _, _ = once(load(variants["new"][0], project, variants["new"][1]))
        if isinstance(dataset, Exception):
            raise SystemExit(f"the project does not load: {dataset}")
        builds: dict[str, Any] = {}
        best = {}
        for round_ in range(args.rounds):
            order = list(variants.items()) if round_ % 2 == 0 else list(variants.items())[::-1]
            for name, (modules, _) in order:
                builds.pop(name, None)  # the last one's memory free before the next
                built, wall, cpu = once(lambda m=modules: m["build"].build_graph(dataset))
                if isinstance(built, Exception):
                    raise built
                builds[name] = built
                old = best.get(name, (wall, cpu))
                best[name] = (min(old[0], wall), min(old[1], cpu))
        report("build", best)
        same_indexes = index_orders(builds["old"].graph) == index_orders(builds["new"].graph)
        same_fields = built_fields(builds["old"]) == built_fields(builds["new"])
        print(
            f"same datasets in every run; builds: same indexes in the same order {same_indexes}, fields {same_fields}"
        )
        if not (same_indexes and same_fields):
            raise SystemExit("the builds differ")
        if args.compare:
            from graph.export import ExportInput, exporter

            source = ExportInput(builds["new"].graph, dataset.ontology)
            for name, file in FILES.items():
                same = exporter(name).render(source) == (args.compare / file).read_bytes()
                print(f"{file} byte-identical to {args.compare / file}: {same}")


if __name__ == "__main__":
    main()
