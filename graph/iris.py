"""The IRIs of our namespaces as plain strings, for code that must start without rdflib.

:mod:`graph.namespace` builds its rdflib namespaces from these; ``kg query`` uses them
directly, so that answering a question already answered needs no rdflib at all
(``tests/test_startup.py``). ``tests/test_ontology.py`` checks them against rdflib's.
"""

from __future__ import annotations

NIK = "https://w3id.org/nrw-integration-kg/ontology#"
ONTOLOGY = "https://w3id.org/nrw-integration-kg/ontology"
#: ``nik:iriSegment``: the IRI segment of a class's entities (person, place, …).
IRI_SEGMENT = NIK + "iriSegment"

#: Prefixes bound in every export, in the order they are declared.
PREFIXES: dict[str, str] = {
    "nik": NIK,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
    "schema": "https://schema.org/",
    "org": "http://www.w3.org/ns/org#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "prov": "http://www.w3.org/ns/prov#",
}
