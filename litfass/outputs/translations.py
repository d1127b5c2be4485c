"""UI strings from the theme's translation table, and dates in the site's language.

Templates never contain a UI string: they call `t("key")`, looked up in
templates/i18n/<language>.yaml, so a site in Arabic or Leichte Sprache is a change of
`language:` only (litfass/languages.py lists them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from babel.dates import format_date, format_time

from litfass.config import Config
from litfass.content.model import EventInfo
from litfass.errors import LitfassError, unreadable
from litfass.i18n import _
from litfass.languages import LANGUAGES
from litfass.yamldoc import load_mapping


@dataclass(frozen=True)
class Translations:
    """One language's table; missing keys are errors, never silent English."""

    language: str
    strings: dict[str, str]
    path: str
    # The site's own words (a category, a dateline) as the main language writes them -> as
    # this one does: the table's `words:`, empty for the main language, whose pages show
    # them as written.
    words: dict[str, str] = field(default_factory=dict)
    # Babel takes ~20 µs a date; a big site shows the same days on thousands of pages.
    # Not compared: two tables (incremental rebuilds) must not differ by this memo.
    _formatted: dict[tuple[object, str], str] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @property
    def locale(self) -> str:
        """Babel's locale for the table's language: German for Leichte Sprache."""
        return LANGUAGES[self.language].locale

    def __call__(self, key: str, **values: object) -> str:
        try:
            text = self.strings[key]
        except KeyError:
            message = _("no translation '{key}' in {path}").format(key=key, path=self.path)
            raise KeyError(message) from None
        return text.format(**values) if values else text

    def plural(self, key: str, count: int, **values: object) -> str:
        """`key_one` for exactly one, else `key`: "1 Meldung", "4 Meldungen"."""
        if count == 1 and f"{key}_one" in self.strings:
            key = f"{key}_one"
        return self(key, count=count, **values)

    def word(self, text: str) -> str:
        """A word of the site's own in this table's language ("Pressemitteilung" is "Press
        release" on an English page); one the table does not know, as written."""
        return self.words.get(text, text)

    def status(self, status: str) -> str:
        """An event's status as readers see it ("Abgesagt"); "" for an event as planned."""
        return self(f"status_{status.replace('-', '_')}") if status else ""

    def titled(self, page_title: str, event: EventInfo | None) -> str:
        """A title as feeds and calendars show it: a changed event says so first."""
        said = self.status(event.status) if event is not None else ""
        return f"{said}: {page_title}" if said else page_title

    def date(self, value: date | datetime, style: str = "date_long") -> str:
        day = value.date() if isinstance(value, datetime) else value
        key = (day, style)
        text = self._formatted.get(key)
        if text is None:
            text = format_date(day, self.strings[f"format_{style}"], locale=self.locale)
            self._formatted[key] = text
        return text

    def time(self, value: datetime) -> str:
        key = (value, "time")
        text = self._formatted.get(key)
        if text is None:
            text = format_time(value, self.strings["format_time"], locale=self.locale)
            self._formatted[key] = text
        return text

    def when(self, event: EventInfo) -> str:
        """'Montag, 11. November 2019, 9:00–16:00 Uhr', all-day and multi-day alike."""
        start_day = self.date(event.start, "date_weekday")
        suffix = self.strings["time_suffix"]
        if event.all_day:
            if not event.multi_day:
                return start_day
            return f"{start_day} – {self.date(event.end_date, 'date_weekday')}"
        between = self.strings["date_time_separator"]
        start = f"{start_day}{between}{self.time(event.start)}"
        if event.end is None:
            return start + suffix
        if not event.multi_day:
            return f"{start}–{self.time(event.end)}{suffix}"
        end_day = self.date(event.end, "date_weekday")
        return f"{start}{suffix} – {end_day}{between}{self.time(event.end)}{suffix}"


def load_translations(config: Config) -> Translations:
    """The table of the site's language: the default theme's, with the site's own keys
    (templates/i18n/<language>.yaml) over it, so a site translates only what it changes."""
    strings: dict[str, str] = {}
    words: dict[str, str] = {}
    shown = ""
    for theme in reversed(config.theme_paths):  # the default first, the site's keys last
        path = theme / "i18n" / f"{config.language}.yaml"
        if not path.is_file():
            continue
        shown = config.shown(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise LitfassError.at(shown, 0, unreadable(exc)) from None
        doc = load_mapping(text, shown)
        words.update(_words(doc.data.get("words") or {}, shown, doc.line("words")))
        strings.update((k, str(v)) for k, v in doc.data.items() if k != "words")
    if not shown:
        rel = f"{config.templates_dir}/i18n/{config.language}.yaml"
        message = _("translation table for '{language}' not found").format(language=config.language)
        raise LitfassError.at(rel, 0, message)
    if config.language == config.main_language.tag:
        words = {}  # the main language's pages show its words as written
    return Translations(config.language, strings, shown, words)


def _words(found: object, shown: str, line: int) -> dict[str, str]:
    """A table's `words:`, a mapping of word to word, whose lines a site's table may add to
    one by one."""
    if not isinstance(found, dict):
        raise LitfassError.at(shown, line, _("'words' must be 'word: translation' lines"))
    return {str(k): str(v) for k, v in found.items()}


def site_translations(config: Config) -> Translations:
    """The table of the site's language in its theme (for text made outside templates)."""
    return load_translations(config)
