"""Watch the site's folders with watchdog and hand over what changed in settled batches.

Editors save in bursts (a temp file, a rename, a write, a backup removed): events are collected
until the folders have been quiet for a moment, and editor temp files never count.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from litfass.folders import RECORD_NAME

if TYPE_CHECKING:  # watchdog is imported where used: every command line start would pay for it
    from watchdog.events import FileSystemEvent, FileSystemEventHandler

QUIET = 0.02  # seconds without events that end a burst: an editor's save takes a few ms
LONGEST = 1.0  # a burst that never settles is still rebuilt after this long
VANISHED = 0.25  # a file that is gone may be mid-save (renamed away, written anew): wait more
CLOSED = 0.005  # the last event closed a file just written: the save is complete
# A file still open for writing (a large photo being copied in) is waited for this long at
# most: read half-written, it would be reported as broken or empty, a false alarm.
WRITING = 120.0
# An open file not written to for this long counts as complete (a close that was never seen).
STALLED = 10.0
# Events that change nothing; reading files (as every rebuild does) must not start another one.
_NO_CHANGE = {"opened", "closed_no_write"}
# Names editors use for temp, lock, swap and backup files.
_TEMPORARY = re.compile(
    r"""^(?:
        \..*                         # hidden: .x.md.swp (vim), .#x.md (emacs), .goutputstream-*
      | .*~                          # backups: x.md~
      | \#.*\#                       # emacs autosave: #x.md#
      | ~\$.*                        # office lock files
      | \d+                          # vim's write test file 4913
      | .*\.(?:swp|swx|swo|tmp|part|crdownload|kate-swp|bak)
      | .*___jb_(?:tmp|old)___       # JetBrains safe write
      | .*\.litfass-tmp
    )$""",
    re.VERBOSE,
)


def is_temporary(name: str) -> bool:
    """Whether a file name is an editor's temp, swap, lock or backup file."""
    return bool(_TEMPORARY.match(name))


class Watcher:
    """Collects changes below the site's content and template folders and to config.yaml."""

    def __init__(
        self,
        config_file: Path,
        folders: Iterable[Path],
        quiet: float = QUIET,
        longest: float = LONGEST,
    ) -> None:
        from watchdog.observers import Observer

        self.config_file = config_file.absolute()
        self.root = self.config_file.parent
        self.folders = tuple(f.absolute() for f in folders)
        self.quiet, self.longest = quiet, longest
        self._pending: dict[Path, bool] = {}  # path -> whether it was new in this burst
        self._writing: set[Path] = set()  # files written to and not yet closed
        self._last = 0.0  # time of the last event that counted
        self._closed = False  # whether that event was a file closed after writing
        self._ready = threading.Condition()
        self._stopped = False
        self._observer = Observer()
        # Only inotify (Linux) says when a file is closed; elsewhere an open file looks idle.
        self._sees_closing = type(self._observer).__name__ == "InotifyObserver"
        self.watched: tuple[Path, ...] = ()  # the folders that existed when watching started

    @property
    def stale(self) -> bool:
        """A folder to watch was made or removed since (a new site's first templates/)."""
        return any((f in self.watched) != f.is_dir() for f in self.folders)

    def start(self) -> None:
        handler = _handler(self)
        self._observer.schedule(handler, str(self.root), recursive=False)  # config.yaml
        self.watched = tuple(f for f in self.folders if f.is_dir())
        for folder in self.watched:
            self._observer.schedule(handler, str(folder), recursive=True)
        self._observer.start()

    def stop(self) -> None:
        with self._ready:
            self._stopped = True
            self._ready.notify_all()
        self._observer.stop()
        self._observer.join(timeout=5)

    def changes(self, timeout: float | None = None) -> set[Path] | None:
        """Wait for a burst of changes to settle and return the paths; None on timeout or stop."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._ready:
            while not self._pending:
                left = None if deadline is None else deadline - time.monotonic()
                if self._stopped or (left is not None and left <= 0):
                    return None
                self._ready.wait(left)
            first = time.monotonic()
            while not self._stopped:
                wait = self._settling(first)
                if wait <= 0:
                    break
                self._ready.wait(wait)
            batch, self._pending = self._pending, {}
            # A file made and gone within one burst was some program's temp file (sed -i).
            return {path for path, new in batch.items() if not new or path.exists()} or None

    def _settling(self, first: float) -> float:
        """How much longer the burst that began at `first` is waited for (<= 0: it is over)."""
        # A longer --debounce (a slow network drive) is kept even after complete writes.
        quiet = CLOSED if self._closed and self.quiet <= QUIET else self.quiet
        if any(not new and not p.exists() for p, new in self._pending.items()):
            quiet = max(quiet, VANISHED)
        if any(_is_empty(p) for p in self._pending):
            quiet = max(quiet, VANISHED)  # truncated to be written anew, or a copy begun
        now = time.monotonic()
        if any(p in self._writing and _written_lately(p) for p in self._pending):
            # A copy under way: read now, it would look broken. Looked at again each second.
            return min(first + WRITING - now, 1.0)
        return min(self._last + quiet, first + self.longest) - now

    def busy(self) -> bool:
        """Whether files changed since the last batch was handed over."""
        with self._ready:
            return bool(self._pending)

    def note(
        self,
        path: Path,
        folder: bool = False,
        created: bool = False,
        closed: bool = False,
        writing: bool = False,
    ) -> None:
        """Count a changed path, unless it is not part of the site or a temp file.

        `writing`: the file was written to (and is open until a `closed` event says so).
        """
        if not self._relevant(path, folder):
            return
        with self._ready:
            self._pending.setdefault(path, created)
            self._last = time.monotonic()
            self._closed = closed
            if writing and self._sees_closing:
                self._writing.add(path)
            else:
                self._writing.discard(path)
            self._ready.notify_all()

    def _relevant(self, path: Path, folder: bool) -> bool:
        if path.parent == self.root:  # config.yaml, or a watched folder made or removed
            # The address record too: a `git pull` may bring the redirects of others' renames.
            files = (self.config_file, self.root / RECORD_NAME)
            return path in files or (folder and path in self.folders)
        for watched in self.folders:
            if path.is_relative_to(watched):
                parts = path.relative_to(watched).parts
                if not parts or any(part.startswith(".") for part in parts):
                    return False  # litfass skips hidden files and folders
                return folder or not is_temporary(parts[-1])  # a folder may be called 2019
        return False


def _written_lately(path: Path) -> bool:
    try:
        return time.time() - path.stat().st_mtime < STALLED
    except OSError:  # gone: nothing to wait for
        return False


def _is_empty(path: Path) -> bool:
    try:
        return path.is_file() and path.stat().st_size == 0
    except OSError:
        return False


def _handler(watcher: Watcher) -> FileSystemEventHandler:
    """A watchdog event handler that hands each changed path to `watcher`."""
    from watchdog.events import FileSystemEventHandler

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event: FileSystemEvent) -> None:
            if event.event_type in _NO_CHANGE:
                return
            if event.is_directory and event.event_type == "modified":
                return  # a folder's listing changed: the file's own event says which file
            created, closed = event.event_type == "created", event.event_type == "closed"
            # Events watchdog makes up for a folder moved in are no writes.
            written = event.event_type in ("created", "modified") and not event.is_directory
            writing = written and not getattr(event, "is_synthetic", False)
            for raw, new in ((event.src_path, created), (getattr(event, "dest_path", ""), False)):
                if raw:
                    path = raw.decode() if isinstance(raw, bytes) else raw
                    watcher.note(Path(path), event.is_directory, new, closed, writing)

    return Handler()
