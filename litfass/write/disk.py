"""What Staging and Mirror share: the staging folders' names, path checks, links and removal.

Also the one wording of a failed write, so every disk error reads the same to an editor, and
files copied as they are (a 400 MB video): compared, hashed and copied in chunks, never read
into memory whole.
"""

from __future__ import annotations

import contextlib
import errno
import filecmp
import hashlib
import os
import shutil
from pathlib import Path
from stat import S_ISREG

from litfass.errors import LitfassError
from litfass.i18n import _

STAGING_PREFIX = ".litfass-staging-"  # beside output/; whatever a killed build left is removed
CHUNK = 1 << 20  # what a copied file costs in memory at a time

# A file of the site: its rendered bytes, or a file to copy as it is (content/ attachments).
Data = bytes | Path


def digest(data: Data) -> bytes:
    """A short fingerprint of a file's bytes, to tell changed files from unchanged."""
    if isinstance(data, bytes):
        return hashlib.blake2b(data, digest_size=16).digest()
    with data.open("rb") as handle:
        return hashlib.file_digest(handle, lambda: hashlib.blake2b(digest_size=16)).digest()


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


def write_new(target: str | Path, data: Data) -> None:
    """Create `target` (it must not exist) with `data`; a file is copied in chunks."""
    with open(target, "xb") as handle:
        if isinstance(data, bytes):
            handle.write(data)
        else:
            with data.open("rb") as source:
                shutil.copyfileobj(source, handle, CHUNK)


def create_whole(path: Path, data: Data) -> None:
    """Create a file that did not exist, whole or not at all; never overwrite one.

    On a full or read-only disk an empty or cut-off file would break the next build, so
    the bytes go to a hidden file first, are flushed to the disk, and only then linked in
    under their name (a link, unlike a rename, fails rather than replace a file).
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:  # a file where the folder should be
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR)) from None
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        _write_synced(temporary, data)
        try:
            os.link(temporary, path)
        except FileExistsError:
            raise
        except OSError:  # no hard links here (FAT, some network shares): look, then rename
            if path.exists():
                raise FileExistsError(path) from None
            os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def replace_whole(path: Path, data: bytes) -> None:
    """Replace a file's bytes whole or not at all: a hidden file beside it, then one rename."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        _write_synced(temporary, data)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _write_synced(path: Path, data: Data) -> None:
    with open(path, "xb") as handle:
        if isinstance(data, bytes):
            handle.write(data)
        else:
            with data.open("rb") as source:
                shutil.copyfileobj(source, handle, CHUNK)
        handle.flush()
        os.fsync(handle.fileno())


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
