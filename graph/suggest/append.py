"""``kg suggest --append``: add the suggestions, commented out, to an article file."""

from __future__ import annotations

import re
from pathlib import Path

from graph.errors import KGError
from graph.suggest.model import Suggestions
from graph.suggest.render import commented


def article_for(project: Path, sha256: str) -> Path | None:
    """The article file in ``project`` whose ``sha256:`` is ``sha256``."""
    for path in sorted((project / "sources" / "articles").glob("*.yaml")):
        if re.search(rf"(?m)^\s*sha256:\s*['\"]?{sha256}\b", path.read_text(encoding="utf-8")):
            return path
    return None


def append(project: Path, result: Suggestions, rendered: str, article: Path | None = None) -> Path:
    """Append ``rendered`` (commented out) to ``article`` or the file with the text's hash.

    Raises:
        KGError: When no article has the text's SHA-256 and none is named.
    """
    target = article or article_for(project, result.sha256)
    if target is None:
        raise KGError(
            f"no article in {project / 'sources' / 'articles'} has SHA-256 {result.sha256}: "
            "name one with --article, or run kg add-source first"
        )
    existing = target.read_text(encoding="utf-8")
    separator = "" if existing.endswith("\n") else "\n"
    target.write_text(
        existing + separator + "\n  # --- suggested by kg suggest: uncomment what is right ---\n" + commented(rendered),
        "utf-8",
    )
    return target
