"""The Python API: a project as an rdflib graph, a networkx network and named questions.

Reached through ``graph.load`` (see :mod:`graph`); the commands of ``kg`` do the same
steps one at a time.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from graph import engine, pipeline
from graph.build import build_graph
from graph.dataset import Dataset
from graph.errors import QueryError
from graph.project import ontology_files
from graph.projection import Projection, project, select
from graph.query import bind_parameters, prefixes_for, resolve_query, segments
from graph.sparql import check_query

Row = dict[str, Node]
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


class KnowledgeGraph:
    """A loaded project: its sources read and resolved, its graph built in memory.

    Nothing is written and nothing is read from ``exports/``: the graph is built from
    ``sources/`` as ``kg build`` would (without the quote and SHACL checks of ``kg validate``).

    Attributes:
        dataset: The resolved sources (entities, facts, sources, the ontology).
    """

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset

    def __repr__(self) -> str:
        return f"<KnowledgeGraph {self.dataset.project.root}: {len(self.graph)} triples>"

    @functools.cached_property
    def graph(self) -> Graph:
        """The RDF graph, as in ``exports/kg.ttl`` (an ``rdflib.Graph``)."""
        return build_graph(self.dataset).graph

    @functools.cached_property
    def projection(self) -> Projection:
        """The entity projection that ``kg viz``, ``kg stats`` and the GraphML export show."""
        return project(self.graph, self.dataset.ontology)

    @property
    def network(self) -> Any:
        """The entity network: a ``networkx.MultiDiGraph`` keyed by entity id (see :mod:`graph.projection`)."""
        return self.projection.network

    def view(self, **filters: Any) -> Projection:
        """A part of the projection, with the filters of ``kg viz``.

        Args:
            **filters: ``focus``, ``depth``, ``types``, ``sources``, ``as_of``, ``undated``
                (see :func:`graph.projection.select`).

        Raises:
            SelectionError: For an unknown entity, class or source, or a bad date.
        """
        return select(self.projection, **filters)

    def query(self, query: str, **params: str) -> list[Row]:
        """Run a named question (``kg queries``) or a SPARQL SELECT on the graph and its ontology.

        Args:
            query: A name from :func:`graph.queries`, or the text of a SELECT query (the
                prefixes of ``kg query`` need no PREFIX line).
            **params: Values bound to variables, as ``kg query --param NAME=VALUE`` takes
                them (an entity id, ``<iri>``, ``"text"@de``, a number …).

        Returns:
            One dict per row, from variable to term (``rdflib`` URIRef, Literal or BNode);
            unbound variables are left out.

        Raises:
            QueryError: For an unknown name, a bad query or parameter, or a query that is
                not a SELECT.
        """
        if any(c.isspace() or c == "{" for c in query):
            text, named = query, None
        else:
            text, named = resolve_query(query)  # a name, or a .rq file
        prefixes = prefixes_for(self.dataset.project.base, segments(self._store))
        info = check_query(text, prefixes)
        if info.form != "SELECT":
            raise QueryError(f"{info.form} does not return rows; run it with 'kg query' or on .graph")
        pairs = [f"{name}={value}" for name, value in params.items()]
        bound = bind_parameters(pairs, info, named, self._store, self.dataset.project.base, prefixes)
        try:
            solutions = engine.run(self._store, info.text, prefixes, bound)
        except engine.EngineError as exc:
            raise QueryError(str(exc), exc.line, exc.column) from None
        assert isinstance(solutions, ox.QuerySolutions)
        names = [v.value for v in solutions.variables]
        return [_row(names, solution) for solution in solutions]

    @functools.cached_property
    def _store(self) -> ox.Store:
        store = ox.Store()
        store.load(self.graph.serialize(format="nt", encoding="utf-8"), ox.RdfFormat.N_TRIPLES)
        for path in ontology_files(self.dataset.project.ontology_dir):
            store.load(path=str(path), format=ox.RdfFormat.TURTLE)
        return store


def _row(names: Sequence[str], solution: ox.QuerySolution) -> Row:
    row: Row = {}
    for name in names:
        term = solution[name]
        if term is not None:
            row[name] = _rdflib_term(term)
    return row


def _rdflib_term(term: Any) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    assert isinstance(term, ox.Literal)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == _XSD_STRING:
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def load(project: Path | str = ".") -> KnowledgeGraph:
    """Read and resolve a project's ``sources/`` (both phases; every problem at once).

    Raises:
        SourceError: With one problem per line when the sources have mistakes.
        ConfigError: When the project or its ontology is missing or broken.
    """
    return KnowledgeGraph(pipeline.load(project))


def query_names() -> Mapping[str, str]:
    """The named questions: name -> the question in English."""
    from graph.library import library

    return {name: named.question_en for name, named in library().items()}
