"""Full-text search: a Pagefind index of the staged site, made before the site goes live.

Pagefind (from PyPI) reads the pages marked `data-pagefind-body` and writes a static index
with German stemming (from `<html lang="de">`) to /pagefind/; an unchanged site reuses it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

from litfass.errors import LitfassError
from litfass.folders import CACHE_DIR, SEARCH_FOLDER
from litfass.i18n import _
from litfass.write.disk import files_below, link_or_copy
from litfass.write.staging import Staging

FOLDER = SEARCH_FOLDER
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


class Fingerprint:
    """What the index depends on: every indexed page's bytes and Pagefind's version."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256(_version().encode())

    def add(self, path: str, data: bytes) -> None:
        if path.endswith(".html"):
            self._hash.update(f"{path}\0{len(data)}\0".encode())
            self._hash.update(data)

    def hexdigest(self) -> str:
        return self._hash.hexdigest()[:24]


def index(root: Path, staging: Staging, fingerprint: Fingerprint) -> None:
    """Put the search index of the staged site into it, from the cache or made now."""
    cache = (root / CACHE_DIR / "search").resolve()
    entry = cache / fingerprint.hexdigest()
    if not (entry / "pagefind-entry.json").is_file():
        _make(staging.path, cache, entry)
    staging.adopt(entry, FOLDER)


def cached_index(root: Path, site: Path, pages: list[tuple[str, bytes]]) -> Path:
    """The search index of a site already written to `site`, whose pages have these digests.

    For `serve` and `watch`, which know each page's digest and need not read them again.
    """
    key = hashlib.sha256(_version().encode())
    for path, page_digest in pages:
        key.update(f"{path}\0".encode() + page_digest)
    cache = (root / CACHE_DIR / "search").resolve()
    entry = cache / f"live-{key.hexdigest()[:24]}"
    if not (entry / "pagefind-entry.json").is_file():
        _make(site, cache, entry)
    return entry


def _make(site: Path, cache: Path, entry: Path) -> None:
    """Run Pagefind on the staged site into a fresh cache entry, replacing older ones."""
    if importlib.util.find_spec("pagefind") is None:
        raise LitfassError.at(
            "pagefind", 0, _("search needs Pagefind: pip install 'pagefind[extended]'")
        )
    shutil.rmtree(cache, ignore_errors=True)  # only the newest index is worth keeping
    cache.mkdir(parents=True)
    unfinished = cache / f".{entry.name}.tmp"
    pages = cache / ".pages"
    _pages_in_order(site, pages)
    # Run inside a folder of the pages alone, so no pagefind.yml of the project can change
    # the index, and the order Pagefind finds them in is the same for the same pages.
    command = [sys.executable, "-m", "pagefind", "--site", ".", "--output-path", str(unfinished)]
    try:
        done = subprocess.run(command, cwd=pages, capture_output=True, text=True, check=False)
    finally:
        shutil.rmtree(pages, ignore_errors=True)
    if done.returncode != 0:
        message = (done.stderr or done.stdout).strip().splitlines()
        raise LitfassError.at(
            "pagefind",
            0,
            _("search index failed: {reason}").format(
                reason=message[-1] if message else _("no output")
            ),
        )
    for name in UNUSED:
        (unfinished / name).unlink(missing_ok=True)
    unfinished.rename(entry)


def _version() -> str:
    import importlib.metadata  # here: a site without search never needs it

    try:
        return importlib.metadata.version("pagefind")
    except importlib.metadata.PackageNotFoundError:
        return "missing"


def _pages_in_order(site: Path, folder: Path) -> None:
    """Links of the site's pages, made in sorted order. Pagefind indexes pages in the order
    the file system lists them, which on some (tmpfs) is the order they were made in: by
    workers rendering side by side, in any order."""
    for rel in sorted(r for r in files_below(site) if r.endswith(".html")):
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        link_or_copy(site / rel, target)
