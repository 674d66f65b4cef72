"""Worker processes that run queries under a time limit, for ``kg serve``.

Oxigraph cannot cancel a running query, and a thread cannot be stopped, so each query
runs in a worker process with its own read-only handle on the on-disk store. When a
query overruns the time limit its worker is killed, which really stops it, and a fresh
worker takes its place; the other workers keep answering other clients meanwhile.

A worker is ``python -m graph.workers``: it imports only the engine (pyoxigraph), not
the rest of ``kg``, so it starts in a fraction of a second. It reads jobs as JSON lines
on stdin and answers each with a JSON header line followed by the result bytes.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from graph.engine import EngineError, Result, term_from_json, term_to_json

#: How long a new worker may take to open the store before the pool gives up.
START_TIMEOUT = 60.0


@dataclass(frozen=True)
class Job:
    """One query for a worker."""

    query: str
    format: str
    max_bytes: int | None
    substitutions: Mapping[str, ox.NamedNode | ox.Literal] = field(default_factory=dict)


class PoolBusy(Exception):
    """No worker became free in time."""


class PoolTimeout(Exception):
    """The query overran the time limit; its worker was killed."""


class PoolCrash(Exception):
    """The worker died while running the query (e.g. out of memory)."""


class PoolSlowFull(Exception):
    """The query is a long one, and as many long queries as allowed are running already."""


#: A query still running after this many seconds is a long one: it leaves the shared workers.
SLOW_AFTER = 0.25
#: Long query texts remembered, so that the same text goes straight to the long-query lane.
KNOWN_SLOW = 1024
#: The nice value of a worker running a long query: it gets only the CPU time others leave.
SLOW_NICE = 19


class _Worker:
    """One worker process and the thread that reads its answers."""

    def __init__(self, store: Path, prefixes: Mapping[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "graph.workers"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.stdin: IO[bytes] = self.process.stdin
        self.replies: queue.Queue[tuple[dict[str, Any], bytes] | None] = queue.Queue()
        self.reader = threading.Thread(target=self._read, args=(self.process.stdout,), daemon=True)
        self.reader.start()
        self._send({"store": str(store), "prefixes": dict(prefixes)})
        ready = self._reply(START_TIMEOUT)
        if ready is None or not ready[0].get("ready"):
            self.kill()
            message = ready[0].get("message", "") if ready else "no answer"
            raise RuntimeError(f"a query worker could not open the store {store}: {message}")
        #: Why this worker still has network access, or ``None`` (it has none).
        self.network: str | None = ready[0].get("network")

    def _read(self, stream: IO[bytes]) -> None:
        try:
            while True:
                line = stream.readline()
                if not line:
                    break
                header = json.loads(line)
                body = stream.read(header.get("length", 0))
                self.replies.put((header, body))
        except (OSError, ValueError):
            pass
        self.replies.put(None)  # the process has ended

    def _send(self, message: Mapping[str, object]) -> None:
        self.stdin.write(json.dumps(message).encode("utf-8") + b"\n")
        self.stdin.flush()

    def _reply(self, timeout: float) -> tuple[dict[str, Any], bytes] | None:
        return self.replies.get(timeout=timeout)

    def start(self, job: Job) -> None:
        """Send ``job``; :meth:`result` collects the answer."""
        substitutions = {name: term_to_json(term) for name, term in job.substitutions.items()}
        try:
            self._send({"query": job.query, "format": job.format, "max_bytes": job.max_bytes, "bind": substitutions})
        except OSError:
            raise PoolCrash from None

    def result(self, timeout: float) -> Result:
        """The answer to the job sent last, waiting at most ``timeout`` seconds.

        Raises:
            queue.Empty: No answer yet.
            PoolCrash: The worker died.
            EngineError: The engine refused or failed the query.
        """
        reply = self._reply(max(timeout, 0.0))
        if reply is None:
            raise PoolCrash
        header, body = reply
        if header.get("ok"):
            return Result(body, str(header["media_type"]), header.get("count"))
        raise EngineError(str(header["kind"]), str(header["message"]), header.get("line"), header.get("column"))

    def renice(self, value: int) -> None:
        """Lower the worker's CPU priority (best effort: the query runs either way)."""
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, self.process.pid, value)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()


class WorkerPool:
    """Workers on one store, shared fairly between quick and long queries.

    ``size`` workers are kept for every query. A query still running after
    :data:`SLOW_AFTER` seconds is a *long* one: its worker leaves the shared set, runs on at
    the lowest CPU priority and ends with the query, and a fresh worker takes its place. At
    most ``max_slow`` long queries run at once; beyond that a long query is stopped
    (:class:`PoolSlowFull`), and a text that ran long before is refused at once while the
    lane is full. So clients that send slow queries, however many, cannot take the workers
    or the CPUs from clients whose queries take milliseconds.
    """

    def __init__(
        self,
        store: Path,
        prefixes: Mapping[str, str],
        size: int,
        max_slow: int | None = None,
        slow_after: float = SLOW_AFTER,
    ) -> None:
        self.store = store
        self.prefixes = dict(prefixes)
        self.size = size
        self.max_slow = size if max_slow is None else max_slow
        self.slow_after = slow_after
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()  # the shared workers, idle or busy
        self._detached: set[_Worker] = set()  # workers running a long query
        self._guard = threading.Lock()
        self._closed = False
        self._slow = 0
        self._known_slow: OrderedDict[str, None] = OrderedDict()
        try:
            for _ in range(size):
                self._add(_Worker(store, self.prefixes))
        except Exception:
            self.close()
            raise

    @property
    def network(self) -> str | None:
        """Why the workers can reach the network, or ``None`` when they cannot."""
        with self._guard:
            reasons = {worker.network for worker in self._all}
        return next((reason for reason in sorted(filter(None, reasons))), None)

    def _add(self, worker: _Worker) -> None:
        with self._guard:
            if self._closed:
                worker.kill()
                return
            self._all.add(worker)
        self._idle.put(worker)

    def run(self, job: Job, timeout: float, wait: float) -> Result:
        """Run ``job`` on a free worker, waiting at most ``wait`` seconds for one.

        Raises:
            PoolBusy: No worker was free within ``wait`` seconds.
            PoolSlowFull: The query runs long and the long-query lane is full.
            PoolTimeout: The query took longer than ``timeout`` seconds (its worker was replaced).
            PoolCrash: The worker died (it was replaced).
            EngineError: The engine refused or failed the query.
        """
        known_slow = self._is_known_slow(job.query)
        if known_slow and not self._enter_slow():
            raise PoolSlowFull
        try:
            worker = self._idle.get(timeout=wait)
        except queue.Empty:
            if known_slow:
                self._leave_slow()
            raise PoolBusy from None
        started = time.monotonic()
        try:
            worker.start(job)
            if not known_slow:
                try:
                    result = worker.result(min(self.slow_after, timeout))
                except queue.Empty:
                    pass
                else:
                    self._idle.put(worker)
                    return result
                if not self._enter_slow():
                    self._remember_slow(job.query)
                    raise PoolSlowFull
                self._remember_slow(job.query)
        except (PoolCrash, PoolSlowFull):
            self._replace(worker)
            raise
        except EngineError:
            self._idle.put(worker)
            raise
        # A long query: this worker is its own from now on; another one serves the rest.
        self._detach(worker)
        worker.renice(SLOW_NICE)
        try:
            return worker.result(timeout - (time.monotonic() - started))
        except queue.Empty:
            raise PoolTimeout from None
        finally:
            with self._guard:
                self._detached.discard(worker)
            worker.kill()
            self._leave_slow()

    def _is_known_slow(self, text: str) -> bool:
        with self._guard:
            return text in self._known_slow

    def _remember_slow(self, text: str) -> None:
        with self._guard:
            self._known_slow[text] = None
            self._known_slow.move_to_end(text)
            while len(self._known_slow) > KNOWN_SLOW:
                self._known_slow.popitem(last=False)

    def _enter_slow(self) -> bool:
        with self._guard:
            if self._slow >= self.max_slow:
                return False
            self._slow += 1
            return True

    def _leave_slow(self) -> None:
        with self._guard:
            self._slow -= 1

    def _detach(self, worker: _Worker) -> None:
        """Take ``worker`` out of the shared set and start another in its place."""
        with self._guard:
            self._all.discard(worker)
            self._detached.add(worker)
        threading.Thread(target=self._start_one, daemon=True).start()

    def _replace(self, worker: _Worker) -> None:
        """Kill ``worker`` and start another in the background."""
        self._detach(worker)
        with self._guard:
            self._detached.discard(worker)
        worker.kill()

    def _start_one(self) -> None:
        for attempt in range(3):
            try:
                self._add(_Worker(self.store, self.prefixes))
                return
            except (OSError, RuntimeError):
                time.sleep(0.5 * (attempt + 1))

    def close(self) -> None:
        """Stop every worker."""
        with self._guard:
            self._closed = True
            workers = self._all | self._detached
            self._all, self._detached = set(), set()
        for worker in workers:
            worker.kill()


# ---------------------------------------------------------------- the worker process


def _answer(out: IO[bytes], header: dict[str, object], body: bytes = b"") -> None:
    out.write(json.dumps({**header, "length": len(body)}).encode("utf-8") + b"\n" + body)
    out.flush()


def _exit_with_parent(parent: int) -> None:
    """End this worker when ``kg serve`` is gone, even in the middle of a long query."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def main() -> None:
    """Serve jobs from stdin until it closes (the body of ``python -m graph.workers``)."""
    from graph.engine import execute
    from graph.sandbox import deny_network

    # First, while this process has one thread: no query run here can reach the network.
    network = deny_network()
    # Oxigraph releases the GIL while it evaluates, so this thread runs during queries.
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing else may write to the answer channel
    setup = json.loads(sys.stdin.buffer.readline())
    try:
        store = ox.Store.read_only(setup["store"])
    except OSError as exc:
        _answer(out, {"ready": False, "message": str(exc)})
        return
    prefixes: dict[str, str] = setup["prefixes"]
    _answer(out, {"ready": True, "network": network})
    for line in sys.stdin.buffer:
        job = json.loads(line)
        try:
            bind = {ox.Variable(name): term_from_json(term) for name, term in job["bind"].items()}
            result = execute(store, job["query"], job["format"], prefixes, bind, job["max_bytes"])
        except EngineError as exc:
            _answer(out, {"ok": False, "kind": exc.kind, "message": str(exc), "line": exc.line, "column": exc.column})
            continue
        _answer(out, {"ok": True, "media_type": result.media_type, "count": result.count}, result.body)


if __name__ == "__main__":
    main()
