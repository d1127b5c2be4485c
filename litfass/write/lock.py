"""One build at a time per site: a lock on `.litfass.lock` in the site's folder.

filelock takes it with flock on Linux and macOS and with a Windows file lock there.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock

from litfass.errors import LitfassError
from litfass.i18n import _
from litfass.write.disk import reason

LOCK_NAME = ".litfass.lock"
# One lock object per site: a thread that holds it may take it again (the preview's "publish"
# builds and uploads under one lock); another thread waits as another process does.
_LOCKS: dict[Path, FileLock] = {}


@contextmanager
def build_lock(root: Path) -> Iterator[None]:
    """One build at a time per site; a second one waits for the first.

    The operating system drops the lock when its holder dies, so a killed build never blocks
    the next.
    """
    if not root.is_dir():  # filelock would create the folder: a mistyped --root must not
        missing = OSError(errno.ENOENT, os.strerror(errno.ENOENT))
        raise LitfassError.at(
            LOCK_NAME, 0, _("cannot create the lock file: {reason}").format(reason=reason(missing))
        )
    path = (root / LOCK_NAME).absolute()
    lock = _LOCKS.setdefault(path, FileLock(path, timeout=-1))  # -1: wait for the other build
    try:
        lock.acquire()
    except OSError as exc:
        raise LitfassError.at(
            LOCK_NAME, 0, _("cannot create the lock file: {reason}").format(reason=reason(exc))
        ) from None
    try:
        yield
    finally:
        lock.release()
