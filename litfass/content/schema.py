"""The front-matter keys of each kind of item, as one table: what `pages.py` accepts and checks,
and what the browser editor (`preview/cmsconfig.py`) offers as form fields.

A key added here is known to the build at once and appears in the editor's form; how its value
is checked stays in `pages.py`, chosen by the `type`.
"""

from __future__ import annotations

from dataclasses import dataclass

from litfass.content.model import EVENT, MAGAZINE, NEWS, PAGE
from litfass.i18n import N_

KINDS = (NEWS, EVENT, MAGAZINE, PAGE)
ALL = frozenset(KINDS)
DATED = frozenset({NEWS, EVENT})


@dataclass(frozen=True)
class Field:
    """One front-matter key: its value type, the kinds that have it, and its words for editors
    (English source strings in the message catalog, like every message an editor reads)."""

    name: str
    type: str  # text, long text, slug, date, datetime, bool, number, terms, term, category,
    #           image, file, links, contact, location, id, or choice (with `choices`)
    kinds: frozenset[str]
    label: str  # English, marked with N_: the editor's form says it in the site's language
    hint: str = ""  # the same
    required: frozenset[str] = frozenset()  # the kinds for which the key must be there
    choices: tuple[str, ...] = ()  # the values a `choice` may take


FIELDS: tuple[Field, ...] = (
    Field("title", "text", ALL, N_("Title"), required=ALL),
    Field("slug", "slug", ALL, N_("Address (short name)"),
          N_("Only a-z, 0-9 and hyphens; empty: made from the title.")),
    Field("date", "datetime", ALL, N_("Date"),
          N_("Appears from this moment on; a later moment schedules it."),
          required=frozenset({NEWS})),
    Field("updated", "datetime", DATED, N_("Updated"), N_("Only for a substantial change.")),
    Field("start", "datetime", frozenset({EVENT}), N_("Start"),
          N_("Day and time it starts."),
          required=frozenset({EVENT})),
    Field("end", "datetime", frozenset({EVENT}), N_("End"),
          N_("The last day of a multi-day event.")),
    Field("location", "location", frozenset({EVENT}), N_("Location")),
    Field("registration", "text", frozenset({EVENT}), N_("Registration"),
          N_("E-mail address or a link starting with https://.")),
    Field("registration_deadline", "date", frozenset({EVENT}), N_("Registration deadline")),
    Field("organizer", "text", frozenset({EVENT}), N_("Organizer")),
    Field("cost", "text", frozenset({EVENT}), N_("Cost"), N_("For example: free of charge")),
    Field("status", "choice", frozenset({EVENT}), N_("Status"),
          N_("Empty while it takes place as planned."),
          choices=("abgesagt", "verschoben", "ausgebucht")),
    Field("category", "category", frozenset({NEWS}), N_("Category"), N_("News or press release.")),
    Field("dateline", "text", frozenset({NEWS}), N_("Dateline"),
          N_("Appears as '(Leipzig)' before the text.")),
    Field("issue", "text", frozenset({MAGAZINE}), N_("Issue number"), N_("For example 2026/1")),
    Field("theme", "text", frozenset({MAGAZINE}), N_("Theme")),
    Field("summary", "long text", ALL, N_("Summary"),
          N_("1–2 sentences for lists and feeds; empty: the first paragraph.")),
    Field("tags", "terms", ALL, N_("Topics")),
    Field("region", "term", ALL, N_("Region")),
    Field("image", "image", ALL, N_("Image"), N_("Resized for lists and feeds.")),
    Field("image_alt", "text", ALL, N_("Alt text"),
          N_("What the image shows, for people who cannot see it.")),
    Field("image_caption", "text", ALL, N_("Caption"), N_("With the source, e.g. 'Photo: name'.")),
    Field("cover", "image", frozenset({MAGAZINE}), N_("Cover")),
    Field("pdf", "file", frozenset({MAGAZINE}), N_("Issue as PDF")),
    Field("contact", "contact", frozenset({NEWS}), N_("Press contact")),
    Field("menu", "number", frozenset({PAGE}), N_("Place in the main menu"),
          N_("Empty: not in the menu.")),
    Field("aliases", "links", ALL, N_("Former addresses"),
          N_("Addresses that redirect here, e.g. /old/address/")),
    Field("id", "id", DATED, N_("Stable id"),
          N_("Only after a change of address: the item's first address.")),
    Field("draft", "bool", ALL, N_("Draft"),
          N_("Drafts appear in the preview only, never on the site.")),
)  # fmt: skip


def keys_of(kind: str, fields: tuple[Field, ...] = FIELDS) -> frozenset[str]:
    """The front-matter keys an item of `kind` may have."""
    return frozenset(field.name for field in fields if kind in field.kinds)


def fields_of(kind: str, fields: tuple[Field, ...] = FIELDS) -> tuple[Field, ...]:
    """The fields of `kind`, in the table's order (the order of the editor's form)."""
    return tuple(field for field in fields if kind in field.kinds)
