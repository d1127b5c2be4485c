"""RSS 2.0 and Atom feeds made with feedgen: the news, the events, and one per topic and region.

Dates come from the items, never the clock, so two builds give the same bytes.
"""

from __future__ import annotations

import heapq
import html
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache, partial
from typing import TYPE_CHECKING

from litfass.content.model import EPOCH, Page
from litfass.hrefs import absolute
from litfass.outputs import Output, calendars, path_of
from litfass.outputs.metadata import Image, PageContext, image_of, listing_title
from litfass.outputs.translations import Translations, site_translations
from litfass.reuse import Reuse
from litfass.site import Listing, Site, announced, is_public, last_change, stable_id

if TYPE_CHECKING:
    import lxml.etree
    from feedgen.feed import FeedGenerator

RSS, ATOM = "rss", "atom"
FILES = {RSS: "feed.xml", ATOM: "atom.xml"}
TYPES = {RSS: "application/rss+xml", ATOM: "application/atom+xml"}
NAMES = {RSS: "RSS", ATOM: "Atom"}
GENERATOR = "litfass"


@dataclass(frozen=True)
class Channel:
    """A stream of items offered as RSS and Atom beside the page it follows."""

    name: str  # what it follows: 'Aktuelles', 'Thema: Wohnen'
    title: str  # the name with the site's title, as feed readers list it
    url: str  # the page it follows, e.g. /aktuelles/ or /themen/wohnen/
    items: tuple[Page, ...]  # newest first, at most `feeds.items` of config.yaml

    def feed_url(self, flavour: str) -> str:
        return feed_url(self.url, flavour)


def feed_url(url: str, flavour: str) -> str:
    """Address of the RSS or Atom feed beside a page: '/themen/wohnen/' -> '.../feed.xml'."""
    return url + FILES[flavour]


def newest(site: Site, pages: Iterable[Page], news: Iterable[Page] = ()) -> tuple[Page, ...]:
    """Public items, newest announced first, as many as a feed carries.

    `news` is a list in the site's news order (date and address, newest first), which for
    articles is exactly a feed's order (an article is announced on its date): only its first
    public items can be among the newest, so a feed of thousands of articles looks at a few.
    """
    count = site.config.feed_items
    first = itertools.islice((p for p in news if is_public(p, site.now)), count)
    shown = itertools.chain(first, (p for p in pages if is_public(p, site.now)))
    # The same as sorting all and taking the first ones, without sorting thousands per feed.
    return tuple(heapq.nlargest(count, shown, key=lambda p: (announced(site, p), p.url)))


def news_channel(site: Site, t: Translations) -> Channel:
    name = t("news")
    return Channel(
        name, _heading(site, name), site.config.urls.news_index, newest(site, (), site.news)
    )


def press_channel(site: Site, t: Translations) -> Channel:
    name = t("press_releases")
    return Channel(
        name, _heading(site, name), site.config.urls.press_index, newest(site, (), site.press)
    )


def events_channel(site: Site, t: Translations) -> Channel:
    events = newest(site, (*site.upcoming, *site.past_events))
    name = t("events")
    return Channel(name, _heading(site, name), site.config.urls.events_index, events)


def listing_channel(site: Site, listing: Listing, kind: str, t: Translations) -> Channel:
    items = newest(site, listing.events, listing.news)
    name = listing_title(listing, kind, t)
    return Channel(name, _heading(site, name), listing.url, items)


def _heading(site: Site, name: str) -> str:
    return f"{site.config.title} – {name}"


def channels(site: Site, t: Translations, reuse: Reuse | None = None) -> list[Channel]:
    """Every feed of the site: news, events, then each topic and region.

    With the `reuse` of the last rebuild, a channel made from the very same pages is the
    very same object, which tells the feed's record at once that nothing changed.
    """
    reuse = reuse or Reuse()
    now = site.now
    every = [
        reuse.get(("news", now), (site.news,), lambda: news_channel(site, t)),
        reuse.get(
            ("events", now), (site.upcoming, site.past_events), lambda: events_channel(site, t)
        ),
        reuse.get(("press", now), (site.press,), lambda: press_channel(site, t)),
    ]
    for listings, kind in ((site.topics, "topic"), (site.regions, "region")):
        every += [
            reuse.get(
                (kind, listing.url, now),
                (listing,),
                partial(listing_channel, site, listing, kind, t),
            )
            for listing in listings
        ]
    return every


def autodiscovery(site: Site, here: PageContext, t: Translations) -> list[tuple[str, str, str]]:
    """(type, title, href) of the `<link rel="alternate">` feeds in a page's head.

    The site's feeds are offered everywhere; a topic or region page offers its own first.
    """
    urls = site.config.urls
    followed = [(_heading(site, t("news")), urls.news_index),
                (_heading(site, t("events")), urls.events_index)]  # fmt: skip
    if here.listing is not None:
        title = _heading(site, listing_title(here.listing, here.kind, t))
        followed.insert(0, (title, here.listing.url))
    links = [
        (TYPES[flavour], f"{title} ({NAMES[flavour]})", feed_url(url, flavour))
        for title, url in followed
        for flavour in (RSS, ATOM)
    ]
    calendar_title = f"{_heading(site, t('events'))} (iCalendar)"
    links.append((calendars.MEDIA_TYPE, calendar_title, calendars.calendar_url(urls.events_index)))
    return links


def declare(site: Site, reuse: Reuse | None = None) -> Iterator[Output]:
    """Both flavours of every channel, and the page that explains them."""
    reuse = reuse or Reuse()
    language = site.config.language
    t = reuse.get(("translations", language), (), lambda: site_translations(site.config))
    every = channels(site, t, reuse)
    for channel in every:
        for flavour in (RSS, ATOM):
            produce = partial(render_feed, site, channel, flavour, t)
            yield Output(path_of(channel.feed_url(flavour)), produce=produce)
    index = site.config.urls.feeds_index
    context = {"url": index, "channels": every, "calendars": calendars.subscriptions(site, t)}
    yield Output(path_of(index), "feeds.html", context)


def render_feed(site: Site, channel: Channel, flavour: str, t: Translations) -> bytes:
    """One channel as RSS 2.0 or Atom."""
    # Here: feedgen and lxml (with dateutil) are a tenth of the imports of a build that
    # makes no feed, as an edited article's seldom does.
    from feedgen.feed import FeedGenerator

    config = site.config
    feed = FeedGenerator()
    feed.id(config.absolute(channel.url))
    feed.title(_title(channel.title, flavour))
    feed.subtitle(_description(config.tagline or config.title, flavour))
    feed.language(config.language)
    feed.generator(GENERATOR)
    feed.author(_organisation(site))
    # feedgen takes the last link as RSS's <link>: the page, not the feed itself.
    feed.link(href=config.absolute(channel.feed_url(flavour)), rel="self")
    feed.link(href=config.absolute(channel.url), rel="alternate")
    # The newest change among the items, so an unchanged site gives unchanged bytes.
    latest = max((last_change(site, p) for p in channel.items), default=EPOCH)
    feed.updated(latest)
    feed.lastBuildDate(latest)
    for page in channel.items:
        _entry(feed, site, page, t, flavour)
    if flavour == RSS:
        return feed.rss_str(pretty=True)
    return feed.atom_str(pretty=True)


# Plain text as feed readers read it: Atom says `type="text"`, so the text is only
# XML-escaped (lxml does that). RSS says nothing: readers render a <description> as HTML, and
# guess for a <title> whether it is HTML (feedparser: a closing tag or an entity), so there the
# text is escaped once more exactly when it could be taken for markup; a <category> is read as
# it is. Every plain-text field goes through one of these two, so `<b>`, `&amp;` and quotes
# reach the reader as the editor wrote them in every feed.
_LOOKS_LIKE_MARKUP = re.compile(r"<[a-zA-Z/!?]|&#?\w+;")


def _as_html(text: str) -> str:
    """Plain text as HTML, for an element readers render as HTML."""
    return html.escape(text, quote=False)


def _description(text: str, flavour: str) -> str:
    """Plain text for a channel's description: HTML in RSS, text in Atom."""
    return _as_html(text) if flavour == RSS else text


def _title(text: str, flavour: str) -> str:
    """Plain text for an element that RSS readers render as HTML if it looks like HTML."""
    if flavour == RSS and _LOOKS_LIKE_MARKUP.search(text):
        return html.escape(text, quote=False)
    return text


def _organisation(site: Site) -> dict[str, str]:
    org = site.config.organisation
    author = {"name": org.name or site.config.title}
    if org.email:
        author["email"] = org.email
    return author


def _entry(feed: FeedGenerator, site: Site, page: Page, t: Translations, flavour: str) -> None:
    config = site.config
    link = config.absolute(page.url)
    item_id = stable_id(config, page, site.addresses)
    entry = feed.add_entry(order="append")
    entry.guid(item_id, permalink=item_id == link)
    entry.title(_title(t.titled(page.title, page.event), flavour))
    entry.link(href=link, rel="alternate")
    entry.published(announced(site, page))
    entry.updated(last_change(site, page))
    entry.author(_author_of(site, page))
    summary = _summary(page, t)
    if summary:
        # The same bytes serve RSS's <description> and Atom's summary, marked as HTML.
        entry.description(_as_html(summary), isSummary=True)
        entry.summary(_as_html(summary), type="html")
    if config.feed_full_content:
        entry.content(absolute_html(_full_html(page, t), link, config.href), type="html")
    for tag in page.tags:
        entry.category(term=t.word(tag.name))
    if page.event is not None and page.event.status:
        entry.category(term=t.status(page.event.status))
    image = image_of(site, page)
    if image is not None and flavour == RSS:
        entry.enclosure(image.url, image.length, image.type)
    elif image is not None:
        entry.register_extension("lead_image", _lead_image(), atom=True, rss=False)
        entry.lead_image.image = image


@cache
def _lead_image() -> type:
    """An Atom entry's lead image as `<link rel="enclosure">` (a feedgen extension, made
    where feedgen is first imported).

    feedgen 1.0 writes only the href of an Atom entry's links, losing rel, type and length
    (python-feedgen issue 135), which would make the image look like the item's address.
    """
    from feedgen.ext.base import BaseEntryExtension
    from feedgen.util import xml_elem

    class LeadImage(BaseEntryExtension):
        image: Image | None = None

        def extend_atom(self, entry: lxml.etree._Element) -> lxml.etree._Element:
            if self.image is not None:
                xml_elem("link", entry, href=self.image.url, rel="enclosure",
                         type=self.image.type, length=str(self.image.length))  # fmt: skip
            return entry

    return LeadImage


def _author_of(site: Site, page: Page) -> dict[str, str]:
    """The press contact of an article, the organizer of an event, else the association."""
    if page.contact is not None:
        contact = {"name": page.contact.name, "email": page.contact.email}
        return {key: value for key, value in contact.items() if value}
    if page.event is not None and page.event.organizer:
        return {"name": page.event.organizer}
    return _organisation(site)


def _summary(page: Page, t: Translations) -> str:
    """The summary; an event's also says when and where, which a reader wants first."""
    if page.event is None:
        return page.summary
    facts = " · ".join(part for part in (t.when(page.event), _place(page, t)) if part)
    return f"{facts}: {page.summary}" if page.summary else facts


def _place(page: Page, t: Translations) -> str:
    location = page.event.location if page.event else None
    if location is None:
        return ""
    return t("online") if location.online else location.label


def _full_html(page: Page, t: Translations) -> str:
    if page.event is None:
        return page.body_html
    facts = f"<strong>{html.escape(t('when'))}:</strong> {html.escape(t.when(page.event))}"
    place = _place(page, t)
    if place:
        facts += f"<br>\n<strong>{html.escape(t('where'))}:</strong> {html.escape(place)}"
    return f"<p>{facts}</p>\n{page.body_html}"


# An item is in the news feed, its topics' and its region's, each as RSS and Atom: the same
# body made absolute six times or more. Bounded: a preview runs for days.
@lru_cache(maxsize=256)
def absolute_html(fragment: str, base: str, href: Callable[[str], str] = str) -> str:
    """HTML with every relative link and image made absolute against `base`, site paths
    ('/veranstaltungen/') first made the host's by `href` (Config.href: below base_url's folder).

    Feed readers show items away from the site, where '/veranstaltungen/' means nothing.
    """
    if not fragment.strip():
        return fragment
    import lxml.html  # here: see `render_feed`

    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    # As the reader's browser will follow them (`hrefs`): `/\\host` is another host there.
    root.rewrite_links(lambda link: absolute(href(link), base), resolve_base_href=False)
    for element in root.iter("img", "source"):
        srcset = element.get("srcset")
        if srcset:
            element.set("srcset", _absolute_srcset(srcset, base, href))
    inner = [html.escape(root.text or "", quote=False)]
    inner += [lxml.html.tostring(child, encoding="unicode") for child in root]
    return "".join(inner)


def _absolute_srcset(srcset: str, base: str, href: Callable[[str], str]) -> str:
    candidates = []
    for candidate in srcset.split(","):
        parts = candidate.split()
        if parts:
            candidates.append(" ".join([absolute(href(parts[0]), base), *parts[1:]]))
    return ", ".join(candidates)
