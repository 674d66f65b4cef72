"""Standard input as a data file: ``--data -`` for ``kg query``, ``kg serve`` and ``kg push``.

The query store is a cached Oxigraph database keyed by the files it was loaded from
(:mod:`graph.store`), so piped data is first written to a file named after its SHA-256
in the cache folder: the same input twice is one file with one unchanged modification
time, and reuses the store built the first time.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path
from typing import BinaryIO

from graph.errors import ConfigError
from graph.store import MAX_UNUSED_DAYS, cache_root

#: ``--data-format`` names -> file extension (what :func:`graph.store.rdf_format` reads).
DATA_FORMATS = {"ntriples": "nt", "turtle": "ttl", "rdfxml": "rdf", "jsonld": "jsonld"}


def sniff(head: bytes) -> str:
    """The data format of RDF that starts with ``head``: JSON-LD, RDF/XML, else Turtle.

    N-Triples is read as Turtle (it is a subset), so only the XML and JSON forms need
    telling apart, by their first character.
    """
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text[:1] in (b"{", b"["):
        return "jsonld"
    if text.startswith((b"<?xml", b"<rdf:RDF", b"<!DOCTYPE", b"<!--")):
        return "rdfxml"
    return "turtle"


def spool(stream: BinaryIO, data_format: str | None = None, cache: Path | None = None) -> Path:
    """Write ``stream`` to a content-addressed file and return its path.

    Args:
        stream: The data (standard input).
        data_format: A name from :data:`DATA_FORMATS`; guessed by :func:`sniff` when ``None``.
        cache: The cache folder (default :func:`graph.store.cache_root`).

    Raises:
        ConfigError: For an unknown format, empty input or an unwritable cache folder.
    """
    content = stream.read()
    if not content.strip():
        raise ConfigError("--data -: standard input is empty; pipe an RDF file into it")
    name = data_format or sniff(content[:64])
    if name not in DATA_FORMATS:
        raise ConfigError(f"unknown data format '{name}'; use one of: {', '.join(DATA_FORMATS)}")
    folder = (cache or cache_root()) / "stdin"
    # Named so that messages about it ("standard-input.ttl:3:5: cannot load …") say what it is.
    path = folder / hashlib.sha256(content).hexdigest()[:24] / f"standard-input.{DATA_FORMATS[name]}"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_file():
            os.utime(path, ns=(time.time_ns(), path.stat().st_mtime_ns))  # used: keep its mtime (the store's key)
        else:
            staging = path.with_name(f".{os.getpid()}.part")
            staging.write_bytes(content)
            staging.replace(path)
        _clean_up(folder, keep=path)
    except OSError as exc:
        raise ConfigError(f"cannot keep standard input in {folder}: {exc.strerror} (set KG_CACHE_DIR)") from exc
    return path


def _clean_up(folder: Path, keep: Path) -> None:
    """Delete piped files not used for :data:`graph.store.MAX_UNUSED_DAYS` (their stores go the same way)."""
    limit = time.time() - MAX_UNUSED_DAYS * 86400
    for path in folder.glob("*/standard-input.*"):
        try:
            if path != keep and path.stat().st_atime < limit:
                path.unlink()
                path.parent.rmdir()
        except OSError:
            pass
