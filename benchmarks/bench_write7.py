"""Benchmark writing the rendered exports to files, as a build's processes do, old against new.

Usage:
    python benchmarks/bench_write7.py /tmp/kg100k
    python benchmarks/bench_write7.py /tmp/lead/one1m --old 2e3d909 --rounds 5

The project is prepared once as a build does (``pipeline._prepare``: load, quotes, build),
and its six default exports rendered once into pieces (``Exporter.render_pieces``; the
RDF writers hand over hundreds of thousands of short pieces). Then, in the same process,
the old revision's ``write_content`` of ``graph/forked.py`` (read with ``git show``) and
the current one write every file as a build's process hands it over (``durable``: through
to the disk), into the same folder, one side after the other (each first in every other
round). Prints, per format and for all six, the median wall and CPU seconds of each side
and their ratio. Both sides must write the same bytes, or the benchmark stops.
"""

from __future__ import annotations

import logging
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from oldcode import arguments, old_module  # noqa: E402

from graph import forked, pipeline  # noqa: E402
from graph.export import DEFAULT_FORMATS, ExportInput, exporter  # noqa: E402

Write = Callable[[Path, Sequence[bytes], bool], None]


def write_all(write: Write, pieces: dict[str, Sequence[bytes]], folder: Path) -> dict[str, tuple[float, float]]:
    """Wall and CPU seconds of writing each file with ``write``; the files are removed after."""
    seconds = {}
    for name, content in pieces.items():
        target = folder / name
        wall, cpu = time.perf_counter(), time.process_time()
        write(target, content, True)
        seconds[name] = (time.perf_counter() - wall, time.process_time() - cpu)
    return seconds


def main() -> None:
    parser = arguments(__doc__, rounds=5)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    warnings.simplefilter("ignore")
    with tempfile.TemporaryDirectory() as folder:
        old = old_module(args.old, "graph/forked.py", Path(folder), "old_forked")
        prepared = pipeline._prepare(str(args.project), None, lambda _: None, False)
        source = ExportInput(prepared.built.graph, prepared.dataset.ontology)
        pieces = {e.filename: list(e.render_pieces(source)) for e in map(exporter, DEFAULT_FORMATS)}
        del source, prepared
        sides: dict[str, Write] = {"old": old.write_content, "new": forked.write_content}
        found: dict[str, dict[str, list[tuple[float, float]]]] = {s: {n: [] for n in pieces} for s in sides}
        out = Path(folder) / "out"
        for number in range(args.rounds):
            order = list(sides) if number % 2 == 0 else list(sides)[::-1]
            written: dict[str, dict[str, bytes]] = {}
            for side in order:
                out.mkdir()
                for name, seconds in write_all(sides[side], pieces, out).items():
                    found[side][name].append(seconds)
                written[side] = {name: (out / name).read_bytes() for name in pieces}
                for file in out.iterdir():
                    file.unlink()
                out.rmdir()
            for name in pieces:
                if written["old"][name] != written["new"][name] or written["new"][name] != b"".join(pieces[name]):
                    raise SystemExit(f"{name}: the two sides wrote different bytes")
            del written
    counts = ", ".join(f"{name} {len(p):,}" for name, p in pieces.items())
    print(f"pieces per file: {counts}; median of {args.rounds} rounds, durable (fsync)")
    print("| file | old wall (s) | new wall (s) | old ÷ new | old CPU (s) | new CPU (s) | old ÷ new |")
    print("|---|---|---|---|---|---|---|")
    names = [*pieces, "all six"]
    for name in names:
        cells = []
        for kind in (0, 1):
            per = {}
            for side in sides:
                rows = found[side].values() if name == "all six" else [found[side][name]]
                per[side] = statistics.median(sum(r[i][kind] for r in rows) for i in range(args.rounds))
            ratio = per["old"] / per["new"] if per["new"] else float("inf")
            cells += [f"{per['old']:.3f}", f"{per['new']:.3f}", f"{ratio:.2f}x"]
        print(f"| {name} | " + " | ".join(cells) + " |")
    print("the same bytes on both sides")


if __name__ == "__main__":
    main()
