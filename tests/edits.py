"""Edits of one article a curator makes, applied to a copy of a project (shared by the tests
of what a build re-does after such an edit: tests/test_projection_patch.py, tests/test_changes.py)."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import yaml

Article = dict[str, Any]


def _drop_last_fact(article: Article, others: list[Article]) -> bool:
    if len(article["facts"]) < 2:
        return False
    article["facts"].pop()
    return True


def _change_quotes(article: Article, others: list[Article]) -> bool:
    for fact in article["facts"]:
        fact["quote"] = str(fact["quote"]) + " (korrigiert)"
    return True


def _note(article: Article, others: list[Article]) -> bool:
    article["facts"][0]["note"] = "Datum unsicher"
    return True


def _rename_entity(article: Article, others: list[Article]) -> bool:
    declared = [fact for fact in article["facts"] if "id" in fact and "name" in fact]
    for fact in declared:
        fact["name"] = str(fact["name"]) + " (neu)"
    return bool(declared)


def _copy_fact(article: Article, others: list[Article]) -> bool:
    # a fact another article states too: the statement is shared, with a reference from each
    for other in others:
        for fact in other["facts"]:
            if "subject" in fact:
                article["facts"].append(dict(fact))
                return True
    return False


def _rename_source(article: Article, others: list[Article]) -> bool:
    article["source"]["id"] = str(article["source"]["id"]) + "-neu"
    return True


def _retitle_source(article: Article, others: list[Article]) -> bool:
    article["source"]["title"] = "Ein neuer Titel"
    return True


def _declare(article: Article, others: list[Article]) -> bool:
    quote = article["facts"][0]["quote"]
    article["facts"].append({"id": "neues-ereignis", "type": "Event", "name": "Ein neues Ereignis", "quote": quote})
    return True


EDITS: dict[str, Callable[[Article, list[Article]], bool]] = {
    "declare an entity": _declare,
    "drop a fact": _drop_last_fact,
    "change the quotes": _change_quotes,
    "add a note": _note,
    "rename the entities it declares": _rename_entity,
    "state another article's fact": _copy_fact,
    "rename the source": _rename_source,
    "retitle the source": _retitle_source,
}
WHOLE = ("remove the article", "add a copy under another source id")


def edit(project_dir: Path, name: str, kind: str) -> bool:
    """Apply the edit ``kind`` to the article file ``name``; false if it does not apply."""
    folder = project_dir / "sources" / "articles"
    path = folder / name
    if kind == "remove the article":
        path.unlink()
        return True
    article = yaml.safe_load(path.read_text("utf-8"))
    if kind == "add a copy under another source id":
        article["source"]["id"] = str(article["source"]["id"]) + "-kopie"
        article["facts"] = [fact for fact in article["facts"] if "id" not in fact]  # no entity twice
        target = folder / f"zz-{name}"
    else:
        others = [yaml.safe_load(p.read_text("utf-8")) for p in sorted(folder.glob("*.yaml")) if p != path]
        if not EDITS[kind](article, others):
            return False
        target = path
    target.write_text(yaml.safe_dump(article, allow_unicode=True, sort_keys=False), "utf-8")
    return True


def edited_copies(original: Path, target: Path, names: Sequence[str]) -> Iterator[tuple[str, str]]:
    """Each edit (:data:`EDITS`, :data:`WHOLE`) of each article file in ``names`` that
    applies, made on a fresh copy of the project ``original`` at ``target``: the article and
    the kind of edit, once that copy is ready."""
    for name in names:
        for kind in (*EDITS, *WHOLE):
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(original, target)
            if edit(target, name, kind):
                yield name, kind


def edited_corpus(corpus: str, target: Path) -> tuple[Path, list[str]]:
    """A project to edit at ``target/original`` (the Musterland fixture, or a ``generated``
    benchmark corpus of 3,000 triples) and its first six article files' names."""
    from tests.conftest import ROOT, copy_fixture

    if corpus == "musterland":
        original = copy_fixture("musterland", target / "original")
    else:
        sys.path.insert(0, str(ROOT / "benchmarks"))
        try:
            from corpus import generate  # type: ignore[import-not-found]
        finally:
            sys.path.remove(str(ROOT / "benchmarks"))
        original = Path(generate(target / "generated", 3_000, seed=5))
    return original, sorted(p.name for p in (original / "sources" / "articles").glob("*.yaml"))[:6]
