"""Names of the files and folders litfass keeps beside a site, and how cache entries are written.

One place for them: the build, the preview, `check` and the tests all mean the same folders,
and the same default theme.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from litfass.atomic import write_whole

CONFIG_NAME = "config.yaml"
RECORD_NAME = "addresses.yaml"  # every address the site has published (addresses.py)
CACHE_DIR = ".litfass-cache"  # Markdown, images, search index, templates, the last build's state
PREVIOUS_NAME = ".litfass-previous"  # the site before the last swap, reused by the next build
ASIDE_NAME = ".litfass-aside"  # output/ for a moment of a swap by renames (write/swap.py)
# What the writer adds to output/ beside the declared files, named here so that `declare`
# can refuse an alias or file in their place: the search index, and compressed copies.
SEARCH_FOLDER = "pagefind"
COMPRESSIBLE = (
    ".html", ".css", ".js", ".mjs", ".xml", ".json", ".ics", ".svg", ".txt", ".webmanifest",
)  # fmt: skip
# The one list of the copies the writer derives from a text file, gzip then brotli (the
# later packs tighter: .htaccess offers it first); compress.py, .htaccess, the preview's
# writer, `publish` and `declare` all read it here.
COMPRESSED_SUFFIXES = (".gz", ".br")


def _default_theme() -> Path:
    """The theme litfass ships: every file a site's own templates/ does not have.

    Installed from a wheel, it is package data beside this module (pyproject.toml maps the
    checkout's templates/ to `litfass.default_theme`); in the checkout it is templates/ itself,
    the example portal's theme, so git holds one copy. Decided by this file's place rather than
    by importing `litfass.default_theme`: editable installs cannot import that data-only package
    (setuptools 65), and one of another checkout would hand a worktree the other's theme.
    """
    package = Path(__file__).parent
    installed = package / "default_theme"
    return installed if installed.is_dir() else package.parent / "templates"


DEFAULT_THEME = _default_theme()


def cache_folder(root: Path, *parts: str) -> Path:
    """The cache folder of the site in `root`, or a folder inside it."""
    return root.joinpath(CACHE_DIR, *parts)


def write_cache_file(path: Path, data: bytes) -> None:
    """Store a cache entry whole or not at all; a cache that cannot be written is skipped."""
    with contextlib.suppress(OSError):
        write_whole(path, data, durable=False)  # made again if lost: not flushed
