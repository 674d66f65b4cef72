"""`kg suggest`: candidate facts from an invented German text, in the curation format."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from graph.quotes import normalize
from graph.suggest import suggest
from graph.suggest.model import EntityRef
from graph.suggest.render import render
from graph.suggest.text import slug, split_header
from tests.conftest import DATA, ROOT, run

TEXT = DATA / "suggest" / "besuch.txt"
ANCESTORS = {
    "Person": frozenset({"Person", "Agent", "Entity"}),
    "Politician": frozenset({"Politician", "Person", "Agent", "Entity"}),
    "PoliticalParty": frozenset({"PoliticalParty", "Organization", "Agent", "Entity"}),
    "City": frozenset({"City", "Place", "Organization", "Agent", "Entity"}),
    "Post": frozenset({"Post", "Entity"}),
}
REGISTRY = [
    (EntityRef("erika-beispiel", "Politician", "Erika Beispiel", True), ("Beispiel",)),
    (EntityRef("xyz", "PoliticalParty", "XYZ", True), ()),
    (EntityRef("musterstadt", "City", "Musterstadt", True), ()),
]


@pytest.fixture
def mini(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The invented mini project with this project's ontology and the suggest text in its texts."""
    monkeypatch.delenv("KG_TEXTS", raising=False)
    target = tmp_path / "mini"
    shutil.copytree(DATA / "mini", target)
    shutil.copytree(ROOT / "ontology", target / "ontology")
    shutil.copy(TEXT, target / "texts" / "c.txt")
    return target


def facts(text: str) -> list[tuple[str, str, tuple[tuple[str, object], ...], str, bool]]:
    result = suggest(text, REGISTRY, ANCESTORS)
    return [(s.kind, s.subject.id, s.claims, s.quote, s.complete) for s in result.suggestions]


def test_title_name_party_and_office() -> None:
    sentence = "Gestern sprach Landrätin Anna Berg-Meier (SPD) in Musterstadt."
    assert facts(sentence) == [
        ("dates", "SUBJECT", (("dateDescription", "Gestern"),), sentence, False),
        ("offices", "anna-berg-meier", (("jobTitle", "Landrätin"),), "Landrätin Anna Berg-Meier (SPD)", True),
        ("parties", "anna-berg-meier", (("memberOf", "spd"),), "Landrätin Anna Berg-Meier (SPD)", True),
    ]


def test_compound_title_possessive_and_short_form() -> None:
    text = (
        "Musterstadts Sozialdezernent Karl Öztürk lobte das Projekt. „Das ist ein guter Anfang für alle“, sagte Öztürk."
    )
    assert facts(text) == [
        (
            "offices",
            "karl-oeztuerk",
            (("jobTitle", "Sozialdezernent"),),
            "Musterstadts Sozialdezernent Karl Öztürk",
            True,
        ),
        (
            "quotes",
            "oeztuerk-das-ist-ein-guter",
            (("spokenBy", "karl-oeztuerk"), ("text", "Das ist ein guter Anfang für alle")),
            "„Das ist ein guter Anfang für alle“, sagte Öztürk",
            True,
        ),
    ]


def test_dates_at_the_precision_stated() -> None:
    found = facts("Die Tagung fand am 09. März 2018 statt. Im Frühjahr 2013 begann es. Am Mittwoch ging es weiter.")
    assert [(claims, complete) for _, _, claims, _, complete in found] == [
        ((("startDate", "2018-03-09"),), False),
        ((("startDate", "2013"), ("dateDescription", "Im Frühjahr 2013")), False),
        ((("dateDescription", "Am Mittwoch"),), False),
    ]


def test_amounts_percentages_and_counts() -> None:
    found = facts(
        "Rund 19 000 Zugewanderte leben in Musterstadt, über 30,5 Prozent der Menschen. Es gibt rund 900.000 Euro."
    )
    assert [(s, claims) for _, s, claims, _, _ in found] == [
        (
            "der-menschen-30-5",
            (
                ("value", 30.5),
                ("unitText", "percent"),
                ("variableMeasured", "der Menschen"),
                ("observationAbout", "musterstadt"),
            ),
        ),
        (
            "zugewanderte-19000",
            (
                ("value", 19000),
                ("unitText", "persons"),
                ("variableMeasured", "Zugewanderte"),
                ("observationAbout", "musterstadt"),
            ),
        ),
        ("mittel-900000-eur", (("amount", 900000), ("currency", "EUR"))),
    ]


def test_header_block_gives_the_publication_date() -> None:
    header, body = split_header("Title: T\nDate: 2018-03-10\n---\nText.")
    assert header == {"Title": "T", "Date": "2018-03-10"} and body == len("Title: T\nDate: 2018-03-10\n---\n")
    result = suggest(TEXT.read_text(encoding="utf-8"), REGISTRY, ANCESTORS)
    assert result.source_claims == (("datePublished", "2018-03-10", "Date: 2018-03-10"),)


def test_slugs_as_the_project_makes_them() -> None:
    assert slug("Karola Geiß-Netthöfel") == "karola-geiss-netthoefel"
    assert slug("Jürgen Théobald") == "juergen-theobald"


def test_quotes_are_verbatim_and_pasted_output_validates(mini: Path) -> None:
    text = TEXT.read_bytes()
    result = run("suggest", TEXT, "--project", mini)
    assert result.exit_code == 0, result.output
    normalised = normalize(text.decode("utf-8"))
    for line in result.output.splitlines():
        if line.strip().startswith(("quote:", "# quote:")) or line.strip().startswith("#   quote:"):
            quote = line.split("quote: ", 1)[1].strip("'").replace("''", "'")
            assert quote in normalised, quote
    article = mini / "sources" / "articles" / "c.yaml"
    article.write_text(
        "source:\n  id: besuch-c\n  type: NewsArticle\n  name: Besuch C\n  language: de\n"
        f"  sha256: {hashlib.sha256(text).hexdigest()}\n\nfacts:\n" + result.output,
        encoding="utf-8",
    )
    checked = run("validate", "--project", mini, "--texts", mini / "texts")
    assert checked.exit_code == 0, checked.output


def test_every_suggested_quote_is_a_substring() -> None:
    text = TEXT.read_text(encoding="utf-8")
    result = suggest(text, REGISTRY, ANCESTORS)
    assert result.suggestions
    assert all(s.quote == text[s.start : s.end] for s in result.suggestions)


def test_cli_end_to_end_and_append(mini: Path) -> None:
    article = mini / "sources" / "articles" / "c.yaml"
    digest = hashlib.sha256(TEXT.read_bytes()).hexdigest()
    article.write_text(
        f"source:\n  id: besuch-c\n  type: NewsArticle\n  name: Besuch C\n  language: de\n  sha256: {digest}\n\nfacts: []\n",
        encoding="utf-8",
    )
    before = article.read_text(encoding="utf-8")
    shown = run("suggest", TEXT, "--project", mini)
    assert shown.exit_code == 0
    assert (
        "  - id: hans-muster\n    type: Politician\n    name: 'Hans Muster'\n    quote: 'Landrat Hans Muster (SPD)'\n    jobTitle: 'Landrat'\n"
        in shown.output
    )
    assert "  # For the source block: datePublished: 2018-03-10   (from 'Date: 2018-03-10')" in shown.output
    assert article.read_text(encoding="utf-8") == before  # nothing written without --append
    appended = run("suggest", TEXT, "--project", mini, "--append")
    assert appended.exit_code == 0
    added = article.read_text(encoding="utf-8")[len(before) :]
    assert added.startswith("\n  # --- suggested by kg suggest: uncomment what is right ---\n")
    assert all(not line.strip() or line.lstrip().startswith("#") for line in added.splitlines())
    assert run("validate", "--project", mini).exit_code == 0


def test_append_without_a_matching_article(mini: Path) -> None:
    result = run("suggest", TEXT, "--project", mini, "--append")
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Error: no article in {mini / 'sources' / 'articles'} has SHA-256 "
        f"{hashlib.sha256(TEXT.read_bytes()).hexdigest()}: name one with --article, or run kg add-source first"
    )
