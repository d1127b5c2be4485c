"""The data model: frozen dataclasses for what content becomes.

A `Page` is one item of content (news, event, magazine issue or static page).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

NEWS, EVENT, MAGAZINE, PAGE = "news", "event", "magazine", "page"
# What can become of an event after it was announced (its `status:`); "" is as planned.
CANCELLED, POSTPONED, BOOKED_OUT = "cancelled", "postponed", "booked-out"
KINDS = (NEWS, EVENT, MAGAZINE, PAGE)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class BuildOptions:
    """What a single build run is asked to do; `now` is the one clock of the build.

    Here rather than in site.py so that the command line can read it cheaply.
    """

    now: datetime
    drafts: bool = False
    future: bool = False


@dataclass(frozen=True)
class Contact:
    """A press contact."""

    name: str
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class Location:
    """Where an event takes place: a venue, or online with a URL."""

    name: str = ""
    address: str = ""
    online: bool = False
    url: str = ""

    @property
    def label(self) -> str:
        return ", ".join(part for part in (self.name, self.address) if part)


@dataclass(frozen=True)
class EventInfo:
    """What only events have. Times are aware; all-day events start at local midnight.

    `end` is inclusive: for an all-day event it is the midnight of its last day.
    """

    start: datetime
    end: datetime | None
    all_day: bool
    location: Location | None
    registration: str = ""
    registration_deadline: date | None = None
    organizer: str = ""
    cost: str = ""
    status: str = ""  # "", CANCELLED, POSTPONED or BOOKED_OUT

    @property
    def start_date(self) -> date:
        return self.start.date()

    @property
    def end_date(self) -> date:
        return (self.end or self.start).date()

    @property
    def multi_day(self) -> bool:
        return self.end_date != self.start_date

    @property
    def registration_is_email(self) -> bool:
        return "@" in self.registration and "://" not in self.registration

    @property
    def registration_shown(self) -> bool:
        """Whether readers can still register: not for a cancelled or booked-out event."""
        return bool(self.registration) and self.status not in (CANCELLED, BOOKED_OUT)


@dataclass(frozen=True)
class Term:
    """A topic or region: its display name and its slug."""

    name: str
    slug: str


@dataclass(frozen=True)
class Page:
    """One item of content, after its front matter is validated and its body rendered."""

    kind: str
    source: str  # path relative to the project, as shown in messages
    title: str
    slug: str
    url: str
    date: datetime | None
    summary: str
    # The body's HTML, packed (`pack`): thousands of pages stay in memory over a build and
    # between rebuilds. Read it as `body_html`.
    packed_html: bytes = b""
    # The summary is the body's first paragraph (none given): pages show it once, in the body.
    summary_from_body: bool = False
    tags: tuple[Term, ...] = ()
    region: Term | None = None
    category: str = ""
    dateline: str = ""
    contact: Contact | None = None
    image: str = ""
    image_alt: str = ""
    image_caption: str = ""
    aliases: tuple[str, ...] = ()
    draft: bool = False
    menu: int | None = None
    event: EventInfo | None = None
    issue: str = ""
    theme: str = ""
    cover: str = ""
    pdf: str = ""
    pdf_info: str = ""  # its type and size, "PDF, 2,4 MB", when it is among the content files
    assets: tuple[str, ...] = ()  # files beside an index.md, relative to content/
    # Content files (not pages) the body and front matter show or link to, relative to
    # content/: an unpublished item's files stay unpublished unless a published item uses them.
    files: tuple[str, ...] = ()
    id: str = ""  # explicit stable id for feeds and calendars (a first address), else empty
    updated: datetime | None = None  # when an item was last edited, if the editor says so
    # A translation's language (`name.en.md`: "en"), "" for the main language's items, and
    # the file of its original (`news/name.md`, relative to content/), which it may lack.
    language: str = ""
    original: str = ""
    # A translation of an event that takes its times from its original: what it says of the
    # event in its own words (organizer, cost), for the original's event it takes.
    event_words: tuple[tuple[str, str], ...] = ()
    extra: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    # File line of each front-matter key, so later checks (clashing addresses) can point there.
    lines: dict[str, int] = field(default_factory=dict, hash=False, compare=False)

    @property
    def body_html(self) -> str:
        """The body's HTML, links resolved."""
        return unpack(self.packed_html)

    @property
    def sort_date(self) -> datetime:
        """The date lists sort by: the start of an event, else the publication date."""
        if self.event is not None:
            return self.event.start
        return self.date or EPOCH

    @property
    def published(self) -> datetime:
        """When the item was announced: its date, else (events) its start."""
        if self.date is None and self.event is not None:
            return self.event.start
        return self.date or EPOCH

    @property
    def modified(self) -> datetime:
        """When the item last changed: `updated` if given, else its publication."""
        return max(self.updated, self.published) if self.updated else self.published


def differences(base: Page, other: Page) -> dict[str, Any]:
    """The fields of `other` that are not the very objects of `base`'s (a page and the same
    page with its body): with `base`, all it takes to make `other` again."""
    return {
        name: getattr(other, name)
        for name in base.__dataclass_fields__
        if getattr(other, name) is not getattr(base, name)
    }


def pack(body_html: str) -> bytes:
    """A rendered body as kept between rebuilds: compressed, about a sixth of the text's
    size in memory (German text is two bytes a character there), and no UTF-8 copy of it
    lingers when it is pickled into the store."""
    return zlib.compress(body_html.encode("utf-8", "surrogatepass"), 1)


def unpack(packed: bytes) -> str:
    """The rendered body `pack` kept."""
    return zlib.decompress(packed).decode("utf-8", "surrogatepass") if packed else ""
