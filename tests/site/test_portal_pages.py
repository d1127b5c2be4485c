"""Pages an association needs (issue 15, point 10), in the built example portal: press
releases for journalists, the accessibility statement and Leichte Sprache, all in the footer.
"""

from __future__ import annotations

from pathlib import Path

import feedparser
import lxml.html
import pytest
import yaml

from conftest import REPO

BASE = "https://www.paritaet-beispiel.de"


def press_releases() -> set[str]:
    """Addresses of the example portal's news whose category is a press release."""
    found = set()
    for path in (REPO / "content/news").rglob("*.md"):
        meta = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])
        if meta.get("category") == "Pressemitteilung" and not meta.get("draft"):
            stem = path.parent.name if path.name == "index.md" else path.stem
            found.add(f"{BASE}/aktuelles/{meta.get('slug') or stem[11:]}/")
    return found


def html(portal: Path, url: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((portal / url.lstrip("/") / "index.html").read_bytes())


def test_the_press_page_lists_press_releases_only(portal: Path) -> None:
    expected = press_releases()
    assert len(expected) >= 3
    root = html(portal, "/presse/")
    assert root.findtext(".//h1").strip() == "Pressemitteilungen"
    links = {BASE + a.get("href") for a in root.cssselect(".cards h3 a")}
    assert links == expected


def test_journalists_can_subscribe_to_press_releases(portal: Path) -> None:
    feed = feedparser.parse((portal / "presse/feed.xml").read_bytes())
    assert not feed.bozo
    assert feed.feed.title.endswith("Pressemitteilungen")
    assert {entry.link for entry in feed.entries} == press_releases()
    atom = feedparser.parse((portal / "presse/atom.xml").read_bytes())
    assert {entry.id for entry in atom.entries} == {entry.id for entry in feed.entries}
    root = html(portal, "/presse/")
    assert root.cssselect('a[href="/presse/feed.xml"]')


def test_the_footer_reaches_press_accessibility_and_easy_language(portal: Path) -> None:
    for page in ("/", "/aktuelles/", "/veranstaltungen/"):
        footer = html(portal, page).cssselect("footer.site-footer")[0]
        links = {a.text_content().strip(): a.get("href") for a in footer.iter("a")}
        assert links["Presse"] == "/presse/"
        assert links["Erklärung zur Barrierefreiheit"] == "/barrierefreiheit/"
        assert links["Leichte Sprache"] == "/leichte-sprache/"


def test_the_accessibility_statement_has_what_bitv_asks_for(portal: Path) -> None:
    root = html(portal, "/barrierefreiheit/")
    headings = " | ".join(h.text_content() for h in root.cssselect("main h2"))
    for part in ("Stand der Vereinbarkeit", "Nicht barrierefreie Inhalte", "Erstellung",
                 "Kontakt zur Feedback-Stelle", "Schlichtungsverfahren"):  # fmt: skip
        assert part in headings
    assert root.cssselect('main a[href^="mailto:"]')


@pytest.mark.parametrize(
    "path",
    [
        "/leichte-sprache/ueber-uns/",
        "/leichte-sprache/barrierefreiheit/",
        "/leichte-sprache/aktuelles/kita-finanzierung-sinkende-kinderzahlen/",
    ],
)
def test_leichte_sprache_uses_short_sentences(portal: Path, path: str) -> None:
    root = html(portal, path)
    assert root.get("lang") == "de-x-ls"
    sentences = [p.text_content() for p in root.cssselect("main .body p")]
    assert len(sentences) > 10
    assert max(len(s.split()) for s in sentences) <= 12
