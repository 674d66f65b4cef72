"""`kg add-source`: hash, copy, header, scaffold; the written file validates as it is."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from graph.curation.addsource import Header, parse_date, read_header
from graph.curation.names import slugify
from tests.conftest import run
from tests.minicopy import mini_copy

HEADER_TEXT = (
    "URL: https://example.org/musterstadt/besuch\n"
    "Title: Wieder Besuch in Musterstadt\n"
    "Publisher: Musterstadt\n"
    "Date: 4. März 2021\n"
    "---\n"
    "Musterstadt. Ministerin Erika Beispiel (XYZ) kam wieder.\n"
)


@pytest.fixture
def mini(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return mini_copy(tmp_path, monkeypatch)


def write_text(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_header_text_becomes_a_source_that_validates(mini: Path, tmp_path: Path) -> None:
    text = write_text(tmp_path / "incoming", "besuch.txt", HEADER_TEXT)
    sha = hashlib.sha256(text.read_bytes()).hexdigest()
    result = run("add-source", text)
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"wrote sources/articles/000-wieder-besuch-in-musterstadt.yaml (source 'wieder-besuch-in-musterstadt', "
        f"sha256 {sha}; copied to texts/besuch.txt)\n"
    )
    assert (mini / "texts" / "besuch.txt").read_bytes() == text.read_bytes()
    written = (mini / "sources" / "articles" / "000-wieder-besuch-in-musterstadt.yaml").read_text(encoding="utf-8")
    assert written == (
        "# Registered with `kg add-source`. Add the facts under 'facts:' (without the [] once\n"
        "# there is one), each with its verbatim quote; `kg suggest TEXT_FILE` proposes candidates.\n"
        "\n"
        "source:\n"
        "  id: wieder-besuch-in-musterstadt\n"
        "  type: NewsArticle\n"
        "  name: 'Wieder Besuch in Musterstadt'\n"
        "  title: 'Wieder Besuch in Musterstadt'\n"
        "  language: de\n"
        f"  sha256: {sha}\n"
        "  datePublished: '2021-03-04'\n"
        "  url: 'https://example.org/musterstadt/besuch'\n"
        "\n"
        "facts:\n"
        "  - subject: wieder-besuch-in-musterstadt\n"
        "    quote: 'Publisher: Musterstadt'\n"
        "    publisher: musterstadt\n"
    )
    validated = run("validate", "--quiet")
    assert validated.exit_code == 0, validated.output
    assert validated.output.startswith("valid: 3 sources,")


def test_plain_text_without_header_gets_an_id_from_its_file_name_and_empty_facts(mini: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    text = write_text(elsewhere, "Bericht über Ähren.txt", "Nur ein Text, ohne Kopf.\n")
    result = run("add-source", text, "--no-copy", "--type", "WebPage")
    assert result.exit_code == 0, result.output
    assert result.output.endswith(f"; text at {text})\n")
    assert sorted(p.name for p in (mini / "texts").iterdir()) == ["a.txt", "b.txt"]
    written = (mini / "sources" / "articles" / "000-bericht-ueber-aehren.yaml").read_text(encoding="utf-8")
    assert "  type: WebPage\n  name: 'Bericht über Ähren'\n  language: de\n" in written
    assert "title:" not in written and "url:" not in written and "datePublished" not in written
    assert written.endswith("\nfacts: []\n")
    for name in ("a.txt", "b.txt"):
        (elsewhere / name).write_bytes((mini / "texts" / name).read_bytes())
    assert run("validate", "--quiet", "--texts", elsewhere).exit_code == 0


def test_numbers_continue_after_the_highest_article_number(mini: Path, tmp_path: Path) -> None:
    articles = mini / "sources" / "articles"
    (articles / "a.yaml").rename(articles / "007-a.yaml")
    text = write_text(tmp_path, "neu.txt", "Neu.\n")
    assert run("add-source", text).exit_code == 0
    assert (articles / "008-neu.yaml").is_file()


def test_a_text_registered_already_is_refused_with_the_file_that_has_it(mini: Path) -> None:
    before = sorted(p.name for p in (mini / "sources" / "articles").iterdir())
    result = run("add-source", "texts/a.txt", "--no-copy")
    sha = hashlib.sha256((mini / "texts" / "a.txt").read_bytes()).hexdigest()
    assert result.exit_code == 1
    assert result.output == (
        f"Error: texts/a.txt is registered already: sources/articles/a.yaml:6 has SHA-256 {sha} (source 'zeitung-a')\n"
    )
    assert sorted(p.name for p in (mini / "sources" / "articles").iterdir()) == before


def test_publisher_not_in_the_registry_is_left_as_a_comment_with_a_proposed_id(mini: Path, tmp_path: Path) -> None:
    text = write_text(tmp_path, "x.txt", "Title: Ein Bericht\nPublisher: Ruhrkanal News\n---\nText.\n")
    result = run("add-source", text)
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        "note: publisher 'Ruhrkanal News' is not an entity of this project; add it to sources/entities.yaml "
        "(type Organization, e.g. id ruhrkanal-news) and set 'publisher:'"
    ]
    written = (mini / "sources" / "articles" / "000-ein-bericht.yaml").read_text(encoding="utf-8")
    assert "  # publisher: ruhrkanal-news  # 'Ruhrkanal News' from the header: register it first\n" in written
    assert written.endswith("\nfacts: []\n")
    assert run("validate", "--quiet").exit_code == 0


def test_a_date_that_is_not_understood_is_a_comment_not_a_guess(mini: Path, tmp_path: Path) -> None:
    text = write_text(tmp_path, "x.txt", "Title: Ein Bericht\nDate: letzten Mittwoch\n---\nText.\n")
    result = run("add-source", text)
    assert result.exit_code == 0
    assert result.stderr == (
        "note: date 'letzten Mittwoch' not understood; write datePublished as YYYY, YYYY-MM or YYYY-MM-DD\n"
    )
    written = (mini / "sources" / "articles" / "000-ein-bericht.yaml").read_text(encoding="utf-8")
    assert "  # datePublished:  # header: 'letzten Mittwoch'; write YYYY, YYYY-MM or YYYY-MM-DD\n" in written
    assert "\n  datePublished" not in written


def test_an_id_that_is_taken_is_refused(mini: Path, tmp_path: Path) -> None:
    text = write_text(tmp_path, "x.txt", "Anderer Text.\n")
    result = run("add-source", text, "--id", "erika-beispiel")
    assert result.exit_code == 1
    assert result.output == "Error: id 'erika-beispiel' is taken (sources/entities.yaml:1); pass --id ANOTHER-ID\n"


def test_an_article_file_with_mistakes_still_registers_its_text(mini: Path) -> None:
    article = mini / "sources" / "articles" / "a.yaml"
    article.write_text(article.read_text(encoding="utf-8").replace("facts:", "facts:\n\tbroken"), encoding="utf-8")
    result = run("add-source", "texts/a.txt", "--no-copy")
    assert result.exit_code == 1
    assert result.output.startswith("Error: texts/a.txt is registered already: sources/articles/a.yaml:6 has SHA-256 ")


def test_copy_needs_a_texts_folder(mini: Path, tmp_path: Path) -> None:
    config = mini / "sources" / "project.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("texts: texts", ""), encoding="utf-8")
    text = write_text(tmp_path, "x.txt", "Text.\n")
    result = run("add-source", text)
    assert result.exit_code == 3
    assert result.output == (
        "Error: no texts folder configured ('texts:' in sources/project.yaml); pass --texts DIR or --no-copy\n"
    )
    assert not list((mini / "sources" / "articles").glob("000-*"))


def test_a_bad_language_tag_is_refused(mini: Path, tmp_path: Path) -> None:
    text = write_text(tmp_path, "x.txt", "Text.\n")
    result = run("add-source", text, "--language", "deutsch!")
    assert (result.exit_code, result.output) == (
        2,
        "Error: 'deutsch!' is not a language tag; use one such as de or en\n",
    )


def test_unknown_source_type_lists_the_valid_ones(mini: Path, tmp_path: Path) -> None:
    text = write_text(tmp_path, "x.txt", "Text.\n")
    result = run("add-source", text, "--type", "Blog")
    assert result.exit_code == 2
    assert result.output == "Error: unknown source type 'Blog'; use one of: NewsArticle, SourceDocument, WebPage\n"


# ---------------------------------------------------------------- units


def test_header_needs_its_separator_and_only_key_lines_before_it() -> None:
    assert read_header("Title: A\nURL: https://x.org\n---\nText") == Header(url="https://x.org", title="A")
    assert read_header("Title: A\nText without separator\n") == Header()
    assert read_header("Erster Satz: mit Doppelpunkt.\nZweiter Satz.\n---\n") == Header()
    assert read_header("\nTitel: Überschrift\nDatum: 2019\n---\n") == Header(title="Überschrift", date="2019")
    assert read_header("Quelle: https://x.org/a\n---\n") == Header(url="https://x.org/a")
    assert read_header("\ufeffTitle: A\r\n---\r\nText") == Header(title="A")
    assert read_header("Quelle: WAZ\n---\n") == Header(publisher="WAZ", publisher_line="Quelle: WAZ")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019-11-27", "2019-11-27"),
        ("2019-11-27T10:30:00+01:00", "2019-11-27"),
        ("2019-11", "2019-11"),
        ("2019", "2019"),
        ("27.11.2019", "2019-11-27"),
        ("27. November 2019", "2019-11-27"),
        ("4. März 2021", "2021-03-04"),
        ("November 2019", "2019-11"),
        ("November 27, 2019", "2019-11-27"),
        ("31.02.2019", None),
        ("am Mittwoch", None),
    ],
)
def test_parse_date_keeps_the_precision_given(text: str, expected: str | None) -> None:
    assert parse_date(text) == expected


def test_slugs_are_german_ascii() -> None:
    assert slugify("Serap Güler besucht das Haus der Integration") == "serap-gueler-besucht-das-haus-der-integration"
    assert slugify("Geiß-Netthöfel: „Vielfalt“ — 2019!") == "geiss-netthoefel-vielfalt-2019"
    assert slugify("a " * 40) == "-".join(["a"] * 30)
    assert slugify("„…“") == ""


# ---------------------------------------------------------------- the README's worked example


def readme_block(after: str, fence: str = "```") -> str:
    """The first fenced block after the line containing ``after``."""
    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rest = readme[readme.index(after) :]
    start = rest.index(fence) + len(fence)
    start = rest.index("\n", start) + 1
    return rest[start : rest.index("```", start)]


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed (the example ends with kg diff HEAD)")
def test_the_readme_worked_example_runs_as_documented(mini: Path, tmp_path: Path) -> None:
    import subprocess

    import yaml

    registry = mini / "sources" / "entities.yaml"
    registry.write_text(
        registry.read_text(encoding="utf-8").replace(
            "  name: Musterstadt\n", "  name: Musterstadt\n  aliases: [Stadt Musterstadt]\n"
        ),
        encoding="utf-8",
    )
    assert run("build", "--quiet").exit_code == 0
    subprocess.run(["git", "init", "-q"], cwd=mini, check=True)
    subprocess.run(["git", "add", "-A"], cwd=mini, check=True)
    subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@e.org", "commit", "-qm", "x"], cwd=mini, check=True)

    text = write_text(tmp_path / "Downloads", "zentrum-eroeffnet.txt", readme_block("for this saved article:"))
    assert run("add-source", text).exit_code == 0
    article = mini / "sources" / "articles" / "000-neues-zentrum-in-musterstadt-eroeffnet.yaml"
    written = article.read_text(encoding="utf-8")
    assert yaml.safe_load(written) == yaml.safe_load(readme_block("writes the next numbered article file:"))

    facts = readme_block("**3. Edit: write the facts**", fence="```yaml\nfacts:")
    article.write_text(written.split("\nfacts:")[0] + "\nfacts:\n" + facts, encoding="utf-8")
    validated = run("validate", "--quiet")
    assert validated.exit_code == 0, validated.output
    assert run("build", "--quiet").exit_code == 0
    shown = readme_block("$ kg diff HEAD", fence="$ kg diff HEAD")
    assert run("diff", "HEAD").stdout == shown


def test_a_text_already_in_the_texts_folder_is_not_copied_and_a_name_clash_is_refused(
    mini: Path, tmp_path: Path
) -> None:
    inside = write_text(mini / "texts", "neu.txt", "Schon da.\n")
    result = run("add-source", "texts/neu.txt")
    assert result.exit_code == 0
    assert result.stdout.endswith("; text at texts/neu.txt)\n")
    other = write_text(tmp_path / "elsewhere", "neu.txt", "Ein anderer Text.\n")
    clash = run("add-source", "../elsewhere/neu.txt", "--id", "anderer-text")
    assert clash.exit_code == 1
    assert clash.output == (
        "Error: texts/neu.txt exists with another text; rename ../elsewhere/neu.txt or pass --no-copy\n"
    )
    assert inside.read_text(encoding="utf-8") == "Schon da.\n" and other.is_file()
