"""Benchmark the serial steps before SHACL (load, quotes, build) against an older revision.

Usage:
    python benchmarks/bench_load_build.py /tmp/kg100k
    python benchmarks/bench_load_build.py /tmp/kg100k /tmp/kg1m --old main --rounds 3

In one process, the old revision's ``graph/sources.py``, ``sourcecache.py``, ``yamlio.py``,
``dataset.py``, ``build.py``, ``quotes.py`` and ``errors.py`` (read with ``git show`` into a
temporary package) and the current ones run the steps the pipeline runs one after the other
(``pipeline._prepare``): ``load`` (read ``sources/`` through the source cache and resolve
it), ``quotes`` (check every quote against the texts, when the project has them) and
``build`` (the graph), with the garbage collector off as in ``pipeline.Timings.step``.
Each revision has its own source cache in a temporary folder (``KG_CACHE_DIR``), filled by
a first run that is not timed, so the timed runs read a warm cache, as an unchanged
``kg build --force`` does. Each run's result (the store's ``spo`` and ``pos`` indexes in
their order, every triple, the declaration sites, the statements' facts, the resolved
dataset, the quote report) must equal the old revision's, or the benchmark stops.
Prints the best of ``--rounds`` per step and project, and the ratio old / new (the two
take turns at running first: a run after another one is slower). The
seconds are CPU seconds of this process (``time.process_time``): on a machine shared with
other work, wall-clock time mostly measures the others.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import importlib
import os
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from oldcode import git_show  # noqa: E402

MODULES = ("errors", "yamlio", "sources", "sourcecache", "dataset", "build", "quotes")
STEPS = ("load", "quotes", "build")


def old_package(revision: str, folder: Path) -> dict[str, ModuleType]:
    """The old revision's modules as package ``old_graph`` (importing each other, the rest current)."""
    package = folder / "old_graph"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    for name in MODULES:
        text = git_show(revision, f"graph/{name}.py")
        for other in MODULES:
            text = text.replace(f"from graph.{other} import", f"from old_graph.{other} import")
        (package / f"{name}.py").write_text(text, encoding="utf-8")
    sys.path.insert(0, str(folder))
    return {name: importlib.import_module(f"old_graph.{name}") for name in MODULES}


def fingerprint(dataset: Any, quotes: Any, built: Any) -> str:
    """A digest of everything a run produced, orders of the store's indexes included."""
    digest = hashlib.sha256()
    store = built.graph.store
    for name in ("spo", "pos"):
        for key, inner in getattr(store, f"_SimpleMemory__{name}").items():
            digest.update(repr((key, [(k, list(v)) for k, v in inner.items()])).encode())
    digest.update(repr(sorted(built.graph)).encode())
    parts = (built.origins, built.facts, sorted(built.sourced), sorted(built.metadata), built.statements)
    for part in (*parts, built.references, dataset.facts, dataset.entities, dataset.sources, quotes):
        digest.update(repr(part).encode())  # reprs: the old Location is another class
    return digest.hexdigest()


def run(modules: dict[str, Any], project: Path, cache: Path) -> tuple[list[float], str]:
    """One run of the three steps: seconds per step and the fingerprint of the result."""
    from graph.ontology import load_ontology
    from graph.project import load_project

    os.environ["KG_CACHE_DIR"] = str(cache)
    settings = load_project(project)
    gc.collect()
    gc.disable()
    try:
        start = time.process_time()
        ontology = load_ontology(settings.ontology_dir)
        problems: list[Any] = []
        declarations = modules["sources"].read_sources(settings.sources_dir, problems)
        dataset = modules["dataset"].resolve(settings, ontology, declarations, problems)
        loaded = time.process_time()
        texts = settings.texts if settings.texts is not None and settings.texts.is_dir() else None
        quotes = modules["quotes"].check_quotes(dataset, texts) if texts is not None else None
        checked = time.process_time()
        built = modules["build"].build_graph(dataset)
        done = time.process_time()
        result = fingerprint(dataset, quotes, built)
    finally:
        gc.enable()
    del dataset, built, declarations
    gc.collect()
    return [loaded - start, checked - loaded, done - checked], result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("projects", type=Path, nargs="+")
    parser.add_argument("--old", default="main", help="revision to compare with (default: main)")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    rows: list[tuple[str, list[float], list[float]]] = []
    with tempfile.TemporaryDirectory() as scratch:
        old = old_package(args.old, Path(scratch))
        new = {name: importlib.import_module(f"graph.{name}") for name in MODULES}
        variants = {"old": (old, Path(scratch) / "cache-old"), "new": (new, Path(scratch) / "cache-new")}
        for project in args.projects:
            best: dict[str, list[float]] = {}
            expected = None
            for modules, cache in variants.values():  # fills each cache
                _, result = run(modules, project, cache)
                expected = expected or result
                if result != expected:
                    raise SystemExit(f"{project}: the new result differs from the old revision's")
            for round_ in range(args.rounds):
                # a run after another is slower (the heap is larger): take turns at going first
                order = list(variants.items())
                for name, (modules, cache) in order if round_ % 2 else reversed(order):
                    seconds, result = run(modules, project, cache)
                    if result != expected:
                        raise SystemExit(f"{project}: the {name} result differs from the first run's")
                    best[name] = [min(a, b) for a, b in zip(best.get(name, seconds), seconds, strict=True)]
            rows.append((str(project), best["old"], best["new"]))
    print(f"{'project':40} {'step':7} {'old s':>7} {'new s':>7} {'old/new':>8}")
    for project, before, after in rows:
        for step, a, b in zip((*STEPS, "total"), [*before, sum(before)], [*after, sum(after)], strict=True):
            ratio = f"{a / b:7.2f}x" if b > 0 else "       -"
            print(f"{project:40} {step:7} {a:7.3f} {b:7.3f} {ratio}")
    print(f"every result identical to the old revision's ({args.old})")


if __name__ == "__main__":
    main()
