"""A page's body as the site shows it: links to content files resolved to their addresses,
images made responsive, a bundle's files found, and a warning for each file that is missing.
"""

from __future__ import annotations

import bisect
import dataclasses
import html as markup
import posixpath
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from html import escape, unescape
from typing import Any
from urllib.parse import quote, unquote

from litfass.config import Config
from litfass.content import images
from litfass.content.files import ContentFiles
from litfass.content.frontmatter import Source, read_source
from litfass.content.kinds import is_bundle_index, is_markdown
from litfass.content.markup import (
    content_links,
    first_paragraph,
    render_markdown,
    resolve_links,
    target_of,
)
from litfass.content.model import Page, pack
from litfass.content.pages import FOLDERS, remote_image_message
from litfass.errors import LitfassError, Problem
from litfass.hrefs import remote_host, site_path
from litfass.i18n import _


@dataclass(frozen=True)
class Withheld:
    """What a build leaves out (drafts, scheduled items and their folders' files), for the
    links to it: by content file and by site address, each with why it is not on the site."""

    files: Mapping[str, str] = field(default_factory=dict)  # in content/ -> why
    addresses: Mapping[str, str] = field(default_factory=dict)  # decoded site path -> why


NOTHING_WITHHELD = Withheld()


def content_urls(
    config: Config, files: ContentFiles, pages: list[Page], sources: list[Source]
) -> dict[str, str]:
    """URL of every content file: pages for .md files, copies for everything else.

    A file inside the folder of an `index.md` is copied next to that item's page.
    """
    urls = {s.content_rel: p.url for s, p in zip(sources, pages, strict=True)}
    bundles = {
        posixpath.dirname(s.content_rel) + "/": p.url
        for s, p in zip(sources, pages, strict=True)
        if is_bundle_index(s.content_rel)
    }
    for s, p in zip(sources, pages, strict=True):
        # A folder with a translation only (`index.uk.md`): its files are that language's.
        if p.language and is_bundle_index(s.content_rel, config.translation_tags):
            bundles.setdefault(posixpath.dirname(s.content_rel) + "/", p.url)
    for _path, rel in files.assets:
        folder = _bundle_of(rel, bundles)
        urls[rel] = (
            bundles[folder] + file_url(rel[len(folder) :]) if folder else file_url("/" + rel)
        )
    return urls


def left_behind(files: ContentFiles) -> list[str]:
    """The files of item folders whose item is gone: in a folder of a section (news/x/)
    with no text of its own and no index.md above it. Deleting an item's index.md (in the
    browser editor, say) must not leave its photos public: a consent withdrawn is a photo
    that must go. Files directly in a section or outside the sections are shared files."""
    texts = {posixpath.dirname(rel) for _, rel in files.markdown}
    bundles = {posixpath.dirname(rel) for _, rel in files.markdown if rel.endswith("/index.md")}
    found = []
    for _path, rel in files.assets:
        folder = posixpath.dirname(rel)
        if folder.count("/") < 1 or folder.split("/", 1)[0] not in FOLDERS or folder in texts:
            continue
        above = folder
        while "/" in above and above not in bundles:
            above = posixpath.dirname(above)
        if above not in bundles:
            found.append(rel)
    return found


def file_url(path: str) -> str:
    """The address of a content file: its name as the editor gave it (so a download keeps
    it, and an address once published stays), in NFC and percent-encoded, so that a space or
    bracket (`Foto Kita Zittau (1).jpg`) cannot break a `srcset` or a feed's enclosure."""
    return quote(unicodedata.normalize("NFC", path), safe="/")


def _bundle_of(rel: str, bundles: dict[str, str]) -> str | None:
    folder = posixpath.dirname(rel) + "/"
    while folder not in bundles and folder != "/":
        folder = posixpath.dirname(folder.rstrip("/")) + "/"
    return folder if folder in bundles else None


def with_body(
    config: Config,
    source: Source,
    page: Page,
    urls: dict[str, str],
    pictures: dict[str, images.Picture],
    warnings: list[Problem],
    html: str | None = None,
    assets: list[tuple[str, int, str]] | None = None,
    withheld: Withheld = NOTHING_WITHHELD,
    unlinked: list[Problem] | None = None,
) -> Page:
    """The page with its body: `html` if already rendered (cache), else rendered here;
    `warnings` gets its problems (an image from another host is an error among them).

    A link to what the build leaves out (`withheld`) becomes its text: the address of a
    draft or embargoed item must not be read in a published page, its feed or the search
    index. `unlinked` gets a warning for each (the build counts them for published pages).

    `assets` are the non-page files by URL (`_assets_by_url`), to find a bundle's files
    without a pass over all of them for every page.
    """
    if html is None:
        html = render_markdown(source.body, config.allow_html)
    if withheld.addresses:
        html = _unlinked(config, source, page, html, urls, withheld, unlinked)
    for written, target in content_links(html, source.content_rel):
        if target not in urls:
            warnings.append(
                Problem(
                    source.rel,
                    _body_line(source, written),
                    _("link to '{written}': no such content file").format(written=written),
                    "warning",
                )
            )
    html = resolve_links(html, source.content_rel, urls)
    used = _files_used(source, page, html, urls)
    html = _with_document_sizes(config, source, html, urls)
    page = _without_withheld_files(config, source, page, urls, withheld, unlinked)
    html, files = _with_images(config, source, page, html, urls, pictures, warnings)
    html = _file_links(html, source.content_rel, urls)
    bundled: tuple[str, ...] = ()
    if is_bundle_index(source.content_rel, config.translation_tags):
        found = files_under(assets if assets is not None else assets_by_url(urls), page.url)
        bundled = tuple(rel for _, _, rel in sorted(found, key=lambda a: a[1]))
    summary = page.summary or first_paragraph(html)
    return dataclasses.replace(
        page,
        packed_html=pack(html),
        summary=summary,
        summary_from_body=not page.summary,
        assets=bundled,
        files=used,
        image=files["image"],
        cover=files["cover"],
        pdf=files["pdf"],
        pdf_info=document_info(config, source, page.pdf, urls) if files["pdf"] else "",
    )


# `\b(href|src)="…"`, written to begin with a class of two letters: the regex engine then
# skips to the next h or s at C speed instead of trying a word boundary at every character
# (half the time over a body; two passes over every body in the parent, before rendering).
_REFERENCE = re.compile(r'([hs](?:(?<=\bh)ref|(?<=\bs)rc))="([^"]+)"')
# A link and its text; a quoted attribute may hold '>' (raw HTML where editors are trusted).
_ANCHOR = re.compile(r"""(<a\b(?:[^>"']|"[^"]*"|'[^']*')*>)(.*?)</a\s*>""", re.S | re.I)
_HREF = re.compile(r'\shref="([^"]*)"', re.I)


_IMAGE_TAG = re.compile(r"""<img\b(?:[^>"']|"[^"]*"|'[^']*')*>""", re.I)
_SRC = re.compile(r'\ssrc="([^"]*)"', re.I)
_ALT = re.compile(r'\salt="([^"]*)"', re.I)


def withheld_message(tag: str, written: str, address: str, reason: str) -> str:
    """What `build` and `check` say of a link ("a") or image ("img") that leads to what is
    not on the site: one message."""
    if tag == "img":
        message = _("image '{url}': {target} {reason}; it is not shown")
    else:
        message = _("link to '{url}': {target} {reason}; its text is shown without the link")
    return message.format(url=written, target=address, reason=reason)


def _unlinked(
    config: Config,
    source: Source,
    page: Page,
    html: str,
    urls: dict[str, str],
    withheld: Withheld,
    found: list[Problem] | None,
) -> str:
    """Each link to something `withheld` replaced by its text, each image by its alt text,
    with a warning naming it."""
    folder = posixpath.dirname(source.content_rel)
    base = config.base_url + page.url

    def left_out(tag: str, address: re.Match[str] | None) -> bool:
        if address is None:
            return False
        written = unescape(address.group(1))
        target = _withheld_target(written, folder, base, urls, withheld)
        if target is not None and found is not None:
            line = _body_line(_with_text(config, source), written)
            message = withheld_message(tag, written, *target)
            found.append(Problem(source.rel, line, message, "warning"))
        return target is not None

    def link(match: re.Match[str]) -> str:
        return match.group(2) if left_out("a", _HREF.search(match.group(1))) else match.group(0)

    def image(match: re.Match[str]) -> str:
        if not left_out("img", _SRC.search(match.group(0))):
            return match.group(0)
        alt = _ALT.search(match.group(0))
        return alt.group(1) if alt else ""  # escaped as an attribute: as text too

    return _IMAGE_TAG.sub(image, _ANCHOR.sub(link, html))


def _without_withheld_files(
    config: Config,
    source: Source,
    page: Page,
    urls: dict[str, str],
    withheld: Withheld,
    found: list[Problem] | None,
) -> Page:
    """The page without the front-matter files (`image: ../entwurf/foto.jpg`) that are
    withheld, with a warning for each."""
    if not withheld.addresses:
        return page
    base = config.base_url + page.url
    folder = posixpath.dirname(source.content_rel)
    cleared: dict[str, Any] = {}
    for key, tag in (("image", "img"), ("cover", "img"), ("pdf", "a")):
        written = getattr(page, key)
        target = _withheld_target(written, folder, base, urls, withheld) if written else None
        if target is None:
            continue
        cleared[key] = ""
        if found is not None:
            message = withheld_message(tag, written, *target)
            found.append(Problem(source.rel, source.meta.line(key), message, "warning"))
    return dataclasses.replace(page, **cleared) if cleared else page


def _with_text(config: Config, source: Source) -> Source:
    """`source` with its body's text, read again where the reader left it out (a body
    without links to files or images: `reader.py`), to say a link's line."""
    if source.body:
        return source
    try:
        return read_source(config.root / source.rel, source.rel, source.content_rel)
    except LitfassError:
        return source  # changed again since: the next rebuild tells


def _withheld_target(
    written: str, folder: str, base: str, urls: dict[str, str], withheld: Withheld
) -> tuple[str, str] | None:
    """(address, why) when `written` leads to something withheld: its Markdown file, a file
    of its folder, or its address typed out."""
    path = written.split("#", 1)[0]
    rel = target_of(folder, path) if path.endswith(".md") else None
    rel = rel if rel in withheld.files else _content_file(written, folder, urls)
    if rel is not None and rel in withheld.files:
        return urls[rel], withheld.files[rel]
    address = site_path(written, base)
    if address is None:
        return None
    for candidate in (address, address.rstrip("/") + "/"):
        if candidate in withheld.addresses:
            return candidate, withheld.addresses[candidate]
    return None


def _content_file(written: str, folder: str, urls: dict[str, str]) -> str | None:
    """The content file (not a page) an address written in `folder` names, if it names one."""
    path = written.split("#", 1)[0]
    if not path or ":" in path or path.startswith("//") or "?" in path:
        return None  # another host, mail, an anchor on the page, a query
    base = "" if path.startswith("/") else folder
    rel = posixpath.normpath(posixpath.join(base, unquote(path).lstrip("/")))
    return rel if rel in urls and not is_markdown(rel) else None


def _file_links(html: str, content_rel: str, urls: dict[str, str]) -> str:
    """Links to content files (not pages) as their addresses: percent-encoded, so a name
    with spaces or umlauts is a valid URL wherever the body goes (feeds, search)."""
    folder = posixpath.dirname(content_rel)

    def replace(match: re.Match[str]) -> str:
        written = unescape(match.group(2))
        rel = _content_file(written, folder, urls)
        if rel is None:
            return match.group(0)
        _, hash_, fragment = written.partition("#")
        return f'{match.group(1)}="{escape(urls[rel] + hash_ + quote(fragment, safe="%"))}"'

    return _REFERENCE.sub(replace, html)


def _files_used(source: Source, page: Page, html: str, urls: dict[str, str]) -> tuple[str, ...]:
    """The content files (not pages) a page links to or shows, relative to content/: from the
    front matter and the body as written (before images become their variants)."""
    folder = posixpath.dirname(source.content_rel)
    written = [page.image, page.cover, page.pdf]
    written += [unescape(m.group(2)) for m in _REFERENCE.finditer(html)]
    found = (_content_file(ref, folder, urls) for ref in written)
    return tuple(sorted({rel for rel in found if rel is not None}))


# Documents whose links say their type and size, as accessible sites do: "(PDF, 2,4 MB)".
DOCUMENTS = {
    "pdf": "PDF", "doc": "Word", "docx": "Word", "odt": "ODT", "rtf": "RTF",
    "xls": "Excel", "xlsx": "Excel", "ods": "ODS", "csv": "CSV",
    "ppt": "PowerPoint", "pptx": "PowerPoint", "odp": "ODP", "zip": "ZIP", "epub": "EPUB",
}  # fmt: skip
_DOCUMENT_LINK = re.compile(
    r'(<a\b[^>]*\bhref="([^"#?:]+\.(?:' + "|".join(DOCUMENTS) + r'))"[^>]*>.*?</a>)', re.S | re.I
)


def _with_document_sizes(config: Config, source: Source, html: str, urls: dict[str, str]) -> str:
    """Each link to a document among the content files followed by its type and size."""
    if "href=" not in html:
        return html

    def add(match: re.Match[str]) -> str:
        info = document_info(config, source, markup.unescape(match.group(2)), urls)
        if not info:
            return match.group(0)
        return f'{match.group(1)} <span class="doc-info">({markup.escape(info)})</span>'

    return _DOCUMENT_LINK.sub(add, html)


def document_info(config: Config, source: Source, written: str, urls: dict[str, str]) -> str:
    """'PDF, 2,4 MB' for a document among the content files, as written beside `source`."""
    kind = DOCUMENTS.get(written.rsplit(".", 1)[-1].lower())
    if kind is None or "://" in written:
        return ""
    folder = posixpath.dirname(source.content_rel)
    rel = posixpath.normpath(
        written.lstrip("/") if written.startswith("/") else posixpath.join(folder, written)
    )
    if rel not in urls:
        return ""
    try:
        size = (config.content_path / rel).stat().st_size
    except OSError:
        return ""
    return f"{kind}, {images.file_size(size, config.written_in.locale)}"


def assets_by_url(urls: dict[str, str]) -> list[tuple[str, int, str]]:
    """(URL, position, file) of every file that is not a page, sorted by URL."""
    return sorted(
        (url, position, rel)
        for position, (rel, url) in enumerate(urls.items())
        if not is_markdown(rel)
    )


def files_under(assets: list[tuple[str, int, str]], prefix: str) -> list[tuple[str, int, str]]:
    """The assets whose URL starts with `prefix`."""
    start = bisect.bisect_left(assets, (prefix, -1, ""))
    end = start
    while end < len(assets) and assets[end][0].startswith(prefix):
        end += 1
    return assets[start:end]


def _body_line(source: Source, written: str) -> int:
    """File line of the first mention of `written` in the body (where Markdown wrote each
    backslash in it twice, as an escape, that too)."""
    found = source.body.find(written)
    if found < 0 and "\\" in written:
        found = source.body.find(written.replace("\\", "\\\\"))
    return source.body_line + source.body[: max(0, found)].count("\n")


def _with_images(
    config: Config,
    source: Source,
    page: Page,
    html: str,
    urls: dict[str, str],
    pictures: dict[str, images.Picture],
    warnings: list[Problem],
) -> tuple[str, dict[str, str]]:
    """Responsive images in the body; front-matter files as site URLs; missing alt texts."""
    html, no_alt = images.responsive_body(
        html, posixpath.dirname(source.content_rel), urls, pictures
    )
    for src, host in _remote_images(config, html):
        message = remote_image_message("image", host)
        warnings.append(Problem(source.rel, _body_line(source, src), message))
    for src in no_alt:
        line = _image_line(source, src)
        message = _(
            "image '{src}' has no alt text: say what it shows, e.g. ![Teilnehmende im Saal]({src})"
        ).format(src=src)
        warnings.append(Problem(source.rel, line, message, "warning"))
    files: dict[str, str] = {}
    for key in ("image", "cover", "pdf"):
        found = _front_matter_file(config, source, getattr(page, key), urls)
        if found is None:
            message = _("'{key}': file '{file}' not found; put it beside this file").format(
                key=key, file=getattr(page, key)
            )
            warnings.append(Problem(source.rel, source.meta.line(key), message, "warning"))
        files[key] = found or ""
    if page.image and not page.image_alt:
        message = _("'image' has no 'image_alt': add 'image_alt: what the picture shows'")
        warnings.append(Problem(source.rel, source.meta.line("image"), message, "warning"))
    return html, files


_IMAGE_SRC = re.compile(r'<img\b[^>]*?\bsrc="([^"]+)"', re.I)


def _remote_images(config: Config, html: str) -> list[tuple[str, str]]:
    """(address, host) of images a body shows from hosts config.yaml does not allow
    (`remote_images`), read as browsers read addresses (`//host/x.gif` too)."""
    found = (unescape(m.group(1)) for m in _IMAGE_SRC.finditer(html))
    hosts = ((src, config.remote_image_host(src)) for src in found)
    return [(src, host) for src, host in hosts if host is not None]


def _image_line(source: Source, src: str) -> int:
    """File line of a Markdown image with empty alt text, else of the first mention of `src`."""
    found = re.search(r"!\[\s*\]\(\s*<?" + re.escape(src), source.body)
    if found is None:
        return _body_line(source, src)
    return source.body_line + source.body[: found.start()].count("\n")


def _front_matter_file(
    config: Config, source: Source, written: str, urls: dict[str, str]
) -> str | None:
    """The site URL of a file named in front matter: beside the item, from the top of content/
    with '/', a theme file under /static/, or on another host. None when there is no such file."""
    if not written or remote_host(written, config.base_url + "/") is not None:
        return written  # an allowed host's (pages.py refused the others)
    if written.startswith("/static/"):
        rel = written.lstrip("/")
        return written if any((t / rel).is_file() for t in config.theme_paths) else None
    return images.resolve(written, posixpath.dirname(source.content_rel), urls)
