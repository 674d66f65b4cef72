"""Whether a build has anything to do: a content key over everything that makes the exports.

The key is a SHA-256 over the bytes of every file in ``sources/`` and ``ontology/``
(shapes included), every text in the texts folder the quotes are checked against (or
the fact that none is), the export formats and folder, and the tool itself (its version
and the bytes of its own code, queries and templates, so an edit to the code in a
development checkout counts as a change too). After a build, the key and the size,
modification time and inode of every export are recorded in the cache folder
(``$KG_CACHE_DIR/builds/``, see :func:`cache_root`); the next build with the same key
and untouched exports is up to date and does nothing.

This module imports nothing heavy (no rdflib), so an up-to-date ``kg build`` is fast.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import graph
from graph.fsutil import write_atomically

#: Bump when the meaning of a record changes, so old records count as out of date.
FORMAT = 1
_PACKAGE = Path(graph.__file__).resolve().parent


def cache_root() -> Path:
    """Where caches live: ``$KG_CACHE_DIR``, else ``$XDG_CACHE_HOME/nrw-integration-kg``."""
    if os.environ.get("KG_CACHE_DIR"):
        return Path(os.environ["KG_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "nrw-integration-kg"


@dataclass(frozen=True)
class BuildRecord:
    """What a finished build left: its key, its exports' identities and its warnings."""

    key: str
    files: dict[str, list[int]]
    warnings: tuple[str, ...] = ()


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    found = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in ("__pycache__", ".git"))
        found += [Path(root) / name for name in sorted(names) if not name.endswith((".pyc", ".tmp"))]
    return found


def _digest(hasher: hashlib._Hash, label: str, folder: Path | None) -> None:
    hasher.update(f"\0{label}\0".encode())
    if folder is None:
        hasher.update(b"none")
        return
    for path in _files(folder):
        hasher.update(os.fsencode(path.relative_to(folder)) + b"\0")
        with open(path, "rb") as handle:
            hasher.update(hashlib.file_digest(handle, "sha256").digest())


def tool_key() -> str:
    """The tool's own part of the key: version, Python, and the bytes of the package."""
    hasher = hashlib.sha256(f"{FORMAT} {graph.__version__} {sys.version}".encode())
    _digest(hasher, "package", _PACKAGE)
    return hasher.hexdigest()


def content_key(
    sources: Path,
    ontology: Path,
    texts: Path | None,
    formats: Sequence[str],
    out: Path,
) -> str:
    """The content key of a build (see the module docstring).

    Args:
        sources: The ``sources/`` folder.
        ontology: The ``ontology/`` folder (with the shapes).
        texts: The texts folder the quotes are checked against, or ``None``.
        formats: The export format names.
        out: The export folder.
    """
    hasher = hashlib.sha256(tool_key().encode())
    _digest(hasher, "sources", sources)
    _digest(hasher, "ontology", ontology)
    _digest(hasher, "texts", texts)
    hasher.update(json.dumps([sorted(formats), os.path.abspath(out)]).encode())
    return hasher.hexdigest()


def _record_path(out: Path) -> Path:
    name = hashlib.sha256(os.fsencode(os.path.abspath(out))).hexdigest()[:24]
    return cache_root() / "builds" / f"{name}.json"


def _identity(path: Path) -> list[int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns, stat.st_ino]


def up_to_date(key: str, out: Path) -> BuildRecord | None:
    """The record of the last build into ``out`` if it had ``key`` and its exports are untouched."""
    try:
        data = json.loads(_record_path(out).read_text(encoding="utf-8"))
        record = BuildRecord(data["key"], data["files"], tuple(data.get("warnings", ())))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if record.key != key or not record.files:
        return None
    for name, identity in record.files.items():
        if _identity(out / name) != identity:
            return None
    return record


def record(key: str, out: Path, outputs: Iterable[Path], warnings: Iterable[str] = ()) -> None:
    """Note that the build with ``key`` wrote ``outputs`` into ``out`` (skipped if the cache is read-only)."""
    files = {}
    for path in outputs:
        identity = _identity(path)
        if identity is None:
            return
        files[path.name] = identity
    content = json.dumps({"key": key, "files": files, "warnings": list(warnings)}, indent=1).encode("utf-8")
    with contextlib.suppress(OSError):  # a read-only cache only costs the next build its shortcut
        write_atomically({_record_path(out): content})


def forget(out: Path) -> None:
    """Drop the record for ``out`` (the next build does all the work)."""
    _record_path(out).unlink(missing_ok=True)
