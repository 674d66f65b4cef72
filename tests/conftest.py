"""Shared fixtures: a throw-away copy of the project, the texts corpus, golden files."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rdflib import Graph
from rdflib.compare import graph_diff, to_isomorphic

from graph.cli import main

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
PROJECT_PARTS = ("sources", "ontology", "exports")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="Rewrite golden files from the current output instead of comparing.",
    )


def find_texts() -> Path | None:
    """The corpus of source texts: $KG_TEXTS, else a shared/seeds folder beside or above the project."""
    if os.environ.get("KG_TEXTS"):
        return Path(os.environ["KG_TEXTS"])
    for folder in (ROOT, *ROOT.parents):
        candidate = folder / "shared" / "seeds"
        if candidate.is_dir():
            return candidate
    return None


@pytest.fixture(scope="session")
def texts() -> Path:
    """The seed texts; the quote tests cannot run without them, so their absence fails loudly."""
    found = find_texts()
    if found is None:
        pytest.fail(f"seed texts not found: set KG_TEXTS or put them in shared/seeds beside {ROOT}")
    return found


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of this project's sources/, ontology/ and exports/ in a temporary folder (the cwd)."""
    target = tmp_path / "project"
    for part in PROJECT_PARTS:
        shutil.copytree(ROOT / part, target / part)
    config = target / "sources" / "project.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("texts: ../shared/seeds", "# texts: none"), "utf-8")
    monkeypatch.chdir(target)
    monkeypatch.delenv("KG_TEXTS", raising=False)
    yield target


def run(*args: str | Path) -> Result:
    """Invoke ``kg`` in-process, as a user would on the command line."""
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Content and modification time of every file in ``folder``."""
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir()) if p.is_file()}


def assert_same_graph(actual: Graph, golden: Path, update: bool) -> None:
    """Compare ``actual`` with the Turtle in ``golden`` as graphs; show only the differing triples."""
    if update:
        golden.write_bytes(actual.serialize(format="turtle", encoding="utf-8"))
        return
    expected = Graph().parse(golden, format="turtle")
    if to_isomorphic(actual) == to_isomorphic(expected):
        return
    _, only_actual, only_expected = graph_diff(to_isomorphic(actual), to_isomorphic(expected))
    lines = [f"+ {' '.join(t.n3() for t in triple)}" for triple in sorted(only_actual)]
    lines += [f"- {' '.join(t.n3() for t in triple)}" for triple in sorted(only_expected)]
    pytest.fail(
        f"graph differs from {golden.name} (+ only in output, - only in golden; --update-golden rewrites):\n"
        + "\n".join(lines)
    )
