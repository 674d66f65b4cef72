"""The fast paths of the network page and exports give what the plain ways give.

The page's JSON is written piece by piece: it must be the text the stdlib encoder writes
for the same data, whatever the names, quotes and qualifiers hold. A projection made by
``project`` builds its networkx graph only when asked: what the exports read from its
lists must be what they read from the built graph.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import networkx as nx
import pytest

from graph import pipeline
from graph.build import build_graph
from graph.netformats import edge_rows, gexf, graphml, node_rows
from graph.projection import Attribute, Claim, Evidence, Projection, Unbuilt, project, select
from graph.viz import page_data, page_json, render_html
from tests.test_network_exports import TEXTS


def _hostile(projection: Projection) -> Projection:
    """A copy whose names, aliases, quotes, notes and qualifiers hold every text of :data:`TEXTS`."""
    network = projection.network.copy()
    source = next(iter(projection.sources))
    for i, node in enumerate(sorted(network)):
        text = TEXTS[i % len(TEXTS)]
        data = network.nodes[node]
        data["label"] = f"{data['label']} {text}"
        data["aliases"] = (text, "{0} %s", "a\x00b") if i % 2 else ()
        data["attributes"] = (*data["attributes"], Attribute("startDate", f"2020{text}", (), datatype="date"))
    for i, (_, _, _, data) in enumerate(sorted(network.edges(keys=True, data=True))):
        text = TEXTS[(i * 7) % len(TEXTS)]
        evidence = (Evidence(source, (text, "{}"), text or None), Evidence(source, ("zwei",), None))
        quoted = Claim(f"s{i}", (("role", text), ("asOf", "2020")), evidence)
        data["claims"] = (*data["claims"], quoted)
    return replace(projection, network=network)


def _parallel(projection: Projection) -> Projection:
    """A copy with two more edges beside its first one (parallel edges, keys out of order)."""
    network = projection.network.copy()
    u, v, key, data = next(iter(network.edges(keys=True, data=True)))
    network.add_edge(u, v, key=key + "Zweit", **data)
    network.add_edge(u, v, key="a" + key, **data)
    return replace(projection, network=network)


def _stdlib(text: str) -> str:
    return json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":"), sort_keys=True)


@pytest.mark.parametrize("variant", ["whole", "hostile", "parallel", "focused"])
def test_the_page_json_is_what_the_stdlib_writes_for_its_data(whole: Projection, variant: str) -> None:
    view = {
        "whole": lambda: whole,
        "hostile": lambda: _hostile(whole),
        "parallel": lambda: _parallel(whole),
        "focused": lambda: select(whole, focus=[sorted(whole.network)[0]], depth=1),
    }[variant]()
    for lang in ("de", "en"):
        text = page_json(view, lang, 'Titel <&> "x"\n')
        assert text == _stdlib(text)
        assert page_data(view, lang, 'Titel <&> "x"\n') == json.loads(text)


def test_hostile_texts_reach_the_page_json(whole: Projection) -> None:
    data = page_data(_hostile(whole))
    aliases = [alias for record in data["nodes"] for alias in record[3]]
    quotes = [quote for record in data["evidence"] for quote in record[1]]
    assert "a\x00b" in aliases and "'\"<>&\t\n\r" in quotes


def test_a_projection_builds_its_network_on_first_use(whole: Projection, musterland_built: Path) -> None:
    dataset = pipeline.load(musterland_built)
    fresh = project(build_graph(dataset).graph, dataset.ontology)
    unbuilt = fresh.__dict__["_network"]
    assert isinstance(unbuilt, Unbuilt)
    nodes, edges = list(fresh.entities()), list(fresh.relations())
    network = fresh.network  # built now
    assert isinstance(network, nx.MultiDiGraph) and fresh.network is network
    assert list(network.nodes(data=True)) == nodes
    assert [
        (u, v, key, data["predicate"], data["claims"]) for u, v, key, data in network.edges(keys=True, data=True)
    ] == [(u, v, key, key, claims) for u, v, key, claims in edges]
    assert list(fresh.entities()) == nodes and list(fresh.relations()) == edges  # read from the graph now
    assert list(fresh.claims()) == list(whole.claims())


def test_the_exports_of_an_unbuilt_network_equal_those_of_the_built_one(musterland_built: Path) -> None:
    dataset = pipeline.load(musterland_built)
    unbuilt = project(build_graph(dataset).graph, dataset.ontology)
    built = replace(unbuilt, network=Unbuilt(list(unbuilt.entities()), list(unbuilt.relations())).build())
    assert isinstance(unbuilt.__dict__["_network"], Unbuilt)
    assert render_html(unbuilt) == render_html(built)
    assert graphml(unbuilt) == graphml(built)
    assert gexf(unbuilt) == gexf(built)
    assert node_rows(unbuilt) == node_rows(built) and edge_rows(unbuilt) == edge_rows(built)
    assert isinstance(unbuilt.__dict__["_network"], Unbuilt)  # the exports did not build it
    assert nx.utils.graphs_equal(unbuilt.network, built.network)  # built now, to compare


def test_the_size_of_a_view_is_counted_without_building_its_network(musterland_built: Path) -> None:
    dataset = pipeline.load(musterland_built)
    fresh = project(build_graph(dataset).graph, dataset.ontology)
    counted = fresh.size()
    assert isinstance(fresh.__dict__["_network"], Unbuilt)
    assert counted == (fresh.network.number_of_nodes(), fresh.network.number_of_edges()) == fresh.size()
    assert counted[0] > 1 and counted[1] > 1
