"""Feeds, calendars and metadata say the site's language (issue 26): RSS and Atom read by
feedparser, iCalendar by icalendar, Open Graph and JSON-LD from the pages."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import feedparser
import icalendar
import lxml.html
import pytest
import yaml

from conftest import REPO
from litfass.languages import EASY_GERMAN, LANGUAGES

ARTICLE = "aktuelles/pflege/index.html"


@pytest.mark.parametrize("tag", ["ar", EASY_GERMAN, "de"])
def test_feeds_are_in_the_site_language(built_in: Callable[[str], Path], tag: str) -> None:
    output = built_in(tag)
    news = yaml.safe_load((REPO / f"templates/i18n/{tag}.yaml").read_text("utf-8"))["news"]
    for name in ("aktuelles/feed.xml", "aktuelles/atom.xml", "veranstaltungen/feed.xml"):
        feed = feedparser.parse((output / name).read_bytes())
        assert not feed.bozo, (name, feed.bozo_exception)
        assert feed.feed.language == tag
    assert feedparser.parse((output / "aktuelles/atom.xml").read_bytes()).feed.title.endswith(news)


def test_calendars_speak_the_site_language(built_in: Callable[[str], Path]) -> None:
    words = yaml.safe_load((REPO / "templates/i18n/ar.yaml").read_text("utf-8"))
    ics = built_in("ar") / "veranstaltungen/kalender.ics"
    calendar = icalendar.Calendar.from_ical(ics.read_bytes())
    assert str(calendar["x-wr-calname"]).endswith(words["events"])
    online = next(e for e in calendar.walk("VEVENT") if "Online" in str(e["summary"]))
    assert f"{words['online']}: https://meet.test.example.org/ds" in str(online["description"])


def in_language(value: object) -> Iterator[str]:
    """Every `inLanguage` anywhere in a JSON-LD value."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "inLanguage":
                yield inner
            else:
                yield from in_language(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from in_language(inner)


@pytest.mark.parametrize("tag", list(LANGUAGES))
def test_open_graph_and_json_ld_name_the_language(
    built_in: Callable[[str], Path], tag: str
) -> None:
    for name in ("index.html", ARTICLE):
        page = lxml.html.fromstring((built_in(tag) / name).read_bytes())
        locale = page.cssselect('meta[property="og:locale"]')[0].get("content")
        assert locale == LANGUAGES[tag].og_locale
        graphs = [json.loads(s.text) for s in page.cssselect('script[type="application/ld+json"]')]
        assert set(in_language(graphs)) == {tag}
