"""A focused view taken from the query store (graph.focus) equals the one of the whole projection."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph import pipeline, views
from graph.focus import focused_graph
from graph.ontology import load_ontology
from graph.project import load_project
from graph.projection import Projection, project, select
from graph.viz import Filters, render_html
from tests.conftest import copy_fixture


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Musterland fixture, built so that ``kg viz`` finds its exports up to date (read-only)."""
    target = copy_fixture("musterland", tmp_path_factory.mktemp("focus") / "musterland")
    pipeline.build(project=target)
    return target


def _whole(project_dir: Path, focus: tuple[str, ...], depth: int) -> Projection:
    graph, ontology = pipeline.built_graph(project_dir)
    return select(project(graph, ontology), focus=focus, depth=depth)


def _snapshot(view: Projection) -> tuple[object, ...]:
    network = view.network
    return (
        list(network),  # the order matters to sampled betweenness
        list(network.edges(keys=True)),
        sorted(network.nodes(data=True)),
        sorted((u, v, k, d["predicate"], d["claims"]) for u, v, k, d in network.edges(keys=True, data=True)),
        view.sources,
        view.description,
    )


def _entities(project_dir: Path) -> list[str]:
    graph, ontology = pipeline.built_graph(project_dir)
    return sorted(project(graph, ontology).network)


@pytest.mark.parametrize("depth", [0, 1, 2, 3])
def test_a_focused_view_equals_the_one_of_the_whole_graph(built: Path, depth: int) -> None:
    entities = _entities(built)
    for centre in entities[:: max(1, len(entities) // 8)]:
        said: list[str] = []
        fast = views.load_view(built, focus=(centre,), depth=depth, progress=said.append)
        assert any(line.startswith("read ") and "from the query store" in line for line in said)
        slow = _whole(built, (centre,), depth)
        assert _snapshot(fast) == _snapshot(slow), centre
        filters = Filters((centre,), depth, (), (), None, False)
        assert render_html(fast, filters=filters) == render_html(slow, filters=filters), centre


def test_two_centres_at_once(built: Path) -> None:
    entities = _entities(built)
    focus = (entities[0], entities[-1])
    fast = views.load_view(built, focus=focus, depth=1)
    assert _snapshot(fast) == _snapshot(_whole(built, focus, 1))


def test_a_name_or_unknown_id_uses_the_whole_graph(built: Path) -> None:
    ontology = load_ontology(load_project(built).ontology_dir)
    assert focused_graph(built, ontology, ("no-such-entity",), 1, lambda _: None) is None
    assert focused_graph(built, ontology, ("Erika Beispiel",), 1, lambda _: None) is None


def test_a_stale_build_uses_the_whole_graph(built: Path) -> None:
    from graph import buildcache

    ontology = load_ontology(load_project(built).ontology_dir)
    entity = _entities(built)[0]
    assert focused_graph(built, ontology, (entity,), 1, lambda _: None) is not None
    buildcache.forget(built / "exports")
    assert focused_graph(built, ontology, (entity,), 1, lambda _: None) is None


@pytest.mark.parametrize("lost", ["a line", "a source"])
def test_lines_missing_from_the_export_use_the_whole_graph(
    built: Path, monkeypatch: pytest.MonkeyPatch, lost: str
) -> None:
    from graph import focus

    found = focus._lines_about

    def losing(path: Path, whole: set[object], described: set[object]) -> tuple[bytes, int, int]:
        lines, about_described, unfound = found(path, whole, described)
        if lost == "a source":  # as if one source's IRI were written differently in the export
            return lines, about_described, unfound + 1
        return lines[: lines.rindex(b"\n", 0, len(lines) - 1) + 1], about_described, unfound

    monkeypatch.setattr(focus, "_lines_about", losing)
    centre = _entities(built)[0]
    said: list[str] = []
    view = views.load_view(built, focus=(centre,), depth=1, progress=said.append)
    assert not any("from the query store" in line for line in said)
    assert _snapshot(view) == _snapshot(_whole(built, (centre,), 1))
