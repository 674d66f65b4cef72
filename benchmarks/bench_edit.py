"""One changed article per build, this checkout's ``kg build`` against another commit's, interleaved.

Each side gets its own copy of the project and its own cache. Both are built whole and
queried once (so that the build patches the query store, as it does for a graph in use),
then built once more after a first edit; then, ``--rounds`` times, one value in one
article is changed on both sides and each side runs ``kg build`` in a process of its own,
as a user does, the first side in turns. The wall time of each build and of all its
processes' CPU time are printed, then the medians and new ÷ old.

Usage:
    python benchmarks/corpus.py /tmp/kg1m --triples 1000000
    python benchmarks/bench_edit.py /tmp/kg1m --old f04ede8 --rounds 8

The other commit is checked out into a temporary work tree of this repository.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: What each round changes: the first ``amount:`` of an article in the middle of the corpus.
AMOUNT = re.compile(r"amount: \d+")


def _article(project: Path) -> Path:
    """The article whose amount the rounds change, relative to ``project``."""
    articles = sorted((project / "sources" / "articles").glob("*.yaml"))
    for article in articles[len(articles) // 2 :]:
        if AMOUNT.search(article.read_text("utf-8")):
            return article.relative_to(project)
    raise SystemExit(f"{project}: no article with an 'amount:' to change (use a corpus of benchmarks/corpus.py)")


def _edit(project: Path, article: Path, value: int) -> None:
    path = project / article
    path.write_text(AMOUNT.sub(f"amount: {50_000 + value}", path.read_text("utf-8"), count=1), "utf-8")


def _kg(code: Path, project: Path, cache: Path, *args: str) -> tuple[float, float]:
    """Run ``kg`` of the checkout ``code`` in ``project``: wall and CPU seconds (children included)."""
    environment = {**os.environ, "PYTHONPATH": str(code), "KG_CACHE_DIR": str(cache)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "graph", *args],
        cwd=project,
        env=environment,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project", type=Path, help="a project made by benchmarks/corpus.py")
    parser.add_argument("--old", required=True, help="the commit to compare with")
    parser.add_argument("--rounds", type=int, default=8)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kg-bench-edit-") as folder:
        work = Path(folder)
        old_code = work / "old-code"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "-f", "--detach", str(old_code), options.old],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            sides = {"new": ROOT, "old": old_code}
            article = _article(options.project)
            projects = {}
            for name in sides:
                projects[name] = work / name
                shutil.copytree(options.project, projects[name], ignore=shutil.ignore_patterns("exports"))
            for name, code in sides.items():  # built whole, queried, built after a first edit
                _kg(code, projects[name], work / f"{name}-cache", "build", "-q")
                _kg(code, projects[name], work / f"{name}-cache", "query", "offices", "--format", "json")
                _edit(projects[name], article, 1)
                _kg(code, projects[name], work / f"{name}-cache", "build", "-q")
            times: dict[str, list[tuple[float, float]]] = {name: [] for name in sides}
            for round_ in range(options.rounds):
                order = list(sides) if round_ % 2 == 0 else list(reversed(sides))
                for name in order:
                    _edit(projects[name], article, 2 + round_)
                    times[name].append(_kg(sides[name], projects[name], work / f"{name}-cache", "build", "-q"))
                    print(f"{name} round {round_ + 1}: {times[name][-1][0]:.2f} s, CPU {times[name][-1][1]:.2f} s")
            wall = {name: statistics.median(t for t, _ in found) for name, found in times.items()}
            cpu = {name: statistics.median(c for _, c in found) for name, found in times.items()}
            faster = sum(new[0] < old[0] for new, old in zip(times["new"], times["old"], strict=True))
            print(
                f"median: {wall['new']:.2f} s against {wall['old']:.2f} s ({wall['new'] / wall['old']:.2f} times), "
                f"faster in {faster} of {options.rounds}; CPU {cpu['new']:.2f} s against {cpu['old']:.2f} s "
                f"({cpu['new'] / cpu['old']:.2f} times)"
            )
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old_code)], check=False)


if __name__ == "__main__":
    main()
