"""Broken copies of a benchmark corpus: the old revision and this one report the same problems.

Usage:
    python benchmarks/corpus.py /tmp/kg100k --triples 100000
    python benchmarks/compare_broken.py /tmp/kg100k

Each variant copies the corpus (made by ``benchmarks/corpus.py``; the edits expect its
article ``00003.yaml``), reads it once with each revision to fill their caches, breaks the
copy and reads it again: with the old revision (``--old``, default ``main``); with this one
twice, trusting every settled ``stat`` (``buildcache.RACY_NS``); and with this one and an
empty cache. The problems of loading, or the quote report when it loads, must be the same
texts at the same ``file:line`` in the same order each time.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench_load_build import MODULES, old_package

from graph import buildcache
from graph.ontology import load_ontology
from graph.project import load_project

ARTICLE = "sources/articles/00003.yaml"


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first ``old`` in the file at ``path`` with ``new``."""
    text = path.read_text(encoding="utf-8")
    if old not in text:
        raise SystemExit(f"{path}: {old!r} not found (not a corpus of benchmarks/corpus.py?)")
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def remove_text(project: Path, words: bytes) -> None:
    """Remove the texts that contain ``words``."""
    for text in (project / "texts").iterdir():
        if words in text.read_bytes():
            text.unlink()


HEAD = "headOf: ki16"
QUOTE = "quote: 'Person 16 leitet das Integrationszentrum 16.'"
VARIANTS: dict[str, Callable[[Path], None]] = {
    "unknown property": lambda p: edit(p / ARTICLE, HEAD, "headOff: ki16"),
    "unknown entity": lambda p: edit(p / ARTICLE, HEAD, "headOf: ki99999"),
    "bad date": lambda p: edit(p / ARTICLE, "asOf: 2013-01-19", "asOf: 2013-13-45"),
    "wrong range": lambda p: edit(p / ARTICLE, HEAD, "headOf: p17"),
    "duplicate id": lambda p: edit(p / "sources/entities.yaml", "{id: p1, type", "{id: p0, type"),
    "not YAML": lambda p: edit(p / ARTICLE, "facts:\n", "facts:\n  - {subject: p16, headOf: ki16, quote: 'open}\n"),
    "quote not found": lambda p: edit(p / ARTICLE, "Person 16 leitet", "Person 16 leitete"),
    "title not found": lambda p: edit(p / ARTICLE, "Bericht 3 über", "Bericht 3 zu"),
    "text missing": lambda p: remove_text(p, b"Person 16 leitet das Integrationszentrum 16"),
    "empty article": lambda p: (p / ARTICLE).write_text("", encoding="utf-8"),
    "qualifier not allowed": lambda p: edit(p / ARTICLE, "{asOf: 2013-01-19}", "{headOf: ki16}"),
    "no quote": lambda p: edit(p / ARTICLE, f", {QUOTE}", ""),
    "two quotes on one line": lambda p: edit(
        p / ARTICLE, QUOTE, "quote: ['Person 16 leitet das Integrationszentrum 17.', 'Person 16 leitet nichts.']"
    ),
}


def run(modules: dict[str, Any], project: Path, cache: Path) -> tuple[object, ...]:
    """Load and check quotes: the problems (of the first step that has any) as text."""
    os.environ["KG_CACHE_DIR"] = str(cache)
    settings = load_project(project)
    ontology = load_ontology(settings.ontology_dir)
    problems: list[Any] = []
    try:
        declarations = modules["sources"].read_sources(settings.sources_dir, problems)
        dataset = modules["dataset"].resolve(settings, ontology, declarations, problems)
    except Exception as exc:  # the old revision's SourceError is another class
        if not hasattr(exc, "problems"):
            raise
        return ("load", str(exc), [str(p) for p in exc.problems])
    report = modules["quotes"].check_quotes(dataset, settings.texts)
    return ("quotes", report.sources, report.quotes, [str(p) for p in report.problems])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--old", default="main", help="revision to compare with (default: main)")
    args = parser.parse_args()
    same_everywhere = True
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        old = old_package(args.old, scratch)
        new = {name: importlib.import_module(f"graph.{name}") for name in MODULES}
        for name, change in VARIANTS.items():
            project = scratch / re.sub(r"\W", "-", name)
            shutil.copytree(args.corpus, project, ignore=shutil.ignore_patterns("exports"))
            old_cache, new_cache = scratch / f"{project.name}-old", scratch / f"{project.name}-new"
            run(old, project, old_cache)
            run(new, project, new_cache)
            change(project)
            racy = buildcache.RACY_NS
            buildcache.RACY_NS = -(10**18)  # every stat trusted: the shortcut's worst case
            results = [run(old, project, old_cache), run(new, project, new_cache), run(new, project, new_cache)]
            buildcache.RACY_NS = racy
            results.append(run(new, project, scratch / f"{project.name}-fresh"))
            same = all(r == results[0] for r in results)
            same_everywhere = same_everywhere and same
            print(f"{'same' if same else 'DIFFERENT'}: {name}: {str(results[0])[:160]}")
            if not same:
                for label, result in zip(("old", "new", "new again", "new, no cache"), results, strict=True):
                    print(f"  {label}: {result}")
    print("every variant the same" if same_everywhere else "SOME VARIANTS DIFFER")
    sys.exit(0 if same_everywhere else 1)


if __name__ == "__main__":
    main()
