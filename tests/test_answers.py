"""The named questions' answers are kept with the query store and come back unchanged."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from graph import query
from graph.library import library
from graph.store import graph_files, open_store
from tests.conftest import DATA, ROOT


@pytest.fixture
def mini(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from graph import pipeline

    monkeypatch.delenv("KG_TEXTS", raising=False)
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    target = tmp_path / "mini"
    shutil.copytree(DATA / "mini", target)
    shutil.copytree(ROOT / "ontology", target / "ontology")
    pipeline.build(project=target)
    return target


def _answers(store_folder: Path) -> list[Path]:
    return sorted((store_folder / "results").glob("*")) if (store_folder / "results").is_dir() else []


def test_every_named_question_answers_the_same_from_the_cache(mini: Path) -> None:
    names = sorted(library())
    first = {name: query.run_query(project=mini, query=name, format="json").output for name in names}
    with open_store(graph_files(mini)) as store:
        kept = _answers(store.path.parent)
    assert len(kept) == len(names)
    second = {name: query.run_query(project=mini, query=name, format="json").output for name in names}
    assert second == first
    for path in kept:  # prove the second round read them: spoil one, see it come back
        path.write_bytes(path.read_bytes().replace(b'"head"', b'"HEAD"', 1))
    third = {name: query.run_query(project=mini, query=name, format="json").output for name in names}
    assert all(b'"HEAD"' in answer for answer in third.values())


def test_a_parameter_or_format_is_part_of_the_key(mini: Path) -> None:
    table = query.run_query(project=mini, query="places", format="table").output
    json_ = query.run_query(project=mini, query="places", format="json").output
    assert table != json_
    assert query.run_query(project=mini, query="places", format="table").output == table


def test_changed_data_is_a_new_store_with_no_old_answers(mini: Path) -> None:
    from graph import pipeline

    before = query.run_query(project=mini, query="places", format="json").output
    assert b"Musterstadt" in before
    registry = mini / "sources" / "entities.yaml"
    registry.write_text(registry.read_text("utf-8").replace("name: Musterstadt", "name: Neustadt"), "utf-8")
    pipeline.build(project=mini)
    after = query.run_query(project=mini, query="places", format="json").output
    assert b"Neustadt" in after and b"Musterstadt" not in after


def test_ad_hoc_queries_are_not_kept(mini: Path) -> None:
    query.run_query(project=mini, expression="SELECT * WHERE { ?s ?p ?o } LIMIT 1", format="json")
    with open_store(graph_files(mini)) as store:
        assert _answers(store.path.parent) == []
