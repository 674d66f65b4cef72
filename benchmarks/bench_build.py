"""The benchmark harness: every stage of kg on synthetic corpora, with baselines from the same run.

Usage:
    python benchmarks/bench_build.py                              # 10 k and 100 k triples
    python benchmarks/bench_build.py --triples 1000000 --runs 3    # the million (minutes)
    python benchmarks/bench_build.py --triples 10000 --keep /tmp/kg-bench --skip-rdflib

For each size a corpus is generated (``benchmarks/corpus.py``, deterministic from
--seed) into a temporary folder and measured, each measurement in a fresh process so
that its peak RSS is its own:

- ``kg build --force`` step by step (load, quotes, build, validate, each export, write);
- an unchanged ``kg build`` (up to date) and one after changing one article, then one
  more of a graph queried before (the build then makes its query store too);
- every named question, warm in one process (``graph.query.run_on_store``) and as a
  ``kg query NAME`` process, median and p95 of --runs;
- ``kg viz`` of a focused view (``--focus p7``);
- an unchanged ``kg validate``, ``kg stats`` (the first time, which keeps the whole graph's
  projection, and then) and ``kg path p7 p8``;
- the baselines, on the same triples (``exports/kg.nt``): rdflib (parse into a
  ``Graph``, its Turtle, N-Triples and JSON-LD serialisers, pySHACL on the whole graph
  with the same shapes) and pyoxigraph (bulk load into a store, its serialisers).

Every kg figure comes with its ratio to the baselines. Tables are Markdown for the
README; progress goes to stderr. The machine is shared: compare ratios, not seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import corpus  # noqa: E402
from corpus import PARAMS  # noqa: E402


def generate(target: Path, facts: int, seed: int = 7) -> Path:
    """For older callers (tests, bench_viz): a corpus about as large as ``facts`` facts of the old generator."""
    return corpus.generate(target, facts * 20, seed)


EXPORT_NAMES = ("turtle", "ntriples", "jsonld", "html", "graphml", "gexf")


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


# ---------------------------------------------------------------- measurements, each in its own process


def child_build(project: Path) -> dict[str, Any]:
    from graph import pipeline

    start = time.perf_counter()
    result = pipeline.build(project=project)
    return {
        "steps": result.timings.steps,
        "workers": result.timings.workers,
        "workers_mib": result.timings.workers_memory / 2**20,
        "ahead_mib": result.timings.ahead_memory / 2**20,
        "total": time.perf_counter() - start,
        "triples": result.triples,
    }


def child_rdflib(project: Path) -> dict[str, Any]:
    import pyshacl
    from rdflib import Graph
    from rdflib.namespace import RDFS

    steps: dict[str, float] = {}
    start = time.perf_counter()
    graph = Graph()
    graph.parse(project / "exports" / "kg.nt", format="nt")
    steps["load"] = time.perf_counter() - start
    for name, fmt in (("turtle", "turtle"), ("ntriples", "nt"), ("jsonld", "json-ld")):
        start = time.perf_counter()
        graph.serialize(format=fmt, encoding="utf-8")
        steps[name] = time.perf_counter() - start
    ontology = Graph().parse(project / "ontology" / "ontology.ttl")
    for triple in ontology.triples((None, RDFS.subClassOf, None)):
        graph.add(triple)
    shapes = Graph().parse(project / "ontology" / "shapes.ttl")
    start = time.perf_counter()
    conforms, _, _ = pyshacl.validate(graph, shacl_graph=shapes, inference="none", advanced=True, inplace=True)
    steps["validate"] = time.perf_counter() - start
    return {"steps": steps, "conforms": bool(conforms)}


def child_oxigraph(project: Path) -> dict[str, Any]:
    import pyoxigraph as ox

    from graph.namespace import PREFIXES

    steps: dict[str, float] = {}
    start = time.perf_counter()
    store = ox.Store()
    store.bulk_load(path=str(project / "exports" / "kg.nt"), format=ox.RdfFormat.N_TRIPLES)
    steps["load"] = time.perf_counter() - start
    prefixes = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
    formats = (("turtle", ox.RdfFormat.TURTLE), ("ntriples", ox.RdfFormat.N_TRIPLES), ("jsonld", ox.RdfFormat.JSON_LD))
    for name, fmt in formats:
        start = time.perf_counter()
        triples = (quad.triple for quad in store)
        ox.serialize(triples, format=fmt, prefixes=prefixes if fmt != ox.RdfFormat.N_TRIPLES else None)
        steps[name] = time.perf_counter() - start
    return {"steps": steps}


def child_queries(project: Path, runs: int) -> dict[str, Any]:
    from graph.library import library
    from graph.project import load_project
    from graph.query import run_on_store
    from graph.store import graph_files, open_store

    base = load_project(project).base
    found: dict[str, list[float]] = {}
    first: dict[str, float] = {}
    with open_store(graph_files(project)) as store:
        for name, named in sorted(library().items()):
            param = [f"{PARAMS[name][0]}={PARAMS[name][1]}"] if name in PARAMS else []
            # The first run on a new store computes the answer (and keeps it); later ones read it.
            first[name] = run_on_store(store, named.text, named, base, param, "json").seconds
            found[name] = [run_on_store(store, named.text, named, base, param, "json").seconds for _ in range(runs)]
    return {"queries": found, "first": first}


CHILDREN = {"build": child_build, "rdflib": child_rdflib, "oxigraph": child_oxigraph}


def measure_rss(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one process, via wait4."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{process.stderr.read().decode() if process.stderr else ''}")
    if process.stderr:
        process.stderr.close()
    return wall, usage.ru_maxrss / 1024


def _tree_pss(root: int) -> int:
    """Bytes of memory of process ``root`` and all its descendants now: the sum of their
    proportional set sizes (a page shared by n processes counts 1/n in each)."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(f"/proc/{entry.name}/stat").read_text("ascii")
            except OSError:
                continue
            parent = int(stat[stat.rindex(")") + 2 :].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, ()))
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text("ascii").splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def measure_tree(command: list[str], every: float = 0.2) -> tuple[float, float, float]:
    """Like :func:`measure_rss`, plus the peak memory of the process and its descendants
    together (MiB), sampled every ``every`` seconds (Linux; 0 elsewhere)."""
    import threading

    peak = [0]
    done = threading.Event()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    start = time.perf_counter()

    def sample() -> None:
        while not done.wait(every):
            peak[0] = max(peak[0], _tree_pss(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    if Path("/proc/self/smaps_rollup").exists():
        sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    done.set()
    if sampler.is_alive():
        sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{process.stderr.read().decode() if process.stderr else ''}")
    if process.stderr:
        process.stderr.close()
    return wall, usage.ru_maxrss / 1024, peak[0] / 2**20


def child_json(kind: str, project: Path, *extra: str) -> tuple[dict[str, Any], float, float]:
    """Run a measurement in its own process: its JSON answer (with ``tree_peak_mib``: see
    :func:`measure_tree`), wall seconds and peak RSS (MiB)."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        answer = Path(handle.name)
    try:
        wall, rss, tree = measure_tree([sys.executable, __file__, "--child", kind, str(project), str(answer), *extra])
        found: dict[str, Any] = json.loads(answer.read_text("utf-8"))
        found["tree_peak_mib"] = tree
        return found, wall, rss
    finally:
        answer.unlink(missing_ok=True)


def kg(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "graph", *map(str, args)]


def change_one_article(project: Path, value: str = "123.4") -> Path:
    """Change one statistic's value in the middle article (a realistic, valid edit)."""
    articles = sorted((project / "sources" / "articles").glob("*.yaml"))
    for path in articles[len(articles) // 2 :] + articles:
        text = path.read_text("utf-8")
        marker = "value: "
        at = text.find(marker)
        if at >= 0:
            end = text.index(",", at)
            path.write_text(text[: at + len(marker)] + value + text[end:], "utf-8")
            return path
    raise SystemExit("no statistic to change")


# ---------------------------------------------------------------- one size


def run_size(workdir: Path, triples: int, seed: int, runs: int, skip_rdflib: bool) -> dict[str, Any]:
    project = workdir / f"corpus-{triples}"
    start = time.perf_counter()
    corpus.generate(project, triples, seed)
    articles = len(list((project / "sources" / "articles").glob("*.yaml")))
    say(f"generated ~{triples:,} triples ({articles:,} articles) in {time.perf_counter() - start:.1f} s")
    row: dict[str, Any] = {"target": triples, "articles": articles}

    build, wall, rss = child_json("build", project)
    row.update(build=build, build_wall=wall, build_rss=rss)
    say(
        f"kg build: {build['triples']:,} triples, {wall:.1f} s, {rss:.0f} MiB "
        f"(+{build['workers_mib']:.0f} MiB in workers, +{build.get('ahead_mib', 0):.0f} MiB laying out ahead; "
        f"all processes together, sampled: {build['tree_peak_mib']:.0f} MiB); {_rounded(build['steps'])}; "
        f"workers {_rounded(build['workers'])}"
    )

    up = [measure_rss(kg("build", "-q", "--project", project)) for _ in range(runs)]
    row["unchanged"] = statistics.median(t for t, _ in up)
    change_one_article(project)
    row["one_changed"], row["one_changed_rss"] = measure_rss(kg("build", "-q", "--project", project))
    say(f"unchanged kg build {row['unchanged']:.2f} s; one changed article {row['one_changed']:.2f} s")
    # as a user who queries: the build then makes the query store of its kg.nt too (patching the last one)
    measure_rss(kg("query", "sources", "--project", project, "--format", "json", "--quiet"))
    change_one_article(project, "234.5")
    row["one_changed_queried"], _ = measure_rss(kg("build", "-q", "--project", project))
    say(f"one changed article of a queried graph (its query store made too) {row['one_changed_queried']:.2f} s")

    ox_, ox_wall, ox_rss = child_json("oxigraph", project)
    row.update(oxigraph=ox_["steps"], oxigraph_wall=ox_wall, oxigraph_rss=ox_rss)
    say(f"pyoxigraph: {_rounded(ox_['steps'])}, {ox_rss:.0f} MiB")
    if not skip_rdflib:
        rdf, rdf_wall, rdf_rss = child_json("rdflib", project)
        row.update(rdflib=rdf["steps"], rdflib_wall=rdf_wall, rdflib_rss=rdf_rss, pyshacl_conforms=rdf["conforms"])
        say(f"rdflib: {_rounded(rdf['steps'])}, {rdf_rss:.0f} MiB")

    queries, _, _ = child_json("queries", project, str(runs))
    row["warm"] = queries["queries"]
    row["first"] = queries["first"]
    row["process"] = {}
    for name in sorted(row["warm"]):
        param = ["--param", f"{PARAMS[name][0]}={PARAMS[name][1]}"] if name in PARAMS else []
        command = kg("query", name, "--project", project, "--format", "json", "--quiet", *param)
        row["process"][name] = [measure_rss(command)[0] for _ in range(runs)]
    say("queries: " + ", ".join(f"{n} {statistics.median(t) * 1000:.0f} ms" for n, t in row["warm"].items()))

    viz = kg("viz", "--project", project, "--focus", "p7", "--depth", "1", "-o", workdir / "focus.html", "-q")
    row["viz"], row["viz_rss"] = measure_rss(viz)
    say(f"kg viz --focus p7: {row['viz']:.2f} s, {row['viz_rss']:.0f} MiB")

    row["validate"] = statistics.median(measure_rss(kg("validate", "-q", "--project", project))[0] for _ in range(runs))
    # the first of each keeps the whole graph's projection (when it took a second or more), the others read it
    stats = [measure_rss(kg("stats", "--project", project, "-q")) for _ in range(runs)]
    paths = [measure_rss(kg("path", "p7", "p8", "--project", project, "-q")) for _ in range(runs)]
    row["stats_first"], row["stats_rss"] = stats[0]
    row["stats"] = statistics.median(t for t, _ in stats[1:] or stats)
    row["path"], row["path_rss"] = statistics.median(t for t, _ in paths), max(m for _, m in paths)
    say(
        f"unchanged kg validate {row['validate']:.2f} s; kg stats {row['stats_first']:.2f} s first, "
        f"{row['stats']:.2f} s then; kg path p7 p8 {row['path']:.2f} s ({row['path_rss']:.0f} MiB)"
    )
    return row


def _rounded(steps: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 2) for k, v in steps.items()}


# ---------------------------------------------------------------- the tables


def _ratio(ours: float, theirs: float | None) -> str:
    if not theirs:
        return "-"
    return f"{ours / theirs:.2f}x"


def _s(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


_MEMORY_NOTE = (
    ": build process's peak RSS + the workers' unshared memory + the peak RSS of the process laying out ahead"
)


def _memory(row: dict[str, Any]) -> float:
    """The build's memory: its process's peak RSS plus what its workers did not share with it,
    plus the peak of the process that laid out the page ahead (counted as if all peaked at once)."""
    build = row["build"]
    return float(row["build_rss"] + build.get("workers_mib", 0.0) + build.get("ahead_mib", 0.0))


def report(rows: list[dict[str, Any]]) -> None:
    load = os.getloadavg()
    print(
        f"\nMachine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, load average {load[0]:.1f} at the end\n"
    )
    for row in rows:
        steps = row["build"]["steps"]
        ox_ = row["oxigraph"]
        rdf = row.get("rdflib", {})
        kg_load = steps.get("load", 0) + steps.get("build", 0)
        print(f"### ~{row['target']:,} triples: {row['build']['triples']:,} triples, {row['articles']:,} articles\n")
        print("| stage | kg (s) | rdflib (s) | kg ÷ rdflib | pyoxigraph (s) | kg ÷ pyoxigraph |")
        print("|---|---|---|---|---|---|")
        lines = [
            ("load + build (rdflib: parse kg.nt; pyoxigraph: bulk load)", kg_load, rdf.get("load"), ox_["load"]),
            ("quotes", steps.get("quotes", 0.0), None, None),
            ("validate (SHACL + provenance; rdflib: pySHACL)", steps.get("shacl", 0.0), rdf.get("validate"), None),
        ]
        workers = row["build"].get("workers", {})
        for name in EXPORT_NAMES:
            key = f"export {name}"
            where = ""
            if workers:
                where = " (in a worker, during SHACL)" if key in workers else " (build process, after SHACL)"
            lines.append((f"export {name}{where}", steps.get(key, workers.get(key, 0.0)), rdf.get(name), ox_.get(name)))
        if workers:
            waited = steps.get("render (waiting for the workers)", 0.0)
            lines.append(("waiting for the workers at the end", waited, None, None))
            stored = steps.get("query store (for kg query)")
            if stored is not None:  # only for a graph queried before
                lines.append(("query store for kg query (meanwhile)", stored, None, None))
        lines.append(("write (swap the export set)", steps.get("write", 0.0), None, None))
        rdf_total = sum(rdf.get(k, 0) for k in ("load", "validate", "turtle", "ntriples", "jsonld")) or None
        ox_floor = ox_["load"] + ox_["turtle"] + ox_["ntriples"]
        lines.append(("**kg build, whole process**", row["build_wall"], rdf_total, ox_floor))
        for label, ours, theirs, fast in lines:
            print(
                f"| {label} | {_s(ours)} | {_s(theirs)} | {_ratio(ours, theirs)} | {_s(fast)} | {_ratio(ours, fast)} |"
            )
        rdf_rss = row.get("rdflib_rss")
        memory = _memory(row)
        print(
            f"| peak memory (MiB){_MEMORY_NOTE if row['build'].get('workers_mib') else ''} | {memory:.0f} "
            f"| {rdf_rss or 0:.0f} | {_ratio(memory, rdf_rss)} "
            f"| {row['oxigraph_rss']:.0f} | {_ratio(memory, row['oxigraph_rss'])} |"
        )
        tree = row["build"].get("tree_peak_mib")
        if tree:
            print(
                f"| peak memory (MiB): all its processes together, sampled every 0.2 s (PSS) | {tree:.0f} "
                f"| {rdf_rss or 0:.0f} | {_ratio(tree, rdf_rss)} "
                f"| {row['oxigraph_rss']:.0f} | {_ratio(tree, row['oxigraph_rss'])} |"
            )
        print(
            f"\nUnchanged `kg build` (up to date, whole process): {row['unchanged']:.2f} s; after changing one article "
            f"of {row['articles']:,}: {row['one_changed']:.2f} s ({row['one_changed_rss']:.0f} MiB), "
            f"{row['one_changed_queried']:.2f} s for a graph queried before (its query store made too); "
            f"`kg viz --focus p7`: {row['viz']:.2f} s ({row['viz_rss']:.0f} MiB). pyoxigraph floor (load + Turtle "
            f"+ N-Triples): {ox_floor:.2f} s.\n"
        )
        if "stats" in row:
            print(
                f"Unchanged `kg validate`: {row['validate']:.2f} s; `kg stats`: {row['stats_first']:.2f} s the first "
                f"time ({row['stats_rss']:.0f} MiB), {row['stats']:.2f} s then (from the projection the first kept, "
                f"if making it took a second or more); "
                f"`kg path p7 p8`: {row['path']:.2f} s ({row['path_rss']:.0f} MiB).\n"
            )
        print(
            "| question | first run, computed (ms) | warm median (ms) | warm p95 (ms) "
            "| `kg query` process median (s) | p95 (s) |"
        )
        print("|---|---|---|---|---|---|")
        for name, warm in row["warm"].items():
            proc = row["process"][name]
            print(
                f"| `{name}` | {row['first'][name] * 1000:.0f} | {statistics.median(warm) * 1000:.1f} | "
                f"{percentile(warm, 0.95) * 1000:.1f} | "
                f"{statistics.median(proc):.2f} | {percentile(proc, 0.95):.2f} |"
            )
        print()
    print("| triples | kg build (s) | peak memory (MiB) | MiB per 100 k triples | ÷ pyoxigraph floor |")
    print("|---|---|---|---|---|")
    for row in rows:
        ox_ = row["oxigraph"]
        floor = ox_["load"] + ox_["turtle"] + ox_["ntriples"]
        triples = row["build"]["triples"]
        print(
            f"| {triples:,} | {row['build_wall']:.2f} | {_memory(row):.0f} | "
            f"{_memory(row) / triples * 1e5:.0f} | {_ratio(row['build_wall'], floor)} |"
        )


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        kind, project, answer, *extra = sys.argv[2:]
        path = Path(project)
        found = child_queries(path, int(extra[0])) if kind == "queries" else CHILDREN[kind](path)
        Path(answer).write_text(json.dumps(found), "utf-8")
        # Like ``kg`` itself (graph.cli.entry), and for the baselines alike: no seconds of
        # freeing the heap at exit in the figures.
        sys.stdout.flush()
        os._exit(0)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--triples", type=int, action="append", help="corpus size in triples (repeatable)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the corpus generator (default 7)")
    parser.add_argument("--runs", type=int, default=5, help="runs per query and per unchanged build (default 5)")
    parser.add_argument("--skip-rdflib", action="store_true", help="leave out the (slow) rdflib baselines")
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    args = parser.parse_args()
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="kg-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    os.environ["KG_CACHE_DIR"] = str(workdir / "cache")
    try:
        rows = [run_size(workdir, n, args.seed, args.runs, args.skip_rdflib) for n in args.triples or [10_000, 100_000]]
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1), "utf-8")
    report(rows)


if __name__ == "__main__":
    main()
