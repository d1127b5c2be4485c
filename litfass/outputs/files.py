"""Files copied into the site: the theme's static files, content files, image variants."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import partial
from urllib.parse import unquote

from litfass.content import images, svg
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
    """Other files in content/ are copied to the URL the content map gives them; images are
    published by `_pictures`, without their metadata, and SVGs rebuilt (`content/svg.py`)."""
    config = site.config
    folder = config.content_path
    pictures = site.pictures
    for rel, url in site.content_urls.items():
        if rel.endswith(".md") or url in pictures:
            continue
        source = folder / rel
        if rel.lower().endswith(".svg"):
            # `source` too: an edited drawing is made again, as a copied file would be.
            made = partial(svg.produce, source, f"{config.content_dir}/{rel}")
            yield Output(path_of(unquote(url)), source=source, produce=made)
        else:
            yield Output(path_of(unquote(url)), source=source)


def _pictures(site: Site) -> Iterator[Output]:
    """Every content image cleaned of its metadata, and its resized variants beside it."""
    for picture in site.pictures.values():
        for variant in (
            (picture.original, *picture.variants) if picture.original else picture.variants
        ):
            # `shown`: the content file a clash of addresses is put on (declare.path_problems).
            made = partial(images.produce, variant)
            yield Output(
                variant.path, context={"shown": variant.shown}, produce=made, slow=variant.shown
            )
