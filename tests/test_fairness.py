"""Fair under load: clients flooding ``kg serve`` with slow queries cannot starve quick ones.

Ten clients send a query that never ends in time (a cartesian product over the whole
store), over and over; eight well-behaved clients send a query that takes milliseconds.
The well-behaved must get every answer, correct, with a p95 latency under one second;
the slow ones get 503 (stopped at the time limit, or refused while the long-query lane is
full). Bounded: the flood lasts a few seconds and every thread stops by itself.
"""

from __future__ import annotations

import statistics
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.serve import Endpoint, start_endpoint
from tests.conftest import ROOT

DATA = '<https://example.org/a> <http://www.w3.org/2000/01/rdf-schema#label> "A" .\n'
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
QUICK = "SELECT ?o WHERE { <https://example.org/a> rdfs:label ?o }"
FLOOD_SECONDS = 8.0


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoint]:
    folder = tmp_path_factory.mktemp("fairness")
    data = folder / "data.nt"
    data.write_text(DATA, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KG_CACHE_DIR", str(folder / "cache"))
        with start_endpoint(project=ROOT, data=[data], port=0, workers=2, timeout=3).start() as running:
            yield running


def _ask(endpoint: Endpoint, query: str) -> tuple[int, bytes, float]:
    started = time.perf_counter()
    url = f"{endpoint.url}?{urllib.parse.urlencode({'query': query})}"
    request = urllib.request.Request(url, headers={"Accept": "text/csv"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read(), time.perf_counter() - started
    except urllib.error.HTTPError as error:
        return error.code, error.read(), time.perf_counter() - started


def test_slow_clients_cannot_starve_quick_ones(endpoint: Endpoint, tmp_path: Path) -> None:
    stop = threading.Event()
    slow: list[tuple[int, bytes, float]] = []
    quick: list[tuple[int, bytes, float]] = []

    def flood() -> None:
        while not stop.is_set():
            slow.append(_ask(endpoint, SLOW))

    def behave() -> None:
        while not stop.is_set():
            quick.append(_ask(endpoint, QUICK))
            time.sleep(0.05)

    threads = [threading.Thread(target=flood) for _ in range(10)]
    threads += [threading.Thread(target=behave) for _ in range(8)]
    for thread in threads[:10]:
        thread.start()
    time.sleep(0.5)  # the flood is on before the first well-behaved request
    for thread in threads[10:]:
        thread.start()
    time.sleep(FLOOD_SECONDS)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)

    assert len(quick) >= 40
    assert {(code, body) for code, body, _ in quick} == {(200, b"o\r\nA\r\n")}
    p95 = statistics.quantiles([seconds for _, _, seconds in quick], n=20)[-1]
    assert p95 < 1.0, f"p95 {p95:.2f} s over {len(quick)} quick requests"
    assert slow and {code for code, _, _ in slow} == {503}
    assert any(b"too many long-running queries at once" in body for _, body, _ in slow)
