"""Remembered layouts of large views: the same network is not laid out twice.

A layout is a pure function of its input: the number of nodes, the pairs of linked
nodes, the parameters, and the code (ours and igraph's). Editing a date, a quote or a
statistic in one article changes neither the nodes nor the links, yet without this a
build at a million triples would spend seconds laying out the same 24,000 nodes again.
So a layout of :data:`REMEMBER_FROM` nodes or more is kept in the cache
(``$KG_CACHE_DIR/layouts/``, see :func:`graph.buildcache.cache_root`) under the SHA-256 of
its whole input, and read back instead of being computed. Only the newest
:data:`KEEP` are kept. A file that cannot be read or written only costs the computation.

A build can also have a layout computed *ahead*, in a forked process, before the graph it
belongs to is built (see :mod:`graph.ahead`). That process holds a promise (:func:`pending`):
a ``.pending`` file it keeps locked with ``flock`` until it ends, when the kernel releases
the lock, however it ends. Meanwhile (:func:`awaiting`) a layout missing from the cache
is waited for until the promise is released, then looked up again, so that it is not
computed twice at once.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import os
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from graph import buildcache

if TYPE_CHECKING:  # numpy is imported where it is used: a build imports this before it needs it
    import numpy as np

#: Views with fewer nodes are laid out in well under a tenth of a second: not kept.
REMEMBER_FROM = 2_000
#: How many layouts the cache keeps (the newest by use).
KEEP = 16
_SUFFIX = ".layout"
_PENDING = ".pending"
#: Seconds after which a promise file no process removed (its build was killed) is deleted.
STALE_AFTER = 3600

Positions = list[tuple[int, int]]


def folder() -> Path:
    """Where layouts are kept."""
    return buildcache.cache_root() / "layouts"


@functools.cache
def _code_key() -> str:
    import igraph

    return f"{buildcache.tool_key()} igraph {igraph.__version__}"


def key(count: int, pairs: Sequence[tuple[int, int]] | np.ndarray, parameters: str) -> str:
    """The SHA-256 of a layout's whole input (``parameters``: the other arguments, as text)."""
    import numpy as np

    hasher = hashlib.sha256(f"{_code_key()} {parameters} {count}\n".encode())
    hasher.update(np.asarray(pairs, dtype=np.int64).tobytes())
    return hasher.hexdigest()


def remembered(
    count: int, pairs: Sequence[tuple[int, int]] | np.ndarray, parameters: str, compute: Callable[[], Positions]
) -> Positions:
    """The positions ``compute()`` gives for this input: from the cache when kept, else computed (and kept)."""
    if count < REMEMBER_FROM:
        return compute()
    path = folder() / f"{key(count, pairs, parameters)}{_SUFFIX}"
    found = _read(path, count)
    if found is None and _awaited is not None:  # perhaps it is being computed ahead
        _wait_for_promise()
        found = _read(path, count)
    if found is not None:
        with contextlib.suppress(OSError):
            os.utime(path)  # newest by use
        return found
    positions = compute()
    _write(path, positions)
    return positions


class Pending:
    """A promise that another process keeps a layout soon (see :func:`pending`).

    Start the process that computes the layout with :attr:`descriptor` open (it inherits
    the lock), call :meth:`hand_over` here, and :meth:`abandon` once that process has
    ended. Meanwhile :func:`awaiting` makes this process, and those it forks, wait for it
    when a layout is not in the cache.
    """

    def __init__(self, path: Path, descriptor: int) -> None:
        self.path = path
        #: The open file that holds the lock (``-1`` once handed over).
        self.descriptor = descriptor

    def hand_over(self) -> None:
        """Close this process's copy of the lock: the process started with it alone holds it now."""
        if self.descriptor >= 0:
            with contextlib.suppress(OSError):
                os.close(self.descriptor)
            self.descriptor = -1

    def abandon(self) -> None:
        """Remove the promise (nothing waits for it any more)."""
        with contextlib.suppress(OSError):
            self.path.unlink(missing_ok=True)
        self.hand_over()


def pending() -> Pending | None:
    """A new, locked promise to keep a layout, or ``None`` when the cache cannot hold one."""
    path = folder() / f"ahead-{os.getpid()}-{time.monotonic_ns()}{_PENDING}"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except OSError:
        return None
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
    except OSError:
        os.close(descriptor)
        path.unlink(missing_ok=True)
        return None
    return Pending(path, descriptor)


#: The promise a layout missing from the cache is waited for (see :func:`awaiting`).
_awaited: Path | None = None


@contextlib.contextmanager
def awaiting(promise: Pending) -> Iterator[None]:
    """Within this, a layout missing from the cache is first waited for until the process
    holding ``promise`` has kept its layout or ended (here and in processes forked meanwhile)."""
    global _awaited
    _awaited = promise.path
    try:
        yield
    finally:
        _awaited = None


def _wait_for_promise() -> None:
    """Wait while another process holds the promise this process awaits (if any)."""
    if _awaited is None:
        return
    try:
        descriptor = os.open(_awaited, os.O_RDONLY)
    except OSError:  # kept (or abandoned) and removed
        return
    try:
        fcntl.flock(descriptor, fcntl.LOCK_SH)  # granted once its holder has ended
    except OSError:
        pass
    finally:
        os.close(descriptor)


def _read(path: Path, count: int) -> Positions | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    import numpy as np

    if len(data) != count * 16:  # two int64 per node: anything else is not ours, or torn
        return None
    flat = np.frombuffer(data, dtype="<i8").tolist()
    return list(zip(flat[0::2], flat[1::2], strict=True))


def _write(path: Path, positions: Positions) -> None:
    import numpy as np

    staging = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        staging.write_bytes(np.asarray(positions, dtype="<i8").tobytes())
        staging.replace(path)  # whole or not at all
        buildcache.keep_newest(path.parent, f"*{_SUFFIX}", KEEP)
        for stale in path.parent.glob(f"*{_PENDING}"):  # left by a killed build: its lock is long free
            if stale.stat().st_mtime < time.time() - STALE_AFTER:
                stale.unlink(missing_ok=True)
    except OSError:
        with contextlib.suppress(OSError):
            staging.unlink(missing_ok=True)
