"""Every content file as last read, kept between rebuilds: a changed file is read again, and a
body is resolved again only where its file, its links or the images it shows changed.
"""

from __future__ import annotations

import dataclasses
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from litfass.config import Config
from litfass.content import images
from litfass.content.bodies import (
    NOTHING_WITHHELD,
    Withheld,
    assets_by_url,
    content_urls,
    files_under,
    left_behind,
    with_body,
)
from litfass.content.files import ContentFiles, find_files, shown
from litfass.content.frontmatter import Source
from litfass.content.kinds import is_bundle_index
from litfass.content.model import BuildOptions, Page, differences, unpack
from litfass.content.pages import original_file
from litfass.content.reader import ReadFile, forget_other_bodies, read_files
from litfass.content.translations import alone_problems, completed
from litfass.engine.store import STORED_SOURCE, Stamp, stamp
from litfass.errors import LitfassError, Problem
from litfass.i18n import _
from litfass.site import id_problems, is_published, url_problems, withheld_reason
from litfass.workers import flatten, run_chunks


@dataclass
class Item:
    """One Markdown file as last read: its page without body, then with body."""

    signature: Stamp
    # No class attribute (a default would be one): an item from the store has its source
    # still pickled until it is first asked for (`__getattr__`).
    source: Source | None = field(default_factory=lambda: None)
    page: Page | None = None
    # Problems as tuples: most items have none, and the empty tuple is one object for all
    # (an empty list each was five objects an item, in memory and in every store row).
    errors: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()
    key: str = ""  # of the body's text and the renderer settings (`reader.body_key`)
    packed: bytes = b""  # the body rendered, links not yet resolved (`model.pack`)
    final: Page | None = None  # with body; None until rendered against the current URLs
    body_warnings: tuple[Problem, ...] = ()
    unlinked: tuple[Problem, ...] = ()  # links to what is left out
    draft: bool = False  # says `draft: true` (read line by line where it does not parse)
    # A translation's page as its file says, before `completed` took from its original,
    # and what it lacks while it has none (`translations.alone_problems`).
    own: Page | None = None
    alone: tuple[Problem, ...] = ()

    def html(self) -> str:
        """The body rendered, links not yet resolved: unpacked only while it is used."""
        return unpack(self.packed)

    def __getattr__(self, name: str) -> Any:
        """The source of an item from the store, unpickled when first asked for: it is half
        of what an item's row holds, and a build after an edit asks for the edited file's."""
        packed = self.__dict__.get(STORED_SOURCE)
        if name != "source" or packed is None:
            raise AttributeError(name)
        self.source = pickle.loads(packed)
        del self.__dict__[STORED_SOURCE]
        return self.source


class Sources:
    """The content files of one config: their pages, URLs and images, and what is new."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.items: dict[str, Item] = {}
        self.files: ContentFiles | None = None
        self.assets: set[str] = set()
        self.file_problems: list[Problem] = []
        self.urls: dict[str, str] = {}
        self.pictures: dict[str, images.Picture] | None = None
        self.image_problems: list[Problem] = []  # images that cannot be published
        self.assets_changed = False
        self.files_changed: set[str] = set()  # assets saved again: links say their size
        self.addresses_changed = False  # some page's address, alias or id may be new
        self.touched: set[str] = set()  # files whose page is new since the last `taken`
        self.without_body: set[str] = set()  # files read again, their body not rendered yet
        self.restructured = True  # files came or went since the last `taken`
        self.address_problems: list[Problem] = []
        self.withheld: set[str] = set()  # files of broken drafts left out (in content/)
        self.left_out = NOTHING_WITHHELD  # what links in bodies may not lead to

    def __getstate__(self) -> dict[str, object]:
        """What the store keeps in one row: not the items (a row each) nor the config
        (read again)."""
        kept = dict(self.__dict__)
        kept["items"], kept["config"] = {}, None
        return kept

    def knows(self, rel: str) -> bool:
        """Whether `rel` (in content/) is a file listed last time."""
        return rel in self.items or rel in self.assets

    def update(self, rescan: bool, changed: tuple[Path, ...], workers: int, cache: bool) -> None:
        """Read what is new: all files if `rescan` (or the first time), else `changed` ones."""
        config = self.config
        due: dict[str, Path] = {}  # files to read (again), by their path in content/
        content = config.content_path.absolute()
        # An edited SVG is checked again (content/svg.py), as listing the files does.
        rescan = rescan or any(p.suffix.lower() == ".svg" for p in changed)
        if rescan or self.files is None:
            self.assets_changed = True
            self.files, self.file_problems = find_files(config)
            self._leave_out_left_behind()
            self.restructured = True
            self.assets = {rel for _, rel in self.files.assets}
            known = {rel for _, rel in self.files.markdown}
            for rel in set(self.items) - known:
                del self.items[rel]
            for path, rel in self.files.markdown:
                item = self.items.get(rel)
                if item is None or item.signature != signature(path):
                    due[rel] = path
        for path in changed:  # read again even if size and time look the same
            rel = path.relative_to(content).as_posix()
            if rel in self.items and path.is_file():
                due[rel] = path
            elif rel in self.assets:
                self.assets_changed = True  # an image may have new sizes
                self.files_changed.add(rel)  # a document may have a new size
        self._read(due, workers, cache)
        if rescan:  # in the files' order, which is the order of the site's pages
            self.items = {rel: self.items[rel] for _, rel in self.files.markdown}
            if cache:  # files came or went: the bodies of texts no file has are dropped
                forget_other_bodies(config, {item.key for item in self.items.values()})

    def _leave_out_left_behind(self) -> None:
        """Files of item folders whose item is gone are not published, each a warning."""
        assert self.files is not None
        gone = set(left_behind(self.files))
        if not gone:
            return
        kept = tuple(asset for asset in self.files.assets if asset[1] not in gone)
        self.files = dataclasses.replace(self.files, assets=kept)
        message = _(
            "left over from a deleted item: its folder has no index.md, so this file is not "
            "published; delete it, or put the item's index.md back"
        )
        self.file_problems += [
            Problem(shown(self.config, rel), 0, message, "warning") for rel in sorted(gone)
        ]

    def _read(self, due: dict[str, Path], workers: int, cache: bool) -> None:
        """Read files and render their bodies (over `workers`, through the Markdown cache)."""
        files = [(path, rel) for rel, path in due.items()]
        stamps = [signature(path) for path, _rel in files]
        found = read_files(self.config, files, workers, cache)
        for (_path, rel), signed, read in zip(files, stamps, found, strict=True):
            self._take(rel, _item_of(signed, read))

    def _take(self, rel: str, item: Item) -> None:
        old = self.items.get(rel)
        # A broken file has no source: its problems and draft flag tell whether it changed.
        if old is not None and _same(old, item):
            old.signature = item.signature  # same text saved again: nothing to redo
            return
        # Addresses and ids depend on these alone: an edit to a text keeps them as they were.
        if old is None or _address(old) != _address(item):
            self.addresses_changed = True
        self.items[rel] = item
        self.touched.add(rel)
        self.without_body.add(rel)

    def pages(
        self,
        skip_broken_drafts: bool = False,
        lenient: bool = False,
        options: BuildOptions | None = None,
        workers: int = 1,
    ) -> tuple[list[Item], list[Problem]]:
        """Every good file with its page and body, and the warnings; raises with every error
        (`lenient`: returns them with the warnings, the broken files left out).

        With `options`, links to the items they leave out (and their folders' files) are
        shown as text, each a warning where the linking page is published.

        With `skip_broken_drafts` (a build without --drafts), a draft's errors are warnings
        and the draft is left out: one broken draft must not stop everyone's publishing.

        Bodies are resolved over `workers` processes where many are due.
        """
        config = self.config
        assert self.files is not None
        items = list(self.items.values())  # in the order of self.files.markdown
        self._complete_translations()
        problems = [p for p in self.file_problems if p.severity == "error"]
        problems += [p for item in items for p in (*item.errors, *item.alone)]
        good = [i for i in items if i.page is not None and not i.errors and not i.alone]
        withheld = self._broken_drafts_files(good) if skip_broken_drafts else set()
        if withheld != self.withheld:
            self.withheld, self.assets_changed = withheld, True
        urls = self._addresses(good)
        problems.extend(self.address_problems)
        if skip_broken_drafts:
            problems = _drafts_warned(config, self.items, problems)
        moved: set[str] = set()
        if urls is not self.urls:
            moved = set(urls.keys() ^ self.urls.keys())
            moved |= {rel for rel in urls.keys() & self.urls.keys() if urls[rel] != self.urls[rel]}
        pictures = self.pictures
        if moved or self.assets_changed or pictures is None:
            assets = self._published_assets()
            pictures, self.image_problems = images.plan(
                config.root, config.content_dir, assets, urls
            )
        problems.extend(self.image_problems)
        every_body = pictures != self.pictures  # image sizes are written into bodies
        self.urls, self.pictures = urls, pictures
        self.assets_changed = self.addresses_changed = False
        left_out = self._left_out(good, options) if options is not None else NOTHING_WITHHELD
        unlinked = _withheld_changes(self.left_out, left_out)
        self.left_out = left_out
        self._resolve_bodies(every_body, moved | unlinked, self.files_changed, workers)
        self.files_changed = set()
        body_problems = [p for item in good for p in item.body_warnings]
        if options is not None:
            body_problems += [
                p
                for item in good
                if item.page is not None and is_published(item.page, options)
                for p in item.unlinked
            ]
        problems += [p for p in body_problems if p.severity == "error"]
        warnings = [
            *(p for p in self.file_problems if p.severity != "error"),
            *(p for item in items for p in item.warnings),
            *(p for p in body_problems if p.severity != "error"),
            *(p for p in problems if p.severity != "error"),  # a broken draft's, left out
        ]
        errors = [p for p in problems if p.severity == "error"]
        if errors and not lenient:
            raise LitfassError(errors + warnings)
        if errors:
            return good, errors + warnings
        return good, warnings

    def _complete_translations(self) -> None:
        """Each translation's page from its file and its original's (content/translations.py);
        one whose original cannot be read is held back as a draft, never published alone."""
        for rel, item in self.items.items():
            own = item.own
            if own is None or item.errors:
                continue
            original = self.items.get(original_file(rel, self.config.translation_tags)[0])
            item.alone = tuple(alone_problems(own)) if original is None else ()
            if original is None:
                page = completed(self.config, own, None)
            elif original.page is None or original.errors:
                page = dataclasses.replace(completed(self.config, own, None), draft=True)
            else:
                page = completed(self.config, own, original.page)
            if page == item.page:
                continue
            if item.page is None or _address(item) != _addressed(page):
                self.addresses_changed = True
            item.page, item.final = page, None
            self.touched.add(rel)
            self.without_body.add(rel)

    def _left_out(self, good: list[Item], options: BuildOptions) -> Withheld:
        """The items `options` leave out, with the files of their folders, and why."""
        files: dict[str, str] = {}
        addresses: dict[str, str] = {}
        assets = None
        for item in good:
            page = item.page
            reason = withheld_reason(page, options) if page is not None else None
            if reason is None or page is None:
                continue  # most: their sources stay packed (`Item.__getattr__`)
            source = item.source
            if source is None:
                continue
            files[source.content_rel] = addresses[page.url] = reason
            if source.content_rel.endswith("/index.md"):
                assets = assets if assets is not None else assets_by_url(self.urls)
                for url, _position, rel in files_under(assets, page.url):
                    files[rel] = addresses[unquote(url)] = reason
        if files == self.left_out.files and addresses == self.left_out.addresses:
            return self.left_out
        return Withheld(files, addresses)

    def _addresses(self, good: list[Item]) -> dict[str, str]:
        """Every content file's URL, worked out again only when an address may have changed."""
        assert self.files is not None
        if not (self.addresses_changed or self.assets_changed):
            return self.urls
        pages = [i.page for i in good if i.page is not None]
        clashes = url_problems(pages)
        # Ids default to addresses: an address clash is already one message, not two.
        taken = {c.path for c in clashes}
        ids = [p for p in id_problems(self.config, pages) if p.path not in taken]
        self.address_problems = clashes + ids
        sources = [i.source for i in good if i.source is not None]
        files = dataclasses.replace(self.files, assets=self._published_assets())
        return content_urls(self.config, files, pages, sources)

    def _published_assets(self) -> tuple[tuple[Path, str], ...]:
        """The files to copy: not those of a draft left out for its errors."""
        assert self.files is not None
        if not self.withheld:
            return self.files.assets
        return tuple((path, rel) for path, rel in self.files.assets if rel not in self.withheld)

    def _broken_drafts_files(self, good: list[Item]) -> set[str]:
        """The files a draft left out for its errors would have published: those in its
        bundle's folder, and those beside it that its text names and no good page does."""
        assert self.files is not None
        broken = [rel for rel, item in self.items.items() if item.draft and item.errors]
        if not broken:
            return set()
        others = [_mentions(item) for item in good]

        def named_by_others(name: str) -> bool:
            return any(_names(mentions, name) for mentions in others)

        withheld = set()
        for rel in broken:
            folder = rel.rsplit("/", 1)[0] + "/"
            text = _raw_text(self.config.content_path / rel)
            for _path, asset in self.files.assets:
                if not asset.startswith(folder):
                    continue
                written = asset[len(folder) :]  # as a link beside the draft names it
                bundled = is_bundle_index(rel, self.config.translation_tags)
                if bundled or (_names(text, written) and not named_by_others(written)):
                    withheld.add(asset)
        return withheld

    def _resolve_bodies(
        self, every_body: bool, moved: set[str], saved: set[str], workers: int
    ) -> None:
        """Bodies against the current URLs and images: for files read again, or all where
        links, image sizes or the sizes of linked documents (`saved` again) may differ. Many
        (a cold build's thousands) are resolved over the workers: it waits on no other work."""
        assert self.pictures is not None
        linked = moved | saved
        again = self.items.keys() if every_body or linked else self.items.keys() & self.without_body
        due = [
            rel
            for rel in again
            if (item := self.items[rel]).source is not None
            and item.page is not None
            and not item.errors
            and (item.final is None or every_body or _links_into(item, linked))
        ]
        resolved = flatten(
            run_chunks(lambda part: [self._resolved(due[i]) for i in part], len(due), workers)
        )
        for rel, (with_it, body_warnings, unlinked) in zip(due, resolved, strict=True):
            item = self.items[rel]
            assert item.page is not None
            self.touched.add(rel)
            self.without_body.discard(rel)
            item.final = dataclasses.replace(item.page, **with_it)
            item.body_warnings, item.unlinked = tuple(body_warnings), tuple(unlinked)

    def _resolved(self, rel: str) -> tuple[dict[str, Any], list[Problem], list[Problem]]:
        """What the page of `rel` gains with its body (the fields that differ: from a worker,
        the rest stays the very objects of the page here), the body's warnings and the links
        it leaves out."""
        item = self.items[rel]
        assert self.pictures is not None and item.source is not None and item.page is not None
        warnings: list[Problem] = []
        unlinked: list[Problem] = []
        final = with_body(
            self.config,
            item.source,
            item.page,
            self.urls,
            self.pictures,
            warnings,
            item.html(),
            withheld=self.left_out,
            unlinked=unlinked,
        )
        return differences(item.page, final), warnings, unlinked

    def taken(self) -> None:
        """The pages as they are now went into a site: what is new is counted from here."""
        self.touched, self.restructured = set(), False


def _same(old: Item, new: Item) -> bool:
    """Whether a file read again says exactly what it said before."""
    return (old.source, old.key, old.errors, old.draft) == (
        new.source,
        new.key,
        new.errors,
        new.draft,
    )


def _withheld_changes(before: Withheld, now: Withheld) -> set[str]:
    """The content files (and the last parts of addresses, as a link may name them) that
    came into or went out of what is withheld: bodies naming them are resolved again."""
    if before is now:
        return set()
    files = {
        r for r in before.files.keys() | now.files.keys() if before.files.get(r) != now.files.get(r)
    }
    addresses = {
        a
        for a in before.addresses.keys() | now.addresses.keys()
        if before.addresses.get(a) != now.addresses.get(a)
    }
    return files | {a.rstrip("/") for a in addresses if a.strip("/")}


def _raw_text(path: Path) -> str:
    """A broken file's text as far as it can be read (it has no parsed source)."""
    try:
        return path.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return ""


def _mentions(item: Item) -> str:
    """Everything in a good page that can name a file: its fields and its body."""
    page = item.page
    fields = (page.image, page.cover, page.pdf) if page is not None else ()
    body = item.source.body if item.source is not None else ""
    return "\n".join((*fields, item.html(), body))


def _names(text: str, name: str) -> bool:
    return name in text or quote(name) in text


def _drafts_warned(
    config: Config, items: dict[str, Item], problems: list[Problem]
) -> list[Problem]:
    """The problems, with each error in a draft's file turned into a warning naming it."""
    drafts = {shown(config, rel) for rel, item in items.items() if item.draft}
    message = _("draft left out of the build: {message}")
    return [
        dataclasses.replace(p, message=message.format(message=p.message), severity="warning")
        if p.severity == "error" and p.path in drafts
        else p
        for p in problems
    ]


def signature(path: Path) -> Stamp:
    """What tells a file changed without reading it (`store.stamp`)."""
    return stamp(path)


def _item_of(signed: Stamp, read: ReadFile) -> Item:
    """A file's item from what the reader found: its page, body and problems."""
    draft = read.draft or (read.page is not None and read.page.draft)
    item = Item(signed, read.source, read.page, key=read.key, packed=read.packed, draft=draft)
    if read.page is not None and read.page.language:
        item.own, item.page = read.page, None  # completed from its original before it is used
    if read.page is None:
        item.errors = tuple(p for p in read.problems if p.severity == "error")
        item.warnings = tuple(p for p in read.problems if p.severity != "error")
    else:
        item.warnings = tuple(read.problems)
    return item


def _address(item: Item) -> tuple | None:
    """What of a page other pages' addresses, links and ids depend on (None: not a page)."""
    page = item.page
    if page is None or item.errors:
        return None
    return _addressed(page)


def _addressed(page: Page) -> tuple:
    return (page.source, page.url, page.aliases, page.kind, page.id)


def _links_into(item: Item, moved: set[str]) -> bool:
    """Whether a body may link to a content file whose URL appeared, vanished or changed.

    Links are written with the file's name, so a body not containing it cannot link to it
    (the rendered body keeps links as written, the text may be left out: `reader.py`); a
    bundle's own files decide its attachments, so a change in its folder counts too.
    """
    if not moved or item.source is None:
        return False
    content_rel = item.source.content_rel
    folder = content_rel.rsplit("/", 1)[0] + "/"
    bundle = is_bundle_index(content_rel)
    texts = (item.html(), item.source.body, item.page.pdf if item.page else "")
    for rel in moved:
        name = rel.rsplit("/", 1)[-1]
        if (bundle and rel.startswith(folder)) or any(
            name in text or quote(name) in text for text in texts
        ):
            return True
    return False
