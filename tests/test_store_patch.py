"""A build makes the query store of its new kg.nt by patching the store of the one before."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph import pipeline, store
from tests.conftest import run, split_rendering

MEMBER = "ASK { person:erika-beispiel nik:memberOf <https://example.org/kg/party/xyz> }"
RENAMED = 'ASK { <https://example.org/kg/party/xyz> rdfs:label ?name FILTER(STR(?name) = "XYZ-Partei") }'


def _quads(database: Path | ox.Store) -> set[ox.Quad]:
    """The store's quads without blank nodes (the ontology's are named anew on each load)."""
    found = database if isinstance(database, ox.Store) else ox.Store.read_only(str(database))
    return {
        q
        for q in found.quads_for_pattern(None, None, None)
        if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode)
    }


def _fresh(files: tuple[Path, ...]) -> set[ox.Quad]:
    loaded = ox.Store()
    for path in files:
        loaded.bulk_load(path=str(path), format=store.rdf_format(path))
    return _quads(loaded)


def _info(cache: Path) -> dict[str, object]:
    (folder,) = [p for p in (cache / "stores").iterdir() if p.is_dir() and not p.name.startswith(".")]
    info: dict[str, object] = json.loads((folder / "store.json").read_text("utf-8"))
    info["name"] = folder.name
    return info


def _rename_party(project: Path) -> None:
    entities = project / "sources" / "entities.yaml"
    entities.write_text(entities.read_text("utf-8").replace("name: XYZ", "name: XYZ-Partei"), "utf-8")


def test_a_rebuild_patches_the_store_of_the_kg_nt_before_it(mini: Path) -> None:
    cache = Path(os.environ["KG_CACHE_DIR"])
    assert run("build", "--jobs", "2", "--project", mini).exit_code == 0
    assert run("query", "-e", MEMBER, "--project", mini).exit_code == 0
    before = _info(cache)
    assert "patched" not in before

    _rename_party(mini)
    rebuilt = run("build", "--jobs", "2", "--project", mini)
    assert rebuilt.exit_code == 0, rebuilt.stderr
    assert "query store ready for kg query" in rebuilt.stderr
    after = _info(cache)
    assert after["patched"] == before["name"]
    files = store.graph_files(mini)
    assert after["triples"] == len(ox.Store.read_only(str(cache / "stores" / str(after["name"]) / "db")))
    assert _quads(cache / "stores" / str(after["name"]) / "db") == _fresh(files)
    asked = run("query", "-e", RENAMED, "--project", mini)
    assert (asked.exit_code, asked.stdout, "into the query store" in asked.stderr) == (0, "true\n", False)


def test_more_changed_lines_than_the_share_load_the_new_kg_nt_whole(
    mini: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = Path(os.environ["KG_CACHE_DIR"])
    assert run("build", "--jobs", "2", "--project", mini).exit_code == 0
    assert run("query", "-e", MEMBER, "--project", mini).exit_code == 0
    monkeypatch.setattr(store, "PATCH_SHARE", 0.0)
    monkeypatch.setattr(store, "PATCH_LEAST", 0)
    _rename_party(mini)
    assert run("build", "--jobs", "2", "--project", mini).exit_code == 0
    after = _info(cache)
    assert "patched" not in after
    assert _quads(cache / "stores" / str(after["name"]) / "db") == _fresh(store.graph_files(mini))


# --------------------------------------------------------------- update_staged itself

ONTOLOGY = b"""@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:B rdfs:subClassOf ex:A .
ex:A rdfs:subClassOf [ a ex:Restriction ] .
"""
SUBCLASS = b"<http://example.org/B> <http://www.w3.org/2000/01/rdf-schema#subClassOf> <http://example.org/A> .\n"


def _line(n: int) -> bytes:
    return b'<http://example.org/s%d> <http://example.org/p> "%d" .\n' % (n, n)


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, ...]:
    """A data file (kg.nt) and an ontology whose store is cached in tmp_path/cache."""
    data, ontology = tmp_path / "kg.nt", tmp_path / "ontology.ttl"
    data.write_bytes(b"".join(sorted([SUBCLASS, *map(_line, range(10))])))
    ontology.write_bytes(ONTOLOGY)
    found = (data.resolve(), ontology.resolve())
    store.open_store(found, cache=tmp_path / "cache").close()
    return found


def _update(files: tuple[Path, ...], new: bytes, tmp_path: Path) -> tuple[dict[str, object], set[ox.Quad]]:
    staged = tmp_path / "new.nt"
    staged.write_bytes(new)
    staging = store.staging_folder(tmp_path / "cache")
    triples = store.update_staged(staging, files, staged)
    info: dict[str, object] = json.loads((staging / "store.json").read_text("utf-8"))
    assert info["triples"] == triples == len(ox.Store.read_only(str(staging / "db")))
    content = _quads(staging / "db")
    files[0].write_bytes(new)  # as the build then writes it, and adopts the store
    assert content == _fresh(files)
    assert store.adopt(staging, files)
    return info, content


def test_changed_lines_are_removed_and_added(files: tuple[Path, ...], tmp_path: Path) -> None:
    before = store.store_key(files)
    new = b"".join(sorted([SUBCLASS, *map(_line, range(1, 12))]))
    info, content = _update(files, new, tmp_path)
    assert info["patched"] == before
    assert (
        ox.Quad(ox.NamedNode("http://example.org/s11"), ox.NamedNode("http://example.org/p"), ox.Literal("11"))
        in content
    )


def test_a_triple_the_ontology_states_stays_when_its_line_leaves(files: tuple[Path, ...], tmp_path: Path) -> None:
    new = b"".join(map(_line, range(10)))  # the subclass line is gone from kg.nt
    info, content = _update(files, new, tmp_path)
    assert "patched" in info
    subclass = next(iter(ox.parse(SUBCLASS, format=ox.RdfFormat.N_TRIPLES)))
    assert subclass in content


def test_a_store_that_lacks_a_line_of_its_file_is_not_patched(files: tuple[Path, ...], tmp_path: Path) -> None:
    folder = tmp_path / "cache" / "stores" / store.store_key(files)
    damaged = ox.Store(str(folder / "db"))
    damaged.remove(next(iter(ox.parse(_line(3), format=ox.RdfFormat.N_TRIPLES))))
    damaged.flush()
    del damaged
    info, _ = _update(files, b"".join(sorted([SUBCLASS, *map(_line, [0, 1, 2, 4, 5, 6, 7, 8, 9])])), tmp_path)
    assert "patched" not in info


def test_a_blank_node_is_loaded_whole(files: tuple[Path, ...], tmp_path: Path) -> None:
    new = files[0].read_bytes() + b'_:b1 <http://example.org/p> "x" .\n'
    info, _ = _update(files, new, tmp_path)
    assert "patched" not in info


def test_without_a_store_of_the_kg_nt_before_it_is_loaded_whole(files: tuple[Path, ...], tmp_path: Path) -> None:
    files[0].write_bytes(files[0].read_bytes() + _line(99))  # a kg.nt no store was made of
    info, _ = _update(files, b"".join(map(_line, range(3))), tmp_path)
    assert "patched" not in info


def test_every_chain_of_patches_ends_in_a_compaction(files: tuple[Path, ...], tmp_path: Path) -> None:
    chain = [_update(files, b"".join(map(_line, range(n + 2))), tmp_path)[0].get("patches") for n in range(17)]
    assert chain == [*range(1, store.PATCH_CHAIN), 0, 1]  # each patched; the 16th compacted


# --------------------------------------------------------------- when the build loads it


@pytest.fixture
def network_here(monkeypatch: pytest.MonkeyPatch) -> None:
    """The build process renders the network formats, its worker the RDF formats (kg.nt)."""
    split_rendering(monkeypatch, network_here=True)


def _order(project: Path) -> list[str]:
    """The build's steps from rendering the page on, in the order they ran."""
    steps = list(pipeline.build(project=project, jobs=2).timings.steps)
    return [s for s in steps if s in ("export html", pipeline.QUERY_STORE_STEP)]


def _queried_then_changed_twice(project: Path) -> None:
    """Build and query ``project``, then change it and build it with one process (which makes
    no store of that kg.nt), then change it back: the next build has no store to patch."""
    assert run("build", "--project", project).exit_code == 0
    assert run("query", "-e", MEMBER, "--project", project).exit_code == 0
    _rename_party(project)
    assert run("build", "--jobs", "1", "--project", project).exit_code == 0  # no store of this kg.nt
    entities = project / "sources" / "entities.yaml"
    entities.write_text(entities.read_text("utf-8").replace("name: XYZ-Partei", "name: XYZ"), "utf-8")


@pytest.mark.usefixtures("network_here")
def test_a_store_to_patch_waits_until_the_build_process_has_rendered_its_share(mini: Path) -> None:
    assert run("build", "--project", mini).exit_code == 0
    assert run("query", "-e", MEMBER, "--project", mini).exit_code == 0
    _rename_party(mini)
    assert _order(mini) == ["export html", pipeline.QUERY_STORE_STEP]
    assert "patched" in _info(Path(os.environ["KG_CACHE_DIR"]))


@pytest.mark.usefixtures("network_here")
@pytest.mark.parametrize("slow_worker", [False, True], ids=["worker claims at once", "worker claims late"])
def test_a_store_to_load_whole_is_loaded_as_soon_as_the_worker_has_kg_nt(
    mini: Path, monkeypatch: pytest.MonkeyPatch, slow_worker: bool
) -> None:
    _queried_then_changed_twice(mini)
    if slow_worker:  # it claims kg.nt only after this process has validated
        from graph import forked

        parent, take = os.getpid(), forked.Claims.take

        def late(self: forked.Claims, name: str) -> bool:
            if os.getpid() != parent:
                time.sleep(0.5)
            return take(self, name)

        monkeypatch.setattr(forked.Claims, "take", late)
    assert _order(mini) == [pipeline.QUERY_STORE_STEP, "export html"]
    assert "patched" not in _info(Path(os.environ["KG_CACHE_DIR"]))


@pytest.mark.parametrize("validated_by_change", [True, False], ids=["kg.nt before SHACL", "kg.nt after SHACL"])
def test_a_store_to_load_whole_is_loaded_from_kg_nt_rendered_here_when_no_worker_has_claimed_it(
    mini: Path, monkeypatch: pytest.MonkeyPatch, validated_by_change: bool
) -> None:
    from graph import forked

    _queried_then_changed_twice(mini)
    if not validated_by_change:  # nothing to validate by: kg.nt is not rendered before SHACL
        monkeypatch.setattr(pipeline, "_basis", lambda chosen, out_dir, inputs: None)
    # the worker is slow to start: it claims nothing before this process has claimed everything
    monkeypatch.setattr(pipeline._NetworkAhead, "possible", staticmethod(lambda chosen: False))
    parent, take = os.getpid(), forked.Claims.take
    monkeypatch.setattr(forked.Claims, "take", lambda self, name: os.getpid() == parent and take(self, name))
    assert _order(mini) == [pipeline.QUERY_STORE_STEP, "export html"]
    assert "patched" not in _info(Path(os.environ["KG_CACHE_DIR"]))
