"""``kg viz``: the entity projection as one self-contained, explorable HTML page.

The page is our own small template around vis-network 9.1.2, the copy that the pinned
pyvis package ships, inlined: it makes no request to any host and works from a file, with
no ``lib/`` folder beside it. Colours and shapes come from ``templates/viz-style.yaml``,
legend and edge labels from the ontology's ``rdfs:label`` in the chosen language.

The graph's content travels as one JSON document in a ``<script type="application/json">``
element, with ``<``, ``>`` and ``&`` escaped, and the page's script writes every text with
``textContent``: a name or quote containing markup shows as text and runs nothing.

Small views (up to :data:`PHYSICS_LIMIT` nodes) are laid out in the browser with a seeded,
capped physics simulation that freezes once settled; larger ones get positions from
:mod:`graph.layout` and no physics, so they draw at once.
"""

from __future__ import annotations

import functools
import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml
from jinja2 import Environment, select_autoescape
from markupsafe import Markup
from rdflib import URIRef
from rdflib.namespace import RDFS

from graph.errors import ConfigError
from graph.layout import force_layout
from graph.namespace import NIK, ONTOLOGY_IRI
from graph.ontology import Ontology
from graph.projection import Attribute, Claim, Projection

#: Views with more nodes than this get positions computed in Python and no physics.
PHYSICS_LIMIT = 400
#: Node labels longer than this are cut (the full name is in the tooltip and panel).
LABEL_LENGTH = 42
LANGUAGES = ("de", "en")
VIS_NETWORK = "templates/lib/vis-9.1.2/vis-network.min.js"


@dataclass(frozen=True)
class Style:
    """Colours and shapes per class, and the page's words per language."""

    default: dict[str, str]
    classes: dict[str, dict[str, str]]
    ui: dict[str, dict[str, str]]

    def of(self, ontology: Ontology, cls: str) -> dict[str, str]:
        """The style of ``cls``: its own entry, else its nearest styled ancestor's, else the default."""
        level = [URIRef(str(NIK) + cls)]
        seen: set[URIRef] = set()
        graph = ontology.graph
        while level:
            for iri in sorted(level):
                name = str(iri)[len(str(NIK)) :] if str(iri).startswith(str(NIK)) else None
                if name in self.classes:
                    return self.classes[name]
            seen.update(level)
            level = [
                p for c in level for p in graph.objects(c, RDFS.subClassOf) if isinstance(p, URIRef) and p not in seen
            ]
        return self.default


@functools.cache
def load_style() -> Style:
    """The style table shipped with the package.

    Raises:
        ConfigError: When the file is missing or malformed.
    """
    try:
        text = resources.files("graph").joinpath("templates/viz-style.yaml").read_text(encoding="utf-8")
        data = yaml.safe_load(text)
        return Style(dict(data["default"]), {k: dict(v) for k, v in data["classes"].items()}, dict(data["ui"]))
    except (OSError, KeyError, TypeError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read the style table graph/templates/viz-style.yaml: {exc}") from exc


@functools.cache
def _assets() -> tuple[str, str, str, str]:
    """Template, script, style sheet and vis-network, read once."""
    ours = resources.files("graph").joinpath("templates")
    try:
        vis = resources.files("pyvis").joinpath(VIS_NETWORK).read_text(encoding="utf-8")
    except (OSError, ModuleNotFoundError) as exc:
        raise ConfigError(f"cannot read vis-network from the pyvis package ({VIS_NETWORK}): {exc}") from exc
    parts = (
        ours.joinpath("viz.html").read_text(encoding="utf-8"),
        ours.joinpath("viz.js").read_text(encoding="utf-8"),
        ours.joinpath("viz.css").read_text(encoding="utf-8"),
        vis,
    )
    for part in parts[1:]:
        if "</script" in part.lower() or "</style" in part.lower():
            raise ConfigError("an inlined asset contains a closing script or style tag")
    return parts


def _display(attribute: Attribute, projection: Projection) -> str:
    if attribute.inverse or (attribute.value in projection.sources and attribute.datatype is None):
        source = projection.sources.get(attribute.value)
        if source is not None:
            return source.label
    if attribute.datatype == "decimal" and attribute.value.endswith(".0"):
        return attribute.value[:-2]
    return attribute.value


class _Tables:
    """Index tables that keep the page's JSON small: terms, sources and evidence by number."""

    def __init__(self, projection: Projection, lang: str) -> None:
        self.projection = projection
        self.lang = lang
        self.terms: dict[str, int] = {}
        self.sources = {s: i for i, s in enumerate(projection.sources)}
        self.evidence: dict[tuple[int, tuple[str, ...], str | None], int] = {}

    def term(self, name: str) -> int:
        return self.terms.setdefault(name, len(self.terms))

    def claim(self, claim: Claim) -> list[Any]:
        qualifiers = [[self.term(name), value] for name, value in claim.qualifiers]
        refs = []
        for item in claim.evidence:
            key = (self.sources[item.source], item.quotes, item.note)
            refs.append(self.evidence.setdefault(key, len(self.evidence)))
        return [qualifiers, refs]


def page_data(projection: Projection, lang: str = "de", title: str = "") -> dict[str, Any]:
    """Everything the page shows, as plain JSON-ready data (sorted, so the page is reproducible).

    Args:
        projection: The view to draw.
        lang: Language of labels (``de`` or ``en``).
        title: The page's heading.
    """
    style = load_style()
    ontology = projection.ontology
    network = projection.network
    tables = _Tables(projection, lang)
    order = {node: i for i, node in enumerate(network.nodes)}
    counts = Counter(cls for _, cls in network.nodes(data="cls"))
    classes = sorted(counts, key=lambda c: projection.term_label(c, lang).casefold())
    class_index = {c: i for i, c in enumerate(classes)}
    legend = [
        [c, projection.term_label(c, lang), style.of(ontology, c)["color"], style.of(ontology, c)["shape"], counts[c]]
        for c in classes
    ]
    degree = dict(network.degree())
    nodes = []
    for node, data in network.nodes(data=True):
        attributes = [
            [tables.term(a.predicate), _display(a, projection), int(a.inverse), [tables.claim(c) for c in a.claims]]
            for a in data["attributes"]
        ]
        nodes.append([node, data["label"], class_index[data["cls"]], list(data["aliases"]), degree[node], attributes])
    merged: dict[tuple[int, int], list[Any]] = defaultdict(list)
    for u, v, key, claims in network.edges(keys=True, data="claims"):
        merged[(order[u], order[v])].append([tables.term(key), [tables.claim(c) for c in claims]])
    edges: list[list[Any]] = [[u, v, parts] for (u, v), parts in sorted(merged.items())]
    pairs = sorted(merged)

    physics = len(nodes) <= PHYSICS_LIMIT
    if not physics:
        positions = force_layout(len(nodes), pairs)
        for record, (x, y) in zip(nodes, positions, strict=True):
            record.extend([x, y])
    sources = [[s.id, s.label, s.title or "", projection.term_label(s.cls, lang)] for s in projection.sources.values()]
    evidence = [
        [src, list(quotes), note or ""]
        for (src, quotes, note), _ in sorted(tables.evidence.items(), key=lambda kv: kv[1])
    ]
    terms = [
        [name, projection.term_label(name, lang)] for name, _ in sorted(tables.terms.items(), key=lambda kv: kv[1])
    ]
    return {
        "title": title,
        "description": list(projection.description),
        "lang": lang,
        "ui": style.ui[lang],
        "physics": physics,
        "classes": legend,
        "terms": terms,
        "sources": sources,
        "evidence": evidence,
        "nodes": nodes,
        "edges": edges,
    }


def _json_for_html(data: Any) -> str:
    """JSON that can sit inside an HTML element: no ``<``, ``>`` or ``&`` survives unescaped."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def render_html(projection: Projection, lang: str = "de", title: str | None = None) -> bytes:
    """The page for ``projection``, as UTF-8 bytes.

    Args:
        projection: The view to draw.
        lang: ``de`` (default) or ``en``: language of the legend, edge labels and controls.
        title: Heading of the page (default: the ontology's title).

    Raises:
        ConfigError: For an unsupported language or missing assets.
    """
    if lang not in LANGUAGES:
        raise ConfigError(f"unsupported language '{lang}'; choose from: {', '.join(LANGUAGES)}")
    template, script, css, vis = _assets()
    heading = title or _ontology_title(projection.ontology, lang)
    data = page_data(projection, lang, heading)
    environment = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    html = environment.from_string(template).render(
        lang=lang,
        title=heading,
        subtitle="; ".join(projection.description),
        data=Markup(_json_for_html(data)),
        script=Markup(script),
        css=Markup(css),
        vis=Markup(vis),
    )
    return html.encode("utf-8")


def _ontology_title(ontology: Ontology, lang: str) -> str:
    label = ontology.label(ONTOLOGY_IRI, lang)
    return label.split(" \u2013 ")[0]  # the title before the dash
