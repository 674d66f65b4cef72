"""Phase 1 remembered per file: a source file whose bytes did not change is not parsed again.

Reading a file (:mod:`graph.sources`) depends on nothing but its path, its bytes and
the tool (the package's code, Python, PyYAML and its C parser). So what each file gave,
its declarations and its problems, is kept with the SHA-256 of its bytes, for the files
of one ``sources/`` folder in a few files under the cache root (see
:func:`graph.buildcache.cache_root`): ``sources/<folder>-<tool>/NN.pickle``. The next
read takes a file whose bytes are the same from there (unpickling is about five times
faster than parsing) and reports the same problems, with the same ``file:line``. A file
whose ``stat`` (size, inode, modification and change times) is the one recorded when it
was hashed is not even read again: the change time moves on every write and cannot be
set back, so equal ``stat`` means equal bytes -- unless the file was written within the
resolution of its time stamps before it was hashed (:data:`graph.buildcache.RACY_NS`, as git's "racy"
index entries), whose ``stat`` is not recorded until a later read hashes it again. A cache
file is rewritten when one of its files changed, with the entries of the files read this
time (by a forked worker, while the build goes on, when there are many: see
:meth:`SourceCache.save`); another version of the tool starts afresh and removes the
old version's files, and only the :data:`FOLDERS` folders used last are kept.

What an article gave is mostly plain tuples (:data:`graph.sources.FactEntry`), which unpickle
several times faster than a dataclass per claim; a path is kept as its text and read back
as the very ``Path`` the read was given (:meth:`SourceCache.expect`), not made again.

The cache is the user's own (like the build records beside it): whoever can write to
it can make the tool read anything, as with any ``pickle``.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import hashlib
import io
import os
import pickle
import shutil
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TypeVar

import yaml

from graph import buildcache
from graph.buildcache import file_stat, settled
from graph.errors import KGError, Problem

if TYPE_CHECKING:
    from graph import forked

T = TypeVar("T")
Reader = Callable[[Path, list[Problem], bytes | None], T]
_Stat = tuple[int, int, int, int, int]
_Entries = dict[tuple[str, str], tuple[bytes, _Stat | None, object, list[Problem]]]

FOLDERS = 8
"""Most ``sources/`` folders whose entries are kept (those used last)."""

SHARDS = 64
"""Files the entries of one folder are spread over (about 80 articles each at 5,000)."""

SAVE_AHEAD_FROM = 1000
"""Fewest entries to write for a forked worker to write them (see :meth:`SourceCache.save`).
Pickling 4,762 articles (a million triples) takes half a second, off the build's way in a
worker; fewer are pickled here, where the fork and the pages copied on writing after it
would cost about as much as they save."""

AHEAD_PIECES = 8
"""Most pieces a parse-ahead worker hands its results over in (see :class:`Ahead`)."""

PIECE_FILES = 200
"""Fewest files in a piece (each piece is a file written through to the disk)."""

TAKE_EVERY = 16
"""Files read between two looks for pieces a parse-ahead worker has handed over."""

PARSE_AHEAD_FROM = 400
"""Fewest files to parse for a worker to parse half of them (see :meth:`SourceCache.parse_ahead`):
a fork and handing the results over cost about as much as parsing 100 articles."""


@functools.cache
def _tool() -> str:
    """The tool's part of the cache file's name: its code, and the YAML parser it reads with."""
    parser = f"{yaml.__version__} {getattr(yaml, '__with_libyaml__', False)} {sys.version}"
    return hashlib.sha256(f"{buildcache.tool_key()} {parser}".encode()).hexdigest()[:24]


class SourceCache:
    """What each file of one ``sources/`` folder gave, by the SHA-256 of its bytes.

    The entries are spread over :data:`SHARDS` files by path, so that a change to one
    article rewrites a small file, not the whole cache. Use :meth:`read` for every file,
    then :meth:`save`.
    """

    def __init__(self, folder: Path) -> None:
        finish_saving(folder)  # what a worker is still writing there
        self.folder = folder
        self._loaded: dict[int, _Entries] = {}
        self._read: dict[int, _Entries] = {}
        self._changed: set[int] = set()
        self._paths: dict[str, Path] = {}  # see expect()

    @classmethod
    def of(cls, sources_dir: Path) -> SourceCache:
        """The cache of ``sources_dir`` under :func:`~graph.buildcache.cache_root`."""
        folder = hashlib.sha256(os.fsencode(os.path.abspath(sources_dir))).hexdigest()[:24]
        return cls(buildcache.cache_root() / "sources" / f"{folder}-{_tool()}")

    def expect(self, paths: Iterable[Path]) -> None:
        """Say which files will be read: the entries read back give these very ``Path``
        objects for their paths (the cache keeps a path as its text, and making a ``Path``
        from a text again costs more than unpickling all else an article declares)."""
        self._paths.update((str(path), path) for path in paths)

    def read(self, path: Path, kind: str, reader: Reader[T], problems: list[Problem]) -> T:
        """What ``reader`` gives for the file at ``path``, remembered for its bytes.

        Args:
            path: The file.
            kind: What the file is (``article``, ``registry``).
            reader: Reads the file (given its bytes, or ``None`` to read it itself) into
                declarations, appending problems.
            problems: Where the problems go (remembered ones as well as new ones).

        Returns:
            What ``reader`` returned for these bytes (a file that cannot be read is left
            to ``reader``, which reports it, and nothing is remembered).
        """
        key = (kind, str(path))
        shard = _shard_of(key[1])
        entry = self._shard(shard).get(key)
        started = time.time_ns()
        try:
            stat = file_stat(path)
            data = None if entry is not None and entry[1] is not None and entry[1] == stat else path.read_bytes()
        except OSError:
            return reader(path, problems, None)
        if data is None:  # the same file as when it was hashed, unchanged since (see file_stat)
            assert entry is not None
            self._read.setdefault(shard, {})[key] = entry
            problems.extend(entry[3])
            return entry[2]  # type: ignore[return-value]  # what this kind's reader gave
        digest = hashlib.sha256(data).digest()
        if entry is not None and entry[0] == digest:
            _, _, result, found = entry
            problems.extend(found)
        else:
            before = len(problems)
            result = reader(path, problems, data)
            found = problems[before:]
            entry = None
        # A file written moments ago may be written again within the resolution of its
        # time stamps, leaving them as they are: its stat stands for its bytes only later.
        trusted = stat if settled(stat, started) else None
        if entry is None or entry[1] != trusted:
            self._changed.add(shard)
        self._read.setdefault(shard, {})[key] = (digest, trusted, result, found)
        return result  # type: ignore[return-value]  # what this kind's reader gave

    def parse_ahead(self, files: Sequence[tuple[Path, str, Reader[Any]]]) -> Ahead | None:
        """Parse the second half of what ``files`` (read in this order) need parsed, in a
        forked worker, while this process reads the first half.

        Call :meth:`Ahead.finish` when the reading gets to ``files[ahead.start]``: the
        worker's results are then in this cache, so :meth:`read` finds them by the
        SHA-256 of the bytes it reads, as if they had been remembered. A file changed in
        between is parsed again; a worker that fails only costs its half being parsed
        here. ``None`` when too few files need parsing for a worker to pay off, or no
        worker can be forked.
        """
        from graph import forked

        needed = [i for i, (path, kind, _) in enumerate(files) if not self._known(path, kind)]
        if len(needed) < PARSE_AHEAD_FROM or not forked.available() or not forked.affordable_children(1):
            return None
        start = needed[len(needed) // 2]
        ahead = [files[i] for i in needed if i >= start]
        try:
            child = forked.start(functools.partial(_parse, ahead), "parsing sources")
        except KGError:
            return None
        return Ahead(self, child, start)

    def _known(self, path: Path, kind: str) -> bool:
        """Whether ``path``'s entry is trusted by its ``stat`` (:meth:`read` would not read it)."""
        key = (kind, str(path))
        entry = self._shard(_shard_of(key[1])).get(key)
        if entry is None or entry[1] is None:
            return False
        try:
            return entry[1] == file_stat(path)
        except OSError:
            return False

    def _take(self, parsed: list[tuple[str, str, bytes, object, list[Problem]]]) -> None:
        for kind, name, digest, result, found in parsed:
            # no stat: read() checks the bytes it reads against the digest
            self._shard(_shard_of(name))[(kind, name)] = (digest, None, result, found)

    def save(self) -> None:
        """Keep the entries of the files read (skipped where nothing changed, or if the cache is read-only).

        A shard none of whose files was read keeps its entries (the read may have been
        of a few files only). When there are :data:`SAVE_AHEAD_FROM` entries or more to
        write, a forked worker writes them while this process goes on; the next
        :class:`SourceCache` of the folder in this process, and the end of the process,
        wait for it (:func:`finish_saving`).
        """
        stale = {n for n, entries in self._read.items() if entries.keys() != self._loaded.get(n, {}).keys()}
        shards = sorted(self._changed | stale)
        if sum(len(self._read[n]) for n in shards) >= SAVE_AHEAD_FROM and self._save_ahead(shards):
            return
        self._write(shards)

    def _save_ahead(self, shards: list[int]) -> bool:
        """Start a worker writing ``shards`` (see :meth:`save`): whether one could be started."""
        from graph import forked

        if not forked.available() or not forked.affordable_children(1):
            return False
        try:
            child = forked.start(functools.partial(_write, self, shards), "saving the source cache")
        except KGError:
            return False
        _finish_saving_at_exit()
        _saving[self.folder] = (os.getpid(), child)
        return True

    def _write(self, shards: list[int]) -> None:
        with contextlib.suppress(OSError):  # an unwritable cache only costs the next read its shortcut
            for shard in shards:
                self.folder.mkdir(parents=True, exist_ok=True)
                file = self.folder / f"{shard:02d}.pickle"
                temporary = file.with_name(f"{file.name}.{os.getpid()}.tmp")
                with open(temporary, "wb") as handle:
                    _Pickler(handle, protocol=pickle.HIGHEST_PROTOCOL).dump(self._read[shard])
                os.replace(temporary, file)
            if self.folder.is_dir():
                os.utime(self.folder)  # used now: the folders used longest ago go first
            if self._changed:
                self._prune()

    def _prune(self) -> None:
        """Remove this folder's entries of other versions of the tool, and all but the
        :data:`FOLDERS` folders used last (a benchmark's corpora in temporary folders)."""
        prefix = self.folder.name.split("-", 1)[0]
        others = [p for p in self.folder.parent.iterdir() if p != self.folder and p.is_dir()]
        for other in others:
            if other.name.startswith(f"{prefix}-"):
                shutil.rmtree(other, ignore_errors=True)
        kept = sorted((p for p in others if p.exists()), key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for other in kept[FOLDERS - 1 :]:
            shutil.rmtree(other, ignore_errors=True)

    def _shard(self, shard: int) -> _Entries:
        entries = self._loaded.get(shard)
        if entries is None:
            entries = self._loaded[shard] = self._load(self.folder / f"{shard:02d}.pickle")
        return entries

    def _load(self, file: Path) -> _Entries:
        try:
            with open(file, "rb") as handle:
                entries = self._unpickler(handle).load()
        except Exception:  # missing, truncated or foreign: its files are parsed again
            return {}
        return entries if isinstance(entries, dict) else {}

    def _unpickler(self, handle: BinaryIO) -> pickle.Unpickler:
        """An unpickler of what :class:`_Pickler` wrote, giving back the paths :meth:`expect` was told of."""
        unpickler = pickle.Unpickler(handle)
        unpickler.persistent_load = self._path  # type: ignore[method-assign]  # the documented hook
        return unpickler

    def _path(self, text: object) -> Path:
        """The path a cache file keeps as ``text`` (see :class:`_Pickler`)."""
        if not isinstance(text, str):
            raise pickle.UnpicklingError(f"not a path: {text!r}")
        path = self._paths.get(text)
        return Path(text) if path is None else path


_PATH = type(Path())


class _Pickler(pickle.Pickler):
    """Pickles each ``Path`` as its text (see :meth:`SourceCache.expect`)."""

    def persistent_id(self, obj: object) -> str | None:
        return str(obj) if obj.__class__ is _PATH else None


def _dumps(value: object) -> bytes:
    """``value`` pickled by :class:`_Pickler`."""
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return buffer.getvalue()


def _write(cache: SourceCache, shards: list[int], emit: forked.Emit) -> dict[str, float]:
    """In the worker: write ``cache``'s ``shards`` (see :meth:`SourceCache.save`)."""
    cache._write(shards)
    return {}


_saving: dict[Path, tuple[int, forked.Child]] = {}
"""The worker writing each cache folder, and the process that started it (see :meth:`SourceCache.save`)."""


def finish_saving(folder: Path | None = None) -> None:
    """Wait until the worker writing the cache folder ``folder`` (every folder: ``None``) is done.

    A worker that failed or was killed only leaves some of its files unwritten (each
    is written whole or not at all): their articles are parsed again on the next read.
    """
    for key in list(_saving) if folder is None else [folder]:
        parent, child = _saving.pop(key, (None, None))
        if child is not None and parent == os.getpid():  # a forked child's copy of the entry is not its own
            with contextlib.suppress(KGError):
                child.join()
            child.release()


@functools.cache
def _finish_saving_at_exit() -> None:
    atexit.register(finish_saving)  # once


def _shard_of(name: str) -> int:
    return _shard_number(name, SHARDS)


@functools.lru_cache(maxsize=1 << 16)
def _shard_number(name: str, shards: int) -> int:
    """The shard of the file ``name`` among ``shards`` (asked for twice per file and read)."""
    return int.from_bytes(hashlib.sha256(name.encode("utf-8", "surrogateescape")).digest()[:4]) % shards


class Ahead:
    """Sources being parsed ahead in a worker (see :meth:`SourceCache.parse_ahead`).

    The worker hands what it parsed over in up to :data:`AHEAD_PIECES` pieces of at least
    :data:`PIECE_FILES` files, each as soon as it is parsed, and this process takes each
    it finds ready every :data:`TAKE_EVERY` files it reads (:meth:`before`): so the
    pickling and unpickling of most of them happen while both are still parsing, and
    :meth:`finish` has only the last to take.

    Attributes:
        start: Index of the first file the worker parses; :meth:`finish` before reading it.
    """

    def __init__(self, cache: SourceCache, child: forked.Child, start: int) -> None:
        self.cache = cache
        self.child = child
        self.start = start
        self.taken = 0  # pieces taken

    def before(self, index: int) -> None:
        """Call before reading ``files[index]``: finishes at :attr:`start`, takes what is ready before."""
        if index == self.start:
            self.finish()
        elif index < self.start and index % TAKE_EVERY == 0:
            self.take()

    def take(self) -> None:
        """Put the pieces the worker has handed over by now into the cache (no waiting)."""
        while (path := self.child.emitted(f"{_PARSED}-{self.taken}")) is not None:
            try:
                with open(path, "rb") as handle:
                    parsed = self.cache._unpickler(handle).load()  # our own child's
            except (OSError, pickle.UnpicklingError):
                return
            self.taken += 1
            self.cache._take(parsed)

    def finish(self) -> None:
        """Wait for the worker and put the rest of what it parsed into the cache (nothing
        more, if it failed: what it did not hand over is parsed here)."""
        try:
            self.child.join()
        except KGError:
            return
        else:
            self.take()
        finally:
            self.child.kill()  # its files are read


_PARSED = "parsed"


def _parse(files: Sequence[tuple[Path, str, Reader[Any]]], emit: forked.Emit) -> dict[str, float]:
    """In the worker: each file's kind, name, digest, result and problems, handed over
    pickled in pieces (see :class:`Ahead`)."""
    size = max(PIECE_FILES, -(-len(files) // AHEAD_PIECES), 1)
    for number, begin in enumerate(range(0, len(files), size)):
        parsed = []
        for path, kind, reader in files[begin : begin + size]:
            try:
                data = path.read_bytes()
            except OSError:
                continue  # read() leaves it to the reader, which reports it
            found: list[Problem] = []
            result = reader(path, found, data)
            parsed.append((kind, str(path), hashlib.sha256(data).digest(), result, found))
        emit(f"{_PARSED}-{number}", _dumps(parsed))
    return {}


def tool_id() -> str:
    """The tool's part of a cache file's name: its code, Python, and the YAML parser."""
    return _tool()
