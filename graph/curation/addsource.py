"""``kg add-source``: register a text as a new source and scaffold its article file.

The text is identified by its SHA-256 (the loader finds texts by hash, never by
name). A header block at the top of the text, as many saved pages have one::

    URL: https://example.org/artikel
    Title: Integration vor Ort
    Publisher: Beispiel-Zeitung
    Date: 27.11.2019
    ---

fills in the source block; only what the header gives is written (nothing is
guessed). A publisher must be an entity of the project: a name that matches a
registry or article entity (name or alias, accents and case ignored) becomes its id,
any other name is left as a comment with a proposed id for the registry.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from graph.curation.lookup import LookupFailed, declared_entities
from graph.curation.names import name_key, slugify
from graph.dataset import LANGUAGE
from graph.errors import ConfigError, KGError, Problem, display_path
from graph.fsutil import write_atomically
from graph.namespace import NIK
from graph.ontology import Ontology, load_ontology
from graph.project import load_project
from graph.sources import Declarations, article_files, read_sources

#: Header keys (case-insensitive, English or German) and the field they fill.
HEADER_KEYS = {
    "url": "url",
    "link": "url",
    "title": "title",
    "titel": "title",
    "headline": "title",
    "publisher": "publisher",
    "herausgeber": "publisher",
    "quelle": "publisher",
    "date": "date",
    "datum": "date",
}
_HEADER_LINE = re.compile(r"^\s*([A-Za-zÄÖÜäöü-]+)\s*:\s*(.*?)\s*$")
_SEPARATOR = re.compile(r"^\s*-{3,}\s*$")
_MAX_HEADER_LINES = 20
_NUMBERED = re.compile(r"^(\d+)-")
_SHA_LINE = re.compile(r"^\s*sha256\s*:")
_GERMAN_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("januar", "jan", "jänner"),
            ("februar", "feb"),
            ("märz", "maerz", "mär", "mar"),
            ("april", "apr"),
            ("mai",),
            ("juni", "jun"),
            ("juli", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("oktober", "okt"),
            ("november", "nov"),
            ("dezember", "dez"),
        ],
        start=1,
    )
    for name in names
}
_ENGLISH_MONTHS = {
    name: number
    for number, name in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
}


class AddSourceError(KGError):
    """The text cannot be added: already registered, unreadable, or its id is taken."""

    exit_code = 1


@dataclass(frozen=True)
class Header:
    """What a text's header block says (``None`` where it says nothing)."""

    url: str | None = None
    title: str | None = None
    publisher: str | None = None
    date: str | None = None
    publisher_line: str | None = None  # the header line naming the publisher, verbatim (its evidence)


@dataclass(frozen=True)
class AddedSource:
    """What ``add_source`` did.

    Attributes:
        article: The article file written.
        source_id: The id of the new source.
        sha256: SHA-256 of the text.
        text: Where the text is now (the copy in the texts folder, or the file itself).
        copied: Whether the text was copied.
        notes: What the curator should look at (a publisher not in the registry, a date not understood).
    """

    article: Path
    source_id: str
    sha256: str
    text: Path
    copied: bool
    notes: tuple[str, ...]


def read_header(text: str) -> Header:
    """The header block: ``Key: value`` lines before a ``---`` line at the top of the text.

    Blank lines are allowed; any other line before the separator means there is no
    header (the text is returned as is). Unknown keys are ignored.
    """
    fields: dict[str, str] = {}
    for number, line in enumerate(text.removeprefix("\ufeff").splitlines()):
        if number >= _MAX_HEADER_LINES:
            return Header()
        if _SEPARATOR.match(line):
            return Header(**fields) if fields else Header()
        if not line.strip():
            continue
        match = _HEADER_LINE.match(line)
        if match is None:
            return Header()
        field = HEADER_KEYS.get(match.group(1).casefold())
        if field == "publisher" and re.match(r"^https?://", match.group(2)):
            field = "url"  # "Quelle: https://…" names the address, not the publisher
        if field is not None and match.group(2) and field not in fields:
            fields[field] = match.group(2)
            if field == "publisher":
                fields["publisher_line"] = line.strip()
    return Header()


def parse_date(text: str) -> str | None:
    """A header date as the loader writes dates (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``), or ``None``.

    Understands ISO dates and date-times (the time is dropped: a publication date is a day),
    ``27.11.2019``, ``27. November 2019``, ``November 2019`` and ``November 27, 2019``.
    """
    value = text.strip()
    iso = re.match(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:[T ]\d{2}:\d{2}.*)?$", value)
    if iso:
        year, month, day = iso.groups()
        return _checked(int(year), int(month) if month else None, int(day) if day else None)
    german = re.match(r"^(\d{1,2})\.\s*(\d{1,2})\.\s*(\d{4})$", value)
    if german:
        return _checked(int(german.group(3)), int(german.group(2)), int(german.group(1)))
    words = re.match(r"^(?:(\d{1,2})\.?\s+)?([A-Za-zÄÖÜäöü]+)\.?\s+(\d{4})$", value)
    if words:
        month_number = _GERMAN_MONTHS.get(words.group(2).casefold()) or _ENGLISH_MONTHS.get(words.group(2).casefold())
        if month_number:
            day_text = words.group(1)
            return _checked(int(words.group(3)), month_number, int(day_text) if day_text else None)
    english = re.match(r"^([A-Za-z]+)\s+(\d{1,2}),\s*(\d{4})$", value)
    if english and english.group(1).casefold() in _ENGLISH_MONTHS:
        return _checked(int(english.group(3)), _ENGLISH_MONTHS[english.group(1).casefold()], int(english.group(2)))
    return None


def _checked(year: int, month: int | None, day: int | None) -> str | None:
    try:
        if day is not None and month is not None:
            return date(year, month, day).isoformat()
    except ValueError:
        return None
    if month is not None:
        return f"{year:04d}-{month:02d}" if 1 <= month <= 12 else None
    return f"{year:04d}"


def add_source(
    project: Path | str = ".",
    text_file: Path | str = "",
    no_copy: bool = False,
    texts: Path | str | None = None,
    id: str | None = None,
    type: str = "NewsArticle",
    language: str | None = None,
) -> AddedSource:
    """Register ``text_file`` as a new source: hash it, copy it, write ``sources/articles/NNN-<id>.yaml``.

    Args:
        project: The project folder.
        text_file: The full text (UTF-8), optionally with a header block.
        no_copy: Leave the text where it is instead of copying it into the texts folder.
        texts: The texts folder (default: ``texts:`` in ``sources/project.yaml``).
        id: The source id (default: a slug of the header's title, else of the file name).
        type: The source's class (``NewsArticle``, ``WebPage``, ``SourceDocument`` …).
        language: The text's language tag (default: the project's).

    Returns:
        What was written.

    Raises:
        AddSourceError: The text is registered already, is not UTF-8, or the id is taken or not a slug.
        LookupFailed: ``type`` is not a class of sources in the ontology.
        ConfigError: No texts folder to copy into.
    """
    settings = load_project(project)
    ontology = load_ontology(settings.ontology_dir)
    path = Path(text_file)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AddSourceError(f"{display_path(path)} is not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    sha = hashlib.sha256(data).hexdigest()
    cls = ontology.classes.get(type)
    source_classes = sorted(
        c.name for c in ontology.classes.values() if NIK.SourceDocument in c.ancestors and c.segment
    )
    if cls is None or cls.name not in source_classes:
        raise LookupFailed(f"unknown source type '{type}'; use one of: {', '.join(source_classes)}")

    problems: list[Problem] = []
    declarations = read_sources(settings.sources_dir, problems)
    ids = {a.path: a.source.id for a in declarations.articles}
    # Line by line, so that an article file with mistakes still counts as registering its text.
    for article_path in article_files(settings.sources_dir):
        for number, line in enumerate(article_path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if _SHA_LINE.match(line) and sha in line:
                which = f" (source '{ids[article_path]}')" if article_path in ids else ""
                raise AddSourceError(
                    f"{display_path(path)} is registered already: {display_path(article_path)}:{number} "
                    f"has SHA-256 {sha}{which}"
                )

    language = language or settings.language
    if not LANGUAGE.match(language):
        raise LookupFailed(f"'{language}' is not a language tag; use one such as de or en")
    header = read_header(text)
    source_id = id or slugify(header.title or path.stem)
    if not source_id or slugify(source_id) != source_id:
        raise AddSourceError(
            f"'{source_id}' is not a slug id: use lowercase ASCII letters, digits and single hyphens (pass --id)"
        )
    taken = {a.source.id: a.source.location for a in declarations.articles}
    taken.update({e.id: e.location for e in declared_entities(declarations)})
    if source_id in taken:
        raise AddSourceError(f"id '{source_id}' is taken ({taken[source_id]}); pass --id ANOTHER-ID")

    target_text, copied = _place_text(settings.texts if texts is None else Path(texts), path, data, no_copy)
    notes: list[str] = []
    lines = _source_block(
        source_id=source_id,
        type_name=cls.name,
        name=header.title or path.stem,
        language=language,
        sha=sha,
        header=header,
        publisher=_publisher(header.publisher, declarations, ontology, notes),
        notes=notes,
    )
    article_path = settings.sources_dir / "articles" / f"{_next_number(settings.sources_dir):03d}-{source_id}.yaml"
    files = {article_path: "\n".join(lines).encode("utf-8")}
    if copied:
        files[target_text] = data
    write_atomically(files)  # both or neither
    return AddedSource(article_path, source_id, sha, target_text, copied, tuple(notes))


def _place_text(folder: Path | None, path: Path, data: bytes, no_copy: bool) -> tuple[Path, bool]:
    """Where the text goes, and whether it must be copied there."""
    if no_copy:
        return path, False
    if folder is None:
        raise ConfigError(
            "no texts folder configured ('texts:' in sources/project.yaml); pass --texts DIR or --no-copy"
        )
    if not folder.is_dir():
        raise ConfigError(
            f"texts folder {display_path(folder)} does not exist; create it, or pass --texts DIR or --no-copy"
        )
    target = folder / path.name
    if target.resolve() == path.resolve():
        return target, False
    if target.exists():
        if target.read_bytes() == data:
            return target, False
        raise AddSourceError(
            f"{display_path(target)} exists with another text; rename {display_path(path)} or pass --no-copy"
        )
    return target, True


def _next_number(sources_dir: Path) -> int:
    numbers = [int(m.group(1)) for p in article_files(sources_dir) if (m := _NUMBERED.match(p.name))]
    return max(numbers, default=-1) + 1


def _publisher(name: str | None, declarations: Declarations, ontology: Ontology, notes: list[str]) -> str | None:
    """The id of the entity the header's publisher names, or ``None`` (with a note why)."""
    if name is None:
        return None
    publisher = ontology.properties["publisher"]
    key = name_key(name)
    found = sorted(
        {
            entity.id
            for entity in declared_entities(declarations)
            if key in {name_key(n) for n in (entity.name, *entity.aliases)}
            and entity.type in ontology.classes
            and ontology.fits(ontology.classes[entity.type].iri, publisher.range)
        }
    )
    if len(found) == 1:
        return found[0]
    ranges = " or ".join(ontology.class_of(r).name for r in publisher.range)
    if found:
        notes.append(f"publisher '{name}' matches several entities ({', '.join(found)}); set 'publisher:' by hand")
    else:
        notes.append(
            f"publisher '{name}' is not an entity of this project; add it to sources/entities.yaml "
            f"(type {ranges}, e.g. id {slugify(name)}) and set 'publisher:'"
        )
    return None


def _quoted(text: str) -> str:
    """A YAML single-quoted scalar (always read back as the same text)."""
    return "'" + text.replace("'", "''") + "'"


def _source_block(
    source_id: str,
    type_name: str,
    name: str,
    language: str,
    sha: str,
    header: Header,
    publisher: str | None,
    notes: list[str],
) -> list[str]:
    lines = [
        "# Registered with `kg add-source`. Add the facts under 'facts:' (without the [] once",
        "# there is one), each with its verbatim quote; `kg suggest TEXT_FILE` proposes candidates.",
        "",
        "source:",
        f"  id: {source_id}",
        f"  type: {type_name}",
        f"  name: {_quoted(name)}",
    ]
    if header.title:
        lines.append(f"  title: {_quoted(header.title)}")
    lines.append(f"  language: {language}")
    lines.append(f"  sha256: {sha}")
    if header.publisher and not publisher:
        proposed = slugify(header.publisher)
        lines.append(f"  # publisher: {proposed}  # {_quoted(header.publisher)} from the header: register it first")
    if header.date:
        parsed = parse_date(header.date)
        if parsed:
            lines.append(f"  datePublished: '{parsed}'")
        else:
            lines.append(f"  # datePublished:  # header: {_quoted(header.date)}; write YYYY, YYYY-MM or YYYY-MM-DD")
            notes.append(f"date '{header.date}' not understood; write datePublished as YYYY, YYYY-MM or YYYY-MM-DD")
    if header.url:
        if re.match(r"^https?://\S+$", header.url):
            lines.append(f"  url: {_quoted(header.url)}")
        else:
            lines.append(f"  # url:  # header: {_quoted(header.url)}; not an http(s) address")
            notes.append(f"URL '{header.url}' is not an http(s) address; left out")
    if publisher and header.publisher_line:
        # An object property of a source is a fact like any other: it needs its evidence,
        # and the header line is in the text verbatim.
        lines += ["", "facts:", f"  - subject: {source_id}", f"    quote: {_quoted(header.publisher_line)}"]
        lines += [f"    publisher: {publisher}", ""]
    else:
        lines += ["", "facts: []", ""]
    return lines
