"""The quote check remembers texts and found quotes: the same report as a check from scratch."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from graph import buildcache, pipeline, quotes, sourcecache
from graph.quotes import QuoteReport


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Every file counts as written long ago, so its stat stands for its bytes, in a cache of its own."""
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(buildcache, "RACY_NS", -(10**18))


def _check(project: Path, cache: bool) -> QuoteReport:
    return quotes.check_quotes(pipeline.load(project), project / "texts", cache=cache)


def _reads(monkeypatch: pytest.MonkeyPatch, folder: Path) -> list[str]:
    """The names of the files of ``folder`` whose bytes are read from now on."""
    read: list[str] = []
    original = Path.read_bytes

    def spy(path: Path) -> bytes:
        if path.parent == folder:
            read.append(path.name)
        return original(path)

    monkeypatch.setattr(Path, "read_bytes", spy)
    return read


def test_an_unchanged_check_reads_no_text_and_reports_the_same(
    musterland: Path, settled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = _check(musterland, cache=False)
    assert _check(musterland, cache=True) == fresh
    read = _reads(monkeypatch, musterland / "texts")
    assert _check(musterland, cache=True) == fresh
    assert read == []
    assert fresh.quotes == 81 and fresh.problems == ()


def test_a_changed_text_is_read_again_and_its_missing_quote_reported(
    musterland: Path, settled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    _check(musterland, cache=True)
    victim = musterland / "texts" / "b-webseite-konferenz.txt"
    victim.write_text(victim.read_text(encoding="utf-8").replace("Altstadt", "Neustadt"), "utf-8")
    fresh = _check(musterland, cache=False)
    read = _reads(monkeypatch, musterland / "texts")
    assert _check(musterland, cache=True) == fresh
    assert read == ["b-webseite-konferenz.txt"]
    assert [p.message.split(" (")[0] for p in fresh.problems] == [
        f"no file in {musterland / 'texts'} has SHA-256 "
        "9f02d5f59a366f7b171547aff68e231a78e7b00c6783310d805020478ca0ee34"
    ]


def test_a_changed_quote_is_searched_for_and_reported_as_from_scratch(musterland: Path, settled: None) -> None:
    _check(musterland, cache=True)
    article = next((musterland / "sources" / "articles").glob("b-*.yaml"))
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("Altstadt", "Altstadtt", 1), "utf-8")
    fresh = _check(musterland, cache=False)
    assert len(fresh.problems) >= 1
    assert _check(musterland, cache=True) == fresh
    assert _check(musterland, cache=True) == fresh  # a miss is never remembered as found


def test_texts_written_moments_ago_are_read_each_time(musterland: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = _check(musterland, cache=False)
    _check(musterland, cache=True)
    read = _reads(monkeypatch, musterland / "texts")
    assert _check(musterland, cache=True) == fresh
    assert sorted(read) == sorted(p.name for p in (musterland / "texts").iterdir())


def test_only_the_texts_folders_checked_last_are_kept(musterland: Path, settled: None, tmp_path: Path) -> None:
    dataset = pipeline.load(musterland)
    folders = []
    for number in range(sourcecache.FOLDERS + 2):
        folder = tmp_path / f"texts-{number}"
        shutil.copytree(musterland / "texts", folder)
        quotes.check_quotes(dataset, folder)
        folders.append(folder)
    kept = {p.name.split("-", 1)[0] for p in (tmp_path / "cache" / "quotes").glob("*.pickle")}
    names = [hashlib.sha256(os.fsencode(os.path.abspath(f))).hexdigest()[:24] for f in folders]
    assert kept == set(names[-sourcecache.FOLDERS :])
