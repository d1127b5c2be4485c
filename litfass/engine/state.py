"""The stamps of what the last build read, and what it reported, kept in the store
(`store.py`) to skip work the next build.

A build whose inputs did not change stops after a stat of every input (this module
imports nothing heavy for that); otherwise the next build takes up the last one's records
from the store and redoes only what the changed files affect, as the preview does.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.util
import os
import sqlite3
import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from stat import S_ISREG

import litfass
from litfass import __version__
from litfass.digests import hasher
from litfass.engine import store
from litfass.engine.store import Stamp, file_digest, stamp
from litfass.errors import LitfassError, Problem
from litfass.folders import CONFIG_NAME, DEFAULT_THEME, RECORD_NAME
from litfass.i18n import language

RACY_NS = 2_000_000_000  # a file changed this close to a scan may keep its mtime: hash it
# Libraries whose version can change the output (the rest is fixed by litfass's own files).
# lxml and tinycss2: the SVGs rebuilt (content/svg.py).
LIBRARIES = (
    "markdown", "nh3", "slugify", "jinja2", "babel", "feedgen", "yaml", "markupsafe", "lxml",
    "tinycss2",
)  # fmt: skip

__all__ = ["Stamp", "stamp"]


@dataclass(frozen=True)
class BuildResult:
    """What a build did, for the one-line summary."""

    items: int
    pages: int
    files: int
    written: int
    unchanged: int
    warnings: tuple[Problem, ...]
    seconds: float
    allow_html: bool
    rendered: int = -1  # outputs rendered; fewer than `files` when the cache saved work
    notes: tuple[str, ...] = ()  # items whose address changed or went (addresses.yaml)
    # Each output rendered and why: (path, kind, detail) as `records.Why` says (`--explain`).
    why: tuple[tuple[str, str, str], ...] = ()
    edited: tuple[str, ...] = ()  # the content files read anew, relative to the root


@dataclass(frozen=True)
class Inputs:
    """Fingerprints of everything a build reads, taken before it reads anything."""

    engine: str
    folders: tuple[str, ...]  # content and templates folder, relative to the root
    files: dict[str, Stamp]  # path relative to the root -> stamp
    taken_ns: int

    def changed(self, other: Inputs, root: Path) -> set[str] | None:
        """Paths whose bytes differ from `other`'s; None if the engine or folders differ."""
        if self.engine != other.engine or self.folders != other.folders:
            return None
        changed = set(self.files.keys() ^ other.files.keys())
        for path, now in self.files.items():
            old = other.files.get(path)
            if old is not None and old != now and not _same(now, old, root, path):
                changed.add(path)
        return changed

    @property
    def racy(self) -> bool:
        return any(s.digest for s in self.files.values())


def _same(new: Stamp, old: Stamp, root: Path, path: str) -> bool:
    if new[:3] != old[:3]:
        return False
    if not old.digest:
        return True
    # Recorded while its mtime was too fresh to trust: only its bytes can tell.
    return (new.digest or file_digest(root / path)) == old.digest


@dataclass(frozen=True)
class LastBuild:
    """The last committed build: its inputs, its options and what it reported."""

    inputs: Inputs
    drafts: bool
    future: bool
    today: date
    valid_until: datetime | None  # first moment a scheduled item becomes visible
    output: str  # output folder, relative to the root
    output_id: Stamp  # of output/ right after the swap
    result: BuildResult
    now: datetime | None = None  # the build's clock: an earlier one may show less
    site_now: datetime | None = None  # the site's clock (kept from a build taken up)


def engine_id() -> str:
    """litfass's own files and catalogs, its default theme (a site's templates/ override it,
    unstamped otherwise), the installed files of the libraries that shape the output, and the
    language of the messages (saved warnings are in it)."""
    package = Path(litfass.__file__).parent
    digest = hasher()
    digest.update(f"{__version__}:{language()}".encode())
    origins = [str(path) for path in sorted(package.rglob("*.py"))]
    origins += [str(path) for path in sorted(package.rglob("*.mo"))]
    origins += [str(path) for path in sorted(DEFAULT_THEME.rglob("*")) if path.is_file()]
    for name in LIBRARIES:  # an upgrade replaces the module file: its stamp is the version
        spec = importlib.util.find_spec(name)
        origins.append(str(spec.origin) if spec and spec.origin else name)
    for origin in origins:
        try:
            stat = os.stat(origin)
            digest.update(f"{origin}:{stat.st_size}:{stat.st_mtime_ns};".encode())
        except OSError:
            digest.update(f"{origin}:-;".encode())
    return digest.hexdigest()


def scan(root: Path, folders: tuple[str, ...], record: bool = False) -> Inputs:
    """Stamp config.yaml, the address record and every file under `folders`.

    When recording (before a build reads its inputs), files modified in the last moments
    also get a hash of their bytes: a later write in the same clock tick keeps the mtime.
    """
    now = time.time_ns()
    files: dict[str, Stamp] = {}
    racy_after = now - RACY_NS if record else now + RACY_NS
    _stamp(os.path.join(root, CONFIG_NAME), CONFIG_NAME, racy_after, files)
    _stamp(os.path.join(root, RECORD_NAME), RECORD_NAME, racy_after, files)
    for folder in folders:
        _walk(root, folder, racy_after, files)
    return Inputs(engine_id(), folders, files, now)


def _walk(root: Path, rel: str, racy_after: int, files: dict[str, Stamp]) -> None:
    # Strings, not Paths, for the thousands of files of a site: os.scandir names each entry.
    try:
        entries = sorted(os.scandir(os.path.join(root, rel)), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        path = f"{rel}/{entry.name}"
        try:
            if entry.is_dir(follow_symlinks=False):
                _walk(root, path, racy_after, files)
            else:
                _stamp(entry.path, path, racy_after, files, entry.stat())
        except OSError:  # a broken link: the build reports it
            files[path] = store.MISSING_FILE


def _stamp(
    file: str,
    rel: str,
    racy_after: int,
    files: dict[str, Stamp],
    stat: os.stat_result | None = None,
) -> None:
    try:
        stat = stat or os.stat(file)
    except OSError:
        return
    # Only regular files are read: a named pipe or a device must not block the check.
    racy = stat.st_mtime_ns >= racy_after and S_ISREG(stat.st_mode)
    digest = file_digest(Path(file)) if racy else ""
    files[rel] = stamp(file, stat)._replace(digest=digest)  # the one stamp, from this stat


def output_id(output: Path) -> Stamp:
    """Identity of the live output folder: a swap or a removal changes it."""
    return stamp(output)


def load(root: Path) -> LastBuild | None:
    """The last build as the store keeps it, or None (no store, or one not to trust)."""
    db = store.connect(root, create=False)
    if db is None:
        return None
    try:
        return read(db)
    finally:
        db.close()


def read(db: sqlite3.Connection) -> LastBuild | None:
    try:
        last = store.get(db, "last")
        if not isinstance(last, LastBuild):
            return None
        files = store.read_inputs(db)
    except Exception:  # from another version, or damaged: build afresh
        return None
    return dataclasses.replace(last, inputs=dataclasses.replace(last.inputs, files=files))


def write(db: sqlite3.Connection, last: LastBuild, before: LastBuild | None) -> None:
    """Keep `last` in the store (in the caller's transaction), its stamps as rows."""
    store.write_inputs(db, last.inputs.files, before.inputs.files if before else {})
    store.put(
        db, "last", dataclasses.replace(last, inputs=dataclasses.replace(last.inputs, files={}))
    )


def is_current(
    state: LastBuild, root: Path, now: datetime, drafts: bool, future: bool, inputs: Inputs
) -> bool:
    """Whether output/ is what a build with these options would make right now, its inputs
    stamped as `inputs`."""
    if (state.drafts, state.future, state.today) != (drafts, future, now.date()):
        return False
    if state.valid_until is not None and now >= state.valid_until:
        return False
    if state.now is not None and now < state.now:
        return False  # a look at later today: what was due then is not due now
    if output_id(root / state.output) != state.output_id:
        return False
    return inputs.changed(state.inputs, root) == set()


@dataclass(frozen=True)
class Check:
    """What the look at the last build found: its result again if nothing it depends on
    changed, and the stamps taken (before anything is read), which the build then uses."""

    result: BuildResult | None
    inputs: Inputs | None  # None: no last build, so nothing was stamped


def check(root: Path, now: datetime, drafts: bool, future: bool, strict: bool = False) -> Check:
    """The last result again if nothing it depends on has changed (with `strict`, its
    warnings are errors, as they were for the build that made it); one scan of the inputs
    either way, kept for the build that follows."""
    started = time.perf_counter()
    state = load(root)
    if state is None:
        return Check(None, None)
    inputs = scan(root, state.inputs.folders, record=True)
    if not is_current(state, root, now, drafts, future, inputs):
        return Check(None, inputs)
    if state.inputs.racy and not inputs.racy:  # the hashes were needed once; stat is safe now
        _settle(root, state, dataclasses.replace(state, inputs=inputs))
    result = state.result
    if strict and result.warnings:
        raise LitfassError([dataclasses.replace(w, severity="error") for w in result.warnings])
    seconds = time.perf_counter() - started
    fresh = BuildResult(
        items=result.items,
        pages=result.pages,
        files=result.files,
        written=0,
        unchanged=result.files,
        warnings=result.warnings,
        seconds=seconds,
        allow_html=result.allow_html,
        rendered=0,
    )
    return Check(fresh, inputs)


def _settle(root: Path, before: LastBuild, now: LastBuild) -> None:
    db = store.connect(root, create=False)
    if db is None:
        return
    with contextlib.suppress(sqlite3.Error), contextlib.closing(db), store.transaction(db):
        write(db, now, before)


def forget(db: sqlite3.Connection) -> None:
    """Drop the last build before output/ changes, so a crash cannot leave it describing old
    output."""
    store.forget(db, "last")
