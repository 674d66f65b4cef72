"""kg viz, stats and path read the built export when it is up to date, and sources/ otherwise."""

from __future__ import annotations

from pathlib import Path

from graph import buildcache, pipeline
from graph.build import build_graph
from tests.conftest import run


def test_the_graph_read_from_the_export_is_the_built_one(mini: Path) -> None:
    pipeline.build(project=mini)
    said: list[str] = []
    graph, _ = pipeline.built_graph(mini, progress=said.append)
    assert said and said[0].startswith("read ") and "kg.nt (up to date with sources/)" in said[0]
    assert set(graph) == set(build_graph(pipeline.load(mini)).graph)


def test_stats_and_path_answer_the_same_either_way(mini: Path) -> None:
    assert run("build", "-q", "--project", mini).exit_code == 0
    from_export = run("stats", "--project", mini, "--format", "json")
    path_export = run("path", "--project", mini, "erika-beispiel", "musterstadt")
    assert "up to date with sources/" in from_export.stderr
    buildcache.forget(mini / "exports")
    from_sources = run("stats", "--project", mini, "--format", "json")
    path_sources = run("path", "--project", mini, "erika-beispiel", "musterstadt")
    assert "up to date" not in from_sources.stderr
    assert from_export.stdout == from_sources.stdout and from_export.exit_code == 0
    assert path_export.stdout == path_sources.stdout and path_export.exit_code == path_sources.exit_code


def test_a_source_changed_since_the_build_is_read_from_sources(mini: Path) -> None:
    assert run("build", "-q", "--project", mini).exit_code == 0
    registry = mini / "sources" / "entities.yaml"
    registry.write_text(registry.read_text("utf-8").replace("name: Musterstadt", "name: Neustadt"), "utf-8")
    result = run("stats", "--project", mini, "--format", "json")
    assert result.exit_code == 0 and "up to date" not in result.stderr
    graph, _ = pipeline.built_graph(mini)
    assert any(str(o) == "Neustadt" for o in graph.objects())
