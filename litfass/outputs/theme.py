"""The theme's static files under fingerprinted names, and `asset()` for templates.

`style.css` is published as `/static/style.3f9c2a1b.css` (a hash of its bytes), so servers may
let browsers cache it for a year: a changed file gets a new name. The plain name is published
too, for addresses outside the templates (the logo in feeds, `url()` in CSS, old bookmarks).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path

from litfass.config import Config
from litfass.digests import digest
from litfass.errors import LitfassError
from litfass.i18n import _

STATIC_URL = "/static/"


def fingerprinted(rel: str, data: bytes) -> str:
    """'css/style.css' -> 'css/style.3f9c2a1b.css': the first 8 hex digits of the SHA-256."""
    short = digest(data).hex()[:8]
    folder, name = posixpath.split(rel)
    stem, dot, suffix = name.rpartition(".")
    named = f"{stem}.{short}.{suffix}" if dot and stem else f"{name}.{short}"
    return posixpath.join(folder, named)


@dataclass(frozen=True)
class ThemeFile:
    """One file of the theme's static/ folder, with its plain and fingerprinted names."""

    source: Path
    rel: str  # below static/, e.g. 'style.css'
    fingerprinted: str  # e.g. 'style.3f9c2a1b.css'


def theme_files(config: Config) -> tuple[ThemeFile, ...]:
    """Every file in the theme's static/ folders, the site's before the default's, in a stable
    order.

    Like content, nothing a link leads out of the theme to; hidden files stay private.
    """
    found: dict[str, Path] = {}
    for theme in config.theme_paths:
        for rel, path in _static_files(config, theme):
            found.setdefault(rel, path)  # the site's own file overrides the default's
    return tuple(
        ThemeFile(path, rel, fingerprinted(rel, path.read_bytes()))
        for rel, path in sorted(found.items(), key=lambda item: item[0].split("/"))
    )


def _static_files(config: Config, theme: Path) -> list[tuple[str, Path]]:
    folder = theme / "static"
    if not folder.is_dir():
        return []
    real = theme.resolve()
    files = []
    for path in folder.rglob("*"):
        rel = path.relative_to(folder).as_posix()
        if any(part.startswith(".") for part in rel.split("/")) or not path.is_file():
            continue
        if not path.resolve().is_relative_to(real):
            raise LitfassError.at(
                config.shown(path), 0, _("symbolic link points outside the theme")
            )
        files.append((rel, path))
    return files


class AssetUrls:
    """The template global `asset('style.css')`: the fingerprinted URL of a theme file.

    A name that is no theme file is a template error. A site URL (such as the configured
    logo, '/static/logo.svg') is fingerprinted when it names a theme file, else kept as is.
    """

    def __init__(self, files: tuple[ThemeFile, ...]) -> None:
        self.urls = {f.rel: STATIC_URL + f.fingerprinted for f in files}

    def __call__(self, name: str) -> str:
        if name.startswith(STATIC_URL):
            return self.urls.get(name[len(STATIC_URL) :], name)
        if name.startswith("/") or "://" in name:
            return name
        if name not in self.urls:
            known = ", ".join(sorted(self.urls)) or "none"
            raise ValueError(
                _("asset('{name}'): no such file in static/ (there are: {known})").format(
                    name=name, known=known
                )
            )
        return self.urls[name]
