"""The projection after a small edit, made from a graph of the facts it reads.

:func:`graph.projection.patch` re-reads from the graph only the entities that the changed
sources touch: their statements, and every entity's and source's own triples. So a build
need not wait for its whole graph to patch the projection: :func:`patched` builds a graph
of only those facts (with :mod:`graph.build`, so the same triples as the whole graph's for
them), which a build's worker does while the build process builds the whole graph.

Which entities the patch touches is known once it has looked, so the graph is made in two
steps. First: every entity and source with its own triples, the facts of the changed
sources, and the facts about entities and source documents that came or went; that is all
:func:`graph.projection.touched_by` reads, so it finds the same entities as on the whole
graph. Then the facts about those entities are added, and the patch reads them.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from rdflib.term import Node, URIRef

from graph.dataset import Dataset, Fact
from graph.projection import Projection, patch, touched_by


def patched(earlier: Projection, dataset: Dataset, changed: Collection[str]) -> Projection | None:
    """``patch(earlier, build_graph(dataset).graph, dataset.ontology, changed)``, read from a
    graph of the facts it needs (``None`` where that gives ``None``).

    Raises:
        KGError: As :func:`graph.build.build_graph` (a hash collision).
    """
    from graph.build import add_facts, build_graph

    changed = set(changed)
    iris = {entity.id: entity.iri for entity in dataset.entities.values()}
    before = {id_: URIRef(data["iri"]) for id_, data in earlier.entities()}
    around: set[Node] = {iris.get(id_) or before[id_] for id_ in before.keys() ^ iris.keys()}
    around |= {URIRef(info.iri) for info in earlier.sources.values()} ^ {s.iri for s in dataset.sources.values()}
    first = [f for f in dataset.facts if f.source in changed or _about(f, around)]
    graph = build_graph(replace(dataset, facts=tuple(first))).graph
    touched = touched_by(earlier, graph, dataset.ontology, changed)
    if touched is None:
        return None
    more: set[Node] = {iris[id_] for id_ in touched if id_ in iris}
    added = tuple(f for f in dataset.facts if _about(f, more) and not (f.source in changed or _about(f, around)))
    add_facts(graph, replace(dataset, facts=added))
    return patch(earlier, graph, dataset.ontology, changed, touched)


def _about(fact: Fact, nodes: set[Node]) -> bool:
    """Whether ``fact``'s subject or object is one of ``nodes`` (a literal object never is)."""
    return fact.subject in nodes or (type(fact.object) is URIRef and fact.object in nodes)
