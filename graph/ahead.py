"""Work a large build starts ahead, on the core that is idle while it builds the graph.

Building the graph is one process's work; the second core waits until the exports are
rendered in parallel. The page's layout, seconds at a million triples, depends only on
which entities there are and which of them a fact links, and both are known once the
sources are resolved. So :func:`start` hands them to a new Python process
(``python -m graph.ahead``), which computes the layout and keeps it in the layout cache
(:mod:`graph.layoutcache`), where the page finds it.

It is a new process, not a forked one: a forked child would share the build's memory, and
every page of it that the build then writes while the child lives would be copied, about
200 MB at a million triples. The new process reads only the links: about 70 MB.

Nothing here decides what an export contains: the cache keeps a layout under the SHA-256
of its whole input. Should the input derived here ever differ from the one the page
derives from the graph, the page finds no layout under its own key and computes it as
before; the work ahead is then only lost time. Until the process has ended, a page that
misses the cache waits for it first (:func:`graph.layoutcache.awaiting`), so that the same
layout is not computed twice at once.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from array import array
from pathlib import Path
from typing import IO, TYPE_CHECKING, cast

import graph
from graph import layoutcache

if TYPE_CHECKING:  # and not imported by the process laying out, which needs none of them
    from rdflib.term import Node

    from graph.dataset import Dataset


def page_input(dataset: Dataset) -> tuple[int, array[int]]:
    """The layout input of the whole graph's page (the ``html`` export): the number of
    nodes and the links between them, as a flat array of node indices (two per link).

    The page's nodes are the entities, by id (their IRI's local name), and its links the
    facts from one entity to another, as :func:`graph.projection.project` reads them from
    the graph.
    """
    from graph.namespace import NIK, local_name

    ontology = dataset.ontology
    entity_classes = {c.iri for c in ontology.classes.values() if NIK.Entity in c.ancestors}
    ids = {e.iri: local_name(e.iri) for e in dataset.entities.values() if e.cls in entity_classes}
    order = {name: index for index, name in enumerate(sorted(set(ids.values())))}
    index: dict[Node, int] = {iri: order[name] for iri, name in ids.items()}
    links = array("q")
    for fact in dataset.facts:
        start, end = index.get(fact.subject), index.get(fact.object)
        if start is not None and end is not None:
            links.append(start)
            links.append(end)
    return len(order), links


class Ahead:
    """The process computing a layout ahead (see :func:`start`)."""

    def __init__(self, process: subprocess.Popen[bytes], promise: layoutcache.Pending) -> None:
        self.process, self.promise = process, promise
        self._awaiting = contextlib.ExitStack()
        self._awaiting.enter_context(layoutcache.awaiting(promise))

    def outcome(self) -> tuple[float, int] | None:
        """How long the layout took and the peak memory (bytes) of its process, once that
        has ended with the layout kept (else ``None``)."""
        if self.process.poll() != 0 or self.process.stdout is None:
            return None
        with contextlib.suppress(ValueError, OSError, KeyError, TypeError):
            found = json.loads(self.process.stdout.read())
            return float(found["seconds"]), int(found["memory"])
        return None

    def close(self) -> None:
        """Stop the process if it still runs (the build no longer needs it) and clean up."""
        self._awaiting.close()
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
        self.promise.abandon()


def start(dataset: Dataset) -> Ahead | None:
    """Start computing the layout of the whole graph's page in a new process, or ``None``
    when it is too small to be kept, or no process can be started (the page then lays
    itself out, as it would without).

    Until :meth:`Ahead.close`, this process and the processes it forks wait for that one
    before they compute a layout that is not in the cache.
    """
    if len(dataset.entities) < layoutcache.REMEMBER_FROM:
        return None
    count, links = page_input(dataset)
    if count < layoutcache.REMEMBER_FROM:
        return None
    promise = layoutcache.pending()
    if promise is None:
        return None
    package_parent = str(Path(graph.__file__).resolve().parent.parent)
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([package_parent, *filter(None, sys.path)])}
    try:
        with tempfile.TemporaryFile() as data:  # read as its standard input; gone when both have closed it
            data.write(links.tobytes())
            data.seek(0)
            # the new process inherits the promise's lock and holds it until it ends
            process = subprocess.Popen(
                [sys.executable, "-m", "graph.ahead", str(count)],
                stdin=data,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                pass_fds=(promise.descriptor,),
                env=environment,
            )
    except OSError:
        promise.abandon()
        return None
    promise.hand_over()
    return Ahead(process, promise)


def _main(count: int, links: IO[bytes], report: IO[str]) -> None:
    import numpy as np

    from graph.layout import force_layout, page_spacing

    begin = time.perf_counter()
    layoutcache.REMEMBER_FROM = 0  # this process was started to keep this layout, whatever its size
    pairs = np.frombuffer(links.read(), dtype=np.int64).reshape(-1, 2)
    force_layout(count, cast("list[tuple[int, int]]", pairs), spacing=page_spacing(count))
    report.write(json.dumps({"seconds": time.perf_counter() - begin, "memory": _peak_memory()}))


def _peak_memory() -> int:
    """This process's peak resident memory in bytes since it started Python (``VmHWM``).

    Not ``ru_maxrss``: that also counts the moments before ``exec``, when the new process
    was still a copy of the build's.
    """
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


if __name__ == "__main__":
    _main(int(sys.argv[1]), sys.stdin.buffer, sys.stdout)
