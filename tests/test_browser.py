"""The page in a real browser: Debian's headless Chromium, driven by Playwright, offline.

Chromium comes from the system (``.ci/run`` installs the ``chromium`` package); where it is
missing these tests are skipped, except when ``KG_REQUIRE_BROWSER`` is set (as in CI), where
they fail. Screenshots go to ``tests/output/`` for people to look at.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph import pipeline
from graph.build import build_graph
from graph.projection import project
from tests.conftest import ROOT, run
from tests.test_viz import hostile_project

OUTPUT = Path(__file__).resolve().parent / "output"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def chromium() -> str | None:
    for name in (os.environ.get("KG_CHROMIUM"), "chromium", "chromium-browser"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    executable = chromium()
    if executable is None:
        if os.environ.get("KG_REQUIRE_BROWSER"):
            pytest.fail("chromium is required (KG_REQUIRE_BROWSER is set) but not installed")
        pytest.skip("chromium not installed (Debian: apt-get install chromium); .ci/run installs it")
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=executable,
            args=ARGS,
            headless=True,
            offline=True,
            bypass_csp=True,  # so the test sees every request the page itself would try
            viewport={"width": 1400, "height": 900},
        )
        yield context
        context.close()


class Visit:
    """An open page with every request, console error and dialog it caused."""

    def __init__(self, context: Any, path: Path) -> None:
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page = context.new_page()
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.route(
            "**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort()
        )
        self.page.goto(path.as_uri())
        deadline = time.monotonic() + 60
        while not self.page.evaluate("window.kgSettled === true"):
            assert time.monotonic() < deadline, "the network did not settle within 60 s"
            time.sleep(0.1)

    def evaluate(self, script: str) -> Any:
        return self.page.evaluate(script)

    def node_index(self, entity: str) -> int:
        return int(
            self.evaluate(
                f"JSON.parse(document.getElementById('kg-data').textContent).nodes.findIndex(n => n[0] === {entity!r})"
            )
        )

    def hover(self, index: int) -> None:
        box = self.page.locator("#kg-network").bounding_box()
        network = "window.kgNetwork"
        position = self.evaluate(
            f"(() => {{ const p = {network}.getPositions([{index}])[{index}]; return {network}.canvasToDOM(p); }})()"
        )
        self.page.mouse.move(box["x"] + position["x"], box["y"] + position["y"])
        time.sleep(0.5)


@pytest.mark.parametrize("which", ["corpus", "musterland"])
def test_committed_page_draws_every_entity_offline(browser: Any, which: str, request: pytest.FixtureRequest) -> None:
    built = ROOT if which == "corpus" else request.getfixturevalue("musterland_built")
    visit = Visit(browser, built / "exports" / "kg.html")
    dataset = pipeline.load(built)
    entities = len(dataset.entities)
    assert visit.evaluate("window.kgNetwork.body.nodeIndices.length") == entities
    assert visit.evaluate("window.kgNodeCount") == entities
    assert visit.evaluate("typeof window.kgFirstDraw") == "number"
    # only the file itself was loaded: no request to any host was even attempted
    assert [url for url in visit.requests if not url.startswith("file:")] == []
    assert visit.requests == [(built / "exports" / "kg.html").as_uri()]
    assert visit.errors == []
    # the same numbers as `kg stats` (the fixture: 69 entities, 106 relations between them)
    relations = project(build_graph(dataset).graph, dataset.ontology).network.number_of_edges()
    assert visit.page.locator("#kg-counts").inner_text() == f"{entities} Entitäten, {relations} Beziehungen"
    if which == "musterland":
        assert (entities, relations) == (69, 106)
    OUTPUT.mkdir(exist_ok=True)
    visit.page.screenshot(path=str(OUTPUT / f"kg-{which}.png"))
    # the canvas is not blank: many distinct colours were drawn
    colours = visit.evaluate(
        """(() => { const c = document.querySelector('#kg-network canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; const s = new Set();
        for (let i = 0; i < d.length; i += 4 * 97) s.add(d[i] + ',' + d[i+1] + ',' + d[i+2]); return s.size; })()"""
    )
    assert colours > 20


def test_clicking_shows_provenance_and_hover_a_tooltip(browser: Any, musterland_built: Path) -> None:
    visit = Visit(browser, musterland_built / "exports" / "kg.html")
    beispiel = visit.node_index("erika-beispiel")
    visit.evaluate(f"window.kgShow({beispiel})")
    panel = visit.page.locator("#kg-panel").inner_text()
    assert panel.startswith("Erika Beispiel")
    assert "Mitglied von → \nXYZ" in panel or "Mitglied von → XYZ" in panel
    assert "Staatssekretärin Erika Beispiel (XYZ)" in panel  # the quote behind the party
    assert "Bericht: Erika Beispiel besucht das Haus der Vielfalt in Altstadt" in panel
    visit.hover(visit.node_index("xyz"))
    tooltip = visit.page.locator("#kg-tooltip")
    assert tooltip.is_visible()
    assert tooltip.inner_text().startswith("XYZ")
    OUTPUT.mkdir(exist_ok=True)
    visit.page.screenshot(path=str(OUTPUT / "kg-beispiel.png"))


def test_search_and_filters_hide_and_find_nodes(browser: Any, musterland_built: Path) -> None:
    visit = Visit(browser, musterland_built / "exports" / "kg.html")
    visit.page.fill("#kg-search", "tom")
    results = visit.page.locator("#kg-results li").all_inner_texts()
    assert any(r.startswith("Tom Test") for r in results)
    visit.page.keyboard.press("Enter")
    assert visit.page.locator("#kg-panel h2").inner_text() == "Tom Test"
    visit.page.uncheck("input[data-cls='DirectQuote']")
    hidden = visit.evaluate("window.kgNetwork.body.data.nodes.get({filter: n => n.hidden}).length")
    assert hidden == 3  # the direct quotes
    visit.page.click("#kg-reset")
    visit.page.select_option("#kg-source", label="Webseite „Integrationskonferenz Musterland 2021“")
    shown = visit.evaluate("window.kgNetwork.body.data.nodes.get({filter: n => !n.hidden}).map(n => n.label)")
    assert "Paula Kontakt" in shown and "Tom Test" not in shown


def test_hostile_names_and_quotes_run_nothing(browser: Any, tmp_path: Path) -> None:
    project = hostile_project(tmp_path)
    assert run("viz", "--project", project, "-o", tmp_path / "hostile.html").exit_code == 0
    visit = Visit(browser, tmp_path / "hostile.html")
    index = visit.node_index("hostile")
    visit.evaluate(f"window.kgShow({index})")
    visit.hover(index)
    visit.page.fill("#kg-search", "eve")
    time.sleep(0.3)
    panel = visit.page.locator("#kg-panel").inner_text()
    assert '<img src=x onerror="window.__xss=1">Eve</script><script>window.__xss=2</script>' in panel
    assert "<script>window.__xss=4</script> & <img src=y onerror=window.__xss=5>" in panel
    assert "<iframe src=javascript:window.__xss=6>" in panel
    assert visit.evaluate("typeof window.__xss") == "undefined"
    assert visit.dialogs == []
    injected = "#kg-panel img, #kg-panel script, #kg-tooltip img, #kg-results img, iframe"
    assert visit.evaluate(f"document.querySelectorAll({injected!r}).length") == 0
    assert [url for url in visit.requests if not url.startswith("file:")] == []
    OUTPUT.mkdir(exist_ok=True)
    visit.page.screenshot(path=str(OUTPUT / "hostile.png"))


def test_large_view_draws_a_preview_first_then_the_interactive_network(browser: Any, tmp_path: Path) -> None:
    import sys

    from graph.viz import PHYSICS_LIMIT, render_html

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_build import generate

    generate(tmp_path / "big", 1200)
    shutil.rmtree(tmp_path / "big" / "ontology")
    shutil.copytree(ROOT / "ontology", tmp_path / "big" / "ontology")
    dataset = pipeline.load(tmp_path / "big")
    view = project(build_graph(dataset).graph, dataset.ontology)
    entities = view.network.number_of_nodes()
    assert entities > PHYSICS_LIMIT
    page = tmp_path / "big.html"
    page.write_bytes(render_html(view))

    visit = Visit(browser, page)
    deadline = time.monotonic() + 60
    while visit.evaluate("typeof window.kgInteractive") != "number":
        assert time.monotonic() < deadline, "the network did not draw within 60 s"
        time.sleep(0.1)
    assert visit.evaluate("window.kgPreviewNodes") == entities
    assert visit.evaluate("window.kgFirstDraw <= window.kgInteractive")
    assert visit.evaluate("window.kgNetwork.body.nodeIndices.length") == entities
    # the preview canvas is gone once vis-network has drawn: only its own canvas remains
    assert visit.evaluate("document.querySelectorAll('#kg-network canvas').length") == 1
    assert visit.errors == [] and [url for url in visit.requests if not url.startswith("file:")] == []
    OUTPUT.mkdir(exist_ok=True)
    visit.page.screenshot(path=str(OUTPUT / "kg-large.png"))
