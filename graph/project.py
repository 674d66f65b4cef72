"""Where a project's folders are, and its settings (``sources/project.yaml``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from graph.errors import ConfigError, Location, Problem, SourceError
from graph.yamlio import LMap, load_yaml

CONFIG_FILE = "project.yaml"
#: The SHACL shapes in the ontology folder; every other ``*.ttl`` there is the ontology.
SHAPES_FILE = "shapes.ttl"
_KEYS = {"base", "language", "texts"}
_LANGUAGE = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")
# RFC 3987 leaves these out of an IRI; Turtle and N-Triples cannot write them in <...>.
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\\x7f-\x9f]')


@dataclass(frozen=True)
class Project:
    """A knowledge-graph project: a folder with ``sources/``, ``ontology/`` and ``exports/``.

    Attributes:
        root: The project folder.
        base: Base IRI of entity IRIs (``<base><segment>/<id>``).
        language: Language tag of names in the entity registry.
        texts: Folder with the full texts of the sources, if configured.
        texts_location: Where ``texts:`` is set, for messages about the folder.
    """

    root: Path
    base: str
    language: str
    texts: Path | None
    texts_location: Location | None = None

    @property
    def sources_dir(self) -> Path:
        return self.root / "sources"

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def exports_dir(self) -> Path:
        return self.root / "exports"

    @property
    def shapes_file(self) -> Path:
        return self.ontology_dir / SHAPES_FILE


def ontology_files(directory: Path) -> tuple[Path, ...]:
    """The ontology's Turtle files (every ``*.ttl`` but the shapes), sorted."""
    return tuple(sorted(p for p in directory.glob("*.ttl") if p.name != SHAPES_FILE))


def load_project(root: Path | str = ".") -> Project:
    """Read the project settings in ``root``.

    Raises:
        ConfigError: When ``root`` is not a project folder.
        SourceError: When ``sources/project.yaml`` has problems.
    """
    root = Path(root).resolve()
    config = root / "sources" / CONFIG_FILE
    if not config.is_file():
        raise ConfigError(
            f"not a knowledge-graph project: {config} is missing (run kg inside the project or pass --project)"
        )
    problems: list[Problem] = []
    data = load_yaml(config, problems)
    if problems:
        raise SourceError(problems, "project settings cannot be read")
    if not isinstance(data, LMap):
        raise SourceError(
            [Problem(Location(config, 1), "expected a mapping with base, language, texts")], "bad settings"
        )
    for key in sorted(set(data) - _KEYS):
        problems.append(
            Problem(Location(config, data.key_lines[key]), f"unknown setting '{key}'; known: base, language, texts")
        )
    base = data.get("base")
    base_line = data.key_lines.get("base", data.line)
    if not isinstance(base, str) or not base.startswith(("http://", "https://")) or not base.endswith(("/", "#")):
        problems.append(Problem(Location(config, base_line), "base must be an http(s) IRI ending in '/' or '#'"))
    elif (bad := _NOT_IN_IRI.search(base)) is not None:
        shown = repr(bad.group()) if bad.group().isprintable() else f"U+{ord(bad.group()):04X}"
        problems.append(
            Problem(
                Location(config, base_line),
                f"base must not contain {shown} (not allowed in an IRI; percent-encode it or leave it out)",
            )
        )
    language = data.get("language", "de")
    if not isinstance(language, str) or not _LANGUAGE.match(language):
        problems.append(
            Problem(
                Location(config, data.key_lines.get("language", data.line)),
                f"language must be a tag such as de or en, not {language!r}",
            )
        )
    texts = data.get("texts")
    if texts is not None and not isinstance(texts, str):
        problems.append(Problem(Location(config, data.key_lines["texts"]), "texts must be a folder path"))
    if problems:
        raise SourceError(problems, "project settings have problems")
    return Project(
        root=root,
        base=str(base),
        language=str(language),
        texts=(root / texts).resolve() if isinstance(texts, str) else None,
        texts_location=Location(config, data.key_lines["texts"]) if "texts" in data else None,
    )
