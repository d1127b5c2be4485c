"""Full-text search: a Pagefind index of the site's pages, made before the site goes live.

Pagefind (from PyPI) reads the pages marked `data-pagefind-body` and writes a static index
with German stemming (from `<html lang="de">`) to /pagefind/. Pagefind cannot add or replace
one page in an index, so a large site's index comes in parts, each of a fixed share of the
pages (by a hash of their path), that the theme's search script merges in the browser
(Pagefind's `mergeIndex`). An edit makes again only the parts whose pages changed; every
part is cached by its pages' digests, so a rebuild gives the very files a cold build gives.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib
import importlib.util
import json
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
from litfass.digests import digest, hasher, stamp
from litfass.errors import LitfassError
from litfass.folders import CACHE_DIR, SEARCH_FOLDER
from litfass.i18n import _
from litfass.write.disk import files_below

FOLDER = SEARCH_FOLDER
PARTS_FILE = "parts.json"  # in /pagefind/: the parts the search script merges into the first
PART_PAGES = 200  # pages per part: an edit indexes about this many pages again
MOST_PARTS = 64  # each part costs the reader two small requests on the first search
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
# What a merged part needs: it searches with the first part's script and WebAssembly.
PART_DATA = re.compile(r"pagefind-entry\.json|[^/]+\.pf_meta|(fragment|index|filter)/.+")
# The attribute on an element (never in text, where `<` is escaped): a page without it is
# left out of the index as soon as any page of the site has it.
MARKED = re.compile(rb"<[A-Za-z][^<>]*\sdata-pagefind-body[\s=/>]")


def is_marked(page: bytes) -> bool:
    """Whether an HTML page marks the part of it Pagefind indexes."""
    return MARKED.search(page) is not None


@dataclass(frozen=True)
class Part:
    """One part of the index: the pages it holds, and the key of its cache entry."""

    rel: str  # where it goes in the site: pagefind, pagefind/part-1, ...
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
        rel = FOLDER if not found else f"{FOLDER}/part-{len(found)}"
        found.append(Part(rel, tuple(group), key.hexdigest()[:24]))
    return found


def _bucket(path: str, count: int) -> int:
    # Not a digest of bytes but which part a page falls into: it shapes the published index,
    # so it stays as it was (BLAKE2b) rather than follow litfass.digests.
    return int.from_bytes(hashlib.blake2b(path.encode(), digest_size=4).digest(), "big") % count


def index_files(root: Path, site: Path, wanted: list[Part], workers: int) -> dict[str, str]:
    """Every file of the index of the pages in `site`, by its path in the site, in the cache.

    Parts not in the cache are made over `workers` Pagefind processes (one core each).
    """
    cache = (root / CACHE_DIR / "search").resolve()
    cache.mkdir(parents=True, exist_ok=True)
    due = [part for part in wanted if not (cache / part.key / "pagefind-entry.json").is_file()]
    if due:
        executable = _program()[0]
        with ThreadPoolExecutor(max(1, workers)) as pool:
            for failure in pool.map(lambda p: _make(executable, site, cache, p), due):
                if failure:
                    message = _("search index failed: {reason}").format(reason=failure)
                    raise LitfassError.at("pagefind", 0, message)
    _forget_others(cache, {part.key for part in wanted})
    files: dict[str, str] = {}
    for number, part in enumerate(wanted):
        entry = f"{cache}/{part.key}"
        for rel in sorted(files_below(Path(entry))):
            if number == 0 or PART_DATA.fullmatch(rel):
                files[f"{part.rel}/{rel}"] = f"{entry}/{rel}"
    listing = [f"{part.rel.removeprefix(FOLDER + '/')}/" for part in wanted[1:]]
    files[f"{FOLDER}/{PARTS_FILE}"] = str(_parts_file(cache, listing))
    return files


def _parts_file(cache: Path, listing: list[str]) -> Path:
    """The list of parts the search script merges, as a file (renamed into place, never
    rewritten: the site links it)."""
    data = json.dumps(listing).encode() + b"\n"
    path = cache / f"parts-{digest(data).hex()[:24]}.json"
    if not path.is_file():
        write_whole(path, data, durable=False)
    return path


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


def _make(executable: list[str], site: Path, cache: Path, part: Part) -> str:
    """Run Pagefind over the part's pages into its cache entry; the error, if it failed."""
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
    shutil.rmtree(entry, ignore_errors=True)
    rename(unfinished, entry, durable=False)
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
        if entry.is_dir() and entry.name not in keys and not entry.name.startswith("."):
            shutil.rmtree(entry, ignore_errors=True)


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
