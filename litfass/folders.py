"""Names of the files and folders litfass keeps beside a site, and how cache entries are written.

One place for them: the build, the preview, `check` and the tests all mean the same folders.
"""

from __future__ import annotations

import os
from pathlib import Path

CONFIG_NAME = "config.yaml"
CACHE_DIR = ".litfass-cache"  # Markdown, images, search index, templates, the last build's state
PREVIOUS_NAME = ".litfass-previous"  # the site before the last swap, reused by the next build
ASIDE_NAME = ".litfass-aside"  # output/ for a moment of a swap by renames (write/swap.py)


def cache_folder(root: Path, *parts: str) -> Path:
    """The cache folder of the site in `root`, or a folder inside it."""
    return root.joinpath(CACHE_DIR, *parts)


def write_cache_file(path: Path, data: bytes) -> None:
    """Store a cache entry whole or not at all; a cache that cannot be written is skipped."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except OSError:
        temporary.unlink(missing_ok=True)
