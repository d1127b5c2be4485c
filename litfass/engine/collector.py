"""The garbage collector paused while the engine makes or reads many long-lived objects.

A full collection over thousands of kept pages and records costs more than the edit itself.
"""

from __future__ import annotations

import contextlib
import gc
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
