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
from collections.abc import Callable, Iterable, Mapping

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
        network = projection.network
        touching: dict[str, set[str]] = defaultdict(set)
        self.edges: list[EdgeRow] = []
        for u, v, key, claims in network.edges(keys=True, data="claims"):
            sources = _claim_sources(claims)
            touching[u] |= sources
            touching[v] |= sources
            row: Row = {
                "predicate": key,
                "label": projection.term_label(key, "de"),
                "label_en": projection.term_label(key, "en"),
                "statements": len(claims),
                "sources": _join(sources),
                "quotes": " | ".join(sorted({q for c in claims for e in c.evidence for q in e.quotes})),
            }
            qualifiers: dict[str, list[str]] = {}
            for claim in claims:
                for name, value in claim.qualifiers:
                    qualifiers.setdefault(name, []).append(value)
            row.update({name: _join(values) for name, values in qualifiers.items()})
            self.edges.append((u, v, key, {k: val for k, val in row.items() if val != ""}))
        self.nodes: list[NodeRow] = []
        for node, data in network.nodes(data=True):
            sources = set(touching.get(node, ()))
            for attribute in data["attributes"]:
                sources |= _claim_sources(attribute.claims)
            row = {
                "label": data["label"],
                "name": data["label"],
                "class": data["cls"],
                "class_de": projection.term_label(data["cls"], "de"),
                "class_en": projection.term_label(data["cls"], "en"),
                "iri": data["iri"],
                "aliases": _join(data["aliases"]),
                "sources": _join(sources),
            }
            dates: dict[str, list[str]] = {}
            for attribute in data["attributes"]:
                if attribute.datatype in _DATES and not attribute.inverse:
                    dates.setdefault(attribute.predicate, []).append(attribute.value)
            row.update({name: _join(values) for name, values in dates.items()})
            self.nodes.append((node, {k: v for k, v in row.items() if v != ""}))
        self.node_keys = _keys(row for _, row in self.nodes)
        self.edge_keys = _keys(row for *_, row in self.edges)


def node_rows(projection: Projection) -> list[NodeRow]:
    """One row of attributes per node, in the projection's (sorted) order.

    Computed once per projection and shared by GraphML and GEXF: do not change the rows.
    """
    return projection.derived(_Rows).nodes


def edge_rows(projection: Projection) -> list[EdgeRow]:
    """One row of attributes per edge: source, target, property and attributes (shared, as :func:`node_rows`)."""
    return projection.derived(_Rows).edges


def _keys(rows: Iterable[Row]) -> list[tuple[str, str]]:
    """Attribute names in a fixed order (the common ones first), each with its type."""
    names: dict[str, str] = {}
    for row in rows:
        for name, value in row.items():
            names.setdefault(name, "int" if isinstance(value, int) else "string")
    first = ["label", "name", "label_en", "predicate", "class", "class_de", "class_en", "iri", "aliases", "statements"]
    ordered = [n for n in first if n in names] + sorted(n for n in names if n not in first)
    return [(n, names[n]) for n in ordered]


def _edge_id(u: str, v: str, key: str) -> str:
    return f"{u}--{key}--{v}"


def graphml(projection: Projection) -> bytes:
    """The projection as GraphML (directed, parallel edges allowed)."""
    rows = projection.derived(_Rows)
    nodes, edges, node_keys, edge_keys = rows.nodes, rows.edges, rows.node_keys, rows.edge_keys
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
        'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">',
    ]
    for prefix, scope, keys in (("n", "node", node_keys), ("e", "edge", edge_keys)):
        for name, kind in keys:
            out.append(
                f'  <key id="{prefix}_{name}" for="{scope}" attr.name={xml_attribute(name)} attr.type="{kind}"/>'
            )
    out.append('  <graph id="nrw-integration-kg" edgedefault="directed">')
    append = out.append
    node_data = [(k, f'      <data key="n_{k}">') for k, _ in node_keys]
    edge_data = [(k, f'      <data key="e_{k}">') for k, _ in edge_keys]
    for node, row in nodes:
        append(f"    <node id={xml_attribute(node)}>")
        for k, start in node_data:
            value = row.get(k)
            if value is not None:
                append(f"{start}{xml_text(str(value))}</data>")
        append("    </node>")
    for u, v, key, row in edges:
        append(
            f"    <edge id={xml_attribute(_edge_id(u, v, key))} source={xml_attribute(u)} target={xml_attribute(v)}>"
        )
        for k, start in edge_data:
            value = row.get(k)
            if value is not None:
                append(f"{start}{xml_text(str(value))}</data>")
        append("    </edge>")
    out += ["  </graph>", "</graphml>", ""]
    return "\n".join(out).encode("utf-8")


def gexf(projection: Projection) -> bytes:
    """The projection as GEXF 1.3 (directed; an edge's ``kind`` is its property)."""
    rows = projection.derived(_Rows)
    nodes, edges = rows.nodes, rows.edges
    node_keys = [k for k in rows.node_keys if k[0] != "label"]
    edge_keys = [k for k in rows.edge_keys if k[0] != "label"]
    types = {"string": "string", "int": "integer"}
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<gexf xmlns="http://gexf.net/1.3" version="1.3">',
        "  <meta>",
        "    <creator>nrw-integration-kg (kg export gexf)</creator>",
        "    <description>Entities and the sourced facts between them</description>",
        "  </meta>",
        '  <graph defaultedgetype="directed" mode="static">',
    ]
    for scope, keys in (("node", node_keys), ("edge", edge_keys)):
        out.append(f'    <attributes class="{scope}" mode="static">')
        out.extend(
            f'      <attribute id={xml_attribute(name)} title={xml_attribute(name)} type="{types[kind]}"/>'
            for name, kind in keys
        )
        out.append("    </attributes>")
    out.append("    <nodes>")
    append = out.append
    node_values = [(k, f"          <attvalue for={xml_attribute(k)} value=") for k, _ in node_keys]
    edge_values = [(k, f"          <attvalue for={xml_attribute(k)} value=") for k, _ in edge_keys]
    for node, row in nodes:
        append(f"      <node id={xml_attribute(node)} label={xml_attribute(str(row['label']))}>")
        _attvalues(append, node_values, row)
        append("      </node>")
    out += ["    </nodes>", "    <edges>"]
    for u, v, key, row in edges:
        append(
            f"      <edge id={xml_attribute(_edge_id(u, v, key))} source={xml_attribute(u)} target={xml_attribute(v)} "
            f"label={xml_attribute(str(row['label']))} kind={xml_attribute(key)}>"
        )
        _attvalues(append, edge_values, row)
        append("      </edge>")
    out += ["    </edges>", "  </graph>", "</gexf>", ""]
    return "\n".join(out).encode("utf-8")


def _attvalues(append: Callable[[str], None], starts: list[tuple[str, str]], row: Mapping[str, object]) -> None:
    """A GEXF ``<attvalues>`` block: one line per attribute the row has (``starts``: key, line start)."""
    append("        <attvalues>")
    for k, start in starts:
        value = row.get(k)
        if value is not None:
            append(f"{start}{xml_attribute(str(value))}/>")
    append("        </attvalues>")
