"""The only module that writes the site to disk, and it writes atomically.

A build fills a staging folder beside output/ and swaps it in with one rename, so
output/ is always a complete site: the previous one or the new one, never a mix.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import functools
import hashlib
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG
from typing import Any

from litfass.errors import LitfassError
from litfass.folders import PREVIOUS_NAME

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
    """A new site being written beside output/; `commit` swaps it in.

    The site replaced by the swap is kept as the previous site. Its files are hard links
    of the live ones except those the last build wrote (`written`), so the next build can
    start from it with `reuse=written` and touch only what changed, instead of linking
    every file afresh. A build that stops halfway leaves a staging folder that is removed.
    Staged files are only ever created, never opened for writing: many are hard links of
    live files, and the live site must not change through them.
    """

    def __init__(self, output: Path, reuse: list[str] | None = None) -> None:
        self.output = output
        self.stats = WriteStats()
        self.written: list[str] = []  # files with new bytes: the rest are links of live files
        self._folders: set[str] = set()  # made already: a site has thousands of folders
        previous = output.parent / PREVIOUS_NAME
        _remove_leftovers(output.parent)
        self.reused = reuse is not None and previous.is_dir() and output.is_dir()
        if self.reused:
            self.path = previous
            try:
                self._catch_up(reuse or [])
            except OSError as exc:
                self.discard()
                raise _disk_error(PREVIOUS_NAME, exc) from None
            return
        _remove(previous)
        self.path = output.parent / f"{STAGING_PREFIX}{os.getpid()}"
        try:
            self.path.mkdir()
        except OSError as exc:
            raise _disk_error(self.path.name, exc) from None

    def _catch_up(self, written: list[str]) -> None:
        """Make the previous site equal the live one again: relink what was last written."""
        for rel in written:
            self._inside(self.path, rel)
            target = f"{self.path}/{rel}"
            with contextlib.suppress(FileNotFoundError):
                os.unlink(target)
            try:
                os.link(f"{self.output}/{rel}", self._target(rel), follow_symlinks=False)
            except FileNotFoundError:  # gone from the live site: and its empty folders too
                folder = os.path.dirname(target)
                with contextlib.suppress(OSError):
                    os.removedirs(folder)
                self._folders.discard(folder)

    def _target(self, rel: str) -> str:
        self._inside(self.path, rel)
        target = f"{self.path}/{rel}"
        folder = target.rpartition("/")[0]
        if folder not in self._folders:
            os.makedirs(folder, exist_ok=True)
            self._folders.add(folder)
        return target

    def put(self, rel: str, data: bytes) -> None:
        """Write one file; an unchanged file is hard-linked from the live site instead."""
        try:
            target = self._target(rel)
            old = f"{self.output}/{rel}"
            if _same_bytes(old, data):
                if self.reused:  # the previous site links the live file already
                    self.stats.unchanged += 1
                    return
                try:
                    os.link(old, target, follow_symlinks=False)
                    self.stats.unchanged += 1
                    return
                except OSError as exc:
                    if exc.errno == errno.EEXIST:
                        raise
                    # another file system, no hard links, or too many: just write it
            if self.reused:  # the old name may be a link of a live file: a new file, renamed
                temporary = f"{target}.litfass-new"
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(temporary)
                with open(temporary, "xb") as handle:
                    handle.write(data)
                os.replace(temporary, target)
            else:
                with open(target, "xb") as handle:
                    handle.write(data)
        except OSError as exc:
            raise _disk_error(rel, exc) from None
        self.stats.written += 1
        self.written.append(rel)

    def adopt(self, folder: Path, rel: str) -> None:
        """Add a finished folder (a cached search index) below `rel`, by hard links."""
        names = set()
        try:
            for source in sorted(folder.rglob("*")):
                if source.is_file():
                    name = f"{rel}/{source.relative_to(folder).as_posix()}"
                    names.add(name)
                    self._adopt_one(source, name)
            if self.reused:  # files of the index it replaces must go
                for name in sorted(_files(Path(f"{self.path}/{rel}"), prefix=rel) - names):
                    os.unlink(f"{self.path}/{name}")
                    self.written.append(name)
        except OSError as exc:
            raise _disk_error(rel, exc) from None

    def _adopt_one(self, source: Path, name: str) -> None:
        target = self._target(name)
        live = f"{self.output}/{name}"
        unchanged = _same_file(live, source)
        if unchanged and self.reused:  # the previous site links the live file already
            self.stats.unchanged += 1
            return
        with contextlib.suppress(FileNotFoundError):
            os.unlink(target)  # in a reused site: a link of a live file, never written to
        try:
            # Cache entries are renamed into place, never rewritten: safe to share.
            os.link(live if unchanged else source, target)
        except OSError:
            shutil.copyfile(source, target)
        if unchanged:
            self.stats.unchanged += 1
        else:
            self.stats.written += 1
            self.written.append(name)

    def files(self) -> list[str]:
        """Every file staged so far, relative and sorted."""
        return sorted(_files(self.path))

    def put_derived(self, source: str, rel: str, make: Callable[[bytes], bytes]) -> None:
        """Write `make(bytes of source)` as `rel`, e.g. the .gz of a staged page.

        When `source` was hard-linked from the live site, so is the live `rel`: a warm build
        does not compress again what it compressed before.
        """
        self._inside(self.path, source)
        target = self._target(rel)
        staged, live = f"{self.path}/{source}", f"{self.output}/{rel}"
        if _same_inode(staged, f"{self.output}/{source}") and not os.path.islink(live):
            if self.reused and _same_inode(target, live):
                self.stats.derived += 1  # the previous site links it already
                return
            try:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(target)
                os.link(live, target)
                self.stats.derived += 1
                return
            except OSError:
                pass  # not there yet (option just turned on) or no hard links: make it
        try:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(target)  # never write through a link into another tree
            with open(staged, "rb") as handle:
                data = make(handle.read())
            with open(target, "xb") as handle:
                handle.write(data)
        except OSError as exc:
            raise _disk_error(rel, exc) from None
        self.stats.derived += 1
        self.written.append(rel)

    def keep(self, rel: str) -> bool:
        """Hard-link a file known to be unchanged from the live site; False if impossible."""
        if self.reused:
            self.stats.unchanged += 1
            return True
        target = self._target(rel)
        try:
            os.link(f"{self.output}/{rel}", target, follow_symlinks=False)
        except OSError:
            return False
        self.stats.unchanged += 1
        return True

    def commit(self, files: set[str] | None = None, replaced: set[str] | None = None) -> list[str]:
        """Make the staged site the live one in a single step.

        Given the new site's `files`, the replaced site is kept as the previous one and
        the list of what it lacks to equal the live site is returned: the files written,
        and those of the `replaced` site (found on disk if not given) no longer there.
        """
        first = not os.path.lexists(self.output)
        try:
            if first:
                os.rename(self.path, self.output)
            elif not _exchange(self.path, self.output):
                # Only where the file system lacks RENAME_EXCHANGE: a moment without output/.
                old = self.path.with_name(self.path.name + "-old")
                os.rename(self.output, old)
                os.rename(self.path, self.output)
                self.path = old
        except OSError as exc:
            raise LitfassError.at(
                self.output.name, 0, f"cannot replace the folder: {_reason(exc)}; it is unchanged"
            ) from None
        previous = self.output.parent / PREVIOUS_NAME
        if first:
            if files is not None:  # the next build starts from a linked copy of this one
                with contextlib.suppress(OSError):
                    _link_tree(self.output, previous)
            return []
        if files is None:
            _remove(self.path)  # the previous site, now beside output/
            return []
        try:
            if self.path != previous:
                os.rename(self.path, previous)
        except OSError:
            _remove(self.path)  # no previous site to reuse: the next build links afresh
            return []
        gone = (replaced if replaced is not None else _files(previous)) - files
        return self.written + sorted(gone)

    def discard(self) -> None:
        _remove(self.path)

    @staticmethod
    def _inside(folder: Path, rel: str) -> Path:
        """Refuse any path that would land outside the site folder."""
        parts = rel.split("/")
        if rel.startswith("/") or "\\" in rel or any(p in ("", ".", "..") for p in parts):
            raise LitfassError.at(rel, 0, "refusing to write outside output/")
        return folder.joinpath(*parts)


def _link_tree(source: Path, target: Path) -> None:
    """`target` as a copy of `source` made of hard links (no file's bytes are copied)."""
    shutil.rmtree(target, ignore_errors=True)
    start = len(str(source)) + 1
    for folder, _, names in os.walk(source):
        inner = folder[start:] if folder != str(source) else ""
        made = f"{target}/{inner}" if inner else str(target)
        os.makedirs(made, exist_ok=True)
        for name in names:
            os.link(f"{folder}/{name}", f"{made}/{name}", follow_symlinks=False)


def _files(folder: Path, prefix: str = "") -> set[str]:
    """Every file below `folder`, relative to it (with `prefix/` before)."""
    found = set()
    start = len(str(folder)) + 1
    for path, _, names in os.walk(folder):
        inner = f"{prefix}/{path[start:]}".strip("/") if path != str(folder) else prefix
        found.update(f"{inner}/{name}" if inner else name for name in names)
    return found


def _same_bytes(path: str, data: bytes) -> bool:
    try:
        stat = os.lstat(path)
        if not S_ISREG(stat.st_mode) or stat.st_size != len(data):
            return False  # a symbolic link is never reused: it could point anywhere
        with open(path, "rb") as handle:
            return handle.read() == data
    except OSError:
        return False


def _same_file(old: str, new: Path) -> bool:
    try:
        if os.lstat(old).st_size != new.stat().st_size:
            return False
        with open(old, "rb") as handle:
            return handle.read() == new.read_bytes()
    except OSError:
        return False


def _same_inode(a: str | Path, b: str | Path) -> bool:
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


@functools.cache
def _libc() -> Any:
    import ctypes  # only here: most commands never swap a folder
    import ctypes.util

    name = ctypes.util.find_library("c")  # runs ldconfig: once per process is enough
    return ctypes.CDLL(name, use_errno=True) if name else None


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders atomically (Linux renameat2); False where unsupported."""
    libc = _libc()
    if libc is None or not hasattr(libc, "renameat2"):
        return False
    result = libc.renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = _errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _errno() -> int:
    import ctypes

    return ctypes.get_errno()


def _disk_error(rel: str, exc: OSError) -> LitfassError:
    where = f"output/{rel}"
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return LitfassError.at(
            where, 0, f"disk full while writing ({_reason(exc)}); output/ was left unchanged"
        )
    return LitfassError.at(where, 0, f"cannot write: {_reason(exc)}; output/ was left unchanged")


def _reason(exc: OSError) -> str:
    return (exc.strerror or str(exc)).lower()


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
