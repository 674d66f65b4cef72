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
