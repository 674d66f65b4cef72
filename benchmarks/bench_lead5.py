"""The fifth round's pipeline changes, each against the code before it in the same run.

- the content key: the old ``buildcache.content_key`` (reads every file) against the new one
  (remembers each file's SHA-256 by its settled ``stat``), from an empty cache and again;
- a focused view: the old ``focus.focused_graph`` against the new one (bisection in the
  sorted ``kg.nt``), on an up-to-date build of the project (built first if need be);
- the export helper: ``pipeline.build`` with GraphML and GEXF in a helper process (as before
  on two CPUs) against the plan's own choice, each in a fresh process with an empty cache,
  interleaved.

Usage:
    python benchmarks/bench_lead5.py /tmp/kg100k-copy --old 2862b3a --rounds 3 --builds 3

The project is built into its own ``exports/``: pass a copy. CPU seconds for the first two
(this process), wall seconds for the builds; each line ends with new ÷ old.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from oldcode import arguments, cpu_timed, old_module  # noqa: E402

from graph import buildcache, focus, pipeline  # noqa: E402
from graph.ontology import load_ontology  # noqa: E402
from graph.project import load_project  # noqa: E402

BUILD = """
import dataclasses, json, sys, time
from graph import pipeline
if sys.argv[1] == "helper":  # as before: a helper whatever the CPUs
    plan = pipeline.render_plan
    pipeline.render_plan = lambda *a: (lambda p: p and dataclasses.replace(p, helpers=True))(plan(*a))
start = time.perf_counter()
result = pipeline.build(project=sys.argv[2], out=sys.argv[3])
print(json.dumps({"wall": time.perf_counter() - start, "unshared": result.timings.workers_memory / 2**20}))
"""


def _line(name: str, old: float, new: float, unit: str = "s") -> None:
    print(f"{name:<40} old {old:8.3f} {unit}  new {new:8.3f} {unit}  {new / old:5.2f}x", flush=True)


def content_keys(old: object, project: Path, rounds: int, scratch: Path) -> None:
    settings = load_project(project)
    texts = pipeline.texts_folder(settings, None, lambda _: None, required=False)
    folders = (settings.sources_dir, settings.ontology_dir, texts, pipeline.DEFAULT_FORMATS, settings.exports_dir)
    results: dict[str, list[float]] = {"old": [], "new cold": [], "new warm": []}
    time.sleep(buildcache.RACY_NS / 1e9 + 0.1)  # a file is remembered once its last change is that old
    for number in range(rounds):
        os.environ["KG_CACHE_DIR"] = str(scratch / f"keys-{number}")
        old_key, seconds = cpu_timed(lambda: old.content_key(*folders))  # type: ignore[attr-defined]
        results["old"].append(seconds)
        cold, seconds = cpu_timed(lambda: buildcache.content_key(*folders))
        results["new cold"].append(seconds)
        warm, seconds = cpu_timed(lambda: buildcache.content_key(*folders))
        results["new warm"].append(seconds)
        assert old_key == cold == warm, "the remembered digests changed the key"
    _line("content key, empty cache (CPU)", min(results["old"]), min(results["new cold"]))
    _line("content key, again (CPU)", min(results["old"]), min(results["new warm"]))


def focused_views(old: object, project: Path, rounds: int, focus_id: str) -> None:
    ontology = load_ontology(load_project(project).ontology_dir)
    if focus.focused_graph(project, ontology, (focus_id,), 1, lambda _: None) is None:
        raise SystemExit(f"no focused view of {focus_id!r} (is the build up to date, the id an entity's?)")
    olds, news = [], []
    for _ in range(rounds):
        before, seconds = cpu_timed(lambda: old.focused_graph(project, ontology, (focus_id,), 1, lambda _: None))  # type: ignore[attr-defined]
        olds.append(seconds)
        after, seconds = cpu_timed(lambda: focus.focused_graph(project, ontology, (focus_id,), 1, lambda _: None))
        news.append(seconds)
        assert before is not None and after is not None and set(before[0]) == set(after[0]), "other triples"
    _line(f"focused_graph --focus {focus_id} (CPU)", min(olds), min(news))


def builds(project: Path, count: int, scratch: Path) -> None:
    walls: dict[str, list[float]] = {"helper": [], "plan": []}
    unshared: dict[str, list[float]] = {"helper": [], "plan": []}
    for number in range(count):
        for variant in walls:
            out, cache = scratch / f"out-{variant}-{number}", scratch / f"cache-{variant}-{number}"
            environment = {**os.environ, "KG_CACHE_DIR": str(cache), "PYTHONPATH": str(ROOT)}
            command = [sys.executable, "-c", BUILD, variant, str(project), str(out)]
            done = subprocess.run(command, env=environment, capture_output=True, text=True, check=True)
            found = json.loads(done.stdout.strip().splitlines()[-1])
            walls[variant].append(found["wall"])
            unshared[variant].append(found["unshared"])
            shutil.rmtree(out, ignore_errors=True)
            shutil.rmtree(cache, ignore_errors=True)
    median = statistics.median
    _line(f"pipeline.build, helper -> plan, median of {count}", median(walls["helper"]), median(walls["plan"]))
    _line("workers' unshared memory, helper -> plan", median(unshared["helper"]), median(unshared["plan"]), "MiB")


def main() -> None:
    parser = arguments(__doc__, rounds=3)
    parser.set_defaults(old="2862b3a")  # the code before the fifth round
    parser.add_argument("--builds", type=int, default=3, help="builds of each variant (default 3; 0: none)")
    parser.add_argument("--focus", default="p7", help="the entity of the focused view (default p7)")
    args = parser.parse_args()
    project = args.project.resolve()
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        old_buildcache = old_module(args.old, "graph/buildcache.py", scratch, "old_lead5_buildcache")
        old_focus = old_module(args.old, "graph/focus.py", scratch, "old_lead5_focus")
        print(f"{project}, old code: {args.old}; {os.cpu_count()} CPUs", flush=True)
        content_keys(old_buildcache, project, args.rounds, scratch)
        os.environ["KG_CACHE_DIR"] = str(scratch / "views")
        started = time.perf_counter()
        pipeline.build_if_changed(project=project)
        print(f"(built {project} for the focused view in {time.perf_counter() - started:.1f} s)", flush=True)
        focused_views(old_focus, project, args.rounds, args.focus)
        if args.builds:
            builds(project, args.builds, scratch)


if __name__ == "__main__":
    main()
