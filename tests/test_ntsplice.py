"""kg.nt made from the last build's after a few articles changed (graph.ntsplice): the same
bytes as writing the new graph whole, for every kind of edit to each of the first articles
of two projects, and for subjects whose IRIs begin alike."""

from __future__ import annotations

import random
import shutil
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph, Literal, URIRef

from graph import buildcache, ntsplice, pipeline, projectioncache
from graph.build import BuiltGraph, build_graph
from graph.dataset import Dataset
from graph.errors import SourceError
from graph.namespace import NIK
from graph.ntdelta import files_delta, sorted_delta
from graph.ntsplice import Plan, article_subjects, splice
from graph.project import load_project
from graph.projectioncache import Inputs
from graph.spans import joined
from graph.writers import jsonld, ntriples, turtle
from tests.edits import edited_copies, edited_corpus

P = URIRef("http://example.org/p")
LAST = (NIK.Statement, NIK.Reference)  # as kg.ttl is written


def _key(iri: str) -> bytes:
    return b"<" + iri.encode() + b"> "


def _graph(triples: dict[str, list[str]]) -> Graph:
    graph = Graph()
    for subject, values in triples.items():
        for value in values:
            graph.add((URIRef(subject), P, Literal(value)))
    return graph


def test_the_changed_subjects_lines_take_the_place_of_the_old_ones(tmp_path: Path) -> None:
    # IRIs that begin alike: "<x/a> " sorts after "<x/a-b> " and "<x/a.c> ", before "<x/ab> "
    names = ["http://x/a", "http://x/a-b", "http://x/a.c", "http://x/ab", "http://x/b", "http://x/c"]
    rng = random.Random(3)
    for _ in range(200):
        before = {n: [f"v{rng.randrange(5)}" for _ in range(rng.randrange(4))] for n in names}
        after = dict(before)
        changed = rng.sample(names, rng.randrange(1, 4))
        for name in changed:
            after[name] = [f"w{rng.randrange(5)}" for _ in range(rng.randrange(4))]
        old = tmp_path / "kg.nt"
        old.write_bytes(ntriples(_graph(before)))
        new = _graph(after)
        pieces = splice(old, new, [_key(n) for n in changed] + [_key(rng.choice(names))])  # and one unchanged
        assert pieces is not None
        assert joined(pieces) == ntriples(new), (before, after, changed)


def test_a_spliced_file_s_delta_is_known_without_reading_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old, new = tmp_path / "kg.nt", tmp_path / "new.nt"
    old.write_bytes(ntriples(_graph({"http://x/a": ["v"], "http://x/b": ["v"]})))
    graph = _graph({"http://x/a": ["w"], "http://x/b": ["v"]})
    plan = Plan(old, buildcache.identity(old) or [], [_key("http://x/a")], {})
    new.write_bytes(joined(plan.pieces(graph) or []))
    plan.written(new)

    def compared(*args: object) -> None:
        raise AssertionError("the files were compared")

    monkeypatch.setattr("graph.ntdelta.sorted_delta", compared)
    found = files_delta(old, new, 10)
    assert found is not None and found == plan.delta
    assert found.removed == (b'<http://x/a> <http://example.org/p> "v" .\n',)
    assert found.added == (b'<http://x/a> <http://example.org/p> "w" .\n',)
    assert files_delta(old, new, 1) is None  # more lines differ than asked for
    new.write_bytes(new.read_bytes() + b'<http://x/c> <http://example.org/p> "v" .\n')  # then it changed
    monkeypatch.undo()
    changed = files_delta(old, new, 10)
    assert changed is not None and len(changed) == 3


def test_an_old_file_that_is_not_n_triples_of_sorted_lines_is_not_spliced(tmp_path: Path) -> None:
    old = tmp_path / "kg.nt"
    old.write_bytes(b'<http://x/a> <http://example.org/p> "v" .')  # no line break at its end
    assert splice(old, _graph({"http://x/a": ["w"]}), [_key("http://x/a")]) is None
    assert splice(tmp_path / "missing.nt", _graph({}), []) is None
    old.write_bytes(b"")
    assert splice(old, _graph({"http://x/a": ["w"]}), [_key("http://x/a")]) == [ntriples(_graph({"http://x/a": ["w"]}))]


def _state(project_dir: Path) -> tuple[Inputs, BuiltGraph, Dataset]:
    settings = load_project(project_dir)
    files: dict[str, str] = {}
    buildcache.check_key(settings.sources_dir, settings.ontology_dir, None, files)
    dataset = pipeline.load(project_dir)
    return Inputs.of(files, dataset), build_graph(dataset), dataset


@pytest.mark.parametrize("corpus", ["musterland", "generated"])
def test_a_spliced_kg_nt_equals_the_whole_graphs_after_any_edit(
    corpus: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    original, names = edited_corpus(corpus, tmp_path)
    before, built, dataset = _state(original)
    old = tmp_path / "kg.nt"
    old.write_bytes(ntriples(built.graph))
    documents = {"kg.ttl": tmp_path / "kg.ttl", "kg.jsonld": tmp_path / "kg.jsonld"}
    documents["kg.ttl"].write_bytes(turtle(built.graph, LAST))
    documents["kg.jsonld"].write_bytes(jsonld(built.graph))
    others = {name: (path, buildcache.identity(path) or []) for name, path in documents.items()}
    kept = article_subjects(built, dataset)
    spliced = 0
    edited = tmp_path / "edited"
    for name, kind in edited_copies(original, edited, names):
        try:
            now, new, new_dataset = _state(edited)
        except SourceError:  # an edit this article's facts do not allow
            continue
        files = before.changed_files(now)
        assert files and all(f.startswith("sources/articles/") for f in files), (name, kind)
        identity = buildcache.identity(old) or []
        plan = ntsplice.plan(old, identity, kept, before.sources.keys(), files, new, new_dataset, others)
        assert plan is not None
        assert plan.subjects == article_subjects(new, new_dataset)  # carried over, but for the changed ones
        pieces = plan.pieces(new.graph)
        assert pieces is not None
        assert joined(pieces) == ntriples(new.graph), (name, kind)
        assert plan.delta == sorted_delta(old.read_bytes(), joined(pieces), 10**6), (name, kind)
        # the same subjects' blocks of kg.ttl and node objects of kg.jsonld
        ttl = plan.turtle(new.graph, "kg.ttl", LAST)
        assert ttl is not None and joined(ttl) == turtle(new.graph, LAST), (name, kind)
        json_ld = plan.jsonld(new.graph, "kg.jsonld")
        assert json_ld is not None and joined(json_ld) == jsonld(new.graph), (name, kind)
        spliced += 1
    assert spliced >= len(names) * 7


def test_each_article_has_its_own_subjects(musterland_built: Path) -> None:
    dataset = pipeline.load(musterland_built)
    built = build_graph(dataset)
    found = article_subjects(built, dataset)
    articles = {f"sources/articles/{p.name}" for p in (musterland_built / "sources" / "articles").glob("*.yaml")}
    assert articles <= found.keys()
    for name in articles:
        keys = found[name].split(b"\n")
        assert keys == sorted(set(keys)) and all(k.startswith(b"<") and k.endswith(b"> ") for k in keys)
    assert article_subjects(built, dataset, {min(articles)}).keys() == {min(articles)}


def _noting_whole_writes(monkeypatch: pytest.MonkeyPatch, notes: Path) -> None:
    """Note each RDF export written whole, in any process (with the rows the RDF formats
    share: a splice writes its subjects' lines or blocks with the same writer, without them)."""
    from graph import writers

    for name in ("ntriples", "turtle", "jsonld"):
        real = getattr(writers, f"{name}_pieces")

        def noted(*args: Any, real: Any = real, name: str = name, **kwargs: Any) -> list[bytes]:
            if kwargs.get("rows") is not None:
                with notes.open("a") as out:
                    out.write(f"{name}\n")
            return real(*args, **kwargs)  # type: ignore[no-any-return]

        monkeypatch.setattr(writers, f"{name}_pieces", noted)


@pytest.mark.parametrize("jobs", [2, 1])
@pytest.mark.parametrize(
    "change", ["an article edited", "an article added", "kg.nt was replaced", "kg.ttl was replaced"]
)
def test_a_build_splices_the_last_kg_nt_after_a_few_articles_changed(
    mini: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int, change: str
) -> None:
    monkeypatch.setattr(projectioncache, "KEEP_FROM_TRIPLES", 0)
    pipeline.build(project=mini, jobs=jobs)
    articles = mini / "sources" / "articles"
    if change == "an article added":
        copy = articles / "c.yaml"
        copy.write_text((articles / "b.yaml").read_text("utf-8").replace("id: zeitung-b", "id: zeitung-c"), "utf-8")
        (mini / "texts" / "c.txt").write_bytes((mini / "texts" / "b.txt").read_bytes())
    else:
        article = articles / "a.yaml"
        article.write_text(article.read_text("utf-8").replace("Rund 50 Gäste kamen.", "Rund 50 Gäste"), "utf-8")
    if change == "kg.nt was replaced":  # by the user: the last build's exports are not all its own
        nt = mini / "exports" / "kg.nt"
        nt.write_bytes(nt.read_bytes() + b"<urn:x> <urn:y> <urn:z> .\n")
    if change == "kg.ttl was replaced":
        ttl = mini / "exports" / "kg.ttl"
        ttl.write_bytes(ttl.read_bytes() + b"<urn:x> <urn:y> <urn:z> .\n")
    notes = tmp_path / "writes"
    _noting_whole_writes(monkeypatch, notes)
    pipeline.build(project=mini, jobs=jobs)
    written = sorted(notes.read_text().splitlines()) if notes.exists() else []
    # an export the last build did not leave as it was: none is spliced (kg.nt tells what each
    # subject was before, for Turtle and JSON-LD too)
    assert written == (["jsonld", "ntriples", "turtle"] if change.endswith("replaced") else [])
    built = {p.name: p.read_bytes() for p in (mini / "exports").iterdir()}

    # the same files as from a build that writes everything whole
    monkeypatch.setattr(projectioncache, "splice_plan", lambda *args: None)
    monkeypatch.setattr(projectioncache, "patcher", lambda *args: None)
    shutil.rmtree(mini / "exports")
    pipeline.build(project=mini, jobs=jobs)
    assert {p.name: p.read_bytes() for p in (mini / "exports").iterdir()} == built
