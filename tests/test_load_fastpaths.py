"""The shortcuts of loading and building change nothing: checks remembered per property, one
reference per fact entry, text literals made without rdflib's (no-op) normalisation."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal

from graph import pipeline
from graph.build import build_graph
from graph.errors import SourceError
from graph.namespace import NIK
from graph.values import text_literal

ARTICLE = """source: {{id: zeitung-c, type: NewsArticle, name: Zeitung C, language: de, sha256: {sha}}}
facts:
  - {{subject: erika-beispiel, memberOf: xyz, quote: 'Ministerin Erika Beispiel (XYZ)'}}
  - {{subject: erika-beispiel, memberOf: xyz, quote: 'Ministerin Erika Beispiel (XYZ)', note: anders}}
  - {{subject: erika-beispiel, memberOf: xyz, quote: 'Ministerin Erika Beispiel (XYZ)'}}
{extra}"""


def _write(mini: Path, extra: str = "") -> None:
    text = ARTICLE.format(sha="0" * 64, extra=extra)
    (mini / "sources" / "articles" / "c.yaml").write_text(text, encoding="utf-8")


def test_equal_evidence_in_separate_entries_is_one_reference_and_a_note_makes_another(mini: Path) -> None:
    _write(mini)
    built = build_graph(pipeline.load(mini))
    graph = built.graph
    quote = Literal("Ministerin Erika Beispiel (XYZ)", lang="de")
    references = {r for r in graph.subjects(NIK.quote, quote) if (r, NIK.statedIn, None) in graph}
    by_source = {r for r in references if str(graph.value(r, NIK.statedIn)).endswith("/zeitung-c")}
    assert len(by_source) == 2  # without a note (entries 1 and 3) and with one (entry 2)
    notes = [graph.value(r, NIK.curatorNote) for r in by_source]
    assert sorted(str(n) for n in notes if n is not None) == ["anders"]


def test_a_mistake_repeated_in_many_facts_is_reported_at_each(mini: Path) -> None:
    wrong = "  - {subject: erika-beispiel, memberOf: besuch-beispiel, quote: 'Ministerin Erika Beispiel (XYZ)'}\n"
    _write(mini, extra=wrong * 2 + "  - {subject: erika-beispiel, memberOff: xyz, quote: 'Ministerin'}\n" * 2)
    with pytest.raises(SourceError) as caught:
        pipeline.load(mini)
    lines = [str(p) for p in caught.value.problems]
    path = mini / "sources" / "articles" / "c.yaml"
    located = [line.split(": ", 1)[0].rsplit(":", 1)[1] for line in lines if line.startswith(str(path))]
    assert located == ["6", "7", "8", "9"]


@pytest.mark.parametrize("text", ["Erika", " zwei  Leerzeichen ", "Zeile\nzwei", "ß ü é 😀", "", "1", "true"])
@pytest.mark.parametrize("lang", ["de", "en-GB", None])
def test_a_text_literal_is_the_literal_rdflib_makes(text: str, lang: str | None) -> None:
    made, expected = text_literal(text, lang), Literal(text, lang=lang)
    assert (made, made.language, made.datatype, made.value, made.n3()) == (
        expected,
        expected.language,
        expected.datatype,
        expected.value,
        expected.n3(),
    )
