"""Precompress the staged site: a .gz (and .br) beside every text file, for the web server.

nginx's `gzip_static` sends them as they are, so no reader waits for compression on the fly.
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Callable

from litfass.folders import COMPRESSIBLE
from litfass.write.staging import Staging

Encoder = Callable[[bytes], bytes]
# Compressing reads a file whole; a text attachment larger than this (a data export) is left
# to the web server's on-the-fly compression rather than held in memory.
LARGEST = 16 * 1024 * 1024


def compressible(rel: str, size: int) -> bool:
    """Whether a file gets a .gz (and .br) beside it: a text file, not too large."""
    return rel.endswith(COMPRESSIBLE) and size <= LARGEST


def gzipped(data: bytes) -> bytes:
    """gzip at the highest level with a fixed header: no time, no file name.

    The same bytes give the same .gz on every build, so unchanged files stay unchanged.
    """
    return gzip.compress(data, compresslevel=9, mtime=0)


def encoders() -> list[tuple[str, Encoder]]:
    """Suffix and encoder of every format to produce: gzip always, brotli when installed."""
    found: list[tuple[str, Encoder]] = [(".gz", gzipped)]
    try:
        import brotli  # optional: pip install litfass[brotli]
    except ImportError:
        return found
    # Quality 10: within 2 % of 11's size at a third of its time (measured on the example
    # portal); a warm build links the previous .br of every unchanged file anyway.
    found.append((".br", lambda data: brotli.compress(data, quality=10)))
    return found


def precompress(staging: Staging) -> None:
    """Add the compressed variants of every compressible file staged so far."""
    formats = encoders()
    for rel in staging.files():
        if rel.endswith(COMPRESSIBLE) and compressible(rel, os.path.getsize(staging.path / rel)):
            for suffix, encode in formats:
                staging.put_derived(rel, rel + suffix, encode)
