"""The hand-written numpy Fruchterman-Reingold that graph/layout.py used before igraph.

Kept only as the baseline of ``benchmarks/bench_viz.py``, which times it side by side with
:func:`graph.layout.force_layout` (igraph) in the same run. Its original description:

Node positions for large networks, computed before the page opens.

A browser that lays out thousands of nodes with physics takes minutes to settle (pyvis's
defaults: 42 s at 1 k nodes, 394 s at 5 k). For large views ``kg viz`` computes positions
here and turns physics off, so the page draws at once.

The algorithm is Fruchterman-Reingold's force-directed layout in its grid variant (from
their 1991 paper): edges pull their ends together, and each node is pushed away only by
nodes in its own and the neighbouring grid cells, which makes a step linear in the number
of nodes instead of quadratic. A weak pull towards the centre keeps components together.
Everything is vectorised with numpy and seeded, and sums are taken in a fixed order
(``numpy.bincount``), so the same network gives the same positions.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

Positions = npt.NDArray[np.float64]

_OFFSETS = ((0, 0), (1, -1), (1, 0), (1, 1), (0, 1))  # each pair of neighbouring cells once


def _close_pairs(pos: Positions, cell: float) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Index pairs ``(i, j)``, ``i != j``, of nodes in the same or adjacent grid cells (each pair once)."""
    grid = np.floor((pos - pos.min(axis=0)) / cell).astype(np.int64) + 1
    height = int(grid[:, 1].max()) + 3
    keys = grid[:, 0] * height + grid[:, 1]
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    firsts: list[npt.NDArray[np.intp]] = []
    seconds: list[npt.NDArray[np.intp]] = []
    for dx, dy in _OFFSETS:
        wanted = sorted_keys + dx * height + dy
        hi = np.searchsorted(sorted_keys, wanted, side="right")
        # within a cell, only its later members (each pair once)
        same = dx == 0 and dy == 0
        lo = np.arange(len(order)) + 1 if same else np.searchsorted(sorted_keys, wanted, side="left")
        counts = np.maximum(hi - lo, 0)
        total = int(counts.sum())
        if total == 0:
            continue
        starts = np.cumsum(counts) - counts
        positions = np.repeat(lo - starts, counts) + np.arange(total)
        firsts.append(order[np.repeat(np.arange(len(order)), counts)])
        seconds.append(order[positions])
    if not firsts:
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty
    return np.concatenate(firsts), np.concatenate(seconds)


def _far_push(pos: Positions, k: float, cells: int = 24) -> Positions:
    """Repulsion from distant nodes, approximated by the masses of a coarse grid's cells.

    Every node is pushed away from every other cell's centre of mass, weighted by the
    number of nodes in it; its own cell is left to the exact near-pair repulsion.
    """
    lo = pos.min(axis=0)
    size = np.maximum(pos.max(axis=0) - lo, 1e-9) / cells
    grid = np.minimum(((pos - lo) / size).astype(np.int64), cells - 1)
    cell = grid[:, 0] * cells + grid[:, 1]
    total = cells * cells
    mass = np.bincount(cell, minlength=total).astype(np.float64)
    sums: Positions = np.stack([np.bincount(cell, weights=pos[:, a], minlength=total) for a in (0, 1)], axis=1)
    occupied = np.flatnonzero(mass)
    weights = mass[occupied]
    centre: Positions = sums[occupied] / weights[:, None]
    delta = centre[:, None, :] - centre[None, :, :]
    dist2 = (delta * delta).sum(axis=2)
    np.fill_diagonal(dist2, np.inf)
    field: Positions = ((k * k * weights[None, :] / dist2)[:, :, None] * delta).sum(axis=1)
    where = np.searchsorted(occupied, cell)
    pushed: Positions = field[where]
    return pushed


def force_layout(
    count: int,
    edges: Sequence[tuple[int, int]],
    iterations: int = 60,
    seed: int = 1,
    spacing: float = 60.0,
) -> list[tuple[int, int]]:
    """Positions (whole pixels) for ``count`` nodes linked by ``edges`` (pairs of node indices).

    Args:
        count: Number of nodes.
        edges: Links between node indices; direction and duplicates do not matter.
        iterations: Steps of the simulation; it cools down linearly over them.
        seed: Seed of the random start positions.
        spacing: The ideal edge length in pixels.

    Returns:
        One ``(x, y)`` per node, centred on the origin.
    """
    if count == 0:
        return []
    rng = np.random.default_rng(seed)
    k = 1.0
    side = float(np.sqrt(count)) * k
    pos = rng.uniform(-side / 2, side / 2, size=(count, 2))
    pairs = np.array(sorted({(min(a, b), max(a, b)) for a, b in edges if a != b}), dtype=np.intp).reshape(-1, 2)
    src, dst = pairs[:, 0], pairs[:, 1]
    cutoff = 1.5 * k
    gravity = 0.05
    temperature = side / 10
    for step in range(iterations):
        disp = np.zeros_like(pos)
        i, j = _close_pairs(pos, cutoff)
        if len(i):
            delta = pos[i] - pos[j]
            dist = np.sqrt((delta * delta).sum(axis=1))
            near = (dist < cutoff) & (dist > 0)
            i, j, delta, dist = i[near], j[near], delta[near], dist[near]
            push = (k * k / (dist * dist))[:, None] * delta
            for axis in (0, 1):
                disp[:, axis] += np.bincount(i, weights=push[:, axis], minlength=count)
                disp[:, axis] -= np.bincount(j, weights=push[:, axis], minlength=count)
        disp += _far_push(pos, k)
        if len(src):
            delta = pos[src] - pos[dst]
            dist = np.sqrt((delta * delta).sum(axis=1))
            pull = (dist / k)[:, None] * delta
            for axis in (0, 1):
                disp[:, axis] -= np.bincount(src, weights=pull[:, axis], minlength=count)
                disp[:, axis] += np.bincount(dst, weights=pull[:, axis], minlength=count)
        disp -= gravity * pos
        length = np.sqrt((disp * disp).sum(axis=1))
        limit = temperature * (1 - step / iterations) + 0.01
        scale = np.where(length > limit, limit / np.maximum(length, 1e-12), 1.0)
        pos += disp * scale[:, None]
    pos -= pos.mean(axis=0)
    pixels = np.rint(pos * spacing).astype(np.int64)
    return [(int(x), int(y)) for x, y in pixels]
