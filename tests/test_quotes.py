"""`kg check-quotes` on the Musterland fixture: quotes and titles found verbatim, changes reported.

The real corpus is checked the same way in tests/test_corpus.py (with its texts).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from tests.conftest import run
from tests.corpus import check_quotes_are_found, quotes_of


def without_texts(project: Path) -> None:
    """Remove ``texts:`` from the project's settings."""
    config = project / "sources" / "project.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("texts: texts", "# texts: none"), "utf-8")


def test_every_quote_is_in_its_text(musterland: Path) -> None:
    # Five articles with 81 quotes and titles between them, each found by the independent check.
    assert check_quotes_are_found(musterland, musterland / "texts") == 81


def test_check_quotes_command_agrees(musterland: Path) -> None:
    # Each quote as written (one per fact entry or list item) and each title counts once.
    articles = sorted((musterland / "sources" / "articles").glob("*.yaml"))
    expected = sum(len(list(quotes_of(yaml.safe_load(p.read_text(encoding="utf-8"))))) for p in articles)
    assert expected == 81
    result = run("check-quotes")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "all 81 quotes and titles of 5 sources found verbatim"


def test_a_changed_text_is_reported_at_the_hash(musterland: Path, tmp_path: Path) -> None:
    changed = tmp_path / "texts"
    shutil.copytree(musterland / "texts", changed)
    victim = changed / "b-webseite-konferenz.txt"
    victim.write_text(victim.read_text(encoding="utf-8").replace("Altstadt", "Neustadt"), "utf-8")
    result = run("check-quotes", "--texts", changed)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"sources/articles/b-webseite-konferenz.yaml:8: no file in {changed} has SHA-256 "
        "9f02d5f59a366f7b171547aff68e231a78e7b00c6783310d805020478ca0ee34 (the text of source "
        "'webseite-konferenz')",
        "Error: 1 quote not found in the texts; nothing was written.",
    ]


def test_check_quotes_without_texts_is_a_setup_error(musterland: Path) -> None:
    without_texts(musterland)
    result = run("check-quotes")
    assert result.exit_code == 3
    assert result.stderr.strip() == "Error: cannot check quotes: no texts folder configured; pass --texts DIR"


def test_build_says_when_quotes_were_not_checked(musterland: Path) -> None:
    without_texts(musterland)
    result = run("validate")
    assert result.exit_code == 0
    assert "quotes not checked: no texts folder configured (pass --texts DIR to check them)" in result.stderr


def test_missing_texts_folder_is_a_usage_error(musterland: Path) -> None:
    result = run("check-quotes", "--texts", "no-such-folder")
    assert result.exit_code == 2
    assert "Directory 'no-such-folder' does not exist" in result.stderr
