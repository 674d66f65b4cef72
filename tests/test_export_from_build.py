"""kg export writes the last build's file when that build is up to date, and checks and
renders otherwise: the same bytes either way."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph import buildcache, pipeline
from graph.export import DEFAULT_FORMATS, exporter
from tests.conftest import run

READ = "read {path} (the last build's, up to date with sources/)"


def _export(project: Path, *args: str | Path) -> tuple[bytes, list[str]]:
    result = run("export", *args, "--project", project)
    assert result.exit_code == 0, result.output
    return result.stdout_bytes, result.stderr.splitlines()


@pytest.mark.parametrize("name", DEFAULT_FORMATS)
def test_an_up_to_date_build_is_read_not_rendered(mini: Path, name: str) -> None:
    assert run("build", "-q", "--project", mini).exit_code == 0
    path = mini / "exports" / exporter(name).filename
    content, said = _export(mini, name)
    assert content == path.read_bytes() and content
    assert said == [READ.format(path=path)]
    buildcache.forget(mini / "exports")  # not up to date: checked and rendered
    rendered, said = _export(mini, name)
    assert rendered == content
    assert READ.format(path=path) not in said and "SHACL: conforms (0 warnings)" in said


def test_the_file_written_is_the_build_s(mini: Path, tmp_path: Path) -> None:
    assert run("build", "-q", "--project", mini).exit_code == 0
    _export(mini, "turtle", "-o", tmp_path / "copy.ttl")
    assert (tmp_path / "copy.ttl").read_bytes() == (mini / "exports" / "kg.ttl").read_bytes()


def test_a_source_changed_since_the_build_is_checked_and_rendered(mini: Path) -> None:
    assert run("build", "-q", "--project", mini).exit_code == 0
    registry = mini / "sources" / "entities.yaml"
    registry.write_text(registry.read_text("utf-8").replace("name: Musterstadt", "name: Neustadt"), "utf-8")
    content, said = _export(mini, "ntriples")
    assert b'"Neustadt"' in content and b'"Musterstadt"' not in content
    assert not any(line.startswith("read ") for line in said)


def test_an_export_edited_by_hand_is_not_passed_on(mini: Path) -> None:
    assert run("build", "-q", "--project", mini).exit_code == 0
    path = mini / "exports" / "kg.ttl"
    built = path.read_bytes()
    path.write_bytes(b"# edited by hand\n" + built)
    content, said = _export(mini, "turtle")
    assert content == built
    assert READ.format(path=path) not in said


def test_a_build_of_other_formats_or_folders_is_not_used(mini: Path, tmp_path: Path) -> None:
    assert run("build", "-q", "--project", mini, "--format", "turtle").exit_code == 0
    assert run("build", "-q", "--project", mini, "--out", tmp_path / "elsewhere").exit_code == 0
    content, said = _export(mini, "turtle")
    assert not any(line.startswith("read ") for line in said)
    assert content == pipeline.export(project=mini, format="turtle")
