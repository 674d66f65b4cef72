"""`kg viz` and `kg export`: the page's content, its views and its guarantees (offline, escaped, sourced).

The page's data is read back from the HTML the way the page's own script reads it, and
compared with what SPARQL finds in the built graph (rdflib here, Oxigraph in test_interop).
Views are tested on the Musterland fixture (tests/data/musterland); that the committed page
draws every entity and fact is checked on the real corpus too.
"""

from __future__ import annotations

import colorsys
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import yaml
from rdflib import Graph

from graph import pipeline
from graph.build import build_graph
from graph.namespace import NIK as OURS
from graph.viz import load_style
from tests.conftest import DATA, ROOT, run, snapshot

NIK = "https://w3id.org/nrw-integration-kg/ontology#"
PREFIXES = (
    f"PREFIX nik: <{NIK}>\nPREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
)


def page(html: bytes) -> dict[str, Any]:
    """The JSON the page draws from, parsed like the page does (textContent, then JSON.parse)."""
    match = re.search(rb'<script type="application/json" id="kg-data">(.*?)</script>', html, re.S)
    assert match is not None
    return json.loads(match.group(1).decode("utf-8"))  # type: ignore[no-any-return]


def node_ids(data: dict[str, Any]) -> set[str]:
    return {n[0] for n in data["nodes"]}


def edge_triples(data: dict[str, Any]) -> set[tuple[str, str, str]]:
    ids = [n[0] for n in data["nodes"]]
    return {(ids[u], data["terms"][t][0], ids[v]) for u, v, parts in data["edges"] for t, _ in parts}


def quotes_of_edge(data: dict[str, Any], subject: str, predicate: str, obj: str) -> list[tuple[str, list[str]]]:
    """(source id, quotes) of every claim of one edge, as the page shows them."""
    ids = [n[0] for n in data["nodes"]]
    found = []
    for u, v, parts in data["edges"]:
        for term, claims in parts:
            if (ids[u], data["terms"][term][0], ids[v]) == (subject, predicate, obj):
                for _, refs in claims:
                    for ref in refs:
                        source, quotes, _ = data["evidence"][ref]
                        found.append((data["sources"][source][0], quotes))
    return sorted(found)


MUSTERLAND_ID = "https://example.org/musterland/id/"


@pytest.fixture(scope="module")
def graph(musterland_built: Path) -> Graph:
    """The fixture's built graph plus the ontology, so SPARQL can follow rdfs:subClassOf."""
    combined = build_graph(pipeline.load(musterland_built)).graph
    combined.parse(ROOT / "ontology" / "ontology.ttl")
    return combined


@pytest.fixture(scope="module")
def committed(musterland_built: Path) -> dict[str, Any]:
    """The page the fixture's build wrote."""
    return page((musterland_built / "exports" / "kg.html").read_bytes())


def local(iri: object) -> str:
    return str(iri).rsplit("/", 1)[-1].rsplit("#", 1)[-1]


# ------------------------------------------------------------------ the whole graph


@pytest.mark.parametrize("which", ["corpus", "musterland"])
def test_page_draws_every_entity_and_every_fact_between_entities(which: str, request: pytest.FixtureRequest) -> None:
    built = ROOT if which == "corpus" else request.getfixturevalue("musterland_built")
    committed = page((built / "exports" / "kg.html").read_bytes())
    # Oxigraph answers the class hierarchy queries over the export plus the ontology.
    store = ox.Store()
    store.load(path=str(built / "exports" / "kg.nt"), format=ox.RdfFormat.N_TRIPLES)
    store.load(path=str(ROOT / "ontology" / "ontology.ttl"), format=ox.RdfFormat.TURTLE)
    entity = "?x a/rdfs:subClassOf* nik:Entity"
    entities = {
        local(row["e"].value) for row in store.query(PREFIXES + f"SELECT ?e {{ {entity.replace('?x', '?e')} }}")
    }
    links = {
        (local(row["s"].value), local(row["p"].value), local(row["o"].value))
        for row in store.query(
            PREFIXES
            + "SELECT ?s ?p ?o WHERE { ?st a nik:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o . "
            + entity.replace("?x", "?s")
            + " . "
            + entity.replace("?x", "?o")
            + " }"
        )
    }
    assert len(entities) == len(pipeline.load(built).entities)
    assert node_ids(committed) == entities
    assert edge_triples(committed) == links
    # statement, reference and source nodes are not drawn
    assert not any(re.fullmatch(r"[0-9a-f]{16}", n) for n in node_ids(committed))
    assert not set(pipeline.load(built).sources) & node_ids(committed)


def test_an_edge_carries_every_source_with_its_quote(committed: dict[str, Any]) -> None:
    # Beispiel's party is named in two reports (texts a and c).
    assert quotes_of_edge(committed, "erika-beispiel", "memberOf", "xyz") == [
        ("bericht-besuch-altstadt", ["Staatssekretärin Erika Beispiel (XYZ)"]),
        (
            "bericht-konferenz",
            [
                'Staatssekretärin Erika Beispiel (XYZ) berichtete von der "Teilhabestrategie Musterland 2030" '
                "der Landesregierung Musterland"
            ],
        ),
    ]


def test_qualifiers_travel_with_their_claim(committed: dict[str, Any]) -> None:
    # The event page dates Muster's office: "Am 12. Mai 2021 sprechen ... Staatssekretär Dr. Hans Muster".
    ids = [n[0] for n in committed["nodes"]]
    terms = [t[0] for t in committed["terms"]]
    claims = [
        claim
        for u, v, parts in committed["edges"]
        if (ids[u], ids[v]) == ("hans-muster", "staatssekretaer-bundesministerium")
        for term, found in parts
        if terms[term] == "holds"
        for claim in found
    ]
    dated = [c for c in claims if c[0]]
    assert [[terms[q], value] for q, value in dated[0][0]] == [["asOf", "2021-05-12"]]
    assert len(claims) == 2  # the report (undated) and the event page (dated)


def test_amounts_and_literal_facts_are_in_the_node_data(committed: dict[str, Any]) -> None:
    # "Bis 2022 will die Landesregierung 5 Millionen Euro ... bereitstellen."
    node = next(n for n in committed["nodes"] if n[0] == "mittel-ausweitung-beratung")
    facts = {(committed["terms"][a[0]][0], a[1]) for a in node[5]}
    assert {("amount", "5000000"), ("currency", "EUR"), ("endDate", "2022")} <= facts


def test_legend_and_edge_labels_come_from_the_ontology_in_both_languages(musterland: Path) -> None:
    german = page(run("viz", "-o", "-").stdout_bytes)
    english = page(run("viz", "--lang", "en", "-o", "-").stdout_bytes)
    assert next(c[:2] for c in german["classes"] if c[0] == "Politician") == ["Politician", "Politikerin/Politiker"]
    assert next(c[:2] for c in english["classes"] if c[0] == "Politician") == ["Politician", "politician"]
    assert ["memberOf", "Mitglied von"] in german["terms"] and ["memberOf", "member of"] in english["terms"]
    assert german["ui"]["search"] != english["ui"]["search"]


def test_a_class_added_to_the_ontology_is_drawn_with_no_code_change(tmp_path: Path) -> None:
    project = tmp_path / "mini"
    shutil.copytree(DATA / "mini", project)
    shutil.copytree(ROOT / "ontology", project / "ontology")
    ontology = project / "ontology" / "ontology.ttl"
    ontology.write_text(
        ontology.read_text("utf-8")
        + """
nik:Mayor a owl:Class ;
    rdfs:label "Bürgermeisterin/Bürgermeister"@de , "mayor"@en ;
    skos:definition "Wer eine Stadt leitet."@de , "Who heads a town."@en ;
    rdfs:subClassOf nik:Politician .
""",
        "utf-8",
    )
    entities = project / "sources" / "entities.yaml"
    entities.write_text(entities.read_text("utf-8").replace("type: Politician", "type: Mayor", 1), "utf-8")
    data = page(run("viz", "--project", project, "-o", "-").stdout_bytes)
    legend = {c[0]: c[1:] for c in data["classes"]}
    # its label from the ontology, its family from its ancestors, its shape from Politician's
    style = yaml.safe_load((ROOT / "graph" / "templates" / "viz-style.yaml").read_text("utf-8"))
    people = next(i for i, f in enumerate(style["families"]) if "Person" in f["roots"])
    label, colour, shape, _, family = legend["Mayor"]
    assert (label, family) == ("Bürgermeisterin/Bürgermeister", people)
    assert data["families"][family][0] == "Person"
    assert shape == load_style().looks(pipeline.load(ROOT).ontology)["Politician"].shape
    assert colour not in {f[1] for f in data["families"]}  # a shade of its own
    assert "Politician" not in legend


@pytest.mark.parametrize("which", ["corpus", "musterland"])
def test_html_is_self_contained_utf8_and_loads_nothing(which: str, request: pytest.FixtureRequest) -> None:
    built = ROOT if which == "corpus" else request.getfixturevalue("musterland_built")
    html = (built / "exports" / "kg.html").read_bytes()
    text = html.decode("utf-8")
    assert page(html)["nodes"]
    if which == "musterland":
        assert "Erika Beispiel" in text and '<meta charset="utf-8">' in text

    class Refs(HTMLParser):
        found: list[tuple[str, str, str]] = []  # noqa: RUF012

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            for name, value in attrs:
                if name in ("src", "href", "action", "poster", "data") and value:
                    self.found.append((tag, name, value))
            if tag == "link":
                self.found.append((tag, "link", str(attrs)))

    parser = Refs()
    parser.feed(text)
    assert parser.found == []
    assert "default-src 'none'" in text  # the browser itself refuses any request


def test_page_is_the_same_for_the_same_input(musterland: Path, musterland_built: Path) -> None:
    first = run("viz", "-o", "-").stdout_bytes
    second = run("viz", "-o", "-").stdout_bytes
    assert first == second == (musterland_built / "exports" / "kg.html").read_bytes()


def test_kg_viz_writes_exports_kg_html_and_leaves_an_unchanged_file_alone(musterland: Path) -> None:
    before = snapshot(musterland / "exports")["kg.html"]
    result = run("viz")
    assert result.exit_code == 0, result.output
    assert "unchanged: " in result.stderr
    assert snapshot(musterland / "exports")["kg.html"] == before
    (musterland / "exports" / "kg.html").unlink()
    assert run("viz", "--quiet").exit_code == 0
    assert (musterland / "exports" / "kg.html").read_bytes() == before[0]
    assert not (musterland / "lib").exists() and not (musterland / "exports" / "lib").exists()


# ------------------------------------------------------------------ focused views


def test_focus_shows_the_entity_and_its_neighbours(musterland: Path, graph: Graph) -> None:
    result = run("viz", "--focus", "otto-alt", "-o", "alt.html")
    assert result.exit_code == 0, result.output
    data = page((musterland / "alt.html").read_bytes())
    neighbours = {
        local(o)
        for (o,) in graph.query(
            PREFIXES
            + "SELECT ?o WHERE { { ?st rdf:subject ?b ; rdf:object ?o } UNION { ?st rdf:object ?b ; rdf:subject ?o }"
            f" ?st a nik:Statement . ?o a ?c . FILTER(?b = <{MUSTERLAND_ID}person/otto-alt>)"
            " FILTER(STRSTARTS(STR(?c), STR(nik:))) }"
        )
    }
    # In text d, Alt is Landrat and joins Test's visit.
    assert (
        node_ids(data) == neighbours | {"otto-alt"} == {"otto-alt", "landrat-musterkreis", "besuch-test-ki-musterkreis"}
    )
    assert data["description"] == ["within 1 of otto-alt"]


def test_focus_accepts_an_exact_name_or_alias(musterland: Path) -> None:
    by_id = run("viz", "--focus", "erika-beispiel", "-o", "-").stdout_bytes
    assert run("viz", "--focus", "Beispiel", "-o", "-").stdout_bytes == by_id
    assert run("viz", "--focus", "erika beispiel", "-o", "-").stdout_bytes == by_id


def test_depth_two_reaches_the_other_landrat(musterland: Path) -> None:
    one = page(run("viz", "--focus", "otto-alt", "-o", "-").stdout_bytes)
    two = page(run("viz", "--focus", "otto-alt", "--depth", "2", "-o", "-").stdout_bytes)
    # Bernd Neu is "Landrat" of the same district (text e): two steps via the post.
    assert "bernd-neu" not in node_ids(one)
    assert "bernd-neu" in node_ids(two)


def test_type_keeps_only_those_classes_and_their_subclasses(musterland: Path) -> None:
    data = page(run("viz", "--type", "Person", "-o", "-").stdout_bytes)
    classes = {c[0] for c in data["classes"]}
    assert classes == {"Person", "Politician", "Journalist"}
    assert len(data["nodes"]) == 12  # 7 politicians, 4 other people, 1 journalist named in the five texts
    assert data["edges"] == []  # people are linked through posts, events and parties, never directly


def test_source_keeps_what_that_source_states(musterland: Path, graph: Graph) -> None:
    source = "bericht-besuch-kreis"
    data = page(run("viz", "--source", source, "-o", "-").stdout_bytes)
    mentioned = {
        local(e)
        for (e,) in graph.query(PREFIXES + f"SELECT ?e WHERE {{ <{MUSTERLAND_ID}source/{source}> nik:mentions ?e }}")
    }
    assert node_ids(data) == mentioned
    assert {"tom-test", "otto-alt", "jan-journal", "ida-idee"} <= node_ids(data)
    assert "erika-beispiel" not in node_ids(data)
    for _, _, parts in data["edges"]:
        for _, claims in parts:
            assert all(any(data["sources"][data["evidence"][r][0]][0] == source for r in c[1]) for c in claims)


def test_as_of_keeps_what_the_dates_say_held_that_day(musterland: Path) -> None:
    data = page(run("viz", "--as-of", "2021-05-12", "-o", "-").stdout_bytes)
    links = edge_triples(data)
    # The event page: "Am 12. Mai 2021 sprechen ...", with the offices of its speakers.
    assert ("hans-muster", "holds", "staatssekretaer-bundesministerium") in links
    assert ("erika-beispiel", "holds", "staatssekretaerin-landesregierung") in links
    assert ("petra-probe", "holds", "regionaldirektorin") in links
    assert ("integrationskonferenz-2021", "location", "musterhalle") in links
    # Test's visit is dated only "am Dienstag": not a date, so not in a dated view.
    assert "tom-test" not in node_ids(data)
    # the office claims shown are the dated ones only
    ids = [n[0] for n in data["nodes"]]
    for u, _v, parts in data["edges"]:
        if ids[u] == "hans-muster":
            for _, claims in parts:
                assert all(c[0] for c in claims)
    undated = page(run("viz", "--as-of", "2021-05-12", "--undated", "-o", "-").stdout_bytes)
    assert "tom-test" in node_ids(undated)


def test_as_of_a_year_matches_dates_within_it(musterland: Path) -> None:
    year = node_ids(page(run("viz", "--as-of", "2020", "-o", "-").stdout_bytes))
    # "Bei der ersten Integrationskonferenz 2020 in Neustadt"
    assert {"integrationskonferenz-2020", "neustadt"} <= year
    assert "integrationskonferenz-2021" not in year
    assert "musterhalle" not in year


# ------------------------------------------------------------------ errors


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--focus", "erika-beispil", "-o", "x.html"],
            "Error: unknown entity 'erika-beispil' (did you mean 'erika-beispiel'?)",
        ),
        (["--type", "Persn", "-o", "x.html"], "Error: unknown class 'Persn' (did you mean 'Person'?)"),
        (["--source", "zeitung", "-o", "x.html"], "Error: unknown source 'zeitung'"),
        (
            ["--focus", "erika-beispiel"],
            "Error: a focused view (--focus, --type, --source, --as-of) needs --output FILE; "
            "exports/kg.html shows everything",
        ),
    ],
)
def test_bad_view_requests_get_one_line_and_exit_2(musterland: Path, args: list[str], message: str) -> None:
    before = snapshot(musterland / "exports")
    result = run("viz", *args)
    assert result.exit_code == 2
    assert result.stderr.strip() == message
    assert snapshot(musterland / "exports") == before
    assert not (musterland / "x.html").exists()


def test_a_bad_date_is_a_usage_error(musterland: Path) -> None:
    result = run("viz", "--as-of", "27.11.2019", "-o", "x.html")
    assert result.exit_code == 2
    assert "'27.11.2019' is not a date; use YYYY, YYYY-MM or YYYY-MM-DD" in result.stderr
    result = run("viz", "--as-of", "2019-02-30", "-o", "x.html")
    assert result.exit_code == 2 and "is not a real date" in result.stderr


def test_an_entity_outside_the_view_is_named_as_such(musterland: Path) -> None:
    result = run("viz", "--as-of", "2021-05-12", "--focus", "tom-test", "-o", "x.html")
    assert result.exit_code == 2
    assert result.stderr.strip() == "Error: entity 'tom-test' is not in this view (as of 2021-05-12)"


def test_broken_sources_leave_the_page_untouched(musterland: Path) -> None:
    before = snapshot(musterland / "exports")
    entities = musterland / "sources" / "entities.yaml"
    entities.write_text(entities.read_text("utf-8").replace("type: Politician", "type: Politican", 1), "utf-8")
    result = run("viz")
    assert result.exit_code == 1
    assert "unknown type 'Politican' (did you mean 'Politician'?)" in result.stderr
    assert snapshot(musterland / "exports") == before


# ------------------------------------------------------------------ hostile text


def hostile_project(tmp_path: Path) -> Path:
    """The mini project with markup in a name, an alias and a quote."""
    target = tmp_path / "hostile"
    shutil.copytree(DATA / "mini", target)
    shutil.copytree(ROOT / "ontology", target / "ontology")
    entities = target / "sources" / "entities.yaml"
    entities.write_text(
        entities.read_text("utf-8") + "\n- id: hostile\n  type: Person\n"
        "  name: '<img src=x onerror=\"window.__xss=1\">Eve</script><script>window.__xss=2</script>'\n"
        "  aliases: ['<b onmouseover=\"window.__xss=3\">alias</b>']\n",
        "utf-8",
    )
    article = target / "sources" / "articles" / "a.yaml"
    article.write_text(
        article.read_text("utf-8")
        + "\n  - subject: hostile\n    quote: '<script>window.__xss=4</script> & <img src=y onerror=window.__xss=5>'\n"
        "    memberOf: xyz\n    note: '<iframe src=javascript:window.__xss=6>'\n",
        "utf-8",
    )
    return target


def test_markup_in_names_and_quotes_stays_inert_text_in_the_file(tmp_path: Path) -> None:
    project = hostile_project(tmp_path)
    result = run("viz", "--project", project, "-o", tmp_path / "hostile.html")
    assert result.exit_code == 0, result.output
    html = (tmp_path / "hostile.html").read_bytes().decode("utf-8")
    assert html.count("</script>") == 3  # data, vis-network, ours
    for raw in ("<script>window.__xss", "<img src=", "<iframe", "<b onmouseover"):
        assert raw not in html
    data = page(html.encode("utf-8"))
    names = {n[0]: n for n in data["nodes"]}
    assert names["hostile"][1] == '<img src=x onerror="window.__xss=1">Eve</script><script>window.__xss=2</script>'
    assert any("<script>window.__xss=4</script>" in q for _, quotes, _ in data["evidence"] for q in quotes)


# ------------------------------------------------------------------ kg export


def test_export_writes_one_format_to_stdout_or_a_file(musterland: Path, musterland_built: Path) -> None:
    result = run("export", "graphml", "--texts", "texts", "--quiet")
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == (musterland_built / "exports" / "kg.graphml").read_bytes()
    result = run("export", "gexf", "-o", "net.gexf", "--texts", "texts", "--quiet")
    assert result.exit_code == 0
    assert (musterland / "net.gexf").read_bytes() == (musterland_built / "exports" / "kg.gexf").read_bytes()


def test_export_of_an_unknown_format_lists_the_valid_ones(musterland: Path) -> None:
    result = run("export", "dot")
    assert result.exit_code == 2
    assert "'dot' is not one of 'gexf', 'graphml', 'html', 'jsonld', 'ntriples', 'turtle'" in result.stderr


def test_network_formats_share_one_projection(musterland_built: Path) -> None:
    from graph import export

    exports = musterland_built / "exports"
    dataset = pipeline.load(musterland_built)
    source = export.ExportInput(build_graph(dataset).graph, dataset.ontology)
    rendered = export.render_exports(source, ["graphml", "gexf", "html", "turtle"], exports)
    assert sorted(p.name for p in rendered) == ["kg.gexf", "kg.graphml", "kg.html", "kg.ttl"]
    assert "projection" in vars(source)  # computed once, cached for every network format
    assert rendered[exports / "kg.graphml"] == (exports / "kg.graphml").read_bytes()


def _hue(colour: str) -> float:
    return colorsys.rgb_to_hls(*(int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)))[0]


def test_every_entity_class_has_a_family_and_looks_like_it() -> None:
    ontology = pipeline.load(ROOT).ontology
    style = load_style()
    looks = style.looks(ontology)
    entity_classes = {c.name for c in ontology.classes.values() if OURS.Entity in c.ancestors and c.name != "Entity"}
    entity_classes -= {"Agent"}  # abstract: people and organisations are its families
    assert sorted(entity_classes - set(looks)) == []
    hues = [_hue(f.color) for f in style.families if f.color != "#8a8a8a"]
    assert min(abs(a - b) for a, b in itertools.combinations(hues, 2)) > 0.1  # clearly distinct family hues
    for name, look in looks.items():
        family = style.families[look.family]
        if family.color == "#8a8a8a":  # the grey family: shades of grey
            assert len({look.color[1:3], look.color[3:5], look.color[5:7]}) == 1
            continue
        # a shade stays nearer its own family's hue than any other family's
        distance = {
            i: min(abs(_hue(look.color) - _hue(f.color)), 1 - abs(_hue(look.color) - _hue(f.color)))
            for i, f in enumerate(style.families)
            if f.color != "#8a8a8a"
        }
        assert min(distance, key=lambda i: distance[i]) == look.family, name
    colours = [look.color for look in looks.values()]
    shaded = [c for c in colours if c not in {f.color for f in style.families}]
    assert len(set(shaded)) == len(shaded)  # every subclass a shade of its own


def test_a_focused_view_has_its_subtitle_in_the_pages_language(musterland: Path) -> None:
    german = run("viz", "--project", musterland, "--focus", "erika-beispiel", "--depth", "1", "-o", "-").stdout_bytes
    assert b'<p id="kg-subtitle">Umgebung von Erika Beispiel, Tiefe 1</p>' in german
    english = run("viz", "--project", musterland, "--focus", "erika-beispiel", "--lang", "en", "-o", "-").stdout_bytes
    assert b'<p id="kg-subtitle">within 1 of Erika Beispiel</p>' in english
    whole = run("viz", "--project", musterland, "-o", "-").stdout_bytes
    assert b'<p id="kg-subtitle"></p>' in whole


def test_a_focused_view_is_the_same_in_every_process(committed: dict[str, Any], musterland_built: Path) -> None:
    # a networkx subgraph iterates in set order, which string hashing changes per process
    hub = max(committed["nodes"], key=lambda n: (n[4], n[0]))[0]
    pages = set()
    for seed in ("1", "2"):
        done = subprocess.run(
            [sys.executable, "-m", "graph", "viz", "--project", musterland_built, "--focus", hub, "-o", "-"],
            capture_output=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        pages.add(done.stdout)
    assert len(pages) == 1


# ---------------------------------------------------------------- the page template without Jinja

_TRICKY = ('Zeitung "B" & <Söhne>', "it's", "{{ title }}", "a\r\nb", "")


@pytest.mark.parametrize(
    "template",
    [
        "the shipped one",
        "<p>{{ title }}</p>\r\n<p>{{subtitle}}</p>\r<i>{{ missing }}</i>\n\n",
        "{{ title }}} {{ lang }}",
        "no line break at the end {{ lang }}",
        "{% if lang %}{{ lang }}{% endif %}\n",  # not only values: Jinja renders it
        "{{ title|upper }}\n",
        "{# a comment #}{{ title }}",
    ],
)
def test_the_page_template_is_filled_as_jinja_renders_it(template: str) -> None:
    from importlib import resources

    from jinja2 import Environment, select_autoescape
    from markupsafe import Markup

    from graph.viz import fill_template

    if template == "the shipped one":
        template = (resources.files("graph") / "templates" / "viz.html").read_text("utf-8")
    jinja = Environment(autoescape=select_autoescape(default=True, default_for_string=True)).from_string(template)
    for title, subtitle in itertools.product(_TRICKY, repeat=2):
        values = {"lang": "de", "title": title, "subtitle": subtitle, "data": Markup("<kg-data/>")}
        values["css"] = Markup("a>b")
        assert fill_template(template, **values) == jinja.render(**values)
