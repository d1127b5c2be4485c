"""Turn each content file's front matter into a validated `Page`.

Bodies are rendered later (see markup.py); here only front matter is checked.
"""

from __future__ import annotations

import difflib
import re
from datetime import datetime
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote

from litfass.config import Config, TermInfo
from litfass.content import foreign
from litfass.content.files import shown
from litfass.content.frontmatter import FENCES, Source, read_bytes, read_source
from litfass.content.kinds import is_bundle_index
from litfass.content.model import (
    BOOKED_OUT,
    CANCELLED,
    EVENT,
    MAGAZINE,
    NEWS,
    PAGE,
    POSTPONED,
    Contact,
    EventInfo,
    Location,
    Page,
    Term,
)
from litfass.content.schema import FIELDS, KINDS, keys_of
from litfass.dates import parse_day, parse_when
from litfass.errors import LitfassError, Problem
from litfass.i18n import _
from litfass.languages import split_translation
from litfass.slugs import is_slug, slugify
from litfass.values import (
    as_bool,
    as_int,
    is_email,
    is_safe_link,
    is_site_path,
    is_web_url,
    mapping_problems,
    one_line,
)

FOLDERS = {"news": NEWS, "events": EVENT, "magazine": MAGAZINE, "pages": PAGE}
KEYS = {kind: set(keys_of(kind)) for kind in KINDS}  # the table in schema.py
REQUIRED = {field.name: field.required for field in FIELDS}
# What German-speaking editors are likely to type for a key.
GERMAN_KEYS = {
    "titel": "title", "datum": "date", "zusammenfassung": "summary", "themen": "tags",
    "thema": "tags", "tag": "tags", "schlagworte": "tags", "kategorie": "category",
    "ort": "location", "beginn": "start", "ende": "end", "anmeldung": "registration",
    "kosten": "cost", "veranstalter": "organizer", "bild": "image", "entwurf": "draft",
    "adresse": "slug", "pfad": "slug", "url": "slug", "kennung": "id",
    "weiterleitungen": "aliases", "weiterleitung": "aliases", "alias": "aliases",
    "aktualisiert": "updated", "anfang": "start", "versteckt": "draft",
}  # fmt: skip
# Keys of other site generators an editor may bring along, matched exactly: `published: false`
# (Jekyll) means a draft, but a fuzzy match would also catch an innocent `publisher:`.
OTHER_TOOLS_KEYS = {
    "published": "draft", "hidden": "draft", "permalink": "slug", "redirect_from": "aliases",
    "publishdate": "date", "pubdate": "date", "lastmod": "updated", "guid": "id", "uid": "id",
}  # fmt: skip
# Keys that decide whether, when and where an item is published. A misspelt one is ignored,
# so `entwurf: true` would publish a confidential draft: its likely misspellings are errors.
DECISIVE = {"draft", "date", "updated", "slug", "id", "aliases", "start", "end"}
# An event's `status:` in the editor's words, German or English.
STATUSES = {
    "abgesagt": CANCELLED, "cancelled": CANCELLED, "canceled": CANCELLED,
    "verschoben": POSTPONED, "postponed": POSTPONED,
    "ausgebucht": BOOKED_OUT, "booked-out": BOOKED_OUT, "booked out": BOOKED_OUT,
    "full": BOOKED_OUT, "sold out": BOOKED_OUT, "sold-out": BOOKED_OUT,
    "geplant": "", "scheduled": "",
}  # fmt: skip
DATE_PREFIX_LEN = len("2019-11-04-")
REDIRECT_FROM = "redirect_from"  # Jekyll's plugin's name for `aliases`, accepted as it
_QUERY = re.compile(r"[\w.~+-]+=[\w.~+-]*(?:&[\w.~+-]+=[\w.~+-]*)*", re.ASCII)
_URI = re.compile(r"(?:https?://[^\s/]+|urn:[a-z0-9-]+:|tag:)\S+", re.I)


def is_alias(alias: str) -> bool:
    """An old address: a site path, or a path with a plain query such as WordPress's '/?p=12'."""
    path, question, query = alias.partition("?")
    return is_site_path(path) and (not question or bool(_QUERY.fullmatch(query)))


def read_page(config: Config, path: Path, content_rel: str) -> tuple[Source, Page, list[Problem]]:
    """Read one Markdown file into its source and a Page without body; raise on errors."""
    rel = shown(config, content_rel)
    kind = FOLDERS.get(content_rel.split("/", 1)[0])
    if kind is None or "/" not in content_rel:
        folders = ", ".join(f"{name}/" for name in FOLDERS)
        raise LitfassError.at(
            rel, 0, _("Markdown files belong in one of {folders}").format(folders=folders)
        )
    source = read_source(path, rel, content_rel)
    fields = _Fields(config, source, kind)
    page = fields.page()
    if fields.errors:
        raise LitfassError(fields.errors + fields.warnings)
    return source, page, fields.warnings + template_tag_warnings(source)


def template_tag_warnings(source: Source) -> list[Problem]:
    """A warning for each line of the body with a template tag another generator would run."""
    return [
        Problem(source.rel, source.body_line + line, message, "warning")
        for line, _tag, message in foreign.template_tags(source.body)
    ]


def remote_image_message(what: str, host: str) -> str:
    """Why an image on another host is refused, and the two ways out."""
    return _(
        "{what} on another host ({host}): every reader's browser would ask that host for it; "
        "put the file beside this item, or add the host to 'remote_images' in config.yaml"
    ).format(what=what, host=host)


def original_file(path: str, tags: tuple[str, ...]) -> tuple[str, str | None]:
    """The file a translation translates (`news/x.en.md` -> `news/x.md`), and its language."""
    folder, slash, name = path.rpartition("/")
    name, language = split_translation(name, tags)
    return folder + slash + name, language


class _Fields:
    """Validates the front matter of one source, collecting every problem."""

    def __init__(self, config: Config, source: Source, kind: str) -> None:
        self.config, self.source, self.kind = config, source, kind
        # A translation (`name.en.md`) is named as its original and may leave out what it
        # takes from it (content/translations.py): only its title is required.
        self.name, language = original_file(source.content_rel, config.translation_tags)
        self.original = original_file(source.rel, config.translation_tags)[0]
        self.language = language or ""
        self.data = source.meta.data
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []

    def error(self, key: str, message: str) -> None:
        self.errors.append(Problem(self.source.rel, self.source.meta.line(key), message))

    def page(self) -> Page:
        extra = self._unknown_keys()
        slug = self._slug()
        kind = self.kind
        original = not self.language
        date = self._date("date", required=original and kind in REQUIRED["date"])
        event = self._event() if kind == EVENT and (original or "start" in self.data) else None
        words = () if event is not None or kind != EVENT else self._event_words()
        self._check_days(date, event)
        return Page(
            kind=kind,
            source=self.source.rel,
            title=self.text("title", required=kind in REQUIRED["title"]),
            slug=slug,
            url=self._url(slug),
            date=date,
            summary=self.text("summary"),
            tags=self._terms("tags"),
            region=(self._terms("region", single=True) or (None,))[0],
            category=self.text("category")
            or (self.config.default_category if kind == NEWS and original else ""),
            dateline=self.text("dateline"),
            contact=self._contact(),
            image=self.image_link("image"),
            image_alt=self.text("image_alt"),
            image_caption=self.text("image_caption"),
            aliases=self._aliases(),
            draft=self._bool("draft"),
            menu=self._menu(),
            event=event,
            issue=self.text("issue"),
            theme=self.text("theme"),
            cover=self.image_link("cover"),
            pdf=self.link("pdf"),
            lines=dict(self.source.meta.lines),
            id=self._id(),
            updated=self._updated(date),
            extra=extra,
            language=self.language,
            original=self.original if self.language else "",
            event_words=words,
        )

    def _event_words(self) -> tuple[tuple[str, str], ...]:
        """A translation's own words for its original's event."""
        said = ((key, self.text(key)) for key in ("organizer", "cost"))
        return tuple((key, text) for key, text in said if text)

    def _unknown_keys(self) -> dict[str, Any]:
        known = KEYS[self.kind]
        extra = {}
        for key, value in self.data.items():
            if key in known or (key == REDIRECT_FROM and "aliases" in known):
                continue
            meant = likely_key(key, known)
            line = self.source.meta.line(key)
            if meant in DECISIVE:
                message = _(
                    "unknown key '{key}'; did you mean '{meant}'? Write '{meant}': "
                    "a misspelt '{meant}' would be ignored and the item published without it"
                )
                self.errors.append(
                    Problem(self.source.rel, line, message.format(key=key, meant=meant))
                )
            elif meant:
                message = _("unknown key '{key}'; did you mean '{meant}'?")
                self.warnings.append(
                    Problem(self.source.rel, line, message.format(key=key, meant=meant), "warning")
                )
            extra[key] = value
        return extra

    def text(self, key: str, required: bool = False) -> str:
        """A one-line text field; a number or date is kept exactly as written."""
        value = self.data.get(key)
        if value is not None and not isinstance(value, str):
            self.error(
                key, _("'{key}' must be text, not {kind}").format(key=key, kind=_kind(value))
            )
            return ""
        text = one_line(value or "")
        if not text and required:
            self.error(
                key,
                _("'{key}' is missing; add a line '{key}: ...' to the front matter").format(
                    key=key
                ),
            )
        return text

    def link(self, key: str) -> str:
        """A file beside the item or a web address; never javascript: or data:."""
        value = self.text(key)
        if value and not is_safe_link(value):
            self.error(
                key,
                _("'{key}' must be a file name or a web address starting with https://").format(
                    key=key
                ),
            )
            return ""
        return value

    def image_link(self, key: str) -> str:
        """A picture beside the item, or on a host config.yaml allows (`remote_images`)."""
        value = self.link(key)
        host = self.config.remote_image_host(value) if value else None
        if host is not None:
            self.error(key, remote_image_message(f"'{key}'", host))
            return ""
        return value

    def _bool(self, key: str) -> bool:
        value = as_bool(self.data.get(key) or False)
        if value is None:
            self.error(key, _("'{key}' must be true or false").format(key=key))
            return False
        return value

    def _slug(self) -> str:
        given = self.text("slug")
        if given:
            if not is_slug(given):
                self.error(
                    "slug",
                    _("slug '{given}' may only use a-z, 0-9 and '-'; for example '{slug}'").format(
                        given=given, slug=slugify(given)
                    ),
                )
            return slugify(given)
        name = PurePosixPath(self.name)
        stem = name.parent.name if is_bundle_index(name.as_posix()) else name.stem
        if stem[:4].isdigit() and stem[4:5] == "-" and len(stem) > DATE_PREFIX_LEN:
            stem = stem[DATE_PREFIX_LEN:]  # "2019-11-04-fachtag.md" -> "fachtag"
        return slugify(stem)

    def _url(self, slug: str) -> str:
        urls = self.config.urls
        pattern = {
            NEWS: urls.news,
            EVENT: urls.events,
            MAGAZINE: urls.magazine,
            PAGE: urls.pages,
        }
        return pattern[self.kind].replace("{slug}", slug)

    def _date(self, key: str, required: bool = False) -> datetime | None:
        if self.data.get(key) in (None, "") and key == "date" and self.kind != EVENT:
            named = self._name_date()
            if named is not None:
                return named
        if self.data.get(key) in (None, ""):
            if required:
                self.error(
                    key, _("'{key}' is missing; add e.g. '{key}: 2019-11-04'").format(key=key)
                )
            return None
        return self._when(key)[0]

    def warning(self, key: str, message: str) -> None:
        self.warnings.append(
            Problem(self.source.rel, self.source.meta.line(key), message, "warning")
        )

    def _check_days(self, date: datetime | None, event: EventInfo | None) -> None:
        """Warn of days that contradict each other: likely a typo, published all the same."""
        named = foreign.name_date(self.source.content_rel)
        key, day = ("start", event.start) if event else ("date", date)
        # A news item's name has the day it was written: a later `date:` schedules it (and
        # `check` notes that); an earlier one is a typo more likely than a backdated item.
        shown = day.date().isoformat() if day is not None and key in self.data else named
        if named and (shown != named if event else shown < named):
            message = _(
                "the file name says {named}, '{key}' says {day}: one of them is wrong; correct "
                "'{key}' or rename the file"
            )
            self.warning(key, message.format(named=named, key=key, day=shown))
        deadline = event.registration_deadline if event else None
        if event and deadline and deadline > event.start.date():
            message = _(
                "the registration deadline ({deadline}) is after the start ({start}): "
                "correct 'registration_deadline'"
            )
            self.warning(
                "registration_deadline",
                message.format(deadline=deadline.isoformat(), start=event.start.date().isoformat()),
            )

    def _name_date(self) -> datetime | None:
        """The day in the file name ("2016-03-10-x.md"), as Jekyll, Hugo and Eleventy take it
        for a post without a date (not for an event: its file name carries the event's day)."""
        day = foreign.name_date(self.source.content_rel)
        try:
            return parse_when(day, self.config.tz)[0] if day else None
        except ValueError:
            return None  # "2016-02-30-x.md": no day, so the missing date is reported

    def _id(self) -> str:
        """An explicit stable id: the item's first address, or a full URI."""
        if "id" not in KEYS[self.kind]:
            return ""
        value = self.text("id")
        if value and not (is_site_path(value) or _URI.fullmatch(value)):
            self.error(
                "id",
                _(
                    "'id' must be the item's first address, e.g. '/aktuelles/alter-titel/', or a full URI such as 'https://...' or 'urn:...', not '{value}'"
                ).format(value=value),
            )
            return ""
        return value

    def _updated(self, date: datetime | None) -> datetime | None:
        if "updated" not in KEYS[self.kind]:
            return None
        updated = self._date("updated")
        if updated is not None and date is not None and updated < date:
            self.error(
                "updated", _("'updated' is before 'date': an item cannot change before it appears")
            )
        return updated

    def _terms(self, key: str, single: bool = False) -> tuple[Term, ...]:
        value = self.data.get(key)
        if value is None or value == "":
            return ()
        if isinstance(value, str):
            value = [value]
        if single and (not isinstance(value, list) or len(value) != 1):
            self.error(key, _("'{key}' must be one name, e.g. '{key}: Leipzig'").format(key=key))
            return ()
        if not isinstance(value, list) or not all(
            isinstance(v, str) and one_line(v) for v in value
        ):
            self.error(
                key,
                _("'{key}' must be a list of names, e.g. '{key}: [Wohnen, Pflege]'").format(
                    key=key
                ),
            )
            return ()
        names = dict.fromkeys(self._known_term(key, one_line(v)) for v in value)  # no repeats
        return tuple(_term(name) for name in names)

    def _known_term(self, key: str, name: str) -> str:
        """The name as config.yaml spells it; an unknown one is kept, with a warning naming
        the closest, when the site keeps a fixed list."""
        terms = self.config.topics if key == "tags" else self.config.regions
        if not terms:
            return name
        known = _known_terms(terms)
        found = known.get(slugify(name))
        if found is not None:
            return found
        near = difflib.get_close_matches(
            name.casefold(), [n.casefold() for n in known.values()], n=1
        )
        closest = next((n for n in known.values() if near and n.casefold() == near[0]), "")
        list_name = "topics" if key == "tags" else "regions"
        if closest:
            message = _(
                "unknown {kind} '{name}'; did you mean '{closest}'? ({list} in config.yaml)"
            )
        else:
            message = _("unknown {kind} '{name}'; add it to '{list}' in config.yaml")
        kind = _("topic") if key == "tags" else _("region")
        said = message.format(kind=kind, name=name, closest=closest, list=list_name)
        self.warnings.append(Problem(self.source.rel, self.source.meta.line(key), said, "warning"))
        return name

    def _contact(self) -> Contact | None:
        value = self.data.get("contact")
        if value is None:
            return None
        if isinstance(value, str):
            return Contact(one_line(value))
        fields = ("name", "phone", "email")
        if isinstance(value, dict) and self._mapping_errors("contact", value, fields):
            return None
        if (
            not isinstance(value, dict)
            or not any(isinstance(value.get(k), str) and value[k].strip() for k in fields)
            or not all(isinstance(value.get(k) or "", str) for k in fields)
        ):
            self.error("contact", _("'contact' needs at least 'name' (and 'phone', 'email')"))
            return None
        name, phone, email = (one_line(value.get(k) or "") for k in fields)
        if email and not is_email(email):
            self.error(
                "contact",
                _("'contact.email' is not an e-mail address: '{email}'").format(email=email),
            )
        return Contact(name, phone, email if is_email(email) else "")

    def _mapping_errors(self, key: str, value: dict[str, Any], known: tuple[str, ...]) -> bool:
        """Report unknown keys and empty values in a nested mapping; True if there were any."""
        problems = mapping_problems(key, value, known)
        for inner, message in problems:
            self.error(f"{key}.{inner}", message)
        return bool(problems)

    def _aliases(self) -> tuple[str, ...]:
        aliases = self._aliases_of("aliases")
        return tuple(dict.fromkeys((*aliases, *self._aliases_of(REDIRECT_FROM))))

    def _aliases_of(self, key: str) -> list[str]:
        """The old addresses of `aliases`, or of Jekyll's `redirect_from` (the same list)."""
        value = self.data.get(key) or []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.error(
                key,
                _("'{key}' must be a list of old addresses starting with '/'").format(key=key),
            )
            return []
        aliases = []
        for written in value:
            alias = unquote(one_line(written))  # old CMS addresses come percent-encoded
            if not is_alias(alias):
                self.error(
                    key,
                    _(
                        "alias '{alias}' must be a path on this site starting with '/', without '..', '?' or '#'"
                    ).format(alias=one_line(written)),
                )
                continue
            aliases.append(alias)
        return aliases

    def _menu(self) -> int | None:
        value = self.data.get("menu")
        if value is None or value == "":
            return None
        number = as_int(value)
        if number is None:
            self.error("menu", _("'menu' must be a whole number: the position in the navigation"))
        return number

    def _event(self) -> EventInfo | None:
        if self.data.get("start") in (None, ""):
            self.error("start", _("'start' is missing; add e.g. 'start: 2019-11-11 09:00'"))
            return None
        start, timed = self._when("start")
        end, end_timed = (
            self._when("end") if self.data.get("end") not in (None, "") else (None, False)
        )
        if start is None:
            return None
        timed = timed or end_timed
        if end is not None and end < start:
            self.error(
                "end",
                _("the event ends before it starts: 'end' must not be before 'start'"),
            )
        deadline = None
        if self.data.get("registration_deadline"):
            try:
                deadline = parse_day(self.data["registration_deadline"], self.config.tz)
            except ValueError as exc:
                self.error("registration_deadline", f"'registration_deadline': {exc}")
        return EventInfo(
            start=start,
            end=end,
            all_day=not timed,
            location=self._location(),
            registration=self._registration(),
            registration_deadline=deadline,
            organizer=self.text("organizer"),
            cost=self.text("cost"),
            status=self._status(),
        )

    def _status(self) -> str:
        given = self.text("status")
        if not given:
            return ""
        status = STATUSES.get(given.strip().lower())
        if status is None:
            message = _(
                "'status' must be abgesagt, verschoben or ausgebucht "
                "(cancelled, postponed, booked-out), not '{value}'"
            )
            self.error("status", message.format(value=given))
            return ""
        return status

    def _when(self, key: str) -> tuple[datetime | None, bool]:
        try:
            return parse_when(self.data[key], self.config.tz)
        except ValueError as exc:
            self.error(key, f"'{key}': {exc}")
            return None, False

    def _registration(self) -> str:
        value = self.text("registration")
        if value and not (is_email(value) or is_web_url(value)):
            self.error(
                "registration",
                _(
                    "'registration' must be an e-mail address or a web address starting with https://"
                ),
            )
            return ""
        return value

    def _location(self) -> Location | None:
        value = self.data.get("location")
        if value is None or value == "":
            return None
        if isinstance(value, str):
            return Location(name=one_line(value))
        fields = ("name", "address", "url")
        if isinstance(value, dict) and self._mapping_errors("location", value, (*fields, "online")):
            return None
        if not isinstance(value, dict) or not all(
            isinstance(value.get(k) or "", str) for k in fields
        ):
            self.error("location", _("'location' must be a place, or 'name' and 'address'"))
            return None
        name, address, url = (one_line(value.get(k) or "") for k in fields)
        online = as_bool(value.get("online") or False)
        if online is None:
            self.error("location", _("'online' in 'location' must be true or false"))
            return None
        if online:
            if not is_web_url(url):
                self.error("location", _("an online event needs 'url: https://...' in 'location'"))
                url = ""
            return Location(name=name, online=True, url=url)
        if not name and not address:
            self.error("location", _("'location' needs 'name' and/or 'address'"))
        return Location(name=name, address=address)


_KEY_VALUE = re.compile(r"\s*([^\s:#][^:#]*?)\s*:\s*[\"']?([^\"'#]*?)[\"']?\s*(?:#.*)?")


def declares_draft(path: Path) -> bool:
    """Whether the front matter of a file that does not parse still says it is a draft.

    Read line by line, so that an unquoted colon in the title does not hide `draft: true`
    (or `draft: ja`): a broken draft is then left out of a build instead of stopping it.
    """
    try:
        text = read_bytes(path, "").decode("utf-8-sig", errors="replace")
    except LitfassError:
        return False
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not lines or lines[0].strip() != "---":
        return False
    for line in lines[1:]:
        if line.rstrip() in FENCES:
            break
        match = _KEY_VALUE.fullmatch(line)
        # Only `draft` as spelt: a misspelt one stays an error (see DECISIVE).
        if match and match[1] == "draft" and as_bool(match[2]):
            return True
    return False


# config.yaml's names of a list by their slugs, made once per Config rather than for every
# tag of every item. Keyed by the list's identity: hashing it would hash every TermInfo.
_KNOWN_TERMS: dict[int, tuple[tuple[TermInfo, ...], dict[str, str]]] = {}


def _known_terms(terms: tuple[TermInfo, ...]) -> dict[str, str]:
    kept = _KNOWN_TERMS.get(id(terms))
    if kept is None or kept[0] is not terms:
        if len(_KNOWN_TERMS) > 8:  # old configs of a long preview
            _KNOWN_TERMS.clear()
        kept = (terms, {slugify(t.name): t.name for t in terms})
        _KNOWN_TERMS[id(terms)] = kept
    return kept[1]


def likely_key(key: str, known: set[str]) -> str | None:
    """The known key an editor probably meant by `key` (German word or typo), if any."""
    word = key.lower()
    if word in known:  # `Draft:` or `DATE:`: YAML keys are case-sensitive, editors are not
        return word
    if OTHER_TOOLS_KEYS.get(word) in known:
        return OTHER_TOOLS_KEYS[word]
    german = difflib.get_close_matches(word, sorted(GERMAN_KEYS), n=1, cutoff=0.85)
    meant = GERMAN_KEYS.get(word) or (GERMAN_KEYS[german[0]] if german else None)
    if meant in known:
        return meant
    close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.75)
    return close[0] if close else None


def _kind(value: object) -> str:
    if isinstance(value, dict):
        return _("a mapping")
    return _("a list") if isinstance(value, list) else type(value).__name__


@lru_cache(maxsize=4096)
def _term(name: str) -> Term:
    """One Term for a name in this process: the pages a worker reads share it, so it goes to
    the parent once a chunk of pages, not once a page (116,000 copies at 40,000 items)."""
    return Term(name, slugify(name))
