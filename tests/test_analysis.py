"""`kg path`, `kg stats` and the GraphML/GEXF exports, checked against what the five articles say."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import igraph
import networkx as nx
import pytest

from graph import pipeline
from graph.analysis import compute_stats
from graph.build import build_graph
from graph.netformats import gexf, graphml
from graph.projection import Projection, project, select
from tests.conftest import ROOT, run


@pytest.fixture(scope="module")
def whole() -> Projection:
    dataset = pipeline.load(ROOT)
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


def test_state_secretary_klute_reaches_the_districts_centre_through_his_visit(project: Path) -> None:
    # Article 003: "Dazu besuchte er das Kommunale Integrationszentrum im Schwelmer Kreishaus".
    found = path_json("thorsten-klute", "ki-ennepe-ruhr-kreis", "--all")
    assert hops(found) == [["thorsten-klute", "besuch-klute-ki-ennepe-ruhr-kreis", "ki-ennepe-ruhr-kreis"]]
    first, second = found[0]
    assert [(f["subject"], f["predicate"], f["object"]) for f in first["facts"]] == [
        ("besuch-klute-ki-ennepe-ruhr-kreis", "visitor", "thorsten-klute")
    ]
    assert [(f["subject"], f["predicate"], f["object"]) for f in second["facts"]] == [
        ("besuch-klute-ki-ennepe-ruhr-kreis", "visited", "ki-ennepe-ruhr-kreis")
    ]
    assert "Dazu besuchte er das Kommunale Integrationszentrum im Schwelmer Kreishaus" in quotes(second)
    assert {e["source"] for f in second["facts"] for s in f["statements"] for e in s["evidence"]} == {
        "bericht-klute-ki-ennepe-ruhr-kreis"
    }


def test_state_secretary_gueler_reaches_the_districts_centre_through_its_conference(project: Path) -> None:
    # Article 004: Güler was a guest of the conference the KI had invited to ("Eingeladen hatten
    # das Kommunale Integrationszentrum ..."); she never visited that centre.
    found = path_json("serap-gueler", "ki-ennepe-ruhr-kreis", "--all")
    assert hops(found) == [["serap-gueler", "integrationskonferenz-ennepe-ruhr-kreis", "ki-ennepe-ruhr-kreis"]]
    guest, invited = found[0]
    assert guest["facts"][0]["predicate"] == "participant"
    assert guest["facts"][0]["statements"][0]["qualifiers"] == {"role": "Vertreterin der Landesregierung"}
    assert "Zu den Gästen zählte mit Serap Güler auch eine Vertreterin der Landesregierung." in quotes(guest)
    assert invited["facts"][0]["predicate"] == "organizer"


def test_two_landraete_are_linked_by_their_office(project: Path) -> None:
    # Brux (article 003) and Schade (article 004) are both "Landrat" of the Ennepe-Ruhr-Kreis.
    found = path_json("arnim-brux", "olaf-schade", "--all")
    assert hops(found) == [["arnim-brux", "landrat-ennepe-ruhr-kreis", "olaf-schade"]]
    assert "EN-Kreis. · Landrat Olaf Schade rückte die Chancen eines guten Miteinanders in den Mittelpunkt." in quotes(
        found[0][1]
    )


def test_path_text_names_each_hop_with_source_and_quote(project: Path) -> None:
    result = run("path", "serap-gueler", "ki-wuppertal", "--quiet")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Serap Güler → Kommunales Integrationszentrum Wuppertal: 2 hops"
    assert "     source: Bericht: Serap Güler besucht das Haus der Integration in Wuppertal" in lines
    assert "       „Ihr Besuch am Mittwoch galt speziell dem Kommunalen Integrationszentrum (KI).“" in lines


def test_an_unconnected_entity_gets_exit_1(project: Path) -> None:
    # Jürgen Theobald appears only in the photo credit "Foto: Jürgen Theobald".
    result = run("path", "juergen-theobald", "serap-gueler", "--quiet")
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: no connection between 'juergen-theobald' and 'serap-gueler' in this view"


def test_an_unknown_entity_gets_a_suggestion_and_exit_2(project: Path) -> None:
    result = run("path", "thorsten-klute", "ki-wupertal", "--quiet")
    assert result.exit_code == 2
    assert result.stderr.strip() == "Error: unknown entity 'ki-wupertal' (did you mean 'ki-wuppertal'?)"


def test_as_of_limits_paths_to_dated_facts(project: Path) -> None:
    # On 27 November 2019 Kerber and Güler both spoke at the Sozialkonferenz Ruhr 2019 (event page).
    found = path_json("markus-kerber", "serap-gueler", "--as-of", "2019-11-27", "--all")
    assert ["markus-kerber", "sozialkonferenz-ruhr-2019", "serap-gueler"] in hops(found)
    assert all("cdu" not in path for path in hops(found))  # party membership is undated


# ------------------------------------------------------------------ kg stats


def test_stats_count_what_the_articles_name(project: Path) -> None:
    result = run("stats", "--format", "json", "--quiet")
    assert result.exit_code == 0
    stats = json.loads(result.stdout)
    classes = {c["class"]: c["count"] for c in stats["classes"]}
    # Offices named in the texts: two state secretaries' posts (Bund, MAIS), the NRW state
    # secretary for integration, RVR regional director, Landrat, Bürgermeister, Sozialdezernent.
    assert classes["Post"] == 7
    assert classes["IntegrationCentre"] == 2  # Wuppertal and Ennepe-Ruhr-Kreis
    assert classes["Visit"] == 2  # Güler in Wuppertal, Klute in Schwelm
    # Everything is connected except the photographer, named only in a photo credit.
    assert [c["size"] for c in stats["components"]][1:] == [1]
    assert stats["components"][1]["members"][0]["id"] == "juergen-theobald"
    # Güler is the one person in the Ruhr conference, the Wuppertal visit and the EN conference.
    assert stats["betweenness"][0]["id"] == "serap-gueler"


def test_stats_of_one_source(project: Path) -> None:
    result = run("stats", "--source", "bericht-klute-ki-ennepe-ruhr-kreis", "--format", "json", "--quiet")
    stats = json.loads(result.stdout)
    classes = {c["class"]: c["count"] for c in stats["classes"]}
    # Article 003 names Klute and Brux (politicians), Scherer (journalist) and Arslanbenzer.
    assert (classes["Politician"], classes["Journalist"], classes["Person"]) == (2, 1, 1)
    assert stats["view"] == ["stated in bericht-klute-ki-ennepe-ruhr-kreis"]
    assert stats["degree"][0]["id"] in {"thorsten-klute", "gespraech-klute-redaktion"}


def test_communities_follow_the_stories(whole: Projection) -> None:
    stats = compute_stats(whole, top=200)
    community = {m.id: i for i, c in enumerate(stats.communities) for m in c.members}
    assert community["ki-wuppertal"] == community["haus-der-integration-wuppertal"] == community["wuppertal"]
    assert community["ki-ennepe-ruhr-kreis"] == community["kreishaus-schwelm"]
    assert community["ki-wuppertal"] != community["ki-ennepe-ruhr-kreis"]
    assert compute_stats(whole, top=200) == stats  # seeded: the same every time


def test_stats_text_is_readable(project: Path) -> None:
    result = run("stats", "--top", "3", "--quiet")
    lines = result.stdout.splitlines()
    assert lines[0] == "139 entities, 233 relations, 2 connected components"
    assert "       7  Amt (Post)" in lines
    assert any(line.endswith("Serap Güler (serap-gueler)") for line in lines)


# ------------------------------------------------------------------ GraphML and GEXF


def test_graphml_is_read_by_networkx_and_igraph_with_the_same_network(whole: Projection) -> None:
    data = (ROOT / "exports" / "kg.graphml").read_bytes()
    assert data == graphml(whole)
    read = nx.read_graphml(ROOT / "exports" / "kg.graphml")
    assert set(read.nodes) == set(whole.network.nodes)
    assert sorted((u, v, d["predicate"]) for u, v, d in read.edges(data=True)) == sorted(whole.network.edges(keys=True))
    gueler = read.nodes["serap-gueler"]
    assert (gueler["label"], gueler["class"], gueler["class_en"]) == ("Serap Güler", "Politician", "politician")
    held = read.get_edge_data("markus-kerber", "staatssekretaer-bundesinnenministerium")
    assert [d["asOf"] for d in held.values()] == ["2019-11-27"]
    other = igraph.Graph.Read_GraphML(str(ROOT / "exports" / "kg.graphml"))
    assert other.is_directed()
    assert (other.vcount(), other.ecount()) == (whole.network.number_of_nodes(), whole.network.number_of_edges())
    assert "Serap Güler" in other.vs["label"]


def test_gexf_is_read_by_networkx_with_dates_and_labels(whole: Projection) -> None:
    assert (ROOT / "exports" / "kg.gexf").read_bytes() == gexf(whole)
    read = nx.read_gexf(ROOT / "exports" / "kg.gexf")
    assert read.number_of_nodes() == whole.network.number_of_nodes()
    assert read.number_of_edges() == whole.network.number_of_edges()
    conference = read.nodes["sozialkonferenz-ruhr-2019"]
    # "Termin: 27. November 2019, 12 bis 16.30 Uhr"
    assert (conference["startDate"], conference["endDate"]) == ("2019-11-27T12:00:00", "2019-11-27T16:30:00")
    assert conference["label"] == "Sozialkonferenz Ruhr 2019"
    edge = read.get_edge_data("serap-gueler", "cdu")
    assert [d["label"] for d in edge.values()] == ["Mitglied von"]


def test_network_files_escape_markup(whole: Projection) -> None:
    view = select(whole, focus=["serap-gueler"])
    node = view.network.nodes["serap-gueler"]
    node["label"] = 'A & B <"x">'
    for render, reader in ((graphml, nx.parse_graphml), (gexf, None)):
        text = render(view).decode("utf-8")
        if reader is not None:
            assert reader(text).nodes["serap-gueler"]["label"] == 'A & B <"x">'
        assert '<"x">' not in text
