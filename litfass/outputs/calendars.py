"""iCalendar files made with icalendar: one per event, and subscription calendars.

Every event keeps its UID across builds and edits; DTSTAMP comes from the item, never the clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache, partial
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from litfass.addresses import AddressBook
from litfass.config import Config
from litfass.content.model import CANCELLED, POSTPONED, Page
from litfass.outputs import Output, path_of
from litfass.outputs.translations import Translations, site_translations
from litfass.reuse import Reuse
from litfass.site import Site, is_public, last_change, stable_id

if TYPE_CHECKING:
    import icalendar

CALENDAR_FILE = "kalender.ics"
MEDIA_TYPE = "text/calendar"
PRODID = "-//litfass//litfass static site generator//DE"
REFRESH = timedelta(hours=6)  # how often subscribed apps should look for new events


@dataclass(frozen=True)
class Subscription:
    """A calendar of events to subscribe to, beside the page it follows."""

    name: str  # what it follows: 'Veranstaltungen', 'Thema: Wohnen'
    title: str  # the name with the site's title, as calendar apps show it
    url: str  # the page it follows: /veranstaltungen/ or /themen/wohnen/
    events: tuple[Page, ...]  # soonest first

    @property
    def ics_url(self) -> str:
        return calendar_url(self.url)


def calendar_url(url: str) -> str:
    """Address of the calendar beside a page: '/veranstaltungen/x/' -> '.../kalender.ics'."""
    return url + CALENDAR_FILE


def webcal(config: Config, url: str) -> str:
    """The `webcal://` address that makes calendar apps subscribe instead of import once."""
    parts = urlsplit(config.absolute(url))
    return f"webcal://{parts.netloc}{parts.path}"


def subscriptions(site: Site, t: Translations) -> list[Subscription]:
    """All events, then the events of each topic and region (an empty one waits for events)."""
    config = site.config
    events = _public(site, (*site.upcoming, *site.past_events))
    every = [_subscription(site, t("events"), config.urls.events_index, events)]
    for listings, key in ((site.topics, "topic_title"), (site.regions, "region_title")):
        every += [
            _subscription(
                site,
                t(key, name=t.word(listing.term.name)),
                listing.url,
                _public(site, listing.events),
            )
            for listing in listings
        ]
    return every


def _subscription(site: Site, name: str, url: str, events: tuple[Page, ...]) -> Subscription:
    return Subscription(name, f"{site.config.title} – {name}", url, events)


def _public(site: Site, events: Iterable[Page]) -> tuple[Page, ...]:
    shown = (p for p in events if p.event is not None and is_public(p, site.now))
    return tuple(sorted(shown, key=lambda p: (p.sort_date, p.url)))


def declare(site: Site, reuse: Reuse | None = None) -> Iterator[Output]:
    """The subscription calendars, and one calendar file beside every event page."""
    config, reuse = site.config, reuse or Reuse()
    table = ("translations", config.language)
    t = reuse.get(table, (), lambda: site_translations(config))
    every_event = (*site.upcoming, *site.past_events)
    years = _years(every_event)
    for sub in subscriptions(site, t):
        produce = partial(render_calendar, site, sub.title, sub.events, t, years, sub.url)
        yield Output(path_of(sub.ics_url), produce=produce)
    # An event's own calendar is made from the page and its two entries in the address
    # record, not from the site: while these are the same objects, so is its Output, and a
    # rebuild after an edit passes over the thousand of them at once (reuse.py).
    own = reuse.get(("event calendars",), (site.addresses,), Reuse)
    own.begin()
    yield from own.each("events", every_event, lambda page: _own_calendar(site, page, t))
    own.end()


def _own_calendar(site: Site, page: Page, t: Translations) -> Output:
    produce = partial(render_event_calendar, site.config, page, t, _stamp(site, page))
    return Output(path_of(calendar_url(page.url)), produce=produce)


class _Stamp(NamedTuple):
    """What an event's entry takes from the address record: its UID and its DTSTAMP."""

    uid: str
    dtstamp: datetime


def _years(events: Sequence[Page]) -> tuple[int, int]:
    """The years a VTIMEZONE must cover: derived from the events, so it never depends on today."""
    starts = [p.event.start.year for p in events if p.event]
    ends = [p.event.end_date.year for p in events if p.event]
    return (min(starts), max(ends)) if starts else (1970, 1970)


def render_calendar(
    site: Site,
    title: str,
    events: Sequence[Page],
    t: Translations,
    years: tuple[int, int],
    url: str = "",
) -> bytes:
    """A VCALENDAR of `events` with the site's VTIMEZONE."""
    config = site.config
    entries = [_vevent_bytes(config, page, t, _stamp(site, page)) for page in events]
    return _calendar(config, title, entries, years, url)


def render_event_calendar(config: Config, page: Page, t: Translations, stamp: _Stamp) -> bytes:
    """The calendar beside an event's page, with that event alone."""
    entry = _vevent_bytes(config, page, t, stamp)
    return _calendar(config, page.title, [entry], _years((page,)))


def _calendar(
    config: Config, title: str, entries: list[bytes], years: tuple[int, int], url: str = ""
) -> bytes:
    """A VCALENDAR of serialised events (`entries`), with the site's VTIMEZONE."""
    import icalendar  # here: only a build that makes calendars pays for it

    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("name", title)
    cal.add("x-wr-calname", title)
    cal.add("x-wr-timezone", config.timezone)
    if url:  # a subscription: tell apps how often to refresh it
        cal.add("url", config.absolute(url))
        cal.add("refresh-interval", icalendar.vDuration(REFRESH), parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", icalendar.vDuration(REFRESH))
    # RFC 5545 wants at least one component; the time zone also keeps an empty calendar valid.
    # Components are serialised once each and put in place of the calendar's end: an event
    # is in its own file and in several subscriptions, the time zone in every file.
    head = cal.to_ical()
    assert head.endswith(_END)
    parts = [head[: -len(_END)], _timezone_bytes(config.timezone, *years), *entries]
    return b"".join([*parts, _END])


def _stamp(site: Site, page: Page) -> _Stamp:
    return _Stamp(uid(site.config, page, site.addresses), last_change(site, page))


_END = b"END:VCALENDAR\r\n"
_serialised: dict[int, tuple[Page, Translations, _Stamp, bytes]] = {}
_SERIALISED_MOST = 50_000  # events remembered: the preview makes new pages edit after edit


def _vevent_bytes(config: Config, page: Page, t: Translations, stamp: _Stamp) -> bytes:
    """`vevent(...).to_ical()`, remembered while the page is the same: an event is in its
    own calendar and in several subscriptions."""
    known = _serialised.get(id(page))
    if known is not None and known[0] is page and known[1] is t and known[2] == stamp:
        return known[3]
    if len(_serialised) >= _SERIALISED_MOST:
        _serialised.clear()
    data = vevent(config, page, t, stamp).to_ical()
    _serialised[id(page)] = (page, t, stamp, data)
    return data


@lru_cache(maxsize=64)
def _timezone_bytes(name: str, first_year: int, last_year: int) -> bytes:
    return _timezone(name, first_year, last_year).to_ical()


@lru_cache(maxsize=64)
def _timezone(name: str, first_year: int, last_year: int) -> icalendar.Timezone:
    """A VTIMEZONE with every change of offset from `first_year` to the end of `last_year`.

    Each onset is the local time before the change (RFC 5545 3.6.5: 02:00 for the start of
    summer time in Berlin), which icalendar's own `Timezone.from_tzinfo` gets wrong.
    """
    import icalendar  # here: only a build that makes calendars pays for it

    zone = icalendar.Timezone()
    zone.add("tzid", name)
    changes = _changes(ZoneInfo(name), first_year, last_year)
    groups: dict[tuple[timedelta, timedelta, str, bool], list[datetime]] = {}
    for change in changes:
        key = (change.before, change.after, change.name, change.summer)
        groups.setdefault(key, []).append(change.onset)
    for (before, after, label, summer), onsets in groups.items():
        part = icalendar.TimezoneDaylight() if summer else icalendar.TimezoneStandard()
        part.add("dtstart", onsets[0])
        if onsets[1:]:
            part.add("rdate", onsets[1:])
        part.add("tzname", label)
        part.add("tzoffsetfrom", before)
        part.add("tzoffsetto", after)
        zone.add_component(part)
    return zone


class _Change(NamedTuple):
    instant: datetime  # UTC
    onset: datetime  # local wall clock before the change, as VTIMEZONE wants it
    before: timedelta
    after: timedelta
    name: str
    summer: bool


def _changes(tz: ZoneInfo, first_year: int, last_year: int) -> list[_Change]:
    """Each change of offset in the years, after the change in force on 1 January of the first.

    A zone without changes (UTC, or no more summer time) gets one entry for its offset.
    """
    start = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    moment, day = start - timedelta(days=366), timedelta(days=1)
    offset = moment.astimezone(tz).utcoffset()
    found = []
    while moment < end:
        following = moment + day
        if following.astimezone(tz).utcoffset() != offset:
            found.append(_change(tz, moment, following))
            offset = found[-1].after
        moment = following
    kept = [c for c in found if c.instant < start][-1:] + [c for c in found if c.instant >= start]
    if kept:
        return kept
    local = start.astimezone(tz)
    offset = local.utcoffset() or timedelta(0)
    return [_Change(start, datetime(1970, 1, 1), offset, offset, local.tzname() or "", False)]


def _change(tz: ZoneInfo, low: datetime, high: datetime) -> _Change:
    """The change of offset between `low` and `high` (UTC), found to the second."""
    lo, hi = int(low.timestamp()), int(high.timestamp())
    before = low.astimezone(tz).utcoffset() or timedelta(0)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, UTC).astimezone(tz).utcoffset() == before:
            lo = mid
        else:
            hi = mid
    instant = datetime.fromtimestamp(hi, UTC)
    local = instant.astimezone(tz)
    onset = (instant + before).replace(tzinfo=None)
    after = local.utcoffset() or timedelta(0)
    return _Change(instant, onset, before, after, local.tzname() or "", bool(local.dst()))


ICAL_STATUS = {CANCELLED: "CANCELLED", POSTPONED: "TENTATIVE"}


def uid(config: Config, page: Page, book: AddressBook | None = None) -> str:
    """'veranstaltungen-fachtag@www.example.de': from the stable id, so it survives renames."""
    ident = stable_id(config, page, book)
    parts = urlsplit(ident)
    if not parts.netloc:  # an explicit URN or tag URI is unique as it stands
        return ident
    path = "-".join(part for part in parts.path.split("/") if part) or "start"
    return f"{path}@{parts.hostname}"


def vevent(config: Config, page: Page, t: Translations, stamp: _Stamp) -> icalendar.Event:
    """One event: all-day ones as dates with an exclusive end, timed ones with TZID."""
    import icalendar  # here: only a build that makes calendars pays for it

    info = page.event
    assert info is not None
    event = icalendar.Event()
    event.add("uid", stamp.uid)
    event.add("dtstamp", stamp.dtstamp.astimezone(UTC))
    if page.updated is not None:
        event.add("last-modified", page.updated.astimezone(UTC))
    event.add("summary", t.titled(page.title, info))
    if info.all_day:
        event.add("dtstart", info.start_date)
        event.add("dtend", info.end_date + timedelta(days=1))
    else:
        event.add("dtstart", info.start)
        if info.end is not None:
            event.add("dtend", info.end)
    location = info.location
    if location is not None:
        where = f"{t('online')}: {location.url}" if location.online else location.label
        event.add("location", where)
        if location.online and location.url:
            event.add("conference", location.url, parameters={"VALUE": "URI"})
    event.add("url", config.absolute(page.url), parameters={"VALUE": "URI"})
    event.add("description", description(config, page, t))
    if page.tags:
        event.add("categories", [t.word(tag.name) for tag in page.tags])
    # RFC 5545 has no word for "postponed": TENTATIVE says the date may not hold.
    event.add("status", ICAL_STATUS.get(info.status, "CONFIRMED"))
    event.add("class", "PUBLIC")
    return event


def description(config: Config, page: Page, t: Translations) -> str:
    """Plain text: the summary, the practical details, and the address of the event page."""
    info = page.event
    assert info is not None
    details = []
    location = info.location
    if location is not None and location.online and location.url:
        details.append(f"{t('online')}: {location.url}")
    if info.organizer:
        details.append(f"{t('organizer')}: {info.organizer}")
    if info.cost:
        details.append(f"{t('cost')}: {info.cost}")
    if info.registration_shown:
        details.append(f"{t('registration')}: {info.registration}")
    if info.registration_deadline:
        details.append(t("registration_deadline", date=t.date(info.registration_deadline)))
    paragraphs = [page.summary, "\n".join(details), config.absolute(page.url)]
    return "\n\n".join(part for part in paragraphs if part)
