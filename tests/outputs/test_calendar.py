"""Calendars pass icalendar: no floating times, stable UIDs, the Fachtag at 9:00 in Berlin."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import lxml.html
import pytest
from subscribers import HOSTILE, SMUGGLER

from conftest import FIXTURE, build, copy_site

BERLIN = ZoneInfo("Europe/Berlin")
FACHTAG = "veranstaltungen/fachtag-soziale-traeger-als-partner-der-wohnungswirtschaft/"


def calendar(path: Path) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(path.read_bytes())


def events(path: Path) -> list[icalendar.Event]:
    return calendar(path).walk("VEVENT")


def by_url(path: Path) -> dict[str, icalendar.Event]:
    return {str(event["URL"]): event for event in events(path)}


@pytest.mark.parametrize("site", ["example", "hostile"])
def test_every_calendar_parses_without_floating_times(
    site: str, request: pytest.FixtureRequest
) -> None:
    out: Path = request.getfixturevalue(site)
    paths = sorted(out.rglob("*.ics"))
    assert len(paths) > 5
    for path in paths:
        cal = calendar(path)
        assert cal["VERSION"] == "2.0" and cal["PRODID"]
        defined = {zone.tz_name for zone in cal.timezones}
        assert cal.get_used_tzids() <= defined, path  # every TZID has its VTIMEZONE
        for event in cal.walk("VEVENT"):
            for key in ("DTSTART", "DTEND"):
                if key in event:
                    value = event.decoded(key)
                    if isinstance(value, datetime):
                        assert value.tzinfo is not None, (path, key)
                        assert event[key].params["TZID"] == "Europe/Berlin", (path, key)
                    else:
                        assert event[key].params["VALUE"] == "DATE", (path, key)
            assert event.decoded("DTSTAMP").utcoffset() == timedelta(0), path
            assert event["UID"] and event["SUMMARY"] and event["URL"], path
        _lines_are_folded(path)


def _lines_are_folded(path: Path) -> None:
    """RFC 5545 3.1: lines end in CRLF and are at most 75 octets."""
    data = path.read_bytes()
    assert data.endswith(b"\r\n") and b"\n" not in data.replace(b"\r\n", b"")
    assert max(len(line) for line in data.split(b"\r\n")) <= 75


def test_the_fachtag_starts_at_nine_in_berlin(example: Path) -> None:
    (event,) = events(example / FACHTAG / "kalender.ics")
    assert event.decoded("DTSTART") == datetime(2019, 11, 11, 9, 0, tzinfo=BERLIN)
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert event.decoded("DTEND") == datetime(2019, 11, 11, 16, 0, tzinfo=BERLIN)
    raw = (example / FACHTAG / "kalender.ics").read_bytes().decode("utf-8")
    assert "\r\nDTSTART;TZID=Europe/Berlin:20191111T090000\r\n" in raw
    assert str(event["LOCATION"]) == (
        "Volkshaus Leipzig, Karl-Liebknecht-Straße 30–32, 04107 Leipzig"
    )
    assert event["CATEGORIES"].cats == ["Wohnen", "Eingliederungshilfe"]
    text = str(event["DESCRIPTION"])
    assert "Kosten: kostenfrei für Mitgliedsorganisationen, 30 Euro für Gäste" in text
    assert text.endswith(f"https://www.paritaet-beispiel.de/{FACHTAG}")
    assert "<" not in text  # plain text, not HTML
    # DTSTAMP is when the item was announced (its `date`), never the time of the build.
    assert event.decoded("DTSTAMP") == datetime(2019, 9, 25, 8, 0, tzinfo=UTC)


def test_the_vtimezone_agrees_with_the_time_zone_database(example: Path) -> None:
    """Read back by icalendar, the embedded zone gives Berlin's offset at every hour."""
    cal = calendar(example / "veranstaltungen/kalender.ics")
    (zone,) = cal.walk("VTIMEZONE")
    assert zone["TZID"] == "Europe/Berlin"
    tz = zone.to_tz()
    starts = [e.decoded("DTSTART") for e in cal.walk("VEVENT")]
    moment = datetime(min(s.year for s in starts), 1, 1, tzinfo=UTC)
    end = datetime(max(s.year for s in starts) + 1, 1, 1, tzinfo=UTC)
    while moment < end:
        assert moment.astimezone(tz).utcoffset() == moment.astimezone(BERLIN).utcoffset(), moment
        moment += timedelta(hours=1)
    daylight = zone.walk("DAYLIGHT")[0]
    assert daylight.decoded("DTSTART").time().hour == 2  # onset in the time before the change


def test_subscription_calendars_hold_all_events_with_stable_uids(example: Path) -> None:
    every = by_url(example / "veranstaltungen/kalender.ics")
    pages = {p.parent.name for p in (example / "veranstaltungen").glob("*/kalender.ics")}
    assert {url.rstrip("/").rsplit("/", 1)[-1] for url in every} == pages
    uids = [str(e["UID"]) for e in every.values()]
    assert len(set(uids)) == len(uids)
    wohnen = by_url(example / "themen/wohnen/kalender.ics")
    assert wohnen and set(wohnen) < set(every)
    for url, event in wohnen.items():
        assert "Wohnen" in event["CATEGORIES"].cats
        own = events(
            example / url.removeprefix("https://www.paritaet-beispiel.de/") / "kalender.ics"
        )
        assert own[0]["UID"] == event["UID"] == every[url]["UID"]
        assert own[0].to_ical() == event.to_ical()
    cal = calendar(example / "veranstaltungen/kalender.ics")
    assert cal["X-WR-CALNAME"] == "Paritätischer Beispielverband Sachsen – Veranstaltungen"
    assert cal["REFRESH-INTERVAL"] == "PT6H"
    assert cal["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"


def test_all_day_online_and_edited_events(hostile: Path, example: Path) -> None:
    (fest,) = events(hostile / "veranstaltungen/sommerfest/kalender.ics")
    assert fest.decoded("DTSTART") == date(2027, 7, 3)
    assert fest.decoded("DTEND") == date(2027, 7, 5)  # exclusive: the fest lasts two days
    (online,) = events(hostile / "veranstaltungen/online/kalender.ics")
    assert "https://meet.test.example.org/ds" in str(online["LOCATION"])
    assert str(online["CONFERENCE"]) == "https://meet.test.example.org/ds"
    assert "https://meet.test.example.org/ds" in str(online["DESCRIPTION"])
    (edited,) = events(example / "veranstaltungen/mitgliederversammlung-2027/kalender.ics")
    assert edited.decoded("LAST-MODIFIED") == datetime(2026, 11, 12, 8, 0, tzinfo=UTC)
    assert edited.decoded("DTSTAMP") == edited.decoded("LAST-MODIFIED")


def test_hostile_values_stay_inside_their_properties(hostile: Path) -> None:
    every = calendar(hostile / "veranstaltungen/kalender.ics")
    summaries = [str(e["SUMMARY"]) for e in every.walk("VEVENT")]
    assert HOSTILE in summaries
    assert " ".join(SMUGGLER.split()) in summaries  # titles are one line (values.one_line)
    assert not every.walk("VALARM")  # the line breaks did not start a component
    (boese,) = events(hostile / "veranstaltungen/boese/kalender.ics")
    assert str(boese["SUMMARY"]) == HOSTILE
    assert str(boese["LOCATION"]) == "</script>; Raum, 2, Weg 1, 04109 Leipzig"
    raw = (hostile / "veranstaltungen/boese/kalender.ics").read_bytes().decode("utf-8")
    assert "LOCATION:</script>\\; Raum\\, 2\\, Weg 1\\, 04109 Leipzig\r\n" in raw


def test_event_page_offers_download_and_subscription(example: Path) -> None:
    page = lxml.html.fromstring((example / FACHTAG / "index.html").read_bytes())
    (download,) = page.cssselect(f'a[href="/{FACHTAG}kalender.ics"]')
    assert download.text_content() == "In den Kalender"
    assert download.get("download") == (
        "fachtag-soziale-traeger-als-partner-der-wohnungswirtschaft.ics"
    )
    hrefs = {a.get("href") for a in page.iter("a")}
    assert "webcal://www.paritaet-beispiel.de/veranstaltungen/kalender.ics" in hrefs


def test_a_renamed_event_keeps_its_uid(tmp_path: Path) -> None:
    site = copy_site(FIXTURE, tmp_path / "site")
    uid = events(build(site).output / "veranstaltungen/fachtag/kalender.ics")[0]["UID"]
    old = site / "content/events/fachtag.md"
    text = old.read_text(encoding="utf-8").replace(
        "---\n", "---\nid: /veranstaltungen/fachtag/\n", 1
    )
    (site / "content/events/fachtag-goerlitz.md").write_text(text, encoding="utf-8")
    old.unlink()
    renamed = events(build(site).output / "veranstaltungen/fachtag-goerlitz/kalender.ics")[0]
    assert renamed["UID"] == uid == "veranstaltungen-fachtag@test.example.org"


def test_calendar_bytes_do_not_depend_on_the_build_time(tmp_path: Path) -> None:
    site = copy_site(FIXTURE, tmp_path / "site")
    first = build(site, "--now", "2031-01-01").output
    before = {p.name: p.read_bytes() for p in [first / "veranstaltungen/kalender.ics"]}
    second = build(site, "--now", "2032-02-29 18:00").output
    assert (second / "veranstaltungen/kalender.ics").read_bytes() == before["kalender.ics"]
    assert re.search(rb"DTSTAMP:\d{8}T\d{6}Z", before["kalender.ics"])
