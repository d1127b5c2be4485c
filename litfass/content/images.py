"""Responsive images: plan resized variants of content images and produce their bytes.

Variants are cached in .litfass-cache/images/ by source hash, width and format across builds.
"""

from __future__ import annotations

import contextlib
import html
import io
import posixpath
import re
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from babel.numbers import format_decimal
from markupsafe import Markup

from litfass.digests import digest
from litfass.errors import LitfassError, Problem, unreadable
from litfass.folders import CACHE_DIR, write_cache_file
from litfass.i18n import _, language

WIDTHS = (480, 800, 1200)  # what phones, tablets and a wide article column need
MAX_WIDTH = 1600  # the largest variant: og:image, feeds and `src` never send a camera original
MAX_PIXELS = 40_000_000  # a 40-megapixel photo is already far more than a web page shows
# A photo beyond either is published, with a warning: a camera original, not a picture for the
# web (a first build resizes it for many seconds, and its full-size copy is published too).
LARGE_BYTES = 10 * 1024 * 1024
LARGE_PIXELS = 30_000_000
FORMATS = {".jpg": "jpeg", ".jpeg": "jpeg", ".png": "png", ".webp": "webp", ".gif": "gif"}
EXTENSION = {"jpeg": "jpg", "png": "png", "webp": "webp", "gif": "gif"}
# What Pillow calls the formats a file may really be for each of its names (MPO: the
# multi-picture JPEG of many phones).
READ_AS = {"jpeg": {"JPEG", "MPO"}, "png": {"PNG"}, "webp": {"WEBP"}, "gif": {"GIF"}}
SETTINGS_VERSION = "2"  # bump when the encoding below changes, to invalidate the cache
_IMG = re.compile(r"<img\b[^>]*>", re.I)
_ATTR = re.compile(r'([a-zA-Z-]+)\s*=\s*"([^"]*)"')
_SWAPPED = {5, 6, 7, 8}  # EXIF orientations that turn the picture by 90 degrees
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Variant:
    """One copy of a source image as published: resized, or the original cleaned."""

    url: str
    width: int
    height: int
    format: str  # Pillow's name: jpeg, png, webp, gif
    source: Path
    cache: Path
    shown: str  # the source as messages name it: content/news/x/foto.jpg
    original: bool = False  # the source at its own size and address, only cleaned

    @property
    def path(self) -> str:
        return unquote(self.url).lstrip("/")


@dataclass(frozen=True)
class Picture:
    """A content image: its original (cleaned of metadata) and its variants, smallest first."""

    url: str
    width: int
    height: int
    variants: tuple[Variant, ...]
    source: Path
    original: Variant | None = None

    def srcset(self, fmt: str) -> str:
        return ", ".join(f"{v.url} {v.width}w" for v in self.variants if v.format == fmt)

    @property
    def fallback(self) -> Variant:
        """The largest variant in the source's own format, for `src`."""
        own = [v for v in self.variants if v.format != "webp"] or list(self.variants)
        return own[-1]

    @property
    def shared(self) -> Variant:
        """What a link preview, search engine or feed reader gets: at most 1200 pixels wide."""
        own = [v for v in self.variants if v.format != "webp" and v.width <= WIDTHS[-1]]
        return own[-1] if own else self.fallback


def plan(
    root: Path, content_dir: str, assets: Iterable[tuple[Path, str]], urls: dict[str, str]
) -> tuple[dict[str, Picture], list[Problem]]:
    """A Picture for every raster image in content/, keyed by its site URL, an error for
    each file that is not the image its name says or is too large to publish, and a warning
    for each camera original (`LARGE_BYTES`, `LARGE_PIXELS`)."""
    pictures = {}
    problems = []
    for path, rel in assets:
        fmt = FORMATS.get(posixpath.splitext(rel)[1].lower())
        if fmt is None or rel not in urls:
            continue
        shown = f"{content_dir}/{rel}"
        try:
            picture = _plan_one(root, path, shown, urls[rel], fmt)
            size = path.stat().st_size
        except LitfassError as exc:
            problems.extend(exc.problems)
            continue
        except OSError as exc:  # removed since content/ was listed: the next rebuild's
            problems.append(Problem(shown, 0, unreadable(exc)))
            continue
        pictures[picture.url] = picture
        large = _large_photo(picture, size)
        if large:
            problems.append(Problem(shown, 0, large, "warning"))
    return pictures, problems


def _large_photo(picture: Picture, size: int) -> str | None:
    """What readers get of a photo far larger than a page shows, if it is one: sizes only,
    from the file and its header, so that saying so costs no decoding."""
    pixels = picture.width * picture.height
    if size <= LARGE_BYTES and pixels <= LARGE_PIXELS:
        return None
    said = _("large photo ({size}, {width}×{height} pixels, {mp} megapixels)").format(
        size=file_size(size, language()),
        width=picture.width,
        height=picture.height,
        mp=round(pixels / 1e6),
    )
    if not picture.variants:  # an animation is published only as it is
        downloads = _("readers download the whole file")
    else:
        largest = picture.fallback
        downloads = _(
            "pages show it at most {width}×{height} pixels, but the original is published "
            "too, at full size, in output/ for anyone who opens the file itself"
        ).format(width=largest.width, height=largest.height)
    advice = _("save it smaller first: 2400 pixels wide and under 2 MB are plenty")
    return f"{said}: {downloads}; {advice}"


def file_size(size: int, language: str) -> str:
    """'2,4 MB' in German, '2.4 MB' in English: decimal units, as file managers show them."""
    if size >= 1_000_000:
        return f"{format_decimal(size / 1_000_000, '#,##0.0', locale=language)} MB"
    return f"{format_decimal(max(1, round(size / 1000)), '#,##0', locale=language)} kB"


def _plan_one(root: Path, path: Path, shown: str, url: str, fmt: str) -> Picture:
    width, height = _checked_size(path, shown, fmt)
    digest = _file_digest(path)[:20]
    stem = posixpath.splitext(url)[0]
    ext = EXTENSION[fmt]
    folder = root / CACHE_DIR / "images"
    cache = folder / f"{digest}-0-{SETTINGS_VERSION}.{ext}"
    original = Variant(url, width, height, fmt, path, cache, shown, original=True)
    if fmt == "gif":  # resizing would lose an animation: only the cleaned original
        return Picture(url, width, height, (), path, original)
    largest = min(width, MAX_WIDTH)
    widths = sorted({w for w in WIDTHS if w < largest} | {largest})
    variants = []
    for fmt_out in ("webp", fmt) if fmt != "webp" else ("webp",):
        ext = EXTENSION[fmt_out]
        for w in widths:
            h = max(1, round(height * w / width))
            cache = folder / f"{digest}-{w}-{SETTINGS_VERSION}.{ext}"
            variants.append(Variant(f"{stem}-{w}w.{ext}", w, h, fmt_out, path, cache, shown))
    return Picture(url, width, height, tuple(variants), path, original)


def _checked_size(path: Path, shown: str, fmt: str) -> tuple[int, int]:
    """The size the picture is shown at; an error if the file is not such an image or is
    too large (a decompression bomb is only its header: nothing is decoded here)."""
    from PIL import Image, UnidentifiedImageError  # here: a site without images never needs it

    name = fmt.upper()
    try:
        with quiet(), Image.open(path) as image:
            width, height = image.size
            found = image.format or ""
            if image.getexif().get(0x0112) in _SWAPPED:
                width, height = height, width
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise LitfassError.at(shown, 0, too_large()) from None
    except (FileNotFoundError, PermissionError) as exc:  # not the file's fault: say why
        raise LitfassError.at(shown, 0, unreadable(exc)) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        message = _(
            "not a {kind} image (damaged, or another kind of file renamed); save it again as .{ext}"
        )
        raise LitfassError.at(shown, 0, message.format(kind=name, ext=EXTENSION[fmt])) from None
    if found not in READ_AS[fmt]:
        message = _("a {found} image named .{ext}: rename it to .{right}")
        right = EXTENSION.get(found.lower(), found.lower())
        raise LitfassError.at(
            shown, 0, message.format(found=found, ext=posixpath.splitext(shown)[1][1:], right=right)
        ) from None
    if width * height > MAX_PIXELS:
        raise LitfassError.at(shown, 0, too_large(width, height))
    return width, height


def too_large(width: int = 0, height: int = 0) -> str:
    """Why an image is refused for its size (unknown size: a decompression bomb)."""
    limit = MAX_PIXELS // 1_000_000
    if not width:
        return _(
            "image is too large to open safely (at most {limit} megapixels); make it smaller"
        ).format(limit=limit)
    return _(
        "image is too large ({width}×{height} pixels; at most {limit} megapixels); make it smaller"
    ).format(width=width, height=height, limit=limit)


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Pillow's own warnings (a damaged EXIF block...) never reach the editor raw; a
    decompression bomb's warning becomes an exception."""
    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        yield


def _file_digest(path: Path) -> str:
    """The digest of a file, read in chunks: a large file never lies in memory whole."""
    return digest(path).hex()


def produce(variant: Variant) -> bytes:
    """The bytes of a variant: from the cache, or made now and cached."""
    from PIL import Image  # here: a site without images never needs it

    try:
        return variant.cache.read_bytes()
    except OSError:
        pass
    try:
        with quiet():
            data = _encode(variant)
    except (
        OSError,
        ValueError,
        SyntaxError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise LitfassError.at(
            variant.shown, 0, _("cannot resize the image: {reason}").format(reason=exc)
        ) from None
    write_cache_file(variant.cache, data)
    return data


def _encode(variant: Variant) -> bytes:
    """The variant's bytes: turned upright, resized, and without any metadata but the colour
    profile (EXIF, XMP and IPTC of a camera original can reveal where it was taken)."""
    from PIL import Image, ImageOps, ImageSequence

    buffer = io.BytesIO()
    with Image.open(variant.source) as image:
        icc = image.info.get("icc_profile")
        if variant.format == "gif":
            frames = [frame.copy() for frame in ImageSequence.Iterator(image)]
            for frame in frames:
                frame.info = {
                    k: v for k, v in frame.info.items() if k in ("duration", "transparency")
                }
            frames[0].save(
                buffer,
                "gif",
                save_all=len(frames) > 1,
                append_images=frames[1:],
                loop=image.info.get("loop", 0),
            )
            return buffer.getvalue()
        upright = ImageOps.exif_transpose(image)
        if variant.format == "jpeg" and upright.mode not in ("RGB", "L"):
            upright = upright.convert("RGB")
        if (variant.width, variant.height) != upright.size:
            upright = upright.resize((variant.width, variant.height), Image.Resampling.LANCZOS)
    upright.info = {}  # savers take comments, EXIF and XMP from here
    profile = {"icc_profile": icc} if icc else {}
    # An original is shown at full size when opened alone: less compression than a variant.
    if variant.format == "jpeg":
        quality = 90 if variant.original else 80
        upright.save(buffer, "jpeg", quality=quality, optimize=True, progressive=True, **profile)
    elif variant.format == "webp":
        upright.save(buffer, "webp", quality=90 if variant.original else 78, method=4, **profile)
    else:
        upright.save(buffer, "png", optimize=True, **profile)
    return buffer.getvalue()


def picture_html(
    picture: Picture, alt: str, sizes: str, lazy: bool = True, css_class: str = ""
) -> Markup:
    """`<picture>` with WebP and the source format, intrinsic size and lazy loading."""
    if not picture.variants:  # an animation: only its original
        lazy_attrs = ' loading="lazy" decoding="async"' if lazy else ""
        return Markup('<img src="{}" width="{}" height="{}" alt="{}"{}{}>').format(
            picture.url,
            picture.width,
            picture.height,
            alt,
            Markup(' class="{}"').format(css_class) if css_class else "",
            Markup(lazy_attrs),
        )
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
    return urls.get(posixpath.normpath(posixpath.join(base, unquote(written).lstrip("/"))))
