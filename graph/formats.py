"""Which result format a SPARQL client asked for: its ``Accept`` header or a format name.

Clients name formats in several ways, and ``kg serve`` takes all of them:

- the ``Accept`` header (SPARQL 1.1 Protocol), with q-values and wildcards;
- a ``format`` or ``output`` parameter in the URL (Virtuoso, Fuseki, and SPARQLWrapper,
  which sends its own names ``json``, ``xml``, ``csv``, ``tsv``, ``turtle``, ``n3``,
  ``rdf``, ``rdf+xml``, ``json-ld`` next to a media type, e.g.
  ``format=rdf+xml&format=application/rdf+xml``). The first value we know wins.

Every format works for every query form, though an ``Accept`` header gets the result's own
kind whenever it accepts one (:func:`choose`). A table (SELECT, ASK) asked for as RDF comes in
the result-set vocabulary of the SPARQL test suite (``rs:ResultSet``, as Jena writes it);
triples (CONSTRUCT, DESCRIBE) asked for as a table come as rows of ``?subject ?predicate
?object`` (as Virtuoso writes them). N3 is served as Turtle, a subset of N3, labelled
``text/n3``. The names on the right are :mod:`graph.engine`'s formats.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

#: Media types for a table (SELECT, ASK), the first the default.
TABLE_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
#: Media types for triples (CONSTRUCT, DESCRIBE), the first the default.
GRAPH_TYPES = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/turtle": "turtle",
    "text/n3": "n3",
    "text/rdf+n3": "n3",
    "application/n3": "n3",
    "application/n-triples": "ntriples",
    "text/plain": "ntriples",
    "application/rdf+xml": "rdfxml",
    "application/xml": "rdfxml",
    "text/xml": "rdfxml",
    "application/ld+json": "jsonld",
    "application/x-json+ld": "jsonld",
    "application/json": "jsonld",
}
#: A table as RDF, when the client accepts no table type (``text/plain`` stays N-Triples for triples only).
TABLE_AS_RDF = {
    media: name for media, name in GRAPH_TYPES.items() if media not in TABLE_TYPES and media != "text/plain"
}
#: Triples as a table, when the client accepts no RDF type.
GRAPH_AS_TABLE = {media: name for media, name in TABLE_TYPES.items() if media not in GRAPH_TYPES}
_RDF_NAMES = {
    "turtle": "turtle",
    "ttl": "turtle",
    "n3": "n3",
    "nt": "ntriples",
    "ntriples": "ntriples",
    "n-triples": "ntriples",
    "rdf": "rdfxml",
    "rdfxml": "rdfxml",
    "rdf+xml": "rdfxml",
    "jsonld": "jsonld",
    "json-ld": "jsonld",
}
_TABLE_NAMES = {"json": "json", "srj": "json", "xml": "xml", "srx": "xml", "csv": "csv", "tsv": "tsv"}
#: Format names (URL parameter ``format`` or ``output``) for a table.
TABLE_NAMES = {**_TABLE_NAMES, **_RDF_NAMES}
#: Format names for triples: ``json`` and ``xml`` mean JSON-LD and RDF/XML here.
GRAPH_NAMES = {**_RDF_NAMES, "json": "jsonld", "xml": "rdfxml", "srj": "json", "srx": "xml", "csv": "csv", "tsv": "tsv"}
#: The URL parameters that name a format, in the order they are read.
FORMAT_PARAMETERS = ("format", "output")


class UnknownFormat(Exception):
    """No value of the format parameters names a format we write."""


def negotiate(accept: str | None, offered: Mapping[str, str]) -> str | None:
    """The format for an ``Accept`` header among ``offered`` (media type -> format name).

    Follows the q-values; ``*/*`` and ``type/*`` match the first offered type of that kind;
    no header means the first offered type. ``None`` when nothing acceptable is offered.
    """
    if not accept:
        return next(iter(offered.values()))
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        quality = 1.0
        for parameter in pieces[1:]:
            if parameter.startswith("q="):
                try:
                    quality = float(parameter[2:])
                except ValueError:
                    quality = 0.0
        if media and quality > 0:
            ranked.append((-quality, position, media))
    for _, _, media in sorted(ranked):
        if media in offered:
            return offered[media]
        if media == "*/*":
            return next(iter(offered.values()))
        if media.endswith("/*"):
            family = media[:-1]
            for candidate, name in offered.items():
                if candidate.startswith(family):
                    return name
    return None


def offered(returns_graph: bool) -> dict[str, str]:
    """Every media type a result can be written in: its own kind first, then the other kind."""
    return {**GRAPH_TYPES, **GRAPH_AS_TABLE} if returns_graph else {**TABLE_TYPES, **TABLE_AS_RDF}


def choose(accept: str | None, returns_graph: bool) -> str | None:
    """The format for an ``Accept`` header: a type of the result's own kind when one is acceptable.

    So ``application/sparql-results+xml, application/rdf+xml`` (rdflib's ``SPARQLStore``)
    gets RDF/XML for a CONSTRUCT and SPARQL XML for a SELECT; the other kind only when the
    client accepts nothing of the result's own (``*/*`` means the default of its own kind).
    """
    own, other = (GRAPH_TYPES, GRAPH_AS_TABLE) if returns_graph else (TABLE_TYPES, TABLE_AS_RDF)
    return negotiate(accept, own) or negotiate(accept, other)


def requested_format(fields: Mapping[str, Sequence[str]], returns_graph: bool) -> str | None:
    """The format the ``format`` / ``output`` parameters ask for; ``None`` when they are absent.

    A value is a name (:data:`TABLE_NAMES`, :data:`GRAPH_NAMES`), a media type, or a
    list of media types as in an ``Accept`` header (SPARQLWrapper sends
    ``application/ld+json,application/x-json+ld``); the first value we know wins.

    Raises:
        UnknownFormat: When the parameters are given and none of their values is known.
    """
    names = GRAPH_NAMES if returns_graph else TABLE_NAMES
    values = [value.strip() for key in FORMAT_PARAMETERS for value in fields.get(key, ()) if value.strip()]
    for value in values:
        if value.lower() in names:
            return names[value.lower()]
        if "/" in value and "*" not in value:
            found = choose(value, returns_graph)
            if found is not None:
                return found
    if values:
        shown = next((v for v in values if v), "")
        raise UnknownFormat(f"unknown format '{shown}'; use one of: {', '.join(sorted(names))} or a media type")
    return None
