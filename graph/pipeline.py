"""The library functions behind ``kg build``, ``kg validate`` and ``kg check-quotes``.

Each takes the same keyword arguments as its command's options and either returns
a result or raises a :class:`~graph.errors.KGError`. Progress goes to an optional
callback; nothing here prints.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import pickle
import shutil
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from graph import buildcache
from graph.errors import ConfigError, KGError, Problem, QuoteError, ShapeError, warning_line
from graph.export import DEFAULT_FORMATS, Exporter, ExportInput, exporter
from graph.fsutil import (
    Content,
    Kept,
    Rendered,
    cannot_write,
    debug_point,
    render_folder,
    replace_export_set,
    write_atomically,
)
from graph.gcpause import gc_paused
from graph.project import Project, load_project

if TYPE_CHECKING:  # the heavy modules (rdflib, pySHACL) are imported when a step runs
    from rdflib import Graph
    from rdflib.term import Node

    from graph import ahead, changes, forked, ntsplice, partbuild, projectioncache
    from graph.build import BuiltGraph
    from graph.dataset import Dataset
    from graph.ontology import Ontology
    from graph.quotes import QuoteReport
    from graph.shacl import Result
    from graph.spans import Piece
    from graph.validate import Focus

    #: The curation warnings of a dataset, and the (subject, property) pairs whose values
    #: differ only between sources (see :class:`_SourceChecks`).
    Curation = tuple[tuple[Problem, ...], frozenset[tuple[Node, Node]]]

__all__ = [
    "DEFAULT_FORMATS",
    "build",
    "build_if_changed",
    "check_quotes",
    "export",
    "load",
    "validate",
    "validate_if_changed",
]
Progress = Callable[[str], None]
NTRIPLES_FILE = "kg.nt"


def _silent(message: str) -> None:
    pass


@dataclass
class Timings:
    """Seconds spent per step, for progress output and the benchmark.

    Attributes:
        steps: Steps done one after the other; together they are the whole time.
        workers: Steps done in worker processes meanwhile (exports of a large build):
            each as long as it took there, overlapping each other and ``steps``.
        workers_memory: Bytes of memory the workers did not share with the build's
            process (copy-on-write copies and their own data), together.
        ahead_memory: Peak bytes of memory of the process that laid out the page ahead
            (see :mod:`graph.ahead`), a process of its own.
    """

    steps: dict[str, float] = field(default_factory=dict)
    workers: dict[str, float] = field(default_factory=dict)
    workers_memory: int = 0
    ahead_memory: int = 0

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        # Each step allocates millions of objects on large graphs and frees them in bulk;
        # the cyclic garbage collector would rescan the growing heap over and over
        # (30-50 % of load and build time at a million triples).
        try:
            with gc_paused():
                yield
        finally:
            self.steps[name] = self.steps.get(name, 0.0) + time.perf_counter() - start

    @property
    def total(self) -> float:
        return sum(self.steps.values())


@dataclass(frozen=True)
class CheckResult:
    """What ``validate`` found (and ``build`` wrote).

    ``curation`` is internal: the curation warnings of a prepared result, when they were
    found while the graph was built (see :class:`_SourceChecks`); so is ``shacl_results``,
    every result of the fast SHACL engine, which a build keeps for the next (see
    :mod:`graph.changes`).
    """

    dataset: Dataset
    built: BuiltGraph
    quotes: QuoteReport | None
    warnings: tuple[Problem, ...]
    timings: Timings
    written: tuple[Path, ...] = ()
    outputs: tuple[Path, ...] = ()
    curation: Curation | None = field(default=None, repr=False)
    shacl_results: tuple[Result, ...] | None = field(default=None, repr=False)
    #: How many triples the graph has, when ``built`` is only its part (see :mod:`graph.partbuild`).
    whole_triples: int | None = field(default=None, repr=False)
    #: The checks of the sources still under way beside the build, when they are taken
    #: only before SHACL (see :class:`_PendingChecks`).
    pending: _PendingChecks | None = field(default=None, repr=False, compare=False)

    @property
    def triples(self) -> int:
        return len(self.built.graph) if self.whole_triples is None else self.whole_triples

    @property
    def counts(self) -> dict[str, int]:
        """What the summary of a check counts: ``sources``, ``entities``, ``facts``, ``triples``."""
        dataset = self.dataset
        return {
            "sources": len(dataset.sources),
            "entities": len(dataset.entities),
            "facts": len(dataset.facts),
            "triples": self.triples,
        }


def load(project: Path | str = ".") -> Dataset:
    """Read and resolve everything in ``sources/`` (both phases, all problems at once).

    Raises:
        SourceError: With one problem per line when the sources have mistakes.
        ConfigError: When the project or its ontology is missing or broken.
    """
    from graph.dataset import resolve
    from graph.ontology import load_ontology
    from graph.sources import read_sources

    settings = load_project(project)
    ontology = load_ontology(settings.ontology_dir)
    problems: list[Problem] = []
    declarations = read_sources(settings.sources_dir, problems)
    return resolve(settings, ontology, declarations, problems)


def built_graph(project: Path | str = ".", progress: Progress | None = None) -> tuple[Graph, Ontology]:
    """The project's graph and ontology: read from ``exports/kg.nt`` when the last ``kg build``
    is up to date (see :func:`build_if_changed`), else loaded and built from ``sources/``.

    Reading the export skips parsing, resolving and building (the build checked it all);
    a stale or missing export is never used.

    Raises:
        SourceError, ConfigError: When the graph has to be built and the sources do not load.
    """
    from graph.build import build_graph

    found = current_export(project)
    if found is not None:
        return read_export(project, found, progress)
    dataset = load(project)
    return build_graph(dataset).graph, dataset.ontology


@dataclass(frozen=True)
class Export:
    """The ``kg.nt`` of the last ``kg build`` of a project, up to date with its sources.

    Attributes:
        key: The build's content key (see :func:`build_key`).
        out: The export folder.
        identity: Size, modification time and inode of its ``kg.nt``, as the build recorded them.
    """

    key: str
    out: Path
    identity: tuple[int, ...]


def current_export(project: Path | str = ".") -> Export | None:
    """The ``kg.nt`` of the last build into the project's ``exports/`` if that build is up to
    date (see :func:`build_if_changed`) and wrote one, else ``None``.

    Raises:
        ConfigError: When the project is missing or broken.
    """
    key, out_dir = build_key(project)
    record = buildcache.up_to_date(key, out_dir)
    if record is None or NTRIPLES_FILE not in record.files:
        return None
    return Export(key, out_dir, tuple(record.files[NTRIPLES_FILE]))


def read_export(project: Path | str, export: Export, progress: Progress | None = None) -> tuple[Graph, Ontology]:
    """The graph in ``export`` (see :func:`current_export`) and the project's ontology."""
    from graph.build import new_graph
    from graph.ontology import load_ontology
    from graph.store import read_ntriples

    settings = load_project(project)
    ontology = load_ontology(settings.ontology_dir)
    graph = new_graph(settings.base, {c.segment for c in ontology.classes.values() if c.segment})
    read_ntriples(export.out / NTRIPLES_FILE, graph)
    (progress or _silent)(f"read {len(graph):,} triples from {export.out / NTRIPLES_FILE} (up to date with sources/)")
    return graph, ontology


def texts_folder(settings: Project, texts: Path | str | None, progress: Progress, required: bool) -> Path | None:
    """The folder to check quotes against: ``texts`` if given, else the configured one.

    Raises:
        ConfigError: When ``required`` and no existing folder is known.
    """
    if texts is not None:
        return Path(texts)
    if settings.texts is not None and settings.texts.is_dir():
        return settings.texts
    if required:
        raise ConfigError(f"cannot check quotes: {_no_texts(settings)}")
    if settings.texts is None:
        progress("quotes not checked: no texts folder configured (pass --texts DIR to check them)")
    return None


def _no_texts(settings: Project) -> str:
    if settings.texts is None:
        return "no texts folder configured; pass --texts DIR"
    return (
        f"texts folder {settings.texts} does not exist (set by 'texts:' at {settings.texts_location}); "
        "fix it or pass --texts DIR"
    )


def missing_texts_warning(settings: Project, texts: Path | str | None) -> Problem | None:
    """A warning when the configured texts folder does not exist and none was given."""
    if texts is not None or settings.texts is None or settings.texts.is_dir():
        return None
    return Problem(
        settings.texts_location,
        f"texts folder {settings.texts} does not exist, so no quote was checked "
        "(fix 'texts:', pass --texts DIR or set KG_TEXTS; --require-texts makes this an error)",
    )


def check_quotes(project: Path | str = ".", texts: Path | str | None = None, require_texts: bool = True) -> QuoteReport:
    """Check every quote and title against the texts (see :mod:`graph.quotes`).

    Args:
        project: The project folder.
        texts: Folder with the source texts (default: configured); without one this fails.

    Raises:
        ConfigError: When no texts folder exists.
        QuoteError: When a text, quote or title is not found.
    """
    from graph.quotes import check_quotes as _check_quotes

    dataset = load(project)
    folder = texts_folder(dataset.project, texts, _silent, required=True)
    assert folder is not None
    report = _check_quotes(dataset, folder)
    if report.problems:
        count = len(report.problems)
        raise QuoteError(list(report.problems), f"{count} quote{'s' if count != 1 else ''} not found in the texts")
    return report


def validate(
    project: Path | str = ".",
    texts: Path | str | None = None,
    progress: Progress | None = None,
    require_texts: bool = False,
) -> CheckResult:
    """Load, check quotes (when texts are available), build and run SHACL; write nothing.

    Args:
        project: The project folder.
        texts: Folder with the source texts (default: configured).
        progress: Called with one line per step.
        require_texts: Fail when no texts folder exists, instead of warning and going on.

    Raises:
        SourceError, QuoteError, ShapeError: With one problem per line.
        ConfigError: When ``require_texts`` and no texts folder exists.
    """
    say = progress or _silent
    with gc_paused():  # for the whole check (see _build)
        prepared = _prepare(project, texts, say, require_texts, beside=True)
        return _check_shapes(prepared, say)


@dataclass(frozen=True)
class Unchanged:
    """What :func:`validate_if_changed` returns when the inputs passed every check before.

    Attributes:
        counts: What the last check counted: ``sources``, ``entities``, ``facts``, ``triples``.
        warnings: Its warning lines (``file:line: warning: …``), to show again.
        seconds: Time to find out.
    """

    counts: dict[str, int]
    warnings: tuple[str, ...]
    seconds: float


def validate_if_changed(
    project: Path | str = ".",
    texts: Path | str | None = None,
    progress: Progress | None = None,
    require_texts: bool = False,
) -> CheckResult | Unchanged:
    """Like :func:`validate`, but do nothing when the same inputs passed every check before.

    The key (:func:`graph.buildcache.check_key`) covers sources, ontology, shapes, texts
    and the tool's version and code; a successful ``kg validate`` or ``kg build`` of the
    project records it with what the check counted and warned about.

    Raises:
        SourceError, QuoteError, ShapeError, ConfigError: As :func:`validate`.
    """
    start = time.perf_counter()
    keys = _keys(project, None, texts, (), require_texts)
    found = buildcache.checked(keys.check, *keys.folders)
    if found is not None:
        return Unchanged(found.counts, found.warnings, time.perf_counter() - start)
    result = validate(project, texts, progress, require_texts)
    _record_check(keys, result)
    return result


def _record_check(keys: _Keys, result: CheckResult) -> None:
    """Note that the inputs of ``keys`` passed every check, with what ``result`` counted."""
    buildcache.record_check(keys.check, *keys.folders, result.counts, [warning_line(w) for w in result.warnings])


def _prepare(
    project: Path | str,
    texts: Path | str | None,
    say: Progress,
    require_texts: bool,
    loaded: Callable[[Dataset, Timings], None] | None = None,
    beside: bool = False,
    building: Callable[[Dataset, Timings], None] | None = None,
    build: Callable[[Dataset], tuple[BuiltGraph, str]] | None = None,
    defer: Callable[[], bool] | None = None,
) -> CheckResult:
    """Load, check quotes and build: a result whose warnings are not complete until :func:`_check_shapes`.

    ``loaded``, if given, is called with the dataset as soon as it is loaded, and
    ``building`` just before the graph is built (the checks of the sources are under way
    then, or done). With ``beside``, a large dataset's quotes and curation checks run in a
    forked process while this one builds the graph (see :func:`_start_source_checks`).
    ``build`` builds the graph and says what it built, in a line of progress (default: the whole graph).
    If ``defer`` says so once the graph is built, the checks beside the build are taken only
    by :func:`_check_shapes` (the result is :attr:`CheckResult.pending` until then).
    """
    from graph.build import build_graph

    def whole(dataset: Dataset) -> tuple[BuiltGraph, str]:
        built = build_graph(dataset)
        return built, _built_line(built)

    build = build or whole
    timings = Timings()
    with timings.step("load"):
        dataset = load(project)
    say(f"loaded {len(dataset.sources)} sources, {len(dataset.entities)} entities, {len(dataset.facts)} facts")
    if loaded is not None:
        loaded(dataset, timings)
    folder = texts_folder(dataset.project, texts, say, required=require_texts)
    missing = missing_texts_warning(dataset.project, texts)
    checking = _start_source_checks(dataset, folder) if beside else None
    if checking is None:
        checks = _SourceChecks(_quotes_checked(dataset, folder, timings))
        _raise_for_quotes(checks.quotes, folder, say)
        if building is not None:
            building(dataset, timings)
        with timings.step("build"):
            built, line = build(dataset)
    else:
        if building is not None:
            building(dataset, timings)
        (built, line), found = _build_beside(dataset, checking, folder, timings, say, build, defer)
        if isinstance(found, _PendingChecks):
            say(line)
            warned = (missing,) if missing else ()
            return CheckResult(dataset, built, None, warned, timings, pending=found)
        checks = found
    say(line)
    return CheckResult(dataset, built, checks.quotes, (missing,) if missing else (), timings, curation=checks.curation)


def _built_line(built: BuiltGraph) -> str:
    return f"built {len(built.graph)} triples ({built.statements} statements, {built.references} references)"


#: Smallest number of facts whose quotes and curation checks run beside the build of the
#: graph (:func:`_start_source_checks`): below it they take less time than a fork.
CHECK_BESIDE_FROM = 10_000
#: How much lower the priority of the process checking beside the build is (19: the lowest).
CHECKS_NICENESS = 19
#: The step of a build that waits for the checks made beside the build of the graph.
CHECKS_WAIT_STEP = "quotes and curation checks (waiting)"
_CHECKS_OUTPUT = "source-checks"


@dataclass(frozen=True)
class _SourceChecks:
    """The checks made on the sources alone, not on the graph.

    Attributes:
        quotes: The quote check, if there was a texts folder.
        curation: The curation warnings (duplicates, conflicts) and the (subject, property)
            pairs whose values differ only between sources (see
            :func:`graph.curation.conflicts.curation_warnings`), if already found; else
            :func:`_check_shapes` finds them.
    """

    quotes: QuoteReport | None
    curation: Curation | None = None


def _quotes_checked(dataset: Dataset, folder: Path | None, timings: Timings) -> QuoteReport | None:
    from graph.quotes import check_quotes as _check_quotes

    if folder is None:
        return None
    with timings.step("quotes"):
        return _check_quotes(dataset, folder)


def _raise_for_quotes(quotes: QuoteReport | None, folder: Path | None, say: Progress) -> None:
    if quotes is None:
        return
    if quotes.problems:
        count = len(quotes.problems)
        raise QuoteError(list(quotes.problems), f"{count} quote{'s' if count != 1 else ''} not found in the texts")
    say(f"quotes: {quotes.quotes} found verbatim in {folder}")


def _curation(dataset: Dataset) -> Curation:
    """The curation warnings of ``dataset`` and the pairs disputed between sources (see :class:`_SourceChecks`)."""
    from graph.curation.conflicts import curation_warnings
    from graph.validate import load_shapes

    notices, conflicts = curation_warnings(dataset, load_shapes(dataset.project.shapes_file))
    return tuple(notices), frozenset((c.subject, c.rule.property) for c in conflicts if c.between_sources)


def _start_source_checks(dataset: Dataset, folder: Path | None) -> forked.Child | None:
    """Fork a process that checks the quotes and finds the curation warnings of a large
    ``dataset`` while this one builds its graph, or ``None`` (a small dataset, or no fork here).

    Both read only the dataset, and the build does not need them: about a second of
    the serial part of a build at a million triples, done on the other CPU. The process
    runs at the lowest priority (:data:`CHECKS_NICENESS`): where that CPU is busy laying out
    the page ahead (a build from an empty cache, on two CPUs), it waits for a CPU nobody
    else needs instead of taking time from this process or the layout.
    """
    from graph import forked

    if len(dataset.facts) < CHECK_BESIDE_FROM or not forked.available():
        return None

    def work(emit: forked.Emit) -> dict[str, float]:
        with contextlib.suppress(OSError):
            os.nice(CHECKS_NICENESS)
        timings = Timings()
        quotes = _quotes_checked(dataset, folder, timings)
        with timings.step("curation"):
            curation = _curation(dataset)
        emit(_CHECKS_OUTPUT, pickle.dumps(_SourceChecks(quotes, curation), protocol=pickle.HIGHEST_PROTOCOL))
        return {f"{step} (while building)": seconds for step, seconds in timings.steps.items()}

    try:
        return forked.start(work, "checking quotes and curation")
    except KGError:
        return None  # then they are checked here


def _build_beside(
    dataset: Dataset,
    checking: forked.Child,
    folder: Path | None,
    timings: Timings,
    say: Progress,
    build: Callable[[Dataset], tuple[BuiltGraph, str]],
    defer: Callable[[], bool] | None = None,
) -> tuple[tuple[BuiltGraph, str], _SourceChecks | _PendingChecks]:
    """Build the graph of ``dataset`` with ``build`` while ``checking`` checks its sources, then
    take what that found (or, if ``defer`` says so then, leave it to be taken later).

    Raises:
        QuoteError: When a quote is not found (before an error of the build, as without ``checking``).
        KGError: As :func:`graph.build.build_graph` raises it.
    """
    pending = _PendingChecks(checking, folder, say)
    handed_over = False
    try:
        try:
            with timings.step("build"):
                built = build(dataset)
        except Exception:
            pending.take(timings)
            raise
        if defer is not None and defer():
            handed_over = True  # taken (or stopped) by the caller
            return built, pending
        checks = pending.take(timings)
    finally:
        if not handed_over:
            pending.stop()
    return built, checks


class _PendingChecks:
    """The process checking the sources beside the build (see :func:`_start_source_checks`):
    what it found, taken once (:meth:`take`), and stopped if not taken."""

    def __init__(self, child: forked.Child, folder: Path | None, say: Progress) -> None:
        self.child, self.folder, self.say = child, folder, say
        self.found: _SourceChecks | None = None

    def take(self, timings: Timings) -> _SourceChecks:
        """What the checks found (waiting for them the first time).

        Raises:
            QuoteError: When a quote is not found (each time asked).
        """
        if self.found is None:
            with timings.step(CHECKS_WAIT_STEP):
                self.found = _joined_source_checks(self.child, timings)
            _raise_for_quotes(self.found.quotes, self.folder, self.say)
            return self.found
        _raise_for_quotes(self.found.quotes, self.folder, _silent)
        return self.found

    def stop(self) -> None:
        """Stop the process if it still runs (an interrupted build), its files removed."""
        self.child.kill()


def _joined_source_checks(checking: forked.Child, timings: Timings) -> _SourceChecks:
    """What the process of :func:`_start_source_checks` found; its step times go into ``timings.workers``.

    Raises:
        ConfigError: (or any error of the checks) As the checks raise it.
    """
    try:
        outputs, steps = checking.join()
        checks = pickle.loads(outputs[_CHECKS_OUTPUT].read_bytes())  # our own child's
    finally:
        checking.release()
    assert isinstance(checks, _SourceChecks)
    timings.workers.update(steps)
    return checks


def _check_shapes(prepared: CheckResult, say: Progress, focus: Focus | None = None) -> CheckResult:
    """Run SHACL and the curation checks on a prepared result: the result with every warning.

    With ``focus``, SHACL and the provenance rule check only the nodes a small change
    reaches and take the last build's results for the rest (see :mod:`graph.changes`).

    Raises:
        ShapeError: When the graph does not conform.
    """
    from graph.validate import validate_graph

    dataset, timings = prepared.dataset, prepared.timings
    if prepared.pending is not None:  # the checks beside the build, taken now
        checks = prepared.pending.take(timings)
        prepared = replace(prepared, quotes=checks.quotes, curation=checks.curation, pending=None)
    if focus is not None:
        say(
            f"validating the {len(focus.nodes)} nodes that {focus.lines} changed lines of {NTRIPLES_FILE} reach; "
            "the others as the last build found them"
        )
    with timings.step("shacl"):
        notices, disputed = prepared.curation or _curation(dataset)
        shapes_file = dataset.project.shapes_file
        report = validate_graph(prepared.built, dataset.ontology, shapes_file, conflicts=disputed, focus=focus)
    if not report.conforms:
        count = len(report.violations)
        raise ShapeError(list(report.violations), f"{count} SHACL violation{'s' if count != 1 else ''}")
    say(f"SHACL: conforms ({len(report.warnings)} warnings)")
    warnings = (*prepared.warnings, *notices, *report.warnings)
    return replace(prepared, warnings=warnings, curation=None, shacl_results=report.results)


#: The step of a build that finds the nodes a small change reaches (see :mod:`graph.changes`).
CHANGES_STEP = "changed nodes"


def _basis(chosen: Sequence[Exporter], out_dir: Path, inputs: projectioncache.Inputs | None) -> changes.Basis | None:
    """What the last build into ``out_dir`` validated, if this one writes ``kg.nt`` and can
    validate by what changed since (see :mod:`graph.changes`)."""
    from graph import changes

    if inputs is None or not any(e.filename == NTRIPLES_FILE for e in chosen):
        return None
    return changes.basis(out_dir, inputs.files)


def _focus(prepared: CheckResult, found: changes.Basis, ntriples: bytes | Path) -> Focus | None:
    """The nodes of the prepared graph to validate, by the lines of its ``kg.nt`` (its bytes,
    or a file holding them) that differ from the last build's: ``None`` for all of them."""
    from graph import changes
    from graph.validate import load_shapes

    with prepared.timings.step(CHANGES_STEP):
        return changes.focus(found, prepared.built.graph, load_shapes(prepared.dataset.project.shapes_file), ntriples)


def _keep_results(
    result: CheckResult,
    chosen: Sequence[Exporter],
    key: str,
    out_dir: Path,
    inputs: projectioncache.Inputs | None,
    census: changes.Census | None = None,
) -> None:
    """Keep every SHACL result of the ``kg.nt`` just written, with the ``census`` of its graph
    (made here if not given), for the next build (see :mod:`graph.changes`)."""
    from graph import changes

    if result.shacl_results is None or inputs is None or not any(e.filename == NTRIPLES_FILE for e in chosen):
        changes.forget(out_dir)
        return
    if census is None and result.whole_triples is None:
        census = changes.Census.of(result.built.graph)
    changes.keep(key, out_dir, inputs.files, result.shacl_results, census)


#: How many times at most the part of the graph a build built is made larger to validate by
#: what changed (see :func:`_focused`) before the whole graph is built.
PART_ROUNDS = 4
#: The step of a build that builds the part of its graph again, larger (see :func:`_focused`).
PART_MORE_STEP = "build (more of the part)"


def _focused(
    prepared: CheckResult,
    found: changes.Basis,
    ntriples: bytes | Path,
    source: ExportInput,
    part: partbuild.Part | None,
) -> tuple[Focus | None, CheckResult]:
    """:func:`_focus`, and ``prepared``; with ``part`` (the graph of ``prepared`` is the part of
    the graph an edit reaches, see :mod:`graph.partbuild`), the part made complete in every
    node the search for the nodes to validate reads and in every node it finds, and
    ``prepared`` with the part's graph and the whole graph's count of triples.

    Raises:
        graph.partbuild.WholeNeeded: When the graph is to be validated whole, or the part
            is not complete after :data:`PART_ROUNDS` rounds.
    """
    from graph import changes, partbuild
    from graph.validate import load_shapes

    if part is None:
        return _focus(prepared, found, ntriples), prepared
    census = source.splice.census_now(source.graph) if source.splice is not None else None
    if census is None:
        raise partbuild.WholeNeeded("the size of the graph is not known")
    shapes = load_shapes(prepared.dataset.project.shapes_file)
    timings = prepared.timings
    for _ in range(PART_ROUNDS):
        asked: set[Node] = set()
        with timings.step(CHANGES_STEP):
            focus = changes.focus(found, part.built.graph, shapes, ntriples, census.triples, asked)
        if focus is None:
            raise partbuild.WholeNeeded("the change is validated in the whole graph")
        with timings.step(PART_MORE_STEP):
            done = part.complete(asked.union(focus.nodes, focus.provenance, (r.focus for r in focus.kept)))
        if done:
            return focus, replace(prepared, built=part.built, whole_triples=census.triples)
    raise partbuild.WholeNeeded(f"the nodes to validate reach past the part of the graph after {PART_ROUNDS} rounds")


@dataclass(frozen=True)
class UpToDate:
    """What :func:`build_if_changed` returns when nothing changed since the last build.

    Attributes:
        out: The export folder.
        outputs: Its exports, as the last build wrote them.
        warnings: The last build's warning lines (``file:line: warning: …``), to show again.
        seconds: Time to find out.
    """

    out: Path
    outputs: tuple[Path, ...]
    warnings: tuple[str, ...]
    seconds: float


def build_key(
    project: Path | str = ".",
    out: Path | str | None = None,
    texts: Path | str | None = None,
    formats: Sequence[str] = DEFAULT_FORMATS,
    require_texts: bool = False,
) -> tuple[str, Path]:
    """The content key of a build (see :mod:`graph.buildcache`) and its export folder.

    Raises:
        ConfigError: For an unknown format or a missing project, or when ``require_texts``
            and no texts folder exists.
    """
    keys = _keys(project, out, texts, formats, require_texts)
    return keys.build, keys.out


@dataclass(frozen=True)
class _Keys:
    """The content keys of a check and of a build of a project (see :mod:`graph.buildcache`).

    Attributes:
        check: The key of the check (:func:`graph.buildcache.check_key`).
        build: The key of the build, which adds the export formats and folder.
        out: The export folder.
        folders: The sources, ontology and texts folders (texts ``None`` when there are none).
        inputs: What the graph is made from, file by file (see :func:`graph.buildcache.check_key`).
    """

    check: str
    build: str
    out: Path
    folders: tuple[Path, Path, Path | None]
    inputs: dict[str, str] = field(default_factory=dict, compare=False)


def _keys(
    project: Path | str, out: Path | str | None, texts: Path | str | None, formats: Sequence[str], require_texts: bool
) -> _Keys:
    for name in formats:
        exporter(name)
    settings = load_project(project)
    out_dir = Path(out) if out is not None else settings.exports_dir
    folder = texts_folder(settings, texts, _silent, required=require_texts)
    inputs: dict[str, str] = {}
    checked = buildcache.check_key(settings.sources_dir, settings.ontology_dir, folder, inputs)
    built = buildcache.build_key_of(checked, formats, out_dir)
    return _Keys(checked, built, out_dir, (settings.sources_dir, settings.ontology_dir, folder), inputs)


def build_if_changed(
    project: Path | str = ".",
    out: Path | str | None = None,
    texts: Path | str | None = None,
    formats: Sequence[str] = DEFAULT_FORMATS,
    progress: Progress | None = None,
    require_texts: bool = False,
    jobs: int | None = None,
) -> CheckResult | UpToDate:
    """Like :func:`build`, but do nothing when the last build had the same content key.

    The key covers sources, ontology, shapes, texts, formats and the tool's version and
    code; the exports must also be as that build left them (size, time, inode).

    Raises:
        SourceError, QuoteError, ShapeError, ConfigError: As :func:`build`.
    """
    start = time.perf_counter()
    keys = _keys(project, out, texts, formats, require_texts)
    found = buildcache.up_to_date(keys.build, keys.out)
    if found is not None:
        outputs = tuple(keys.out / name for name in sorted(found.files))
        return UpToDate(keys.out, outputs, found.warnings, time.perf_counter() - start)
    return _build(project, keys, texts, formats, progress, require_texts, jobs)


def build(
    project: Path | str = ".",
    out: Path | str | None = None,
    texts: Path | str | None = None,
    formats: Sequence[str] = DEFAULT_FORMATS,
    progress: Progress | None = None,
    require_texts: bool = False,
    jobs: int | None = None,
) -> CheckResult:
    """Validate, then write the exports; nothing is written unless everything passes.

    Args:
        project: The project folder.
        out: Folder for the exports (default: the project's ``exports/``).
        texts: Folder with the source texts for the quote check (default: configured).
        formats: Export format names (see :func:`graph.export.formats`).
        progress: Called with one line per step.
        require_texts: Fail when no texts folder exists, instead of warning and going on.
        jobs: Processes that render the exports, this one included (see :func:`render_plan`):
            ``jobs - 1`` workers render while SHACL runs here, and this process takes what is
            left once SHACL is done; ``1`` renders them all here, after SHACL; ``None``
            chooses by size and machine. With workers, and when the cache holds a query
            store of an older ``kg.nt`` of ``out``, this process also loads the new one into
            the query store as soon as it is rendered, so that the next ``kg query`` does
            not have to.

    Returns:
        The check result with the files written.

    Raises:
        SourceError, QuoteError, ShapeError: The data has problems (exports untouched).
        ConfigError: The set-up is broken (exports untouched).
    """
    keys = _keys(project, out, texts, formats, require_texts)
    return _build(project, keys, texts, formats, progress, require_texts, jobs)


#: Smallest graph whose exports are rendered in worker processes when ``jobs`` is not
#: given: below it, starting the workers costs about as much as they save.
PARALLEL_FROM = 50_000


@dataclass(frozen=True)
class RenderPlan:
    """How a build renders its exports in parallel.

    Attributes:
        workers: Worker processes forked once the graph is built; they render while this
            process runs SHACL, and this process renders too once SHACL is done.
        groups: The exports in the order they are taken, a group at a time, by whichever
            process is free first (:class:`graph.forked.Claims`). Formats of one group (see
            :class:`~graph.export.Exporter`) share derived views, so they stay together.
        helpers: Whether a costly group may fork a helper for its other formats (see
            :data:`SPLIT_FROM_COST`): only when ``jobs`` leaves a process to spare beside
            this one and the workers. A helper beyond that would only take CPU time from
            the others: on two CPUs, this process (SHACL, then the RDF formats) and one
            worker (the network formats) already keep both busy, and a third process slowed
            this one, which finishes last.
    """

    workers: int
    groups: tuple[tuple[Exporter, ...], ...]
    helpers: bool = False


def render_plan(chosen: Sequence[Exporter], jobs: int | None, triples: int) -> RenderPlan | None:
    """How a build renders ``chosen`` with ``jobs`` processes, or ``None``: all here, after SHACL.

    ``jobs`` counts this process, so ``jobs - 1`` workers are forked (never more than
    there are groups, nor than fit in free memory: :func:`graph.forked.affordable_children`),
    and helpers only with a process to spare (:attr:`RenderPlan.helpers`). With
    ``jobs=None`` a graph of at least :data:`PARALLEL_FROM` triples gets one process per
    CPU. Costlier groups (see :attr:`~graph.export.Exporter.cost`) are taken first (ties
    in the order of ``chosen``), so that the cheap ones fill the gaps at the end.
    """
    from graph import forked

    if jobs is None:
        jobs = (os.cpu_count() or 1) if triples >= PARALLEL_FROM else 1
    groups: dict[str, list[Exporter]] = {}
    for chosen_exporter in chosen:
        groups.setdefault(chosen_exporter.group, []).append(chosen_exporter)
    workers = min(jobs - 1, len(groups)) if len(groups) > 1 and forked.available() else 0
    workers = forked.affordable_children(workers) if workers else 0
    if not workers:
        return None
    ordered = sorted(groups.values(), key=lambda g: -sum(e.cost for e in g))  # stable: ties as chosen
    return RenderPlan(workers, tuple(tuple(group) for group in ordered), helpers=workers + 1 < jobs)


@dataclass(frozen=True)
class _StoreJob:
    """The query store a build loads for ``kg query`` (see :func:`graph.store.adopt`)."""

    staging: Path
    files: tuple[Path, ...]

    def current(self, ntriples: Path) -> bool:
        """Whether the export ``kg.nt`` already holds the bytes in ``ntriples`` and has its store."""
        from graph import store
        from graph.fsutil import same_content

        return same_content(self.files[0], ntriples) and store.has_store(self.files)

    def patchable(self) -> bool:
        """Whether the cache has the store of the ``kg.nt`` before: then the new one is likely
        made by patching it (see :func:`graph.store.update_staged`), not by loading."""
        from graph import store

        return store.has_store(self.files)

    def load(self, ntriples: Path, timings: Timings) -> None:
        """Load the graph (a file with the bytes of its ``kg.nt`` to be) and the ontology; never fails the build."""
        from graph import store

        with timings.step(QUERY_STORE_STEP), contextlib.suppress(KGError, OSError):
            store.update_staged(self.staging, self.files, ntriples)


QUERY_STORE_STEP = "query store (for kg query)"
#: The step of a build with workers that waits for what they render.
WAIT_STEP = "render (waiting for the workers)"


def _store_job(project: Path | str, out_dir: Path, chosen: Sequence[Exporter], say: Progress) -> _StoreJob | None:
    from graph import store

    if not any(e.filename == NTRIPLES_FILE for e in chosen):
        return None
    try:
        files = store.store_files(project, [out_dir / NTRIPLES_FILE])
        if not store.queried(files[0]):
            return None
        return _StoreJob(store.staging_folder(), files)
    except KGError as exc:
        say(f"query store not prepared: {exc}")
        return None


#: A group of formats at least this costly (see :attr:`~graph.export.Exporter.cost`) makes
#: its shared views, then renders its first format while a forked helper renders the rest.
SPLIT_FROM_COST = 5.0


def _render_claimed(
    source: ExportInput,
    groups: Sequence[Sequence[Exporter]],
    claims: forked.Claims,
    helpers: bool,
    emit: forked.Emit,
    keep: Keep | None = None,
) -> dict[str, float]:
    """Render each group of ``groups`` not claimed by another process, handing each file over
    as it is done: the seconds per format. ``keep`` is shown the views of each group
    rendered before they are released (the seconds of its steps go with the formats').

    With ``helpers``, a group of :data:`SPLIT_FROM_COST` or more makes the views its formats
    share (the projection of the network formats), then forks a helper for all but its
    first format, which is rendered here meanwhile: the helper reads the views in place.
    """
    from graph import forked

    timings = Timings()
    for group in groups:
        if not claims.take(group[0].name):
            continue
        first, rest = group[0], group[1:]
        helper: forked.Child | None = None
        try:
            with timings.step(f"export {first.name}"):
                if helpers and rest and sum(e.cost for e in group) >= SPLIT_FROM_COST and forked.available():
                    for view in dict.fromkeys(v for e in group for v in e.views):
                        getattr(source, view)
                    names = ", ".join(e.filename for e in rest)
                    helper = forked.start(functools.partial(_render_each, source, rest), f"rendering {names}")
                content = first.render_pieces(source)
            emit(first.filename, content, durable=True)
            del content  # no rendered file is kept longer than needed
            if helper is None:
                timings.steps.update(_render_each(source, rest, emit))
            else:
                outputs, steps = helper.join()
                for chosen_exporter in rest:
                    emit(chosen_exporter.filename, outputs[chosen_exporter.filename])
                timings.steps.update(steps)
        finally:
            if helper is not None:
                helper.kill()
        if keep is not None:
            timings.steps.update(keep(source))
        source.release()  # the group's derived views: no other group reads them
    return timings.steps


def _render_each(source: ExportInput, exporters: Sequence[Exporter], emit: forked.Emit) -> dict[str, float]:
    """Render ``exporters`` one after the other, handing each file over as it is done."""
    timings = Timings()
    for chosen_exporter in exporters:
        with timings.step(f"export {chosen_exporter.name}"):
            content = chosen_exporter.render_pieces(source)
        emit(chosen_exporter.filename, content, durable=True)
        del content  # no rendered file is kept longer than needed
    return timings.steps


def _build(
    project: Path | str,
    keys: _Keys,
    texts: Path | str | None,
    formats: Sequence[str],
    progress: Progress | None,
    require_texts: bool,
    jobs: int | None,
) -> CheckResult:
    # The keys are computed before anything is read: a source edited during the build
    # makes the next build's key differ, never a stale "up to date".
    say = progress or _silent
    chosen = [exporter(name) for name in formats]
    # The collector is paused for the whole build, not step by step: between two steps it
    # would scan (and so write to) every object the build holds, seconds at a million
    # triples, and every page so written that a forked worker shares is copied.
    with gc_paused(), _ahead(chosen, jobs, say) as ahead:
        result = _build_with(project, keys, texts, chosen, say, require_texts, jobs, ahead)
    _record_check(keys, result)  # the build checked these inputs: kg validate need not again
    return result


def _build_with(
    project: Path | str,
    keys: _Keys,
    texts: Path | str | None,
    chosen: Sequence[Exporter],
    say: Progress,
    require_texts: bool,
    jobs: int | None,
    ahead: _Ahead,
) -> CheckResult:
    from graph import projectioncache
    from graph.build import build_graph

    out_dir = keys.out
    found: list[tuple[projectioncache.Inputs | None, projectioncache.Last | None, projectioncache.Patcher | None]] = []

    def loaded(dataset: Dataset, timings: Timings) -> None:
        # what the graph is made from, kept with its projection: the next build patches that
        # projection when only a few articles differ (see graph.projectioncache.patcher)
        inputs = projectioncache.Inputs.of(keys.inputs, dataset) if keys.inputs else None
        last = projectioncache.last_kept(out_dir) if inputs is not None else None
        patcher = projectioncache.patcher(last, inputs, say) if last is not None and inputs is not None else None
        found.append((inputs, last, patcher))
        if patcher is not None and jobs != 1 and network.possible(chosen):
            patching.append(patcher)  # the page is rendered ahead, laid out as last time mostly
        else:
            ahead.start(dataset, timings)

    def building(dataset: Dataset, timings: Timings) -> None:
        if patching:
            network.start(dataset, patching[0], chosen, out_dir, timings, say)

    patching: list[projectioncache.Patcher] = []  # the patcher of the network formats rendered ahead
    parts: list[_Started] = []  # the part of the graph built, if one was

    def build(dataset: Dataset) -> tuple[BuiltGraph, str]:
        inputs, last, _ = found[0]
        started = _start_part(dataset, chosen, out_dir, inputs, last, network)
        if started is not None:
            parts.append(started)
            part, count = started.part, len(started.part.changed)
            files = "1 changed article file reaches" if count == 1 else f"{count} changed article files reach"
            facts = f"{len(part.chosen)} of {len(dataset.facts)} facts"
            return part.built, f"built {len(part.built.graph)} triples, the part of the graph that {files} ({facts})"
        built = build_graph(dataset)
        return built, _built_line(built)

    network = _NetworkAhead()
    pending: _PendingChecks | None = None
    try:
        # With a part built, the checks beside the build are taken only before SHACL: the
        # build process splices kg.nt meanwhile (see _check_shapes).
        prepared = _prepare(project, texts, say, require_texts, loaded, jobs != 1, building, build, lambda: bool(parts))
        pending = prepared.pending
        try:
            started = parts[0] if parts else None
            return _write_from(project, prepared, keys, chosen, say, jobs, ahead, network, found[0], started)
        except Exception:
            if pending is not None and pending.found is None:
                pending.take(prepared.timings)  # a quote not found is reported first, as always
            raise
    finally:
        network.close()
        if pending is not None:
            pending.stop()


def _write_from(
    project: Path | str,
    prepared: CheckResult,
    keys: _Keys,
    chosen: Sequence[Exporter],
    say: Progress,
    jobs: int | None,
    ahead: _Ahead,
    network: _NetworkAhead,
    found: tuple[projectioncache.Inputs | None, projectioncache.Last | None, projectioncache.Patcher | None],
    started: _Started | None,
) -> CheckResult:
    """Splice, render, validate and write what ``prepared`` built (with ``started``, a part of
    the graph: then the whole graph if the part is not enough)."""
    from graph import partbuild

    dataset = prepared.dataset
    inputs, last, patcher = found
    splicing = _splicing(prepared, chosen, last, inputs)
    whole: int | None = None
    if started is not None and splicing[0] is None:
        prepared, started = _built_whole(prepared, say, "the last kg.nt cannot be spliced"), None
        splicing = _splicing(prepared, chosen, last, inputs)
    elif started is not None and splicing[0] is not None:  # the splice knows the whole graph's census
        splicing[0].census, whole = started.census, started.census.triples
        splicing = (splicing[0], None)  # each article's subjects: the splice's
    source = ExportInput(prepared.built.graph, dataset.ontology, patcher, *splicing, part_of=whole)
    try:
        return _write_built(project, prepared, source, keys, chosen, say, jobs, ahead, network, inputs, started)
    except partbuild.WholeNeeded as exc:
        if started is None:
            raise
        prepared = _built_whole(prepared, say, str(exc))
        splicing = _splicing(prepared, chosen, last, inputs)
        source = ExportInput(prepared.built.graph, dataset.ontology, patcher, *splicing)
        return _write_built(project, prepared, source, keys, chosen, say, jobs, ahead, network, inputs)


#: The step of a build that builds the whole graph after it built a part that was not
#: enough (see :mod:`graph.partbuild`).
WHOLE_AFTER_PART_STEP = "build (the whole graph, after the part)"


def _start_part(
    dataset: Dataset,
    chosen: Sequence[Exporter],
    out_dir: Path,
    inputs: projectioncache.Inputs | None,
    last: projectioncache.Last | None,
    network: _NetworkAhead,
) -> _Started | None:
    """The part of the graph of ``dataset`` a build needs after an edit of a few articles
    (see :mod:`graph.partbuild`), if a part is enough: ``kg.nt`` is written from the last
    build's, validated by what changed, and the network formats (if chosen) are rendered
    ahead (see :class:`_NetworkAhead`)."""
    from graph import partbuild, projectioncache

    if inputs is None or last is None or not any(e.filename == NTRIPLES_FILE for e in chosen):
        return None
    if network.child is None and _NetworkAhead._formats(chosen):
        return None  # the network formats are rendered from the whole graph here
    changed = projectioncache.spliced_files(last, inputs)
    if changed is None:
        return None  # kg.nt is not spliced
    basis = _basis(chosen, out_dir, inputs)
    if basis is None or basis.census is None:
        return None  # validated whole
    try:
        return _Started(partbuild.start(dataset, changed, last.inputs.subjects), basis, basis.census)
    except partbuild.WholeNeeded:
        return None


@dataclass(frozen=True)
class _Started:
    """The part of the graph a build built (see :func:`_start_part`), with what the last build
    validated (read once) and the census of its graph."""

    part: partbuild.Part
    basis: changes.Basis
    census: changes.Census


def _built_whole(prepared: CheckResult, say: Progress, why: str) -> CheckResult:
    """``prepared`` with the whole graph of its dataset, built after a part was not enough (``why``)."""
    from graph.build import build_graph

    say(f"{why}: building the whole graph")
    with prepared.timings.step(WHOLE_AFTER_PART_STEP):
        built = build_graph(prepared.dataset)
    say(_built_line(built))
    return replace(prepared, built=built, whole_triples=None)


def _write_built(
    project: Path | str,
    prepared: CheckResult,
    source: ExportInput,
    keys: _Keys,
    chosen: Sequence[Exporter],
    say: Progress,
    jobs: int | None,
    ahead: _Ahead,
    network: _NetworkAhead,
    inputs: projectioncache.Inputs | None,
    started: _Started | None = None,
) -> CheckResult:
    """Render, validate and write what ``prepared`` built (with ``started``, only the part of
    the graph an edit reaches: see :mod:`graph.partbuild`).

    Raises:
        graph.partbuild.WholeNeeded: When the part is not enough (nothing is written then).
    """
    from graph import partbuild

    key, out_dir = keys.build, keys.out
    # Rendering does not wait for SHACL: workers render while it runs, and what they
    # made is thrown away if the graph does not conform.
    plan = render_plan(chosen, jobs, source.size)
    # A large build whose exports were queried before (the cache has a store of an older
    # kg.nt) loads the new kg.nt into the query store while its workers render the rest:
    # seconds of CPU at a million triples, worth it only for a graph that is queried. A
    # small build leaves that to the first kg query: it costs about 0.3 s at any size.
    job = _store_job(project, out_dir, chosen, say) if plan else None
    if plan is None:
        network.close()  # this process renders everything, the network formats too
    try:
        result, written = _render_and_write(
            prepared, source, chosen, plan, job, key, out_dir, say, inputs, network, started
        )
        if job is not None:
            ready = _adopt(job)
            say("query store ready for kg query" if ready else "query store not prepared (kg query loads it)")
    finally:
        if job is not None:
            shutil.rmtree(job.staging, ignore_errors=True)
    ahead.finish(result.timings)
    return CheckResult(
        result.dataset,
        partbuild.WholeLater(result.dataset) if started is not None else result.built,
        result.quotes,
        result.warnings,
        result.timings,
        tuple(written),
        tuple(sorted(out_dir / e.filename for e in chosen)),
        whole_triples=result.whole_triples,
    )


#: The step of a build that starts the worker rendering the network formats ahead (see
#: :class:`_NetworkAhead`), and the steps of that worker.
NETWORK_AHEAD_STEP = "start the network formats ahead"
READ_KEPT_STEP = "read the last projection"
PATCH_STEP = "patch the projection (from the part of the graph it reads)"


class _NetworkAhead:
    """The network formats (the page, GraphML, GEXF) rendered by a worker forked before the
    graph is built, when the last build's projection can be patched: the worker builds the
    part of the graph the patch reads (:func:`graph.projection.patch_part`, about a tenth
    of the triples after an edit of one article of thousands), patches the projection and
    renders from it, while this process builds the whole graph, its RDF formats and
    SHACL. Forked after the graph is built, the worker started that work seconds later, at
    a million triples the longest path of the build.

    What the worker renders is used only if this process gets as far as writing the export
    set; what it could not render (the kept projection was gone, or the patch gave up) this
    process renders itself.
    """

    def __init__(self) -> None:
        self.child: forked.Child | None = None
        self.folder: Path | None = None
        self.formats: tuple[Exporter, ...] = ()
        self.say: Progress = _silent
        self.joined: dict[str, Path] | None = None  # what join found, once it has

    @staticmethod
    def possible(chosen: Sequence[Exporter]) -> bool:
        """Whether a worker can be started to render ``chosen``'s network formats."""
        from graph import forked

        return bool(_NetworkAhead._formats(chosen)) and forked.available() and forked.affordable_children(1) > 0

    @staticmethod
    def _formats(chosen: Sequence[Exporter]) -> tuple[Exporter, ...]:
        return tuple(e for e in chosen if e.views == ("projection",))

    def start(
        self,
        dataset: Dataset,
        patcher: projectioncache.Patcher,
        chosen: Sequence[Exporter],
        out_dir: Path,
        timings: Timings,
        say: Progress,
    ) -> None:
        """Start the worker (where :meth:`possible` says it can be), and say so."""
        from graph import forked

        formats = self._formats(chosen)
        keep = any(e.filename == NTRIPLES_FILE for e in chosen)
        work = functools.partial(_render_network, dataset, patcher, formats, keep)
        with timings.step(NETWORK_AHEAD_STEP):
            folder = render_folder(out_dir)  # beside the export folder: its files are linked into the set
            try:
                self.child = forked.start(work, "rendering the network formats", folder)
            except KGError:
                shutil.rmtree(folder, ignore_errors=True)
                return
        self.folder, self.formats, self.say = folder, formats, say
        names = ", ".join(e.filename for e in formats)
        say(f"rendering {names} in a worker process from the last build's projection while the graph is built")

    def join(self, timings: Timings) -> dict[str, Path]:
        """The files the worker rendered, by name (its projection as :data:`KEPT_PART`), with
        its steps and memory added to ``timings``; none if it failed. Asked again (a build
        that starts again with the whole graph, see :mod:`graph.partbuild`), the same files."""
        child = self.child
        if child is None:
            return {}
        if self.joined is not None:
            return self.joined
        self.joined = {}
        with timings.step(WAIT_STEP):
            try:
                parts, steps = child.join()
            except Exception as exc:  # it failed or died: this process renders what it would have
                why = str(exc) if isinstance(exc, KGError) else f"{child.label}: {type(exc).__name__}: {exc}"
                self.say(f"{why}; rendering {', '.join(e.filename for e in self.formats)} here")
                return {}
        timings.workers.update(steps)
        timings.workers_memory += child.private
        self.joined = parts
        return parts

    def close(self) -> None:
        """Stop the worker if it still runs and remove what it rendered."""
        if self.child is not None:
            self.child.kill()
            self.child = None
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


def _render_network(
    dataset: Dataset,
    patcher: projectioncache.Patcher,
    formats: Sequence[Exporter],
    keep: bool,
    emit: forked.Emit,
) -> dict[str, float]:
    """In the worker of :class:`_NetworkAhead`: the network ``formats`` rendered from the last
    build's projection patched, each handed over as it is done, and (with ``keep``) the
    projection pickled apart from its inputs (:func:`graph.projectioncache.pickle_apart`).
    Nothing is rendered when the projection cannot be patched."""
    from graph import projectioncache
    from graph.build import build_graph
    from graph.projection import patch_part

    # At the build's own priority, not the checks' (see _start_source_checks): once the
    # build process builds only the part of the graph an edit reaches, this is the longer
    # path (2.86 s against 3.21 s at the checks' priority, medians at a million triples).
    timings = Timings()
    with timings.step(READ_KEPT_STEP):
        earlier = patcher.read()
    if earlier is None:
        return timings.steps
    with timings.step(PATCH_STEP):
        part = build_graph(patch_part(dataset, earlier, patcher.changed))
        projection = patcher(part.graph, dataset.ontology)
    if projection is None:
        return timings.steps
    source = ExportInput(part.graph, dataset.ontology)
    source.__dict__["projection"] = projection  # never projected from the part: it is not the graph
    timings.steps.update(_render_each(source, formats, emit))
    if keep:
        start = time.perf_counter()
        out = io.BytesIO()
        try:
            projectioncache.pickle_apart(out, projection)
        except (pickle.PicklingError, RecursionError, MemoryError):
            return timings.steps  # only the next command's shortcut is lost
        emit(KEPT_PART, out.getvalue())
        timings.steps[KEEP_PROJECTION_STEP] = time.perf_counter() - start
    return timings.steps


def _splicing(
    prepared: CheckResult,
    chosen: Sequence[Exporter],
    last: projectioncache.Last | None,
    inputs: projectioncache.Inputs | None,
) -> tuple[ntsplice.Plan | None, Callable[[], Mapping[str, bytes]] | None]:
    """How ``kg.nt`` is written from the one the ``last`` build wrote (:mod:`graph.ntsplice`),
    if it can be, and what makes each article's subjects for the next build to do so (asked
    only where a projection is kept); ``None`` for both when ``kg.nt`` is not among the
    exports or the inputs are unknown."""
    from graph import ntsplice, projectioncache

    if inputs is None or not any(e.filename == NTRIPLES_FILE for e in chosen):
        return None, None
    built, dataset = prepared.built, prepared.dataset
    found = projectioncache.splice_plan(last, inputs, built, dataset) if last is not None else None
    return found, functools.partial(ntsplice.article_subjects, built, dataset)


#: The step of a build that starts work ahead (see :class:`_Ahead`).
AHEAD_STEP = "start the layout ahead"
#: The step the process ahead runs, among the workers' steps.
LAYOUT_AHEAD_STEP = "layout ahead (while building)"


class _Ahead:
    """The page's layout, computed by another process while this one builds the graph
    (see :mod:`graph.ahead`): started once the sources are loaded, in a build that renders
    the page and may use more than one process."""

    def __init__(self, chosen: Sequence[Exporter], jobs: int | None, say: Progress) -> None:
        self.wanted = jobs != 1 and any(e.name == "html" for e in chosen)
        self.say = say
        self.work: ahead.Ahead | None = None

    def start(self, dataset: Dataset, timings: Timings) -> None:
        from graph import ahead

        if self.wanted:
            with timings.step(AHEAD_STEP):
                self.work = ahead.start(dataset)
            if self.work is not None:
                self.say("laying out the page in another process while the graph is built")

    def finish(self, timings: Timings) -> None:
        """Take the step time of the work, if it has ended, into ``timings`` (not waiting for it)."""
        outcome = self.work.outcome() if self.work is not None else None
        if outcome is not None:
            timings.workers[LAYOUT_AHEAD_STEP], timings.ahead_memory = outcome

    def close(self) -> None:
        """Stop work still running (the build no longer needs it) and clean up."""
        if self.work is not None:
            self.work.close()


@contextmanager
def _ahead(chosen: Sequence[Exporter], jobs: int | None, say: Progress) -> Iterator[_Ahead]:
    work = _Ahead(chosen, jobs, say)
    try:
        yield work
    finally:
        work.close()


def _adopt(job: _StoreJob) -> bool:
    """Make the loaded store the query store of the written exports: whether one is ready."""
    from graph import store

    return store.adopt(job.staging, job.files) or store.has_store(job.files)


def _render_and_write(
    prepared: CheckResult,
    source: ExportInput,
    chosen: Sequence[Exporter],
    plan: RenderPlan | None,
    job: _StoreJob | None,
    key: str,
    out_dir: Path,
    say: Progress,
    inputs: projectioncache.Inputs | None = None,
    network: _NetworkAhead | None = None,
    started: _Started | None = None,
) -> tuple[CheckResult, list[Path]]:
    """Run SHACL while the workers of ``plan`` render, render here after it, then write the set
    (``inputs``, what the graph is made from, goes with the projection it keeps). With
    ``plan``, the formats ``network`` renders ahead are taken from there (see :class:`_NetworkAhead`).
    With ``started``, the graph of ``prepared`` is the part of the graph an edit reaches (see
    :mod:`graph.partbuild`): it grows as validating by what changed needs.

    Returns:
        The checked result and the files whose content changed.
    """
    from graph import forked, partbuild, projectioncache

    children: list[forked.Child] = []
    # beside the export folder: what is rendered there is linked into the new set, not copied
    folder = render_folder(out_dir) if plan else None
    keeping: list[forked.Child] = []  # the child keeping the projection (see _start_keeping)
    # What the last build validated: then kg.nt is rendered first, and what differs from
    # the last one says which nodes to validate (see graph.changes).
    basis = started.basis if started is not None else _basis(chosen, out_dir, inputs)
    part = started.part if started is not None else None
    try:  # every worker is stopped (if need be) and every rendered file removed when this ends
        rendered: dict[str, Content] = {}
        kept_apart: Path | None = None  # the projection the worker ahead pickled
        if plan is not None and folder is not None:
            groups = plan.groups
            if job is not None or basis is not None:  # kg.nt first (for the query store, or to validate by it)
                groups = tuple(
                    tuple(sorted(g, key=lambda e: e.filename != NTRIPLES_FILE))
                    for g in sorted(groups, key=lambda g: all(e.filename != NTRIPLES_FILE for e in g))
                )
            claims = forked.Claims(folder)
            # kg.nt's group is rendered here, before SHACL, when it says what to validate:
            # claimed before the workers start, so that none takes it
            mine = groups[0] if basis is not None and groups[0][0].filename == NTRIPLES_FILE else None
            if mine is not None and not claims.take(mine[0].name):
                mine = None
            # the groups the worker started ahead renders, claimed for it (one worker fewer)
            ahead_names = {e.filename for e in network.formats} if network is not None and network.child else set()
            by_ahead = [g for g in groups if ahead_names and all(e.filename in ahead_names for e in g)]
            by_ahead = [g for g in by_ahead if claims.take(g[0].name)]
            workers = max(0, plan.workers - len(by_ahead))
            if by_ahead and not workers and mine is not None and len(mine) > 1 and source.splice is not None:
                # The worker this leaves free renders the rest of kg.nt's group while this
                # process validates: spliced, they share no view (see graph.docsplice).
                groups = (mine[:1], mine[1:], *(g for g in groups if g is not mine))
                mine, workers = groups[0], 1
            # a worker that renders the network formats hands their projection over to be kept
            kept_there = functools.partial(_keep_in_worker, chosen=chosen, inputs=inputs, into=folder / KEPT_FILE)
            work = functools.partial(_render_claimed, source, groups, claims, plan.helpers, keep=kept_there)
            children = [forked.start(work, "rendering the exports", folder) for _ in range(workers)]
            count = len(children)
            if count:
                say(f"rendering the exports in {count} worker process{'es' if count > 1 else ''} while SHACL runs")

            def keep(views: ExportInput) -> dict[str, float]:
                if not keeping:
                    keeping.extend(filter(None, [_start_keeping(views, chosen, folder, inputs)]))
                return {}

            own: dict[str, Path] = {}
            focus = None
            if mine is not None and basis is not None:
                taken = forked.Taken(folder, mine[0].name)
                _render_here(source, [mine], taken, plan.helpers, folder / "here", prepared.timings, keep, own)
                if source.splice is not None:  # made from the last kg.nt: which lines differ is known
                    source.splice.written(own[NTRIPLES_FILE])
                focus, prepared = _focused(prepared, basis, own[NTRIPLES_FILE], source, part)
            if part is not None and focus is None:
                raise partbuild.WholeNeeded("kg.nt was not rendered before SHACL")
            result = _check_shapes(prepared, say, focus)
            debug_point("build:validated")
            # With a query store to load whole (seconds at a million triples): if a worker
            # renders kg.nt, load it as soon as it is there, and take what is left
            # afterwards; else (no worker has claimed it yet) render it here first. A store
            # patched from the one before (about a second) waits until this process has
            # rendered what it takes.
            loaded = job is None
            if job is not None and not job.patchable():
                leading = groups[0][0].name  # kg.nt's group
                if mine is None and claims.take(leading):  # claimed here: no worker renders it
                    taken = forked.Taken(folder, leading)
                    _render_here(source, groups[:1], taken, plan.helpers, folder / "here", result.timings, keep, own)
                loaded = _load_store(job, children, own.get(NTRIPLES_FILE), result.timings)
            _render_here(source, groups, claims, plan.helpers, folder / "here", result.timings, keep, own)
            rendered.update({name: Rendered(path) for name, path in own.items()})
            if not loaded and job is not None:
                _load_store(job, children, own.get(NTRIPLES_FILE), result.timings)
            for child in children:
                with result.timings.step(WAIT_STEP):
                    parts, steps = child.join()  # files in the worker's folder, not read into memory
                rendered.update({name: Rendered(path) for name, path in parts.items()})
                result.timings.workers.update(steps)
                result.timings.workers_memory += child.private
            if by_ahead and network is not None:
                parts = network.join(result.timings)
                for group in by_ahead:
                    if all(e.filename in parts for e in group):
                        rendered.update({e.filename: Rendered(parts[e.filename]) for e in group})
                        kept_apart = parts.get(KEPT_PART)
                    else:  # the worker could not patch the projection: rendered here
                        _render_here(
                            source,
                            [group],
                            forked.Taken(folder, group[0].name),
                            plan.helpers,
                            folder / "here",
                            result.timings,
                            keep,
                            own,
                        )
                        rendered.update({e.filename: Rendered(own[e.filename]) for e in group})
            for chosen_exporter in chosen:
                debug_point(f"build:rendered {chosen_exporter.name}")
            rendered = {e.filename: rendered[e.filename] for e in chosen}  # in the order asked for
        else:
            focus = None
            if basis is not None:  # kg.nt first: what differs from the last one says what to validate
                ntriples = next(e for e in chosen if e.filename == NTRIPLES_FILE)
                with prepared.timings.step(f"export {ntriples.name}"):
                    rendered[ntriples.filename] = first = ntriples.render(source)
                focus, prepared = _focused(prepared, basis, first, source, part)
            if part is not None and focus is None:
                raise partbuild.WholeNeeded("the last build's validation is not known")
            result = _check_shapes(prepared, say, focus)
            debug_point("build:validated")
            for chosen_exporter in chosen:
                if chosen_exporter.filename not in rendered:
                    with result.timings.step(f"export {chosen_exporter.name}"):
                        rendered[chosen_exporter.filename] = chosen_exporter.render(source)
                debug_point(f"build:rendered {chosen_exporter.name}")
            rendered = {e.filename: rendered[e.filename] for e in chosen}  # in the order asked for
        with result.timings.step("write"):
            written = replace_export_set(out_dir, rendered)
        if plan is None:
            _keep_here(source, chosen, inputs, key, out_dir, result.timings)
        for child in keeping:
            _keep_projection(child, key, out_dir, result.timings)
        if folder is not None and (folder / KEPT_FILE).is_file():  # a worker pickled it (see _keep_in_worker)
            _file_projection(folder / KEPT_FILE, key, out_dir)
        if kept_apart is not None and source.size >= projectioncache.KEEP_FROM_TRIPLES:
            with contextlib.suppress(OSError):
                _file_projection(projectioncache.with_inputs(kept_apart, _with_subjects(inputs, source)), key, out_dir)
    except OSError as exc:  # rendering into the folder beside the exports (a full disk, say), here or in a worker
        raise cannot_write(out_dir, exc) from exc
    except forked.NoResult as exc:  # a worker that could not even write that it failed there
        if exc.errno is None:
            raise
        raise cannot_write(out_dir, OSError(exc.errno, os.strerror(exc.errno))) from exc
    finally:
        for child in [*children, *keeping]:
            child.kill()
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
    say(f"wrote {len(written)} of {len(rendered)} files in {out_dir} ({len(rendered) - len(written)} unchanged)")
    outputs = tuple(sorted(out_dir / name for name in rendered))
    buildcache.record(key, out_dir, outputs, [warning_line(w) for w in result.warnings])
    census = source.splice.census_now(source.graph) if part is not None and source.splice is not None else None
    _keep_results(result, chosen, key, out_dir, inputs, census)
    return result, written


#: The step of a build's child (or, with ``--jobs 1``, of the build) that pickles the
#: projection for kg stats, path and viz, and the build's step that waits for that child
#: (see :func:`_start_keeping`, :func:`_keep_here`).
KEEP_PROJECTION_STEP = "keep the projection"
KEEP_WAIT_STEP = "keep the projection (waiting)"


#: The part the child keeping the projection hands over (see :func:`_start_keeping`).
KEPT_PART = "projection"
#: The file in the render folder where a worker pickles the projection (see :func:`_keep_in_worker`).
KEPT_FILE = "kept.projection"
#: A hook :func:`_render_claimed` shows the views of each group it rendered (see there).
Keep = Callable[[ExportInput], dict[str, float]]


def _keepable(source: ExportInput, chosen: Sequence[Exporter]) -> bool:
    """Whether the projection of ``source`` is to be kept (see :func:`_start_keeping`)."""
    from graph import projectioncache

    return (
        "projection" in source.__dict__
        and source.size >= projectioncache.KEEP_FROM_TRIPLES
        and any(e.filename == NTRIPLES_FILE for e in chosen)
    )


def _keep_in_worker(
    source: ExportInput,
    chosen: Sequence[Exporter],
    inputs: projectioncache.Inputs | None,
    into: Path,
) -> dict[str, float]:
    """In a worker that rendered the network formats, what :func:`_start_keeping` does in the
    build process: the projection pickled into the file ``into`` (the worker has no other
    work left by then; the build process files it after the export set is written). A
    projection that cannot be pickled costs only the shortcut."""
    from graph import projectioncache

    if not _keepable(source, chosen):
        return {}
    start = time.perf_counter()
    try:
        with open(into, "wb") as out:
            projectioncache.pickle_into(out, source.projection, _with_subjects(inputs, source))
    except (pickle.PicklingError, RecursionError, MemoryError, OSError):
        into.unlink(missing_ok=True)
        return {}
    return {KEEP_PROJECTION_STEP: time.perf_counter() - start}


def _with_subjects(inputs: projectioncache.Inputs | None, source: ExportInput) -> projectioncache.Inputs | None:
    """``inputs`` with each article's subjects in ``kg.nt``, for the next build to splice it (see
    :mod:`graph.ntsplice`), when they are known."""
    subjects = source.subjects if inputs is not None else None
    return replace(inputs, subjects=subjects) if inputs is not None and subjects else inputs


def _keep_here(
    source: ExportInput,
    chosen: Sequence[Exporter],
    inputs: projectioncache.Inputs | None,
    key: str,
    out_dir: Path,
    timings: Timings,
) -> None:
    """For a build in one process (``--jobs 1``), what :func:`_start_keeping` has a child do:
    the projection pickled here, after the export set is written (about a second at a
    million triples, which the next build's patch and the next ``kg path`` win back many
    times over). A projection that cannot be pickled or written costs only the shortcut."""
    from graph import projectioncache

    if not _keepable(source, chosen):
        return
    with timings.step(KEEP_PROJECTION_STEP):
        try:
            pickled = projectioncache.pickled(source.projection, _with_subjects(inputs, source))
        except (pickle.PicklingError, RecursionError, MemoryError, OSError):
            return
        _file_projection(pickled, key, out_dir)


def _file_projection(pickled: bytes | Path, key: str, out_dir: Path) -> None:
    """Keep the projection ``pickled`` (or pickled into that file) for the ``kg.nt`` just
    written (one that cannot be read or written costs only the next command's shortcut)."""
    from graph import projectioncache

    identity = buildcache.identity(out_dir / NTRIPLES_FILE)
    if identity is not None:
        projectioncache.write_pickled(key, out_dir, identity, pickled)


def _start_keeping(
    source: ExportInput, chosen: Sequence[Exporter], folder: Path, inputs: projectioncache.Inputs | None = None
) -> forked.Child | None:
    """A child forked to pickle the whole graph's projection for :mod:`graph.projectioncache`,
    so that the first ``kg stats``, ``kg path`` or ``kg viz`` after the build reads it
    instead of ``kg.nt`` (12 to 20 s at a million triples): if ``source`` has it (this
    process rendered a network format from it), the graph has
    :data:`~graph.projectioncache.KEEP_FROM_TRIPLES` or more, and ``kg.nt`` is among the
    exports (a kept projection is read only with the ``kg.nt`` it belongs to). Pickling
    takes a second or so at a million triples, in the child, while this process goes on.
    """
    from graph import forked, projectioncache

    if not _keepable(source, chosen) or not forked.available():
        return None
    projection = source.projection

    def work(emit: forked.Emit) -> dict[str, float]:
        start = time.perf_counter()
        emit(KEPT_PART, projectioncache.pickled(projection, _with_subjects(inputs, source)))
        return {KEEP_PROJECTION_STEP: time.perf_counter() - start}

    try:
        return forked.start(work, "keeping the projection", folder)
    except KGError:
        return None  # only the next command's shortcut is lost


def _keep_projection(child: forked.Child, key: str, out_dir: Path, timings: Timings) -> None:
    """Keep what ``child`` pickled (see :func:`_start_keeping`) for the ``kg.nt`` just written."""

    try:
        with timings.step(KEEP_WAIT_STEP):
            parts, steps = child.join()
    except (KGError, OSError, pickle.PicklingError, RecursionError, MemoryError):
        return  # the child died, or could not pickle or write: only the next command's shortcut is lost
    timings.workers.update(steps)
    _file_projection(parts[KEPT_PART], key, out_dir)
    child.release()


def _render_here(
    source: ExportInput,
    groups: Sequence[Sequence[Exporter]],
    claims: forked.Claims,
    helpers: bool,
    folder: Path,
    timings: Timings,
    keep: Keep | None = None,
    files: dict[str, Path] | None = None,
) -> dict[str, Path]:
    """Render in this process what no worker has claimed, each file into ``folder``: the files
    by name, added to ``files`` if given (``keep``: see :func:`_render_claimed`)."""
    from graph import forked

    folder.mkdir(exist_ok=True)
    files = {} if files is None else files

    def emit(name: str, content: bytes | Sequence[Piece] | Path | Kept, durable: bool = False) -> None:
        path = files[name] = folder / str(len(files))
        forked.write_content(path, content, durable)

    for step, seconds in _render_claimed(source, groups, claims, helpers, emit, keep).items():
        timings.steps[step] = timings.steps.get(step, 0.0) + seconds
    return files


def _load_store(job: _StoreJob, children: Sequence[forked.Child], here: Path | None, timings: Timings) -> bool:
    """Load the query store from the new kg.nt (``here``, else once a worker has it): whether
    it was loaded or found loaded already (``False``: no worker made it; its join says why)."""
    from graph import forked

    ntriples = here
    if ntriples is None:
        with timings.step(WAIT_STEP):
            ntriples = forked.first_emitted(children, NTRIPLES_FILE)
    if ntriples is None:
        return False
    if not job.current(ntriples):  # kg.nt unchanged and its store cached already: nothing to load
        # In this process only: Oxigraph's database runs threads of its own, which a process
        # forked after they started must not use.
        job.load(ntriples, timings)
    return True


def export(
    project: Path | str = ".",
    format: str = "turtle",
    output: Path | str | None = None,
    texts: Path | str | None = None,
    progress: Progress | None = None,
) -> bytes:
    """Validate like ``build``, then render one format (see :func:`graph.export.formats`).

    When the last ``kg build`` of the project (all formats, into its ``exports/``) is up to
    date (see :func:`build_if_changed`), its file of the format is the rendering (exports
    are deterministic) and is read instead: nothing is checked or rendered again.

    Args:
        project: The project folder.
        format: The export format's name.
        output: File to write atomically; ``None`` or ``-`` writes nothing.
        texts: Folder with the source texts for the quote check (default: configured).
        progress: Called with one line per step.

    Returns:
        The rendered bytes.

    Raises:
        ConfigError: For an unknown format or a broken set-up (nothing written).
        SourceError, QuoteError, ShapeError: The data has problems (nothing written).
    """
    chosen = exporter(format)
    content = _exported(project, chosen, texts, progress or _silent)
    if content is None:
        result = validate(project, texts=texts, progress=progress)
        content = chosen.render(ExportInput(result.built.graph, result.dataset.ontology))
    if output is not None and str(output) != "-":
        write_atomically({Path(output): content})
    return content


def _exported(project: Path | str, chosen: Exporter, texts: Path | str | None, say: Progress) -> bytes | None:
    """The file of ``chosen`` that the last build of all formats wrote, if that build is up
    to date and the file is still the one it wrote once read; else ``None``."""
    keys = _keys(project, None, texts, DEFAULT_FORMATS, False)
    record = buildcache.up_to_date(keys.build, keys.out)
    if record is None or chosen.filename not in record.files:
        return None
    path = keys.out / chosen.filename
    try:
        content = path.read_bytes()
    except OSError:
        return None
    if buildcache.identity(path) != record.files[chosen.filename]:  # a build replaced it meanwhile
        return None
    say(f"read {path} (the last build's, up to date with sources/)")
    return content
