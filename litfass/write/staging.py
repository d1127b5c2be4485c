"""Write a whole new site beside output/, then swap it in: output/ is never a mix of two.

A build fills a staging folder and `commit` exchanges it with output/ (write/swap.py), so
output/ is always a complete site: the previous one or the new one.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from litfass.atomic import Data, link_or_copy, rename, write_new, write_whole
from litfass.folders import COMPRESSED_SUFFIXES, PREVIOUS_NAME
from litfass.write.disk import (
    STAGING_PREFIX,
    disk_error,
    files_below,
    inside,
    refuse_outside,
    remove,
    same_content,
)
from litfass.write.swap import failure, recover, swap


@dataclass
class WriteStats:
    written: int = 0
    unchanged: int = 0
    derived: int = 0  # files made from other staged files (.gz, .br), not counted above


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
        try:
            recover(output)  # a swap by renames cut short by a crash: output/ comes back first
        except OSError as exc:
            raise failure(output, exc) from None
        _remove_leftovers(output.parent)
        self.reused = reuse is not None and previous.is_dir() and output.is_dir()
        if self.reused:
            self.path = previous
            try:
                self._relink(reuse or [])
            except OSError as exc:
                self.discard()
                raise disk_error(PREVIOUS_NAME, exc) from None
            return
        remove(previous)
        self.path = output.parent / f"{STAGING_PREFIX}{os.getpid()}"
        try:
            self.path.mkdir()
        except OSError as exc:
            raise disk_error(self.path.name, exc) from None

    def _relink(self, written: list[str]) -> None:
        """Make the previous site equal the live one again: relink what was last written."""
        for rel in written:
            inside(self.path, rel)
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
        refuse_outside(rel)
        target = f"{self.path}/{rel}"
        folder = target.rpartition("/")[0]
        if folder not in self._folders:
            os.makedirs(folder, exist_ok=True)
            self._folders.add(folder)
        return target

    def put(self, rel: str, data: Data) -> None:
        """Write one file; an unchanged file is hard-linked from the live site instead."""
        try:
            target = self._target(rel)
            old = f"{self.output}/{rel}"
            if same_content(old, data):
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
                write_whole(Path(target), data, durable=False)
            else:
                write_new(target, data)
        except OSError as exc:
            raise disk_error(rel, exc) from None
        self.stats.written += 1
        self.written.append(rel)

    def adopt(self, files: dict[str, str], under: str) -> None:
        """Add finished files (a cached search index: path in the site -> file) by hard
        links; any other file below `under` left from the site before goes."""
        try:
            for name, source in sorted(files.items()):
                self._adopt_one(source, name)
            if self.reused:  # files of the index it replaces must go
                old = files_below(Path(f"{self.path}/{under}"), prefix=under)
                # The .gz and .br of a file that stays are kept: precompress knows them.
                stays = {f"{name}{suffix}" for name in files for suffix in COMPRESSED_SUFFIXES}
                for name in sorted(old - files.keys() - stays):
                    os.unlink(f"{self.path}/{name}")
                    self.written.append(name)
        except OSError as exc:
            raise disk_error(under, exc) from None

    def _adopt_one(self, source: str, name: str) -> None:
        target = self._target(name)
        live = f"{self.output}/{name}"
        # Live files are links of the cache entries they came from: most need no reading.
        unchanged = _same_inode(live, source) or same_content(live, Path(source))
        if unchanged and self.reused:  # the previous site links the live file already
            self.stats.unchanged += 1
            return
        with contextlib.suppress(FileNotFoundError):
            os.unlink(target)  # in a reused site: a link of a live file, never written to
        # Cache entries are renamed into place, never rewritten: safe to share.
        link_or_copy(Path(live if unchanged else source), Path(target))
        if unchanged:
            self.stats.unchanged += 1
        else:
            self.stats.written += 1
            self.written.append(name)

    def files(self) -> list[str]:
        """Every file staged so far, relative and sorted."""
        return sorted(files_below(self.path))

    def link_derived(self, source: str, rel: str) -> bool:
        """Take the live `rel` (the .gz of a page) when `source` was hard-linked from the live
        site: its bytes did not change, so neither did theirs. False: `rel` must be made."""
        refuse_outside(source)
        target = self._target(rel)
        staged, live = f"{self.path}/{source}", f"{self.output}/{rel}"
        if not _same_inode(staged, f"{self.output}/{source}") or os.path.islink(live):
            return False
        if self.reused and _same_inode(target, live):
            self.stats.derived += 1  # the previous site links it already
            return True
        try:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(target)
            os.link(live, target)
        except OSError:
            return False  # not there yet (option just turned on) or no hard links: make it
        self.stats.derived += 1
        return True

    def write_derived(self, source: str, rel: str, make: Callable[[bytes], bytes]) -> None:
        """Write `make(bytes of source)` as `rel`; safe in a worker process, which cannot
        count it: the caller passes what its workers made to `derived`."""
        refuse_outside(source)
        target = self._target(rel)
        try:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(target)  # never write through a link into another tree
            with open(f"{self.path}/{source}", "rb") as handle:
                data = make(handle.read())
            write_new(target, data)
        except OSError as exc:
            raise disk_error(rel, exc) from None

    def derived(self, made: list[str]) -> None:
        """Count files `write_derived` made (in this process or in workers)."""
        self.stats.derived += len(made)
        self.written.extend(made)

    def kept_derived(self, source: str, rel: str, written: set[str]) -> bool:
        """Whether `rel` (made from `source`) is current already: in a reused previous site
        every file equals the live one except those this build `written`."""
        if not self.reused or source in written or not os.path.isfile(f"{self.path}/{rel}"):
            return False
        self.stats.derived += 1
        return True

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
        """Make the staged site the live one in a single step (by renames where none exists).

        Given the new site's `files`, the replaced site is kept as the previous one and
        the list of what it lacks to equal the live site is returned: the files written,
        and those of the `replaced` site (found on disk if not given) no longer there.
        """
        first = not os.path.lexists(self.output)
        try:
            if first:
                rename(self.path, self.output, durable=False)
            else:
                swap(self.path, self.output)  # self.path now holds the replaced site
        except OSError as exc:
            raise failure(self.output, exc) from None
        previous = self.output.parent / PREVIOUS_NAME
        if first:
            if files is not None:  # the next build starts from a linked copy of this one
                try:
                    _link_tree(self.output, previous)
                except OSError:  # no hard links here (FAT, some shares): a partial copy
                    remove(previous)  # would be taken for whole by the next build
            return []
        if files is None:
            remove(self.path)  # the previous site, now beside output/
            return []
        try:
            if self.path != previous:
                rename(self.path, previous, durable=False)
        except OSError:
            remove(self.path)  # no previous site to reuse: the next build links afresh
            return []
        gone = (replaced if replaced is not None else files_below(previous)) - files
        return self.written + sorted(gone)

    def discard(self) -> None:
        remove(self.path)


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


def _same_inode(a: str | Path, b: str | Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _remove_leftovers(folder: Path) -> None:
    """Staging folders of builds that were killed (we hold the lock: none is running)."""
    for leftover in sorted(folder.glob(f"{STAGING_PREFIX}*")):
        remove(leftover)
