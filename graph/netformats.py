"""GraphML and GEXF: the entity projection for Gephi, Cytoscape, igraph and networkx.

Written by hand rather than with networkx's writers: those stamp the day of writing and
networkx's version into GEXF, and their output may change with any networkx release,
while ``exports/`` must be byte-identical for the same input. Both files have one node
per entity and one edge per fact between entities (parallel edges for several properties
between the same two entities), every value a string except ``statements`` (an integer,
declared ``int`` in GraphML and ``integer`` in GEXF).

Node attributes: ``label`` and ``name`` (the same text: Cytoscape shows ``name``, Gephi and
networkx ``label``), ``class``, ``class_de``, ``class_en``, ``iri``, ``aliases``,
``sources`` (ids of the sources that back a fact about the entity), plus one attribute per
date property the entity has (``startDate``, ``endDate``, ``foundingDate``, …).
Edge attributes: ``predicate``, ``label`` (German), ``label_en``, ``statements``,
``sources``, ``quotes`` (the evidence, `` | ``-separated) and one attribute per qualifier
used (``asOf``, ``startDate``, ``role``, …). Several values are joined with ``; ``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from operator import itemgetter
from typing import Any

from graph.projection import Claim, Projection, Unbuilt

_DATES = {"gYear", "gYearMonth", "date", "dateTime"}
Value = str | int
Row = dict[str, Value]
#: The names of a row's attributes, in order, and their values.
Shape = tuple[str, ...]
Values = tuple[Value, ...]
NodeRow = tuple[str, Row]
EdgeRow = tuple[str, str, str, Row]


def xml_text(text: str) -> str:
    """``text`` as XML character data: the same bytes as ``xml.sax.saxutils.escape``."""
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def xml_attribute(text: str) -> str:
    """``text`` as a quoted XML attribute value: the same bytes as ``xml.sax.saxutils.quoteattr``.

    Tab, line feed and carriage return become character references (an attribute's
    white space is otherwise normalised); the value is put in double quotes, or in single
    quotes when it holds a double quote and no single one.
    """
    text = text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")
    if "\n" in text or "\r" in text or "\t" in text:
        text = text.replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    if '"' not in text:
        return f'"{text}"'
    if "'" not in text:
        return f"'{text}'"
    return '"' + text.replace('"', "&quot;") + '"'


def _join(values: Iterable[str]) -> str:
    return "; ".join(sorted(set(values)))


def _claim_sources(claims: Iterable[Claim]) -> set[str]:
    return {e.source for c in claims for e in c.evidence}


#: The names every edge and node row starts with, in this order.
_EDGE: Shape = ("predicate", "label", "label_en", "statements", "sources", "quotes")
_NODE: Shape = ("label", "name", "class", "class_de", "class_en", "iri", "aliases", "sources")


class _Rows:
    """Node and edge rows of one projection, computed together (they share the sources per edge).

    A row is kept as the names it has (one tuple shared by all rows with the same names) and
    its values: a dictionary per row would be most of the memory the rows take. Nodes are in
    the order of :meth:`Projection.entities`, edges in that of :meth:`Projection.relations`.
    """

    def __init__(self, projection: Projection) -> None:
        labels: dict[str, tuple[str, str]] = {}  # property or class → its German and English label

        def label(name: str) -> tuple[str, str]:
            found = labels.get(name)
            if found is None:
                found = labels[name] = (projection.term_label(name, "de"), projection.term_label(name, "en"))
            return found

        shapes: dict[Shape, Shape] = {_EDGE: _EDGE, _NODE: _NODE}
        touching: dict[str, set[str]] = defaultdict(set)
        self.edge_shapes: list[Shape] = []
        self.edge_values: list[Values] = []
        for u, v, key, claims in projection.relations():  # the order of network.edges()
            evidence = claims[0].evidence if len(claims) == 1 else ()
            if len(evidence) == 1:  # mostly: one claim from one source
                source, quotes = evidence[0].source, evidence[0].quotes
                touching[u].add(source)
                touching[v].add(source)
                sources_text = source
                quotes_text = quotes[0] if len(quotes) == 1 else " | ".join(sorted(set(quotes)))
            else:
                sources = _claim_sources(claims)
                touching[u] |= sources
                touching[v] |= sources
                sources_text = _join(sources)
                quotes_text = " | ".join(sorted({q for c in claims for e in c.evidence for q in e.quotes}))
            de, en = labels.get(key) or label(key)
            shape: Shape = _EDGE
            values: Values = (key, de, en, len(claims), sources_text, quotes_text)
            if claims[0].qualifiers if len(claims) == 1 else any(claim.qualifiers for claim in claims):
                qualifiers: dict[str, list[str]] = {}
                for claim in claims:
                    for name, value in claim.qualifiers:
                        qualifiers.setdefault(name, []).append(value)
                shape, values = _updated(shape, values, {name: _join(values) for name, values in qualifiers.items()})
            if "" in values:
                shape, values = _filled(shape, values)
            self.edge_shapes.append(shapes.setdefault(shape, shape))
            self.edge_values.append(values)
        self.node_ids: list[str] = []
        self.node_shapes: list[Shape] = []
        self.node_values: list[Values] = []
        for node, data in projection.entities():
            sources = touching.pop(node, set())  # each node's own set, used once
            for attribute in data["attributes"]:
                for claim in attribute.claims:
                    for e in claim.evidence:
                        sources.add(e.source)
            aliases = data["aliases"]
            de, en = labels.get(data["cls"]) or label(data["cls"])
            name = data["label"]
            shape = _NODE
            values = (
                name,
                name,
                data["cls"],
                de,
                en,
                data["iri"],
                _join(aliases) if aliases else "",
                "; ".join(sorted(sources)),
            )
            dates: dict[str, list[str]] = {}
            for attribute in data["attributes"]:
                if attribute.datatype in _DATES and not attribute.inverse:
                    dates.setdefault(attribute.predicate, []).append(attribute.value)
            if dates:
                shape, values = _updated(shape, values, {name: _join(values) for name, values in dates.items()})
            if "" in values:
                shape, values = _filled(shape, values)
            self.node_ids.append(node)
            self.node_shapes.append(shapes.setdefault(shape, shape))
            self.node_values.append(values)
        self.node_keys = _keys(self.node_shapes, self.node_values)
        self.edge_keys = _keys(self.edge_shapes, self.edge_values)


def same_as_patched_from(projection: Projection) -> bool:
    """Whether the GraphML and GEXF of ``projection`` are byte for byte those of the projection
    :func:`graph.projection.patch` made it from (``False`` if it made none; computed once).

    The files are written from the rows alone (and the edges' ends and keys). A patch keeps
    every entity it did not read again, and every edge from one, as they were; so the rows
    are all the same when the entities are, and the rows of the entities it read again and
    of every edge at one of them are. Those are compared, made by :class:`_Rows` itself
    from these entities and edges only: an entity's row has the sources of all its edges.
    """
    return projection.derived(_same_as_patched_from)


def _same_as_patched_from(projection: Projection) -> bool:
    patched = projection.patched_from()
    if patched is None or not patched.same_entities or patched.earlier.size() != projection.size():
        return False
    return _rows_near(patched.earlier, patched.touched) == _rows_near(projection, patched.touched)


def _rows_near(projection: Projection, entities: frozenset[str]) -> tuple[list[Any], ...]:
    """The rows of ``entities`` and of every edge at one of them, with the edges' ends and keys."""
    nodes = [entity for entity in projection.entities() if entity[0] in entities]
    edges = [edge for edge in projection.relations() if edge[0] in entities or edge[1] in entities]
    rows = _Rows(Projection(Unbuilt(nodes, edges), projection.ontology, projection.sources))
    ends = [edge[:3] for edge in edges]
    return ends, rows.node_ids, rows.node_shapes, rows.node_values, rows.edge_shapes, rows.edge_values


def _updated(shape: Shape, values: Values, more: dict[str, str]) -> tuple[Shape, Values]:
    """A row with the values of ``more`` put in (as ``dict.update`` does)."""
    row: Row = dict(zip(shape, values, strict=True))
    row.update(more)
    return tuple(row), tuple(row.values())


def _filled(shape: Shape, values: Values) -> tuple[Shape, Values]:
    """A row without its empty values (a row lists only what an entity or fact has)."""
    kept = [(name, value) for name, value in zip(shape, values, strict=True) if value != ""]
    return tuple(name for name, _ in kept), tuple(value for _, value in kept)


def node_rows(projection: Projection) -> list[NodeRow]:
    """One row of attributes per node, in the projection's (sorted) order.

    Computed once per projection: do not change the rows.
    """
    return projection.derived(_node_rows)


def edge_rows(projection: Projection) -> list[EdgeRow]:
    """One row of attributes per edge: source, target, property and attributes (shared, as :func:`node_rows`)."""
    return projection.derived(_edge_rows)


def _node_rows(projection: Projection) -> list[NodeRow]:
    rows = projection.derived(_Rows)
    return [
        (node, dict(zip(shape, values, strict=True)))
        for node, shape, values in zip(rows.node_ids, rows.node_shapes, rows.node_values, strict=True)
    ]


def _edge_rows(projection: Projection) -> list[EdgeRow]:
    rows = projection.derived(_Rows)
    return [
        (u, v, key, dict(zip(shape, values, strict=True)))
        for (u, v, key, _), shape, values in zip(
            projection.relations(), rows.edge_shapes, rows.edge_values, strict=True
        )
    ]


def _keys(shapes: Iterable[Shape], rows: Iterable[Values]) -> list[tuple[str, str]]:
    """Attribute names in a fixed order (the common ones first), each with its type.

    A name's type is that of its first value; a row with names seen before is skipped
    (most rows have those of one before them).
    """
    names: dict[str, str] = {}
    seen: set[Shape] = set()
    for shape, values in zip(shapes, rows, strict=True):
        if shape not in seen:
            seen.add(shape)
            for name, value in zip(shape, values, strict=True):
                names.setdefault(name, "int" if isinstance(value, int) else "string")
    first = ["label", "name", "label_en", "predicate", "class", "class_de", "class_en", "iri", "aliases", "statements"]
    ordered = [n for n in first if n in names] + sorted(n for n in names if n not in first)
    return [(n, names[n]) for n in ordered]


def _edge_id(u: str, v: str, key: str) -> str:
    return f"{u}--{key}--{v}"


# What a row needs escaped: as XML text (GraphML's data) or only as an attribute (GEXF's values)
_AS_TEXT, _AS_ATTRIBUTE = 1, 2


def _escapes(values: Iterable[str | int]) -> int:
    """Whether any of ``values`` changes as XML text (``_AS_TEXT``), only as an attribute, or not at all.

    Numbers are skipped: their digits never change.
    """
    texts = [value for value in values if isinstance(value, str)]
    text = "\n".join(texts)
    if "&" in text or "<" in text or ">" in text:
        return _AS_TEXT | _AS_ATTRIBUTE
    # a line feed separates the values: count the ones inside them
    if '"' in text or "\r" in text or "\t" in text or text.count("\n") >= len(texts):
        return _AS_ATTRIBUTE
    return 0


class _Markup:
    """What GraphML and GEXF both write of a projection's rows: ids and which rows need escaping.

    Most rows hold nothing XML must escape; their values are written as they are. The
    others are written value by value with :func:`xml_text` or :func:`xml_attribute`.
    """

    def __init__(self, projection: Projection) -> None:
        rows = projection.derived(_Rows)
        self.node_ids = {node: xml_attribute(node) for node in rows.node_ids}
        # an edge's id is written as it is when its parts are (none of them has a quote or
        # anything else xml_attribute changes): no escaping of every id
        self.plain = {node for node, written in self.node_ids.items() if written == f'"{node}"'}
        keys = {values[0] for values in rows.edge_values}  # the predicate: never empty
        self.plain.update(key for key in keys if isinstance(key, str) and xml_attribute(key) == f'"{key}"')
        self.nodes = [_escapes(values) for values in rows.node_values]
        # the key is written too, as the row's predicate
        self.edges = [_escapes(values) for values in rows.edge_values]

    def edge_id(self, u: str, v: str, key: str) -> str:
        """The edge's id as an XML attribute value (made when written: one string per edge less to keep)."""
        plain = self.plain
        if u in plain and v in plain and key in plain:
            return f'"{u}--{key}--{v}"'
        return xml_attribute(_edge_id(u, v, key))


class _Elements:
    """``%``-templates of one kind of element, one per set of attributes a row has.

    Rows of one kind mostly have the same names (the same shared :data:`Shape`), so the names
    a row has (in ``keys`` order) are worked out once per shape, and each element is one ``%``
    formatting of the row's values.
    """

    def __init__(self, keys: Sequence[str], template: Callable[[list[str]], str]) -> None:
        self.keys = keys
        self.template = template
        self._shapes: dict[Shape, tuple[str, Callable[[Values], Values]]] = {}

    def __call__(self, shape: Shape, values: Values) -> tuple[str, Values]:
        """The template for a row and its values in the template's order."""
        found = self._shapes.get(shape)
        if found is None:
            present = [k for k in self.keys if k in shape]
            found = self._shapes[shape] = (self.template(present), _values_of([shape.index(k) for k in present]))
        template, chosen = found
        return template, chosen(values)


def _values_of(indices: list[int]) -> Callable[[Values], Values]:
    if len(indices) > 1:
        return itemgetter(*indices)
    return (lambda values: (values[indices[0]],)) if indices else (lambda values: ())


def _label(shape: Shape, values: Values) -> Value:
    """The row's ``label``."""
    return values[0] if shape[0] == "label" else values[shape.index("label")]


def _literal(text: str) -> str:
    """``text`` as literal text of a ``%``-template."""
    return text.replace("%", "%%")


def _graphml_element(tag: str, start: str, prefix: str, keys: list[str]) -> str:
    lines = "".join(f'      <data key="{_literal(prefix + "_" + k)}">%s</data>\n' for k in keys)
    return f"    <{tag} id={start}>\n{lines}    </{tag}>"


def _gexf_element(tag: str, start: str, value: str, keys: list[str]) -> str:
    """An element with its ``<attvalues>`` block: one line per attribute the row has."""
    lines = "".join(f"          <attvalue for={_literal(xml_attribute(k))} value={value}/>\n" for k in keys)
    return f"      <{tag} id={start}>\n        <attvalues>\n{lines}        </attvalues>\n      </{tag}>"


class _Encoded:
    """Lines of a file, encoded as UTF-8 a few thousand at a time.

    The file's text is never held whole: a million-triple GraphML file is some 45 MB as
    bytes, and as one ``str`` up to twice that (a single character beyond Latin-1 makes
    Python store every character in two bytes), besides the list of its lines.
    """

    #: Lines per piece: pieces of about a megabyte.
    LINES = 4096

    def __init__(self, lines: Iterable[str] = ()) -> None:
        self.pieces: list[bytes] = []
        self._lines: list[str] = []
        for line in lines:
            self.append(line)

    def append(self, line: str) -> None:
        """Add ``line`` (without its line feed)."""
        lines = self._lines
        lines.append(line)
        if len(lines) >= self.LINES:
            self._flush()

    def _flush(self) -> None:
        if self._lines:
            self._lines.append("")  # the last line's line feed
            self.pieces.append("\n".join(self._lines).encode("utf-8"))
            self._lines = []

    def done(self) -> list[bytes]:
        """The file's bytes in pieces (every line ends with a line feed)."""
        self._flush()
        return self.pieces


def graphml(projection: Projection) -> bytes:
    """The projection as GraphML (directed, parallel edges allowed)."""
    return b"".join(graphml_pieces(projection))


def graphml_pieces(projection: Projection) -> list[bytes]:
    """:func:`graphml` in pieces of about a megabyte, to be written one after the other."""
    rows, markup = projection.derived(_Rows), projection.derived(_Markup)
    out = _Encoded(
        [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
            'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">',
        ]
    )
    for prefix, scope, keys in (("n", "node", rows.node_keys), ("e", "edge", rows.edge_keys)):
        for name, kind in keys:
            out.append(
                f'  <key id="{prefix}_{name}" for="{scope}" attr.name={xml_attribute(name)} attr.type="{kind}"/>'
            )
    out.append('  <graph id="nrw-integration-kg" edgedefault="directed">')
    append = out.append
    ids = markup.node_ids
    nodes = _Elements([k for k, _ in rows.node_keys], lambda keys: _graphml_element("node", "%s", "n", keys))
    for node, shape, row, escapes in zip(rows.node_ids, rows.node_shapes, rows.node_values, markup.nodes, strict=True):
        template, values = nodes(shape, row)
        if escapes & _AS_TEXT:
            values = tuple(xml_text(str(value)) for value in values)
        append(template % (ids[node], *values))
    edges = _Elements(
        [k for k, _ in rows.edge_keys], lambda keys: _graphml_element("edge", "%s source=%s target=%s", "e", keys)
    )
    edge_id = markup.edge_id
    for (u, v, key, _), shape, row, escapes in zip(
        projection.relations(), rows.edge_shapes, rows.edge_values, markup.edges, strict=True
    ):
        template, values = edges(shape, row)
        if escapes & _AS_TEXT:
            values = tuple(xml_text(str(value)) for value in values)
        append(template % (edge_id(u, v, key), ids[u], ids[v], *values))
    append("  </graph>")
    append("</graphml>")
    return out.done()


def gexf(projection: Projection) -> bytes:
    """The projection as GEXF 1.3 (directed; an edge's ``kind`` is its property)."""
    return b"".join(gexf_pieces(projection))


def gexf_pieces(projection: Projection) -> list[bytes]:
    """:func:`gexf` in pieces of about a megabyte, to be written one after the other."""
    rows, markup = projection.derived(_Rows), projection.derived(_Markup)
    node_keys = [k for k, _ in rows.node_keys if k != "label"]
    edge_keys = [k for k, _ in rows.edge_keys if k != "label"]
    types = {"string": "string", "int": "integer"}
    out = _Encoded(
        [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<gexf xmlns="http://gexf.net/1.3" version="1.3">',
            "  <meta>",
            "    <creator>nrw-integration-kg (kg export gexf)</creator>",
            "    <description>Entities and the sourced facts between them</description>",
            "  </meta>",
            '  <graph defaultedgetype="directed" mode="static">',
        ]
    )
    append = out.append
    for scope, keys in (("node", rows.node_keys), ("edge", rows.edge_keys)):
        append(f'    <attributes class="{scope}" mode="static">')
        for name, kind in keys:
            if name != "label":
                append(f'      <attribute id={xml_attribute(name)} title={xml_attribute(name)} type="{types[kind]}"/>')
        append("    </attributes>")
    append("    <nodes>")
    ids = markup.node_ids
    # a plain value goes in double quotes; xml_attribute chooses the quotes of the others
    plain = _Elements(node_keys, lambda keys: _gexf_element("node", '%s label="%s"', '"%s"', keys))
    escaped = _Elements(node_keys, lambda keys: _gexf_element("node", "%s label=%s", "%s", keys))
    for node, shape, row, escapes in zip(rows.node_ids, rows.node_shapes, rows.node_values, markup.nodes, strict=True):
        label = _label(shape, row)
        if escapes:
            template, values = escaped(shape, row)
            append(template % (ids[node], *(xml_attribute(str(value)) for value in (label, *values))))
        else:
            template, values = plain(shape, row)
            append(template % (ids[node], label, *values))
    append("    </nodes>")
    append("    <edges>")
    start = "%s source=%s target=%s label={0}%s{0} kind={0}%s{0}"
    plain = _Elements(edge_keys, lambda keys: _gexf_element("edge", start.format('"'), '"%s"', keys))
    escaped = _Elements(edge_keys, lambda keys: _gexf_element("edge", start.format(""), "%s", keys))
    edge_id = markup.edge_id
    for (u, v, key, _), shape, row, escapes in zip(
        projection.relations(), rows.edge_shapes, rows.edge_values, markup.edges, strict=True
    ):
        label = _label(shape, row)
        if escapes:
            template, values = escaped(shape, row)
            texts = (xml_attribute(str(value)) for value in (label, key, *values))
            append(template % (edge_id(u, v, key), ids[u], ids[v], *texts))
        else:
            template, values = plain(shape, row)
            append(template % (edge_id(u, v, key), ids[u], ids[v], label, key, *values))
    for line in ("    </edges>", "  </graph>", "</gexf>"):
        append(line)
    return out.done()
