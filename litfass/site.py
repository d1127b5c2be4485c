"""Assemble published pages into a `Site` with every derived list computed once.

Lists (news, upcoming events, topics, regions, years, related articles) live here and
nowhere else; templates only read them.
"""

from __future__ import annotations

import bisect
import dataclasses
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from litfass.addresses import AddressBook
from litfass.config import Config, NavItem, SiteLanguage
from litfass.content.images import Picture
from litfass.content.model import EVENT, MAGAZINE, NEWS, PAGE, BuildOptions, Page, Term
from litfass.errors import Problem
from litfass.i18n import _
from litfass.reuse import identical

RELATED_COUNT = 3
RELATED_WINDOW = 12  # neighbours in time per shared topic: keeps related lists linear


@dataclass(frozen=True)
class Listing:
    """A topic or region with the news and events that carry it."""

    term: Term
    url: str
    news: tuple[Page, ...]
    events: tuple[Page, ...]
    upcoming: tuple[Page, ...] = ()  # its events not over yet, soonest first


@dataclass(frozen=True)
class Site:
    """All published content of the portal and the lists derived from it."""

    config: Config
    now: datetime
    drafts: bool
    pages: tuple[Page, ...]
    news: tuple[Page, ...]  # newest first
    upcoming: tuple[Page, ...]  # soonest first
    past_events: tuple[Page, ...]  # most recent first
    magazine: tuple[Page, ...]  # newest first
    press: tuple[Page, ...]  # the press releases among the news, newest first
    static_pages: tuple[Page, ...]
    topics: tuple[Listing, ...]
    regions: tuple[Listing, ...]
    event_topics: tuple[Listing, ...]  # the calendar's filters: upcoming events only
    event_regions: tuple[Listing, ...]
    years: tuple[tuple[int, tuple[Page, ...]], ...]  # newest year first
    menu: tuple[NavItem, ...]
    content_urls: dict[str, str] = field(hash=False, compare=False)
    related: dict[str, tuple[Page, ...]] = field(hash=False, compare=False)
    neighbours: dict[str, tuple[Page | None, Page | None]] = field(hash=False, compare=False)
    pictures: dict[str, Picture] = field(default_factory=dict, hash=False, compare=False)
    addresses: AddressBook = field(default_factory=AddressBook, compare=False)
    # A site in several languages: the main language's site holds each other language's
    # site, by tag; every one of them the addresses of each page in every language it
    # exists in (`alternates`, by each of those addresses).
    translations: dict[str, Site] = field(default_factory=dict, hash=False, compare=False)
    alternates: dict[str, tuple[tuple[str, str], ...]] = field(
        default_factory=dict, hash=False, compare=False
    )
    # Another language's site: the main language's static pages, for the footer's links to
    # the legal notice and the like that have no translation.
    main_static_pages: tuple[Page, ...] = ()

    def translation(self, tag: str) -> Site:
        """The site in the language `tag` (this one for its own language)."""
        return self if tag == self.config.language else self.translations[tag]

    @property
    def every_language(self) -> tuple[Site, ...]:
        """This site and its other languages' sites, the main language first."""
        return (self, *self.translations.values())

    @property
    def home_url(self) -> str:
        """Where this language's home page is: "/" for the main language, else its folder."""
        return self.config.site_language(self.config.language).prefix

    @property
    def lead(self) -> Page | None:
        """The newest press release, shown large on the home page."""
        press = self.config.press_category
        return next(
            (p for p in self.news if p.category == press), self.news[0] if self.news else None
        )

    @property
    def today(self):
        return self.now.date()

    def topic_url(self, term: Term) -> str:
        return self.config.urls.topics.replace("{slug}", term.slug)

    def region_url(self, term: Term) -> str:
        return self.config.urls.regions.replace("{slug}", term.slug)

    def static_page(self, slug: str) -> Page | None:
        """A static page by slug, for footer links to Impressum and Datenschutz (in another
        language, its translation, else the main language's: every language has an Impressum)."""
        own = next((p for p in self.static_pages if p.slug == slug), None)
        return own or next((p for p in self.main_static_pages if p.slug == slug), None)


def is_published(page: Page, options: BuildOptions) -> bool:
    """Drafts and future-dated items appear only when asked for."""
    if page.draft and not options.drafts:
        return False
    return options.future or page.date is None or page.date <= options.now


def is_public(page: Page, now: datetime) -> bool:
    """What subscribers and search engines get: never drafts or future items, whatever is built."""
    return not page.draft and (page.date is None or page.date <= now)


def withheld_reason(page: Page, options: BuildOptions) -> str | None:
    """Why `page` is not on a site built with `options` (said of each link to it), or None
    when it is: the one rule for `build`, `check` and the preview."""
    if is_published(page, options):
        return None
    if page.draft and not options.drafts:
        return _("is a draft ({source}): it is not on the site yet").format(source=page.source)
    when = f"{page.date:%Y-%m-%d %H:%M}" if page.date else _("later")
    return _("is scheduled for {when} ({source}): it is not on the site yet").format(
        when=when, source=page.source
    )


def withheld_files(pages: Iterable[Page], options: BuildOptions) -> frozenset[str]:
    """Content files that only unpublished items have: the files in a draft's or scheduled
    item's folder, and files that only such items show or link to (relative to content/).

    A draft publishes nothing at all: an embargoed press kit beside it must not be found
    at a guessable address before its date.
    """
    owned: set[str] = set()
    used_unpublished: set[str] = set()
    used_published: set[str] = set()
    for page in pages:
        if is_published(page, options):
            used_published.update(page.files)
        else:
            owned.update(page.assets)
            used_unpublished.update(page.files)
    return frozenset(owned | (used_unpublished - used_published))


def without_files(site: Site, withheld: frozenset[str]) -> Site:
    """The site without the content files in `withheld` and their image variants."""
    if not withheld:
        return site
    urls = {rel: url for rel, url in site.content_urls.items() if rel not in withheld}
    gone = {site.content_urls[rel] for rel in withheld if rel in site.content_urls}
    pictures = {url: p for url, p in site.pictures.items() if url not in gone}
    return with_files(site, urls, pictures)


def with_files(site: Site, content_urls: dict[str, str], pictures: dict[str, Picture]) -> Site:
    """The site (and its other languages' sites) with these content files and pictures."""
    translations = {
        tag: dataclasses.replace(other, content_urls=content_urls, pictures=pictures)
        for tag, other in site.translations.items()
    }
    return dataclasses.replace(
        site, content_urls=content_urls, pictures=pictures, translations=translations
    )


def assemble(
    config: Config,
    pages: list[Page],
    options: BuildOptions,
    content_urls: dict[str, str],
    pictures: dict[str, Picture] | None = None,
    previous: Site | None = None,
    addresses: AddressBook | None = None,
) -> Site:
    """Build the Site from already validated, rendered pages.

    `previous` is the site of the last rebuild with the same config: lists it can prove
    unchanged are taken from it, so an edit to one article does not recompute them all.
    A site in several languages is the main language's site with a site for each other
    language, each of its language's items only (`translations`).
    """
    if not config.translation_tags:
        return _assemble(config, pages, options, content_urls, pictures, previous, addresses)
    # A translation is never out before its original: it is a draft or scheduled as its
    # original is (content/translations.py), so each language's site is assembled alone.
    by_language: dict[str, list[Page]] = defaultdict(list)
    for page in pages:
        by_language[page.language or config.language].append(page)
    titles = {p.url: p.title for p in pages if p.kind == PAGE and is_published(p, options)}
    sites = {
        language.tag: _assemble(
            language_config(config, language, titles),
            by_language[language.tag],
            options,
            content_urls,
            pictures,
            _last_in(previous, language.tag),
            addresses,
        )
        for language in config.site_languages
    }
    alternates = _alternates(tuple(sites.values()))
    main, *others = (dataclasses.replace(s, alternates=alternates) for s in sites.values())
    others = [dataclasses.replace(s, main_static_pages=main.static_pages) for s in others]
    return dataclasses.replace(main, translations={s.config.language: s for s in others})


def _last_in(site: Site | None, tag: str) -> Site | None:
    """The last site's in the language `tag`, if it had that language."""
    if site is None or (tag != site.config.language and tag not in site.translations):
        return None
    return site.translation(tag)


def language_config(
    config: Config, language: SiteLanguage, titles: Mapping[str, str] | None = None
) -> Config:
    """The config of the site in one of its languages: its tag, and every address in its
    folder (the main language's are the config's own). `titles`: each published static
    page's title by its address, in every language, for the main menu's entries."""
    if language.prefix == "/":
        return config
    urls = {name: language.url(value) for name, value in dataclasses.asdict(config.urls).items()}
    menu = language.navigation
    if menu is None:  # the main menu, in this language where it can be
        menu = tuple(_entry_in(item, language, titles or {}) for item in config.navigation)
    return dataclasses.replace(
        config,
        language=language.tag,
        title=language.title or config.title,
        tagline=language.tagline or config.tagline,
        urls=dataclasses.replace(config.urls, **urls),
        navigation=menu,
    )


def _entry_in(item: NavItem, language: SiteLanguage, titles: Mapping[str, str]) -> NavItem:
    """An entry of the main menu in another language: a page's translation with its own
    title; a page without one, the main language's page as it is (its address in the
    language's folder would be nobody's); a section or list in the language's folder (the
    theme names the sections)."""
    if not item.url.startswith("/"):
        return item
    url = language.url(item.url)
    if url in titles:
        return NavItem(titles[url], url)
    return item if item.url in titles else NavItem(item.title, url)


def _alternates(sites: tuple[Site, ...]) -> dict[str, tuple[tuple[str, str], ...]]:
    """Each page's address -> (language, address) of it in every language it exists in:
    an item and its translations, and the lists every language has."""
    groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for site in sites:
        tag = site.config.language
        for page in site.pages:
            groups[page.original or page.source].append((tag, page.url))
        main = site.config.site_languages[0]
        prefix = site.home_url
        for url in _list_urls(site):
            groups["/" + url[len(prefix) :] if prefix != main.prefix else url].append((tag, url))
    alternates: dict[str, tuple[tuple[str, str], ...]] = {}
    for group in groups.values():
        found = tuple(group)
        for _tag, url in found:
            alternates[url] = found
    return alternates


def page_url(first: str, number: int) -> str:
    """The address of a list's page `number`: its first page's, then `seite/2/` below it."""
    return first if number == 1 else f"{first}seite/{number}/"


def page_count(items: int, size: int) -> int:
    """How many pages a list of `items` has, `size` a page (one, if empty)."""
    return max(1, math.ceil(items / size))


def _paged(site: Site) -> list[tuple[str, int]]:
    """The first page of each list shown `page_size` items a page, and its number of items:
    news, press releases, each year, past events, each topic's and region's news."""
    urls = site.config.urls
    return [
        (urls.news_index, len(site.news)),
        (urls.press_index, len(site.press)),
        (urls.events_index + "archiv/", len(site.past_events)),
        *((urls.years.replace("{year}", str(year)), len(pages)) for year, pages in site.years),
        *((listing.url, len(listing.news)) for listing in (*site.topics, *site.regions)),
    ]


def _list_urls(site: Site) -> list[str]:
    """Every page of every list the site has, and its pages for a missing or deleted
    address: they exist in each language it has them (page 2 of the news where that
    language's news have a second page)."""
    urls = site.config.urls
    listings = (*site.topics, *site.regions, *site.event_topics, *site.event_regions)
    fixed = (
        site.home_url, site.home_url + "404.html", site.home_url + "410.html", urls.news_index,
        urls.events_index, urls.events_index + "archiv/",
        urls.years.replace("{year}/", ""), urls.press_index, urls.topics_index,
        urls.regions_index, urls.magazine_index, urls.feeds_index,
        *((urls.search_index,) if site.config.search else ()),
    )  # fmt: skip
    years = (urls.years.replace("{year}", str(year)) for year, _pages in site.years)
    size = site.config.page_size
    later = (
        page_url(first, number)
        for first, items in _paged(site)
        for number in range(2, page_count(items, size) + 1)
    )
    return [*fixed, *(listing.url for listing in listings), *years, *later]


def _assemble(
    config: Config,
    pages: list[Page],
    options: BuildOptions,
    content_urls: dict[str, str],
    pictures: dict[str, Picture] | None = None,
    previous: Site | None = None,
    addresses: AddressBook | None = None,
) -> Site:
    """The site of one language."""
    # The build's clock in the site's time zone, whatever the machine's: "today" is local.
    options = dataclasses.replace(options, now=options.now.astimezone(config.tz))
    shown = sorted((p for p in pages if is_published(p, options)), key=lambda p: p.source)
    by_kind: dict[str, list[Page]] = defaultdict(list)
    for page in shown:
        by_kind[page.kind].append(page)
    news = sorted(by_kind[NEWS], key=lambda p: (p.sort_date, p.url), reverse=True)
    events = sorted(by_kind[EVENT], key=lambda p: (p.sort_date, p.url))
    today = options.now.date()
    upcoming = [e for e in events if e.event and e.event.end_date >= today]
    past = list(reversed([e for e in events if e.event and e.event.end_date < today]))
    magazine = sorted(by_kind[MAGAZINE], key=lambda p: (p.sort_date, p.url), reverse=True)
    region = _region_of
    urls = config.urls

    def old(name: str) -> tuple:
        # A list holding the very same pages as the previous site's is kept as that list:
        # what reads it (declaring outputs, feeds, records of what a page read) sees no change.
        return getattr(previous, name, ())

    return Site(
        config=config,
        now=options.now,
        drafts=options.drafts,
        pages=_kept(old("pages"), shown),
        news=_kept(old("news"), news),
        upcoming=_kept(old("upcoming"), upcoming),
        past_events=_kept(old("past_events"), past),
        magazine=_kept(old("magazine"), magazine),
        press=_kept(old("press"), [p for p in news if p.category == config.press_category]),
        static_pages=_kept(old("static_pages"), by_kind[PAGE]),
        topics=_listings(news, events, upcoming, urls.topics, _tags_of, old("topics")),
        regions=_listings(news, events, upcoming, urls.regions, region, old("regions")),
        event_topics=_listings(
            [], upcoming, upcoming, urls.events_topic, _tags_of, old("event_topics")
        ),
        event_regions=_listings(
            [], upcoming, upcoming, urls.events_region, region, old("event_regions")
        ),
        years=_years(news, old("years")),
        menu=_kept(old("menu"), _menu(config, by_kind[PAGE])),
        content_urls=content_urls,
        related=_related(news, previous),
        neighbours=_neighbours(news, previous),
        pictures=pictures or {},
        addresses=_kept_book(previous, addresses),
    )


def _kept_book(previous: Site | None, book: AddressBook | None) -> AddressBook:
    """The last site's book when nothing in it changed: what read it need not be made again."""
    book = book or AddressBook()
    if previous is not None and previous.addresses == book:
        return previous.addresses
    return book


def reassemble(
    previous: Site,
    swaps: Sequence[tuple[Page, Page]],
    options: BuildOptions,
    content_urls: dict[str, str],
    pictures: dict[str, Picture] | None = None,
    addresses: AddressBook | None = None,
) -> Site | None:
    """The previous site with each (old, new) page pair swapped, if that is what `assemble`
    would give; None where an edit moves a page in or out of some list.

    Most saves change an article's text, not its date, topics or address: then every list
    keeps its order and members, and swapping the one page costs far less than sorting and
    grouping thousands again.
    """
    options = dataclasses.replace(options, now=options.now.astimezone(previous.config.tz))
    if options.now != previous.now or options.drafts != previous.drafts:
        return None
    if previous.translations:
        return _reassembled_languages(previous, swaps, options, content_urls, pictures, addresses)
    if any(_place(old, options) != _place(new, options) for old, new in swaps):
        return None
    site = previous
    for old, new in swaps:
        if is_published(new, options):
            if _find(site.pages, old) is None:
                return None  # not a page of the previous site after all
            site = _swapped(site, old, new)
    return dataclasses.replace(
        site,
        content_urls=content_urls,
        pictures=pictures or {},
        addresses=_kept_book(previous, addresses),
    )


def _reassembled_languages(
    previous: Site,
    swaps: Sequence[tuple[Page, Page]],
    options: BuildOptions,
    content_urls: dict[str, str],
    pictures: dict[str, Picture] | None,
    addresses: AddressBook | None,
) -> Site | None:
    """`reassemble` for a site in several languages: each edited page swapped into its
    language's site. No page moves in or out of a list or changes its address, so each
    page's languages (`alternates`) stay as they were."""
    main = previous.config.language
    sites: dict[str, Site] = {}
    for site in previous.every_language:
        tag = site.config.language
        own = [(old, new) for old, new in swaps if (new.language or main) == tag]
        alone = dataclasses.replace(site, translations={})
        again = reassemble(alone, own, options, content_urls, pictures, addresses)
        if again is None:
            return None
        sites[tag] = again
    others = {
        tag: dataclasses.replace(site, main_static_pages=sites[main].static_pages)
        for tag, site in sites.items()
        if tag != main
    }
    return dataclasses.replace(sites[main], translations=others)


def _place(page: Page, options: BuildOptions) -> tuple:
    """All of a page that decides where lists show it (and the menu's text)."""
    event = page.event
    return (
        is_published(page, options),
        page.kind,
        page.source,
        page.url,
        page.sort_date,
        event.end_date if event else None,
        page.tags,
        page.region,
        page.menu,
        page.category,
        page.title if page.kind == PAGE else None,
    )


def _swapped(site: Site, old: Page, new: Page) -> Site:
    """`site` with `new` wherever `old` was; lists without it stay the very same objects."""

    def swap(pages: tuple[Page, ...]) -> tuple[Page, ...]:
        at = _find(pages, old)
        return pages if at is None else (*pages[:at], new, *pages[at + 1 :])

    def listing(x: Listing) -> Listing:
        lists = (swap(x.news), swap(x.events), swap(x.upcoming))
        if identical(lists, (x.news, x.events, x.upcoming)):
            return x
        return Listing(x.term, x.url, *lists)

    def year(pair: tuple[int, tuple[Page, ...]]) -> tuple[int, tuple[Page, ...]]:
        pages = swap(pair[1])
        return pair if pages is pair[1] else (pair[0], pages)

    return dataclasses.replace(
        site,
        pages=swap(site.pages),
        news=swap(site.news),
        upcoming=swap(site.upcoming),
        past_events=swap(site.past_events),
        magazine=swap(site.magazine),
        press=swap(site.press),
        static_pages=swap(site.static_pages),
        topics=_kept(site.topics, [listing(x) for x in site.topics]),
        regions=_kept(site.regions, [listing(x) for x in site.regions]),
        event_topics=_kept(site.event_topics, [listing(x) for x in site.event_topics]),
        event_regions=_kept(site.event_regions, [listing(x) for x in site.event_regions]),
        years=_kept(site.years, [year(pair) for pair in site.years]),
        related=_swap_related(site.related, old, new),
        neighbours=_swap_neighbours(site.neighbours, site.news, old, new),
    )


def _find(pages: Sequence[Page], page: Page) -> int | None:
    """Where the very page is (not one equal to it), in C: lists hold thousands."""
    try:
        return list(map(id, pages)).index(id(page))
    except ValueError:
        return None


def _swap_related(
    related: dict[str, tuple[Page, ...]], old: Page, new: Page
) -> dict[str, tuple[Page, ...]]:
    target = id(old)
    holding = [url for url, pages in related.items() if target in map(id, pages)]
    if not holding:
        return related
    swapped = dict(related)
    for url in holding:
        swapped[url] = tuple(new if p is old else p for p in related[url])
    return swapped


def _swap_neighbours(
    neighbours: dict[str, tuple[Page | None, Page | None]],
    news: tuple[Page, ...],
    old: Page,
    new: Page,
) -> dict[str, tuple[Page | None, Page | None]]:
    """The newer article's older one and the older article's newer one become `new`."""
    at = _find(news, old)
    if at is None:
        return neighbours
    swapped = dict(neighbours)
    if at > 0:
        newer = news[at - 1].url
        swapped[newer] = (neighbours[newer][0], new)
    if at + 1 < len(news):
        older = news[at + 1].url
        swapped[older] = (new, neighbours[older][1])
    return swapped


def _tags_of(page: Page) -> tuple[Term, ...]:
    return page.tags


def _region_of(page: Page) -> tuple[Term, ...]:
    return (page.region,) if page.region else ()


def _kept(before: tuple, items: Sequence) -> tuple:
    """`before` if it holds the very same items, in order, else the items as a new tuple."""
    if identical(before, items):
        return before
    return tuple(items)


def _listings(
    news: Sequence[Page],
    events: Sequence[Page],
    upcoming: Sequence[Page],
    pattern: str,
    terms_of: Callable[[Page], tuple[Term, ...]],
    before: tuple[Listing, ...] = (),
) -> tuple[Listing, ...]:
    names: dict[str, Term] = {}
    items: dict[str, tuple[list[Page], list[Page]]] = defaultdict(lambda: ([], []))
    for index, group in enumerate((news, events)):
        for page in group:
            for term in terms_of(page):
                names.setdefault(term.slug, term)
                items[term.slug][index].append(page)
    soon: dict[str, list[Page]] = defaultdict(list)
    for page in upcoming:
        for term in terms_of(page):
            soon[term.slug].append(page)
    old = {listing.url: listing for listing in before}
    listings = []
    for slug, (n, e) in sorted(items.items()):
        url = pattern.replace("{slug}", slug)
        kept = old.get(url)
        if kept is None or kept.term != names[slug]:
            listings.append(Listing(names[slug], url, tuple(n), tuple(e), tuple(soon[slug])))
            continue
        lists = (_kept(kept.news, n), _kept(kept.events, e), _kept(kept.upcoming, soon[slug]))
        same = identical(lists, (kept.news, kept.events, kept.upcoming))
        listings.append(kept if same else Listing(names[slug], url, *lists))
    return _kept(before, listings)


def _years(
    news: list[Page], before: tuple[tuple[int, tuple[Page, ...]], ...] = ()
) -> tuple[tuple[int, tuple[Page, ...]], ...]:
    years: dict[int, list[Page]] = defaultdict(list)
    for page in news:
        years[page.sort_date.year].append(page)
    old = {pair[0]: pair for pair in before}
    pairs = []
    for year in sorted(years, reverse=True):
        pair = old.get(year)
        if pair is None or _kept(pair[1], years[year]) is not pair[1]:
            pair = (year, tuple(years[year]))
        pairs.append(pair)
    return _kept(before, pairs)


def _menu(config: Config, pages: list[Page]) -> tuple[NavItem, ...]:
    extra = sorted((p for p in pages if p.menu is not None), key=lambda p: (p.menu, p.title))
    known = {item.url for item in config.navigation}
    return config.navigation + tuple(NavItem(p.title, p.url) for p in extra if p.url not in known)


def _related(news: list[Page], previous: Site | None = None) -> dict[str, tuple[Page, ...]]:
    """Articles sharing most topics, nearest in time first; linear in the number of articles."""
    by_tag, stamps = _by_tag(news)
    redo = None if previous is None else _related_to_redo(news, by_tag, stamps, previous.news)
    if redo is not None and not redo and previous is not None:
        return previous.related  # the very same articles: the very same lists
    related: dict[str, tuple[Page, ...]] = {}
    for page in news:
        if previous is not None and redo is not None and page.url not in redo:
            related[page.url] = previous.related[page.url]
            continue
        shared: dict[str, int] = defaultdict(int)
        others: dict[str, Page] = {}
        for tag in page.tags:
            pages = by_tag[tag.slug]
            at = bisect.bisect_left(stamps[tag.slug], page.sort_date)
            for other in pages[max(0, at - RELATED_WINDOW) : at + RELATED_WINDOW + 1]:
                if other.url != page.url:
                    shared[other.url] += 1
                    others[other.url] = other
        related[page.url] = _nearest(page, shared, others)
    return related


def _nearest(page: Page, shared: dict[str, int], others: dict[str, Page]) -> tuple[Page, ...]:
    """The most shared topics first, then the nearest in time, then by address."""
    when = page.sort_date

    def rank(url: str) -> tuple[int, float, str]:
        return (-shared[url], abs((others[url].sort_date - when).total_seconds()), url)

    return tuple(others[url] for url in sorted(others, key=rank)[:RELATED_COUNT])


def _by_tag(news: Sequence[Page]) -> tuple[dict[str, list[Page]], dict[str, list[datetime]]]:
    """Per topic, its articles oldest first, and their dates for bisecting."""
    by_tag: dict[str, list[Page]] = defaultdict(list)
    for page in reversed(news):  # oldest first, so each list is sorted by date
        for tag in page.tags:
            by_tag[tag.slug].append(page)
    return by_tag, {slug: [p.sort_date for p in pages] for slug, pages in by_tag.items()}


def _related_to_redo(
    news: list[Page],
    by_tag: dict[str, list[Page]],
    stamps: dict[str, list[datetime]],
    before: Sequence[Page],
) -> set[str] | None:
    """URLs whose related list may differ from `before`'s; None: recompute them all.

    An article's list depends only on the articles within RELATED_WINDOW of its date in
    each of its topics, so only neighbours of an added, removed or changed article (by
    identity: unchanged articles are the same objects) can get a different list.
    """
    now_ids, before_ids = {id(p) for p in news}, {id(p) for p in before}
    added = [p for p in news if id(p) not in before_ids]
    gone = [p for p in before if id(p) not in now_ids]
    if len(added) + len(gone) > len(news) // 4:
        return None
    redo = {p.url for p in added} | {p.url for p in gone}
    # A gone article's place in the new lists is off by at most the number of changes.
    margin = RELATED_WINDOW + 1 + len(added) + len(gone)
    for page in (*added, *gone):
        for tag in page.tags:
            if tag.slug in by_tag:
                redo.update(p.url for p in _near(by_tag[tag.slug], stamps[tag.slug], page, margin))
    return redo


def _near(pages: list[Page], dates: list[datetime], page: Page, margin: int) -> list[Page]:
    """The articles whose window in this topic can include `page`'s place (ties count whole)."""
    lo = max(0, bisect.bisect_left(dates, page.sort_date) - margin)
    hi = min(len(dates) - 1, bisect.bisect_right(dates, page.sort_date) + margin)
    start = bisect.bisect_left(dates, dates[lo])
    end = bisect.bisect_right(dates, dates[hi])
    return pages[start:end]


def _neighbours(
    news: list[Page], previous: Site | None = None
) -> dict[str, tuple[Page | None, Page | None]]:
    """(newer, older) article for each article's previous/next links.

    A pair equal to the previous site's is that very tuple, so unchanged pairs stay identical.
    """
    before = previous.neighbours if previous is not None else {}
    pairs = {}
    changed = len(before) != len(news)
    for i, page in enumerate(news):
        newer, older = news[i - 1] if i else None, news[i + 1] if i + 1 < len(news) else None
        old = before.get(page.url)
        if old is not None and old[0] is newer and old[1] is older:
            pairs[page.url] = old
        else:
            pairs[page.url], changed = (newer, older), True
    return pairs if changed else before  # the very same pairs: the very same mapping


def url_problems(pages: list[Page]) -> list[Problem]:
    """Two items claiming the same URL (by slug or alias): name both files and lines."""
    claimed: dict[str, tuple[Page, str]] = {}
    problems = []
    for page in sorted(pages, key=lambda p: p.source):
        for url, line in _addresses(page):
            key = url.rstrip("/").lower() or "/"
            first, where = claimed.setdefault(key, (page, _where(page, line)))
            if first is not page:
                problems.append(
                    Problem(
                        page.source,
                        line,
                        _("address {url} is also used by {where}").format(url=url, where=where),
                    )
                )
    return problems


def _addresses(page: Page) -> list[tuple[str, int]]:
    """Every URL a page claims, with the front-matter line that gave it (0: its file name)."""
    return [(page.url, page.lines.get("slug", 0))] + [
        (alias, page.lines.get("aliases", 0)) for alias in page.aliases
    ]


def _where(page: Page, line: int) -> str:
    if line:
        return f"{page.source}:{line}"
    return _("{source} (from its file name)").format(source=page.source)


def stable_id(config: Config, page: Page, book: AddressBook | None = None) -> str:
    """The id a feed reader or calendar keeps for an item, whatever its title becomes.

    The editor's explicit `id` (an earlier address of the item, or a URI) wins; then the
    item's first address from the address record; otherwise the item's own address.
    """
    if page.id:
        return config.absolute(page.id) if page.id.startswith("/") else page.id
    first = book.ids.get(page.source) if book is not None else None
    return config.absolute(first or page.url)


def announced(site: Site, page: Page) -> datetime:
    """When an item was announced: its date; an undated event the day it first appeared
    (not its start, which lies ahead), else its start."""
    if page.date is None and page.event is not None:
        first = site.addresses.since.get(page.source)
        if first is not None:
            day = datetime(first.year, first.month, first.day, tzinfo=site.config.tz)
            return min(day, page.event.start)
    return page.published


def last_change(site: Site, page: Page) -> datetime:
    """When an item last changed: `updated` if given, else when it was announced."""
    published = announced(site, page)
    return max(page.updated, published) if page.updated else published


def id_problems(config: Config, pages: Sequence[Page]) -> list[Problem]:
    """Two items with the same stable id would be one item to subscribers: name both files."""
    claimed: dict[str, Page] = {}
    problems = []
    for page in sorted(pages, key=lambda p: p.source):
        if page.kind not in (NEWS, EVENT):
            continue
        key = stable_id(config, page)
        first = claimed.setdefault(key, page)
        if first is not page:
            problems.append(
                Problem(
                    page.source,
                    0,
                    _("id {key} is also the id of {source}; give one an 'id:'").format(
                        key=key, source=first.source
                    ),
                )
            )
    return problems
