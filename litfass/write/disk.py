"""What Staging and Mirror share: the staging folders' names, path checks, links and removal.

Also the one wording of a failed write, so every disk error reads the same to an editor.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
from pathlib import Path

from litfass.errors import LitfassError

STAGING_PREFIX = ".litfass-staging-"  # beside output/; whatever a killed build left is removed


def inside(folder: Path, rel: str) -> Path:
    """Refuse any path that would land outside the site folder."""
    refuse_outside(rel)
    return folder.joinpath(*rel.split("/"))


def refuse_outside(rel: str) -> None:
    """`inside` without making a Path: for the many files of a whole site."""
    parts = rel.split("/")
    if rel.startswith("/") or "\\" in rel or any(p in ("", ".", "..") for p in parts):
        raise LitfassError.at(rel, 0, "refusing to write outside output/")


def files_below(folder: Path, prefix: str = "") -> set[str]:
    """Every file below `folder`, relative to it with '/' (and `prefix/` before)."""
    found: set[str] = set()
    start = len(str(folder)) + 1
    for path, _, names in os.walk(folder):
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


def link_or_copy(source: Path, target: Path) -> None:
    """A hard link where the file system has them (FAT and some shares do not), else a copy."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def disk_error(rel: str, exc: OSError) -> LitfassError:
    where = f"output/{rel}"
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return LitfassError.at(
            where, 0, f"disk full while writing ({reason(exc)}); output/ was left unchanged"
        )
    return LitfassError.at(where, 0, f"cannot write: {reason(exc)}; output/ was left unchanged")


def reason(exc: OSError) -> str:
    return (exc.strerror or str(exc)).lower()
