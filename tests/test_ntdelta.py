"""graph.ntdelta: the lines two N-Triples files differ by, found by comparing bytes."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph import ntdelta
from graph.ntdelta import Delta, sorted_delta


def _file(lines: set[bytes] | list[bytes]) -> bytes:
    return b"".join(line + b"\n" for line in lines)


def _split(text: bytes) -> list[bytes]:
    return [line + b"\n" for line in text.split(b"\n")[:-1]]


def _applied(old: bytes, delta: Delta) -> set[bytes]:
    lines = set(_split(old))
    assert set(delta.removed) <= lines  # only lines the old file has
    return (lines - set(delta.removed)) | set(delta.added)


lines = st.sets(st.binary(min_size=1, max_size=12).map(lambda b: b.replace(b"\n", b"n")), max_size=40)


@settings(max_examples=300, deadline=None)
@given(lines, lines)
def test_sorted_files_differ_by_exactly_the_lines_one_lacks(before: set[bytes], after: set[bytes]) -> None:
    old, new = _file(sorted(before)), _file(sorted(after))
    delta = sorted_delta(old, new, limit=100)
    assert delta is not None
    assert set(delta.removed) == {line + b"\n" for line in before - after}
    assert set(delta.added) == {line + b"\n" for line in after - before}
    assert len(delta) == len(before ^ after)  # no line twice


@settings(max_examples=200, deadline=None)
@given(lines, lines, st.randoms(use_true_random=False))
def test_any_order_gives_a_delta_that_turns_old_into_new(
    before: set[bytes], after: set[bytes], rng: random.Random
) -> None:
    old_lines, new_lines = list(before), list(after)
    rng.shuffle(old_lines)
    rng.shuffle(new_lines)
    old, new = _file(old_lines), _file(new_lines)
    delta = sorted_delta(old, new, limit=100)
    assert delta is not None
    assert _applied(old, delta) == set(_split(new))


def test_a_change_far_into_a_large_file_is_found_across_the_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ntdelta, "_FIRST_BLOCK", 64)  # many blocks, some doubled, on either side of the changes
    monkeypatch.setattr(ntdelta, "_LARGEST_BLOCK", 1024)
    before = [b"<s%06d> <p> <o> ." % n for n in range(5000)]
    after = list(before)
    after[10] = b"<s000010> <p> <o2> ."
    del after[2500]
    after.insert(4000, b"<s003999x> <p> <o> .")
    after.append(b"<s999999> <p> <o> .")
    delta = sorted_delta(_file(before), _file(after), limit=10)
    assert delta == Delta(
        removed=(b"<s000010> <p> <o> .\n", b"<s002500> <p> <o> .\n"),
        added=(b"<s000010> <p> <o2> .\n", b"<s003999x> <p> <o> .\n", b"<s999999> <p> <o> .\n"),
    )


def test_equal_files_differ_by_nothing() -> None:
    text = _file([b"<a> <b> <c> .", b"<a> <b> <d> ."])
    assert sorted_delta(text, text, limit=0) == Delta((), ())
    assert sorted_delta(b"", b"", limit=0) == Delta((), ())


def test_from_and_to_an_empty_file() -> None:
    text = _file([b"<a> <b> <c> .", b"<a> <b> <d> ."])
    assert sorted_delta(b"", text, limit=2) == Delta((), tuple(_split(text)))
    assert sorted_delta(text, b"", limit=2) == Delta(tuple(_split(text)), ())


def test_more_lines_than_the_limit_give_none() -> None:
    old = _file([b"<a> <b> <%d> ." % n for n in range(10)])
    new = _file([b"<a> <b> <%d> ." % n for n in range(5, 15)])  # 5 out, 5 in
    assert sorted_delta(old, new, limit=9) is None
    assert len(sorted_delta(old, new, limit=10) or ()) == 10


def test_a_line_whose_text_begins_another_sorts_first() -> None:
    # A tab (0x09) sorts before the line break (0x0A): compared with their breaks, the
    # longer line would come first and the walk would report both lines as changed.
    old = _file([b'<a> <b> "x" .', b'<a> <b> "x" .\t'])
    new = _file([b'<a> <b> "x" .\t'])
    assert sorted_delta(old, new, limit=1) == Delta((b'<a> <b> "x" .\n',), ())


def test_a_file_without_a_final_line_break_gives_none() -> None:
    assert sorted_delta(b"<a> <b> <c> .\n", b"<a> <b> <c> .", limit=10) is None
    assert sorted_delta(b"<a> <b> <c> .", b"<a> <b> <c> .\n", limit=10) is None


def test_the_delta_of_two_files_is_remembered_for_those_files_as_they_are(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build asks twice (to validate, then to patch the query store): the second is not computed."""
    import os

    old, new = tmp_path / "old.nt", tmp_path / "new.nt"
    old.write_bytes(_file([b"<a> <p> <o> .", b"<b> <p> <o> .", b"<c> <p> <o> ."]))
    new.write_bytes(_file([b"<a> <p> <o> .", b"<b> <p> <x> .", b"<c> <p> <o> ."]))
    computed: list[int] = []
    real = ntdelta.sorted_delta

    def counted(before: bytes, after: bytes, limit: int) -> Delta | None:
        computed.append(limit)
        return real(before, after, limit)

    monkeypatch.setattr(ntdelta, "sorted_delta", counted)
    monkeypatch.setattr(ntdelta, "_last", None)
    expected = Delta((b"<b> <p> <o> .\n",), (b"<b> <p> <x> .\n",))
    assert ntdelta.files_delta(old, new, 10) == expected
    assert ntdelta.files_delta(old, new, 5) == expected  # the same files: remembered
    assert ntdelta.files_delta(old, new, 1) is None  # two lines differ, more than asked for
    assert computed == [10]
    assert ntdelta.files_delta(new, old, 10) == Delta(expected.added, expected.removed)  # other files
    assert computed == [10, 10]
    stat = new.stat()
    new.write_bytes(_file([b"<a> <p> <o> .", b"<b> <p> <o> .", b"<c> <p> <y> ."]))  # the same size
    os.utime(new, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # and time: the change time still moves
    assert ntdelta.files_delta(new, old, 10) == Delta((b"<c> <p> <y> .\n",), (b"<c> <p> <o> .\n",))
    assert computed == [10, 10, 10]
    assert ntdelta.files_delta(new, old, 1) is None and computed == [10, 10, 10]  # the delta found is larger
    monkeypatch.setattr(ntdelta, "_last", None)
    assert ntdelta.files_delta(new, old, 1) is None  # more than one line: not found
    assert ntdelta.files_delta(new, old, 0) is None and computed == [10, 10, 10, 1]  # None for 1: also for 0
    assert ntdelta.files_delta(new, old, 3) is not None and computed == [10, 10, 10, 1, 3]  # a larger limit
    (tmp_path / "empty.nt").write_bytes(b"")
    assert ntdelta.files_delta(tmp_path / "empty.nt", new, 10) is None  # an empty file cannot be mapped
    assert ntdelta.files_delta(tmp_path / "gone.nt", new, 10) is None
