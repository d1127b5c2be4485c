"""The theme's pages as a reader gets them, read with a real HTML parser (issue: readers)."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import lxml.etree
import lxml.html
import pytest

ARTICLE = "aktuelles/soziale-traeger-als-partner-der-wohnungswirtschaft/index.html"
EVENT = "veranstaltungen/workshop-inklusionsbetriebe-gruenden/index.html"
BUDGET = 60 * 1024  # an article's HTML, CSS and JS, uncompressed, images aside
NOT_SCRIPT = {"application/ld+json", "application/json"}  # data blocks are not run


def parse(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(path.read_bytes())


def pages(portal: Path) -> list[Path]:
    return sorted(p for p in portal.rglob("*.html") if "pagefind" not in p.parts)


def test_every_page_has_one_h1_and_no_skipped_heading_level(portal: Path) -> None:
    problems = []
    for path in pages(portal):
        doc = parse(path)
        if doc.find(".//meta[@http-equiv='refresh']") is not None:
            continue  # the redirect stubs of old addresses
        levels = [int(h.tag[1]) for h in doc.iter("h1", "h2", "h3", "h4", "h5", "h6")]
        if levels.count(1) != 1 or levels[0] != 1:
            problems.append((path.relative_to(portal).as_posix(), "h1", levels[:3]))
        for before, after in itertools.pairwise(levels):
            if after > before + 1:
                problems.append((path.relative_to(portal).as_posix(), before, after))
    assert not problems


# The example portal's folders of other languages than German: each page says its language.
FOLDER_LANGUAGES = {"leichte-sprache": "de-x-ls", "en": "en", "uk": "uk", "ar": "ar"}


def test_every_page_says_its_language_has_landmarks_and_a_skip_link(portal: Path) -> None:
    for path in pages(portal):
        doc = parse(path)
        if doc.find(".//meta[@http-equiv='refresh']") is not None:
            continue
        folder = path.relative_to(portal).parts[0]
        assert doc.get("lang") == FOLDER_LANGUAGES.get(folder, "de"), path
        first_link = doc.find(".//body//a")
        assert first_link.get("href") == "#main_content", path
        assert len(doc.cssselect("main#main_content")) == 1
        assert doc.cssselect("header nav[aria-label]") and doc.cssselect("footer")
        assert doc.cssselect("form[role=search] input[name=q]"), path


def foreign_or_inline(doc: lxml.html.HtmlElement) -> list[tuple[str, str]]:
    """Resources from other hosts, inline scripts and styles, event-handler attributes."""
    found = []
    for element in doc.iter("script", "img", "source", "iframe", "video", "audio"):
        urls = [element.get("src", ""), *re.split(r",\s*", element.get("srcset", ""))]
        found.extend((element.tag, url) for url in urls if url and not url.startswith("/"))
        if (
            element.tag == "script"
            and not element.get("src")
            and element.get("type") not in NOT_SCRIPT
        ):
            found.append(("inline script", element.text or ""))
    for link in doc.iter("link"):
        if link.get("rel") in ("stylesheet", "icon", "preload") and not link.get(
            "href", ""
        ).startswith("/"):
            found.append(("link", link.get("href")))
    for element in doc.iter(tag=lxml.etree.Element):
        if element.tag == "style" or "style" in element.attrib:
            found.append(("inline style", element.tag))
        found.extend((name, element.tag) for name in element.attrib if name.startswith("on"))
    return found


def test_nothing_is_loaded_from_another_host_and_nothing_runs_inline(portal: Path) -> None:
    """Privacy and a strict Content-Security-Policy: no CDN, no inline script or style."""
    found = {p.relative_to(portal).as_posix(): foreign_or_inline(parse(p)) for p in pages(portal)}
    assert {page: items for page, items in found.items() if items} == {}


def test_article_page_has_what_a_press_release_needs(portal: Path) -> None:
    doc = parse(portal / ARTICLE)
    crumbs = [a.text_content() for a in doc.cssselect("nav.breadcrumb a")]
    assert crumbs == ["Startseite", "Aktuelles"]
    assert doc.cssselect("article .category")[0].text_content() == "Pressemitteilung"
    assert doc.cssselect("article time")[0].get("datetime").startswith("2019-11-04T10:00")
    assert "(Leipzig)" in doc.cssselect("article .summary")[0].text_content()
    topics = {a.text_content(): a.get("href") for a in doc.cssselect("article header .chips a")}
    assert topics["Wohnen"] == "/themen/wohnen/"
    figure = doc.cssselect("figure.lead-figure")[0]
    assert figure.cssselect("img")[0].get("alt").startswith("Zeichnung: Häuserzeile")
    assert "Grafik:" in figure.cssselect("figcaption")[0].text_content()
    assert "Susanne Albrecht" in doc.cssselect("aside.contact-box")[0].text_content()
    assert doc.cssselect("section.related .card h3 a")
    assert doc.cssselect("nav.prev-next a[rel=prev]") and doc.cssselect("nav.prev-next a[rel=next]")


def test_home_page_leads_with_the_newest_press_release_and_its_image(portal: Path) -> None:
    doc = parse(portal / "index.html")
    lead = doc.cssselect("article.lead-story")[0]
    assert "Kita-Finanzierung" in lead.cssselect("h2")[0].text_content()
    assert lead.cssselect("img")[0].get("loading") is None  # in the first screen: not lazy
    assert len(doc.cssselect(".home-news .card")) == 6
    badges = doc.cssselect(".home-side .event-list .date-badge")
    assert [b.cssselect(".day")[0].text for b in badges][:2] == ["17", "10"]
    assert doc.cssselect(".issue-teaser img")[0].get("loading") == "lazy"
    assert len(doc.cssselect(".topic-grid a")) == 8


def test_calendar_shows_place_or_online_and_the_registration_state(portal: Path) -> None:
    doc = parse(portal / "veranstaltungen/index.html")
    months = [h.text_content() for h in doc.cssselect(".calendar h2")]
    assert months[:3] == ["Februar 2027", "März 2027", "April 2027"]
    online = doc.cssselect(".event-item")[0]
    assert online.cssselect(".online-tag")[0].text_content() == "Online"
    registration = online.cssselect(".registration.open")[0]
    assert "Anmeldeschluss: 10. Februar 2027" in registration.text_content()
    assert registration.cssselect("a")[0].get("href").startswith("mailto:")
    past = parse(portal / "veranstaltungen/archiv/index.html")
    assert "Fachtag: Soziale Träger" in past.text_content()


def test_calendar_filters_are_pages_of_their_own(portal: Path) -> None:
    """Without JavaScript each filter link opens a page listing only matching events."""
    calendar = parse(portal / "veranstaltungen/index.html")
    links = calendar.cssselect("nav.filter-group a[data-value]")
    targets = {a.get("data-value"): a.get("href") for a in links if a.get("data-value")}
    assert targets["wohnen"] == "/veranstaltungen/thema/wohnen/"
    assert targets["chemnitz"] == "/veranstaltungen/region/chemnitz/"
    everything = len(calendar.cssselect(".calendar .event-item"))
    for value, href in targets.items():
        page = parse(portal / href.lstrip("/") / "index.html")
        items = page.cssselect(".calendar .event-item")
        assert 0 < len(items) < everything
        for item in items:
            assert value in item.get("data-topics").split() or value == item.get("data-region")
        current = page.cssselect("a[aria-current=page][data-value]")
        assert [a.get("data-value") for a in current] == [value]


def test_topic_page_lists_news_and_events(portal: Path) -> None:
    doc = parse(portal / "themen/wohnen/index.html")
    assert doc.cssselect("h1")[0].text_content() == "Thema: Wohnen"
    assert doc.cssselect("#listing_events ~ .event-list .event-item")
    assert doc.cssselect(".listing-news .card")


def test_magazine_archive_shows_covers_with_alt_text(portal: Path) -> None:
    doc = parse(portal / "magazin/index.html")
    covers = doc.cssselect(".issue-card .cover img")
    assert covers[0].get("alt") == "Titelseite: anspiel 1/2026: Gut aufwachsen in Sachsen"
    assert len(doc.cssselect(".issue-card")) == 3
    assert doc.cssselect(".issue-card .cover-placeholder")  # an issue without a cover


def test_pagination_is_an_accessible_navigation(fixture_site: Path, run) -> None:
    assert run("--root", fixture_site, "--now", "2026-11-20 12:00").code == 0
    doc = parse(fixture_site / "output/aktuelles/seite/2/index.html")
    nav = doc.cssselect("nav.pagination")[0]
    assert nav.get("aria-label") == "Seitennavigation"
    assert nav.cssselect("a[aria-current=page]")[0].text_content() == "2"
    assert nav.cssselect("a[rel=prev]")[0].get("href") == "/aktuelles/"


def test_not_found_page_offers_search_and_the_main_sections(portal: Path) -> None:
    doc = parse(portal / "404.html")
    assert doc.cssselect("main form[role=search][action='/suche/'] input[name=q]")
    links = {a.get("href") for a in doc.cssselect("main ul.chips a")}
    assert {"/", "/aktuelles/", "/veranstaltungen/", "/themen/", "/magazin/"} <= links


def test_search_page_without_javascript_still_leads_everywhere(portal: Path) -> None:
    doc = parse(portal / "suche/index.html")
    assert "braucht JavaScript" in doc.cssselect("noscript")[0].text_content()
    links = {a.get("href") for a in doc.cssselect("section.browse a")}
    assert "/themen/wohnen/" in links and "/regionen/leipzig/" in links
    assert "/aktuelles/archiv/2019/" in links and "/magazin/" in links


@pytest.mark.parametrize("page", [ARTICLE, EVENT])
def test_page_weight_stays_within_budget(portal: Path, page: str) -> None:
    doc = parse(portal / page)
    assets = [link.get("href") for link in doc.cssselect("link[rel=stylesheet]")]
    assets += [script.get("src") for script in doc.cssselect("script[src]")]
    total = (portal / page).stat().st_size + sum(
        (portal / a.lstrip("/")).stat().st_size for a in assets
    )
    assert assets and total < BUDGET, total


def test_english_theme_has_every_string(fixture_site: Path, run) -> None:
    config = fixture_site / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "language: en\n", encoding="utf-8")
    config.write_text(config.read_text(encoding="utf-8").replace("language: de\n", ""), "utf-8")
    result = run("--root", fixture_site, "--now", "2026-11-20 12:00")
    assert result.code == 0, result.err
    doc = parse(fixture_site / "output/veranstaltungen/index.html")
    assert doc.get("lang") == "en"
    assert doc.cssselect("nav.filter-group")[0].get("aria-label") == "Filter events: Topic"
    assert parse(fixture_site / "output/suche/index.html").cssselect("h1")[0].text == "Search"
