"""Turn curated values into typed RDF literals, one parser per XSD datatype.

A property's ``rdfs:range`` in the ontology picks the parser. A range that is a
union of datatypes (``nik:TemporalValue``) tries each member, so a date is stored
at exactly the precision the curator wrote: ``2013`` becomes ``xsd:gYear``,
``2019-11`` ``xsd:gYearMonth``, ``2019-11-27`` ``xsd:date``.

Adding a property needs no code here; adding a *datatype* means adding a parser.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import urlparse

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, XSD


class ValueProblem(ValueError):
    """A value does not fit the datatype; the message says what was expected."""


class ImpossibleValue(ValueProblem):
    """A value has the datatype's form but cannot exist (month 13, 30 February)."""


@dataclass(frozen=True)
class Datatype:
    """How to read one datatype: a human description and a parser."""

    iri: URIRef
    expected: str
    parse: Callable[[object, str], Literal]


MAX_EXPONENT = 30
"""Largest power of ten a number may have (and smallest, negated)."""

_YEAR = re.compile(r"^\d{4}$")
_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$")
_DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")
_DURATION = re.compile(r"^P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")
_LANGUAGE = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")
# The datatypes, looked up once (a namespace's attribute is a call each time)
_DECIMAL_TYPE = XSD.decimal
_INTEGER_TYPE = XSD.integer
_BOOLEAN_TYPE = XSD.boolean
_G_YEAR_TYPE = XSD.gYear
_G_YEAR_MONTH_TYPE = XSD.gYearMonth
_DATE_TYPE = XSD.date
_DATE_TIME_TYPE = XSD.dateTime
_DURATION_TYPE = XSD.duration
_ANY_URI_TYPE = XSD.anyURI
_LANGUAGE_TYPE = XSD.language


def _text(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueProblem("expected text; put the value in quotes")
    text = value.strip()
    if not text:
        raise ValueProblem("expected text, got an empty value")
    return text


def _string(value: object, lang: str) -> Literal:
    return text_literal(_text(value))


def _lang_string(value: object, lang: str) -> Literal:
    return text_literal(_text(value), lang)


def text_literal(text: str, lang: str | None = None) -> Literal:
    """A literal of text, as ``Literal(text, lang=lang, normalize=False)`` makes it, in a tenth of the time.

    Normalising a text (rdflib's default) gives the same text back, so it is left out.
    For text without a datatype, ``Literal`` checks the language tag, then compares the
    (missing) datatype with a few others and casts the text to itself, each time; the
    loader and the builder make one literal per name, quote and text value (a hundred
    thousand at a million triples). So the check is done once per language tag
    (:func:`_text_language`), and each literal is made as ``Literal`` makes it: the
    string, then its four slots. Where that would not give ``Literal``'s own literal (an
    invalid tag, or an rdflib that keeps literals otherwise), ``Literal`` makes it.
    """
    known = _text_languages.get(lang, _UNCHECKED)
    if known is _UNCHECKED:
        known = _text_languages[lang] = _text_language(lang)
    if known is None or text.__class__ is not str:
        return Literal(text, lang=lang, normalize=False)
    literal = _new_str(Literal, text)
    literal._language = known[0]  # type: ignore[index]  # a 1-tuple
    literal._datatype = None
    literal._value = text
    literal._ill_typed = None
    return literal


_new_str = str.__new__
_UNCHECKED: object = object()
_LITERAL_SLOTS = ("_language", "_datatype", "_value", "_ill_typed")
_text_languages: dict[str | None, object] = {}
"""Each language tag given to :func:`text_literal`: ``(the literal's language,)``, or ``None`` for rdflib's way."""


def _text_language(lang: str | None) -> tuple[str | None] | None:
    """``(language,)`` when :func:`text_literal`'s way makes for ``lang`` the literal
    ``Literal`` makes (what ``Literal`` stores as the language: ``""`` is none), else ``None``."""
    try:
        expected = Literal("Probe\n 1 ", lang=lang, normalize=False)
    except ValueError:  # an invalid tag: Literal raises, each time
        return None
    if getattr(Literal, "__slots__", None) != _LITERAL_SLOTS or hasattr(expected, "__dict__"):
        return None
    made = _new_str(Literal, str(expected))
    made._language, made._datatype, made._value, made._ill_typed = expected.language, None, str(expected), None
    slots = [(getattr(made, s), getattr(expected, s)) for s in _LITERAL_SLOTS]
    if not all(a == b and type(a) is type(b) for a, b in slots):
        return None
    if (made, hash(made), made.n3(), made.value) != (expected, hash(expected), expected.n3(), expected.value):
        return None
    return (expected.language,)


def _decimal(value: object, lang: str) -> Literal:
    if isinstance(value, bool):
        raise ValueProblem("expected a number")
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, str) and _DECIMAL.match(value.strip()):
        number = Decimal(value.strip())
    else:
        raise ValueProblem("expected a number such as 25000000 or 30.6")
    if not number.is_finite():
        raise ValueProblem("expected a finite number")
    if number and not -MAX_EXPONENT <= number.adjusted() <= MAX_EXPONENT:
        # 1e999999999 would be written out as a billion digits in every export
        raise ImpossibleValue(f"a number beyond 10^±{MAX_EXPONENT} is no figure a source gives")
    return Literal(canonical_decimal(number), datatype=_DECIMAL_TYPE)


def canonical_decimal(number: Decimal) -> str:
    """The XSD canonical form: no exponent, no superfluous zeros, always a decimal point.

    Turtle writes ``200.0`` for an ``xsd:decimal``, so a literal ``"200"`` would read back
    as a different term from another format; the canonical ``"200.0"`` is the same in all.
    """
    text = format(number.normalize(), "f")
    return text if "." in text else f"{text}.0"


def _integer(value: object, lang: str) -> Literal:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueProblem("expected a whole number")
    return Literal(str(value), datatype=_INTEGER_TYPE)


def _boolean(value: object, lang: str) -> Literal:
    if not isinstance(value, bool):
        raise ValueProblem("expected true or false")
    return Literal("true" if value else "false", datatype=_BOOLEAN_TYPE)


def _year(value: object, lang: str) -> Literal:
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(text, str) or not _YEAR.match(text):
        raise ValueProblem("expected a year YYYY")
    _not_year_zero(text)
    return Literal(text, datatype=_G_YEAR_TYPE)


def _not_year_zero(text: str) -> None:
    if text.startswith("0000"):
        raise ImpossibleValue("year 0000 does not exist (1 BC is followed by AD 1)")


def _year_month(value: object, lang: str) -> Literal:
    match = _YEAR_MONTH.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValueProblem("expected a month YYYY-MM")
    _not_year_zero(match.group(1))
    if not 1 <= int(match.group(2)) <= 12:
        raise ImpossibleValue(f"month {match.group(2)} does not exist")
    return Literal(value, datatype=_G_YEAR_MONTH_TYPE)


def _date(value: object, lang: str) -> Literal:
    if not isinstance(value, str) or not _DATE.match(value):
        raise ValueProblem("expected a date YYYY-MM-DD")
    _not_year_zero(value)
    try:
        date.fromisoformat(value)
    except ValueError as exc:
        raise ImpossibleValue(f"no such date ({exc})") from None
    return Literal(value, datatype=_DATE_TYPE)


def _datetime(value: object, lang: str) -> Literal:
    if not isinstance(value, str) or not _DATETIME.match(value):
        raise ValueProblem("expected a date and time YYYY-MM-DDThh:mm")
    _not_year_zero(value)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ImpossibleValue(f"no such date or time ({exc})") from None
    return Literal(parsed.isoformat(timespec="seconds"), datatype=_DATE_TIME_TYPE)


def _duration(value: object, lang: str) -> Literal:
    if not isinstance(value, str) or not _DURATION.match(value):
        raise ValueProblem("expected an ISO 8601 duration such as PT5H or P3M")
    return Literal(value, datatype=_DURATION_TYPE)


def _any_uri(value: object, lang: str) -> Literal:
    text = _text(value)
    parsed = urlparse(text)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or " " in text:
        raise ValueProblem("expected a web address starting with http:// or https://")
    return Literal(text, datatype=_ANY_URI_TYPE)


def _language(value: object, lang: str) -> Literal:
    if not isinstance(value, str) or not _LANGUAGE.match(value):
        raise ValueProblem("expected a language tag such as de or en")
    return Literal(value.lower(), datatype=_LANGUAGE_TYPE)


DATATYPES: dict[URIRef, Datatype] = {
    dt.iri: dt
    for dt in (
        Datatype(XSD.string, "text", _string),
        Datatype(RDF.langString, "text", _lang_string),
        Datatype(XSD.decimal, "a number", _decimal),
        Datatype(XSD.integer, "a whole number", _integer),
        Datatype(XSD.boolean, "true or false", _boolean),
        Datatype(XSD.gYear, "a year (YYYY)", _year),
        Datatype(XSD.gYearMonth, "a month (YYYY-MM)", _year_month),
        Datatype(XSD.date, "a date (YYYY-MM-DD)", _date),
        Datatype(XSD.dateTime, "a date and time (YYYY-MM-DDThh:mm)", _datetime),
        Datatype(XSD.duration, "an ISO 8601 duration (e.g. PT5H)", _duration),
        Datatype(XSD.anyURI, "a web address", _any_uri),
        Datatype(XSD.language, "a language tag (e.g. de)", _language),
    )
}


_parsers: dict[tuple[URIRef, ...], tuple[Callable[[object, str], Literal], ...]] = {}
"""The parsers of each range given to :func:`parse_literal`. ``DATATYPES[iri]`` with an IRI
equal to a key but not the same object compares the two with ``URIRef.__eq__``, a Python
call: once per range here, not once per value."""


def parse_literal(datatypes: Sequence[URIRef], value: object, lang: str) -> Literal:
    """Parse ``value`` as the first of ``datatypes`` it fits.

    Args:
        datatypes: The allowed datatypes (one, or the members of a union).
        value: The value as read from YAML.
        lang: Language tag for ``rdf:langString`` values.

    Returns:
        The typed literal.

    Raises:
        ValueProblem: When the value fits none of the datatypes.
    """
    key = datatypes if datatypes.__class__ is tuple else tuple(datatypes)
    parsers = _parsers.get(key)  # the same tuple of a property's range: found by identity
    if parsers is None:
        if not all(iri in DATATYPES for iri in key):  # a KeyError where the loop gets to it, as ever
            parsers = tuple(functools.partial(_parse_as, iri) for iri in key)
        else:
            parsers = _parsers[key] = tuple(DATATYPES[iri].parse for iri in key)
    if len(parsers) == 1:
        return parsers[0](value, lang)
    for parse in parsers:
        try:
            return parse(value, lang)
        except ImpossibleValue:
            raise
        except ValueProblem:
            continue
    expected = ", ".join(DATATYPES[iri].expected for iri in datatypes)
    raise ValueProblem(f"expected one of: {expected}")


def _parse_as(iri: URIRef, value: object, lang: str) -> Literal:
    return DATATYPES[iri].parse(value, lang)
