"""Remembered layouts of large views: the same network is not laid out twice.

A layout is a pure function of its input: the number of nodes, the pairs of linked
nodes, the parameters, and the code (ours and igraph's). Editing a date, a quote or a
statistic in one article changes neither the nodes nor the links, yet without this a
build at a million triples would spend seconds laying out the same 24,000 nodes again.
So a layout of :data:`REMEMBER_FROM` nodes or more is kept in the cache
(``$KG_CACHE_DIR/layouts/``, see :func:`graph.buildcache.cache_root`) under the SHA-256 of
its whole input, and read back instead of being computed. Only the newest
:data:`KEEP` are kept. A file that cannot be read or written only costs the computation.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from graph import buildcache

#: Views with fewer nodes are laid out in well under a tenth of a second: not kept.
REMEMBER_FROM = 2_000
#: How many layouts the cache keeps (the newest by use).
KEEP = 16
_SUFFIX = ".layout"

Positions = list[tuple[int, int]]


def folder() -> Path:
    """Where layouts are kept."""
    return buildcache.cache_root() / "layouts"


@functools.cache
def _code_key() -> str:
    import igraph  # type: ignore[import-untyped]

    return f"{buildcache.tool_key()} igraph {igraph.__version__}"


def key(count: int, pairs: Sequence[tuple[int, int]] | np.ndarray, parameters: str) -> str:
    """The SHA-256 of a layout's whole input (``parameters``: the other arguments, as text)."""
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
    if found is not None:
        with contextlib.suppress(OSError):
            os.utime(path)  # newest by use
        return found
    positions = compute()
    _write(path, positions)
    return positions


def _read(path: Path, count: int) -> Positions | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if len(data) != count * 16:  # two int64 per node: anything else is not ours, or torn
        return None
    flat = np.frombuffer(data, dtype="<i8").tolist()
    return list(zip(flat[0::2], flat[1::2], strict=True))


def _write(path: Path, positions: Positions) -> None:
    staging = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        staging.write_bytes(np.asarray(positions, dtype="<i8").tobytes())
        staging.replace(path)  # whole or not at all
        kept = sorted(path.parent.glob(f"*{_SUFFIX}"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for old in kept[KEEP:]:
            old.unlink(missing_ok=True)
    except OSError:
        with contextlib.suppress(OSError):
            staging.unlink(missing_ok=True)
