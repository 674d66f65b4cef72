"""Hostile text as names and quotes: through the loader and every export format, and back unchanged.

Names and quotes are data. Whatever a curator (or an attacker) writes — every kind of quote
mark, backslashes, Turtle, SPARQL and HTML syntax, ``</script>``, bidirectional marks,
combining characters, emoji, U+2028 — must come back character for character from
Turtle, N-Triples and JSON-LD (read with rdflib and pyoxigraph), from GraphML and GEXF
(read with networkx) and from the page's data. The only characters refused are the ones
no export can carry (control characters but tab and line feed, U+FFFE, U+FFFF): they are
refused when loading, with file:line and code point, the same for every format.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from pathlib import Path

import networkx as nx
import pyoxigraph
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS

from graph import pipeline
from graph.build import build_graph
from graph.errors import SourceError
from graph.export import ExportInput, exporter
from graph.namespace import NIK
from tests.conftest import DATA, ROOT

FIXTURE = DATA / "invalid" / "project"
BASE = "https://example.org/kg/"
FRAGMENTS = [
    # every quotation mark: ASCII, German, English, French (escapes for those that look like , ` < >)
    *['"', "'", "`", "„", "“", "”", "\u201a", "\u2018", "\u2019", "«", "»", "\u2039", "\u203a"],
    *["''", '"""', "'''"],
    *["\\", "\\\\", "\\n", "\\u0041", '\\"', "\\'"],
    *['"@en', '"^^<http://www.w3.org/2001/XMLSchema#int>', "<http://example.org/x>", "_:b0", " .\n", " ;", "#"],
    *["SELECT * WHERE { ?s ?p ?o }", "} UNION { SERVICE <http://127.0.0.1/> {", "%0D", "\\r"],
    *["<", ">", "&", "&amp;", "</script>", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>"],
    *["<![CDATA[", "]]>", "<!--", "-->", "&#0;", "{{ data }}", "${x}"],
    *["\u200f", "\u200e", "\u202e", "\u2066", "e\u0301", "\u0308", "\ufeff", "\u00ad", "\u200b"],
    *["😀", "👩\u200d👩\u200d👧", "🇩🇪", "\U0010fffd", "\u2028", "\u2029", "\t", "\n", " | ", "; "],
]
# Any character an export can carry: everything but controls (tab and line feed aside),
# surrogates and the two non-characters.
ALLOWED = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff") | st.sampled_from(
    ["\t", "\n"]
)
HOSTILE = st.lists(st.sampled_from(FRAGMENTS) | st.text(ALLOWED, max_size=4), min_size=1, max_size=6).map("".join)


def _yaml_text(value: str) -> str:
    """``value`` as one double-quoted YAML scalar (PyYAML's emitter does the escaping)."""
    return yaml.safe_dump(value, default_style='"', allow_unicode=False, width=1_000_000).removesuffix("\n...\n")


def write_project(target: Path, people: list[tuple[str, str, str]]) -> None:
    """The fixture project plus one article declaring a person per (name, alias, quote)."""
    shutil.copytree(FIXTURE, target)
    shutil.copytree(ROOT / "ontology", target / "ontology")
    lines = [
        "source:",
        "  id: hostile-source",
        "  type: NewsArticle",
        "  name: Feindliche Zeichen",
        "  language: de",
        "  sha256: " + "ab" * 32,
        "facts:",
    ]
    for i, (name, alias, quote) in enumerate(people):
        lines += [
            f"  - id: person-{i}",
            "    type: Person",
            f"    name: {_yaml_text(name)}",
            f"    aliases: [{_yaml_text(alias)}]",
            f"    quote: {_yaml_text(quote)}",
            "    memberOf: cdu",
        ]
    (target / "sources" / "articles" / "zz-hostile.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def render_all(project: Path) -> dict[str, bytes]:
    """Load and build the project, then render every format (SHACL is not what is tested here)."""
    dataset = pipeline.load(project)
    source = ExportInput(build_graph(dataset).graph, dataset.ontology)
    return {name: exporter(name).render(source) for name in ("turtle", "ntriples", "jsonld", "html", "graphml", "gexf")}


def assert_round_trip(exports: dict[str, bytes], people: list[tuple[str, str, str]], scratch: Path) -> None:
    """Every name, alias and quote reads back unchanged from every format."""
    graphs = {
        "turtle": Graph().parse(data=exports["turtle"], format="turtle"),
        "ntriples": Graph().parse(data=exports["ntriples"], format="nt"),
        "jsonld": Graph().parse(data=exports["jsonld"], format="json-ld"),
    }
    stores = {}
    for name, fmt in (("ntriples", pyoxigraph.RdfFormat.N_TRIPLES), ("turtle", pyoxigraph.RdfFormat.TURTLE)):
        stores[name] = pyoxigraph.Store()
        stores[name].load(exports[name], format=fmt)
    (scratch / "kg.graphml").write_bytes(exports["graphml"])
    (scratch / "kg.gexf").write_bytes(exports["gexf"])
    networks = {"graphml": nx.read_graphml(scratch / "kg.graphml"), "gexf": nx.read_gexf(scratch / "kg.gexf")}
    match = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', exports["html"].decode("utf-8"))
    assert match is not None
    page = json.loads(match.group(1))
    page_texts = set(_strings(page))  # the page's data layout is the page's business: look for the texts
    for i, (name, alias, quote) in enumerate(people):
        iri = URIRef(f"{BASE}person/person-{i}")
        want_name, want_alias = name.strip(), alias.strip()
        for fmt, graph in graphs.items():
            assert {str(o) for o in graph.objects(iri, RDFS.label)} == {want_name}, fmt
            assert {str(o) for o in graph.objects(iri, SKOS.altLabel)} == {want_alias}, fmt
            assert Literal(quote, lang="de") in set(graph.objects(None, NIK.quote)), fmt
        for fmt, store in stores.items():
            label = pyoxigraph.NamedNode(str(RDFS.label))
            assert {q.object.value for q in store.quads_for_pattern(pyoxigraph.NamedNode(iri), label, None)} == {
                want_name
            }, fmt
        node = f"person-{i}"
        for fmt, network in networks.items():
            assert network.nodes[node]["label"] == want_name, fmt
            assert network.nodes[node]["aliases"] == want_alias, fmt
            assert [data["quotes"] for _, _, data in network.out_edges(node, data=True)] == [quote], fmt
        assert {want_name, want_alias, quote} <= page_texts


def _strings(value: object) -> list[str]:
    """Every string in a JSON document."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def test_every_hostile_fragment_survives_every_format(tmp_path: Path) -> None:
    people = [(f"X{fragment}Y", f"{fragment}Alias", f"Zitat {fragment} Ende") for fragment in FRAGMENTS]
    write_project(tmp_path / "project", people)
    assert_round_trip(render_all(tmp_path / "project"), people, tmp_path)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=HOSTILE, alias=HOSTILE, quote=HOSTILE)
def test_hostile_names_and_quotes_round_trip(tmp_path: Path, name: str, alias: str, quote: str) -> None:
    if not name.strip() or not alias.strip() or not quote.strip():
        return  # empty values are refused by their own rule (tests/data/invalid/)
    # a folder of its own for each example: Hypothesis may run the same example twice
    project = Path(tempfile.mkdtemp(prefix="example-", dir=tmp_path)) / "project"
    write_project(project, [(name, alias, quote)])
    assert_round_trip(render_all(project), [(name, alias, quote)], project)


@pytest.mark.parametrize("char", ["\r", "\x00", "\x07", "\x1b", "\x7f", "\x85", "\ufffe", "\uffff"])
def test_what_no_export_can_carry_is_refused_when_loading(tmp_path: Path, char: str) -> None:
    project = tmp_path / "project"
    write_project(project, [(f"Erika{char}Beispiel", "Erika", "Erika Beispiel")])
    with pytest.raises(SourceError) as raised:
        pipeline.load(project)
    [problem] = raised.value.problems
    assert str(problem.location) == f"{project / 'sources' / 'articles' / 'zz-hostile.yaml'}:10"
    code = f"U+{ord(char):04X}"
    assert problem.message.startswith((f"control character {code}", f"{code} in a value is not a character"))
