"""Serialise the graph, one exporter per format, behind a small registry.

Every exporter is deterministic: the same graph gives the same bytes, so diffs of
``exports/`` in git show real changes. Register more with :func:`register`.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import RDF
from rdflib.plugins.serializers.turtle import TurtleSerializer

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


class _GroupedTurtle(TurtleSerializer):
    """Turtle with subjects grouped by class: entities and sources first (classes in
    IRI order, members in IRI order), then statements, then references."""

    def __init__(self, graph: Graph) -> None:
        super().__init__(graph)
        last = [NIK.Statement, NIK.Reference]
        classes = {c for c in graph.objects(None, RDF.type) if isinstance(c, URIRef)}
        self.topClasses = sorted(classes - set(last)) + [c for c in last if c in classes]


def _turtle(graph: Graph) -> bytes:
    stream = io.BytesIO()
    _GroupedTurtle(graph).serialize(stream, encoding="utf-8")
    return stream.getvalue()


def _ntriples(graph: Graph) -> bytes:
    text = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
    lines = sorted(line for line in text.splitlines() if line.strip())
    return ("\n".join(lines) + "\n").encode("utf-8")


def _jsonld(graph: Graph) -> bytes:
    context = {prefix: str(ns) for prefix, ns in graph.namespaces()}
    data = json.loads(graph.serialize(format="json-ld", context=context, auto_compact=True))
    return (json.dumps(_canonical(data), ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def _canonical(data: Any) -> Any:
    """Sort JSON-LD arrays (they are unordered sets here: we write no @list)."""
    if isinstance(data, dict):
        return {key: _canonical(value) for key, value in data.items()}
    if isinstance(data, list):
        items = [_canonical(item) for item in data]
        return sorted(items, key=lambda item: json.dumps(item, ensure_ascii=False, sort_keys=True))
    return data


register("turtle", "kg.ttl", "text/turtle", _turtle)
register("ntriples", "kg.nt", "application/n-triples", _ntriples)
register("jsonld", "kg.jsonld", "application/ld+json", _jsonld)
