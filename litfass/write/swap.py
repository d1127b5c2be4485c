"""Swap a finished folder with output/: in one step where the system can, else by renames.

Linux and macOS exchange two folders atomically. Elsewhere output/ is missing for the time of
one rename, and a crash in that moment is undone by the next build (`recover`).
"""

from __future__ import annotations

import errno
import functools
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from litfass.errors import LitfassError
from litfass.folders import ASIDE_NAME
from litfass.i18n import _
from litfass.write.disk import reason, remove

# "rename" always swaps by renames, as Windows does: the tests run that path on Linux too.
SWAP_VARIABLE = "LITFASS_SWAP"
# A file system without the exchange says so with one of these; the renames take over.
_UNSUPPORTED = {errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP}
_AT_FDCWD = -100  # renameat2: paths relative to the working folder, like rename(2)
_RENAME_EXCHANGE = 2  # <linux/fs.h>: (1 << 1)
_RENAME_SWAP = 2  # macOS <sys/stdio.h>: 0x00000002
# Waits before trying a rename again: on Windows a folder cannot be renamed while another
# program (a virus scanner, the Explorer, a web server) has a file in it open for a moment.
_RETRY_WAITS = (0.01, 0.05, 0.1, 0.25, 0.5)


def swap(staged: Path, live: Path) -> None:
    """Exchange two folders: `live` then holds the staged site and `staged` the replaced one."""
    if os.environ.get(SWAP_VARIABLE) != "rename" and exchange(staged, live):
        return
    swap_by_renames(staged, live)


def exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step; False where the system or the file system cannot.

    Linux: renameat2(RENAME_EXCHANGE) (kernel 3.15, glibc 2.28). macOS: renamex_np(RENAME_SWAP)
    (10.12, on APFS and HFS+). File systems without it (some network and FUSE ones, FAT)
    answer EINVAL or ENOTSUP: no error here, the caller renames instead.
    """
    call = _native_exchange()
    if call is None:
        return False
    if call(os.fsencode(a), os.fsencode(b)) == 0:
        return True
    import ctypes

    code = ctypes.get_errno()
    if code in _UNSUPPORTED:
        return False
    raise OSError(code, os.strerror(code), str(b))


def swap_by_renames(staged: Path, live: Path) -> None:
    """The exchange as three renames, for systems without one (Windows, the BSDs, NFS).

    `live` -> aside, `staged` -> `live`, aside -> `staged`. Between the first two renames there
    is no `live` folder: for that moment (one rename, well under a millisecond on a local disk)
    a web server answers 404 and the preview "nothing built yet". Should the second rename
    fail, the first is undone at once. A crash in the window leaves the old site aside and
    none live; a crash after it, the new site live and the old one aside. Either way the
    next build's `recover` puts things right before it writes, so no site is ever lost.
    """
    recover(live)
    aside = live.parent / ASIDE_NAME
    _rename(live, aside)
    try:
        _rename(staged, live)
    except OSError:
        _rename(aside, live)  # should this fail too, `recover` puts it back next time
        raise
    _rename(aside, staged)


def failure(live: Path, exc: OSError) -> LitfassError:
    """The error of a swap that failed, saying where the site the editor had is now."""
    where = (
        _("it is unchanged")
        if os.path.lexists(live)
        else _("the last site waits in {folder}/ and the next build puts it back").format(
            folder=ASIDE_NAME
        )
    )
    return LitfassError.at(
        live.name,
        0,
        _("cannot replace the folder: {reason}; {where}").format(reason=reason(exc), where=where),
    )


def recover(live: Path) -> None:
    """Finish a swap by renames that a crash interrupted; after a clean one, nothing to do.

    An aside folder with no live one is the old site, put back; beside a live one it is the
    site that was replaced, no longer needed.
    """
    aside = live.parent / ASIDE_NAME
    if not os.path.lexists(aside):
        return
    if os.path.lexists(live):
        remove(aside)
    else:
        _rename(aside, live)


def _rename(source: Path, target: Path) -> None:
    """os.rename, tried again for a moment while the folder is in use (Windows)."""
    for wait in _RETRY_WAITS:
        try:
            os.rename(source, target)
            return
        except PermissionError:
            time.sleep(wait)
    os.rename(source, target)


@functools.cache
def _native_exchange() -> Callable[[bytes, bytes], int] | None:
    """The system's exchange of two paths, returning 0 or -1 (errno set), or None."""
    if sys.platform.startswith("linux"):
        renameat2 = _libc_function("renameat2")  # glibc 2.28; not in musl
        if renameat2 is not None:
            return lambda a, b: renameat2(_AT_FDCWD, a, _AT_FDCWD, b, _RENAME_EXCHANGE)
    elif sys.platform == "darwin":
        renamex_np = _libc_function("renamex_np")  # int renamex_np(from, to, unsigned flags)
        if renamex_np is not None:
            return lambda a, b: renamex_np(a, b, _RENAME_SWAP)
    return None


def _libc_function(name: str):
    """A function of the C library with its C signature, or None if it has none by that name."""
    import ctypes  # only here: most commands never swap a folder
    import ctypes.util

    signatures = {
        "renameat2": [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint],
        "renamex_np": [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_uint],
    }
    # The process's own symbols include the C library; find_library runs a program: a fallback.
    for find in (False, True):
        try:
            path = ctypes.util.find_library("c") if find else None
            function = getattr(ctypes.CDLL(path, use_errno=True), name)
        except (OSError, AttributeError):
            continue
        function.argtypes = signatures[name]
        function.restype = ctypes.c_int
        return function
    return None
