"""Decide which files the site consists of, apart from producing their bytes.

Each `Output` names its path in output/ and how to make it: a template with a context,
a function that returns bytes (feeds, calendars), or a file to copy.
"""

from __future__ import annotations

import contextlib
import math
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from litfass import calendar, feeds, images, metadata, nginx
from litfass.assets import ThemeFile
from litfass.config import Config
from litfass.errors import Problem
from litfass.model import Page
from litfass.reuse import Reuse, identical
from litfass.site import Site


@dataclass(frozen=True)
class Output:
    """One file of the built site."""

    path: str  # relative to output/, POSIX separators
    template: str = ""
    context: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    produce: Callable[[], bytes] | None = field(default=None, compare=False)
    source: Path | None = None


@dataclass(frozen=True)
class Pager:
    """One page of a paginated list."""

    number: int
    count: int
    items: tuple[Page, ...]
    base_url: str

    def url(self, number: int) -> str:
        return self.base_url if number == 1 else f"{self.base_url}seite/{number}/"

    @property
    def previous_url(self) -> str | None:
        return self.url(self.number - 1) if self.number > 1 else None

    @property
    def next_url(self) -> str | None:
        return self.url(self.number + 1) if self.number < self.count else None

    @property
    def window(self) -> list[int | None]:
        """Page numbers to link: first, last and two either side; None marks a gap.

        A fixed-size window keeps every list page small however long the archive grows.
        """
        near = sorted(
            {1, self.count, *range(max(1, self.number - 2), min(self.count, self.number + 2) + 1)}
        )
        shown: list[int | None] = []
        for number in near:
            if shown and number - (shown[-1] or 0) > 1:
                shown.append(None)
            shown.append(number)
        return shown


def path_of(url: str) -> str:
    """Output path of a site URL: '/aktuelles/x/' -> 'aktuelles/x/index.html'."""
    path = url.lstrip("/")
    return path + "index.html" if path == "" or path.endswith("/") else path


def declare(site: Site, theme: Sequence[ThemeFile], reuse: Reuse | None = None) -> list[Output]:
    """Every file of the site, in a stable order.

    With the `reuse` of the last rebuild, outputs made from the very same pages and lists are
    the very same objects again (see reuse.py); the outputs are the same either way.
    """
    reuse = reuse or Reuse()
    reuse.begin()
    outputs = [
        *_home(site),
        *_news(site, reuse),
        *_events(site, reuse),
        *_taxonomies(site, reuse),
        *_magazine(site),
        *_static_pages(site),
        *_aliases(site),
        *feeds.declare(site, reuse),
        *calendar.declare(site, reuse),
        *nginx.declare(site),
        *_theme(theme),
        *_assets(site),
        *_pictures(site),
    ]
    outputs += metadata.declare(site, outputs, reuse)
    outputs.sort(key=_path)
    reuse.end()
    return outputs


def _path(output: Output) -> str:
    return output.path


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
    count = max(1, math.ceil(len(items) / size))
    pages = []
    for number in range(1, count + 1):
        chunk = tuple(items[(number - 1) * size : number * size])
        old = before[number - 1] if number <= len(before) else None
        pager = old.context["pager"] if old is not None else None
        if pager is None or pager.count != count or not identical(pager.items, chunk):
            pager = Pager(number, count, chunk, url)
        elif all(old.context[name] is value for name, value in ctx.items()):  # type: ignore[union-attr]
            pages.append(old)
            continue
        pages.append(_page(pager.url(number), template, pager=pager, **ctx))
    return pages


def _home(site: Site) -> Iterator[Output]:
    yield _page("/", "home.html")
    yield Output("404.html", "404.html", {"url": "/404.html"})
    if site.config.search:
        yield _page(site.config.urls.search_index, "search.html")


def _news(site: Site, reuse: Reuse) -> Iterator[Output]:
    urls, size = site.config.urls, site.config.page_size
    yield from _listed(reuse, urls.news_index, "news_list.html", site.news, size)
    yield from _item_pages(reuse, site.news, "article.html")
    archive = urls.years.replace("{year}/", "")
    yield _page(archive, "archive.html")
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
            # An old address without a file extension becomes a folder with an index.html.
            url = alias if "." in alias.rsplit("/", 1)[-1] else alias.rstrip("/") + "/"
            yield Output(path_of(url), "redirect.html", {"url": alias, "page": page})


def _theme(theme: Sequence[ThemeFile]) -> Iterator[Output]:
    """Theme files under their fingerprinted names (cached for a year) and plain ones."""
    for file in theme:
        yield Output(f"static/{file.fingerprinted}", source=file.source)
        yield Output(f"static/{file.rel}", source=file.source)


def _assets(site: Site) -> Iterator[Output]:
    """Other files in content/ are copied to the URL the content map gives them."""
    folder = site.config.content_path
    for rel, url in site.content_urls.items():
        if not rel.endswith(".md"):
            yield Output(path_of(url), source=folder / rel)


def _pictures(site: Site) -> Iterator[Output]:
    """Resized variants of every content image, beside the original."""
    for picture in site.pictures.values():
        for variant in picture.variants:
            yield Output(variant.path, produce=partial(images.produce, variant))


def path_problems(outputs: Sequence[Output], config: Config) -> list[Problem]:
    """Two outputs for one file, or a file where another output needs a folder.

    Each problem is put where an editor can fix it and names the other side.
    """
    by_path: dict[str, list[Output]] = defaultdict(list)
    for output in outputs:
        by_path[output.path].append(output)
    problems = []
    for path, group in sorted(by_path.items()):
        if len(group) > 1:
            problems.append(_clash(config, group[0], group[1], f"address {_url(path)} is"))
        parts = path.split("/")
        parent = next(
            ("/".join(parts[:i]) for i in range(1, len(parts)) if "/".join(parts[:i]) in by_path),
            None,
        )
        if parent is not None:
            what = f"address {_url(path)} needs /{parent} as a folder, which is"
            problems.append(_clash(config, group[0], by_path[parent][0], what))
    return problems


def _clash(config: Config, one: Output, other: Output, what: str) -> Problem:
    first, second = sorted((_origin(config, one), _origin(config, other)), key=lambda o: o[2])
    path, line, _, _ = first
    return Problem(path, line, f"{what} also used by {second[3]}")


def _origin(config: Config, output: Output) -> tuple[str, int, int, str]:
    """(file to blame, line, 0 if an editor's content file else 1, how to name it)."""
    page = output.context.get("page")
    if page is not None:
        key = "aliases" if output.template == "redirect.html" else "slug"
        line = page.lines.get(key, 0)
        named = f"{page.source}:{line}" if line else page.source
        return page.source, line, 0, named
    if output.source is not None:
        with contextlib.suppress(ValueError):
            rel = output.source.relative_to(config.content_path).as_posix()
            shown = f"{config.content_dir}/{rel}"
            return shown, 0, 0, shown
        shown = f"{config.templates_dir}/static/{output.path.removeprefix('static/')}"
        return shown, 0, 1, f"the theme's {shown}"
    made_by = f"{config.templates_dir}/{output.template}" if output.template else "litfass"
    return made_by, 0, 1, f"the page {_url(output.path)} made by {made_by}"


def _url(path: str) -> str:
    return "/" + path.removesuffix("index.html")
