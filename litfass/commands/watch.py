"""`watch`: rebuild the site into output/ whenever content, templates or config.yaml change.

The rebuild loop here is shared with `serve`. Ctrl-C stops it cleanly (exit code 0).
"""

from __future__ import annotations

import argparse
import os
import signal
import time
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from litfass.commands import common
from litfass.config import Config, Settings
from litfass.content.model import BuildOptions, Page
from litfass.errors import LitfassError, Problem, unreadable
from litfass.i18n import N_, _
from litfass.preview.watcher import QUIET, Watcher

if TYPE_CHECKING:  # imported where used: a plain build must not pay for them at start-up
    from litfass.engine.builder import RebuildResult
    from litfass.site import Site

MANY_FILES = 200  # a rebuild that makes this many says how far it is
SEARCH_PAUSE = 2.0  # seconds without saves before the search index (and .gz) is made again
EXAMPLES = N_("""\
examples:
  python build.py watch            rebuild output/ on every save
  python build.py watch --drafts   include drafts (marked "Entwurf")
""")


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "watch",
        help=_("rebuild output/ whenever a file changes"),
        description=_("Build the site, then rebuild what changed on every save, until Ctrl-C."),
        epilog=_(EXAMPLES),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_watch_options(parser)
    parser.set_defaults(run=run)


def add_watch_options(parser: argparse.ArgumentParser) -> None:
    common.add_site_options(parser)
    parser.add_argument(
        "--debounce",
        metavar=_("MS"),
        type=int,
        default=int(QUIET * 1000),
        help=_(
            "rebuild once no file changed for MS milliseconds "
            "(default: {default}; more for slow network drives)"
        ).format(default=int(QUIET * 1000)),
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    loop = RebuildLoop(args, settings)
    try:
        loop.start()
        print(_("Watching content, templates and config.yaml; Ctrl-C stops."), flush=True)
        loop.run()
    except KeyboardInterrupt:
        pass
    finally:
        loop.close()
    print(_("Stopped."), flush=True)
    return common.EXIT_OK


class RebuildLoop:
    """Builds once, then rebuilds after each settled burst of changes, printing what it did."""

    def __init__(
        self,
        args: argparse.Namespace,
        settings: Settings,
        on_change: Callable[[Sequence[Problem]], None] | None = None,
    ) -> None:
        self.root: Path = args.root
        self.quiet = max(0, args.debounce) / 1000
        from litfass.engine.builder import Builder  # here: `build` must not pay for importing it

        self.builder = Builder(args.root, options_factory(args, settings), settings=settings)
        self.on_change = on_change  # told after every rebuild that changed what a browser sees
        self.on_progress: Callable[[str], None] | None = None  # told of slow steps, then ""
        self._announced = ""  # the photo the last progress line named
        self._quarter = -1  # of the files the running rebuild makes, as last said
        # Dead links by file, with the page they were found in: checked again only for a
        # page that changed, or for all when files came or went (`_links_basis`).
        self._links: dict[str, tuple[Page, list[Problem]]] = {}
        self._links_basis: tuple[list[str], list[str]] = ([], [])
        self.watcher: Watcher | None = None
        self.failed: tuple[Problem, ...] = ()
        self.warned: set[Problem] = set()
        self._handler: Callable[[int, FrameType | None], Any] | int | None = None  # SIGTERM's

    @property
    def config(self) -> Config | None:
        return self.builder.config

    def start(self) -> None:
        """Watch first (so no save during the first build is missed), then build."""
        self._handler = signal.signal(signal.SIGTERM, _interrupt)
        self._watch()
        print(_("Building the site ..."), flush=True)
        self.rebuild(None)

    def run(self) -> None:
        while True:
            assert self.watcher is not None
            changed = self.watcher.changes(timeout=SEARCH_PAUSE)
            if changed:
                self.rebuild(changed)
            elif changed is None:
                self._finish_extras()

    def _finish_extras(self) -> None:
        """Once the editor pauses, make the search index and .gz/.br files (slow) anew."""
        try:
            if self.builder.finish_extras():
                updated = _("{time} search index and compressed files updated")
                print(updated.format(time=time.strftime("%H:%M:%S")), flush=True)
        except LitfassError as exc:
            common.report(exc.problems)

    def rebuild(self, changed: Collection[Path] | None) -> None:
        if self.watcher is not None and self.watcher.stale:
            self._watch()  # before reading the new folder: no save into it is missed
        try:
            result = self.builder.rebuild(changed, progress=self._progress, working=self._working)
        except (LitfassError, OSError) as exc:
            # Files changed while being read (a copy under way, a folder deleted, a sync
            # client at work): the next rebuild reports. An OSError is such a file gone
            # between two steps of the engine; the preview says so and lives on.
            problems = exc.problems if isinstance(exc, LitfassError) else [self._vanished(exc)]
            if self.watcher is None or not self.watcher.busy():
                self._failed(problems)
        else:
            self._done(result, changed)
        if self.watcher is None or self.watcher.folders != self._folders():
            self._watch()  # config.yaml moved content/ or templates/

    def _vanished(self, exc: OSError) -> Problem:
        where = self._shown(Path(os.fsdecode(exc.filename))) if exc.filename else "."
        return Problem(where, 0, unreadable(exc))

    def close(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
        self.builder.close()
        if self._handler is not None:  # the process goes on (a test, an editor's tool)
            signal.signal(signal.SIGTERM, self._handler)
            self._handler = None

    def _working(self, what: str, number: int, count: int) -> None:
        """A slow step (a new photo resized): say so here and in the open tabs."""
        text = _("resizing images: {number} of {count} ({file}) ...").format(
            number=number, count=count, file=what
        )
        if what != self._announced:  # a line per photo; the tabs follow each size
            print(f"{time.strftime('%H:%M:%S')} {text}", flush=True)
            self._announced = what
        if self.on_progress:
            self.on_progress(text)

    def _progress(self, done: int, total: int) -> None:
        """Many files to make (the first build of a large site): a line each quarter."""
        quarter = done * 4 // total
        if total < MANY_FILES or quarter == self._quarter:
            return
        self._quarter = quarter
        text = _("making files: {done} of {total} ...").format(done=done, total=total)
        print(f"{time.strftime('%H:%M:%S')} {text}", flush=True)
        if self.on_progress:
            self.on_progress(text)

    def _dead_links(self, site: Site) -> list[Problem]:
        """What `check` says of links and images that lead nowhere, for the pages of `site`."""
        from litfass.editors.checks import dead_links

        unpublished = self.builder.unpublished()
        basis = (self.builder.paths, sorted(page.url for page in unpublished))
        if basis != self._links_basis:
            self._links, self._links_basis = {}, basis
        kept = self._links
        due = [page for page in site.pages if kept.get(page.source, (None,))[0] is not page]
        options = self.builder.options()
        found = dead_links(site, set(self.builder.paths), unpublished, options, due)
        self._links = {page.source: kept[page.source] for page in site.pages if page.source in kept}
        for page in due:
            self._links[page.source] = (page, [p for p in found if p.path == page.source])
        return [problem for _, problems in self._links.values() for problem in problems]

    def _done(self, result: RebuildResult, changed: Collection[Path] | None) -> None:
        self._announced, self._quarter = "", -1
        warnings = {*result.warnings, *self._dead_links(result.site)}
        shown = result.written or result.removed or self.failed or warnings != self.warned
        # Tell the browsers first: whoever reads the line below may look at the page at once.
        if self.on_change and (shown or not changed):
            self.on_change(sorted(warnings))
        self.failed = ()
        common.report(sorted(warnings - self.warned))  # each warning once, not every save
        self.warned = warnings
        if changed is None:
            built = _("Built {items} items into {files} files in {seconds} s").format(
                items=len(result.site.pages),
                files=len(self.builder.ledger.records),
                seconds=common.seconds(result.seconds),
            )
            print(built, flush=True)
        else:
            names = ", ".join(sorted(self._shown(p) for p in changed)[:3])
            more = _(" and {count} more").format(count=len(changed) - 3) if len(changed) > 3 else ""
            rebuilt = _(
                "{time} {names}{more}: rebuilt in {seconds} s "
                "({made} made, {written} written, {removed} removed)"
            )
            print(
                rebuilt.format(
                    time=time.strftime("%H:%M:%S"),
                    names=names,
                    more=more,
                    seconds=common.seconds(result.seconds),
                    made=result.rendered,
                    written=result.written,
                    removed=len(result.removed),
                ),
                flush=True,
            )

    def _failed(self, problems: Sequence[Problem]) -> None:
        self._announced, self._quarter = "", -1
        if self.on_change and tuple(problems) != self.failed:
            self.on_change(problems)
        self.failed = tuple(problems)
        common.report(list(problems))
        print(
            _("{time} not rebuilt; save the fixed file").format(time=time.strftime("%H:%M:%S")),
            flush=True,
        )

    def _folders(self) -> tuple[Path, ...]:
        config = self.builder.config
        if config is None:  # config.yaml is broken: watch where the folders usually are
            return ((self.root / "content").absolute(), (self.root / "templates").absolute())
        return (config.content_path.absolute(), config.templates_path.absolute())

    def _watch(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
        from litfass.folders import CONFIG_NAME

        self.watcher = Watcher(self.root / CONFIG_NAME, self._folders(), quiet=self.quiet)
        self.watcher.start()

    def _shown(self, path: Path) -> str:
        try:
            return path.absolute().relative_to(self.root.absolute()).as_posix()
        except ValueError:
            return str(path)


def options_factory(args: argparse.Namespace, settings: Settings) -> Callable[[], BuildOptions]:
    """Build options per rebuild: without --now the clock moves on while watching (the site
    shows it in its zone, also after config.yaml changed it)."""
    fixed = common.options_from(args, settings.tz)
    if args.now:
        return lambda: fixed
    zone = settings.tz

    def options() -> BuildOptions:
        # To the minute: what shows "now" (feeds, calendars) is then made again once a
        # minute at most, not on every save; scheduled items appear within that minute.
        now = common.parse_now(None, zone).replace(second=0, microsecond=0)
        return BuildOptions(now=now, drafts=args.drafts, future=args.future)

    return options


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # `kill` stops as cleanly as Ctrl-C
