"""What the last build read and made, kept in .litfass-cache/ to skip work the next build.

A build whose inputs did not change stops after a stat of every input (this module
imports nothing heavy for that); otherwise the next build takes up the saved `Builder` with
its records and redoes only what the changed files affect, as the preview does.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.util
import os
import pickle
import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from stat import S_ISREG
from typing import Any

import litfass
from litfass import __version__
from litfass.atomic import write_whole
from litfass.digests import digest, hasher
from litfass.engine.collector import collector_paused
from litfass.errors import LitfassError, Problem
from litfass.folders import CACHE_DIR, CONFIG_NAME, DEFAULT_THEME, RECORD_NAME
from litfass.i18n import language

STATE_FILE = "state.pickle"  # small: input fingerprints and the last result
BUILDER_FILE = "builder.pickle"  # large: the Builder with every page and every record
RACY_NS = 2_000_000_000  # a file changed this close to a scan may keep its mtime: hash it
# Libraries whose version can change the output (the rest is fixed by litfass's own files).
# lxml and tinycss2: the SVGs rebuilt (content/svg.py).
LIBRARIES = (
    "markdown", "nh3", "slugify", "jinja2", "babel", "feedgen", "yaml", "markupsafe", "lxml",
    "tinycss2",
)  # fmt: skip

Stamp = tuple[int, int, int, str]  # size, mtime_ns, inode, content hash ('' unless racy)


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
        for path, stamp in self.files.items():
            old = other.files.get(path)
            if old is not None and old != stamp and not _same(stamp, old, root, path):
                changed.add(path)
        return changed

    @property
    def racy(self) -> bool:
        return any(stamp[3] for stamp in self.files.values())


def _same(new: Stamp, old: Stamp, root: Path, path: str) -> bool:
    if new[:3] != old[:3]:
        return False
    if not old[3]:
        return True
    # Recorded while its mtime was too fresh to trust: only its bytes can tell.
    return (new[3] or _digest(root / path)) == old[3]


def _digest(path: Path) -> str:
    try:
        return digest(path).hex()  # in chunks: a content file may be a large video
    except OSError:
        return ""


@dataclass(frozen=True)
class LastBuild:
    """The last committed build: its inputs, its options and what it reported."""

    inputs: Inputs
    drafts: bool
    future: bool
    today: date
    valid_until: datetime | None  # first moment a scheduled item becomes visible
    output: str  # output folder, relative to the root
    output_id: tuple[int, int]  # inode and mtime of output/ right after the swap
    result: BuildResult
    now: datetime | None = None  # the build's clock: an earlier one may show less


def engine_id() -> str:
    """litfass's own files and catalogs, its default theme (a site's templates/ override it,
    unstamped otherwise), the installed files of the libraries that shape the output, and the
    language of the messages (saved warnings are in it)."""
    package = Path(litfass.__file__).parent
    key = hasher()
    key.update(f"{__version__}:{language()}".encode())
    origins = [str(path) for path in sorted(package.rglob("*.py"))]
    origins += [str(path) for path in sorted(package.rglob("*.mo"))]
    origins += [str(path) for path in sorted(DEFAULT_THEME.rglob("*")) if path.is_file()]
    for name in LIBRARIES:  # an upgrade replaces the module file: its stamp is the version
        spec = importlib.util.find_spec(name)
        origins.append(str(spec.origin) if spec and spec.origin else name)
    for origin in origins:
        try:
            stat = os.stat(origin)
            key.update(f"{origin}:{stat.st_size}:{stat.st_mtime_ns};".encode())
        except OSError:
            key.update(f"{origin}:-;".encode())
    return key.hexdigest()


def scan(root: Path, folders: tuple[str, ...], record: bool = False) -> Inputs:
    """Stamp config.yaml, the address record and every file under `folders`.

    When recording (before a build reads its inputs), files modified in the last moments
    also get a hash of their bytes: a later write in the same clock tick keeps the mtime.
    """
    now = time.time_ns()
    files: dict[str, Stamp] = {}
    racy_after = now - RACY_NS if record else now + RACY_NS
    _stamp(root, CONFIG_NAME, racy_after, files)
    _stamp(root, RECORD_NAME, racy_after, files)
    for folder in folders:
        _walk(root, folder, racy_after, files)
    return Inputs(engine_id(), folders, files, now)


def _walk(root: Path, rel: str, racy_after: int, files: dict[str, Stamp]) -> None:
    try:
        entries = sorted(os.scandir(root / rel), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        path = f"{rel}/{entry.name}"
        try:
            if entry.is_dir(follow_symlinks=False):
                _walk(root, path, racy_after, files)
            else:
                _stamp(root, path, racy_after, files, entry.stat())
        except OSError:  # a broken link: the build reports it
            files[path] = (-1, 0, 0, "")


def _stamp(root: Path, rel: str, racy_after: int, files: dict[str, Stamp], stat=None) -> None:
    try:
        stat = stat or os.stat(root / rel)
    except OSError:
        return
    # Only regular files are read: a named pipe or a device must not block the check.
    racy = stat.st_mtime_ns >= racy_after and S_ISREG(stat.st_mode)
    digest = _digest(root / rel) if racy else ""
    files[rel] = (stat.st_size, stat.st_mtime_ns, stat.st_ino, digest)


def output_id(output: Path) -> tuple[int, int]:
    """Identity of the live output folder: a swap or a removal changes it."""
    try:
        stat = output.stat()
    except OSError:
        return (0, 0)
    return (stat.st_ino, stat.st_mtime_ns)


def load(root: Path) -> LastBuild | None:
    found = _read(root / CACHE_DIR / STATE_FILE)
    return found if isinstance(found, LastBuild) else None


def load_builder(root: Path) -> Any:
    """The Builder the last build saved (the caller checks its type), or None."""
    return _read(root / CACHE_DIR / BUILDER_FILE)


def _read(path: Path) -> Any:
    try:
        with open(path, "rb") as handle, collector_paused(freeze=True):
            return pickle.load(handle)
    except Exception:  # missing, from another version, or damaged: build afresh
        return None


def is_current(state: LastBuild, root: Path, now: datetime, drafts: bool, future: bool) -> bool:
    """Whether output/ is what a build with these options would make right now."""
    if (state.drafts, state.future, state.today) != (drafts, future, now.date()):
        return False
    if state.valid_until is not None and now >= state.valid_until:
        return False
    if state.now is not None and now < state.now:
        return False  # a look at later today: what was due then is not due now
    if output_id(root / state.output) != state.output_id:
        return False
    return scan(root, state.inputs.folders).changed(state.inputs, root) == set()


def fresh_result(
    root: Path, now: datetime, drafts: bool, future: bool, strict: bool = False
) -> BuildResult | None:
    """The last result again if nothing it depends on has changed, else None.

    With `strict`, its warnings are errors, as they were for the build that made it.
    """
    started = time.perf_counter()
    state = load(root)
    if state is None or not is_current(state, root, now, drafts, future):
        return None
    if state.inputs.racy:  # the hashes were needed once; stat alone is safe from now on
        settled = scan(root, state.inputs.folders, record=True)
        if not settled.racy and settled.changed(state.inputs, root) == set():
            with contextlib.suppress(OSError):
                save(root, dataclasses.replace(state, inputs=settled), None)
    result = state.result
    if strict and result.warnings:
        raise LitfassError([dataclasses.replace(w, severity="error") for w in result.warnings])
    seconds = time.perf_counter() - started
    return BuildResult(
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


def save(root: Path, state: LastBuild, builder: object | None) -> None:
    """Write both files, each atomically; the Builder first, so a state never points ahead."""
    folder = root / CACHE_DIR
    folder.mkdir(exist_ok=True)
    if builder is not None:
        _write(folder / BUILDER_FILE, builder)
    _write(folder / STATE_FILE, state)


def forget(root: Path) -> None:
    """Drop the state before output/ changes, so a crash cannot leave it describing old output."""
    with contextlib.suppress(OSError):
        (root / CACHE_DIR / STATE_FILE).unlink()


def _write(path: Path, value: object) -> None:
    with collector_paused(freeze=True):  # made again by a cold build if lost: not flushed
        write_whole(path, lambda f: pickle.dump(value, f, pickle.HIGHEST_PROTOCOL), durable=False)
