"""The whole graph's entity projection, kept between ``kg stats``, ``kg path`` and ``kg viz``.

Those commands read the graph from ``exports/kg.nt`` when the last ``kg build`` is up to
date, and project it onto its entities (:func:`graph.projection.project`): about 12 s at a
million triples, 10 of them for reading ``kg.nt`` into rdflib, each time. The projection is
a pure function of that file and the tool, so a projection that took :data:`KEEP_FROM`
seconds or more to make is kept in the cache (``$KG_CACHE_DIR/projections/``, see
:func:`graph.buildcache.cache_root`) under the key of the build that wrote the file and the
file's identity (size, modification time, inode, as the build recorded them), and read
back (a pickle: about 1 s at a million triples) while that build stands. The key covers the
tool's code (:func:`graph.buildcache.tool_key`), so a new version of ``kg`` projects again.
``kg build`` keeps the projection it made for the page, GraphML and GEXF in the same way
(a graph of :data:`KEEP_FROM_TRIPLES` or more whose network formats the build process
rendered, see :func:`graph.pipeline._start_keeping`), so that the first of these commands
after a build reads it too.
Only the newest :data:`KEEP` are kept; a file that cannot be read or written only costs
the projection. As with the other caches, the folder is the user's own: whoever can write
to it can change what these commands show.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import os
import pickle
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from graph import buildcache
from graph.fsutil import write_atomically

if TYPE_CHECKING:
    from graph.projection import Projection

#: Bump when the layout of a kept projection changes.
FORMAT = 1
#: Projections made faster than this (seconds) are not kept: reading them back would not pay.
KEEP_FROM = 1.0
#: A build keeps the projection it made of a graph this large (reading it from kg.nt would
#: take a second or more).
KEEP_FROM_TRIPLES = 100_000
#: How many projections the cache keeps (the newest written).
KEEP = 4
_SUFFIX = ".projection"


def folder() -> Path:
    """Where projections are kept."""
    return buildcache.cache_root() / "projections"


def _path(out: Path) -> Path:
    return folder() / (hashlib.sha256(os.fsencode(os.path.abspath(out))).hexdigest()[:24] + _SUFFIX)


def _header(key: str, identity: Sequence[int]) -> bytes:
    return json.dumps([FORMAT, key, list(identity)]).encode("utf-8") + b"\n"


def read(key: str, out: Path, identity: Sequence[int]) -> Projection | None:
    """The projection kept for the export folder ``out`` if it was made from the ``kg.nt``
    with ``identity`` that the build with ``key`` wrote, else ``None``."""
    from graph.projection import Projection

    try:
        with open(_path(out), "rb") as handle:
            if handle.readline() != _header(key, identity):
                return None
            found = pickle.load(handle)  # the user's own cache (see the module docstring)
    except (OSError, EOFError, ValueError, pickle.UnpicklingError, AttributeError, ImportError, IndexError):
        return None
    return found if isinstance(found, Projection) else None


def pickled(projection: Projection) -> bytes:
    """``projection`` as :func:`write_pickled` keeps it: without what was computed from it
    (the rows of the exports), which the commands that read it make again if they need it."""
    bare = copy.copy(projection)  # shares the network, given or unbuilt, without building it
    bare._memo = {}
    return pickle.dumps(bare, protocol=pickle.HIGHEST_PROTOCOL)


def write(key: str, out: Path, identity: Sequence[int], projection: Projection) -> None:
    """Keep ``projection`` of the ``kg.nt`` with ``identity`` in ``out`` (see :func:`read`)."""
    write_pickled(key, out, identity, pickled(projection))


def write_pickled(key: str, out: Path, identity: Sequence[int], projection: bytes) -> None:
    """:func:`write` of a projection :func:`pickled` already (by a build's child process)."""
    content = _header(key, identity) + projection
    path = _path(out)
    with contextlib.suppress(OSError):  # a read-only cache only costs the next command its shortcut
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically({path: content})
        buildcache.keep_newest(path.parent, f"*{_SUFFIX}", KEEP)
