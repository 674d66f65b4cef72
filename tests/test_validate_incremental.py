"""An unchanged ``kg validate`` is up to date: it repeats the last successful check's
warnings and summary without checking; any change to an input checks again."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from graph import pipeline
from tests.conftest import run

SUMMARY = "valid: 2 sources, 6 entities, 12 facts, 158 triples"
UP_TO_DATE = "up to date: nothing changed since the last successful check"


def _validate(project: Path, *args: str | Path) -> list[str]:
    result = run("validate", "--project", project, *args)
    assert result.exit_code == 0, result.output
    return result.stderr.splitlines() + result.stdout.splitlines()


def _checked(lines: list[str]) -> bool:
    """Whether the output is that of a check done (not repeated from the last one)."""
    return "SHACL: conforms (0 warnings)" in lines and UP_TO_DATE not in lines


def test_a_second_unchanged_validate_is_up_to_date(mini: Path) -> None:
    assert _checked(_validate(mini))
    assert _validate(mini) == [UP_TO_DATE, SUMMARY]


def test_the_warnings_of_the_last_check_are_shown_again(mini: Path) -> None:
    shutil.rmtree(mini / "texts")  # the quotes cannot be checked: a warning
    first = run("validate", "--project", mini)
    again = run("validate", "--project", mini)
    assert first.exit_code == again.exit_code == 0
    warnings = [line for line in first.stderr.splitlines() if ": warning: " in line]
    assert warnings == [
        f"{mini / 'sources' / 'project.yaml'}:4: warning: texts folder {mini / 'texts'} does not exist, so no "
        "quote was checked (fix 'texts:', pass --texts DIR or set KG_TEXTS; --require-texts makes this an error)"
    ]
    assert again.stderr.splitlines() == [*warnings, UP_TO_DATE]
    assert again.stdout == first.stdout == SUMMARY + "\n"


def test_quiet_prints_only_the_summary(mini: Path) -> None:
    _validate(mini)
    assert _validate(mini, "--quiet") == [SUMMARY]


@pytest.mark.parametrize(
    "change", ["sources/articles/a.yaml", "sources/entities.yaml", "ontology/shapes.ttl", "a new text"]
)
def test_any_change_to_an_input_checks_again(mini: Path, change: str) -> None:
    _validate(mini)
    if change == "a new text":
        (mini / "texts" / "c.txt").write_text("Ein weiterer Text.\n", "utf-8")
    else:
        path = mini / change
        path.write_bytes(path.read_bytes() + b"\n# changed\n")
    assert _checked(_validate(mini))
    assert _validate(mini) == [UP_TO_DATE, SUMMARY]


def test_a_change_of_the_tool_checks_again(mini: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _validate(mini)
    monkeypatch.setattr("graph.__version__", "999.0")
    assert _checked(_validate(mini))


def test_force_checks_anyway(mini: Path) -> None:
    _validate(mini)
    assert _checked(_validate(mini, "--force"))


def test_a_broken_source_is_reported_even_after_a_good_check(mini: Path) -> None:
    _validate(mini)
    registry = mini / "sources" / "entities.yaml"
    good = registry.read_bytes()
    registry.write_bytes(good + b"- id: broken\n")
    broken = run("validate", "--project", mini)
    assert broken.exit_code == 1
    assert "entities.yaml" in broken.stderr and UP_TO_DATE not in broken.stderr
    registry.write_bytes(good)  # back as checked: the record of the last good check stands
    assert _validate(mini) == [UP_TO_DATE, SUMMARY]


def test_required_texts_that_are_missing_fail_even_after_a_good_check(mini: Path) -> None:
    shutil.rmtree(mini / "texts")
    _validate(mini)
    result = run("validate", "--project", mini, "--require-texts")
    assert result.exit_code == 3, result.output


def test_a_build_counts_as_a_check(mini: Path) -> None:
    assert run("build", "--project", mini).exit_code == 0
    assert _validate(mini) == [UP_TO_DATE, SUMMARY]


def test_the_library_returns_what_the_last_check_counted(mini: Path) -> None:
    checked = pipeline.validate_if_changed(project=mini)
    assert isinstance(checked, pipeline.CheckResult)
    again = pipeline.validate_if_changed(project=mini)
    assert isinstance(again, pipeline.Unchanged)
    assert again.counts == checked.counts == {"sources": 2, "entities": 6, "facts": 12, "triples": 158}
    assert again.warnings == ()


def test_an_unreadable_record_only_costs_the_shortcut(mini: Path, tmp_path: Path) -> None:
    _validate(mini)
    (record,) = (tmp_path / "cache" / "checks").glob("*.json")
    record.write_text("{not json", "utf-8")
    assert _checked(_validate(mini))
    assert _validate(mini) == [UP_TO_DATE, SUMMARY]


def test_a_record_without_every_count_only_costs_the_shortcut(mini: Path, tmp_path: Path) -> None:
    _validate(mini)
    (record,) = (tmp_path / "cache" / "checks").glob("*.json")
    data = json.loads(record.read_text("utf-8"))
    del data["counts"]["triples"]
    record.write_text(json.dumps(data), "utf-8")
    assert _checked(_validate(mini))
