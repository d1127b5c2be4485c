"""A long-lived builder for `serve` and `watch`: after an edit, redo only what it affects.

Each file's page is kept between rebuilds; each output remembers what it read from the site
(`tracking.py`) and is rendered again only when some of that is different now, never by guess.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from litfass.config import Config, load_config
from litfass.content import images
from litfass.content.frontmatter import Source
from litfass.content.model import Page
from litfass.content.pages import ContentFiles, find_files, read_page
from litfass.engine.oneshot import _with_body, content_urls
from litfass.engine.records import (
    Compare,
    Ledger,
    Record,
    TemplateSet,
    TrackedSite,
    record_of,
    tracked_output,
)
from litfass.errors import LitfassError, Problem
from litfass.folders import CONFIG_NAME
from litfass.outputs import Output
from litfass.outputs.declare import declare, path_problems
from litfass.outputs.theme import theme_files
from litfass.render.templates import environment, render_output
from litfass.reuse import Reuse
from litfass.site import BuildOptions, Site, assemble, id_problems, reassemble, url_problems
from litfass.write import search
from litfass.write.compress import COMPRESSIBLE, encoders, precompress
from litfass.write.lock import build_lock
from litfass.write.mirror import Mirror, digest
from litfass.write.staging import Staging


@dataclass(frozen=True)
class RebuildResult:
    """What one rebuild did, for the line the command prints."""

    site: Site
    rendered: int  # outputs rendered again
    written: int  # files in output/ whose bytes changed
    removed: tuple[str, ...]  # files no longer part of the site
    warnings: tuple[Problem, ...]
    seconds: float


@dataclass
class _Item:
    """One Markdown file as last read: its page without body, then with body."""

    signature: tuple[int, int, int]
    source: Source | None = None
    page: Page | None = None
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    final: Page | None = None  # with body; None until rendered against the current URLs
    body_warnings: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class _Changes:
    """What a batch of changed paths means for the rebuild."""

    config: bool = False
    templates: bool = False
    rescan: bool = False  # files may have been added or removed: list content/ again
    content: tuple[Path, ...] = ()


class Builder:
    """Rebuilds one site again and again, keeping per-file state in between."""

    def __init__(self, root: Path, options: Callable[[], BuildOptions]) -> None:
        self.root = root
        self.options = options  # called per rebuild: the clock moves on while serving
        self.config: Config | None = None
        self.config_warnings: list[Problem] = []
        self._reset_content()
        self.ledger = Ledger()
        self.reuse = Reuse()
        self.paths: list[str] = []  # of the outputs last written
        self.mirror: Mirror | None = None
        self.extras: set[str] = set()  # files in output/ no output makes: search index, .gz
        self.search_stale = False
        self.uncompressed: set[str] = set()  # changed text files whose .gz/.br are still due

    # -- the rebuild, top to bottom -------------------------------------------------------

    def rebuild(self, changed: Collection[Path] | None = None) -> RebuildResult:
        """Bring output/ up to date after `changed` paths (None: anything may have changed).

        Raises LitfassError with every problem; output/ then keeps the last good site.
        """
        started = time.perf_counter()
        collecting = gc.isenabled()
        gc.disable()  # a full collection over the kept pages would cost more than the edit
        try:
            return self._rebuild(changed, started)
        finally:
            if collecting:
                gc.enable()

    def _rebuild(self, changed: Collection[Path] | None, started: float) -> RebuildResult:
        changes = self._sort(changed)
        if self.config is None or changes.config:
            self._load_config()
        config = self.config
        assert config is not None
        if changes.templates or self.env is None:
            self._load_templates(config)
        self._update_content(config, changes)
        good, warnings = self._pages(config)
        site = self._assemble(config, good)
        rendered, written, removed = self._render_and_write(config, site)
        if rendered == len(self.ledger.records):
            gc.freeze()  # after a full build: the collector need not walk the kept site again
        return RebuildResult(
            site=site,
            rendered=rendered,
            written=written,
            removed=removed,
            warnings=tuple(sorted(warnings)),
            seconds=time.perf_counter() - started,
        )

    def close(self) -> None:
        """Remove the spare copy of the site (when serving stops)."""
        if self.mirror is not None:
            self.mirror.discard()
            self.mirror = None

    # -- what changed ---------------------------------------------------------------------

    def _sort(self, changed: Collection[Path] | None) -> _Changes:
        if changed is None or self.config is None:
            return _Changes(config=True, templates=True, rescan=True)
        config = self.config
        templates = config.templates_path.absolute()
        content = config.content_path.absolute()
        flags = {"config": False, "templates": False, "rescan": False}
        paths = []
        for path in (Path(p).absolute() for p in changed):
            if path == (self.root / CONFIG_NAME).absolute():
                flags["config"] = True
            elif path.is_relative_to(templates):
                flags["templates"] = True
            elif path.is_relative_to(content):
                rel = path.relative_to(content).as_posix()
                known = rel in self.items or rel in self.assets
                if not known or not path.is_file():
                    flags["rescan"] = True  # added, removed or a folder: list files again
                paths.append(path)
        return _Changes(content=tuple(paths), **flags)

    # -- config and templates -------------------------------------------------------------

    def _load_config(self) -> None:
        self.config = None  # until it loads: a broken config.yaml is read again next time
        config, self.config_warnings = load_config(self.root)
        self.config = config
        self._reset_content()
        self.ledger = Ledger()  # every output is made again; unchanged bytes are not rewritten
        self.env = None

    def _reset_content(self) -> None:
        self.items: dict[str, _Item] = {}
        self.files: ContentFiles | None = None
        self.assets: set[str] = set()
        self.file_problems: list[Problem] = []
        self.urls: dict[str, str] = {}
        self.pictures: dict[str, images.Picture] | None = None
        self.assets_changed = False
        self.addresses_changed = False  # some page's address, alias or id may be new
        self.site_pages: dict[str, Page] = {}  # the pages self.site was made of, by file
        self.touched: set[str] = set()  # files whose page is new since then
        self.without_body: set[str] = set()  # files read again, their body not rendered yet
        self.restructured = True  # files came or went since then
        self.address_problems: list[Problem] = []
        self.site: Site | None = None
        self.env: jinja2.Environment | None = None

    def _load_templates(self, config: Config) -> None:
        self.env = None
        self.reuse = Reuse()  # what was declared may depend on the translation table
        theme = theme_files(config)
        env, _ = environment(config, theme)
        self.templates = TemplateSet(env, config, tuple((f.rel, f.fingerprinted) for f in theme))
        self.theme = theme
        self.env = env

    # -- content --------------------------------------------------------------------------

    def _update_content(self, config: Config, changes: _Changes) -> None:
        fresh = set()
        if changes.rescan or self.files is None:
            self.assets_changed = True
            self.files, self.file_problems = find_files(config)
            self.restructured = True
            self.assets = {rel for _, rel in self.files.assets}
            known = {rel for _, rel in self.files.markdown}
            for rel in set(self.items) - known:
                del self.items[rel]
            for path, rel in self.files.markdown:
                item = self.items.get(rel)
                if item is None or item.signature != _signature(path):
                    self._read(config, path, rel)
                    fresh.add(rel)
            # In the files' order, which is the order of the site's pages.
            self.items = {rel: self.items[rel] for _, rel in self.files.markdown}
        content = config.content_path.absolute()
        for path in changes.content:  # re-read even if size and time look the same
            rel = path.relative_to(content).as_posix()
            if rel in self.items and rel not in fresh and path.is_file():
                self._read(config, path, rel)
            elif rel in self.assets:
                self.assets_changed = True  # an image may have new sizes

    def _read(self, config: Config, path: Path, rel: str) -> None:
        old = self.items.get(rel)
        item = _Item(_signature(path))
        try:
            item.source, item.page, item.warnings = read_page(config, path, rel)
        except LitfassError as exc:
            item.errors = [p for p in exc.problems if p.severity == "error"]
            item.warnings = [p for p in exc.problems if p.severity != "error"]
        if old is not None and old.source is not None and old.source == item.source:
            old.signature = item.signature  # same text saved again: nothing to redo
            return
        # Addresses and ids depend on these alone: an edit to a text keeps them as they were.
        if old is None or _address(old) != _address(item):
            self.addresses_changed = True
        self.items[rel] = item
        self.touched.add(rel)
        self.without_body.add(rel)

    def _pages(self, config: Config) -> tuple[list[_Item], list[Problem]]:
        """Every file with its page and body (bodies redone only where the file or its links
        changed), and the warnings; raises with every error."""
        assert self.files is not None
        items = list(self.items.values())  # in the order of self.files.markdown
        problems = [p for p in self.file_problems if p.severity == "error"]
        problems += [p for item in items for p in item.errors]
        warnings = [
            *self.config_warnings,
            *(p for p in self.file_problems if p.severity != "error"),
            *(p for item in items for p in item.warnings),
        ]
        good = [i for i in items if i.page is not None and not i.errors]
        if self.addresses_changed or self.assets_changed:
            pages: list[Page] = [i.page for i in good]  # type: ignore[misc]
            clashes = url_problems(pages)
            # Ids default to addresses: an address clash is already one message, not two.
            taken = {c.path for c in clashes}
            ids = [p for p in id_problems(config, pages) if p.path not in taken]
            self.address_problems = clashes + ids
            urls = content_urls(config, self.files, pages, [i.source for i in good])  # type: ignore[misc]
        else:
            urls = self.urls
        problems.extend(self.address_problems)
        moved: set[str] = set()
        if urls is not self.urls:
            moved = set(urls.keys() ^ self.urls.keys())
            moved |= {rel for rel in urls.keys() & self.urls.keys() if urls[rel] != self.urls[rel]}
        pictures = self.pictures
        if moved or self.assets_changed or pictures is None:
            pictures = images.plan(config.root, config.content_dir, self.files.assets, urls)
        every_body = pictures != self.pictures  # image sizes are written into bodies
        self.urls, self.pictures = urls, pictures
        self.assets_changed = self.addresses_changed = False
        # Bodies are redone for files read again, or all where links or image sizes may differ.
        again = self.items.keys() if every_body or moved else self.items.keys() & self.without_body
        for rel in again:
            item = self.items[rel]
            if item.page is None or item.errors:
                continue  # not in `good`
            if item.final is None or every_body or _links_into(item.source, moved):  # type: ignore[arg-type]
                self.touched.add(rel)
                self.without_body.discard(rel)
                item.body_warnings = []
                item.final = _with_body(
                    config,
                    item.source,  # type: ignore[arg-type]
                    item.page,  # type: ignore[arg-type]
                    urls,
                    pictures,
                    item.body_warnings,
                )
        warnings += [p for item in good for p in item.body_warnings]
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            raise LitfassError(errors + warnings)
        return good, warnings

    def _assemble(self, config: Config, good: list[_Item]) -> Site:
        """The site of these pages: the last one with edited pages swapped in, if it can be."""
        options, swaps = self.options(), self._swaps()
        site = None
        if swaps is not None and self.site is not None:
            site = reassemble(self.site, swaps, options, self.urls, self.pictures)
        if site is None:
            pages = [i.final for i in good]
            site = assemble(config, pages, options, self.urls, self.pictures, previous=self.site)  # type: ignore[arg-type]
            self.site_pages = {
                rel: i.final for rel, i in self.items.items() if i.final and not i.errors
            }  # type: ignore[misc]
        else:
            self.site_pages.update((rel, self.items[rel].final) for rel in self.touched)  # type: ignore[misc]
        self.site, self.touched, self.restructured = site, set(), False
        return site

    def _swaps(self) -> list[tuple[Page, Page]] | None:
        """(page in the last site, page now) for each edited file; None if files came or went."""
        if self.restructured or len(self.touched) > MOST_SWAPS:
            return None
        swaps = []
        for rel in self.touched:
            item, old = self.items.get(rel), self.site_pages.get(rel)
            if item is None or item.final is None or item.errors or old is None:
                return None
            if item.final is not old:
                swaps.append((old, item.final))
        return swaps

    # -- outputs --------------------------------------------------------------------------

    def _render_and_write(self, config: Config, site: Site) -> tuple[int, int, tuple[str, ...]]:
        try:
            return self._render_and_write_once(config, site)
        except _Restart:  # the spare copy is gone: make and write every file once more
            return self._render_and_write_once(config, site)

    def _render_and_write_once(
        self, config: Config, site: Site
    ) -> tuple[int, int, tuple[str, ...]]:
        tracked = TrackedSite(site)
        with tracked.untracked():
            outputs = declare(tracked, self.theme, self.reuse)  # type: ignore[arg-type]
        paths = [output.path for output in outputs]
        same_files = paths == self.paths  # as last written: none can clash, none is gone
        if not same_files:
            clashes = path_problems(outputs, config)
            if clashes:
                raise LitfassError(clashes)
        compare = Compare(site)
        ledger = self.ledger
        stale, updates = ledger.stale(compare)
        records: dict[str, Record] = {}
        made: dict[str, bytes] = {}
        before = ledger.records
        for output in outputs:
            kept = before.get(output.path)
            if kept is not None and kept.output is output and output.path not in stale:
                # Declared from the very same objects (reuse.py), whose life ends with the
                # template set's: the same template, context and head; most files end here.
                records[output.path] = kept
                continue
            head = self._head(output, compare)
            record = ledger.clean(output, head, compare, stale)
            if record is None:
                reads: set[tuple] = set()
                tracked.reads = reads
                try:
                    made[output.path] = render_output(
                        tracked_output(output, reads),
                        self.env,  # type: ignore[arg-type]
                        tracked,  # type: ignore[arg-type]
                    )
                finally:
                    tracked.reads = None
                record = record_of(output, head, reads, compare)
            records[output.path] = record
        with build_lock(self.root):
            if self.mirror is not None and self.mirror.intact():
                gone = set() if same_files else set(self.mirror.live) - set(records) - self.extras
                written, removed = self._write_changes(self.mirror, made, gone)
            elif len(made) < len(records):
                # Another build replaced output/ (or removed the spare): start over in full.
                self._drop_mirror()
                self.ledger = Ledger()
                raise _Restart
            else:
                written, removed = self._write_all(config, made)
        ledger.commit(records, set(made), updates, compare)
        self.paths = paths
        return len(made), written, removed

    def _head(self, output: Output, compare: Compare) -> Any:
        """What an output is made with, apart from its context and what it reads."""
        if output.source is not None:
            return ("copy", str(output.source), _signature(output.source))
        if output.produce is not None:
            return ("produce", compare.producer(output.produce))
        return self.templates.fingerprint(output.template)

    def _write_changes(
        self, mirror: Mirror, made: dict[str, bytes], removed: set[str]
    ) -> tuple[int, tuple[str, ...]]:
        """Only files whose bytes differ are written; `removed` are outputs no longer declared."""
        changed = {rel: data for rel, data in made.items() if mirror.live.get(rel) != digest(data)}
        if any(rel.endswith(".html") for rel in (*changed, *removed)):
            self.search_stale = True
        # A .gz or .br of a file that changed would be stale: gone now, made again by catch_up.
        stale = {rel + suffix for rel in (*changed, *removed) for suffix in _SUFFIXES}
        stale &= self.extras
        removed |= stale
        self.extras -= stale
        self.uncompressed |= {rel for rel in changed if rel.endswith(COMPRESSIBLE)}
        self.uncompressed -= removed
        if changed or removed:
            try:
                mirror.commit(changed, removed)
            except (OSError, LitfassError):
                self._drop_mirror()
                self.ledger = Ledger()
                raise
        return len(changed), tuple(sorted(removed))

    def _write_all(self, config: Config, made: dict[str, bytes]) -> tuple[int, tuple[str, ...]]:
        """Write a whole site through Staging, then keep a spare copy for the next rebuilds."""
        before = _files_below(config.output_path)
        staging = Staging(config.output_path)
        fingerprint = search.Fingerprint()
        try:
            for rel in sorted(made):
                staging.put(rel, made[rel])
                fingerprint.add(rel, made[rel])
            search.index(config.root, staging, fingerprint)
            if config.precompress:  # as a build does: after the index, so it is compressed too
                precompress(staging)
            staging.commit()
        except BaseException:
            staging.discard()
            raise
        live = {rel: digest(d) for rel, d in made.items()}
        # What no output makes (the search index, .gz and .br files) is kept up by catch_up.
        self.extras = _files_below(config.output_path) - set(made)
        for rel in self.extras:
            live[rel] = digest((config.output_path / rel).read_bytes())
        self.mirror = Mirror(config.output_path, live)
        self.search_stale, self.uncompressed = False, set()
        return staging.stats.written, tuple(sorted(before - set(live)))

    def catch_up(self) -> bool:
        """Make what a rebuild left for later: the search index, .gz and .br files.

        Pagefind and brotli take seconds on a large site, so the rebuild loop calls this only
        once the editor pauses; True if it changed output/.
        """
        config, mirror = self.config, self.mirror
        if config is None or mirror is None or not (self.search_stale or self.uncompressed):
            return False
        with build_lock(self.root):
            if not mirror.intact():
                return False
            changed: dict[str, bytes] = {}
            removed: set[str] = set()
            if self.search_stale:
                changed, removed = self._search_index(config, mirror)
            if config.precompress:
                pending = self.uncompressed | {r for r in changed if r.endswith(COMPRESSIBLE)}
                for rel in sorted(pending):
                    data = changed.get(rel) or (config.output_path / rel).read_bytes()
                    for suffix, encode in encoders():
                        changed[rel + suffix] = encode(data)
                removed |= {rel + suffix for rel in removed for suffix in _SUFFIXES} & self.extras
            changed = {r: d for r, d in changed.items() if mirror.live.get(r) != digest(d)}
            if changed or removed:
                mirror.commit(changed, removed)
        self.extras = (self.extras | changed.keys()) - removed
        self.search_stale, self.uncompressed = False, set()
        return bool(changed or removed)

    def _search_index(self, config: Config, mirror: Mirror) -> tuple[dict[str, bytes], set[str]]:
        """The files of an up-to-date search index, and those of the old one to remove."""
        pages = sorted((r, d) for r, d in mirror.live.items() if r.endswith(".html"))
        folder = search.cached_index(config.root, config.output_path, pages)
        index = _files_below(folder, search.FOLDER)
        files = {rel: (folder / rel.split("/", 1)[1]).read_bytes() for rel in index}
        old = {rel for rel in self.extras if rel.startswith(search.FOLDER + "/")}
        return files, {rel for rel in old - index if not rel.endswith(_SUFFIXES)}

    def _drop_mirror(self) -> None:
        if self.mirror is not None:
            self.mirror.discard()
            self.mirror = None


_SUFFIXES = (".gz", ".br")  # what compress.py puts beside a text file
# Swapping a page into the last site walks each list once; past this many, sorting anew is as quick.
MOST_SWAPS = 8


class _Restart(Exception):
    """The spare copy is gone or stale: the rebuild starts over as a full one."""


def _signature(path: Path) -> tuple[int, int, int]:
    try:
        info = path.stat()
    except OSError:
        return (-1, -1, -1)
    return (info.st_mtime_ns, info.st_size, info.st_ino)


def _address(item: _Item) -> tuple | None:
    """What of a page other pages' addresses, links and ids depend on (None: not a page)."""
    page = item.page
    if page is None or item.errors:
        return None
    return (page.source, page.url, page.aliases, page.kind, page.id)


def _files_below(folder: Path, prefix: str = "") -> set[str]:
    """Paths of the files below `folder`, relative to it (with `prefix/` in front)."""
    start = f"{prefix}/" if prefix else ""
    return {
        start + (Path(base) / name).relative_to(folder).as_posix()
        for base, _, names in os.walk(folder)
        for name in names
    }


def _links_into(source: Source, moved: set[str]) -> bool:
    """Whether a body may link to a content file whose URL appeared, vanished or changed.

    Links are written with the file's name, so a body not containing it cannot link to it;
    a bundle's own files decide its attachments, so a change in its folder counts too.
    """
    if not moved:
        return False
    folder = source.content_rel.rsplit("/", 1)[0] + "/"
    bundle = source.content_rel.endswith("/index.md")
    return any(
        rel.rsplit("/", 1)[-1] in source.body or (bundle and rel.startswith(folder))
        for rel in moved
    )
