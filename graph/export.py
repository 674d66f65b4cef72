"""Serialise the graph, one exporter per format, behind a small registry.

Every exporter is deterministic: the same graph gives the same bytes, so diffs of
``exports/`` in git show real changes. Register more with :func:`register`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from graph.errors import ConfigError
from graph.fsutil import Kept, replace_export_set
from graph.spans import Piece, joined

if TYPE_CHECKING:  # rdflib and the writers are imported when something is rendered
    from rdflib import Graph

    from graph import ntsplice
    from graph.ontology import Ontology
    from graph.projection import Projection
    from graph.writers import Rows

#: What ``kg build`` writes unless told otherwise.
DEFAULT_FORMATS = ("turtle", "ntriples", "jsonld", "html", "graphml", "gexf")


@dataclass
class ExportInput:
    """What every exporter renders from: the built graph and the ontology.

    Derived views are computed once, on first use, and shared by all formats of a build
    (the HTML page, GraphML and GEXF all draw on the same entity projection; Turtle,
    N-Triples and JSON-LD on the same rows).
    """

    graph: Graph
    ontology: Ontology
    #: Makes the projection from an earlier one, else gives ``None`` (see :func:`graph.projectioncache.patcher`).
    patcher: Callable[[Graph, Ontology], Projection | None] | None = None
    #: How to write ``kg.nt``, ``kg.ttl`` and ``kg.jsonld`` from the last build's (see
    #: :func:`graph.projectioncache.splice_plan`).
    splice: ntsplice.Plan | None = None
    #: Each article's subjects in ``kg.nt``, made when asked for (see :attr:`subjects`).
    all_subjects: Callable[[], Mapping[str, bytes]] | None = None
    #: How many triples the whole graph has when ``graph`` is only the part of it an edit
    #: reaches (see :mod:`graph.partbuild`): then only what is spliced from the last
    #: build's exports can be rendered, and a view of the whole graph raises
    #: :class:`graph.partbuild.WholeNeeded`.
    part_of: int | None = None

    @property
    def size(self) -> int:
        """How many triples the graph has (the whole graph's, for a part)."""
        return len(self.graph) if self.part_of is None else self.part_of

    @functools.cached_property
    def subjects(self) -> Mapping[str, bytes] | None:
        """Each article's subjects in ``kg.nt`` (see :mod:`graph.ntsplice`), kept with the
        projection for the next build: the splice's, else made whole (about a second at a
        million triples, in the process that keeps the projection); ``None`` if unknown."""
        if self.splice is not None:
            return self.splice.subjects
        if self.all_subjects is None:
            return None
        try:
            return self.all_subjects()
        except ValueError:  # an IRI N-Triples cannot write: kg.nt is written whole next time
            return None

    @functools.cached_property
    def projection(self) -> Projection:
        from graph.projection import project  # networkx is loaded only for network formats

        self._whole("the projection")
        patched = self.patcher(self.graph, self.ontology) if self.patcher is not None else None
        return patched if patched is not None else project(self.graph, self.ontology)

    @functools.cached_property
    def rows(self) -> Rows:
        """The graph laid out once for the RDF writers (see :class:`graph.writers.Rows`)."""
        from graph.writers import Rows

        self._whole("every triple")
        return Rows(self.graph)

    def _whole(self, what: str) -> None:
        """Raise :class:`graph.partbuild.WholeNeeded` if ``graph`` is a part (``what`` needs the whole graph)."""
        if self.part_of is not None:
            from graph.partbuild import WholeNeeded

            raise WholeNeeded(f"{what} of the graph is needed, not only the part of it the changed articles reach")

    def release(self) -> None:
        """Forget the derived views (made again if asked for): the memory they hold is freed."""
        for name in ("projection", "rows"):
            self.__dict__.pop(name, None)


#: What an exporter makes: the file's bytes, or pieces whose concatenation they are (a
#: large file is written piece by piece, without a joined copy of it in memory; a piece
#: may be a span of the last build's file, see :mod:`graph.spans`), or the export
#: folder's file as it is, when rendering again would give the same bytes.
Rendered = bytes | Sequence[Piece] | Kept
Render = Callable[[ExportInput], Rendered]


@dataclass(frozen=True)
class Exporter:
    """A named output format.

    Attributes:
        renderer: Makes the file's content (see :data:`Rendered`).
        group: Formats of one group share derived views of :class:`ExportInput` (the
            network formats share the projection, the RDF formats the rows), so a build
            renders them in one process.
        cost: About how long rendering takes, relative to the others (the seconds at a
            million triples, derived views included): a build starts the costliest group
            first. It only orders the work; any value gives the same files.
        views: The derived views of :class:`ExportInput` it reads (``projection``,
            ``rows``): a build can make them once and then render a group's formats in
            parallel processes.
    """

    name: str
    filename: str
    media_type: str
    renderer: Render
    group: str = ""
    cost: float = 1.0
    views: tuple[str, ...] = ()

    def render(self, source: ExportInput) -> bytes:
        """The file's bytes."""
        rendered = self.renderer(source)
        if isinstance(rendered, Kept):
            return rendered.path.read_bytes()
        return rendered if isinstance(rendered, bytes) else joined(rendered)

    def render_pieces(self, source: ExportInput) -> Sequence[Piece] | Kept:
        """The file's bytes in pieces, in order, to be written one after the other (or the
        export folder's file, :class:`~graph.fsutil.Kept` as it is)."""
        rendered = self.renderer(source)
        return (rendered,) if isinstance(rendered, bytes) else rendered


_REGISTRY: dict[str, Exporter] = {}


def register(
    name: str,
    filename: str,
    media_type: str,
    render: Render,
    group: str | None = None,
    cost: float = 1.0,
    views: tuple[str, ...] = (),
) -> None:
    """Add an output format under ``name`` (in its own group unless ``group`` is given)."""
    _REGISTRY[name] = Exporter(name, filename, media_type, render, group or name, cost, views)


def exporter(name: str) -> Exporter:
    """The exporter called ``name``.

    Raises:
        ConfigError: For an unknown name; the message lists the valid ones.
    """
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ConfigError(f"unknown export format '{name}'; choose from: {', '.join(formats())}") from None


def formats() -> list[str]:
    """Names of all registered formats, sorted."""
    return sorted(_REGISTRY)


def render_exports(source: ExportInput, names: list[str], out_dir: Path) -> dict[Path, bytes]:
    """Render ``source`` in each format; nothing is written yet."""
    chosen = [exporter(name) for name in names]
    return {out_dir / e.filename: e.render(source) for e in chosen}


def write_exports(source: ExportInput, names: list[str], out_dir: Path) -> list[Path]:
    """Render every format first, then replace the export set in ``out_dir`` as one unit.

    Returns:
        The files whose content changed.
    """
    rendered = render_exports(source, names, out_dir)
    return replace_export_set(out_dir, {path.name: content for path, content in rendered.items()})


def _turtle(source: ExportInput) -> Sequence[Piece]:
    from graph import writers
    from graph.namespace import NIK

    # Entities and sources first, then the statements about them, then the references.
    last = (NIK.Statement, NIK.Reference)
    if source.splice is not None:  # a few articles changed: the last kg.ttl with their subjects' blocks again
        pieces = source.splice.turtle(source.graph, exporter("turtle").filename, last)
        if pieces is not None:
            return pieces
    return writers.turtle_pieces(source.graph, last_classes=last, rows=source.rows)


def _ntriples(source: ExportInput) -> Sequence[Piece]:
    from graph import writers

    if source.splice is not None:  # a few articles changed: the last kg.nt with their subjects' lines again
        pieces = source.splice.pieces(source.graph)
        if pieces is not None:
            return pieces
    return writers.ntriples_pieces(source.graph, rows=source.rows)


def _jsonld(source: ExportInput) -> Sequence[Piece]:
    from graph import writers

    if source.splice is not None:  # a few articles changed: the last kg.jsonld with their subjects' node objects again
        pieces = source.splice.jsonld(source.graph, exporter("jsonld").filename)
        if pieces is not None:
            return pieces
    return writers.jsonld_pieces(source.graph, rows=source.rows)


def _html(source: ExportInput) -> bytes:
    from graph.viz import render_html

    return render_html(source.projection)


def _graphml(source: ExportInput) -> list[bytes] | Kept:
    from graph.netformats import graphml_pieces

    return _kept_network(source, "graphml") or graphml_pieces(source.projection)


def _gexf(source: ExportInput) -> list[bytes] | Kept:
    from graph.netformats import gexf_pieces

    return _kept_network(source, "gexf") or gexf_pieces(source.projection)


def _kept_network(source: ExportInput, name: str) -> Kept | None:
    """The last build's file of the network format ``name``, if its projection was patched
    from the one that file was rendered from and the file's rows are all the same (see
    :func:`graph.netformats.same_as_patched_from`): at a million triples 0.05 s to compare
    instead of 1.3 s for GraphML and 0.7 s for GEXF, when an edit leaves the network's
    entities, facts between them, dates and sources as they were."""
    from graph import netformats, projectioncache

    path = projectioncache.kept_export(source.projection, exporter(name).filename)
    if path is None or not netformats.same_as_patched_from(source.projection):
        return None
    return Kept(path)


# costs: seconds at a million triples (1.1 s of rows go with the first RDF format, 3 s of
# projection with the first network format); they only decide which group starts first
register("turtle", "kg.ttl", "text/turtle", _turtle, group="rdf", cost=1.2, views=("rows",))
register("ntriples", "kg.nt", "application/n-triples", _ntriples, group="rdf", cost=1.5, views=("rows",))
register("jsonld", "kg.jsonld", "application/ld+json", _jsonld, group="rdf", cost=1.5, views=("rows",))
register("html", "kg.html", "text/html", _html, group="network", cost=4.0, views=("projection",))
register("graphml", "kg.graphml", "application/graphml+xml", _graphml, group="network", cost=1.0, views=("projection",))
register("gexf", "kg.gexf", "application/gexf+xml", _gexf, group="network", cost=0.5, views=("projection",))
