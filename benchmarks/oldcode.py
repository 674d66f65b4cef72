"""What the old-against-new benchmarks share: an older revision's modules, and timers.

Each benchmark imports the modules it speeds up as they were at ``--old`` (read with
``git show`` into a temporary folder) next to the current ones, and times both in one
process, so that their ratio does not depend on what else the machine is doing.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from types import ModuleType
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")


def git_show(revision: str, path: str) -> str:
    """The text of ``path`` (relative to the repository) at ``revision``."""
    command = ["git", "-C", str(ROOT), "show", f"{revision}:{path}"]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def old_module(revision: str, path: str, folder: Path, name: str, replace: Mapping[str, str] = {}) -> ModuleType:
    """``path`` as of ``revision``, imported as module ``name`` (after ``replace``-ing text in it)."""
    text = git_show(revision, path)
    for before, after in replace.items():
        text = text.replace(before, after)
    target = folder / f"{name}.py"
    target.write_text(text, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, target)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def arguments(doc: str, rounds: int = 1, references: str | None = None) -> argparse.ArgumentParser:
    """The arguments every old-against-new benchmark takes: the project, ``--old``,
    ``--rounds`` and, given what ``references`` names, ``--compare``."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--old", default="main", help="git revision to compare with (default: main)")
    parser.add_argument("--rounds", type=int, default=rounds)
    if references is not None:
        parser.add_argument("--compare", type=Path, help=f"folder with reference {references}")
    return parser


def timed(work: Callable[[], T]) -> tuple[T, float]:
    """What ``work()`` returns, and the wall seconds it took."""
    start = time.perf_counter()
    result = work()
    return result, time.perf_counter() - start


def cpu_timed(work: Callable[[], T]) -> tuple[T, float]:
    """What ``work()`` returns, and this process's CPU seconds it took (others' processes count less)."""
    start = time.process_time()
    result = work()
    return result, time.process_time() - start


def scratch_project(project: Path, scratch: Path) -> Path:
    """A copy of ``project``'s ``ontology/`` and ``sources/`` in ``scratch/project`` (a build's
    caches and exports go elsewhere): its path."""
    import shutil

    copy = scratch / "project"
    copy.mkdir()
    for part in ("ontology", "sources"):
        shutil.copytree(project / part, copy / part)
    return copy


__all__ = ["ROOT", "arguments", "cpu_timed", "git_show", "old_module", "scratch_project", "timed"]
