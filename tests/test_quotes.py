"""Every quote and title is found verbatim in the seed texts (../shared/seeds)."""

from __future__ import annotations

import hashlib
import shutil
import unicodedata
from pathlib import Path

import yaml

from tests.conftest import ROOT, run

ARTICLES = sorted((ROOT / "sources" / "articles").glob("*.yaml"))


def squash(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def quotes_of(article: dict) -> list[str]:
    found = [article["source"]["title"]] if "title" in article["source"] else []
    for fact in article["facts"]:
        quote = fact["quote"]
        found.extend([quote] if isinstance(quote, str) else quote)
    return found


def test_every_quote_is_in_its_text(texts: Path) -> None:
    # An independent re-implementation of the check: hash the texts, search each quote.
    by_hash = {hashlib.sha256(p.read_bytes()).hexdigest(): p for p in texts.iterdir() if p.is_file()}
    checked = 0
    for path in ARTICLES:
        article = yaml.safe_load(path.read_text(encoding="utf-8"))
        text = squash(by_hash[article["source"]["sha256"]].read_text(encoding="utf-8"))
        for quote in quotes_of(article):
            assert squash(quote) in text, f"{path.name}: {quote!r}"
            checked += 1
    assert len(ARTICLES) == 5 and checked > 150


def test_check_quotes_command_agrees(texts: Path) -> None:
    # Each quote as written (one per fact entry or list item) and each title counts once.
    expected = sum(len(quotes_of(yaml.safe_load(p.read_text(encoding="utf-8")))) for p in ARTICLES)
    result = run("check-quotes", "--project", ROOT, "--texts", texts)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"all {expected} quotes and titles of 5 sources found verbatim"


def test_a_changed_text_is_reported_at_the_hash(project: Path, texts: Path, tmp_path: Path) -> None:
    changed = tmp_path / "texts"
    shutil.copytree(texts, changed)
    victim = next(p for p in sorted(changed.iterdir()) if p.name.startswith("001"))
    victim.write_text(victim.read_text(encoding="utf-8").replace("Oberhausen", "Essen"), "utf-8")
    result = run("check-quotes", "--texts", changed)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"sources/articles/001-webseite-sozialkonferenz-ruhr-2019.yaml:11: no file in {changed} has SHA-256 "
        "6d5fbed9d2cb25fe485ad927ed32ee769b2a6f1795f051a6d9f4171ee7881d56 (the text of source "
        "'webseite-sozialkonferenz-ruhr-2019')",
        "Error: 1 quote not found in the texts; nothing was written.",
    ]


def test_check_quotes_without_texts_is_a_setup_error(project: Path) -> None:
    result = run("check-quotes")
    assert result.exit_code == 3
    assert result.stderr.strip() == "Error: cannot check quotes: no texts folder configured; pass --texts DIR"


def test_build_says_when_quotes_were_not_checked(project: Path) -> None:
    result = run("validate")
    assert result.exit_code == 0
    assert "quotes not checked: no texts folder configured (pass --texts DIR to check them)" in result.stderr


def test_missing_texts_folder_is_a_usage_error(project: Path) -> None:
    result = run("check-quotes", "--texts", "no-such-folder")
    assert result.exit_code == 2
    assert "Directory 'no-such-folder' does not exist" in result.stderr
