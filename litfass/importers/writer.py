"""Write imported items into content/ as Markdown files, never over an existing file.

Each written file names where it came from (`# imported from <old URL>` and its `aliases`),
so a second run recognises what it imported before and adds only what is new. Every file is
written whole or not at all, and what one run wrote can be taken back as a whole.
"""

from __future__ import annotations

import contextlib
import posixpath
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import yaml

from litfass.addresses import read_record
from litfass.atomic import Data, sync_folders, write_whole
from litfass.config import Config, Settings
from litfass.content.files import find_files
from litfass.content.frontmatter import read_source
from litfass.content.model import NEWS, PAGE
from litfass.content.pages import DATE_PREFIX_LEN
from litfass.engine.oneshot import declare_outputs, load_site
from litfass.errors import LitfassError, Problem
from litfass.i18n import _
from litfass.importers.items import Item, old_path
from litfass.importers.paths import (
    address_key,
    inside_content,
    marked_url,
    plain_slug,
    strict_date,
)
from litfass.outputs.declare import path_problems
from litfass.site import BuildOptions
from litfass.write.disk import reason

MARK = "# imported from "
_LINK = re.compile(r"(\]\()(/[^)\s]*)")  # the target of a Markdown link to a path on the site
_MARK_LINE = re.compile(r"^# imported from (\S+)\s*$", re.M)
FOLDER = {NEWS: "news", PAGE: "pages"}
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's when PyYAML has it
Locate = Callable[[str], "Path | None"]  # an old file URL -> the file in a local copy, if there


@dataclass(frozen=True)
class Outcome:
    """What became of one item: the file written (content-relative), or why not."""

    item: Item
    path: str = ""  # "" when the item was imported before
    copied: tuple[str, ...] = ()  # file names copied into the item's folder
    missing: tuple[tuple[str, str], ...] = ()  # (old URL, file name) to bring by hand
    aliases: tuple[str, ...] = ()  # the old addresses that now redirect to it
    gone: str = ""  # the address it had here, which an editor deleted: not written again

    @property
    def written(self) -> bool:
        return bool(self.path)


class ContentWriter:
    """Writes items into one site's content/, remembering what is there already."""

    def __init__(
        self,
        config: Config,
        now: datetime,
        locate: Locate | None = None,
        restore: bool = False,
    ) -> None:
        self.config, self.now, self.locate, self.restore = config, now, locate, restore
        self.known: set[str] = set()  # old URLs and aliases of every content file
        self.slugs: dict[str, set[str]] = {NEWS: set(), PAGE: set()}
        self.claimed: set[str] = set()  # every address and alias there, as address_key has it
        # Addresses of items editors deleted (the record's 410s): what a new run must not revive.
        self.gone = {
            address_key(url): url
            for entry in read_record(config.root)
            if entry.gone
            for url in entry.urls
        }
        self.created: list[Path] = []  # files and folders this run made, in order
        self.claimed.update(_site_addresses(config, now))
        self.folders: dict[str, tuple[str, ...]] = {}  # a page's old URL -> its children's folders
        self.sources: dict[str, str] = {}  # an old address (as _key has it) -> the file now
        self.written: list[str] = []  # content-relative, in the order written
        self.unflushed: set[Path] = set()  # folders whose new names are not on the disk yet
        for rel, old in _existing(config):
            self.known.update(old)
            self.claimed.update(address_key(a) for a in old if a.startswith("/"))
            self._remember(rel, old)
            kind = {"news": NEWS, "pages": PAGE}.get(rel.split("/", 1)[0])
            if kind:
                self._take(kind, _slug_of(rel))

    def write(self, item: Item) -> Outcome:
        """Write `item` unless it was imported before; copy or list the files it uses."""
        if self.imported(item):
            return Outcome(item)
        item = replace(item, slug=plain_slug(item.slug), date=strict_date(item.date))
        gone = self.gone.get(address_key(self._url(item.kind, item.slug)))
        if gone and not self.restore:
            return Outcome(item, gone=gone)
        item = replace(item, folders=self.folders.get(item.parent, item.folders))
        slug = self._free_slug(item)
        files = item.files
        parts = self._parts(item, slug, bundle=bool(files))
        target = inside_content(self.config.content_path, parts)
        aliases = self._aliases(item, slug)
        self._make_folders(target.parent)
        self._write(target, self._text(item, aliases).encode("utf-8"))
        self.created.append(target)
        self.known.update(a for a in (item.old_url, marked_url(item.old_url), *aliases) if a)
        self.claimed.update(address_key(a) for a in aliases)
        self._take(item.kind, slug)
        self.folders[item.old_url] = (*item.folders, slug)
        rel = "/".join(parts)
        self._remember(rel, (item.old_url, *aliases))
        self.written.append(rel)
        copied, missing = self._bring(files, parts[:-1])
        return Outcome(item, rel, copied, missing, aliases)

    def _write(self, path: Path, data: Data, create: bool = True) -> None:
        """One file, whole or not at all, flushed (content/ is the only copy); a disk that
        refuses it stops the import, which the command then takes back."""
        try:
            write_whole(path, data, durable=True, create=create, folders=self.unflushed)
        except OSError as exc:
            rel = path.relative_to(self.config.content_path).as_posix()
            message = _("cannot write the file ({reason}); nothing was imported")
            raise LitfassError.at(
                f"{self.config.content_dir}/{rel}", 0, message.format(reason=reason(exc))
            ) from None

    def flush(self) -> None:
        """Flush the folders the written files are named in, once each, when all are written."""
        sync_folders(self.unflushed)

    def roll_back(self) -> None:
        """Remove every file and folder this run made (a folder only if it is empty again)."""
        for path in reversed(self.created):
            with contextlib.suppress(OSError):  # an editor's file in a folder keeps the folder
                if path.is_dir():
                    path.rmdir()
                else:
                    path.unlink()
        self.created.clear()

    def _make_folders(self, folder: Path) -> None:
        """Make `folder` and its missing parents, remembering each to take back."""
        missing = []
        while not folder.exists() and folder != folder.parent:
            missing.append(folder)
            folder = folder.parent
        for made in reversed(missing):
            made.mkdir()
            self.created.append(made)

    def relink(self) -> int:
        """Point links between the items written at their files instead of their old addresses.

        Run once all are written: an item may link to one further down the export. A link to
        a file becomes its address when the site is built, and `check` sees if it breaks.
        """
        changed = 0
        for rel in self.written:
            path = self.config.content_path / rel
            head, body = path.read_text(encoding="utf-8").split("\n---\n", 1)
            links = [
                (m.start(2), m.end(2), self._file_for(m[2], rel)) for m in _LINK.finditer(body)
            ]
            for start, end, target in reversed([link for link in links if link[2]]):
                body = body[:start] + target + body[end:]
                changed += 1
            if any(target for _, _, target in links):
                self._write(path, f"{head}\n---\n{body}".encode(), create=False)
        return changed

    def _file_for(self, address: str, rel: str) -> str:
        """The written file an old address in `rel` stands for, relative to `rel`; or ""."""
        target = self.sources.get(_key(address))
        if target is None or target == rel:
            return ""
        return posixpath.relpath(target, posixpath.dirname(rel))

    def _remember(self, rel: str, old: Iterable[str]) -> None:
        for address in old:
            key = _key(old_path(address) if address.startswith(("http:", "https:")) else address)
            if key:
                self.sources.setdefault(key, rel)

    def imported(self, item: Item) -> bool:
        """Whether a content file stands for `item`: marked with its old URL, or with that
        URL's path among its aliases (an item an editor moved over by hand, say).

        Not by WordPress's short forms ('/?p=12'): two merged blogs share those.
        """
        own = old_path(item.old_url)
        return bool(item.old_url) and (
            item.old_url in self.known
            or marked_url(item.old_url) in self.known
            or (bool(own) and own in self.known)
        )

    def _free_slug(self, item: Item) -> str:
        taken = self.slugs[item.kind]
        slug, number = item.slug, 2
        while slug in taken or self._exists(item, slug) or self._claimed(item.kind, slug):
            slug, number = f"{item.slug}-{number}", number + 1
        return slug

    def _claimed(self, kind: str, slug: str) -> bool:
        """Whether the address `slug` gives is an alias of another item already."""
        return address_key(self._url(kind, slug)) in self.claimed

    def _exists(self, item: Item, slug: str) -> bool:
        content = self.config.content_path
        return any(
            content.joinpath(*self._parts(item, slug, bundle)).exists()
            or content.joinpath(*self._parts(item, slug, bundle)).parent.is_file()
            for bundle in (False, True)
        )

    def _parts(self, item: Item, slug: str, bundle: bool) -> tuple[str, ...]:
        """The path below content/ as its parts, each one checked by `inside_content`."""
        name = f"{self._date(item)[:10]}-{slug}" if item.kind == NEWS else slug
        folder = (FOLDER[item.kind], *item.folders)
        return (*folder, name, "index.md") if bundle else (*folder, f"{name}.md")

    def _date(self, item: Item) -> str:
        return strict_date(item.date) or self.now.strftime("%Y-%m-%d %H:%M")

    def _text(self, item: Item, aliases: tuple[str, ...]) -> str:
        meta: dict[str, Any] = {"title": item.title}
        if item.kind == NEWS:
            meta["date"] = self._date(item)
        optional = {
            "category": item.category,
            "tags": list(item.tags),
            "summary": item.summary,
            "contact": {"name": item.contact} if item.contact else None,
            "image": item.image,
            "image_alt": item.image_alt if item.image else "",
            "menu": item.menu,
            "aliases": list(aliases),
        }
        meta.update((key, value) for key, value in optional.items() if value)
        if item.draft:
            meta["draft"] = True
        # Every value goes through the YAML emitter; the one comment line is a URL quoted so
        # that it holds no space or line break (a newline in <link> cannot add a key).
        front = yaml.dump(meta, Dumper=_DUMPER, allow_unicode=True, sort_keys=False, width=1000)
        return f"---\n{MARK}{marked_url(item.old_url)}\n{front}---\n{item.body}"

    def _aliases(self, item: Item, slug: str) -> tuple[str, ...]:
        """The old addresses once each as the build compares them (`/rss-2/` and `/rss-2` are
        one), less those that are an address of the site now (the item's own too)."""
        seen = {address_key(self._url(item.kind, slug))}
        kept = []
        for alias in item.aliases:
            key = address_key(alias)
            if key not in seen and key not in self.claimed:
                seen.add(key)
                kept.append(alias)
        return tuple(kept)

    def _take(self, kind: str, slug: str) -> None:
        self.slugs[kind].add(slug)
        self.claimed.add(address_key(self._url(kind, slug)))

    def _url(self, kind: str, slug: str) -> str:
        pattern = self.config.urls.news if kind == NEWS else self.config.urls.pages
        return pattern.replace("{slug}", slug).rstrip("/")

    def _bring(
        self, files: tuple[tuple[str, str], ...], folder: tuple[str, ...]
    ) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
        """Copy each file from the local copy into the item's folder; list those not found."""
        copied, missing = [], []
        for url, name in files:
            found = self.locate(url) if self.locate else None
            target = inside_content(self.config.content_path, (*folder, name))
            if found is None:
                missing.append((url, name))
            elif not target.exists():
                self._write(target, found)
                self.created.append(target)
                copied.append(name)
        return tuple(copied), tuple(missing)


def _site_addresses(config: Config, now: datetime) -> set[str]:
    """Every address a build of the site as it is answers (listings, feeds, topic pages,
    items, redirects), as address_key has them; refused if that site does not build.

    An import adds to a site that builds, or it does not start: nothing is written.
    """
    options = BuildOptions(now=now, drafts=True, future=True)
    try:
        settings = Settings(config.root, config)  # as the command read it: not read again
        site, problems = load_site(config.root, options, lenient=True, settings=settings)
        outputs = declare_outputs(site)
        problems += path_problems(outputs, config)
    except LitfassError as exc:
        outputs, problems = [], list(exc.problems)
    errors = [problem for problem in problems if problem.severity == "error"]
    if errors:
        message = _("the site does not build as it is: fix the errors above, then import")
        raise LitfassError([*errors, Problem(config.content_dir, 0, message)])
    return {address_key("/" + output.path.removesuffix("index.html")) for output in outputs}


def _existing(config: Config) -> Iterator[tuple[str, set[str]]]:
    """Each content file with the old addresses it stands for (its mark and its aliases)."""
    try:
        files, _ = find_files(config)
    except LitfassError:
        return  # no content/ yet: nothing was imported before
    for path, rel in files.markdown:
        old: set[str] = set()
        try:
            source = read_source(path, rel, rel)
        except LitfassError:
            yield rel, old
            continue
        aliases = source.meta.data.get("aliases") or []
        old.update(a for a in ([aliases] if isinstance(aliases, str) else aliases) if a)
        old.update(_MARK_LINE.findall(path.read_text(encoding="utf-8", errors="replace")[:4096]))
        yield rel, {str(a) for a in old}


def _key(address: str) -> str:
    """An old address as links and aliases both write it: decoded, without the final '/'."""
    return unquote(address).rstrip("/") if address.startswith("/") else ""


def _slug_of(rel: str) -> str:
    """The slug a content file's name gives (what `new` and the build derive too)."""
    name = Path(rel)
    stem = name.parent.name if name.name == "index.md" else name.stem
    if stem[:4].isdigit() and stem[4:5] == "-" and len(stem) > DATE_PREFIX_LEN:
        stem = stem[DATE_PREFIX_LEN:]
    return stem
