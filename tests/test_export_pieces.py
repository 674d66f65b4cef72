"""Large exports are rendered in pieces and written without joining them (graph/export.py, graph/writers.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph import export, pipeline, writers
from graph.build import build_graph


@pytest.fixture(scope="module")
def source(musterland_built: Path) -> export.ExportInput:
    dataset = pipeline.load(musterland_built)
    return export.ExportInput(build_graph(dataset).graph, dataset.ontology)


@pytest.mark.parametrize("name", ["turtle", "ntriples", "jsonld"])
def test_the_pieces_of_an_rdf_export_are_its_bytes(
    source: export.ExportInput, musterland_built: Path, name: str
) -> None:
    chosen = export.exporter(name)
    pieces = chosen.render_pieces(source)
    assert len(pieces) > 10, "one piece per subject (and separators), not one joined string"
    # the fixture's build rendered it whole, in one process
    assert b"".join(pieces) == chosen.render(source) == (musterland_built / "exports" / chosen.filename).read_bytes()


@pytest.mark.parametrize(
    ("separator", "texts", "pieces"),
    [(b",", [], []), (b",", [b"a"], [b"a"]), (b",\n", [b"a", b"b", b"c"], [b"a", b",\n", b"b", b",\n", b"c"])],
)
def test_interleaved_pieces_join_like_join(separator: bytes, texts: list[bytes], pieces: list[bytes]) -> None:
    found = writers._interleaved(separator, texts)
    assert found == pieces
    assert b"".join(found) == separator.join(texts)


def test_release_forgets_the_derived_views(source: export.ExportInput) -> None:
    first = source.rows
    assert source.rows is first  # made once
    source.release()
    assert "rows" not in source.__dict__ and "projection" not in source.__dict__
    assert source.rows is not first  # made again when asked for
