"""One Pagefind index made of the indexes of the parts of a site, without running Pagefind.

A reader's first search should cost what one index costs (one metadata file, one chunk of
words per term), whatever the number of parts an edit keeps cheap. Pagefind's files are
`pagefind_dcd` + CBOR, gzipped: the parts' word lists are joined here with their pages
numbered on, the fragments linked as they are. What this module does not know how to join
(filters, sorts, another layout) it refuses with `Unmergeable`, and the caller indexes the
whole site with Pagefind instead: slower, never wrong.
"""

from __future__ import annotations

import contextlib
import gzip
import heapq
import json
import marshal
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby, pairwise
from pathlib import Path
from typing import Any

import cbor2

from litfass.atomic import link_or_copy, write_whole
from litfass.digests import digest

JOINING = "1"  # the version of the joining below: a new one joins cached parts anew
KNOWN = ("1.5.",)  # the Pagefind versions whose files this joins (tests/write/test_search.py)
SIGNATURE = b"pagefind_dcd"  # before the CBOR of every file Pagefind decodes
ENTRY = "pagefind-entry.json"
WORDS = ".words"  # beside a part in the cache: its words with their pages encoded
CHUNK_LOCATIONS = 20000  # a chunk of words holds about this many locations, as Pagefind cuts
# The layout of a metadata file this module joins: version, pages, chunks, filters, sorts,
# the names of the metadata fields a word was found in.
META_FIELDS = 6

# A word's pages in one part: how many, the first's step and the rest of it encoded, the
# others encoded, the last page's number, and the locations they hold (see `_postings`).
Postings = tuple[int, int, bytes, bytes, int, int]
EncodedWord = tuple[str, Postings, tuple[tuple[str, Postings], ...]]  # with its variants
UNSIGNED, ARRAY, TEXT = 0, 4, 3  # CBOR's major types


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


def merge(folders: list[Path], target: Path, earlier: list[Path]) -> None:
    """Write into `target` one index of the pages of every index in `folders` (in order).

    The first folder brings Pagefind's script and WebAssembly; `target` must not exist.
    Chunks of words that `earlier` joined indexes hold already are linked from them.
    """
    try:
        _merge(folders, target, earlier)
    except (KeyError, IndexError, TypeError, ValueError, cbor2.CBORDecodeError) as error:
        raise Unmergeable(f"an index of another layout: {error!r}") from error


def _merge(folders: list[Path], target: Path, earlier: list[Path]) -> None:
    entries = [json.loads((folder / ENTRY).read_text("utf-8")) for folder in folders]
    first = entries[0]
    if not str(first["version"]).startswith(KNOWN):
        raise Unmergeable(f"Pagefind {first['version']}")
    if any(
        {k: v for k, v in e.items() if k != "languages"}
        != {k: v for k, v in first.items() if k != "languages"}
        for e in entries
    ):
        raise Unmergeable("the parts differ in settings")
    target.mkdir(parents=True)
    for rel, folder in _program_files(folders).items():
        link_or_copy(folder / rel, target / rel)
    languages = {}
    # Each language's pages joined over the parts that have any (a site in several
    # languages: a part may hold none of one), in order of the tags, as `sorted_languages`.
    for language in sorted({tag for e in entries for tag in e["languages"]}):
        having = [(f, e["languages"].get(language)) for f, e in zip(folders, entries, strict=True)]
        found = [(folder, described) for folder, described in having if described is not None]
        parts = [
            Language(folder, _decode(folder / f"pagefind.{described['hash']}.pf_meta"))
            for folder, described in found
        ]
        digest_name, count = _merge_language(language, parts, target, earlier)
        languages[language] = {**found[0][1], "hash": digest_name, "page_count": count}
    write_entry(target / ENTRY, {**first, "languages": languages})


def prepare(folder: Path) -> None:
    """Decode a part's words for joining (`_encoded_words`) as soon as Pagefind has made it:
    in its thread, while Pagefind makes other parts, not in turn after the last of them.
    What cannot be decoded is left for `merge` to refuse."""
    failures = (OSError, Unmergeable, KeyError, IndexError, TypeError, ValueError)
    with contextlib.suppress(*failures, cbor2.CBORDecodeError):
        entry = json.loads((folder / ENTRY).read_text("utf-8"))
        for language, described in entry["languages"].items():
            meta = _decode(folder / f"pagefind.{described['hash']}.pf_meta")
            _encoded_words(Language(folder, meta), language)


def write_entry(path: Path, entry: dict[str, Any]) -> None:
    """Pagefind's `pagefind-entry.json`, written as Pagefind writes it."""
    text = json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
    write_whole(path, text.encode(), durable=False)


def sorted_languages(path: Path) -> None:
    """Pagefind's entry with its languages in order of their tags. Pagefind lists them in
    the order of a hash map, which is another in each run: the same pages would give
    another file, and an index joined from parts another one again."""
    entry = json.loads(path.read_text("utf-8"))
    if len(entry["languages"]) > 1:
        write_entry(path, {**entry, "languages": dict(sorted(entry["languages"].items()))})


def _program_files(folders: list[Path]) -> dict[str, Path]:
    """The script, worker and WebAssembly (of each language some part has), each from the
    first part that has it: every index of one Pagefind has them alike."""
    found: dict[str, Path] = {}
    for folder in folders:
        for path in sorted(folder.iterdir()):
            if path.is_file() and path.name != ENTRY and not path.name.endswith(".pf_meta"):
                found.setdefault(path.name, folder)
    return found


def _merge_language(
    language: str, parts: list[Language], target: Path, earlier: list[Path]
) -> tuple[str, int]:
    """Join one language's pages, words and fragments; its metadata file's name and pages."""
    for part in parts:
        meta = part.meta
        if len(meta) != META_FIELDS or meta[3] or meta[4] or meta[5] != parts[0].meta[5]:
            raise Unmergeable("filters, sorts or metadata fields")
    pages = _merge_fragments(parts, target)
    offsets = [sum(p.pages for p in parts[:n]) for n in range(len(parts))]
    words = [_encoded_words(part, language) for part in parts]
    chunks = []
    for chunk in _chunks(_joined_words(words, offsets)):
        encoded = b"\x81" + _head(ARRAY, len(chunk)) + b"".join(word for _, word, _ in chunk)
        name = _write_chunk(target / "index", language, encoded, earlier)
        chunks.append([chunk[0][0], chunk[-1][0], name])
    _narrow(chunks)
    meta = [parts[0].meta[0], pages, chunks, [], [], parts[0].meta[5]]
    encoded = cbor2.dumps(meta)
    name = f"{language}_{digest(encoded).hex()[:10]}"
    _save(target / f"pagefind.{name}.pf_meta", encoded)
    return name, len(pages)


def _merge_fragments(parts: list[Language], target: Path) -> list[list[Any]]:
    """Every part's pages in order, their fragments linked; a name two parts use for two
    different fragments is made longer for the second, as Pagefind does within one index."""
    folder = target / "fragment"
    folder.mkdir(exist_ok=True)
    pages: list[list[Any]] = []
    for part in parts:
        fragments = f"{part.folder}/fragment"
        for name, *rest in part.meta[1]:
            pages.append([_link_fragment(f"{fragments}/{name}.pf_fragment", folder, name), *rest])
    return pages


def _link_fragment(source: str, folder: Path, name: str) -> str:
    """Link one fragment into the joined index, under its name or a longer one."""
    while os.path.exists(target := f"{folder}/{name}.pf_fragment"):
        data = Path(source).read_bytes()
        if Path(target).read_bytes() == data:
            return name  # the same page twice: one file, as Pagefind does
        name += digest(data).hex()[len(name) % 64]
    link_or_copy(Path(source), Path(target))
    return name


def _encoded_words(part: Language, language: str) -> list[EncodedWord]:
    """A part's words with their pages encoded, kept beside the part (`KEY.words`): a part
    is decoded once, when it is first joined."""
    kept = part.folder.with_name(f"{part.folder.name}.{language}.{JOINING}{WORDS}")
    with contextlib.suppress(OSError, ValueError, EOFError, TypeError):
        return marshal.loads(kept.read_bytes())
    words = [
        (word[0], _postings(word[1]), tuple((form, _postings(pages)) for form, pages in word[2]))
        for chunk in part.meta[2]
        for word in _decode(part.folder / "index" / f"{chunk[2]}.pf_index")[0]
    ]
    write_whole(kept, marshal.dumps(words), durable=False)
    return words


def _postings(pages: list[Any]) -> Postings:
    """One word's pages in one part: each page is stored as the step from the page before
    it (the first from 0), so joining changes only the first, which is kept apart."""
    if not pages:
        return (0, 0, b"", b"", 0, 0)
    for page in pages:
        if len(page) != 3 or not isinstance(page[0], int) or page[0] < 0:
            raise Unmergeable("a page of a word in another layout")
    first = pages[0]
    tail = cbor2.dumps(first)[1 + len(_head(UNSIGNED, first[0])) :]
    rest = cbor2.dumps(pages[1:])[len(_head(ARRAY, len(pages) - 1)) :]
    last = sum(page[0] for page in pages)
    return (len(pages), first[0], tail, rest, last, sum(len(page[1]) + 1 for page in pages))


def _joined_words(
    parts: list[list[EncodedWord]], offsets: list[int]
) -> Iterator[tuple[str, bytes, int]]:
    """Every word of the parts in order, encoded, its pages numbered on after the parts
    before; with the locations it holds."""
    streams = [_numbered(number, words) for number, words in enumerate(parts)]
    for text, group in groupby(heapq.merge(*streams), key=lambda w: w[0]):
        found = [(offsets[number], word) for _, number, word in group]
        pages, size = _joined_postings([(offset, word[1]) for offset, word in found])
        forms: dict[str, list[tuple[int, Postings]]] = {}
        for offset, word in found:
            for form, postings in word[2]:
                forms.setdefault(form, []).append((offset, postings))
        variants = [
            b"\x82" + _text(form) + _joined_postings(forms[form])[0] for form in sorted(forms)
        ]
        encoded = b"\x83" + _text(text) + pages + _head(ARRAY, len(variants)) + b"".join(variants)
        yield text, encoded, size


def _numbered(number: int, words: list[EncodedWord]) -> Iterator[tuple[str, int, EncodedWord]]:
    """A part's words, each with the part's number: a word found in several parts is
    joined in the parts' order."""
    for word in words:
        yield word[0], number, word


def _joined_postings(lists: list[tuple[int, Postings]]) -> tuple[bytes, int]:
    """Page lists of several parts as one, encoded; and the locations they hold."""
    encoded: list[bytes] = []
    count = last = size = 0
    for offset, (pages, first, tail, rest, part_last, part_size) in lists:
        if pages:
            encoded += (b"\x83", _head(UNSIGNED, offset + first - last), tail, rest)
            count, last, size = count + pages, offset + part_last, size + part_size
    return _head(ARRAY, count) + b"".join(encoded), size


def _chunks(words: Iterator[tuple[str, bytes, int]]) -> Iterator[list[tuple[str, bytes, int]]]:
    """Words in chunks of about CHUNK_LOCATIONS locations, as Pagefind cuts its index."""
    chunk: list[tuple[str, bytes, int]] = []
    size = 0
    for word in words:
        chunk.append(word)
        size += word[2]
        if size >= CHUNK_LOCATIONS:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _head(major: int, number: int) -> bytes:
    """A CBOR item's head: its major type and a number (a length, or the integer itself),
    in the shortest form, as Pagefind's encoder and cbor2 write it."""
    if number < 24:
        return bytes([major << 5 | number])
    for extra, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if number < 1 << (8 * size):
            return bytes([major << 5 | extra]) + number.to_bytes(size, "big")
    raise Unmergeable("a number too large for CBOR")


def _text(text: str) -> bytes:
    data = text.encode()
    return _head(TEXT, len(data)) + data


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


def _write_chunk(folder: Path, language: str, encoded: bytes, earlier: list[Path]) -> str:
    """A chunk of words named by its content's digest, as Pagefind names its files (longer
    where two chunks' names would be the same), linked where an earlier index has it."""
    hexdigest = digest(encoded).hex()
    folder.mkdir(exist_ok=True)
    length = 7
    while (folder / f"{language}_{hexdigest[:length]}.pf_index").exists():
        length += 1
    name = f"{language}_{hexdigest[:length]}"
    for index in earlier:
        made = index / "index" / f"{name}.pf_index"
        with contextlib.suppress(OSError, EOFError, zlib.error):
            # Names are short: a file is taken only if it holds these very words.
            if gzip.decompress(made.read_bytes()) == SIGNATURE + encoded:
                link_or_copy(made, folder / f"{name}.pf_index")
                return name
    _save(folder / f"{name}.pf_index", encoded)
    return name


def _save(path: Path, encoded: bytes) -> None:
    # mtime=0: the same index is the same bytes, whenever it is made
    write_whole(path, gzip.compress(SIGNATURE + encoded, compresslevel=6, mtime=0), durable=False)


def _decode(path: Path) -> Any:
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(SIGNATURE):
        raise Unmergeable(f"{path.name}: not a file of Pagefind's index")
    return cbor2.loads(data[len(SIGNATURE) :])
