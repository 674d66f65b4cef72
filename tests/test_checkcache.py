"""The checker's results kept with the query store (graph/checkcache.py).

A kept result may stand in for :func:`graph.sparql.check_query` only for exactly the
text and default prefixes it was checked with; refusals are never kept.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph import checkcache, iris, sparql
from graph.checkcache import check_kept, check_key
from graph.errors import QueryRefused
from graph.library import library
from graph.query import prefixes_for, segments
from graph.store import QueryStore, graph_files, open_store

PREFIXES = ("nik", "rdf", "rdfs")
TEXT = "SELECT ?p WHERE {\n  ?p a nik:Politician  # a comment\n}"


@pytest.fixture
def store(mini_built: Path) -> Iterator[QueryStore]:
    with open_store(graph_files(mini_built)) as opened:
        yield opened


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, tuple[str, ...]]]:
    """Every text (and prefixes) the real checker is asked about."""
    asked: list[tuple[str, tuple[str, ...]]] = []

    def counting(text: str, default_prefixes: tuple[str, ...] = ()) -> sparql.QueryInfo:
        asked.append((text, tuple(default_prefixes)))
        return sparql.check_query(text, default_prefixes)

    monkeypatch.setattr(checkcache, "check_query", counting)
    return asked


def test_a_kept_check_is_what_the_checker_returned(store: QueryStore, checks: list[object]) -> None:
    prefixes = prefixes_for("https://example.org/kg/", segments(store.store))
    for named in library().values():
        first = check_kept(store, named.text, prefixes)
        assert check_kept(store, named.text, prefixes) == first == sparql.check_query(named.text, prefixes)
    assert len(checks) == len(library())  # each text checked once, then read back


def test_a_kept_check_is_only_for_the_same_text_and_prefixes(store: QueryStore, checks: list[object]) -> None:
    check_kept(store, TEXT, PREFIXES)
    check_kept(store, TEXT, reversed(PREFIXES))  # the same prefixes in another order
    assert checks == [(TEXT, PREFIXES)]
    others = [
        (TEXT + " ", PREFIXES),
        (TEXT.replace("\n", "\r\n"), PREFIXES),  # the same text once normalised, but not the same text
        (TEXT.replace("# a comment", "# a comment\rSERVICE <http://example.org/> {}"), PREFIXES),
        (TEXT, ("nik", "rdf")),
        (TEXT, (*PREFIXES, "foaf")),
    ]
    for text, prefixes in others:
        with contextlib.suppress(QueryRefused):
            check_kept(store, text, prefixes)
    assert checks[1:] == [(text, tuple(sorted(prefixes))) for text, prefixes in others]


def test_a_refusal_is_never_kept(store: QueryStore, checks: list[object]) -> None:
    text = "SELECT * WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }"
    for _ in range(2):
        with pytest.raises(QueryRefused, match="SERVICE is refused"):
            check_kept(store, text, PREFIXES)
    assert len(checks) == 2
    assert store.cached(check_key(text, PREFIXES), kind=checkcache.KIND) is None


@pytest.mark.parametrize(
    "body",
    [
        b'{"text": "SELECT * WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }", "form": "SELECT",'
        b' "variables": ["s", "p", "o"], "projected": null}',
        b'{"text": "%s", "form": "UPDATE", "variables": [], "projected": null}',
        b'{"text": "%s", "form": "SELECT", "variables": "p", "projected": null}',
        b"not json",
    ],
)
def test_a_kept_check_that_is_not_one_the_checker_could_return_is_ignored(
    store: QueryStore, checks: list[object], body: bytes
) -> None:
    text = "SELECT ?p WHERE { ?p a nik:Politician }"
    store.remember(check_key(text, PREFIXES), body.replace(b"%s", text.encode()), kind=checkcache.KIND)
    assert check_kept(store, text, PREFIXES) == sparql.check_query(text, PREFIXES)
    assert len(checks) == 1


def test_plain_iris_are_rdflibs() -> None:
    from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SDO, SKOS, XSD

    from graph.namespace import NIK, ONTOLOGY_IRI, PREFIXES

    rdflib_names = [NIK, RDF, RDFS, XSD, OWL, SKOS, DCTERMS, SDO, ORG, FOAF, PROV]
    expected = dict(
        zip(
            ["nik", "rdf", "rdfs", "xsd", "owl", "skos", "dct", "schema", "org", "foaf", "prov"],
            rdflib_names,
            strict=True,
        )
    )
    assert {prefix: str(namespace) for prefix, namespace in expected.items()} == iris.PREFIXES
    assert {prefix: str(namespace) for prefix, namespace in PREFIXES.items()} == iris.PREFIXES
    assert (str(NIK.iriSegment), str(ONTOLOGY_IRI)) == (iris.IRI_SEGMENT, iris.ONTOLOGY)
