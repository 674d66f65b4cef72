"""Serialise the graph, one exporter per format, behind a small registry.

Every exporter is deterministic: the same graph gives the same bytes, so diffs of
``exports/`` in git show real changes. Register more with :func:`register`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from graph import writers
from graph.errors import ConfigError, KGError
from graph.fsutil import write_atomically
from graph.namespace import NIK
from graph.ontology import Ontology

Render = Callable[[Graph], bytes]
#: A format that also needs the ontology (labels of classes and properties): network views.
ViewRender = Callable[[Graph, Ontology], bytes]


@dataclass(frozen=True)
class Exporter:
    """A named output format.

    ``render`` takes the graph alone; formats registered with :func:`register_view` also
    need the ontology (``render_view``), and their ``render`` says so.
    """

    name: str
    filename: str
    media_type: str
    render: Render
    render_view: ViewRender | None = None

    def to_bytes(self, graph: Graph, ontology: Ontology | None = None) -> bytes:
        """Render ``graph``; formats registered with :func:`register_view` need ``ontology``.

        Raises:
            KGError: When the format needs the ontology and none is given.
        """
        if self.render_view is not None and ontology is not None:
            return self.render_view(graph, ontology)
        return self.render(graph)


_REGISTRY: dict[str, Exporter] = {}


def register(name: str, filename: str, media_type: str, render: Render) -> None:
    """Add an output format under ``name``."""
    _REGISTRY[name] = Exporter(name, filename, media_type, render)


def register_view(name: str, filename: str, media_type: str, render: ViewRender) -> None:
    """Add an output format under ``name`` whose renderer also takes the ontology."""

    def needs_ontology(graph: Graph) -> bytes:
        raise KGError(f"export format '{name}' needs the ontology")

    _REGISTRY[name] = Exporter(name, filename, media_type, needs_ontology, render)


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


def render_exports(
    graph: Graph, names: list[str], out_dir: Path, ontology: Ontology | None = None
) -> dict[Path, bytes]:
    """Render ``graph`` in each format; nothing is written yet."""
    chosen = [exporter(name) for name in names]
    return {out_dir / e.filename: e.to_bytes(graph, ontology) for e in chosen}


def write_exports(graph: Graph, names: list[str], out_dir: Path, ontology: Ontology | None = None) -> list[Path]:
    """Render every format first, then write all files atomically.

    Returns:
        The files whose content changed.
    """
    return write_atomically(render_exports(graph, names, out_dir, ontology))


def _turtle(graph: Graph) -> bytes:
    # Entities and sources first, then the statements about them, then the references.
    return writers.turtle(graph, last_classes=(NIK.Statement, NIK.Reference))


register("turtle", "kg.ttl", "text/turtle", _turtle)
register("ntriples", "kg.nt", "application/n-triples", writers.ntriples)
register("jsonld", "kg.jsonld", "application/ld+json", writers.jsonld)


# Network views of the entity projection (graph/projection.py); imported when used, so
# the RDF formats do not load networkx, numpy and jinja2.


def _html(graph: Graph, ontology: Ontology) -> bytes:
    from graph.projection import project
    from graph.viz import render_html

    return render_html(project(graph, ontology))


def _graphml(graph: Graph, ontology: Ontology) -> bytes:
    from graph.netformats import graphml
    from graph.projection import project

    return graphml(project(graph, ontology))


def _gexf(graph: Graph, ontology: Ontology) -> bytes:
    from graph.netformats import gexf
    from graph.projection import project

    return gexf(project(graph, ontology))


register_view("html", "kg.html", "text/html", _html)
register_view("graphml", "kg.graphml", "application/graphml+xml", _graphml)
register_view("gexf", "kg.gexf", "application/gexf+xml", _gexf)
