"""Two ways a rebuild's files reach output/, both atomic: a complete new site swapped in once
(the one-shot build), or only the changed files, through the spare copy (the preview).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from litfass.config import Config
from litfass.errors import LitfassError
from litfass.folders import COMPRESSED_SUFFIXES
from litfass.outputs import Output
from litfass.write import search
from litfass.write.compress import COMPRESSIBLE, compressed, compressible, precompress
from litfass.write.disk import Data, digest, files_below, size_of
from litfass.write.lock import build_lock
from litfass.write.mirror import Mirror
from litfass.write.staging import Staging, WriteStats

SUFFIXES = COMPRESSED_SUFFIXES  # what compress.py puts beside a text file
# What a worker staged: counts, files written, and each page's digest and search mark.
Staged = tuple[WriteStats, list[str], dict[str, tuple[bytes, bool]]]


@dataclass(frozen=True)
class Written:
    """What a commit did to output/."""

    written: int  # files whose bytes changed
    unchanged: int  # files kept as they were
    removed: tuple[str, ...]  # files no longer part of the site


class Restart(Exception):
    """output/ is not what this writer left (another build swapped it): make every file."""


class StagedWriter:
    """Stages the whole site beside output/ and swaps it in, search index and compressed
    files included; the site it replaced is kept as `.litfass-previous/` and only caught
    up by the next build. The caller holds the build lock."""

    def __init__(self, keep_previous: bool) -> None:
        self.keep_previous = keep_previous  # with the cache: the next build starts from it
        self.previous: list[str] | None = None  # what the kept site lacks to equal output/
        self.digests: dict[str, bytes] = {}  # each HTML file's digest: the search index's
        self.marked: set[str] = set()  # HTML files with an element for Pagefind to index
        self.precompressed = False  # whether the previous site has every .gz and .br
        self.paths: set[str] = set()  # files of the last commit
        self.staging: Staging | None = None
        self.workers = 1  # compression runs over as many processes as the build

    def begin(
        self, config: Config, outputs: Sequence[Output], due: set[str], workers: int = 1
    ) -> list[Output]:
        """Start a new site from the live one; return the outputs to make besides `due`."""
        self.workers = workers
        paths = {output.path for output in outputs}
        # The kept site can be brought up to date only if it has the very same files.
        reuse = self.previous if paths == self.paths else None
        self.staging = staging = Staging(config.output_path, reuse=reuse)
        self.config = config
        return [o for o in outputs if o.path not in due and not staging.keep(o.path)]

    def kept(self) -> dict[str, object]:
        """What the next build's writer needs to know of output/ (kept in the store)."""
        return {
            name: getattr(self, name)
            for name in ("previous", "digests", "marked", "precompressed", "paths")
        }

    def stage(self, files: list[tuple[str, Data]]) -> Staged:
        """Write rendered files into the staging folder, in a worker process or here; return
        what `take` adds up in this process (a worker's counts die with it)."""
        staging = self.staging
        assert staging is not None
        counted, mark = staging.stats, len(staging.written)
        staging.stats = WriteStats()
        pages = {}
        try:
            for path, data in files:
                staging.put(path, data)
                if path.endswith(".html") and isinstance(data, bytes):  # a page it rendered
                    pages[path] = (digest(data), search.is_marked(data))
            return staging.stats, staging.written[mark:], pages
        finally:
            staging.stats = counted
            del staging.written[mark:]

    def take(self, staged: Staged) -> None:
        """Count files a `stage` call wrote (see there)."""
        assert self.staging is not None
        stats, written, pages = staged
        self.staging.stats.written += stats.written
        self.staging.stats.unchanged += stats.unchanged
        self.staging.written.extend(written)
        for path, (page_digest, marked) in pages.items():
            self.digests[path] = page_digest
            if marked:
                self.marked.add(path)
            else:
                self.marked.discard(path)

    def commit(self, outputs: Sequence[Output]) -> Written:
        assert self.staging is not None
        staging, config = self.staging, self.config
        files = {output.path for output in outputs}
        self.digests = {p: d for p, d in self.digests.items() if p in files}
        self.marked &= files
        try:
            self._index_and_compress(config, staging)
            if self.keep_previous:
                replaced = self.paths if files == self.paths else None
                self.previous = staging.commit(files, replaced=replaced)
            else:
                staging.commit()
        except BaseException:
            self.discard()
            raise
        removed = tuple(sorted(self.paths - files))
        self.paths, self.staging = files, None
        return Written(staging.stats.written, staging.stats.unchanged, removed)

    def _index_and_compress(self, config: Config, staging: Staging) -> None:
        """What is made from the staged pages: the search index, then compressed copies."""
        if config.search:
            parts = search.parts(self.digests, self.marked)
            files = search.index_files(config.root, staging.path, parts, self.workers)
            staging.adopt(files, search.FOLDER)
        # After the search index, so that its script and data are compressed too.
        if config.precompress:
            precompress(staging, self.workers, only_written=self.precompressed)
        self.precompressed = config.precompress

    def discard(self) -> None:
        if self.staging is not None:
            self.staging.discard()
            self.staging = None

    def finish_extras(self) -> bool:
        return False  # made before every swap

    def close(self) -> None:
        """Nothing to clean up: the kept site serves the next build."""


@dataclass
class _WholeSite:
    """A whole site being staged as its files are rendered (the preview's first rebuild):
    no rendered file waits in memory for the others. The build lock is held till commit."""

    lock: contextlib.ExitStack
    staging: Staging
    before: set[str]  # the files of output/ when it began
    live: dict[str, bytes] = field(default_factory=dict)  # each file staged, by its digest
    marked: set[str] = field(default_factory=set)  # pages with an element for Pagefind


class MirrorWriter:
    """Writes only files whose bytes changed into the spare copy beside output/ and swaps it
    in; the search index and `.gz`/`.br` files follow in `finish_extras`, when the editor
    pauses. The first rebuild stages a whole site as it renders, and swaps it in."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.mirror: Mirror | None = None
        self.extras: set[str] = set()  # files in output/ no output makes: search index, .gz
        self.search_stale = False
        self.uncompressed: set[str] = set()  # changed text files whose .gz/.br are still due
        self.made: dict[str, Data] = {}
        self.paths: list[str] = []  # of the outputs last committed, in order
        self.workers = 1
        self.marked: set[str] = set()  # HTML files with an element for Pagefind to index
        self.whole: _WholeSite | None = None

    def begin(
        self, config: Config, outputs: Sequence[Output], due: set[str], workers: int = 1
    ) -> list[Output]:
        self.config, self.made, self.workers = config, {}, workers
        if self.mirror is None:  # nothing to compare with: every file is written
            self.whole = _whole_site(self.root, config)
        return []

    def stage(self, files: list[tuple[str, Data]]) -> Staged | list[tuple[str, Data]]:
        """Rendered files are written at `commit`, when it is known which changed; in a
        whole site they are staged now (in a worker or here), and only their digests kept."""
        whole = self.whole
        if whole is None:
            return files
        staging = whole.staging
        counted, staging.stats = staging.stats, WriteStats()
        try:
            for rel, data in files:
                staging.put(rel, data)
            notes = {rel: (digest(data), _marked_page(rel, data)) for rel, data in files}
            return staging.stats, [], notes
        finally:
            staging.stats = counted

    def take(self, staged: Staged | list[tuple[str, Data]]) -> None:
        whole = self.whole
        if whole is None:
            assert isinstance(staged, list)
            self.made.update(staged)
            return
        assert isinstance(staged, tuple)
        stats, _written, notes = staged
        whole.staging.stats.written += stats.written
        whole.staging.stats.unchanged += stats.unchanged
        for rel, (file_digest, marked) in notes.items():
            whole.live[rel] = file_digest
            if marked:
                whole.marked.add(rel)

    def commit(self, outputs: Sequence[Output]) -> Written:
        made, config = self.made, self.config
        self.made = {}
        paths = [output.path for output in outputs]
        if self.whole is not None:
            written = self._commit_whole(self.whole, config, len(outputs))
            self.paths = paths
            return written
        with build_lock(self.root):
            if self.mirror is not None and self.mirror.intact():
                gone: set[str] = set()
                if paths != self.paths:  # else no file can be gone: the usual edit
                    gone = set(self.mirror.live) - set(paths) - self.extras
                written = self._write_changes(self.mirror, made, gone, len(outputs))
            elif len(made) < len(outputs):
                self.close()  # another build replaced output/ (or removed the spare)
                raise Restart
            else:
                written = self._write_all(config, made)
        self.paths = paths
        return written

    def discard(self) -> None:
        self.made = {}
        whole, self.whole = self.whole, None
        if whole is not None:
            with whole.lock:
                whole.staging.discard()

    def _write_changes(
        self, mirror: Mirror, made: dict[str, Data], removed: set[str], files: int
    ) -> Written:
        """Only files whose bytes differ are written; `removed` are outputs no longer declared."""
        changed = {rel: data for rel, data in made.items() if mirror.live.get(rel) != digest(data)}
        if any(rel.endswith(".html") for rel in (*changed, *removed)):
            self.search_stale = True
        self.marked -= removed | changed.keys()
        self.marked |= {rel for rel, data in changed.items() if _marked_page(rel, data)}
        # A .gz or .br of a file that changed would be stale: gone now, made by finish_extras.
        stale = {rel + suffix for rel in (*changed, *removed) for suffix in SUFFIXES}
        stale &= self.extras
        removed |= stale
        self.extras -= stale
        self.uncompressed |= {
            rel for rel, data in changed.items() if compressible(rel, size_of(data))
        }
        self.uncompressed -= removed
        if changed or removed:
            try:
                mirror.commit(changed, removed)
            except (OSError, LitfassError):
                self.close()
                raise
        return Written(len(changed), files - len(changed), tuple(sorted(removed)))

    def _write_all(self, config: Config, made: dict[str, Data]) -> Written:
        """Write a whole site through Staging (output/ is not the spare copy's any more)."""
        self.whole = whole = _whole_site(self.root, config)
        self.take(self.stage(sorted(made.items())))
        return self._commit_whole(whole, config, len(made))

    def _commit_whole(self, whole: _WholeSite, config: Config, files: int) -> Written:
        """Swap in the staged site with its search index and compressed files, then keep a
        spare copy for the next rebuilds."""
        self.whole = None
        staging, live = whole.staging, whole.live
        with whole.lock:
            if len(live) < files:  # not every file was made: start again from scratch
                staging.discard()
                self.close()
                raise Restart
            try:
                if config.search:
                    parts = search.parts(_pages(live), whole.marked)
                    index = search.index_files(config.root, staging.path, parts, self.workers)
                    staging.adopt(index, search.FOLDER)
                if config.precompress:  # as a build does: after the index, so it is compressed
                    precompress(staging, self.workers)
                staging.commit()
            except BaseException:
                staging.discard()
                raise
            # What no output makes (the search index, .gz and .br) is kept up by finish_extras.
            self.extras = files_below(config.output_path) - live.keys()
        for rel in self.extras:
            live[rel] = digest(config.output_path / rel)
        self.mirror = Mirror(config.output_path, live)
        self.marked = whole.marked
        self.search_stale, self.uncompressed = False, set()
        removed = tuple(sorted(whole.before - set(live)))
        return Written(staging.stats.written, staging.stats.unchanged, removed)

    def finish_extras(self) -> bool:
        """Make what a rebuild left for later: the search index, .gz and .br files.

        Pagefind and brotli take seconds on a large site, so the rebuild loop calls this only
        once the editor pauses; True if it changed output/.
        """
        mirror = self.mirror
        if mirror is None or not (self.search_stale or self.uncompressed):
            return False
        config = self.config
        with build_lock(self.root):
            if not mirror.intact():
                return False
            changed: dict[str, bytes] = {}
            removed: set[str] = set()
            if self.search_stale:
                changed, removed = self._search_index(config, mirror)
            # Only files whose bytes differ from the live ones: an index part that did not
            # change is neither written nor compressed again.
            changed = {r: d for r, d in changed.items() if mirror.live.get(r) != digest(d)}
            if config.precompress:
                changed.update(self._compressed(config, changed))
                removed |= {rel + suffix for rel in removed for suffix in SUFFIXES} & self.extras
            if changed or removed:
                mirror.commit(changed, removed)
        self.extras = (self.extras | changed.keys()) - removed
        self.search_stale, self.uncompressed = False, set()
        return bool(changed or removed)

    def _compressed(self, config: Config, changed: dict[str, bytes]) -> dict[str, bytes]:
        """The .gz and .br of every text file changed since they were last made."""
        pending = sorted(self.uncompressed | {r for r in changed if r.endswith(COMPRESSIBLE)})
        files = [changed.get(rel) or (config.output_path / rel).read_bytes() for rel in pending]
        made = compressed(files, self.workers)
        return {
            rel + suffix: data
            for rel, one in zip(pending, made, strict=True)
            for suffix, data in one.items()
        }

    def _search_index(self, config: Config, mirror: Mirror) -> tuple[dict[str, bytes], set[str]]:
        """The files of an up-to-date search index, and those of the old one to remove."""
        parts = search.parts(_pages(mirror.live), self.marked)
        files = search.index_files(config.root, config.output_path, parts, self.workers)
        index = {rel: Path(path).read_bytes() for rel, path in files.items()}
        old = {rel for rel in self.extras if rel.startswith(search.FOLDER + "/")}
        return index, {rel for rel in old - index.keys() if not rel.endswith(SUFFIXES)}

    def close(self) -> None:
        """Remove the spare copy of the site (when serving stops)."""
        if self.mirror is not None:
            self.mirror.discard()
            self.mirror = None


def _pages(digests: dict[str, bytes]) -> dict[str, bytes]:
    """The HTML files among these, with their digests: what the search index is made of."""
    return {rel: d for rel, d in digests.items() if rel.endswith(".html")}


def _marked_page(rel: str, data: Data) -> bool:
    # A copied file (a trusted site's own .html in content/) is no page litfass made.
    return rel.endswith(".html") and isinstance(data, bytes) and search.is_marked(data)


def _whole_site(root: Path, config: Config) -> _WholeSite:
    """Begin staging a whole site, under the build lock (kept until it is committed)."""
    lock = contextlib.ExitStack()
    lock.enter_context(build_lock(root))
    try:
        before = files_below(config.output_path)
        return _WholeSite(lock, Staging(config.output_path), before)
    except BaseException:
        lock.close()
        raise
