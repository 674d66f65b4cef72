"""Network analysis of the entity projection with networkx: ``kg stats`` and ``kg path``.

Both work on the same projection as ``kg viz`` (:mod:`graph.projection`), read as an
undirected graph: a connection is a connection whichever way the fact points ("the visit
had Klute as visitor" links Klute and the visit). Results are deterministic: nodes are
visited in sorted order and every random choice is seeded.
"""

from __future__ import annotations

import itertools
import math
import random
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import networkx as nx

from graph.errors import KGError
from graph.projection import Claim, Projection, resolve_entity

if TYPE_CHECKING:
    import igraph

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
    """A group of entities more connected among themselves than with the rest (Leiden)."""

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
    # changes with string hashing from process to process), and the communities and the sampled
    # betweenness depend on the order
    simple.add_nodes_from(sorted(projection.network.nodes))
    simple.add_edges_from(sorted({tuple(sorted((u, v))) for u, v in projection.network.edges() if u != v}))
    return simple


def _numbered(simple: nx.Graph) -> igraph.Graph:
    """``simple`` as an igraph graph: node ``i`` is the ``i``-th node of ``simple``, edges in its order."""
    import igraph

    index = {node: i for i, node in enumerate(simple)}
    return igraph.Graph(n=len(index), edges=[(index[u], index[v]) for u, v in simple.edges()])


#: Digits a betweenness is rounded to, so that entities whose betweenness is the same are
#: ranked by id whichever order the sums were added up in.
BETWEENNESS_DIGITS = 12


def betweenness_of(simple: nx.Graph, numbered: igraph.Graph, samples: int | None) -> dict[str, float]:
    """The betweenness of each node of ``simple``, as ``networkx.betweenness_centrality``
    gives it (normalised, endpoints excluded; with ``samples``, estimated from that many
    source nodes drawn as networkx draws them with :data:`SEED`), computed by igraph, in C.

    igraph counts the paths between each unordered pair of nodes once, networkx both ways;
    the scale is networkx's (its ``_rescale``, which scales a sampled source by one fewer
    source than the others: it cannot be on its own paths). The values are rounded to
    :data:`BETWEENNESS_DIGITS` digits.

    Args:
        simple: The undirected view.
        numbered: ``simple`` as :func:`_numbered` makes it.
        samples: How many sources to estimate from, or ``None`` for all (exact).
    """
    nodes = list(simple)
    pairs = len(nodes) - 2  # a node is on the paths between the others: (n - 1)(n - 2) ordered pairs
    if pairs < 1:
        return dict.fromkeys(nodes, 0.0)
    if samples is None:
        raw = numbered.betweenness(directed=False)
        scales = [2 / ((pairs + 1) * pairs)] * len(nodes)
    else:
        index = {node: i for i, node in enumerate(nodes)}
        sources = [index[n] for n in random.Random(SEED).sample(nodes, samples)]
        raw = numbered.betweenness(directed=False, sources=sources)
        sampled = set(sources)
        source, other = 2 / ((samples - 1) * pairs) if samples > 1 else math.nan, 2 / (samples * pairs)
        scales = [source if i in sampled else other for i in range(len(nodes))]
    scaled = zip(nodes, raw, scales, strict=True)
    return {node: round(value * scale, BETWEENNESS_DIGITS) for node, value, scale in scaled}


def communities_of(simple: nx.Graph, numbered: igraph.Graph) -> tuple[list[set[str]], float]:
    """Communities of ``simple`` and their modularity, by igraph's Leiden method (Traag,
    Waltman and van Eck 2019; Louvain's successor: it optimises the same modularity, and
    each community it finds is connected), in C, iterated until nothing changes, with its
    random numbers drawn from a generator seeded with :data:`SEED`: the same view gives
    the same communities."""
    import igraph

    nodes = list(simple)
    igraph.set_random_number_generator(random.Random(SEED))
    try:
        clustering = numbered.community_leiden(objective_function="modularity", n_iterations=-1)
    finally:
        igraph.set_random_number_generator(random)
    found = [{nodes[i] for i in members} for members in clustering]
    return found, float(clustering.modularity)


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
    numbered = _numbered(simple)
    samples = BETWEENNESS_SAMPLES if simple.number_of_nodes() > BETWEENNESS_SAMPLES else None
    betweenness = betweenness_of(simple, numbered, samples)
    if simple.number_of_edges():
        found, modularity = communities_of(simple, numbered)
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
    lines += ["", f"communities (Leiden, seed {SEED}; modularity {stats.modularity:.3f}):"]
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
