"""Incremental builds: an unchanged ``kg build`` is up to date; any change to an input rebuilds."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from graph import pipeline
from tests.conftest import run

UP_TO_DATE = "up to date: 6 files in {out} (nothing changed since the last build)"


def _build(project: Path, *args: str | Path) -> str:
    result = run("build", "--project", project, *args)
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def test_a_second_unchanged_build_is_up_to_date(mini: Path) -> None:
    assert _build(mini).startswith("done in")
    before = {p.name: p.stat().st_mtime_ns for p in (mini / "exports").iterdir()}
    assert _build(mini) == UP_TO_DATE.format(out=mini / "exports")
    assert {p.name: p.stat().st_mtime_ns for p in (mini / "exports").iterdir()} == before


@pytest.mark.parametrize(
    "change",
    [
        "sources/entities.yaml",
        "sources/articles/a.yaml",
        "ontology/shapes.ttl",
        "an ontology file",
        "a new text",
        "new source file",
        "export edited",
        "export deleted",
    ],
)
def test_any_change_to_an_input_or_an_export_rebuilds(mini: Path, change: str) -> None:
    _build(mini)
    if change == "new source file":
        (mini / "sources" / "articles" / "notes.txt").write_text("not yaml, but in sources/\n", "utf-8")
    elif change == "a new text":
        (mini / "texts" / "c.txt").write_text("Ein weiterer Text.\n", "utf-8")
    elif change == "export edited":
        (mini / "exports" / "kg.ttl").write_bytes(b"# edited by hand\n")
    elif change == "export deleted":
        (mini / "exports" / "kg.nt").unlink()
    elif change == "an ontology file":
        path = next(p for p in sorted((mini / "ontology").glob("*.ttl")) if p.name != "shapes.ttl")
        path.write_bytes(path.read_bytes() + b"\n# changed\n")
    else:
        path = mini / change
        assert path.is_file(), f"the fixture lacks {change}"
        path.write_bytes(path.read_bytes() + b"\n# changed\n")
    assert _build(mini).startswith("done in")


def test_format_and_folder_are_part_of_the_key(mini: Path, tmp_path: Path) -> None:
    _build(mini)
    assert _build(mini, "--format", "turtle").startswith("done in")
    assert _build(mini, "--out", tmp_path / "other").startswith("done in")
    assert _build(mini, "--out", tmp_path / "other") == UP_TO_DATE.format(out=tmp_path / "other")


def test_force_rebuilds_anyway(mini: Path) -> None:
    _build(mini)
    assert _build(mini, "--force").startswith("done in")


def test_a_change_of_the_tool_rebuilds(mini: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _build(mini)
    monkeypatch.setattr("graph.__version__", "999.0")
    assert _build(mini).startswith("done in")


def test_a_failed_build_leaves_the_record_of_the_last_good_one(mini: Path) -> None:
    _build(mini)
    registry = mini / "sources" / "entities.yaml"
    good = registry.read_bytes()
    registry.write_bytes(good + b"- id: broken\n")
    assert run("build", "--project", mini).exit_code == 1
    registry.write_bytes(good)
    assert _build(mini) == UP_TO_DATE.format(out=mini / "exports")


def test_the_library_build_records_too(mini: Path) -> None:
    pipeline.build(project=mini)
    result = pipeline.build_if_changed(project=mini)
    assert isinstance(result, pipeline.UpToDate)
    assert [p.name for p in result.outputs] == sorted(os.listdir(mini / "exports"))


def test_the_time_a_build_reports_is_all_of_it_not_only_its_steps(mini: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from graph import buildcache

    record = buildcache.record

    def slow_record(*args: object, **kwargs: object) -> None:  # outside every timed step
        time.sleep(0.6)
        record(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(buildcache, "record", slow_record)
    line = _build(mini)
    assert line.startswith("done in ") and line.endswith(" s"), line
    assert float(line.removeprefix("done in ").removesuffix(" s")) >= 0.6
