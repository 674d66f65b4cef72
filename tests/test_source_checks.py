"""A large build checks its quotes and finds its curation warnings in a forked process
while it builds the graph (``pipeline._start_source_checks``): the same findings, the
same errors, in the same order, as when the build process checks them itself.

The fixtures are small, so these tests lower :data:`graph.pipeline.CHECK_BESIDE_FROM`.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import pytest

from graph import build, forked, pipeline
from graph.errors import KGError, QuoteError
from tests.conftest import run, snapshot
from tests.minicopy import mini_copy

pytestmark = pytest.mark.skipif(not forked.available(), reason="the checks beside the build need os.fork (Linux)")

CHECKING = "checking quotes and curation"
#: A second start date of the visit, from the other source: a curation warning (a conflict).
DIFFERENT_DATE = """
  - subject: besuch-beispiel
    quote: Ministerin Erika Beispiel (XYZ) war da.
    startDate: 2021-03-04
"""
#: A quote of sources/articles/a.yaml, and the same changed so that its text does not have it.
QUOTE = "quote: Rund 50 Gäste kamen."
CHANGED = "quote: Rund 60 Gäste kamen."


@pytest.fixture
def mini(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The mini fixture as the cwd, with a conflict between its two sources; its forks' files go to ``tmp/``."""
    project = mini_copy(tmp_path, monkeypatch)
    with (project / "sources" / "articles" / "b.yaml").open("a", encoding="utf-8") as handle:
        handle.write(DIFFERENT_DATE)
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    return project


@pytest.fixture
def beside(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every dataset is large enough to be checked beside the build."""
    monkeypatch.setattr(pipeline, "CHECK_BESIDE_FROM", 1)


def _lines(output: str) -> list[str]:
    """The progress and warning lines of a build, without the timing and the ones about workers."""
    return [line for line in output.splitlines() if not line.startswith(("done in", "rendering the exports"))]


def test_the_checks_beside_the_build_find_what_the_build_process_finds(
    mini: Path, tmp_path: Path, beside: None, started: list[str]
) -> None:
    here = run("build", "--force", "--jobs", "1", "--out", tmp_path / "here")
    assert started == []
    there = run("build", "--force", "--jobs", "2", "--out", tmp_path / "there")
    assert started[0] == CHECKING
    assert here.exit_code == there.exit_code == 0, here.stderr + there.stderr
    assert "warning: conflict: sources disagree on startDate of 'besuch-beispiel'" in here.stderr
    # the quotes line before the one of the built graph, as here
    assert _lines(there.stderr) == _lines(here.stderr.replace(str(tmp_path / "here"), str(tmp_path / "there")))
    assert snapshot(tmp_path / "there").keys() == snapshot(tmp_path / "here").keys()
    for name in snapshot(tmp_path / "here"):
        assert (tmp_path / "there" / name).read_bytes() == (tmp_path / "here" / name).read_bytes()
    assert list((tmp_path / "tmp").iterdir()) == []  # the checking process left nothing behind


def test_a_quote_not_found_beside_the_build_is_the_same_error(mini: Path, beside: None, started: list[str]) -> None:
    article = mini / "sources" / "articles" / "a.yaml"
    article.write_text(article.read_text(encoding="utf-8").replace(QUOTE, CHANGED), encoding="utf-8")
    here = run("build", "--jobs", "1")
    there = run("build", "--jobs", "2")
    assert started == [CHECKING]
    assert here.exit_code == there.exit_code == 1
    assert there.stderr.count("not found verbatim in a.txt") == 2, there.stderr
    assert there.stderr == here.stderr
    assert not (mini / "exports").exists()


def test_the_steps_beside_the_build_are_among_the_workers_steps(mini: Path, beside: None) -> None:
    result = pipeline.build(project=mini, jobs=2)
    assert "quotes" not in result.timings.steps
    assert pipeline.CHECKS_WAIT_STEP in result.timings.steps
    assert {"quotes (while building)", "curation (while building)"} <= result.timings.workers.keys()
    assert [w.message.split(":")[0] for w in result.warnings] == ["conflict"]


def test_small_datasets_and_one_job_are_checked_in_the_build_process(mini: Path, started: list[str]) -> None:
    result = pipeline.build(project=mini, jobs=2)
    assert CHECKING not in started
    assert "quotes" in result.timings.steps
    pipeline.build(project=mini, jobs=1, out=mini / "one")
    assert CHECKING not in started


@pytest.mark.parametrize("quote_found", [True, False])
def test_a_failed_build_beside_the_checks_still_reports_a_missing_quote_first(
    mini: Path, tmp_path: Path, beside: None, monkeypatch: pytest.MonkeyPatch, quote_found: bool
) -> None:
    def broken(dataset: object) -> None:
        raise KGError("hash collision between 'a' and 'b'")

    monkeypatch.setattr(build, "build_graph", broken)
    if not quote_found:
        article = mini / "sources" / "articles" / "a.yaml"
        text = article.read_text(encoding="utf-8")
        article.write_text(text.replace(QUOTE, CHANGED), encoding="utf-8")
    expected = KGError if quote_found else QuoteError
    for jobs in (1, 2):
        with pytest.raises(expected) as raised:
            pipeline.build(project=mini, jobs=jobs)
        assert type(raised.value) is expected
        assert ("hash collision" in str(raised.value)) is quote_found
    assert list((tmp_path / "tmp").iterdir()) == []


def test_the_checks_beside_the_build_run_at_the_lowest_priority(
    mini: Path, tmp_path: Path, beside: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = tmp_path / "niceness"
    checked = pipeline._quotes_checked

    def recording(*args: Any) -> Any:
        seen.write_text(str(os.nice(0)), encoding="ascii")  # in the checking process
        return checked(*args)

    monkeypatch.setattr(pipeline, "_quotes_checked", recording)
    pipeline.build(project=mini, jobs=2)
    assert int(seen.read_text(encoding="ascii")) == min(19, os.nice(0) + pipeline.CHECKS_NICENESS)
