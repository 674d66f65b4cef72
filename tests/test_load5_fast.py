"""The fifth round's shortcuts of loading and building give what the plain ways give.

- text literals made by filling their slots (``values.text_literal``) against ``Literal``,
  and rdflib's own way wherever the check of a language tag fails;
- a range's parsers found by its tuple (``values.parse_literal``) against each datatype's own;
- entity IRIs made without ``URIRef``'s per-IRI check against ``URIRef``.

The digests' collision check is in tests/test_build6_fast.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, XSD

from graph import pipeline, values
from graph.values import DATATYPES, ValueProblem, parse_literal, text_literal

TEXTS = ["Erika", " zwei  Leerzeichen ", "Zeile\nzwei", 'mit "Anführung"', "ß ü é 😀", "", "1", "true"]


def _as_rdflib(made: Literal, expected: Literal) -> None:
    slots = ("_language", "_datatype", "_value", "_ill_typed")
    assert type(made) is Literal
    assert [getattr(made, s) for s in slots] == [getattr(expected, s) for s in slots]
    assert (made, hash(made), made.n3(), made.value) == (expected, hash(expected), expected.n3(), expected.value)


@pytest.mark.parametrize("lang", ["de", "DE", "en-GB", "", None])
def test_text_literals_are_rdflibs_for_every_language_tag(lang: str | None) -> None:
    for text in TEXTS:
        _as_rdflib(text_literal(text, lang), Literal(text, lang=lang, normalize=False))


def test_an_invalid_language_tag_fails_as_rdflib_fails_every_time() -> None:
    for _ in range(2):
        with pytest.raises(ValueError, match="is not a valid language tag"):
            text_literal("Erika", "de de")


def test_an_rdflib_that_keeps_literals_otherwise_makes_them_its_own_way(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(values, "_LITERAL_SLOTS", ("_language", "_datatype", "_value"))  # not Literal's
    monkeypatch.setattr(values, "_text_languages", {})
    made: list[tuple[object, ...]] = []
    real = Literal.__new__

    def counted(cls: type, *args: object, **kwargs: object) -> Literal:
        made.append(args)
        return real(cls, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Literal, "__new__", counted)
    literal = text_literal("Erika", "de")
    assert ("Erika",) in made, "Literal made it"
    assert values._text_languages == {"de": None}
    assert (str(literal), literal.language) == ("Erika", "de")


def test_a_str_subclass_is_left_to_rdflib() -> None:
    source = Literal("Erika", lang="en")
    _as_rdflib(text_literal(source, "de"), Literal(source, lang="de", normalize=False))


UNION = (XSD.gYear, XSD.gYearMonth, XSD.date)


@pytest.mark.parametrize(
    ("datatypes", "value"),
    [
        ((XSD.string,), "Text"),
        ((RDF.langString,), "Text"),
        ((XSD.decimal,), 30),
        (UNION, "2019"),
        (UNION, "2019-11"),
        (UNION, "2019-11-27"),
        (list(UNION), 2019),
    ],
)
def test_a_ranges_parsers_give_what_each_datatype_gives(datatypes: tuple[URIRef, ...], value: object) -> None:
    expected = None
    for iri in datatypes:
        try:
            expected = DATATYPES[URIRef(str(iri))].parse(value, "de")
            break
        except ValueProblem:
            continue
    for _ in range(2):  # made, then remembered
        made = parse_literal(tuple(URIRef(str(iri)) for iri in datatypes), value, "de")
        assert (made, made.datatype, made.language) == (expected, expected.datatype, expected.language)  # type: ignore[union-attr]


def test_a_range_that_fits_no_datatype_says_what_each_expects() -> None:
    with pytest.raises(ValueProblem, match=r"^expected one of: a year \(YYYY\), a month \(YYYY-MM\), a date"):
        parse_literal(UNION, "gestern", "de")


def test_a_datatype_without_a_parser_fails_only_where_it_is_tried() -> None:
    unknown = URIRef("https://example.org/kg/unknownDatatype")
    assert parse_literal((XSD.gYear, unknown), "2019", "de") == Literal("2019", datatype=XSD.gYear)
    with pytest.raises(KeyError):
        parse_literal((XSD.gYear, unknown), "gestern", "de")


def test_entity_iris_are_the_irefs_rdflib_makes(mini: Path) -> None:
    dataset = pipeline.load(mini)
    base = dataset.project.base
    for entity in dataset.entities.values():
        segment = dataset.ontology.class_of(entity.cls).segment
        expected = URIRef(f"{base}{segment}/{entity.id}")
        assert (type(entity.iri), entity.iri, hash(entity.iri)) == (URIRef, expected, hash(expected))
    for source in dataset.sources.values():
        assert source.iri == URIRef(f"{base}{dataset.ontology.class_of(source.cls).segment}/{source.id}")
