"""The one-shot build behind `litfass build`: take up the last build's Builder, or start one.

config.yaml -> Config -> content/**/*.md -> [Page] -> Site -> [Output] -> output/
A build whose inputs did not change stops after a stat of each; any other build runs the
same Builder as the preview, so it redoes only what the changed files affect.
"""

from __future__ import annotations

import contextlib
import dataclasses
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from litfass import addresses
from litfass.config import Settings, read_settings
from litfass.content.model import BuildOptions
from litfass.engine import state, store
from litfass.engine.builder import Builder, Progress, RebuildResult
from litfass.engine.state import BuildResult
from litfass.errors import Problem
from litfass.folders import CONFIG_NAME, RECORD_NAME
from litfass.outputs import Output
from litfass.outputs.declare import declare
from litfass.outputs.theme import theme_files
from litfass.site import Site
from litfass.write.lock import build_lock

__all__ = ["BuildResult", "build", "declare_outputs", "load_site"]


def load_site(
    root: Path,
    options: BuildOptions,
    workers: int = 1,
    use_cache: bool = False,
    lenient: bool = False,
    settings: Settings | None = None,
) -> tuple[Site, list[Problem]]:
    """Read and validate everything; raise LitfassError with every error found.

    Bodies are rendered over `workers` processes; with `use_cache` they come from the
    Markdown cache when they can, and new ones are stored there (this writes to the site).
    `lenient`: content files with errors are left out of the site and their errors returned
    with the warnings (what `check` needs to check the links of the others). `settings`:
    config.yaml as the command line read it (else it is read here).
    """
    builder = Builder(root, lambda: options, workers, use_cache, settings=settings)
    return builder.load(lenient=lenient)


def declare_outputs(site: Site) -> list[Output]:
    """Every file a build of `site` would write, without producing any of them."""
    return declare(site, theme_files(site.config))


def build(
    root: Path,
    options: BuildOptions,
    strict: bool = False,
    progress: Progress | None = None,
    workers: int = 1,
    use_cache: bool = True,
    checked: state.Check | None = None,
    settings: Settings | None = None,
) -> BuildResult:
    """Build the site in `root` into its output folder, atomically, over `workers` processes.

    With the cache, a build whose inputs did not change stops after checking them (unless
    the caller did that already: `checked`, whose stamps are used), and any other build
    starts from the last one's records. `settings`: config.yaml as the command line read it
    (else it is read here).
    """
    started = time.perf_counter()
    with build_lock(root):
        if use_cache and checked is None:
            checked = state.check(root, options.now, options.drafts, options.future, strict)
        result = checked.result if checked is not None else None
        if result is None:
            settings = settings or read_settings(root)
            scanned = checked.inputs if checked is not None else None
            build = _Build(options, strict, workers, use_cache, progress, settings)
            result = _rebuild(root, build, scanned)
    return dataclasses.replace(result, seconds=time.perf_counter() - started)


@dataclass(frozen=True)
class _Build:
    """What one build is asked to do."""

    options: BuildOptions
    strict: bool
    workers: int
    use_cache: bool
    progress: Progress | None
    settings: Settings


def _rebuild(root: Path, build: _Build, scanned: state.Inputs | None) -> BuildResult:
    options, workers, settings = build.options, build.workers, build.settings
    inputs = _stamps(root, settings, scanned)
    db = store.connect(root) if build.use_cache else None
    with contextlib.closing(db) if db is not None else contextlib.nullcontext():
        before, builder, changed = _resume(root, options, workers, inputs, db, settings)
        if builder is None:
            builder = Builder(root, lambda: options, workers, build.use_cache, True, settings)
        if db is not None:
            _cache_failed(
                lambda: state.forget(db)
            )  # a crash must not leave it describing old output
        rebuilt = builder.rebuild(changed, build.strict, build.progress)
        records = records_addresses(options)
        result = _result(rebuilt, builder, records)
        if records:
            _record_addresses(root, builder, inputs)
        if db is not None:
            builder.let_go()
            _save(db, builder, inputs, options, result, before if changed is not None else None)
    return result


def records_addresses(options: BuildOptions) -> bool:
    """Whether a build may write the address record: only one of the public site as of the
    real now. A build as of a later day, with drafts or with scheduled items shows what is
    not public yet; recorded, an embargoed item's title would stay in addresses.yaml and its
    address answer 410 after the next build, unlike one that never existed."""
    return not (options.drafts or options.future) and options.now <= datetime.now(UTC)


def _record_addresses(root: Path, builder: Builder, inputs: state.Inputs) -> None:
    """Save the address record this build brought up to date; its new stamp is an input
    already seen, so the next build does not start over for it."""
    entries = builder.addresses.entries
    if entries == builder.record and RECORD_NAME in inputs.files:
        return  # the file holds these entries already: not even made into text again
    if addresses.write_record(root, entries):
        stamps = state.scan(root, (), record=True).files
        inputs.files[RECORD_NAME] = stamps[RECORD_NAME]
    builder.record = entries


def _stamps(root: Path, settings: Settings, scanned: state.Inputs | None) -> state.Inputs:
    """Stamps of config.yaml and of the content and template folders it names, taken before
    they are read (`scanned`: those the look at the last build took, if of these folders):
    a save meanwhile counts next time. config.yaml was read already: if it changed since,
    its stamp is left out, so the next build sees it as changed."""
    config, _ = settings.loaded()
    folders = (config.content_dir, config.templates_dir)
    inputs = scanned
    if inputs is None or inputs.folders != folders:
        inputs = state.scan(root, folders, record=True)
    stamp = inputs.files.get(CONFIG_NAME)
    if stamp is None or settings.stamp is None or stamp[:3] != settings.stamp[:3]:
        inputs.files.pop(CONFIG_NAME, None)
    return inputs


def _resume(
    root: Path,
    options: BuildOptions,
    workers: int,
    inputs: state.Inputs,
    db: sqlite3.Connection | None,
    settings: Settings,
) -> tuple[state.LastBuild | None, Builder | None, set[Path] | None]:
    """The last build, a Builder taking it up and the paths changed since, if this build
    can go on from there."""
    old = state.read(db) if db is not None else None
    if db is None or old is None or (old.drafts, old.future) != (options.drafts, options.future):
        return old, None, None
    if old.today != options.now.date() or (old.valid_until and options.now >= old.valid_until):
        return old, None, None  # lists that depend on the day (upcoming events) may differ
    if state.output_id(root / old.output) != old.output_id:
        return old, None, None  # output/ is not what that build left
    changed = inputs.changed(old.inputs, root)
    if changed is None or old.site_now is None or options.now < old.site_now:
        return old, None, None  # a look at later today came first: what was due then is not now
    # Same day, no scheduled item due: nothing the clock decides can differ from the last
    # build, so its clock is kept and an edited page can be swapped into its lists.
    kept = dataclasses.replace(options, now=old.site_now)
    builder = Builder(root, lambda: kept, workers, True, True, settings)
    try:
        builder.restore(db)
    except Exception:  # a store from another version, or damaged: build afresh
        return old, None, None
    return old, builder, {root / rel for rel in changed}


def _result(rebuilt: RebuildResult, builder: Builder, records: bool) -> BuildResult:
    return BuildResult(
        items=len(rebuilt.site.pages),
        pages=sum(path.endswith(".html") for path in builder.paths),
        files=rebuilt.files,
        written=rebuilt.written,
        unchanged=rebuilt.unchanged,
        warnings=rebuilt.warnings,
        seconds=rebuilt.seconds,
        allow_html=rebuilt.site.config.allow_html,
        rendered=rebuilt.rendered,
        notes=rebuilt.addresses.notes if records else (),  # nothing was recorded
        why=tuple((path, why.kind, why.detail) for path, why in rebuilt.why),
        edited=rebuilt.edited,
    )


def _save(
    db: sqlite3.Connection,
    builder: Builder,
    inputs: state.Inputs,
    options: BuildOptions,
    result: BuildResult,
    before: state.LastBuild | None,
) -> None:
    """Remember this build (`before`: the build it took up, else everything is written
    anew), in one transaction; a store that cannot be written only costs the next build
    time."""
    config = builder.config
    assert config is not None
    remembered = state.LastBuild(
        inputs=inputs,
        drafts=options.drafts,
        future=options.future,
        today=options.now.date(),
        valid_until=_valid_until(builder, options),
        output=config.output_dir,
        output_id=state.output_id(config.output_path),
        result=result,
        now=options.now,
        site_now=builder.site.now if builder.site is not None else options.now,
    )

    try:
        with store.transaction(db):
            builder.save(db, everything=before is None)
            state.write(db, remembered, before)
    except sqlite3.OperationalError:
        pass  # locked, or the disk full: only the next build takes longer
    except sqlite3.DatabaseError:  # damaged where the reads did not reach: start it afresh
        store.discard(builder.root)
    except OSError:
        pass


def _cache_failed(step: Callable[[], None]) -> None:
    """Run a step that keeps the store; a locked or full disk costs the next build time."""
    with contextlib.suppress(OSError, sqlite3.Error):
        step()


def _valid_until(builder: Builder, options: BuildOptions) -> datetime | None:
    """The first moment a scheduled item becomes visible, which this build left out."""
    if options.future:
        return None
    dates = [
        item.page.date
        for item in (builder.sources.items.values() if builder.sources else ())
        if item.page is not None and item.page.date is not None and item.page.date > options.now
    ]
    return min(dates, default=None)
