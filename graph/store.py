"""The query store: the graph and its ontology in an on-disk Oxigraph store, cached.

``kg query``, ``kg serve`` and ``kg push`` all work on the same set of files: the
graph (by default ``exports/kg.nt``) plus the ontology (``ontology/*.ttl`` without the
shapes), so that ``rdfs:subClassOf*`` and the labels of classes and properties can be
used in queries. Loading a million triples takes seconds, opening a loaded store
milliseconds, so the loaded store is kept in a cache folder and reused for as long as
none of the files changes (same path, size and modification time).

Every process that uses a cached store holds a shared lock on it; a store is only
deleted (when its files have changed, or after :data:`MAX_UNUSED_DAYS` unused) by a
process that gets the exclusive lock, so a running ``kg serve`` never loses its store.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import pyoxigraph as ox

from graph.buildcache import cache_root as _cache_root
from graph.errors import ConfigError
from graph.fsutil import write_atomically
from graph.project import load_project, ontology_files

if sys.platform != "win32":
    import fcntl

if TYPE_CHECKING:
    from rdflib import Graph

#: Bump when the layout of a cached store changes, so old caches are rebuilt.
LAYOUT = 1
MAX_UNUSED_DAYS = 30
DEFAULT_DATA = "kg.nt"
_INFO = "store.json"
_RESULTS = "results"
#: Folders of kept things beside the store: answers, and what the checker found (graph/checkcache.py).
KINDS = (_RESULTS, "checks")
#: Largest answer kept by :meth:`QueryStore.remember` (bytes).
MAX_CACHED_RESULT = 8_000_000
#: A build patches the query store of the ``kg.nt`` before (see :func:`update_staged`)
#: when at most this share of its lines differ, or at most :data:`PATCH_LEAST` lines.
PATCH_SHARE = 0.05
PATCH_LEAST = 1000
#: Each patch leaves its changes in small files of the database beside the large ones of
#: the load; every this many patches the patched store is compacted (``optimize``: about 4 s
#: at a million triples, where loading takes 8 to 18 s).
PATCH_CHAIN = 16
_LOCK = "lock"
_DB = "db"

Progress = Callable[[str], None]


def _silent(message: str) -> None:
    pass


def cache_root() -> Path:
    """Where stores are cached: ``$KG_CACHE_DIR``, else ``$XDG_CACHE_HOME/nrw-integration-kg``."""
    return _cache_root()


def graph_files(project: Path | str = ".", data: Sequence[Path | str] = ()) -> tuple[Path, ...]:
    """The files a query store holds: ``data`` (default ``exports/kg.nt``) plus the ontology.

    Raises:
        ConfigError: When the project, a data file or the ontology is missing, or a
            file's format is not one Oxigraph reads into a graph.
    """
    settings = load_project(project)
    files = [Path(d) for d in data] or [settings.exports_dir / DEFAULT_DATA]
    for path in files:
        if not path.is_file():
            hint = " (run 'kg build' first)" if not data else ""
            raise ConfigError(f"no such data file: {path}{hint}")
        rdf_format(path)
    return store_files(project, files)


def store_files(project: Path | str, data: Sequence[Path]) -> tuple[Path, ...]:
    """:func:`graph_files` without checking that the data files exist yet (for ``kg build``).

    Raises:
        ConfigError: When the project or the ontology is missing.
    """
    settings = load_project(project)
    ontology = ontology_files(settings.ontology_dir)
    if not ontology:
        raise ConfigError(f"no ontology: {settings.ontology_dir} has no *.ttl files")
    return tuple(p.resolve() for p in (*data, *ontology))


def read_ntriples(path: Path, graph: Graph, lines: bytes | None = None) -> Graph:
    """Add the triples of an N-Triples file to an rdflib ``graph``, parsed by Oxigraph.

    Three to four times faster than rdflib's own parser; terms come out as the builder
    makes them (plain strings without a datatype), and repeated terms are created once.
    Into a graph of :func:`graph.build.new_graph` the triples go in bulk.
    With ``lines``, those (some lines of ``path``) are parsed instead of the whole file.

    Raises:
        ConfigError: When the file cannot be read or parsed.
    """
    from rdflib import Literal, URIRef

    nodes: dict[str, URIRef] = {}
    literals: dict[tuple[str, str | None, str | None], Literal] = {}
    string = "http://www.w3.org/2001/XMLSchema#string"

    def node(term: ox.NamedNode) -> URIRef:
        found = nodes.get(term.value)
        if found is None:
            found = nodes[term.value] = URIRef(term.value)
        return found

    def value(term: object) -> URIRef | Literal:
        if isinstance(term, ox.NamedNode):
            return node(term)
        assert isinstance(term, ox.Literal), f"{path}: blank nodes are not expected in an export"
        datatype = term.datatype.value
        key = (term.value, term.language, None if term.language or datatype == string else datatype)
        found = literals.get(key)
        if found is None:
            found = literals[key] = Literal(term.value, lang=key[1], datatype=key[2] and node(term.datatype))
        return found

    from graph.build import add_triples
    from graph.gcpause import gc_paused

    try:
        parsed = (
            ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES)
            if lines is None
            else ox.parse(lines, format=ox.RdfFormat.N_TRIPLES)
        )
        # in bulk into the builder's store (see graph.build.CountedMemory), else one by one;
        # millions of new objects: the cyclic collector would rescan them over and over
        with gc_paused():
            add_triples(graph, ((node(t.subject), node(t.predicate), value(t.object)) for t in parsed))
    except (OSError, SyntaxError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    return graph


def rdf_format(path: Path) -> ox.RdfFormat:
    """The RDF format of ``path``, from its extension.

    Raises:
        ConfigError: For an unknown extension or a dataset format (N-Quads, TriG).
    """
    found = ox.RdfFormat.from_extension(path.suffix.lstrip(".").lower())
    if found is None or (found.supports_datasets and found != ox.RdfFormat.JSON_LD):  # JSON-LD: a graph too
        raise ConfigError(
            f"cannot load {path}: use an N-Triples (.nt), Turtle (.ttl), RDF/XML (.rdf) or JSON-LD (.jsonld) file"
        )
    return found


@dataclass
class QueryStore:
    """A read-only Oxigraph store over some files, open for as long as the object lives.

    Attributes:
        path: The store's database folder (give it to :meth:`pyoxigraph.Store.read_only`
            in other processes).
        store: The store, opened read-only.
        triples: Number of triples in it.
        files: The files it was loaded from.
    """

    path: Path
    store: ox.Store
    triples: int
    files: tuple[Path, ...]
    _lock: IO[bytes] | None = None

    def cached(self, key: str, kind: str = _RESULTS) -> tuple[bytes, dict[str, Any]] | None:
        """A kept answer of this store (see :meth:`remember`) and its details, or ``None``.

        Args:
            key: The answer's name.
            kind: One of :data:`KINDS`: answers, or results of the checker.
        """
        try:
            data = (self._kept(kind) / _result_name(key)).read_bytes()
        except OSError:
            return None
        header, _, body = data.partition(b"\n")
        try:
            found = json.loads(header)
        except ValueError:
            return None
        if not isinstance(found, dict) or found.get("key") != key:
            return None  # a hash collision, however unlikely
        return body, found

    def remember(self, key: str, body: bytes, kind: str = _RESULTS, **details: Any) -> None:
        """Keep the answer to a query (named by ``key``, see :func:`answer_key`) with the store.

        A store never changes (changed files get a new store), so neither do its answers:
        whole-graph aggregates that take half a second at a million triples come back in
        a millisecond the next time, in any process. Only answers up to
        :data:`MAX_CACHED_RESULT` bytes are kept; a read-only cache folder keeps none.
        ``kind`` is one of :data:`KINDS` (see :meth:`cached`).
        """
        if len(body) > MAX_CACHED_RESULT:
            return
        header = json.dumps({**details, "key": key}).encode("utf-8")
        with contextlib.suppress(OSError):
            write_atomically({self._kept(kind) / _result_name(key): header + b"\n" + body})

    def _kept(self, kind: str) -> Path:
        if kind not in KINDS:
            raise ValueError(f"unknown kind of kept answer: {kind!r}; one of {', '.join(KINDS)}")
        return self.path.parent / kind

    def close(self) -> None:
        """Release the store (the cached copy stays on disk)."""
        if self._lock is not None:
            self._lock.close()  # closing the file releases its lock
            self._lock = None

    def __enter__(self) -> QueryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def answer_key(text: str, fmt: str, bindings: Mapping[Any, Any], *details: object) -> str:
    """The name of a query's answer on a store: its text, format, bound values and the tool's code."""
    bound = sorted((str(name), str(value)) for name, value in bindings.items())
    return json.dumps([tool_key(), text, fmt, bound, [str(d) for d in details]])


@functools.cache
def tool_key() -> str:
    """:func:`graph.buildcache.tool_key`, computed once per process (it reads the package's files)."""
    from graph.buildcache import tool_key

    return tool_key()


def _result_name(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _stamp(files: Sequence[Path]) -> list[list[object]]:
    return [[str(p), p.stat().st_size, p.stat().st_mtime_ns] for p in files]


def store_key(files: Sequence[Path]) -> str:
    """A name for the store of ``files``: changes when any file changes."""
    identity = json.dumps([LAYOUT, ox.__version__, _stamp(files)])
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()[:24]


def open_store(files: Sequence[Path], cache: Path | None = None, progress: Progress | None = None) -> QueryStore:
    """Open the cached store of ``files``, building it first when needed.

    Args:
        files: RDF files to load (see :func:`graph_files`).
        cache: The cache folder (default :func:`cache_root`).
        progress: Called with a line when the store has to be built.

    Returns:
        The store, read-only; close it (or use ``with``) when done.

    Raises:
        ConfigError: When a file cannot be parsed or the cache folder is not writable.
    """
    say = progress or _silent
    root = (cache or cache_root()) / "stores"
    key = store_key(files)
    folder = root / key
    for _ in range(3):  # a concurrent clean-up may delete the folder between the checks
        if not (folder / _INFO).is_file():
            _build(files, root, folder, say)
        lock = _lock_shared(folder)
        if lock is None:
            continue
        info = json.loads((folder / _INFO).read_text(encoding="utf-8"))
        store = ox.Store.read_only(str(folder / _DB))
        return QueryStore(folder / _DB, store, int(info["triples"]), tuple(files), lock)
    raise ConfigError(f"cannot open the query store in {folder}: it keeps disappearing")


def _lock_shared(folder: Path) -> IO[bytes] | None:
    try:
        handle = open(folder / _LOCK, "rb")  # noqa: SIM115  # held open for the store's lifetime
    except FileNotFoundError:
        return None
    if sys.platform != "win32":
        fcntl.flock(handle.fileno(), fcntl.LOCK_SH)
    if not (folder / _INFO).is_file():  # deleted while we waited for the lock
        handle.close()
        return None
    os.utime(folder / _LOCK)  # marks the store as used, for the clean-up
    return handle


def _build(files: Sequence[Path], root: Path, folder: Path, say: Progress) -> None:
    staging = _staging_folder(root)
    start = time.perf_counter()
    names = ", ".join(p.name for p in files)
    say(f"loading {names} into the query store (once; cached in {root})")
    try:
        triples = load_staged(staging, files)
        _publish(staging, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    say(f"query store ready: {triples:,} triples in {time.perf_counter() - start:.1f} s")
    _clean_up(root, keep=folder, files=[str(p) for p in files])


def _staging_folder(root: Path) -> Path:
    try:
        root.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=".build-", dir=root))
    except OSError as exc:
        raise ConfigError(f"cannot create the query store in {root}: {exc.strerror} (set KG_CACHE_DIR)") from exc


def load_staged(staging: Path, files: Sequence[Path], contents: Mapping[Path, Path] | None = None) -> int:
    """Load ``files`` into a new database in ``staging`` (see :func:`staging_folder`); its triples.

    Args:
        staging: An empty folder for the database.
        files: The files, in the order :func:`graph_files` gives.
        contents: Files to read instead of some of ``files``, with their bytes to be (a
            build loads its ``kg.nt`` before the export set is written).

    Raises:
        ConfigError: When a file cannot be parsed.
    """
    given = contents or {}
    store = ox.Store(str(staging / _DB))
    for path in files:
        try:
            store.bulk_load(path=str(given.get(path, path)), format=rdf_format(path))
        except SyntaxError as exc:  # Oxigraph reports the position as a SyntaxError would
            message = str(exc.msg).removeprefix(f"Parser error at line {exc.lineno} column {exc.offset}: ")
            raise ConfigError(f"{path}:{exc.lineno}:{exc.offset}: cannot load: {message}") from exc
    store.optimize()
    triples = len(store)
    del store  # closes the database before the folder is renamed
    info = {"files": [str(p) for p in files], "triples": triples, "built": time.time()}
    (staging / _INFO).write_text(json.dumps(info, indent=1), encoding="utf-8")
    return triples


def update_staged(staging: Path, files: Sequence[Path], ntriples: Path) -> int:
    """:func:`load_staged` for a build: the store of ``files`` once ``ntriples`` is their ``kg.nt``.

    When the cache holds the store of ``files`` as they are now (the ``kg.nt`` before
    this build) and at most :data:`PATCH_SHARE` of its lines differ from ``ntriples``,
    that store is copied (a checkpoint of its database: links to its files) and the
    lines that differ are removed and added (and every :data:`PATCH_CHAIN` patches the
    copy is compacted); else ``ntriples`` is loaded whole. At a million triples, a
    changed value costs about a second instead of the 8 to 18 s of loading.

    Args:
        staging: An empty folder for the database (see :func:`staging_folder`).
        files: The files of the store, in the order :func:`graph_files` gives, the first
            the ``kg.nt`` to be replaced.
        ntriples: A file with the bytes of the new ``kg.nt``.

    Raises:
        ConfigError: When ``ntriples`` or the ontology cannot be parsed.
    """
    patched = _patched(staging, files, ntriples)
    if patched is not None:
        return patched
    shutil.rmtree(staging / _DB, ignore_errors=True)
    return load_staged(staging, files, {files[0]: ntriples})


def _patched(staging: Path, files: Sequence[Path], ntriples: Path) -> int | None:
    """The store of ``files`` made by patching their current one (see :func:`update_staged`): its
    triples, or ``None`` where that cannot be done (no such store, too many changes, a
    store that does not hold what its files say)."""
    from graph.ntdelta import files_delta

    try:
        before = staging.parent / store_key(files)
    except OSError:  # no kg.nt yet
        return None
    lock = _lock_shared(before)
    if lock is None:
        return None
    try:
        info = json.loads((before / _INFO).read_text(encoding="utf-8"))
        if info.get("files") != [str(p) for p in files]:
            return None
        chain = int(info.get("patches", 0)) + 1
        # the store's triples: the old kg.nt's lines and the ontology's few (the build found
        # the same delta a moment ago, to validate by it: see graph.ntdelta.files_delta)
        delta = files_delta(files[0], ntriples, limit=max(PATCH_LEAST, int(int(info["triples"]) * PATCH_SHARE)))
        if delta is None:
            return None
        ox.Store.read_only(str(before / _DB)).backup(str(staging / _DB))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    finally:
        lock.close()
    compact = chain >= PATCH_CHAIN
    triples = _apply(ox.Store(str(staging / _DB)), files[1:], delta.removed, delta.added, compact)
    if triples is None:
        return None
    total = int(info["triples"]) + triples
    record = {
        "files": [str(p) for p in files],
        "triples": total,
        "built": time.time(),
        "patched": before.name,
        "patches": 0 if compact else chain,  # since the load or the last compaction
    }
    (staging / _INFO).write_text(json.dumps(record, indent=1), encoding="utf-8")
    return total


def _apply(
    store: ox.Store, ontology: Sequence[Path], removed: Sequence[bytes], added: Sequence[bytes], compact: bool
) -> int | None:
    """Remove the triples of the lines ``removed`` from ``store`` and add those of ``added``: how
    many triples it gained, or ``None`` if it did not hold what the lines say it held.

    A triple the ontology states stays: the store holds the ontology too. With ``compact``,
    the database is compacted afterwards (see :data:`PATCH_CHAIN`).
    """

    def quads(lines: Sequence[bytes]) -> list[ox.Quad]:
        found = list(ox.parse(b"".join(lines), format=ox.RdfFormat.N_TRIPLES))  # in the default graph
        if any(isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode) for q in found):
            raise ValueError("a blank node: its name in a new file is not its name in the store")
        return found

    try:
        stated = {q.triple for path in ontology for q in ox.parse(path=str(path), format=rdf_format(path))}
        out, into = quads(removed), quads(added)
        gained = 0
        for quad in out:
            if quad.triple in stated:
                continue
            if quad not in store:
                return None
            store.remove(quad)
            gained -= 1
        for quad in into:
            if quad in store:
                if quad.triple in stated:
                    continue
                return None
            gained += 1
        store.extend(into)
        store.flush()  # into the database's files, where a read-only store sees it
        if compact:
            store.optimize()
        return gained
    except (SyntaxError, ValueError):
        return None
    finally:
        del store  # closes the database


def _publish(staging: Path, folder: Path) -> None:
    (staging / _LOCK).touch()
    try:
        staging.rename(folder)
    except OSError:
        if not (folder / _INFO).is_file():
            raise
        # Another process built the same store at the same time; use theirs.


def has_store(files: Sequence[Path], cache: Path | None = None) -> bool:
    """Whether the cache holds a store of ``files`` as they are now."""
    try:
        return ((cache or cache_root()) / "stores" / store_key(files) / _INFO).is_file()
    except OSError:  # a file is missing
        return False


def queried(data: Path, cache: Path | None = None) -> bool:
    """Whether the cache holds a store of some version of the data file ``data`` (resolved):
    someone ran ``kg query`` or ``kg serve`` on it."""
    root = (cache or cache_root()) / "stores"
    with contextlib.suppress(OSError):
        for folder in root.iterdir():
            with contextlib.suppress(OSError, ValueError, KeyError, IndexError, TypeError):
                if json.loads((folder / _INFO).read_text(encoding="utf-8"))["files"][0] == str(data):
                    return True
    return False


def staging_folder(cache: Path | None = None) -> Path:
    """A new, empty folder in the store cache for :func:`load_staged` and :func:`adopt`.

    Raises:
        ConfigError: When the cache folder is not writable.
    """
    return _staging_folder((cache or cache_root()) / "stores")


def adopt(staging: Path, files: Sequence[Path]) -> bool:
    """Make a store loaded by :func:`load_staged` the cached store of ``files`` as they are now.

    ``kg build`` loads its graph while it renders the exports, and calls this once they
    are written, so that the first ``kg query`` finds its store ready. It is kept out
    when it was loaded for other files, when its loading failed, or when a store of the
    same files exists. The staging folder is gone afterwards.

    Returns:
        Whether the store was adopted.
    """
    root = staging.parent
    try:
        info = json.loads((staging / _INFO).read_text(encoding="utf-8"))
        if info.get("files") != [str(p) for p in files]:
            return False
        folder = root / store_key(files)
        if (folder / _INFO).is_file():
            return False
        _publish(staging, folder)
    except (OSError, ValueError, AttributeError):
        return False
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _clean_up(root, keep=folder, files=[str(p) for p in files])
    return True


def _clean_up(root: Path, keep: Path, files: list[str]) -> None:
    """Delete stores of older versions of ``files``, and stores long unused; skip any in use."""
    now = time.time()
    for folder in root.iterdir():
        if folder == keep or not folder.is_dir():
            continue
        if folder.name.startswith(".build-"):
            if now - folder.stat().st_mtime > 86400:  # left behind by a crashed build
                shutil.rmtree(folder, ignore_errors=True)
            continue
        with contextlib.suppress(OSError, ValueError, KeyError):
            info = json.loads((folder / _INFO).read_text(encoding="utf-8"))
            unused_days = (now - (folder / _LOCK).stat().st_mtime) / 86400
            if info["files"] == files or unused_days > MAX_UNUSED_DAYS:
                _delete_if_unused(folder)


def _delete_if_unused(folder: Path) -> None:
    if sys.platform == "win32":
        return  # no advisory locks: never delete what another process may use
    with open(folder / _LOCK, "rb") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return
        (folder / _INFO).unlink()  # first, so a waiting reader sees the store is gone
        shutil.rmtree(folder, ignore_errors=True)
