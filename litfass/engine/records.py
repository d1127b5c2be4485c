"""What each output of the site read while it was made, and whether that is different now.

An output is made again only when something it read changed: the dependencies are recorded
as the output is rendered (through `TrackedSite`), never guessed from template names.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import inspect
import operator
import os
import pickle
import sqlite3
from array import array
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path, PosixPath, PurePosixPath, PureWindowsPath, WindowsPath
from types import CodeType
from typing import Any, NamedTuple, cast
from zoneinfo import ZoneInfo

import jinja2
import jinja2.meta

from litfass.config import Config, NavItem
from litfass.content.images import Picture, Variant
from litfass.content.model import Contact, EventInfo, Location, Page, Term
from litfass.digests import hasher
from litfass.engine.store import file_digest
from litfass.outputs import Output
from litfass.site import Site

MISSING = "<missing>"

# A read is a path from a root (the site, or one name in the output's context) through
# attributes, keys, indexes, slices and calls, named as a template writes it (`describe`:
# `site.news[0:10]`); the digest of the value at the end of the path is kept (`Digests`) and
# compared with the digest of the value there in the next rebuild, in this process or the next.

SITE = ("site",)
NEVER = (("never",),)  # read something that cannot be compared: make the output every time
_VALUES = (str, int, float, date, datetime, Term, NavItem, Page, Config)


class TrackedSite:
    """The Site as an output sees it while being made, noting every part it reads.

    Outside rendering (`reads` is None) it is the plain site; producers (feeds) keep it in
    their closures, so what they read is noted too.
    """

    def __init__(self, site: Site, path: tuple = (SITE,), root: TrackedSite | None = None) -> None:
        self._site = site
        # Another language's site is read through its own TrackedSite, its reads noted in
        # the main one's under the path that leads to it (`site.translations['en']`).
        self._path, self._root = path, root or self
        self.reads: set[tuple] | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        # Producers saved with the last build's records close over the tracked site.
        return (TrackedSite, (self._site, self._path, None if self._root is self else self._root))

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._site, name)
        reads = self._root.reads
        if reads is None or name.startswith("_"):
            return value
        return _wrap(value, (*self._path, ("attr", name)), reads)

    def translation(self, tag: str) -> Site:
        """The site in the language `tag`, tracked as this one is (`Site.translation`)."""
        if tag == self._site.config.language:
            return self.as_site()
        path = (*self._path, ("attr", "translations"), ("item", tag))
        return TrackedSite(self._site.translations[tag], path, self._root).as_site()

    def as_site(self) -> Site:
        """This tracked site where a Site is expected: it answers every attribute of one."""
        return cast(Site, self)

    @contextlib.contextmanager
    def untracked(self) -> Iterator[None]:
        """Plain attribute access while outputs are only declared (no output reads yet).

        `__getattr__` is asked only for names the instance lacks, so copying the site's
        fields in makes the many reads of `site.now` and the like while declaring cost nothing.
        """
        fields = vars(self._site)
        self.__dict__.update(fields)
        try:
            yield
        finally:
            for name in fields:
                self.__dict__.pop(name, None)


def _wrap(value: Any, path: tuple, reads: set[tuple]) -> Any:
    """Hand out `value` so that what is read from it is noted under `path`."""
    if value is None or isinstance(value, _VALUES):
        reads.add(path)
        return value
    if inspect.ismethod(value):
        return functools.partial(_call, value, path, reads)
    if isinstance(value, Mapping):
        return _TrackedMapping(value, path, reads)
    if isinstance(value, (tuple, list)):
        return _TrackedSequence(value, path, reads)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _Tracked(value, path, reads)
    reads.add(path)
    return value


def _is_key(value: object) -> bool:
    """Whether a key or argument can be kept to look the same thing up next time."""
    return value is None or (isinstance(value, _VALUES) and not isinstance(value, Page))


def _call(method: Callable[..., Any], path: tuple, reads: set[tuple], *args: Any) -> Any:
    reads.add((*path, ("call", args)) if all(_is_key(a) for a in args) else NEVER)
    return method(*args)


class _Tracked:
    """A dataclass (a pager, a listing) whose attributes are noted as they are read."""

    def __init__(self, value: Any, path: tuple, reads: set[tuple]) -> None:
        self._value, self._path, self._reads = value, path, reads

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._value, name)
        if name.startswith("_"):
            return value
        return _wrap(value, (*self._path, ("attr", name)), self._reads)


class _TrackedMapping(Mapping):
    def __init__(self, data: Mapping, path: tuple, reads: set[tuple]) -> None:
        self._data, self._path, self._reads = data, path, reads

    def _note(self, key: object) -> None:
        self._reads.add((*self._path, ("item", key)) if _is_key(key) else self._path)

    def __getitem__(self, key: Any) -> Any:
        self._note(key)
        return self._data[key]

    def __contains__(self, key: object) -> bool:
        self._note(key)
        return key in self._data

    def __iter__(self) -> Iterator:
        self._reads.add(self._path)
        return iter(self._data)

    def __len__(self) -> int:
        self._reads.add(self._path)
        return len(self._data)


class _TrackedSequence(Sequence):
    def __init__(self, data: Sequence, path: tuple, reads: set[tuple]) -> None:
        self._data, self._path, self._reads = data, path, reads

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            self._reads.add((*self._path, ("slice", index.start, index.stop, index.step)))
        else:
            self._reads.add((*self._path, ("index", index)))
        return self._data[index]

    def __len__(self) -> int:
        self._reads.add((*self._path, ("len",)))
        return len(self._data)

    def __bool__(self) -> bool:
        self._reads.add((*self._path, ("len",)))
        return bool(self._data)

    def __iter__(self) -> Iterator:
        data = self._data
        if data and _compound(data[0]):
            # Listings, pagers: what is read of each is noted for each, by its place.
            self._reads.add((*self._path, ("len",)))
            return (
                _wrap(item, (*self._path, ("index", i)), self._reads) for i, item in enumerate(data)
            )
        self._reads.add(self._path)  # pages and plain values: the whole list, in one
        return iter(data)

    def __reversed__(self) -> Iterator:
        self._reads.add(self._path)
        return reversed(self._data)

    def __contains__(self, value: object) -> bool:
        self._reads.add(self._path)
        return value in self._data


def _compound(value: object) -> bool:
    return (
        not isinstance(value, _VALUES)
        and dataclasses.is_dataclass(value)
        and not isinstance(value, type)
    )


def _follow(value: Any, steps: tuple) -> Any:
    """The value at the end of a read path, or MISSING where the path no longer leads."""
    try:
        for step in steps:
            kind = step[0]
            if kind == "attr":
                value = getattr(value, step[1])
            elif kind in ("item", "index"):
                value = value[step[1]]
            elif kind == "slice":
                value = value[slice(*step[1:])]
            elif kind == "len":
                value = len(value)
            else:  # call
                value = value(*step[1])
    except (AttributeError, KeyError, IndexError, TypeError):
        return MISSING
    return value


class Digests:
    """Digests of the values outputs read: the same digest is the same value, in this
    process or the next (a record in the store compares by digest, never by identity).

    Frozen content never changes once made, so each object is digested once per rebuild
    (kept by id, with the object, so no id is reused). A value of a kind not known here
    gets a digest of its own every time: its output is made again every time, which is slow
    but never wrong.
    """

    def __init__(self, known: dict[int, tuple[Any, bytes]] | None = None) -> None:
        self._memo: dict[int, tuple[Any, bytes]] = dict(known) if known else {}
        self.unknown = False  # whether a value of an unknown kind was digested

    def known(self, values: Iterable[Any]) -> dict[int, tuple[Any, bytes]]:
        """The digests of `values` made so far, to start the next rebuild's `Digests` with
        (pages unchanged since are not digested again)."""
        memo = self._memo
        return {id(v): memo[id(v)] for v in values if id(v) in memo and memo[id(v)][0] is v}

    def known_of(self, values: Iterable[Any]) -> list[tuple[Any, bytes]]:
        """The digests made so far of `values`, each with its value; none if a value of an
        unknown kind was digested: a digest made from it must not outlive this process."""
        if self.unknown:
            return []
        memo, found = self._memo, {}
        for value in values:
            known = memo.get(id(value))
            if known is not None and known[0] is value:
                found[id(value)] = known
        return list(found.values())

    def of(self, value: Any) -> bytes:
        kind = type(value)
        if kind is str:
            return _hash(b"s", value.encode("utf-8", "surrogatepass"))
        if kind is int:
            return _number(value)
        if kind in _PLAIN:
            return _hash(kind.__name__.encode(), repr(value).encode())
        known = self._memo.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        digest = self._compound(value)
        self._memo[id(value)] = (value, digest)
        return digest

    def at(self, root: Any, steps: tuple) -> bytes:
        """The digest of the value a read's path leads to from `root`. A value the path
        makes (a slice, a call's result) is digested without being kept: thousands of reads
        would otherwise keep a list each alive for as long as these digests."""
        value = _follow(root, steps)
        if not steps or steps[-1][0] not in ("slice", "call") or type(value) in _PLAIN:
            return self.of(value)
        known = self._memo.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        return self.of(value) if type(value) is str else self._compound(value)

    def _compound(self, value: Any) -> bytes:
        kind = type(value)
        if kind in _BY_REPR:  # plain values all through: their repr says all, in C
            return _hash(kind.__qualname__.encode(), repr(value).encode("utf-8", "surrogatepass"))
        if isinstance(value, (tuple, list)):
            if (kind is tuple or kind is list) and _all_text(value):
                # Lines of text (the sitemap's, one per page): their repr says all, made in
                # C and hashed once, not a digest per line and one for the lot.
                return _hash(b"r", repr(value).encode("utf-8", "surrogatepass"))
            return _hash(b"t", *map(self.of, value))
        if isinstance(value, Mapping):
            return _hash(b"d", *(self.of(k) + self.of(v) for k, v in value.items()))
        if isinstance(value, (set, frozenset)):
            return _hash(b"e", *sorted(map(self.of, value)))
        if isinstance(value, bytes):
            return _hash(b"b", value)
        if isinstance(value, TrackedSite):
            return _SITE  # what is read through it is recorded as it is read
        if isinstance(value, (*_PATHS, ZoneInfo)):
            return _hash(type(value).__name__.encode(), str(value).encode())
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            kind = type(value)
            fields = (getattr(value, name) for name in _all_fields(kind))
            return _hash(kind.__qualname__.encode(), *map(self.of, fields))
        if isinstance(value, functools.partial):
            return _hash(
                b"partial", self.of(value.func), self.of(value.args), self.of(value.keywords)
            )
        code = getattr(value, "__code__", None)
        if isinstance(code, CodeType):
            # A producer: its code by name (litfass's own files are in the store's engine id)
            # and what it closes over.
            cells = tuple(c.cell_contents for c in getattr(value, "__closure__", None) or ())
            return _hash(b"code", self._code(code), self.of(cells), self.of(value.__defaults__))
        self.unknown = True
        return os.urandom(16)  # unknown: never the same

    def _code(self, code: CodeType) -> bytes:
        """A function's code, by name: digested once however many closures share it (a
        calendar for each event)."""
        known = self._memo.get(id(code))
        if known is None or known[0] is not code:
            named = (code.co_filename, code.co_qualname, code.co_firstlineno, code.co_code)
            known = self._memo[id(code)] = (code, self.of(named))
        return known[1]


_PATHS = (PurePosixPath, PosixPath, PureWindowsPath, WindowsPath)
_PLAIN = {int, float, bool, type(None), date, datetime}
# Frozen dataclasses of text, numbers, dates, paths and each other (a page's `extra` holds
# what YAML reads: the same), so their repr is their whole value and the same in any process.
_BY_REPR = {Page, Term, Contact, Location, EventInfo, Picture, Variant, NavItem}


def _all_text(values: tuple | list) -> bool:
    """Whether `values` holds only text, or tuples of only text."""
    for value in values:
        kind = type(value)
        if kind is not str and (kind is not tuple or not all(type(v) is str for v in value)):
            return False
    return True


@functools.lru_cache(maxsize=4096)
def _number(value: int) -> bytes:
    """An int's: the same few (page numbers, years) come up thousands of times. (Only ints:
    equal datetimes in two time zones, or 0.0 and -0.0, would share one.)"""
    return _hash(b"int", repr(value).encode())


def _hash(*parts: bytes) -> bytes:
    # Each part after its length, so no two lists of parts give the same bytes; joined
    # first, so the digest is fed once (tens of thousands of them in a rebuild).
    joined = b"".join([b for part in parts for b in (len(part).to_bytes(8, "little"), part)])
    return hasher(joined).digest()


_SITE = _hash(b"site")


@functools.cache
def _all_fields(cls: type) -> tuple[str, ...]:
    """The fields that make a dataclass's value: those left out of comparisons too (a page's
    `extra`, which a template may show), but not memos (`init=False`), filled as it is used."""
    return tuple(f.name for f in dataclasses.fields(cls) if f.init or f.compare)


def describe(key: tuple) -> str:
    """A read in the form a template would write it: `site.news[0:10]`, `len(pager.items)`."""
    if key == NEVER:
        return "(a value that cannot be compared)"
    root = key[0]
    text = root[0] if root == SITE else str(root[1])
    for step in key[1:]:
        kind = step[0]
        if kind == "attr":
            text += f".{step[1]}"
        elif kind in ("item", "index"):
            text += f"[{step[1]!r}]"
        elif kind == "slice":
            bounds = step[1:] if step[3] is not None else step[1:3]
            text += "[" + ":".join("" if s is None else str(s) for s in bounds) + "]"
        elif kind == "len":
            text = f"len({text})"
        else:
            text += "(" + ", ".join(map(repr, step[1])) + ")"
    return text


@dataclass
class Record:
    """What one output was made from when it was last written, by digest."""

    head: bytes  # the template set's fingerprint, the producer, or the copied file's stamp
    context: dict[str, bytes]  # each name of its context -> the value's digest
    context_reads: dict[tuple, bytes]  # what it read from pagers, listings... -> digest
    site_reads: frozenset[tuple]  # what it read from the site (the digests: Ledger.seen)


class Why(NamedTuple):
    """Why an output was made again: `kind` is "read" (`detail` names the read that changed:
    `site.news[0:10]`), "new" (no record of it), "head" (its template or producer changed),
    "context" (`detail`: the names in its context that changed) or "output" (output/ does
    not hold it as the last build left it)."""

    kind: str
    detail: str = ""


class Ledger:
    """Every output's record, and which outputs read each part of the site.

    In the preview, and after a cold build, all of it is in memory. Taken up from the store
    (`load_ledger`), it is read as it is needed: the reads of the site's fields that are not
    the very same objects as in the last build, the outputs that read one that changed (the
    store's index `readers`), and the records of the outputs that are checked; every other
    record stays in its row, never unpickled. What changed since is noted in the dirty sets,
    so a build writes only the rows of what it made again.
    """

    def __init__(self, db: sqlite3.Connection | None = None) -> None:
        self.records: dict[str, Record] = {}  # all of them; taken up from `db`: those read
        # How many records name each read: a read no output makes any more is forgotten.
        # Which outputs read one is found in the records themselves when it changes, not
        # kept as a set per read (thousands of sets, megabytes). Kept in memory only: the
        # store's `readers` rows say the same.
        self.counts: dict[tuple, int] = {}
        # Each part of the site read -> its digest in the site of the last commit, filed under
        # the site's field it starts from, so a field that is the very same object in the next
        # site is passed over whole (in the preview, which keeps that site).
        self.seen: dict[str | tuple[str, str], dict[tuple, bytes]] = {}
        self.site: Site | None = None
        # The Output each record was last made or kept for: one declared from the very same
        # objects again (reuse.py) has the same template, context and head (see `Builder._plan`).
        self.declared: dict[str, Output] = {}
        self.why: dict[str, Why] = {}  # the outputs made by the last rebuild -> why
        self.dirty_records: set[str] = set()
        self.dirty_reads: set[tuple] = set()
        self.ids: dict[tuple, int] = {}  # each read's row in the store
        self.db = db  # where the records not in memory are (None: there are none)
        self._loaded_groups: set[str] = set()  # the groups of reads read from `db`
        self._keys: dict[int, tuple] = {}  # the reads read from `db`, by row
        # The outputs made again or gone since taken up from the store -> the rows of the
        # reads their stored records named (the index rows to take back).
        self.unlinked: dict[str, list[int]] = {}
        self._stored_paths: set[str] | None = None  # every record's output, after a commit

    def stale(self, site: Site, digests: Digests) -> tuple[set[str], dict[tuple, bytes]]:
        """Outputs that read a part of the site that is different now, and the new digests.

        Each stale output's first changed read is noted in `why`.
        """
        if self.db is not None and self._stored_paths is not None:
            self.read_all()  # a second rebuild before the first was saved: the store is behind
        if self.db is not None:
            self._read_groups(site)
        changed: dict[tuple, int] = {}  # each read that changed, in the order found
        updates: dict[tuple, bytes] = {}
        for group, seen in self.seen.items():
            if group == "":  # reads that cannot be compared: their outputs are made every time
                for key in seen:
                    changed.setdefault(key, len(changed))
                continue
            name = group[0] if isinstance(group, tuple) else group
            before = getattr(self.site, name, MISSING) if self.site is not None else MISSING
            now = getattr(site, name, MISSING)
            if name and now is before:
                continue
            keys: Iterable[tuple] = seen
            if (
                isinstance(group, tuple)
                and isinstance(before, Mapping)
                and isinstance(now, Mapping)
            ):
                keys = _entries_changed(name, seen, before, now)
            for key in keys:
                digest = digests.at(site, key[1:])
                if digest != seen[key]:
                    updates[key] = digest
                    changed.setdefault(key, len(changed))
        return self._readers_of(changed), updates

    def read_all(self) -> None:
        """Read every record and every read from the store: the ledger is all in memory
        from now on, as the preview's is."""
        if self.db is None:
            return
        self._read_groups(None)
        self.read_records(self._paths())
        self.counts = dict(
            Counter(k for record in self.records.values() for k in record.site_reads)
        )
        self.db = None

    def _read_groups(self, site: Site | None) -> None:
        """Read from the store the reads of each field of `site` that is not the very same
        object as in the last build's site (all of them without either site)."""
        assert self.db is not None
        for (group,) in self.db.execute("SELECT DISTINCT grp FROM reads").fetchall():
            name = group.removesuffix(ENTRIES)
            if group in self._loaded_groups or (
                name
                and site is not None
                and self.site is not None
                and getattr(site, name, MISSING) is getattr(self.site, name, MISSING)
            ):
                continue
            rows = self.db.execute("SELECT id, key, digest FROM reads WHERE grp = ?", (group,))
            for number, blob, digest in rows:
                key = self._keys.get(number) or pickle.loads(blob)
                self._keys[number], self.ids[key] = key, number
                self.seen.setdefault(_group(key), {}).setdefault(key, bytes(digest))
            self._loaded_groups.add(group)

    def _readers_of(self, changed: dict[tuple, int]) -> set[str]:
        """The outputs that read any of `changed`, each with the first of them in `why`."""
        self.why = {}
        if not changed:
            return set()
        if self.db is not None:
            return self._stored_readers_of(changed)
        reads = changed.keys()
        for path, record in self.records.items():
            if not reads.isdisjoint(record.site_reads):  # the smaller one is walked, in C
                first = min(reads & record.site_reads, key=changed.__getitem__)
                self.why[path] = Why("read", describe(first))
        return set(self.why)

    def _stored_readers_of(self, changed: dict[tuple, int]) -> set[str]:
        """`_readers_of` from the store's index of each read's outputs."""
        assert self.db is not None
        first: dict[str, tuple] = {}
        numbers = {self.ids[key]: key for key in changed}
        for part in _parts(list(numbers)):
            marks = ",".join("?" * len(part))
            query = f"SELECT read, path FROM readers WHERE read IN ({marks})"
            for number, path in self.db.execute(query, part):
                key = numbers[number]
                if path not in first or changed[key] < changed[first[path]]:
                    first[path] = key
        self.why = {path: Why("read", describe(key)) for path, key in first.items()}
        return set(self.why)

    def read_records(self, paths: Iterable[str]) -> None:
        """Read the records of `paths` from the store, if not read yet (one query a few
        hundred): only the outputs that are checked are."""
        if self.db is None:
            return
        todo = [path for path in paths if path not in self.records]
        rows = []
        for part in _parts(todo):
            marks = ",".join("?" * len(part))
            query = f"SELECT path, head, context, reads FROM records WHERE path IN ({marks})"
            rows += self.db.execute(query, part).fetchall()
        numbers = array("q")
        for row in rows:
            numbers.frombytes(row[3])
        self._read_keys(set(numbers))
        for path, head, context, reads in rows:
            site_reads = frozenset(map(self._keys.__getitem__, array("q", reads)))
            names, context_reads = pickle.loads(context)
            self.records[path] = Record(bytes(head), names, context_reads, site_reads)

    def _read_keys(self, numbers: set[int]) -> None:
        """The reads of these rows, from the store."""
        assert self.db is not None
        todo = [number for number in numbers if number not in self._keys]
        for part in _parts(todo):
            marks = ",".join("?" * len(part))
            query = f"SELECT id, key FROM reads WHERE id IN ({marks})"
            for number, blob in self.db.execute(query, part):
                key = pickle.loads(blob)
                self._keys[number], self.ids[key] = key, number

    def clean(
        self, output: Output, head: bytes, digests: Digests, stale: set[str]
    ) -> Record | None:
        """The output's record, brought up to date, if nothing it read changed; else None
        (and why, in `why`)."""
        if self.db is not None and output.path not in self.records:
            self.read_records([output.path])
        record = self.records.get(output.path)
        if record is None:
            self.why[output.path] = Why("new")
            return None
        if output.path in stale:
            return None
        if record.head != head:
            self.why[output.path] = Why("head", output.template)
            return None
        now = {name: digests.of(value) for name, value in output.context.items()}
        if now.keys() != record.context.keys():
            self.why[output.path] = Why(
                "context", ", ".join(sorted(now.keys() ^ record.context.keys()))
            )
            return None
        changed = {name for name, digest in now.items() if digest != record.context[name]}
        reads = record.context_reads
        if changed:
            if any(is_plain(output.context[name]) for name in changed):
                self.why[output.path] = Why("context", ", ".join(sorted(changed)))
                return None
            reads = dict(reads)
            for key in record.context_reads:
                if key[0][1] in changed:
                    digest = digests.at(output.context[key[0][1]], key[1:])
                    if digest != reads[key]:
                        self.why[output.path] = Why("read", describe(key))
                        return None
                    reads[key] = digest
            self.dirty_records.add(output.path)
        return Record(head, now, reads, record.site_reads)

    def commit(
        self,
        records: dict[str, Record],
        made: set[str],
        updates: dict[tuple, bytes],
        site: Site,
        digests: Digests,
        kept: Collection[str] = (),
    ) -> None:
        """Take the records of a rebuild whose files are written (`records`: those made or
        checked; `kept`: the paths whose records stay as they are), and what it saw."""
        for key, digest in updates.items():
            self.seen[_group(key)][key] = digest
        self.dirty_reads.update(updates)
        now = records.keys() | kept
        gone = self._paths() - now
        self.read_records(made | gone)  # what they read before: their index rows go
        if self.db is not None:  # which reads no output names any more: the store's index says
            for path in made | gone:
                old = self.records.get(path)
                numbers = [self.ids[key] for key in old.site_reads] if old is not None else []
                self.unlinked.setdefault(path, numbers)
        self._count(made | gone, made, records)
        keys: dict[tuple, tuple] = {key: key for key in self.counts}
        for path in made:
            record = records[path]
            # One object per distinct read, however many outputs made it (the set is made
            # again only where the reads are not shared yet: thousands of them, at once).
            shared = [keys.setdefault(k, k) for k in record.site_reads]
            if any(map(operator.is_not, shared, record.site_reads)):
                record.site_reads = frozenset(shared)
            for key in record.site_reads:
                group = self.seen.setdefault(_group(key), {})
                if key not in group:
                    group[key] = digests.at(site, key[1:]) if key != NEVER else b""
                    self.dirty_reads.add(key)
        self.dirty_records |= made | gone
        if self.db is None:
            self.records = {path: records.get(path) or self.records[path] for path in now}
        else:
            for path in gone:
                self.records.pop(path, None)
            self.records.update(records)
            self._stored_paths = now
        self.site = site

    def _paths(self) -> set[str]:
        """Every output with a record."""
        if self.db is None:
            return set(self.records)
        stored = self._stored_paths
        if stored is None:
            stored = {row[0] for row in self.db.execute("SELECT path FROM records")}
        return set(stored)

    def _count(self, before: set[str], made: set[str], records: dict[str, Record]) -> None:
        """How many records name each read, in memory (the store's index counts its own)."""
        if self.db is not None:
            return
        counts = self.counts
        for path in before:
            old = self.records.get(path)
            for key in old.site_reads if old else ():
                counts[key] -= 1
                if not counts[key]:
                    del counts[key]
                    self._forget(key)
        for path in made:
            for key in records[path].site_reads:
                counts[key] = counts.get(key, 0) + 1

    def _forget(self, key: tuple) -> None:
        self.dirty_reads.add(key)
        group = self.seen.get(_group(key), {})
        group.pop(key, None)
        if not group:
            self.seen.pop(_group(key), None)

    def digest_of(self, key: tuple) -> bytes | None:
        """The digest a read had in the last commit (None: no output reads it)."""
        return self.seen.get(_group(key), {}).get(key)


ENTRIES = "[]"  # a group of a mapping's entries, as the store names it (`site.related[]`)


def _group_name(key: tuple) -> str:
    """The group of a read (`_group`) as the store names it."""
    group = _group(key)
    return group if isinstance(group, str) else group[0] + ENTRIES


def _parts(values: list, size: int = 500) -> Iterator[list]:
    """`values` a few hundred at a time: as many as one SQL statement takes."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _group(key: tuple) -> str | tuple[str, str]:
    """Where the ledger files a read: under the field of the site it starts from, entries
    of a mapping (`site.related[url]`) apart; '' for NEVER, which is never the same."""
    if key[0] != SITE or len(key) < 2:
        return ""
    name = key[1][1]
    return (name, "entries") if len(key) == 3 and key[2][0] == "item" else name


def _entries_changed(
    name: str, seen: dict[tuple, bytes], before: Mapping, now: Mapping
) -> Iterator[tuple]:
    """The reads of entries of a mapping of the site that are other objects now."""
    differ = {k for k, v in now.items() if before.get(k, MISSING) is not v}
    differ.update(before.keys() - now.keys())
    for entry in differ:
        key = (SITE, ("attr", name), ("item", entry))
        if key in seen:
            yield key


def record_of(output: Output, head: bytes, reads: set[tuple], digests: Digests) -> Record:
    """The record of an output just made, from what it read."""
    site_reads = frozenset(key for key in reads if key[0] == SITE or key == NEVER)
    context_reads = {
        key: digests.at(output.context.get(key[0][1], MISSING), key[1:])
        for key in reads
        if key[0] != SITE and key != NEVER
    }
    context = {name: digests.of(value) for name, value in output.context.items()}
    return Record(head, context, context_reads, site_reads)


def is_plain(value: object) -> bool:
    """Context values given whole to the template (the rest is tracked as it is read)."""
    return value is None or isinstance(value, _VALUES)


def tracked_output(output: Output, reads: set[tuple]) -> Output:
    """The output with its compound context values (pagers, listings) noting reads."""
    context = {
        key: value if is_plain(value) else _wrap(value, (("context", key),), reads)
        for key, value in output.context.items()
    }
    return dataclasses.replace(output, context=context)


class TemplateSet:
    """Fingerprints of each template with every template it extends, includes or imports."""

    def __init__(
        self,
        env: jinja2.Environment,
        config: Config,
        assets: tuple = (),
        references: dict[tuple[str, str], tuple[str | None, ...]] | None = None,
    ) -> None:
        self.env = env
        # What each template (by name and digest) names: kept by the caller between template
        # sets, so a template is parsed again only when its file changed.
        self.references = {} if references is None else references
        self._digests: dict[str, str] = {}
        self._prints: dict[str, Any] = {}
        tables = [
            t / "i18n" / f"{language.tag}.yaml"
            for language in config.site_languages
            for t in config.theme_paths
        ]
        # Every template may call t() and asset(): the translations (the site's keys over
        # the default theme's) and the fingerprinted names of the theme's files count for each.
        self.translations = (*(_file_digest(table) for table in tables), assets)

    def fingerprint(self, name: str) -> Any:
        if name not in self._prints:
            names = self._closure(name)
            self._prints[name] = (self.translations, *((n, self._digest(n)) for n in names))
        return self._prints[name]

    def _closure(self, name: str) -> list[str]:
        seen: list[str] = []
        todo = [name]
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.append(current)
            found: list[str | None] = list(self._references(current))
            if None in found:  # a computed name: it may be any template
                found = list(self.env.list_templates())
            todo.extend(n for n in found if n)
        return sorted(seen)

    def _references(self, name: str) -> tuple[str | None, ...]:
        """The templates `name` extends, includes or imports (None: a computed name)."""
        key = (name, self._digest(name))
        if key not in self.references:
            try:
                source = self._source(name)[0]
                found = tuple(jinja2.meta.find_referenced_templates(self.env.parse(source)))
            except jinja2.TemplateError:
                return ()  # rendering reports it with file and line
            self.references[key] = found
        return self.references[key]

    def _digest(self, name: str) -> str:
        if name not in self._digests:
            path = self._file(name)
            self._digests[name] = MISSING if path is None else _file_digest(path)
        return self._digests[name]

    def _file(self, name: str) -> Path | None:
        """The file the loader uses for `name`: the site's own, else the default theme's."""
        try:
            filename = self._source(name)[1]
        except jinja2.TemplateNotFound:
            return None
        return Path(filename) if filename else None

    def _source(self, name: str) -> tuple[str, str | None]:
        """A template's text and file, as the environment's loader finds them."""
        loader = self.env.loader
        assert loader is not None  # environment() always gives one
        text, filename, _ = loader.get_source(self.env, name)
        return text, filename


def _file_digest(path: Path) -> str:
    return file_digest(path) or MISSING


# -- the records in the store (store.py) ---------------------------------------------------


def load_ledger(db: sqlite3.Connection) -> Ledger:
    """The records of the last build, read from the store as they are needed."""
    return Ledger(db)


def save_ledger(db: sqlite3.Connection, ledger: Ledger, everything: bool) -> None:
    """Write what changed in the ledger since it was taken up from the store (`everything`,
    or a ledger not taken up from it: all of it), in the caller's transaction."""
    if everything:
        ledger.read_all()
    if ledger.db is None:
        _save_all(db, ledger)
    else:
        for key in ledger.dirty_reads:
            _save_read(db, ledger, key)
        unlinked = ledger.unlinked
        db.executemany(
            "DELETE FROM readers WHERE read = ? AND path = ?",
            ((number, path) for path, numbers in unlinked.items() for number in numbers),
        )
        _save_records(db, ledger, ledger.dirty_records, linked=unlinked.keys())
        # A read no record names any more is forgotten.
        db.executemany(
            "DELETE FROM reads WHERE id = ? AND NOT EXISTS (SELECT 1 FROM readers WHERE read = ?)",
            ((number, number) for numbers in unlinked.values() for number in numbers),
        )
    ledger.dirty_reads, ledger.dirty_records, ledger.unlinked = set(), set(), {}


def _save_all(db: sqlite3.Connection, ledger: Ledger) -> None:
    """Write the whole ledger (held in memory) anew."""
    for table in ("reads", "records", "readers"):
        db.execute(f"DELETE FROM {table}")
    ledger.ids = {key: number for number, key in enumerate(ledger.counts, 1)}
    db.executemany(
        "INSERT INTO reads (id, name, grp, key, digest) VALUES (?, ?, ?, ?, ?)",
        (
            (number, _name(key), _group_name(key), pickle.dumps(key, pickle.HIGHEST_PROTOCOL), d)
            for key, number in ledger.ids.items()
            if (d := ledger.digest_of(key)) is not None
        ),
    )
    _save_records(db, ledger, ledger.records.keys(), linked=ledger.records.keys())


def _save_records(
    db: sqlite3.Connection, ledger: Ledger, paths: Collection[str], linked: Collection[str]
) -> None:
    """Write the records of `paths` (deleting those of outputs gone), and the index rows
    of the reads of those in `linked` (made again: their reads may be others)."""
    records = ledger.records
    db.executemany(
        "DELETE FROM records WHERE path = ?", ((path,) for path in paths if path not in records)
    )
    db.executemany(
        "INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?)",
        (_record_row(ledger, path, records[path]) for path in paths if path in records),
    )
    db.executemany(
        "INSERT OR IGNORE INTO readers VALUES (?, ?)",
        (
            (ledger.ids[key], path)
            for path in linked
            if path in records
            for key in records[path].site_reads
        ),
    )


def _record_row(ledger: Ledger, path: str, record: Record) -> tuple[str, bytes, bytes, bytes]:
    numbers = array("q", sorted(ledger.ids[key] for key in record.site_reads))
    context = pickle.dumps((record.context, record.context_reads), pickle.HIGHEST_PROTOCOL)
    return path, record.head, context, numbers.tobytes()


def _save_read(db: sqlite3.Connection, ledger: Ledger, key: tuple) -> None:
    """Write one read's row: its digest now, or none if no output reads it any more."""
    digest = ledger.digest_of(key)
    if digest is None:  # forgotten (in memory)
        number = ledger.ids.pop(key, None)
        if number is not None:
            db.execute("DELETE FROM reads WHERE id = ?", (number,))
        return
    number = ledger.ids.get(key)
    if number is not None:
        db.execute("UPDATE reads SET digest = ? WHERE id = ?", (digest, number))
        return
    found = db.execute(
        "INSERT INTO reads (name, grp, key, digest) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (name) DO UPDATE SET key = excluded.key, digest = excluded.digest "
        "RETURNING id",
        (_name(key), _group_name(key), pickle.dumps(key, pickle.HIGHEST_PROTOCOL), digest),
    ).fetchone()
    ledger.ids[key] = found[0]


def _name(key: tuple) -> str:
    """A read's readable name, which is also its key in the store: every argument and index
    by its repr, so no two reads share one."""
    return describe(key) if key != NEVER else "never"
