"""NRW integration knowledge graph: curated, sourced facts as RDF.

The import name is ``graph``; the command-line tool is ``kg`` (see :mod:`graph.cli`).
Everything ``kg`` does is also a Python call. :func:`load` reads a project (the folder
with ``sources/``, ``ontology/`` and ``exports/``) and builds its graph in memory, as
``kg build`` does, without writing anything:

>>> import graph
>>> kg = graph.load(project)  # the folder; "." when you are in it
>>> kg.graph                  # an rdflib.Graph  # doctest: +ELLIPSIS
<Graph identifier=... (<class 'rdflib.graph.Graph'>)>
>>> from rdflib import RDFS, Literal
>>> person = kg.graph.value(predicate=RDFS.label, object=Literal("Erika Beispiel", lang="de"))
>>> person.n3()
'<https://example.org/kg/person/erika-beispiel>'

The entity network of ``kg viz`` and the GraphML export is a networkx ``MultiDiGraph``
keyed by entity id, with the label, the class and the facts between entities (each with
its sources and quotes, see :mod:`graph.projection`):

>>> kg.network.nodes["erika-beispiel"]["label"]
'Erika Beispiel'
>>> sorted(kg.network.successors("erika-beispiel"))
['xyz']

A named question (``kg queries`` lists them; :func:`queries` too) or any SELECT query
gives one dict per row, from variable to rdflib term; parameters are keyword arguments,
as ``kg query NAME --param NAME=VALUE`` takes them:

>>> "party-members" in graph.queries()
True
>>> [(str(row["name"]), str(row["partyName"])) for row in kg.query("party-members")]
[('Erika Beispiel', 'XYZ')]
>>> rows = kg.query("SELECT ?name WHERE { ?p a nik:Politician ; rdfs:label ?name }")
>>> [str(row["name"]) for row in rows]
['Erika Beispiel']
>>> len(kg.query("party-members", party="xyz"))
1

Modules are imported on first use, so ``import graph`` itself stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["KnowledgeGraph", "load", "queries"]

if TYPE_CHECKING:
    from graph.api import KnowledgeGraph, load
    from graph.api import query_names as queries

_LAZY = {
    "KnowledgeGraph": ("graph.api", "KnowledgeGraph"),
    "load": ("graph.api", "load"),
    "queries": ("graph.api", "query_names"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module, attribute = _LAZY[name]
        return getattr(importlib.import_module(module), attribute)
    raise AttributeError(f"module 'graph' has no attribute {name!r}")
