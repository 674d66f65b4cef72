"""Benchmark `kg build` step by step on synthetic projects of growing size.

Usage:
    python benchmarks/bench_build.py                       # 1k, 10k, 100k facts
    python benchmarks/bench_build.py --facts 1000 --facts 150000
    python benchmarks/bench_build.py --keep /tmp/bench     # keep the generated projects

Each synthetic project uses this repository's ontology and shapes, one registry of
entities (people, parties, organisations, cities, events) and article files of 1000
facts each, shaped like the curated ones (object facts, literals, qualifiers, new
local entities). Times are wall-clock seconds per step of `graph.pipeline.build`,
measured in one process; the table is Markdown for the README.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph import pipeline  # noqa: E402

FACTS_PER_FILE = 1000


def generate(target: Path, facts: int, seed: int = 7) -> None:
    """Write a synthetic project with about ``facts`` facts into ``target``."""
    rng = random.Random(seed)
    shutil.copytree(ROOT / "ontology", target / "ontology")
    sources = target / "sources"
    (sources / "articles").mkdir(parents=True)
    (sources / "project.yaml").write_text("base: https://example.org/bench/\nlanguage: de\n", "utf-8")
    people = max(10, facts // 20)
    orgs = max(5, facts // 50)
    places = max(5, facts // 100)
    events = max(5, facts // 40)
    registry = []
    registry += [f"- {{id: p{i}, type: Politician, name: Person {i}}}" for i in range(people)]
    registry += [f"- {{id: party{i}, type: PoliticalParty, name: Partei {i}}}" for i in range(5)]
    registry += [f"- {{id: o{i}, type: GovernmentBody, name: Behörde {i}}}" for i in range(orgs)]
    registry += [f"- {{id: c{i}, type: City, name: Stadt {i}}}" for i in range(places)]
    registry += [f"- {{id: e{i}, type: Conference, name: Konferenz {i}}}" for i in range(events)]
    (sources / "entities.yaml").write_text("\n".join(registry) + "\n", "utf-8")

    # Every registry entity is used at least once, then facts are drawn at random.
    entries: list[str] = []
    for i in range(people):
        entries.append(f"  - {{subject: p{i}, quote: 'Person {i} (Partei)', memberOf: party{i % 5}}}")
    for i in range(orgs):
        entries.append(f"  - {{subject: o{i}, quote: 'Behörde {i} in Stadt', areaServed: c{i % places}}}")
    for i in range(1, places):  # c0 itself lies in no other place (a self-loop is refused)
        entries.append(f"  - {{subject: c{i}, quote: 'Stadt {i} liegt in Stadt 0', containedInPlace: c0}}")
    for i in range(events):
        entries.append(
            f"  - {{subject: e{i}, quote: 'Konferenz {i} am Tag', location: c{i % places}, "
            f"organizer: o{i % orgs}, startDate: '20{10 + i % 15}-0{1 + i % 9}-1{i % 10}'}}"
        )
    while len(entries) < facts:
        k = len(entries)
        kind = rng.random()
        if kind < 0.5:
            entries.append(
                f"  - {{subject: e{rng.randrange(events)}, quote: 'Satz {k} nennt Teilnehmende', "
                f"participant: p{rng.randrange(people)}}}"
            )
        elif kind < 0.7:
            entries.append(
                f"  - {{subject: p{rng.randrange(people)}, quote: 'Satz {k} nennt ein Amt', "
                f"memberOf: o{rng.randrange(orgs)}, qualifiers: {{asOf: {2000 + k % 25}}}}}"
            )
        else:
            entries.append(
                f"  - {{id: s{k}, type: Statistic, name: Zahl {k}, quote: 'Satz {k}: {k % 97} Prozent', "
                f"value: {k % 97}.{k % 10}, unitText: percent, variableMeasured: Anteil, "
                f"observationAbout: c{rng.randrange(places)}}}"
            )
    for n, start in enumerate(range(0, len(entries), FACTS_PER_FILE)):
        chunk = entries[start : start + FACTS_PER_FILE]
        digest = hashlib.sha256(f"text {n}".encode()).hexdigest()
        header = (
            f"source: {{id: quelle{n}, type: NewsArticle, name: Quelle {n}, language: de, sha256: {digest}}}\nfacts:\n"
        )
        (sources / "articles" / f"{n:05d}.yaml").write_text(header + "\n".join(chunk) + "\n", "utf-8")


def measure(project: Path) -> dict[str, float]:
    start = time.perf_counter()
    result = pipeline.build(project=project, out=project / "exports")
    total = time.perf_counter() - start
    sizes = {p.name: p.stat().st_size for p in result.outputs}
    return {
        "facts": len(result.dataset.facts),
        "triples": result.triples,
        **result.timings.steps,
        "total": total,
        "ttl_mb": sizes["kg.ttl"] / 1e6,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--facts", type=int, action="append", help="number of facts (repeatable)")
    parser.add_argument("--keep", type=Path, help="keep generated projects in this folder")
    args = parser.parse_args()
    sizes = args.facts or [1_000, 10_000, 100_000]
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="kg-bench-"))
    rows = []
    for facts in sizes:
        project = workdir / f"facts-{facts}"
        if project.exists():
            shutil.rmtree(project)
        t = time.perf_counter()
        generate(project, facts)
        print(f"generated {facts} facts in {time.perf_counter() - t:.1f} s", file=sys.stderr, flush=True)
        row = measure(project)
        rows.append(row)
        print({k: round(v, 2) for k, v in row.items()}, file=sys.stderr, flush=True)
    steps = ["load", "build", "shacl", "serialise", "write", "total"]
    print("| facts | triples | " + " | ".join(f"{s} (s)" for s in steps) + " | kg.ttl (MB) |")
    print("|" + "---|" * (len(steps) + 3))
    for row in rows:
        cells = [f"{row.get(s, 0.0):.2f}" for s in steps]
        print(f"| {int(row['facts']):,} | {int(row['triples']):,} | " + " | ".join(cells) + f" | {row['ttl_mb']:.1f} |")
    if not args.keep:
        shutil.rmtree(workdir)


if __name__ == "__main__":
    main()
