"""Node positions for the network page, computed before the page opens.

Every view gets its positions here, so the page draws at once and the same network always
gets the same picture (no physics runs in the browser; the page only nudges nodes apart
where their labels would overlap, see ``templates/viz.js``).

The layout is igraph's Fruchterman-Reingold (python-igraph, a kept C library): exact
repulsion below 400 nodes, its grid variant from there on. It replaced a hand-written numpy
version that took 2.5 to 6.6 times longer for an eighth of the iterations, with a picture
of about the same quality (``benchmarks/bench_viz.py`` runs both side by side). The start
positions come from a seeded numpy generator and igraph's own random numbers (used when
two nodes coincide) from a seeded :class:`random.Random`, so the same network gives
byte-identical positions.
Components are laid out one by one and packed in rows, largest first: Fruchterman-Reingold
has no gravity, so a lone node would otherwise drift far away and shrink the picture.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from itertools import chain

import numpy as np

from graph import layoutcache

#: From this many nodes on, igraph's grid variant (approximate, near-linear) is used.
GRID_FROM = 400
#: Views with more nodes than this are "large": no label-aware spacing, straight edges, a preview.
LARGE_VIEW = 400
#: Median edge length of the layout in pixels (at zoom 1), small and large views.
SPACING = 110.0
LARGE_SPACING = 60.0


def page_spacing(count: int) -> float:
    """The median edge length of the layout of a view of ``count`` nodes, in pixels."""
    return LARGE_SPACING if count > LARGE_VIEW else SPACING


def _component_layout(count: int, pairs: list[tuple[int, int]], seed: int, iterations: int) -> np.ndarray:
    """Fruchterman-Reingold positions of one connected component (unit ideal edge length)."""
    import igraph

    if count == 1:
        return np.zeros((1, 2))
    # a square of side sqrt(n), as igraph starts itself: its grid variant slows down on wider starts
    start = np.random.default_rng(seed).uniform(-0.5, 0.5, size=(count, 2)) * math.sqrt(count)
    network = igraph.Graph(n=count, edges=pairs)
    igraph.set_random_number_generator(random.Random(seed))
    try:
        layout = network.layout_fruchterman_reingold(
            seed=start.tolist(), niter=iterations, grid="grid" if count >= GRID_FROM else "nogrid"
        )
    finally:
        igraph.set_random_number_generator(random)
    return np.array(layout.coords, dtype=np.float64)


def _pairs(edges: Sequence[tuple[int, int]]) -> np.ndarray:
    """The distinct links of ``edges`` as ``(smaller, larger)`` rows, sorted, without loops.

    Each row is made one number (``smaller * width + larger``) to be sorted and made unique:
    the same rows as ``numpy.unique(rows, axis=0)``, in the same order, twice as fast (0.07 s
    for the page's 85,000 links at a million triples).
    """
    flat = np.fromiter(chain.from_iterable(edges), dtype=np.int64, count=2 * len(edges)).reshape(-1, 2)
    smaller, larger = np.minimum(flat[:, 0], flat[:, 1]), np.maximum(flat[:, 0], flat[:, 1])
    linked = smaller != larger
    smaller, larger = smaller[linked], larger[linked]
    width = int(larger.max()) + 1 if len(larger) else 1
    codes = np.unique(smaller * width + larger)
    return np.stack([codes // width, codes % width], axis=1)


def _components(count: int, pairs: np.ndarray) -> list[np.ndarray]:
    """Node indices per connected component (ascending), largest first (ties: by smallest index)."""
    import igraph

    membership = np.asarray(igraph.Graph(n=count, edges=pairs.tolist()).connected_components().membership)
    by_component = np.argsort(membership, kind="stable")  # each component's nodes stay in ascending order
    groups = np.split(by_component, np.cumsum(np.bincount(membership))[:-1])
    return sorted(groups, key=lambda g: (-len(g), int(g[0])))


def force_layout(
    count: int,
    edges: Sequence[tuple[int, int]],
    iterations: int = 500,
    seed: int = 1,
    spacing: float = 60.0,
) -> list[tuple[int, int]]:
    """Positions (whole pixels) for ``count`` nodes linked by ``edges`` (pairs of node indices).

    Args:
        count: Number of nodes.
        edges: Links between node indices; direction and duplicates do not matter.
        iterations: Steps of the simulation per component.
        seed: Seed of the start positions and of igraph's random numbers.
        spacing: The median edge length in pixels.

    Returns:
        One ``(x, y)`` per node, centred on the origin.
    """
    if count == 0:
        return []
    pairs = _pairs(edges)
    parameters = f"fruchterman-reingold {GRID_FROM} {iterations} {seed} {spacing!r}"
    return layoutcache.remembered(count, pairs, parameters, lambda: _layout(count, pairs, iterations, seed, spacing))


def _layout(count: int, pairs: np.ndarray, iterations: int, seed: int, spacing: float) -> list[tuple[int, int]]:
    pos = np.zeros((count, 2))
    placed: list[tuple[np.ndarray, np.ndarray]] = []
    lengths: list[np.ndarray] = []
    components = _components(count, pairs)
    member = np.zeros(count, dtype=np.int64)
    local = np.zeros(count, dtype=np.int64)
    for c, component in enumerate(components):
        member[component] = c
        local[component] = np.arange(len(component))
    # each component's links in local indices, in the order of ``pairs`` (igraph's result depends on it)
    by_component = np.argsort(member[pairs[:, 0]], kind="stable")
    counts = np.bincount(member[pairs[:, 0]], minlength=len(components))
    within = np.split(local[pairs[by_component]], np.cumsum(counts)[:-1])
    for component, inner in zip(components, within, strict=True):
        coords = _component_layout(len(component), inner.tolist(), seed, iterations)
        coords -= coords.mean(axis=0)
        placed.append((component, coords))
        if len(inner):
            dx, dy = (coords[inner[:, 0]] - coords[inner[:, 1]]).T
            # sqrt(dx² + dy²) by element-wise operations, each rounded once: the same
            # floats as numpy.linalg.norm of each difference, without a call per edge
            lengths.append(np.sqrt(dx * dx + dy * dy))
    unit = spacing / (float(np.median(np.concatenate(lengths))) if lengths else 1.0)
    # pack the components in rows about as wide as the packing is high (or the largest is wide)
    gap = 1.5 * spacing
    extents = [np.ptp(coords, axis=0) * unit + gap for _, coords in placed]
    area = sum(float(w * h) for w, h in extents)
    width = max(float(extents[0][0]) - gap, math.sqrt(area), spacing)
    x = y = row_height = 0.0
    first = True
    for component, coords in placed:
        coords = coords * unit
        size = np.ptp(coords, axis=0) if len(coords) > 1 else np.zeros(2)
        if not first and x + size[0] > width:
            x, y, row_height = 0.0, y + row_height + gap, 0.0
        pos[component] = coords - coords.min(axis=0) + (x, y)
        x += float(size[0]) + gap
        row_height = max(row_height, float(size[1]))
        first = False
    pos -= (pos.min(axis=0) + pos.max(axis=0)) / 2
    pixels = np.rint(pos).astype(np.int64)
    return [(int(px), int(py)) for px, py in pixels]
