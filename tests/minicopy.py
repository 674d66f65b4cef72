"""A throw-away copy of the fixture project tests/data/mini, for the curation tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import DATA, ROOT


def mini_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Copy tests/data/mini (with this project's ontology) to ``tmp_path/mini`` and make it the cwd."""
    monkeypatch.delenv("KG_TEXTS", raising=False)  # its texts are its own (texts/)
    target = tmp_path / "mini"
    shutil.copytree(DATA / "mini", target)
    shutil.copytree(ROOT / "ontology", target / "ontology")
    monkeypatch.chdir(target)
    return target
