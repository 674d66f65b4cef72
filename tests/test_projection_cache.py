"""kg stats, path and viz keep the whole graph's projection of an up-to-date export, and
read it back while that build stands (see graph.projectioncache)."""

from __future__ import annotations

import os
import pickle
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest

from graph import pipeline, projectioncache
from graph.projection import Claim, Evidence, Projection
from tests.conftest import run, split_rendering

FROM_CACHE = "read the projection of {nt} from the cache (up to date with sources/)"


@pytest.fixture
def keeping(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep every projection, however quickly it was made (the fixtures' take milliseconds)."""
    monkeypatch.setattr(projectioncache, "KEEP_FROM", 0.0)


def _kept(cache: Path) -> list[Path]:
    return sorted((cache / "projections").glob("*.projection"))


def _commands(project: Path) -> list[tuple[str, str, int]]:
    """What stats, path and viz print (stdout, stderr, exit code), one command after the other."""
    results = []
    for args in (
        ("stats", "--format", "json"),
        ("path", "erika-beispiel", "musterstadt"),
        ("viz", "--output", "-"),
        ("viz", "--type", "Politician", "--output", "-"),
    ):
        result = run(*args, "--project", project)
        results.append((result.stdout, result.stderr, result.exit_code))
    return results


@pytest.mark.usefixtures("keeping")
def test_the_kept_projection_answers_as_the_export_does(mini: Path, tmp_path: Path) -> None:
    assert run("build", "-q", "--project", mini).exit_code == 0
    first = _commands(mini)
    assert len(_kept(tmp_path / "cache")) == 1
    again = _commands(mini)
    nt = mini / "exports" / "kg.nt"
    for (out, _, code), (out_again, err_again, code_again) in zip(first, again, strict=True):
        assert (out_again, code_again) == (out, code) and out
        assert FROM_CACHE.format(nt=nt) in err_again.splitlines()
    assert FROM_CACHE.format(nt=nt) not in first[0][1].splitlines()  # the first made it


@pytest.mark.usefixtures("keeping")
def test_a_new_build_projects_again(mini: Path) -> None:
    assert run("build", "-q", "--project", mini).exit_code == 0
    run("stats", "--project", mini)
    registry = mini / "sources" / "entities.yaml"
    registry.write_text(registry.read_text("utf-8").replace("name: Musterstadt", "name: Neustadt"), "utf-8")
    assert run("build", "-q", "--project", mini).exit_code == 0
    result = run("path", "erika-beispiel", "musterstadt", "--project", mini)
    assert result.exit_code == 0 and "Neustadt" in result.stdout
    assert "from the cache" not in result.stderr


@pytest.mark.usefixtures("keeping")
def test_an_export_edited_since_the_build_is_not_read_from_the_cache(mini: Path) -> None:
    assert run("build", "-q", "--project", mini).exit_code == 0
    run("stats", "--project", mini)
    nt = mini / "exports" / "kg.nt"
    nt.write_bytes(nt.read_bytes())  # the same bytes, but not the file the build wrote
    result = run("stats", "--project", mini)
    assert result.exit_code == 0
    assert "from the cache" not in result.stderr and "up to date" not in result.stderr  # built from sources/


@pytest.mark.usefixtures("keeping")
def test_an_unreadable_projection_is_made_again(mini: Path, tmp_path: Path) -> None:
    assert run("build", "-q", "--project", mini).exit_code == 0
    expected = run("stats", "--project", mini, "--format", "json").stdout
    (kept,) = _kept(tmp_path / "cache")
    header = kept.read_bytes().split(b"\n", 1)[0]
    kept.write_bytes(header + b"\nnot a pickle")
    result = run("stats", "--project", mini, "--format", "json")
    assert result.exit_code == 0 and result.stdout == expected
    assert "from the cache" not in result.stderr
    assert "from the cache" in run("stats", "--project", mini).stderr  # kept again


def test_a_projection_made_quickly_is_not_kept(mini: Path, tmp_path: Path) -> None:
    assert projectioncache.KEEP_FROM == 1.0
    assert run("build", "-q", "--project", mini).exit_code == 0
    assert run("stats", "--project", mini).exit_code == 0
    assert _kept(tmp_path / "cache") == []


def test_only_the_newest_projections_are_kept(mini: Path, tmp_path: Path) -> None:
    from graph import pipeline
    from graph.build import build_graph
    from graph.projection import project

    dataset = pipeline.load(mini)
    whole = project(build_graph(dataset).graph, dataset.ontology)
    folders = [tmp_path / f"out{number}" for number in range(projectioncache.KEEP + 2)]
    for number, out in enumerate(folders):
        projectioncache.write("key", out, (1, 2, 3), whole)
        # one second apart, whatever the resolution of the file system's clock
        os.utime(projectioncache._FILES.path(out), ns=(0, (number + 1) * 1_000_000_000))
    assert len(_kept(tmp_path / "cache")) == projectioncache.KEEP
    assert projectioncache.read("key", folders[-1], (1, 2, 3)) is not None
    assert projectioncache.read("key", folders[-1], (1, 2, 4)) is None  # another file
    assert projectioncache.read("other key", folders[-1], (1, 2, 3)) is None  # another build


def test_a_pickled_projection_reads_back_equal(whole: Projection) -> None:
    copy = pickle.loads(pickle.dumps(whole, protocol=pickle.HIGHEST_PROTOCOL))
    assert list(copy.entities()) == list(whole.entities())
    assert list(copy.relations()) == list(whole.relations())
    assert copy.sources == whole.sources
    claims = list(copy.claims())
    assert claims and all(type(c) is Claim and all(type(e) is Evidence for e in c.evidence) for c in claims)
    attributes = [a for _, data in copy.entities() for a in data["attributes"]]
    assert any(a.datatype for a in attributes) and any(a.language for a in attributes)
    assert any(e.note for c in claims for e in c.evidence), "the fixture has a curator note"
    # made without __init__ (graph.projection._claim and its siblings): the same values, still frozen
    originals = [a for _, data in whole.entities() for a in data["attributes"]]
    assert [hash(a) for a in attributes] == [hash(a) for a in originals] and attributes == originals
    assert sorted(claims) == sorted(whole.claims())
    with pytest.raises(FrozenInstanceError):
        claims[0].statement = "another"


@pytest.mark.usefixtures("keeping")
@pytest.mark.parametrize("where", ["the build process", "a worker", "one process"])
def test_a_build_keeps_the_projection_it_made_for_the_network_formats(
    mini: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    monkeypatch.setattr(projectioncache, "KEEP_FROM_TRIPLES", 0)
    split_rendering(monkeypatch, network_here=where == "the build process")
    built = pipeline.build(project=mini, jobs=1 if where == "one process" else 2)
    # with --jobs 1 the build pickles it itself, after the export set
    assert (pipeline.KEEP_PROJECTION_STEP in built.timings.steps) == (where == "one process")
    assert (pipeline.KEEP_PROJECTION_STEP in built.timings.workers) == (where != "one process")
    # the build process waits for its child keeping it, a worker pickles it itself
    assert (pipeline.KEEP_WAIT_STEP in built.timings.steps) == (where == "the build process")
    assert len(_kept(tmp_path / "cache")) == 1
    kept = _commands(mini)
    nt = mini / "exports" / "kg.nt"
    assert all(FROM_CACHE.format(nt=nt) in err.splitlines() for _, err, _ in kept)

    for path in _kept(tmp_path / "cache"):
        path.unlink()
    monkeypatch.setattr(projectioncache, "KEEP_FROM", 1e9)  # from kg.nt, every time
    read = _commands(mini)
    assert all(FROM_CACHE.format(nt=nt) not in err.splitlines() for _, err, _ in read)
    assert [(out, code) for out, _, code in kept] == [(out, code) for out, _, code in read]


@pytest.mark.parametrize(
    "case", ["a small graph", "no kg.nt", "cannot write", "a worker cannot pickle it", "one process cannot pickle it"]
)
def test_a_build_keeps_no_projection_it_did_not_make_or_cannot_keep(
    mini: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    if case != "a small graph":
        monkeypatch.setattr(projectioncache, "KEEP_FROM_TRIPLES", 0)
    if case == "cannot write":

        def full(projection: Projection, inputs: object = None) -> bytes:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(projectioncache, "pickled", full)
    if case == "one process cannot pickle it":

        def unpicklable(projection: Projection, inputs: object = None) -> bytes:
            raise pickle.PicklingError("cannot pickle 'generator' object")

        monkeypatch.setattr(projectioncache, "pickled", unpicklable)
    if case == "a worker cannot pickle it":

        def deep(out: object, projection: Projection, inputs: object = None) -> None:
            raise RecursionError("maximum recursion depth exceeded while pickling an object")

        monkeypatch.setattr(projectioncache, "pickle_into", deep)
    split_rendering(monkeypatch, network_here=case != "a worker cannot pickle it")
    formats = ["html", "turtle"] if case == "no kg.nt" else list(pipeline.DEFAULT_FORMATS)
    one = case == "one process cannot pickle it"
    built = pipeline.build(project=mini, jobs=1 if one else 2, formats=formats)
    assert pipeline.KEEP_PROJECTION_STEP not in built.timings.workers
    assert (pipeline.KEEP_PROJECTION_STEP in built.timings.steps) == one  # it tried
    assert (pipeline.KEEP_WAIT_STEP in built.timings.steps) == (case == "cannot write")
    assert _kept(tmp_path / "cache") == []
    assert run("stats", "--project", mini).exit_code == 0


def test_asking_which_articles_changed_does_not_import_the_projection(
    mini: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build's process asks before its worker renders the network formats: networkx (0.3 s)
    is imported where the projection is read, in the worker, not in the build process."""
    import subprocess
    import sys

    monkeypatch.setattr(projectioncache, "KEEP_FROM_TRIPLES", 0)
    pipeline.build(project=mini, jobs=1)
    article = mini / "sources" / "articles" / "b.yaml"
    article.write_text(article.read_text("utf-8").replace("name: Zeitung B", "name: Zeitung B (2)"), "utf-8")
    script = (
        "import sys\n"
        "from graph import pipeline, projectioncache\n"
        f"keys = pipeline._keys({str(mini)!r}, None, None, pipeline.DEFAULT_FORMATS, False)\n"
        f"inputs = projectioncache.Inputs.of(keys.inputs, pipeline.load({str(mini)!r}))\n"
        "patcher = projectioncache.patcher(projectioncache.last_kept(keys.out), inputs, print)\n"
        "print(patcher is not None, 'networkx' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "False"], done.stderr
