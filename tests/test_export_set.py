"""The export set is one unit: a killed or failing build leaves all old files or all new ones.

The crash tests stop a real ``kg build`` process at named points (``KG_DEBUG_PAUSE_AT``,
see :mod:`graph.fsutil`), kill it with SIGKILL there and check that every export is
from one build and parses; the next build then cleans up what the crash left.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from rdflib import Graph

from graph import forked, fsutil, pipeline
from tests.conftest import DATA, ROOT, run

EXPORTS = ("kg.gexf", "kg.graphml", "kg.html", "kg.jsonld", "kg.nt", "kg.ttl")
RENDERED = [f"build:rendered {name}" for name in ("turtle", "ntriples", "jsonld", "html", "graphml", "gexf")]
WRITTEN = [f"export:wrote {name}" for name in EXPORTS]
#: Points of a build that replaces an existing set, in the order they are reached.
SWAP_POINTS = ["build:validated", *RENDERED, "export:staging", *WRITTEN, "export:staged", "export:swapped"]
SWAP_POINTS += ["export:cleaned"]
#: Where renameat2 is missing the set is swapped by two renames.
FALLBACK_POINTS = ["export:staged", "export:set-aside", "export:swapped"]
#: A build into a folder that does not exist yet.
NEW_FOLDER_POINTS = ["export:staging", "export:wrote kg.ttl", "export:staged"]
NO_EXCHANGE = "import graph.fsutil as f; f._exchange = lambda a, b: False; from graph.cli import main; main()"


@pytest.fixture
def mini(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("KG_TEXTS", raising=False)
    monkeypatch.delenv(fsutil.DEBUG_PAUSE_VARIABLE, raising=False)
    target = tmp_path / "mini"
    shutil.copytree(DATA / "mini", target)
    shutil.copytree(ROOT / "ontology", target / "ontology")
    return target


def _rename_entity(project: Path) -> None:
    """A change that shows in every export format (an entity's name)."""
    registry = project / "sources" / "entities.yaml"
    registry.write_text(registry.read_text("utf-8").replace("name: Musterstadt", "name: Neustadt"), "utf-8")


def _contents(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in EXPORTS if (folder / name).is_file()}


@pytest.fixture
def two_builds(mini: Path, tmp_path: Path) -> tuple[Path, dict[str, bytes], dict[str, bytes]]:
    """The mini project with build A in exports/ and its sources changed to B; both sets' bytes."""
    pipeline.build(project=mini)
    old = _contents(mini / "exports")
    _rename_entity(mini)
    pipeline.build(project=mini, out=tmp_path / "expected")
    new = _contents(tmp_path / "expected")
    assert sorted(old) == sorted(new) == sorted(EXPORTS)
    assert all(old[name] != new[name] for name in EXPORTS), "the change must show in every format"
    return mini, old, new


def _kill_build_at(project: Path, point: str, *options: str, fallback: bool = False) -> None:
    command = [sys.executable, "-c", NO_EXCHANGE] if fallback else [sys.executable, "-m", "graph"]
    env = {**os.environ, fsutil.DEBUG_PAUSE_VARIABLE: point}
    process = subprocess.Popen(
        [*command, "build", "--quiet", "--project", str(project), *options], env=env, stderr=subprocess.PIPE
    )
    _, status = os.waitpid(process.pid, os.WUNTRACED)
    if not os.WIFSTOPPED(status):
        process.returncode = 0
        pytest.fail(f"the build never reached {point!r} (exit status {status}): {process.stderr.read()!r}")
    os.kill(process.pid, signal.SIGKILL)
    _, status = os.waitpid(process.pid, 0)
    process.returncode = -signal.SIGKILL
    process.stderr.close()
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL


def _assert_parses(folder: Path) -> None:
    Graph().parse(folder / "kg.ttl", format="turtle")
    Graph().parse(folder / "kg.nt", format="nt")
    json.loads((folder / "kg.jsonld").read_bytes())
    ET.parse(folder / "kg.graphml")
    ET.parse(folder / "kg.gexf")
    assert (folder / "kg.html").read_bytes().rstrip().endswith(b"</html>")


def _assert_one_build(folder: Path, old: dict[str, bytes], new: dict[str, bytes]) -> str:
    found = _contents(folder)
    which = "old" if found == old else "new" if found == new else None
    mixed = {
        name: "old" if found.get(name) == old[name] else "new" if found.get(name) == new[name] else "?"
        for name in EXPORTS
    }
    assert which is not None, f"mixed export set: {mixed}"
    _assert_parses(folder)
    return which


def _leftovers(project: Path) -> list[str]:
    return sorted(p.name for p in project.iterdir() if p.name.startswith(".exports.")) + sorted(
        p.name for p in (project / "exports").iterdir() if p.name.endswith(".tmp")
    )


def test_the_crash_tests_cover_twenty_points() -> None:
    assert len(SWAP_POINTS) + len(FALLBACK_POINTS) + len(NEW_FOLDER_POINTS) >= 20


@pytest.mark.parametrize("point", SWAP_POINTS)
def test_a_build_killed_at_any_point_leaves_one_whole_set(
    two_builds: tuple[Path, dict[str, bytes], dict[str, bytes]], point: str
) -> None:
    project, old, new = two_builds
    _kill_build_at(project, point)
    seen = _assert_one_build(project / "exports", old, new)
    assert seen == ("new" if point in ("export:swapped", "export:cleaned") else "old")
    pipeline.build(project=project)
    assert _assert_one_build(project / "exports", old, new) == "new"
    assert _leftovers(project) == []


@pytest.mark.parametrize("point", FALLBACK_POINTS)
def test_without_renameat2_a_killed_build_loses_nothing(
    two_builds: tuple[Path, dict[str, bytes], dict[str, bytes]], point: str
) -> None:
    project, old, new = two_builds
    _kill_build_at(project, point, fallback=True)
    if point == "export:set-aside":
        # Between the two renames exports/ is missing; the old set waits beside it, whole.
        assert not (project / "exports").exists()
        (aside,) = [p for p in project.iterdir() if p.name.startswith(".exports.kg-old-")]
        assert _assert_one_build(aside, old, new) == "old"
        fsutil._recover(project / "exports")  # what the next build does first
    seen = _assert_one_build(project / "exports", old, new)
    assert seen == ("new" if point == "export:swapped" else "old")
    pipeline.build(project=project)
    assert _assert_one_build(project / "exports", old, new) == "new"
    assert _leftovers(project) == []


@pytest.mark.parametrize("point", NEW_FOLDER_POINTS)
def test_a_killed_first_build_leaves_no_partial_folder(mini: Path, point: str) -> None:
    shutil.rmtree(mini / "exports", ignore_errors=True)
    _kill_build_at(mini, point)
    assert not (mini / "exports").exists()
    pipeline.build(project=mini)
    _assert_parses(mini / "exports")
    assert _leftovers(mini) == []


@pytest.mark.skipif(not forked.available(), reason="worker processes need os.fork (Linux)")
def test_what_a_killed_parallel_build_rendered_is_removed_by_the_next(
    two_builds: tuple[Path, dict[str, bytes], dict[str, bytes]],
) -> None:
    project, old, new = two_builds
    _kill_build_at(project, "build:rendered turtle", "--jobs", "2")
    (rendered,) = [p for p in project.iterdir() if p.name.startswith(".exports.kg-render-")]
    assert len(list(rendered.rglob("*"))) > 6  # the claims, and every export, rendered
    assert _assert_one_build(project / "exports", old, new) == "old"
    pipeline.build(project=project)
    assert _assert_one_build(project / "exports", old, new) == "new"
    assert _leftovers(project) == []


def test_temporary_files_of_earlier_runs_are_removed(mini: Path) -> None:
    pipeline.build(project=mini)
    exports = mini / "exports"
    (exports / ".kg.ttl.a1b2c3d4.tmp").write_bytes(b"half")  # as versions before the swap left them
    (exports / ".kg.nt.kg-999999999-a1b2c3d4.tmp").write_bytes(b"half")  # no such process
    (mini / ".exports.kg-new-999999999-a1b2c3d4").mkdir()
    (mini / ".exports.kg-render-999999999-a1b2c3d4").mkdir()  # a killed build rendered there
    (mini / ".exports.kg-render-999999999-a1b2c3d4" / "0").write_bytes(b"half")
    (exports / "notes.txt").write_bytes(b"mine")  # not ours: kept
    _rename_entity(mini)
    pipeline.build(project=mini)
    assert sorted(p.name for p in exports.iterdir()) == [*EXPORTS, "notes.txt"]
    assert (exports / "notes.txt").read_bytes() == b"mine"
    assert _leftovers(mini) == []


def test_one_format_to_another_folder_keeps_the_other_files(mini: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("build", "--quiet", "--project", mini, "--out", out).exit_code == 0
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    _rename_entity(mini)
    result = run("build", "--quiet", "--project", mini, "--format", "turtle", "--out", out)
    assert result.exit_code == 0, result.output
    after = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    assert sorted(after) == sorted(EXPORTS)
    assert after["kg.ttl"] != before["kg.ttl"] and b"Neustadt" in (out / "kg.ttl").read_bytes()
    assert {k: v for k, v in after.items() if k != "kg.ttl"} == {k: v for k, v in before.items() if k != "kg.ttl"}


def _failing_build(project: Path, *args: str | Path) -> str:
    before = _contents(project / "exports") if (project / "exports").is_dir() else None
    _rename_entity(project)
    result = run("build", "--quiet", "--project", project, *args)
    assert result.exit_code == 3, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    if before is not None:
        assert _contents(project / "exports") == before
    assert _leftovers(project) == [] if (project / "exports").is_dir() else True
    return lines[0]


def test_exports_that_is_a_file_is_one_line_and_exit_3(mini: Path) -> None:
    (mini / "exports").write_bytes(b"not a folder")
    line = _failing_build(mini)
    assert line == f"Error: cannot write the exports to {mini / 'exports'}: it is a file, not a folder"
    assert (mini / "exports").read_bytes() == b"not a folder"


def test_out_that_is_a_file_is_one_line_and_exit_3(mini: Path, tmp_path: Path) -> None:
    (tmp_path / "file").write_bytes(b"x")
    line = _failing_build(mini, "--out", tmp_path / "file")
    assert line == f"Error: cannot write the exports to {tmp_path / 'file'}: it is a file, not a folder"


def test_an_export_name_taken_by_a_folder_is_one_line_and_exit_3(mini: Path) -> None:
    pipeline.build(project=mini)
    shutil.rmtree(mini / "exports")
    (mini / "exports" / "kg.ttl").mkdir(parents=True)
    (mini / "exports" / "kg.ttl" / "keep.txt").write_bytes(b"keep")
    line = _failing_build(mini)
    assert line == f"Error: cannot write {mini / 'exports' / 'kg.ttl'}: it is a folder, not a file"
    assert (mini / "exports" / "kg.ttl" / "keep.txt").read_bytes() == b"keep"


def test_read_only_exports_is_one_line_and_exit_3(mini: Path) -> None:
    pipeline.build(project=mini)
    (mini / "exports").chmod(0o555)
    try:
        line = _failing_build(mini)
    finally:
        (mini / "exports").chmod(0o755)
    assert line == f"Error: cannot write the exports to {mini / 'exports'}: the folder is read-only"


def test_disk_full_while_writing_is_one_line_and_exit_3(mini: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pipeline.build(project=mini)
    calls: list[int] = []
    real_fsync = os.fsync

    def full(fd: int) -> None:  # the third file does not fit
        calls.append(fd)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(fsutil.os, "fsync", full)
    line = _failing_build(mini)
    assert line == (
        f"Error: cannot write the exports to {mini / 'exports'}: No space left on device; the old exports are unchanged"
    )


def test_disk_full_while_workers_render_is_one_line_and_exit_3(mini: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With workers the files are rendered into a folder beside the exports first (here and
    in the workers, which inherit the full disk): it fails there, before the set is replaced."""
    pipeline.build(project=mini)

    def full(fd: int, buffers: list[bytes]) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "writev", full)
    line = _failing_build(mini, "--jobs", "2")
    assert line == (
        f"Error: cannot write the exports to {mini / 'exports'}: No space left on device; the old exports are unchanged"
    )


def _mount_tmpfs(folder: Path, size: str) -> bool:
    folder.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True)
    return done.returncode == 0


@pytest.mark.parametrize("jobs", ["1", "2"])  # with workers, the files are rendered beside the exports first
def test_a_really_full_disk_is_one_line_and_exit_3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: str) -> None:
    disk = tmp_path / "disk"
    if not _mount_tmpfs(disk, "4m"):
        pytest.skip("needs root and 'mount -t tmpfs' to fill a real file system (the monkeypatched test runs anyway)")
    try:
        monkeypatch.delenv("KG_TEXTS", raising=False)
        project = disk / "mini"
        shutil.copytree(DATA / "mini", project)
        shutil.copytree(ROOT / "ontology", project / "ontology")
        pipeline.build(project=project)
        with open(disk / "filler", "wb", buffering=0) as filler:  # fill the disk, then free less than a new set needs
            try:
                while True:
                    filler.write(b"\0" * 65536)
            except OSError:
                pass
            size = sum(len(c) for c in _contents(project / "exports").values())
            filler.truncate(max(0, filler.tell() - size // 2))
        line = _failing_build(project, "--jobs", jobs)
        assert line == (
            f"Error: cannot write the exports to {project / 'exports'}: No space left on device; "
            "the old exports are unchanged"
        )
    finally:
        subprocess.run(["umount", str(disk)], check=False)
