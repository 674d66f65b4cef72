"""The part of the graph an edit of a few articles reaches, built instead of the whole graph.

After an edit of one article of thousands, a build writes its ``kg.nt`` from the last
one, with the lines of the changed articles' subjects written again
(:mod:`graph.ntsplice`), and validates only the nodes the changed lines reach, taking the
last build's results for the rest (:mod:`graph.changes`). Neither reads the whole graph:
the splice reads the triples of the subjects written again, the search for the nodes to
validate reads the triples around the nodes it steps through, and the validation reads
the triples of the nodes it checks. A build whose graph is the whole graph's part that
has all those triples writes and finds what a build of the whole graph would: a tenth of
the triples, or less, after such an edit.

The part is made of facts (:func:`start`), chosen so that some nodes are **complete**
in it: every triple of the whole graph with such a node as its subject or object is in
the part's graph. A node's triples come from the facts that name it (as subject, object
or qualifier value), from every fact of its source (a source mentions what its facts
name), from the facts of its subject (a statement node: its facts share its subject) and
from the facts of its source (a reference: stated in one source), and from the entity and
source declarations, which every part has. So the facts that name a node, or whose
source it is, make it complete (:meth:`Part.complete`); a statement or reference node is
made complete by its subject's or its source's facts.

The first part (:func:`start`) makes complete the subjects the changed articles made
before (as the last build kept them, see :attr:`graph.projectioncache.Inputs.subjects`)
and what they make now: their sources, the entities they declare, and what their facts
name. The subjects written again are among those, or are their references and
statements, whose triples come from the changed articles' facts and from facts with the
same subject: every one of them is in the part. Then the build asks for the nodes the
search for what to validate steps through, and for the nodes it validates
(:meth:`Part.complete`), and searches again in the larger part until every node it read
was complete when it read it: then it read what it would have read in the whole graph.

Some totals of the whole graph are needed where its part stands in: how many triples it
has (``kg.nt``'s lines: the last build's and those the splice added and removed), and
which predicates and types it uses (which prefixes its Turtle and JSON-LD declare): see
:class:`graph.changes.Census`.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from dataclasses import replace as replaced
from typing import TYPE_CHECKING, Any

from rdflib import URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from graph.build import BuiltGraph, build_graph
from graph.errors import KGError
from graph.namespace import NIK

if TYPE_CHECKING:
    from graph.dataset import Dataset, Fact

_TYPE, _SUBJECT, _STATED_IN = RDF.type, RDF.subject, NIK.statedIn
#: Most facts a part may have, as a share of all facts: a larger part is built whole instead.
MOST_SHARE = 0.5


class WholeNeeded(KGError):
    """Raised where something needs the whole graph, not the part built (see :mod:`graph.partbuild`):
    the build builds the whole graph and starts again."""


@dataclass
class Part:
    """The facts of a part of ``dataset``'s graph, its graph, and the nodes complete in it.

    Attributes:
        dataset: The whole dataset.
        changed: The names of the changed article files (as :class:`graph.projectioncache.Inputs` has them).
        built: The graph of the chosen facts.
        chosen: The indexes in ``dataset.facts`` of the facts in the part.
        done: The nodes complete in ``built`` (see the module docstring).
        builds: How many times the part's graph was built.
    """

    dataset: Dataset
    changed: frozenset[str]
    built: BuiltGraph
    chosen: set[int]
    done: set[Node] = field(default_factory=set)
    builds: int = 1

    def complete(self, nodes: Iterable[Node]) -> bool:
        """Make each of ``nodes`` complete: whether they all were already (if not, the part's
        graph is built again with the facts that were missing).

        Raises:
            WholeNeeded: For a statement or reference node the part lacks that may be in the
                whole graph, or when the part grows past :data:`MOST_SHARE` of the facts.
        """
        todo = {node for node in nodes if isinstance(node, URIRef) and node not in self.done}
        if not todo:
            return True
        graph = self.built.graph
        statements, references = _namespaces(self.dataset)
        wanted: set[Node] = set(todo)
        for node in todo:
            if (node, _TYPE, NIK.Statement) in graph:
                wanted.update(graph.objects(node, _SUBJECT))
            elif (node, _TYPE, NIK.Reference) in graph:
                wanted.update(graph.objects(node, _STATED_IN))
            elif str(node).startswith((statements, references)):
                raise WholeNeeded(f"{node} is not in the part of the graph built")
        self.done |= wanted
        more = {index for index in _naming(self.dataset, wanted) if index not in self.chosen}
        if not more:
            return True
        self.chosen |= more
        self.built = _build(self.dataset, self.chosen)
        self.builds += 1
        return False


def start(dataset: Dataset, changed: Collection[str], kept: Mapping[str, bytes]) -> Part:
    """The first part of the graph of ``dataset`` after the article files ``changed`` (their
    names as :class:`graph.projectioncache.Inputs` has them), with ``kept``, the subjects
    the last build kept of each article (see the module docstring).

    Raises:
        WholeNeeded: When the part would have more than :data:`MOST_SHARE` of the facts.
    """
    folder = os.path.abspath(dataset.project.sources_dir)
    names = set(changed)

    # by the path object (the locations of one file share it, and the dataset keeps them
    # alive): relpath for each of 29,140 entities and sources took 0.1 s at a million triples
    known: dict[int, bool] = {}

    def named(path: os.PathLike[str] | str) -> bool:
        found = known.get(id(path))
        if found is None:
            found = known[id(path)] = f"sources/{os.path.relpath(path, folder)}" in names
        return found

    again: set[Node] = {URIRef(key[1:-2].decode()) for name in names for key in kept.get(name, b"").split(b"\n") if key}
    sources = {source.id for source in dataset.sources.values() if named(source.path)}
    again.update(dataset.sources[id_].iri for id_ in sources)
    again.update(entity.iri for entity in dataset.entities.values() if named(entity.location.path))
    chosen: set[int] = set()
    for index, fact in enumerate(dataset.facts):
        if fact.source in sources:
            again.update(_named_by(fact))
            chosen.add(index)
    chosen.update(_naming(dataset, again))
    part = Part(dataset, frozenset(names), _build(dataset, chosen), chosen)
    part.done |= again
    return part


def _named_by(fact: Fact) -> list[Node]:
    """The IRIs ``fact`` names: its subject, object and qualifier values."""
    found: list[Node] = [fact.subject]
    if isinstance(fact.object, URIRef):
        found.append(fact.object)
    found.extend(value for _, value in fact.qualifiers if isinstance(value, URIRef))
    return found


def _naming(dataset: Dataset, nodes: Collection[Node]) -> set[int]:
    """The indexes of the facts that name one of ``nodes`` or whose source is one of them."""
    sources = {id_ for id_, source in dataset.sources.items() if source.iri in nodes}
    return {
        index
        for index, fact in enumerate(dataset.facts)
        if fact.subject in nodes
        or fact.source in sources
        or (isinstance(fact.object, URIRef) and fact.object in nodes)
        or (fact.qualifiers and any(value in nodes for _, value in fact.qualifiers))
    }


def _build(dataset: Dataset, chosen: Collection[int]) -> BuiltGraph:
    """The graph of the facts ``chosen`` of ``dataset`` (in their order), with every entity and source."""
    if len(chosen) > max(1, MOST_SHARE * len(dataset.facts)):
        raise WholeNeeded(f"the part would have {len(chosen)} of {len(dataset.facts)} facts")
    facts = dataset.facts
    return build_graph(replaced(dataset, facts=tuple(facts[index] for index in sorted(chosen))))


def _namespaces(dataset: Dataset) -> tuple[str, str]:
    """Where the IRIs of statement and reference nodes start (see :func:`graph.build.build_graph`)."""
    ontology, base = dataset.ontology, dataset.project.base
    return (
        f"{base}{ontology.class_of(NIK.Statement).segment}/",
        f"{base}{ontology.class_of(NIK.Reference).segment}/",
    )


#: The fields of :class:`graph.build.BuiltGraph` (a test checks that these are all).
_BUILT_FIELDS = frozenset(("graph", "origins", "statements", "references", "metadata", "facts", "sourced"))


class WholeLater(BuiltGraph):
    """The whole graph of a dataset, built when one of its fields is first read: what a
    build that built only a part of its graph returns, so that a caller of
    :func:`graph.pipeline.build` that reads the graph gets all of it."""

    def __init__(self, dataset: Dataset) -> None:  # the fields come from the graph built later
        object.__setattr__(self, "_dataset", dataset)
        object.__setattr__(self, "_whole", None)

    def __getattribute__(self, name: str) -> Any:
        if name not in _BUILT_FIELDS:
            return object.__getattribute__(self, name)
        whole = object.__getattribute__(self, "_whole")
        if whole is None:
            whole = build_graph(object.__getattribute__(self, "_dataset"))
            object.__setattr__(self, "_whole", whole)
        return getattr(whole, name)
