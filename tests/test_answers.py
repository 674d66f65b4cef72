"""The named questions' answers are kept with the query store and come back unchanged."""

from __future__ import annotations

from pathlib import Path

from graph import query
from graph.library import library
from graph.store import graph_files, open_store


def _answers(store_folder: Path) -> list[Path]:
    return sorted((store_folder / "results").glob("*")) if (store_folder / "results").is_dir() else []


def test_every_named_question_answers_the_same_from_the_cache(mini_built: Path) -> None:
    names = sorted(library())
    first = {name: query.run_query(project=mini_built, query=name, format="json").output for name in names}
    with open_store(graph_files(mini_built)) as store:
        kept = _answers(store.path.parent)
    assert len(kept) == len(names)
    second = {name: query.run_query(project=mini_built, query=name, format="json").output for name in names}
    assert second == first
    for path in kept:  # prove the second round read them: spoil one, see it come back
        path.write_bytes(path.read_bytes().replace(b'"head"', b'"HEAD"', 1))
    third = {name: query.run_query(project=mini_built, query=name, format="json").output for name in names}
    assert all(b'"HEAD"' in answer for answer in third.values())


def test_a_parameter_or_format_is_part_of_the_key(mini_built: Path) -> None:
    table = query.run_query(project=mini_built, query="places", format="table").output
    json_ = query.run_query(project=mini_built, query="places", format="json").output
    assert table != json_
    assert query.run_query(project=mini_built, query="places", format="table").output == table


def test_changed_data_is_a_new_store_with_no_old_answers(mini_built: Path) -> None:
    from graph import pipeline

    before = query.run_query(project=mini_built, query="places", format="json").output
    assert b"Musterstadt" in before
    registry = mini_built / "sources" / "entities.yaml"
    registry.write_text(registry.read_text("utf-8").replace("name: Musterstadt", "name: Neustadt"), "utf-8")
    pipeline.build(project=mini_built)
    after = query.run_query(project=mini_built, query="places", format="json").output
    assert b"Neustadt" in after and b"Musterstadt" not in after


def test_ad_hoc_queries_are_not_kept(mini_built: Path) -> None:
    query.run_query(project=mini_built, expression="SELECT * WHERE { ?s ?p ?o } LIMIT 1", format="json")
    with open_store(graph_files(mini_built)) as store:
        assert _answers(store.path.parent) == []
