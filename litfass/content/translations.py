"""A translation's page completed from its original: what a translator leaves out is taken
from the item it translates, and its address is the original's in its language's folder.

A translation is a file beside its original, named with its language (`name.en.md`,
`index.uk.md`); see docs/redaktion.md. It is never published before its original is.
"""

from __future__ import annotations

import dataclasses

from litfass.config import Config
from litfass.content.model import EVENT, NEWS, EventInfo, Page
from litfass.errors import Problem
from litfass.i18n import _

# What a translation may leave out and takes from its original: facts, not words. A
# translator writes the title, summary, text and image_alt; when, where, which topics and
# which picture are the original's unless the translation says otherwise.
TAKEN = (
    "date", "tags", "region", "category", "contact", "dateline", "image", "image_caption",
    "issue", "theme", "cover", "pdf", "menu",
)  # fmt: skip


def completed(config: Config, translation: Page, original: Page | None) -> Page:
    """The translation as the site publishes it (`original`: its original's page as read,
    None where there is none: then the item is its language's alone)."""
    language = config.site_language(translation.language)
    given = translation.lines
    if original is None:
        return dataclasses.replace(translation, url=language.url(translation.url))
    taken = {name: getattr(original, name) for name in TAKEN if name not in given}
    if translation.event is None and original.event is not None:
        taken["event"] = _event_in_words(original.event, dict(translation.event_words))
    if "image" in taken and "image_alt" not in given:
        taken["image_alt"] = original.image_alt  # a description, if not in this language
    url = translation.url if "slug" in given else original.url
    page = dataclasses.replace(translation, **taken, url=language.url(url))
    return _withheld_with(page, original)


def _event_in_words(event: EventInfo, words: dict[str, str]) -> EventInfo:
    """The original's event, its organizer and cost as the translation says them."""
    organizer, cost = words.get("organizer", event.organizer), words.get("cost", event.cost)
    return dataclasses.replace(event, organizer=organizer, cost=cost)


def _withheld_with(page: Page, original: Page) -> Page:
    """Never out before the original: a draft original makes its translations drafts, and a
    scheduled one holds them back until its date."""
    date = page.date
    if original.date is not None and (date is None or date < original.date):
        date = original.date
    return dataclasses.replace(page, draft=page.draft or original.draft, date=date)


def alone_problems(page: Page) -> list[Problem]:
    """What a translation without an original lacks that it cannot take from one: an item
    in one language only needs what any item needs (its date, an event's start)."""
    if page.kind == NEWS and page.date is None:
        message = _("'{key}' is missing; add e.g. '{key}: 2019-11-04'").format(key="date")
        return [Problem(page.source, 0, message)]
    if page.kind == EVENT and page.event is None:
        return [
            Problem(page.source, 0, _("'start' is missing; add e.g. 'start: 2019-11-11 09:00'"))
        ]
    return []
