"""The one way litfass writes a file: whole or not at all, with one rule for flushing to disk.

Every file litfass writes (content/ from `new`, `import` and the browser editor, the address
record, caches, the staged site's replaced files, the preview's spare copy, a publish folder)
goes through here; tests/write/test_atomic_writes.py keeps every other module from renaming,
flushing or making temporary files itself.

How a write goes: the bytes go to a hidden temporary file beside the name (same folder, so
same file system: a rename there is atomic on POSIX and on NTFS), then one rename gives them
the name; any failure removes the temporary file, so the name holds the old bytes or the new
ones, never a part. A reader, a build or a web server never sees a cut-off file. (`scratch`
is the one nameless file: bytes on their way into the store, gone when closed.)

The flushing rule, one for all: **a file that is the only copy of what it holds is flushed
before its rename, and its folder after.** `durable=True` says so: what an editor wrote
(content/), the address record (the site's memory of its published addresses) and the
files a `publish` leaves in a folder. There `fsync` runs on the temporary file before the
rename, so after a power cut the name never points at bytes that did not reach the disk; the
folder is flushed after the rename so the new name survives too. Windows cannot open a folder
to flush it (and NTFS journals the rename itself), so that second step is skipped there;
`os.fsync` on a file is `FlushFileBuffers` on Windows and works the same. On macOS fsync
leaves the bytes in the drive's own cache (F_FULLFSYNC would empty it): accepted, as SQLite's
default accepts it.
What litfass makes again from those files (output/, the staged site, the preview's copy,
caches) is not flushed: each fsync costs ~9 ms on this project's ext4 disk, an edit replaces
dozens of such files and a cold build thousands, and losing them costs only a rebuild. They
are still renamed into place whole.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

CHUNK = 1 << 20  # what a copied file costs in memory at a time (a 400 MB video)
# A write not finished: hidden, and named as litfass's own (`publish`, `check` and the
# content scan pass over such names), should a killed process leave it behind.
TEMPORARY_PREFIX = ".litfass-"

# Where a hard link fails because the file system has none (FAT, some network shares),
# rather than because the disk is full or broken: only then does `create` look, then rename.
_NO_LINKS = {errno.EPERM, errno.EXDEV, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP}

# A file's bytes, or a file to copy them from (in chunks, never read whole).
Data = bytes | Path
# What fills a file: its bytes, a file to copy, or a function writing into the open file
# (a large pickle streamed rather than built in memory first).
Fill = Data | Callable[[BinaryIO], object]

_numbers = itertools.count()  # a temporary name per write (next() is atomic: threads too)


def write_whole(
    path: Path,
    data: Fill,
    *,
    durable: bool,
    create: bool = False,
    folders: set[Path] | None = None,
) -> None:
    """Give `path` the bytes `data`, whole or not at all (its folders are made).

    `durable`: the only copy of what it holds (see the module's rule). `create`: the file
    must not exist yet; a file of that name, even one made meanwhile, is never replaced
    (FileExistsError). `folders`: for many files in few folders (an import), each folder is
    added here rather than flushed at once; the caller flushes them once (`sync_folders`).
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:  # a file where the folder should be
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR)) from None
    temporary = stage(path, data, durable=durable)
    try:
        commit(temporary, path, durable=durable, create=create, folders=folders)
    finally:
        temporary.unlink(missing_ok=True)


def stage(path: Path, data: Fill, *, durable: bool) -> Path:
    """Write `data` into a new hidden file beside `path` (its folder must exist); its name.

    The first half of `write_whole`, for a write of several files that takes their names only
    once all are staged (the browser editor's save); `commit` is the second half.
    """
    temporary = _beside(path)
    try:
        with open(temporary, "xb") as handle:
            _fill(handle, data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


def _beside(path: Path) -> Path:
    return path.with_name(f"{TEMPORARY_PREFIX}{os.getpid()}-{next(_numbers)}.tmp")


def commit(
    temporary: Path,
    path: Path,
    *,
    durable: bool,
    create: bool = False,
    folders: set[Path] | None = None,
) -> None:
    """Give the staged file its name by one rename (`create`: only if the name is free)."""
    if create:
        _link(temporary, path)
        temporary.unlink(missing_ok=True)  # gone if the link had to be a rename
    else:
        os.replace(temporary, path)
    if durable and folders is not None:
        folders.add(path.parent)
    elif durable:
        sync_folder(path.parent)


def _link(temporary: Path, path: Path) -> None:
    """A link, unlike a rename, fails rather than replace a file made meanwhile."""
    try:
        os.link(temporary, path)
    except OSError as exc:
        if exc.errno not in _NO_LINKS:
            raise
        if path.exists() or path.is_symlink():
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(path)) from None
        os.replace(temporary, path)


def keep_aside(path: Path) -> Path | None:
    """A second name for the file at `path` (a hard link: no bytes copied), so a write of
    several files can put it back if a later one fails; None if there is no file."""
    if not path.is_file():
        return None
    kept = _beside(path)
    link_or_copy(path, kept)  # a copy where the file system has no links (FAT)
    return kept


def rename(source: Path, target: Path, *, durable: bool) -> None:
    """Move a file or a whole folder to a new name in one step (the browser editor's renames
    and deletions, a finished cache entry); both folders flushed after, when `durable`."""
    os.rename(source, target)
    if durable:
        sync_folder(target.parent)
        if source.parent != target.parent:
            sync_folder(source.parent)


def link_whole(source: Path, path: Path) -> None:
    """Give `path` the file `source` as a hard link (a copy where links are not to be had),
    by a rename, so a file linked at `path` before is never written through."""
    temporary = _beside(path)
    try:
        link_or_copy(source, temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def link_or_copy(source: Path, target: Path) -> None:
    """A hard link where the file system has them (FAT and some shares do not), else a copy."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def sync_folders(folders: set[Path]) -> None:
    """Flush each folder `write_whole` left to the caller, once (an import of 1000 files in
    one folder: one fsync of it instead of 1000, ~10 ms each on an ordinary disk)."""
    for folder in sorted(folders):
        sync_folder(folder)
    folders.clear()


def sync_folder(folder: Path) -> None:
    """Flush a folder's list of names, so a rename in it survives a power cut (POSIX only)."""
    if sys.platform == "win32":
        return  # a folder cannot be opened for fsync; NTFS journals the rename
    # Best effort: the rename has happened, and a few file systems (some FUSE, a folder
    # without read permission) refuse; failing now would call a finished write failed.
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def scratch() -> BinaryIO:
    """A nameless file for bytes on their way elsewhere (the store's largest row, pickled
    into it and then copied into SQLite), gone when closed: no name, so nothing to rename
    or flush."""
    return tempfile.TemporaryFile()


def write_new(target: str | Path, data: Data) -> None:
    """Create `target` in a folder no one reads yet (a staged site, the preview's spare copy):
    the folder's swap is what publishes it, so no temporary file is needed."""
    with open(target, "xb") as handle:
        _fill(handle, data)


def _fill(handle: BinaryIO, data: Fill) -> None:
    if isinstance(data, bytes):
        handle.write(data)
    elif isinstance(data, Path):
        with data.open("rb") as source:
            shutil.copyfileobj(source, handle, CHUNK)
    else:
        data(handle)
