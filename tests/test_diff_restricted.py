"""kg diff reads only what may differ between two builds, and finds what reading both
whole finds (graph.curation.diff.snapshots against parse_snapshot)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from graph.curation import diff
from tests.conftest import run

A = "sources/articles/a.yaml"
REGISTRY = "sources/entities.yaml"
#: One edit of the mini project each: (file, text, replacement).
EDITS = {
    "a value": (A, "value: 50", "value: 60"),
    "a qualifier": (A, "approximation: Rund", "approximation: Etwa"),
    "a note (a new reference)": (A, "note: Said during the visit.", "note: Said at the visit."),
    "a quote": (A, "quote: Rund 50 Gäste kamen.\n    value", "quote: Rund 50 Gäste kamen!\n    value"),
    "a fact removed": (
        A,
        "  - subject: erika-beispiel\n    quote: Ministerin Erika Beispiel (XYZ)\n    memberOf: xyz\n",
        "",
    ),
    "a date": (A, "startDate: 2021-03-03", "startDate: 2021-03-04"),
    "an entity's name": (REGISTRY, "name: Musterstadt", "name: Neustadt"),
    "an alias": (REGISTRY, "aliases: [Beispiel]", "aliases: [Beispiel, E. Beispiel]"),
    "a source's name": (A, "name: Zeitung A über den Besuch", "name: Zeitung A zum Besuch"),
    "an entity's class": (REGISTRY, "type: PoliticalParty", "type: Organization"),
}


def _build(project: Path, out: Path) -> bytes:
    result = run("build", "--quiet", "--project", project, "--out", out, "--format", "ntriples")
    assert result.exit_code == 0, result.output
    return (out / "kg.nt").read_bytes()


@pytest.fixture
def untexted(mini: Path) -> Path:
    """:func:`mini` without its texts: quotes may change (the build warns that they are not checked)."""
    shutil.rmtree(mini / "texts")
    return mini


def _parsed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The size of every text parse_snapshot reads from now on."""
    sizes: list[int] = []
    whole = diff.parse_snapshot

    def counting(ntriples: bytes) -> diff.Snapshot:
        sizes.append(len(ntriples))
        return whole(ntriples)

    monkeypatch.setattr(diff, "parse_snapshot", counting)
    return sizes


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_reading_what_may_differ_finds_what_reading_both_whole_finds(
    untexted: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit: str
) -> None:
    old = _build(untexted, tmp_path / "old")
    name, text, replacement = EDITS[edit]
    path = untexted / name
    assert text in path.read_text("utf-8"), edit
    path.write_text(path.read_text("utf-8").replace(text, replacement), "utf-8")
    new = _build(untexted, tmp_path / "new")
    assert new != old
    expected = diff.compare(diff.parse_snapshot(old), diff.parse_snapshot(new))
    assert expected.changes, edit  # every edit shows
    sizes = _parsed(monkeypatch)
    assert diff.compare(*diff.snapshots(old, new)) == expected
    assert len(sizes) == 2 and sizes[0] < len(old) and sizes[1] < len(new)  # not read whole


def test_the_same_build_reads_only_entities_and_sources(
    mini: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = _build(mini, tmp_path / "old")
    sizes = _parsed(monkeypatch)
    found = diff.compare(*diff.snapshots(built, built))
    assert found.changes == () and found.old_nodes == found.new_nodes == diff.parse_snapshot(built).nodes
    assert sizes[:2] == [sizes[0], sizes[0]] and sizes[0] < len(built) // 2


def test_sides_with_blank_nodes_are_read_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    old = b'_:b1 <http://www.w3.org/2000/01/rdf-schema#label> "x" .\n'
    new = b'_:b1 <http://www.w3.org/2000/01/rdf-schema#label> "y" .\n'
    sizes = _parsed(monkeypatch)
    diff.snapshots(old, new)
    assert sizes == [len(old), len(new)]


def test_sides_that_differ_in_most_lines_are_read_whole(
    mini: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = _build(mini, tmp_path / "old")
    new = old.replace(b"https://", b"http://")  # every line differs
    sizes = _parsed(monkeypatch)
    assert diff.compare(*diff.snapshots(old, new)) == diff.compare(diff.parse_snapshot(old), diff.parse_snapshot(new))
    assert sizes[:2] == [len(old), len(new)]


BROKEN = b'<https://example.org/kg/x> <http://www.w3.org/2000/01/rdf-schema#label> "no end .\n'
END = BROKEN.index(b'"') + 1  # the column (from 1) of the literal left open


def test_a_side_that_is_not_ntriples_is_refused_on_one_line(mini: Path, tmp_path: Path) -> None:
    built = _build(mini, tmp_path / "old")
    lines = built.count(b"\n")
    (tmp_path / "broken.nt").write_bytes(built + BROKEN)
    result = run("diff", tmp_path / "old", tmp_path / "broken.nt", "--project", mini)
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {tmp_path / 'broken.nt'} is not N-Triples: Parser error between line {lines + 1} column {END} and "
        f"line {lines + 2} column 1: Unexpected end of file (line {lines + 1}); give an export folder, the kg.nt "
        "'kg build' wrote, or a git revision\n"
    )


def test_a_broken_line_both_sides_share_is_refused_too(untexted: Path, tmp_path: Path) -> None:
    old = _build(untexted, tmp_path / "old") + BROKEN  # the same line on both sides: read by no selection
    path = untexted / A
    path.write_text(path.read_text("utf-8").replace("value: 50", "value: 60"), "utf-8")
    new = _build(untexted, tmp_path / "new") + BROKEN
    refused = rf"^new side is not N-Triples: Parser error between line \d+ column {END} "
    with pytest.raises(diff.DiffError, match=refused):
        diff.snapshots(new, new, "new side", "new side")
    with pytest.raises(diff.DiffError, match=r"^old side is not N-Triples: "):
        diff.snapshots(old, new, "old side", "new side")
