"""One digest and one stamp: how litfass tells bytes apart, and files that may have changed.

Every cache key and every comparison of bytes uses `digest` (SHA-256): the theme's
fingerprinted names, the publish manifest, the preview's copy of the site, image variants,
the Markdown cache, the browser editor's file ids. SHA-256 rather than BLAKE2b: CPUs with
SHA extensions (x86 since 2017, ARMv8) hash it twice as fast through OpenSSL (50 MB: 62 ms
against 133 ms, measured here), Decap CMS's protocol and the theme's file names use it
already, and one algorithm means a key made in one place matches the same bytes elsewhere.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import NamedTuple

ALGORITHM = "sha256"

# Bytes, or a file whose bytes are read in chunks (a 400 MB video is never read whole).
Data = bytes | Path


def digest(data: Data) -> bytes:
    """The SHA-256 digest of `data`; `.hex()` where it must be text."""
    if isinstance(data, bytes):
        return hashlib.sha256(data).digest()
    with data.open("rb") as handle:
        return hashlib.file_digest(handle, ALGORITHM).digest()


def hasher(data: bytes = b"") -> hashlib._Hash:
    """A digest fed in pieces (`update`), for a key made of many parts: the same algorithm
    (its constructor called directly: `hashlib.new` costs a microsecond more, and the
    records' digests make tens of thousands)."""
    return hashlib.sha256(data)


class Stamp(NamedTuple):
    """What the file system says of a file without reading it: a changed stamp means the file
    may have changed (its bytes tell for sure), an equal one that it did not. `digest` of its
    bytes only where the build keeps one: a file saved in the clock tick of the build, whose
    mtime a later save in the same tick keeps (engine/state.py)."""

    size: int
    mtime_ns: int
    inode: int
    digest: str = ""

    def __str__(self) -> str:
        return f"{self.size}:{self.mtime_ns}:{self.inode}"


MISSING = Stamp(-1, -1, -1)  # the stamp of a file that is not there


def stamp(path: str | Path, stat: os.stat_result | None = None) -> Stamp:
    """The file's stamp (OSError when it is missing), from `stat` when the caller has it."""
    info = stat or os.stat(path)
    return Stamp(info.st_size, info.st_mtime_ns, info.st_ino)


def stamp_or_missing(path: str | Path, stat: os.stat_result | None = None) -> Stamp:
    """The file's stamp, or `MISSING`: for inputs, whose going away is a change like any."""
    try:
        return stamp(path, stat)
    except OSError:
        return MISSING


def file_digest(path: Path) -> str:
    """The digest of a file's bytes as text, or "" when it cannot be read."""
    try:
        return digest(path).hex()
    except OSError:
        return ""
