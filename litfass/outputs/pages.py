"""The HTML pages of the site: item pages, paginated lists, indexes and redirect pages.

Declared from the site's lists; with the last declaration's `Reuse`, an output made from the
very same objects as before is the very same Output again.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import partial
from typing import Any

from litfass.content.model import Page
from litfass.outputs import Output, Pager, path_of
from litfass.reuse import Reuse, identical
from litfass.site import Site, page_count


def declare(site: Site, reuse: Reuse) -> Iterator[Output]:
    """Every HTML page the templates make."""
    yield from _home(site)
    yield from _news(site, reuse)
    yield from _events(site, reuse)
    yield from _taxonomies(site, reuse)
    yield from _magazine(site)
    yield from _static_pages(site)
    yield from _aliases(site)


def _page(url: str, template: str, **context: Any) -> Output:
    return Output(path_of(url), template, {"url": url, **context})


def _item_pages(reuse: Reuse, pages: Sequence[Page], template: str) -> list[Output]:
    """The page of each item: the same Output for as long as the item is the same Page."""
    return reuse.each(template, pages, lambda page: _page(page.url, template, page=page))


def _listed(
    reuse: Reuse, url: str, template: str, items: Sequence[Page], size: int, **ctx: Any
) -> list[Output]:
    """The pages of a paginated list; a list of the very same items as before is kept.

    Numbers and text in `ctx` (a year, a kind) are part of the key, other values (a listing)
    count by identity, like the items.
    """
    plain = tuple(v if isinstance(v, (str, int)) else None for v in ctx.values())
    objects = tuple(v for v in ctx.values() if not isinstance(v, (str, int)))
    key = ("list", template, url, tuple(ctx), plain)
    before = reuse.last(key) or []
    make = partial(_paged, before, url, template, items, size, ctx)
    return reuse.get(key, (items, *objects), make)


def _paged(
    before: list[Output],
    url: str,
    template: str,
    items: Sequence[Page],
    size: int,
    ctx: dict[str, Any],
) -> list[Output]:
    """A list's pages, each kept from `before` where it shows the very same items.

    A kept pager means what a template read of it needs no second look, even where the
    Output is new because another value (the listing) is.
    """
    count = page_count(len(items), size)
    pages: list[Output] = []
    for number in range(1, count + 1):
        chunk = tuple(items[(number - 1) * size : number * size])
        old = before[number - 1] if number <= len(before) else None
        pager = old.context["pager"] if old is not None else None
        if (
            old is None
            or pager is None
            or pager.count != count
            or not identical(pager.items, chunk)
        ):
            pager = Pager(number, count, chunk, url)
        elif all(old.context[name] is value for name, value in ctx.items()):
            pages.append(old)
            continue
        pages.append(_page(pager.url(number), template, pager=pager, **ctx))
    return pages


def _home(site: Site) -> Iterator[Output]:
    yield _page(site.home_url, "home.html")
    # The web server's answers for a missing or deleted address, each language's for the
    # addresses in its folder (redirects.py and htaccess.py tell the servers).
    for name in ("404.html", "410.html"):
        url = site.home_url + name
        yield Output(url[1:], name, {"url": url})
    if site.config.search:
        yield _page(site.config.urls.search_index, "search.html")


def _news(site: Site, reuse: Reuse) -> Iterator[Output]:
    urls, size = site.config.urls, site.config.page_size
    yield from _listed(reuse, urls.news_index, "news_list.html", site.news, size)
    yield from _item_pages(reuse, site.news, "article.html")
    archive = urls.years.replace("{year}/", "")
    yield _page(archive, "archive.html")
    yield from _listed(reuse, urls.press_index, "press_list.html", site.press, size)
    for year, pages in site.years:
        url = urls.years.replace("{year}", str(year))
        yield from _listed(reuse, url, "archive_year.html", pages, size, year=year)


def _events(site: Site, reuse: Reuse) -> Iterator[Output]:
    index = site.config.urls.events_index
    yield _page(index, "events.html", filter=None, kind="")
    # The calendar's filters are pages of their own, so they work without JavaScript.
    for listings, kind in ((site.event_topics, "topic"), (site.event_regions, "region")):
        for listing in listings:
            yield _page(listing.url, "events.html", filter=listing, kind=kind)
    yield from _listed(
        reuse, f"{index}archiv/", "events_past.html", site.past_events, site.config.page_size
    )
    yield from _item_pages(reuse, (*site.upcoming, *site.past_events), "event.html")


def _taxonomies(site: Site, reuse: Reuse) -> Iterator[Output]:
    urls = site.config.urls
    for index, listings, kind in (
        (urls.topics_index, site.topics, "topic"),
        (urls.regions_index, site.regions, "region"),
    ):
        yield _page(index, "terms.html", listings=listings, kind=kind)
        for listing in listings:
            size = site.config.page_size
            yield from _listed(
                reuse, listing.url, "listing.html", listing.news, size, listing=listing, kind=kind
            )


def _magazine(site: Site) -> Iterator[Output]:
    yield _page(site.config.urls.magazine_index, "magazine.html")
    for page in site.magazine:
        yield _page(page.url, "magazine_issue.html", page=page)


def _static_pages(site: Site) -> Iterator[Output]:
    for page in site.static_pages:
        yield _page(page.url, "page.html", page=page)


def _aliases(site: Site) -> Iterator[Output]:
    for page in site.pages:
        for alias in page.aliases:
            if "?" in alias:
                continue  # a file cannot answer one query only: the web server's 301 does
            # An old address without a file extension becomes a folder with an index.html.
            url = alias if "." in alias.rsplit("/", 1)[-1] else alias.rstrip("/") + "/"
            yield Output(path_of(url), "redirect.html", {"url": alias, "page": page})
    # Addresses an item had before it was renamed or moved (the address record).
    by_url = {page.url: page for page in site.pages}
    for old, new in site.addresses.moved:
        target = by_url.get(new)
        if target is not None:
            url = old if "." in old.rsplit("/", 1)[-1] else old.rstrip("/") + "/"
            yield Output(path_of(url), "redirect.html", {"url": old, "page": target})
