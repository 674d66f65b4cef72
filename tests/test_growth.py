"""A correct new article and `kg build` keep the corpus checks green.

The same article (invented, about invented people and places, with its own short text) is
added to a copy of the Musterland fixture and to a copy of the real corpus; after `kg build`
the checks of tests/corpus.py (the ones tests/test_corpus.py runs on the corpus) pass, once the
competency snapshot is regenerated, the one documented step besides `kg build`.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from graph import pipeline
from tests import corpus
from tests.conftest import PROJECT_PARTS, ROOT, copy_fixture

TEXT = """\
Neue Beratungsstelle in Neufeld

Neufeld. Landrätin Nora Neumann (Neufelder Liste) hat am 3. Mai 2021 die Beratungsstelle für \
Zugewanderte in Neufeld eröffnet. Rund 40 Gäste kamen zur Eröffnung. Neufeld ist eine Kleinstadt \
am Fluss.
"""

ARTICLE = """\
# An invented article for tests/test_growth.py: new people, a party, a town and an event.
source:
  id: bericht-beratungsstelle-neufeld
  type: NewsArticle
  name: 'Bericht: Eröffnung der Beratungsstelle in Neufeld'
  title: Neue Beratungsstelle in Neufeld
  language: de
  sha256: {sha256}

facts:
  - id: neufeld
    type: City
    name: Neufeld
    quote: 'Neufeld ist eine Kleinstadt am Fluss.'
    description: eine Kleinstadt am Fluss

  - id: neufelder-liste
    type: PoliticalParty
    name: Neufelder Liste
    quote: 'Landrätin Nora Neumann (Neufelder Liste)'
    areaServed: neufeld

  - id: nora-neumann
    type: Politician
    name: Nora Neumann
    aliases: [Neumann]
    quote: 'Landrätin Nora Neumann (Neufelder Liste)'
    memberOf: neufelder-liste
    jobTitle: Landrätin

  - id: eroeffnung-beratungsstelle-neufeld
    type: Event
    name: Eröffnung der Beratungsstelle für Zugewanderte in Neufeld
    quote:
      - 'Landrätin Nora Neumann (Neufelder Liste)'
      - 'hat am 3. Mai 2021 die Beratungsstelle für Zugewanderte in Neufeld eröffnet.'
    organizer: nora-neumann
    location: neufeld
    startDate: 2021-05-03

  - id: gaeste-eroeffnung-neufeld
    type: Statistic
    name: Gäste bei der Eröffnung in Neufeld
    quote: 'Rund 40 Gäste kamen zur Eröffnung.'
    variableMeasured: Gäste
    value: 40
    unitText: persons
    observationAbout: eroeffnung-beratungsstelle-neufeld
    qualifiers:
      approximation: Rund
"""


def add_article(project: Path, texts: Path) -> Path:
    """Write the new text into ``texts`` and its article into ``project``; the article's path."""
    text = texts / "neufeld-beratungsstelle.txt"
    text.write_text(TEXT, encoding="utf-8")
    sha256 = hashlib.sha256(text.read_bytes()).hexdigest()
    article = project / "sources" / "articles" / "zz-bericht-beratungsstelle-neufeld.yaml"
    article.write_text(ARTICLE.format(sha256=sha256), encoding="utf-8")
    return article


def grow_and_check(project: Path, texts: Path, tmp_path: Path) -> None:
    """Snapshot, add the article, build, then run every corpus check: stale snapshot, then green."""
    snapshot = tmp_path / "snapshot"
    corpus.check_competency_snapshot(project, snapshot, update=True)
    corpus.check_competency_snapshot(project, snapshot)  # the snapshot holds before the change
    entities_before = len(pipeline.load(project).entities)

    add_article(project, texts)
    code, out, err = corpus.kg("build", "--quiet", "--project", project, "--texts", texts)
    assert (code, out, err) == (0, "", "")

    assert len(pipeline.load(project).entities) == entities_before + 5
    corpus.check_validates(project, texts)
    assert corpus.check_quotes_are_found(project, texts) > 0
    corpus.check_exports_are_fresh(project, tmp_path / "fresh")
    # The new article changes the answers (a new source, politician, party, event, figure):
    # the snapshot check says so and names the one command that accepts the change.
    with pytest.raises(AssertionError, match=r"run 'pytest tests/test_corpus.py --update-golden'") as stale:
        corpus.check_competency_snapshot(project, snapshot)
    for question in ("sources", "politicians", "party-members", "timeline", "statistics"):
        assert f"\n{question}:\n" in str(stale.value), question
    assert "Nora Neumann" in str(stale.value)
    corpus.check_competency_snapshot(project, snapshot, update=True)
    corpus.check_competency_snapshot(project, snapshot)


def test_a_new_article_in_the_fixture_keeps_the_corpus_checks_green(tmp_path: Path) -> None:
    project = copy_fixture("musterland", tmp_path / "musterland")
    # --texts explicitly: KG_TEXTS (the corpus texts, set in CI) would override the fixture's own.
    assert corpus.kg("build", "--quiet", "--project", project, "--texts", project / "texts")[0] == 0
    grow_and_check(project, project / "texts", tmp_path)
    rows = corpus.competency_answers(project)["sources"].splitlines()[1:]
    assert sorted(row.split(",")[0].rsplit("/", 1)[-1] for row in rows) == [
        "bericht-beratungsstelle-neufeld",
        "bericht-besuch-altstadt",
        "bericht-besuch-kreis",
        "bericht-konferenz",
        "bericht-kreiskonferenz",
        "webseite-konferenz",
    ]


def test_a_new_article_in_the_corpus_keeps_the_corpus_checks_green(texts: Path, tmp_path: Path) -> None:
    project = tmp_path / "corpus"
    for part in PROJECT_PARTS:
        shutil.copytree(ROOT / part, project / part)
    grown_texts = tmp_path / "texts"
    shutil.copytree(texts, grown_texts)
    grow_and_check(project, grown_texts, tmp_path)
