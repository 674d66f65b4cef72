"""The builder's fast paths give the same graph as the plain ones, to the order of every index level.

- references and statements written straight into the store's indexes (``build._Indexes``)
  against the same triples added one after the other (``build._Triples``, then
  ``CountedMemory.add_triples``, itself the same as one ``Graph.add`` per triple:
  tests/test_build_bulk.py);
- statement and reference digests made shorter (``digest()[:8].hex()``) against ``hexdigest()[:16]``;
- the IRIs made without rdflib's per-IRI check against ``URIRef``.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS

from graph import build, pipeline
from graph.build import BuiltGraph, build_graph
from graph.dataset import Dataset, Fact
from graph.errors import KGError, Location
from graph.namespace import NIK, iri_maker
from graph.writers import store_table
from tests.conftest import ROOT

EX = "https://example.org/kg/"


def _orders(built: BuiltGraph) -> list[object]:
    """Both indexes of the store with the order of their keys at every level, and the osp index."""
    orders: list[object] = []
    for name in ("spo", "pos"):
        table = store_table(built.graph, name)
        assert table is not None
        orders.append([(k, [(k2, list(v2)) for k2, v2 in v.items()]) for k, v in table.items()])
    orders.append({o: set(built.graph.subject_predicates(o)) for o in set(built.graph.objects())})  # osp
    return orders


def built_fields(built: BuiltGraph) -> tuple[object, ...]:
    """Everything a :class:`~graph.build.BuiltGraph` holds besides the graph, orders included."""
    return (
        list(built.origins.items()),
        built.statements,
        built.references,
        built.metadata,
        list(built.facts.items()),
        built.sourced,
        len(built.graph),
    )


def _plain(graph: Any) -> build._Triples:
    return build._Triples(graph)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    """A generated project of a few hundred facts (qualifiers, shared references, inverses)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from corpus import generate  # type: ignore[import-not-found]

    return pipeline.load(generate(tmp_path_factory.mktemp("generated") / "project", 6000))


@pytest.fixture(scope="module", params=["musterland", "generated"])
def dataset(request: pytest.FixtureRequest, musterland_built: Path) -> Dataset:
    if request.param == "generated":
        found: Dataset = request.getfixturevalue("generated")
        return found
    return pipeline.load(musterland_built)


def test_writing_nodes_into_the_indexes_gives_what_adding_their_triples_gives(
    dataset: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = build_graph(dataset)
    assert isinstance(build._triples(fast.graph), build._Indexes)  # the fast path was taken
    monkeypatch.setattr(build, "_triples", _plain)
    plain = build_graph(dataset)
    assert fast.statements > 0 and fast.references > 0
    assert _orders(fast) == _orders(plain)
    assert built_fields(fast) == built_fields(plain)


def test_a_hash_collision_fails_the_build_with_both_contents(
    generated: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = [build._Terms(generated.project.base).statement_key(f) for f in generated.facts[:6]]
    first, sixth = keys[0].encode("utf-8"), keys[5].encode("utf-8")
    assert first != sixth
    real = hashlib.sha256  # the sixth fact's statement hashes as the first's
    clashing = SimpleNamespace(sha256=lambda data: real(first if data == sixth else data))
    monkeypatch.setattr(build, "hashlib", clashing)
    with pytest.raises(KGError) as raised:
        build_graph(generated)
    assert str(raised.value) == f"hash collision between {keys[0]!r} and {keys[5]!r}"


def test_digests_are_the_first_16_hexadecimal_digits_of_sha256() -> None:
    for content in ("", "a", '<~person/p1>\n<https://example.org/ontology#memberOf>\n"Ä"@de'):
        assert build._digest(content) == hashlib.sha256(content.encode("utf-8")).hexdigest()[:16]


@pytest.mark.parametrize("namespace", [EX + "statement/", "urn:x:statement/", EX + "bad namespace/"])
def test_iris_are_made_as_uriref_makes_them(namespace: str, caplog: pytest.LogCaptureFixture) -> None:
    made = iri_maker(namespace)(namespace + "0123456789abcdef")
    assert type(made) is URIRef
    assert made == URIRef(namespace + "0123456789abcdef")
    assert hash(made) == hash(URIRef(namespace + "0123456789abcdef"))
    assert ("does not look like a valid URI" in caplog.text) == (" " in namespace)  # warned as URIRef warns


def _fact(subject: URIRef, obj: Any, quote: str) -> Fact:
    where = Location(Path("sources/articles/a.yaml"), 3)
    return Fact(subject, RDFS.seeAlso, obj, ((NIK.quote, Literal("q")),), "a", ((quote, where),), None, where)


@pytest.mark.parametrize("writer", [build._Indexes, build._Triples], ids=["into the indexes", "one by one"])
def test_a_node_that_is_a_subject_already_gets_its_triples_added_one_by_one(writer: type) -> None:
    """A reference or statement IRI used as a subject before (however unlikely) keeps its triples."""

    def built(kind: type) -> BuiltGraph:
        graph = build.new_graph(EX, set())
        store = graph.store
        assert isinstance(store, build.CountedMemory)
        indexes = store.bulk_indexes()
        assert indexes is not None
        triples = kind(graph, *indexes) if kind is build._Indexes else kind(graph)
        node, other = URIRef(EX + "statement/1"), URIRef(EX + "reference/1")
        triples.add(node, RDF.type, URIRef(EX + "Thing"))
        triples.add(other, RDFS.label, Literal("x"))
        triples.reference(other, URIRef(EX + "a"), [Literal("q", lang="de")], Literal("n"))
        triples.statement(node, _fact(URIRef(EX + "p"), Literal(1), "q"), other)
        triples.statement(URIRef(EX + "statement/2"), _fact(URIRef(EX + "p"), URIRef(EX + "o"), "q"), other)
        triples.flush()
        return BuiltGraph(graph, {}, 0, 0)

    plain = built(build._Triples)
    assert _orders(built(writer)) == _orders(plain)
    assert len(plain.graph) == 2 + 4 + 7 + 7  # two of its own, a reference, two statements
    assert (URIRef(EX + "statement/1"), RDF.type, URIRef(EX + "Thing")) in plain.graph
    assert (URIRef(EX + "statement/1"), RDF.type, NIK.Statement) in plain.graph
