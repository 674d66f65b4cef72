"""The page in a real browser: Debian's headless Chromium, driven by Playwright, offline.

Chromium comes from the system (``.ci/run`` installs the ``chromium`` package); where it is
missing these tests are skipped, except when ``KG_REQUIRE_BROWSER`` is set (as in CI), where
they fail. Screenshots go to ``tests/output/`` (not committed) for people to look at; with
``KG_SCREENSHOTS=1`` the full graph and three focused views of the real corpus are also
written to ``tests/screenshots/``, which is committed. They are written only on request
because a PNG depends on the machine's fonts and Chromium version: the page itself draws
the same pixels on one machine every time (no physics, no animation, seeded layout), but
every other machine would rewrite them on each run.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import sys
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
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
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
    # the same numbers as `kg stats`: entities, and relations (facts between entities)
    facts = visit.evaluate(
        "JSON.parse(document.getElementById('kg-data').textContent).edges.reduce((sum, e) => sum + e[2].length, 0)"
    )
    assert visit.page.locator("#kg-counts").inner_text() == f"{entities} Entitäten, {facts} Beziehungen"
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
    quotes = visit.evaluate(
        "(() => { const d = JSON.parse(document.getElementById('kg-data').textContent);"
        " const c = d.classes.findIndex(c => c[0] === 'DirectQuote');"
        " return d.nodes.filter(n => n[2] === c).length; })()"
    )
    assert hidden == quotes > 0
    # a family's box hides all its classes at once
    visit.page.click("#kg-reset")
    visit.page.uncheck("input[data-family='Person']")
    people = visit.evaluate(
        "(() => { const d = JSON.parse(document.getElementById('kg-data').textContent);"
        " const f = d.families.findIndex(f => f[0] === 'Person');"
        " return d.nodes.filter(n => d.classes[n[2]][5] === f).length; })()"
    )
    assert visit.evaluate("window.kgNetwork.body.data.nodes.get({filter: n => n.hidden}).length") == people > 0
    visit.page.click("#kg-reset")
    visit.page.select_option("#kg-source", label="Webseite „Integrationskonferenz Musterland 2021“")
    shown = visit.evaluate(
        "(() => { const d = JSON.parse(document.getElementById('kg-data').textContent);"
        " return window.kgNetwork.body.data.nodes.get({filter: n => !n.hidden}).map(n => d.nodes[n.id][1]); })()"
    )
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

    from graph.viz import LARGE_VIEW, render_html

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_build import generate

    generate(tmp_path / "big", 1200)
    shutil.rmtree(tmp_path / "big" / "ontology")
    shutil.copytree(ROOT / "ontology", tmp_path / "big" / "ontology")
    dataset = pipeline.load(tmp_path / "big")
    view = project(build_graph(dataset).graph, dataset.ontology)
    entities = view.network.number_of_nodes()
    assert entities > LARGE_VIEW
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


# ------------------------------------------------------------------ readability

# Every drawn label, checked against what vis-network reports: its node's position and box
# (getPositions, getBoundingBox, canvasToDOM) and the width the browser measures for its text.
MEASURE = """(() => {
  const net = window.kgNetwork, area = document.getElementById('kg-network');
  const W = area.clientWidth, H = area.clientHeight;
  const ctx = document.createElement('canvas').getContext('2d');
  const shown = net.body.data.nodes.get({filter: n => !n.hidden}).map(n => n.id);
  const positions = net.getPositions(shown), centres = {}, boxes = {};
  shown.forEach(id => {
    const c = net.canvasToDOM(positions[id]);
    centres[id] = [c.x, c.y];
    const b = net.getBoundingBox(id);
    const a = net.canvasToDOM({x: b.left, y: b.top}), z = net.canvasToDOM({x: b.right, y: b.bottom});
    boxes[id] = [a.x, a.y, z.x, z.y];
  });
  const labels = window.kgLabels.map(l => {
    ctx.font = (l.bold ? 'bold ' : '') + l.px + 'px ' + window.kgLabelFace;
    const measured = Math.max(...l.lines.map(t => ctx.measureText(t).width));
    return {node: l.node, rect: [l.left, l.top, l.left + l.width, l.top + l.height], px: l.px,
            measured: measured, width: l.width, lines: l.lines.length, overNode: l.overNode};
  });
  const edgeLabels = window.kgEdgeLabels.map(
    l => ({edge: l.edge, rect: [l.left, l.top, l.left + l.width, l.top + l.height], px: l.px}));
  const visLabels = net.body.data.nodes.get().filter(n => n.label !== undefined).length;
  return {W: W, H: H, shown: shown, centres: centres, boxes: boxes, labels: labels, edgeLabels: edgeLabels,
          visLabels: visLabels, scale: net.getScale()};
})()"""


def _overlap(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5


def _gap(a: list[float], b: list[float]) -> float:
    dx = max(a[0] - b[2], b[0] - a[2], 0.0)
    dy = max(a[1] - b[3], b[1] - a[3], 0.0)
    return float((dx * dx + dy * dy) ** 0.5)


def check_labels(visit: Visit, every: bool) -> dict[str, Any]:
    """Fail on any overlapping, clipped, misplaced or too small label; with ``every``, on a missing one."""
    m = visit.evaluate(MEASURE)
    assert m["visLabels"] == 0  # vis-network draws no labels of its own that could overlap ours
    rects = [(f"node {label['node']}", label["rect"]) for label in m["labels"]]
    rects += [(f"edge {label['edge']}", label["rect"]) for label in m["edgeLabels"]]
    for (name_a, a), (name_b, b) in itertools.combinations(rects, 2):
        assert not _overlap(a, b), f"labels of {name_a} and {name_b} overlap: {a} {b}"
    for name, r in rects:
        assert r[0] >= 0 and r[1] >= 0 and r[2] <= m["W"] and r[3] <= m["H"], f"label of {name} is clipped: {r}"
    for label in m["labels"]:
        assert label["px"] >= 11, "labels are at least 11 px on screen at this zoom"
        assert abs(label["width"] - label["measured"] - 2) <= 2, "the drawn box is the measured text"
        own = m["boxes"][str(label["node"])]
        assert _gap(label["rect"], own) <= 6, f"label of node {label['node']} is not beside its node"
        x, y = m["centres"][str(label["node"])]
        r = label["rect"]
        assert r[0] - 1 <= x <= r[2] + 1 or r[1] - 1 <= y <= r[3] + 1, "below, above or beside its node's centre"
        if label["overNode"]:  # allowed for the selected entity, its neighbours and the best connected
            continue
        for other, box in m["boxes"].items():
            if other != str(label["node"]):
                assert not _overlap(label["rect"], box), f"label of node {label['node']} covers node {other}"
    if every:
        assert sorted(label["node"] for label in m["labels"]) == sorted(m["shown"]), "every entity is labelled"
        assert not any(label["overNode"] for label in m["labels"]), "a focused view has room for every label"
    return m


def _degrees(page: Path) -> dict[str, int]:
    data = json.loads(
        re.search(rb'<script type="application/json" id="kg-data">(.*?)</script>', page.read_bytes(), re.S)[1]
    )
    return {n[0]: n[4] for n in data["nodes"]}


def focused_views(project: Path, folder: Path) -> dict[str, Path]:
    """Three focused views of any project, chosen by its data: the neighbourhoods of the best
    connected entities with at most 30 neighbours, and the largest source view of at most 50
    entities (if there is one; else a third neighbourhood)."""
    whole = folder / "whole.html"
    assert run("viz", "--project", project, "-o", whole).exit_code == 0
    degrees = _degrees(whole)
    hubs = sorted((e for e, d in degrees.items() if d <= 30), key=lambda e: (-degrees[e], e))[:3]
    best = None
    for source in sorted(pipeline.load(project).sources):
        page = folder / "source.html"
        assert run("viz", "--project", project, "--source", source, "-o", page).exit_code == 0
        size = len(_degrees(page))
        if size <= 50 and (best is None or size > best[0]):
            best = (size, source)
    views = {f"focus-{hub}": ["--focus", hub, "--depth", "1"] for hub in hubs[: 2 if best else 3]}
    if best is not None:  # a project of one big source gets a third neighbourhood instead
        views[f"source-{best[1]}"] = ["--source", best[1]]
    pages = {}
    for name, args in views.items():
        page = folder / f"{name}.html"
        assert run("viz", "--project", project, *args, "-o", page).exit_code == 0
        pages[name] = page
    return pages


#: The label tests run on the fixture; KG_SCREENSHOTS=1 also runs them on this project's own
#: graph and writes its screenshots to tests/screenshots/ (committed, for people to look at).
PAGE_PROJECTS = ["musterland", *(["corpus"] if os.environ.get("KG_SCREENSHOTS") else [])]


@pytest.fixture(params=PAGE_PROJECTS)
def page_project(request: pytest.FixtureRequest, musterland_built: Path) -> Path:
    return musterland_built if request.param == "musterland" else ROOT


def screenshot(visit: Visit, name: str, project: Path) -> None:
    OUTPUT.mkdir(exist_ok=True)
    visit.page.screenshot(path=str(OUTPUT / f"{name}-{project.name}.png"))
    if project == ROOT:
        SCREENSHOTS.mkdir(exist_ok=True)
        visit.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def test_full_graph_labels_are_legible_and_never_overlap(browser: Any, page_project: Path) -> None:
    visit = Visit(browser, page_project / "exports" / "kg.html")
    m = check_labels(visit, every=False)
    # the most connected entities are labelled first; the rest appear on zooming in
    labelled = {label["node"] for label in m["labels"]}
    degrees = visit.evaluate("JSON.parse(document.getElementById('kg-data').textContent).nodes.map(n => n[4])")
    best = sorted(range(len(degrees)), key=lambda i: (-degrees[i], i))[:5]
    assert set(best) <= labelled
    screenshot(visit, "kg", page_project)
    missing = visit.evaluate("window.kgLabelsMissing")
    if missing:
        assert visit.page.locator("#kg-hidden").inner_text().startswith(f"{missing} Namen ausgeblendet")
        visit.evaluate("window.kgNetwork.moveTo({scale: window.kgNetwork.getScale() * 3})")
        visit.evaluate("window.kgNetwork.redraw()")
        zoomed = check_labels(visit, every=False)
        assert {label["node"] for label in zoomed["labels"]} - labelled, "zooming in shows hidden labels"


def test_legend_fits_without_a_scrollbar_and_groups_by_family(browser: Any, page_project: Path) -> None:
    visit = Visit(browser, page_project / "exports" / "kg.html")
    sizes = visit.evaluate(
        "(() => { const l = document.getElementById('kg-legend');"
        " return [l.scrollHeight, l.clientHeight, l.scrollWidth, l.clientWidth]; })()"
    )
    assert sizes[0] <= sizes[1] and sizes[2] <= sizes[3], sizes
    families = visit.page.locator("#kg-classes details").count()
    classes = visit.page.locator("#kg-classes li").count()
    data = visit.evaluate("JSON.parse(document.getElementById('kg-data').textContent)")
    assert classes == len(data["classes"])
    assert families == len({c[5] for c in data["classes"]})


def test_focused_views_label_every_entity_with_no_overlap(browser: Any, tmp_path: Path, page_project: Path) -> None:
    pages = focused_views(page_project, tmp_path)
    assert len(pages) == 3
    for name, page in pages.items():
        visit = Visit(browser, page)
        check_labels(visit, every=True)
        subtitle = visit.page.locator("#kg-subtitle").inner_text()
        assert subtitle.startswith(("Umgebung von ", "nur Angaben aus ")), subtitle
        text = visit.page.locator("body").inner_text()
        for english in ("within", "stated in", "Classes", "Search", "Source"):
            assert english not in text, f"English word {english!r} on a German page"
        screenshot(visit, name, page_project)
        visit.page.close()


def test_focused_views_of_a_generated_project_label_every_entity(browser: Any, tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_build import generate

    generate(tmp_path / "gen", 400)
    shutil.rmtree(tmp_path / "gen" / "ontology")
    shutil.copytree(ROOT / "ontology", tmp_path / "gen" / "ontology")
    for page in focused_views(tmp_path / "gen", tmp_path).values():
        visit = Visit(browser, page)
        check_labels(visit, every=True)
        visit.page.close()


def test_selected_node_shows_its_edge_labels_and_double_click_lays_out_its_neighbourhood(
    browser: Any, page_project: Path
) -> None:
    visit = Visit(browser, page_project / "exports" / "kg.html")
    assert visit.evaluate("window.kgEdgeLabels.length") == 0  # no edge labels until something is selected
    degrees = visit.evaluate("JSON.parse(document.getElementById('kg-data').textContent).nodes.map(n => n[4])")
    hub = max((i for i, d in enumerate(degrees) if d <= 30), key=lambda i: (degrees[i], -i))
    before = visit.evaluate("window.kgNetwork.getPositions()")
    box = visit.page.locator("#kg-network").bounding_box()
    where = visit.evaluate(f"window.kgNetwork.canvasToDOM(window.kgNetwork.getPositions([{hub}])[{hub}])")
    visit.page.mouse.dblclick(box["x"] + where["x"], box["y"] + where["y"])
    time.sleep(0.3)
    assert visit.page.locator("#kg-neighbourhood").is_checked()
    m = check_labels(visit, every=True)
    neighbours = visit.evaluate(
        f"(() => {{ const s = new Set([{hub}]); window.kgNetwork.getConnectedNodes({hub}).forEach(n => s.add(n));"
        " return [...s].sort((a, b) => a - b); })()"
    )
    assert sorted(m["shown"]) == neighbours
    assert m["scale"] >= 0.9  # readable: not the tiny corner of the whole network
    after = visit.evaluate("window.kgNetwork.getPositions()")
    assert any(after[str(i)] != before[str(i)] for i in neighbours)  # laid out afresh
    assert m["edgeLabels"], "the selected node's relations are named"
    visit.page.mouse.move(box["x"] + 2, box["y"] + 2)  # no tooltip in the picture
    time.sleep(0.3)
    screenshot(visit, "kg-neighbourhood", page_project)
    visit.page.click("#kg-reset")
    assert visit.evaluate("window.kgNetwork.getPositions()") == before  # the whole comes back as it was
