"""Valid inputs and what they must produce, one file per case in tests/data/valid/.

Each file is dropped into a copy of the Musterland fixture (tests/data/musterland). Each
``# ask:`` header line is a SPARQL pattern (or a full SELECT that must return a row) that
has to hold in the built graph, checked with Oxigraph.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from tests.conftest import DATA, run

VALID = sorted((DATA / "valid").glob("*.yaml"))
PREFIXES = """
PREFIX nik: <https://w3id.org/nrw-integration-kg/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX person: <https://example.org/musterland/id/person/>
PREFIX party: <https://example.org/musterland/id/party/>
PREFIX post: <https://example.org/musterland/id/post/>
PREFIX source: <https://example.org/musterland/id/source/>
PREFIX statistic: <https://example.org/musterland/id/statistic/>
"""


def test_valid_cases_are_all_collected() -> None:
    assert len(VALID) == 5


@pytest.mark.parametrize("case", VALID, ids=[c.stem for c in VALID])
def test_valid_case_builds_and_holds(case: Path, case_project: Path, tmp_path: Path) -> None:
    (case_project / "sources" / "articles" / "zz-case.yaml").write_bytes(case.read_bytes())
    result = run("build", "--quiet", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    store = ox.Store()
    store.load(path=str(tmp_path / "out" / "kg.nt"), format=ox.RdfFormat.N_TRIPLES)
    asks = re.findall(r"^# ask: (.+)$", case.read_text(encoding="utf-8"), flags=re.MULTILINE)
    assert asks
    for ask in asks:
        if ask.startswith("SELECT"):
            assert list(store.query(PREFIXES + ask)), f"no row for: {ask}"
        else:
            assert store.query(PREFIXES + f"ASK {{ {ask} }}"), f"does not hold: {ask}"
