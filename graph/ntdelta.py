"""The lines that differ between two N-Triples files, found by comparing their bytes.

A build after a small edit writes a ``kg.nt`` that differs from the one before in a
handful of its million lines (one changed value: 11 lines). Both files have their lines
sorted (see :func:`graph.writers.ntriples`), so walking them side by side finds those
lines; the runs of equal bytes between them are skipped in large blocks, compared by
numpy without copying: 0.07 s for two files of 168 MB, where splitting them into lines
and comparing the sets takes 3 s.

A build compares its new ``kg.nt`` with the last one twice: to validate what changed
(:mod:`graph.changes`) and to patch the query store (:mod:`graph.store`).
:func:`files_delta` remembers its last answer for the same two files, so the second asks
for nothing.
"""

from __future__ import annotations

import contextlib
import mmap
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from graph.buildcache import file_stat

if TYPE_CHECKING:  # numpy is imported when files are compared (a spliced kg.nt's delta is known: 0.14 s)
    import numpy as np

#: The bytes of a file, read or mapped into memory.
Buffer = bytes | mmap.mmap

_FIRST_BLOCK = 1 << 16
_LARGEST_BLOCK = 1 << 22


@dataclass(frozen=True)
class Delta:
    """What turns the lines of one file into those of another.

    Attributes:
        removed: Lines of the old file that the new one lacks, each with its ``\\n``.
        added: Lines of the new file that the old one lacks, each with its ``\\n``.
    """

    removed: tuple[bytes, ...]
    added: tuple[bytes, ...]

    def __len__(self) -> int:
        return len(self.removed) + len(self.added)


def _common(old: np.ndarray, i: int, new: np.ndarray, j: int) -> int:
    """How many bytes from ``old[i:]`` and ``new[j:]`` on are equal."""
    import numpy as np

    most = min(len(old) - i, len(new) - j)
    done, block = 0, _FIRST_BLOCK
    while done < most:
        size = min(block, most - done)
        a = old[i + done : i + done + size]
        b = new[j + done : j + done + size]
        if np.array_equal(a, b):
            done += size
            block = min(block * 2, _LARGEST_BLOCK)
            continue
        return done + int(np.flatnonzero(a != b)[0])
    return most


def _line(text: Buffer, start: int) -> bytes:
    end = text.find(b"\n", start)
    return text[start:] if end < 0 else text[start : end + 1]


def _lines(text: Buffer, start: int) -> list[bytes]:
    """The lines of ``text`` from ``start`` on (which ends with a line break), each with its break."""
    return [line + b"\n" for line in text[start:-1].split(b"\n")] if start < len(text) else []


def sorted_delta(old: Buffer, new: Buffer, limit: int) -> Delta | None:
    """The lines removed from ``old`` and added in ``new``, or ``None`` if more than ``limit`` differ.

    Each file must hold each line once and end with a line break (an N-Triples file our
    writer made does; else the answer is ``None`` too). The
    result is right whatever the order of the lines: ``new``'s lines are ``old``'s without
    :attr:`Delta.removed`, with :attr:`Delta.added`. Sorted lines (as :mod:`graph.writers`
    writes them) keep it as small as the change.

    Args:
        old: The file before (its bytes, or a memory map of it).
        new: The file after.
        limit: Most lines to report; beyond it, reading the new file whole is cheaper.
    """
    if not all(text[-1:] == b"\n" for text in (old, new) if len(text)):
        return None
    import numpy as np

    x = np.frombuffer(old, np.uint8)
    y = np.frombuffer(new, np.uint8)
    removed: list[bytes] = []
    added: list[bytes] = []
    i = j = 0
    while True:
        same = _common(x, i, y, j)
        i, j = i + same, j + same
        if i == len(old) and j == len(new):
            return Delta(tuple(removed), tuple(added))
        back = i - (old.rfind(b"\n", 0, i) + 1)  # the equal bytes are the same on both sides
        i, j = i - back, j - back
        if i == len(old):
            added += _lines(new, j)
            j = len(new)
        elif j == len(new):
            removed += _lines(old, i)
            i = len(old)
        else:
            was, now = _line(old, i), _line(new, j)
            if was.rstrip(b"\n") < now.rstrip(b"\n"):
                removed.append(was)
                i += len(was)
            else:
                added.append(now)
                j += len(now)
        if len(removed) + len(added) > limit:
            return None


#: The last answer of :func:`files_delta`: the two files' identities, the limit, the delta.
_last: tuple[tuple[object, ...], int, Delta | None] | None = None


def files_delta(old: Path, new: Path, limit: int) -> Delta | None:
    """:func:`sorted_delta` of the files ``old`` and ``new``, mapped into memory (not read);
    ``None`` also when either cannot be read or mapped (an empty file cannot).

    The last answer is remembered with both files' paths and identities (size, inode,
    modification and change time: :func:`graph.buildcache.file_stat`). Asked about the same
    two files again, a delta found is given again if it is within the new ``limit``, and
    ``None`` again if it was found with a ``limit`` at least as large.
    """
    global _last
    try:
        files = tuple((os.path.abspath(path), file_stat(path)) for path in (old, new))
    except OSError:
        return None
    if _last is not None and _last[0] == files:
        _, asked, delta = _last
        if delta is not None:
            return delta if len(delta) <= limit else None
        if asked >= limit:
            return None
    try:
        with contextlib.ExitStack() as stack:
            before, after = (stack.enter_context(mapped(path)) for path in (old, new))
            delta = sorted_delta(before, after, limit)
    except (OSError, ValueError):  # gone, or empty
        return None
    _last = (files, limit, delta)
    return delta


def remember(old: Path, new: Path, delta: Delta) -> None:
    """Note that ``delta`` is what :func:`files_delta` finds for ``old`` and ``new`` as they
    are now (known from how ``new`` was made: see :mod:`graph.ntsplice`)."""
    global _last
    with contextlib.suppress(OSError):
        _last = (tuple((os.path.abspath(path), file_stat(path)) for path in (old, new)), len(delta), delta)


def mapped(path: Path) -> mmap.mmap:
    """The bytes of the file at ``path``, mapped into memory (read where compared, not copied)."""
    with open(path, "rb") as handle:
        return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
