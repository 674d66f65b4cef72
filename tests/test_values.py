"""Typed literals from curated values: dates at the precision written, numbers exact."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rdflib import Literal
from rdflib import namespace as ns

from graph.values import ValueProblem, parse_literal

TEMPORAL = [ns.XSD.gYear, ns.XSD.gYearMonth, ns.XSD.date, ns.XSD.dateTime]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2013, Literal("2013", datatype=ns.XSD.gYear)),
        ("2020-07", Literal("2020-07", datatype=ns.XSD.gYearMonth)),
        ("2019-11-27", Literal("2019-11-27", datatype=ns.XSD.date)),
        ("2019-11-27T12:00", Literal("2019-11-27T12:00:00", datatype=ns.XSD.dateTime)),
    ],
)
def test_dates_keep_the_precision_the_text_gives(value: object, expected: Literal) -> None:
    result = parse_literal(TEMPORAL, value, "de")
    assert (str(result), result.datatype) == (str(expected), expected.datatype)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2019-02-30", "no such date (day is out of range for month)"),
        ("2019-13", "month 13 does not exist"),
        ("0000", "year 0000 does not exist (1 BC is followed by AD 1)"),
        ("0000-05", "year 0000 does not exist"),
        ("0000-05-01", "year 0000 does not exist"),
        ("0000-05-01T10:00", "year 0000 does not exist"),
        ("Frühjahr 2013", "expected one of: a year (YYYY), a month (YYYY-MM)"),
        (True, "expected one of"),
    ],
)
def test_impossible_or_vague_dates_are_refused(value: object, message: str) -> None:
    with pytest.raises(ValueProblem, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_literal(TEMPORAL, value, "de")


@pytest.mark.parametrize(
    ("value", "lexical"),
    [(25000000, "25000000.0"), (Decimal("30.6"), "30.6"), (Decimal("30.60"), "30.6"), ("0.5", "0.5"), (0, "0.0")],
)
def test_decimals_are_canonical(value: object, lexical: str) -> None:
    assert str(parse_literal([ns.XSD.decimal], value, "de")) == lexical


@pytest.mark.parametrize("value", [True, "30,6", "dreißig", Decimal("Infinity")])
def test_non_numbers_are_refused(value: object) -> None:
    with pytest.raises(ValueProblem):
        parse_literal([ns.XSD.decimal], value, "de")


def test_text_values() -> None:
    assert parse_literal([ns.RDF.langString], "  Güler ", "de") == Literal("Güler", lang="de")
    assert parse_literal([ns.XSD.string], "EUR", "de") == Literal("EUR")
    with pytest.raises(ValueProblem, match="put the value in quotes"):
        parse_literal([ns.XSD.string], 2069614, "de")
    with pytest.raises(ValueProblem, match="empty"):
        parse_literal([ns.RDF.langString], "  ", "de")


def test_other_datatypes() -> None:
    assert parse_literal([ns.XSD.duration], "PT5H", "de").datatype == ns.XSD.duration
    assert parse_literal([ns.XSD.anyURI], "https://example.org/a", "de").datatype == ns.XSD.anyURI
    assert str(parse_literal([ns.XSD.language], "DE", "de")) == "de"
    assert str(parse_literal([ns.XSD.integer], 2, "de")) == "2"
    for datatype, bad in (
        (ns.XSD.duration, "5 Stunden"),
        (ns.XSD.anyURI, "www.example.org"),
        (ns.XSD.integer, Decimal("2.5")),
    ):
        with pytest.raises(ValueProblem):
            parse_literal([datatype], bad, "de")


def test_a_number_with_a_leading_zero_is_read_in_base_ten() -> None:
    # The loader keeps '012' as text (YAML 1.1 would make it 10); as a number it is twelve.
    assert str(parse_literal([ns.XSD.decimal], "012", "de")) == "12.0"


def test_years_before_1000_are_written_with_four_digits() -> None:
    assert str(parse_literal(TEMPORAL, "0800", "de")) == "0800"


@pytest.mark.parametrize("value", [Decimal("1e999999999"), Decimal("1e-31"), "1" * 40])
def test_numbers_no_source_gives_are_refused(value: object) -> None:
    # written out, 1e999999999 would be a billion digits in every export
    with pytest.raises(ValueProblem, match=r"a number beyond 10\^±30 is no figure a source gives"):
        parse_literal([ns.XSD.decimal], value, "de")
