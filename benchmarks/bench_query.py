"""Benchmark the competency questions: through `kg query`, through `kg serve`, under load.

Usage:
    python benchmarks/bench_query.py --keep /tmp/kg-bench-query     # build once, keep, measure
    python benchmarks/bench_query.py --keep /tmp/kg-bench-query --runs 10 --seconds 30
    python benchmarks/bench_query.py --triples 50000                 # a quick, small run

The synthetic project is benchmarks/corpus.py's (politicians, parties, bodies, cities,
conferences, statistics, integration centres and visits to them, offices and their holders,
programmes and funding commitments, quotations at events, speakers), a million triples by
default; it is built with `graph.pipeline.build` and reused from --keep.

Measured, on this machine, with the query store already built (its one-off build is
reported too):
- `kg query` as a user runs it: a new `python -m graph query NAME --format json` process
  per run, so Python start-up and imports are included;
- the library in a warm process (`graph.query.run_on_store`), what a notebook sees;
- the endpoint: `kg serve` in its own process, one client, sequential requests;
- throughput: 8 client threads sending the questions round-robin for --seconds.
Parameterised questions use ids of the synthetic graph; the endpoint answers them at
/queries/NAME?param=value, which binds parameters as `kg query` does.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from corpus import PARAMS, generate  # noqa: E402

from graph import pipeline  # noqa: E402
from graph.library import library  # noqa: E402
from graph.project import load_project  # noqa: E402
from graph.query import run_on_store  # noqa: E402
from graph.store import graph_files, open_store  # noqa: E402


def make_project(folder: Path, triples: int) -> Path:
    project = folder / f"query-{triples}"
    if (project / "exports" / "kg.nt").is_file():
        say(f"reusing {project}")
        return project
    generate(project, triples)
    say(f"building {project}")
    result = pipeline.build(project=project, progress=say)
    say(f"built {result.triples:,} triples in {result.timings.total:.0f} s")
    return project


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fetch(url: str) -> float:
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as response:
        response.read()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--triples", type=int, default=1_000_000, help="corpus size (benchmarks/corpus.py; 1000000)")
    parser.add_argument("--runs", type=int, default=7, help="runs per question and way (default 7)")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the 8-client load test (default 20)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients of the load test (default 8)")
    parser.add_argument("--keep", type=Path, help="keep the project (and query store) here, and reuse them")
    args = parser.parse_args()
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="kg-bench-query-"))
    workdir.mkdir(parents=True, exist_ok=True)
    os.environ["KG_CACHE_DIR"] = str(workdir / "cache")
    load_before = os.getloadavg()
    project = make_project(workdir, args.triples)
    base = load_project(project).base
    names = sorted(library())

    start = time.perf_counter()
    with open_store(graph_files(project), progress=say) as store:
        opened = time.perf_counter() - start
        triples = store.triples
        say(f"query store: {triples:,} triples, opened in {opened:.2f} s")
        in_process: dict[str, list[float]] = {}
        for name in names:
            param = [f"{PARAMS[name][0]}={PARAMS[name][1]}"] if name in PARAMS else []
            times = []
            for _ in range(args.runs):
                result = run_on_store(store, library()[name].text, library()[name], base, param, "json")
                times.append(result.seconds)
            in_process[name] = times
            say(f"library  {name:<28} median {statistics.median(times) * 1000:8.1f} ms")

    cli: dict[str, list[float]] = {}
    for name in names:
        param = ["--param", f"{PARAMS[name][0]}={PARAMS[name][1]}"] if name in PARAMS else []
        command = [sys.executable, "-m", "graph", "query", name, "--project", str(project), "--format", "json", *param]
        times = []
        for _ in range(args.runs):
            begin = time.perf_counter()
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times.append(time.perf_counter() - begin)
        cli[name] = times
        say(f"kg query {name:<28} median {statistics.median(times) * 1000:8.1f} ms")

    paths = {n: f"queries/{n}" + (f"?{PARAMS[n][0]}={PARAMS[n][1]}" if n in PARAMS else "") for n in names}
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "graph", "serve", "--project", str(project), "--port", str(port), "--quiet"],
        stderr=subprocess.DEVNULL,
    )
    root = f"http://127.0.0.1:{port}/"
    try:
        wait_for(f"{root}sparql")
        endpoint: dict[str, list[float]] = {}
        for name in names:
            fetch(root + paths[name])  # warm up: the checked query is cached per text
            endpoint[name] = [fetch(root + paths[name]) for _ in range(args.runs)]
            say(f"endpoint {name:<28} median {statistics.median(endpoint[name]) * 1000:8.1f} ms")
        done, failed, latencies, elapsed = load_test([root + paths[n] for n in names], args.clients, args.seconds)
    finally:
        server.terminate()
        server.wait(timeout=30)
    load_after = os.getloadavg()

    print(
        f"\n{triples:,} triples; {os.cpu_count()} CPUs; "
        f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after\n"
    )
    print(
        "| question | kg query median (s) | kg query p95 (s) | library median (ms) "
        "| endpoint median (ms) | endpoint p95 (ms) |"
    )
    print("|---|---|---|---|---|---|")
    for name in names:
        print(
            f"| `{name}` | {statistics.median(cli[name]):.2f} | {percentile(cli[name], 0.95):.2f} | "
            f"{statistics.median(in_process[name]) * 1000:.0f} | {statistics.median(endpoint[name]) * 1000:.0f} | "
            f"{percentile(endpoint[name], 0.95) * 1000:.0f} |"
        )
    every_cli = [t for times in cli.values() for t in times]
    every_endpoint = [t for times in endpoint.values() for t in times]
    every_library = [t for times in in_process.values() for t in times]
    print(
        f"| **all** | {statistics.median(every_cli):.2f} | {percentile(every_cli, 0.95):.2f} | "
        f"{statistics.median(every_library) * 1000:.0f} | {statistics.median(every_endpoint) * 1000:.0f} | "
        f"{percentile(every_endpoint, 0.95) * 1000:.0f} |"
    )
    print(
        f"\n{args.clients} concurrent clients, {elapsed:.0f} s: {done} answers, {failed} errors, "
        f"{done / elapsed:.1f} requests/s; latency median {statistics.median(latencies) * 1000:.0f} ms, "
        f"p95 {percentile(latencies, 0.95) * 1000:.0f} ms"
    )
    if not args.keep:
        shutil.rmtree(workdir)


def wait_for(url: str) -> None:
    deadline = time.monotonic() + 300  # the first start may build the query store
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}?query=ASK%7B%7D", timeout=5).close()
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    raise SystemExit(f"the endpoint {url} did not start")


def load_test(urls: list[str], clients: int, seconds: float) -> tuple[int, int, list[float], float]:
    done = failed = 0
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def client(offset: int) -> None:
        nonlocal done, failed
        i = offset
        while time.perf_counter() < stop:
            try:
                took = fetch(urls[i % len(urls)])
                with lock:
                    done += 1
                    latencies.append(took)
            except (urllib.error.URLError, OSError):
                with lock:
                    failed += 1
            i += 1

    start = time.perf_counter()
    threads = [threading.Thread(target=client, args=(k * 3,)) for k in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done, failed, latencies, time.perf_counter() - start


if __name__ == "__main__":
    main()
