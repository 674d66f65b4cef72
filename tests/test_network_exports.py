"""The fast paths of the network exports give the same results as the plain ones.

XML escaping by ``str.replace`` against ``xml.sax.saxutils``, the projection read from
rdflib's own index against the one read through the public API, and the rows and labels
a projection keeps for GraphML and GEXF.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pytest
from rdflib import Graph
from rdflib.namespace import RDF

from graph import pipeline
from graph.build import build_graph
from graph.dataset import Dataset
from graph.namespace import NIK
from graph.netformats import edge_rows, gexf, graphml, node_rows, xml_attribute, xml_text
from graph.projection import Projection, local_name, project, select
from graph.viz import page_data, render_html
from graph.writers import store_table, subject_table

TEXTS = [
    "",
    "plain",
    'say "hi"',
    "it's",
    "both \" and '",
    "<b>bold</b>",
    "a > b",
    "Tom & Jerry",
    "&amp; already escaped",
    "&#10; a reference",
    "Straße, Düsseldorf, Köln",
    "Ελληνικά, русский, 日本語, עברית",
    "emoji \U0001f600 outside the BMP",
    "tab\there",
    "line\nbreak",
    "carriage\rreturn",
    "\r\n\t all three",
    "\u00a0no-break\u2028line separator\u0085next line",
    "]]> end of CDATA",
    "'\"<>&\t\n\r",
]


def test_the_cases_are_all_collected() -> None:
    assert len(TEXTS) == 20


@pytest.mark.parametrize("text", TEXTS)
def test_xml_text_is_saxutils_escape(text: str) -> None:
    assert xml_text(text) == escape(text)


@pytest.mark.parametrize("text", TEXTS)
def test_xml_attribute_is_saxutils_quoteattr(text: str) -> None:
    assert xml_attribute(text) == quoteattr(text)


def test_escaping_agrees_with_saxutils_on_every_short_mix_of_special_characters() -> None:
    alphabet = "a&<>\"'\t\n\rü"
    for length in range(4):
        for letters in itertools.product(alphabet, repeat=length):
            text = "".join(letters)
            assert (xml_text(text), xml_attribute(text)) == (escape(text), quoteattr(text)), repr(text)


@pytest.fixture(scope="module")
def built(musterland_built: Path) -> tuple[Graph, Dataset]:
    dataset = pipeline.load(musterland_built)
    return build_graph(dataset).graph, dataset


class _OtherGraph(Graph):
    """A graph whose store index the projection does not read (a subclass): the public API is used."""


def _signature(projection: Projection) -> tuple[object, ...]:
    network = projection.network
    return (
        list(network.nodes(data=True)),
        list(network.edges(keys=True, data=True)),
        projection.sources,
    )


def test_the_projection_from_the_store_index_equals_the_one_from_the_public_api(
    built: tuple[Graph, Dataset],
) -> None:
    graph, dataset = built
    other = _OtherGraph(bind_namespaces="none")
    for triple in graph:
        other.add(triple)
    assert subject_table(graph) is store_table(graph, "spo")  # read in place
    assert store_table(other, "spo") is None
    assert subject_table(other).keys() == subject_table(graph).keys()
    fast, plain = project(graph, dataset.ontology), project(other, dataset.ontology)
    assert len(fast.network) > 0
    assert _signature(fast) == _signature(plain)
    assert graphml(fast) == graphml(plain)
    assert render_html(fast) == render_html(plain)


def test_a_triple_removed_from_the_store_is_not_projected(built: tuple[Graph, Dataset]) -> None:
    graph, dataset = built
    copy = Graph(store=type(graph.store)(), bind_namespaces="none")
    for triple in graph:
        copy.add(triple)
    whole = project(copy, dataset.ontology)
    u, v, key, claims = next(iter(whole.network.edges(keys=True, data="claims")))
    statement = next(s for s in copy.subjects(RDF.type, NIK.Statement) if local_name(s) == claims[0].statement)
    copy.remove((statement, RDF.subject, None))  # SimpleMemory keeps the emptied entry in its index
    assert subject_table(copy)[statement][RDF.subject] == {}
    kept = project(copy, dataset.ontology).network.get_edge_data(u, v, key, default={"claims": ()})["claims"]
    assert [c.statement for c in kept] == [c.statement for c in claims[1:]]


def test_term_labels_are_the_ontology_labels(built: tuple[Graph, Dataset]) -> None:
    graph, dataset = built
    projection = project(graph, dataset.ontology)
    for cls in sorted(set(dict(projection.network.nodes(data="cls")).values())):
        for lang in ("de", "en"):
            expected = dataset.ontology.label(dataset.ontology.classes[cls].iri, lang)
            assert projection.term_label(cls, lang) == expected
            assert projection.term_label(cls, lang) == expected  # the memoised answer


def test_rows_are_computed_once_per_view_and_anew_for_a_new_view(built: tuple[Graph, Dataset]) -> None:
    graph, dataset = built
    whole = project(graph, dataset.ontology)
    assert node_rows(whole) is node_rows(whole)
    assert edge_rows(whole) is edge_rows(whole)
    view = select(whole, focus=["erika-beispiel"], depth=0)
    assert [n for n, _ in node_rows(view)] == ["erika-beispiel"]
    assert len(node_rows(whole)) == len(whole.network) > 1
    copied = replace(whole, description=("copy",))
    assert node_rows(copied) is not node_rows(whole)
    assert node_rows(copied) == node_rows(whole)


def test_graphml_and_gexf_do_not_depend_on_which_is_written_first(built: tuple[Graph, Dataset]) -> None:
    graph, dataset = built
    first, second = project(graph, dataset.ontology), project(graph, dataset.ontology)
    graphml_first = (graphml(first), gexf(first))
    gexf_first = tuple(reversed((gexf(second), graphml(second))))
    assert graphml_first == gexf_first


def test_the_page_counts_degrees_as_networkx_does(built: tuple[Graph, Dataset]) -> None:
    graph, dataset = built
    whole = project(graph, dataset.ontology)
    network = whole.network.copy()
    u, v, key, claims = next(iter(network.edges(keys=True, data="claims")))
    network.add_edge(u, u, key=key, predicate=key, claims=claims)  # a loop
    network.add_edge(u, v, key=key + "Again", predicate=key, claims=claims)  # a parallel edge
    for view in (whole, select(whole, focus=[u], depth=1), replace(whole, network=network)):
        degrees = {record[0]: record[4] for record in page_data(view)["nodes"]}
        assert degrees == dict(view.network.degree())
    assert degrees[u] == whole.network.degree(u) + 3
