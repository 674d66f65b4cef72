"""Spans of the last build's files as pieces of the new ones (graph.spans): the bytes they
stand for, written by the kernel or, where it cannot, by reading them."""

from __future__ import annotations

import errno
import gc
import os
from pathlib import Path

import pytest

from graph import forked, ntsplice, spans
from graph.spans import Mapped, Span, joined, write_pieces
from graph.writers import ntriples
from tests.test_ntsplice import _graph, _key

OLD = b"".join(b"line %05d of the old file\n" % i for i in range(5000))


def _old(tmp_path: Path, content: bytes = OLD) -> Path:
    path = tmp_path / "old.nt"
    path.write_bytes(content)
    return path


def _pieces(opened: Mapped) -> list[spans.Piece]:
    """New bytes between three spans of the old file, the first and last at its ends."""
    size = len(opened.text)
    return [
        opened.span(0, 1000),
        b"<new> <line> .\n",
        opened.span(1000, 70_000),
        b"",
        b"another\n",
        opened.span(70_000, size),
    ]


def _written(tmp_path: Path) -> bytes:
    """What :func:`_pieces` of the old file write, as a build writes an export."""
    with Mapped(_old(tmp_path)) as opened:
        pieces = _pieces(opened)
    forked.write_content(tmp_path / "new.nt", pieces)
    return (tmp_path / "new.nt").read_bytes()


def _expected() -> bytes:
    return OLD[:1000] + b"<new> <line> .\n" + OLD[1000:70_000] + b"another\n" + OLD[70_000:]


def test_spans_are_written_as_the_bytes_they_stand_for(tmp_path: Path) -> None:
    with Mapped(_old(tmp_path)) as opened:
        pieces = _pieces(opened)
    assert [len(p) for p in pieces] == [1000, 15, 69_000, 0, 8, len(OLD) - 70_000]
    target = tmp_path / "new.nt"
    forked.write_content(target, pieces, durable=True)
    assert target.read_bytes() == _expected() == joined(pieces)
    assert bytes(pieces[2]) == OLD[1000:70_000]
    assert repr(pieces[0]) == "Span(0, 1000)"


def test_spans_are_copied_by_the_kernel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copied: list[int] = []
    real = os.copy_file_range

    def counted(source: int, target: int, count: int, offset_src: int | None = None) -> int:
        copied.append(count)
        return real(source, target, count, offset_src)

    def never(*args: object) -> bytes:
        raise AssertionError("read into the process")

    monkeypatch.setattr(os, "copy_file_range", counted)
    monkeypatch.setattr(os, "pread", never)
    assert _written(tmp_path) == _expected()
    assert sum(copied) >= len(OLD)  # each span once (a call may copy less than asked)


@pytest.mark.parametrize("refusal", [errno.EXDEV, errno.ENOSYS, errno.EINVAL, None])
def test_where_the_kernel_cannot_copy_the_bytes_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, refusal: int | None
) -> None:
    if refusal is None:  # a system without copy_file_range (macOS)
        monkeypatch.delattr(os, "copy_file_range")
    else:

        def refused(*args: object) -> int:
            raise OSError(refusal, os.strerror(refusal))

        monkeypatch.setattr(os, "copy_file_range", refused)
    assert _written(tmp_path) == _expected()


def test_a_copy_stopped_half_way_goes_on_by_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real, calls = os.copy_file_range, []

    def once(source: int, target: int, count: int, offset_src: int | None = None) -> int:
        calls.append(count)
        if len(calls) > 1:
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        return real(source, target, min(count, 333), offset_src)

    monkeypatch.setattr(os, "copy_file_range", once)
    assert _written(tmp_path) == _expected()


def test_another_error_of_the_copy_is_raised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(*args: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "copy_file_range", full)
    with pytest.raises(OSError, match="No space left on device"):
        _written(tmp_path)


@pytest.mark.parametrize("kernel", [True, False])
def test_a_file_cut_short_after_the_splice_is_an_os_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kernel: bool
) -> None:
    if not kernel:
        monkeypatch.delattr(os, "copy_file_range")
    old = _old(tmp_path)
    with Mapped(old) as opened:
        pieces = _pieces(opened)
    os.truncate(old, 50_000)  # in place, as no build does
    with pytest.raises(OSError, match=r"^\[Errno 5\] the file was cut short while its bytes were copied$"):
        forked.write_content(tmp_path / "new.nt", pieces)
    with pytest.raises(OSError, match="the file was cut short"):
        joined(pieces)


def test_a_span_holds_the_bytes_of_the_file_it_was_taken_from_after_it_is_replaced(tmp_path: Path) -> None:
    old = _old(tmp_path)
    with Mapped(old) as opened:
        pieces = _pieces(opened)
    replacement = tmp_path / "replacement"
    replacement.write_bytes(b"x" * len(OLD))
    os.replace(replacement, old)  # as the export set is replaced: a new file in its place
    forked.write_content(tmp_path / "new.nt", pieces)
    assert (tmp_path / "new.nt").read_bytes() == _expected()


def test_the_file_stays_open_while_a_span_holds_it_and_no_longer(tmp_path: Path) -> None:
    with Mapped(_old(tmp_path)) as opened:
        span = opened.span(10, 20)
    fd = span._opened.fd
    del opened
    gc.collect()
    os.fstat(fd)  # open: the map is closed, the span holds the file
    assert bytes(span) == OLD[10:20]
    del span
    gc.collect()
    with pytest.raises(OSError, match="Bad file descriptor"):
        os.fstat(fd)


def test_an_empty_file_cannot_be_mapped(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        Mapped(_old(tmp_path, b""))


def test_many_pieces_with_spans_among_them_are_written_in_order(tmp_path: Path) -> None:
    with Mapped(_old(tmp_path)) as opened:
        pieces: list[spans.Piece] = []
        for i in range(3 * spans.WRITEV_PIECES):
            pieces.append(b"%d\n" % i)
            if i % 700 == 0:
                pieces.append(opened.span(i, i + 50))
    write_pieces_to = tmp_path / "new"
    with write_pieces_to.open("wb") as handle:
        write_pieces(handle.fileno(), pieces)
    expected = b"".join(p if isinstance(p, bytes) else OLD[p.start : p.stop] for p in pieces)
    assert write_pieces_to.read_bytes() == expected == joined(pieces)


def test_a_spliced_kg_nt_is_mostly_spans_of_the_old_one(tmp_path: Path) -> None:
    names = [f"http://x/s{i:04d}" for i in range(2000)]
    old = tmp_path / "kg.nt"
    old.write_bytes(ntriples(_graph({name: ["v", "w"] for name in names})))
    after = {name: ["v", "w"] for name in names}
    after[names[1000]] = ["changed"]
    pieces = ntsplice.splice(old, _graph(after), [_key(names[1000])])
    assert pieces is not None
    assert [type(p) for p in pieces] == [Span, bytes, Span]
    assert sum(len(p) for p in pieces if isinstance(p, Span)) > 0.99 * old.stat().st_size
    assert joined(pieces) == ntriples(_graph(after))
