"""Cancelled, postponed and booked-out events (issue 15, point 6), as readers, calendar apps,
feed readers and search engines meet them; and what else an event page offers readers.
"""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import icalendar
import lxml.html
import pytest

from conftest import FIXTURE, NOW, build, copy_site

FESTIVAL = "content/events/sommerfest.md"
FESTIVAL_URL = "veranstaltungen/sommerfest/"
FULL_URL = "veranstaltungen/schreibwerkstatt/"
LATER_URL = "veranstaltungen/vortrag/"


def add_events(site: Path, festival_status: str = "abgesagt") -> None:
    path = site / FESTIVAL
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("---\n", f"---\nstatus: {festival_status}\n", 1), encoding="utf-8")
    (site / "content/events/schreibwerkstatt.md").write_text(
        "---\ntitle: Schreibwerkstatt\nstart: 2026-12-03 10:00\nstatus: ausgebucht\n"
        "location: {name: Volkshaus, address: 'Karl-Liebknecht-Straße 30, 04107 Leipzig'}\n"
        "registration: anmeldung@test.example.org\ncost: 10 Euro\n---\nSchreiben.\n",
        encoding="utf-8",
    )
    (site / "content/events/vortrag.md").write_text(
        "---\ntitle: Vortrag\nstart: 2026-12-10 18:00\nstatus: postponed\n"
        "registration: https://anmeldung.test.example.org/vortrag\n---\nZuhören.\n",
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def events_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture site with events of every status, built once: the tests only read it."""
    site = copy_site(FIXTURE, tmp_path_factory.mktemp("events") / "site")
    add_events(site)
    return build(site, "--quiet").output


def page(output: Path, url: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((output / url / "index.html").read_bytes())


def json_ld_event(root: lxml.html.HtmlElement) -> dict:
    for script in root.iter("script"):
        if script.get("type") == "application/ld+json":
            data = json.loads(script.text)
            for block in data if isinstance(data, list) else data.get("@graph", [data]):
                if block.get("@type") == "Event":
                    return block
    raise AssertionError("no Event in the page's JSON-LD")


def test_the_event_page_and_the_calendar_list_show_the_status(events_output: Path) -> None:
    root = page(events_output, FESTIVAL_URL)
    assert root.cssselect("main .event-status")[0].text_content().strip() == "Abgesagt"
    listing = page(events_output, "veranstaltungen/")
    badges = {
        item.cssselect("h3 a")[0].text_content(): item.cssselect(".event-status")
        for item in listing.cssselect(".event-item")
    }
    assert badges["Sommerfest 2027"][0].text_content().strip() == "Abgesagt"
    assert badges["Schreibwerkstatt"][0].text_content().strip() == "Ausgebucht"
    assert badges["Vortrag"][0].text_content().strip() == "Verschoben"


def test_search_engines_get_the_event_status(events_output: Path) -> None:
    schema = "https://schema.org/"
    assert (
        json_ld_event(page(events_output, FESTIVAL_URL))["eventStatus"] == schema + "EventCancelled"
    )
    assert json_ld_event(page(events_output, LATER_URL))["eventStatus"] == schema + "EventPostponed"
    full = json_ld_event(page(events_output, FULL_URL))
    assert full["eventStatus"] == schema + "EventScheduled"
    assert full["offers"]["availability"] == schema + "SoldOut"


def test_calendar_apps_see_cancelled_and_tentative(events_output: Path) -> None:
    def vevent(url: str) -> icalendar.Event:
        ics = icalendar.Calendar.from_ical((events_output / url / "kalender.ics").read_bytes())
        (event,) = ics.walk("VEVENT")
        return event

    cancelled = vevent(FESTIVAL_URL)
    assert cancelled["STATUS"] == "CANCELLED"
    assert str(cancelled["SUMMARY"]) == "Abgesagt: Sommerfest 2027"
    assert vevent(LATER_URL)["STATUS"] == "TENTATIVE"
    assert vevent(FULL_URL)["STATUS"] == "CONFIRMED"
    assert "anmeldung@" not in str(vevent(FULL_URL)["DESCRIPTION"])  # nobody can register


def test_feed_readers_see_the_change_in_title_and_category(events_output: Path) -> None:
    feed = feedparser.parse((events_output / "veranstaltungen/feed.xml").read_bytes())
    entry = next(e for e in feed.entries if e.link.endswith("/" + FESTIVAL_URL))
    assert entry.title == "Abgesagt: Sommerfest 2027"
    assert "Abgesagt" in [tag.term for tag in entry.tags]


def test_a_booked_out_event_offers_no_registration(events_output: Path) -> None:
    root = page(events_output, FULL_URL)
    assert not root.cssselect("main a[href^='mailto:']")
    assert "Anmeldung" not in root.cssselect(".facts")[0].text_content()


def test_the_registration_address_is_readable_as_text(events_output: Path) -> None:
    """Webmail users cannot use a mailto: link: the address itself is shown."""
    root = page(events_output, LATER_URL)
    shown = root.cssselect(".registration-address")[0].text_content()
    assert "https://anmeldung.test.example.org/vortrag" in shown
    assert not page(events_output, FULL_URL).cssselect(".registration-address")  # booked out


def test_a_venue_with_an_address_links_to_openstreetmap(events_output: Path) -> None:
    root = page(events_output, FULL_URL)
    (link,) = root.cssselect("a.map-link")
    assert link.get("href") == (
        "https://www.openstreetmap.org/search?query=Karl-Liebknecht-Stra%C3%9Fe%2030%2C%2004107%20Leipzig"
    )
    # A link only: nothing on the page loads from openstreetmap.org.
    loaded = [e.get("src") or "" for e in root.iter("img", "iframe", "script")]
    assert not any("openstreetmap" in src for src in loaded)


@pytest.mark.parametrize("word", ["cancelled", "Abgesagt", "booked-out", "full", "verschoben"])
def test_english_and_german_words_are_understood(fixture_site: Path, run, word: str) -> None:
    add_events(fixture_site, word)
    assert run("--root", fixture_site, "--now", NOW, "--quiet").code == 0


def test_an_unknown_status_is_an_error_at_its_line(fixture_site: Path, run) -> None:
    add_events(fixture_site, "fällt aus")
    result = run("--root", fixture_site, "--now", NOW)
    assert result.code == 1
    assert (
        f"{FESTIVAL}:2: error: 'status' must be abgesagt, verschoben or ausgebucht "
        "(cancelled, postponed, booked-out), not 'fällt aus'" in result.err
    )


def test_document_links_say_type_and_size_in_the_sites_language(fixture_site: Path, run) -> None:
    folder = fixture_site / "content/news/2026-11-18-stellungnahme"
    folder.mkdir()
    (folder / "stellungnahme.pdf").write_bytes(b"%PDF-1.4\n" + b"0" * 2_400_000)
    (folder / "formular.docx").write_bytes(b"PK" + b"0" * 350_000)
    (folder / "index.md").write_text(
        "---\ntitle: Stellungnahme\ndate: 2026-11-18\n---\n"
        "Lesen Sie die [Stellungnahme](stellungnahme.pdf) und das [Formular](formular.docx).\n",
        encoding="utf-8",
    )
    assert run("--root", fixture_site, "--now", NOW, "--quiet").code == 0
    root = page(fixture_site / "output", "aktuelles/stellungnahme/")
    text = root.cssselect("main .body")[0].text_content()
    assert "Stellungnahme (PDF, 2,4 MB)" in text
    assert "Formular (Word, 350 kB)" in text


def test_a_magazine_pdf_says_its_size(fixture_site: Path, run) -> None:
    folder = fixture_site / "content/magazine/heft-2"
    folder.mkdir()
    (folder / "heft.pdf").write_bytes(b"%PDF-1.4\n" + b"0" * 1_500_000)
    (folder / "index.md").write_text(
        "---\ntitle: Heft 2\ndate: 2026-11-01\npdf: heft.pdf\n---\nDas Heft.\n", encoding="utf-8"
    )
    assert run("--root", fixture_site, "--now", NOW, "--quiet").code == 0
    root = page(fixture_site / "output", "magazin/heft-2/")
    assert root.cssselect("main .doc-info")[0].text_content() == "(PDF, 1,5 MB)"
