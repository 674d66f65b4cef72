"""``kg build`` renders its exports in worker processes while SHACL runs (graph/forked.py).

The fixtures are small, so these tests ask for workers with ``--jobs``; without it a
build forks only from :data:`graph.pipeline.PARALLEL_FROM` triples.
"""

from __future__ import annotations

import dataclasses
import errno
import os
import pickle
import shutil
import signal
import sys
import tempfile
from pathlib import Path

import pytest

from graph import export, forked, fsutil, pipeline, spans
from graph.errors import KGError, Location, Problem, ShapeError
from graph.fsutil import Kept, Rendered
from tests.conftest import run, snapshot

pytestmark = pytest.mark.skipif(not forked.available(), reason="worker processes need os.fork (Linux)")

NETWORK = ["kg.html", "kg.graphml", "kg.gexf"]
MEMBER = "ASK { person:erika-beispiel nik:memberOf <https://example.org/kg/party/xyz> }"
#: A second start date for the visit in the same article: a SHACL violation.
SECOND_DATE = "\n  - subject: besuch-beispiel\n    quote: am 3. März 2021\n    startDate: 2021-03\n"


@dataclasses.dataclass
class Scratch:
    """The temporary folder of a test, and the folders its builds rendered in."""

    folder: Path
    rendered_in: list[Path]

    def left(self) -> list[Path]:
        """What is left of them: nothing, once every build has ended."""
        return sorted([*self.folder.iterdir(), *(path for path in self.rendered_in if path.exists())])


@pytest.fixture
def workers_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Scratch:
    """Where the workers' result folders go during the test, to see that none is left: the
    temporary folder, and each build's render folder beside its exports."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    scratch = Scratch(folder, [])
    make = pipeline.render_folder

    def render_folder(out: Path) -> Path:
        made = make(out)
        scratch.rendered_in.append(made)
        return made

    monkeypatch.setattr(pipeline, "render_folder", render_folder)
    return scratch


@pytest.fixture
def workers_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """The build process takes no export after SHACL: the workers render them all."""
    parent, take = os.getpid(), forked.Claims.take
    monkeypatch.setattr(forked.Claims, "take", lambda self, name: os.getpid() != parent and take(self, name))


def _plan(
    jobs: int | None, triples: int = 10, formats: tuple[str, ...] = export.DEFAULT_FORMATS
) -> tuple[int, list[list[str]]] | None:
    chosen = [export.exporter(name) for name in formats]
    plan = pipeline.render_plan(chosen, jobs, triples)
    return None if plan is None else (plan.workers, [[e.filename for e in group] for group in plan.groups])


ALL_GROUPS = [NETWORK, ["kg.ttl", "kg.nt", "kg.jsonld"]]  # the costlier first


def test_jobs_2_writes_the_same_bytes_as_jobs_1(musterland: Path, tmp_path: Path, workers_tmp: Scratch) -> None:
    one = run("build", "--force", "--jobs", "1", "--out", tmp_path / "one")
    two = run("build", "--force", "--jobs", "2", "--out", tmp_path / "two")
    three = run("build", "--force", "--jobs", "3", "--out", tmp_path / "three")
    assert one.exit_code == two.exit_code == three.exit_code == 0, one.stderr + two.stderr + three.stderr
    assert "rendering the exports in 1 worker process while SHACL runs" in two.stderr
    assert "rendering the exports in 2 worker processes while SHACL runs" in three.stderr
    assert "worker" not in one.stderr
    found = {p.name: p.read_bytes() for p in (tmp_path / "two").iterdir()}
    assert found == {p.name: p.read_bytes() for p in (tmp_path / "one").iterdir()}
    assert found == {p.name: p.read_bytes() for p in (tmp_path / "three").iterdir()}
    assert sorted(found) == sorted(export.exporter(name).filename for name in export.DEFAULT_FORMATS)
    assert workers_tmp.left() == []


def test_each_export_is_rendered_once_by_whichever_process_is_free(mini: Path, workers_tmp: Scratch) -> None:
    result = pipeline.build(project=mini, jobs=3)
    here = [name for name in result.timings.steps if name.startswith("export ")]
    exports = [f"export {name}" for name in export.DEFAULT_FORMATS]
    assert sorted([*result.timings.workers, *here]) == sorted(exports)
    assert workers_tmp.left() == []


@pytest.fixture
def here_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """The workers take no export: the build process renders them all after SHACL."""
    parent, take = os.getpid(), forked.Claims.take
    monkeypatch.setattr(forked.Claims, "take", lambda self, name: os.getpid() == parent and take(self, name))


@pytest.mark.parametrize(
    ("jobs", "forked_labels"),
    [
        # two workers for two groups and this process leave one of four processes to spare:
        # the network formats make their projection once, then GraphML and GEXF in a helper
        (4, ["rendering the exports", "rendering the exports", "rendering kg.graphml, kg.gexf"]),
        # none to spare: the page, GraphML and GEXF one after the other here
        (2, ["rendering the exports"]),
    ],
)
def test_the_build_process_renders_what_the_workers_leave(
    mini: Path,
    tmp_path: Path,
    workers_tmp: Scratch,
    monkeypatch: pytest.MonkeyPatch,
    here_only: None,
    started: list[str],
    jobs: int,
    forked_labels: list[str],
) -> None:
    result = pipeline.build(project=mini, out=tmp_path / "here", jobs=jobs)
    assert started == forked_labels
    assert (result.timings.workers, sorted(n for n in result.timings.steps if n.startswith("export "))) == (
        {},
        sorted(f"export {name}" for name in export.DEFAULT_FORMATS),
    )
    monkeypatch.undo()
    pipeline.build(project=mini, out=tmp_path / "one", jobs=1)
    here, one = ({p.name: p.read_bytes() for p in (tmp_path / name).iterdir()} for name in ("here", "one"))
    assert here == one
    assert workers_tmp.left() == []


def test_a_helper_needs_a_process_to_spare() -> None:
    chosen = [export.exporter(name) for name in export.DEFAULT_FORMATS]
    plans = [pipeline.render_plan(chosen, jobs, 10) for jobs in (2, 3, 4)]
    assert [plan.helpers if plan else None for plan in plans] == [False, False, True]


def test_the_workers_steps_are_reported_beside_the_wall_time(
    mini: Path, workers_tmp: Scratch, workers_only: None
) -> None:
    result = pipeline.build(project=mini, jobs=2)
    exports = [f"export {name}" for name in export.DEFAULT_FORMATS]
    assert sorted(result.timings.workers) == sorted(exports)
    assert pipeline.WAIT_STEP in result.timings.steps
    assert result.timings.workers_memory > 0
    assert not any(name.startswith("export ") for name in result.timings.steps)
    sequential = pipeline.build(project=mini, jobs=1)
    assert (sequential.timings.workers, sequential.timings.workers_memory) == ({}, 0)
    assert {f"export {name}" for name in export.DEFAULT_FORMATS} <= set(sequential.timings.steps)


def test_jobs_counts_the_build_process_and_formats_that_share_views_stay_together() -> None:
    assert _plan(2) == (1, ALL_GROUPS)
    assert _plan(3) == (2, ALL_GROUPS)
    assert _plan(8) == (2, ALL_GROUPS)  # never more workers than groups
    assert _plan(2, formats=("gexf", "turtle", "html")) == (1, [["kg.gexf", "kg.html"], ["kg.ttl"]])


def test_the_costliest_group_is_taken_first() -> None:
    assert _plan(2, formats=("turtle", "ntriples", "html")) == (1, [["kg.html"], ["kg.ttl", "kg.nt"]])
    assert _plan(2, formats=("graphml", "turtle", "ntriples")) == (1, [["kg.ttl", "kg.nt"], ["kg.graphml"]])


def test_small_graphs_single_formats_and_jobs_1_render_in_the_build_process() -> None:
    assert _plan(1) is None
    assert _plan(None, triples=pipeline.PARALLEL_FROM - 1) is None
    assert _plan(4, formats=("html", "graphml", "gexf")) is None  # one group: nothing to share out
    cpus = os.cpu_count() or 1
    assert _plan(None, triples=pipeline.PARALLEL_FROM) == (None if cpus < 2 else (min(cpus - 1, 2), ALL_GROUPS))


def test_no_more_workers_than_fit_in_free_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forked, "resident_memory", lambda: 1000)
    monkeypatch.setattr(forked, "available_memory", lambda: 2600)  # 80 %: two copies of us
    assert _plan(4) == (2, ALL_GROUPS)
    monkeypatch.setattr(forked, "available_memory", lambda: 1300)
    assert _plan(4) == (1, ALL_GROUPS)
    monkeypatch.setattr(forked, "available_memory", lambda: 1000)
    assert _plan(4) is None


def test_a_shacl_violation_stops_the_workers_and_writes_nothing(mini_built: Path, workers_tmp: Scratch) -> None:
    article = mini_built / "sources" / "articles" / "a.yaml"
    article.write_text(article.read_text(encoding="utf-8") + SECOND_DATE, "utf-8")
    before = snapshot(mini_built / "exports")
    result = run("build", "--jobs", "2", "--project", mini_built)
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == "Error: 1 SHACL violation; nothing was written."
    assert snapshot(mini_built / "exports") == before
    assert workers_tmp.left() == []


def test_an_error_in_a_worker_comes_back_as_itself(
    mini_built: Path, workers_tmp: Scratch, monkeypatch: pytest.MonkeyPatch, workers_only: None
) -> None:
    def broken(source: export.ExportInput) -> bytes:
        raise ShapeError([Problem(Location(Path("x.yaml"), 3), "made up")], "1 made-up problem")

    monkeypatch.setitem(export._REGISTRY, "gexf", export.Exporter("gexf", "kg.gexf", "x", broken, "network"))
    before = snapshot(mini_built / "exports")
    with pytest.raises(ShapeError) as caught:
        pipeline.build(project=mini_built, jobs=2)
    assert (caught.value.summary, str(caught.value)) == ("1 made-up problem", "x.yaml:3: made up")
    assert snapshot(mini_built / "exports") == before
    assert workers_tmp.left() == []


@pytest.mark.parametrize(
    ("name", "jobs", "message"),
    [
        # N-Triples in a group of its own: in the worker itself
        ("ntriples", 2, "rendering the exports: the worker process was killed by signal 9"),
        # GraphML (and GEXF) in a helper the network formats' worker forks beside the page
        # (with a process to spare for it)
        ("graphml", 4, "rendering kg.graphml, kg.gexf: the worker process was killed by signal 9"),
        ("graphml", 2, "rendering the exports: the worker process was killed by signal 9"),
    ],
)
def test_a_worker_or_helper_killed_by_a_signal_is_an_error(
    mini_built: Path,
    workers_tmp: Scratch,
    monkeypatch: pytest.MonkeyPatch,
    workers_only: None,
    name: str,
    jobs: int,
    message: str,
) -> None:
    def killed(source: export.ExportInput) -> bytes:
        os.kill(os.getpid(), signal.SIGKILL)
        return b""

    replaced = dataclasses.replace(export.exporter(name), renderer=killed)
    if name == "ntriples":
        replaced = dataclasses.replace(replaced, group="")
    monkeypatch.setitem(export._REGISTRY, name, replaced)
    before = snapshot(mini_built / "exports")
    with pytest.raises(KGError) as caught:
        pipeline.build(project=mini_built, jobs=jobs)
    assert str(caught.value) == message
    assert snapshot(mini_built / "exports") == before
    assert workers_tmp.left() == []


def test_an_exporter_in_pieces_renders_their_concatenation() -> None:
    pieces = export.Exporter("x", "x.txt", "text/plain", lambda source: [b"a", b"", b"bc"])
    whole = export.Exporter("y", "y.txt", "text/plain", lambda source: b"abc")
    source = export.ExportInput(None, None)  # type: ignore[arg-type]  # these renderers read nothing
    assert (pieces.render(source), pieces.render_pieces(source)) == (b"abc", [b"a", b"", b"bc"])
    assert (whole.render(source), whole.render_pieces(source)) == (b"abc", (b"abc",))


class Odd(Exception):
    def __init__(self, a: int, b: int) -> None:
        super().__init__(f"odd {a} {b}")


def test_an_unpicklable_error_comes_back_as_its_text(workers_tmp: Scratch) -> None:
    def work(emit: forked.Emit) -> dict[str, float]:
        raise Odd(1, 2)  # pickles, but cannot be unpickled: __init__ takes two arguments

    child = forked.start(work, "doing odd things")
    with pytest.raises(KGError) as caught:
        child.join()
    assert type(caught.value) is KGError
    assert str(caught.value) == "doing odd things failed: tests.test_parallel_build.Odd: odd 1 2"


def test_a_worker_returns_its_outputs_and_steps(workers_tmp: Scratch) -> None:
    big = bytes(range(256)) * 40_000  # larger than a pipe's buffer

    def work(emit: forked.Emit) -> dict[str, float]:
        emit("a", b"")
        emit("b/c", big)  # any name
        emit("pieces", [b"one ", b"", b"two"])  # written one after the other
        return {"step": 1.5}

    child = forked.start(work, "returning")
    ready = child.ready("b/c")
    assert ready is not None and ready.read_bytes() == big
    assert child.ready("never emitted") is None  # the child has ended by then
    outputs, steps = child.join()
    assert ({name: path.read_bytes() for name, path in outputs.items()}, steps) == (
        {"a": b"", "b/c": big, "pieces": b"one two"},
        {"step": 1.5},
    )
    child.release()
    assert workers_tmp.left() == []


def test_data_errors_survive_pickling() -> None:
    error = ShapeError([Problem(Location(Path("b.yaml"), 2), "two"), Problem(None, "one")], "2 problems")
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is ShapeError
    assert (copy.problems, copy.summary, str(copy)) == (error.problems, error.summary, str(error))


def _stores(cache: Path) -> list[str]:
    return sorted(p.name for p in (cache / "stores").iterdir()) if (cache / "stores").is_dir() else []


@pytest.mark.parametrize("renderers", ["workers_only", "here_only", "any"])
def test_a_parallel_build_of_a_queried_graph_leaves_its_query_store_ready(
    mini: Path, workers_tmp: Scratch, renderers: str, request: pytest.FixtureRequest
) -> None:
    if renderers != "any":  # kg.nt rendered by a worker, or by the build process itself
        request.getfixturevalue(renderers)
    cache = Path(os.environ["KG_CACHE_DIR"])
    built = run("build", "--jobs", "2", "--project", mini)
    assert built.exit_code == 0, built.stderr
    assert "query store" not in built.stderr  # never queried: left to the first kg query
    assert _stores(cache) == []
    asked = run("query", "-e", MEMBER, "--project", mini)
    assert (asked.exit_code, asked.stdout) == (0, "true\n")
    assert "into the query store" in asked.stderr
    first = _stores(cache)

    entities = mini / "sources" / "entities.yaml"
    entities.write_text(entities.read_text("utf-8").replace("name: XYZ", "name: XYZ-Partei"), "utf-8")
    rebuilt = run("build", "--jobs", "2", "--project", mini)
    assert rebuilt.exit_code == 0, rebuilt.stderr
    assert "query store ready for kg query" in rebuilt.stderr
    assert len(_stores(cache)) == 1 and _stores(cache) != first, "the old kg.nt's store is cleaned up"
    text = 'ASK { <https://example.org/kg/party/xyz> rdfs:label ?name FILTER(STR(?name) = "XYZ-Partei") }'
    asked = run("query", "-e", text, "--project", mini)
    assert (asked.exit_code, asked.stdout) == (0, "true\n")
    assert "into the query store" not in asked.stderr


def test_a_sequential_or_turtle_only_build_leaves_the_store_to_kg_query(mini: Path) -> None:
    cache = Path(os.environ["KG_CACHE_DIR"])
    assert run("build", "--jobs", "2", "--format", "turtle", "--format", "html", "--project", mini).exit_code == 0
    assert run("build", "--jobs", "1", "--project", mini).exit_code == 0
    assert _stores(cache) == []
    asked = run(
        "query",
        "-e",
        "ASK { person:erika-beispiel nik:memberOf <https://example.org/kg/party/xyz> }",
        "--project",
        mini,
    )
    assert "into the query store" in asked.stderr


def test_a_failed_build_leaves_no_staged_store(
    mini: Path, workers_tmp: Scratch, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = Path(os.environ["KG_CACHE_DIR"])
    assert run("build", "--project", mini).exit_code == 0
    assert run("query", "-e", MEMBER, "--project", mini).exit_code == 0
    stores = _stores(cache)
    article = mini / "sources" / "articles" / "a.yaml"
    good = article.read_text("utf-8")
    article.write_text(good + SECOND_DATE, "utf-8")
    assert run("build", "--jobs", "2", "--project", mini).exit_code == 1
    assert _stores(cache) == stores, "no staging folder left"
    article.write_text(good, "utf-8")
    monkeypatch.setenv("KG_CACHE_DIR", str(article))  # a file: no cache folder can be made in it
    built = run("build", "--jobs", "2", "--project", mini)
    assert built.exit_code == 0, built.stderr


def test_an_unchanged_kg_nt_with_its_store_is_not_loaded_again(mini: Path, workers_tmp: Scratch) -> None:
    cache = Path(os.environ["KG_CACHE_DIR"])
    assert run("build", "--project", mini).exit_code == 0
    assert run("query", "-e", MEMBER, "--project", mini).exit_code == 0
    entities = mini / "sources" / "entities.yaml"
    entities.write_text(entities.read_text("utf-8").replace("name: XYZ", "name: XYZ-Partei"), "utf-8")
    first = pipeline.build(project=mini, jobs=2)
    assert pipeline.QUERY_STORE_STEP in first.timings.steps
    stores = _stores(cache)
    again = run("build", "--force", "--jobs", "2", "--project", mini)
    assert again.exit_code == 0, again.stderr
    assert "query store ready for kg query" in again.stderr
    assert _stores(cache) == stores
    forced = pipeline.build(project=mini, jobs=2)
    assert pipeline.QUERY_STORE_STEP not in forced.timings.steps
    assert workers_tmp.left() == []


def test_a_process_with_other_threads_is_not_forked() -> None:
    import threading

    assert forked.available()
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not forked.available()
        assert _plan(2) is None  # its exports are rendered one by one
    finally:
        stop.set()
        thread.join()
    assert forked.available()


def test_only_durable_outputs_are_written_through_to_the_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[int] = []
    monkeypatch.setattr(os, "fsync", synced.append)
    forked.write_content(tmp_path / "scratch", [b"a", b"b"])
    assert synced == [] and (tmp_path / "scratch").read_bytes() == b"ab"
    forked.write_content(tmp_path / "export", b"c", durable=True)
    assert len(synced) == 1 and (tmp_path / "export").read_bytes() == b"c"


@pytest.mark.parametrize("links", [True, False])
def test_a_kept_export_is_linked_else_copied_and_then_holds_the_same_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, links: bool
) -> None:
    export = tmp_path / "kg.graphml"
    export.write_bytes(b"<graphml/>\n" * 1000)
    if not links:  # another file system, or one without hard links

        def refused(source: object, target: object) -> None:
            raise OSError(18, "Invalid cross-device link")

        monkeypatch.setattr(os, "link", refused)
    synced: list[int] = []
    monkeypatch.setattr(os, "fsync", synced.append)
    rendered = tmp_path / "rendered"
    forked.write_content(rendered, Kept(export), durable=True)
    assert rendered.read_bytes() == export.read_bytes()
    assert os.path.samefile(rendered, export) == links
    assert len(synced) == (0 if links else 1)  # a link is as durable as the file already is

    def read(first: Path, second: Path) -> bool:
        raise AssertionError("compared byte for byte")

    if links:  # the file itself: not read to be compared
        monkeypatch.setattr(fsutil, "_same_bytes", read)
    assert fsutil.same_content(export, Rendered(rendered))


def test_pieces_are_written_in_order_many_per_system_call(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real_writev = os.writev

    def counted(fd: int, buffers: list[bytes]) -> int:
        calls.append(len(buffers))
        return real_writev(fd, buffers)

    monkeypatch.setattr(os, "writev", counted)
    pieces = [f"<s{i}> <p> {'x' * (i % 97)} .\n".encode() for i in range(2500)]
    forked.write_content(tmp_path / "export", pieces, durable=True)
    assert (tmp_path / "export").read_bytes() == b"".join(pieces)
    per_call = spans.WRITEV_PIECES  # 1,024 on Linux
    assert per_call == 1024 or sys.platform != "linux"
    assert calls == [per_call] * (2500 // per_call) + ([2500 % per_call] if 2500 % per_call else [])


def test_what_one_system_call_leaves_unwritten_is_written_after_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_writev = os.writev

    def short(fd: int, buffers: list[bytes]) -> int:  # as a nearly full disk: part of the second piece
        first = bytes(buffers[0]) + bytes(buffers[1])[:3]
        return real_writev(fd, [first])

    monkeypatch.setattr(os, "writev", short)
    pieces = [b"alpha\n", b"bravo\n", b"charlie\n", b"delta\n"]
    forked.write_content(tmp_path / "export", pieces)
    assert (tmp_path / "export").read_bytes() == b"alpha\nbravo\ncharlie\ndelta\n"


def test_a_full_disk_while_writing_pieces_is_an_os_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(fd: int, buffers: list[bytes]) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "writev", full)
    with pytest.raises(OSError, match="No space left on device"):
        forked.write_content(tmp_path / "export", [b"a", b"b"])


def test_a_worker_that_cannot_write_its_result_says_why(tmp_path: Path) -> None:
    def lose_the_folder(emit: forked.Emit) -> dict[str, float]:
        assert forked._own_folder is not None
        shutil.rmtree(forked._own_folder)  # as a full disk would: no result can be written
        return {}

    child = forked.start(lose_the_folder, "rendering kg.html", tmp_path)
    with pytest.raises(forked.NoResult) as raised:
        child.join()
    assert str(raised.value) == "rendering kg.html: the worker process could not write: No such file or directory"
    assert raised.value.errno == errno.ENOENT
    again = pickle.loads(pickle.dumps(raised.value))  # from a grandchild, as its child's error
    assert (str(again), again.errno) == (str(raised.value), errno.ENOENT)
