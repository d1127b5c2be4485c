"""The persistent cache of rendered Markdown in .litfass-cache/, and body rendering over all cores.

A body's HTML depends only on its text and the renderer settings, so the key is a hash
of both: an edited body, another extension list or library version simply misses.
"""

from __future__ import annotations

import contextlib
import dataclasses
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import import_module
from pathlib import Path

from litfass import __version__
from litfass.config import Config
from litfass.content.frontmatter import Source
from litfass.content.markup import EXTENSIONS, SETTINGS_VERSION, render_markdown
from litfass.content.model import Page, pack
from litfass.content.pages import declares_draft, read_page
from litfass.digests import hasher
from litfass.errors import LitfassError, Problem
from litfass.folders import cache_folder
from litfass.workers import run_chunks

MARKDOWN_DB = "build.sqlite"  # the table `body` of the build's store (engine/store.py)
# Libraries whose version changes the HTML of a body (toc slugs come from python-slugify,
# imported only where a page is read: its tables take megabytes).
RENDER_LIBRARIES = ("markdown", "nh3", "slugify")


@lru_cache(maxsize=2)
def renderer_settings(allow_html: bool) -> str:
    """Everything besides the text that decides a body's HTML, as one string."""
    versions = ",".join(
        f"{name}={getattr(import_module(name), '__version__', '?')}" for name in RENDER_LIBRARIES
    )
    return (
        f"litfass={__version__};v={SETTINGS_VERSION};ext={EXTENSIONS};html={allow_html};{versions}"
    )


def body_key(body: str, allow_html: bool) -> str:
    """Cache key of one body under the current renderer settings."""
    digest = hasher()
    digest.update(renderer_settings(allow_html).encode())
    digest.update(body.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


class MarkdownCache:
    """Rendered bodies by key, in one SQLite file; a broken file is just started afresh."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(exist_ok=True)
        self.path = folder / MARKDOWN_DB
        try:
            self.db = self._open()
        except sqlite3.DatabaseError:
            self.path.unlink(missing_ok=True)
            self.db = self._open()

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        db.execute("CREATE TABLE IF NOT EXISTS body (key TEXT PRIMARY KEY, html TEXT NOT NULL)")
        return db

    def get(self, keys: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for start in range(0, len(keys), 500):  # SQLite limits the number of parameters
            part = keys[start : start + 500]
            marks = ",".join("?" * len(part))
            rows = self.db.execute(f"SELECT key, html FROM body WHERE key IN ({marks})", part)
            found.update(rows)
        return found

    def put(self, items: dict[str, str]) -> None:
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO body VALUES (?, ?)", items.items())

    def keep_only(self, keys: set[str]) -> None:
        """Forget bodies no content file has any more, so the cache does not grow forever."""
        stored = {row[0] for row in self.db.execute("SELECT key FROM body")}
        gone = [(key,) for key in stored - keys]
        if gone:
            with self.db:
                self.db.executemany("DELETE FROM body WHERE key = ?", gone)

    def close(self) -> None:
        self.db.close()


def cached_bodies(root: Path, keys: Sequence[str]) -> dict[str, str]:
    """Bodies stored under `keys` (those missing are left out)."""
    try:
        cache = MarkdownCache(cache_folder(root))
        try:
            return cache.get(keys)
        finally:
            cache.close()
    except (OSError, sqlite3.Error):
        return {}


@dataclass(frozen=True)
class ReadFile:
    """One Markdown file read in a worker: its page without body, and the body's HTML."""

    content_rel: str
    page: Page | None  # None when the file has errors (in `problems`)
    problems: list[Problem]
    source: Source | None = None
    key: str = ""
    packed: bytes = b""  # the body's HTML (`model.pack`), links to .md files not yet resolved
    fresh: str = ""  # the same HTML when it was rendered here: for the cache to keep
    draft: bool = False  # a file with errors whose front matter still says `draft: true`


def read_files(
    config: Config, files: Sequence[tuple[Path, str]], workers: int = 1, use_cache: bool = True
) -> list[ReadFile]:
    """Read every Markdown file and render its body, in chunks over `workers` processes.

    Each worker looks up its chunk's bodies in the cache and renders the rest, so that
    neither the sources nor the parsing ever pile up in one process. New bodies are
    stored (see `forget_other_bodies` for the other direction).
    """

    def read(part: range) -> list[ReadFile]:
        chunk = [_read(config, *files[i]) for i in part]
        keys = [item.key for _, item in chunk if item.key]
        found = cached_bodies(config.root, keys) if use_cache and keys else {}
        return [_rendered(config, source, item, found, use_cache) for source, item in chunk]

    results: list[ReadFile] = []
    keeper = _BodyKeeper(cache_folder(config.root))
    try:
        for part in run_chunks(read, len(files), workers):
            # Stored as each chunk comes: the plain HTML of all bodies is never held at once.
            keeper.put({r.key: r.fresh for r in part if r.fresh})
            results += [dataclasses.replace(r, fresh="") if r.fresh else r for r in part]
    finally:
        keeper.close()
    return results


class _BodyKeeper:
    """The Markdown cache opened when the first new bodies come (after the workers were
    forked: an open SQLite connection must not cross a fork); one that fails is let be."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.cache: MarkdownCache | None = None
        self.failed = False

    def put(self, bodies: dict[str, str]) -> None:
        if not bodies or self.failed:
            return
        try:
            self.cache = self.cache or MarkdownCache(self.folder)
            self.cache.put(bodies)
        except (OSError, sqlite3.Error):
            self.failed = True  # only the next build renders them again

    def close(self) -> None:
        if self.cache is not None:
            with contextlib.suppress(sqlite3.Error):
                self.cache.close()


def forget_other_bodies(config: Config, keys: set[str]) -> None:
    """Drop the bodies of texts no content file has any more, so the cache does not grow
    forever (called with the keys of every file, after content/ was listed)."""
    with contextlib.suppress(OSError, sqlite3.Error):
        cache = MarkdownCache(cache_folder(config.root))
        cache.keep_only(keys)
        cache.close()


def _read(config: Config, path: Path, rel: str) -> tuple[Source | None, ReadFile]:
    try:
        source, page, found = read_page(config, path, rel)
    except LitfassError as exc:
        return None, ReadFile(rel, None, exc.problems, draft=declares_draft(path))
    return source, ReadFile(rel, page, found, source, body_key(source.body, config.allow_html))


def _rendered(
    config: Config, source: Source | None, item: ReadFile, found: dict[str, str], keep: bool
) -> ReadFile:
    """The file's body rendered (or as `found` in the cache), packed; with `keep`, a body
    rendered here is also sent as text, for the cache to store."""
    if source is None:
        return item
    html = found.get(item.key)
    rendered = html is None
    if html is None:
        html = render_markdown(source.body, config.allow_html)
    if ".md" not in html and "<img" not in html:
        # The body's text only serves to find the line of a broken link or an image
        # without alt text; without either, the parent process need not hold it.
        source = dataclasses.replace(source, body="")
    return dataclasses.replace(
        item, source=source, packed=pack(html), fresh=html if rendered and keep else ""
    )
