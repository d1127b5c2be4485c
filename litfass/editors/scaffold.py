"""Write a new content item: front matter with every useful key filled in or commented.

`new news "Fachtag in Görlitz"` -> content/news/2026-11-26-fachtag-in-goerlitz.md, a draft;
`new --lang en content/news/x.md` -> content/news/x.en.md, its translation to write.
"""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath

from litfass.atomic import write_whole
from litfass.config import Config
from litfass.content.frontmatter import Source, read_source
from litfass.content.model import EVENT, MAGAZINE, NEWS, PAGE
from litfass.content.pages import FOLDERS, read_page
from litfass.dates import parse_when
from litfass.errors import LitfassError, Problem
from litfass.i18n import _
from litfass.languages import TRANSLATED_KEYS, split_translation, translation_name
from litfass.slugs import file_name, is_slug, slugify

_COMMENT = re.compile(r"(.*?\S) {2,}# (.*)")  # "key: value  # explanation"
FOLDER_OF = {kind: folder for folder, kind in FOLDERS.items()}
BODY = """\
Der erste Absatz sagt das Wichtigste: wer, was, wann, wo und warum.

## Zwischenüberschrift

Weiterer Text.
"""


@dataclass(frozen=True)
class NewItem:
    """What the editor asked for on the command line."""

    kind: str  # news, event, magazine or page
    title: str
    now: datetime  # the one clock: today's date for news and magazine issues
    start: str = ""  # events only, as typed: 2027-03-12T10:00
    end: str = ""
    location: str = ""
    slug: str = ""
    folder: bool = False  # a folder with index.md, where images and documents go beside it
    image: Path | None = None  # copied into the folder as the item's image (implies folder)

    @property
    def bundled(self) -> bool:
        return self.folder or self.image is not None


def create(config: Config, item: NewItem) -> Path:
    """Write the new item's file and return its path; never overwrite anything."""
    title = " ".join(item.title.split())
    if not title:
        raise LitfassError(Problem("title", 0, _('the title is empty; e.g. "Fachtag in Görlitz"')))
    slug = _slug(item.slug, title)
    times = _event_times(config, item) if item.kind == EVENT else None
    day = (times.start if times else item.now).strftime("%Y-%m-%d")
    stem = f"{day}-{slug}" if item.kind in (NEWS, EVENT) else slug
    folder = f"{config.content_dir}/{FOLDER_OF[item.kind]}"
    rel = f"{folder}/{stem}/index.md" if item.bundled else f"{folder}/{stem}.md"
    for taken in (f"{folder}/{stem}.md", f"{folder}/{stem}"):
        if (config.root / taken).exists():
            raise _exists(taken)
    _refuse_taken(config, item.kind, slug, rel, day[:4])
    image = _image_name(item.image)
    text = _front_matter(config, item, title, slug, times, image) + BODY
    path = config.root / rel
    _write_item(config, rel, text, item.image, image)
    return path


def _write_item(config: Config, rel: str, text: str, image: Path | None, name: str) -> None:
    """The item's file and its image, both or neither: the image goes in first, so a build
    never sees the item without it, and is taken back if the item's file cannot be written."""
    path = config.root / rel
    folder_was_there = path.parent.is_dir()
    made: Path | None = None
    try:
        if image is not None:
            write_whole(path.parent / name, image, durable=True, create=True)
            made = path.parent / name
        write_whole(path, text.encode("utf-8"), durable=True, create=True)
    except OSError as exc:
        if made is not None:
            made.unlink(missing_ok=True)
        if not folder_was_there:
            with contextlib.suppress(OSError):
                path.parent.rmdir()
        if isinstance(exc, FileExistsError):
            raise _exists(rel) from None
        reason = (exc.strerror or str(exc)).lower()
        message = _("cannot write the new file: {reason}; nothing was written")
        raise LitfassError(Problem(rel, 0, message.format(reason=reason))) from None


def _image_name(image: Path | None) -> str:
    """The name the image gets in the item's folder: its own, made safe for an address."""
    if image is None:
        return ""
    if not image.is_file():
        message = _("no such image file: {path}").format(path=image)
        raise LitfassError(Problem("--image", 0, message))
    return file_name(image.name)


def _slug(given: str, title: str) -> str:
    if given and not is_slug(given):
        raise LitfassError(
            Problem(
                "--slug",
                0,
                _("'{given}' may only use a-z, 0-9 and '-'; for example '{slug}'").format(
                    given=given, slug=slugify(given)
                ),
            )
        )
    return given or slugify(title)


@dataclass(frozen=True)
class _Times:
    start: datetime
    end: datetime | None
    timed: bool  # a time of day was given, else an all-day event

    def shown(self, moment: datetime) -> str:
        return f"{moment:%Y-%m-%d %H:%M}" if self.timed else f"{moment:%Y-%m-%d}"


def _event_times(config: Config, item: NewItem) -> _Times:
    if not item.start:
        raise LitfassError(
            Problem(
                "--start",
                0,
                _(
                    "an event needs its start, e.g. --start 2027-03-12T10:00 "
                    "(a date alone is an all-day event)"
                ),
            )
        )
    start, timed = _when("--start", item.start, config)
    end, end_timed = _when("--end", item.end, config) if item.end else (None, False)
    if end is not None and end < start:
        raise LitfassError(Problem("--end", 0, _("the event ends before it starts")))
    return _Times(start, end, timed or end_timed)


def _when(option: str, text: str, config: Config) -> tuple[datetime, bool]:
    try:
        return parse_when(text, config.tz)
    except ValueError as exc:
        raise LitfassError(Problem(option, 0, str(exc))) from None


def _refuse_taken(config: Config, kind: str, slug: str, rel: str, year: str) -> None:
    """The same file, or another item of the kind with the same address, is in the way."""
    if (config.root / rel).exists():
        raise _exists(rel)
    folder = config.content_path / FOLDER_OF[kind]
    for path in sorted(folder.rglob("*.md")) if folder.is_dir() else ():
        content_rel = path.relative_to(config.content_path).as_posix()
        try:
            page = read_page(config, path, content_rel)[1]
        except LitfassError:
            continue  # a broken file is `check`'s business, not a clash
        if page.slug == slug:
            raise LitfassError(
                Problem(
                    page.source,
                    0,
                    _(
                        "already has the address {url}; give the new item another "
                        "title or --slug, e.g. --slug {slug}-{year}"
                    ).format(url=page.url, slug=slug, year=year),
                )
            )


def _exists(rel: str) -> LitfassError:
    return LitfassError(
        Problem(rel, 0, _("already exists; `new` never overwrites a file: edit it instead"))
    )


def _front_matter(
    config: Config,
    item: NewItem,
    title: str,
    slug: str,
    times: _Times | None,
    image: str = "",
) -> str:
    head = [f"title: {_quoted(title)}", f"slug: {slug}"]
    body = {
        NEWS: lambda: _news(config, item.now),
        EVENT: lambda: _event(item, times),
        MAGAZINE: lambda: _magazine(item.now, item.bundled),
        PAGE: _page,
    }[item.kind]()
    where = "in diesem Ordner" if item.bundled else "neben dieser Datei"
    if image:
        pictured = [
            f"image: {image}  # das Bild, {where}",
            'image_alt: ""  # Pflicht: was auf dem Bild zu sehen ist',
        ]
    else:
        pictured = [
            f"# image: bild.jpg  # Bild, {where}",
            "# image_alt: Was auf dem Bild zu sehen ist",
        ]
    tail = [
        *pictured,
        '# image_caption: "Bildunterschrift. Foto: Name"',
        "# aliases: [/alte/adresse/]  # frühere Adressen, die hierher weiterleiten",
        "draft: true  # Entwurf: auf false setzen, damit es erscheint",
    ]
    return "---\n" + "\n".join(_aligned(head + body + tail)) + "\n---\n"


def _aligned(lines: list[str]) -> list[str]:
    """Put the explaining comments in one column, so the keys read as a form."""
    column = 30
    out = []
    for line in lines:
        match = _COMMENT.fullmatch(line)
        out.append(f"{match[1]:<{column - 1}} # {match[2]}" if match else line)
    return out


def _news(config: Config, now: datetime) -> list[str]:
    email = config.organisation.email or "presse@example.org"
    return [
        f'date: "{now:%Y-%m-%d %H:%M}"       # erscheint ab diesem Zeitpunkt',
        f"category: {config.default_category:<18}# oder: {config.press_category}",
        "# summary: 1–2 Sätze für Übersichten und Feeds (ohne: der erste Absatz)",
        "tags: []                     # Themen, z. B. [Wohnen, Pflege]",
        "# region: Leipzig",
        "# dateline: Leipzig          # Ortsmarke, erscheint als „(Leipzig)“ vor dem Text",
        f"# contact: {{name: Vorname Name, phone: 0351 123456-0, email: {email}}}",
    ]


def _event(item: NewItem, times: _Times | None) -> list[str]:
    if times is None:
        raise ValueError("an event needs its times")
    start = times.start
    lines = [f'start: "{times.shown(start)}"   # Beginn; nur ein Datum: ganztägig']
    if times.end is not None:
        lines.append(f'end: "{times.shown(times.end)}"     # Ende')
    elif times.timed:
        lines.append(f'# end: "{start:%Y-%m-%d} 16:00"')
    else:
        lines.append(f"# end: {start + timedelta(days=1):%Y-%m-%d}  # letzter Tag, wenn mehrtägig")
    if item.location:
        lines.append(f"location: {_quoted(item.location)}   # oder {{name: ..., address: ...}}")
    else:
        lines += [
            '# location: {name: Volkshaus Leipzig, address: "Karl-Liebknecht-Straße 30, 04107 Leipzig"}',
            '# location: {online: true, url: "https://..."}',
        ]
    deadline = start - timedelta(days=7)
    return [
        *lines,
        "# registration: anmeldung@example.org   # E-Mail-Adresse oder Link zur Anmeldung",
        f"# registration_deadline: {deadline:%Y-%m-%d}",
        "# organizer: Regionalgeschäftsstelle Leipzig",
        "# cost: kostenfrei",
        "# status: abgesagt           # oder verschoben, ausgebucht; sonst weglassen",
        "tags: []                     # Themen, z. B. [Wohnen, Pflege]",
        "# region: Leipzig",
        "# summary: 1–2 Sätze für den Kalender (ohne: der erste Absatz)",
        f"# date: {item.now:%Y-%m-%d}  # Tag der Ankündigung, ordnet den Feed",
    ]


def _magazine(now: datetime, bundled: bool) -> list[str]:
    where = "im Ordner des Hefts" if bundled else "neben dieser Datei"
    return [
        f"date: {now:%Y-%m-%d}",
        f'issue: ""                    # Heftnummer, z. B. {now:%Y}/1',
        'theme: ""                    # der Schwerpunkt des Hefts',
        "# summary: 1–2 Sätze für die Heftübersicht (ohne: der erste Absatz)",
        f"# cover: titel.jpg           # Titelbild {where}",
        f"# pdf: heft.pdf              # das Heft als PDF {where}",
    ]


def _page() -> list[str]:
    return [
        "# summary: 1–2 Sätze für Suchmaschinen (ohne: der erste Absatz)",
        "# menu: 5                    # Platz im Hauptmenü; ohne: nicht im Menü",
    ]


def _quoted(text: str) -> str:
    """A YAML double-quoted string (JSON's quoting is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def start_translation(config: Config, original: Path, tag: str) -> Path:
    """Write the translation into `tag` beside the item `original` (its file, or its folder)
    and return its path: the original's words copied to be translated, nothing it shares."""
    _publishes_in(config, tag)
    rel = _original_file(config, original)
    name, translated = split_translation(PurePosixPath(rel).name, config.translation_tags)
    if translated is not None:
        message = _("is a translation itself; name the original, {name}").format(name=name)
        raise LitfassError(Problem(rel, 0, message))
    content_rel = rel.removeprefix(f"{config.content_dir}/")
    source = read_source(config.root / rel, rel, content_rel)
    target = str(PurePosixPath(rel).with_name(translation_name(name, tag)))
    if (config.root / target).exists():
        message = _("already exists; edit it to bring the translation up to date")
        raise LitfassError(Problem(target, 0, message))
    text = _translation(config, source, name, tag)
    try:
        write_whole(config.root / target, text.encode("utf-8"), durable=True, create=True)
    except FileExistsError:
        raise _exists(target) from None
    except OSError as exc:
        reason = (exc.strerror or str(exc)).lower()
        message = _("cannot write the new file: {reason}; nothing was written")
        raise LitfassError(Problem(target, 0, message.format(reason=reason))) from None
    return config.root / target


def _publishes_in(config: Config, tag: str) -> None:
    """Refuse a language the site is not published in, and its main language."""
    if tag in config.translation_tags:
        return
    if tag == config.main_language.tag:
        message = _("'{language}' is the site's main language: the original is written in it")
    elif config.translation_tags:
        message = _(
            "the site is not published in '{language}'; config.yaml's 'languages' lists {listed}"
        )
    else:
        message = _(
            "the site has one language; list the languages it is published in in "
            "config.yaml first, e.g. 'languages: [{main}, {language}]'"
        )
    listed = ", ".join(language.tag for language in config.site_languages)
    found = message.format(language=tag, listed=listed, main=config.main_language.tag)
    raise LitfassError(Problem("--lang", 0, found))


def _original_file(config: Config, given: Path) -> str:
    """The original's Markdown file (`given`, or its folder's index.md), relative to the
    site's folder; it must be below content/."""
    path = given / "index.md" if given.is_dir() else given
    if not path.is_file():
        raise LitfassError(Problem(str(given), 0, _("no such item: name its .md file")))
    content = config.content_path.resolve()
    if path.suffix != ".md" or not path.resolve().is_relative_to(content):
        message = _("not an item: name a .md file below {folder}/")
        raise LitfassError(Problem(str(given), 0, message.format(folder=config.content_dir)))
    return path.resolve().relative_to(config.root.resolve()).as_posix()


def _translation(config: Config, source: Source, name: str, tag: str) -> str:
    """The translation's file: its words to translate, a draft, and the original's text."""
    language, main = config.site_language(tag), config.main_language
    head = [
        f"# Übersetzung von {name} ({main.name}) in: {language.name} ({tag})",
        "# Übersetzen: die Angaben mit „übersetzen“ und den Text unter dem Kopf.",
        "# Datum, Ort, Anmeldung, Themen, Region, Bild und Kategorie kommen aus dem Original.",
    ]
    words = [
        _commented(f"{key}: {_value(source.meta.data[key])}", "übersetzen")
        for key in TRANSLATED_KEYS
        if key in source.meta.data and key not in ("updated", "draft")
    ]
    done = _commented("draft: true", "Entwurf: auf false setzen, wenn die Übersetzung fertig ist")
    front = "---\n" + "\n".join([*head, *words, done]) + "\n---\n"
    return front + source.body.lstrip("\n")


def _value(value: object) -> str:
    """A front-matter value as YAML on one line: text quoted, anything else as written."""
    if isinstance(value, str):
        return _quoted(value)
    return json.dumps(value, ensure_ascii=False, default=str)


def _commented(line: str, comment: str) -> str:
    """A key with its explanation in the column `new` puts them in."""
    return f"{line:<29} # {comment}"
