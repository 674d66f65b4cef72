"""The named competency questions answer what the five articles say.

Each test runs a question through `kg query --format json` on the committed graph and
compares the answer with the articles in the seed texts: the expected values below are
read from the articles (quoted in the comments), and where the graph returns quotes or
words "as the source gives them", the test looks them up in the article text itself.
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
from tests.conftest import ROOT, run

Row = dict[str, str]
BASE = "https://w3id.org/nrw-integration-kg/id/"
SOZIALKONFERENZ = "Sozialkonferenz Ruhr 2019"
EN_KONFERENZ = "Kreisweite Integrationskonferenz des Ennepe-Ruhr-Kreises"
KLUTE_GESPRAECH = "Gespräch von Thorsten Klute in der Redaktion"


@pytest.fixture(scope="module", autouse=True)
def cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KG_CACHE_DIR", str(tmp_path_factory.mktemp("kg-cache")))
        yield


def ask(name: str, **params: str) -> list[Row]:
    """The rows of a named query, as {variable: value} (unbound variables left out)."""
    args = [arg for key, value in params.items() for arg in ("--param", f"{key}={value}")]
    result = run("query", name, "--project", ROOT, "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    bindings = json.loads(result.stdout)["results"]["bindings"]
    return [{key: term["value"] for key, term in row.items()} for row in bindings]


def column(rows: list[Row], name: str) -> list[str]:
    return [row.get(name, "") for row in rows]


def normalise(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def articles(texts: Path) -> dict[str, str]:
    """The seed texts by SHA-256, whitespace runs as one space (as `kg check-quotes` compares)."""
    found = {}
    for path in sorted(texts.iterdir()):
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
    everything = ask(name)
    some = ask(name, **{parameter: value})
    assert some, f"{name} with {parameter}={value} has no rows"
    assert len(some) < len(everything)
    bound = {row[parameter] for row in some}
    assert len(bound) == 1 and bound.pop().endswith(f"/{value}")


# ---------------------------------------------------------------- people, offices, parties


def test_politicians_with_party_and_office() -> None:
    rows = ask("politicians")
    table = {(r["name"], r.get("parties", ""), r.get("office", "")) for r in rows}
    assert table == {
        # 000: "Staatssekretär Markus Kerber (CDU) vom Bundesinnenministerium"
        ("Markus Kerber", "CDU", "Staatssekretär im Bundesinnenministerium"),
        # 000: "RVR-Regionaldirektorin Karola Geiß-Netthöfel (SPD)"
        ("Karola Geiß-Netthöfel", "SPD", "RVR-Regionaldirektorin"),
        # 000/002: "NRW-Staatssekretärin Serap Güler (CDU)"; 002: "die Staatssekretärin für Integration des Landes NRW"
        ("Serap Güler", "CDU", "Staatssekretärin für Integration des Landes NRW"),
        # 003: "Thorsten Klute, Staatssekretär im Ministerium für Arbeit, Integration und Soziales NRW" (no party)
        ("Thorsten Klute", "", "Staatssekretär im Ministerium für Arbeit, Integration und Soziales NRW"),
        ("Arnim Brux", "", "Landrat des Ennepe-Ruhr-Kreises"),  # 003: "Landrat Arnim Brux"
        ("Olaf Schade", "", "Landrat des Ennepe-Ruhr-Kreises"),  # 004: "Landrat Olaf Schade"
        ("Dirk Glaser", "", "Bürgermeister von Hattingen"),  # 004: "Hattingens Bürgermeister Dirk Glaser"
        # Stefan Kühn is a Person: 002 calls him only "Sozialdezernent", an administrative office
    }


def test_politicians_periods_are_only_what_the_sources_date() -> None:
    rows = {r["name"]: r for r in ask("politicians")}
    # 001 names the speakers with their offices "am 27. November 2019"; no text gives a term of office.
    # (Güler's post is dated nowhere: 001 calls her only "NRW-Staatssekretärin", a title.)
    assert {name for name, r in rows.items() if r.get("asOf")} == {
        "Markus Kerber",
        "Karola Geiß-Netthöfel",
    }
    assert {r["asOf"] for r in rows.values() if "asOf" in r} == {"2019-11-27"}
    assert not any("from" in r or "until" in r for r in rows.values())


def test_offices_with_two_holders_from_different_articles() -> None:
    rows = ask("offices", post="landrat-ennepe-ruhr-kreis")
    # 003: "Landrat Arnim Brux"; 004: "Landrat Olaf Schade" — two articles, two Landräte.
    assert sorted(column(rows, "holderName")) == ["Arnim Brux", "Olaf Schade"]
    assert set(column(rows, "organisation")) == {"Ennepe-Ruhr-Kreis"}


def test_party_members_and_their_sources() -> None:
    rows = {(r["partyName"], r["name"]): r for r in ask("party-members")}
    assert set(rows) == {("CDU", "Serap Güler"), ("CDU", "Markus Kerber"), ("SPD", "Karola Geiß-Netthöfel")}
    # "Serap Güler (CDU)" is in the Sozialkonferenz report (000) and the Wuppertal report (002).
    assert rows["CDU", "Serap Güler"]["sources"] == "2"
    assert rows["CDU", "Markus Kerber"]["sources"] == "1"


# ---------------------------------------------------------------- events and visits


def test_participation_of_serap_gueler_in_date_order() -> None:
    rows = ask("participation", entity="serap-gueler")
    events = [(r["eventName"], r["role"], r.get("roleNote", ""), r.get("when", "")) for r in rows]
    # The only calendar date: 001 "27. November 2019, 12 bis 16.30 Uhr"; so it comes first.
    assert events[0] == (SOZIALKONFERENZ, "speaker", "", "am 27. November")
    assert rows[0]["start"] == "2019-11-27T12:00:00"
    assert set(events[1:]) == {
        # 002: "Ihr Besuch am Mittwoch galt speziell dem Kommunalen Integrationszentrum (KI)."
        ("Besuch von Serap Güler im Kommunalen Integrationszentrum Wuppertal", "visitor", "", "am Mittwoch"),
        # 002: "Vor einigen Tagen hatte Serap Güler als Gastrednerin beim Laurentiusempfang"
        ("Laurentiusempfang der katholischen Kirche", "speaker", "Gastrednerin", "Vor einigen Tagen"),
        # 002: "hatte sich ... Serap Güler (CDU) bereits im Januar informiert"
        ("Serap Güler informiert sich über das Haus der Integration (Januar)", "participant", "", "im Januar"),
        # 004: "Zu den Gästen zählte mit Serap Güler auch eine Vertreterin der Landesregierung." (no date)
        (EN_KONFERENZ, "participant", "Vertreterin der Landesregierung", ""),
    }
    assert not any(r.get("start") for r in rows[1:])


def test_integration_centre_visits(text_of: dict[str, str]) -> None:
    rows = {r["visitorName"]: r for r in ask("integration-centre-visits")}
    assert set(rows) == {"Serap Güler", "Thorsten Klute"}
    gueler, klute = rows["Serap Güler"], rows["Thorsten Klute"]
    assert gueler["centreName"] == "Kommunales Integrationszentrum Wuppertal"
    assert klute["centreName"] == "Kommunales Integrationszentrum Ennepe-Ruhr-Kreis"
    # Weekdays only: "Ihr Besuch am Mittwoch", "hat sich am Dienstag ... informiert"; no calendar date.
    assert (gueler["when"], klute["when"]) == ("am Mittwoch", "am Dienstag")
    assert "start" not in gueler and "start" not in klute
    # 002: "Stefan Kühn, der die Staatssekretärin ... gemeinsam mit Arlin Cakal-Rasch ... begrüßt hatte"
    assert sorted(gueler["hosts"].split(", ")) == ["Arlin Cakal-Rasch", "Stefan Kühn"]
    # 003: "gemeinsam mit Landrat Arnim Brux"; "das Kommunale Integrationszentrum im Schwelmer Kreishaus"
    assert klute["with"] == "Arnim Brux" and klute["places"] == "Schwelmer Kreishaus"
    article = text_of[f"{BASE}source/bericht-klute-ki-ennepe-ruhr-kreis"]
    assert "Staatssekretär Thorsten Klute hat sich am Dienstag gemeinsam mit Landrat Arnim Brux" in article


def test_integration_centres_with_municipality_head_and_founding() -> None:
    rows = {r["name"]: r for r in ask("integration-centres")}
    wuppertal = rows["Kommunales Integrationszentrum Wuppertal"]
    en_kreis = rows["Kommunales Integrationszentrum Ennepe-Ruhr-Kreis"]
    # 002: "Arlin Cakal-Rasch, Leiterin des Kommunalen Integrationszentrums";
    # "im Haus der Integration an der Bundesallee"
    assert (wuppertal["municipality"], wuppertal["head"], wuppertal["venue"], wuppertal["venueIn"]) == (
        "Wuppertal",
        "Arlin Cakal-Rasch",
        "Haus der Integration",
        "Wuppertal",
    )
    # 002: "Kooperationspartner sind die Bundesagentur für Arbeit, die Industrie- und Handelskammer
    # sowie die Kreis-Handwerkskammer."
    assert sorted(wuppertal["partners"].split(", ")) == [
        "Bundesagentur für Arbeit",
        "Industrie- und Handelskammer",
        "Kreis-Handwerkskammer",
    ]
    assert "founded" not in wuppertal
    # 003: "Im Ennepe-Ruhr-Kreis wurde eines im Frühjahr 2013 eingerichtet."; "Leiterin Lale Arslanbenzer"
    assert (en_kreis["municipality"], en_kreis["head"], en_kreis["venue"], en_kreis["venueIn"]) == (
        "Ennepe-Ruhr-Kreis",
        "Lale Arslanbenzer",
        "Schwelmer Kreishaus",
        "Schwelm",
    )
    assert (en_kreis["founded"], en_kreis["foundedAsWorded"]) == ("2013", "im Frühjahr 2013")


def test_timeline_dates_only_what_the_sources_date() -> None:
    rows = ask("timeline")
    dated = [(r["name"], r["start"]) for r in rows if "start" in r]
    assert dated == [
        ("Sozialkonferenz Ruhr", "2018"),  # 001: "Die Konferenz fördert seit 2018 ..."
        ("Sozialkonferenz Ruhr 2018", "2018"),  # 000: "Bei der ersten Sozialkonferenz 2018 in Duisburg"
        (SOZIALKONFERENZ, "2019-11-27T12:00:00"),  # 001: "27. November 2019, 12 bis 16.30 Uhr"
    ]
    assert [r["name"] for r in rows[:3]] == [name for name, _ in dated]
    worded = {r["name"]: r["when"] for r in rows[3:]}
    assert worded["Laurentiusempfang der katholischen Kirche"] == "Vor einigen Tagen"
    assert worded[KLUTE_GESPRAECH] == "anschließend"
    # 004 gives no time for the conference (or its workshops) at all: they close the timeline as "unknown".
    assert worded[EN_KONFERENZ] == "unknown" and rows[-1]["when"] == "unknown"


def test_event_participants_and_their_roles() -> None:
    rows = ask("event-participants", event="integrationskonferenz-ennepe-ruhr-kreis")
    roles = {(r["name"], r["role"], r.get("roleNote", "")) for r in rows}
    # 004: "Eingeladen hatten das Kommunale Integrationszentrum und die Stadt Hattingen sowie die
    # Integrationsagenturen im Ennepe-Ruhr-Kreis und der Integrationsrat der Stadt Hattingen."
    assert roles == {
        ("Kommunales Integrationszentrum Ennepe-Ruhr-Kreis", "organiser", ""),
        ("Hattingen", "organiser", ""),
        ("Integrationsagenturen im Ennepe-Ruhr-Kreis", "organiser", ""),
        ("Integrationsrat der Stadt Hattingen", "organiser", ""),
        (
            "Olaf Schade",
            "speaker",
            "",
        ),  # "machte Landrat Olaf Schade auf der kreisweiten Integrationskonferenz deutlich"
        ("Marc Schulte", "moderator", ""),  # "Als Moderator Marc Schulte die Teilnehmer ... verabschiedete"
        ("Serap Güler", "participant", "Vertreterin der Landesregierung"),
    }


def test_event_speakers_and_their_words_are_in_the_article(text_of: dict[str, str]) -> None:
    rows = ask("event-speakers", event="sozialkonferenz-ruhr-2019")
    # 001 "Statements": Kerber, Güler and Geiß-Netthöfel.
    assert set(column(rows, "speakerName")) == {"Markus Kerber", "Serap Güler", "Karola Geiß-Netthöfel"}
    # Kerber spoke "vor der Presse": words said at the press briefing count for the conference.
    kerber = {r["occasion"] for r in rows if r["speakerName"] == "Markus Kerber"}
    assert kerber == {"Pressetermin bei der Sozialkonferenz Ruhr 2019 in Oberhausen", SOZIALKONFERENZ}
    articles = [
        text_of[f"{BASE}source/bericht-sozialkonferenz-ruhr-2019"],
        text_of[f"{BASE}source/webseite-sozialkonferenz-ruhr-2019"],
    ]
    direct = [r["text"] for r in rows if r["kind"] == "direct quote"]
    assert len(direct) == 5
    for words in direct:
        assert any(normalise(words) in article for article in articles), words


def test_quotes_by_thorsten_klute(text_of: dict[str, str]) -> None:
    rows = ask("quotes-by-person", person="thorsten-klute")
    article = text_of[f"{BASE}source/bericht-klute-ki-ennepe-ruhr-kreis"]
    assert len(rows) == 13
    assert set(column(rows, "occasion")) == {KLUTE_GESPRAECH}
    for row in rows:
        assert row["source"].startswith("Bericht: Staatssekretär Thorsten Klute")
        if row["kind"] == "direct quote":
            assert normalise(row["text"]) in article, row["text"]
    # „Ich mache da gegenteilige Erfahrungen“, sagte Klute mit Blick auf Städte wie Dortmund und Duisburg.
    about = next(r["about"] for r in rows if r["text"] == "Ich mache da gegenteilige Erfahrungen")
    assert sorted(about.split(", ")) == ["Dortmund", "Duisburg"]


def test_people_who_met_serap_gueler() -> None:
    rows = ask("people-who-met", person="serap-gueler")
    assert {(r["otherName"], r["eventNames"]) for r in rows} == {
        ("Markus Kerber", SOZIALKONFERENZ),
        ("Karola Geiß-Netthöfel", SOZIALKONFERENZ),
        ("Stefan Kühn", "Besuch von Serap Güler im Kommunalen Integrationszentrum Wuppertal"),
        ("Arlin Cakal-Rasch", "Besuch von Serap Güler im Kommunalen Integrationszentrum Wuppertal"),
        ("Olaf Schade", EN_KONFERENZ),
        ("Marc Schulte", EN_KONFERENZ),
    }
    assert set(column(rows, "events")) == {"1"}


# ---------------------------------------------------------------- money, figures, programmes


def test_funding_by_programme_with_totals_and_no_invented_years() -> None:
    rows = ask("funding")
    strategy = [r for r in rows if r["programmeName"] == "Teilhabe- und Integrationsstrategie 2030"]
    # 000: "Dazu seien ab Juli nächsten Jahres zunächst 25 Millionen Euro vorgesehen, in den beiden
    # Folgejahren dann 50 und 70 Millionen." The article is undated: no calendar year.
    assert [(r.get("amount"), r.get("period"), r.get("year")) for r in strategy[:3]] == [
        ("25000000", "ab Juli nächsten Jahres", None),
        ("50000000", "in den beiden Folgejahren", None),
        ("70000000", "in den beiden Folgejahren", None),
    ]
    total = strategy[3]
    assert "commitment" not in total and (total["total"], total["currency"]) == ("145000000", "EUR")
    other = {r["programmeName"]: r for r in rows if r["programmeName"].startswith("(no programme)")}
    # 002: "Bis 2020 will die Landesregierung 25 Millionen Euro für die Ausweitung des
    # Integrations-Konzeptes bereitstellen."
    extension = other["(no programme) Ausweitung des Integrations-Konzeptes"]
    assert (extension["amount"], extension["year"], extension["period"], extension["funder"]) == (
        "25000000",
        "2020",
        "Bis 2020",
        "Landesregierung Nordrhein-Westfalen",
    )
    # 002: "sagte Güler die Unterstützung des Landes NRW zu" — no amount, no time.
    staff = next(r for name, r in other.items() if "personelle Ausstattung" in name)
    assert "amount" not in staff and staff["period"] == "unknown" and staff["announcedBy"] == "Serap Güler"
    assert len(rows) == 6


def test_statistics_for_wuppertal_and_the_ruhr() -> None:
    wuppertal = {(r["value"], r["unit"]) for r in ask("statistics", area="wuppertal")}
    # 002: "12 000 geflüchtete Menschen leben in Wuppertal, 70 000 mit ausländischem Pass. Insgesamt sind es
    # aber 140 000 Menschen mit Migrationshintergrund. Das sind in Wuppertal 40 Prozent der Gesamtbevölkerung"
    assert wuppertal == {("12000", "persons"), ("70000", "persons"), ("140000", "persons"), ("40", "percent")}
    ruhr = {r["value"]: r for r in ask("statistics", area="ruhrgebiet")}
    # 000: "Nach Angaben des RVR haben 30,6 Prozent ... Bei Schülerinnen und Schülern ... über 40 Prozent."
    assert set(ruhr) == {"30.6", "40"}
    assert ruhr["40"]["approximation"] == "über" and "approximation" not in ruhr["30.6"]
    assert {r["accordingTo"] for r in ruhr.values()} == {"Regionalverband Ruhr"}


def test_programmes() -> None:
    rows = {r["name"]: r for r in ask("programmes")}
    strategy = rows["Teilhabe- und Integrationsstrategie 2030"]
    # 000: "der nordrhein-westfälischen Landesregierung, die 2020 nach Abstimmung mit allen Ressorts
    # vorgestellt werden soll"
    assert (strategy["responsible"], strategy["plannedPresentation"], strategy["commitments"]) == (
        "Landesregierung Nordrhein-Westfalen",
        "2020",
        "3",
    )
    # 000: "das 2015 gestartete NRW-Zentrum für Talentförderung in Gelsenkirchen"
    talent = rows["NRW-Zentrum für Talentförderung"]
    assert (talent["start"], talent["place"]) == ("2015", "Gelsenkirchen")
    # 002: "Wuppertal als eine von zwölf Kommunen ausgewählt ..., die an einem Modellprojekt des
    # Landes NRW ... teilnehmen"
    assert (
        rows["Modellprojekt des Landes NRW für Menschen mit Migrationshintergrund (Integrationskette)"]["participants"]
        == "Wuppertal"
    )


# ---------------------------------------------------------------- places and organisations


def test_organisations_in_or_for_wuppertal() -> None:
    rows = {(r["name"], r["relation"], r.get("via", "")) for r in ask("organisations-by-place", place="wuppertal")}
    # 002: "In Wuppertal gibt es im Haus der Integration an der Bundesallee kurze Kommunikationswege
    # zwischen Ausländeramt, Jobcenter und dem Integrationszentrum."
    names = ("Ausländeramt Wuppertal", "Jobcenter Wuppertal", "Kommunales Integrationszentrum Wuppertal")
    assert rows == {(n, "area served", "") for n in names} | {(n, "location", "Haus der Integration") for n in names}


def test_places_and_what_they_lie_in() -> None:
    rows = ask("places", place="haus-der-integration-wuppertal")
    # 002: the Haus der Integration is in Wuppertal; Wuppertal has "der höchste Anteil in NRW".
    assert [(r["withinName"], r["steps"]) for r in rows] == [("Wuppertal", "1"), ("Nordrhein-Westfalen", "2")]
    assert {r["address"] for r in rows} == {"Bundesallee"}


# ---------------------------------------------------------------- sources and evidence


def test_sources_describe_only_what_the_texts_give(articles: dict[str, str]) -> None:
    rows = ask("sources")
    assert len(rows) == 5
    for row in rows:
        assert row["sha256"] in articles  # each source is one of the five texts
        assert not {"publisher", "published", "url"} & set(row), "no text names its publisher, date or URL"
        if "title" in row:
            assert row["title"] in articles[row["sha256"]]
        assert int(row["facts"]) > 0 and int(row["entities"]) > 0
    titles = {row.get("title") for row in rows}
    assert titles == {
        None,
        "Sozialkonferenz Ruhr 2019",
        "Es geht nicht nur um die Flüchtlinge",
        "Was gute Integrationsarbeit für den EN-Kreis ausmacht",
    }


def test_evidence_quotes_are_verbatim_in_their_sources(text_of: dict[str, str]) -> None:
    rows = ask("evidence", entity="serap-gueler")
    assert rows
    for row in rows:
        assert normalise(row["quote"]) in text_of[row["source"]], (row["sourceName"], row["quote"])
    membership = {r["sourceName"] for r in rows if r["property"] == "member of" and r["value"] == "CDU"}
    assert membership == {
        "Bericht über die zweite Sozialkonferenz Ruhr in Oberhausen (ohne Überschrift)",
        "Bericht: Serap Güler besucht das Haus der Integration in Wuppertal",
    }
    roles = {r["qualifiers"] for r in rows if "qualifiers" in r}
    assert roles == {"role: Gastrednerin", "role: Vertreterin der Landesregierung", "as of: 2019-11-27"}


def test_multi_source_entities() -> None:
    rows = {r["name"]: r for r in ask("multi-source-entities")}
    # Güler appears in 000, 001, 002 and 004, not in the Klute report (003).
    assert rows["Serap Güler"]["sources"] == "4"
    assert "Bericht: Staatssekretär Thorsten Klute" not in rows["Serap Güler"]["sourceNames"]
    assert "Thorsten Klute" not in rows  # only in 003
    # The Kommunales Integrationszentrum of the Ennepe-Ruhr-Kreis: 003 (the visit) and 004 (the conference).
    assert rows["Kommunales Integrationszentrum Ennepe-Ruhr-Kreis"]["sources"] == "2"
    assert all(int(r["sources"]) >= 2 for r in rows.values())


def test_curator_notes_back_readings_with_quotes(text_of: dict[str, str]) -> None:
    rows = ask("curator-notes")
    brux = [r for r in rows if r["subject"] == "Arnim Brux"]
    assert [(r["property"], r["value"]) for r in brux] == [("holds", "Landrat des Ennepe-Ruhr-Kreises")]
    assert "read as its Landrat" in brux[0]["note"]
    for row in rows:
        for part in row["quote"].split(" … "):
            assert normalise(part) in text_of[row["source"]], part


def test_a_query_against_rdflib_gives_the_same_answer() -> None:
    # An independent engine on the same files: rdflib runs 'party-members' too.
    graph = Graph().parse(ROOT / "exports" / "kg.nt", format="nt")
    for path in sorted((ROOT / "ontology").glob("*.ttl")):
        if path.name != "shapes.ttl":
            graph.parse(path, format="turtle")
    expected = {(str(r.partyName), str(r.name), int(r.sources)) for r in graph.query(library()["party-members"].text)}  # type: ignore[union-attr]
    assert expected == {(r["partyName"], r["name"], int(r["sources"])) for r in ask("party-members")}
