"""The preview's two copies of the site: changed files go to the spare, then it is swapped in.

Rebuilds after an edit touch a few files; writing only those keeps output/ whole and fast.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path

from litfass.atomic import Data, link_or_copy, link_whole, write_whole
from litfass.digests import digest
from litfass.write.disk import STAGING_PREFIX, disk_error, inside
from litfass.write.swap import failure, swap

SPARE_SUFFIX = "-spare"


class Mirror:
    """Two copies of the site for rebuilds that touch a few files, swapped in atomically.

    output/ is the live copy and a spare one sits beside it (sharing unchanged files as hard
    links). A rebuild brings the spare up to date by replacing only the files that differ,
    never writing into a shared file, then swaps the two folders as a build does (swap.py).
    So output/ stays a complete site without linking thousands of files per edit. `live`
    maps each path to a digest of its bytes.
    """

    def __init__(self, output: Path, live: dict[str, bytes]) -> None:
        """Start from a live output/ whose files have the digests in `live`."""
        self.output = output
        self.spare = output.parent / f"{STAGING_PREFIX}{os.getpid()}{SPARE_SUFFIX}"
        self.live = dict(live)
        shutil.rmtree(self.spare, ignore_errors=True)
        self.spare.mkdir()
        for rel in live:  # the one-off cost: a full set of hard links
            target = inside(self.spare, rel)
            target.parent.mkdir(parents=True, exist_ok=True)
            link_or_copy(self.output / rel, target)
        self.behind: set[str] = set()  # paths where the spare is older than output/
        self._folders = self._identity()

    def intact(self) -> bool:
        """Whether both copies are still the ones written here (no other build swapped)."""
        return self._folders == self._identity()

    def commit(self, changed: Mapping[str, Data], removed: set[str]) -> int:
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
                self._replace(
                    rel, lambda target, rel=rel: write_whole(target, changed[rel], durable=False)
                )
                written += 1
            else:  # unchanged now, but the spare still has an older version: share the live one
                self._replace(rel, lambda target, rel=rel: link_whole(self.output / rel, target))
        try:
            swap(self.spare, self.output)
        except OSError as exc:
            raise failure(self.output, exc) from None
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
        target = inside(self.spare, rel)
        _make_folder(target.parent)
        try:
            fill(target)
        except OSError as exc:
            raise disk_error(rel, exc) from None

    def _remove(self, rel: str) -> None:
        target = inside(self.spare, rel)
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
