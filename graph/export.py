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
from graph.errors import ConfigError
from graph.fsutil import write_atomically
from graph.namespace import NIK

Render = Callable[[Graph], bytes]


@dataclass(frozen=True)
class Exporter:
    """A named output format."""

    name: str
    filename: str
    media_type: str
    render: Render


_REGISTRY: dict[str, Exporter] = {}


def register(name: str, filename: str, media_type: str, render: Render) -> None:
    """Add an output format under ``name``."""
    _REGISTRY[name] = Exporter(name, filename, media_type, render)


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


def render_exports(graph: Graph, names: list[str], out_dir: Path) -> dict[Path, bytes]:
    """Render ``graph`` in each format; nothing is written yet."""
    chosen = [exporter(name) for name in names]
    return {out_dir / e.filename: e.render(graph) for e in chosen}


def write_exports(graph: Graph, names: list[str], out_dir: Path) -> list[Path]:
    """Render every format first, then write all files atomically.

    Returns:
        The files whose content changed.
    """
    return write_atomically(render_exports(graph, names, out_dir))


def _turtle(graph: Graph) -> bytes:
    # Entities and sources first, then the statements about them, then the references.
    return writers.turtle(graph, last_classes=(NIK.Statement, NIK.Reference))


register("turtle", "kg.ttl", "text/turtle", _turtle)
register("ntriples", "kg.nt", "application/n-triples", writers.ntriples)
register("jsonld", "kg.jsonld", "application/ld+json", writers.jsonld)
