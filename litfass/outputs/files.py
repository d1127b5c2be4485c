"""Files copied into the site: the theme's static files, content files, image variants."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import partial

from litfass.content import images
from litfass.outputs import Output, path_of
from litfass.outputs.theme import ThemeFile
from litfass.site import Site


def declare(site: Site, theme: Sequence[ThemeFile]) -> Iterator[Output]:
    """Theme files, content files and resized images."""
    yield from _theme(theme)
    yield from _assets(site)
    yield from _pictures(site)


def _theme(theme: Sequence[ThemeFile]) -> Iterator[Output]:
    """Theme files under their fingerprinted names (cached for a year) and plain ones."""
    for file in theme:
        yield Output(f"static/{file.fingerprinted}", source=file.source)
        yield Output(f"static/{file.rel}", source=file.source)


def _assets(site: Site) -> Iterator[Output]:
    """Other files in content/ are copied to the URL the content map gives them."""
    folder = site.config.content_path
    for rel, url in site.content_urls.items():
        if not rel.endswith(".md"):
            yield Output(path_of(url), source=folder / rel)


def _pictures(site: Site) -> Iterator[Output]:
    """Resized variants of every content image, beside the original."""
    for picture in site.pictures.values():
        for variant in picture.variants:
            yield Output(variant.path, produce=partial(images.produce, variant), slow=variant.shown)
