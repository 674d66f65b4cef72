"""Take network access away from a process: the second wall around query workers.

:func:`graph.sparql.check_query` refuses ``SERVICE`` before a query runs. Should a case
ever slip past it, the worker that runs the query must still be unable to call out, so
each ``kg serve`` worker moves itself into a new, empty Linux network namespace before it
opens the store: it has no interface but a loopback that is down, and any connection
fails at once. The worker talks to the server only through its standard input and output,
which a network namespace does not touch.

Root may create the namespace directly; other users need an unprivileged user namespace
too (most Linux systems allow one). Where neither works (another OS, a locked-down
kernel), :func:`deny_network` says so and the caller decides what to report.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import sys

_CLONE_NEWNET = 0x40000000
_CLONE_NEWUSER = 0x10000000


def deny_network() -> str | None:
    """Move this process into a new network namespace without any usable interface.

    Call it while the process has a single thread (before starting threads or opening
    the store): a user namespace cannot be entered by a multi-threaded process.

    Returns:
        ``None`` when the process has no network access any more, else why not.
    """
    if not sys.platform.startswith("linux"):
        return f"network namespaces are Linux-only (this is {sys.platform})"
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    except OSError as exc:
        return f"cannot load the C library: {exc}"
    uid, gid = os.geteuid(), os.getegid()
    if libc.unshare(_CLONE_NEWNET) == 0:
        return None
    first = ctypes.get_errno()
    if first != errno.EPERM:
        return f"unshare(CLONE_NEWNET) failed: {os.strerror(first)}"
    if libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNET) != 0:
        return f"unshare(CLONE_NEWUSER | CLONE_NEWNET) failed: {os.strerror(ctypes.get_errno())}"
    _map_ids(uid, gid)
    return None


def _map_ids(uid: int, gid: int) -> None:
    """Keep the process's own user and group inside the new user namespace (files stay readable)."""
    try:
        with open("/proc/self/setgroups", "w") as setgroups:
            setgroups.write("deny")
        with open("/proc/self/uid_map", "w") as uid_map:
            uid_map.write(f"{uid} {uid} 1")
        with open("/proc/self/gid_map", "w") as gid_map:
            gid_map.write(f"{gid} {gid} 1")
    except OSError:
        pass  # unmapped ids still read files the user owns; the network is gone either way
