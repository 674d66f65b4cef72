"""`kg diff`: domain-level changes between two builds, grouped by entity, with their sources."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from graph import pipeline
from graph.curation.diff import Evidence, Fact, Snapshot, Value, compare, format_markdown
from tests.conftest import run
from tests.minicopy import mini_copy

TEXT_C = "Musterstadt. Landrat Olaf Muster (XYZ) empfing Ministerin Erika Beispiel (XYZ) am 5. Mai 2022.\n"
ARTICLE_C = """\
source:
  id: zeitung-c
  type: NewsArticle
  name: Zeitung C
  language: de
  sha256: {sha}

facts:
  - id: olaf-muster
    type: Politician
    name: Olaf Muster
    quote: Landrat Olaf Muster (XYZ)
    memberOf: xyz

  - subject: erika-beispiel
    quote: Ministerin Erika Beispiel (XYZ)
    memberOf: xyz

  - id: empfang-musterstadt
    type: Reception
    name: Empfang in Musterstadt
    quote: Landrat Olaf Muster (XYZ) empfing Ministerin Erika Beispiel (XYZ) am 5. Mai 2022.
    host: olaf-muster
    participant: erika-beispiel
    startDate: 2022-05-05
"""


@pytest.fixture
def mini(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return mini_copy(tmp_path, monkeypatch)


def add_article_c(project: Path) -> None:
    text = project / "texts" / "c.txt"
    text.write_text(TEXT_C, encoding="utf-8")
    sha = hashlib.sha256(text.read_bytes()).hexdigest()
    (project / "sources" / "articles" / "c.yaml").write_text(ARTICLE_C.format(sha=sha), encoding="utf-8")


def build(project: Path, out: Path) -> None:
    result = run("build", "--quiet", "--project", project, "--out", out, "--format", "ntriples")
    assert result.exit_code == 0, result.output


def test_two_builds_differing_by_one_article_give_exactly_its_facts(mini: Path, tmp_path: Path) -> None:
    build(mini, tmp_path / "old")
    add_article_c(mini)
    build(mini, tmp_path / "new")
    result = run("diff", tmp_path / "old", tmp_path / "new", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)

    reported = set()
    for change in report["changes"]:
        for fact in change["facts"]:
            assert fact["change"] in ("added", "evidence"), fact
            assert [s["source"] for s in fact["new_sources"] if s not in fact["old_sources"]] == ["zeitung-c"]
            value = fact["new"]["value"]
            reported.add((change["id"], fact["new"]["property"], value.get("id", value.get("literal"))))
    dataset = pipeline.load(mini)
    expected = {
        (str(f.subject).rsplit("/", 1)[1], str(f.predicate).split("#")[1], str(f.object).rsplit("/", 1)[-1])
        for f in dataset.facts
        if f.source == "zeitung-c"
    }
    assert reported == expected
    assert report["summary"] == {
        "entities_added": 2,
        "entities_removed": 0,
        "facts_added": 4,
        "facts_changed": 0,
        "facts_removed": 0,
        "facts_with_changed_sources": 1,
        "sources_added": 1,
        "sources_removed": 0,
    }


def test_markdown_groups_by_entity_with_sources_and_quotes(mini: Path, tmp_path: Path) -> None:
    build(mini, tmp_path / "old")
    add_article_c(mini)
    build(mini, tmp_path / "new")
    result = run("diff", "../old", "../new")
    assert result.exit_code == 0
    quote = '"Landrat Olaf Muster (XYZ) empfing Ministerin Erika Beispiel (XYZ) am 5. Mai 2022."'
    assert result.stdout == (
        "# Changes from ../old to ../new\n"
        "\n"
        "1 sources added, 0 removed; 2 entities added, 0 removed; 4 facts added, 0 removed, 0 changed, "
        "1 with changed sources\n"
        "\n"
        "## Zeitung C (`zeitung-c`, NewsArticle) — new source\n"
        "\n"
        "## Empfang in Musterstadt (`empfang-musterstadt`, Reception) — new entity\n"
        "\n"
        f"- new fact **host** Olaf Muster (`olaf-muster`) — zeitung-c: {quote}\n"
        f"- new fact **participant** Erika Beispiel (`erika-beispiel`) — zeitung-c: {quote}\n"
        f"- new fact **startDate** 2022-05-05 — zeitung-c: {quote}\n"
        "\n"
        "## Erika Beispiel (`erika-beispiel`, Politician)\n"
        "\n"
        '- **memberOf** XYZ (`xyz`): new source zeitung-c: "Ministerin Erika Beispiel (XYZ)"\n'
        "\n"
        "## Olaf Muster (`olaf-muster`, Politician) — new entity\n"
        "\n"
        '- new fact **memberOf** XYZ (`xyz`) — zeitung-c: "Landrat Olaf Muster (XYZ)"\n'
    )


def test_a_replaced_value_is_one_changed_fact(mini: Path, tmp_path: Path) -> None:
    build(mini, tmp_path / "old")
    article = mini / "sources" / "articles" / "a.yaml"
    article.write_text(article.read_text(encoding="utf-8").replace("2021-03-03", "2021-03"), encoding="utf-8")
    build(mini, tmp_path / "new")
    result = run("diff", tmp_path / "old", tmp_path / "new")
    assert result.exit_code == 0
    quote = '"Ministerin Erika Beispiel (XYZ) besuchte am 3. März 2021 das Zentrum in Musterstadt."'
    assert result.stdout.endswith(
        "## Besuch von Erika Beispiel in Musterstadt (`besuch-beispiel`, Visit)\n"
        "\n"
        f"- changed **startDate** 2021-03-03 → 2021-03 — zeitung-a: {quote}\n"
    )
    assert "0 facts added, 0 removed, 1 changed, 0 with changed sources" in result.stdout


def test_the_same_build_has_no_changes(mini: Path, tmp_path: Path) -> None:
    build(mini, tmp_path / "old")
    result = run("diff", tmp_path / "old", tmp_path / "old")
    assert result.exit_code == 0
    assert result.stdout.endswith("\n\nNo changes.\n")


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed (needed for kg diff REVISION)")
def test_diff_against_a_git_revision_reads_its_exports(mini: Path) -> None:
    env = ["-c", "user.name=Test", "-c", "user.email=test@example.org"]
    assert run("build", "--quiet").exit_code == 0
    subprocess.run(["git", "init", "-q"], cwd=mini, check=True)
    subprocess.run(["git", "add", "-A"], cwd=mini, check=True)
    subprocess.run(["git", *env, "commit", "-qm", "first"], cwd=mini, check=True)
    add_article_c(mini)
    assert run("build", "--quiet").exit_code == 0
    result = run("diff", "HEAD")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(
        "# Changes from HEAD:exports/kg.nt to exports\n\n1 sources added, 0 removed; 2 entities added"
    )
    unknown = run("diff", "no-such-revision")
    assert unknown.exit_code == 2
    assert unknown.output == (
        "Error: 'no-such-revision' is neither an export folder, an N-Triples file nor a git revision\n"
    )


def test_a_folder_without_an_export_is_refused(mini: Path, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = run("diff", "../empty")
    assert result.exit_code == 2
    assert result.output == "Error: ../empty has no kg.nt; give an export folder (one 'kg build' wrote)\n"


def test_compare_pairs_one_removed_and_one_added_value_as_changed() -> None:
    def fact(value: str) -> Fact:
        return Fact("https://x.org/person/a", "memberOf", Value(f"https://x.org/party/{value}", iri=True), ())

    a, b = Evidence("s1", ("q1",)), Evidence("s2", ("q2",))
    before = Snapshot(facts={fact("p"): frozenset({a})})
    after = Snapshot(facts={fact("q"): frozenset({b})})
    changes = compare(before, after).changes
    assert [(f.kind, f.old, f.new) for c in changes for f in c.facts] == [("changed", fact("p"), fact("q"))]
    after.facts[fact("r")] = frozenset({b})  # two new values for one old one: added and removed
    kinds = sorted(f.kind for c in compare(before, after).changes for f in c.facts)
    assert kinds == ["added", "added", "removed"]


def test_a_source_with_a_new_date_and_title_lists_them(mini: Path, tmp_path: Path) -> None:
    build(mini, tmp_path / "old")
    article = mini / "sources" / "articles" / "a.yaml"
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("  language: de\n", "  language: de\n  datePublished: 2021-03-04\n"), "utf-8")
    build(mini, tmp_path / "new")
    result = run("diff", "../old", "../new")
    assert result.stdout.endswith(
        "## Zeitung A über den Besuch (`zeitung-a`, NewsArticle)\n\n- new datePublished: 2021-03-04\n"
    )


def test_without_a_build_the_working_tree_side_is_missing(mini: Path, tmp_path: Path) -> None:
    build(mini, tmp_path / "old")
    result = run("diff", "../old")
    assert result.exit_code == 3
    assert result.output == "Error: exports/kg.nt is missing; run 'kg build' first\n"


def test_a_changed_note_is_changed_evidence_with_both_notes(mini: Path, tmp_path: Path) -> None:
    build(mini, tmp_path / "old")
    article = mini / "sources" / "articles" / "a.yaml"
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("note: Said during the visit.", "note: Said at the visit."), encoding="utf-8")
    build(mini, tmp_path / "new")
    result = run("diff", tmp_path / "old", tmp_path / "new")
    assert result.exit_code == 0, result.output
    changed = 'note on zeitung-a: "„Integration ist Handarbeit“, sagte Beispiel." changed: '
    changed += '"Said during the visit." → "Said at the visit."'
    assert result.stdout.endswith(
        "## Beispiel: „Integration ist Handarbeit“ (`beispiel-handarbeit`, DirectQuote)\n"
        "\n"
        f"- **occasion** Besuch von Erika Beispiel in Musterstadt (`besuch-beispiel`): {changed}\n"
        f"- **spokenBy** Erika Beispiel (`erika-beispiel`): {changed}\n"
        f"- **text** Integration ist Handarbeit: {changed}\n"
    )
    assert "0 facts added, 0 removed, 0 changed, 3 with changed sources" in result.stdout
    report = json.loads(run("diff", tmp_path / "old", tmp_path / "new", "--format", "json").stdout)
    facts = [f for c in report["changes"] for f in c["facts"]]
    assert len(facts) == 3 and {f["change"] for f in facts} == {"evidence"}
    assert all([s.get("note") for s in f["old_sources"]] == ["Said during the visit."] for f in facts)
    assert all([s.get("note") for s in f["new_sources"]] == ["Said at the visit."] for f in facts)


def test_a_note_added_or_removed_shows_none_on_the_other_side() -> None:
    fact = Fact("https://example.org/kg/quote/q", "spokenBy", Value("https://example.org/kg/person/p", iri=True), ())
    bare, noted = Evidence("zeitung-a", ("Satz.",)), Evidence("zeitung-a", ("Satz.",), "Read as a quote.")
    for old, new, shown in ((bare, noted, 'none → "Read as a quote."'), (noted, bare, '"Read as a quote." → none')):
        diff = compare(Snapshot({}, {fact: frozenset({old})}), Snapshot({}, {fact: frozenset({new})}))
        assert format_markdown(diff).endswith(f'note on zeitung-a: "Satz." changed: {shown}\n')
    moved = Evidence("zeitung-b", ("Satz.",), "Read as a quote.")
    diff = compare(Snapshot({}, {fact: frozenset({bare})}), Snapshot({}, {fact: frozenset({moved})}))
    assert format_markdown(diff).endswith(
        'new source zeitung-b: "Satz." (note: "Read as a quote."); source removed zeitung-a: "Satz."\n'
    )
