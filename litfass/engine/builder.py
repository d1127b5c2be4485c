"""The one build engine: `build`, `check`, `serve` and `watch` all read, assemble, declare,
render and write a site through a `Builder`, and after an edit redo only what it affects.

Each file's page is kept between rebuilds; each output remembers what it read from the site
(`records.py`) and is rendered again only when some of that is different now, never by guess.
The one-shot build saves its Builder in .litfass-cache/ (`state.py`), so the next build starts
where this one ended, exactly as the preview's next rebuild does.
"""

from __future__ import annotations

import dataclasses
import gc
import os
import time
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2

from litfass.config import Config, load_config
from litfass.content import images
from litfass.content.bodies import content_urls, with_body
from litfass.content.frontmatter import Source
from litfass.content.model import BuildOptions, Page
from litfass.content.pages import ContentFiles, find_files
from litfass.content.reader import ReadFile, read_files
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
from litfass.folders import CONFIG_NAME, cache_folder
from litfass.outputs import Output
from litfass.outputs.declare import declare, path_problems
from litfass.outputs.theme import theme_files
from litfass.render.templates import environment, render_output
from litfass.reuse import Reuse
from litfass.site import Site, assemble, id_problems, reassemble, url_problems
from litfass.workers import run_chunks
from litfass.write import search
from litfass.write.compress import COMPRESSIBLE, encoders, precompress
from litfass.write.staging import Mirror, Staging, build_lock, digest

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RebuildResult:
    """What one rebuild did, for the line the command prints."""

    site: Site
    files: int  # outputs the site consists of
    rendered: int  # outputs rendered again
    written: int  # files in output/ whose bytes changed
    unchanged: int  # files of output/ kept as they were
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
    key: str = ""  # of the body's text and the renderer settings (`reader.body_key`)
    html: str = ""  # the body rendered, links not yet resolved
    final: Page | None = None  # with body; None until rendered against the current URLs
    body_warnings: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class _Changes:
    """What a batch of changed paths means for the rebuild."""

    config: bool = False
    templates: bool = False
    rescan: bool = False  # files may have been added or removed: list content/ again
    content: tuple[Path, ...] = ()


@dataclass
class _Plan:
    """The outputs of one rebuild: records of those kept, and those to render."""

    outputs: list[Output]
    records: dict[str, Record]
    todo: list[Output]
    heads: dict[str, Any]


class Builder:
    """Builds one site again and again, keeping per-file state and records in between.

    `staged` (the one-shot build): every rebuild writes a complete new site beside output/,
    search index and compressed files included, and swaps it in once; the caller holds the
    build lock. Otherwise (the preview) changed files go to a spare copy that is swapped in,
    and the search index and compressed files follow in `finish_extras` when the editor pauses.
    """

    def __init__(
        self,
        root: Path,
        options: Callable[[], BuildOptions],
        workers: int = 1,
        use_cache: bool = False,
        staged: bool = False,
    ) -> None:
        self.root = root
        self.options = options  # called per rebuild: the clock moves on while serving
        self.workers = workers
        self.use_cache = use_cache
        self.staged = staged
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
        self.digests: dict[str, bytes] = {}  # staged: each HTML output's digest (search index)
        self.previous: list[str] | None = None  # staged: what the site kept beside output/ lacks

    # -- kept between processes (state.py) ------------------------------------------------

    def __getstate__(self) -> dict[str, Any]:
        """What the next one-shot build needs: not the templates, the clock or the workers."""
        kept = dict(self.__dict__)
        for name in ("options", "env", "templates", "theme", "reuse", "workers"):
            kept.pop(name, None)
        return kept

    def __setstate__(self, kept: dict[str, Any]) -> None:
        self.__dict__.update(kept)
        self.env = None  # templates are loaded again; records compare their fingerprints
        self.reuse = Reuse()
        self.workers = 1

    def resume(self, options: Callable[[], BuildOptions], workers: int) -> None:
        """Take up a Builder loaded from the last build with this build's clock and workers."""
        self.options, self.workers = options, workers

    # -- the rebuild, top to bottom -------------------------------------------------------

    def rebuild(
        self,
        changed: Collection[Path] | None = None,
        strict: bool = False,
        progress: Progress | None = None,
    ) -> RebuildResult:
        """Bring output/ up to date after `changed` paths (None: anything may have changed).

        Raises LitfassError with every problem (with `strict`, warnings too); output/ then
        keeps the last good site.
        """
        started = time.perf_counter()
        with _collector_paused():
            site, warnings = self._load(changed)
            if strict and warnings:
                raise LitfassError([dataclasses.replace(w, severity="error") for w in warnings])
            files, rendered, written, unchanged, removed = self._render_and_write(site, progress)
            if rendered == files:
                gc.freeze()  # after a full build: the collector need not walk the kept site again
        return RebuildResult(
            site=site,
            files=files,
            rendered=rendered,
            written=written,
            unchanged=unchanged,
            removed=removed,
            warnings=tuple(sorted(warnings)),
            seconds=time.perf_counter() - started,
        )

    def load(self, changed: Collection[Path] | None = None) -> tuple[Site, list[Problem]]:
        """The site as it is now, and its warnings, without rendering or writing anything."""
        with _collector_paused():
            return self._load(changed)

    def _load(self, changed: Collection[Path] | None) -> tuple[Site, list[Problem]]:
        changes = self._classify(changed)
        if self.config is None or changes.config:
            self._load_config()
        config = self.config
        assert config is not None
        if changes.templates or self.env is None:
            self._load_templates(config)
        self._update_content(config, changes)
        good, warnings = self._pages(config)
        return self._assemble(config, good), warnings

    def close(self) -> None:
        """Remove the spare copy of the site (when serving stops)."""
        if self.mirror is not None:
            self.mirror.discard()
            self.mirror = None

    # -- what changed ---------------------------------------------------------------------

    def _classify(self, changed: Collection[Path] | None) -> _Changes:
        """Sort changed paths into config, templates and content files."""
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
        compiled = cache_folder(self.root, "jinja") if self.use_cache else None
        env, _ = environment(config, theme, compiled)
        self.templates = TemplateSet(env, config, tuple((f.rel, f.fingerprinted) for f in theme))
        self.theme = theme
        self.env = env

    # -- content --------------------------------------------------------------------------

    def _update_content(self, config: Config, changes: _Changes) -> None:
        due: dict[str, Path] = {}  # files to read (again), by their path in content/
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
                    due[rel] = path
        content = config.content_path.absolute()
        for path in changes.content:  # re-read even if size and time look the same
            rel = path.relative_to(content).as_posix()
            if rel in self.items and path.is_file():
                due[rel] = path
            elif rel in self.assets:
                self.assets_changed = True  # an image may have new sizes
        self._read(config, due)
        if changes.rescan:  # in the files' order, which is the order of the site's pages
            self.items = {rel: self.items[rel] for _, rel in self.files.markdown}

    def _read(self, config: Config, due: dict[str, Path]) -> None:
        """Read files and render their bodies (over all workers, through the Markdown cache)."""
        files = [(path, rel) for rel, path in due.items()]
        signatures = [_signature(path) for path, _ in files]
        found = read_files(config, files, self.workers, self.use_cache)
        for (_, rel), signature, read in zip(files, signatures, found, strict=True):
            self._take(rel, _item_of(signature, read))

    def _take(self, rel: str, item: _Item) -> None:
        old = self.items.get(rel)
        if old is not None and (old.source, old.key) == (item.source, item.key):
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
        urls = self._addresses(config, good)
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
            if item.source is None or item.page is None or item.errors:
                continue  # not in `good`
            if item.final is None or every_body or _links_into(item, moved):
                self.touched.add(rel)
                self.without_body.discard(rel)
                item.body_warnings = []
                item.final = with_body(
                    config, item.source, item.page, urls, pictures, item.body_warnings, item.html
                )
        warnings += [p for item in good for p in item.body_warnings]
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            raise LitfassError(errors + warnings)
        return good, warnings

    def _addresses(self, config: Config, good: list[_Item]) -> dict[str, str]:
        """Every content file's URL, worked out again only when an address may have changed."""
        if not (self.addresses_changed or self.assets_changed) and self.files is not None:
            return self.urls
        assert self.files is not None
        pages = [i.page for i in good if i.page is not None]
        clashes = url_problems(pages)
        # Ids default to addresses: an address clash is already one message, not two.
        taken = {c.path for c in clashes}
        ids = [p for p in id_problems(config, pages) if p.path not in taken]
        self.address_problems = clashes + ids
        sources = [i.source for i in good if i.source is not None]
        return content_urls(config, self.files, pages, sources)

    def _assemble(self, config: Config, good: list[_Item]) -> Site:
        """The site of these pages: the last one with edited pages swapped in, if it can be."""
        options, swaps = self.options(), self._swaps()
        site = None
        if swaps is not None and self.site is not None:
            site = reassemble(self.site, swaps, options, self.urls, self.pictures)
        if site is None:
            pages = [i.final for i in good if i.final is not None]
            site = assemble(config, pages, options, self.urls, self.pictures, previous=self.site)
            self.site_pages = {
                rel: i.final
                for rel, i in self.items.items()
                if i.final is not None and not i.errors
            }
        else:
            for rel in self.touched:
                final = self.items[rel].final
                if final is not None:
                    self.site_pages[rel] = final
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

    def _render_and_write(
        self, site: Site, progress: Progress | None
    ) -> tuple[int, int, int, int, tuple[str, ...]]:
        try:
            return self._render_and_write_once(site, progress)
        except _Restart:  # the spare copy is gone: make and write every file once more
            return self._render_and_write_once(site, progress)

    def _render_and_write_once(
        self, site: Site, progress: Progress | None
    ) -> tuple[int, int, int, int, tuple[str, ...]]:
        config = site.config
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
        stale, updates = self.ledger.stale(compare)
        plan = self._plan(outputs, compare, stale)
        if self.staged:
            made, written, unchanged, removed = self._write_staged(
                config, plan, tracked, compare, same_files, progress
            )
        else:
            made = self._render(plan, tracked, compare, progress)
            written, removed = self._write_to_mirror(config, plan, made, same_files)
            unchanged = len(plan.outputs) - written
        self.ledger.commit(plan.records, set(made), updates, compare)
        self.paths = paths
        return len(outputs), len(made), written, unchanged, removed

    def _plan(self, outputs: list[Output], compare: Compare, stale: set[str]) -> _Plan:
        """Keep the record of each output nothing it read has changed for; the rest is due."""
        plan = _Plan(outputs, {}, [], {})
        before = self.ledger.records
        for output in outputs:
            kept = before.get(output.path)
            if kept is not None and kept.output is output and output.path not in stale:
                # Declared from the very same objects (reuse.py), whose life ends with the
                # template set's: the same template, context and head; most files end here.
                plan.records[output.path] = kept
                continue
            head = self._head(output, compare)
            record = self.ledger.clean(output, head, compare, stale)
            if record is None:
                plan.todo.append(output)
                plan.heads[output.path] = head
            else:
                plan.records[output.path] = record
        return plan

    def _head(self, output: Output, compare: Compare) -> Any:
        """What an output is made with, apart from its context and what it reads."""
        if output.source is not None:
            return ("copy", str(output.source), _signature(output.source))
        if output.produce is not None:
            return ("produce", compare.producer(output.produce))
        return self.templates.fingerprint(output.template)

    def _render(
        self,
        plan: _Plan,
        tracked: TrackedSite,
        compare: Compare,
        progress: Progress | None,
    ) -> dict[str, bytes]:
        """Render the outputs due, over the workers when there are many; record their reads."""
        made: dict[str, bytes] = {}
        for path, data in self._rendered(plan, tracked, compare, progress):
            made[path] = data
        return made

    def _rendered(
        self,
        plan: _Plan,
        tracked: TrackedSite,
        compare: Compare,
        progress: Progress | None,
    ) -> Iterator[tuple[str, bytes]]:
        """Each due output's path and bytes; its record goes into `plan`."""
        todo, env = plan.todo, self.env
        assert env is not None
        by_path = {output.path: output for output in todo}
        if self.workers > 1 and len(todo) >= PARALLEL_FROM:
            for name in sorted({o.template for o in todo if o.template}):
                # Compile once, before workers are forked; errors are reported when rendering.
                with _template_errors_later():
                    env.get_template(name)

        def render(part: range) -> list[tuple[str, bytes, set[tuple]]]:
            done = []
            for index in part:
                output = todo[index]
                reads: set[tuple] = set()
                tracked.reads = reads
                try:
                    data = render_output(tracked_output(output, reads), env, tracked)  # type: ignore[arg-type]
                finally:
                    tracked.reads = None
                done.append((output.path, data, reads))
            return done

        workers = self.workers if len(todo) >= PARALLEL_FROM else 1
        count = 0
        for part in run_chunks(render, len(todo), workers, ordered=False):
            for path, data, reads in part:
                output = by_path[path]
                plan.records[path] = record_of(output, plan.heads[path], reads, compare)
                yield path, data
            count += len(part)
            if progress:
                progress(count, len(todo))

    # -- writing: one complete new site (the one-shot build) -------------------------------

    def _write_staged(
        self,
        config: Config,
        plan: _Plan,
        tracked: TrackedSite,
        compare: Compare,
        same_files: bool,
        progress: Progress | None,
    ) -> tuple[dict[str, bytes], int, int, tuple[str, ...]]:
        """Stage the whole site beside output/, unchanged files as links, and swap it in."""
        # The site kept beside output/ can be brought up to date only if it has the same files.
        reuse = self.previous if same_files else None
        staging = Staging(config.output_path, reuse=reuse)
        try:
            due = {o.path for o in plan.todo}
            for output in plan.outputs:
                if output.path not in due and not staging.keep(output.path):
                    plan.todo.append(output)  # not on disk as it should be: make it again
                    plan.heads[output.path] = self._head(output, compare)
            made: dict[str, bytes] = {}
            for path, data in self._rendered(plan, tracked, compare, progress):
                staging.put(path, data)
                made[path] = b""  # written: only which, not the bytes, are kept
                if path.endswith(".html"):
                    self.digests[path] = digest(data)
            self.digests = {p: d for p, d in self.digests.items() if p in plan.records}
            self._index_and_compress(config, staging)
            files = set(plan.records)
            if self.use_cache:  # the site replaced is kept beside output/ for the next build
                replaced = set(self.paths) if same_files else None
                self.previous = staging.commit(files, replaced=replaced)
            else:
                staging.commit()
        except BaseException:
            staging.discard()
            raise
        removed = tuple(sorted(set(self.paths) - files)) if self.paths else ()
        return made, staging.stats.written, staging.stats.unchanged, removed

    def _index_and_compress(self, config: Config, staging: Staging) -> None:
        """What is made from the staged pages: the search index, then compressed copies."""
        if config.search:
            fingerprint = search.Fingerprint()
            for path in sorted(self.digests):
                fingerprint.add(path, self.digests[path])
            search.index(config.root, staging, fingerprint)
        # After the search index, so that its script and data are compressed too.
        if config.precompress:
            precompress(staging)

    # -- writing: changed files to the spare copy (the preview) ----------------------------

    def _write_to_mirror(
        self, config: Config, plan: _Plan, made: dict[str, bytes], same_files: bool
    ) -> tuple[int, tuple[str, ...]]:
        with build_lock(self.root):
            if self.mirror is not None and self.mirror.intact():
                gone = set() if same_files else set(self.mirror.live) - set(plan.records)
                return self._write_changes(self.mirror, made, gone - self.extras)
            if len(made) < len(plan.records):
                # Another build replaced output/ (or removed the spare): start over in full.
                self.close()
                self.ledger = Ledger()
                raise _Restart
            return self._write_all(config, made)

    def _write_changes(
        self, mirror: Mirror, made: dict[str, bytes], removed: set[str]
    ) -> tuple[int, tuple[str, ...]]:
        """Only files whose bytes differ are written; `removed` are outputs no longer declared."""
        changed = {rel: data for rel, data in made.items() if mirror.live.get(rel) != digest(data)}
        if any(rel.endswith(".html") for rel in (*changed, *removed)):
            self.search_stale = True
        # A .gz or .br of a file that changed would be stale: gone now, made again by finish_extras.
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
                self.close()
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
            if config.search:
                search.index(config.root, staging, fingerprint)
            if config.precompress:  # as a build does: after the index, so it is compressed too
                precompress(staging)
            staging.commit()
        except BaseException:
            staging.discard()
            raise
        live = {rel: digest(d) for rel, d in made.items()}
        # What no output makes (the search index, .gz and .br files) is kept up by finish_extras.
        self.extras = _files_below(config.output_path) - set(made)
        for rel in self.extras:
            live[rel] = digest((config.output_path / rel).read_bytes())
        self.mirror = Mirror(config.output_path, live)
        self.search_stale, self.uncompressed = False, set()
        return staging.stats.written, tuple(sorted(before - set(live)))

    def finish_extras(self) -> bool:
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


_SUFFIXES = (".gz", ".br")  # what compress.py puts beside a text file
# Swapping a page into the last site walks each list once; past this many, sorting anew is as quick.
MOST_SWAPS = 8
PARALLEL_FROM = 64  # outputs to render before forking workers pays


class _Restart(Exception):
    """The spare copy is gone or stale: the rebuild starts over as a full one."""


class _collector_paused:
    """The garbage collector off for one rebuild: a full collection over the kept pages
    would cost more than the edit."""

    def __enter__(self) -> None:
        self.was_on = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc: object) -> None:
        if self.was_on:
            gc.enable()


class _template_errors_later:
    """Compiling ahead of the workers: a broken template is reported when it is rendered."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> bool:
        return kind is not None and issubclass(kind, jinja2.TemplateError)


def _item_of(signature: tuple[int, int, int], read: ReadFile) -> _Item:
    """A file's item from what the reader found: its page, body and problems."""
    item = _Item(signature, read.source, read.page, key=read.key, html=read.html)
    if read.page is None:
        item.errors = [p for p in read.problems if p.severity == "error"]
        item.warnings = [p for p in read.problems if p.severity != "error"]
    else:
        item.warnings = list(read.problems)
    return item


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


def _links_into(item: _Item, moved: set[str]) -> bool:
    """Whether a body may link to a content file whose URL appeared, vanished or changed.

    Links are written with the file's name, so a body not containing it cannot link to it
    (the rendered body keeps links as written, the text may be left out: `reader.py`); a
    bundle's own files decide its attachments, so a change in its folder counts too.
    """
    if not moved or item.source is None:
        return False
    content_rel = item.source.content_rel
    folder = content_rel.rsplit("/", 1)[0] + "/"
    bundle = content_rel.endswith("/index.md")
    texts = (item.html, item.source.body)
    for rel in moved:
        name = rel.rsplit("/", 1)[-1]
        if (bundle and rel.startswith(folder)) or any(
            name in text or quote(name) in text for text in texts
        ):
            return True
    return False
