"""Unit tests of feeds.py, calendars.py and metadata.py: links, addresses, prices, time zones."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import lxml.html
import pytest

from litfass.config import Config
from litfass.content.model import EVENT, EventInfo, Page
from litfass.content.pages import read_page
from litfass.errors import LitfassError
from litfass.outputs import calendars
from litfass.outputs.feeds import absolute_html
from litfass.outputs.metadata import offer, postal_address
from litfass.site import stable_id

BERLIN = ZoneInfo("Europe/Berlin")
CONFIG = Config(root=Path("."), title="Verband", base_url="https://www.example.de")
BASE = "https://www.example.de/aktuelles/fachtag/"


def event_page(cost: str = "", registration: str = "", **fields) -> Page:
    info = EventInfo(
        start=datetime(2027, 3, 1, 18, tzinfo=BERLIN),
        end=None,
        all_day=False,
        location=None,
        cost=cost,
        registration=registration,
    )
    page = Page(EVENT, "content/events/x.md", "X", "x", "/veranstaltungen/x/", None, "", event=info)
    return replace(page, **fields)


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        (
            '<p><a href="/veranstaltungen/">Termine</a></p>',
            "https://www.example.de/veranstaltungen/",
        ),
        ('<p><img src="bild.png" alt=""></p>', "https://www.example.de/aktuelles/fachtag/bild.png"),
        ('<p><a href="#programm">Programm</a></p>', f"{BASE}#programm"),
        ('<p><a href="../anderes/">x</a></p>', "https://www.example.de/aktuelles/anderes/"),
        ('<a href="mailto:a@b.de">Mail</a>', "mailto:a@b.de"),
        ('<a href="https://other.org/x">x</a>', "https://other.org/x"),
    ],
)
def test_links_and_images_become_absolute(html: str, expected: str) -> None:
    result = absolute_html(html, BASE)
    links = [
        link
        for _, _, link, _ in lxml.html.fragment_fromstring(result, create_parent="div").iterlinks()
    ]
    assert links == [expected]


def test_absolute_html_keeps_text_and_srcset() -> None:
    html = 'Vorab &amp; <b>fett</b><img src="a.png" srcset="a.png 1x, /b.png 2x" alt="">'
    result = absolute_html(html, BASE)
    assert result.startswith("Vorab &amp; <b>fett</b>")
    assert f'srcset="{BASE}a.png 1x, https://www.example.de/b.png 2x"' in result
    assert absolute_html("", BASE) == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Karl-Liebknecht-Straße 30–32, 04107 Leipzig",
            {"streetAddress": "Karl-Liebknecht-Straße 30–32", "postalCode": "04107",
             "addressLocality": "Leipzig", "addressCountry": "DE"},
        ),
        ("04107 Leipzig", {"postalCode": "04107", "addressLocality": "Leipzig", "addressCountry": "DE"}),
        ("Stadtpark, hinter dem Teich", {"streetAddress": "Stadtpark, hinter dem Teich"}),
    ],
)  # fmt: skip
def test_postal_addresses(text: str, expected: dict[str, str]) -> None:
    assert postal_address(text) == {"@type": "PostalAddress", **expected}


@pytest.mark.parametrize(
    ("cost", "price"),
    [
        ("kostenfrei", "0.00"),
        ("kostenfrei für Mitglieder, 30 Euro für Gäste", "0.00"),
        ("45 € (Mitglieder 25,50 €)", "25.50"),
        ("nach Vereinbarung", None),
    ],
)
def test_offers_read_the_lowest_price(cost: str, price: str | None) -> None:
    data = offer(CONFIG, event_page(cost=cost, registration="https://anmelden.example.de/x"))
    assert data.get("price") == price
    assert data["url"] == "https://anmelden.example.de/x"
    assert data["description"] == cost
    e_mail = offer(CONFIG, event_page(cost=cost, registration="a@b.de"))
    assert e_mail["url"] == "https://www.example.de/veranstaltungen/x/"


def test_stable_ids_and_uids() -> None:
    page = event_page()
    assert stable_id(CONFIG, page) == "https://www.example.de/veranstaltungen/x/"
    assert calendars.uid(CONFIG, page) == "veranstaltungen-x@www.example.de"
    old = replace(page, id="/termine/alt/")
    assert stable_id(CONFIG, old) == "https://www.example.de/termine/alt/"
    assert calendars.uid(CONFIG, old) == "termine-alt@www.example.de"
    urn = replace(page, id="urn:uuid:0f3a2c4e-1111-4222-8333-444455556666")
    assert calendars.uid(CONFIG, urn) == "urn:uuid:0f3a2c4e-1111-4222-8333-444455556666"


def test_calendar_addresses() -> None:
    assert calendars.calendar_url("/themen/wohnen/") == "/themen/wohnen/kalender.ics"
    assert (
        calendars.webcal(CONFIG, "/veranstaltungen/kalender.ics")
        == "webcal://www.example.de/veranstaltungen/kalender.ics"
    )


def test_berlin_changes_at_two_and_three_in_the_night() -> None:
    changes = calendars._changes(BERLIN, 2027, 2027)
    assert [(c.onset, c.name) for c in changes] == [
        (datetime(2026, 10, 25, 3), "CET"),  # in force on 1 January
        (datetime(2027, 3, 28, 2), "CEST"),
        (datetime(2027, 10, 31, 3), "CET"),
    ]
    assert changes[1].before == timedelta(hours=1) and changes[1].after == timedelta(hours=2)


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York", "Australia/Sydney", "UTC"])
def test_vtimezone_reads_back_as_the_same_zone(zone: str) -> None:
    cal = icalendar.Calendar()
    cal.add_component(calendars._timezone(zone, 2024, 2026))
    parsed = icalendar.Calendar.from_ical(cal.to_ical()).walk("VTIMEZONE")[0].to_tz()
    reference, moment = ZoneInfo(zone), datetime(2024, 1, 1, tzinfo=ZoneInfo("UTC"))
    while moment.year < 2027:
        assert moment.astimezone(parsed).utcoffset() == moment.astimezone(reference).utcoffset()
        moment += timedelta(hours=1)


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("/aktuelles/alter-titel/", True),
        ("https://www.example.de/alt/123", True),
        ("urn:uuid:0f3a2c4e-1111-4222-8333-444455556666", True),
        ("tag:example.de,2019:fachtag", True),
        ("alter titel", False),
        ("../geheim", False),
        ("javascript:alert(1)", False),
    ],
)
def test_explicit_ids_are_addresses_or_uris(tmp_path: Path, value: str, ok: bool) -> None:
    config = replace(CONFIG, root=tmp_path)
    path = tmp_path / "content/news/x.md"
    path.parent.mkdir(parents=True)
    path.write_text(
        f'---\ntitle: X\ndate: 2020-01-01\nid: "{value}"\n---\nText\n', encoding="utf-8"
    )
    if ok:
        assert read_page(config, path, "news/x.md")[1].id == value
    else:
        with pytest.raises(LitfassError, match=r"'id' must be the item's first address"):
            read_page(config, path, "news/x.md")
