"""The real corpus (sources/) through checks that hold for any correct corpus.

No test here knows how many articles there are or what they say: a correct new article,
``kg build`` and ``pytest tests/test_corpus.py --update-golden`` (the competency snapshot)
keep them green. Behaviour is tested on the fixture projects in tests/data.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from tests import corpus
from tests.conftest import ROOT, assert_same_graph

SNAPSHOT = Path(__file__).resolve().parent / "snapshots" / "competency"


def test_the_corpus_validates_with_its_texts(texts: Path) -> None:
    corpus.check_validates(ROOT, texts)


def test_every_quote_and_title_is_in_its_text(texts: Path) -> None:
    assert corpus.check_quotes_are_found(ROOT, texts) > 0


def test_committed_exports_equal_a_fresh_build(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh"
    try:
        corpus.check_exports_are_fresh(ROOT, fresh)
    except AssertionError:
        # Show which triples drifted before failing on the bytes.
        assert_same_graph(Graph().parse(fresh / "kg.ttl"), ROOT / "exports" / "kg.ttl", update=False)
        raise


def test_competency_answers_match_the_snapshot(pytestconfig: pytest.Config) -> None:
    corpus.check_competency_snapshot(ROOT, SNAPSHOT, update=pytestconfig.getoption("--update-golden"))
