"""A build after a small edit validates only the nodes the edit reaches (graph.changes,
graph.shacl.reach) and takes the last build's results for the rest: the same results as
validating the whole graph, for hundreds of changes of the graph and every kind of edit of
an article; through ``kg build``, the same exit code, messages and exports as a build from
an empty cache."""

from __future__ import annotations

import dataclasses
import os
import random
import re
import shutil
import statistics
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Node

from graph import changes, pipeline, shacl, writers
from graph.build import BuiltGraph, build_graph
from graph.dataset import Dataset
from graph.errors import SourceError
from graph.validate import ShaclReport, check_provenance, load_shapes, validate_graph
from tests.conftest import ROOT, copy_fixture, run, snapshot
from tests.edits import edited_copies

SHAPES = ROOT / "ontology" / "shapes.ttl"
PREFIXES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <https://example.org/> .
"""
EX = "https://example.org/"


def _reach(text: str) -> shacl.Reach | None:
    return shacl.reach(shacl.compile_shapes(Graph().parse(data=PREFIXES + text, format="turtle")))


# ---------------------------------------------------------------- how far shapes read


def test_a_shape_reading_only_its_focus_nodes_triples_reaches_no_further() -> None:
    found = _reach("ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:datatype ex:d ; sh:maxCount 1 ] .")
    assert found == shacl.Reach(0, frozenset({URIRef(EX + "p")}), frozenset())
    node_class = _reach("ex:S sh:targetSubjectsOf ex:p ; sh:class ex:C .")  # the focus node's own types
    assert node_class == shacl.Reach(0, frozenset(), frozenset())
    # a node is targeted by the triples it is the object of: read backwards
    objects = _reach("ex:S sh:targetObjectsOf ex:q ; sh:nodeKind sh:IRI .")
    assert objects == shacl.Reach(0, frozenset(), frozenset({URIRef(EX + "q")}))


def test_each_value_node_read_is_a_step_further() -> None:
    one = _reach("ex:S sh:targetClass ex:C ; sh:property [ sh:path [ sh:inversePath ex:q ] ; sh:class ex:D ] .")
    assert one == shacl.Reach(1, frozenset(), frozenset({URIRef(EX + "q")}))
    two = _reach(
        """ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:node ex:T ] .
        ex:T sh:property [ sh:path ex:r ; sh:class ex:D ] ."""
    )
    assert two is not None and (two.hops, two.forward) == (2, frozenset({URIRef(EX + "p"), URIRef(EX + "r")}))
    alternatives = _reach(
        """ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:or ( ex:T ex:U ) ] .
        ex:T sh:class ex:D . ex:U sh:property [ sh:path ex:r ; sh:minCount 1 ] ."""
    )
    assert alternatives is not None and alternatives.hops == 1


def test_shapes_that_refer_to_themselves_through_values_have_no_bound() -> None:
    assert _reach("ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:parent ; sh:node ex:S ] .") is None


def test_this_projects_shapes_are_validated_by_what_a_change_reaches() -> None:
    found = shacl.reach(shacl.compile_shapes(load_shapes(SHAPES)))
    assert found is not None and found.hops >= 1


# ---------------------------------------------------------------- the same results as the whole graph's


def _edited(graph: Graph, seed: int, count: int) -> Graph:
    """A copy with ``count`` triples dropped, doubled, mistyped, retyped or misplaced (none of the class hierarchy)."""
    rng = random.Random(seed)
    out = Graph()
    for triple in graph:
        out.add(triple)
    classes_ = set(graph.subjects(RDFS.subClassOf, None))
    triples = sorted(t for t in graph if t[0] not in classes_)  # the class hierarchy: see the test below
    nodes = sorted({s for s, _, _ in triples})
    classes = sorted({o for _, p, o in triples if p == RDF.type})
    for _ in range(count):
        s, p, o = rng.choice(triples)
        kind = rng.randrange(8)
        if kind == 0:
            out.remove((s, p, o))  # minCount, inverse paths, the statement of a fact, a type
        elif kind == 1:
            out.add((s, p, Literal(f"zweiter Wert {rng.randrange(9)}", lang="de")))  # doubled, as text
        elif kind == 2:
            out.remove((s, p, o))
            out.add((s, p, Literal("kein Datum")))  # mistyped
        elif kind == 3:
            out.add((s, p, rng.choice(nodes)))  # a node where a literal or another class belongs
        elif kind == 4:
            out.remove((s, RDF.type, None))
            out.add((s, RDF.type, rng.choice(classes)))  # retyped: what the values of others' paths are
        elif kind == 5:
            out.add((rng.choice(nodes), p, o))  # misplaced: a value another node has
        elif kind == 6:
            out.add((s, p, Literal("2019-13-45", datatype=XSD.date)))  # ill-typed
        else:
            for triple in list(out.triples((s, None, None))):
                out.remove(triple)  # a node's triples gone: what refers to it refers to nothing
    return out


def _ntriples(graph: Graph) -> bytes:
    return writers.ntriples(graph)


def _results(report: ShaclReport) -> set[shacl.Result]:
    assert report.results is not None
    return set(report.results)


def _compare(
    built: BuiltGraph, dataset: Dataset, before: BuiltGraph, folder: Path, earlier: ShaclReport | None = None
) -> tuple[ShaclReport, int]:
    """Validate ``built`` by what changed since ``before`` (whose report is ``earlier``, if
    known) and whole: the same reports; the whole report and how many nodes were checked."""
    ontology = dataset.ontology
    earlier = earlier or validate_graph(before, ontology, SHAPES)
    old = folder / "kg.nt"
    old.write_bytes(_ntriples(before.graph))
    assert earlier.results is not None
    found = changes.focus(changes.Basis(old, earlier.results), built.graph, load_shapes(SHAPES), _ntriples(built.graph))
    assert found is not None
    focused = validate_graph(built, ontology, SHAPES, focus=found)
    whole = validate_graph(built, ontology, SHAPES)
    assert focused.violations == whole.violations
    assert focused.warnings == whole.warnings
    assert _results(focused) == _results(whole)
    assert focused.checked == len(found.nodes) and whole.checked is None
    return whole, len(found.nodes)


def _generated(tmp_path: Path, triples: int) -> Path:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from corpus import generate  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    return Path(generate(tmp_path / "generated", triples, seed=5))


@pytest.mark.parametrize("corpus", ["musterland", "generated"])
def test_changes_of_the_graph_give_the_whole_graphs_results(corpus: str, tmp_path: Path) -> None:
    """Each case: a graph (as built, or already with SHACL results, so that the last
    validation's results are kept for some nodes and dropped for others), then a few triples changed."""
    folder = copy_fixture("musterland", tmp_path / "m") if corpus == "musterland" else _generated(tmp_path, 3_000)
    dataset = pipeline.load(folder)
    built = build_graph(dataset)
    bases = [built, *_with_results(built, dataset)]
    checked: list[float] = []
    cases = differ = 0
    for number, base in enumerate(bases):
        before = validate_graph(base, dataset.ontology, SHAPES)
        for seed in range(25):
            edited = dataclasses.replace(built, graph=_edited(base.graph, 100 * number + seed, _count(seed)))
            whole, nodes = _compare(edited, dataset, base, tmp_path, before)
            differ += (whole.violations, whole.warnings) != (before.violations, before.warnings)
            checked.append(nodes / len(set(edited.graph.subjects())))
            cases += 1
    assert cases == 100
    assert differ >= cases // 2  # most changes change what the validation finds
    assert statistics.median(checked) < 0.2  # validated in part, not whole


def _with_results(built: BuiltGraph, dataset: Dataset) -> list[BuiltGraph]:
    """Three changed copies of ``built`` with SHACL results, as a build can keep them: no
    violation of the provenance rule (a build with one fails, and keeps nothing)."""
    found = []
    for seed in range(1000, 1200):
        graph = dataclasses.replace(built, graph=_edited(built.graph, seed, 2))
        report = validate_graph(graph, dataset.ontology, SHAPES)
        if report.results and not check_provenance(graph, dataset.ontology):
            found.append(graph)
            if len(found) == 3:
                return found
    raise AssertionError("no changed copy with SHACL results only")


def _count(seed: int) -> int:
    """How many triples a case changes: one to five."""
    return 1 + seed % 5


@pytest.mark.parametrize("corpus", ["musterland", "generated"])
def test_every_edit_of_an_article_gives_the_whole_graphs_results(corpus: str, tmp_path: Path) -> None:
    original = (
        copy_fixture("musterland", tmp_path / "original") if corpus == "musterland" else _generated(tmp_path, 3_000)
    )
    before = build_graph(pipeline.load(original))
    names = sorted(p.name for p in (original / "sources" / "articles").glob("*.yaml"))[:4]
    compared = 0
    edited = tmp_path / "edited"
    for _ in edited_copies(original, edited, names):
        try:
            dataset = pipeline.load(edited)
        except SourceError:  # an edit this article's facts do not allow
            continue
        _compare(build_graph(dataset), dataset, before, tmp_path)
        compared += 1
    assert compared >= len(names) * 7


class _OtherGraph(Graph):
    """A graph type the fast paths do not know, so they go through rdflib's public API."""


def test_a_graph_in_another_store_reaches_the_same_nodes(tmp_path: Path) -> None:
    dataset = pipeline.load(copy_fixture("musterland", tmp_path / "m"))
    built = build_graph(dataset)
    old = tmp_path / "kg.nt"
    old.write_bytes(_ntriples(built.graph))
    edited = _edited(built.graph, 7, 4)
    elsewhere = _OtherGraph()
    for triple in edited:
        elsewhere.add(triple)
    basis, shapes, lines = changes.Basis(old, ()), load_shapes(SHAPES), _ntriples(edited)
    found = changes.focus(basis, edited, shapes, lines)
    assert found is not None and found.nodes
    assert changes.focus(basis, elsewhere, shapes, lines) == found


def test_what_cannot_be_shown_is_validated_whole(tmp_path: Path) -> None:
    dataset = pipeline.load(copy_fixture("musterland", tmp_path / "m"))
    built = build_graph(dataset)
    old = tmp_path / "kg.nt"
    old.write_bytes(_ntriples(built.graph))
    basis = changes.Basis(old, ())
    shapes = load_shapes(SHAPES)

    def changed(add: tuple[Node, Node, Node]) -> Graph:
        graph = _edited(built.graph, 0, 0)
        graph.add(add)
        return graph

    entity = next(iter(built.graph.subjects(RDF.type, URIRef("https://w3id.org/nrw-integration-kg/ontology#Person"))))
    same = _edited(built.graph, 0, 0)
    unchanged = changes.focus(basis, same, shapes, _ntriples(same))
    assert unchanged is not None and (unchanged.nodes, unchanged.provenance, unchanged.lines) == ((), frozenset(), 0)
    blank = old.read_bytes() + f"<{entity}> <{RDFS.seeAlso}> _:b1 .\n".encode()  # (our writer makes none)
    assert changes.focus(basis, same, shapes, blank) is None
    hierarchy = changed((entity, RDFS.subClassOf, RDFS.Resource))
    assert changes.focus(basis, hierarchy, shapes, _ntriples(hierarchy)) is None
    many = _edited(built.graph, 1, 0)
    for number in range(changes.LEAST_LINES + 1):
        many.add((entity, RDFS.comment, Literal(f"Anmerkung {number}")))
    assert changes.focus(basis, many, shapes, _ntriples(many)) is None
    circular = Graph().parse(data=PREFIXES + "ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:node ex:S ] .")
    assert changes.focus(basis, same, circular, _ntriples(same)) is None
    old.unlink()
    assert changes.focus(basis, same, shapes, _ntriples(same)) is None


# ---------------------------------------------------------------- through kg build

#: Sources disagreeing on a single-valued property: a warning, from a SHACL result kept excused.
OTHER_DATE = (
    "\n  - subject: besuch-beispiel\n    quote: Ministerin Erika Beispiel (XYZ) war da.\n    startDate: 2021-03-04\n"
)
#: A second start date for the visit in the same article: a SHACL violation.
SECOND_DATE = "\n  - subject: besuch-beispiel\n    quote: am 3. März 2021\n    startDate: 2021-03\n"
FOCUSED = re.compile(
    r"^validating the \d+ nodes that \d+ changed lines of kg\.nt reach; the others as the last build found them$", re.M
)


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, "utf-8")


def _from_scratch(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: str) -> tuple[int, str, dict]:
    """Build a copy of ``project`` with an empty cache: exit code, messages, exports."""
    copy = tmp_path / f"scratch-{len(list(tmp_path.glob('scratch-*')))}"
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns("exports"))
    with monkeypatch.context() as scratch:
        scratch.setenv("KG_CACHE_DIR", str(copy / ".cache"))
        scratch.chdir(copy)
        result = run("build", "--quiet", "--jobs", jobs)
    exports = copy / "exports"
    return (
        result.exit_code,
        result.stderr,
        {p.name: p.read_bytes() for p in sorted(exports.iterdir())} if exports.is_dir() else {},
    )


#: What a build that built only the part of the graph an edit reaches says (see graph.partbuild).
IN_PART = re.compile(r"^built \d+ triples, the part of the graph that 1 changed article file reaches", re.MULTILINE)


def _same_as_from_scratch(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: str, focused: bool, in_part: bool = False
) -> None:
    monkeypatch.chdir(project)
    result = run("build", "--jobs", jobs)
    assert bool(FOCUSED.search(result.stderr)) == focused, result.stderr
    assert bool(IN_PART.search(result.stderr)) == (in_part and focused), result.stderr
    code, messages, exports = _from_scratch(project, tmp_path, monkeypatch, jobs)
    assert result.exit_code == code
    shown = result.stderr.splitlines()
    assert [line for line in shown if line in messages.splitlines()] == messages.splitlines()
    if code == 0:
        assert {p.name: p.read_bytes() for p in sorted((project / "exports").iterdir())} == exports


@pytest.mark.parametrize(
    ("jobs", "in_part"), [("1", False), ("2", False), ("2", True)], ids=["1", "2", "2, the part of the graph"]
)
def test_a_build_after_an_edit_finds_what_a_build_from_scratch_finds(
    jobs: str, in_part: bool, mini: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from graph import partbuild, projectioncache

    if in_part:  # a build keeps what the next needs to build only a part (the fixture is small)
        monkeypatch.setattr(projectioncache, "KEEP_FROM_TRIPLES", 0)
        monkeypatch.setattr(partbuild, "MOST_SHARE", 1.0)
    articles = mini / "sources" / "articles"
    _same_as_from_scratch(mini, tmp_path, monkeypatch, jobs, focused=False)  # nothing kept yet
    other = (articles / "b.yaml").read_text(encoding="utf-8")
    _append(articles / "b.yaml", OTHER_DATE)
    _same_as_from_scratch(mini, tmp_path, monkeypatch, jobs, focused=True, in_part=in_part)
    written = snapshot(mini / "exports")
    good = (articles / "a.yaml").read_text(encoding="utf-8")
    _append(articles / "a.yaml", SECOND_DATE)
    _same_as_from_scratch(mini, tmp_path, monkeypatch, jobs, focused=True, in_part=in_part)
    assert (
        run("build", "--jobs", jobs).stderr.strip().splitlines()[-1] == "Error: 1 SHACL violation; nothing was written."
    )
    assert snapshot(mini / "exports") == written
    (articles / "a.yaml").write_text(good, "utf-8")  # the failed build kept nothing: the last good one stands
    assert "up to date: 6 files" in run("build", "--jobs", jobs).stderr
    (articles / "b.yaml").write_text(other, "utf-8")  # the sources agree again
    _same_as_from_scratch(mini, tmp_path, monkeypatch, jobs, focused=True, in_part=in_part)


@pytest.mark.parametrize("what", ["the shapes", "the ontology", "an export"])
def test_a_build_after_other_changes_validates_the_whole_graph(
    what: str, mini: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(mini)
    assert run("build").exit_code == 0
    _append(mini / "sources" / "articles" / "b.yaml", OTHER_DATE)
    if what == "an export":
        _append(mini / "exports" / "kg.nt", "")  # touched: its bytes may not be those validated
        os.utime(mini / "exports" / "kg.nt", ns=(0, 0))
    else:
        _append(mini / "ontology" / ("shapes.ttl" if what == "the shapes" else "ontology.ttl"), "\n# geändert\n")
    _same_as_from_scratch(mini, tmp_path, monkeypatch, "1", focused=False)


def test_a_node_targeted_as_an_object_is_checked_when_a_triple_to_it_comes(tmp_path: Path) -> None:
    shapes = Graph().parse(data=PREFIXES + "ex:S sh:targetObjectsOf ex:q ; sh:nodeKind sh:IRI .", format="turtle")
    before = Graph()
    before.add((URIRef(EX + "a"), URIRef(EX + "q"), URIRef(EX + "b")))
    old = tmp_path / "kg.nt"
    old.write_bytes(_ntriples(before))
    after = _edited(before, 0, 0)
    after.add((URIRef(EX + "c"), URIRef(EX + "q"), Literal("kein Knoten")))
    found = changes.focus(changes.Basis(old, tuple(shacl.validate(before, shapes))), after, shapes, _ntriples(after))
    assert found is not None and Literal("kein Knoten") in found.nodes
    focused = shacl.Validator(shacl.compile_shapes(shapes), after).results(focus=found.nodes)
    assert [*found.kept, *focused] == shacl.validate(after, shapes) != []
