"""Responsive images: plan resized variants of content images and produce their bytes.

Variants are cached in .litfass-cache/images/ by source hash, width and format across builds.
"""

from __future__ import annotations

import hashlib
import html
import io
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from litfass.errors import LitfassError
from litfass.folders import CACHE_DIR, write_cache_file
from litfass.i18n import _

WIDTHS = (480, 800, 1200)  # what phones, tablets and a wide article column need
MAX_WIDTH = 1600  # never publish a camera original: large and may carry location data
FORMATS = {".jpg": "jpeg", ".jpeg": "jpeg", ".png": "png", ".webp": "webp"}
EXTENSION = {"jpeg": "jpg", "png": "png", "webp": "webp"}
SETTINGS_VERSION = "1"  # bump when the encoding below changes, to invalidate the cache
_IMG = re.compile(r"<img\b[^>]*>", re.I)
_ATTR = re.compile(r'([a-zA-Z-]+)\s*=\s*"([^"]*)"')
_SWAPPED = {5, 6, 7, 8}  # EXIF orientations that turn the picture by 90 degrees


@dataclass(frozen=True)
class Variant:
    """One resized copy of a source image."""

    url: str
    width: int
    height: int
    format: str  # Pillow's name: jpeg, png, webp
    source: Path
    cache: Path
    shown: str  # the source as messages name it: content/news/x/foto.jpg

    @property
    def path(self) -> str:
        return self.url.lstrip("/")


@dataclass(frozen=True)
class Picture:
    """A content image and its variants, smallest first."""

    url: str
    width: int
    height: int
    variants: tuple[Variant, ...]
    source: Path

    def srcset(self, fmt: str) -> str:
        return ", ".join(f"{v.url} {v.width}w" for v in self.variants if v.format == fmt)

    @property
    def fallback(self) -> Variant:
        """The largest variant in the source's own format, for `src`."""
        own = [v for v in self.variants if v.format != "webp"] or list(self.variants)
        return own[-1]


def plan(
    root: Path, content_dir: str, assets: Iterable[tuple[Path, str]], urls: dict[str, str]
) -> dict[str, Picture]:
    """A Picture for every raster image in content/, keyed by its site URL."""
    pictures = {}
    for path, rel in assets:
        fmt = FORMATS.get(posixpath.splitext(rel)[1].lower())
        if fmt is None:
            continue
        picture = _plan_one(root, path, f"{content_dir}/{rel}", urls[rel], fmt)
        if picture is not None:
            pictures[picture.url] = picture
    return pictures


def _plan_one(root: Path, path: Path, shown: str, url: str, fmt: str) -> Picture | None:
    from PIL import Image, UnidentifiedImageError  # here: a site without images never needs it

    try:
        data = path.read_bytes()
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if image.getexif().get(0x0112) in _SWAPPED:
                width, height = height, width
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError):
        return None  # not an image Pillow can read: it is copied as it is
    digest = hashlib.sha256(data).hexdigest()[:20]
    largest = min(width, MAX_WIDTH)
    widths = sorted({w for w in WIDTHS if w < largest} | {largest})
    stem = posixpath.splitext(url)[0]
    variants = []
    for fmt_out in ("webp", fmt) if fmt != "webp" else ("webp",):
        ext = EXTENSION[fmt_out]
        for w in widths:
            h = max(1, round(height * w / width))
            cache = root / CACHE_DIR / "images" / f"{digest}-{w}-{SETTINGS_VERSION}.{ext}"
            variants.append(Variant(f"{stem}-{w}w.{ext}", w, h, fmt_out, path, cache, shown))
    return Picture(url, width, height, tuple(variants), path)


def produce(variant: Variant) -> bytes:
    """The bytes of a variant: from the cache, or resized now and cached."""
    from PIL import Image  # here: a site without images never needs it

    try:
        return variant.cache.read_bytes()
    except OSError:
        pass
    try:
        data = _resize(variant)
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise LitfassError.at(
            variant.shown, 0, _("cannot resize the image: {reason}").format(reason=exc)
        ) from None
    write_cache_file(variant.cache, data)
    return data


def _resize(variant: Variant) -> bytes:
    from PIL import Image, ImageOps

    with Image.open(variant.source) as image:
        image = ImageOps.exif_transpose(image)
        if variant.format == "jpeg" and image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        resized = image.resize((variant.width, variant.height), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    # No metadata is passed on: EXIF of a camera original can reveal where it was taken.
    if variant.format == "jpeg":
        resized.save(buffer, "jpeg", quality=80, optimize=True, progressive=True)
    elif variant.format == "webp":
        resized.save(buffer, "webp", quality=78, method=4)
    else:
        resized.save(buffer, "png", optimize=True)
    return buffer.getvalue()


def picture_html(
    picture: Picture, alt: str, sizes: str, lazy: bool = True, css_class: str = ""
) -> Markup:
    """`<picture>` with WebP and the source format, intrinsic size and lazy loading."""
    fallback = picture.fallback
    attrs = [
        f'src="{fallback.url}"',
        f'srcset="{picture.srcset(fallback.format)}"',
        f'sizes="{html.escape(sizes)}"',
        f'width="{picture.width}"',
        f'height="{picture.height}"',
        f'alt="{html.escape(alt)}"',
    ]
    if css_class:
        attrs.append(f'class="{html.escape(css_class)}"')
    if lazy:  # images in the first screen load at once: lazy loading would delay them
        attrs.append('loading="lazy" decoding="async"')
    webp = ""
    if fallback.format != "webp":
        webp = f'<source type="image/webp" srcset="{picture.srcset("webp")}" sizes="{html.escape(sizes)}">'
    return Markup(f"<picture>{webp}<img {' '.join(attrs)}></picture>")


BODY_SIZES = "(min-width: 48rem) 46rem, 100vw"


def responsive_body(
    body_html: str, folder: str, urls: dict[str, str], pictures: dict[str, Picture]
) -> tuple[str, list[str]]:
    """Give images in an article body their variants; return the HTML and images without alt.

    An image that is not in content/ stays as it is: `check` says where it went wrong.
    """
    no_alt: list[str] = []

    def replace(match: re.Match[str]) -> str:
        attrs = {k.lower(): html.unescape(v) for k, v in _ATTR.findall(match.group(0))}
        src = attrs.get("src", "")
        alt = attrs.get("alt", "").strip()
        if not alt:
            no_alt.append(src)
        url = resolve(src, folder, urls) or src  # else a site address written out
        picture = pictures.get(url)
        if picture is None:
            return match.group(0)
        return str(picture_html(picture, alt, BODY_SIZES, lazy=True))

    return _IMG.sub(replace, body_html), no_alt


def resolve(written: str, folder: str, urls: dict[str, str]) -> str | None:
    """Site URL of a content file named beside the item, or from the top of content/ with '/'."""
    if not written or "://" in written or written.startswith(("data:", "mailto:")):
        return None
    base = "" if written.startswith("/") else folder
    return urls.get(posixpath.normpath(posixpath.join(base, written.lstrip("/"))))
