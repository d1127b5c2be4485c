"""The garbage collector paused while the engine makes or reads many long-lived objects, and
the memory a build freed given back to the system before saving.

A full collection over thousands of kept pages and records costs more than the edit itself.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused(freeze: bool = False) -> Iterator[None]:
    """No collection inside; with `freeze`, what exists afterwards is never looked at again
    (objects that live as long as the process, such as a loaded Builder)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if was_on:
            gc.enable()


def freed_memory_returned() -> None:
    """Give the system back the pages that freed objects left in the C library's heap.

    A build frees much of what rendering made (pages' HTML on its way to output/), but glibc
    keeps those pages and they still count as the process's. Saving then adds its own peak
    (the pickler's memo and what it keeps alive) in fresh memory on top of them: returned first, that
    peak sits lower. Only glibc has `malloc_trim`; elsewhere there is nothing to do."""
    if sys.platform != "linux":
        return
    trim = getattr(ctypes.CDLL(None), "malloc_trim", None)  # not in musl
    if trim is not None:
        trim(0)
