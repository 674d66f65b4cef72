"""Run work in forked child processes that share the parent's memory, copy-on-write.

``kg build`` renders its exports from one large in-memory graph. Threads cannot use a
second core for pure-Python work, and pickling a million-triple graph to a worker would
cost more than rendering it; a child forked after the graph is built reads it in place.
Each child hands over its outputs by name as it makes them, each as a file the parent
can use at once (:meth:`Child.ready`) or after :meth:`Child.join`, and returns the
seconds its steps took.

Work in a child must not use a library that runs threads of its own and has started
them in the parent (Oxigraph's database does): only the forking thread lives on in the
child, and locks its other threads held stay locked there. Pure Python, rdflib,
networkx and igraph are fine.

Only where ``os.fork`` is safe (Linux, and a process without other Python threads):
elsewhere :func:`available` is false and callers do the work in their own process. A
child never runs the parent's clean-up code (``os._exit``), and an error in it comes back
to the parent as the same exception when it can be pickled, else as a
:class:`~graph.errors.KGError` with its text.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from graph.errors import KGError
from graph.fsutil import Kept
from graph.spans import Piece, write_pieces


class Emit(Protocol):
    """Hands one named output of a child to its parent (see :meth:`Child.ready`)."""

    def __call__(self, name: str, content: bytes | Sequence[Piece] | Path | Kept, durable: bool = False) -> None:
        """Hand over ``content``: its bytes, pieces of them in order (written one after the
        other, never joined in memory), a file holding them (moved into place: a
        grandchild's output, say), or a :class:`~graph.fsutil.Kept` file (linked, else
        copied: it is on the disk already). ``durable``: write it through to the disk
        (``fsync``), for a file that goes into the export set as it is."""


#: What a child does: it emits its outputs as they are made and returns seconds per step.
Work = Callable[[Emit], dict[str, float]]
_RESULT = "result.pickle"
#: A child that could not write its result exits with this plus the error's number (below
#: :data:`_ERRNOS`), so that its parent can say what went wrong (see :class:`NoResult`).
_NO_ROOM = 64
_ERRNOS = 128


class NoResult(KGError):
    """A worker that ended without a result: ``errno`` is the error that kept it from writing
    one (a full disk, say), if it said."""

    def __init__(self, message: str, errno: int | None = None) -> None:
        super().__init__(message)
        self.errno = errno

    def __reduce__(self) -> tuple[type[NoResult], tuple[str, int | None]]:  # from a grandchild, with errno
        return NoResult, (str(self), self.errno)


#: Private memory of the children this process joined (a child reports its own with theirs).
_joined_private = 0
#: In a child: its folder (see :func:`start`).
_own_folder: Path | None = None


def available() -> bool:
    """Whether work can be forked here: on Linux (fork is unsafe on macOS, absent on
    Windows), from a process with no other Python thread (a library caller's threads
    might hold locks, which would stay locked in the child)."""
    return sys.platform == "linux" and hasattr(os, "fork") and threading.active_count() == 1


def available_memory() -> int | None:
    """Bytes the kernel could still give out without swapping (``MemAvailable``), if known."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text(encoding="ascii").splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    return None


def resident_memory() -> int | None:
    """This process's resident set size in bytes, if known."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        pages = int(Path("/proc/self/statm").read_text(encoding="ascii").split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE")
    return None


def private_memory() -> int | None:
    """Bytes of memory this process does not share with others (``Private_*`` in smaps_rollup), if known."""
    total = 0
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/self/smaps_rollup").read_text(encoding="ascii").splitlines():
            if line.startswith(("Private_Clean:", "Private_Dirty:")):
                total += int(line.split()[1]) * 1024
        return total
    return None


def affordable_children(wanted: int) -> int:
    """How many of ``wanted`` children fit in memory if each ended up copying all of ours.

    Copy-on-write shares pages only until they are written, and CPython writes an
    object's reference count whenever it reads it, so a child that walks the whole graph
    may in the end hold a copy of it. Never fewer than zero.
    """
    free, ours = available_memory(), resident_memory()
    if free is None or not ours:
        return wanted
    return max(0, min(wanted, int(free * 0.8) // ours))


class Claims:
    """Pieces of work that several processes (a parent and its forked children) take, each once.

    A claim is a file made with ``O_EXCL`` in a folder they all see: exactly one process
    makes it, whichever asks first. So the processes share the work out as they go, and a
    process that finishes early takes what is left.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def take(self, name: str) -> bool:
        """Claim ``name`` for this process: whether it was still free."""
        try:
            os.close(os.open(self._path(name), os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return False
        return True

    def taken(self, name: str) -> bool:
        """Whether some process has claimed ``name``."""
        return self._path(name).exists()

    def _path(self, name: str) -> Path:
        return self.folder / f"claim-{name.encode('utf-8').hex()}"


class Taken(Claims):
    """The claim of one piece of work this process has made already (with :meth:`Claims.take`),
    for code that takes its work through :meth:`Claims.take`: that piece is its own, once,
    and nothing else is."""

    def __init__(self, folder: Path, name: str) -> None:
        super().__init__(folder)
        self.name: str | None = name

    def take(self, name: str) -> bool:
        if name != self.name:
            return False
        self.name = None
        return True


def first_emitted(children: Sequence[Child], name: str, poll: float = 0.01) -> Path | None:
    """Wait until one of ``children`` has emitted ``name``: the file holding it, or ``None``
    once they have all ended without (their :meth:`Child.join` says why)."""
    while True:
        running = False
        for child in children:
            path = child.emitted(name)
            if path is not None:
                return path
            running = running or child.running()
        if not running:  # each may have emitted just before it ended
            return next((p for c in children if (p := c.emitted(name)) is not None), None)
        time.sleep(poll)


@dataclass
class Child:
    """A forked child doing one piece of :data:`Work`; :meth:`join` collects its result."""

    pid: int
    folder: Path
    label: str
    #: Bytes of memory the child (and the children it joined) did not share with its
    #: parent at its end (after :meth:`join`).
    private: int = 0
    _status: int | None = None

    def ready(self, name: str, poll: float = 0.01) -> Path | None:
        """Wait until the child has emitted ``name``: the file holding it, or ``None`` if it
        ended without (:meth:`join` then says why). The file is complete and stays until
        :meth:`join` or :meth:`kill`."""
        return first_emitted([self], name, poll)

    def running(self) -> bool:
        """Whether the child has not ended yet (it is reaped when it has)."""
        if self._status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self._status = status
        return self._status is None

    def emitted(self, name: str) -> Path | None:
        """The file holding ``name`` if the child has emitted it by now, else ``None`` (no waiting)."""
        path = _output(self.folder, name)
        return path if path.exists() else None

    def join(self) -> tuple[dict[str, Path], dict[str, float]]:
        """Wait for the child: the files holding its outputs, and its step times.

        The files stay until :meth:`release` (on an error they are gone already).

        Raises:
            KGError: (or the child's own exception) When the work failed or the child died.
        """
        try:
            status = self._status if self._status is not None else _wait(self.pid)[1]
            self._status = status
            if os.WIFSIGNALED(status):
                raise KGError(f"{self.label}: the worker process was killed by signal {os.WTERMSIG(status)}")
            try:
                kind, payload = pickle.loads((self.folder / _RESULT).read_bytes())  # our child's
                if kind == "error":
                    raise _error(self.label, payload)
                names, steps, self.private = payload
                global _joined_private
                _joined_private += self.private
            except OSError as exc:
                number = os.WEXITSTATUS(status) - _NO_ROOM if os.WIFEXITED(status) else 0
                if 0 < number < _ERRNOS:  # it could not write its result (a full disk, say)
                    why = f"{self.label}: the worker process could not write: {os.strerror(number)}"
                    raise NoResult(why, number) from exc
                raise NoResult(f"{self.label}: the worker process left no result (exit status {status})") from exc
        except BaseException:
            self._remove()
            raise
        return {name: _output(self.folder, name) for name in names}, steps

    def release(self) -> None:
        """Delete the files of a joined child's outputs."""
        self._remove()

    def kill(self) -> None:
        """Stop the child (when its work is no longer wanted) and clean up."""
        if self._status is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                self._status = _wait(self.pid)[1]
        self._remove()

    def _remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def _output(folder: Path, name: str) -> Path:
    return folder / f"out-{name.encode('utf-8').hex()}"


def _wait(pid: int) -> tuple[int, int]:
    while True:
        try:
            return os.waitpid(pid, 0)
        except InterruptedError:  # pragma: no cover - PEP 475 retries, but be safe
            continue


def _error(label: str, payload: tuple[bytes | None, str]) -> BaseException:
    pickled, text = payload
    if pickled is not None:
        with contextlib.suppress(Exception):
            found = pickle.loads(pickled)  # from our own child
            if isinstance(found, BaseException):
                return found
    return KGError(f"{label} failed: {text}")


def start(work: Work, label: str, within: Path | None = None) -> Child:
    """Fork a child that runs ``work`` and writes what it returns for :meth:`Child.join`.

    Args:
        work: What the child does; it sees the parent's memory as it is now.
        label: Names the work in error messages ("rendering kg.html").
        within: The folder to keep the child's files in (default: a temporary folder;
            in a child, its own folder).

    Raises:
        KGError: When no child can be forked.
    """
    # a child's own children keep their files in its folder: removing it removes theirs
    folder = Path(tempfile.mkdtemp(prefix="kg-worker-", dir=_own_folder or within))
    # Objects alive now are never collected in the child: keep the collector away from
    # them, so that it does not write to (and so copy) every page of the parent's heap.
    gc.freeze()
    try:
        pid = os.fork()
    except OSError as exc:
        gc.unfreeze()
        shutil.rmtree(folder, ignore_errors=True)
        raise KGError(f"{label}: cannot start a worker process: {exc.strerror}") from exc
    if pid == 0:  # pragma: no cover - runs in the child, which coverage does not follow
        _run_child(work, folder)
    gc.unfreeze()
    return Child(pid, folder, label)


def write_content(path: Path, content: bytes | Sequence[Piece] | Path | Kept, durable: bool = False) -> None:
    """Write ``content`` (see :class:`Emit`) to the new file ``path``, through to the disk
    if ``durable``."""
    if isinstance(content, Path):
        shutil.move(content, path)  # a grandchild's output, written through already if need be
        return
    if isinstance(content, Kept):
        try:
            os.link(content.path, path)
            return
        except OSError:  # another file system, or one without hard links: copied
            pass
    with path.open("wb") as file:
        if isinstance(content, Kept):
            with content.path.open("rb") as kept:
                shutil.copyfileobj(kept, file, 1 << 20)
        elif isinstance(content, bytes):
            file.write(content)
        else:
            write_pieces(file.fileno(), content)
        if durable:
            file.flush()
            os.fsync(file.fileno())


def _die_with_parent() -> None:  # pragma: no cover - in the child
    """Ask Linux to kill this child when its parent dies (a killed build leaves no worker behind)."""
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _run_child(work: Work, folder: Path) -> None:  # pragma: no cover - in the child
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # the parent handles Ctrl-C
        _die_with_parent()
        names: list[str] = []

        def emit(name: str, content: bytes | Sequence[Piece] | Path | Kept, durable: bool = False) -> None:
            target = _output(folder, name)
            staging = target.with_name(f"{target.name}.tmp")
            write_content(staging, content, durable)
            staging.rename(target)  # complete once it has its name
            names.append(name)

        global _joined_private, _own_folder
        _joined_private, _own_folder = 0, folder  # this child's own children only
        try:
            steps = work(emit)
            payload: tuple[str, object] = ("done", (names, steps, (private_memory() or 0) + _joined_private))
        except BaseException as exc:  # everything goes back to the parent
            code = 1
            try:
                pickled: bytes | None = pickle.dumps(exc)
            except Exception:
                pickled = None
            text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            payload = ("error", (pickled, text))
        staging = folder / f"{_RESULT}.tmp"
        staging.write_bytes(pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))
        staging.rename(folder / _RESULT)  # last: a result file means the outputs are complete
    except OSError as exc:  # no result written (a full disk, say): its error number in the exit status
        code = _NO_ROOM + exc.errno if exc.errno is not None and 0 < exc.errno < _ERRNOS else 2
    except BaseException:  # never return into the parent's code
        code = 2
    finally:
        os._exit(code)
