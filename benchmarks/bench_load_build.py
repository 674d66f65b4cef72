"""Benchmark reading, resolving and building the graph against an older revision.

Usage:
    python benchmarks/bench_load_build.py /tmp/kg100k
    python benchmarks/bench_load_build.py /tmp/kg100k --old main --rounds 3

In one process, the old revision's ``graph/sources.py``, ``yamlio.py``, ``dataset.py``,
``build.py`` and ``errors.py`` (read with ``git show`` into a temporary package) and the
current ones read ``sources/``, resolve it and build the graph, with the garbage collector
off as in ``pipeline.Timings.step``. The current code runs three ways: without the source
cache, with an empty one (which it fills) and with the filled one. Each run's result (the
store's ``spo`` and ``pos`` indexes in their order, every triple, the declaration sites,
the statements' facts, the resolved dataset) must equal the old revision's, or the
benchmark stops. Prints the best of ``--rounds`` per step and the ratio to the old code.
The source cache lives in a temporary folder (``KG_CACHE_DIR``).
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import importlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MODULES = ("errors", "yamlio", "sources", "dataset", "build")
STEPS = ("read", "resolve", "build")


def old_package(revision: str, folder: Path) -> dict[str, ModuleType]:
    """The old revision's modules as package ``old_graph`` (importing each other, the rest current)."""
    package = folder / "old_graph"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    for name in MODULES:
        text = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{revision}:graph/{name}.py"], check=True, capture_output=True, text=True
        ).stdout
        for other in MODULES:
            text = text.replace(f"from graph.{other} import", f"from old_graph.{other} import")
        (package / f"{name}.py").write_text(text, encoding="utf-8")
    sys.path.insert(0, str(folder))
    return {name: importlib.import_module(f"old_graph.{name}") for name in MODULES}


def fingerprint(dataset: Any, built: Any) -> str:
    """A digest of everything a run produced, orders of the store's indexes included."""
    digest = hashlib.sha256()
    store = built.graph.store
    for name in ("spo", "pos"):
        for key, inner in getattr(store, f"_SimpleMemory__{name}").items():
            digest.update(repr((key, [(k, list(v)) for k, v in inner.items()])).encode())
    digest.update(repr(sorted(built.graph)).encode())
    parts = (built.origins, built.facts, sorted(built.sourced), sorted(built.metadata), built.statements)
    for part in (*parts, built.references, dataset.facts, dataset.entities, dataset.sources):
        digest.update(repr(part).encode())  # reprs: the old Location is another class
    return digest.hexdigest()


def run(modules: dict[str, Any], project: Path, **read_options: Any) -> tuple[list[float], str]:
    from graph.ontology import load_ontology
    from graph.project import load_project

    settings = load_project(project)
    ontology = load_ontology(settings.ontology_dir)
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        problems: list[Any] = []
        declarations = modules["sources"].read_sources(settings.sources_dir, problems, **read_options)
        read = time.perf_counter()
        dataset = modules["dataset"].resolve(settings, ontology, declarations, problems)
        resolved = time.perf_counter()
        built = modules["build"].build_graph(dataset)
        done = time.perf_counter()
    finally:
        gc.enable()
    return [read - start, resolved - read, done - resolved], fingerprint(dataset, built)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--old", default="main", help="revision to compare with (default: main)")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        cache = Path(scratch) / "cache"
        os.environ["KG_CACHE_DIR"] = str(cache)
        old = old_package(args.old, Path(scratch))
        new = {name: importlib.import_module(f"graph.{name}") for name in MODULES}
        variants: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
            (f"old ({args.old})", old, {}),
            ("new, no cache", new, {"cache": False}),
            ("new, empty cache", new, {"cache": True}),
            ("new, filled cache", new, {"cache": True}),
        ]
        best: dict[str, list[float]] = {}
        for _ in range(args.rounds):
            expected = None
            for name, modules, options in variants:
                if name == "new, empty cache":
                    shutil.rmtree(cache, ignore_errors=True)
                seconds, result = run(modules, args.project, **options)
                expected = expected or result
                if result != expected:
                    raise SystemExit(f"{name}: the result differs from the old revision's")
                best[name] = [min(a, b) for a, b in zip(best.get(name, seconds), seconds, strict=True)]
    reference = best[variants[0][0]]
    print(f"{'':18} {'read':>7} {'resolve':>8} {'build':>7} {'total':>7}   ratio to old: read resolve build total")
    for name, seconds in best.items():
        ratios = [r / s for r, s in zip([*reference, sum(reference)], [*seconds, sum(seconds)], strict=True)]
        print(
            f"{name:18} {seconds[0]:7.3f} {seconds[1]:8.3f} {seconds[2]:7.3f} {sum(seconds):7.3f}   "
            + " ".join(f"{r:.2f}x" for r in ratios)
        )
    print("every result identical to the old revision's")


if __name__ == "__main__":
    main()
