"""Whether a build has anything to do: a content key over everything that makes the exports.

The key is a SHA-256 over the bytes of every file in ``sources/`` and ``ontology/``
(shapes included), every text in the texts folder the quotes are checked against (or
the fact that none is), the export formats and folder, and the tool itself (its version
and the bytes of its own code, queries and templates, so an edit to the code in a
development checkout counts as a change too). After a build, the key and the size,
modification time and inode of every export are recorded in the cache folder
(``$KG_CACHE_DIR/builds/``, see :func:`cache_root`); the next build with the same key
and untouched exports is up to date and does nothing. A file whose ``stat`` did not
change since it was hashed is not read again (:class:`_Digests`), so the key of a large
project takes a few stat calls per file.

This module imports nothing heavy (no rdflib), so an up-to-date ``kg build`` is fast.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


RACY_NS = 2_000_000_000
"""How much older than the read a file's last change must be for its ``stat`` to stand for its bytes."""

_Stat = tuple[int, int, int, int, int]


def file_stat(path: str | Path) -> _Stat:
    """What changes whenever the file's bytes change: ``ctime`` moves on every write and
    cannot be set back, and a file replaced by another has another inode.

    Raises:
        OSError: When the file cannot be stat'ed.
    """
    stat = os.stat(path)
    return (stat.st_size, stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_dev)


def settled(stat: _Stat, started: int) -> bool:
    """Whether ``stat`` (:func:`file_stat`), taken at ``started`` (``time.time_ns()``), stands
    for the bytes read after it: whether the file's last change is older than :data:`RACY_NS`
    (as git's "racy" index entries).

    Never on Windows, where ``st_ctime`` is the time the file was created.
    """
    return os.name != "nt" and max(stat[2], stat[3]) < started - RACY_NS


def _files(folder: Path) -> list[tuple[str, str]]:
    """Every file in ``folder`` (but byte code and temporary files), as (path, path relative
    to ``folder``), in a fixed order: each folder's files by name, then its folders by name."""
    if not folder.is_dir():
        return []
    top = str(folder)
    found = []
    for root, dirs, names in os.walk(top):
        dirs[:] = sorted(d for d in dirs if d not in ("__pycache__", ".git"))
        prefix = "" if root == top else os.path.relpath(root, top) + os.sep
        found += [(os.path.join(root, n), prefix + n) for n in sorted(names) if not n.endswith((".pyc", ".tmp"))]
    return found


class _Digests:
    """The SHA-256 of files, remembered by their settled :func:`file_stat` under the cache
    root (``keys/<name>.json``), so that a file whose ``stat`` did not change since it was
    hashed is not read again (as :mod:`graph.sourcecache` trusts it). A file changed within
    :data:`RACY_NS` of being hashed is hashed again next time.
    """

    def __init__(self, name: str) -> None:
        self.file = cache_root() / "keys" / f"{name}.json"
        self.known: dict[str, list[Any]] = {}
        with contextlib.suppress(OSError, ValueError):
            found = json.loads(self.file.read_bytes())
            if isinstance(found, dict) and found.get("format") == FORMAT and isinstance(found.get("files"), dict):
                self.known = found["files"]
        self.seen: dict[str, list[Any]] = {}
        self.started = time.time_ns()

    def of(self, path: str) -> bytes:
        """The SHA-256 of the bytes of the file at ``path``.

        Raises:
            OSError: When it cannot be read.
        """
        stat = file_stat(path)
        known = self.known.get(path)
        if isinstance(known, list) and len(known) == 6 and tuple(known[:5]) == stat:
            self.seen[path] = known
            return bytes.fromhex(known[5])
        with open(path, "rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").digest()
        if settled(stat, self.started):
            self.seen[path] = [*stat, digest.hex()]
        return digest

    def save(self) -> None:
        """Keep the digests of the files seen (skipped where nothing changed, or if the cache is read-only)."""
        if self.seen == self.known:
            return
        content = json.dumps({"format": FORMAT, "files": self.seen}, separators=(",", ":")).encode("utf-8")
        with contextlib.suppress(OSError):
            self.file.parent.mkdir(parents=True, exist_ok=True)
            write_atomically({self.file: content})
            keep_newest(self.file.parent, "*.json", KEPT_KEYS)


#: Most sets of remembered digests kept (one per project, by the paths of its folders).
KEPT_KEYS = 16


@dataclass(frozen=True)
class ExportFolderFiles:
    """A cache of one file per export folder (its absolute path hashed), whose first line
    says which build wrote it and for which ``kg.nt``: the layout's version, the build's key
    and the file's identity (see :func:`identity`). The kept projections
    (:mod:`graph.projectioncache`) and validation results (:mod:`graph.changes`) are two."""

    #: The cache's folder under :func:`cache_root`.
    name: str
    #: The files' suffix.
    suffix: str
    #: The layout's version, bumped when it changes.
    version: int

    def folder(self) -> Path:
        """Where the files are kept."""
        return cache_root() / self.name

    def path(self, out: Path) -> Path:
        """The file kept for the export folder ``out``."""
        return self.folder() / (hashlib.sha256(os.fsencode(os.path.abspath(out))).hexdigest()[:24] + self.suffix)

    def header(self, key: str, identity: Sequence[int]) -> bytes:
        """The first line of a file kept by the build with ``key`` for the ``kg.nt`` with ``identity``."""
        return json.dumps([self.version, key, list(identity)]).encode("utf-8") + b"\n"

    def keep_newest(self, count: int) -> None:
        """Delete all but the ``count`` newest files (see :func:`keep_newest`)."""
        keep_newest(self.folder(), f"*{self.suffix}", count)


def keep_newest(folder: Path, pattern: str, count: int) -> None:
    """Delete all but the ``count`` most recently modified files of ``folder`` that match
    ``pattern`` (one another process deletes meanwhile counts as oldest)."""

    def modified(path: Path) -> int:
        try:
            return path.stat().st_mtime_ns
        except OSError:
            return -1

    for old in sorted(folder.glob(pattern), key=modified, reverse=True)[count:]:
        old.unlink(missing_ok=True)


def _digest(
    hasher: hashlib._Hash,
    label: str,
    folder: Path | None,
    digests: _Digests | None = None,
    into: dict[str, str] | None = None,
) -> None:
    hasher.update(f"\0{label}\0".encode())
    if folder is None:
        hasher.update(b"none")
        return
    for path, relative in _files(folder):
        hasher.update(os.fsencode(relative) + b"\0")
        if digests is not None:
            digest = digests.of(path)
        else:
            with open(path, "rb") as handle:
                digest = hashlib.file_digest(handle, "sha256").digest()
        hasher.update(digest)
        if into is not None:
            into[f"{label}/{relative}"] = digest.hex()


def tool_key() -> str:
    """The tool's own part of the key: version, Python, and the bytes of the package."""
    hasher = hashlib.sha256(f"{FORMAT} {graph.__version__} {sys.version}".encode())
    _digest(hasher, "package", _PACKAGE)
    return hasher.hexdigest()


def _folders_name(sources: Path, ontology: Path, texts: Path | None) -> str:
    """A file name for what is kept per project (by the paths of its folders)."""
    folders = [os.path.abspath(f) if f is not None else "" for f in (sources, ontology, texts)]
    return hashlib.sha256(os.fsencode("\0".join(folders))).hexdigest()[:24]


def check_key(sources: Path, ontology: Path, texts: Path | None, inputs: dict[str, str] | None = None) -> str:
    """The content key of a check (``kg validate``): everything that decides whether the
    project is valid and what it warns about (see the module docstring), without the
    export formats and folder.

    Args:
        sources: The ``sources/`` folder.
        ontology: The ``ontology/`` folder (with the shapes).
        texts: The texts folder the quotes are checked against, or ``None``.
        inputs: If given, gets what the graph is made from, file by file: the SHA-256 (hex)
            of each file of ``sources`` and ``ontology`` by ``sources/<path>`` and
            ``ontology/<path>``, and the :func:`tool_key` as ``tool`` (the texts are
            checked, not read into the graph).
    """
    digests = _Digests(_folders_name(sources, ontology, texts))
    tool = tool_key()
    hasher = hashlib.sha256(tool.encode())
    if inputs is not None:
        inputs["tool"] = tool
    _digest(hasher, "sources", sources, digests, inputs)
    _digest(hasher, "ontology", ontology, digests, inputs)
    _digest(hasher, "texts", texts, digests)
    digests.save()
    return hasher.hexdigest()


def content_key(
    sources: Path,
    ontology: Path,
    texts: Path | None,
    formats: Sequence[str],
    out: Path,
) -> str:
    """The content key of a build (see the module docstring): the :func:`check_key` of its
    inputs with the export formats and folder.

    Args:
        sources: The ``sources/`` folder.
        ontology: The ``ontology/`` folder (with the shapes).
        texts: The texts folder the quotes are checked against, or ``None``.
        formats: The export format names.
        out: The export folder.
    """
    return build_key_of(check_key(sources, ontology, texts), formats, out)


def build_key_of(checked: str, formats: Sequence[str], out: Path) -> str:
    """The content key of a build whose inputs have the :func:`check_key` ``checked``."""
    hasher = hashlib.sha256(checked.encode())
    hasher.update(json.dumps([sorted(formats), os.path.abspath(out)]).encode())
    return hasher.hexdigest()


def _record_path(out: Path) -> Path:
    name = hashlib.sha256(os.fsencode(os.path.abspath(out))).hexdigest()[:24]
    return cache_root() / "builds" / f"{name}.json"


def identity(path: Path) -> list[int] | None:
    """Size, modification time and inode of the file at ``path`` (what a build records of an export), or ``None``."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns, stat.st_ino]


def up_to_date(key: str, out: Path) -> BuildRecord | None:
    """The record of the last build into ``out`` if it had ``key`` and its exports are untouched."""
    record = last_build(out, key)
    return record if record is not None and record.key == key else None


def last_build(out: Path, key: str | None = None) -> BuildRecord | None:
    """The record of the last build into ``out`` if its exports are untouched (and, given
    ``key``, if the build had it: only then are the exports looked at)."""
    try:
        data = json.loads(_record_path(out).read_text(encoding="utf-8"))
        record = BuildRecord(data["key"], data["files"], tuple(data.get("warnings", ())))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if (key is not None and record.key != key) or not record.files:
        return None
    for name, recorded in record.files.items():
        if identity(out / name) != recorded:
            return None
    return record


def record(key: str, out: Path, outputs: Iterable[Path], warnings: Iterable[str] = ()) -> None:
    """Note that the build with ``key`` wrote ``outputs`` into ``out`` (skipped if the cache is read-only)."""
    files = {}
    for path in outputs:
        found = identity(path)
        if found is None:
            return
        files[path.name] = found
    content = json.dumps({"key": key, "files": files, "warnings": list(warnings)}, indent=1).encode("utf-8")
    with contextlib.suppress(OSError):  # a read-only cache only costs the next build its shortcut
        write_atomically({_record_path(out): content})


def forget(out: Path) -> None:
    """Drop the record for ``out`` (the next build does all the work)."""
    _record_path(out).unlink(missing_ok=True)


#: What a check counts (the summary of ``kg validate``).
COUNTS = ("sources", "entities", "facts", "triples")


@dataclass(frozen=True)
class CheckRecord:
    """What the last successful check of a project's inputs found (by ``kg validate`` or
    ``kg build``): its key, what the summary line counts and the warning lines."""

    key: str
    counts: dict[str, int]
    warnings: tuple[str, ...] = ()


def _check_path(sources: Path, ontology: Path, texts: Path | None) -> Path:
    return cache_root() / "checks" / f"{_folders_name(sources, ontology, texts)}.json"


def checked(key: str, sources: Path, ontology: Path, texts: Path | None) -> CheckRecord | None:
    """The record of the last successful check of these folders, if it had ``key``."""
    try:
        data = json.loads(_check_path(sources, ontology, texts).read_text(encoding="utf-8"))
        found = CheckRecord(data["key"], dict(data["counts"]), tuple(data.get("warnings", ())))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    counts = found.counts
    if found.key != key or set(counts) != set(COUNTS) or not all(isinstance(counts[name], int) for name in COUNTS):
        return None
    return found


def record_check(
    key: str, sources: Path, ontology: Path, texts: Path | None, counts: dict[str, int], warnings: Iterable[str] = ()
) -> None:
    """Note that the inputs with ``key`` passed every check (skipped if the cache is read-only)."""
    content = json.dumps({"key": key, "counts": counts, "warnings": list(warnings)}, indent=1).encode("utf-8")
    path = _check_path(sources, ontology, texts)
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically({path: content})
        keep_newest(path.parent, "*.json", KEPT_KEYS)
