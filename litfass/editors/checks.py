"""Validate the whole site without writing anything: what `python build.py check` reports.

Everything a build reports (missing image files and alt texts too), plus what hurts readers
without stopping a build: broken links and images, heading order, events without a place, long summaries.
"""

from __future__ import annotations

import dataclasses
import difflib
import html
import posixpath
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from litfass import addresses
from litfass.config import Config, Settings
from litfass.content import images
from litfass.content.bodies import withheld_message
from litfass.content.files import find_files
from litfass.content.frontmatter import Source, read_source
from litfass.content.kinds import is_bundle_index
from litfass.content.markup import render_markdown
from litfass.content.model import EVENT, KINDS, MAGAZINE, NEWS, PAGE, Page
from litfass.content.pages import KEYS, likely_key, read_page
from litfass.dates import parse_when
from litfass.engine.oneshot import declare_outputs, load_site
from litfass.errors import LitfassError, Problem
from litfass.hrefs import site_path
from litfass.i18n import N_, _, ngettext
from litfass.languages import split_translation
from litfass.outputs import path_of
from litfass.outputs.declare import path_problems
from litfass.site import (
    BuildOptions,
    Site,
    assemble,
    is_public,
    is_published,
    withheld_files,
    withheld_reason,
    without_files,
)

SUMMARY_LIMIT = 300  # characters; cards and feed readers show about two sentences
KIND_NAMES = {
    NEWS: N_("news"),
    EVENT: N_("events"),
    MAGAZINE: N_("magazine issues"),
    PAGE: N_("pages"),
}


@dataclass(frozen=True)
class CheckResult:
    """Every finding, sorted by file and line, and how much was checked."""

    findings: tuple[Problem, ...]
    files: int
    links_checked: bool  # False when errors kept the site from loading

    def count(self, severity: str) -> int:
        return sum(p.severity == severity for p in self.findings)


def check(settings: Settings, options: BuildOptions) -> CheckResult:
    """Check every content file of the site whose config.yaml the command line read;
    config errors are raised."""
    root, config = settings.root, settings.loaded()[0]
    # Drafts and scheduled items are checked too: they are what editors work on.
    everything = dataclasses.replace(options, drafts=True, future=True)
    findings: list[Problem] = []
    try:
        # A file with errors is left out, so the links of all the others are still checked.
        site, problems = load_site(root, everything, lenient=True, settings=settings)
        findings += problems
        if not any(p.severity == "error" for p in problems):
            # What only the build sees after declaring every file: a page litfass makes
            # overwritten (with errors, the clash of two addresses is among them already).
            findings += path_problems(declare_outputs(site), site.config)
            findings += _address_changes(root, site, options)
    except LitfassError as exc:  # what keeps any site from loading (the theme's table)
        site = None
        findings += exc.problems
    links = _Links.of_site(site, options) if site else None
    built = {page.source: page for page in site.pages} if site else {}
    files = find_files(config)[0]
    for path, rel in files.markdown:
        try:
            source, page = read_page(config, path, rel)[:2]
        except LitfassError:
            continue  # its errors are among the findings already
        page = built.get(page.source, page)  # with its rendered body, when the site loaded
        refs = _body_refs(config, source, page)
        findings += _front_matter(config, source, page, options)
        findings += _headings(source)
        if links:
            findings += links.check(source, page, refs)
    findings += _translations(config, files.markdown)
    return CheckResult(tuple(sorted(set(findings))), len(files.markdown), links is not None)


def dead_links(
    site: Site,
    written: Collection[str],
    unpublished: Sequence[Page],
    options: BuildOptions,
    pages: Iterable[Page],
) -> list[Problem]:
    """The warnings `check` gives for links and images in `pages` that lead to no file of a
    site as it was just built (`written`: the paths in output/), for the preview."""
    unshown = {path_of(page.url) for page in unpublished}
    links = _Links(
        site.config, options, {*written, *unshown}, set(written), (*site.pages, *unpublished)
    )
    found: list[Problem] = []
    for page in pages:
        addresses = _ADDRESS.findall(page.body_html)
        if not any(links.leads_nowhere(html.unescape(a), page) for a in addresses):
            continue  # the usual case: no need to read the file for line numbers
        content_rel = page.source.removeprefix(f"{site.config.content_dir}/")
        try:
            source = read_source(site.config.root / page.source, page.source, content_rel)
        except LitfassError:
            continue  # changed again since the build: the next rebuild tells
        found += links.check(source, page, _body_refs(site.config, source, page))
    return found


_ADDRESS = re.compile(r"<(?:a|img)\b[^>]*?\b(?:href|src)=\"([^\"]*)\"")


def _address_changes(root: Path, site: Site, options: BuildOptions) -> list[Problem]:
    """What the next build will do with the address record (addresses.yaml), as notes."""
    config = site.config
    public = [page for page in site.pages if is_public(page, options.now)]
    now = options.now.astimezone(config.tz)
    record = addresses.read_record(root)
    update = addresses.update(record, public, config.content_dir, now, config.list_addresses)
    moved = _(
        "address changes from {old} to {new} with the next build; the old address will redirect"
    )
    gone = _("deleted: {url} will answer 410 Gone after the next build")
    return [
        *(Problem(c.file, 0, moved.format(old=c.old, new=c.new), "note") for c in update.moved),
        *(Problem(c.file, 0, gone.format(url=c.old), "note") for c in update.gone),
    ]


def _front_matter(
    config: Config, source: Source, page: Page, options: BuildOptions
) -> list[Problem]:
    meta, found = source.meta, []

    def add(key: str, message: str, severity: str = "warning") -> None:
        found.append(Problem(source.rel, meta.line(key), message, severity))

    known = KEYS[page.kind]
    for key in meta.data:
        if key not in known and likely_key(key, known) is None:  # else the build warned
            add(key, _unknown_key(key))
    if page.kind == EVENT and page.event and page.event.location is None:
        add(
            "location",
            _(
                "event without place: add 'location: Volkshaus Leipzig' "
                "or 'location: {online: true, url: \"https://...\"}'"
            ),
        )
    summary = meta.data.get("summary")
    if isinstance(summary, str) and len(summary.strip()) > SUMMARY_LIMIT:
        add(
            "summary",
            _(
                "summary has {count} characters; keep it under {limit} (one or two sentences)"
            ).format(count=len(summary.strip()), limit=SUMMARY_LIMIT),
        )
    if page.date and page.date > options.now:
        add(
            "date",
            _(
                "scheduled: publishes on {when} with the first build "
                "from then on (preview with --future)"
            ).format(when=f"{page.date:%Y-%m-%d %H:%M}"),
            "note",
        )
    return found


def _unknown_key(key: str) -> str:
    """Name the kinds of item a key belongs to, if it is one of another kind."""
    meant = likely_key(key, set().union(*KEYS.values()))
    if meant is None:
        return _("unknown key '{key}': litfass does not use it (templates see page.extra)").format(
            key=key
        )
    kinds = _(" and ").join(_(KIND_NAMES[kind]) for kind in KINDS if meant in KEYS[kind])
    return _("unknown key '{key}': '{meant}' is only for {kinds}").format(
        key=key, meant=meant, kinds=kinds
    )


_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_ATX = re.compile(r" {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t#]*")
_SETEXT = re.compile(r" {0,3}(=+|-+)[ \t]*")
_BLOCK_START = re.compile(r"\s*([-*+>|#]|\d+\.)(\s|$)")


def _headings(source: Source) -> list[Problem]:
    """An h1 in the body, or a heading that skips a level (the title is the page's h1)."""
    found, before, after = [], 1, _("the title")
    for line, level, text in _heading_lines(source):
        heading = f"{'#' * level} {text}"
        if level == 1:
            message = _(
                "'{heading}' is a main heading, but the title already is one; use '## {text}'"
            ).format(heading=heading, text=text)
            found.append(Problem(source.rel, line, message, "warning"))
        elif level > before + 1:
            wanted = f"{'#' * (before + 1)} {text}"
            message = _("heading '{heading}' skips a level after {after}; use '{wanted}'").format(
                heading=heading, after=after, wanted=wanted
            )
            found.append(Problem(source.rel, line, message, "warning"))
        before, after = level, f"'{heading}'"
    return found


def _heading_lines(source: Source) -> list[tuple[int, int, str]]:
    """(file line, level, text) of each Markdown heading, outside code blocks."""
    found, fence, previous = [], "", ""
    for offset, line in enumerate(source.body.split("\n")):
        number = source.body_line + offset
        opening = _FENCE.match(line)
        if fence or opening:
            if opening and not fence:
                fence = opening[1]
            elif line.strip().startswith(fence[0] * len(fence)) and not line.strip(fence[0]):
                fence = ""
            previous = ""
            continue
        atx, setext = _ATX.fullmatch(line), _SETEXT.fullmatch(line)
        if atx:
            found.append((number, len(atx[1]), (atx[2] or "").strip()))
        elif setext and previous.strip() and not _BLOCK_START.match(previous):
            found.append((number - 1, 1 if setext[1][0] == "=" else 2, previous.strip()))
        previous = line
    return found


@dataclass(frozen=True)
class _Ref:
    """A link or image in a body: as written, where it lands, and its line in the file."""

    tag: str  # "a" or "img"
    url: str  # as the editor wrote it
    alt: str | None = None
    landed: str = ""  # as the build writes it (links to .md files resolved)
    line: int = 0


class _RefParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[_Ref] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.refs.append(_Ref("a", values["href"] or ""))
        elif tag == "img":
            self.refs.append(_Ref("img", values.get("src") or "", values.get("alt")))


def _parse_refs(html: str) -> list[_Ref]:
    parser = _RefParser()
    parser.feed(html)
    parser.close()
    return parser.refs


def _body_refs(config: Config, source: Source, page: Page) -> list[_Ref]:
    """Links and images of a body, each with the line it is written on."""
    landed = _parse_refs(page.body_html) if page.body_html else []
    lines = _lines(source, landed)
    if page.body_html and ".md" not in source.body and None not in lines:
        # The build left every address as written: no need to render the body again.
        return [
            dataclasses.replace(r, landed=r.url, line=n or 0)
            for r, n in zip(landed, lines, strict=True)
        ]
    written = _parse_refs(render_markdown(source.body, config.allow_html))
    if len(landed) != len(written):
        landed = written  # a later step changed the markup; judge what was written
    return [
        dataclasses.replace(w, landed=final.url, line=line or source.body_line)
        for w, final, line in zip(written, landed, _lines(source, written), strict=True)
    ]


def _lines(source: Source, refs: list[_Ref]) -> list[int | None]:
    """The file line of each address in the body, matched in order; None where not found."""
    body = source.body
    after: dict[str, int] = {}
    lines: list[int | None] = []
    for ref in refs:
        index = _find_address(body, ref.url, after.get(ref.url, 0))
        if index < 0:
            index = _find_address(body, ref.url, 0)
        after[ref.url] = index + 1
        lines.append(source.body_line + body.count("\n", 0, index) if index >= 0 else None)
    return lines


def _find_address(body: str, url: str, start: int) -> int:
    """Where `url` stands as a whole address: `(url)`, `<url>`, `"url"`, `[x]: url`."""
    index = body.find(url, start) if url else -1
    while index >= 0:
        before = body[index - 1] if index else " "
        after = body[index + len(url) : index + len(url) + 1] or " "
        if before in "(<\"' \t\n" and after in ")>\"' \t\n":
            return index
        index = body.find(url, index + 1)
    return -1


class _Links:
    """Where links in bodies land: on a page of the site, an unpublished item, or nowhere."""

    def __init__(
        self,
        config: Config,
        options: BuildOptions,
        all_files: set[str],
        published_files: set[str],
        pages: Iterable[Page],
        content_urls: dict[str, str] | None = None,
    ) -> None:
        self.config, self.options = config, options
        self.all_files, self.published_files = all_files, published_files
        self.content_urls = content_urls or {}
        pages = list(pages)
        self.items = {path_of(page.url): page for page in pages}
        # Slug -> address; with one slug in two sections the later one wins, a fair guess.
        self.by_slug = {posixpath.basename(p.url.rstrip("/")): p.url for p in pages}

    @classmethod
    def of_site(cls, site: Site, options: BuildOptions) -> _Links:
        """For `check`: `site` holds every item, drafts too; `options` say what is published."""
        every = {o.path for o in declare_outputs(site)}
        published = assemble(
            site.config, list(site.pages), options, site.content_urls, site.pictures
        )
        # As the build publishes it: without the files only unpublished items have.
        published = without_files(published, withheld_files(site.pages, options))
        shown = {o.path for o in declare_outputs(published)}
        return cls(site.config, options, every, shown, site.pages, site.content_urls)

    def check(self, source: Source, page: Page, refs: list[_Ref]) -> list[Problem]:
        found = []
        for ref in refs:
            message = self._problem(ref, page)
            if message:
                found.append(Problem(source.rel, ref.line, message, "warning"))
        if is_published(page, self.options):
            found += self._front_matter_files(source, page)
        return found

    def _front_matter_files(self, source: Source, page: Page) -> list[Problem]:
        """`image`, `cover` and `pdf` files that only unpublished items have, as the build
        says of them."""
        found = []
        for key, tag in (("image", "img"), ("cover", "img"), ("pdf", "a")):
            target = getattr(page, key)
            if not target.startswith("/") or not self._exists(target, self.all_files):
                continue
            if not self._exists(target, self.published_files):
                written = str(source.meta.data.get(key, target))
                message = withheld_message(tag, written, target, self._not_yet(target))
                found.append(Problem(source.rel, source.meta.line(key), message, "warning"))
        return found

    def leads_nowhere(self, url: str, page: Page) -> bool:
        """Whether `check` would say something about an address in `page`'s body."""
        return self._problem(_Ref("a", url, landed=url), page) is not None

    def _problem(self, ref: _Ref, page: Page) -> str | None:
        target = self._site_url(ref.landed, page.url)
        if target is None or urlsplit(ref.landed).path.endswith(".md"):
            return None  # elsewhere, or a missing content file the build already reported
        if not self._exists(target, self.all_files):
            if ref.tag == "img":
                return _("image '{url}' not found: no file at {target}; {hint}").format(
                    url=ref.url, target=target, hint=self._image_hint(page)
                )
            near = self._near(target)
            hint = _("; did you mean {near}?").format(near=near) if near else ""
            return _("link to '{url}' leads nowhere: no page at {target}{hint}").format(
                url=ref.url, target=target, hint=hint
            )
        if is_published(page, self.options) and not self._exists(target, self.published_files):
            target = self._file_url(ref, page) or target  # the file as written, not a variant
            return withheld_message(ref.tag, ref.url, target, self._not_yet(target))
        return None

    def _image_hint(self, page: Page) -> str:
        content_rel = page.source.removeprefix(f"{self.config.content_dir}/")
        if is_bundle_index(content_rel):
            return _("put the file beside index.md in the item's folder")
        folder = f"{self.config.content_dir}/{posixpath.splitext(content_rel)[0]}"
        return _(
            "images belong in the item's folder: move the text to {folder}/index.md "
            "and the image beside it"
        ).format(folder=folder)

    def _near(self, target: str) -> str | None:
        """The page whose address ends most like the broken one (a typo in the slug)."""
        last = posixpath.basename(target.rstrip("/"))
        close = difflib.get_close_matches(last, sorted(self.by_slug), n=1, cutoff=0.75)
        return self.by_slug[close[0]] if close else None

    def _site_url(self, url: str, page_url: str) -> str | None:
        """The site path a link lands on, or None for other hosts, mail and anchors (read
        as a browser reads it: `hrefs.py`)."""
        if not urlsplit(url.strip()).path:
            return None  # an anchor or a query on the page itself
        return site_path(url, self.config.base_url + page_url)

    @staticmethod
    def _exists(target: str, files: set[str]) -> bool:
        return path_of(target) in files or path_of(target.rstrip("/") + "/") in files

    def _file_url(self, ref: _Ref, page: Page) -> str | None:
        """The address of the content file an image names, as the editor wrote it."""
        if ref.tag != "img":
            return None
        content_rel = page.source.removeprefix(f"{self.config.content_dir}/")
        return images.resolve(ref.url, posixpath.dirname(content_rel), self.content_urls)

    def _owner(self, target: str) -> Page | None:
        """The item in whose folder the file at `target` is (the longest address it starts with)."""
        owners = [p for p in self.items.values() if target.startswith(p.url) and p.url != "/"]
        return max(owners, key=lambda p: len(p.url), default=None)

    def _not_yet(self, target: str) -> str:
        item = self.items.get(path_of(target)) or self._owner(target)
        reason = withheld_reason(item, self.options) if item is not None else None
        return reason or _("is not on the site yet (only with --drafts or --future)")


# Files written by one save of the browser editor, or by one checkout, are one version.
_TOGETHER = timedelta(minutes=1)


def _translations(config: Config, markdown: Iterable[tuple[Path, str]]) -> list[Problem]:
    """What `check` says of each translation (`index.en.md`) beside its original: that it
    fell behind, or lacks an alt text its original has."""
    found: list[Problem] = []
    for path, content_rel in markdown if config.translation_tags else ():
        name, tag = split_translation(path.name, config.translation_tags)
        original = path.with_name(name)
        if tag is None or not original.is_file():
            continue  # an original, or a translation without one: the build's business
        rel = f"{config.content_dir}/{content_rel}"
        original_rel = posixpath.join(posixpath.dirname(rel), name)
        try:
            translation = read_source(path, rel, content_rel)
            source = read_source(original, original_rel, original_rel)
        except LitfassError:
            continue  # its errors are among the findings already
        language = config.site_language(tag)
        where = f"{language.name} ({tag})"
        found += _behind(config, (translation, path), (source, original))
        found += _image_alt(translation, source, where)
        found += _body_alts(config, translation, source, where)
    return found


def _behind(
    config: Config, translation: tuple[Source, Path], original: tuple[Source, Path]
) -> list[Problem]:
    """The original changed after the translation: by their `updated:` (else `date:`) where
    both say one, else by the files' modification times."""
    (source, path), (first, first_path) = translation, original
    ours, theirs = _stamp(config, source), _stamp(config, first)
    if ours is None or theirs is None:
        return _behind_by_files(source, first.rel, _modified(path), _modified(first_path))
    if theirs <= ours:
        return []
    message = _(
        "the original {original} is newer than this translation ({theirs} against {ours}), "
        "by {span}; bring the translation up to date, then set its 'updated:'"
    ).format(
        original=first.rel,
        theirs=f"{theirs:%Y-%m-%d}",
        ours=f"{ours:%Y-%m-%d}",
        span=_span(theirs - ours),
    )
    line = source.meta.line("updated" if "updated" in source.meta.data else "date")
    return [Problem(source.rel, line, message, "warning")]


def _behind_by_files(
    source: Source, original: str, ours: datetime, theirs: datetime
) -> list[Problem]:
    if theirs - ours <= _TOGETHER:
        return []
    message = _(
        "the original {original} was changed {span} after this translation; "
        "bring the translation up to date"
    ).format(original=original, span=_span(theirs - ours))
    return [Problem(source.rel, source.meta.line("title"), message, "warning")]


def _span(difference: timedelta) -> str:
    days = difference.days
    if days < 1:
        return _("less than a day")
    return ngettext("{days} day", "{days} days", days).format(days=days)


def _stamp(config: Config, source: Source) -> datetime | None:
    """When the file's own front matter says it last changed: `updated`, else `date`."""
    for key in ("updated", "date"):
        value = source.meta.data.get(key)
        if value not in (None, ""):
            try:
                return parse_when(value, config.tz)[0]
            except ValueError:
                return None  # the build says what is wrong with it
    return None


def _modified(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, UTC)


def _text(source: Source, key: str) -> str:
    value = source.meta.data.get(key)
    return value.strip() if isinstance(value, str) else ""


def _image_alt(translation: Source, original: Source, language: str) -> list[Problem]:
    """The item's image (the translation's own, or the original's) without an alt text in
    the translation, where the original says what it shows."""
    said = _text(original, "image_alt")
    if not said or _text(translation, "image_alt"):
        return []
    if not (_text(translation, "image") or _text(original, "image")):
        return []
    message = _(
        "the image has no alt text in this translation; the original says '{alt}': "
        "add 'image_alt:' in {language}"
    ).format(alt=said, language=language)
    key = "image" if "image" in translation.meta.data else "title"
    return [Problem(translation.rel, translation.meta.line(key), message, "warning")]


def _body_alts(
    config: Config, translation: Source, original: Source, language: str
) -> list[Problem]:
    """Images in the translation's text without alt text, where the original's text shows
    the same image with one."""
    said = {
        ref.url: ref.alt
        for ref in _parse_refs(render_markdown(original.body, config.allow_html))
        if ref.tag == "img" and ref.alt and ref.alt.strip()
    }
    if not said:
        return []
    refs = _parse_refs(render_markdown(translation.body, config.allow_html))
    found = []
    for ref, line in zip(refs, _lines(translation, refs), strict=True):
        if ref.tag == "img" and not (ref.alt or "").strip() and ref.url in said:
            message = _(
                "image '{url}' has no alt text in this translation; the original says "
                "'{alt}': write it in {language}"
            ).format(url=ref.url, alt=said[ref.url], language=language)
            found.append(
                Problem(translation.rel, line or translation.body_line, message, "warning")
            )
    return found
