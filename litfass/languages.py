"""The languages a site may be written in: each one's tag, name, Babel locale and direction.

One table for everything that reads the site's language: config.yaml's choices, `<html lang
dir>`, feeds, Open Graph, JSON-LD, dates and numbers (docs/theme.md, "Theme and languages").
"""

from __future__ import annotations

from dataclasses import dataclass

# Leichte Sprache has no registered subtag. A private-use tag keeps German as the primary
# language (screen readers pick a German voice, browsers hyphenate German, axe and the Nu
# checker read "de"), yet Pagefind indexes it apart from standard German: docs/theme.md.
EASY_GERMAN = "de-x-ls"


@dataclass(frozen=True)
class Language:
    """One language a site may be written in."""

    tag: str  # BCP 47: config.yaml's `language`, `lang`, feeds, JSON-LD; the theme's table's name
    name: str  # in itself, as a reader looks for it
    locale: str  # Babel's: dates, month names, numbers
    og_locale: str  # Open Graph's language_TERRITORY
    direction: str = "ltr"  # "rtl": the theme mirrors its layout

    @property
    def right_to_left(self) -> bool:
        return self.direction == "rtl"


LANGUAGES: dict[str, Language] = {
    language.tag: language
    for language in (
        Language("de", "Deutsch", "de", "de_DE"),
        Language(EASY_GERMAN, "Leichte Sprache", "de", "de_DE"),
        Language("en", "English", "en", "en_GB"),
        Language("uk", "Українська", "uk", "uk_UA"),
        Language("ar", "العربية", "ar", "ar_AR", "rtl"),
        Language("fa", "فارسی", "fa", "fa_IR", "rtl"),
        Language("tr", "Türkçe", "tr", "tr_TR"),
    )
}


def split_translation(name: str, tags: tuple[str, ...]) -> tuple[str, str | None]:
    """A content file's name without its language, and the language: `index.en.md` is
    ("index.md", "en") when the site is published in English; any other name is the main
    language's, as is (`bericht.md`, or `v1.2.md` where there is no language "2")."""
    stem, dot, suffix = name.rpartition(".")
    base, dot2, tag = stem.rpartition(".")
    if dot and dot2 and base and tag in tags:
        return f"{base}.{suffix}", tag
    return name, None


# What a translation (`index.en.md`) says in its own language: the words, the alt text and
# caption of the original's image, and its own `updated:` and `draft:`. Every other key (date,
# event times, location, registration, topics, regions, image, category, address) is the
# original's: one place to change it, so no copy goes stale. The browser editor shows these
# fields in each language's tab (`i18n: true`); `new --lang` copies them to be translated.
# What the build takes from the original where a translation leaves it out is
# `content/translations.py`'s TAKEN (a caption or dateline may be either).
TRANSLATED_KEYS = (
    "title",
    "summary",
    "dateline",
    "theme",
    "organizer",
    "cost",
    "image_alt",
    "image_caption",
    "updated",
    "draft",
)


def translation_name(name: str, tag: str) -> str:
    """The file name of a translation into `tag` beside the original `name`:
    `index.md` -> `index.en.md` (the reverse of `split_translation`)."""
    stem, dot, suffix = name.rpartition(".")
    return f"{stem}.{tag}.{suffix}" if dot else f"{name}.{tag}"
