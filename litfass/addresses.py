"""The address record: every address the site has published, kept in `addresses.yaml`.

A renamed or moved item keeps its identity (feeds, calendars) and its old address as a
redirect; a deleted item's address answers 410 Gone; an undated item is dated by the day it
first appeared. Only `litfass build` writes the record, and only public items reach it.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path, PurePosixPath

from litfass.atomic import write_whole
from litfass.content.model import Page
from litfass.errors import LitfassError, Problem
from litfass.folders import RECORD_NAME
from litfass.i18n import _
from litfass.values import is_site_path
from litfass.yamldoc import load_mapping

HEADER = """\
# Every address this site has published, kept by `litfass build`: commit it with content/.
# A renamed item's old address redirects to the new one; a deleted item's answers 410 Gone.
# id (the item's first address): file in content/, title, first day seen, every address
# (the current one last), and the day it was deleted.
"""


@dataclass(frozen=True)
class Entry:
    """One item as the record knows it."""

    id: str  # the item's first address: its identity for feed readers and calendars
    urls: tuple[str, ...]  # every address it has had, the current one last
    since: date  # the day it first appeared
    file: str = ""  # below content/
    title: str = ""  # recognises a file renamed in the same save
    gone: date | None = None  # the day its file was deleted or unpublished


@dataclass(frozen=True)
class AddressBook:
    """What the site makes of the record: identities, first days, redirects and 410s."""

    ids: Mapping[str, str] = field(default_factory=dict, hash=False)  # source -> first address
    since: Mapping[str, date] = field(default_factory=dict, hash=False)  # source -> first day
    moved: tuple[tuple[str, str], ...] = ()  # (old address, current address), sorted
    gone: tuple[str, ...] = ()  # addresses of deleted items, sorted


@dataclass(frozen=True, order=True)
class Change:
    """An item whose address changed (`new` set) or that was deleted (`new` empty)."""

    file: str  # as shown in messages: content/news/...
    old: str
    new: str = ""


@dataclass(frozen=True)
class Update:
    """The record after a build, and the items whose address changed or went."""

    entries: tuple[Entry, ...]
    moved: tuple[Change, ...]
    gone: tuple[Change, ...]
    book: AddressBook

    @property
    def notes(self) -> tuple[str, ...]:
        """What the build did, one line per item."""
        moved = _("{file}: address changed from {old} to {new}; the old address redirects")
        gone = _("{file} is gone: {url} answers 410 Gone from now on")
        return (
            *(moved.format(file=c.file, old=c.old, new=c.new) for c in self.moved),
            *(gone.format(file=c.file, url=c.old) for c in self.gone),
        )


# -- the file ---------------------------------------------------------------------------


def read_record(root: Path) -> tuple[Entry, ...]:
    """The record beside config.yaml; none yet is an empty record."""
    path = root / RECORD_NAME
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ()
    except (OSError, UnicodeDecodeError) as exc:
        message = _("cannot read the file: {error}").format(error=exc)
        raise LitfassError.at(RECORD_NAME, 1, message) from exc
    plain = _as_written(text)
    if plain is not None:
        return plain
    mapping = load_mapping(text, RECORD_NAME)  # edited by hand or merged: read with lines
    entries, problems = [], []
    for key, value in mapping.data.items():
        try:
            entries.append(_entry(key, value))
        except (ValueError, TypeError, KeyError):
            message = _("not an address entry: '{id}: {{file, since, urls}}' expected")
            problems.append(Problem(RECORD_NAME, mapping.line(key), message.format(id=key)))
    if problems:
        raise LitfassError(problems)
    return tuple(sorted(entries, key=lambda e: e.id))


# One line of the record as `record_text` writes it; each text a JSON string, as `_quoted`
# writes it (which YAML reads the same).
_TEXT = r'"(?:[^"\\\x00-\x1f]|\\.)*"'
_DAY = r"\d{4}-\d{2}-\d{2}"
_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")  # a pair JSON joins into one character, YAML not


@functools.cache
def _line() -> re.Pattern[str]:
    """The form of one line as `record_text` writes it (compiled when a record is read:
    a build that takes up the last one never reads it)."""
    return re.compile(
        rf"(?P<id>{_TEXT}): {{(?:file: (?P<file>{_TEXT}), )?(?:title: (?P<title>{_TEXT}), )?"
        rf"since: (?P<since>{_DAY}), urls: \[(?P<urls>{_TEXT}(?:, {_TEXT})*)?\]"
        rf"(?:, gone: (?P<gone>{_DAY}))?}}"
    )


def _as_written(text: str) -> tuple[Entry, ...] | None:
    """The record read line by line, if every line is as `record_text` writes it, else
    None (and the YAML parser reads it, with the line of each problem). The record of a
    large site is thousands of lines; a YAML parse holds a node for every value at once."""
    if _UNPRINTABLE.search(text.replace("\n", "")) or _SURROGATE.search(text):
        return None  # what YAML refuses, or reads otherwise than JSON
    lines = text.removesuffix("\n").split("\n")
    start = next((at for at, line in enumerate(lines) if not line.startswith("#")), len(lines))
    entries: dict[str, Entry] = {}
    try:
        for line in lines[start:]:
            match = _line().fullmatch(line)
            if match is None:
                return None
            key = json.loads(match["id"])
            if key in entries:
                return None  # the parser names both lines
            found = {name: match[name] for name in ("since", "gone") if match[name]}
            found |= {name: json.loads(match[name]) for name in ("file", "title") if match[name]}
            found["urls"] = json.loads(f"[{match['urls'] or ''}]")
            entries[key] = _entry(key, found)
    except ValueError:  # not JSON after all, an impossible day, an address outside the site
        return None
    return tuple(sorted(entries.values(), key=lambda e: e.id))


def _entry(key: str, value: object) -> Entry:
    if not isinstance(value, dict) or not isinstance(value.get("urls"), list):
        raise ValueError(key)
    urls = tuple(str(url) for url in value["urls"])
    if not all(map(is_site_path, urls)):  # they become files in output/: never outside it
        raise ValueError(key)
    gone = value.get("gone")
    return Entry(
        id=key,
        urls=urls or (key,),
        since=date.fromisoformat(str(value["since"])),
        file=str(value.get("file") or ""),
        title=str(value.get("title") or ""),
        gone=date.fromisoformat(str(gone)) if gone else None,
    )


# What YAML may hold unescaped (its "printable" set) without the line breaks it folds.
_UNPRINTABLE = re.compile(
    "[^\x09\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)


def _quoted(text: str) -> str:
    """A YAML double-quoted string that reads back as `text`, umlauts kept readable."""
    quoted = json.dumps(text, ensure_ascii=False)
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m[0]):04x}", quoted)


def record_text(entries: Iterable[Entry]) -> str:
    """The record as committed: sorted, one line per item, so merges touch single lines."""
    lines = [HEADER]
    for entry in sorted(entries, key=lambda e: e.id):
        parts = []
        if entry.file:
            parts.append(f"file: {_quoted(entry.file)}")
        if entry.title:
            parts.append(f"title: {_quoted(entry.title)}")
        parts.append(f"since: {entry.since.isoformat()}")
        parts.append("urls: [" + ", ".join(_quoted(u) for u in entry.urls) + "]")
        if entry.gone:
            parts.append(f"gone: {entry.gone.isoformat()}")
        lines.append(f"{_quoted(entry.id)}: {{{', '.join(parts)}}}\n")
    return "".join(lines)


def write_record(root: Path, entries: tuple[Entry, ...]) -> bool:
    """Write the record if it differs from the file; whether it did."""
    path = root / RECORD_NAME
    text = record_text(entries)
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except (OSError, UnicodeDecodeError):
        pass
    try:  # the site's only memory of what it published: flushed (durable), as content/ is
        write_whole(path, text.encode("utf-8"), durable=True)
    except OSError as exc:
        reason = (exc.strerror or str(exc)).lower()
        message = _("cannot write the address record ({reason}); it was left as it was")
        raise LitfassError.at(RECORD_NAME, 0, message.format(reason=reason)) from None
    return True


# -- the record brought up to date ------------------------------------------------------


def update(
    entries: tuple[Entry, ...],
    pages: Iterable[Page],
    content_dir: str,
    now: datetime,
    lists: frozenset[str] = frozenset(),
) -> Update:
    """The record with `pages` (the public items) in it, and what that means for the site.

    `lists`: the addresses of the site's lists and homes, which a deleted item's address
    may become; those are served, never answered as gone or moved.

    Each page finds its entry by its file, else by an address it had (a restored file), else
    as a file renamed in the same save (same title, else same file name); what is left of
    the entries whose file is gone were deleted. Deterministic: the same record and the same
    pages give the same result, and updating an updated record changes nothing.
    """
    today = now.date()
    by_file = {e.file: e for e in entries if e.file}
    pages = sorted(pages, key=lambda p: p.source)
    matched: dict[str, Entry] = {}  # source -> entry
    rest: list[Page] = []
    for page in pages:
        entry = by_file.get(_file(page, content_dir))
        if entry is not None:
            matched[page.source] = entry
        else:
            rest.append(page)
    claimed = {m.id for m in matched.values()}
    free = [e for e in entries if e.id not in claimed]
    for rule in (_same_address, _same_title, _same_name):
        still = []
        for page in rest:
            entry = rule(page, free, content_dir)
            if entry is None:
                still.append(page)
            else:
                matched[page.source] = entry
                free.remove(entry)
        rest = still
    taken = {e.id for e in entries}
    for page in rest:
        matched[page.source] = _new_entry(page, content_dir, today, taken)
        taken.add(matched[page.source].id)
    kept = [_moved_to(matched[p.source], p, content_dir) for p in pages]
    deleted = [e if e.gone else dataclasses.replace(e, gone=today) for e in free]
    moved, gone = _changes(entries, kept, deleted, content_dir, lists)
    final = tuple(sorted((*kept, *deleted), key=lambda e: e.id))
    return Update(final, moved, gone, _book(kept, deleted, pages, content_dir, lists))


def _file(page: Page, content_dir: str) -> str:
    return page.source.removeprefix(content_dir + "/")


def _same_address(page: Page, free: list[Entry], content_dir: str) -> Entry | None:
    """A deleted file brought back, or a new file at an address an item had."""
    return next((e for e in free if page.url in e.urls), None)


def _same_title(page: Page, free: list[Entry], content_dir: str) -> Entry | None:
    alike = [e for e in free if not e.gone and e.title == page.title]
    return alike[0] if len(alike) == 1 else None


def _same_name(page: Page, free: list[Entry], content_dir: str) -> Entry | None:
    """A file moved to another folder under its own name."""
    name = _name(_file(page, content_dir))
    alike = [e for e in free if not e.gone and _name(e.file) == name]
    return alike[0] if len(alike) == 1 else None


def _name(file: str) -> str:
    path = PurePosixPath(file)
    return path.parent.name if path.stem == "index" else path.stem


def _new_entry(page: Page, content_dir: str, today: date, taken: set[str]) -> Entry:
    # A dated item appeared on its date at the latest: a first build of an old site keeps it.
    since = min(today, page.date.date()) if page.date else today
    ident = page.url if page.url not in taken else f"{page.url}#{since.isoformat()}"
    return Entry(ident, (page.url,), since, _file(page, content_dir), page.title)


def _moved_to(entry: Entry, page: Page, content_dir: str) -> Entry:
    urls = (*(u for u in entry.urls if u != page.url), page.url)
    return dataclasses.replace(
        entry, urls=urls, file=_file(page, content_dir), title=page.title, gone=None
    )


def _changes(
    before: tuple[Entry, ...],
    kept: list[Entry],
    deleted: list[Entry],
    content_dir: str,
    lists: frozenset[str],
) -> tuple[tuple[Change, ...], tuple[Change, ...]]:
    """The items whose address changed, and those deleted, in this update."""
    old = {e.id: e for e in before}
    moved, gone = [], []
    for entry in kept:
        was = old.get(entry.id)
        if was is not None and was.urls[-1] != entry.urls[-1]:
            moved.append(Change(f"{content_dir}/{entry.file}", was.urls[-1], entry.urls[-1]))
    for entry in deleted:
        was = old.get(entry.id)
        if was is not None and was.gone is None and entry.urls[-1] not in lists:
            gone.append(Change(f"{content_dir}/{entry.file}", entry.urls[-1]))
    return tuple(sorted(moved)), tuple(sorted(gone))


def _book(
    kept: list[Entry],
    deleted: list[Entry],
    pages: list[Page],
    content_dir: str,
    lists: frozenset[str],
) -> AddressBook:
    current = {p.url for p in pages} | {a for p in pages for a in p.aliases} | lists
    moved = {
        (old, entry.urls[-1]) for entry in kept for old in entry.urls[:-1] if old not in current
    }
    redirected = {old for old, _new in moved}
    gone = {u for e in deleted for u in e.urls if u not in current and u not in redirected}
    by_file = {e.file: e for e in kept}
    ids, since = {}, {}
    for page in pages:
        entry = by_file[_file(page, content_dir)]
        ids[page.source], since[page.source] = entry.id, entry.since
    return AddressBook(ids, since, tuple(sorted(moved)), tuple(sorted(gone)))


def first_day(book: AddressBook, page: Page) -> date | None:
    """The day an item first appeared, if the record knows it."""
    return book.since.get(page.source)
