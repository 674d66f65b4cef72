"""``kg viz``: the entity projection as one self-contained, explorable HTML page.

The page is our own small template around vis-network 9.1.2, the copy that the pinned
pyvis package ships, inlined: it makes no request to any host and works from a file, with
no ``lib/`` folder beside it. Colours and shapes come from ``templates/viz-style.yaml``,
legend and edge labels from the ontology's ``rdfs:label`` in the chosen language.

The graph's content travels as one JSON document in a ``<script type="application/json">``
element, with ``<``, ``>`` and ``&`` escaped, and the page's script writes every text with
``textContent``: a name or quote containing markup shows as text and runs nothing.

Every view gets positions from :mod:`graph.layout` (seeded, so the page is byte-identical
for the same input) and no physics. In the browser the page draws the labels itself, at a
constant 12 px whatever the zoom, most connected entities first, leaving out any label that
would overlap one already drawn or be cut by the canvas edge; zooming in shows the rest.
Views up to :data:`LARGE_VIEW` nodes are first spread apart in the browser just enough that
no two labels overlap at zoom 1 (the browser knows the text widths, Python does not).
"""

from __future__ import annotations

import colorsys
import functools
import importlib.util
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from markupsafe import Markup, escape
from rdflib import URIRef
from rdflib.namespace import RDFS

from graph.errors import ConfigError
from graph.layout import LARGE_VIEW, force_layout, page_spacing
from graph.namespace import NIK, ONTOLOGY_IRI
from graph.ontology import Ontology
from graph.projection import Attribute, Claim, Evidence, Projection, Relation, SelectionError, resolve_entity

#: Node labels longer than this are cut (the full name is in the tooltip and panel).
LABEL_LENGTH = 42
LANGUAGES = ("de", "en")
VIS_NETWORK = "templates/lib/vis-9.1.2/vis-network.min.js"


@dataclass(frozen=True)
class Family:
    """A colour family: the classes below ``roots``, in shades of ``color``."""

    roots: tuple[str, ...]
    color: str
    shape: str
    label: dict[str, str]


@dataclass(frozen=True)
class Look:
    """How one class is drawn: colour, shape and the family (index) it belongs to."""

    color: str
    shape: str
    family: int | None


@dataclass(frozen=True)
class Style:
    """Colour families, subclass shapes, and the page's words per language."""

    default: dict[str, str]
    families: tuple[Family, ...]
    shapes: dict[str, str]
    ui: dict[str, dict[str, str]]

    def family_of(self, ontology: Ontology, cls: str) -> int | None:
        """The index of the first family with a root among ``cls`` and its ancestors."""
        info = ontology.classes.get(cls)
        ancestors = {str(a) for a in info.ancestors} if info else set()
        ancestors.add(str(NIK) + cls)
        for index, family in enumerate(self.families):
            if any(str(NIK) + root in ancestors for root in family.roots):
                return index
        return None

    def family_label(self, ontology: Ontology, index: int, lang: str) -> str:
        """The family's own label, else its one root class's ``rdfs:label``."""
        family = self.families[index]
        if lang in family.label:
            return family.label[lang]
        return ontology.label(URIRef(str(NIK) + family.roots[0]), lang)

    def looks(self, ontology: Ontology) -> dict[str, Look]:
        """Colour, shape and family of every class in a family (see ``templates/viz-style.yaml``)."""
        return _looks(self, ontology)

    def look(self, looks: dict[str, Look], cls: str) -> Look:
        """The look of ``cls`` from ``looks``, or the default one."""
        return looks.get(cls, Look(self.default["color"], self.default["shape"], None))


def _parents(ontology: Ontology, cls: str) -> list[str]:
    own = str(NIK)
    return sorted(
        str(p)[len(own) :]
        for p in ontology.graph.objects(URIRef(own + cls), RDFS.subClassOf)
        if str(p).startswith(own) and str(p)[len(own) :] != cls
    )


def _looks(style: Style, ontology: Ontology) -> dict[str, Look]:
    """The look of every class in a family: roots in the family colour, the rest in shades.

    The classes of a family are put in the order of a walk down its class tree (children
    by name); the i-th non-root class gets the shade at ``i * golden ratio mod 1`` along a
    dark-to-light scale, so neighbours in the tree get clearly different shades.
    """
    children: dict[str, list[str]] = defaultdict(list)
    for name in sorted(ontology.classes):
        for parent in _parents(ontology, name):
            children[parent].append(name)
    looks: dict[str, Look] = {}
    for index, family in enumerate(style.families):
        order: list[str] = []
        stack = list(reversed(family.roots))
        while stack:
            name = stack.pop()
            if name in order or name not in ontology.classes or style.family_of(ontology, name) != index:
                continue
            order.append(name)
            stack.extend(reversed(children[name]))
        hue, light, saturation = colorsys.rgb_to_hls(*_rgb(family.color))
        step = 0
        for name in order:
            shape = _nearest(ontology, name, style.shapes) or family.shape
            if name in family.roots:
                looks[name] = Look(family.color, shape, index)
                continue
            step += 1
            t = (step * 0.618034) % 1.0
            shade = colorsys.hls_to_rgb(
                (hue + (t - 0.5) * 0.06) % 1.0,
                min(0.72, max(0.22, light - 0.17 + 0.36 * t)),
                saturation * (0.95 - 0.3 * t),
            )
            looks[name] = Look(_hex(shade), shape, index)
    return looks


def _nearest(ontology: Ontology, cls: str, table: dict[str, str]) -> str | None:
    """The entry of ``cls`` or of its nearest ancestor in ``table`` (breadth first, by name)."""
    level, seen = [cls], set()
    while level:
        for name in level:
            if name in table:
                return table[name]
        seen.update(level)
        level = sorted({p for c in level for p in _parents(ontology, c) if p not in seen})
    return None


def _rgb(color: str) -> tuple[float, float, float]:
    return (int(color[1:3], 16) / 255, int(color[3:5], 16) / 255, int(color[5:7], 16) / 255)


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(c * 255):02x}" for c in rgb)


@functools.cache
def load_style() -> Style:
    """The style table shipped with the package.

    Raises:
        ConfigError: When the file is missing or malformed.
    """
    try:
        text = resources.files("graph").joinpath("templates/viz-style.yaml").read_text(encoding="utf-8")
        data = yaml.safe_load(text)
        families = tuple(
            Family(tuple(f["roots"]), str(f["color"]), str(f["shape"]), dict(f.get("label", {})))
            for f in data["families"]
        )
        return Style(dict(data["default"]), families, dict(data.get("shapes", {})), dict(data["ui"]))
    except (OSError, KeyError, TypeError, AttributeError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read the style table graph/templates/viz-style.yaml: {exc}") from exc


def _pyvis_file(name: str) -> Path:
    """The file ``name`` of the pyvis package, found without importing it: its ``__init__``
    imports networkx, jsonpickle and IPython (0.05 s of a build of five articles that draws
    the page, 0.15-0.25 s at a million triples), and the page only needs vis-network.

    Raises:
        ModuleNotFoundError: When pyvis is not installed.
    """
    spec = importlib.util.find_spec("pyvis")
    folders = spec.submodule_search_locations if spec is not None else None
    if not folders:
        raise ModuleNotFoundError("No module named 'pyvis'")
    return Path(next(iter(folders))) / name


@functools.cache
def _assets() -> tuple[str, str, str, str]:
    """Template, script, style sheet and vis-network, read once."""
    ours = resources.files("graph").joinpath("templates")
    try:
        vis = _pyvis_file(VIS_NETWORK).read_text(encoding="utf-8")
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


#: The stdlib encoder's own function for a string (``ensure_ascii=False``): C, else Python.
_string = json.encoder.encode_basestring


class _Tables:
    """Index tables that keep the page's JSON small: terms, sources and evidence by number.

    The claims are written as JSON text at once, as ``json.dumps`` with ``separators=(",", ":")``
    and ``ensure_ascii=False`` writes their lists (``[qualifiers, evidence numbers]`` each):
    a page at a million triples has more than a hundred thousand of them.
    """

    def __init__(self, projection: Projection) -> None:
        self.terms: dict[str, int] = {}
        self.sources = {s: i for i, s in enumerate(projection.sources)}
        self.evidence: dict[tuple[int, tuple[str, ...], str | None], int] = {}
        # the number of each Evidence object met (claims share them): no key to build and hash
        self._numbers: dict[int, int] = {}

    def number(self, evidence: Evidence) -> int:
        """The number of a piece of evidence, new if its source, quotes and note are."""
        found = self._numbers.get(id(evidence))
        if found is None:
            key = (self.sources[evidence.source], evidence.quotes, evidence.note)
            # len() is taken before setdefault adds the key: new evidence gets the next number
            found = self._numbers[id(evidence)] = self.evidence.setdefault(key, len(self.evidence))
        return found

    def term(self, name: str) -> int:
        return self.terms.setdefault(name, len(self.terms))

    def claims(self, claims: tuple[Claim, ...]) -> str:
        """The claims as JSON (without the enclosing brackets), numbering what is new: terms of
        the qualifiers first, then evidence, claim by claim."""
        if len(claims) == 1 and not claims[0].qualifiers and len(claims[0].evidence) == 1:  # mostly
            e = claims[0].evidence[0]
            found = self._numbers.get(id(e))
            return f"[[],[{self.number(e) if found is None else found}]]"
        term, number, texts = self.term, self.number, []
        for claim in claims:
            qualifiers = ",".join([f"[{term(name)},{_string(value)}]" for name, value in claim.qualifiers])
            numbers = ",".join([str(number(e)) for e in claim.evidence])
            texts.append(f"[[{qualifiers}],[{numbers}]]")
        return ",".join(texts)


def _strings(texts: Iterable[str]) -> str:
    """A JSON array of strings, written as the stdlib writes it."""
    return "[" + ",".join([_string(text) for text in texts]) + "]"


@dataclass(frozen=True)
class Filters:
    """What a focused view was asked for (the options of ``kg viz``), for the page's subtitle."""

    focus: tuple[str, ...] = ()
    depth: int = 1
    types: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    as_of: str | None = None
    undated: bool = False


def describe(projection: Projection, filters: Filters, lang: str) -> str:
    """The subtitle of a view in ``lang``: entity and source names, class labels, dates."""
    words = load_style().ui[lang]
    network = projection.network
    parts = []
    if filters.as_of is not None:
        parts.append(words["view_as_of_undated" if filters.undated else "view_as_of"].format(date=filters.as_of))
    if filters.sources:
        names = [projection.sources[s].label if s in projection.sources else s for s in filters.sources]
        parts.append(words["view_sources"].format(names=", ".join(names)))
    if filters.types:
        parts.append(words["view_types"].format(names=", ".join(projection.term_label(t, lang) for t in filters.types)))
    if filters.focus:
        names = []
        for text in filters.focus:
            try:
                names.append(network.nodes[resolve_entity(projection, text)]["label"])
            except SelectionError:
                names.append(text)
        parts.append(words["view_within"].format(names=", ".join(names), depth=filters.depth))
    return "; ".join(parts)


def page_data(projection: Projection, lang: str = "de", title: str = "") -> dict[str, Any]:
    """Everything the page shows, as plain JSON-ready data (sorted, so the page is reproducible).

    The data that :func:`page_json` writes, read back.

    Args:
        projection: The view to draw.
        lang: Language of labels (``de`` or ``en``).
        title: The page's heading.
    """
    data: dict[str, Any] = json.loads(page_json(projection, lang, title))
    return data


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def page_json(projection: Projection, lang: str = "de", title: str = "") -> str:
    """The page's data as one JSON object (see :func:`page_data` for the data itself).

    The same text as ``json.dumps`` with ``sort_keys=True``, ``separators=(",", ":")`` and
    ``ensure_ascii=False`` of that data; its large parts (nodes, edges, evidence) are written
    here piece by piece, which spares building and then encoding a few lists per claim.

    Args:
        projection: The view to draw.
        lang: Language of labels (``de`` or ``en``).
        title: The page's heading.
    """
    return "".join(_page_pieces(projection, lang, title))


def _page_pieces(projection: Projection, lang: str, title: str) -> list[str]:
    """:func:`page_json` in pieces (the key and value of each of its members, in order)."""
    style = load_style()
    ontology = projection.ontology
    tables = _Tables(projection)
    node_data = dict(projection.entities())
    # by id: a networkx subgraph (a focused view) iterates its nodes in set order, which
    # changes from process to process with string hashing
    ids = sorted(node_data)
    order = {node: i for i, node in enumerate(ids)}
    counts = Counter(data["cls"] for data in node_data.values())
    looks = style.looks(ontology)
    classes = sorted(counts, key=lambda c: projection.term_label(c, lang).casefold())
    class_index = {c: i for i, c in enumerate(classes)}
    legend = []
    for c in classes:
        look = style.look(looks, c)
        legend.append([c, projection.term_label(c, lang), look.color, look.shape, counts[c], look.family])
    families = [
        [style.family_label(ontology, i, lang), family.color, family.shape] for i, family in enumerate(style.families)
    ]
    pairs, degree, in_order = _pairs_and_degrees(projection.relations(), order)
    large = len(ids) > LARGE_VIEW
    positions = force_layout(len(ids), pairs, spacing=page_spacing(len(ids)))
    del pairs
    term, claims_of = tables.term, tables.claims
    # the tables number terms and evidence in order of first use: nodes first, then edges
    nodes = _Records()
    for index, node in enumerate(ids):
        data = node_data[node]
        attributes = ",".join(
            [
                f"[{term(a.predicate)},{_string(_display(a, projection))},{int(a.inverse)},[{claims_of(a.claims)}]]"
                for a in data["attributes"]
            ]
        )
        x, y = positions[index]
        nodes.append(
            f"[{_string(node)},{_string(data['label'])},{class_index[data['cls']]},{_strings(data['aliases'])},"
            f"{degree[index]},[{attributes}],{x},{y}]"
        )
    del node_data, degree, positions
    edges = _Records()
    if in_order:  # the edges of each pair come together, the pairs and their properties in order
        _edges_in_order(projection.relations(), order, tables, edges)
    else:
        _edges_sorted(projection.relations(), order, tables, edges)
    del order
    sources = [[s.id, s.label, s.title or "", projection.term_label(s.cls, lang)] for s in projection.sources.values()]
    # numbered in order of insertion: the tables' own order
    evidence = _Records()
    for src, quotes, note in tables.evidence:
        evidence.append(f"[{src},{_strings(quotes)},{_string(note or '')}]")
    terms = [[name, projection.term_label(name, lang)] for name in tables.terms]
    written_parts = {
        "title": [_dumps(title)],
        "description": [_dumps(list(projection.description))],
        "lang": [_dumps(lang)],
        "ui": [_dumps(style.ui[lang])],
        "large": [_dumps(large)],
        "classes": [_dumps(legend)],
        "families": [_dumps(families)],
        "terms": [_dumps(terms)],
        "sources": [_dumps(sources)],
        "evidence": evidence.array(),
        "nodes": nodes.array(),
        "edges": edges.array(),
    }
    del evidence, nodes, edges
    pieces = []
    for i, name in enumerate(sorted(written_parts)):
        pieces.append(("{" if i == 0 else ",") + f"{_string(name)}:")
        pieces.extend(written_parts.pop(name))
    pieces.append("}")
    return pieces


class _Records:
    """The records of a JSON array, joined a few thousand at a time (never a list of all of them
    beside their joined text)."""

    SIZE = 4096

    def __init__(self) -> None:
        self._chunks: list[str] = []
        self._records: list[str] = []

    def append(self, record: str) -> None:
        records = self._records
        records.append(record)
        if len(records) >= self.SIZE:
            self._chunks.append(",".join(records))
            self._records = []

    def array(self) -> list[str]:
        """The array's text in pieces (its records taken out)."""
        if self._records:
            self._chunks.append(",".join(self._records))
            self._records = []
        pieces = ["["]
        for i, chunk in enumerate(self._chunks):
            pieces.extend((",", chunk) if i else (chunk,))
        pieces.append("]")
        self._chunks = []
        return pieces


def _pairs_and_degrees(
    relations: Iterable[Relation], order: dict[str, int]
) -> tuple[list[tuple[int, int]], list[int], bool]:
    """The linked pairs of nodes (by index; once for each run of edges between them), each
    node's degree, and whether the relations come in the order of their pair and property.

    The degree is networkx's degree of a multigraph (parallel edges and both ends of a loop count).
    """
    pairs: list[tuple[int, int]] = []
    degree = [0] * len(order)
    in_order = True
    last_subject = last_target = None
    last_pair, last_key = (-1, -1), ""
    u = v = 0
    for subject, target, key, _ in relations:
        if target != last_target or subject != last_subject:
            last_subject, last_target = subject, target
            u, v = order[subject], order[target]
            pair = (u, v)
            if pair <= last_pair:
                in_order = False
            pairs.append(pair)
            last_pair = pair
        elif key <= last_key:
            in_order = False
        last_key = key
        degree[u] += 1
        degree[v] += 1
    return pairs, degree, in_order


def _edges_in_order(relations: Iterable[Relation], order: dict[str, int], tables: _Tables, edges: _Records) -> None:
    """Append the page's edge records to ``edges``, written as the relations come: each run
    of relations between one pair of nodes is one record."""
    term, claims_of = tables.term, tables.claims
    last_subject = last_target = None
    parts: list[str] = []
    for subject, target, key, claims in relations:
        if target != last_target or subject != last_subject:
            if parts:
                edges.append(f"[{order[last_subject]},{order[last_target]},[{','.join(parts)}]]")  # type: ignore[index]
            last_subject, last_target, parts = subject, target, []
        parts.append(f"[{term(key)},[{claims_of(claims)}]]")
    if parts:
        edges.append(f"[{order[last_subject]},{order[last_target]},[{','.join(parts)}]]")  # type: ignore[index]


def _edges_sorted(relations: Iterable[Relation], order: dict[str, int], tables: _Tables, edges: _Records) -> None:
    """:func:`_edges_in_order` for relations in any order: sorted by pair, then by property."""
    links: list[tuple[tuple[int, int], list[tuple[str, tuple[Claim, ...]]]]] = []
    last_subject = last_target = None
    parts: list[tuple[str, tuple[Claim, ...]]] = []
    for subject, target, key, claims in relations:
        if target != last_target or subject != last_subject:
            last_subject, last_target, parts = subject, target, []
            links.append(((order[subject], order[target]), parts))
        parts.append((key, claims))
    links.sort(key=_first)  # by pair (each run once)
    term, claims_of = tables.term, tables.claims
    for (u, v), parts in links:
        parts.sort(key=_first)  # by property
        written = ",".join([f"[{term(key)},[{claims_of(claims)}]]" for key, claims in parts])
        edges.append(f"[{u},{v},[{written}]]")


def _first(part: tuple[Any, Any]) -> Any:
    return part[0]


def render_html(
    projection: Projection, lang: str = "de", title: str | None = None, filters: Filters | None = None
) -> bytes:
    """The page for ``projection``, as UTF-8 bytes.

    Args:
        projection: The view to draw.
        lang: ``de`` (default) or ``en``: language of the legend, edge labels, controls and subtitle.
        title: Heading of the page (default: the ontology's title).
        filters: What the view was selected by, for its subtitle (default: none, the whole graph).

    Raises:
        ConfigError: For an unsupported language or missing assets.
    """
    if lang not in LANGUAGES:
        raise ConfigError(f"unsupported language '{lang}'; choose from: {', '.join(LANGUAGES)}")
    template, script, css, vis = _assets()
    heading = title or _ontology_title(projection.ontology, lang)
    html = fill_template(
        template,
        lang=lang,
        title=heading,
        subtitle=describe(projection, filters, lang) if filters else "",
        data=Markup(_DATA),
        script=Markup(script),
        css=Markup(css),
        vis=Markup(vis),
    )
    before, *rest = html.split(_DATA)
    if len(rest) != 1:
        raise ConfigError("the page template graph/templates/viz.html must hold {{ data }} once")
    after = rest[0]
    # the data is put in as UTF-8, piece by piece: never as one more copy of the page's text
    pieces = _page_pieces(projection, lang, heading)
    data = [before.encode("utf-8")]
    for i, piece in enumerate(pieces):
        data.append(_json_for_html(piece.encode("utf-8")))
        pieces[i] = ""
    data.append(after.encode("utf-8"))
    return b"".join(data)


#: A value put into the page template: ``{{ name }}``, nothing else.
_PLACE = re.compile(r"\{\{\s*([A-Za-z_]\w*)\s*\}\}")


def fill_template(template: str, **values: str) -> str:
    """``template`` rendered as Jinja renders it with autoescaping (its line breaks made
    ``\\n``, the last one dropped; each value escaped unless it is :class:`~markupsafe.Markup`,
    one not given left empty), when it only puts values in (``{{ name }}``); any other
    template is rendered by Jinja itself. Importing Jinja takes 0.1 to 0.3 s, more than the
    rest of a small page."""
    if "{%" in template or "{#" in template or "{{" in _PLACE.sub("", template):
        from jinja2 import Environment, select_autoescape

        environment = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
        return environment.from_string(template).render(**values)
    lines = re.split(r"\r\n|\r|\n", template)
    if lines[-1] == "":
        del lines[-1]
    return _PLACE.sub(lambda match: str(escape(values.get(match.group(1), ""))), "\n".join(lines))


#: Where the page's data goes in the rendered template (any text put in is escaped: no ``<``).
_DATA = "<kg-data/>"


def _json_for_html(text: bytes) -> bytes:
    """JSON as UTF-8 that can sit inside an HTML element: no ``<``, ``>`` or ``&`` survives
    unescaped (no byte of a multi-byte character is an ASCII one)."""
    return text.replace(b"&", b"\\u0026").replace(b"<", b"\\u003c").replace(b">", b"\\u003e")


def _ontology_title(ontology: Ontology, lang: str) -> str:
    label = ontology.label(ONTOLOGY_IRI, lang)
    return label.split(" \u2013 ")[0]  # the title before the dash
