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
    lock = FileLock(root / LOCK_NAME, timeout=-1)  # -1: wait as long as the other build runs
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
