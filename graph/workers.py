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

import json
import os
import queue
import subprocess
import sys
import threading
import time
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

    def run(self, job: Job, timeout: float) -> Result:
        try:
            substitutions = {name: term_to_json(term) for name, term in job.substitutions.items()}
            self._send({"query": job.query, "format": job.format, "max_bytes": job.max_bytes, "bind": substitutions})
            reply = self._reply(timeout)
        except queue.Empty:
            raise PoolTimeout from None
        except OSError:
            raise PoolCrash from None
        if reply is None:
            raise PoolCrash
        header, body = reply
        if header.get("ok"):
            return Result(body, str(header["media_type"]), header.get("count"))
        raise EngineError(str(header["kind"]), str(header["message"]), header.get("line"), header.get("column"))

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()


class WorkerPool:
    """A fixed number of workers on one store; :meth:`run` sends a job to a free one."""

    def __init__(self, store: Path, prefixes: Mapping[str, str], size: int) -> None:
        self.store = store
        self.prefixes = dict(prefixes)
        self.size = size
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._guard = threading.Lock()
        self._closed = False
        try:
            for _ in range(size):
                self._add(_Worker(store, self.prefixes))
        except Exception:
            self.close()
            raise

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
            PoolTimeout: The query took longer than ``timeout`` seconds (its worker was replaced).
            PoolCrash: The worker died (it was replaced).
            EngineError: The engine refused or failed the query.
        """
        try:
            worker = self._idle.get(timeout=wait)
        except queue.Empty:
            raise PoolBusy from None
        try:
            result = worker.run(job, timeout)
        except (PoolTimeout, PoolCrash):
            self._replace(worker)
            raise
        self._idle.put(worker)
        return result

    def _replace(self, worker: _Worker) -> None:
        """Kill ``worker`` and start another in the background."""
        with self._guard:
            self._all.discard(worker)
        worker.kill()

        def start() -> None:
            for attempt in range(3):
                try:
                    self._add(_Worker(self.store, self.prefixes))
                    return
                except (OSError, RuntimeError):
                    time.sleep(0.5 * (attempt + 1))

        threading.Thread(target=start, daemon=True).start()

    def close(self) -> None:
        """Stop every worker."""
        with self._guard:
            self._closed = True
            workers, self._all = self._all, set()
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
    _answer(out, {"ready": True})
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
