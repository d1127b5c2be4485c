"""The only module that writes the site to disk, and it writes atomically.

A build fills a staging folder beside output/ and swaps it in with one rename, so
output/ is always a complete site: the previous one or the new one, never a mix.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import hashlib
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from litfass.errors import LitfassError

STAGING_PREFIX = ".litfass-staging-"
LOCK_NAME = ".litfass.lock"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


@dataclass
class WriteStats:
    written: int = 0
    unchanged: int = 0
    derived: int = 0  # files made from other staged files (.gz, .br), not counted above


@contextmanager
def build_lock(root: Path) -> Iterator[None]:
    """One build at a time per site; a second one waits for the first.

    The kernel drops the lock when its holder dies, so a killed build never blocks the next.
    """
    try:
        handle = open(root / LOCK_NAME, "a+b")  # noqa: SIM115 - held for the whole block
    except OSError as exc:
        raise LitfassError.at(
            LOCK_NAME, 0, f"cannot create the lock file: {_reason(exc)}"
        ) from None
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class Staging:
    """A new site being written beside output/; `commit` swaps it in."""

    def __init__(self, output: Path) -> None:
        self.output = output
        self.path = output.parent / f"{STAGING_PREFIX}{os.getpid()}"
        self.stats = WriteStats()
        _remove_leftovers(output.parent)
        try:
            self.path.mkdir()
        except OSError as exc:
            raise _disk_error(self.path.name, exc) from None

    def put(self, rel: str, data: bytes) -> None:
        """Write one file; an unchanged file is hard-linked from the live site instead.

        A hard link shares its bytes with the live file, so staged files are only ever
        created (O_EXCL), never opened for writing: the live site cannot change through them.
        """
        target = self._inside(self.path, rel)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            old = self.output / rel
            if _same_bytes(old, data):
                try:
                    os.link(old, target, follow_symlinks=False)
                    self.stats.unchanged += 1
                    return
                except OSError as exc:
                    if exc.errno == errno.EEXIST:
                        raise
                    # another file system, no hard links, or too many: just write it
            with open(target, "xb") as handle:
                handle.write(data)
        except OSError as exc:
            raise _disk_error(rel, exc) from None
        self.stats.written += 1

    def adopt(self, folder: Path, rel: str) -> None:
        """Add a finished folder (a cached search index) below `rel`, by hard links."""
        for source in sorted(folder.rglob("*")):
            if not source.is_file():
                continue
            name = f"{rel}/{source.relative_to(folder).as_posix()}"
            target = self._inside(self.path, name)
            unchanged = _same_file(self.output / name, source)
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                try:
                    # Cache entries are renamed into place, never rewritten: safe to share.
                    os.link(self.output / name if unchanged else source, target)
                except OSError:
                    shutil.copyfile(source, target)
            except OSError as exc:
                raise _disk_error(name, exc) from None
            if unchanged:
                self.stats.unchanged += 1
            else:
                self.stats.written += 1

    def files(self) -> list[str]:
        """Every file staged so far, relative and sorted."""
        return sorted(
            os.path.relpath(os.path.join(folder, name), self.path).replace(os.sep, "/")
            for folder, _, names in os.walk(self.path)
            for name in names
        )

    def put_derived(self, source: str, rel: str, make: Callable[[bytes], bytes]) -> None:
        """Write `make(bytes of source)` as `rel`, e.g. the .gz of a staged page.

        When `source` was hard-linked from the live site, so is the live `rel`: a warm build
        does not compress again what it compressed before.
        """
        staged = self._inside(self.path, source)
        live = self.output / rel
        if _same_inode(staged, self.output / source) and not live.is_symlink():
            try:
                os.link(live, self._inside(self.path, rel))
                self.stats.derived += 1
                return
            except OSError:
                pass  # not there yet (option just turned on) or no hard links: make it
        target = self._inside(self.path, rel)
        try:
            target.unlink(missing_ok=True)  # never write through a link into another tree
            target.write_bytes(make(staged.read_bytes()))
        except OSError as exc:
            raise _disk_error(rel, exc) from None
        self.stats.derived += 1

    def commit(self) -> None:
        """Make the staged site the live one in a single step."""
        try:
            if os.path.lexists(self.output):
                if not _exchange(self.path, self.output):
                    # Only where the file system lacks RENAME_EXCHANGE: a moment without output/.
                    old = self.path.with_name(self.path.name + "-old")
                    os.rename(self.output, old)
                    os.rename(self.path, self.output)
                    self.path = old
            else:
                os.rename(self.path, self.output)
        except OSError as exc:
            raise LitfassError.at(
                self.output.name, 0, f"cannot replace the folder: {_reason(exc)}; it is unchanged"
            ) from None
        _remove(self.path)  # the previous site, now beside output/

    def discard(self) -> None:
        _remove(self.path)

    @staticmethod
    def _inside(folder: Path, rel: str) -> Path:
        """Refuse any path that would land outside the site folder."""
        parts = rel.split("/")
        if rel.startswith("/") or "\\" in rel or any(p in ("", ".", "..") for p in parts):
            raise LitfassError.at(rel, 0, "refusing to write outside output/")
        return folder.joinpath(*parts)


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        if path.is_symlink() or path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def _same_file(old: Path, new: Path) -> bool:
    try:
        return old.stat().st_size == new.stat().st_size and old.read_bytes() == new.read_bytes()
    except OSError:
        return False


def _same_inode(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _remove_leftovers(folder: Path) -> None:
    """Staging folders of builds that were killed (we hold the lock: none is running)."""
    for leftover in sorted(folder.glob(f"{STAGING_PREFIX}*")):
        _remove(leftover)


def _remove(path: Path) -> None:
    """Delete a folder, or whatever took its place (a link or a file), without following links."""
    if path.is_symlink() or not path.is_dir():
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    else:
        shutil.rmtree(path, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders atomically (Linux renameat2); False where unsupported."""
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    if not hasattr(libc, "renameat2"):
        return False
    result = libc.renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _disk_error(rel: str, exc: OSError) -> LitfassError:
    where = f"output/{rel}"
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return LitfassError.at(
            where, 0, f"disk full while writing ({_reason(exc)}); output/ was left unchanged"
        )
    return LitfassError.at(where, 0, f"cannot write: {_reason(exc)}; output/ was left unchanged")


def _reason(exc: OSError) -> str:
    return (exc.strerror or str(exc)).lower()


def write_cache_file(path: Path, data: bytes) -> None:
    """Store a cache entry whole or not at all; a cache that cannot be written is skipped."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except OSError:
        temporary.unlink(missing_ok=True)


SPARE_SUFFIX = "-spare"


class Mirror:
    """Two copies of the site for rebuilds that touch a few files, swapped in atomically.

    output/ is the live copy and a spare one sits beside it (sharing unchanged files as hard
    links). A rebuild brings the spare up to date by replacing only the files that differ,
    never writing into a shared file, then exchanges the two folders in one rename. So
    output/ stays a complete site at every moment without linking thousands of files per
    edit. `live` maps each path to a digest of its bytes.
    """

    def __init__(self, output: Path, live: dict[str, bytes]) -> None:
        """Start from a live output/ whose files have the digests in `live`."""
        self.output = output
        self.spare = output.parent / f"{STAGING_PREFIX}{os.getpid()}{SPARE_SUFFIX}"
        self.live = dict(live)
        shutil.rmtree(self.spare, ignore_errors=True)
        self.spare.mkdir()
        for rel in live:  # the one-off cost: a full set of hard links
            target = Staging._inside(self.spare, rel)
            target.parent.mkdir(parents=True, exist_ok=True)
            _link_or_copy(self.output / rel, target)
        self.behind: set[str] = set()  # paths where the spare is older than output/
        self._folders = self._identity()

    def intact(self) -> bool:
        """Whether both copies are still the ones written here (no other build swapped)."""
        return self._folders == self._identity()

    def commit(self, changed: dict[str, bytes], removed: set[str]) -> int:
        """Make `changed` files and `removed` paths live in one swap; return files written.

        The spare differs from output/ only where the last commit changed something, so the
        work is in proportion to the edits, not to the size of the site.
        """
        updates: dict[str, bytes | None] = {rel: digest(data) for rel, data in changed.items()}
        updates.update(dict.fromkeys(removed))
        written = 0
        for rel in sorted(self.behind | updates.keys()):
            if (updates[rel] if rel in updates else self.live.get(rel)) is None:
                self._remove(rel)
            elif rel in changed:
                self._replace(rel, lambda tmp, rel=rel: tmp.write_bytes(changed[rel]))
                written += 1
            else:  # unchanged now, but the spare still has an older version: share the live one
                self._replace(rel, lambda tmp, rel=rel: _link_or_copy(self.output / rel, tmp))
        if not _exchange(self.spare, self.output):
            raise OSError(errno.ENOTSUP, "renameat2 is not available")
        for rel, wanted in updates.items():  # the spare now holds the old site: behind here
            if wanted is None:
                self.live.pop(rel, None)
            else:
                self.live[rel] = wanted
        self.behind = set(updates)
        self._folders = self._identity()
        return written

    def discard(self) -> None:
        shutil.rmtree(self.spare, ignore_errors=True)

    def _replace(self, rel: str, fill) -> None:
        """Put a new file at `rel` in the spare by rename: a shared (linked) file stays intact."""
        target = Staging._inside(self.spare, rel)
        _make_folder(target.parent)
        temporary = target.with_name(f".{target.name}.litfass-tmp")
        try:
            fill(temporary)
            os.replace(temporary, target)
        except OSError as exc:
            temporary.unlink(missing_ok=True)
            raise _disk_error(rel, exc) from None

    def _remove(self, rel: str) -> None:
        target = Staging._inside(self.spare, rel)
        target.unlink(missing_ok=True)
        folder = target.parent
        while folder != self.spare:  # drop folders the removal left empty
            try:
                folder.rmdir()
            except OSError:
                break
            folder = folder.parent

    def _identity(self) -> tuple[tuple[int, int], tuple[int, int]]:
        def of(path: Path) -> tuple[int, int]:
            try:
                info = path.stat()
            except OSError:
                return (-1, -1)
            return (info.st_dev, info.st_ino)

        return of(self.output), of(self.spare)


def digest(data: bytes) -> bytes:
    """A short fingerprint of a file's bytes, to tell changed files from unchanged."""
    return hashlib.blake2b(data, digest_size=16).digest()


def _make_folder(folder: Path) -> None:
    """Create `folder`, replacing a file that is in the way (a page became a folder)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        for parent in (folder, *folder.parents):
            if parent.is_file():
                parent.unlink()
                break
        folder.mkdir(parents=True, exist_ok=True)


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
