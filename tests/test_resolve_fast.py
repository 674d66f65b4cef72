"""The resolver's shortcuts give what the plain way gives.

Resolving remembers what passed its checks (a property for a class, a written value
for a property, a type, a qualifier) and makes its facts (and reading its claims)
without the frozen dataclass's ``__init__``. Here the same declarations are resolved with every memo of the resolver
forgetting what it is told, so that each claim takes the plain way: the dataset, and
every problem in its order, must be the same, on the fixture projects and on one
project holding every mistake of ``tests/data/invalid`` at once (so that the same
mistakes and values recur across files).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from rdflib import RDF, XSD, Literal, URIRef

from graph import dataset, sources, values
from graph.dataset import Fact, new_fact
from graph.errors import Location, SourceError
from graph.ontology import load_ontology
from graph.project import load_project
from graph.sources import Claim, new_claim, read_sources
from tests.conftest import DATA, copy_fixture

MEMOS = ("_fits", "_literals", "_props", "_qualifiers", "_targets", "_values", "_types")
CASES = sorted((DATA / "invalid").glob("*.yaml"))


class _Forgetful(dict[Any, Any]):
    """A memo that never remembers: every look-up misses."""

    def __setitem__(self, key: Any, value: Any) -> None:
        pass


def resolved(project: Path, remember: bool) -> tuple[str, list[str]]:
    """The ``repr`` of the dataset (or ``""``), and every problem, with or without the resolver's memos."""
    settings = load_project(project)
    ontology = load_ontology(settings.ontology_dir)
    problems: list[Any] = []
    declarations = read_sources(settings.sources_dir, problems, cache=False)
    resolver = dataset._Resolver(settings, ontology, declarations)
    for name in MEMOS:
        assert getattr(resolver, name) == {}, name  # a memo the resolver still has, and empty
        if not remember:
            setattr(resolver, name, _Forgetful())
    resolver.problems.extend(problems)
    try:
        result = resolver.resolve()
    except SourceError as exc:
        return "", [str(p) for p in exc.problems]
    parts = (result.facts, sorted(result.entities.items()), sorted(result.sources.items()))
    return repr(parts), []


def assert_same_either_way(project: Path) -> tuple[str, list[str]]:
    remembered = resolved(project, remember=True)
    assert remembered == resolved(project, remember=False)
    return remembered


def test_new_fact_is_the_dataclass_made_by_its_init() -> None:
    where = Location(Path("sources/articles/a.yaml"), 3)
    iri = URIRef("https://example.org/id/person/a")
    args = (iri, iri, Literal("x", lang="de"), ((iri, iri),), "quelle", (("x", where),), None, where)
    fast, plain = new_fact(*args), Fact(*args)
    assert type(fast) is Fact
    assert list(vars(fast).items()) == list(vars(plain).items())  # the same fields, in the same order
    assert fast == plain and hash(fast) == hash(plain) and repr(fast) == repr(plain)


def test_new_claim_is_the_dataclass_made_by_its_init() -> None:
    where = Location(Path("sources/articles/a.yaml"), 3)
    fast, plain = new_claim("memberOf", "xyz", where), Claim("memberOf", "xyz", where)
    assert type(fast) is Claim
    assert list(vars(fast).items()) == list(vars(plain).items())
    assert fast == plain and hash(fast) == hash(plain) and repr(fast) == repr(plain)


@pytest.mark.parametrize("name", ["mini", "musterland", "invalid/project"])
def test_fixture_projects_resolve_the_same_without_memos(name: str, tmp_path: Path) -> None:
    project = copy_fixture(name, tmp_path / "project")
    dataset_repr, problems = assert_same_either_way(project)
    assert dataset_repr and not problems


def test_every_mistake_at_once_is_reported_the_same_without_memos(tmp_path: Path) -> None:
    project = copy_fixture("invalid/project", tmp_path / "project")
    articles = project / "sources" / "articles"
    placed = 0
    for case in CASES:
        text = case.read_bytes()
        if re.search(rb"^# file: ", text, flags=re.MULTILINE):
            continue  # replaces the settings or the project's article: not one more article
        # twice, so that every mistake and every value recurs in another file
        (articles / f"zz-{case.stem}.yaml").write_bytes(text)
        (articles / f"zz-{case.stem}-again.yaml").write_bytes(text)
        placed += 1
    assert placed > 80  # most cases are articles of their own
    dataset_repr, problems = assert_same_either_way(project)
    assert not dataset_repr and len(problems) > 2 * placed


ARTICLE = """\
source:
  id: zeitung-c
  type: NewsArticle
  name: Newspaper C
  language: en
  sha256: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
facts:
  - subject: besuch-beispiel
    quote: in 2021
    endDate: 2021
  - subject: gaeste-besuch-beispiel
    quote: 2021 guests
    value: [2021, 2021.0, -0.0, 0.0]
    unitText: '2021'
    variableMeasured: Gäste
"""


def test_one_written_value_resolves_by_its_property_type_and_language(tmp_path: Path) -> None:
    project = copy_fixture("mini", tmp_path / "project")
    (project / "sources" / "articles" / "c.yaml").write_text(ARTICLE, encoding="utf-8")
    assert_same_either_way(project)
    settings = load_project(project)
    problems: list[Any] = []
    declarations = read_sources(settings.sources_dir, problems, cache=False)
    result = dataset.resolve(settings, load_ontology(settings.ontology_dir), declarations, problems)
    values = [(f.predicate.split("#")[-1], f.object.n3()) for f in result.facts if f.source == "zeitung-c"]
    decimal, year = (f"<http://www.w3.org/2001/XMLSchema#{t}>" for t in ("decimal", "gYear"))
    assert values == [
        ("endDate", f'"2021"^^{year}'),
        ("value", f'"2021.0"^^{decimal}'),
        ("value", f'"2021.0"^^{decimal}'),
        ("value", f'"-0.0"^^{decimal}'),
        ("value", f'"0.0"^^{decimal}'),
        ("unitText", '"2021"'),
        ("variableMeasured", '"Gäste"@en'),
    ]
    german = [f.object for f in result.facts if f.source == "zeitung-a" and f.predicate.endswith("variableMeasured")]
    assert german == [Literal("Gäste", lang="de")]


TEXTS = ["Gäste", "  padded  ", "2021", "true", "a\tb\nc", "„Zitat“", "x" * 500, "0.50"]


@pytest.mark.parametrize("lang", ["de", "en-GB"])
def test_texts_are_the_literals_rdflib_normalises(lang: str) -> None:
    for text in TEXTS:
        for made, plain in (
            (values.parse_literal((RDF.langString,), text, lang), Literal(text.strip(), lang=lang)),
            (values.parse_literal((XSD.string,), text, lang), Literal(text.strip())),
        ):
            assert (made, made.value, made.language, made.datatype, made.ill_typed) == (
                plain,
                plain.value,
                plain.language,
                plain.datatype,
                plain.ill_typed,
            )
            assert made.n3() == plain.n3()


def test_article_files_are_sorted_as_paths_sort(tmp_path: Path) -> None:
    articles = tmp_path / "sources" / "articles"
    articles.mkdir(parents=True)
    for name in ("b.yaml", "B.yaml", "a-2.yaml", "a.yaml", "ä.yaml", ".hidden.yaml", "10.yaml", "9.yaml", "x.yml"):
        (articles / name).write_text("", "utf-8")
    (articles / "folder.yaml").mkdir()
    found = sources.article_files(tmp_path / "sources")
    assert found == sorted(articles.glob("*.yaml")) and len(found) == 9
