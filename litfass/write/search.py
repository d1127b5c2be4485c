"""Full-text search: a Pagefind index of the site's pages, made before the site goes live.

Pagefind (from PyPI) reads the pages marked `data-pagefind-body` and writes a static index
with German stemming (from `<html lang="de">`) to /pagefind/. Pagefind cannot add or replace
one page in an index, so a large site is indexed in parts, each of a fixed share of the pages
(by a hash of their path) and cached by their digests: an edit runs Pagefind over the edited
page's part alone. The parts are then joined into the one index readers get
(`searchmerge.py`: a reader's first search costs what one index costs), itself cached by the
parts' keys, so a rebuild gives the very files a cold build gives.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from litfass.atomic import link_or_copy, rename, write_whole
from litfass.digests import hasher, stamp
from litfass.errors import LitfassError
from litfass.folders import CACHE_DIR, SEARCH_FOLDER
from litfass.i18n import _
from litfass.write.disk import files_below
from litfass.write.searchmerge import (
    ENTRY,
    JOINING,
    WORDS,
    Unmergeable,
    merge,
    prepare,
    sorted_languages,
)

FOLDER = SEARCH_FOLDER
# In /pagefind/: the parts a theme's own search script once merged; always none now, for
# such a script (docs/theme.md#search) to keep working against the one index.
PARTS_FILE = "parts.json"
JOINED = "joined-"  # a cache entry joined from parts: where the next joining finds chunks
WHOLE = "whole-"  # one Pagefind run over every page, where the parts cannot be joined
PART_PAGES = 200  # pages per part: an edit indexes about this many pages again
MOST_PARTS = 64  # so parts grow past PART_PAGES on the largest sites (40000: 625 pages)
# Pagefind's own result widgets: the theme has its own small script, so leave them out.
UNUSED = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-highlight.js",
)
# The attribute on an element (never in text, where `<` is escaped): a page without it is
# left out of the index as soon as any page of the site has it.
MARKED = re.compile(rb"<[A-Za-z][^<>]*\sdata-pagefind-body[\s=/>]")


def is_marked(page: bytes) -> bool:
    """Whether an HTML page marks the part of it Pagefind indexes."""
    return MARKED.search(page) is not None


@dataclass(frozen=True)
class Part:
    """One part of the index: the pages it holds, and the key of its cache entry."""

    pages: tuple[str, ...]
    key: str


def parts(pages: dict[str, bytes], marked: set[str]) -> list[Part]:
    """The parts of the index of these HTML pages (path -> digest of their bytes).

    Only marked pages are indexed when there are any, as Pagefind does for a whole site.
    A page's part depends on its path alone (and the number of parts on their count), so
    an edit changes the key of the parts of the pages whose bytes changed, no other.
    """
    chosen = sorted(p for p in pages if p in marked) or sorted(pages)
    count = min(MOST_PARTS, max(1, round(len(chosen) / PART_PAGES)))
    groups: list[list[str]] = [[] for _ in range(count)]
    for path in chosen:
        groups[_bucket(path, count)].append(path)
    version = _program()[1]
    found: list[Part] = []
    for group in (g for g in groups if g):
        key = hasher()
        key.update(version.encode())
        for path in group:
            key.update(f"{path}\0".encode() + pages[path])
        found.append(Part(tuple(group), key.hexdigest()[:24]))
    return found


def _bucket(path: str, count: int) -> int:
    # Not a digest of bytes but which part a page falls into: it shapes the published index,
    # so it stays as it was (BLAKE2b) rather than follow litfass.digests.
    return int.from_bytes(hashlib.blake2b(path.encode(), digest_size=4).digest(), "big") % count


def index_files(root: Path, site: Path, wanted: list[Part], workers: int) -> dict[str, str]:
    """Every file of the one index of the pages in `site`, by its path in the site, in the cache.

    Parts not in the cache are made over `workers` Pagefind processes (one core each), then
    joined into one index unless it is in the cache already.
    """
    cache = (root / CACHE_DIR / "search").resolve()
    cache.mkdir(parents=True, exist_ok=True)
    due = [part for part in wanted if not (cache / part.key / ENTRY).is_file()]
    if due:
        with ThreadPoolExecutor(max(1, workers)) as pool:
            for failure in pool.map(lambda p: _make(site, cache, p), due):
                _raise(failure)
    whole = _whole(site, cache, wanted)
    _forget_others(cache, {part.key for part in wanted} | {whole.key})
    entry = cache / whole.key
    files = {f"{FOLDER}/{rel}": f"{entry}/{rel}" for rel in sorted(files_below(entry))}
    files[f"{FOLDER}/{PARTS_FILE}"] = str(_no_parts(cache))
    return files


def _whole(site: Path, cache: Path, wanted: list[Part]) -> Part:
    """The one index of all the parts' pages, joined from the parts into the cache.

    Where the parts cannot be joined (a theme's filters or sorts, a Pagefind whose files
    this litfass does not know), Pagefind indexes every page at once instead.
    """
    if len(wanted) == 1:
        return wanted[0]
    keys = hasher()
    keys.update(" ".join([JOINING, *(part.key for part in wanted)]).encode())
    digest = keys.hexdigest()[:24]
    pages = tuple(page for part in wanted for page in part.pages)
    joined, made = Part(pages, JOINED + digest), Part(pages, WHOLE + digest)
    for whole in (joined, made):
        if (cache / whole.key / ENTRY).is_file():
            return whole
    unfinished = cache / f".{joined.key}.tmp"
    shutil.rmtree(unfinished, ignore_errors=True)
    try:
        earlier = sorted(cache.glob(f"{JOINED}*"))
        merge([cache / part.key for part in wanted], unfinished, earlier)
    except Unmergeable:
        shutil.rmtree(unfinished, ignore_errors=True)
        _raise(_make(site, cache, made))
        return made
    shutil.rmtree(cache / joined.key, ignore_errors=True)
    rename(unfinished, cache / joined.key, durable=False)
    return joined


def _no_parts(cache: Path) -> Path:
    """The list of parts to merge, empty, as a file (renamed into place, never rewritten:
    the site links it)."""
    path = cache / PARTS_FILE
    if not path.is_file():
        write_whole(path, b"[]\n", durable=False)
    return path


def _raise(failure: str) -> None:
    if failure:
        message = _("search index failed: {reason}").format(reason=failure)
        raise LitfassError.at("pagefind", 0, message)


def _executable() -> list[str]:
    """Pagefind's program, from the `pagefind[extended]` package: its binary package's
    program at once where it is found (no Python start per part), else through `pagefind`."""
    if importlib.util.find_spec("pagefind") is None:
        message = _("search needs Pagefind: pip install 'pagefind[extended]'")
        raise LitfassError.at("pagefind", 0, message)
    chosen = os.environ.get("PAGEFIND_BINARY_PATH")  # as the pagefind package honours it
    if chosen:
        return [chosen]
    for name in ("pagefind_bin_extended", "pagefind_bin"):
        if importlib.util.find_spec(name) is not None:
            with contextlib.suppress(Exception):  # a broken install: let pagefind say why
                return [str(importlib.import_module(name).get_executable())]
    return [sys.executable, "-m", "pagefind"]


def _make(site: Path, cache: Path, part: Part) -> str:
    """Run Pagefind over the part's pages into its cache entry; the error, if it failed."""
    executable = _program()[0]
    entry = cache / part.key
    unfinished = cache / f".{part.key}.tmp"
    pages = cache / f".{part.key}.pages"
    shutil.rmtree(unfinished, ignore_errors=True)
    shutil.rmtree(pages, ignore_errors=True)
    _link_pages(site, part.pages, pages)
    # Run inside a folder of the pages alone, so no pagefind.yml of the project can change
    # the index, and the order Pagefind finds them in is the same for the same pages.
    command = [*executable, "--site", ".", "--output-path", str(unfinished)]
    try:
        done = subprocess.run(command, cwd=pages, capture_output=True, text=True, check=False)
    finally:
        shutil.rmtree(pages, ignore_errors=True)
    if done.returncode != 0:
        message = (done.stderr or done.stdout).strip().splitlines()
        shutil.rmtree(unfinished, ignore_errors=True)
        return message[-1] if message else _("no output")
    for name in UNUSED:
        (unfinished / name).unlink(missing_ok=True)
    sorted_languages(unfinished / ENTRY)
    shutil.rmtree(entry, ignore_errors=True)
    rename(unfinished, entry, durable=False)
    prepare(entry)
    return ""


def _link_pages(site: Path, pages: Iterable[str], folder: Path) -> None:
    """Links of the part's pages, made in sorted order. Pagefind indexes pages in the order
    the file system lists them, which on some (tmpfs) is the order they were made in: by
    workers rendering side by side, in any order."""
    for rel in sorted(pages):
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        link_or_copy(site / rel, target)


def _forget_others(cache: Path, keys: set[str]) -> None:
    """Only the parts of the newest index are worth keeping (and the parts lists: small)."""
    for entry in cache.iterdir():
        if entry.name.startswith(".") or entry.name.split(".")[0] in keys:
            continue
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        elif entry.name.endswith(WORDS):
            entry.unlink(missing_ok=True)


@functools.cache
def _program() -> tuple[list[str], str]:
    """Pagefind's command, and what identifies its version: its program's path, size and
    time (a newer Pagefind replaces the file), found without importing package metadata."""
    command = _executable()
    if len(command) > 1:  # through the pagefind package: its version
        import importlib.metadata

        return command, importlib.metadata.version("pagefind")
    try:
        return command, f"{command[0]}:{stamp(command[0])}"
    except OSError:
        return command, command[0]
