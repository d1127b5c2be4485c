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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path, PosixPath, PurePosixPath, PureWindowsPath, WindowsPath
from types import CodeType
from typing import Any, cast

import jinja2
import jinja2.meta

from litfass.config import Config, NavItem
from litfass.content.model import Page, Term
from litfass.digests import digest
from litfass.outputs import Output
from litfass.outputs.translations import Translations
from litfass.site import Site

MISSING = "<missing>"

# A read is a path from a root (the site, or one name in the output's context) through
# attributes, keys, indexes, slices and calls; the value at the end of the path is kept and
# compared with the value there in the next rebuild. Pages count whole, by identity.

SITE = ("site",)
NEVER = (("never",),)  # read something that cannot be compared: make the output every time
_VALUES = (str, int, float, date, datetime, Term, NavItem, Page, Config)


class TrackedSite:
    """The Site as an output sees it while being made, noting every part it reads.

    Outside rendering (`reads` is None) it is the plain site; producers (feeds) keep it in
    their closures, so what they read is noted too.
    """

    def __init__(self, site: Site) -> None:
        self._site = site
        self.reads: set[tuple] | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        # Producers saved with the last build's records close over the tracked site.
        return (TrackedSite, (self._site,))

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._site, name)
        if self.reads is None or name.startswith("_"):
            return value
        return _wrap(value, (SITE, ("attr", name)), self.reads)

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


class Compare:
    """Tells whether what an output read then is the same as what it would read now.

    Pages, tuples and frozen dataclasses never change, so the very same object is the same
    value and an edited page is a new object: most checks are one identity test. A value of
    a kind not known here never counts as the same: its output is made again every time,
    which is slow but never wrong.
    """

    def __init__(self, site: Site) -> None:
        self.site = site
        self._now: dict[tuple, Any] = {}
        self._found: dict[tuple[int, tuple], tuple[Any, Any]] = {}  # by context value
        # Answers by object ids; each entry keeps its objects alive so no id is reused.
        self._same: dict[tuple[int, int], tuple[Any, Any, bool]] = {}
        self._frozen: dict[int, tuple[Any, bool]] = {}

    def now(self, key: tuple, context: dict[str, Any] | None = None) -> Any:
        """The value a read leads to in the current site (or the output's context)."""
        root, steps = key[0], key[1:]
        if root == SITE:
            if key not in self._now:
                self._now[key] = _follow(self.site, steps)
            return self._now[key]
        if context is not None and root[0] == "context" and root[1] in context:
            # The pages of one listing share it: what each read of it is found once.
            value = context[root[1]]
            found = self._found.get((id(value), steps))
            if found is None or found[0] is not value:
                found = self._found[(id(value), steps)] = (value, _follow(value, steps))
            return found[1]
        return _NEVER_SAME  # NEVER, or a name the context no longer has

    def same(self, old: Any, new: Any) -> bool:
        kind = type(old)
        if old is new:
            return kind in _IMMUTABLE or self.frozen(old)
        if kind is not type(new) or kind is Page or kind is _NeverSame:
            return False
        if kind in _SCALARS:
            return old == new
        if kind is tuple and len(old) == len(new) and all(map(operator.is_, old, new)):
            return self.frozen(new)  # the usual case: a list of the very same pages
        pair = (id(old), id(new))
        if pair not in self._same:
            self._same[pair] = (old, new, self._deep(old, new))
        return self._same[pair][2]

    def frozen(self, value: Any) -> bool:
        """Whether the same object is always the same value: nothing inside it can change."""
        if type(value) in _IMMUTABLE:
            return True
        known = self._frozen.get(id(value))
        if known is None:
            kind: type = type(value)
            if kind is tuple:
                frozen = _IMMUTABLE.issuperset(map(type, value)) or all(map(self.frozen, value))
            elif dataclasses.is_dataclass(value) and _is_frozen_class(kind):
                frozen = all(self.frozen(getattr(value, n)) for n in _field_names(kind))
            else:
                frozen = False
            known = self._frozen[id(value)] = (value, frozen)
        return known[1]

    def _deep(self, old: Any, new: Any) -> bool:
        if isinstance(old, (tuple, list)):
            if len(old) != len(new):
                return False
            if _plain_values(new):  # text, numbers, dates (a sitemap's entries): compare in C
                return old == new
            for a, b in zip(old, new, strict=True):  # long lists: no call per unchanged page
                if (a is not b or type(a) not in _IMMUTABLE) and not self.same(a, b):
                    return False
            return True
        if isinstance(old, dict):
            return old.keys() == new.keys() and all(self.same(old[k], new[k]) for k in old)
        if dataclasses.is_dataclass(old) and not isinstance(old, type):
            fields = _fields_of(type(old))
            olds, news = fields(old), fields(new)
            if all(map(operator.is_, olds, news)):
                return all(map(self.frozen, news))
            return all(map(self.same, olds, news))
        return isinstance(old, TrackedSite)  # what is read through it is noted as it is read

    def producer(self, produce: Callable[[], bytes]) -> Any:
        """A producer's code and what it closes over, to compare (the site is tracked).

        The code is named, not kept, so that a record can be saved for the next build:
        saved records are dropped whenever litfass's own files change (`state.engine_id`).
        """
        if isinstance(produce, functools.partial):
            return (self.producer(produce.func), produce.args, produce.keywords)
        code = getattr(produce, "__code__", None)
        if not isinstance(code, CodeType):
            return _NEVER_SAME
        named = (code.co_filename, code.co_qualname, code.co_firstlineno, code.co_code)
        cells = tuple(c.cell_contents for c in getattr(produce, "__closure__", None) or ())
        return (named, cells, getattr(produce, "__defaults__", None))


class _NeverSame:
    """Stands for a value that cannot be compared."""


_NEVER_SAME = _NeverSame()
_PATHS = (PurePosixPath, PosixPath, PureWindowsPath, WindowsPath)
_SCALARS = (str, bytes, int, float, bool, date, datetime, type(None), Term, NavItem, *_PATHS)
# A translation table holds a dict, but nothing changes it once loaded (one per template set).
_IMMUTABLE = {*_SCALARS, Page, Config, Translations}
_SCALAR_SET = set(_SCALARS)


def _plain_values(values: tuple | list) -> bool:
    """Whether a list holds only scalars, or tuples of scalars: `==` is then exact."""
    kinds = set(map(type, values))
    if kinds <= _SCALAR_SET:
        return True
    return kinds == {tuple} and all(_SCALAR_SET.issuperset(map(type, v)) for v in values)


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    """The fields that make a dataclass's value (not memos declared with compare=False)."""
    return tuple(f.name for f in dataclasses.fields(cls) if f.compare)


@functools.cache
def _fields_of(cls: type) -> Callable[[Any], tuple]:
    """A function giving a dataclass's field values as one tuple (in C, for speed)."""
    getter = operator.attrgetter(*_field_names(cls))
    if len(_field_names(cls)) == 1:
        return lambda value: (getter(value),)
    return getter


@functools.cache
def _is_frozen_class(cls: type) -> bool:
    params = getattr(cls, "__dataclass_params__", None)  # set by @dataclass on every such class
    return bool(params is not None and params.frozen)


@dataclass
class Record:
    """What one output was made from when it was last written."""

    output: Output  # as it was declared then: its context is what the template was given
    head: Any  # the template set's fingerprint, the producer, or the copied file's state
    context_reads: dict[tuple, Any]  # what it read from pagers, listings... -> the value
    site_reads: frozenset[tuple]  # what it read from the site (the values: Ledger.seen)


class Ledger:
    """Every output's record, and which outputs read each part of the site."""

    def __init__(self) -> None:
        self.records: dict[str, Record] = {}
        self.readers: dict[tuple, set[str]] = {}
        # Each part of the site read -> its value in `site`, the site of the last commit,
        # filed under the site's field it starts from, so a field that is the very same
        # object in the next site is passed over whole.
        self.seen: dict[str | tuple[str, str], dict[tuple, Any]] = {}
        self.site: Site | None = None

    def stale(self, compare: Compare) -> tuple[set[str], dict[tuple, Any]]:
        """Outputs that read a part of the site that is different now, and the new values.

        A field of the site that is the very same object as before holds the very same
        values (the site's lists and mappings are never changed once assembled); of a
        mapping read entry by entry (`site.related[url]`) only entries that are other
        objects now are looked at.
        """
        stale: set[str] = set()
        updates: dict[tuple, Any] = {}
        for group, seen in self.seen.items():
            if group == "":  # reads that cannot be compared: their outputs are made every time
                stale.update(*(self.readers[key] for key in seen))
                continue
            name = group[0] if isinstance(group, tuple) else group
            before = getattr(self.site, name, MISSING)
            now = getattr(compare.site, name, MISSING)
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
                value = compare.now(key)
                if value is not seen[key]:
                    updates[key] = value
                    if not compare.same(seen[key], value):
                        stale |= self.readers[key]
        return stale, updates

    def clean(self, output: Output, head: Any, compare: Compare, stale: set[str]) -> Record | None:
        """The output's record, brought up to date, if nothing it read changed; else None.

        This runs for every file of the site on every rebuild, so it allocates nothing for
        the usual case: the same template, the same text and the very same page objects.
        """
        record = self.records.get(output.path)
        if record is None or output.path in stale:
            return None
        before, now = record.output.context, output.context
        if (
            record.head is head
            and all(map(operator.is_, before.values(), now.values()))
            and _IMMUTABLE.issuperset(map(type, now.values()))
            and before.keys() == now.keys()
        ):
            record.output = output  # an article page: the same template, text and page
            return record
        if record.head is not head and not compare.same(record.head, head):
            return None
        if before.keys() != now.keys():
            return None
        changed: set[str] = set()
        for name, value in now.items():
            old = before[name]
            kind = type(value)
            if kind in _SCALARS:
                if old is not value and old != value:
                    return None
            elif kind is Page or kind is not type(old):
                if old is not value:
                    return None
            elif not compare.same(old, value):
                changed.add(name)  # pagers, listings: look closer at what was read of them
        reads = record.context_reads
        if changed:
            reads = dict(reads)
            for key, seen in record.context_reads.items():
                if key[0][1] in changed:
                    value = compare.now(key, now)
                    if not compare.same(seen, value):
                        return None
                    reads[key] = value
        return Record(output, head, reads, record.site_reads)

    def commit(
        self,
        records: dict[str, Record],
        made: set[str],
        updates: dict[tuple, Any],
        compare: Compare,
    ) -> None:
        """Take the records of a rebuild whose files are written, and what it saw."""
        for key, value in updates.items():
            self.seen[_group(key)][key] = value
        for path in made | (self.records.keys() - records.keys()):
            old = self.records.get(path)
            for key in old.site_reads if old else ():
                self.readers[key].discard(path)
                if not self.readers[key]:
                    del self.readers[key]
                    self._forget(key)
        keys: dict[tuple, tuple] = {key: key for key in self.readers}
        for path in made:
            record = records[path]
            # One object per distinct read, however many outputs made it: a saved ledger
            # then holds thousands of reads, not tens of thousands of equal tuples.
            record.site_reads = frozenset(keys.setdefault(k, k) for k in record.site_reads)
            record.context_reads = {
                keys.setdefault(k, k): v for k, v in record.context_reads.items()
            }
            for key in record.site_reads:
                self.readers.setdefault(key, set()).add(path)
                group = self.seen.setdefault(_group(key), {})
                if key not in group:
                    group[key] = compare.now(key)
        self.records = records
        self.site = compare.site

    def _forget(self, key: tuple) -> None:
        group = self.seen.get(_group(key), {})
        group.pop(key, None)
        if not group:
            self.seen.pop(_group(key), None)


def _group(key: tuple) -> str | tuple[str, str]:
    """Where the ledger files a read: under the field of the site it starts from, entries
    of a mapping (`site.related[url]`) apart; '' for NEVER, which is never the same."""
    if key[0] != SITE or len(key) < 2:
        return ""
    name = key[1][1]
    return (name, "entries") if len(key) == 3 and key[2][0] == "item" else name


def _entries_changed(
    name: str, seen: dict[tuple, Any], before: Mapping, now: Mapping
) -> Iterator[tuple]:
    """The reads of entries of a mapping of the site that are other objects now."""
    differ = {k for k, v in now.items() if before.get(k, MISSING) is not v}
    differ.update(before.keys() - now.keys())
    for entry in differ:
        key = (SITE, ("attr", name), ("item", entry))
        if key in seen:
            yield key


def record_of(output: Output, head: Any, reads: set[tuple], compare: Compare) -> Record:
    """The record of an output just made, from what it read."""
    site_reads = frozenset(key for key in reads if key[0] == SITE or key == NEVER)
    context_reads = {
        key: compare.now(key, output.context) for key in reads if key[0] != SITE and key != NEVER
    }
    return Record(output, head, context_reads, site_reads)


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
        tables = [t / "i18n" / f"{config.language}.yaml" for t in config.theme_paths]
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
    try:
        return digest(path).hex()
    except OSError:
        return MISSING
