"""One Pagefind index made of the indexes of the parts of a site, without running Pagefind.

A reader's first search should cost what one index costs (one metadata file, one chunk of
words per term), whatever the number of parts an edit keeps cheap. Pagefind's files are
`pagefind_dcd` + CBOR, gzipped: the parts' word lists are joined here with their pages
numbered on, the fragments linked as they are. What this module does not know how to join
(filters, sorts, another layout) it refuses with `Unmergeable`, and the caller indexes the
whole site with Pagefind instead: slower, never wrong.
"""

from __future__ import annotations

import gzip
import hashlib
import heapq
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby, pairwise
from pathlib import Path
from typing import Any

import cbor2

JOINING = "1"  # the version of the joining below: a new one joins cached parts anew
KNOWN = ("1.5.",)  # the Pagefind versions whose files this joins (tests/test_search.py)
SIGNATURE = b"pagefind_dcd"  # before the CBOR of every file Pagefind decodes
ENTRY = "pagefind-entry.json"
CHUNK_LOCATIONS = 20000  # words per index chunk, counted as Pagefind counts them
# The layout of a metadata file this module joins: version, pages, chunks, filters, sorts,
# the names of the metadata fields a word was found in.
META_FIELDS = 6

Word = list[Any]  # [word, [[page step, positions, field positions], ...], [[variant, pages]]]


class Unmergeable(Exception):
    """The parts hold what joining does not know (filters, sorts, a new layout)."""


@dataclass(frozen=True)
class Language:
    """One language's index in one part: its metadata and where its files are."""

    folder: Path
    meta: list[Any]

    @property
    def pages(self) -> int:
        return len(self.meta[1])


def merge(folders: list[Path], target: Path) -> None:
    """Write into `target` one index of the pages of every index in `folders` (in order).

    The first folder brings Pagefind's script and WebAssembly; `target` must not exist.
    """
    try:
        _merge(folders, target)
    except (KeyError, IndexError, TypeError, ValueError, cbor2.CBORDecodeError) as error:
        raise Unmergeable(f"an index of another layout: {error!r}") from error


def _merge(folders: list[Path], target: Path) -> None:
    entries = [json.loads((folder / ENTRY).read_text("utf-8")) for folder in folders]
    first = entries[0]
    if not str(first["version"]).startswith(KNOWN):
        raise Unmergeable(f"Pagefind {first['version']}")
    if any(e["languages"].keys() != first["languages"].keys() for e in entries) or any(
        {k: v for k, v in e.items() if k != "languages"}
        != {k: v for k, v in first.items() if k != "languages"}
        for e in entries
    ):
        raise Unmergeable("the parts differ in languages or settings")
    target.mkdir(parents=True)
    for rel in _program_files(folders[0]):
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        os.link(folders[0] / rel, target / rel)
    languages = {}
    for language, described in first["languages"].items():
        parts = [
            Language(
                folder, _decode(folder / f"pagefind.{e['languages'][language]['hash']}.pf_meta")
            )
            for folder, e in zip(folders, entries, strict=True)
        ]
        digest_name, count = _merge_language(language, parts, target)
        languages[language] = {**described, "hash": digest_name, "page_count": count}
    entry = {**first, "languages": languages}
    text = json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
    (target / ENTRY).write_text(text, "utf-8")


def _program_files(folder: Path) -> Iterator[str]:
    """The script, worker and WebAssembly: what every index of one Pagefind has alike."""
    for path in sorted(folder.iterdir()):
        if path.is_file() and path.name != ENTRY and not path.name.endswith(".pf_meta"):
            yield path.name


def _merge_language(language: str, parts: list[Language], target: Path) -> tuple[str, int]:
    """Join one language's pages, words and fragments; its metadata file's name and pages."""
    for part in parts:
        meta = part.meta
        if len(meta) != META_FIELDS or meta[3] or meta[4] or meta[5] != parts[0].meta[5]:
            raise Unmergeable("filters, sorts or metadata fields")
    pages = _merge_fragments(parts, target)
    offsets = [sum(p.pages for p in parts[:n]) for n in range(len(parts))]
    chunks = []
    for words in _chunks(_joined_words(parts, offsets)):
        name = _write(target / "index", language, ".pf_index", [words])
        chunks.append([words[0][0], words[-1][0], name])
    _narrow(chunks)
    meta = [parts[0].meta[0], pages, chunks, [], [], parts[0].meta[5]]
    encoded = cbor2.dumps(meta)
    name = f"{language}_{hashlib.sha256(encoded).hexdigest()[:10]}"
    _save(target / f"pagefind.{name}.pf_meta", encoded)
    return name, len(pages)


def _merge_fragments(parts: list[Language], target: Path) -> list[list[Any]]:
    """Every part's pages in order, their fragments linked; a name two parts use for two
    different fragments is made longer for the second, as Pagefind does within one index."""
    (target / "fragment").mkdir(exist_ok=True)
    pages: list[list[Any]] = []
    for part in parts:
        for page in part.meta[1]:
            name, *rest = page
            source = part.folder / "fragment" / f"{name}.pf_fragment"
            data = source.read_bytes()
            while (existing := target / "fragment" / f"{name}.pf_fragment").exists():
                if existing.read_bytes() == data:
                    break
                name += hashlib.sha256(data).hexdigest()[len(name) % 64]
            else:
                os.link(source, existing)
            pages.append([name, *rest])
    return pages


def _joined_words(parts: list[Language], offsets: list[int]) -> Iterator[Word]:
    """Every word of the parts in order, its pages numbered on after the parts before."""
    streams = [_numbered(number, part) for number, part in enumerate(parts)]
    for text, group in groupby(heapq.merge(*streams, key=lambda w: w[:2]), key=lambda w: w[0]):
        found = [(offsets[number], word) for _, number, word in group]
        pages = _renumbered([(offset, word[1]) for offset, word in found])
        forms: dict[str, list[tuple[int, list[Any]]]] = {}
        for offset, word in found:
            for form, form_pages in word[2]:
                forms.setdefault(form, []).append((offset, form_pages))
        variants = [[form, _renumbered(forms[form])] for form in sorted(forms)]
        yield [text, pages, variants]


def _numbered(number: int, part: Language) -> Iterator[tuple[str, int, Word]]:
    """A part's words, each with the part's number: a word found in several parts is
    joined in the parts' order."""
    for word in _words(part):
        yield word[0], number, word


def _words(part: Language) -> Iterator[Word]:
    """A part's words in the order of its chunks (sorted), one chunk decoded at a time."""
    for chunk in part.meta[2]:
        yield from _decode(part.folder / "index" / f"{chunk[2]}.pf_index")[0]


def _renumbered(lists: list[tuple[int, list[Any]]]) -> list[Any]:
    """Page lists of several parts as one: each page is stored as the step from the one
    before it, so only each part's first page changes."""
    joined: list[Any] = []
    last = 0
    for offset, pages in lists:
        if not pages:
            continue
        step, *rest = pages[0]
        joined.append([offset + step - last, *rest])
        joined.extend(pages[1:])
        last = offset + sum(page[0] for page in pages)
    return joined


def _chunks(words: Iterator[Word]) -> Iterator[list[Word]]:
    """Words in chunks of about CHUNK_LOCATIONS locations, as Pagefind cuts its index."""
    chunk: list[Word] = []
    size = 0
    for word in words:
        chunk.append(word)
        size += sum(len(page[1]) + 1 for page in word[1])
        if size >= CHUNK_LOCATIONS:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _narrow(chunks: list[list[str]]) -> None:
    """Each chunk's bounds cut to the shortest prefixes that still tell it from the next:
    the script looks up a prefix of a word in the chunk whose bounds hold it."""
    for before, after in pairwise(chunks):
        common = 0
        for a, b in zip(before[1], after[0], strict=False):
            if a != b:
                break
            common += 1
        before[1], after[0] = before[1][: common + 1], after[0][: common + 1]


def _write(folder: Path, language: str, suffix: str, value: object) -> str:
    """A file named by its content's digest, as Pagefind names its index files (longer
    where two chunks' names would be the same)."""
    encoded = cbor2.dumps(value)
    digest = hashlib.sha256(encoded).hexdigest()
    folder.mkdir(exist_ok=True)
    length = 7
    while (folder / f"{language}_{digest[:length]}{suffix}").exists():
        length += 1
    name = f"{language}_{digest[:length]}"
    _save(folder / f"{name}{suffix}", encoded)
    return name


def _save(path: Path, encoded: bytes) -> None:
    # mtime=0: the same index is the same bytes, whenever it is made
    path.write_bytes(gzip.compress(SIGNATURE + encoded, compresslevel=6, mtime=0))


def _decode(path: Path) -> Any:
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(SIGNATURE):
        raise Unmergeable(f"{path.name}: not a file of Pagefind's index")
    return cbor2.loads(data[len(SIGNATURE) :])
