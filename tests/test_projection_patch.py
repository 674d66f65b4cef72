"""A build makes its projection from the last build's when only a few articles changed
(graph.projection.patch, graph.projectioncache.Inputs): the result equals projecting the
new graph whole, for every kind of edit to each of the first articles of two projects."""

from __future__ import annotations

import io
import os
import pickle
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from graph import buildcache, pipeline, projectioncache
from graph.build import build_graph
from graph.errors import SourceError
from graph.netformats import gexf, graphml, same_as_patched_from
from graph.project import load_project
from graph.projection import Projection, patch, patch_part, project
from graph.projectioncache import Inputs
from tests.conftest import split_rendering
from tests.edits import edited_copies, edited_corpus


def _shown(projection: Projection) -> tuple[list[Any], list[Any], dict[str, Any]]:
    return list(projection.entities()), list(projection.relations()), projection.sources


def _inputs(project_dir: Path) -> tuple[Inputs, Any, Any]:
    """The inputs of the project's graph (as a build records them), the graph and the ontology."""
    settings = load_project(project_dir)
    files: dict[str, str] = {}
    buildcache.check_key(settings.sources_dir, settings.ontology_dir, None, files)
    dataset = pipeline.load(project_dir)
    return Inputs.of(files, dataset), build_graph(dataset).graph, dataset.ontology


@pytest.mark.parametrize("corpus", ["musterland", "generated"])
def test_a_patched_projection_equals_the_whole_graphs_after_any_edit(
    corpus: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    original, names = edited_corpus(corpus, tmp_path)
    before, graph, ontology = _inputs(original)
    earlier = project(graph, ontology)
    patched = network_kept = smaller = 0
    edited = tmp_path / "edited"
    for name, kind in edited_copies(original, edited, names):
        try:
            now, graph, ontology = _inputs(edited)
        except SourceError:  # an edit this article's facts do not allow
            continue
        changed = before.changed(now)
        assert changed is not None, (name, kind)
        found = patch(earlier, graph, ontology, changed)
        assert found is not None
        expected = _shown(project(graph, ontology))
        assert _shown(found) == expected, (name, kind)
        patched += 1
        # the same from the graph of the part of the sources the patch reads (what a build's
        # worker builds while the build's process builds the whole graph)
        dataset = pipeline.load(edited)
        part = patch_part(dataset, earlier, changed)
        from_part = patch(earlier, build_graph(part).graph, ontology, changed)
        assert from_part is not None and _shown(from_part) == expected, (name, kind)
        smaller += len(part.facts) < len(dataset.facts)
        # the network formats are said to be the earlier's exactly when they are
        same = (graphml(found), gexf(found)) == (graphml(earlier), gexf(earlier))
        assert same_as_patched_from(found) == same, (name, kind)
        network_kept += same
    assert patched >= len(names) * 7
    assert 0 < network_kept < patched  # edits of both kinds were made
    assert smaller > patched // 2  # the part is the whole only where an edit reaches that far


def test_an_unchanged_graph_patches_to_the_same_projection(whole: Projection, musterland_built: Path) -> None:
    dataset = pipeline.load(musterland_built)
    found = patch(whole, build_graph(dataset).graph, dataset.ontology, set())
    assert found is not None and _shown(found) == _shown(whole)
    assert same_as_patched_from(found)
    assert found.patched_from() is not None and whole.patched_from() is None
    assert not same_as_patched_from(whole)


def test_a_patched_projection_read_back_or_viewed_does_not_say_what_it_was_patched_from(
    whole: Projection, musterland_built: Path
) -> None:
    dataset = pipeline.load(musterland_built)
    found = patch(whole, build_graph(dataset).graph, dataset.ontology, set())
    assert found is not None
    kept = io.BytesIO(projectioncache.pickled(found))  # as a build keeps it for the next
    assert kept.read(1) == b"W"  # whole: the projection it was patched from was not read back
    assert pickle.load(kept) is None  # the inputs, then the projection
    read_back = pickle.load(kept)
    assert read_back.patched_from() is None and found.patched_from() is not None
    assert replace(found).patched_from() is None  # a view of it (see graph.projection.select)


# ---------------------------------------------------------------- which sources changed


def _of(files: dict[str, str], sources: dict[str, str]) -> Inputs:
    return Inputs({"tool": "t", "sources/entities.yaml": "e", **files}, sources)


ARTICLES = {f"sources/articles/{n:02}.yaml": f"d{n}" for n in range(100)}
SOURCES = {f"sources/articles/{n:02}.yaml": f"quelle{n}" for n in range(100)}


def test_the_changed_sources_are_those_of_articles_edited_added_or_removed() -> None:
    before = _of(ARTICLES, SOURCES)
    assert before.changed(before) == set()
    edited = _of({**ARTICLES, "sources/articles/07.yaml": "new"}, {**SOURCES, "sources/articles/07.yaml": "neu7"})
    assert before.changed(edited) == {"quelle7", "neu7"}
    removed = {k: v for k, v in ARTICLES.items() if k != "sources/articles/03.yaml"}
    assert before.changed(_of(removed, {k: v for k, v in SOURCES.items() if k in removed})) == {"quelle3"}
    added = _of({**ARTICLES, "sources/articles/zz.yaml": "z"}, {**SOURCES, "sources/articles/zz.yaml": "neu"})
    assert before.changed(added) == {"neu"}


@pytest.mark.parametrize(
    ("what", "files"),
    [
        ("the registry", {**ARTICLES, "sources/entities.yaml": "other"}),
        ("the tool", {**ARTICLES, "tool": "other"}),
        ("the ontology", {**ARTICLES, "ontology/kg.ttl": "new"}),
        ("a file in articles/ that declares no source", {**ARTICLES, "sources/articles/notes.txt": "n"}),
        ("three of 100 articles", {**ARTICLES, **{f"sources/articles/0{n}.yaml": "new" for n in range(3)}}),
    ],
)
def test_no_patch_when_more_than_a_few_articles_changed(what: str, files: dict[str, str]) -> None:
    assert projectioncache.PATCH_SHARE == 0.02
    assert _of(ARTICLES, SOURCES).changed(_of(files, SOURCES)) is None, what
    two = {**ARTICLES, **{f"sources/articles/0{n}.yaml": "new" for n in range(2)}}
    assert _of(ARTICLES, SOURCES).changed(_of(two, SOURCES)) == {"quelle0", "quelle1"}


def test_one_changed_article_of_a_few_is_patched() -> None:
    few = {"sources/articles/a.yaml": "a", "sources/articles/b.yaml": "b"}
    sources = {"sources/articles/a.yaml": "qa", "sources/articles/b.yaml": "qb"}
    assert _of(few, sources).changed(_of({**few, "sources/articles/a.yaml": "new"}, sources)) == {"qa"}
    assert (
        _of(few, sources).changed(_of({"sources/articles/a.yaml": "x", "sources/articles/b.yaml": "y"}, sources))
        is None
    )


# ---------------------------------------------------------------- changes no changed source explains


def _most_linked(projection: Projection) -> str:
    """The entity most other entities have an edge to."""
    counts: dict[str, int] = {}
    for u, v, _, _ in projection.relations():
        if u != v:
            counts[v] = counts.get(v, 0) + 1
    return max(sorted(counts), key=counts.__getitem__)


@pytest.mark.parametrize("change", ["an entity is no longer one", "a source is no longer one", "labels and aliases"])
def test_a_patch_follows_entities_and_sources_that_came_or_went(change: str, musterland_built: Path) -> None:
    """Changes of the graph that no claim of a changed source shows (the patch's contract
    holds for any graph, not only for what a build of valid sources makes)."""
    from rdflib import Literal, URIRef
    from rdflib.namespace import RDF, RDFS, SKOS

    from graph.namespace import NIK

    dataset = pipeline.load(musterland_built)
    graph = build_graph(dataset).graph
    entities = [URIRef(data["iri"]) for _, data in project(graph, dataset.ontology).entities()]
    source = next(iter(graph.objects(None, NIK.statedIn)))
    # a statement about the source: the entity it names gets an attribute with the source's id
    statement = URIRef(str(NIK) + "statement-by-hand")
    for p, o in (
        (RDF.type, NIK.Statement),
        (RDF.subject, source),
        (RDF.predicate, URIRef(str(NIK) + "creditedTo")),
        (RDF.object, entities[0]),
    ):
        graph.add((statement, p, o))
    earlier = project(graph, dataset.ontology)
    if change == "an entity is no longer one":  # the edges to it become attributes of their subjects
        graph.remove((URIRef(earlier.network.nodes[_most_linked(earlier)]["iri"]), RDF.type, None))
    elif change == "a source is no longer one":  # the attribute naming it gives its IRI, not its id
        graph.remove((source, RDF.type, None))
    else:
        graph.remove((entities[1], RDFS.label, None))
        graph.add((entities[1], RDFS.label, Literal("Ein neuer Name")))
        graph.add((entities[2], SKOS.altLabel, Literal("Noch ein Name")))
    expected = project(graph, dataset.ontology)
    assert _shown(expected) != _shown(earlier)
    found = patch(earlier, graph, dataset.ontology, set())
    assert found is not None and _shown(found) == _shown(expected)


# ---------------------------------------------------------------- in a build


PATCHED = "projection patched from the last build's (1 sources changed)"


def _exports(project_dir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((project_dir / "exports").iterdir())}


@pytest.fixture
def keeping(monkeypatch: pytest.MonkeyPatch) -> None:
    """Builds keep their projection (the fixtures' graphs are small) and render the network formats themselves."""
    monkeypatch.setattr(projectioncache, "KEEP_FROM_TRIPLES", 0)
    split_rendering(monkeypatch, network_here=True)


def _noting_patches(monkeypatch: pytest.MonkeyPatch, notes: Path) -> None:
    """Note each patch made, in any process (a worker may make it)."""
    from graph import projection

    real = projection.patch

    def noted(*args: Any) -> Projection | None:
        made = real(*args)
        with notes.open("a") as out:
            out.write(f"{made is not None}\n")
        return made

    monkeypatch.setattr(projection, "patch", noted)


def _rendering(monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    """Make a build with one worker render the network formats ``where`` it is said to."""
    if where != AHEAD_WORKER:  # a build with workers starts one ahead when it can patch
        split_rendering(monkeypatch, network_here=where == "the build process")


#: The worker a build starts before it builds the graph, to render the network formats
#: from the last build's projection patched (see graph.pipeline._NetworkAhead).
AHEAD_WORKER = "the worker ahead"
AHEAD = (
    "rendering kg.html, kg.graphml, kg.gexf in a worker process from the last build's projection"
    " while the graph is built"
)


@pytest.mark.parametrize(
    ("where", "first", "jobs"),
    [
        (AHEAD_WORKER, 2, 2),
        ("the build process", 2, 2),
        ("a worker", 2, 2),
        ("the build process", 2, 1),
        ("the build process", 1, 1),
    ],
)
def test_a_build_patches_the_projection_the_last_build_kept(
    mini: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str, first: int, jobs: int
) -> None:
    monkeypatch.setattr(projectioncache, "KEEP_FROM_TRIPLES", 0)
    _rendering(monkeypatch, where)
    pipeline.build(project=mini, jobs=first)  # --jobs 1 keeps the projection too
    article = mini / "sources" / "articles" / "b.yaml"
    article.write_text(article.read_text("utf-8").replace("name: Zeitung B", "name: Zeitung B (Ausgabe 2)"), "utf-8")
    notes = tmp_path / "patches"
    _noting_patches(monkeypatch, notes)
    said: list[str] = []
    pipeline.build(project=mini, jobs=jobs, progress=said.append)
    assert notes.read_text() == "True\n"
    assert (PATCHED in said) == (where == "the build process")  # a worker's progress is its own
    assert (AHEAD in said) == (where == AHEAD_WORKER)
    # with the network formats rendered ahead, a worker renders Turtle and JSON-LD while
    # the build process validates
    assert ("rendering the exports in 1 worker process while SHACL runs" in said) == (jobs == 2)
    patched = _exports(mini)
    assert "Zeitung B (Ausgabe 2)" in patched["kg.html"].decode("utf-8")

    monkeypatch.setattr(projectioncache, "patcher", lambda *args: None)
    notes.unlink()
    pipeline.build(project=mini, jobs=jobs)
    assert not notes.exists()
    assert _exports(mini) == patched


def test_a_build_that_renders_the_network_ahead_lays_out_nothing_ahead(
    mini: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page rendered ahead lays itself out from the layout cache (the same network as the
    last build's, mostly); the process that lays out the whole graph ahead is not started."""
    from graph import layoutcache

    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(layoutcache, "REMEMBER_FROM", 0)
    monkeypatch.setattr(projectioncache, "KEEP_FROM_TRIPLES", 0)
    laying_out = "laying out the page in another process while the graph is built"
    said: list[str] = []
    pipeline.build(project=mini, jobs=2, progress=said.append)
    assert laying_out in said and AHEAD not in said
    _edit(mini, "b.yaml", *SAME_NETWORK)
    said.clear()
    pipeline.build(project=mini, jobs=2, progress=said.append)
    assert AHEAD in said and laying_out not in said


@pytest.mark.parametrize("case", ["the patch gives up there", "the worker fails", "the worker is killed"])
def test_what_the_worker_ahead_could_not_render_the_build_process_renders(
    mini: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    from graph import projection

    monkeypatch.setattr(projectioncache, "KEEP_FROM_TRIPLES", 0)
    pipeline.build(project=mini, jobs=2)
    _edit(mini, "b.yaml", *SAME_NETWORK)
    notes = tmp_path / "patches"
    _noting_patches(monkeypatch, notes)
    parent, real_patch = os.getpid(), projection.patch

    def patch_here(*args: Any) -> Projection | None:  # not in the worker
        return real_patch(*args) if os.getpid() == parent else None

    def part(*args: Any) -> Any:
        if case == "the worker is killed":
            os.kill(os.getpid(), 9)
        raise RuntimeError("kaputt")

    if case == "the patch gives up there":
        monkeypatch.setattr(projection, "patch", patch_here)
    else:
        monkeypatch.setattr(projection, "patch_part", part)
    said: list[str] = []
    pipeline.build(project=mini, jobs=2, progress=said.append)
    assert AHEAD in said and PATCHED in said  # started, and patched here after all
    failed = [line for line in said if line.endswith("; rendering kg.html, kg.graphml, kg.gexf here")]
    expected = {
        "the patch gives up there": [],
        "the worker fails": [
            "rendering the network formats: RuntimeError: kaputt; rendering kg.html, kg.graphml, kg.gexf here"
        ],
        "the worker is killed": [
            "rendering the network formats: the worker process was killed by signal 9; "
            "rendering kg.html, kg.graphml, kg.gexf here"
        ],
    }
    assert failed == expected[case]
    built = _exports(mini)
    assert "Zeitung B (Ausgabe 2)" in built["kg.html"].decode("utf-8")

    monkeypatch.setattr(projectioncache, "patcher", lambda *args: None)
    shutil.rmtree(mini / "exports")
    pipeline.build(project=mini, jobs=2)
    assert _exports(mini) == built


@pytest.mark.usefixtures("keeping")
@pytest.mark.parametrize("case", ["the registry changed", "kg.nt was edited", "nothing was kept"])
def test_a_build_projects_whole_when_the_last_projection_does_not_fit(
    mini: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    if case == "nothing was kept":
        monkeypatch.setattr(projectioncache, "KEEP_FROM_TRIPLES", 10**9)
    pipeline.build(project=mini, jobs=2)
    monkeypatch.setattr(projectioncache, "KEEP_FROM_TRIPLES", 0)
    if case == "the registry changed":
        edited = mini / "sources" / "entities.yaml"
        edited.write_text(edited.read_text("utf-8").replace("name: Musterstadt", "name: Musterstadt (Stadt)"), "utf-8")
    else:
        edited = mini / "sources" / "articles" / "b.yaml"
        edited.write_text(edited.read_text("utf-8").replace("name: Zeitung B", "name: Zeitung B (Ausgabe 2)"), "utf-8")
    if case == "kg.nt was edited":
        nt = mini / "exports" / "kg.nt"
        nt.write_bytes(nt.read_bytes() + b"\n")
    said: list[str] = []
    pipeline.build(project=mini, jobs=2, progress=said.append)
    assert PATCHED not in said and any(line.startswith("wrote ") for line in said), said


NETWORK_FILES = ("kg.graphml", "kg.gexf")


def _noting_network_renders(monkeypatch: pytest.MonkeyPatch, notes: Path) -> None:
    """Note each GraphML or GEXF rendered from rows, in any process."""
    from graph import netformats

    for name in ("graphml_pieces", "gexf_pieces"):
        real = getattr(netformats, name)

        def noted(projection: Projection, real: Any = real, name: str = name) -> list[bytes]:
            with notes.open("a") as out:
                out.write(f"{name}\n")
            return list(real(projection))

        monkeypatch.setattr(netformats, name, noted)


def _network_files(project_dir: Path) -> dict[str, tuple[int, int]]:
    stats = {name: (project_dir / "exports" / name).stat() for name in NETWORK_FILES}
    return {name: (stat.st_ino, stat.st_mtime_ns) for name, stat in stats.items()}


def _edit(project_dir: Path, name: str, old: str, new: str) -> None:
    article = project_dir / "sources" / "articles" / name
    text = article.read_text("utf-8")
    assert old in text
    article.write_text(text.replace(old, new), "utf-8")


# the source's name is shown on the page, not in GraphML or GEXF; a fact's quote is in both
SAME_NETWORK = ("name: Zeitung B", "name: Zeitung B (Ausgabe 2)")
OTHER_QUOTE = ("quote: Ministerin Erika Beispiel (XYZ) war da.", "quote: Ministerin Erika Beispiel (XYZ)")


@pytest.mark.parametrize(
    ("where", "jobs"), [(AHEAD_WORKER, 2), ("a worker", 2), ("the build process", 2), ("the build process", 1)]
)
@pytest.mark.parametrize("change", ["the network is the same", "a quote changed", "kg.graphml was replaced"])
def test_a_build_keeps_the_network_files_when_their_rows_are_the_last_builds(
    mini: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str, jobs: int, change: str
) -> None:
    monkeypatch.setattr(projectioncache, "KEEP_FROM_TRIPLES", 0)
    _rendering(monkeypatch, where)
    pipeline.build(project=mini, jobs=jobs)
    _edit(mini, "b.yaml", *(OTHER_QUOTE if change == "a quote changed" else SAME_NETWORK))
    if change == "kg.graphml was replaced":  # by the user: the last build's exports are not all its own
        graphml = mini / "exports" / "kg.graphml"
        graphml.write_bytes(graphml.read_bytes().replace(b"Musterstadt", b"Musterdorf"))
    before = _network_files(mini)
    notes = tmp_path / "renders"
    _noting_network_renders(monkeypatch, notes)
    said: list[str] = []
    pipeline.build(project=mini, jobs=jobs, progress=said.append)
    rendered = notes.read_text().splitlines() if notes.exists() else []
    if change == "the network is the same":
        assert rendered == []  # neither file rendered
        assert _network_files(mini) == before  # nor written
        wrote = [line for line in said if line.startswith("wrote ")]
        assert wrote == [f"wrote 4 of 6 files in {mini / 'exports'} (2 unchanged)"]
    else:
        assert rendered == ["graphml_pieces", "gexf_pieces"]
    built = _exports(mini)

    # the same files as from the whole graph's projection
    monkeypatch.setattr(projectioncache, "patcher", lambda *args: None)
    shutil.rmtree(mini / "exports")
    pipeline.build(project=mini, jobs=jobs)
    assert _exports(mini) == built


def _kept(project_dir: Path) -> tuple[bytes, Projection | None]:
    """How the last build kept its projection (``W`` whole, ``C`` as a chain) and the
    projection read back as ``kg stats`` reads it."""
    out = project_dir / "exports"
    record = buildcache.last_build(out)
    assert record is not None
    path = projectioncache._FILES.path(out)
    with path.open("rb") as handle:
        handle.readline()
        kind = handle.read(1)
    return kind, projectioncache.read(record.key, out, record.files[pipeline.NTRIPLES_FILE])


@pytest.mark.parametrize(
    ("where", "jobs"), [(AHEAD_WORKER, 2), ("a worker", 2), ("the build process", 2), ("the build process", 1)]
)
def test_a_patched_projection_is_kept_as_what_the_patch_changed(
    mini: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str, jobs: int
) -> None:
    monkeypatch.setattr(projectioncache, "KEEP_FROM_TRIPLES", 0)
    monkeypatch.setattr(projectioncache, "MAX_DELTAS", 2)
    _rendering(monkeypatch, where)
    notes = tmp_path / "patches"
    _noting_patches(monkeypatch, notes)
    pipeline.build(project=mini, jobs=jobs)
    base = projectioncache._base_path(projectioncache._FILES.path(mini / "exports"))
    # a source's name (its sources differ), a quote (the same sources), ...
    edits = [
        ("b.yaml", "name: Zeitung B\n", "name: Zeitung B (2)\n"),
        ("b.yaml", *OTHER_QUOTE),
        ("b.yaml", "name: Zeitung B (2)\n", "name: Zeitung B (3)\n"),
        ("b.yaml", "name: Zeitung B (3)\n", "name: Zeitung B (4)\n"),
        ("b.yaml", "name: Zeitung B (4)\n", "name: Zeitung B (5)\n"),
    ]
    kinds = []
    bases = [base.stat().st_ino]
    for name, old, new in edits:
        _edit(mini, name, old, new)
        if new == edits[-1][2]:
            base.unlink()  # the chain's base is gone: nothing to patch from
        pipeline.build(project=mini, jobs=jobs)
        kind, kept = _kept(mini)
        kinds.append(kind)
        bases.append(base.stat().st_ino)
        dataset = pipeline.load(mini)
        assert kept is not None and _shown(kept) == _shown(project(build_graph(dataset).graph, dataset.ontology))
        assert new.split(": ", 1)[1].strip() in (mini / "exports" / "kg.html").read_text("utf-8")
        if len(kinds) == 2:  # a chain of two: the sources are kept when they changed
            chain = kept._memo[projectioncache._KEPT]
            assert [delta.sources is None for delta in chain.deltas] == [False, True]
    # whole, then two deltas on it, whole again, one delta; after the base was lost, whole
    assert kinds == [b"C", b"C", b"W", b"C", b"W"]
    assert notes.read_text().splitlines() == ["True"] * 4
    assert bases[0] == bases[1] == bases[2] != bases[3] == bases[4] != bases[5]
    # a base whose kept file is gone goes with it
    projectioncache._FILES.path(mini / "exports").unlink()
    assert kept is not None
    projectioncache.write_pickled("key", tmp_path / "other", (1, 2, 3), projectioncache.pickled(kept))
    assert not base.exists()


def test_without_a_base_a_projection_is_kept_whole(mini: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # where the cache's file system has no hard links (or the link fails), nothing could be
    # read back from a chain
    monkeypatch.setattr(projectioncache, "KEEP_FROM_TRIPLES", 0)
    real = os.link

    def link(source: Path, target: Path, **kwargs: Any) -> None:
        if Path(target).parent == projectioncache._FILES.folder():
            raise OSError("no links here")
        real(source, target, **kwargs)

    monkeypatch.setattr(os, "link", link)
    pipeline.build(project=mini, jobs=1)
    base = projectioncache._base_path(projectioncache._FILES.path(mini / "exports"))
    assert not base.exists()
    for old, new in [("Zeitung B", "Zeitung B (2)"), ("Zeitung B (2)", "Zeitung B (3)")]:
        _edit(mini, "b.yaml", f"name: {old}\n", f"name: {new}\n")
        pipeline.build(project=mini, jobs=1)
        kind, kept = _kept(mini)
        assert kind == b"W" and kept is not None
