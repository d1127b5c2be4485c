"""HTML from another CMS as clean Markdown: WordPress blocks and shortcodes resolved, scripts
dropped, frames turned into links, sanitised like editors' Markdown, then markdownify.

markdownify was chosen over html2text by measuring both on the test exports: see
docs/importing.md, "How HTML becomes Markdown".
"""

from __future__ import annotations

import html
import json
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote, urljoin, urlsplit

import lxml.html
import nh3
from bs4 import BeautifulSoup
from lxml.etree import ParserError
from markdownify import MarkdownConverter

from litfass.content.markup import ATTRIBUTES, TAGS, URL_SCHEMES
from litfass.importers.paths import plain_slug
from litfass.slugs import slugify
from litfass.values import printable


@dataclass(frozen=True)
class Media:
    """A file the old site knew by an id (a WordPress attachment): for [gallery ids=...]."""

    url: str
    alt: str = ""
    caption: str = ""


@dataclass(frozen=True)
class Converted:
    """A body as Markdown, the files it uses and the shortcodes left as text."""

    markdown: str
    files: tuple[tuple[str, str], ...]  # (old absolute URL, file name in the item's folder)
    shortcodes: tuple[str, ...]


@dataclass(frozen=True)
class OldSite:
    """What the converter needs to know about the site the HTML comes from."""

    base_url: str  # "https://alt.example.org": links to it become paths on the new site
    is_file: Callable[[str], bool]  # whether an absolute URL is a file to bring along
    media: Callable[[int], Media | None] = lambda _id: None
    canonical: Callable[[str], str] = lambda url: url  # one URL for the variants of a file
    block: Callable[[int], str] = lambda _id: ""  # a reusable block's HTML (WordPress)


@dataclass
class Files:
    """Old file URLs and the names they get in the item's folder, unique within the item."""

    names: dict[str, str] = field(default_factory=dict)

    def local(self, url: str) -> str:
        """The file name `url` gets in the item's folder."""
        if url not in self.names:
            self.names[url] = _unique(file_name(url), set(self.names.values()))
        return self.names[url]


BLOCK_START = re.compile(
    r"<(p|h[1-6]|ul|ol|li|table|figure|blockquote|div|pre|script|style|iframe|hr|dl|form|"
    r"address|section|object|video|audio)\b",
    re.I,
)
_REUSABLE = re.compile(r"<!--\s*wp:block\s+(\{.*?\})\s*/-->", re.S)
_BLOCK_COMMENT = re.compile(r"<!--\s*/?wp:.*?-->", re.S)
_EMBED = re.compile(
    r"<!--\s*wp:(?:core-)?embed[\w/-]*\s+(\{.*?\})\s*-->.*?<!--\s*/wp:(?:core-)?embed[\w/-]*\s*-->",
    re.S,
)
# [name attrs]…[/name] or [name attrs]; names are lower-case like WordPress registers them.
_SHORTCODE = re.compile(
    r"\[(?P<name>[a-z][a-z0-9_-]*)(?P<attrs>(?:\s[^\]]*)?)\](?:(?P<inner>.*?)\[/(?P=name)\])?",
    re.S,
)
_ATTR = re.compile(r'([\w-]+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\'|(\S+))')
_BARE_URL = re.compile(r"https?://\S+")
# What Markdown would read as a list, heading or quote at the start of a line of plain text;
# markdownify's own escape_misc escapes these anywhere, which litters German dates ("am 5\. Mai").
_LINE_START = re.compile(r"(?m)^([ \t]*)(\d{1,9}(?=[.)](?:\s|$))|[-+](?=\s|$)|#|>)")
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")  # text that the renderer would take for a tag
_ENTITY = re.compile(r"&(?=#?\w+;)")  # text that the renderer would take for a character
_MARKUP = re.compile(r"[\\`\[\]]")  # escapes, code spans and the brackets of any link
_URL_KEEP = "/:?#&=+;,@!$*~%"  # a URL's own punctuation; '(', ')', '<', ' ' would end it
_SIZE_SUFFIX = re.compile(r"-\d+x\d+(?=\.\w+$)")
FRAMES = ("iframe", "embed", "object", "video", "audio")


def to_markdown(body: str, old: OldSite, files: Files | None = None) -> Converted:
    """The Markdown of one body of old HTML, with its files and leftover shortcodes.

    `files` may hold names given already (a featured image), so the body reuses them.
    """
    files = files or Files()
    body = printable(body)  # control characters: no parser or feed takes them
    left: list[str] = []
    blocks = "<!-- wp:" in body  # the block editor; WordPress adds paragraphs only otherwise
    text = _REUSABLE.sub(lambda m: _reusable(m, old), body)
    text = _BLOCK_COMMENT.sub("", _EMBED.sub(_embed_link, text))
    text = _SHORTCODE.sub(lambda m: _shortcode(m, old, left), text)
    if not blocks:
        text = autop(text)
    text = nh3.clean(
        _rewritten(text, old, files),
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )
    # BeautifulSoup with lxml's parser: the same tree as html.parser builds, several times faster.
    soup = BeautifulSoup(text, "lxml")
    markdown = _Converter(heading_style="ATX", bullets="-").convert_soup(soup)
    return Converted(_tidy(markdown), tuple(files.names.items()), tuple(left))


def autop(text: str) -> str:
    """Paragraphs from blank lines and line breaks from single ones, as WordPress shows them."""
    out = []
    for chunk in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        chunk = chunk.strip()
        if not chunk:
            continue
        if BLOCK_START.match(chunk):
            out.append(chunk)
        elif _BARE_URL.fullmatch(chunk):  # a URL alone on a line is an oEmbed: keep it as a link
            out.append(_link_paragraph(chunk))
        else:
            out.append("<p>" + chunk.replace("\n", "<br>\n") + "</p>")
    return "\n\n".join(out)


def file_name(url: str) -> str:
    """A file name fit for a Markdown link: 'Mein Bild.JPG' -> 'mein-bild.jpg'."""
    name = posixpath.basename(unquote(urlsplit(url).path).replace("\\", "/"))
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem.strip("."):
        stem, extension = name, ""
    stem = plain_slug(stem.strip(".") or "datei")
    extension = slugify(extension) if extension.strip(".-_ ") else ""
    return f"{stem}.{extension}" if extension else stem


def original_of(path: str) -> str:
    """The full-size upload a resized WordPress variant was made from: x-300x200.jpg -> x.jpg."""
    return _SIZE_SUFFIX.sub("", path)


def _unique(name: str, taken: set[str]) -> str:
    stem, dot, extension = name.rpartition(".")
    stem, extension = (stem, dot + extension) if dot else (name, "")
    candidate, number = name, 2
    while candidate in taken:
        candidate, number = f"{stem}-{number}{extension}", number + 1
    return candidate


def _reusable(match: re.Match[str], old: OldSite) -> str:
    """A reusable block in place: its own content, once (a block inside it stays out)."""
    try:
        ref = json.loads(match.group(1)).get("ref")
    except (ValueError, AttributeError):
        return ""
    return _REUSABLE.sub("", old.block(ref)) if isinstance(ref, int) else ""


def _embed_link(match: re.Match[str]) -> str:
    try:
        url = json.loads(match.group(1)).get("url", "")
    except (ValueError, AttributeError):
        url = ""
    return _link_paragraph(url) if isinstance(url, str) and url else ""


def _link_paragraph(url: str) -> str:
    quoted = html.escape(url, quote=True)
    return f'<p><a href="{quoted}">{quoted}</a></p>'


def _shortcode(match: re.Match[str], old: OldSite, left: list[str]) -> str:
    """[caption] and [gallery] become images, [embed]/[video]/[audio] links; others stay."""
    name, inner = match["name"], match["inner"] or ""
    attrs = {m[1].lower(): m[2] or m[3] or m[4] or "" for m in _ATTR.finditer(match["attrs"])}
    if name in ("caption", "wp_caption"):
        return _caption(inner, attrs)
    if name == "gallery":
        return _gallery(attrs, old)
    if name in ("embed", "video", "audio", "playlist") and (inner.strip() or attrs.get("src")):
        return _link_paragraph((inner.strip() or attrs["src"]).strip())
    left.append(match.group(0) if len(match.group(0)) <= 80 else match.group(0)[:77] + "...")
    return match.group(0)


def _caption(inner: str, attrs: dict[str, str]) -> str:
    """`[caption]<img …> Text[/caption]`: the image, then its caption (or the attribute's)."""
    image = re.search(r"(?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?", inner, re.I)
    if image is None:
        return inner
    caption = (inner[: image.start()] + inner[image.end() :]).strip() or attrs.get("caption", "")
    return f"<figure>{image.group(0)}<figcaption>{caption}</figcaption></figure>"


def _gallery(attrs: dict[str, str], old: OldSite) -> str:
    figures = []
    for part in attrs.get("ids", "").split(","):
        media = old.media(int(part)) if part.strip().isdigit() else None
        if media is not None:
            figure = f'<img src="{html.escape(media.url)}" alt="{html.escape(media.alt)}">'
            if media.caption:
                figure += f"<figcaption>{html.escape(media.caption)}</figcaption>"
            figures.append(f"<figure>{figure}</figure>")
    return "\n\n".join(figures)


def _rewritten(text: str, old: OldSite, files: Files) -> str:
    """Frames become links, files get their local names, links into the old site paths."""
    if not text.strip():
        return ""
    try:
        root = lxml.html.fragment_fromstring(text, create_parent="div")
    except ParserError:
        return text
    for frame in list(root.iter(*FRAMES)):
        _frame_to_link(frame)
    for image in root.iter("img"):
        src = urljoin(old.base_url + "/", image.get("src", "").strip())
        if src.startswith(("http://", "https://")):
            image.set("src", files.local(old.canonical(src)))
    for link in root.iter("a"):
        href = link.get("href", "").strip()
        if not href or href.startswith(("#", "mailto:", "tel:")):
            continue
        absolute = urljoin(old.base_url + "/", href)
        if old.is_file(absolute):
            link.set("href", files.local(old.canonical(absolute)))
        elif _same_site(absolute, old.base_url):
            parts = urlsplit(absolute)
            link.set("href", (parts.path or "/") + (f"?{parts.query}" if parts.query else ""))
    children = "".join(lxml.html.tostring(child, encoding="unicode") for child in root)
    return html.escape(root.text or "", quote=False) + children


def _frame_to_link(frame: lxml.html.HtmlElement) -> None:
    """An iframe or player becomes a plain link to what it showed (nothing loads from afar)."""
    src = (frame.get("src") or frame.get("data") or "").strip()
    if not src:
        source = frame.find(".//source")
        src = (source.get("src") or "").strip() if source is not None else ""
    tail, parent = frame.tail, frame.getparent()
    if parent is None:
        return
    if src.startswith(("http://", "https://")):
        replacement = lxml.html.fragment_fromstring(_link_paragraph(src))
        replacement.tail = tail
        parent.replace(frame, replacement)
    else:
        parent.remove(frame)


def _same_site(url: str, base_url: str) -> bool:
    return bool(base_url) and urlsplit(url).netloc.lower() == urlsplit(base_url).netloc.lower()


class _Converter(MarkdownConverter):
    """markdownify with each figure a paragraph and its caption one of its own under it,
    and text that would start a list, heading or quote (German "5. Mai …") escaped."""

    def escape(self, text: str, parent_tags: set[str]) -> str:
        # Text stays text even where the site allows HTML: no tag, entity, code span or link
        # (`[x](javascript:…)` written as text) comes alive; then the line starts.
        text = _MARKUP.sub(r"\\\g<0>", text).replace("*", r"\*").replace("_", r"\_")
        text = _TAG_START.sub("&lt;", _ENTITY.sub("&amp;", text))
        return _LINE_START.sub(_escaped_marker, text)

    def convert_a(self, el: Any, text: str, parent_tags: set[str]) -> str:
        if el.get("href"):
            el["href"] = _url(el["href"])
        el.attrs.pop("title", None)  # a title is one more quoted string to break out of
        return str(super().convert_a(el, text, parent_tags))  # type: ignore[misc]

    def convert_img(self, el: Any, text: str, parent_tags: set[str]) -> str:
        el["src"] = _url(el.get("src") or "")
        el["alt"] = self.escape(el.get("alt") or "", parent_tags)
        el.attrs.pop("title", None)
        return str(super().convert_img(el, text, parent_tags))  # type: ignore[misc]

    def convert_figure(self, el: object, text: str, parent_tags: set[str]) -> str:
        return f"\n\n{text.strip()}\n\n"

    def convert_figcaption(self, el: object, text: str, parent_tags: set[str]) -> str:
        text = text.strip()
        return f"\n\n{text}\n\n" if text else ""


def _url(url: str) -> str:
    """A link target that cannot end early: '(', ')', '<', quotes and spaces percent-encoded."""
    return quote(url.strip(), safe=_URL_KEEP)


def _escaped_marker(match: re.Match[str]) -> str:
    indent, marker = match.groups()
    return f"{indent}{marker}\\" if marker[0].isdigit() else f"{indent}\\{marker}"


def _tidy(markdown: str) -> str:
    lines = [line.rstrip() if not line.endswith("  ") else line for line in markdown.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"
