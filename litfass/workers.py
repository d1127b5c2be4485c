"""Spread work over processes: a list is cut into chunks and each chunk runs in a worker.

Workers are forked, so they start at once with everything the parent has loaded (the site,
the compiled templates, the language of messages); without fork (Windows, macOS) the chunks run
here, one after another. No worker is ever spawned afresh, so none misses the language.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.pool import Pool
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

MIN_PER_WORKER = 40  # below this, starting processes costs more than it saves
CHUNKS_PER_WORKER = 8  # small enough to balance, large enough to keep the pipes quiet

# "0": run every chunk in this process; "1": fork on macOS too. Unset: fork where it is safe.
FORK_VARIABLE = "LITFASS_FORK"

_task: Callable | None = None  # the parent's function, inherited by forked workers


def default_workers() -> int:
    """One worker per CPU this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def can_fork() -> bool:
    """Whether chunks may run in forked workers here.

    Windows has no fork. On macOS, system libraries may run threads that a forked child lacks,
    and it can hang or crash: Python stopped forking there by default, and litfass too. A
    build in one process gives the very same bytes, on one core.
    """
    choice = os.environ.get(FORK_VARIABLE, "")
    if choice == "0" or "fork" not in multiprocessing.get_all_start_methods():
        return False
    return choice == "1" or sys.platform != "darwin"


def chunks(count: int, workers: int) -> list[range]:
    """Index ranges covering 0..count, about CHUNKS_PER_WORKER per worker."""
    size = max(1, -(-count // (workers * CHUNKS_PER_WORKER)))
    return [range(start, min(start + size, count)) for start in range(0, count, size)]


def run_chunks(
    task: Callable[[range], R], count: int, workers: int, ordered: bool = True
) -> Iterator[R]:
    """Run `task` on index ranges covering 0..count, in worker processes when it pays.

    `task` is any callable of the parent (a closure is fine: workers are forked, so
    nothing but the range and the result is pickled). Results come in order unless
    `ordered` is False; an exception in a worker is raised here. Where workers cannot be
    forked (`can_fork`), `task` runs once here on the whole range.
    """
    global _task
    workers = min(workers, count // MIN_PER_WORKER)
    if workers <= 1 or not can_fork():
        if count:
            yield task(range(count))
        return
    _task = task
    try:
        with _pool(workers) as pool:
            parts = chunks(count, workers)
            run = pool.imap if ordered else pool.imap_unordered
            yield from run(_run_task, parts)
    finally:
        _task = None


def _pool(workers: int) -> Pool:
    """A pool of forked workers that SIGTERM stops, whatever handler this process has.

    The pool stops its workers with SIGTERM. A handler of ours in Python (the preview's
    raises KeyboardInterrupt) would run in a worker only between two bytecodes, and a SIGTERM
    that came before the worker put the default back would be lost: the pool then waits for
    that worker forever (a build hung so in CI). So SIGTERM is held back while the workers
    are forked, and each takes it, pending or not, only once the default is in place.
    """
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    try:
        return multiprocessing.get_context("fork").Pool(workers, _default_sigterm)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _default_sigterm() -> None:
    """In a new worker: SIGTERM's default action (the end of the worker), then let it in."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})


def _run_task(part: range):
    assert _task is not None
    return _task(part)


def flatten(parts: Iterator[Sequence[T]]) -> list[T]:
    return [item for part in parts for item in part]
