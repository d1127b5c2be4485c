"""Memory a build freed is given back before saving adds its own peak, where the C library can."""

from __future__ import annotations

import ctypes
import sys
from pathlib import Path

import pytest

from litfass.engine import collector

LINUX = sys.platform == "linux"


def _resident_mb() -> float:
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    return int(fields["VmRSS"].split()[0]) / 1024


def _has_malloc_trim() -> bool:
    return LINUX and hasattr(ctypes.CDLL(None), "malloc_trim")


@pytest.mark.skipif(not _has_malloc_trim(), reason="glibc's malloc_trim is Linux's alone")
def test_freed_holes_in_the_heap_stop_counting_as_the_process_memory() -> None:
    # Every other block freed: the heap cannot shrink from its top, so glibc keeps the
    # holes' pages resident until they are handed back.
    blocks = [bytearray(60_000) for _ in range(2000)]
    for block in blocks:
        block[::4096] = b"x" * len(block[::4096])  # touched: resident, not merely reserved
    del blocks[::2]
    before = _resident_mb()
    collector.freed_memory_returned()
    assert before - _resident_mb() > 30  # of about 57 MB in the holes
    assert len(blocks) == 1000 and all(block[0] == ord("x") for block in blocks)


def test_where_the_c_library_cannot_give_memory_back_nothing_is_tried(monkeypatch) -> None:
    def no_library(name: object) -> object:
        raise AssertionError("the C library was asked on a system without malloc_trim")

    for platform in ("darwin", "win32"):
        monkeypatch.setattr(collector.sys, "platform", platform)
        monkeypatch.setattr(collector.ctypes, "CDLL", no_library)
        collector.freed_memory_returned()


def test_a_linux_without_glibc_keeps_its_memory(monkeypatch) -> None:
    """musl (Alpine) has no malloc_trim: the build goes on without it."""
    monkeypatch.setattr(collector.sys, "platform", "linux")
    monkeypatch.setattr(collector.ctypes, "CDLL", lambda name: object())
    collector.freed_memory_returned()
