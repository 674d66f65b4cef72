"""Pieces of an export that are spans of the last build's file, copied by the kernel.

After an edit of a few articles, ``kg.nt``, ``kg.ttl`` and ``kg.jsonld`` are the last
build's files with a few subjects written again (:mod:`graph.ntsplice`,
:mod:`graph.docsplice`): nearly all of each new file is runs of the old one. A run is
handed over as a :class:`Span` of the old file instead of its bytes, and written from
file to file by the kernel (``copy_file_range``), never read into this process.

At a million triples that writes ``kg.nt`` (168 MB) in 0.07 s, where slicing the old
file's map into bytes and writing those took 0.13 to 0.46 s and 42,000 page faults (the
slices are new memory), on the process that validates the build.

A span reads the old file when it is written. The file stays open from the splice on: a
build that replaces the export set puts new files in place of the old ones (a new file
each, see :mod:`graph.fsutil`), so the open file still holds the bytes the splice read.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import mmap
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

#: Errors of ``copy_file_range`` that mean "not here": the bytes are then copied by reading them.
_NOT_HERE = frozenset({errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.EBADF, errno.EPERM})
#: How much a span reads at a time where the kernel does not copy it.
_CHUNK = 1 << 20
_PREAD = hasattr(os, "pread")
#: Pieces handed to one ``writev`` call (Linux takes at most 1,024 buffers).
WRITEV_PIECES = min(os.sysconf("SC_IOV_MAX"), 1024) if hasattr(os, "sysconf") and hasattr(os, "writev") else 1024


class _Opened:
    """A file descriptor, closed once nothing holds it (the spans of one file share it)."""

    __slots__ = ("fd",)

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def __del__(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.fd)


class Span:
    """The bytes ``start`` to ``stop`` of an open file: a piece of an export, written by
    :func:`write_pieces` (by the kernel where it can) or made bytes by :func:`joined`."""

    __slots__ = ("_opened", "start", "stop")

    def __init__(self, opened: _Opened, start: int, stop: int) -> None:
        self._opened, self.start, self.stop = opened, start, stop

    def __len__(self) -> int:
        return self.stop - self.start

    def __bytes__(self) -> bytes:
        return b"".join(self._chunks(self.start))

    def _chunks(self, at: int) -> Iterator[bytes]:
        """The span's bytes from ``at`` on, read a megabyte at a time."""
        while at < self.stop:
            part = os.pread(self._opened.fd, min(self.stop - at, _CHUNK), at)
            if not part:
                raise OSError(errno.EIO, "the file was cut short while its bytes were copied")
            yield part
            at += len(part)

    def __repr__(self) -> str:
        return f"Span({self.start}, {self.stop})"

    def copy_to(self, fd: int) -> None:
        """Write the span's bytes at the position of the file ``fd`` (which moves past them)."""
        at, left = self.start, len(self)
        copy = getattr(os, "copy_file_range", None)
        while left and copy is not None:
            try:
                done = copy(self._opened.fd, fd, left, at)
            except OSError as exc:
                if exc.errno not in _NOT_HERE:
                    raise
                break  # another file system, or one that cannot: copied by reading
            if done == 0:
                raise OSError(errno.EIO, "the file was cut short while its bytes were copied")
            at, left = at + done, left - done
        for part in self._chunks(at) if left else ():
            _write_all(fd, part)


class Mapped:
    """A file opened to be spliced: its bytes mapped (:attr:`text`, read where compared)
    and spans of it (:meth:`span`) that stay readable after the map is closed.

    Raises:
        OSError: When the file cannot be opened.
        ValueError: When it is empty (a map of nothing cannot be made).
    """

    def __init__(self, path: Path) -> None:
        self._opened = _Opened(os.open(path, os.O_RDONLY))
        self.text = mmap.mmap(self._opened.fd, 0, access=mmap.ACCESS_READ)

    def span(self, start: int, stop: int) -> Piece:
        """The bytes ``start`` to ``stop`` of the file, as a :class:`Span` (not read); their
        bytes where files cannot be read at an offset (Windows has no ``pread``)."""
        if not _PREAD:  # pragma: no cover - Windows
            return self.text[start:stop]
        return Span(self._opened, start, stop)

    def __enter__(self) -> Mapped:
        return self

    def __exit__(self, *_: object) -> None:
        self.text.close()  # the spans keep the file open


#: A piece of a file's content: its bytes, or a span of another file.
Piece = bytes | Span


def joined(pieces: Iterable[Piece]) -> bytes:
    """The bytes of ``pieces``, one after the other."""
    return b"".join([piece if piece.__class__ is bytes else bytes(piece) for piece in pieces])


def write_pieces(fd: int, pieces: Iterable[Piece]) -> None:
    """Write ``pieces`` one after the other to the file ``fd``: bytes many per system call,
    spans by the kernel from their file.

    The writers hand over hundreds of thousands of short pieces (a Turtle block, an
    N-Triples line each): a buffered file copies each into its buffer and then again into
    the file, while ``writev`` copies them into the file once, three times as fast (0.1 s
    against 0.3 s for 150 MiB in 200,000 pieces). What one call leaves unwritten (a full
    disk writes less, then raises) is written piece by piece after it.
    """
    remaining = iter(pieces)
    while batch := list(itertools.islice(remaining, WRITEV_PIECES)):
        if Span not in map(type, batch):  # mostly: spans are the few runs of a splice
            _write_batch(fd, batch)  # type: ignore[arg-type]  # bytes only
            continue
        run: list[bytes] = []
        for piece in batch:
            if isinstance(piece, Span):
                _write_batch(fd, run)
                run = []
                piece.copy_to(fd)
            else:
                run.append(piece)
        _write_batch(fd, run)


def _write_batch(fd: int, batch: Sequence[bytes]) -> None:
    if not batch:
        return
    if not hasattr(os, "writev"):  # pragma: no cover - Windows has no writev
        for piece in batch:
            _write_all(fd, piece)
        return
    written = os.writev(fd, batch)
    if written < sum(map(len, batch)):
        _write_rest(fd, batch, written)


def _write_rest(fd: int, batch: Sequence[bytes], written: int) -> None:
    for piece in batch:
        if written >= len(piece):
            written -= len(piece)
            continue
        _write_all(fd, memoryview(piece)[written:])
        written = 0


def _write_all(fd: int, data: bytes | memoryview) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
