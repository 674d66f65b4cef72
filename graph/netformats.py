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

from graph.projection import Claim, Projection

_DATES = {"gYear", "gYearMonth", "date", "dateTime"}
Row = dict[str, str | int]
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


class _Rows:
    """Node and edge rows of one projection, computed together (they share the sources per edge)."""

    def __init__(self, projection: Projection) -> None:
        labels: dict[str, tuple[str, str]] = {}  # property or class → its German and English label

        def label(name: str) -> tuple[str, str]:
            found = labels.get(name)
            if found is None:
                found = labels[name] = (projection.term_label(name, "de"), projection.term_label(name, "en"))
            return found

        touching: dict[str, set[str]] = defaultdict(set)
        self.edges: list[EdgeRow] = []
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
            row: Row = {
                "predicate": key,
                "label": de,
                "label_en": en,
                "statements": len(claims),
                "sources": sources_text,
                "quotes": quotes_text,
            }
            if claims[0].qualifiers if len(claims) == 1 else any(claim.qualifiers for claim in claims):
                qualifiers: dict[str, list[str]] = {}
                for claim in claims:
                    for name, value in claim.qualifiers:
                        qualifiers.setdefault(name, []).append(value)
                row.update({name: _join(values) for name, values in qualifiers.items()})
            self.edges.append((u, v, key, row if "" not in row.values() else _filled(row)))
        self.nodes: list[NodeRow] = []
        for node, data in projection.entities():
            sources = touching.pop(node, set())  # each node's own set, used once
            for attribute in data["attributes"]:
                for claim in attribute.claims:
                    for e in claim.evidence:
                        sources.add(e.source)
            aliases = data["aliases"]
            de, en = labels.get(data["cls"]) or label(data["cls"])
            row = {
                "label": data["label"],
                "name": data["label"],
                "class": data["cls"],
                "class_de": de,
                "class_en": en,
                "iri": data["iri"],
                "aliases": _join(aliases) if aliases else "",
                "sources": "; ".join(sorted(sources)),
            }
            dates: dict[str, list[str]] = {}
            for attribute in data["attributes"]:
                if attribute.datatype in _DATES and not attribute.inverse:
                    dates.setdefault(attribute.predicate, []).append(attribute.value)
            if dates:
                row.update({name: _join(values) for name, values in dates.items()})
            self.nodes.append((node, row if "" not in row.values() else _filled(row)))
        self.node_keys = _keys(map(itemgetter(1), self.nodes))
        self.edge_keys = _keys(map(itemgetter(3), self.edges))


def _filled(row: Row) -> Row:
    """``row`` without its empty values (a row lists only what an entity or fact has)."""
    return {k: v for k, v in row.items() if v != ""}


def node_rows(projection: Projection) -> list[NodeRow]:
    """One row of attributes per node, in the projection's (sorted) order.

    Computed once per projection and shared by GraphML and GEXF: do not change the rows.
    """
    return projection.derived(_Rows).nodes


def edge_rows(projection: Projection) -> list[EdgeRow]:
    """One row of attributes per edge: source, target, property and attributes (shared, as :func:`node_rows`)."""
    return projection.derived(_Rows).edges


def _keys(rows: Iterable[Row]) -> list[tuple[str, str]]:
    """Attribute names in a fixed order (the common ones first), each with its type.

    A name's type is that of its first value; rows that bring no new name are skipped
    whole (most rows have the names of one before them).
    """
    names: dict[str, str] = {}
    seen = names.keys()
    for row in rows:
        if not row.keys() <= seen:
            for name, value in row.items():
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
        self.node_ids = {node: xml_attribute(node) for node, _ in rows.nodes}
        # an edge's id is written as it is when its parts are (none of them has a quote or
        # anything else xml_attribute changes): no escaping of every id
        plain = {node for node, written in self.node_ids.items() if written == f'"{node}"'}
        plain.update(key for key in {key for _, _, key, _ in rows.edges} if xml_attribute(key) == f'"{key}"')
        self.edge_ids = [
            f'"{u}--{key}--{v}"' if u in plain and v in plain and key in plain else xml_attribute(_edge_id(u, v, key))
            for u, v, key, _ in rows.edges
        ]
        self.nodes = [_escapes(row.values()) for _, row in rows.nodes]
        # the key is written too, as the row's predicate
        self.edges = [_escapes(row.values()) for _, _, _, row in rows.edges]


class _Elements:
    """``%``-templates of one kind of element, one per set of attributes a row has.

    Rows of one kind mostly have the same keys, so the keys a row has (in ``keys`` order)
    are worked out once per distinct set (by the row's own key order), and each element is
    one ``%`` formatting of the row's values.
    """

    def __init__(self, keys: Sequence[str], template: Callable[[list[str]], str]) -> None:
        self.keys = keys
        self.template = template
        self._shapes: dict[tuple[str, ...], tuple[str, Callable[[Row], tuple[str | int, ...]]]] = {}

    def __call__(self, row: Row) -> tuple[str, tuple[str | int, ...]]:
        """The template for ``row`` and its values in the template's order."""
        shape = tuple(row)
        found = self._shapes.get(shape)
        if found is None:
            present = [k for k in self.keys if k in row]
            found = self._shapes[shape] = (self.template(present), _values_of(present))
        template, values = found
        return template, values(row)


def _values_of(keys: list[str]) -> Callable[[Row], tuple[str | int, ...]]:
    if len(keys) > 1:
        return itemgetter(*keys)
    return (lambda row: (row[keys[0]],)) if keys else (lambda row: ())


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
    for (node, row), escapes in zip(rows.nodes, markup.nodes, strict=True):
        template, values = nodes(row)
        if escapes & _AS_TEXT:
            values = tuple(xml_text(str(value)) for value in values)
        append(template % (ids[node], *values))
    edges = _Elements(
        [k for k, _ in rows.edge_keys], lambda keys: _graphml_element("edge", "%s source=%s target=%s", "e", keys)
    )
    for (u, v, _, row), edge_id, escapes in zip(rows.edges, markup.edge_ids, markup.edges, strict=True):
        template, values = edges(row)
        if escapes & _AS_TEXT:
            values = tuple(xml_text(str(value)) for value in values)
        append(template % (edge_id, ids[u], ids[v], *values))
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
    for (node, row), escapes in zip(rows.nodes, markup.nodes, strict=True):
        if escapes:
            template, values = escaped(row)
            append(template % (ids[node], *(xml_attribute(str(value)) for value in (row["label"], *values))))
        else:
            template, values = plain(row)
            append(template % (ids[node], row["label"], *values))
    append("    </nodes>")
    append("    <edges>")
    start = "%s source=%s target=%s label={0}%s{0} kind={0}%s{0}"
    plain = _Elements(edge_keys, lambda keys: _gexf_element("edge", start.format('"'), '"%s"', keys))
    escaped = _Elements(edge_keys, lambda keys: _gexf_element("edge", start.format(""), "%s", keys))
    for (u, v, key, row), edge_id, escapes in zip(rows.edges, markup.edge_ids, markup.edges, strict=True):
        if escapes:
            template, values = escaped(row)
            texts = (xml_attribute(str(value)) for value in (row["label"], key, *values))
            append(template % (edge_id, ids[u], ids[v], *texts))
        else:
            template, values = plain(row)
            append(template % (edge_id, ids[u], ids[v], row["label"], key, *values))
    for line in ("    </edges>", "  </graph>", "</gexf>"):
        append(line)
    return out.done()
