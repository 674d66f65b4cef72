"""The reader's plain-tuple entries stand for the dataclasses they replace.

An article's fact entries and the entities they declare are kept as tuples
(:data:`graph.sources.FactEntry`, :data:`graph.sources.EntityEntry`): resolving reads them,
the source cache pickles them, and :attr:`ArticleDecl.facts` / :attr:`ArticleDecl.entities`
make the dataclasses from them when asked. Here: what those give for a written article,
that the cache neither keeps nor loses them, and that resolving an article read back from
the cache gives the very dataset (or the very problems, in order) that resolving it
freshly parsed gives.
"""

from __future__ import annotations

import pickle
import re
from pathlib import Path
from typing import Any

import pytest
from rdflib import Literal, URIRef

from graph import dataset
from graph.dataset import Entity, new_entity, new_location
from graph.errors import Location, SourceError
from graph.ontology import load_ontology
from graph.project import load_project
from graph.sources import ArticleDecl, Claim, EntityDecl, FactDecl, read_sources
from tests.conftest import DATA, copy_fixture

ARTICLE = """\
source:
  id: zeitung-e
  type: NewsArticle
  name: Newspaper E
  language: de
  sha256: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
facts:
  - subject: besuch-beispiel
    quote: [erster Satz, zweiter Satz]
    endDate: 2021
    qualifiers: {asOf: 2021-03}
    note: ' geschätzt '
  - {id: neue-person, type: Person, name: Neue Person, aliases: [N. Person], memberOf: [a, b], quote: 'ein Satz'}
"""


def _article(tmp_path: Path) -> ArticleDecl:
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "e.yaml").write_text(ARTICLE, encoding="utf-8")
    problems: list[Any] = []
    declarations = read_sources(tmp_path, problems, cache=False)
    assert problems == []
    (article,) = declarations.articles
    return article


def test_the_entries_make_the_dataclasses_of_the_written_facts(tmp_path: Path) -> None:
    article = _article(tmp_path)
    path = article.path

    def at(line: int) -> Location:
        return Location(path, line)

    assert article.facts == (
        FactDecl(
            subject="besuch-beispiel",
            subject_location=at(8),
            quotes=(("erster Satz", at(9)), ("zweiter Satz", at(9))),
            claims=(Claim("endDate", 2021, at(10)),),
            qualifiers=(Claim("asOf", "2021-03", at(11)),),
            note="geschätzt",
            location=at(8),
        ),
        FactDecl(
            subject="neue-person",
            subject_location=at(13),
            quotes=(("ein Satz", at(13)),),
            claims=(Claim("memberOf", "a", at(13)), Claim("memberOf", "b", at(13))),
            qualifiers=(),
            note=None,
            location=at(13),
        ),
    )
    assert article.entities == (
        EntityDecl("neue-person", "Person", "Neue Person", ("N. Person",), at(13), at(13), "zeitung-e"),
    )
    first = article.facts[1]
    assert first.location is first.quotes[0][1] is first.claims[1].location  # one object per line


def test_the_cache_keeps_the_entries_not_the_dataclasses_made_from_them(tmp_path: Path) -> None:
    article = _article(tmp_path)
    assert article.facts and article.entities  # made, and kept in the instance
    back = pickle.loads(pickle.dumps(article, protocol=pickle.HIGHEST_PROTOCOL))
    assert "facts" not in vars(back) and "entities" not in vars(back)
    assert back == article
    assert (back.facts, back.entities) == (article.facts, article.entities)


def test_new_entity_and_new_location_are_the_dataclasses_made_by_their_init() -> None:
    where = Location(Path("sources/articles/a.yaml"), 3)
    fast_where = new_location(Path("sources/articles/a.yaml"), 3)
    assert type(fast_where) is Location
    assert list(vars(fast_where).items()) == list(vars(where).items())
    assert fast_where == where and hash(fast_where) == hash(where) and repr(fast_where) == repr(where)
    iri = URIRef("https://example.org/id/person/a")
    args = ("a", iri, iri, Literal("A", lang="de"), (Literal("B", lang="de"),), where)
    fast, plain = new_entity(*args), Entity(*args)
    assert type(fast) is Entity
    assert list(vars(fast).items()) == list(vars(plain).items())
    assert fast == plain and hash(fast) == hash(plain) and repr(fast) == repr(plain)


def _loaded(project: Path, cache: bool) -> tuple[str, list[str]]:
    """The ``repr`` of the dataset (facts in order, entities, sources) or ``""``, and every problem."""
    settings = load_project(project)
    ontology = load_ontology(settings.ontology_dir)
    problems: list[Any] = []
    declarations = read_sources(settings.sources_dir, problems, cache=cache)
    try:
        result = dataset.resolve(settings, ontology, declarations, problems)
    except SourceError as exc:
        return "", [str(p) for p in exc.problems]
    return repr((result.facts, list(result.entities.items()), list(result.sources.items()))), []


def _same_parsed_and_cached(project: Path) -> tuple[str, list[str]]:
    parsed = _loaded(project, cache=False)
    assert _loaded(project, cache=True) == parsed  # parsed, and remembered
    assert _loaded(project, cache=True) == parsed  # read back from the cache
    return parsed


@pytest.mark.parametrize("name", ["mini", "musterland"])
def test_a_project_read_back_from_the_cache_resolves_as_parsed(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    project = copy_fixture(name, tmp_path / "project")
    dataset_repr, problems = _same_parsed_and_cached(project)
    assert dataset_repr and not problems


def test_every_mistake_read_back_from_the_cache_is_reported_as_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    project = copy_fixture("invalid/project", tmp_path / "project")
    articles = project / "sources" / "articles"
    placed = 0
    for case in sorted((DATA / "invalid").glob("*.yaml")):
        text = case.read_bytes()
        if re.search(rb"^# file: ", text, flags=re.MULTILINE):
            continue  # replaces the settings or the project's article: not one more article
        (articles / f"zz-{case.stem}.yaml").write_bytes(text)
        placed += 1
    assert placed > 80  # most cases are articles of their own
    dataset_repr, problems = _same_parsed_and_cached(project)
    assert not dataset_repr and len(problems) > placed


def test_a_changed_article_read_after_its_cached_entry_resolves_as_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    project = copy_fixture("mini", tmp_path / "project")
    before = _same_parsed_and_cached(project)
    article = project / "sources" / "articles" / "a.yaml"
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("startDate: 2021-03-03", "startDate: 2021-03-04"), encoding="utf-8")
    after = _loaded(project, cache=True)
    assert after == _loaded(project, cache=False) != before
    assert "2021-03-04" in after[0] and "2021-03-03" not in after[0]
