"""The one build engine: `build`, `check`, `serve` and `watch` all read, assemble, declare,
render and write a site through a `Builder`, and after an edit redo only what it affects.

Each file's page is kept between rebuilds (`sources.py`); each output remembers what it read
from the site (`records.py`) and is rendered again only when some of that is different now,
never by guess. The one-shot build keeps both in the store (`store.py`), so the next build
starts where this one ended, exactly as the preview's next rebuild does.
"""

from __future__ import annotations

import contextlib
import copyreg
import dataclasses
import gc
import io
import itertools
import operator
import pickle
import sqlite3
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PosixPath, PurePath, WindowsPath
from typing import Any, BinaryIO, TypeVar

import jinja2

from litfass import addresses, atomic
from litfass.config import Config, Settings, read_settings
from litfass.content.model import BuildOptions, Page
from litfass.engine import store
from litfass.engine.collector import collector_paused, freed_memory_returned
from litfass.engine.records import (
    Digests,
    Ledger,
    Record,
    TemplateSet,
    TrackedSite,
    Why,
    load_ledger,
    record_of,
    save_ledger,
    tracked_output,
)
from litfass.engine.sources import Item, Sources
from litfass.engine.store import Stamp, stamp
from litfass.engine.writers import MirrorWriter, Restart, StagedWriter, Written
from litfass.errors import LitfassError, Problem
from litfass.folders import CONFIG_NAME, RECORD_NAME, cache_folder
from litfass.outputs import Output
from litfass.outputs.declare import declare, path_problems
from litfass.outputs.theme import theme_files
from litfass.render.templates import environment, render_output
from litfass.reuse import Reuse
from litfass.site import (
    Site,
    assemble,
    is_public,
    reassemble,
    with_files,
    withheld_files,
    without_files,
)
from litfass.workers import run_chunks

Progress = Callable[[int, int], None]
R = TypeVar("R")
# A slow output is made now: what it is made from (a photo), and the how-manieth of how many.
Working = Callable[[str, int, int], None]
# Swapping a page into the last site walks each list once; past this many, sorting anew is as quick.
MOST_SWAPS = 8
IN_PROCESS_CHUNK = 100  # outputs rendered here between two progress reports
PARALLEL_FROM = 64  # outputs to render before forking workers pays


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
    addresses: addresses.Update  # the address record after this build, and what changed
    why: tuple[tuple[str, Why], ...] = ()  # each output rendered, and why (`--explain`)
    edited: tuple[str, ...] = ()  # the content files read anew (relative to the root)


@dataclass(frozen=True)
class _Changes:
    """What a batch of changed paths means for the rebuild."""

    config: bool = False
    templates: bool = False
    rescan: bool = False  # files may have been added or removed: list content/ again
    content: tuple[Path, ...] = ()


@dataclass
class _Plan:
    """The outputs of one rebuild: records of those checked, those to render, and the paths
    of those kept as they are (their records neither read nor compared)."""

    outputs: list[Output]
    records: dict[str, Record]
    todo: list[Output]
    heads: dict[str, Any]
    kept: set[str]


class Builder:
    """Builds one site again and again, keeping its pages and records in between.

    `staged` (the one-shot build): every rebuild writes a complete new site beside output/
    and swaps it in once; the caller holds the build lock. Otherwise (the preview) changed
    files go to a spare copy, and the search index and compressed files follow in
    `finish_extras` when the editor pauses (`writers.py`).
    """

    def __init__(
        self,
        root: Path,
        options: Callable[[], BuildOptions],
        workers: int = 1,
        use_cache: bool = False,
        staged: bool = False,
        settings: Settings | None = None,
    ) -> None:
        self.root = root.absolute()  # the same site, wherever the next build is run from
        # config.yaml as the command line read it, used by the first load; later loads (the
        # preview after an edit of config.yaml) read it again.
        self.settings = settings
        self.options = options  # called per rebuild: the clock moves on while serving
        self.workers = workers
        self.use_cache = use_cache
        self.writer = StagedWriter(use_cache) if staged else MirrorWriter(root)
        self.publishes = staged  # the one-shot build, as opposed to the preview
        self.config: Config | None = None
        self.config_warnings: list[Problem] = []
        self.sources: Sources | None = None
        self.site: Site | None = None
        self.site_pages: dict[str, Page] = {}  # the pages self.site was made of, by file
        # The last (content URLs, pictures, files withheld) and the lists left without them.
        self.withheld: tuple[dict, dict, frozenset[str], dict, dict] | None = None
        self.record: tuple[addresses.Entry, ...] = ()  # addresses.yaml as last read
        self.addresses = addresses.Update((), (), (), addresses.AddressBook())
        self.env: jinja2.Environment | None = None
        self.ledger = Ledger()
        self.reuse = Reuse()
        self.paths: list[str] = []  # of the outputs last written
        self.edited: tuple[str, ...] = ()  # content files the last rebuild read anew
        self._stored: dict[str, tuple[Item, Page | None, Stamp]] = {}  # items as in the store
        # The address record as last read and brought up to date, as in the store.
        self._stored_addresses: tuple[object, object] = ((), None)
        # Digests by id (records.Digests): of the site's pages, so an unchanged page is not
        # digested again in the next rebuild, nor in the next process (the store keeps them);
        # taken up from the store, of what was saved with the site too (see `_pickle`).
        self.known_digests: dict[int, tuple[Any, bytes]] = {}
        self.last_digests: Digests | None = None  # the last rebuild's, until saved
        self.template_references: dict[tuple[str, str], tuple[str | None, ...]] = {}

    # -- kept between processes (store.py) ------------------------------------------------

    def restore(self, db: sqlite3.Connection) -> None:
        """Take up the last build from the store: its content files as read, its site, its
        records and what its writer knows of output/; config.yaml and the templates are read
        anew (a site made with another config is not taken up). The address record is the
        one kept: had addresses.yaml changed since, the rebuild would read it again."""
        # What is read here lives as long as the builder: no collection need walk it again.
        with collector_paused(freeze=True):
            self._restore(db)

    def _restore(self, db: sqlite3.Connection) -> None:
        rows = store.read_items(db)
        items = {rel: item for rel, (item, _digest) in rows.items()}
        kept, digested = self._unpickled(store.get_bytes(db, "builder"), items)
        known = store.get(db, "addresses")
        writer = store.get(db, "writer")
        if (
            not isinstance(kept, dict)
            or not isinstance(kept.get("sources"), Sources)
            or not isinstance(known, tuple)
            or not writer
        ):
            raise LookupError("no complete build in the store")
        record, self.addresses = known
        self._load_config(record=record)
        config = self.config
        assert config is not None
        sources = kept["sources"]
        sources.config, sources.items = config, items
        self.sources = sources
        if isinstance(kept["site"], Site) and kept["site"].config == config:
            # Another object, the same values: the edited pages are swapped into its lists.
            self.site = dataclasses.replace(kept["site"], config=config)
            self.site_pages, self.withheld = kept["site_pages"], kept["withheld"]
        else:
            self.addresses = addresses.Update((), (), (), addresses.AddressBook())
        self._stored_addresses = known
        self.paths, self.template_references = kept["paths"], kept["references"]
        self.known_digests = {
            id(item.final): (item.final, digest)
            for item, digest in rows.values()
            if item.final is not None and digest
        }
        self.known_digests.update((id(value), (value, digest)) for value, digest in digested)
        self._stored = {rel: (item, item.final, item.signature) for rel, item in items.items()}
        self.ledger = load_ledger(db)
        if self.site is not None and isinstance(kept["shown"], Site):
            # The site the records' digests describe: a field of the next site that is the
            # very same object holds the very same values, and is passed over whole.
            self.ledger.site = kept["shown"]
            self._take_declared(kept["reuse"], kept["declared"])
        self.writer.__dict__.update(writer)

    def save(self, db: sqlite3.Connection, everything: bool) -> None:
        """Write what this build changed into the store (`everything`: all it knows), in the
        caller's transaction."""
        freed_memory_returned()  # before the pickler's peak, not under it
        with collector_paused():
            self._save(db, everything)

    def _save(self, db: sqlite3.Connection, everything: bool) -> None:
        sources = self.sources
        assert sources is not None and isinstance(self.writer, StagedWriter)
        if everything:
            self.ledger.read_all()  # before the store is cleared (a ledger taken up from it)
            store.clear(db)
            self._stored = {}
        stored, digests = self._stored, Digests(self.known_digests)
        changed = [
            rel
            for rel, item in sources.items.items()
            if (rel not in stored)
            or stored[rel][0] is not item
            or stored[rel][1] is not item.final
            or stored[rel][2] != item.signature
        ]
        # The rows of the changed and the removed files, each with every item it keeps.
        chunks = set(map(store.chunk_of, [*changed, *(stored.keys() - sources.items.keys())]))
        rows = {
            rel: (item, digests.of(item.final) if item.final is not None else b"")
            for rel, item in sources.items.items()
            if store.chunk_of(rel) in chunks
        }
        store.write_items(db, rows, chunks)
        self._stored = {
            rel: (item, item.final, item.signature) for rel, item in sources.items.items()
        }
        kept = {
            "sources": sources,
            "site": self.site,
            "site_pages": self.site_pages,
            "withheld": self.withheld,
            "shown": self.ledger.site,
            "paths": self.paths,
            "references": self.template_references,
            # What was declared, with the very site it was declared from (one pickle), so
            # the next process hands back the same Output for an unchanged page, as the
            # preview does, and need not digest its head and context again (see `_plan`).
            "reuse": self.reuse,
            "declared": list(self.ledger.declared.values()),
        }
        # Through a file on disk, not a buffer: tens of megabytes at 40,000 items.
        with atomic.scratch() as spool:
            self._pickle(kept, spool)
            store.put_file(db, "builder", spool)
        known = (self.record, self.addresses)
        if everything or any(map(operator.is_not, known, self._stored_addresses)):
            store.put(db, "addresses", known)  # thousands of entries: only when they changed
            self._stored_addresses = known
        store.put(db, "writer", self.writer.kept())
        save_ledger(db, self.ledger, everything)

    def _pickle(self, kept: dict[str, Any], file: BinaryIO) -> None:
        """`kept` with each content file's page named by its file, not copied: the pages
        are in the store's rows (`items`) already, and stay one object with the site's."""
        assert self.sources is not None
        named: dict[int, tuple[str, str]] = {}
        for rel, item in self.sources.items.items():
            if item.page is not None:
                named[id(item.page)] = ("page", rel)
            if item.final is not None:
                named[id(item.final)] = ("final", rel)

        def page(value: Page) -> Any:
            name = named.get(id(value))
            return value.__reduce_ex__(pickle.HIGHEST_PROTOCOL) if name is None else (_page, name)

        pickler = pickle.Pickler(file, pickle.HIGHEST_PROTOCOL)
        # A page by its file, once (then by the pickle's memo): asked of pages only, not of
        # each of the hundred thousand objects as a `persistent_id` is. A path as its text:
        # made again from one string, not from its parts (the content files' list holds
        # thousands, and loading them took longer than all the lists).
        pickler.dispatch_table = {
            **copyreg.dispatch_table,
            Page: page,
            PosixPath: _path,
            WindowsPath: _path,
        }
        pickler.dump(kept)
        # Then the digests of what was declared (pagers, the sitemap's lines, a feed's
        # channels): by the pickle's memo, each is the very object the next process loads
        # with the site, so it is not digested again there.
        pickler.dump(self._kept_digests())
        self.last_digests = None

    def _kept_digests(self) -> list[tuple[Any, bytes]]:
        """The last rebuild's digests of the declared outputs' context values and of what
        the declaration kept (`Reuse`): all of it pickled with the site."""
        if self.last_digests is None:
            return []
        contexts = (v for output in self.ledger.declared.values() for v in output.context.values())
        return self.last_digests.known_of(itertools.chain(contexts, self.reuse.values()))

    def _take_declared(self, reuse: Reuse, declared: list[Output]) -> None:
        """Take up the last declaration: each output it made is its record's again, the
        Output that the same pages declare once more (reuse.py)."""
        self.ledger.declared = {output.path: output for output in declared}
        self.reuse = reuse

    @staticmethod
    def _unpickled(data: bytes | None, items: dict[str, Item]) -> tuple[Any, list]:
        """What `_pickle` kept, and the digests of its values."""
        if data is None:
            return None, []
        unpickler = _Unpickler(data, items)
        return unpickler.load(), unpickler.load()

    def let_go(self) -> None:
        """Forget what only makes a next rebuild in this process quicker (the compiled
        templates): the one-shot build's last step, saving, then takes the memory they held
        instead of more. What was declared is saved with the site (see `_save`)."""
        self.env = None  # the next rebuild, if any, loads the templates again

    # -- the rebuild, top to bottom -------------------------------------------------------

    def rebuild(
        self,
        changed: Collection[Path] | None = None,
        strict: bool = False,
        progress: Progress | None = None,
        working: Working | None = None,
    ) -> RebuildResult:
        """Bring output/ up to date after `changed` paths (None: anything may have changed).

        Raises LitfassError with every problem (with `strict`, warnings too); output/ then
        keeps the last good site.
        """
        started = time.perf_counter()
        with collector_paused():
            site, warnings = self._load(changed)
            if strict and warnings:
                raise LitfassError([dataclasses.replace(w, severity="error") for w in warnings])
            try:
                result = self._render_and_write(site, progress, working)
            except Restart:  # output/ is not what the writer left: make every file once more
                self.ledger = Ledger()
                result = self._render_and_write(site, progress, working)
            files, rendered, written, made = result
            if rendered == files:
                gc.freeze()  # after a full build: the collector need not walk the kept site again
        return RebuildResult(
            site=site,
            files=files,
            rendered=rendered,
            written=written.written,
            unchanged=written.unchanged,
            removed=written.removed,
            warnings=tuple(sorted(warnings)),
            seconds=time.perf_counter() - started,
            addresses=self.addresses,
            why=tuple((path, self.ledger.why.get(path, Why("new"))) for path in sorted(made)),
            edited=self.edited,
        )

    def load(
        self, changed: Collection[Path] | None = None, lenient: bool = False
    ) -> tuple[Site, list[Problem]]:
        """The site as it is now, and its warnings, without rendering or writing anything
        (`lenient`: the site of the good files, and the errors of the others with them)."""
        with collector_paused():
            return self._load(changed, lenient)

    def unpublished(self) -> list[Page]:
        """The items read without errors that the last site leaves out (drafts, scheduled)."""
        if self.site is None or self.sources is None:
            return []
        shown = {page.source for site in self.site.every_language for page in site.pages}
        items = self.sources.items.values()
        finals = (item.final for item in items if not item.errors)
        return [page for page in finals if page is not None and page.source not in shown]

    def finish_extras(self) -> bool:
        """Make what the last rebuilds left for later (see `MirrorWriter.finish_extras`)."""
        return self.writer.finish_extras()

    def close(self) -> None:
        """Remove the spare copy of the site (when serving stops)."""
        self.writer.close()

    def _load(
        self, changed: Collection[Path] | None, lenient: bool = False
    ) -> tuple[Site, list[Problem]]:
        changes = self._classify(changed)
        self.edited = tuple(sorted(_shown(self.root, path) for path in changes.content))
        if self.config is None or self.sources is None or changes.config:
            self._load_config()
        config, sources = self.config, self.sources
        assert config is not None and sources is not None
        if changes.templates or self.env is None:
            # What was declared may depend on the templates and their translation table.
            self._load_templates(config, keep_declared=not changes.templates)
        sources.update(changes.rescan, changes.content, self.workers, self.use_cache)
        # Only a build that publishes leaves a broken draft out; the preview and `check` show it.
        options = self.options()
        skip = self.publishes and not options.drafts
        good, warnings = sources.pages(
            skip_broken_drafts=skip, lenient=lenient, options=options, workers=self.workers
        )
        return self._assemble(config, sources, good), [*self.config_warnings, *warnings]

    # -- what changed ---------------------------------------------------------------------

    def _classify(self, changed: Collection[Path] | None) -> _Changes:
        """Sort changed paths into config, templates and content files."""
        if changed is None or self.config is None or self.sources is None:
            return _Changes(config=True, templates=True, rescan=True)
        config = self.config
        templates = config.templates_path.absolute()
        content = config.content_path.absolute()
        flags = {"config": False, "templates": False, "rescan": False}
        paths = []
        for path in (Path(p).absolute() for p in changed):
            if path in ((self.root / CONFIG_NAME).absolute(), (self.root / RECORD_NAME).absolute()):
                flags["config"] = True
            elif path.is_relative_to(templates):
                flags["templates"] = True
            elif path.is_relative_to(content):
                known = self.sources.knows(path.relative_to(content).as_posix())
                if not known or not path.is_file():
                    flags["rescan"] = True  # added, removed or a folder: list files again
                paths.append(path)
        return _Changes(content=tuple(paths), **flags)

    # -- config and templates -------------------------------------------------------------

    def _load_config(self, record: tuple[addresses.Entry, ...] | None = None) -> None:
        """Read config.yaml and the address record (or take `record`, as last read)."""
        self.config = self.sources = None  # until it loads: a broken one is read again next time
        given, self.settings = self.settings, None
        # Saved since the command line read it (the preview starts watching after that)?
        settings = given if given is not None and given.unchanged() else read_settings(self.root)
        config, self.config_warnings = settings.loaded()
        self.record = addresses.read_record(self.root) if record is None else record
        self.config, self.sources = config, Sources(config)
        self.site, self.site_pages = None, {}
        self.ledger = Ledger()  # every output is made again; unchanged bytes are not rewritten
        self.reuse = Reuse()  # what was declared may depend on any setting
        self.env = None

    def _load_templates(self, config: Config, keep_declared: bool = False) -> None:
        self.env = None
        if not keep_declared:
            self.reuse = Reuse()
        theme = theme_files(config)
        compiled = cache_folder(self.root, "jinja") if self.use_cache else None
        env, _ = environment(config, theme, compiled)
        assets = tuple((f.rel, f.fingerprinted) for f in theme)
        self.templates = TemplateSet(env, config, assets, self.template_references)
        self.theme = theme
        self.env = env

    # -- the site -------------------------------------------------------------------------

    def _assemble(self, config: Config, sources: Sources, good: list[Item]) -> Site:
        """The site of these pages: the last one with edited pages swapped in, if it can be."""
        options, swaps = self.options(), self._swaps(sources)
        site = None
        if swaps is not None and self.site is not None:
            if any(old.title != new.title for old, new in swaps):
                self._update_addresses(config, good, options)
            book = self.addresses.book
            site = reassemble(self.site, swaps, options, sources.urls, sources.pictures, book)
        if site is None:
            pages = [i.final for i in good if i.final is not None]
            book = self._update_addresses(config, good, options)
            site = assemble(config, pages, options, sources.urls, sources.pictures, self.site, book)
            self.site_pages = {
                rel: i.final
                for rel, i in sources.items.items()
                if i.final is not None and not i.errors
            }
        else:
            for rel in sources.touched:
                final = sources.items[rel].final
                if final is not None:
                    self.site_pages[rel] = final
        self.site = site
        sources.taken()
        return self._published_files(site, options)

    def _published_files(self, site: Site, options: BuildOptions) -> Site:
        """The site without the files only unpublished items have (see `withheld_files`).

        The same files withheld from the same lists give the very same lists again, so
        outputs that read them stay unchanged.
        """
        withheld = withheld_files(self.site_pages.values(), options)
        last = self.withheld
        if (
            last is not None
            and last[0] is site.content_urls
            and last[1] is site.pictures
            and last[2] == withheld
        ):
            return with_files(site, last[3], last[4])
        shown = without_files(site, withheld)
        self.withheld = (
            site.content_urls,
            site.pictures,
            withheld,
            shown.content_urls,
            shown.pictures,
        )
        return shown

    def _update_addresses(
        self, config: Config, good: list[Item], options: BuildOptions
    ) -> addresses.AddressBook:
        """The address record brought up to date with the public items (never drafts or
        scheduled ones, whatever this build shows); kept in memory until `build` saves it."""
        public = [i.final for i in good if i.final is not None and is_public(i.final, options.now)]
        now = options.now.astimezone(config.tz)
        self.addresses = addresses.update(
            self.record, public, config.content_dir, now, config.list_addresses
        )
        return self.addresses.book

    def _swaps(self, sources: Sources) -> list[tuple[Page, Page]] | None:
        """(page in the last site, page now) for each edited file; None if files came or went."""
        if sources.restructured or len(sources.touched) > MOST_SWAPS:
            return None
        swaps = []
        for rel in sources.touched:
            item, old = sources.items.get(rel), self.site_pages.get(rel)
            if item is None or item.final is None or item.errors or old is None:
                return None
            if item.final is not old:
                swaps.append((old, item.final))
        return swaps

    # -- outputs --------------------------------------------------------------------------

    def _render_and_write(
        self, site: Site, progress: Progress | None, working: Working | None = None
    ) -> tuple[int, int, Written, set[str]]:
        """Declare every output, render those whose reads changed, and write; return the
        number of files, of files rendered, what the writer did and the paths rendered."""
        config = site.config
        tracked = TrackedSite(site)
        with tracked.untracked():
            outputs = declare(tracked.as_site(), self.theme, self.reuse)
        paths = [output.path for output in outputs]
        if paths != self.paths:  # as last written: none can clash, none is gone
            clashes = path_problems(outputs, config)
            if clashes:
                raise LitfassError(clashes)
        digests = Digests(self.known_digests)
        stale, updates = self.ledger.stale(site, digests)
        plan = self._plan(outputs, digests, stale)
        writer = self.writer
        try:
            for output in writer.begin(config, outputs, {o.path for o in plan.todo}, self.workers):
                plan.todo.append(output)  # not on disk as it should be: make it again
                plan.heads[output.path] = self._head(output, digests)
                self.ledger.why.setdefault(output.path, Why("output"))
            rendered = self._rendered(plan, tracked, digests, progress, working)
        except BaseException:
            writer.discard()  # output/ is untouched: the records still describe it
            raise
        try:
            written = writer.commit(outputs)
        except Restart:
            raise
        except BaseException:
            self.ledger = Ledger()  # output/ may not be what the records say: start afresh
            raise
        made = {o.path for o in plan.todo}
        self.ledger.commit(plan.records, made, updates, site, digests, plan.kept - made)
        self.ledger.declared = {output.path: output for output in outputs}
        self.known_digests = digests.known(site.pages)
        # The one-shot build saves the digests of what it keeps (see `_pickle`).
        self.last_digests = digests if self.publishes else None
        self.paths = paths
        return len(outputs), rendered, written, made

    def _plan(self, outputs: list[Output], digests: Digests, stale: set[str]) -> _Plan:
        """Keep the record of each output nothing it read has changed for; the rest is due."""
        plan = _Plan(outputs, {}, [], {}, set())
        declared, checked = self.ledger.declared, []
        for output in outputs:
            if output.path not in stale and declared.get(output.path) is output:
                # Declared from the very same objects (reuse.py), whose life ends with the
                # template set's: the same template, context and head; most files end here,
                # their records not even read from the store.
                plan.kept.add(output.path)
            else:
                checked.append(output)
        self.ledger.read_records(output.path for output in checked)
        for output in checked:
            head = self._head(output, digests)
            record = self.ledger.clean(output, head, digests, stale)
            if record is None:
                plan.todo.append(output)
                plan.heads[output.path] = head
            else:
                plan.records[output.path] = record
        return plan

    def _head(self, output: Output, digests: Digests) -> bytes:
        """What an output is made with, apart from its context and what it reads."""
        if output.source is not None:
            return digests.of(("copy", str(output.source), stamp(output.source)))
        if output.produce is not None:
            return digests.of(output.produce)
        return digests.of(self.templates.fingerprint(output.template))

    def _rendered(
        self,
        plan: _Plan,
        tracked: TrackedSite,
        digests: Digests,
        progress: Progress | None,
        working: Working | None = None,
    ) -> int:
        """Render each due output and hand it to the writer, over the workers when there are
        many (each worker writes what it rendered); its record goes into `plan`."""
        todo, env, site, writer = plan.todo, self.env, tracked.as_site(), self.writer
        assert env is not None
        workers = self.workers if len(todo) >= PARALLEL_FROM else 1
        if workers > 1:
            for name in sorted({o.template for o in todo if o.template}):
                # Compile once, before workers are forked; errors are reported when rendering.
                with contextlib.suppress(jinja2.TemplateError):
                    env.get_template(name)

        def render(part: Sequence[int]) -> tuple[list[tuple[str, set[tuple]]], Any]:
            done, files = [], []
            for index in part:
                output = todo[index]
                reads: set[tuple] = set()
                tracked.reads = reads
                try:
                    files.append(
                        (output.path, render_output(tracked_output(output, reads), env, site))
                    )
                finally:
                    tracked.reads = None
                done.append((output.path, reads))
            return done, writer.stage(files)

        by_path = {output.path: output for output in todo}
        count = 0
        # One object per distinct read, kept as the chunks come: the thousands of outputs
        # that read `site.news[0:10]` share it (the ledger's, if it knew it), and each
        # worker's copies are let go at once.
        known: dict[tuple, tuple] = {key: key for key in self.ledger.counts}
        for done, staged in _announced(render, todo, workers, working):
            writer.take(staged)
            for path, reads in done:
                shared = {known.setdefault(key, key) for key in reads}
                plan.records[path] = record_of(by_path[path], plan.heads[path], shared, digests)
            count += len(done)
            if progress:
                progress(count, len(todo))
        return count


def _page(kind: str, rel: str) -> Page:
    """Stands for a content file's page (`kind`: "page" or "final") in the saved Builder;
    `_Unpickler` puts the page of the item's row in its place."""
    raise LookupError(f"the {kind} of {rel} is read from its item's row")


class _Unpickler(pickle.Unpickler):
    """Loads a saved Builder, each page named by its file taken from the items' rows."""

    def __init__(self, data: bytes, items: dict[str, Item]) -> None:
        super().__init__(io.BytesIO(data))
        self.items = items

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == (__name__, _page.__name__):
            return lambda kind, rel: getattr(self.items[rel], kind)
        return super().find_class(module, name)


def _path(path: PurePath) -> tuple[type, tuple[str]]:
    return type(path), (str(path),)


def _shown(root: Path, path: Path) -> str:
    """A changed path as the editor knows it: relative to the site's folder."""
    try:
        return path.absolute().relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _announced(
    render: Callable[[Sequence[int]], R], todo: list[Output], workers: int, working: Working | None
) -> Iterator[R]:
    """The due outputs rendered in chunks; with `working`, each slow one (a new photo to
    resize) first, alone and announced, so the preview can say what takes so long."""
    slow = [index for index, output in enumerate(todo) if output.slow] if working else []
    for number, index in enumerate(slow, 1):
        assert working is not None
        working(todo[index].slow, number, len(slow))
        yield render([index])
    announced = set(slow)
    rest = [index for index in range(len(todo)) if index not in announced]
    chunk = lambda part: render([rest[i] for i in part])  # noqa: E731
    if workers > 1:
        yield from run_chunks(chunk, len(rest), workers, ordered=False)
    else:  # here, in pieces: progress is told after each
        for start in range(0, len(rest), IN_PROCESS_CHUNK):
            yield chunk(range(start, min(start + IN_PROCESS_CHUNK, len(rest))))
