"""OWL and RDFS tools accept the ontology and infer from it only what the sources support.

- HermiT (Protégé's reasoner, through owlready2 and a Java runtime) loads the ontology with
  the exported data and finds them consistent, with no unsatisfiable class.
- RDFS inference (owlrl) over ontology + data adds only reviewed entailments: every inferred
  property triple follows from an asserted one through a pair listed in
  ``tests/data/owl/entailments.tsv``, and every inferred class of a data node is a
  superclass of a class it was given.

The HermiT test needs ``java``; without it the test is skipped, unless ``KG_REQUIRE_JAVA`` is
set (as in CI, where ``.ci/run`` installs Debian's ``default-jre-headless``).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, XSD

from graph.namespace import NIK
from tests.conftest import DATA, ROOT

ONTOLOGY_FILE = ROOT / "ontology" / "ontology.ttl"
EXPORT_FILE = ROOT / "exports" / "kg.ttl"
ENTAILMENTS = DATA / "owl" / "entailments.tsv"

#: Datatypes our data uses that are not in the OWL 2 datatype map (HermiT refuses literals of them).
NOT_OWL2 = frozenset({XSD.gYear, XSD.gYearMonth, XSD.date, XSD.duration})

#: Alignments that entailed more than the sources say (issue 8); they must not come back.
UNSOUND = {
    ("nik:plannedPresentationDate", "schema:startDate"),
    ("nik:language", "dct:language"),
    ("nik:asOf", "schema:observationDate"),
    ("nik:editionNumber", "schema:position"),
    ("nik:curatorNote", "rdfs:comment"),
}


#: Triples about terms, not data (RDFS makes every property its own sub-property, …).
SCHEMA_LEVEL = frozenset({RDF.type, RDFS.subPropertyOf, RDFS.subClassOf, RDFS.domain, RDFS.range})


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY_FILE)


@pytest.fixture(scope="module")
def merged(ontology: Graph) -> Graph:
    graph = Graph()
    for triple in ontology:
        graph.add(triple)
    graph.parse(EXPORT_FILE)
    return graph


# ---------------------------------------------------------------- HermiT


def java() -> str:
    found = shutil.which("java")
    if found is None:
        if os.environ.get("KG_REQUIRE_JAVA"):
            pytest.fail("java is required (KG_REQUIRE_JAVA is set) but not installed")
        pytest.skip("java not installed (Debian: apt-get install default-jre-headless); HermiT needs it")
    return found


def as_owl2(graph: Graph) -> Graph:
    """The graph with literals of non-OWL-2 datatypes as plain strings (their lexical form).

    OWL 2 has no year, month, date or duration datatype; our ranges for them are datatypes
    equal to rdfs:Literal, so a string stands in for the value without changing what the
    reasoner can conclude about classes and properties.
    """
    converted = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype in NOT_OWL2:
            o = Literal(str(o), datatype=XSD.string)
        converted.add((s, p, o))
    return converted


def hermit(graph: Graph, folder: Path) -> list[str]:
    """Run HermiT on ``graph``; return the unsatisfiable classes (raises when inconsistent)."""
    import owlready2

    owlready2.JAVA_EXE = java()
    path = folder / "merged.nt"
    graph.serialize(path, format="nt", encoding="utf-8")
    world = owlready2.World()
    world.get_ontology(path.as_uri()).load(format="ntriples")
    owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    return sorted(str(c) for c in world.inconsistent_classes())


def test_hermit_accepts_the_ontology_alone(ontology: Graph, tmp_path: Path) -> None:
    # nothing converted: the ontology itself names no datatype outside OWL 2's datatype map
    # except as a nik:lexicalDatatype annotation
    lexical = set(ontology.objects(None, NIK.lexicalDatatype))
    assert not [o for o in ontology.objects() if isinstance(o, Literal) and o.datatype in NOT_OWL2]
    assert not [(s, p, o) for s, p, o in ontology if o in NOT_OWL2 and p != NIK.lexicalDatatype], lexical
    assert hermit(ontology, tmp_path) == []


def test_hermit_finds_ontology_and_data_consistent(merged: Graph, tmp_path: Path) -> None:
    assert hermit(as_owl2(merged), tmp_path) == []


def test_hermit_finds_an_inconsistency_when_there_is_one(merged: Graph, tmp_path: Path) -> None:
    """The check is not vacuous: a datatype value where an entity is required is refused."""
    import owlready2

    broken = as_owl2(merged)
    person = next(iter(sorted(broken.subjects(RDF.type, URIRef(f"{NIK}Politician")))))
    broken.add((URIRef(f"{NIK}holds"), RDF.type, OWL.ObjectProperty))
    broken.add((person, URIRef(f"{NIK}holds"), person))  # a person as the post they hold ...
    broken.add((URIRef(f"{NIK}Post"), OWL.disjointWith, URIRef(f"{NIK}Person")))  # ... that cannot be
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        hermit(broken, tmp_path)


# ---------------------------------------------------------------- RDFS entailments


def reviewed() -> set[tuple[str, str]]:
    lines = ENTAILMENTS.read_text(encoding="utf-8").splitlines()
    pairs = [tuple(line.split("\t")) for line in lines if line and not line.startswith("#")]
    assert all(len(p) == 2 for p in pairs), f"{ENTAILMENTS}: every line is 'ours<TAB>entailed'"
    return {(a, b) for a, b in pairs}


def super_properties(ontology: Graph, prop: URIRef) -> set[URIRef]:
    seen: set[URIRef] = set()
    todo = [prop]
    while todo:
        for parent in ontology.objects(todo.pop(), RDFS.subPropertyOf):
            if isinstance(parent, URIRef) and parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return seen


def entailed_pairs(ontology: Graph) -> set[tuple[str, str]]:
    names = ontology.namespace_manager
    properties = {
        p
        for kind in (OWL.ObjectProperty, OWL.DatatypeProperty)
        for p in ontology.subjects(RDF.type, kind)
        if isinstance(p, URIRef) and str(p).startswith(str(NIK))
    }
    return {(p.n3(names), q.n3(names)) for p in properties for q in super_properties(ontology, p)}


def test_every_entailment_of_the_ontology_is_reviewed(ontology: Graph) -> None:
    entailed, listed = entailed_pairs(ontology), reviewed()
    assert entailed - listed == set(), f"review these and add them to {ENTAILMENTS.name}"
    assert listed - entailed == set(), f"no longer entailed; remove them from {ENTAILMENTS.name}"
    assert len(listed) > 50


def test_the_unsound_alignments_are_gone(ontology: Graph) -> None:
    assert entailed_pairs(ontology) & UNSOUND == set()
    assert reviewed() & UNSOUND == set()


@pytest.fixture(scope="module")
def inferred(merged: Graph) -> tuple[Graph, set[tuple[URIRef, URIRef, object]]]:
    import owlrl

    closure = Graph()
    for triple in merged:
        closure.add(triple)
    owlrl.DeductiveClosure(owlrl.RDFS_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(closure)
    return closure, set(closure) - set(merged)  # type: ignore[arg-type]


def test_rdfs_adds_property_triples_only_through_reviewed_entailments(
    ontology: Graph, merged: Graph, inferred: tuple[Graph, set[tuple[URIRef, URIRef, object]]]
) -> None:
    _, new = inferred
    names = ontology.namespace_manager
    listed = reviewed()
    terms = set(ontology.subjects())  # the ontology's own entailments (p ⊑ p, …) are not data
    checked = 0
    for s, p, o in sorted(new, key=str):
        if p in SCHEMA_LEVEL or s in terms:
            continue
        assert not isinstance(s, Literal)
        # owlrl merges literals of equal value ("1"^^xsd:integer and a restriction's
        # "1"^^xsd:nonNegativeInteger), so a stated value may come back in another datatype
        given = [q for q, v in merged.predicate_objects(s) if v == o or (isinstance(v, Literal) and v.eq(o))]
        if p in given:
            continue  # the stated triple itself, its literal in another datatype
        sources = [q for q in given if (q.n3(names), p.n3(names)) in listed]  # type: ignore[union-attr]
        assert sources, f"inferred {s.n3(names)} {p.n3(names)} {o.n3(names)} follows from no reviewed entailment"  # type: ignore[union-attr]
        checked += 1
    assert checked > 500  # the closure did add the aligned triples


def test_rdfs_gives_data_nodes_only_superclasses_of_their_classes(
    ontology: Graph, merged: Graph, inferred: tuple[Graph, set[tuple[URIRef, URIRef, object]]]
) -> None:
    """Domains and ranges never type a node with a class it was not given (or a superclass of it)."""
    _, new = inferred
    terms = set(ontology.subjects())
    names = ontology.namespace_manager
    generic = {RDFS.Resource, RDF.Property, RDFS.Class, RDFS.Datatype}
    checked = 0
    for node, cls in sorted(((s, o) for s, p, o in new if p == RDF.type), key=str):
        if node in terms or cls in generic or isinstance(node, Literal) or isinstance(cls, Literal):
            continue
        given = set(merged.objects(node, RDF.type))
        allowed = {a for c in given for a in ancestors(ontology, c)}  # type: ignore[arg-type]
        members = union_members(ontology, cls) if isinstance(cls, BNode) and cls not in allowed else [cls]
        assert allowed & set(members), f"{node.n3(names)} inferred to be {cls.n3(names)}, given {sorted(given)}"
        checked += 1
    assert checked > 1000


def ancestors(ontology: Graph, cls: URIRef) -> set[URIRef]:
    """``cls`` and its named superclasses, and the restrictions (owl:Restriction) it is declared under."""
    seen = {cls}
    todo = [cls]
    while todo:
        for parent in ontology.objects(todo.pop(), RDFS.subClassOf):
            if isinstance(parent, BNode) and (parent, RDF.type, OWL.Restriction) in ontology:
                seen.add(parent)  # type: ignore[arg-type]
            elif isinstance(parent, URIRef) and parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return seen


def union_members(ontology: Graph, node: BNode) -> list[URIRef]:
    union = ontology.value(node, OWL.unionOf)
    return [m for m in Collection(ontology, union) if isinstance(m, URIRef)] if union is not None else []
