"""The network exports written in pieces and from compact rows give the bytes written whole.

GraphML and GEXF are encoded a few thousand lines at a time, the page's large arrays are
joined a few thousand records at a time, and the page's edges are written in a second
pass when the relations come in order: none of that may change a byte, wherever the
pieces end. The GraphML/GEXF rows are kept as shared names and value tuples: the rows
read back as dictionaries must be what ``dict.update`` makes of them.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from graph import netformats, viz
from graph.netformats import edge_rows, gexf, gexf_pieces, graphml, graphml_pieces, node_rows
from graph.projection import Claim, Projection, Unbuilt
from graph.viz import page_json, render_html
from tests.test_page_fast import _hostile, _parallel

VARIANTS = ("whole", "hostile", "parallel")


def _variant(whole: Projection, name: str) -> Projection:
    """A fresh view (nothing derived yet) of the fixture projection."""
    if name == "hostile":
        return _hostile(whole)
    if name == "parallel":
        return _parallel(whole)
    return replace(whole)


def _outputs(view: Projection) -> tuple[bytes, bytes, bytes, str]:
    fresh = replace(view)
    return graphml(fresh), gexf(fresh), render_html(fresh), page_json(fresh, "en", "T")


@pytest.mark.parametrize("name", VARIANTS)
def test_the_pieces_end_anywhere_without_changing_a_byte(
    whole: Projection, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = _variant(whole, name)
    written_whole = _outputs(view)
    for lines, records in ((1, 1), (2, 3), (7, 5)):
        monkeypatch.setattr(netformats._Encoded, "LINES", lines)
        monkeypatch.setattr(viz._Records, "SIZE", records)
        assert _outputs(view) == written_whole, (lines, records)


@pytest.mark.parametrize("name", VARIANTS)
def test_graphml_and_gexf_pieces_are_the_files_line_by_line(
    whole: Projection, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = _variant(whole, name)
    monkeypatch.setattr(netformats._Encoded, "LINES", 5)
    for pieces, joined in ((graphml_pieces(view), graphml(view)), (gexf_pieces(view), gexf(view))):
        assert len(pieces) > 1
        assert b"".join(pieces) == joined
        assert all(piece.endswith(b"\n") for piece in pieces)
        # five elements (of one line or more) a piece: the file starts with five one-line ones
        assert pieces[0].count(b"\n") == 5


def test_relations_out_of_order_give_the_page_of_relations_in_order(whole: Projection) -> None:
    unbuilt = Unbuilt(list(whole.entities()), list(whole.relations()))
    in_order = replace(whole, network=unbuilt)
    order = {node: i for i, node in enumerate(sorted(node for node, _ in unbuilt.nodes))}
    assert viz._pairs_and_degrees(unbuilt.edges, order)[2]
    backwards = replace(whole, network=Unbuilt(unbuilt.nodes, unbuilt.edges[::-1]))
    assert not viz._pairs_and_degrees(backwards.relations(), order)[2]
    assert len(unbuilt.edges) > 2
    assert render_html(backwards) == render_html(in_order)


def test_a_qualifier_named_like_a_column_replaces_its_value_in_place(whole: Projection) -> None:
    edges = list(whole.relations())
    u, v, key, claims = edges[0]
    first = claims[0]
    renamed = Claim(first.statement, (("label", "umbenannt"), ("sources", "")), first.evidence)
    changed = Unbuilt(list(whole.entities()), [(u, v, key, (renamed, *claims[1:])), *edges[1:]])
    view = replace(whole, network=changed)
    row = edge_rows(view)[0][3]
    # as dict.update: the column keeps its place with the new value; an empty one is left out
    assert list(row)[:4] == ["predicate", "label", "label_en", "statements"]
    assert row["label"] == "umbenannt"
    assert "sources" not in row
    assert b'<data key="e_label">umbenannt</data>' in graphml(view)


def test_rows_read_back_as_dictionaries_are_kept(whole: Projection) -> None:
    view = replace(whole)
    nodes, edges = node_rows(view), edge_rows(view)
    assert nodes is node_rows(view) and edges is edge_rows(view)
    assert [node for node, _ in nodes] == [node for node, _ in view.entities()]
    assert [(u, v, key) for u, v, key, _ in edges] == [(u, v, key) for u, v, key, _ in view.relations()]
    assert all(row["label"] == row["name"] and "" not in row.values() for _, row in nodes)


def test_the_page_data_is_put_in_once_whatever_the_title_holds(whole: Projection) -> None:
    title = "<kg-data/> & </script>"
    page = render_html(replace(whole), title=title).decode("utf-8")
    start = page.index('<script type="application/json" id="kg-data">') + len(
        '<script type="application/json" id="kg-data">'
    )
    data = json.loads(page[start : page.index("</script>", start)])
    assert data["title"] == title
    assert "&lt;kg-data/&gt;" in page
    assert len(data["nodes"]) == whole.size()[0]
