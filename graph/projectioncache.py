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
(a graph of :data:`KEEP_FROM_TRIPLES` or more whose network formats the build process or
its worker rendered, see :func:`graph.pipeline._start_keeping` and
:func:`graph.pipeline._keep_in_worker`), so that the first of these commands after a build
reads it too.
Only the newest :data:`KEEP` are kept; a file that cannot be read or written only costs
the projection.

A build keeps with its projection what its graph was made from, file by file
(:class:`Inputs`). The next build, when only a few articles differ, makes its projection
from that one (:func:`graph.projection.patch`, :func:`patcher`) instead of from the whole
graph: at a million triples about 0.7 s to read it back and 0.6 s to patch it instead of
2.2 to 2.9 s. Such a patched projection remembers the one it was made from, so the
build keeps the last build's GraphML and GEXF when their rows are the same
(:func:`kept_export`, :func:`graph.netformats.same_as_patched_from`). With the inputs
go each article's subjects in ``kg.nt`` (:attr:`Inputs.subjects`): the next build writes
its ``kg.nt`` from the last one, with only the changed articles' subjects written again
(:func:`splice_plan`, :mod:`graph.ntsplice`, :mod:`graph.docsplice`). A patched projection
is kept as what the patch changed on the one it was made from (:class:`_Chain`), not
pickled whole again; the whole one stays as the chain's base. As with the other caches, the
folder is the user's own: whoever can write to it can change what these commands show.
"""

from __future__ import annotations

import contextlib
import copy
import io
import os
import pickle
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from graph import buildcache
from graph.fsutil import write_atomically

if TYPE_CHECKING:
    from rdflib import Graph

    from graph import ntsplice
    from graph.build import BuiltGraph
    from graph.dataset import Dataset
    from graph.ontology import Ontology
    from graph.projection import Entity, Projection, Relation, SourceInfo

#: Bump when the layout of a kept projection changes.
FORMAT = 5
#: Projections made faster than this (seconds) are not kept: reading them back would not pay.
KEEP_FROM = 1.0
#: A build keeps the projection it made of a graph this large (reading it from kg.nt would
#: take a second or more).
KEEP_FROM_TRIPLES = 100_000
#: How many projections the cache keeps (the newest written).
KEEP = 4
#: A build patches the last build's projection when at most this share of its articles (and
#: nothing else) changed; at least one article always counts as few.
PATCH_SHARE = 0.02


_FILES = buildcache.ExportFolderFiles("projections", ".projection", FORMAT)


@dataclass(frozen=True)
class Inputs:
    """What a build's graph was made from, file by file.

    Attributes:
        files: The SHA-256 of each file of ``sources/`` and ``ontology/`` and the tool's key
            (see :func:`graph.buildcache.check_key`).
        sources: The id of the source each article file declares, by its name in ``files``.
        subjects: Each article's subjects in the graph's ``kg.nt``, by its name in
            ``files`` (see :mod:`graph.ntsplice`), when the build kept them.
    """

    files: Mapping[str, str]
    sources: Mapping[str, str]
    subjects: Mapping[str, bytes] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, files: Mapping[str, str], dataset: Dataset) -> Inputs:
        """The inputs of the graph of ``dataset``, whose files have the digests ``files``."""
        folder = dataset.project.sources_dir
        return cls(files, {f"sources/{os.path.relpath(s.path, folder)}": s.id for s in dataset.sources.values()})

    def changed(self, now: Inputs) -> set[str] | None:
        """The ids of the sources that differ between the graph of these inputs and that of
        ``now`` (articles edited, added or removed: their sources' ids before and after),
        or ``None`` when anything else differs or too many articles (:data:`PATCH_SHARE`)."""
        files = self.changed_files(now)
        if files is None:
            return None
        return {found for name in files for found in (self.sources.get(name), now.sources.get(name)) if found}

    def changed_files(self, now: Inputs) -> set[str] | None:
        """The names of the article files edited, added or removed between these inputs and
        ``now``, or ``None`` as :meth:`changed`."""
        files = {name for name in self.files.keys() | now.files.keys() if self.files.get(name) != now.files.get(name)}
        if not files <= (self.sources.keys() | now.sources.keys()):
            return None  # not an article (or one that declares no source: nothing to tell)
        if len(files) > max(1, PATCH_SHARE * len(now.sources)):
            return None
        return files


def read(key: str, out: Path, identity: Sequence[int]) -> Projection | None:
    """The projection kept for the export folder ``out`` if it was made from the ``kg.nt``
    with ``identity`` that the build with ``key`` wrote, else ``None``."""
    found = _read(key, out, identity, lambda inputs: True)
    return found[1] if found is not None else None


def _read(
    key: str, out: Path, identity: Sequence[int], wanted: Callable[[Inputs | None], bool]
) -> tuple[Inputs | None, Projection | None] | None:
    """What :func:`read` finds: the inputs the projection was kept with and, if
    ``wanted(inputs)``, the projection (the inputs come first in the file, so a projection
    that is not wanted is not read); ``None`` if nothing fitting is kept. The projection's
    module is imported only to read a projection (0.1 s; networkx only when a network is
    built from it): a build's process that only asks which articles changed does not need it."""
    path = _FILES.path(out)
    try:
        with open(path, "rb") as handle:
            first = handle.readline()
            if first != _FILES.header(key, identity) or handle.read(1) not in (_WHOLE, _CHAINED):
                return None
            # the user's own cache (see the module docstring)
            inputs = pickle.load(handle)
            if not (inputs is None or isinstance(inputs, Inputs)):
                return None
            if not wanted(inputs):
                return inputs, None
            from graph.projection import Projection

            body = pickle.load(handle)
        chain: _Chain | None
        if isinstance(body, _Chain):
            chain, projection = body, _applied(_base_path(path), body)
        else:  # the base of later chains if it has that other name (no hard links: none)
            chain, projection = (_Chain(first, ()) if _same_file(path, _base_path(path)) else None), body
    except (OSError, EOFError, ValueError, pickle.UnpicklingError, AttributeError, ImportError, IndexError):
        return None
    if not isinstance(projection, Projection):
        return None
    if chain is not None:
        projection._memo[_KEPT] = chain
    return inputs, projection


def _same_file(path: Path, other: Path) -> bool:
    try:
        return os.path.samefile(path, other)
    except OSError:
        return False


#: The byte after a kept file's first line: the projection follows whole (the file may be
#: the base of later ones), or as a :class:`_Chain`.
_WHOLE, _CHAINED = b"W", b"C"
#: The memo of a projection read back (see :meth:`graph.projection.Projection.derived`):
#: how it was kept (a whole one as a chain without deltas).
_KEPT = "kept as"
#: A projection patched from one kept as a chain of this many deltas is kept whole: each
#: delta is read and applied by the next reading (a few milliseconds for one article).
MAX_DELTAS = 8


@dataclass(frozen=True)
class _Delta:
    """What :func:`graph.projection.patch` changed: the entities it read again (``touched``),
    those of them that the new graph has, the edges from them, and every source (``None``
    when they are the same as before)."""

    touched: frozenset[str]
    nodes: tuple[Entity, ...]
    relations: tuple[Relation, ...]
    sources: dict[str, SourceInfo] | None


@dataclass(frozen=True)
class _Chain:
    """A projection kept as the one of an earlier file (its ``base``: that file's first line)
    and the changes made to it since, in order.

    A build whose projection was patched from the one it read back keeps what the patch
    changed instead of pickling the whole projection again (at a million triples 0.05 to
    0.08 s, with the inputs, instead of 0.7 to 1.0 s); the whole one it started from stays as the base (a hard link to
    the file kept with it, ``<name>.projection.base``), until a build keeps a whole one.
    """

    base: bytes
    deltas: tuple[_Delta, ...]


def _base_path(path: Path) -> Path:
    return path.with_name(path.name + ".base")


def _applied(base: Path, chain: _Chain) -> Projection | None:
    """The projection ``chain`` stands for, if its base is still the file it was made from."""
    from graph.projection import Projection, merged

    with open(base, "rb") as handle:
        if handle.readline() != chain.base or handle.read(1) != _WHOLE:
            return None
        pickle.load(handle)  # its inputs
        projection = pickle.load(handle)
    if not isinstance(projection, Projection):
        return None
    for delta in chain.deltas:
        sources = delta.sources if delta.sources is not None else projection.sources
        projection = merged(projection, delta.touched, delta.nodes, delta.relations, projection.ontology, sources)
    return projection


def _chained(projection: Projection) -> _Chain | None:
    """How to keep ``projection`` as a chain: when it was patched from one read back, kept
    with fewer than :data:`MAX_DELTAS` deltas."""
    patched = projection.patched_from()
    earlier: _Chain | None = patched.earlier._memo.get(_KEPT) if patched is not None else None
    if patched is None or earlier is None or len(earlier.deltas) >= MAX_DELTAS:
        return None
    touched = patched.touched
    delta = _Delta(
        touched,
        tuple(node for node in projection.entities() if node[0] in touched),
        tuple(relation for relation in projection.relations() if relation[0] in touched),
        projection.sources if projection.sources != patched.earlier.sources else None,
    )
    return _Chain(earlier.base, (*earlier.deltas, delta))


def pickled(projection: Projection, inputs: Inputs | None = None) -> bytes:
    """``projection`` as :func:`write_pickled` keeps it, after ``inputs``, the build's (see
    :class:`Inputs`): without what was computed from it (the rows of the exports), which the
    commands that read it make again if they need it."""
    out = io.BytesIO()
    pickle_into(out, projection, inputs)
    return out.getvalue()


def pickle_into(out: BinaryIO, projection: Projection, inputs: Inputs | None = None) -> None:
    """Write :func:`pickled` ``projection`` to ``out`` (a file: no copy of it in memory):
    whole, or as a :class:`_Chain` when it was patched from one read back."""
    chain = _chained(projection)
    out.write(_WHOLE if chain is None else _CHAINED)
    pickle.dump(inputs, out, protocol=pickle.HIGHEST_PROTOCOL)
    _dump_body(out, projection, chain)


def pickle_apart(out: BinaryIO, projection: Projection) -> None:
    """Write :func:`pickled` ``projection`` to ``out`` without its inputs, which
    :func:`with_inputs` puts in: for a worker that renders the network formats before the
    build's process knows each article's subjects (see :attr:`Inputs.subjects`)."""
    chain = _chained(projection)
    out.write(_WHOLE if chain is None else _CHAINED)
    _dump_body(out, projection, chain)


def with_inputs(apart: Path, inputs: Inputs | None) -> bytes:
    """The projection :func:`pickle_apart` wrote to the file ``apart``, with ``inputs``, as
    :func:`pickled` makes it."""
    body = apart.read_bytes()
    return body[:1] + pickle.dumps(inputs, protocol=pickle.HIGHEST_PROTOCOL) + body[1:]


def _dump_body(out: BinaryIO, projection: Projection, chain: _Chain | None) -> None:
    if chain is not None:
        pickle.dump(chain, out, protocol=pickle.HIGHEST_PROTOCOL)
        return
    bare = copy.copy(projection)  # shares the network, given or unbuilt, without building it
    bare._memo = {}
    pickle.dump(bare, out, protocol=pickle.HIGHEST_PROTOCOL)


def write(key: str, out: Path, identity: Sequence[int], projection: Projection) -> None:
    """Keep ``projection`` of the ``kg.nt`` with ``identity`` in ``out`` (see :func:`read`)."""
    write_pickled(key, out, identity, pickled(projection))


@dataclass(frozen=True)
class Last:
    """What the last build into an export folder kept with its projection (see :func:`last_kept`).

    Attributes:
        out: The export folder.
        record: That build's record (see :func:`graph.buildcache.last_build`).
        identity: The identity of the ``kg.nt`` it wrote.
        inputs: What its graph was made from (with each article's subjects, if it kept them).
    """

    out: Path
    record: buildcache.BuildRecord
    identity: list[int]
    inputs: Inputs


def last_kept(out: Path) -> Last | None:
    """What the last build into ``out`` kept with its projection, if its exports are as it
    left them (``kg.nt`` among them) and it kept its inputs; else ``None``. Only the inputs
    are read, once per build: the patcher and the splice of ``kg.nt`` both ask them."""
    from graph.pipeline import NTRIPLES_FILE

    record = buildcache.last_build(out)
    identity = record.files.get(NTRIPLES_FILE) if record is not None else None
    if record is None or identity is None:
        return None
    found = _read(record.key, out, identity, lambda inputs: False)
    kept = found[0] if found is not None else None
    return Last(out, record, identity, kept) if kept is not None else None


class Patcher:
    """What makes a build's projection from the one the last build kept (see :func:`patcher`).

    Calling it with the build's graph and ontology reads that projection (unless
    :meth:`read` did) and patches it (:func:`graph.projection.patch`): the patched
    projection, or ``None`` when the kept one cannot be used (then the graph is projected
    whole).
    """

    def __init__(self, last: Last, changed: set[str], say: Callable[[str], None]) -> None:
        self.last, self.changed, self.say = last, changed, say
        self._read = False
        self._earlier: Projection | None = None

    def read(self) -> Projection | None:
        """The projection the last build kept, read once (``None`` if it is gone or is not
        the one whose inputs were read before).

        A build reads it in the worker that renders the network formats ahead (see
        :class:`graph.pipeline._NetworkAhead`), forked before the graph is built: in a
        worker forked after that, it took about three times as long as in a fresh process
        (0.36 s at a million triples), as each page of the build's heap it wrote to was copied.
        """
        if not self._read:
            self._read = True
            last = self.last
            kept = last.inputs
            found = _read(last.record.key, last.out, last.identity, lambda now: now == kept)  # the file read before
            self._earlier = found[1] if found is not None else None
        return self._earlier

    def __call__(self, graph: Graph, ontology: Ontology) -> Projection | None:
        from graph.projection import patch

        earlier = self.read()
        # what the last build rendered from the projection it kept (it wrote them with kg.nt)
        files = {name: (self.last.out / name, tuple(found)) for name, found in self.last.record.files.items()}
        patched = patch(earlier, graph, ontology, self.changed, files) if earlier is not None else None
        if patched is not None:
            self.say(f"projection patched from the last build's ({len(self.changed)} sources changed)")
        return patched


def patcher(last: Last, inputs: Inputs, say: Callable[[str], None]) -> Patcher | None:
    """What makes a build's projection from the one the ``last`` build kept, if its inputs
    differ from ``inputs`` in a few articles only (see :meth:`Inputs.changed`), else
    ``None``. The projection is read when the patcher is called or asked to
    (:meth:`Patcher.read`)."""
    changed = last.inputs.changed(inputs)
    return Patcher(last, changed, say) if changed is not None else None


def splice_plan(last: Last, inputs: Inputs, built: BuiltGraph, dataset: Dataset) -> ntsplice.Plan | None:
    """How to write the build's ``kg.nt`` from the one the ``last`` build wrote (see
    :mod:`graph.ntsplice`), and its ``kg.ttl`` and ``kg.jsonld`` from that build's (see
    :mod:`graph.docsplice`), if that build kept its articles' subjects and its inputs differ
    from ``inputs`` in a few articles only; else ``None``."""
    from graph import ntsplice
    from graph.pipeline import NTRIPLES_FILE

    kept = last.inputs
    changed = spliced_files(last, inputs)
    if changed is None:
        return None
    out = last.out / NTRIPLES_FILE
    files = last.record.files.items()
    others = {name: (last.out / name, tuple(found)) for name, found in files if name != NTRIPLES_FILE}
    return ntsplice.plan(out, last.identity, kept.subjects, kept.sources.keys(), changed, built, dataset, others)


def spliced_files(last: Last, inputs: Inputs) -> set[str] | None:
    """The article files that differ between the ``last`` build's inputs and ``inputs``, if
    that build kept the subjects of each of them it had (its ``kg.nt`` can then be spliced
    for them, see :func:`splice_plan`); else ``None``."""
    kept = last.inputs
    changed = kept.changed_files(inputs)
    if changed is None or not kept.subjects:
        return None
    if any(name in kept.sources and name not in kept.subjects for name in changed):
        return None
    return changed


def kept_export(projection: Projection, filename: str) -> Path | None:
    """The export ``filename`` the last build rendered from the projection ``projection`` was
    patched from (see :func:`patcher`), if the file is still as that build wrote it."""
    patched = projection.patched_from()
    found = patched.files.get(filename) if patched is not None else None
    if found is None:
        return None
    path, written = found
    return path if buildcache.identity(path) == list(written) else None


def write_pickled(key: str, out: Path, identity: Sequence[int], projection: bytes | Path) -> None:
    """:func:`write` of a projection :func:`pickled` already (by a build's child process), or
    :func:`pickle_into` a file (by a build's worker)."""
    path = _FILES.path(out)
    with contextlib.suppress(OSError):  # a read-only cache only costs the next command its shortcut
        path.parent.mkdir(parents=True, exist_ok=True)
        pickled = projection if isinstance(projection, bytes) else projection.read_bytes()
        write_atomically({path: _FILES.header(key, identity) + pickled})
        if pickled[:1] == _WHOLE:  # the base of the chains kept after it
            _link(path, _base_path(path))
        _FILES.keep_newest(KEEP)
        for base in _FILES.folder().glob(f"*{_FILES.suffix}.base"):  # of files no longer kept
            if not base.with_name(base.name.removesuffix(".base")).exists():
                base.unlink(missing_ok=True)


def _link(path: Path, target: Path) -> None:
    """Make ``target`` another name of the file ``path`` (no later chain has a base where links fail)."""
    staged = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    with contextlib.suppress(OSError):
        staged.unlink(missing_ok=True)
        os.link(path, staged)
        os.replace(staged, target)
    staged.unlink(missing_ok=True)
