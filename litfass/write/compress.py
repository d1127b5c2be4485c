"""Precompress the staged site: a .gz (and .br) beside every text file, for the web server.

nginx's `gzip_static` sends them as they are, so no reader waits for compression on the fly.
Files are compressed on every core, and a file whose bytes did not change is never compressed
again: its live copies are taken (hard links: same inode, same bytes).
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Callable

from litfass.folders import COMPRESSED_SUFFIXES, COMPRESSIBLE
from litfass.workers import run_chunks
from litfass.write.staging import Staging

# Quality 5: its .br files are 7.5 % larger than quality 10's, at a sixteenth of its time
# (the corpus of 4000 items, 6926 files: 0.47 ms a file against 7.7 ms). A reader of an article
# page loads 4.1 KB instead of 3.85 KB, 1.3 ms more on a 1.6 Mbit/s phone line, against the
# 150 ms of each round trip there; quality 8 would save 1 % more. A warm build links the
# previous .br of every unchanged file anyway.
BROTLI_QUALITY = 5
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


def encoders() -> dict[str, Encoder]:
    """Suffix and encoder of every format to produce: gzip always, brotli when installed."""
    gz, br = COMPRESSED_SUFFIXES
    found: dict[str, Encoder] = {gz: gzipped}
    try:
        import brotli  # optional: pip install litfass[brotli]
    except ImportError:
        return found
    found[br] = lambda data: brotli.compress(data, quality=BROTLI_QUALITY)
    return found


def compressed(files: list[bytes], workers: int) -> list[dict[str, bytes]]:
    """Every format of each of `files`, in order, compressed over `workers` processes."""
    formats = encoders()

    def task(part: range) -> list[dict[str, bytes]]:
        return [{s: encode(files[i]) for s, encode in formats.items()} for i in part]

    return [one for part in run_chunks(task, len(files), workers) for one in part]


def precompress(staging: Staging, workers: int = 1, only_written: bool = False) -> None:
    """Add the compressed variants of every compressible file staged so far.

    `only_written`: the staging folder is a reused previous site that was precompressed
    whole, so only the files this build wrote can lack theirs (no need to list them all).
    """
    formats = encoders()
    written = set(staging.written)
    due: list[tuple[str, str]] = []  # (source, compressed file) to make
    for rel in sorted(written) if only_written and staging.reused else staging.files():
        if rel.endswith(COMPRESSIBLE) and compressible(rel, os.path.getsize(staging.path / rel)):
            for suffix in formats:
                target = rel + suffix
                kept = staging.kept_derived(rel, target, written)
                if not kept and not staging.link_derived(rel, target):
                    due.append((rel, target))

    def task(part: range) -> list[str]:
        for i in part:
            source, target = due[i]
            staging.write_derived(source, target, formats[target[target.rindex(".") :]])
        return [due[i][1] for i in part]

    for made in run_chunks(task, len(due), workers):
        staging.derived(made)
