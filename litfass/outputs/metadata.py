"""What machines read about the site: stable ids, schema.org JSON-LD, Open Graph, sitemap, robots.

Everything here is plain data (dicts, tuples, bytes); templates only print it.
"""

from __future__ import annotations

import html
import mimetypes
import posixpath
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from litfass.config import Config
from litfass.content import images
from litfass.content.model import (
    BOOKED_OUT,
    CANCELLED,
    EVENT,
    MAGAZINE,
    NEWS,
    PAGE,
    POSTPONED,
    Location,
    Page,
)
from litfass.outputs import Output
from litfass.outputs.translations import Translations
from litfass.reuse import Reuse
from litfass.site import Listing, Site, is_public

SCHEMA = "https://schema.org"
SITEMAP_PATH = "sitemap.xml"
ROBOTS_PATH = "robots.txt"
_POSTCODE_TOWN = re.compile(r"(?P<code>\d{5})\s+(?P<town>\S.*)")
_AMOUNT = re.compile(r"(\d+(?:[.,]\d{1,2})?)\s*(?:€|Euro|EUR)", re.I)
_FREE = re.compile(r"\b(?:kostenfrei|kostenlos|gratis|free)\b", re.I)
# Open Graph and search engines ignore SVG; a logo in another format can stand in for an image.
_SHAREABLE = (".jpg", ".jpeg", ".png", ".gif", ".webp")


# Identity -----------------------------------------------------------------


@dataclass(frozen=True)
class Image:
    """An item's lead image: public address, file in content/ if known, media type; for a
    content image, the variant that is shared (never the camera original)."""

    url: str
    path: Path | None
    type: str
    variant: images.Variant | None = None

    @property
    def length(self) -> int:
        if self.variant is not None:
            return len(images.produce(self.variant))
        return self.path.stat().st_size if self.path is not None else 0


def image_of(site: Site, page: Page) -> Image | None:
    """The absolute address of a page's `image` (or magazine `cover`), found like links are:
    a content image's resized variant, a theme file, or an allowed host's image."""
    name = page.image or page.cover
    if not name:
        return None
    config = site.config
    media = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if name.startswith(("https://", "http://")):
        return Image(name, None, media)
    if "://" in name:  # no other scheme belongs in a feed or a meta tag
        return None
    path = None  # the file in content/, where the image is one
    if name.startswith("/"):  # a file in content/ as the build resolved it, or a static file
        url = name
    else:
        content_rel = page.source.removeprefix(config.content_dir + "/")
        rel = posixpath.normpath(posixpath.join(posixpath.dirname(content_rel), name))
        found = site.content_urls.get(rel)
        if found is None:
            return None
        url, path = found, config.content_path / rel
    picture = site.pictures.get(url)
    if picture is not None:
        shared = picture.shared if picture.variants else picture.original
        if shared is not None:
            kind = f"image/{shared.format}"
            return Image(config.absolute(shared.url), shared.source, kind, shared)
    return Image(config.absolute(url), path, media)


# What is being rendered ---------------------------------------------------


@dataclass(frozen=True)
class PageContext:
    """The page a template is rendering: its URL and the item or listing it shows."""

    url: str
    page: Page | None = None
    listing: Listing | None = None
    kind: str = ""  # "topic" or "region" for listings


def description_of(site: Site, here: PageContext) -> str:
    if here.page is not None and here.page.summary:
        return here.page.summary
    return site.config.tagline or site.config.title


def title_of(site: Site, here: PageContext, t: Translations) -> str:
    if here.page is not None:
        return here.page.title
    if here.listing is not None:
        return listing_title(here.listing, here.kind, t)
    return site.config.title


def listing_title(listing: Listing, kind: str, t: Translations) -> str:
    """'Thema: Wohnen' or 'Region: Leipzig'."""
    return t("topic_title" if kind == "topic" else "region_title", name=t.word(listing.term.name))


# The same page in other languages -----------------------------------------


@dataclass(frozen=True)
class Alternate:
    """A language of the site, as a page links to it: the page in that language where it
    exists, else that language's home."""

    tag: str  # `hreflang` and `lang`
    name: str  # in the language itself
    direction: str
    url: str
    exists: bool  # the page itself is in this language (a `<link rel=alternate>`)
    current: bool  # the language of the page being shown


def alternates(site: Site, here: PageContext, t: Translations) -> list[Alternate]:
    """Every language of a site in several, for the page `here`: its `hreflang` links and
    the language switcher (none for a site in one language)."""
    languages = site.config.site_languages
    if len(languages) < 2:
        return []
    found = dict(site.alternates.get(here.url, ()))
    own = site.config.language
    return [
        Alternate(
            language.tag,
            language.name,
            language.direction,
            here.url if language.tag == own else found.get(language.tag, language.prefix),
            language.tag == own or language.tag in found,
            language.tag == own,
        )
        for language in languages
    ]


# Open Graph and Twitter cards ---------------------------------------------


def social_meta(site: Site, here: PageContext, t: Translations) -> list[tuple[str, str, str]]:
    """(attribute, name, content) of every Open Graph and Twitter `<meta>` of a page."""
    config, page = site.config, here.page
    image = image_of(site, page) if page is not None else None
    image_url = image.url if image else _logo(config)
    title, description = title_of(site, here, t), description_of(site, here)
    og = [
        ("og:site_name", config.title),
        ("og:locale", config.written_in.og_locale),
        ("og:type", "article" if page is not None and page.kind == NEWS else "website"),
        ("og:title", title),
        ("og:description", description),
        ("og:url", config.absolute(here.url)),
    ]
    if image_url:
        og.append(("og:image", image_url))
        if image is not None and page is not None and page.image_alt:
            og.append(("og:image:alt", page.image_alt))
    if page is not None and page.kind == NEWS:
        og += [
            ("article:published_time", page.published.isoformat()),
            ("article:modified_time", page.modified.isoformat()),
            ("article:section", t.word(page.category)),
            *(("article:tag", t.word(tag.name)) for tag in page.tags),
        ]
    twitter = [
        ("twitter:card", "summary_large_image" if image else "summary"),
        ("twitter:title", title),
        ("twitter:description", description),
    ]
    return [("property", k, v) for k, v in og if v] + [("name", k, v) for k, v in twitter if v]


def _logo(config: Config) -> str:
    logo = config.organisation.logo
    return config.absolute(logo) if logo.lower().endswith(_SHAREABLE) else ""


# schema.org JSON-LD ------------------------------------------------------


def structured_data(site: Site, here: PageContext, t: Translations) -> list[dict[str, Any]]:
    """The JSON-LD blocks of a page, as dicts (render.json_script makes them safe to embed)."""
    page, blocks = here.page, []
    if here.url == site.home_url:
        blocks += [organization(site.config), website(site.config)]
    elif page is not None and page.kind == NEWS:
        blocks.append(news_article(site, page, t))
    elif page is not None and page.kind == EVENT and page.event is not None:
        blocks.append(event(site, page, t))
    trail = breadcrumbs(site, here, t)
    if trail:
        blocks.append(breadcrumb_list(site.config, trail))
    return [{"@context": SCHEMA, **block} for block in blocks]


def organization(config: Config) -> dict[str, Any]:
    org = config.organisation
    data: dict[str, Any] = {
        "@type": "Organization",
        "@id": config.absolute("/#organisation"),
        "name": org.name or config.title,
        "url": config.absolute("/"),
    }
    if org.logo:
        data["logo"] = {"@type": "ImageObject", "url": config.absolute(org.logo)}
    if org.email:
        data["email"] = org.email
    if org.phone:
        data["telephone"] = org.phone
    if org.address:
        data["address"] = postal_address(org.address)
    return data


def website(config: Config) -> dict[str, Any]:
    return {
        "@type": "WebSite",
        "@id": config.absolute("/#website"),
        "name": config.title,
        "description": config.tagline,
        "url": config.absolute("/"),
        "inLanguage": config.language,
        "publisher": {"@id": config.absolute("/#organisation")},
    }


def news_article(site: Site, page: Page, t: Translations) -> dict[str, Any]:
    config = site.config
    url = config.absolute(page.url)
    data: dict[str, Any] = {
        "@type": "NewsArticle",
        "headline": page.title,
        "description": page.summary,
        "url": url,
        "mainEntityOfPage": url,
        "datePublished": page.published.isoformat(),
        "dateModified": page.modified.isoformat(),
        "inLanguage": config.language,
        "articleSection": t.word(page.category),
        "keywords": [t.word(tag.name) for tag in page.tags],
        "author": _author(config, page),
        "publisher": organization(config),
    }
    image = image_of(site, page)
    if image is not None:
        data["image"] = [image.url]
    if page.dateline:
        data["locationCreated"] = {"@type": "Place", "name": t.word(page.dateline)}
    return data


def _author(config: Config, page: Page) -> dict[str, Any]:
    if page.contact is None:
        return {"@type": "Organization", "name": config.organisation.name or config.title}
    person = {"@type": "Person", "name": page.contact.name}
    if page.contact.email:
        person["email"] = page.contact.email
    return person


# schema.org's word for an event's `status` (sold out is said by its offer, not its status).
EVENT_STATUS = {CANCELLED: "EventCancelled", POSTPONED: "EventPostponed"}


def event(site: Site, page: Page, t: Translations) -> dict[str, Any]:
    """schema.org Event; all-day events carry plain dates (schema.org's endDate is inclusive)."""
    config, info = site.config, page.event
    assert info is not None
    online = info.location is not None and info.location.online
    data: dict[str, Any] = {
        "@type": "Event",
        "name": page.title,
        "description": page.summary,
        "url": config.absolute(page.url),
        "startDate": (info.start_date if info.all_day else info.start).isoformat(),
        "eventStatus": f"{SCHEMA}/{EVENT_STATUS.get(info.status, 'EventScheduled')}",
        "eventAttendanceMode": f"{SCHEMA}/{'Online' if online else 'Offline'}EventAttendanceMode",
        "organizer": {
            "@type": "Organization",
            "name": info.organizer or config.organisation.name or config.title,
            "url": config.absolute("/"),
        },
        "keywords": [t.word(tag.name) for tag in page.tags],
        "inLanguage": config.language,
    }
    if info.end is not None:
        data["endDate"] = (info.end_date if info.all_day else info.end).isoformat()
    if info.location is not None:
        data["location"] = _place(info.location)
    image = image_of(site, page)
    if image is not None:
        data["image"] = [image.url]
    if info.cost:
        data["offers"] = offer(config, page)
    if info.status == BOOKED_OUT:
        data["offers"] = {**data.get("offers", {"@type": "Offer", "url": data["url"]}),
                          "availability": f"{SCHEMA}/SoldOut"}  # fmt: skip
    return data


def _place(location: Location) -> dict[str, Any]:
    if location.online:
        return {"@type": "VirtualLocation", "url": location.url}
    place: dict[str, Any] = {"@type": "Place", "name": location.name or location.address}
    place["address"] = postal_address(location.address) if location.address else location.name
    return place


def postal_address(text: str) -> dict[str, str]:
    """'Karl-Liebknecht-Straße 30, 04107 Leipzig' as a PostalAddress (German post codes)."""
    *street, last = (part.strip() for part in text.split(","))
    match = _POSTCODE_TOWN.fullmatch(last)
    if match is None:
        return {"@type": "PostalAddress", "streetAddress": text}
    address = {
        "@type": "PostalAddress",
        "postalCode": match["code"],
        "addressLocality": match["town"],
    }
    if street:
        address["streetAddress"] = ", ".join(street)
    address["addressCountry"] = "DE"
    return address


def offer(config: Config, page: Page) -> dict[str, Any]:
    """An Offer from the free-text `cost`: its lowest price in euros when one can be read."""
    info = page.event
    assert info is not None
    registration = info.registration
    url = registration if "://" in registration else config.absolute(page.url)
    data: dict[str, Any] = {"@type": "Offer", "description": info.cost, "url": url}
    prices = [float(a.replace(",", ".")) for a in _AMOUNT.findall(info.cost)]
    if _FREE.search(info.cost):
        prices.append(0.0)
    if prices:
        data["price"] = f"{min(prices):.2f}"
        data["priceCurrency"] = "EUR"
    return data


def breadcrumbs(site: Site, here: PageContext, t: Translations) -> list[tuple[str, str]]:
    """(name, URL) from the home page to the page itself; empty where no trail is shown."""
    urls, page = site.config.urls, here.page
    sections = {
        NEWS: (t("news"), urls.news_index),
        EVENT: (t("events"), urls.events_index),
        MAGAZINE: (t("magazine"), urls.magazine_index),
    }
    if page is not None and page.kind in (*sections, PAGE):
        middle = [sections[page.kind]] if page.kind in sections else []
        return [(t("home"), site.home_url), *middle, (page.title, here.url)]
    if here.listing is not None:
        index = (
            (t("topics"), urls.topics_index)
            if here.kind == "topic"
            else (t("regions"), urls.regions_index)
        )
        return [
            (t("home"), site.home_url),
            index,
            (t.word(here.listing.term.name), here.listing.url),
        ]
    return []


def breadcrumb_list(config: Config, trail: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": n, "name": name, "item": config.absolute(url)}
            for n, (name, url) in enumerate(trail, 1)
        ],
    }


# Sitemap and robots.txt ----------------------------------------------------


def declare(site: Site, outputs: Sequence[Output], reuse: Reuse | None = None) -> Iterator[Output]:
    """sitemap.xml of every public page, and a robots.txt that points to it.

    With the `reuse` of the last rebuild, an output that is the same object keeps its entry
    and an unchanged list of entries keeps its sorted sitemap.
    """
    reuse = reuse or Reuse()
    lists = (site.news, site.upcoming, site.past_events, site.magazine)
    newest = reuse.get(("newest", site.now), lists, lambda: _newest(site))
    entries = reuse.each(
        ("sitemap entries", site.now, newest), outputs, lambda o: _entry(site, o, newest)
    )
    listed = tuple(e for e in entries if e is not None)
    lines = reuse.get(("sitemap lines", listed), (), lambda: _sitemap_lines(listed))
    yield Output(SITEMAP_PATH, produce=partial(sitemap, lines, site))
    yield Output(ROBOTS_PATH, produce=lambda: robots(site))


def _newest(site: Site) -> datetime | None:
    items = (*site.news, *site.upcoming, *site.past_events, *site.magazine)
    return max((p.modified for p in items if is_public(p, site.now)), default=None)


def _entry(site: Site, output: Output, newest: datetime | None) -> tuple | None:
    """(absolute URL, last modified) of a page meant to be found, else None."""
    if not _listed(site, output):
        return None
    url = output.context["url"]
    return site.config.absolute(url), _lastmod(output, newest), url


def _listed(site: Site, output: Output) -> bool:
    """Pages meant to be found: no redirects, no 404 or 410 page, no drafts or future items."""
    if not output.template or output.template in ("redirect.html", "404.html", "410.html"):
        return False
    page = output.context.get("page")
    return page is None or is_public(page, site.now)


def _lastmod(output: Output, newest: datetime | None) -> datetime | None:
    """When a page last changed: its item, the newest item it lists, else the site's newest.

    A static page without `date:` or `updated:` has no known date and gets none.
    """
    context = output.context
    page, pager, listing = context.get("page"), context.get("pager"), context.get("listing")
    if page is not None:
        return page.modified if (page.date or page.event or page.updated) else None
    if pager is not None and pager.items:
        return max(item.modified for item in pager.items)
    if listing is not None:
        return max((p.modified for p in (*listing.news, *listing.events)), default=None)
    return newest  # overviews (home, calendar, topics, archive) show the newest items


def _sitemap_lines(
    entries: Iterable[tuple[str, datetime | None, str]],
) -> tuple[tuple[str, str], ...]:
    """(site path, its `<url>` line without its end) per address, sorted, each address once."""
    lines = []
    # By address alone: two outputs claiming one address are refused later (path_problems),
    # and must not crash the comparison of a date with None first.
    for url, lastmod, path in sorted(set(entries), key=lambda entry: entry[0]):
        stamp = f"<lastmod>{lastmod.isoformat(timespec='seconds')}</lastmod>" if lastmod else ""
        # &, < and > as xml.sax.saxutils.escape does, without the 50 ms of imports it brings
        # (urllib.request, http.client, ssl, email) into every build.
        lines.append((path, f"  <url><loc>{html.escape(url, quote=False)}</loc>{stamp}"))
    return tuple(lines)


def sitemap(lines: Sequence[tuple[str, str]], site: Site) -> bytes:
    """The sitemaps.org XML around `<url>` lines; in a site of several languages, each with
    its page in every language it exists in (`xhtml:link rel="alternate" hreflang`)."""
    several = len(site.config.site_languages) > 1
    xhtml = ' xmlns:xhtml="http://www.w3.org/1999/xhtml"' if several else ""
    head = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"{xhtml}>',
    ]
    body = [
        line + (_alternate_links(site, path) if several else "") + "</url>" for path, line in lines
    ]
    return ("\n".join([*head, *body, "</urlset>"]) + "\n").encode("utf-8")


def _alternate_links(site: Site, path: str) -> str:
    """Google's sitemap alternates: every language of the page, itself among them."""
    found = site.alternates.get(path, ())
    if len(found) < 2:
        return ""
    absolute = site.config.absolute
    return "".join(
        f'<xhtml:link rel="alternate" hreflang="{tag}" href="{html.escape(absolute(url))}"/>'
        for tag, url in found
    )


def robots(site: Site) -> bytes:
    """Allow everything, except in a preview with drafts, which no search engine should keep."""
    rule = f"Disallow: {site.config.base_path}" if site.drafts else "Disallow:"
    sitemap_url = site.config.absolute("/" + SITEMAP_PATH)
    return f"User-agent: *\n{rule}\n\nSitemap: {sitemap_url}\n".encode()
