"""Atomic writes: a reader sees the old file or the new one, the old export set or the new one.

:func:`write_atomically` replaces single files (``kg export -o``, ``kg viz -o``).
:func:`replace_export_set` replaces a whole folder of exports as one unit: the new set
is written into a sibling folder, which is then swapped with the old one in one system
call (Linux ``renameat2(RENAME_EXCHANGE)``; elsewhere two renames, with the old set put
back by the next run if a crash falls between them). A reader that opens
``exports/kg.ttl`` and ``exports/kg.nt`` gets both from one build, however the build
ends; what a crash leaves behind (``.exports.kg-new-PID-…`` and ``.exports.kg-render-PID-…`` folders, ``.NAME.….tmp``
files) is removed by the next run once its process is gone.

Debugging crashes: with ``KG_DEBUG_PAUSE_AT=POINT`` a process stops itself (SIGSTOP) when
it reaches the named point (see :func:`debug_point`; the points are ``export:staging``,
``export:wrote NAME``, ``export:staged``, ``export:set-aside``, ``export:swapped``,
``export:cleaned`` and the pipeline's ``build:…`` steps), so that one can look at the
files, kill it (as the crash tests do) or let it go on with SIGCONT.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import signal
import sys
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from graph.errors import ConfigError


@dataclass(frozen=True)
class Rendered:
    """A complete file made for the export set alone (a build rendered it there, wrote it
    to disk with ``fsync`` and will neither change nor keep it): :func:`replace_export_set`
    hard-links it into the new set instead of copying its bytes, where it can."""

    path: Path


@dataclass(frozen=True)
class Kept:
    """An export that rendering again would give byte for byte: the file as it is, linked
    (else copied) where a rendered file would be written."""

    path: Path


#: A file's new content: its bytes, a file holding them (copied, never moved, and not
#: kept in memory), or a :class:`Rendered` file.
Content = bytes | Path | Rendered

DEBUG_PAUSE_VARIABLE = "KG_DEBUG_PAUSE_AT"
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
# Temporary names this module makes: files ".NAME.kg-PID-RANDOM.tmp" (older versions made
# ".NAME.RANDOM.tmp" without the process id) and sibling folders ".FOLDER.kg-new-PID-RANDOM"
# and ".FOLDER.kg-old-PID-RANDOM".
_TEMP_FILE = re.compile(r"^\..+\.(?:kg-(?P<pid>\d+)-)?[A-Za-z0-9_]{8}\.tmp$")


def debug_point(name: str) -> None:
    """Stop this process (SIGSTOP) when ``$KG_DEBUG_PAUSE_AT`` equals ``name``; else do nothing."""
    if os.environ.get(DEBUG_PAUSE_VARIABLE) == name and hasattr(signal, "SIGSTOP"):
        os.kill(os.getpid(), signal.SIGSTOP)


def _held(content: Content) -> bytes | Path:
    """The bytes of ``content``, or the file holding them."""
    return content.path if isinstance(content, Rendered) else content


def _size(content: bytes | Path) -> int:
    return content.stat().st_size if isinstance(content, Path) else len(content)


def _write_content(handle: BinaryIO, content: Content) -> None:
    held = _held(content)
    if isinstance(held, Path):
        with open(held, "rb") as source:
            shutil.copyfileobj(source, handle, 1 << 20)
    else:
        handle.write(held)


def same_content(path: Path, content: Content) -> bool:
    """Whether the existing file ``path`` holds ``content`` (``False`` if it is missing)."""
    held = _held(content)
    try:
        stat = path.stat()
        if stat.st_size != _size(held):
            return False
        if isinstance(held, Path):
            # a link to the file itself (see Kept) holds its bytes: nothing to read
            return os.path.samestat(stat, held.stat()) or _same_bytes(path, held)
        return path.read_bytes() == held
    except (FileNotFoundError, NotADirectoryError):
        return False


def _same_bytes(first: Path, second: Path) -> bool:
    with open(first, "rb") as one, open(second, "rb") as other:
        while True:
            block = one.read(1 << 20)
            if block != other.read(1 << 20):
                return False
            if not block:
                return True


def write_atomically(files: Mapping[Path, Content]) -> list[Path]:
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
            if target.is_file() and same_content(target, content):
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=f".{target.name}.kg-{os.getpid()}-", suffix=".tmp", dir=target.parent)
            staged.append((Path(name), target))
            os.chmod(name, _mode(target))
            with os.fdopen(fd, "wb") as handle:
                _write_content(handle, content)
                handle.flush()
                os.fsync(handle.fileno())
        for temp, target in staged:
            os.replace(temp, target)
    finally:
        for temp, _ in staged:
            temp.unlink(missing_ok=True)
    return [target for _, target in staged]


def replace_export_set(folder: Path, files: Mapping[str, Content]) -> list[Path]:
    """Make ``folder`` hold ``files`` (name to content), replacing the old set as one unit.

    Other entries of ``folder`` (exports of formats not written this time, any other file)
    are carried over unchanged, as hard links. Unchanged exports keep their modification
    time; when nothing changed nothing is touched. Where the folder cannot be swapped (it
    is a mount point, or holds sub-folders that are not ours), the files are replaced
    one by one, each atomically.

    Args:
        folder: The export folder; created when missing.
        files: File name to its new content.

    Returns:
        The files whose content changed.

    Raises:
        ConfigError: When the folder is a file, read-only or cannot be written (disk full,
            no permission), or an export's name is taken by a folder. The old exports
            are then untouched and nothing temporary is left.
    """
    folder = Path(os.path.abspath(folder))
    _check_target(folder, files)
    try:
        _recover(folder)
        if not folder.exists():
            return _write_new_set(folder, files)
        changed = [name for name, content in sorted(files.items()) if not same_content(folder / name, content)]
        leftovers = [entry for entry in os.listdir(folder) if _is_stale_temp(entry)]
        if not changed and not leftovers:
            return []
        if os.path.ismount(folder) or _has_sub_folders(folder):
            written = write_atomically({folder / name: files[name] for name in changed})
            for entry in leftovers:
                (folder / entry).unlink(missing_ok=True)
            return written
        _swap_in_new_set(folder, files, set(changed))
        return [folder / name for name in changed]
    except OSError as exc:
        raise cannot_write(folder, exc) from exc


def cannot_write(folder: Path, exc: OSError) -> ConfigError:
    """The error of an export set that could not be written to ``folder`` (the old one untouched)."""
    reason = exc.strerror or str(exc)
    return ConfigError(f"cannot write the exports to {folder}: {reason}; the old exports are unchanged")


def _check_target(folder: Path, files: Iterable[str]) -> None:
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"cannot write the exports to {folder}: it is a file, not a folder")
    if folder.is_dir():
        if not os.access(folder, os.W_OK) or folder.stat().st_mode & 0o222 == 0:
            raise ConfigError(f"cannot write the exports to {folder}: the folder is read-only")
        for name in sorted(files):
            if (folder / name).is_dir():
                raise ConfigError(f"cannot write {folder / name}: it is a folder, not a file")


def _has_sub_folders(folder: Path) -> bool:
    with os.scandir(folder) as entries:
        return any(entry.is_dir(follow_symlinks=False) for entry in entries)


def _sibling(folder: Path, kind: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=f".{folder.name}.kg-{kind}-{os.getpid()}-", dir=folder.parent))


def render_folder(folder: Path) -> Path:
    """A new, empty folder to render the exports of ``folder`` in before they replace it: a
    sibling of it (``.FOLDER.kg-render-PID-…``, on the same file system, so that
    :class:`Rendered` files can be linked into the new set), else a temporary folder.
    The caller removes it; what a crash leaves is removed by the next run once its
    process is gone."""
    folder = Path(os.path.abspath(folder))
    with contextlib.suppress(OSError):
        if folder.parent.is_dir():
            return _sibling(folder, "render")
    return Path(tempfile.mkdtemp(prefix="kg-render-"))


def _is_stale_temp(name: str) -> bool:
    match = _TEMP_FILE.match(name)
    return match is not None and not _alive(match["pid"])


def _alive(pid: str | None) -> bool:
    """Whether the process that made a temporary name still runs (``None``: made by an old version)."""
    if pid is None:
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _recover(folder: Path) -> None:
    """Put back an old set a crash left set aside; delete the leftovers of dead runs."""
    parent = folder.parent
    if not parent.is_dir():
        return
    pattern = re.compile(rf"^\.{re.escape(folder.name)}\.kg-(?P<kind>new|old|render)-(?P<pid>\d+)-[A-Za-z0-9_]{{8}}$")
    stale = []
    for entry in sorted(os.listdir(parent)):
        match = pattern.match(entry)
        if match and not _alive(match["pid"]):
            stale.append((match["kind"], parent / entry))
    for kind, path in stale:
        if kind == "old" and not folder.exists():
            os.rename(path, folder)  # crashed between the two renames of the fallback
        else:
            shutil.rmtree(path, ignore_errors=True)


def _write_files(staging: Path, files: Mapping[str, Content], names: Iterable[str], old: Path | None) -> None:
    """Write ``names`` into ``staging``, each with the mode of its namesake in ``old`` if any."""
    for name in sorted(names):
        target = staging / name
        mode = _mode(old / name) if old is not None else _mode(target)
        content = files[name]
        if isinstance(content, Rendered) and _linked(content.path, target):
            os.chmod(target, mode)
            debug_point(f"export:wrote {name}")
            continue
        with open(target, "xb") as handle:
            os.chmod(target, mode)
            _write_content(handle, files[name])
            handle.flush()
            os.fsync(handle.fileno())
        debug_point(f"export:wrote {name}")


def _write_new_set(folder: Path, files: Mapping[str, Content]) -> list[Path]:
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = _sibling(folder, "new")
    try:
        os.chmod(staging, 0o777 & ~_umask())
        debug_point("export:staging")
        _write_files(staging, files, files, None)
        _fsync_dir(staging)
        debug_point("export:staged")
        os.rename(staging, folder)
        _fsync_dir(folder.parent)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [folder / name for name in sorted(files)]


def _swap_in_new_set(folder: Path, files: Mapping[str, Content], changed: set[str]) -> None:
    staging = _sibling(folder, "new")
    try:
        os.chmod(staging, folder.stat().st_mode & 0o7777)
        debug_point("export:staging")
        for entry in sorted(os.listdir(folder)):
            if entry in changed or _is_stale_temp(entry):
                continue
            _link_or_copy(folder / entry, staging / entry)
        _write_files(staging, files, changed, folder)
        _fsync_dir(staging)
        debug_point("export:staged")
        if not _exchange(staging, folder):
            aside = _sibling(folder, "old")
            os.rmdir(aside)
            os.rename(folder, aside)
            debug_point("export:set-aside")
            os.rename(staging, folder)
            staging = aside
        debug_point("export:swapped")
        _fsync_dir(folder.parent)
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # the new set on failure, else the old one
    debug_point("export:cleaned")


def _linked(source: Path, target: Path) -> bool:
    """Hard-link ``source`` as ``target``: whether it could be (not across file systems, say)."""
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EXDEV, errno.EMLINK, errno.ENOTSUP):
            raise
        return False
    return True


def _link_or_copy(source: Path, target: Path) -> None:
    if not _linked(source, target):
        shutil.copy2(source, target, follow_symlinks=False)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2``); ``False`` where that is not supported."""
    if sys.platform != "linux":
        return False
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:  # C libraries before glibc 2.28
        return False
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):  # e.g. a file system without it
        return False
    raise OSError(code, os.strerror(code), str(second))


def _fsync_dir(folder: Path) -> None:
    if sys.platform == "win32":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


def _mode(target: Path) -> int:
    """Keep an existing file's mode; new files get 0o666 minus the umask, like open()."""
    if target.exists():
        return target.stat().st_mode & 0o777
    return 0o666 & ~_umask()
