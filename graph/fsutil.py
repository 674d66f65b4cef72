"""Atomic file writes: a reader sees the old file or the new one, never half of one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(files: dict[Path, bytes]) -> list[Path]:
    """Write several files so that a failure leaves every old file untouched.

    All contents go to temporary files in the target folders first; only when all
    of them are on disk are they renamed over the targets. Files whose content is
    already identical are not rewritten (their modification time stays).

    Args:
        files: Target path to new content.

    Returns:
        The paths whose content changed.
    """
    staged: list[tuple[Path, Path]] = []
    try:
        for target, content in sorted(files.items()):
            if target.is_file() and target.read_bytes() == content:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            staged.append((Path(name), target))
            os.chmod(name, _mode(target))
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
        for temp, target in staged:
            os.replace(temp, target)
    finally:
        for temp, _ in staged:
            temp.unlink(missing_ok=True)
    return [target for _, target in staged]


def _mode(target: Path) -> int:
    """Keep an existing file's mode; new files get 0o666 minus the umask, like open()."""
    if target.exists():
        return target.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
