"""Namespaces: our ontology terms used by code, and the prefixes written to exports.

Only the few terms the code itself needs are listed in :class:`NIK`; everything else
is read from ``ontology/*.ttl`` at run time. ``_fail = True`` makes a misspelt term an
``AttributeError`` instead of a silently new IRI; ``tests/test_ontology.py`` checks that
every term listed here is defined in the ontology.
"""

from __future__ import annotations

from rdflib import URIRef
from rdflib.namespace import (
    DCTERMS,
    FOAF,
    ORG,
    OWL,
    PROV,
    RDF,
    RDFS,
    SDO,
    SKOS,
    XSD,
    DefinedNamespace,
    Namespace,
)

ONTOLOGY_IRI = URIRef("https://w3id.org/nrw-integration-kg/ontology")


class NIK(DefinedNamespace):
    """Terms of our ontology that the code refers to by name."""

    _NS = Namespace("https://w3id.org/nrw-integration-kg/ontology#")
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


#: Prefixes bound in every export, in the order they are declared.
PREFIXES: dict[str, Namespace] = {
    "nik": Namespace(str(NIK)),
    "rdf": Namespace(str(RDF)),
    "rdfs": Namespace(str(RDFS)),
    "xsd": Namespace(str(XSD)),
    "owl": Namespace(str(OWL)),
    "skos": Namespace(str(SKOS)),
    "dct": Namespace(str(DCTERMS)),
    "schema": Namespace(str(SDO)),
    "org": Namespace(str(ORG)),
    "foaf": Namespace(str(FOAF)),
    "prov": Namespace(str(PROV)),
}
