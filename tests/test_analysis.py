"""`kg path`, `kg stats` and the GraphML/GEXF exports, checked against what the Musterland fixture's texts say."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import igraph
import networkx as nx
import pytest

from graph import analysis, pipeline
from graph.analysis import compute_stats, undirected
from graph.build import build_graph
from graph.netformats import gexf, graphml
from graph.projection import Projection, project, select
from tests.conftest import run


@pytest.fixture(scope="module")
def whole(musterland_built: Path) -> Projection:
    dataset = pipeline.load(musterland_built)
    return project(build_graph(dataset).graph, dataset.ontology)


def path_json(*args: str) -> list[Any]:
    result = run("path", *args, "--format", "json", "--quiet")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def hops(found: list[Any]) -> list[list[str]]:
    """Each path as its entities, start to end."""
    return [[path[0]["from"], *(hop["to"] for hop in path)] for path in found]


def quotes(hop: dict[str, Any]) -> set[str]:
    return {q for fact in hop["facts"] for st in fact["statements"] for e in st["evidence"] for q in e["quotes"]}


# ------------------------------------------------------------------ kg path


def test_state_secretary_test_reaches_the_districts_centre_through_his_visit(musterland: Path) -> None:
    # Text d: "Dazu besuchte er das Kommunale Integrationszentrum im Kreishaus Kreisdorf."
    found = path_json("tom-test", "ki-musterkreis", "--all")
    assert hops(found) == [["tom-test", "besuch-test-ki-musterkreis", "ki-musterkreis"]]
    first, second = found[0]
    assert [(f["subject"], f["predicate"], f["object"]) for f in first["facts"]] == [
        ("besuch-test-ki-musterkreis", "visitor", "tom-test")
    ]
    assert [(f["subject"], f["predicate"], f["object"]) for f in second["facts"]] == [
        ("besuch-test-ki-musterkreis", "visited", "ki-musterkreis")
    ]
    assert "Dazu besuchte er das Kommunale Integrationszentrum im Kreishaus Kreisdorf." in quotes(second)
    assert {e["source"] for f in second["facts"] for s in f["statements"] for e in s["evidence"]} == {
        "bericht-besuch-kreis"
    }


def test_state_secretary_beispiel_reaches_the_districts_centre_through_its_conference(musterland: Path) -> None:
    # Text e: Beispiel was a guest of the conference the KI had invited to ("Eingeladen hatten
    # das Kommunale Integrationszentrum ..."); she never visited that centre.
    found = path_json("erika-beispiel", "ki-musterkreis", "--all")
    assert hops(found) == [["erika-beispiel", "integrationskonferenz-musterkreis", "ki-musterkreis"]]
    guest, invited = found[0]
    assert guest["facts"][0]["predicate"] == "participant"
    assert guest["facts"][0]["statements"][0]["qualifiers"] == {"role": "Vertreterin der Landesregierung"}
    assert "Zu den Gästen zählte mit Erika Beispiel auch eine Vertreterin der Landesregierung." in quotes(guest)
    assert invited["facts"][0]["predicate"] == "organizer"


def test_two_landraete_are_linked_by_their_office(musterland: Path) -> None:
    # Alt (text d) and Neu (text e) are both "Landrat" of the Musterkreis.
    found = path_json("otto-alt", "bernd-neu", "--all")
    assert hops(found) == [["otto-alt", "landrat-musterkreis", "bernd-neu"]]
    assert "Landrat Bernd Neu auf der Integrationskonferenz des Musterkreises" in quotes(found[0][1])


def test_path_text_names_each_hop_with_source_and_quote(musterland: Path) -> None:
    result = run("path", "erika-beispiel", "ki-altstadt", "--quiet")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Erika Beispiel → Kommunales Integrationszentrum Altstadt: 2 hops"
    assert "     source: Bericht: Erika Beispiel besucht das Haus der Vielfalt in Altstadt" in lines
    assert "       „Ihr Besuch am Mittwoch galt dem Kommunalen Integrationszentrum Altstadt.“" in lines


def test_an_unconnected_entity_gets_exit_1(musterland: Path) -> None:
    # Among people only, nobody is linked to anybody: every link runs through an event or office.
    result = run("path", "jan-journal", "erika-beispiel", "--type", "Person", "--quiet")
    assert result.exit_code == 1
    assert (
        result.stderr.strip()
        == "Error: no connection between 'jan-journal' and 'erika-beispiel' in this view (classes Person)"
    )


def test_an_unknown_entity_gets_a_suggestion_and_exit_2(musterland: Path) -> None:
    result = run("path", "tom-test", "ki-altstatd", "--quiet")
    assert result.exit_code == 2
    assert result.stderr.strip() == "Error: unknown entity 'ki-altstatd' (did you mean 'ki-altstadt'?)"


def test_as_of_limits_paths_to_dated_facts(musterland: Path) -> None:
    # On 12 May 2021 Muster and Beispiel both spoke at the conference (text b, with the date).
    found = path_json("hans-muster", "erika-beispiel", "--as-of", "2021-05-12", "--all")
    assert ["hans-muster", "integrationskonferenz-2021", "erika-beispiel"] in hops(found)
    assert all("xyz" not in path for path in hops(found))  # party membership is undated
    undated = path_json("hans-muster", "erika-beispiel", "--all")
    assert ["hans-muster", "xyz", "erika-beispiel"] in hops(undated)


# ------------------------------------------------------------------ kg stats


def test_stats_count_what_the_articles_name(musterland: Path) -> None:
    result = run("stats", "--format", "json", "--quiet")
    assert result.exit_code == 0
    stats = json.loads(result.stdout)
    classes = {c["class"]: c["count"] for c in stats["classes"]}
    # Offices named in the texts: two state secretaries of the Land, one of the Bund,
    # the Regionaldirektorin, the Landrat, the Sozialdezernent.
    assert classes["Post"] == 6
    assert classes["IntegrationCentre"] == 2  # Altstadt and Musterkreis
    assert classes["Visit"] == 2  # Beispiel in Altstadt, Test in Kreisdorf
    assert [c["size"] for c in stats["components"]] == [69]  # everything is connected
    # Beispiel is the one person at the conference, the Altstadt visit and the district conference.
    assert stats["betweenness"][0]["id"] == "erika-beispiel"


def test_stats_of_one_source(musterland: Path) -> None:
    result = run("stats", "--source", "bericht-besuch-kreis", "--format", "json", "--quiet")
    stats = json.loads(result.stdout)
    classes = {c["class"]: c["count"] for c in stats["classes"]}
    # Text d names Test and Alt (politicians), Journal (journalist) and Idee.
    assert (classes["Politician"], classes["Journalist"], classes["Person"]) == (2, 1, 1)
    assert stats["view"] == ["stated in bericht-besuch-kreis"]
    assert stats["degree"][0]["id"] in {"tom-test", "besuch-test-ki-musterkreis"}


def test_communities_follow_the_stories(whole: Projection) -> None:
    stats = compute_stats(whole, top=200)
    community = {m.id: i for i, c in enumerate(stats.communities) for m in c.members}
    assert community["ki-altstadt"] == community["haus-der-vielfalt"] == community["altstadt"]
    assert community["ki-musterkreis"] == community["kreishaus-kreisdorf"]
    assert community["ki-altstadt"] != community["ki-musterkreis"]
    assert compute_stats(whole, top=200) == stats  # seeded: the same every time


def test_stats_do_not_depend_on_the_order_of_the_views_nodes(whole: Projection) -> None:
    # a focused view is a networkx subgraph: its nodes come in set order, which changes
    # from process to process with string hashing
    shuffled = nx.MultiDiGraph()
    shuffled.add_nodes_from(reversed(list(whole.network.nodes(data=True))))
    shuffled.add_edges_from(reversed(list(whole.network.edges(keys=True, data=True))))
    reordered = dataclasses.replace(whole, network=shuffled)
    assert list(undirected(reordered).nodes) == sorted(whole.network.nodes)
    assert compute_stats(reordered, top=200) == compute_stats(whole, top=200)


def test_stats_text_is_readable(musterland: Path) -> None:
    result = run("stats", "--top", "3", "--quiet")
    lines = result.stdout.splitlines()
    assert lines[0] == "69 entities, 106 relations, 1 connected components"
    assert "       6  Amt (Post)" in lines
    assert "      13  Erika Beispiel (erika-beispiel)" in lines


# ------------------------------------------------------------------ GraphML and GEXF


def test_graphml_is_read_by_networkx_and_igraph_with_the_same_network(
    whole: Projection, musterland_built: Path
) -> None:
    exported = musterland_built / "exports" / "kg.graphml"
    assert exported.read_bytes() == graphml(whole)
    read = nx.read_graphml(exported)
    assert set(read.nodes) == set(whole.network.nodes)
    assert sorted((u, v, d["predicate"]) for u, v, d in read.edges(data=True)) == sorted(whole.network.edges(keys=True))
    beispiel = read.nodes["erika-beispiel"]
    assert (beispiel["label"], beispiel["class"], beispiel["class_en"]) == (
        "Erika Beispiel",
        "Politician",
        "politician",
    )
    assert not read.is_multigraph()  # no two facts link the same two entities in the same direction
    assert read.get_edge_data("hans-muster", "staatssekretaer-bundesministerium")["asOf"] == "2021-05-12"
    other = igraph.Graph.Read_GraphML(str(exported))
    assert other.is_directed()
    assert (
        (other.vcount(), other.ecount())
        == (69, 106)
        == (
            whole.network.number_of_nodes(),
            whole.network.number_of_edges(),
        )
    )
    assert "Erika Beispiel" in other.vs["label"]


def test_gexf_is_read_by_networkx_with_dates_and_labels(whole: Projection, musterland_built: Path) -> None:
    exported = musterland_built / "exports" / "kg.gexf"
    assert exported.read_bytes() == gexf(whole)
    read = nx.read_gexf(exported)
    assert read.number_of_nodes() == whole.network.number_of_nodes()
    assert read.number_of_edges() == whole.network.number_of_edges()
    conference = read.nodes["integrationskonferenz-2021"]
    # "Termin: 12. Mai 2021, 10 bis 15 Uhr"
    assert (conference["startDate"], conference["endDate"]) == ("2021-05-12T10:00:00", "2021-05-12T15:00:00")
    assert conference["label"] == "Integrationskonferenz Musterland 2021"
    assert read.get_edge_data("erika-beispiel", "xyz")["label"] == "Mitglied von"


def test_network_files_escape_markup(whole: Projection) -> None:
    view = select(whole, focus=["erika-beispiel"])
    node = view.network.nodes["erika-beispiel"]
    node["label"] = 'A & B <"x">'
    for render, reader in ((graphml, nx.parse_graphml), (gexf, None)):
        text = render(view).decode("utf-8")
        if reader is not None:
            assert reader(text).nodes["erika-beispiel"]["label"] == 'A & B <"x">'
        assert '<"x">' not in text


def _simple(network: nx.Graph) -> nx.Graph:
    """``network`` with its nodes named and sorted, as :func:`graph.analysis.undirected` makes views."""
    named = nx.relabel_nodes(network, {n: f"n{n:04d}" for n in network})
    simple = nx.Graph()
    simple.add_nodes_from(sorted(named))
    simple.add_edges_from(sorted(tuple(sorted(e)) for e in named.edges()))
    return simple


def test_betweenness_is_networkx_betweenness(whole: Projection) -> None:
    simple = undirected(whole)
    assert simple.number_of_nodes() <= analysis.BETWEENNESS_SAMPLES  # exact
    ours = analysis.betweenness_of(simple, analysis._numbered(simple), None)
    assert ours == pytest.approx(nx.betweenness_centrality(simple), abs=1e-12)
    assert max(ours.values()) > 0.1


def test_sampled_betweenness_is_networkx_estimate_from_the_same_sample() -> None:
    simple = _simple(nx.gnm_random_graph(700, 1800, seed=5))
    ours = analysis.betweenness_of(simple, analysis._numbered(simple), analysis.BETWEENNESS_SAMPLES)
    reference = nx.betweenness_centrality(simple, k=analysis.BETWEENNESS_SAMPLES, seed=analysis.SEED)
    assert ours == pytest.approx(reference, abs=1e-12)
    assert ours != pytest.approx(nx.betweenness_centrality(simple), abs=1e-4)  # an estimate, not exact


@pytest.mark.parametrize("nodes", [0, 1, 2])
def test_betweenness_of_tiny_views_is_zero(nodes: int) -> None:
    simple = _simple(nx.path_graph(nodes))
    assert analysis.betweenness_of(simple, analysis._numbered(simple), None) == dict.fromkeys(simple, 0.0)


def test_communities_are_found_and_their_modularity_is_networkx_modularity() -> None:
    # four planted groups of 25, dense inside, sparse between
    simple = _simple(nx.planted_partition_graph(4, 25, 0.5, 0.01, seed=3))
    found, modularity = analysis.communities_of(simple, analysis._numbered(simple))
    assert sorted(sorted(c) for c in found) == [[f"n{i:04d}" for i in range(g * 25, g * 25 + 25)] for g in range(4)]
    assert modularity == pytest.approx(nx.community.modularity(simple, found), abs=1e-12)
    assert analysis.communities_of(simple, analysis._numbered(simple)) == (found, modularity)  # seeded


def test_every_community_is_connected(whole: Projection) -> None:
    simple = undirected(whole)
    found, _ = analysis.communities_of(simple, analysis._numbered(simple))
    assert sorted(n for c in found for n in c) == sorted(simple)
    assert all(nx.is_connected(simple.subgraph(c)) for c in found)
