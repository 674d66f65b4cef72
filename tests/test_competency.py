"""The named competency questions answer what the Musterland fixture's five texts say.

Each test runs a question through `kg query --format json` on the built fixture project
(tests/data/musterland, invented texts) and compares the answer with what its texts say:
the expected values are read from the texts (quoted in the comments), and where the graph
returns quotes or words "as the source gives them", the test looks them up in the text.
The real corpus is checked by tests/test_corpus.py (a regenerable snapshot of every answer);
the examples in the query headers, which name its entities, are run on it here.
"""

from __future__ import annotations

import hashlib
import json
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.plugins.sparql import prepareQuery

from graph.library import library
from graph.sparql import check_query
from tests.conftest import MUSTERLAND, ROOT, run

Row = dict[str, str]
BASE = "https://example.org/musterland/id/"
KONFERENZ = "Integrationskonferenz Musterland 2021"
KREISKONFERENZ = "Integrationskonferenz des Musterkreises"
BESUCH_ALTSTADT = "Besuch von Erika Beispiel im Kommunalen Integrationszentrum Altstadt"
TEST_GESPRAECH = "Gespräch von Tom Test in der Redaktion"


@pytest.fixture(scope="module", autouse=True)
def cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KG_CACHE_DIR", str(tmp_path_factory.mktemp("kg-cache")))
        yield


@pytest.fixture(scope="module", autouse=True)
def fixture_project(musterland_built: Path) -> Iterator[None]:
    """The questions run on the built Musterland fixture (a session fixture, so set per module)."""
    PROJECT[:] = [musterland_built]
    yield


PROJECT: list[Path] = []


def ask(name: str, project: Path | None = None, **params: str) -> list[Row]:
    """The rows of a named query on the fixture (or ``project``), as {variable: value}, unbound left out."""
    args = [arg for key, value in params.items() for arg in ("--param", f"{key}={value}")]
    result = run("query", name, "--project", project or PROJECT[0], "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    bindings = json.loads(result.stdout)["results"]["bindings"]
    return [{key: term["value"] for key, term in row.items()} for row in bindings]


def column(rows: list[Row], name: str) -> list[str]:
    return [row.get(name, "") for row in rows]


def normalise(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def articles() -> dict[str, str]:
    """The fixture's texts by SHA-256, whitespace runs as one space (as `kg check-quotes` compares)."""
    found = {}
    for path in sorted((MUSTERLAND / "texts").iterdir()):
        data = path.read_bytes()
        found[hashlib.sha256(data).hexdigest()] = normalise(data.decode("utf-8"))
    return found


@pytest.fixture(scope="module")
def text_of(articles: dict[str, str]) -> dict[str, str]:
    """Each source's IRI -> its article text (through the 'sources' question's sha256)."""
    return {row["source"]: articles[row["sha256"]] for row in ask("sources")}


# ---------------------------------------------------------------- the library itself


def test_the_library_has_every_question() -> None:
    # Guards against the library shrinking silently (a deleted .rq file).
    assert len(library()) == 20


@pytest.mark.parametrize("name", sorted(library()))
def test_every_question_is_documented_portable_and_bindable(name: str) -> None:
    named = library()[name]
    assert named.question_de and named.question_en and named.example.startswith(f"kg query {name}")
    # rdflib translates the query without our built-in prefixes: every prefix is declared,
    # so the file runs unchanged on any SPARQL store.
    prepareQuery(named.text)
    info = check_query(named.text)
    assert info.form == "SELECT"
    for parameter in named.parameters:
        assert info.projected is not None and parameter.name in info.projected, parameter.name
    assert "ORDER BY" in named.text, "library answers must come in a stable order"


def test_the_readme_lists_every_question() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for named in library().values():
        params = ", ".join(f"`{p.name}`" for p in named.parameters) or "\N{EN DASH}"
        assert f"| `{named.name}` | {named.question_en} | {params} |" in readme, named.name


@pytest.mark.parametrize("name", sorted(library()))
def test_every_example_in_a_header_runs(name: str) -> None:
    example = shlex.split(library()[name].example)
    assert example[:2] == ["kg", "query"]
    result = run(*example[1:], "--project", ROOT)
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.splitlines()) > 2  # header, rule and at least one row


def example_value(description: str) -> str:
    """The example in a parameter's description: "a person's id, e.g. serap-gueler (…)"."""
    return description.split("e.g. ", 1)[1].split()[0].rstrip(",;)")


@pytest.mark.parametrize(
    ("name", "parameter"), [(n, p.name) for n, q in library().items() for p in q.parameters], ids=str
)
def test_a_parameter_filters_the_rows(name: str, parameter: str) -> None:
    value = example_value(library()[name].parameter(parameter).description)  # type: ignore[union-attr]
    everything = ask(name, ROOT)
    some = ask(name, ROOT, **{parameter: value})
    assert some, f"{name} with {parameter}={value} has no rows"
    assert len(some) < len(everything)
    bound = {row[parameter] for row in some}
    assert len(bound) == 1 and bound.pop().endswith(f"/{value}")


@pytest.mark.parametrize("name", sorted(library()))
def test_the_fixture_answers_every_question(name: str) -> None:
    # tests/data/musterland is written so that no question is tested on an empty answer.
    assert ask(name), f"{name} has no rows on the Musterland fixture"


# ---------------------------------------------------------------- people, offices, parties


def test_politicians_with_party_and_office() -> None:
    rows = ask("politicians")
    table = {(r["name"], r.get("parties", ""), r.get("office", "")) for r in rows}
    assert table == {
        # a: "Staatssekretär Hans Muster (XYZ) vom Bundesministerium für Heimat"
        ("Hans Muster", "XYZ", "Staatssekretär im Bundesministerium für Heimat"),
        # a: "Regionaldirektorin Petra Probe (UVW)"
        ("Petra Probe", "UVW", "Regionaldirektorin"),
        # a/c: "Staatssekretärin Erika Beispiel (XYZ)"
        ("Erika Beispiel", "XYZ", "Staatssekretärin der Landesregierung Musterland"),
        # d: "Tom Test, Staatssekretär im Ministerium für Integration Musterland" (no party)
        ("Tom Test", "", "Staatssekretär im Ministerium für Integration Musterland"),
        ("Otto Alt", "", "Landrat des Musterkreises"),  # d: "Landrat Otto Alt"
        ("Bernd Neu", "", "Landrat des Musterkreises"),  # e: "Landrat Bernd Neu"
        ("Karl Kern", "", "Sozialdezernent der Stadt Altstadt"),  # c: "Sozialdezernent Karl Kern"
    }


def test_politicians_periods_are_only_what_the_sources_date() -> None:
    rows = {r["name"]: r for r in ask("politicians")}
    # b names the three speakers with their offices "Am 12. Mai 2021"; no text gives a term of office.
    assert {name for name, r in rows.items() if r.get("asOf")} == {"Hans Muster", "Petra Probe", "Erika Beispiel"}
    assert {r["asOf"] for r in rows.values() if "asOf" in r} == {"2021-05-12"}
    assert not any("from" in r or "until" in r for r in rows.values())


def test_offices_with_two_holders_from_different_articles() -> None:
    rows = ask("offices", post="landrat-musterkreis")
    # d: "Landrat Otto Alt"; e: "Landrat Bernd Neu" — two articles, two Landräte.
    assert sorted(column(rows, "holderName")) == ["Bernd Neu", "Otto Alt"]
    assert set(column(rows, "organisation")) == {"Musterkreis"}


def test_party_members_and_their_sources() -> None:
    rows = {(r["partyName"], r["name"]): r for r in ask("party-members")}
    assert set(rows) == {("XYZ", "Erika Beispiel"), ("XYZ", "Hans Muster"), ("UVW", "Petra Probe")}
    # "Erika Beispiel (XYZ)" is in the conference report (a) and the Altstadt report (c).
    assert rows["XYZ", "Erika Beispiel"]["sources"] == "2"
    assert rows["XYZ", "Hans Muster"]["sources"] == "1"
    assert rows["XYZ", "Erika Beispiel"]["offices"] == "Staatssekretärin der Landesregierung Musterland"


# ---------------------------------------------------------------- events and visits


def test_participation_of_erika_beispiel_in_date_order() -> None:
    rows = ask("participation", entity="erika-beispiel")
    events = [(r["eventName"], r["role"], r.get("roleNote", ""), r.get("when", "")) for r in rows]
    # The only calendar date: b "Termin: 12. Mai 2021, 10 bis 15 Uhr"; so it comes first.
    assert events[0] == (KONFERENZ, "speaker", "", "")
    assert (rows[0]["start"], rows[0]["end"], rows[0]["place"]) == (
        "2021-05-12T10:00:00",
        "2021-05-12T15:00:00",
        "Musterhalle",
    )
    # Then the events known by words, in the order of the words' sort, then the undated one.
    assert events[1:] == [
        (BESUCH_ALTSTADT, "visitor", "", "am Mittwoch"),  # c: "Ihr Besuch am Mittwoch"
        # c: "Bereits im Januar hatte sie sich über das Haus der Vielfalt informiert."
        ("Erika Beispiel informiert sich über das Haus der Vielfalt (Januar)", "participant", "", "im Januar"),
        # c: "Vor einigen Tagen hatte Beispiel als Gastrednerin beim Sommerempfang der Stadt gesprochen."
        ("Sommerempfang der Stadt Altstadt", "speaker", "Gastrednerin", "Vor einigen Tagen"),
        # e: "Zu den Gästen zählte mit Erika Beispiel auch eine Vertreterin der Landesregierung." (no date)
        (KREISKONFERENZ, "participant", "Vertreterin der Landesregierung", ""),
    ]
    assert not any(r.get("start") for r in rows[1:])


def test_integration_centre_visits(text_of: dict[str, str]) -> None:
    rows = {r["visitorName"]: r for r in ask("integration-centre-visits")}
    assert set(rows) == {"Erika Beispiel", "Tom Test"}
    beispiel, test = rows["Erika Beispiel"], rows["Tom Test"]
    assert beispiel["centreName"] == "Kommunales Integrationszentrum Altstadt"
    assert test["centreName"] == "Kommunales Integrationszentrum Musterkreis"
    # Weekdays only: "Ihr Besuch am Mittwoch", "hat sich am Dienstag ... informiert"; no calendar date.
    assert (beispiel["when"], test["when"]) == ("am Mittwoch", "am Dienstag")
    assert "start" not in beispiel and "start" not in test
    # c: "Sozialdezernent Karl Kern begrüßte die Staatssekretärin gemeinsam mit Lea Leit"
    assert sorted(beispiel["hosts"].split(", ")) == ["Karl Kern", "Lea Leit"]
    assert "with" not in beispiel and "places" not in beispiel
    # d: "gemeinsam mit Landrat Otto Alt"; "das Kommunale Integrationszentrum im Kreishaus Kreisdorf"
    assert test["with"] == "Otto Alt" and test["places"] == "Kreishaus Kreisdorf" and "hosts" not in test
    article = text_of[f"{BASE}source/bericht-besuch-kreis"]
    assert "Staatssekretär Tom Test hat sich am Dienstag gemeinsam mit Landrat Otto Alt" in article


def test_integration_centres_with_municipality_head_and_founding() -> None:
    rows = {r["name"]: r for r in ask("integration-centres")}
    assert set(rows) == {"Kommunales Integrationszentrum Altstadt", "Kommunales Integrationszentrum Musterkreis"}
    altstadt = rows["Kommunales Integrationszentrum Altstadt"]
    kreis = rows["Kommunales Integrationszentrum Musterkreis"]
    # c: "Lea Leit, Leiterin des Kommunalen Integrationszentrums"; "Im Haus der Vielfalt arbeiten
    # Ausländeramt, Jobcenter und Integrationszentrum für Altstadt zusammen."
    assert (altstadt["municipality"], altstadt["head"], altstadt["venue"], altstadt["venueIn"]) == (
        "Altstadt",
        "Lea Leit",
        "Haus der Vielfalt",
        "Altstadt",
    )
    # c: "Partner sind die Arbeitsagentur und die Handwerkskammer."
    assert sorted(altstadt["partners"].split(", ")) == ["Arbeitsagentur", "Handwerkskammer"]
    assert "founded" not in altstadt
    # d: "Das KI wurde im Frühjahr 2014 eingerichtet; Leiterin ist Ida Idee."
    assert (kreis["municipality"], kreis["head"], kreis["venue"], kreis["venueIn"]) == (
        "Musterkreis",
        "Ida Idee",
        "Kreishaus Kreisdorf",
        "Kreisdorf",
    )
    assert (kreis["founded"], kreis["foundedAsWorded"]) == ("2014", "im Frühjahr 2014")
    assert "partners" not in kreis


def test_timeline_dates_only_what_the_sources_date() -> None:
    rows = ask("timeline")
    dated = [(r["name"], r["start"]) for r in rows if "start" in r]
    assert dated == [
        ("Integrationskonferenz Musterland", "2020"),  # b: "Die Konferenz gibt es seit 2020."
        ("Integrationskonferenz Musterland 2020", "2020"),  # a: "Bei der ersten Integrationskonferenz 2020"
        (KONFERENZ, "2021-05-12T10:00:00"),  # b: "Termin: 12. Mai 2021, 10 bis 15 Uhr"
    ]
    assert [r["name"] for r in rows[:3]] == [name for name, _ in dated]
    assert rows[2]["partOf"] == "Integrationskonferenz Musterland" and rows[2]["place"] == "Musterhalle"
    worded = {r["name"]: r["when"] for r in rows[3:]}
    assert worded == {
        BESUCH_ALTSTADT: "am Mittwoch",
        "Besuch von Tom Test im Kommunalen Integrationszentrum des Musterkreises": "am Dienstag",
        "Erika Beispiel informiert sich über das Haus der Vielfalt (Januar)": "im Januar",
        TEST_GESPRAECH: "anschließend",
        "Sommerempfang der Stadt Altstadt": "Vor einigen Tagen",
        KREISKONFERENZ: "unknown",  # e gives no time for the conference at all
        "Pressetermin bei der Integrationskonferenz 2021": "unknown",
    }
    # Events the sources give no time for close the timeline.
    assert [r["when"] for r in rows[-2:]] == ["unknown", "unknown"]


def test_event_participants_and_their_roles() -> None:
    rows = ask("event-participants", event="integrationskonferenz-musterkreis")
    roles = {(r["name"], r["role"], r.get("roleNote", "")) for r in rows}
    # e: "Eingeladen hatten das Kommunale Integrationszentrum und die Stadt Kreisdorf sowie der
    # Integrationsrat der Stadt Kreisdorf."
    assert roles == {
        ("Kommunales Integrationszentrum Musterkreis", "organiser", ""),
        ("Kreisdorf", "organiser", ""),
        ("Integrationsrat der Stadt Kreisdorf", "organiser", ""),
        ("Bernd Neu", "speaker", ""),  # "machte Landrat Bernd Neu auf der Integrationskonferenz ... deutlich"
        ("Max Moder", "moderator", ""),  # "Am Ende verabschiedete Moderator Max Moder die Gäste."
        ("Erika Beispiel", "participant", "Vertreterin der Landesregierung"),
    }


def test_event_speakers_and_their_words_are_in_the_article(text_of: dict[str, str]) -> None:
    rows = ask("event-speakers", event="integrationskonferenz-2021")
    # b: "Am 12. Mai 2021 sprechen Staatssekretärin Erika Beispiel, ... Dr. Hans Muster ... und ... Petra Probe."
    assert set(column(rows, "speakerName")) == {"Erika Beispiel", "Hans Muster", "Petra Probe"}
    # Muster spoke "vor der Presse": words said at the press briefing count for the conference.
    muster = {r["occasion"] for r in rows if r["speakerName"] == "Hans Muster"}
    assert muster == {"Pressetermin bei der Integrationskonferenz 2021"}
    article = text_of[f"{BASE}source/bericht-konferenz"]
    direct = sorted(r["text"] for r in rows if r["kind"] == "direct quote")
    assert direct == ["Das braucht Geduld", "Was hier gelingt, gelingt auch anderswo."]
    for words in direct:
        assert normalise(words) in article, words
    assert len(rows) == 5


def test_quotes_by_tom_test(text_of: dict[str, str]) -> None:
    rows = ask("quotes-by-person", person="tom-test")
    article = text_of[f"{BASE}source/bericht-besuch-kreis"]
    assert [(r["kind"], r["text"]) for r in rows] == [
        ("direct quote", "Ich sehe das anders"),
        ("reported speech", "Viele Städte seien überfordert"),
    ]
    assert set(column(rows, "occasion")) == {TEST_GESPRAECH}
    for row in rows:
        assert row["source"].startswith("Bericht: Staatssekretär Tom Test")
        assert normalise(row["text"]) in article, row["text"]
    # "Ich sehe das anders", sagte Test mit Blick auf Altstadt und Neustadt.
    assert sorted(rows[0]["about"].split(", ")) == ["Altstadt", "Neustadt"]
    assert "about" not in rows[1]


def test_people_who_met_erika_beispiel() -> None:
    rows = ask("people-who-met", person="erika-beispiel")
    assert {(r["otherName"], r["eventNames"]) for r in rows} == {
        ("Hans Muster", KONFERENZ),
        ("Petra Probe", KONFERENZ),
        ("Karl Kern", BESUCH_ALTSTADT),
        ("Lea Leit", BESUCH_ALTSTADT),
        ("Bernd Neu", KREISKONFERENZ),
        ("Max Moder", KREISKONFERENZ),
    }
    assert set(column(rows, "events")) == {"1"}


# ---------------------------------------------------------------- money, figures, programmes


def test_funding_by_programme_with_totals_and_no_invented_years() -> None:
    rows = ask("funding")
    assert len(rows) == 6
    strategy = [r for r in rows if r["programmeName"] == "Teilhabestrategie Musterland 2030"]
    # a: "Dazu seien ab Juli nächsten Jahres zunächst 10 Millionen Euro vorgesehen, in den beiden
    # Folgejahren dann 20 und 30 Millionen." The article is undated: no calendar year.
    assert [(r.get("amount"), r.get("period"), r.get("year")) for r in strategy[:3]] == [
        ("10000000", "ab Juli nächsten Jahres", None),
        ("20000000", "in den beiden Folgejahren", None),
        ("30000000", "in den beiden Folgejahren", None),
    ]
    assert {r["announcedBy"] for r in strategy[:3]} == {"Erika Beispiel"}
    total = strategy[3]
    assert "commitment" not in total and (total["total"], total["currency"]) == ("60000000", "EUR")
    other = {r["programmeName"]: r for r in rows if r["programmeName"].startswith("(no programme)")}
    # c: "Bis 2022 will die Landesregierung 5 Millionen Euro für die Ausweitung der Beratung bereitstellen."
    extension = other["(no programme) Ausweitung der Beratung"]
    assert (extension["amount"], extension["year"], extension["period"], extension["funder"]) == (
        "5000000",
        "2022",
        "Bis 2022",
        "Landesregierung Musterland",
    )
    # c: "Für die personelle Ausstattung sagte Beispiel die Unterstützung des Landes zu." — no amount, no time.
    staff = other["(no programme) personelle Ausstattung"]
    assert "amount" not in staff and staff["period"] == "unknown" and staff["announcedBy"] == "Erika Beispiel"


def test_statistics_for_altstadt_and_the_region() -> None:
    altstadt = {(r["value"], r["unit"]) for r in ask("statistics", area="altstadt")}
    # c: "8 000 geflüchtete Menschen leben in Altstadt. Das sind 20 Prozent der Bevölkerung."
    assert altstadt == {("8000", "persons"), ("20", "percent")}
    region = {r["value"]: r for r in ask("statistics", area="musterregion")}
    # a: "Nach Angaben des Regionalverbands haben 25,5 Prozent ... seien es über 30 Prozent."
    assert set(region) == {"25.5", "30"}
    assert region["30"]["approximation"] == "über" and "approximation" not in region["25.5"]
    assert {r["accordingTo"] for r in region.values()} == {"Regionalverband Musterregion"}


def test_programmes() -> None:
    rows = {r["name"]: r for r in ask("programmes")}
    assert set(rows) == {"Teilhabestrategie Musterland 2030", "Talentzentrum Neustadt", "Modellprojekt des Landes"}
    strategy = rows["Teilhabestrategie Musterland 2030"]
    # a: "der Landesregierung Musterland, die 2022 vorgestellt werden soll"
    assert (strategy["responsible"], strategy["plannedPresentation"], strategy["commitments"]) == (
        "Landesregierung Musterland",
        "2022",
        "3",
    )
    # a: "das 2016 gestartete Talentzentrum in Neustadt"
    talent = rows["Talentzentrum Neustadt"]
    assert (talent["start"], talent["place"]) == ("2016", "Neustadt")
    # c: "Altstadt nimmt an einem Modellprojekt des Landes teil."
    assert (rows["Modellprojekt des Landes"]["participants"], rows["Modellprojekt des Landes"]["responsible"]) == (
        "Altstadt",
        "Musterland",
    )


# ---------------------------------------------------------------- places and organisations


def test_organisations_in_or_for_altstadt() -> None:
    rows = {(r["name"], r["relation"], r.get("via", "")) for r in ask("organisations-by-place", place="altstadt")}
    # c: "Im Haus der Vielfalt arbeiten Ausländeramt, Jobcenter und Integrationszentrum für Altstadt zusammen."
    names = ("Ausländeramt Altstadt", "Jobcenter Altstadt", "Kommunales Integrationszentrum Altstadt")
    assert rows == {(n, "area served", "") for n in names} | {(n, "location", "Haus der Vielfalt") for n in names}


def test_places_and_what_they_lie_in() -> None:
    rows = ask("places", place="haus-der-vielfalt")
    # c: the Haus der Vielfalt is in Altstadt ("für Altstadt"); "Altstadt liegt im Musterland."
    assert [(r["withinName"], r["steps"]) for r in rows] == [("Altstadt", "1"), ("Musterland", "2")]
    assert {r["address"] for r in rows} == {"Lindenallee"}


# ---------------------------------------------------------------- sources and evidence


def test_sources_describe_only_what_the_texts_give(articles: dict[str, str]) -> None:
    rows = ask("sources")
    assert len(rows) == 5
    for row in rows:
        assert row["sha256"] in articles  # each source is one of the five texts
        assert not {"publisher", "published", "url"} & set(row), "no text names its publisher, date or URL"
        if "title" in row:
            assert row["title"] in articles[row["sha256"]]
    assert {(r["name"], r["kind"], r.get("title"), int(r["facts"]), int(r["entities"])) for r in rows} == {
        ("Bericht über die zweite Integrationskonferenz (ohne Überschrift)", "news article", None, 63, 29),
        ("Webseite „Integrationskonferenz Musterland 2021“", "web page", KONFERENZ, 17, 13),
        (
            "Bericht: Erika Beispiel besucht das Haus der Vielfalt in Altstadt",
            "news article",
            "Vielfalt unter einem Dach",
            45,
            22,
        ),
        (
            "Bericht: Staatssekretär Tom Test im Kommunalen Integrationszentrum des Musterkreises (ohne Überschrift)",
            "news article",
            None,
            28,
            17,
        ),
        ("Bericht: Integrationskonferenz des Musterkreises", "news article", "Was Integration im Kreis ausmacht", 9, 9),
    }


def test_evidence_quotes_are_verbatim_in_their_sources(text_of: dict[str, str]) -> None:
    rows = ask("evidence", entity="erika-beispiel")
    assert rows
    for row in rows:
        assert normalise(row["quote"]) in text_of[row["source"]], (row["sourceName"], row["quote"])
    membership = {r["sourceName"] for r in rows if r["property"] == "member of" and r["value"] == "XYZ"}
    assert membership == {
        "Bericht über die zweite Integrationskonferenz (ohne Überschrift)",
        "Bericht: Erika Beispiel besucht das Haus der Vielfalt in Altstadt",
    }
    roles = {r["qualifiers"] for r in rows if "qualifiers" in r}
    assert roles == {"role: Gastrednerin", "role: Vertreterin der Landesregierung", "as of: 2021-05-12"}


def test_multi_source_entities() -> None:
    rows = {r["name"]: r for r in ask("multi-source-entities")}
    # Beispiel appears in a, b, c and e, not in the report on Tom Test's visit (d); most mentioned first.
    assert next(iter(rows)) == "Erika Beispiel" and rows["Erika Beispiel"]["sources"] == "4"
    assert "Bericht: Staatssekretär Tom Test" not in rows["Erika Beispiel"]["sourceNames"]
    assert "Tom Test" not in rows  # only in d
    # The KI of the Musterkreis: d (the visit) and e (the conference).
    assert rows["Kommunales Integrationszentrum Musterkreis"]["sources"] == "2"
    assert rows["Kommunales Integrationszentrum Musterkreis"]["sourceNames"].split(" | ") == [
        "Bericht: Staatssekretär Tom Test im Kommunalen Integrationszentrum des Musterkreises (ohne Überschrift)",
        "Bericht: Integrationskonferenz des Musterkreises",
    ]
    assert all(int(r["sources"]) >= 2 for r in rows.values()) and len(rows) == 18


def test_curator_notes_back_readings_with_quotes(text_of: dict[str, str]) -> None:
    rows = ask("curator-notes")
    alt = [r for r in rows if r["subject"] == "Otto Alt"]
    assert [(r["property"], r["value"]) for r in alt] == [("holds", "Landrat des Musterkreises")]
    assert alt[0]["note"] == '"Landrat" in a report on the Musterkreis is read as its Landrat.'
    assert len(rows) == 11
    for row in rows:
        for part in row["quote"].split(" … "):
            assert normalise(part) in text_of[row["source"]], part


def test_a_query_against_rdflib_gives_the_same_answer() -> None:
    # An independent engine on the same files: rdflib runs 'party-members' too.
    graph = Graph().parse(PROJECT[0] / "exports" / "kg.nt", format="nt")
    for path in sorted((ROOT / "ontology").glob("*.ttl")):
        if path.name != "shapes.ttl":
            graph.parse(path, format="turtle")
    expected = {(str(r.partyName), str(r.name), int(r.sources)) for r in graph.query(library()["party-members"].text)}  # type: ignore[union-attr]
    assert expected == {(r["partyName"], r["name"], int(r["sources"])) for r in ask("party-members")}
