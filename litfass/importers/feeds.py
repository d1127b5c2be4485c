"""Read RSS 2.0 or Atom feeds (the common way out of TYPO3 and most systems) into news items.

feedparser reads every dialect; its own HTML filter is off because ours (html.py, the same as
for WordPress) keeps what it would drop silently, such as frames turned into links.
"""

from __future__ import annotations

import calendar
import html
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

import feedparser

from litfass.content.model import NEWS
from litfass.errors import LitfassError, unreadable
from litfass.i18n import _
from litfass.importers.html import OldSite, to_markdown
from litfass.importers.items import Item, old_path
from litfass.slugs import is_slug, slugify
from litfass.values import one_line

FILE_TYPES = re.compile(
    r"\.(pdf|docx?|xlsx?|pptx?|odt|ods|odp|rtf|zip|jpe?g|png|gif|webp|svg|mp3|mp4)$", re.I
)
_TAGS = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Feed:
    """One parsed feed: where it came from and its entries, not yet converted."""

    source: str
    base_url: str
    entries: tuple[Any, ...]

    def items(self, zone: ZoneInfo) -> Iterator[Item]:
        """Each entry as a news item, dated in the site's time zone."""
        old = OldSite(self.base_url, lambda url: _is_file(url, self.base_url))
        for entry in self.entries:
            yield _item(entry, old, zone)


def read_feed(source: str) -> Feed:
    """Parse a feed file, or fetch a feed URL (only when the user named one)."""
    if source.startswith(("http://", "https://")):
        parsed = feedparser.parse(source, sanitize_html=False)
    else:
        try:
            data = Path(source).read_bytes()
        except OSError as exc:
            raise LitfassError.at(source, 0, unreadable(exc)) from None
        parsed = feedparser.parse(data, sanitize_html=False)
    if not parsed.entries and (parsed.bozo or not parsed.version):
        reason = str(parsed.get("bozo_exception", "")) or _("no RSS or Atom feed found")
        raise LitfassError.at(
            source, 0, _("not readable as a feed: {reason}").format(reason=reason)
        )
    base_url = parsed.feed.get("link", "") or source
    parts = urlsplit(base_url)
    base = f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") else ""
    return Feed(source, base, tuple(parsed.entries))


def _item(entry: Any, old: OldSite, zone: ZoneInfo) -> Item:
    title = one_line(html.unescape(_TAGS.sub(" ", entry.get("title", ""))))
    link = entry.get("link", "") or entry.get("id", "")
    content = entry.get("content") or []
    summary_html = entry.get("summary", "")
    body_html = content[0].get("value", "") if content else summary_html
    summary = _plain(summary_html) if content else ""
    body = to_markdown(body_html, old)
    tags = (one_line(t.get("term") or t.get("label") or "") for t in entry.get("tags", []))
    return Item(
        kind=NEWS,
        title=title or slugify(link),
        old_url=link,
        body=body.markdown,
        date=_date(entry, zone),
        slug=_slug(link, title),
        summary=summary if summary and not body.markdown.startswith(summary[:40]) else "",
        tags=tuple(dict.fromkeys(t for t in tags if t)),
        aliases=tuple(p for p in (old_path(link),) if p and _same_site(link, old.base_url)),
        files=body.files,
        shortcodes=body.shortcodes,
    )


def _slug(link: str, title: str) -> str:
    """The old address's last part when it is a slug already (an editor chose it), else the title's."""
    last = urlsplit(link).path.rstrip("/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return last if is_slug(last) and not last.isdigit() else slugify(title or last)


def _date(entry: Any, zone: ZoneInfo) -> str:
    moment = entry.get("published_parsed") or entry.get("updated_parsed")
    if not moment:
        return ""
    when = datetime.fromtimestamp(calendar.timegm(moment), UTC).astimezone(zone)
    return when.strftime("%Y-%m-%d %H:%M")


def _is_file(url: str, base_url: str) -> bool:
    return _same_site(url, base_url) and bool(FILE_TYPES.search(urlsplit(url).path))


def _same_site(url: str, base_url: str) -> bool:
    host = urlsplit(base_url).netloc.lower()
    return not host or urlsplit(url).netloc.lower() == host


def _plain(text: str) -> str:
    return one_line(html.unescape(_TAGS.sub(" ", text)))


def file_finder(folder: Path) -> Callable[[str], Path | None]:
    """Find an old file URL in a copy of the old site's files, by its path: /fileadmin/x.pdf."""
    root = folder.resolve()

    def locate(url: str) -> Path | None:
        try:
            found = (root / unquote(urlsplit(url).path).lstrip("/")).resolve()
            return found if found.is_relative_to(root) and found.is_file() else None
        except (OSError, ValueError):  # a name too long, or '%00' in it: no such file
            return None

    return locate
