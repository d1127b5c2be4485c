"""Read a WordPress export (WXR, "Werkzeuge → Daten exportieren") into items, streaming.

Two passes over the file with lxml's iterparse, each element cleared once read: the first
keeps only what other items refer to (authors, attachments, page parents), the second converts
one post at a time, so memory stays flat however large the export is.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree

from litfass.content.model import NEWS, PAGE
from litfass.errors import LitfassError, unreadable
from litfass.i18n import _
from litfass.importers.html import Files, Media, OldSite, original_of, to_markdown
from litfass.importers.items import DATE_UNREADABLE, PASSWORD, PRIVATE, Item, old_path
from litfass.importers.paths import plain_slug, strict_date
from litfass.values import one_line

UPLOADS = "/wp-content/uploads/"
DRAFTS = {"draft", "pending", "private"}
IMPORTED = {"publish", "future"} | DRAFTS  # trash and auto-draft are left behind
TRASH = "trash"
KINDS = {"post": NEWS, "page": PAGE}
UNSORTED = {"uncategorized", "allgemein", "unkategorisiert"}  # WordPress's default category
# Every spelling WordPress and WordPress.com have written: WXR 1.0 to 1.2, http and https
# (WordPress.com), with or without the final '/'.
_WORDPRESS = re.compile(r"https?://wordpress\.(?:org|com)/export/\d+\.\d+/?(excerpt/?)?")
_NAMESPACES = {
    "purl.org/rss/1.0/modules/content/": "content",
    "purl.org/dc/elements/1.1/": "dc",
}
_TAGS = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Attachment:
    url: str
    alt: str
    caption: str
    page: str  # its attachment page as an old path, "" if none
    parent: int


@dataclass
class _Index:
    """What the first pass keeps: small records that other items refer to by id."""

    base_url: str = ""  # <wp:base_blog_url>: WordPress.com's <wp:base_site_url> is its own
    site_url: str = ""  # <wp:base_site_url>, or the channel's <link> (WXR 1.0 has neither)
    items: int = 0  # <item> elements, recognised or not
    namespaces: set[str] = field(default_factory=set)  # those of the items' fields
    trashed: list[tuple[str, str]] = field(default_factory=list)  # (title, old URL), left out
    authors: dict[str, str] = field(default_factory=dict)  # login -> a name fit for a contact
    attachments: dict[int, Attachment] = field(default_factory=dict)
    children: dict[int, list[int]] = field(default_factory=dict)  # item id -> attachment ids
    blocks: dict[int, str] = field(default_factory=dict)  # reusable block id -> its HTML
    pages: dict[int, tuple[str, int]] = field(default_factory=dict)  # id -> (slug, parent id)
    links: dict[int, str] = field(default_factory=dict)  # page id -> its old URL
    total: int = 0  # posts and pages to import
    skipped: Counter[str] = field(default_factory=Counter)  # other post types and statuses


class WordPressExport:
    """A WXR file: `total` items to import, then `items()` one at a time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.index = _Index()
        for element in _elements(path):
            _remember(element, self.index)
        self.index.base_url = self.index.base_url or self.index.site_url
        _refuse_unrecognised(path, self.index)
        self.old = OldSite(self.index.base_url, _is_upload, self._media, _canonical, self._block)

    @property
    def total(self) -> int:
        return self.index.total

    @property
    def skipped(self) -> Counter[str]:
        return self.index.skipped

    @property
    def trashed(self) -> list[tuple[str, str]]:
        """Posts and pages in WordPress's trash (title, old URL): left out, and listed."""
        return self.index.trashed

    def items(self) -> Iterator[Item]:
        """Each post and page of the export, in the order of the file."""
        for element in _elements(self.path):
            if etree.QName(element).localname == "item":
                fields = _fields(element)
                if _importable(fields):
                    yield self._item(fields, element)

    def _block(self, number: int) -> str:
        return self.index.blocks.get(number, "")

    def _media(self, number: int) -> Media | None:
        found = self.index.attachments.get(number)
        return Media(found.url, found.alt, found.caption) if found else None

    def _item(self, fields: dict[str, str], element: etree._Element) -> Item:
        number = _number(fields.get("wp:post_id", ""))
        kind = KINDS[fields["wp:post_type"]]
        title = one_line(html.unescape(fields.get("title", "")))
        files = Files()
        image, image_alt = self._featured(element, number, files)
        body = to_markdown(fields.get("content:encoded", ""), self.old, files)
        categories, tags = _terms(element)
        slug = plain_slug(_decoded(fields.get("wp:post_name", "")) or title or f"beitrag-{number}")
        withheld, date = _withheld(fields), _date(fields)
        return Item(
            kind=kind,
            title=title or slug,
            old_url=fields.get("link") or fields.get("guid", ""),
            body=body.markdown,
            date=date,
            notes=() if date or not _has_date(fields) else (DATE_UNREADABLE,),
            slug=slug,
            folders=self._ancestors(number) if kind == PAGE else (),
            parent=self.index.links.get(self.index.pages.get(number, ("", 0))[1], ""),
            summary=_plain(fields.get("excerpt:encoded", "")),
            category=categories[0] if kind == NEWS and categories else "",
            tags=tuple(dict.fromkeys(categories[1:] + tags)) if kind == NEWS else (),
            draft=fields.get("wp:status") in DRAFTS or bool(withheld),
            withheld=withheld,
            contact=self.index.authors.get(fields.get("dc:creator", ""), "")
            if kind == NEWS
            else "",
            image=image,
            image_alt=image_alt,
            menu=self._menu(fields, number) if kind == PAGE else None,
            aliases=self._aliases(fields, number),
            files=body.files,
            shortcodes=body.shortcodes,
        )

    def _featured(self, element: etree._Element, number: int, files: Files) -> tuple[str, str]:
        """The featured image (postmeta _thumbnail_id) as a file name, and its alt text."""
        thumbnail = _number(_postmeta(element).get("_thumbnail_id", ""))
        found = self.index.attachments.get(thumbnail)
        return (files.local(found.url), found.alt) if found and found.url else ("", "")

    def _ancestors(self, number: int) -> tuple[str, ...]:
        slugs: list[str] = []
        parent = self.index.pages.get(number, ("", 0))[1]
        while parent and parent in self.index.pages and len(slugs) < 20:  # 20: a loop, not a tree
            slug, parent = self.index.pages[parent]
            slugs.insert(0, slug)
        return tuple(slugs)

    def _menu(self, fields: dict[str, str], number: int) -> int | None:
        """Top-level pages that WordPress sorts into its page menu keep their position."""
        order = _number(fields.get("wp:menu_order", ""))
        on_top = not self.index.pages.get(number, ("", 0))[1]
        return order if order > 0 and on_top else None

    def _aliases(self, fields: dict[str, str], number: int) -> tuple[str, ...]:
        """The permalink, the guid, WordPress's short forms and the attachment pages."""
        paths = [old_path(fields.get("link", "")), old_path(fields.get("guid", ""))]
        if number:
            page = fields.get("wp:post_type") == "page"
            paths += [f"/?p={number}"] + ([f"/?page_id={number}"] if page else [])
        for key in self.index.children.get(number, ()) if number else ():
            paths += [self.index.attachments[key].page, f"/?attachment_id={key}"]
        return tuple(dict.fromkeys(p for p in paths if p))


def _elements(path: Path) -> Iterator[etree._Element]:
    """Every element directly below <channel>, each cleared and dropped once handed out."""
    try:
        for _event, element in etree.iterparse(
            str(path), events=("end",), resolve_entities=False, no_network=True, huge_tree=True
        ):
            parent = element.getparent()
            if parent is None or etree.QName(parent).localname != "channel":
                continue
            yield element
            element.clear()
            while element.getprevious() is not None:
                del parent[0]  # the siblings already read: memory stays flat
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or 0
        raise LitfassError.at(
            str(path), line, _("not readable as XML: {reason}").format(reason=exc.msg)
        ) from None
    except OSError as exc:
        raise LitfassError.at(str(path), 0, unreadable(exc)) from None


def _remember(element: etree._Element, index: _Index) -> None:
    tag = etree.QName(element).localname
    if tag == "base_blog_url":
        index.base_url = (element.text or "").strip().rstrip("/")
    elif tag in ("base_site_url", "link") and not index.site_url:
        index.site_url = (element.text or "").strip().rstrip("/")
    elif tag == "author":
        fields = _fields(element)
        login = fields.get("wp:author_login", "")
        full = " ".join(
            fields.get(key, "").strip() for key in ("wp:author_first_name", "wp:author_last_name")
        ).strip()
        shown = fields.get("wp:author_display_name", "").strip()
        person = full or (shown if shown.lower() != login.lower() else "")
        if login and person:  # "admin" and other account names are nobody to contact
            index.authors[login] = one_line(html.unescape(person))
    elif tag == "item":
        index.items += 1
        index.namespaces.update(
            etree.QName(child).namespace or "" for child in element if isinstance(child.tag, str)
        )
        _remember_item(_fields(element), element, index)


def _remember_item(fields: dict[str, str], element: etree._Element, index: _Index) -> None:
    number = _number(fields.get("wp:post_id", ""))
    kind = fields.get("wp:post_type", "")
    if kind == "attachment":
        meta = _postmeta(element)
        index.attachments[number] = Attachment(
            url=fields.get("wp:attachment_url", ""),
            alt=one_line(meta.get("_wp_attachment_image_alt", "")),
            caption=_plain(fields.get("excerpt:encoded", "")),
            page=old_path(fields.get("link", "")),
            parent=_number(fields.get("wp:post_parent", "")),
        )
        index.children.setdefault(index.attachments[number].parent, []).append(number)
    elif kind == "wp_block":  # a reusable block: posts name it, their text contains it
        index.blocks[number] = fields.get("content:encoded", "")
        return
    elif kind == "page":
        slug = _decoded(fields.get("wp:post_name", "")) or fields.get("title", "")
        index.pages[number] = (plain_slug(slug), _number(fields.get("wp:post_parent", "")))
        index.links[number] = fields.get("link") or fields.get("guid", "")
    if _importable(fields):
        index.total += 1
    elif kind in KINDS and fields.get("wp:status") == TRASH:
        title = one_line(html.unescape(fields.get("title", "")))
        index.trashed.append((title, fields.get("link") or fields.get("guid", "")))
    elif kind != "attachment":
        index.skipped[f"{kind} ({fields.get('wp:status', '')})" if kind in KINDS else kind] += 1


def _importable(fields: dict[str, str]) -> bool:
    return fields.get("wp:post_type") in KINDS and fields.get("wp:status") in IMPORTED


def _fields(element: etree._Element) -> dict[str, str]:
    """The text of an element's children by prefixed name: 'wp:post_id', 'content:encoded'."""
    found: dict[str, str] = {}
    for child in element:
        if not isinstance(child.tag, str):
            # a comment or processing instruction (lxml-stubs type every tag as str)
            continue  # type: ignore[unreachable]
        found.setdefault(_prefixed(child), child.text or "")
    return found


def _prefixed(element: etree._Element) -> str:
    qname = etree.QName(element)
    namespace = qname.namespace or ""
    wordpress = _WORDPRESS.fullmatch(namespace)
    if wordpress:
        prefix = "excerpt" if wordpress.group(1) else "wp"
    else:
        prefix = _NAMESPACES.get(namespace.partition("://")[2], "")
    return f"{prefix}:{qname.localname}" if prefix else qname.localname


def _postmeta(element: etree._Element) -> dict[str, str]:
    meta: dict[str, str] = {}
    for child in element:
        if isinstance(child.tag, str) and etree.QName(child).localname == "postmeta":
            fields = _fields(child)
            meta.setdefault(fields.get("wp:meta_key", ""), fields.get("wp:meta_value", ""))
    return meta


def _terms(element: etree._Element) -> tuple[list[str], list[str]]:
    """Category names (the default one left out) and tag names, in the export's order."""
    categories: list[str] = []
    tags: list[str] = []
    for child in element:
        if not isinstance(child.tag, str) or etree.QName(child).localname != "category":
            continue
        name = one_line(html.unescape(child.text or ""))
        domain = child.get("domain", "")
        if domain == "category" and (child.get("nicename") or "").lower() not in UNSORTED:
            categories.append(name)
        elif domain == "post_tag":
            tags.append(name)
    return [c for c in categories if c], [t for t in tags if t]


def _date(fields: dict[str, str]) -> str:
    """Local time as WordPress wrote it, without seconds; "" for a draft never saved with a
    date, and for anything that is not exactly a date (it becomes part of a file name)."""
    for key in ("wp:post_date", "wp:post_date_gmt"):
        value = strict_date(fields.get(key, ""))
        if value:
            return value
    return ""


def _has_date(fields: dict[str, str]) -> bool:
    """Whether the export gives a date at all (WordPress writes zeros for none)."""
    return any(
        fields.get(key, "").strip().strip("0-: ") for key in ("wp:post_date", "wp:post_date_gmt")
    )


def _withheld(fields: dict[str, str]) -> str:
    """Why a post must not become public: a password, or WordPress's status private."""
    if fields.get("wp:post_password", "").strip():
        return PASSWORD
    return PRIVATE if fields.get("wp:status") == "private" else ""


def _refuse_unrecognised(path: Path, index: _Index) -> None:
    """An export in which nothing is recognised is an error that says why, never 0 items."""
    if not index.base_url and not index.items:
        raise LitfassError.at(
            str(path), 0, _("not a WordPress export: the file has no <wp:base_site_url>")
        )
    recognised = index.total + len(index.trashed) + sum(index.skipped.values())
    if index.items and not any(_WORDPRESS.fullmatch(n) for n in index.namespaces):
        found = ", ".join(sorted(n for n in index.namespaces if n)) or _("none")
        message = _(
            "not a WordPress export: none of its {count} items has fields in WordPress's "
            "namespace (http or https://wordpress.org/export/1.0/ to 1.2/); namespaces found: "
            "{found}"
        )
        raise LitfassError.at(str(path), 0, message.format(count=index.items, found=found))
    if not recognised or not index.items:
        message = _("nothing to import: the export holds no posts or pages ({count} items)")
        raise LitfassError.at(str(path), 0, message.format(count=index.items))


def upload_path(url: str) -> str:
    """An upload's path below wp-content/uploads ("2019/11/x.jpg"), or "" if it is none.

    WordPress.com serves uploads from its own host, `name.files.wordpress.com/2019/11/x.jpg`.
    """
    parts = urlsplit(url)
    path = unquote(parts.path)
    if UPLOADS in path:
        return path.split(UPLOADS, 1)[1]
    host = (parts.hostname or "").lower()
    return path.lstrip("/") if host.endswith(".files.wordpress.com") else ""


def _is_upload(url: str) -> bool:
    return bool(upload_path(url))


def _canonical(url: str) -> str:
    """One URL for the variants of an upload: full size, without WordPress.com's `?w=1024`."""
    if not _is_upload(url):
        return url
    return original_of(urlsplit(url)._replace(query="", fragment="").geturl())


def _decoded(slug: str) -> str:
    """WordPress keeps non-ASCII slugs percent-encoded: 'gr%c3%bc%c3%9fe' -> 'grüße'."""
    return unquote(slug.strip())


def _plain(text: str) -> str:
    return one_line(html.unescape(_TAGS.sub(" ", text)))


def _number(text: str) -> int:
    text = text.strip()
    return int(text) if text.isdigit() else 0


def upload_finder(uploads: Path) -> Callable[[str], Path | None]:
    """Find an old upload URL in a local copy of wp-content/uploads, never outside it."""
    root = uploads.resolve()

    def locate(url: str) -> Path | None:
        rel = upload_path(url)
        if not rel or "\x00" in rel:  # '%00' in an address: no file has that name
            return None
        for candidate in dict.fromkeys((rel, original_of(rel))):
            try:
                found = (root / candidate).resolve()
                if found.is_relative_to(root) and found.is_file():
                    return found
            except OSError:  # a name too long for the file system: no such file
                continue
        return None

    return locate
