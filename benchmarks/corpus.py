"""A synthetic corpus in the real curation format, deterministic from a seed.

    python benchmarks/corpus.py /tmp/kg-10k --triples 10000 [--seed 7]

``generate()`` writes a project (this repository's ontology and shapes, a registry of
shared entities, one YAML file per article with its source header and facts, and one
text per article whose SHA-256 the header records and which contains every quote of
the article verbatim) with about the number of triples asked for. The facts are of the
kinds the curated articles have: party memberships, offices and their holders, bodies
and the places they serve, conferences with organisers, participants and speakers,
integration centres and visits to them, programmes and funding commitments (some with a
year, some only worded), statistics, quotations at events, with qualifiers and one-off
entities declared inside an article. Everything the named questions ask about exists,
including the ids of :data:`PARAMS`.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Fact entries per article file: about 5,000 articles at a million triples.
FACTS_PER_ARTICLE = 10
#: Triples per fact entry (an entry states several facts; measured on generated corpora).
TRIPLES_PER_FACT = 21.0
WEEKDAYS = ("am Montag", "am Dienstag", "am Mittwoch", "vor einigen Tagen", "im Januar")
#: Parameters of the named questions that exist in every generated corpus.
PARAMS = {
    "curator-notes": ("source", "quelle1"),
    "event-participants": ("event", "e3"),
    "event-speakers": ("event", "e3"),
    "evidence": ("entity", "p7"),
    "integration-centre-visits": ("centre", "ki3"),
    "offices": ("post", "post3"),
    "organisations-by-place": ("place", "c3"),
    "participation": ("entity", "p7"),
    "party-members": ("party", "party1"),
    "people-who-met": ("person", "p7"),
    "places": ("place", "v3"),
    "politicians": ("person", "p7"),
    "programmes": ("programme", "prog3"),
    "quotes-by-person": ("person", "p7"),
    "statistics": ("area", "c3"),
}


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class _Facts:
    """The fact entries of a corpus, each with the sentence its quote comes from."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, str]] = []

    def add(self, quote: str, body: str) -> None:
        self.entries.append((f"  - {{{body}, quote: {_quoted(quote)}}}", quote))


def _entries(facts: int, rng: random.Random) -> tuple[list[str], _Facts]:
    people = max(10, facts // 25)
    orgs = max(5, facts // 60)
    places = max(5, facts // 120)
    events = max(5, facts // 50)
    centres = venues = max(5, facts // 250)
    posts = max(5, facts // 120)
    programmes = max(5, facts // 500)
    registry = [f"- {{id: p{i}, type: Politician, name: Person {i}}}" for i in range(people)]
    registry += [f"- {{id: party{i}, type: PoliticalParty, name: Partei {i}}}" for i in range(5)]
    registry += [f"- {{id: o{i}, type: GovernmentBody, name: Behörde {i}}}" for i in range(orgs)]
    registry += [f"- {{id: c{i}, type: City, name: Stadt {i}}}" for i in range(places)]
    registry += [f"- {{id: e{i}, type: Conference, name: Konferenz {i}}}" for i in range(events)]
    out = _Facts()
    for i in range(people):
        out.add(f"Person {i} ist Mitglied der Partei {i % 5}.", f"subject: p{i}, memberOf: party{i % 5}")
    for i in range(orgs):
        out.add(f"Die Behörde {i} ist für Stadt {i % places} zuständig.", f"subject: o{i}, areaServed: c{i % places}")
    for i in range(1, places):
        out.add(f"Stadt {i} liegt in der Region von Stadt 0.", f"subject: c{i}, containedInPlace: c0")
    for i in range(events):
        date = f"20{10 + i % 15}-0{1 + i % 9}-1{i % 10}"
        out.add(
            f"Die Konferenz {i} fand in Stadt {i % places} statt, ausgerichtet von Behörde {i % orgs}.",
            f"subject: e{i}, location: c{i % places}, organizer: o{i % orgs}, startDate: '{date}'",
        )
    for j in range(venues):
        out.add(
            f"Die Halle {j} steht in Stadt {j % places}.",
            f"id: v{j}, type: Venue, name: Halle {j}, containedInPlace: c{j % places}",
        )
    for j in range(centres):
        out.add(
            f"Das Kommunale Integrationszentrum {j} arbeitet seit {2005 + j % 15} in Halle {j % venues}.",
            f"id: ki{j}, type: IntegrationCentre, name: KI {j}, areaServed: c{j % places}, location: v{j % venues}, "
            f"foundingDate: {2005 + j % 15}, partner: o{rng.randrange(orgs)}",
        )
        out.add(f"Person {j % people} leitet das Integrationszentrum {j}.", f"subject: p{j % people}, headOf: ki{j}")
    for j in range(posts):
        out.add(
            f"Das Amt {j} gehört zur Behörde {j % orgs}.",
            f"id: post{j}, type: Post, name: Amt {j}, postIn: o{j % orgs}",
        )
    for j in range(programmes):
        out.add(
            f"Das Landesprogramm {j} läuft seit {2010 + j % 12} unter Behörde {j % orgs}.",
            f"id: prog{j}, type: Programme, name: Programm {j}, responsibleBody: o{j % orgs}, "
            f"participant: c{j % places}, startDate: {2010 + j % 12}",
        )
    p = lambda: f"p{rng.randrange(people)}"  # noqa: E731
    while len(out.entries) < facts:
        k = len(out.entries)
        kind = rng.random()
        if kind < 0.30:
            out.add(
                f"Satz {k}: An der Konferenz nahm auch jemand teil.",
                f"subject: e{rng.randrange(events)}, participant: {p()}",
            )
        elif kind < 0.38:
            out.add(
                f"Satz {k}: Sie ist Mitglied der Behörde.",
                f"subject: {p()}, memberOf: o{rng.randrange(orgs)}, qualifiers: {{asOf: {2000 + k % 25}}}",
            )
        elif kind < 0.50:
            out.add(
                f"Satz {k}: Der Anteil liegt bei {k % 97} Prozent.",
                f"id: s{k}, type: Statistic, name: Zahl {k}, value: {k % 97}.{k % 10}, unitText: percent, "
                f"variableMeasured: Anteil, observationAbout: c{rng.randrange(places)}",
            )
        elif kind < 0.58:
            out.add(
                f"Satz {k}: Seitdem hat sie das Amt inne.",
                f"subject: {p()}, holds: post{rng.randrange(posts)}, "
                f"qualifiers: {{asOf: {2010 + k % 12}-0{1 + k % 9}-1{k % 10}}}",
            )
        elif kind < 0.66:
            when = f"startDate: {2015 + k % 8}" if k % 3 == 0 else f"dateDescription: {rng.choice(WEEKDAYS)}"
            out.add(
                f"Satz {k}: Der Besuch im Integrationszentrum war lange geplant.",
                f"id: visit{k}, type: Visit, name: Besuch {k}, visitor: {p()}, visited: ki{rng.randrange(centres)}, "
                f"host: {p()}, participant: {p()}, location: v{rng.randrange(venues)}, {when}",
            )
        elif kind < 0.74:
            when = f"startDate: {2016 + k % 6}" if k % 2 == 0 else "dateDescription: in den beiden Folgejahren"
            out.add(
                f"Satz {k}: Das Land stellt dafür {1000 * (1 + k % 500)} Euro bereit.",
                f"id: fund{k}, type: FundingCommitment, name: Mittel {k}, "
                f"fundedProgramme: prog{rng.randrange(programmes)}, amount: {1000 * (1 + k % 500)}, currency: EUR, "
                f"announcedBy: {p()}, funder: o{rng.randrange(orgs)}, {when}",
            )
        elif kind < 0.82:
            out.add(f"Satz {k}: Als Rednerin trat sie dort auf.", f"subject: e{rng.randrange(events)}, speaker: {p()}")
        else:
            cls = "DirectQuote" if k % 2 else "ReportedSpeech"
            out.add(
                f"Satz {k}: „Integration gelingt vor Ort“, sagte sie.",
                f"id: q{k}, type: {cls}, name: Äußerung {k}, spokenBy: {p()}, occasion: e{rng.randrange(events)}, "
                f"about: c{rng.randrange(places)}, text: Integration gelingt vor Ort {k}",
            )
    return registry, out


def generate(target: Path, triples: int, seed: int = 7, per_article: int = FACTS_PER_ARTICLE) -> Path:
    """Write a project with about ``triples`` triples into ``target`` (replaced if it exists).

    Returns:
        ``target``.
    """
    if target.exists():
        shutil.rmtree(target)
    rng = random.Random(seed)
    facts = max(200, round(triples / TRIPLES_PER_FACT))
    registry, entries = _entries(facts, rng)
    shutil.copytree(ROOT / "ontology", target / "ontology")
    sources = target / "sources"
    articles = sources / "articles"
    texts = target / "texts"
    articles.mkdir(parents=True)
    texts.mkdir()
    (sources / "project.yaml").write_text("base: https://example.org/bench/\nlanguage: de\ntexts: texts\n", "utf-8")
    (sources / "entities.yaml").write_text("\n".join(registry) + "\n", "utf-8")
    order = list(range(len(entries.entries)))
    rng.shuffle(order)  # articles mix kinds of facts, as real ones do
    for n, start in enumerate(range(0, len(order), per_article)):
        chunk = [entries.entries[i] for i in sorted(order[start : start + per_article])]
        title = f"Bericht {n} über Integration in NRW"
        text = f"{title}\n\n" + "\n".join(sentence for _, sentence in chunk) + "\n"
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        (texts / f"{n:05d}.txt").write_text(text, "utf-8")
        header = (
            f"source: {{id: quelle{n}, type: NewsArticle, name: Quelle {n}, title: {_quoted(title)}, "
            f"language: de, sha256: {digest}}}\nfacts:\n"
        )
        body = "\n".join(entry for entry, _ in chunk)
        (articles / f"{n:05d}.yaml").write_text(header + body + "\n", "utf-8")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("target", type=Path)
    parser.add_argument("--triples", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    generate(args.target, args.triples, args.seed)


if __name__ == "__main__":
    main()
