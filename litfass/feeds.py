"""News feeds (RSS 2.0 and Atom) made with feedgen.

Dates come from the items, never the clock, so two builds give the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from feedgen.feed import FeedGenerator

from litfass.model import Page

if TYPE_CHECKING:
    from litfass.outputs import Output
    from litfass.site import Site

RSS_PATH = "aktuelles/feed.xml"
ATOM_PATH = "aktuelles/atom.xml"


def declare(site: Site) -> Iterator[Output]:
    from litfass.outputs import Output

    yield Output(RSS_PATH, produce=lambda: news_feed(site, "rss"))
    yield Output(ATOM_PATH, produce=lambda: news_feed(site, "atom"))


def news_feed(site: Site, flavour: str) -> bytes:
    """The newest news items as RSS or Atom."""
    config = site.config
    items = site.news[: config.feed_items]
    feed = FeedGenerator()
    feed.id(config.absolute(config.urls.news_index))
    feed.title(config.title)
    feed.subtitle(config.tagline or config.title)
    feed.language(config.language)
    feed.link(href=config.absolute(config.urls.news_index), rel="alternate")
    path = RSS_PATH if flavour == "rss" else ATOM_PATH
    feed.link(href=config.absolute("/" + path), rel="self")
    if items:
        feed.updated(max(p.date for p in items if p.date))
        feed.lastBuildDate(max(p.date for p in items if p.date))
    for page in reversed(items):  # feedgen prepends entries
        _entry(feed, page, site)
    if flavour == "rss":
        return feed.rss_str(pretty=True)
    return feed.atom_str(pretty=True)


def _entry(feed: FeedGenerator, page: Page, site: Site) -> None:
    config = site.config
    entry = feed.add_entry()
    link = config.absolute(page.url)
    entry.id(link)
    entry.guid(link, permalink=True)
    entry.title(page.title)
    entry.link(href=link)
    entry.published(page.date)
    entry.updated(page.date)
    entry.description(page.summary)
    for tag in page.tags:
        entry.category(term=tag.name)
