"""The front-matter keys of each kind of item, as one table: what `pages.py` accepts and checks,
and what the browser editor (`preview/cmsconfig.py`) offers as form fields.

A key added here is known to the build at once and appears in the editor's form; how its value
is checked stays in `pages.py`, chosen by the `type`.
"""

from __future__ import annotations

from dataclasses import dataclass

from litfass.content.model import EVENT, MAGAZINE, NEWS, PAGE

KINDS = (NEWS, EVENT, MAGAZINE, PAGE)
ALL = frozenset(KINDS)
DATED = frozenset({NEWS, EVENT})


@dataclass(frozen=True)
class Field:
    """One front-matter key: its value type, the kinds that have it, and its words for editors."""

    name: str
    type: str  # text, long text, slug, date, datetime, bool, number, terms, term, category,
    #           image, file, links, contact, location, id, or choice (with `choices`)
    kinds: frozenset[str]
    label_de: str
    label_en: str
    hint_de: str = ""
    hint_en: str = ""
    required: frozenset[str] = frozenset()  # the kinds for which the key must be there
    choices: tuple[str, ...] = ()  # the values a `choice` may take


FIELDS: tuple[Field, ...] = (
    Field("title", "text", ALL, "Titel", "Title", required=ALL),
    Field("slug", "slug", ALL, "Adresse (Kurzname)", "Address (short name)",
          "Nur a-z, 0-9 und Bindestriche; leer: aus dem Titel.",
          "Only a-z, 0-9 and hyphens; empty: made from the title."),
    Field("date", "datetime", ALL, "Datum", "Date",
          "Erscheint ab diesem Zeitpunkt; ein späterer Zeitpunkt plant die Veröffentlichung.",
          "Appears from this moment on; a later moment schedules it.", required=frozenset({NEWS})),
    Field("updated", "datetime", DATED, "Aktualisiert", "Updated",
          "Nur bei einer wesentlichen Änderung.", "Only for a substantial change."),
    Field("start", "datetime", frozenset({EVENT}), "Beginn", "Start",
          "Tag und Uhrzeit des Beginns.", "Day and time it starts.", required=frozenset({EVENT})),
    Field("end", "datetime", frozenset({EVENT}), "Ende", "End",
          "Bei mehrtägigen Veranstaltungen der letzte Tag.", "The last day of a multi-day event."),
    Field("location", "location", frozenset({EVENT}), "Ort", "Location"),
    Field("registration", "text", frozenset({EVENT}), "Anmeldung", "Registration",
          "E-Mail-Adresse oder Link, der mit https:// beginnt.",
          "E-mail address or a link starting with https://."),
    Field("registration_deadline", "date", frozenset({EVENT}), "Anmeldeschluss",
          "Registration deadline"),
    Field("organizer", "text", frozenset({EVENT}), "Veranstalter", "Organizer"),
    Field("cost", "text", frozenset({EVENT}), "Kosten", "Cost", "Zum Beispiel: kostenfrei",
          "For example: free of charge"),
    Field("status", "choice", frozenset({EVENT}), "Status", "Status",
          "Leer, solange sie wie geplant stattfindet.", "Empty while it takes place as planned.",
          choices=("abgesagt", "verschoben", "ausgebucht")),
    Field("category", "category", frozenset({NEWS}), "Kategorie", "Category",
          "Nachricht oder Pressemitteilung.", "News or press release."),
    Field("dateline", "text", frozenset({NEWS}), "Ortsmarke", "Dateline",
          "Erscheint als „(Leipzig)“ vor dem Text.", "Appears as '(Leipzig)' before the text."),
    Field("issue", "text", frozenset({MAGAZINE}), "Heftnummer", "Issue", "Zum Beispiel 2026/1",
          "For example 2026/1"),
    Field("theme", "text", frozenset({MAGAZINE}), "Schwerpunkt", "Theme"),
    Field("summary", "long text", ALL, "Zusammenfassung", "Summary",
          "1–2 Sätze für Übersichten und Feeds; leer: der erste Absatz.",
          "1–2 sentences for lists and feeds; empty: the first paragraph."),
    Field("tags", "terms", ALL, "Themen", "Topics"),
    Field("region", "term", ALL, "Region", "Region"),
    Field("image", "image", ALL, "Bild", "Image",
          "Wird für Übersichten und Feeds verkleinert.", "Resized for lists and feeds."),
    Field("image_alt", "text", ALL, "Alternativtext", "Alt text",
          "Was auf dem Bild zu sehen ist, für Menschen, die es nicht sehen.",
          "What the image shows, for people who cannot see it."),
    Field("image_caption", "text", ALL, "Bildunterschrift", "Caption",
          "Mit Quelle, z. B. „Foto: Name“.", "With the source, e.g. 'Photo: name'."),
    Field("cover", "image", frozenset({MAGAZINE}), "Titelbild", "Cover"),
    Field("pdf", "file", frozenset({MAGAZINE}), "Heft als PDF", "Issue as PDF"),
    Field("contact", "contact", frozenset({NEWS}), "Pressekontakt", "Press contact"),
    Field("menu", "number", frozenset({PAGE}), "Platz im Hauptmenü", "Place in the main menu",
          "Leer: nicht im Menü.", "Empty: not in the menu."),
    Field("aliases", "links", ALL, "Frühere Adressen", "Former addresses",
          "Adressen, die hierher weiterleiten, z. B. /alte/adresse/",
          "Addresses that redirect here, e.g. /old/address/"),
    Field("id", "id", DATED, "Dauerhafte Kennung", "Stable id",
          "Nur nach einer Adressänderung: die erste Adresse des Beitrags.",
          "Only after a change of address: the item's first address."),
    Field("draft", "bool", ALL, "Entwurf", "Draft",
          "Entwürfe erscheinen nur in der Vorschau, nicht auf der Website.",
          "Drafts appear in the preview only, never on the site."),
)  # fmt: skip


def keys_of(kind: str, fields: tuple[Field, ...] = FIELDS) -> frozenset[str]:
    """The front-matter keys an item of `kind` may have."""
    return frozenset(field.name for field in fields if kind in field.kinds)


def fields_of(kind: str, fields: tuple[Field, ...] = FIELDS) -> tuple[Field, ...]:
    """The fields of `kind`, in the table's order (the order of the editor's form)."""
    return tuple(field for field in fields if kind in field.kinds)
