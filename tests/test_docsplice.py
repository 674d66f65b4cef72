"""kg.ttl and kg.jsonld made from the last build's after a few subjects changed
(graph.docsplice, through graph.ntsplice.Plan): the same bytes as writing the new graph
whole, or nothing spliced where the head of prefixes would change or an old file is not as
the writers leave it. (Every kind of edit of real articles: tests/test_ntsplice.py.)"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from graph import buildcache, docsplice
from graph.ntsplice import Plan
from graph.spans import joined
from graph.writers import Prefixes, Table, jsonld, ntriples, turtle

EX, OTHER, Y = "https://example.org/e/", "https://example.org/other#", "https://example.org/y/"
UNBOUND = "https://unbound.example/"
PREFIXES = {"ex": EX, "o": OTHER, "y": Y, "rdf": str(RDF), "rdfs": str(RDFS), "xsd": str(XSD)}
LAST = (URIRef(EX + "Statement"), URIRef(EX + "Reference"))
# IRIs that begin alike, in several namespaces, one written as another's compact form
SUBJECTS = [
    URIRef(iri)
    for iri in (
        *(EX + local for local in ("a", "a-b", "a.c", "ab", "b", "weird")),
        OTHER + "c",
        UNBOUND + "d",
        UNBOUND + "d/e",
        "ex:weird",
    )
]
TYPES = [URIRef(EX + "A"), URIRef(EX + "B"), URIRef(OTHER + "C"), URIRef(UNBOUND + "T"), *LAST]
PREDICATES = [URIRef(EX + "p"), URIRef(OTHER + "q"), RDFS.label, URIRef(UNBOUND + "r")]
OBJECTS = [
    Literal("plain"),
    Literal('quote " back \\ line \n ex:a "^^y:x'),
    Literal("Größe", lang="de"),
    Literal("2024-05-01", datatype=XSD.date),
    Literal("42", datatype=XSD.integer),
    Literal("4x", datatype=XSD.integer),
    *SUBJECTS[:4],
]


def _graph(triples: set[tuple[URIRef, URIRef, object]]) -> Graph:
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    for triple in triples:
        graph.add(triple)  # type: ignore[arg-type]
    return graph


def _triples_of(rng: random.Random, subject: URIRef) -> set[tuple[URIRef, URIRef, object]]:
    found: set[tuple[URIRef, URIRef, object]] = set()
    for _ in range(rng.randrange(4)):
        predicate = rng.choice([RDF.type, RDF.type, *PREDICATES])
        found.add((subject, predicate, rng.choice(TYPES if predicate == RDF.type else OBJECTS)))
    return found


def _key(subject: URIRef) -> bytes:
    return b"<" + str(subject).encode() + b"> "


def _plan(folder: Path, before: Graph, changed: list[URIRef]) -> Plan:
    """A plan whose last build wrote ``before`` whole into ``folder``."""
    folder.mkdir(exist_ok=True)
    written = {"kg.nt": ntriples(before), "kg.ttl": turtle(before, LAST), "kg.jsonld": jsonld(before)}
    for name, content in written.items():
        (folder / name).write_bytes(content)
    files = {name: (folder / name, buildcache.identity(folder / name) or []) for name in written}
    old, identity = files.pop("kg.nt")
    return Plan(old, identity, [_key(subject) for subject in changed], {}, files)


def _spliced(plan: Plan, after: Graph) -> tuple[bytes | None, bytes | None]:
    ttl, json_ld = plan.turtle(after, "kg.ttl", LAST), plan.jsonld(after, "kg.jsonld")
    return (joined(ttl) if ttl is not None else None, joined(json_ld) if json_ld is not None else None)


def test_the_changed_subjects_units_take_the_place_of_the_old_ones(tmp_path: Path) -> None:
    rng = random.Random(7)
    spliced = {"kg.ttl": 0, "kg.jsonld": 0}
    for trial in range(300):
        state = {s: _triples_of(rng, s) for s in SUBJECTS}
        before = _graph(set().union(*state.values()))
        changed = rng.sample(SUBJECTS, rng.randrange(1, 4))
        for subject in changed:
            state[subject] = _triples_of(rng, subject)  # new types (another class's place), none, or new ones
        after = _graph(set().union(*state.values()))
        plan = _plan(tmp_path / str(trial), before, [*changed, rng.choice(SUBJECTS)])  # and one unchanged
        ttl, json_ld = _spliced(plan, after)
        assert ttl is None or ttl == turtle(after, LAST), (before.serialize(format="nt"), changed)
        assert json_ld is None or json_ld == jsonld(after), (before.serialize(format="nt"), changed)
        spliced["kg.ttl"] += ttl is not None
        spliced["kg.jsonld"] += json_ld is not None
    # not spliced only where a prefix may be used no more, or is used anew
    assert spliced["kg.ttl"] >= 200 and spliced["kg.jsonld"] >= 200, spliced


def _labelled(*subjects: str) -> set[tuple[URIRef, URIRef, object]]:
    return {(URIRef(s), RDFS.label, Literal(f"label of {s}")) for s in subjects}


@pytest.mark.parametrize(
    ("kept", "spliced"),
    [
        (_labelled(Y + "other"), True),  # an unchanged subject is in its namespace
        ({(URIRef(EX + "b"), URIRef(Y + "p"), Literal("v"))}, True),  # an unchanged predicate
        ({(URIRef(EX + "b"), RDF.type, URIRef(Y + "T"))}, True),  # an unchanged type
        ({(URIRef(EX + "b"), URIRef(EX + "p"), URIRef(Y + "object"))}, False),  # an object only: not known
        (set(), False),  # used no more: the head changes
    ],
)
def test_a_prefix_the_removed_units_used_stays_where_it_is_known_to_be_used_still(
    tmp_path: Path, kept: set[tuple[URIRef, URIRef, object]], spliced: bool
) -> None:
    removed = URIRef(Y + "gone")
    before = _graph(_labelled(EX + "a", str(removed)) | kept)
    after = _graph(_labelled(EX + "a") | kept)
    assert (b"@prefix y:" in turtle(after, LAST)) == bool(kept)
    ttl, json_ld = _spliced(_plan(tmp_path, before, [removed]), after)
    if spliced:
        assert ttl == turtle(after, LAST) and json_ld == jsonld(after)
    else:
        assert ttl is None and json_ld is None


def test_a_prefix_used_anew_is_not_spliced(tmp_path: Path) -> None:
    before = _graph(_labelled(EX + "a"))
    after = _graph(_labelled(EX + "a", Y + "new"))
    assert _spliced(_plan(tmp_path, before, [URIRef(Y + "new")]), after) == (None, None)
    # but a subject the head's prefixes write, added and removed, is
    after, changed = _graph(_labelled(EX + "a", EX + "b")), [URIRef(EX + "b")]
    assert _spliced(_plan(tmp_path / "again", before, changed), after) == (turtle(after, LAST), jsonld(after))
    assert _spliced(_plan(tmp_path / "back", after, changed), before) == (turtle(before, LAST), jsonld(before))


def test_subjects_written_alike_share_their_node_object(tmp_path: Path) -> None:
    # the IRI "ex:weird" and ex:weird are both "ex:weird" in JSON-LD: one node object
    weird, compacted = URIRef("ex:weird"), URIRef(EX + "weird")
    before = _graph(_labelled(str(weird), str(compacted), EX + "a"))
    for changed, after in [
        (weird, _graph(_labelled(str(compacted), EX + "a") | {(weird, RDFS.label, Literal("new"))})),
        (compacted, _graph(_labelled(str(weird), EX + "a"))),
        (weird, _graph(_labelled(str(compacted), EX + "a"))),
    ]:
        assert b'"@id": "ex:weird"' in jsonld(after)
        folder = tmp_path / str(len(list(tmp_path.iterdir())))
        assert _spliced(_plan(folder, before, [changed]), after) == (turtle(after, LAST), jsonld(after))


def test_from_and_to_an_empty_graph(tmp_path: Path) -> None:
    empty, one = _graph(set()), _graph(_labelled(EX + "a"))
    subject = [URIRef(EX + "a")]
    assert _spliced(_plan(tmp_path / "to", one, subject), empty) == (None, None)  # the prefixes are gone
    assert _spliced(_plan(tmp_path / "from", empty, subject), one) == (None, None)  # used anew
    # without prefixes: the head is empty before and after
    unbound = _graph({(URIRef(UNBOUND + "x"), URIRef(UNBOUND + "r"), Literal("v"))})
    assert turtle(unbound, LAST).startswith(b"\n<") and jsonld(empty).endswith(b'"@graph": []\n}\n')
    subject = [URIRef(UNBOUND + "x")]
    assert _spliced(_plan(tmp_path / "u", empty, subject), unbound) == (turtle(unbound, LAST), jsonld(unbound))
    assert _spliced(_plan(tmp_path / "back", unbound, subject), empty) == (turtle(empty, LAST), jsonld(empty))


def test_old_documents_that_are_not_the_last_builds_are_not_spliced(tmp_path: Path) -> None:
    before, after = _graph(_labelled(EX + "a", EX + "b")), _graph(_labelled(EX + "a", EX + "c"))
    changed = [URIRef(EX + "b"), URIRef(EX + "c")]
    plan = _plan(tmp_path, before, changed)
    assert _spliced(plan, after) == (turtle(after, LAST), jsonld(after))
    (tmp_path / "kg.ttl").write_bytes(turtle(after, LAST))  # replaced: no longer as that build left it
    assert _spliced(plan, after)[0] is None
    (tmp_path / "kg.jsonld").unlink()
    assert _spliced(plan, after) == (None, None)
    (tmp_path / "kg.nt").write_bytes(ntriples(after))  # kg.nt tells what each subject was: no longer
    assert _spliced(_plan(tmp_path / "nt", before, changed), after) == (turtle(after, LAST), jsonld(after))
    plan = _plan(tmp_path / "nt2", before, changed)
    (tmp_path / "nt2" / "kg.nt").write_bytes(ntriples(after))
    assert _spliced(plan, after) == (None, None)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("kg.ttl", b""),
        ("kg.ttl", b"@prefix ex: <https://example.org/e/> .\nex:a <x> 1 .\n"),  # no empty line after the head
        ("kg.ttl", b"@prefix ex <https://example.org/e/> .\n\nex:b a ex:T .\n"),  # not a prefix line
        ("kg.ttl", b"@prefix ex: <https://example.org/e/> .\n\nzz:b a ex:T .\n"),  # an unknown prefix
        ("kg.ttl", b"@prefix ex: <https://example.org/e/> .\n\nex:a a ex:T .\n"),  # ex:b is not there
        ("kg.jsonld", b""),
        ("kg.jsonld", b'{\n  "@context": {},\n  "@graph": [\n    {\n      "@id": 1\n    }\n  ]\n}\n'),
        ("kg.jsonld", b'{\n  "@context": {\n    "ex": "https://example.org/e/"\n  },\n  "@graph": {}\n}\n'),
        ("kg.jsonld", b'{\n  "@context": [],\n  "@graph": []\n}\n'),
        ("kg.jsonld", b'{\n  "@context": {"ex": []},\n  "@graph": []\n}\n'),  # not a prefix's namespace
        ("kg.ttl", b"@prefix ex: <https://example.org/e/> .\n\n<\xff> a ex:T .\n"),  # not UTF-8
        ("kg.jsonld", b'{\n  "@graph": []\n}\n'),
    ],
)
def test_an_old_document_that_is_not_as_the_writers_leave_it_is_not_spliced(
    tmp_path: Path, name: str, content: bytes
) -> None:
    before, after = _graph(_labelled(EX + "a", EX + "b")), _graph(_labelled(EX + "a", EX + "c"))
    plan = _plan(tmp_path, before, [URIRef(EX + "b"), URIRef(EX + "c")])
    (tmp_path / name).write_bytes(content)
    plan.others = {**plan.others, name: (tmp_path / name, buildcache.identity(tmp_path / name) or [])}
    ttl, json_ld = _spliced(plan, after)
    assert (ttl if name == "kg.ttl" else json_ld) is None
    assert (json_ld if name == "kg.ttl" else ttl) is not None


def test_a_term_the_writer_refuses_is_left_to_the_whole_writer(tmp_path: Path) -> None:
    old = tmp_path / "kg.ttl"
    before = _graph(_labelled(EX + "a"))
    old.write_bytes(turtle(before, LAST))
    table: Table = {URIRef(EX + "b"): {RDFS.label: {URIRef("https://example.org/a b"): 1}}}  # a space in an IRI
    prefixes = Prefixes.of(before)
    assert docsplice.turtle(old, table, prefixes, {URIRef(EX + "b"): None}, LAST, lambda namespace: True) is None
    with pytest.raises(ValueError, match="cannot be written"):
        turtle(_graph({(URIRef(EX + "b"), RDFS.label, URIRef("https://example.org/a b"))}), LAST)
