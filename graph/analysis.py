"""Network analysis of the entity projection with networkx: ``kg stats`` and ``kg path``.

Both work on the same projection as ``kg viz`` (:mod:`graph.projection`), read as an
undirected graph: a connection is a connection whichever way the fact points ("the visit
had Klute as visitor" links Klute and the visit). Results are deterministic: nodes are
visited in sorted order and every random choice is seeded.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass
from typing import Any

import networkx as nx

from graph.errors import KGError
from graph.projection import Claim, Projection, resolve_entity

#: Above this many nodes, betweenness is estimated from this many sampled sources.
BETWEENNESS_SAMPLES = 500
SEED = 1


class NoConnection(KGError):
    """Two entities are not connected in the view."""

    exit_code = 1


@dataclass(frozen=True)
class Ranked:
    """An entity with a score."""

    id: str
    label: str
    cls: str
    value: float


@dataclass(frozen=True)
class Community:
    """A group of entities more connected among themselves than with the rest (Louvain)."""

    size: int
    members: tuple[Ranked, ...]


@dataclass(frozen=True)
class Stats:
    """What ``kg stats`` reports."""

    description: tuple[str, ...]
    nodes: int
    edges: int
    classes: tuple[tuple[str, str, int], ...]
    properties: tuple[tuple[str, str, int], ...]
    components: tuple[tuple[Ranked, ...], ...]
    degree: tuple[Ranked, ...]
    betweenness: tuple[Ranked, ...]
    betweenness_samples: int | None
    communities: tuple[Community, ...]
    modularity: float

    def as_json(self) -> dict[str, Any]:
        def ranked(items: tuple[Ranked, ...]) -> list[dict[str, Any]]:
            return [{"id": r.id, "label": r.label, "class": r.cls, "value": round(r.value, 6)} for r in items]

        return {
            "view": list(self.description),
            "entities": self.nodes,
            "relations": self.edges,
            "classes": [{"class": c, "label": label, "count": n} for c, label, n in self.classes],
            "properties": [{"property": p, "label": label, "count": n} for p, label, n in self.properties],
            "components": [{"size": len(c), "members": ranked(c[:10])} for c in self.components],
            "degree": ranked(self.degree),
            "betweenness": ranked(self.betweenness),
            "betweenness_samples": self.betweenness_samples,
            "communities": [{"size": c.size, "members": ranked(c.members)} for c in self.communities],
            "modularity": round(self.modularity, 6),
        }


def undirected(projection: Projection) -> nx.Graph:
    """The view as a simple undirected graph (nodes and edges in sorted order)."""
    simple = nx.Graph()
    # sorted: a focused view is a networkx subgraph, whose nodes come in set order (which
    # changes with string hashing from process to process), and Louvain and the sampled
    # betweenness depend on the order
    simple.add_nodes_from(sorted(projection.network.nodes))
    simple.add_edges_from(sorted({tuple(sorted((u, v))) for u, v in projection.network.edges() if u != v}))
    return simple


def _ranked(projection: Projection, scores: dict[str, float], top: int) -> tuple[Ranked, ...]:
    best = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:top]
    return tuple(Ranked(n, projection.label(n), projection.cls(n), float(v)) for n, v in best)


def compute_stats(projection: Projection, top: int = 10, lang: str = "de") -> Stats:
    """Counts, components, degree and betweenness leaders and communities of a view.

    Args:
        projection: The view.
        top: How many leaders (and members per community) to list.
        lang: Language of class and property labels.
    """
    network = projection.network
    simple = undirected(projection)
    class_counts = Counter(cls for _, cls in network.nodes(data="cls"))
    property_counts = Counter(key for _, _, key in network.edges(keys=True))
    classes = tuple(
        (c, projection.term_label(c, lang), n) for c, n in sorted(class_counts.items(), key=lambda i: (-i[1], i[0]))
    )
    properties = tuple(
        (p, projection.term_label(p, lang), n) for p, n in sorted(property_counts.items(), key=lambda i: (-i[1], i[0]))
    )
    degrees = dict(simple.degree())
    components = sorted(
        (sorted(c, key=lambda n: (-degrees[n], n)) for c in nx.connected_components(simple)),
        key=lambda c: (-len(c), c[0]),
    )
    ranked_components = tuple(
        tuple(Ranked(n, projection.label(n), projection.cls(n), degrees[n]) for n in c) for c in components
    )
    samples = None
    if simple.number_of_nodes() > BETWEENNESS_SAMPLES:
        samples = BETWEENNESS_SAMPLES
        betweenness = nx.betweenness_centrality(simple, k=samples, seed=SEED)
    else:
        betweenness = nx.betweenness_centrality(simple)
    if simple.number_of_edges():
        found = nx.community.louvain_communities(simple, seed=SEED)
        modularity = nx.community.modularity(simple, found)
    else:
        found, modularity = [{n} for n in simple], 0.0
    communities = tuple(
        Community(len(c), _ranked(projection, {n: degrees[n] for n in c}, top))
        for c in sorted(found, key=lambda c: (-len(c), min(c)))
    )
    return Stats(
        description=projection.description,
        nodes=network.number_of_nodes(),
        edges=network.number_of_edges(),
        classes=classes,
        properties=properties,
        components=ranked_components,
        degree=_ranked(projection, degrees, top),
        betweenness=_ranked(projection, betweenness, top),
        betweenness_samples=samples,
        communities=communities,
        modularity=modularity,
    )


def format_stats(stats: Stats, top: int = 10) -> str:
    """``kg stats`` as plain text tables."""
    lines = []
    if stats.description:
        lines.append(f"view: {'; '.join(stats.description)}")
    lines.append(f"{stats.nodes} entities, {stats.edges} relations, {len(stats.components)} connected components")
    lines += ["", "entities per class:"]
    lines += [f"  {n:6d}  {label} ({c})" for c, label, n in stats.classes]
    lines += ["", "relations per property:"]
    lines += [f"  {n:6d}  {label} ({p})" for p, label, n in stats.properties]
    lines += ["", "connected components (size: best-connected members):"]
    for component in stats.components[:top]:
        names = ", ".join(r.label for r in component[:5]) + (", …" if len(component) > 5 else "")
        lines.append(f"  {len(component):6d}: {names}")
    if len(stats.components) > top:
        lines.append(f"  … and {len(stats.components) - top} more")
    lines += ["", "degree (number of entities linked):"]
    lines += [f"  {int(r.value):6d}  {r.label} ({r.id})" for r in stats.degree]
    sampled = f", estimated from {stats.betweenness_samples} sources" if stats.betweenness_samples else ""
    lines += ["", f"betweenness (share of shortest paths through the entity{sampled}):"]
    lines += [f"  {r.value:6.3f}  {r.label} ({r.id})" for r in stats.betweenness]
    lines += ["", f"communities (Louvain, seed {SEED}; modularity {stats.modularity:.3f}):"]
    for community in stats.communities[:top]:
        names = ", ".join(r.label for r in community.members[:5]) + (", …" if community.size > 5 else "")
        lines.append(f"  {community.size:6d}: {names}")
    if len(stats.communities) > top:
        lines.append(f"  … and {len(stats.communities) - top} more")
    return "\n".join(lines)


# ------------------------------------------------------------------ paths


@dataclass(frozen=True)
class Link:
    """One fact between two neighbouring entities on a path, in its own direction."""

    subject: str
    predicate: str
    object: str
    claims: tuple[Claim, ...]


@dataclass(frozen=True)
class Hop:
    """A step of a path: from one entity to the next, with every fact that links them."""

    start: str
    end: str
    links: tuple[Link, ...]


def _hop(projection: Projection, a: str, b: str) -> Hop:
    network = projection.network
    links = [Link(a, key, b, data["claims"]) for key, data in sorted(network.get_edge_data(a, b, default={}).items())]
    if a != b:
        links += [
            Link(b, key, a, data["claims"]) for key, data in sorted(network.get_edge_data(b, a, default={}).items())
        ]
    return Hop(a, b, tuple(links))


def shortest_paths(
    projection: Projection, source: str, target: str, every: bool = False, limit: int = 20
) -> list[tuple[Hop, ...]]:
    """The shortest connections between two entities, each hop with the facts behind it.

    Args:
        projection: The view to search.
        source: Entity id (or exact name) to start from.
        target: Entity id (or exact name) to reach.
        every: All shortest paths (at most ``limit``), not only the first in sorted order.
        limit: The most paths to return with ``every``.

    Raises:
        SelectionError: For an unknown entity.
        NoConnection: When no path links the two.
    """
    a = resolve_entity(projection, source)
    b = resolve_entity(projection, target)
    simple = undirected(projection)
    try:
        found = nx.all_shortest_paths(simple, a, b)
        paths = sorted(found) if every else [min(found)]
    except nx.NetworkXNoPath:
        raise NoConnection(
            f"no connection between '{a}' and '{b}' in this view"
            + (f" ({'; '.join(projection.description)})" if projection.description else "")
        ) from None
    return [tuple(_hop(projection, x, y) for x, y in itertools.pairwise(path)) for path in paths[:limit]]


def format_paths(projection: Projection, paths: list[tuple[Hop, ...]], lang: str = "de") -> str:
    """Paths as text: each hop with its facts, their qualifiers, sources and quotes."""
    out = []
    for number, path in enumerate(paths, 1):
        if not path:
            continue
        first = path[0].start
        hops = len(path)
        header = f"{projection.label(first)} → {projection.label(path[-1].end)}: {hops} hop{'s' if hops != 1 else ''}"
        out.append(header if len(paths) == 1 else f"path {number}: {header}")
        for index, hop in enumerate(path, 1):
            out.append(f"{index}. {projection.label(hop.start)} — {projection.label(hop.end)}")
            for link in hop.links:
                out.append(
                    f"   {projection.label(link.subject)} —{projection.term_label(link.predicate, lang)}→ "
                    f"{projection.label(link.object)}"
                )
                for claim in link.claims:
                    if claim.qualifiers:
                        quals = ", ".join(f"{projection.term_label(q, lang)}: {v}" for q, v in claim.qualifiers)
                        out.append(f"     [{quals}]")
                    for evidence in claim.evidence:
                        source = projection.sources.get(evidence.source)
                        out.append(f"     source: {source.label if source else evidence.source}")
                        out.extend(f"       „{quote}“" for quote in evidence.quotes)
                        if evidence.note:
                            out.append(f"       note: {evidence.note}")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def paths_json(projection: Projection, paths: list[tuple[Hop, ...]], lang: str = "de") -> list[Any]:
    """Paths as JSON-ready data."""
    return [
        [
            {
                "from": hop.start,
                "to": hop.end,
                "facts": [
                    {
                        "subject": link.subject,
                        "predicate": link.predicate,
                        "label": projection.term_label(link.predicate, lang),
                        "object": link.object,
                        "statements": [
                            {
                                "qualifiers": dict(claim.qualifiers),
                                "evidence": [
                                    {"source": e.source, "quotes": list(e.quotes), "note": e.note}
                                    for e in claim.evidence
                                ],
                            }
                            for claim in link.claims
                        ],
                    }
                    for link in hop.links
                ],
            }
            for hop in path
        ]
        for path in paths
    ]
