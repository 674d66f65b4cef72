"""Checks that hold for any correct corpus, run on the real one and on grown copies.

``tests/test_corpus.py`` runs them on this project's ``sources/``; ``tests/test_growth.py``
runs the same functions on copies to which a correct article was added. None of them knows
how many sources, entities or facts there are, or what they are called.

The competency snapshot (``tests/snapshots/competency/<question>.csv``) is the answer of
every named question without parameters; ``pytest --update-golden`` rewrites it after an
intended change (a new article and ``kg build``).
"""

from __future__ import annotations

import difflib
import hashlib
import os
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

from graph import pipeline
from graph.cli import main
from graph.library import library

EXPORTS = ("kg.ttl", "kg.nt", "kg.jsonld", "kg.html", "kg.graphml", "kg.gexf")
REGENERATE = "pytest tests/test_corpus.py --update-golden"


def kg(*args: str | Path) -> tuple[int, str, str]:
    """Run ``kg`` in-process; exit code, stdout, stderr."""
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def check_validates(project: Path, texts: Path) -> None:
    """``kg validate`` with the texts passes: every source, fact, quote and shape is right."""
    code, out, err = kg("validate", "--project", project, "--texts", texts)
    assert code == 0, f"kg validate failed:\n{out}{err}"


def check_exports_are_fresh(project: Path, out: Path) -> None:
    """The committed ``exports/`` equal a fresh build byte for byte."""
    pipeline.build(project=project, out=out)
    for name in EXPORTS:
        committed = project / "exports" / name
        assert committed.is_file(), f"exports/{name} is missing: run 'kg build' and commit it"
        assert (out / name).read_bytes() == committed.read_bytes(), (
            f"exports/{name} is out of date: run 'kg build' and commit it"
        )


def squash(text: str) -> str:
    """NFC, whitespace runs as one space, as ``kg check-quotes`` compares."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def quotes_of(article: dict[str, Any]) -> Iterator[str]:
    """The title and every quote of a parsed article file."""
    if "title" in article["source"]:
        yield article["source"]["title"]
    for fact in article.get("facts") or []:
        quote = fact["quote"]
        yield from [quote] if isinstance(quote, str) else quote


def check_quotes_are_found(project: Path, texts: Path) -> int:
    """Every title and quote is verbatim in its source's text (found by SHA-256).

    An independent re-implementation of ``kg check-quotes``: hash the texts, search each quote.
    Returns how many were checked.
    """
    by_hash = {hashlib.sha256(p.read_bytes()).hexdigest(): p for p in sorted(texts.iterdir()) if p.is_file()}
    checked = 0
    for path in sorted((project / "sources" / "articles").glob("*.yaml")):
        article = yaml.safe_load(path.read_text(encoding="utf-8"))
        sha256 = article["source"]["sha256"]
        assert sha256 in by_hash, f"{path.name}: no text with SHA-256 {sha256} in {texts}"
        text = squash(by_hash[sha256].read_text(encoding="utf-8"))
        found = 0
        for quote in quotes_of(article):
            assert squash(quote) in text, f"{path.name}: {quote!r} is not in {by_hash[sha256].name}"
            found += 1
        assert found, f"{path.name}: no quotes"
        checked += found
    code, out, err = kg("check-quotes", "--project", project, "--texts", texts)
    assert code == 0, f"kg check-quotes disagrees:\n{out}{err}"
    return checked


@contextmanager
def _own_cache() -> Iterator[None]:
    """Query stores in a throw-away folder, not the user's cache."""
    before = os.environ.get("KG_CACHE_DIR")
    with tempfile.TemporaryDirectory(prefix="kg-cache-") as folder:
        os.environ["KG_CACHE_DIR"] = folder
        try:
            yield
        finally:
            if before is None:
                del os.environ["KG_CACHE_DIR"]
            else:
                os.environ["KG_CACHE_DIR"] = before


def competency_answers(project: Path) -> dict[str, str]:
    """Every named question's answer on ``project`` (no parameters), as CSV text."""
    answers = {}
    with _own_cache():
        for name in sorted(library()):
            code, out, err = kg("query", name, "--project", project, "--format", "csv")
            assert code == 0, f"kg query {name}: {err}"
            answers[name] = out
    return answers


def check_competency_snapshot(project: Path, snapshot: Path, update: bool = False) -> None:
    """The named questions answer as ``snapshot/<question>.csv`` says; ``update`` rewrites it."""
    answers = competency_answers(project)
    if update:
        snapshot.mkdir(parents=True, exist_ok=True)
        for stale in set(p.stem for p in snapshot.glob("*.csv")) - set(answers):
            (snapshot / f"{stale}.csv").unlink()
        for name, answer in answers.items():
            (snapshot / f"{name}.csv").write_bytes(answer.encode("utf-8"))
        return
    problems = []
    for name, answer in answers.items():
        path = snapshot / f"{name}.csv"
        if not path.is_file():
            problems.append(f"{name}: no snapshot {path.name}")
            continue
        expected = path.read_bytes().decode("utf-8")
        if expected != answer:
            diff = difflib.unified_diff(
                expected.splitlines(), answer.splitlines(), "snapshot", "graph", lineterm="", n=0
            )
            problems.append(f"{name}:\n" + "\n".join(list(diff)[2:22]))
    extra = sorted(set(p.stem for p in snapshot.glob("*.csv")) - set(answers))
    problems += [f"{name}: snapshot of a question that no longer exists" for name in extra]
    assert not problems, (
        f"competency answers differ from {snapshot} (after an intended change, run '{REGENERATE}'):\n"
        + "\n".join(problems)
    )
