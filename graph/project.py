"""Where a project's folders are, and its settings (``sources/project.yaml``)."""

from __future__ import annotations

import contextlib
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

from graph import buildcache
from graph.errors import ConfigError, Location, Problem, SourceError
from graph.fsutil import write_atomically

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
    memo = _Settings()
    known = memo.project(root, config)
    if known is not None:
        return known
    project, texts = _read_project(root, config)
    memo.keep(config, project, texts)
    return project


class _Settings:
    """The settings of projects as read, remembered by their file's settled ``stat`` (as
    :class:`graph.buildcache._Digests` remembers digests), so that a command whose project
    file did not change does not load the YAML parser (20-30 ms) to read it again: an
    up-to-date ``kg build`` and every ``kg query`` start that much sooner. Only settings
    without problems are kept; the file is read as before whenever its ``stat`` differs.
    """

    def __init__(self) -> None:
        self.file = buildcache.cache_root() / "settings" / "projects.json"
        self.started = time.time_ns()
        self.known: dict[str, list[object]] = {}
        with contextlib.suppress(OSError, ValueError):
            found = json.loads(self.file.read_bytes())
            if (
                isinstance(found, dict)
                and found.get("format") == _SETTINGS_FORMAT
                and isinstance(found.get("files"), dict)
            ):
                self.known = found["files"]

    def project(self, root: Path, config: Path) -> Project | None:
        """The settings read from ``config`` before, if its ``stat`` is what it was then."""
        entry = self.known.get(str(config))
        try:
            stat = buildcache.file_stat(config)
        except OSError:
            return None
        if not isinstance(entry, list) or len(entry) != 9 or tuple(entry[:5]) != stat:
            return None
        base, language, texts, texts_line = entry[5:]
        if not isinstance(base, str) or not isinstance(language, str):
            return None
        if isinstance(texts, str) and isinstance(texts_line, int):
            return Project(root, base, language, (root / texts).resolve(), Location(config, texts_line))
        if texts is None and texts_line is None:
            return Project(root, base, language, None)
        return None

    def keep(self, config: Path, project: Project, texts: str | None) -> None:
        """Remember ``project``, read from ``config`` with ``texts:`` as written there, if
        the file had settled (skipped if the cache is read-only)."""
        with contextlib.suppress(OSError):
            stat = buildcache.file_stat(config)
            if not buildcache.settled(stat, self.started):
                return
            line = project.texts_location.line if project.texts_location is not None else None
            files = {key: value for key, value in self.known.items() if key != str(config)}
            files = dict(list(files.items())[-(_KEPT_SETTINGS - 1) :])
            files[str(config)] = [*stat, project.base, project.language, texts, line]
            content = json.dumps({"format": _SETTINGS_FORMAT, "files": files}, separators=(",", ":"))
            self.file.parent.mkdir(parents=True, exist_ok=True)
            write_atomically({self.file: content.encode("utf-8")})


#: Bump when the meaning of a remembered entry changes.
_SETTINGS_FORMAT = 1
#: Most projects whose settings are remembered.
_KEPT_SETTINGS = 32


def _read_project(root: Path, config: Path) -> tuple[Project, str | None]:
    """The settings in ``config``, and its ``texts:`` as written."""
    from graph.yamlio import LMap, load_yaml  # not needed when the settings are remembered

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
    project = Project(
        root=root,
        base=str(base),
        language=str(language),
        texts=(root / texts).resolve() if isinstance(texts, str) else None,
        texts_location=Location(config, data.key_lines["texts"]) if "texts" in data else None,
    )
    return project, texts if isinstance(texts, str) else None
