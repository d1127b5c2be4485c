"""What a publish must do: the files of output/ against the manifest the last publish left.

The order keeps the live site whole at every moment: what pages use goes up before them,
pages before the server's rules that send readers to them, and deletions come last.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from litfass.digests import digest
from litfass.folders import COMPRESSED_SUFFIXES
from litfass.write.disk import files_below

MANIFEST = ".litfass-manifest.json"  # on the server: what the last publish put there
TEMPORARY = ".litfass-upload-"  # a file on its way up, renamed over its real name when whole
# Files that send readers on (the web server's rules): up only once the pages they name are.
RULES = {".htaccess", "redirects.nginx", "_redirects", "_headers"}
# Files that list pages (feeds, calendars, sitemap, the search index): after the pages.
LISTS = (".xml", ".ics", ".json", ".txt", ".webmanifest")
_REFERENCE = re.compile(rb"""\s(?:href|src|srcset)\s*=\s*["']([^"']+)""", re.I)


@dataclass(frozen=True)
class Entry:
    """A file of the site as the manifest records it: its size and a digest of its bytes."""

    size: int
    digest: str


@dataclass(frozen=True)
class Plan:
    """The uploads in the order they must happen, then the files to delete."""

    local: dict[str, Entry]
    uploads: tuple[str, ...]
    deletes: tuple[str, ...]
    new: frozenset[str]

    @property
    def empty(self) -> bool:
        return not self.uploads and not self.deletes


def local_files(output: Path) -> dict[str, Entry]:
    """Every file of the built site with its size and digest (litfass's own files left out)."""
    files = {}
    for rel in sorted(files_below(output)):
        if any(part.startswith(".litfass") for part in rel.split("/")):
            continue
        path = output.joinpath(*rel.split("/"))
        files[rel] = Entry(path.stat().st_size, digest(path).hex())
    return files


def read_manifest(data: bytes | None) -> dict[str, Entry]:
    """The manifest's entries; none (a first publish, or an unreadable one: all go up again)."""
    if not data:
        return {}
    try:
        files = json.loads(data)["files"]
        return {str(rel): Entry(int(size), str(hexed)) for rel, (size, hexed) in files.items()}
    except (ValueError, KeyError, TypeError, AttributeError):
        return {}


def manifest_bytes(files: dict[str, Entry]) -> bytes:
    """The manifest for `files`, sorted (a publish of the same site writes the same bytes)."""
    entries = {rel: [entry.size, entry.digest] for rel, entry in sorted(files.items())}
    return json.dumps({"files": entries}, indent=0, sort_keys=True).encode() + b"\n"


def plan(local: dict[str, Entry], remote: dict[str, Entry], read: Callable[[str], bytes]) -> Plan:
    """What differs, ordered: by rank, new before changed, a new page after the new pages it
    links to (as far as links do not go round in a circle), then by path.

    `read` gives a file's bytes, to find the links of the pages that go up.
    """
    changed = [rel for rel, entry in local.items() if remote.get(rel) != entry]
    new = frozenset(rel for rel in changed if rel not in remote)
    uploads = sorted(changed, key=lambda rel: (rank(rel), rel not in new, rel))
    uploads = _linked_first(uploads, new, read)
    deletes = sorted((rel for rel in remote if rel not in local), key=lambda rel: (-rank(rel), rel))
    return Plan(local, tuple(uploads), tuple(deletes), new)


def rank(rel: str) -> int:
    """0 assets (images, styles, scripts, documents), 1 pages, 2 lists of pages, 3 rules."""
    name = posixpath.basename(rel)
    for suffix in COMPRESSED_SUFFIXES:  # a page's .gz goes with the page
        name = name.removesuffix(suffix)
    if name in RULES:
        return 3
    if name.endswith(".html"):
        return 1
    if name.endswith(LISTS):
        return 2
    return 0


def _linked_first(
    uploads: list[str], new: frozenset[str], read: Callable[[str], bytes]
) -> list[str]:
    """`uploads` with each page moved after the new pages it links to (depth first)."""
    placed: dict[str, None] = {}
    visiting: set[str] = set()

    def place(rel: str) -> None:
        if rel in placed or rel in visiting:
            return  # placed already, or a circle of links: the path order decides
        visiting.add(rel)
        if rel.endswith(".html"):
            for target in sorted(links(rel, read(rel)) & new):
                if rank(target) == rank(rel):
                    place(target)
        visiting.discard(rel)
        placed[rel] = None

    for rel in uploads:
        place(rel)
    return list(placed)


def links(rel: str, page: bytes) -> set[str]:
    """The files of the site a page at `rel` links to or shows (href, src, srcset)."""
    found = set()
    for value in _REFERENCE.findall(page):
        for candidate in value.decode("utf-8", "replace").split(","):
            url = candidate.strip().split(" ")[0]
            parts = urlsplit(url)
            if parts.scheme or parts.netloc or not parts.path:
                continue
            path = unquote(parts.path)
            if not path.startswith("/"):
                path = posixpath.join("/", posixpath.dirname(rel), path)
            target = posixpath.normpath(path).lstrip("/")
            found.add(f"{target}/index.html".lstrip("/") if path.endswith("/") else target)
    return found


def emptied_folders(plan: Plan) -> list[str]:
    """Folders that held deleted files and hold nothing of the site now, deepest first."""
    kept = {posixpath.dirname(rel) for rel in plan.local}
    kept |= {parent for folder in list(kept) for parent in _parents(folder)}
    gone = {parent for rel in plan.deletes for parent in _parents(posixpath.dirname(rel))}
    return sorted(gone - kept - {""}, key=lambda folder: (-folder.count("/"), folder))


def _parents(folder: str) -> list[str]:
    """`a/b/c`, `a/b`, `a`."""
    parts = folder.split("/") if folder else []
    return ["/".join(parts[:end]) for end in range(len(parts), 0, -1)]


def temporary_name(rel: str) -> str:
    """Where a file is uploaded before it is renamed over `rel`: beside it, hidden."""
    folder, name = posixpath.split(rel)
    return posixpath.join(folder, TEMPORARY + name)
