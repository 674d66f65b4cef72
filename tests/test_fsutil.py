"""Atomic writes: on failure every old file stays as it was and no temporary file is left."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from graph import fsutil


def test_writes_new_and_changed_files_only(tmp_path: Path) -> None:
    same, changed = tmp_path / "same.txt", tmp_path / "changed.txt"
    same.write_bytes(b"a")
    changed.write_bytes(b"old")
    written = fsutil.write_atomically({same: b"a", changed: b"new", tmp_path / "sub" / "new.txt": b"n"})
    assert written == [changed, tmp_path / "sub" / "new.txt"]
    assert changed.read_bytes() == b"new" and (tmp_path / "sub" / "new.txt").read_bytes() == b"n"


def test_failure_while_writing_leaves_old_files_and_no_temporaries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = tmp_path / "a.ttl", tmp_path / "b.ttl"
    first.write_bytes(b"old a")
    second.write_bytes(b"old b")
    calls = []
    real_fsync = os.fsync

    def failing_fsync(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(fsutil.os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="No space left"):
        fsutil.write_atomically({first: b"new a", second: b"new b"})
    assert first.read_bytes() == b"old a" and second.read_bytes() == b"old b"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.ttl", "b.ttl"]


def test_new_files_get_normal_permissions(tmp_path: Path) -> None:
    target = tmp_path / "kg.ttl"
    fsutil.write_atomically({target: b"x"})
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask


def test_contents_may_be_files_holding_them(tmp_path: Path) -> None:
    held = tmp_path / "held"
    held.mkdir()
    (held / "a").write_bytes(b"one")
    (held / "b").write_bytes(b"x" * 3_000_000)  # more than one copy buffer
    folder = tmp_path / "exports"
    assert fsutil.replace_export_set(folder, {"a.txt": held / "a", "b.txt": held / "b"}) == [
        folder / "a.txt",
        folder / "b.txt",
    ]
    assert (folder / "a.txt").read_bytes() == b"one" and (folder / "b.txt").read_bytes() == b"x" * 3_000_000
    before = (folder / "b.txt").stat().st_mtime_ns
    (held / "a").write_bytes(b"two")
    assert fsutil.replace_export_set(folder, {"a.txt": held / "a", "b.txt": held / "b"}) == [folder / "a.txt"]
    assert (folder / "b.txt").stat().st_mtime_ns == before, "an unchanged file is not rewritten"
    (held / "b").write_bytes(b"x" * 2_999_999 + b"y")  # same size, other bytes
    assert fsutil.replace_export_set(folder, {"a.txt": b"two", "b.txt": held / "b"}) == [folder / "b.txt"]
    assert fsutil.write_atomically({tmp_path / "single": held / "a"}) == [tmp_path / "single"]
    assert (tmp_path / "single").read_bytes() == b"two"
    assert (held / "a").read_bytes() == b"two", "the holding file is copied, not moved"


def test_rendered_files_are_linked_into_the_new_set_not_copied(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    rendered = fsutil.render_folder(folder)
    assert rendered.parent == tmp_path and rendered.name.startswith(f".exports.kg-render-{os.getpid()}-")
    (rendered / "a").write_bytes(b"one")
    (rendered / "b").write_bytes(b"two")
    files = {"a.txt": fsutil.Rendered(rendered / "a"), "b.txt": fsutil.Rendered(rendered / "b")}
    assert fsutil.replace_export_set(folder, files) == [folder / "a.txt", folder / "b.txt"]
    assert (folder / "a.txt").stat().st_ino == (rendered / "a").stat().st_ino
    umask = os.umask(0)
    os.umask(umask)
    assert (folder / "a.txt").stat().st_mode & 0o777 == 0o666 & ~umask
    (rendered / "c").write_bytes(b"three")
    (folder / "b.txt").chmod(0o600)
    changed = {"a.txt": fsutil.Rendered(rendered / "a"), "b.txt": fsutil.Rendered(rendered / "c")}
    assert fsutil.replace_export_set(folder, changed) == [folder / "b.txt"]
    assert (folder / "b.txt").read_bytes() == b"three" and (folder / "b.txt").stat().st_mode & 0o777 == 0o600
    assert (folder / "b.txt").stat().st_ino == (rendered / "c").stat().st_ino


def test_rendered_files_are_copied_where_they_cannot_be_linked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    def cannot_link(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    held = tmp_path / "held"
    held.write_bytes(b"x" * 3_000_000)
    monkeypatch.setattr(os, "link", cannot_link)
    folder = tmp_path / "exports"
    assert fsutil.replace_export_set(folder, {"a.txt": fsutil.Rendered(held)}) == [folder / "a.txt"]
    assert (folder / "a.txt").read_bytes() == b"x" * 3_000_000
    assert (folder / "a.txt").stat().st_ino != held.stat().st_ino


def test_without_a_parent_folder_to_render_in_a_temporary_one_is_used(tmp_path: Path) -> None:
    import tempfile

    blocker = tmp_path / "file"
    blocker.write_text("not a folder", "utf-8")
    made = fsutil.render_folder(blocker / "exports")
    assert made.parent == Path(tempfile.gettempdir()) and made.is_dir()
    made.rmdir()
