"""A build after an edit of a few articles builds only the part of the graph the edit reaches
(graph.partbuild), and writes and finds what a build of the whole graph would."""

from __future__ import annotations

import dataclasses
import re
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from graph import changes, ntsplice, partbuild, pipeline, projectioncache
from graph.build import BuiltGraph, build_graph
from graph.errors import KGError
from tests.conftest import run, snapshot
from tests.edits import EDITS, WHOLE, edit, edited_corpus

PART = re.compile(
    r"^built \d+ triples, the part of the graph that 1 changed article file reaches \(\d+ of \d+ facts\)$"
)


@pytest.fixture(autouse=True)
def keeping(monkeypatch: pytest.MonkeyPatch) -> None:
    """Builds keep their projection and their articles' subjects, build a part however large
    and check the sources beside the build (the fixtures' graphs are small, and an edit
    reaches much of them)."""
    monkeypatch.setattr(projectioncache, "KEEP_FROM_TRIPLES", 0)
    monkeypatch.setattr(partbuild, "MOST_SHARE", 1.0)
    monkeypatch.setattr(pipeline, "CHECK_BESIDE_FROM", 1)  # quotes and curation checked beside the build
    monkeypatch.delenv("KG_TEXTS", raising=False)


def _without_texts(project: Path) -> None:
    """Remove the texts of ``project``: its quotes are not checked (edits may change them)."""
    from graph.project import load_project

    texts = load_project(project).texts
    assert texts is not None
    shutil.rmtree(texts)


def _exports(project: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((project / "exports").iterdir())}


def _whole(project: Path, target: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, bytes], list[str], int]:
    """A build of a copy of ``project`` from scratch (no cache, one process): its exports,
    its warnings and how many triples it counted."""
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(project, target, ignore=shutil.ignore_patterns("exports", ".cache"))
    with monkeypatch.context() as scratch:
        scratch.setenv("KG_CACHE_DIR", str(target / ".cache"))
        result = pipeline.build(project=target, jobs=1)
    return _exports(target), _shown(result.warnings, target), result.triples


def _shown(warnings: Iterable[object], project: Path) -> list[str]:
    """Each of ``warnings`` as a line, the project's folder named ``<project>``."""
    return [str(w).replace(str(project), "<project>") for w in warnings]


def _edited_build(
    original: Path, target: Path, name: str, kind: str, monkeypatch: pytest.MonkeyPatch
) -> tuple[pipeline.CheckResult, list[str]] | None:
    """Build a fresh copy of ``original``, make the edit, build again (as ``kg build`` does,
    with a worker): the second build's result and progress, or ``None`` if the edit does not apply."""
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(original, target, ignore=shutil.ignore_patterns("exports", ".cache"))
    monkeypatch.setenv("KG_CACHE_DIR", str(target / ".cache"))
    pipeline.build(project=target, jobs=2)
    if not edit(target, name, kind):
        return None
    said: list[str] = []
    return pipeline.build(project=target, jobs=2, progress=said.append), said


@pytest.mark.parametrize("corpus", ["musterland", "generated"])
def test_every_edit_of_an_article_builds_in_part_what_a_whole_build_writes(
    corpus: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original, names = edited_corpus(corpus, tmp_path)
    _without_texts(original)
    cases = parts = 0
    for name in names[:2]:
        for kind in (*EDITS, *WHOLE):
            try:
                found = _edited_build(original, tmp_path / "edited", name, kind, monkeypatch)
            except KGError as error:  # an edit this article's facts do not allow: so says a whole build
                with pytest.raises(KGError) as whole_error:
                    _whole(tmp_path / "edited", tmp_path / "whole", monkeypatch)
                shown = str(error).replace(str(tmp_path / "edited"), "<project>")
                assert type(whole_error.value) is type(error)
                assert str(whole_error.value).replace(str(tmp_path / "whole"), "<project>") == shown
                continue
            if found is None:
                continue
            result, said = found
            in_part = [line for line in said if PART.match(line)]
            parts += bool(in_part)
            exports, warnings, triples = _whole(tmp_path / "edited", tmp_path / "whole", monkeypatch)
            assert _exports(tmp_path / "edited") == exports, (name, kind, said)
            assert _shown(result.warnings, tmp_path / "edited") == warnings, (name, kind)
            assert result.triples == triples == len(result.built.graph), (name, kind)
            cases += 1
    assert cases >= 2 * 7
    assert parts == cases  # every one of these edits is built in part


def test_a_build_in_part_returns_the_whole_graph_to_its_caller(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    original, names = edited_corpus("musterland", tmp_path)
    found = _edited_build(original, tmp_path / "edited", names[0], "add a note", monkeypatch)
    assert found is not None
    result, said = found
    assert any(PART.match(line) for line in said)
    assert isinstance(result.built, partbuild.WholeLater)
    assert object.__getattribute__(result.built, "_whole") is None  # not built by the build itself
    whole = build_graph(pipeline.load(tmp_path / "edited"))
    assert set(result.built.graph) == set(whole.graph)
    assert (result.built.statements, result.built.references) == (whole.statements, whole.references)
    assert result.built.origins == whole.origins


def test_the_whole_graph_built_later_has_every_field_of_a_built_graph() -> None:
    assert {f.name for f in dataclasses.fields(BuiltGraph)} == partbuild._BUILT_FIELDS


@pytest.mark.parametrize("corpus", ["musterland", "generated"])
def test_the_census_after_the_changed_lines_is_the_census_of_the_new_graph(corpus: str, tmp_path: Path) -> None:
    original, names = edited_corpus(corpus, tmp_path)
    before = build_graph(pipeline.load(original)).graph
    census = changes.Census.of(before)
    assert census.triples == len(before)
    old = tmp_path / "old.nt"
    old.write_bytes(ntsplice.ntriples(before))
    checked = 0
    for name in names[:3]:
        for kind in EDITS:
            target = tmp_path / "edited"
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(original, target)
            if not edit(target, name, kind):
                continue
            try:
                after = build_graph(pipeline.load(target)).graph
            except KGError:
                continue
            old_lines = set(old.read_bytes().splitlines(keepends=True))
            new_lines = set(ntsplice.ntriples(after).splitlines(keepends=True))
            assert census.after(sorted(old_lines - new_lines), sorted(new_lines - old_lines)) == changes.Census.of(
                after
            )
            checked += 1
    assert checked >= 3 * 6


def test_a_census_cannot_follow_a_line_with_a_blank_node_or_an_escaped_iri() -> None:
    census = changes.Census(1, {"https://example.org/p": 1}, {})
    assert census.after([], [b'_:b1 <https://example.org/p> "x" .\n']) is None
    assert census.after([b"<https://example.org/s> <https://example.org/p> _:b2 .\n"], []) is None
    assert census.after([b'<https://example.org/s> <https://example.org/p> "x" .\n'], []) == changes.Census(0, {}, {})
    assert census.after([], [b'<https://example.org/s> <https://example.org/p\\u00E4> "x" .\n']) is None
    escaped = b'<https://example.org/s> <https://example.org/p> "a \\"b\\"" .\n'  # in a literal: read
    assert census.after([], [escaped]) == changes.Census(2, {"https://example.org/p": 2}, {})


# ---------------------------------------------------------------- when a part is not enough


def _built_and_edited(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    original, names = edited_corpus("musterland", tmp_path)
    target = tmp_path / "edited"
    shutil.copytree(original, target, ignore=shutil.ignore_patterns("exports", ".cache"))
    monkeypatch.setenv("KG_CACHE_DIR", str(target / ".cache"))
    pipeline.build(project=target, jobs=2)
    assert edit(target, names[0], "add a note")
    return target


@pytest.mark.parametrize("where", ["the build process", "the worker"])
def test_a_build_whose_part_is_not_enough_builds_the_whole_graph(
    where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = _built_and_edited(tmp_path, monkeypatch)
    if where == "the build process":  # validating by what changed needs more rounds than allowed
        monkeypatch.setattr(pipeline, "PART_ROUNDS", 0)
        why = "the nodes to validate reach past the part of the graph after 0 rounds"
    else:  # Turtle cannot be spliced: the worker would write the whole graph's
        monkeypatch.setattr(ntsplice.Plan, "turtle", lambda *args: None)
        why = "every triple of the graph is needed, not only the part of it the changed articles reach"
    said: list[str] = []
    result = pipeline.build(project=target, jobs=2, progress=said.append)
    assert any(PART.match(line) for line in said)
    assert f"{why}: building the whole graph" in said
    assert not isinstance(result.built, partbuild.WholeLater)
    exports, warnings, triples = _whole(target, tmp_path / "whole", monkeypatch)
    assert _exports(target) == exports
    assert (_shown(result.warnings, target), result.triples) == (warnings, triples)


def _built_whole(target: Path, jobs: int) -> None:
    """Build ``target`` with ``jobs``, which builds the whole graph, not a part."""
    said: list[str] = []
    pipeline.build(project=target, jobs=jobs, progress=said.append)
    assert not any(PART.match(line) for line in said)
    assert any(line.startswith("built ") and "statements" in line for line in said)


def test_a_build_with_one_process_builds_the_whole_graph(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The network formats are rendered from the whole graph's projection then (none is rendered ahead)."""
    _built_whole(_built_and_edited(tmp_path, monkeypatch), jobs=1)


def test_a_build_without_the_last_census_builds_the_whole_graph(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = _built_and_edited(tmp_path, monkeypatch)
    real = changes.basis

    def without_census(*args: Any) -> changes.Basis | None:  # as a record kept by an older version
        found = real(*args)
        return dataclasses.replace(found, census=None) if found is not None else None

    monkeypatch.setattr(changes, "basis", without_census)
    _built_whole(target, jobs=2)
    exports, _, _ = _whole(target, tmp_path / "whole", monkeypatch)
    assert _exports(target) == exports


def test_a_build_whose_part_would_have_most_facts_builds_the_whole_graph(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = _built_and_edited(tmp_path, monkeypatch)
    monkeypatch.setattr(partbuild, "MOST_SHARE", 0.01)
    _built_whole(target, jobs=2)


def test_kg_build_after_an_edit_says_it_built_a_part_and_records_the_whole_graphs_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = _built_and_edited(tmp_path, monkeypatch)
    monkeypatch.chdir(target)
    built = run("build", "--jobs", "2")
    assert built.exit_code == 0, built.stderr
    assert any(PART.match(line) for line in built.stderr.splitlines())
    # the check the build recorded counts the whole graph
    dataset = pipeline.load(target)
    triples = len(build_graph(dataset).graph)
    validated = run("validate")
    assert "up to date" in validated.stderr
    assert validated.stdout == (
        f"valid: {len(dataset.sources)} sources, {len(dataset.entities)} entities, "
        f"{len(dataset.facts)} facts, {triples} triples\n"
    )


# ---------------------------------------------------------------- the part, apart from a build


def _changed_files(before: Path, after: Path) -> set[str]:
    """The article files (``sources/articles/…``) that differ between two copies of a project."""
    names = {p.name for folder in (before, after) for p in (folder / "sources" / "articles").glob("*.yaml")}

    def content(folder: Path, name: str) -> bytes | None:
        path = folder / "sources" / "articles" / name
        return path.read_bytes() if path.exists() else None

    return {f"sources/articles/{name}" for name in names if content(before, name) != content(after, name)}


@pytest.mark.parametrize("corpus", ["musterland", "generated"])
def test_the_part_made_complete_finds_and_validates_what_the_whole_graph_does(corpus: str, tmp_path: Path) -> None:
    """For each edit: the nodes to validate found in the part (made complete in every node
    the search reads and finds, as a build does) are those found in the whole graph, and
    validating them in the part gives the whole graph's report."""
    from graph.validate import load_shapes, validate_graph

    original, names = edited_corpus(corpus, tmp_path)
    dataset = pipeline.load(original)
    before = build_graph(dataset)
    shapes_file = dataset.project.shapes_file
    shapes = load_shapes(shapes_file)
    old = tmp_path / "old.nt"
    old.write_bytes(ntsplice.ntriples(before.graph))
    report = validate_graph(before, dataset.ontology, shapes_file)
    assert report.results is not None
    basis = changes.Basis(old, report.results, changes.Census.of(before.graph))
    kept = ntsplice.article_subjects(before, dataset)
    compared = grown = smaller = 0
    for name in names[:3]:
        for kind in (*EDITS, *WHOLE):
            target = tmp_path / "edited"
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(original, target)
            if not edit(target, name, kind):
                continue
            try:
                now = pipeline.load(target)
            except KGError:
                continue
            whole = build_graph(now)
            ntriples = ntsplice.ntriples(whole.graph)
            expected = changes.focus(basis, whole.graph, shapes, ntriples)
            assert expected is not None
            part = partbuild.start(now, _changed_files(original, target), kept)
            for _ in range(pipeline.PART_ROUNDS):
                asked: set[Any] = set()
                found = changes.focus(basis, part.built.graph, shapes, ntriples, len(whole.graph), asked)
                assert found is not None
                if part.complete(asked.union(found.nodes, found.provenance, (r.focus for r in found.kept))):
                    break
            else:
                pytest.fail(f"{name}, {kind}: not complete after {pipeline.PART_ROUNDS} rounds")
            assert found == expected, (name, kind)
            smaller += len(part.chosen) < len(now.facts)
            in_part = validate_graph(part.built, now.ontology, shapes_file, focus=found)
            in_whole = validate_graph(whole, now.ontology, shapes_file, focus=expected)
            assert (in_part.violations, in_part.warnings, in_part.results) == (
                in_whole.violations,
                in_whole.warnings,
                in_whole.results,
            ), (name, kind)
            grown += part.builds > 1
            compared += 1
    assert compared >= 3 * 7
    assert grown >= 1  # some edit needs more than the first part
    assert smaller >= 1  # and some part is smaller than the whole graph (these corpora are small)


def test_a_quote_not_found_fails_a_build_in_part_as_it_fails_a_whole_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The checks beside the build are taken only before SHACL in a build in part: a quote
    not found is still the error, ahead of SHACL's, and nothing is written."""
    target = _built_and_edited(tmp_path, monkeypatch)
    article = next((target / "sources" / "articles").glob("a-*.yaml"))
    text = article.read_text("utf-8")
    article.write_text(text.replace("quote: ", "quote: Erfunden und ", 1), "utf-8")
    written = snapshot(target / "exports")
    monkeypatch.chdir(target)
    failed = run("build", "--jobs", "2")
    assert failed.exit_code == 1
    assert any(PART.match(line) for line in failed.stderr.splitlines()), failed.stderr
    assert snapshot(target / "exports") == written
    scratch = tmp_path / "scratch"
    shutil.copytree(target, scratch, ignore=shutil.ignore_patterns("exports", ".cache"))
    monkeypatch.setenv("KG_CACHE_DIR", str(scratch / ".cache"))
    monkeypatch.chdir(scratch)
    whole = run("build", "--jobs", "1")
    errors = [line for line in failed.stderr.replace(str(target), "<p>").splitlines() if "not found" in line]
    assert errors == [line for line in whole.stderr.replace(str(scratch), "<p>").splitlines() if "not found" in line]
    assert errors[-1] == "Error: 1 quote not found in the texts; nothing was written."
