"""Shared fixtures: fixture projects, a throw-away copy of the project, the texts corpus, golden files.

Behaviour is tested on the invented projects in ``tests/data`` (``musterland``, ``mini``),
which bring their own texts. The real corpus (``sources/``) is checked only by the checks in
``tests/corpus.py``, which hold for any correct corpus; those that need the corpus texts
skip without them, unless ``KG_REQUIRE_TEXTS=1`` (CI) makes that a failure.
"""

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
from graph.projection import Projection

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
MUSTERLAND = DATA / "musterland"
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


def require_texts() -> Path:
    """The corpus texts, or skip (fail under ``KG_REQUIRE_TEXTS=1``) with one line saying how to provide them."""
    found = find_texts()
    if found is not None and found.is_dir():
        return found
    where = f"KG_TEXTS={found} is not a folder" if found is not None else "no KG_TEXTS and no ../shared/seeds"
    message = f"corpus texts not found ({where}): set KG_TEXTS=/path/to/texts to run the corpus checks"
    if os.environ.get("KG_REQUIRE_TEXTS") == "1":
        pytest.fail(f"{message} (required: KG_REQUIRE_TEXTS=1)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def texts() -> Path:
    """The corpus texts (the full texts of ``sources/articles``), which a fresh clone lacks."""
    return require_texts()


@pytest.fixture(scope="session", autouse=True)
def session_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Build records and query stores of the whole session go to a temporary folder, not the user's cache."""
    folder = tmp_path_factory.mktemp("session-cache")
    before = os.environ.get("KG_CACHE_DIR")
    os.environ["KG_CACHE_DIR"] = str(folder)
    yield folder
    if before is None:
        os.environ.pop("KG_CACHE_DIR", None)
    else:
        os.environ["KG_CACHE_DIR"] = before


def copy_fixture(name: str, target: Path) -> Path:
    """Copy the fixture project ``tests/data/<name>`` with this project's ontology to ``target``."""
    shutil.copytree(DATA / name, target)
    shutil.copytree(ROOT / "ontology", target / "ontology")
    return target


@pytest.fixture
def mini(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh copy of the invented two-article project (tests/data/mini), not built, with its own cache."""
    monkeypatch.delenv("KG_TEXTS", raising=False)
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    return copy_fixture("mini", tmp_path / "mini")


@pytest.fixture
def mini_built(mini: Path) -> Path:
    """:func:`mini`, built (its exports exist)."""
    from graph import pipeline

    pipeline.build(project=mini)
    return mini


@pytest.fixture(scope="session")
def musterland_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Musterland fixture project, built once per session (read-only: copy it to change it)."""
    from graph import pipeline

    target = copy_fixture("musterland", tmp_path_factory.mktemp("musterland") / "musterland")
    pipeline.build(project=target, texts=target / "texts")
    return target


@pytest.fixture(scope="module")
def whole(musterland_built: Path) -> Projection:
    """The entity projection of the built Musterland project (read-only)."""
    from graph import pipeline
    from graph.build import build_graph
    from graph.projection import project

    dataset = pipeline.load(musterland_built)
    return project(build_graph(dataset).graph, dataset.ontology)


@pytest.fixture
def musterland(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, musterland_built: Path) -> Iterator[Path]:
    """A fresh copy of the built Musterland project in a temporary folder (the cwd), to change."""
    target = tmp_path / "musterland"
    shutil.copytree(musterland_built, target)
    monkeypatch.chdir(target)
    monkeypatch.delenv("KG_TEXTS", raising=False)
    yield target


@pytest.fixture
def case_project(musterland: Path) -> Path:
    """The Musterland copy (the cwd) with its texts switched off, for case files with made-up hashes."""
    config = musterland / "sources" / "project.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("texts: texts", "# texts: none"), "utf-8")
    return musterland


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of this project's sources/, ontology/ and exports/ in a temporary folder (the cwd), texts off.

    Only for checks that hold for any correct corpus; test behaviour on ``musterland`` instead.
    """
    target = tmp_path / "project"
    for part in PROJECT_PARTS:
        shutil.copytree(ROOT / part, target / part)
    config = target / "sources" / "project.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("texts: ../shared/seeds", "# texts: none"), "utf-8")
    monkeypatch.chdir(target)
    monkeypatch.delenv("KG_TEXTS", raising=False)
    yield target


NETWORK_FORMATS = frozenset({"html", "graphml", "gexf"})


def split_rendering(monkeypatch: pytest.MonkeyPatch, network_here: bool) -> None:
    """Make a build with one worker render the network formats in the build process
    (``network_here``) and the RDF formats in the worker, or the other way round (and
    never in a worker started before the graph is built, see ``pipeline._NetworkAhead``)."""
    from graph import forked, pipeline

    monkeypatch.setattr(pipeline._NetworkAhead, "possible", staticmethod(lambda chosen: False))

    parent, take = os.getpid(), forked.Claims.take

    def claimed(self: forked.Claims, name: str) -> bool:
        return ((os.getpid() == parent) == network_here) == (name in NETWORK_FORMATS) and take(self, name)

    monkeypatch.setattr(forked.Claims, "take", claimed)


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


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The labels of the processes :func:`graph.forked.start` forks from now on (until ``monkeypatch.undo()``)."""
    from graph import forked

    labels: list[str] = []
    start = forked.start

    def recorded(work: forked.Work, label: str, within: Path | None = None) -> forked.Child:
        labels.append(label)
        return start(work, label, within)

    monkeypatch.setattr(forked, "start", recorded)
    return labels
