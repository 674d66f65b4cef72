"""SPARQL clients against `kg serve`: every SPARQLWrapper format, for every query form.

SPARQLWrapper names the format in the URL (``format=rdf+xml&format=application/rdf+xml``,
also as ``output`` and ``results``) and in the Accept header; other clients send only
Accept headers. Each answer is read back the way the client reads it and compared, as
rows or as a graph, with the answer in the endpoint's default format. The endpoint
serves the invented project of tests/data/mini.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import shutil
import urllib.error
import urllib.parse
import urllib.request
import warnings
import xml.dom.minidom
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import SPARQLWrapper
from SPARQLWrapper.Wrapper import _allowedFormats

from graph import pipeline
from graph.formats import UnknownFormat, choose, requested_format
from graph.library import library
from graph.serve import Endpoint, start_endpoint
from tests.conftest import DATA, ROOT

RS = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/result-set#")
ERIKA = URIRef("https://example.org/kg/person/erika-beispiel")
LABEL = URIRef("http://www.w3.org/2000/01/rdf-schema#label")
PREFIXES = (
    "PREFIX nik: <https://w3id.org/nrw-integration-kg/ontology#>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
)
QUERIES = {
    "SELECT": PREFIXES + "SELECT ?person ?name WHERE { ?person a nik:Politician ; rdfs:label ?name }",
    "ASK": PREFIXES + "ASK { ?person a nik:Politician }",
    "CONSTRUCT": PREFIXES + "CONSTRUCT { ?p rdfs:label ?name } WHERE { ?p a nik:Politician ; rdfs:label ?name }",
    "DESCRIBE": PREFIXES + "DESCRIBE <https://example.org/kg/person/erika-beispiel>",
}
#: SPARQLWrapper 2's formats; a new one in a later release must be added to the test.
SPARQLWRAPPER_FORMATS = ["json", "xml", "turtle", "n3", "rdf", "rdf+xml", "csv", "tsv", "json-ld"]


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoint]:
    folder = tmp_path_factory.mktemp("clients")
    project = folder / "mini"
    shutil.copytree(DATA / "mini", project)
    shutil.copytree(ROOT / "ontology", project / "ontology")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KG_CACHE_DIR", str(folder / "cache"))
        patch.delenv("KG_TEXTS", raising=False)
        pipeline.build(project=project)
        with start_endpoint(project=project, port=0, workers=2, timeout=20).start() as running:
            yield running


def http(endpoint: Endpoint, query: str, accept: str = "", **params: str) -> tuple[int, str, bytes]:
    url = f"{endpoint.url}?{urllib.parse.urlencode({'query': query, **params})}"
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


# ---------------------------------------------------------------- reading answers back


def rows_of(body: bytes, media_type: str) -> set[tuple[tuple[str, str], ...]] | bool:
    """A table in any format as a set of rows ((variable, value) …), or the boolean of ASK."""
    media = media_type.split(";")[0]
    text = body.decode("utf-8")
    if media == "application/sparql-results+json":
        data = json.loads(text)
        if "boolean" in data:
            return bool(data["boolean"])
        return {tuple(sorted((k, v["value"]) for k, v in row.items())) for row in data["results"]["bindings"]}
    if media == "application/sparql-results+xml":
        document = xml.dom.minidom.parseString(body)
        booleans = document.getElementsByTagName("boolean")
        if booleans:
            return booleans[0].firstChild.data == "true"  # type: ignore[union-attr]
        found = set()
        for result in document.getElementsByTagName("result"):
            cells = []
            for binding in result.getElementsByTagName("binding"):
                value = binding.getElementsByTagName("*")[0].firstChild.data  # type: ignore[union-attr]
                cells.append((binding.getAttribute("name"), value))
            found.add(tuple(sorted(cells)))
        return found
    if media in ("text/csv", "text/tab-separated-values"):
        if text.strip() in ("true", "false"):
            return text.strip() == "true"
        if media == "text/csv":
            table = list(csv.reader(io.StringIO(text)))
            header, records = table[0], table[1:]
        else:  # TSV writes terms in Turtle syntax: <iri>, "text"@de
            lines = [line.split("\t") for line in text.splitlines()]
            header = [name.lstrip("?") for name in lines[0]]
            records = [[_tsv_value(cell) for cell in line] for line in lines[1:]]
        return {tuple(sorted((h, v) for h, v in zip(header, r, strict=True) if v)) for r in records}
    graph = graph_of(body, media_type)  # the result-set vocabulary
    result_set = graph.value(predicate=RDF.type, object=RS.ResultSet)
    boolean = graph.value(result_set, RS.boolean)
    if boolean is not None:
        return bool(boolean.toPython())
    return {
        tuple(
            sorted(
                (str(graph.value(b, RS.variable)), str(graph.value(b, RS.value))) for b in graph.objects(s, RS.binding)
            )
        )
        for s in graph.objects(result_set, RS.solution)
    }


def _tsv_value(cell: str) -> str:
    if cell.startswith("<"):
        return cell[1:-1]
    if cell.startswith('"'):
        return cell[1 : cell.rindex('"')]
    return cell


def graph_of(body: bytes, media_type: str) -> Graph:
    media = media_type.split(";")[0]
    rdflib_format = {
        "text/turtle": "turtle",
        "text/n3": "turtle",  # Turtle labelled N3 (test_n3_is_served_as_turtle_labelled_n3)
        "application/n-triples": "nt",
        "application/rdf+xml": "xml",
        "application/ld+json": "json-ld",
    }[media]
    return Graph().parse(data=body, format=rdflib_format)


def triples_of(body: bytes, media_type: str) -> Graph:
    """Triples in any format; a table of ?subject ?predicate ?object read back as triples."""
    media = media_type.split(";")[0]
    if media in (
        "text/csv",
        "text/tab-separated-values",
        "application/sparql-results+json",
        "application/sparql-results+xml",
    ):
        rows = rows_of(body, media_type)
        assert isinstance(rows, set)
        graph = Graph()
        for row in rows:
            cells = dict(row)
            assert set(cells) == {"subject", "predicate", "object"}
            value = cells["object"]
            term = URIRef(value) if value.startswith("https://") else Literal(value, lang="de")
            graph.add((URIRef(cells["subject"]), URIRef(cells["predicate"]), term))
        return graph
    return graph_of(body, media_type)


def expected(endpoint: Endpoint, form: str) -> object:
    status, media, body = http(endpoint, QUERIES[form])
    assert status == 200
    return triples_of(body, media) if form in ("CONSTRUCT", "DESCRIBE") else rows_of(body, media)


def same(form: str, answer: object, reference: object) -> bool:
    if isinstance(reference, Graph):
        assert isinstance(answer, Graph)
        if form == "DESCRIBE":  # read back from a table, literals lose their exact datatype
            return {(s, p) for s, p, _ in answer} == {(s, p) for s, p, _ in reference}
        return isomorphic(answer, reference)
    return answer == reference


# ---------------------------------------------------------------- the tests


def test_the_formats_are_sparqlwrappers() -> None:
    assert sorted(_allowedFormats) == sorted(SPARQLWRAPPER_FORMATS)


def test_reference_answers_are_what_the_fixture_says(endpoint: Endpoint) -> None:
    assert expected(endpoint, "SELECT") == {(("name", "Erika Beispiel"), ("person", str(ERIKA)))}
    assert expected(endpoint, "ASK") is True
    constructed = expected(endpoint, "CONSTRUCT")
    assert set(constructed) == {(ERIKA, LABEL, Literal("Erika Beispiel", lang="de"))}  # type: ignore[call-overload]
    assert (ERIKA, LABEL, None) in expected(endpoint, "DESCRIBE")  # type: ignore[operator]


@pytest.mark.parametrize("form", list(QUERIES))
@pytest.mark.parametrize("return_format", SPARQLWRAPPER_FORMATS)
def test_every_sparqlwrapper_format_for_every_query_form(endpoint: Endpoint, form: str, return_format: str) -> None:
    sparql = SPARQLWrapper(endpoint.url)
    sparql.setTimeout(30)
    sparql.setQuery(QUERIES[form])
    sparql.setReturnFormat(return_format)
    with warnings.catch_warnings():
        # SPARQLWrapper warns itself when it sends "*/*" for a format it does not expect for
        # the query form; it would warn "Format requested was …" if we answered in another one.
        warnings.filterwarnings("error", category=RuntimeWarning)
        warnings.filterwarnings("ignore", message="Sending Accept header", category=RuntimeWarning)
        result = sparql.query()
        converted = result.convert()
    media = result.info()["content-type"]
    assert converted is not None
    body = _bytes_of(converted, media)
    answer = triples_of(body, media) if form in ("CONSTRUCT", "DESCRIBE") else rows_of(body, media)
    assert same(form, answer, expected(endpoint, form))


def _bytes_of(converted: object, media: str) -> bytes:
    """What SPARQLWrapper's convert() gave, as the bytes of the same media type."""
    if isinstance(converted, bytes):
        return converted
    if isinstance(converted, str):
        return converted.encode("utf-8")
    if isinstance(converted, dict):
        return json.dumps(converted).encode("utf-8")
    if isinstance(converted, Graph):
        rdflib_format = {"application/rdf+xml": "xml", "application/ld+json": "json-ld"}[media.split(";")[0]]
        return converted.serialize(format=rdflib_format, encoding="utf-8")
    assert isinstance(converted, xml.dom.minidom.Document)
    return converted.toxml("utf-8")


# Accept headers as clients send them (Jena, rdflib's SPARQLStore, YASGUI, curl, browsers).
ACCEPT = {
    "SELECT": [
        "application/sparql-results+json, application/sparql-results+xml;q=0.9, text/tab-separated-values;q=0.7, "
        "text/csv;q=0.5, application/json;q=0.2, application/xml;q=0.2, */*;q=0.1",
        "application/sparql-results+xml",
        "application/sparql-results+json,*/*;q=0.9",
        "text/csv",
        "*/*",
        "application/rdf+xml",
        "text/turtle",
    ],
    "CONSTRUCT": [
        "text/turtle, application/n-triples;q=0.9, application/ld+json;q=0.8, application/rdf+xml;q=0.7, */*;q=0.5",
        "application/rdf+xml",
        "text/n3",
        "text/rdf+n3",
        "application/n3",
        "application/ld+json",
        "application/n-triples",
        "text/plain",
        "application/json",
        "application/xml",
        "text/csv",
        "*/*",
    ],
}


@pytest.mark.parametrize(("form", "accept"), [(f, a) for f, headers in ACCEPT.items() for a in headers])
def test_accept_headers_of_common_clients(endpoint: Endpoint, form: str, accept: str) -> None:
    status, media, body = http(endpoint, QUERIES[form], accept)
    assert status == 200, body
    answer = triples_of(body, media) if form == "CONSTRUCT" else rows_of(body, media)
    assert same(form, answer, expected(endpoint, form))


def test_n3_is_served_as_turtle_labelled_n3(endpoint: Endpoint) -> None:
    status, media, body = http(endpoint, QUERIES["CONSTRUCT"], "text/n3")
    assert (status, media) == (200, "text/n3; charset=utf-8")
    assert body == http(endpoint, QUERIES["CONSTRUCT"], "text/turtle")[2]


@pytest.mark.parametrize(
    ("params", "media"),
    [
        ({"format": "rdf+xml"}, "application/rdf+xml"),
        ({"format": "json-ld"}, "application/ld+json"),
        ({"format": "n3"}, "text/n3"),
        ({"format": "ttl"}, "text/turtle"),
        ({"output": "nt"}, "application/n-triples"),  # Fuseki's parameter
        ({"format": "application/ld+json,application/x-json+ld"}, "application/ld+json"),
        ({"format": "text/csv"}, "text/csv"),
        ({"format": "json"}, "application/ld+json"),  # for triples, JSON is JSON-LD
    ],
)
def test_format_names_and_media_types_in_the_url(endpoint: Endpoint, params: dict[str, str], media: str) -> None:
    status, answered, _ = http(endpoint, QUERIES["CONSTRUCT"], "text/turtle", **params)
    assert (status, answered.split(";")[0]) == (200, media)


def test_an_unknown_format_lists_the_known_ones(endpoint: Endpoint) -> None:
    status, _, body = http(endpoint, QUERIES["SELECT"], format="png")
    assert status == 400
    assert body == (
        b"unknown format 'png'; use one of: csv, json, json-ld, jsonld, n-triples, n3, nt, ntriples, "
        b"rdf, rdf+xml, rdfxml, srj, srx, tsv, ttl, turtle, xml or a media type\n"
    )


def test_an_unacceptable_accept_header_gets_406(endpoint: Endpoint) -> None:
    status, _, body = http(endpoint, QUERIES["SELECT"], "image/png")
    assert status == 406
    assert body.startswith(b"this result comes as: application/sparql-results+json, application/json, ")


def test_a_table_as_rdf_keeps_the_row_order(endpoint: Endpoint) -> None:
    query = PREFIXES + "SELECT ?n WHERE { VALUES ?n { 3 1 2 } } ORDER BY DESC(?n)"
    status, media, body = http(endpoint, query, "text/turtle")
    assert status == 200
    graph = graph_of(body, media)
    ordered = sorted(graph.subjects(RS["index"], None), key=lambda s: graph.value(s, RS["index"]).toPython())
    values = [graph.value(graph.value(s, RS.binding), RS.value).toPython() for s in ordered]
    assert values == [3, 2, 1]
    assert body == http(endpoint, query, "text/turtle")[2]  # the same bytes every time


# ---------------------------------------------------------------- the query page's examples


def page_examples() -> dict[str, str]:
    """The query in the page's text box and every named question the page offers."""
    page = (ROOT / "graph" / "static" / "index.html").read_text(encoding="utf-8")
    match = re.search(r"<textarea[^>]*>(.*?)</textarea>", page, re.DOTALL)
    assert match is not None
    examples = {"the text box": html.unescape(match.group(1))}
    examples.update({name: named.text for name, named in library().items()})
    return examples


@pytest.mark.parametrize("name", list(page_examples()))
def test_the_page_examples_declare_their_prefixes(name: str) -> None:
    # A store that knows no prefixes (as most do) parses the query as it is copied from the page.
    text = page_examples()[name]
    try:
        ox.Store().query(text, substitutions={})
    except SyntaxError as exc:
        pytest.fail(f"{name} does not run elsewhere as it is: {exc}")


def test_the_text_box_query_answers_on_the_endpoint(endpoint: Endpoint) -> None:
    status, media, body = http(endpoint, page_examples()["the text box"])
    assert status == 200
    assert (("name", "Erika Beispiel"), ("party", "XYZ"), ("politician", str(ERIKA))) in rows_of(body, media)  # type: ignore[operator]


def test_the_page_table_shows_a_construct_as_rows(endpoint: Endpoint) -> None:
    # The page asks for SPARQL JSON in its table view, whatever the query form.
    status, media, body = http(endpoint, QUERIES["CONSTRUCT"], "application/sparql-results+json")
    assert (status, media) == (200, "application/sparql-results+json; charset=utf-8")
    assert json.loads(body)["head"]["vars"] == ["subject", "predicate", "object"]
    assert same("CONSTRUCT", triples_of(body, media), expected(endpoint, "CONSTRUCT"))


# ---------------------------------------------------------------- rdflib's SPARQLStore


@pytest.mark.parametrize("return_format", ["xml", "json"])
def test_rdflib_sparqlstore_gets_rows_and_graphs(endpoint: Endpoint, return_format: str) -> None:
    # rdflib sends one Accept header for every query form ("application/sparql-results+xml,
    # application/rdf+xml" for xml): a CONSTRUCT must still come back as a graph.
    graph = Graph(store=SPARQLStore(endpoint.url, returnFormat=return_format))
    selected = graph.query(QUERIES["SELECT"])
    assert selected.type == "SELECT"
    assert {(str(row.person), str(row.name)) for row in selected} == {(str(ERIKA), "Erika Beispiel")}  # type: ignore[union-attr]
    assert graph.query(QUERIES["ASK"]).askAnswer is True
    if return_format == "xml":
        constructed = graph.query(QUERIES["CONSTRUCT"])
        assert constructed.type == "CONSTRUCT"
        assert set(constructed.graph) == {(ERIKA, LABEL, Literal("Erika Beispiel", lang="de"))}  # type: ignore[arg-type]
        described = graph.query(QUERIES["DESCRIBE"])
        assert described.type == "CONSTRUCT" and (ERIKA, LABEL, None) in described.graph  # type: ignore[operator]


# ---------------------------------------------------------------- choosing a format


@pytest.mark.parametrize(
    ("accept", "returns_graph", "expected"),
    [
        (None, False, "json"),
        (None, True, "turtle"),
        ("*/*", True, "turtle"),
        ("application/sparql-results+xml, application/rdf+xml", False, "xml"),
        ("application/sparql-results+xml, application/rdf+xml", True, "rdfxml"),
        ("application/sparql-results+json", True, "json"),  # only a table is acceptable: s, p, o rows
        ("text/turtle;q=0.5, application/json", False, "json"),
        ("text/turtle", False, "turtle"),  # only RDF is acceptable: the rs: vocabulary
        ("text/plain", False, None),
        ("text/rdf+n3", True, "n3"),
        ("application/*", True, "turtle"),  # the first offered application/ type
        ("image/png", True, None),
    ],
)
def test_choose(accept: str | None, returns_graph: bool, expected: str | None) -> None:
    assert choose(accept, returns_graph) == expected


@pytest.mark.parametrize(
    ("fields", "returns_graph", "expected"),
    [
        ({}, False, None),
        ({"format": [""]}, False, None),  # SPARQLWrapper's empty second value
        ({"format": ["tsv", "text/tab-separated-values"]}, False, "tsv"),
        ({"format": ["json-ld", "application/ld+json,application/x-json+ld"]}, True, "jsonld"),
        ({"format": ["rdf+xml"], "output": ["rdf+xml"]}, False, "rdfxml"),
        ({"output": ["TTL"]}, True, "turtle"),
        ({"format": ["xml"]}, True, "rdfxml"),
        ({"format": ["xml"]}, False, "xml"),
        ({"format": ["srj"]}, True, "json"),
        ({"format": ["bogus", "csv"]}, True, "csv"),
    ],
)
def test_requested_format(fields: dict[str, list[str]], returns_graph: bool, expected: str | None) -> None:
    assert requested_format(fields, returns_graph) == expected


def test_an_unknown_requested_format_is_refused() -> None:
    with pytest.raises(UnknownFormat, match=r"^unknown format 'png'; use one of: csv, json, json-ld, "):
        requested_format({"format": ["png"]}, False)
