"""The fast paths of the network exports give the same bytes as the plain ways.

GraphML and GEXF write a row that holds nothing XML must escape as it is: the same as
escaping each value. The page reads the edges from the adjacency and numbers them in
sorted order, whatever order the network was built in. The layout packs its components
found by igraph into the same positions as before (pinned).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import networkx as nx
import pytest

from graph import netformats, pipeline
from graph.build import build_graph
from graph.layout import force_layout
from graph.netformats import gexf, graphml, xml_attribute, xml_text
from graph.projection import Attribute, Claim, Evidence, Projection, project
from graph.viz import page_data, render_html
from tests.test_network_exports import TEXTS


def _hostile(projection: Projection) -> Projection:
    """A copy whose names, aliases, quotes and qualifiers hold every text of :data:`TEXTS`."""
    network = projection.network.copy()
    nodes = sorted(network)
    for i, node in enumerate(nodes):
        text = TEXTS[i % len(TEXTS)]
        data = network.nodes[node]
        data["label"] = f"{data['label']} {text}"
        data["aliases"] = (text, "{0} %s", "a\x00b") if i % 2 else ()
        data["attributes"] = (
            *data["attributes"],
            Attribute("startDate", f"2020{text}", (), datatype="date"),
        )
    for i, (_, _, _, data) in enumerate(sorted(network.edges(keys=True, data=True))):
        text = TEXTS[(i * 7) % len(TEXTS)]
        quoted = Claim(f"s{i}", (("role", text), ("asOf", "2020")), (Evidence("quelle", (text, "{}"), None),))
        data["claims"] = (*data["claims"], quoted)
    return replace(projection, network=network)


def _escaping_every_row(monkeypatch: pytest.MonkeyPatch) -> None:
    everything = netformats._AS_TEXT | netformats._AS_ATTRIBUTE
    monkeypatch.setattr(netformats, "_escapes", lambda values: everything)


@pytest.mark.parametrize("hostile", [False, True])
@pytest.mark.parametrize("writer", [graphml, gexf])
def test_rows_written_as_they_are_equal_rows_escaped_value_by_value(
    whole: Projection, monkeypatch: pytest.MonkeyPatch, writer: object, hostile: bool
) -> None:
    view = _hostile(whole) if hostile else whole
    fast = writer(replace(view))  # type: ignore[operator]
    _escaping_every_row(monkeypatch)
    assert writer(replace(view)) == fast  # type: ignore[operator]  # a new view: rows anew


@pytest.mark.parametrize("text", TEXTS)
def test_a_row_is_escaped_when_a_value_changes_as_xml(text: str) -> None:
    from rdflib import Literal

    for values in ([text], ["plain", text], [text, 3, "plain"], [Literal(text)]):  # a str subclass too
        escapes = netformats._escapes(values)
        assert bool(escapes & netformats._AS_TEXT) == (xml_text(text) != text), repr(text)
        assert bool(escapes) == (xml_text(text) != text or xml_attribute(text) != f'"{text}"'), repr(text)


def test_the_page_does_not_depend_on_the_order_the_network_was_built_in(whole: Projection) -> None:
    network = whole.network
    backwards = nx.MultiDiGraph()
    backwards.add_nodes_from(reversed(list(network.nodes(data=True))))
    backwards.add_edges_from(reversed(list(network.edges(keys=True, data=True))))
    u, v, key, data = next(iter(network.edges(keys=True, data=True)))
    backwards.add_edge(u, v, key=key + "Zweit", **data)  # parallel edges, sorted by property
    backwards.add_edge(u, v, key="a" + key, **data)
    network = network.copy()
    network.add_edge(u, v, key=key + "Zweit", **data)
    network.add_edge(u, v, key="a" + key, **data)
    assert list(backwards) != list(network)
    assert page_data(replace(whole, network=backwards)) == page_data(replace(whole, network=network))
    assert render_html(replace(whole, network=backwards)) == render_html(replace(whole, network=network))


def test_the_layout_of_components_is_pinned() -> None:
    # a triangle with a duplicate, reversed and looped edge, a pair, a square with a tail,
    # lone nodes: the positions the union-find version gave
    edges = [(0, 1), (1, 2), (2, 0), (2, 0), (1, 1), (4, 3), (5, 6), (6, 7), (7, 5), (5, 8)]
    assert force_layout(11, edges, spacing=50) == [
        (70, -18),
        (120, -18),
        (95, -62),
        (-120, 62),
        (-70, 62),
        (-57, -37),
        (-5, -13),
        (-5, -62),
        (-120, -37),
        (5, 62),
        (80, 62),
    ]
    assert force_layout(3, []) == force_layout(3, [(1, 1)])


def test_the_classes_read_from_the_store_index_equal_a_walk_over_every_subject(musterland_built: Path) -> None:
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import RDF

    from graph.namespace import NIK
    from graph.projection import local_name
    from tests.test_network_exports import _OtherGraph, _signature

    dataset = pipeline.load(musterland_built)
    graph = build_graph(dataset).graph
    kinds = sorted(c.iri for c in dataset.ontology.classes.values() if NIK.Entity in c.ancestors)
    entity = next(s for s, cls in graph.subject_objects(RDF.type) if cls in kinds and cls != kinds[0])
    graph.add((entity, RDF.type, kinds[0]))  # two classes: the least IRI names it
    statement = next(iter(graph.subjects(RDF.type, NIK.Statement)))
    graph.add((statement, RDF.type, kinds[-1]))  # a statement that is an entity too
    graph.add((URIRef(str(NIK) + "nowhere"), RDF.type, Literal(str(kinds[0]))))  # a literal is no class
    other = _OtherGraph(bind_namespaces="none")
    for triple in graph:
        other.add(triple)
    assert type(graph) is Graph  # read from its pos index
    fast, plain = project(graph, dataset.ontology), project(other, dataset.ontology)
    assert fast.network.nodes[local_name(entity)]["cls"] == local_name(kinds[0])
    assert local_name(statement) in fast.network
    assert _signature(fast) == _signature(plain)
