"""What Staging and Mirror share: the staging folders' names, path checks, links and removal.

Also the one wording of a failed write, so every disk error reads the same to an editor, and
files copied as they are (a 400 MB video): compared in chunks, never read into memory whole.
Writing itself is `litfass/atomic.py`'s, hashing `litfass/digests.py`'s.
"""

from __future__ import annotations

import contextlib
import errno
import filecmp
import os
import shutil
from pathlib import Path
from stat import S_ISREG

from litfass.atomic import Data
from litfass.digests import digest as digest  # what the engine's writers compare by
from litfass.errors import LitfassError
from litfass.i18n import _

STAGING_PREFIX = ".litfass-staging-"  # beside output/; whatever a killed build left is removed


def size_of(data: Data) -> int:
    return len(data) if isinstance(data, bytes) else data.stat().st_size


def same_content(path: str, data: Data) -> bool:
    """Whether the regular file at `path` holds exactly `data` (compared in chunks)."""
    try:
        stat = os.lstat(path)
        if not S_ISREG(stat.st_mode) or stat.st_size != size_of(data):
            return False  # a symbolic link is never reused: it could point anywhere
        if isinstance(data, Path):
            return filecmp.cmp(path, data, shallow=False)
        with open(path, "rb") as handle:
            return handle.read() == data
    except OSError:
        return False


def inside(folder: Path, rel: str) -> Path:
    """Refuse any path that would land outside the site folder."""
    refuse_outside(rel)
    return folder.joinpath(*rel.split("/"))


def refuse_outside(rel: str) -> None:
    """`inside` without making a Path: for the many files of a whole site."""
    parts = rel.split("/")
    if rel.startswith("/") or "\\" in rel or any(p in ("", ".", "..") for p in parts):
        raise LitfassError.at(rel, 0, _("refusing to write outside output/"))


def files_below(folder: Path, prefix: str = "") -> set[str]:
    """Every file below `folder`, relative to it with '/' (and `prefix/` before)."""
    found: set[str] = set()
    start = len(str(folder)) + 1
    for path, _folders, names in os.walk(folder):
        # os.walk joins with os.sep: on Windows "news\\2024", which must read "news/2024".
        inner = path[start:].replace(os.sep, "/") if path != str(folder) else ""
        inner = f"{prefix}/{inner}".strip("/") if inner else prefix
        found.update(f"{inner}/{name}" if inner else name for name in names)
    return found


def remove(path: Path) -> None:
    """Delete a folder, or whatever took its place (a link or a file), without following links."""
    if path.is_symlink() or not path.is_dir():
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    else:
        shutil.rmtree(path, ignore_errors=True)


def disk_error(rel: str, exc: OSError) -> LitfassError:
    where = f"output/{rel}"
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return LitfassError.at(
            where,
            0,
            _("disk full while writing ({reason}); output/ was left unchanged").format(
                reason=reason(exc)
            ),
        )
    return LitfassError.at(
        where, 0, _("cannot write: {reason}; output/ was left unchanged").format(reason=reason(exc))
    )


def reason(exc: OSError) -> str:
    return (exc.strerror or str(exc)).lower()
