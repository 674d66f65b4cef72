"""Namespaces: our ontology terms used by code, and the prefixes written to exports.

Only the few terms the code itself needs are listed in :class:`NIK`; everything else
is read from ``ontology/*.ttl`` at run time. ``_fail = True`` makes a misspelt term an
``AttributeError`` instead of a silently new IRI; ``tests/test_ontology.py`` checks that
every term listed here is defined in the ontology.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from rdflib import URIRef
from rdflib.namespace import DefinedNamespace, Namespace
from rdflib.term import Node

from graph import iris

ONTOLOGY_IRI = URIRef(iris.ONTOLOGY)


NOT_IN_IRIS = '<>" {}|\\^`'
"""The characters rdflib's ``URIRef`` warns about."""


def iri_maker(namespace: str) -> Callable[[str], URIRef]:
    """``URIRef`` for IRIs made of ``namespace`` and a name that has none of :data:`NOT_IN_IRIS`
    (a hexadecimal digest, a slug).

    ``URIRef(value)`` checks ``value`` for the characters no IRI has (and warns) and then
    makes the string; such a name adds none, so the check of the namespace, done here once,
    stands for all, and each IRI is made as ``URIRef`` makes it, in a third of the time.
    """
    if any(char in namespace for char in NOT_IN_IRIS):
        return URIRef  # it warns, every time, as it does
    return functools.partial(str.__new__, URIRef)


def local_name(iri: Node | str) -> str:
    """The part of an IRI after its last ``#`` or ``/`` (entity ids, class and property names)."""
    text = str(iri)
    return text[max(text.rfind("#"), text.rfind("/")) + 1 :]


class NIK(DefinedNamespace):
    """Terms of our ontology that the code refers to by name."""

    _NS = Namespace(iris.NIK)
    _fail = True

    Entity: URIRef
    SourceDocument: URIRef
    Statement: URIRef
    Reference: URIRef
    TemporalValue: URIRef
    lexicalDatatype: URIRef
    iriSegment: URIRef
    statedIn: URIRef
    quote: URIRef
    curatorNote: URIRef
    mentions: URIRef
    language: URIRef
    sha256: URIRef
    title: URIRef


#: Prefixes bound in every export, in the order they are declared (from :data:`graph.iris.PREFIXES`).
PREFIXES: dict[str, Namespace] = {prefix: Namespace(iri) for prefix, iri in iris.PREFIXES.items()}
