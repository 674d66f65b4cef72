"""Quick clients under a flood of slow queries, against the same clients alone (the baseline).

Starts ``kg serve`` on a free loopback port over this project's graph, then runs twice,
in one process: eight well-behaved clients alone, and the same eight while ten clients
send a never-ending cartesian product over and over. Prints requests, errors, median and
p95 latency of the well-behaved clients in both runs, and the ratio.

    python benchmarks/bench_flood.py [--seconds 10] [--workers 2] [--project .]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from graph.serve import Endpoint, start_endpoint

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
QUICK = "SELECT ?label WHERE { ?class a owl:Class ; rdfs:label ?label } ORDER BY ?label LIMIT 5"


def ask(endpoint: Endpoint, query: str) -> tuple[int, float]:
    started = time.perf_counter()
    url = f"{endpoint.url}?{urllib.parse.urlencode({'query': query})}"
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": "text/csv"}), timeout=60) as answer:
            answer.read()
            code = answer.status
    except urllib.error.HTTPError as error:
        code = error.code
    return code, time.perf_counter() - started


def scenario(endpoint: Endpoint, seconds: float, slow_clients: int) -> dict[str, float]:
    stop = threading.Event()
    quick: list[tuple[int, float]] = []
    slow: list[tuple[int, float]] = []

    def flood() -> None:
        while not stop.is_set():
            slow.append(ask(endpoint, SLOW))

    def behave() -> None:
        while not stop.is_set():
            quick.append(ask(endpoint, QUICK))
            time.sleep(0.05)

    threads = [threading.Thread(target=flood) for _ in range(slow_clients)]
    threads += [threading.Thread(target=behave) for _ in range(8)]
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    latencies = [s for _, s in quick]
    return {
        "requests": len(quick),
        "errors": sum(code != 200 for code, _ in quick),
        "median_ms": statistics.median(latencies) * 1000,
        "p95_ms": statistics.quantiles(latencies, n=20)[-1] * 1000,
        "slow_requests": len(slow),
        "slow_503": sum(code == 503 for code, _ in slow),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--project", type=Path, default=Path("."))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        os.environ["KG_CACHE_DIR"] = cache
        with start_endpoint(project=args.project, port=0, workers=args.workers).start() as endpoint:
            alone = scenario(endpoint, args.seconds, 0)
            flooded = scenario(endpoint, args.seconds, 10)
    print("| well-behaved clients | requests | errors | median (ms) | p95 (ms) |")
    print("|---|---|---|---|---|")
    for name, row in (("alone (baseline)", alone), ("with 10 slow clients", flooded)):
        counts = f"{row['requests']:.0f} | {row['errors']:.0f}"
        print(f"| {name} | {counts} | {row['median_ms']:.1f} | {row['p95_ms']:.1f} |")
    print(
        f"ratio flooded/alone: median {flooded['median_ms'] / alone['median_ms']:.1f}x, "
        f"p95 {flooded['p95_ms'] / alone['p95_ms']:.1f}x; slow requests {flooded['slow_requests']:.0f}, "
        f"503 {flooded['slow_503']:.0f}"
    )


if __name__ == "__main__":
    main()
