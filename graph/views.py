"""The library behind ``kg viz``, ``kg stats`` and ``kg path``.

Each function takes the same keyword arguments as its command's options, reads the graph
from the export when the last ``kg build`` is up to date (else loads the project, both
phases of :func:`graph.pipeline.load`, so every fact is sourced, and builds the graph),
projects it onto its entities (a projection that took long is kept for the next command,
see :mod:`graph.projectioncache`) and selects the view (:func:`graph.projection.select`).
SHACL and the quote check are ``kg build``'s and ``kg validate``'s job; a view of sources
that do not load is never drawn. Nothing here prints; progress goes to a callback. The
cyclic garbage collector is paused while a command's view is loaded and used
(:func:`graph.gcpause.gc_paused`, as ``kg build`` does for each step).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import networkx as nx

from graph import buildcache, pipeline
from graph.analysis import Hop, Stats, compute_stats, shortest_paths
from graph.fsutil import write_atomically
from graph.gcpause import gc_paused
from graph.project import load_project
from graph.projection import Projection, SelectionError, project, select
from graph.viz import Filters, render_html

Progress = Callable[[str], None]
HTML_NAME = "kg.html"


def _silent(message: str) -> None:
    pass


def load_view(
    project_dir: Path | str = ".",
    focus: Sequence[str] = (),
    depth: int = 1,
    types: Sequence[str] = (),
    sources: Sequence[str] = (),
    as_of: str | None = None,
    undated: bool = False,
    progress: Progress | None = None,
) -> Projection:
    """Load the project and select a view of its entity projection.

    Raises:
        SourceError, ConfigError: The project does not load.
        SelectionError: The view names an unknown entity, class or source, or a bad date.
    """
    say = progress or _silent
    view = _focused(project_dir, focus, depth, say) if focus and not (types or sources or as_of) else None
    if view is None:
        whole = _whole(project_dir, say)
        view = select(whole, focus=focus, depth=depth, types=types, sources=sources, as_of=as_of, undated=undated)
    entities, relations = view.size()
    say(f"view: {entities} entities, {relations} relations")
    return view


def _whole(project_dir: Path | str, say: Progress) -> Projection:
    """The projection of the whole graph: of the export when it is up to date, kept in the
    cache for the next command when it took long (see :mod:`graph.projectioncache`); else
    of the graph built from ``sources/``."""
    from graph import projectioncache

    export = pipeline.current_export(project_dir)
    if export is None:
        from graph.build import build_graph

        dataset = pipeline.load(project_dir)
        return project(build_graph(dataset).graph, dataset.ontology)
    kept = projectioncache.read(export.key, export.out, export.identity)
    if kept is not None:
        say(f"read the projection of {export.out / pipeline.NTRIPLES_FILE} from the cache (up to date with sources/)")
        return kept
    start = time.perf_counter()
    graph, ontology = pipeline.read_export(project_dir, export, say)
    whole = project(graph, ontology)
    # kept only if the file read is still the one the build wrote (no build replaced it meanwhile)
    still = buildcache.identity(export.out / pipeline.NTRIPLES_FILE) == list(export.identity)
    if still and time.perf_counter() - start >= projectioncache.KEEP_FROM:
        projectioncache.write(export.key, export.out, export.identity, whole)
    return whole


def _focused(project_dir: Path | str, focus: Sequence[str], depth: int, say: Progress) -> Projection | None:
    """The focused view, projected from just the part of the graph it needs (see
    :mod:`graph.focus`), or ``None`` when the whole graph is needed."""
    from graph.focus import focused_graph
    from graph.ontology import load_ontology

    if depth < 0:
        return None  # select() says why
    ontology = load_ontology(load_project(project_dir).ontology_dir)
    found = focused_graph(project_dir, ontology, focus, depth, say)
    if found is None:
        return None
    graph, entities = found
    view = select(project(graph, ontology), focus=focus, depth=depth)
    return replace(view, network=_in_order(view.network, entities))


def _in_order(network: Any, entities: int) -> Any:
    """``network`` with its nodes in the order a view of the whole projection (``entities``
    nodes) has them, which orders what depends on it (sampled betweenness).

    ``networkx`` copies a subgraph in the order of the set of its nodes when they are fewer
    than half of the graph's, else in the graph's (sorted) order; the adjacency of each node
    is the same in both projections, so only the order of the nodes can differ.
    """
    wanted = sorted(network)
    order = list(set(wanted)) if 2 * len(wanted) < entities else wanted
    if list(network) == order:
        return network
    ordered = nx.MultiDiGraph()
    ordered.add_nodes_from((node, network.nodes[node]) for node in order)
    ordered.add_edges_from(
        (u, v, key, data) for u in order for v, keyed in network.adj[u].items() for key, data in keyed.items()
    )
    return ordered


@dataclass(frozen=True)
class VizResult:
    """What ``viz`` wrote."""

    output: Path | None
    html: bytes
    nodes: int
    edges: int
    changed: bool


def viz(
    project: Path | str = ".",
    output: Path | str | None = None,
    focus: Sequence[str] = (),
    depth: int = 1,
    types: Sequence[str] = (),
    sources: Sequence[str] = (),
    as_of: str | None = None,
    undated: bool = False,
    lang: str = "de",
    title: str | None = None,
    progress: Progress | None = None,
) -> VizResult:
    """Write the network as one self-contained HTML page.

    Args:
        project: The project folder.
        output: The file to write; ``-`` writes nothing (the caller prints ``html``). Default:
            ``exports/kg.html`` for the whole graph. A focused view must name its file, so
            the committed ``exports/kg.html`` always shows everything.
        focus: Entity ids (or exact names) to centre the view on.
        depth: How many edges away from ``focus`` to include.
        types: Only entities of these classes (and their subclasses).
        sources: Only facts stated in these sources (ids).
        as_of: Only facts that held on this date (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``).
        undated: With ``as_of``, keep facts without any date too.
        lang: Language of labels and controls (``de`` or ``en``).
        title: Heading of the page.
        progress: Called with one line per step.

    Raises:
        SelectionError: A focused view without ``output``, or an unknown entity, class or source.
    """
    focused = bool(focus or types or sources or as_of)
    if focused and output is None:
        raise SelectionError(
            "a focused view (--focus, --type, --source, --as-of) needs --output FILE; exports/kg.html shows everything"
        )
    filters = Filters(tuple(focus), depth, tuple(types), tuple(sources), as_of, undated) if focused else None
    with gc_paused():
        view = load_view(project, focus, depth, types, sources, as_of, undated, progress)
        html = render_html(view, lang=lang, title=title, filters=filters)
    if output is not None and str(output) == "-":
        return VizResult(None, html, *view.size(), True)
    target = Path(output) if output is not None else load_project(project).exports_dir / HTML_NAME
    changed = bool(write_atomically({target: html}))
    return VizResult(target, html, *view.size(), changed)


def stats(
    project: Path | str = ".",
    focus: Sequence[str] = (),
    depth: int = 1,
    types: Sequence[str] = (),
    sources: Sequence[str] = (),
    as_of: str | None = None,
    undated: bool = False,
    top: int = 10,
    lang: str = "de",
    progress: Progress | None = None,
) -> Stats:
    """Network statistics of a view (see :func:`graph.analysis.compute_stats`)."""
    with gc_paused():
        view = load_view(project, focus, depth, types, sources, as_of, undated, progress)
        return compute_stats(view, top=top, lang=lang)


def path(
    project: Path | str = ".",
    start: str = "",
    end: str = "",
    every: bool = False,
    types: Sequence[str] = (),
    sources: Sequence[str] = (),
    as_of: str | None = None,
    undated: bool = False,
    progress: Progress | None = None,
) -> tuple[Projection, list[tuple[Hop, ...]]]:
    """The shortest connections between two entities (see :func:`graph.analysis.shortest_paths`)."""
    with gc_paused():
        view = load_view(project, (), 1, types, sources, as_of, undated, progress)
        return view, shortest_paths(view, start, end, every=every)
