"""The example portal in five languages (issue 26): every page's `hreflang` alternates point
both ways over the whole site, each language's feeds and calendar are in its language and hold
its items only, and the seed press release exists in all five."""

from __future__ import annotations

from pathlib import Path

import feedparser
import icalendar
import lxml.html
import pytest
import yaml

from conftest import REPO, canonical_pages, hreflangs
from litfass.config import load_config

LANGUAGES = list(load_config(REPO)[0].site_languages)
SEED = "aktuelles/kita-finanzierung-sinkende-kinderzahlen/"


def test_the_portal_is_published_in_five_languages() -> None:
    assert [x.tag for x in LANGUAGES] == ["de", "de-x-ls", "en", "uk", "ar"]


def test_hreflang_is_reciprocal_over_the_whole_portal(portal: Path) -> None:
    pages = canonical_pages(portal)
    assert {page.get("lang") for page in pages.values()} == {x.tag for x in LANGUAGES}
    for url, page in pages.items():
        links = hreflangs(page)
        assert links[page.get("lang")] == url, url
        assert links["x-default"] == links["de"], url
        for tag, other in links.items():
            if tag != "x-default":
                assert pages[other].get("lang") == tag, (url, other)
                assert hreflangs(pages[other]) == links, (url, other)


def test_the_seed_press_release_is_in_every_language(portal: Path) -> None:
    base = "https://www.paritaet-beispiel.de"
    page = lxml.html.fromstring((portal / SEED / "index.html").read_bytes())
    assert hreflangs(page) == {
        **{x.tag: f"{base}{x.prefix}{SEED}" for x in LANGUAGES},
        "x-default": f"{base}/{SEED}",
    }
    arabic = lxml.html.fromstring((portal / "ar" / SEED / "index.html").read_bytes())
    assert (arabic.get("lang"), arabic.get("dir")) == ("ar", "rtl")


@pytest.mark.parametrize("language", LANGUAGES, ids=lambda x: x.tag)
def test_each_languages_news_feed_is_in_its_language(portal: Path, language) -> None:
    folder = portal / language.prefix.strip("/")
    feed = feedparser.parse((folder / "aktuelles/feed.xml").read_bytes())
    assert not feed.bozo
    assert feed.feed.language == language.tag
    links = [entry.link for entry in feed.entries]
    assert links and all(
        link.startswith(f"https://www.paritaet-beispiel.de{language.prefix}") for link in links
    )
    for link in links:
        path = link.removeprefix("https://www.paritaet-beispiel.de/")
        page = lxml.html.fromstring((portal / path / "index.html").read_bytes())
        assert page.get("lang") == language.tag, link


def test_the_calendar_is_in_german_and_english(portal: Path) -> None:
    german = icalendar.Calendar.from_ical((portal / "veranstaltungen/kalender.ics").read_bytes())
    english = icalendar.Calendar.from_ical(
        (portal / "en/veranstaltungen/kalender.ics").read_bytes()
    )
    titles = {
        tag: sorted(str(e["SUMMARY"]) for e in cal.walk("VEVENT"))
        for tag, cal in (("de", german), ("en", english))
    }
    assert len(titles["en"]) == 7
    assert "Workshop: commercial leases for social services" in titles["en"]
    assert not set(titles["en"]) & set(titles["de"])
    starts = {
        tag: sorted(str(e.decoded("DTSTART")) for e in cal.walk("VEVENT"))
        for tag, cal in (("de", german), ("en", english))
    }
    assert set(starts["en"]) <= set(starts["de"])  # the same events, at the original's times


def theme_table(tag: str) -> dict:
    return yaml.safe_load((REPO / "templates" / "i18n" / f"{tag}.yaml").read_text("utf-8"))


def german_labels(tag: str) -> set[str]:
    """The theme's German words a page in `tag` must not show: each label of the German table
    that this language's table says otherwise, and each of the site's own words (a
    category, a dateline) its `words:` translates."""
    german, own = theme_table("de"), theme_table(tag)
    said = {v for k, v in own.items() if isinstance(v, str)}
    labels = {
        v
        for k, v in german.items()
        if isinstance(v, str) and not k.startswith("format_") and "{" not in v and len(v) > 3
    }
    words = {word for word, translated in own["words"].items() if translated != word}
    return (labels | words) - said - set(own["words"].values())


def shown_texts(page: lxml.html.HtmlElement) -> set[str]:
    """Every text a reader sees or hears on a page outside the parts marked as in another
    language (the language switcher's names, a link to Leichte Sprache)."""
    texts = set(page.xpath("//body//text()[not(ancestor::*[@lang][ancestor::body])]"))
    texts |= set(page.xpath("//body//@aria-label | //body//@placeholder | //body//@alt"))
    texts |= set(page.xpath("//head/title/text() | //head/meta/@content"))
    return {text.strip().strip("()").strip() for text in texts}


def test_the_themes_german_labels_are_on_german_pages_only(portal: Path) -> None:
    for language in LANGUAGES:
        folder = portal / language.prefix.strip("/")
        pages = (
            [folder / "index.html"] if language.prefix == "/" else sorted(folder.rglob("*.html"))
        )
        shown = {path: shown_texts(lxml.html.fromstring(path.read_bytes())) for path in pages}
        german = german_labels(language.tag) if language.tag != "de" else german_labels("en")
        left = {
            str(path.relative_to(portal)): sorted(german & texts) for path, texts in shown.items()
        }
        if language.tag == "de":  # the check bites: the German home shows them
            assert {"Pressemitteilung", "Impressum"} <= set(left["index.html"])
        else:
            assert {path: found for path, found in left.items() if found} == {}, language.tag
