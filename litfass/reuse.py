"""Parts of the last declaration handed out again when what they are made from is the same.

After one edit, a preview rebuild declares the site's thousands of outputs once more. When
each output (and each list a feed or the sitemap needs) made from the very same objects as
last time is the very same object again, the steps after the declaration tell "unchanged" by
one identity test instead of comparing contents, and a rebuild costs what the edit touched.

A plain build starts with an empty `Reuse` and so makes everything, the same way.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable, Hashable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")


class Reuse:
    """Values kept from the last complete declaration, by key and the identity of inputs.

    The rule for callers: `make` may depend on the key, the inputs and what stays fixed for
    the life of this object (config.yaml and the templates, including the translation table:
    the preview starts a new Reuse when either changes), and on nothing else. Inputs are
    compared by identity because content objects are frozen: an edited page is a new object,
    and an equal but separate object (which `==` would accept) may differ in fields that
    take no part in comparisons. Plain values (numbers, text, dates) belong in the key.
    """

    def __init__(self) -> None:
        self._before: dict[Hashable, tuple[tuple, Any]] = {}
        self._now: dict[Hashable, tuple[tuple, Any]] = {}

    def begin(self) -> None:
        """Start a declaration; one that failed half-way left nothing worth keeping."""
        self._now = {}

    def end(self) -> None:
        """Finish a declaration: what it did not ask for again is let go."""
        self._before, self._now = self._now, {}

    def last(self, key: Hashable) -> Any:
        """What `key` gave in the last declaration, whatever it was made from (or None)."""
        kept = self._before.get(key)
        return None if kept is None else kept[1]

    def get(self, key: Hashable, inputs: tuple, make: Callable[[], T]) -> T:
        """The value made last time for `key` from the same `inputs`, else `make()`."""
        kept = self._before.get(key)
        if kept is not None and identical(kept[0], inputs):
            self._now[key] = kept
            return kept[1]
        value = make()
        self._now[key] = (inputs, value)
        return value

    def each(self, key: Hashable, items: Sequence[Any], make: Callable[[Any], T]) -> list[T]:
        """`make(item)` for each item, kept per item for as long as it is the same object.

        Looked up by `id` in C, for lists of thousands: the items of the last round stay
        referenced here, so no other object can have one of their ids meanwhile.
        """
        kept: dict[int, Any] = self._before.get(key, ((), {}))[1]
        ids = list(map(id, items))
        values = list(map(kept.get, ids, itertools.repeat(_MISSING)))
        for at in [at for at, value in enumerate(values) if value is _MISSING]:
            values[at] = make(items[at])
        self._now[key] = (tuple(items), _ById(zip(ids, values, strict=True)))
        return values

    def values(self) -> Iterator[Any]:
        """Every value kept from the last declaration, those of a nested Reuse too."""
        for _, value in self._before.values():
            if isinstance(value, Reuse):
                yield from value.values()
            else:
                yield value

    def __getstate__(self) -> dict[str, Any]:
        """Kept with a saved Builder: a value per item is saved in the items' order, since
        the ids it is looked up by are those of this process's objects."""
        return {"before": {key: _saved(kept) for key, kept in self._before.items()}}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._before = {key: _loaded(kept) for key, kept in state["before"].items()}
        self._now = {}


class _ById(dict):
    """The values `each` made, by the id of the item each was made for."""


def _saved(kept: tuple[tuple, Any]) -> tuple[tuple, Any]:
    items, value = kept
    if type(value) is _ById:
        return items, _InOrder([value[id(item)] for item in items])
    return kept


def _loaded(kept: tuple[tuple, Any]) -> tuple[tuple, Any]:
    items, value = kept
    if type(value) is _InOrder:
        return items, _ById(zip(map(id, items), value, strict=True))
    return kept


class _InOrder(list):
    """The values `each` made, saved in the order of their items."""


def identical(one: Sequence[Any], other: Sequence[Any]) -> bool:
    """Whether two sequences hold the very same objects, in order (compared in C)."""
    return len(one) == len(other) and all(map(operator.is_, one, other))


_MISSING = object()  # what `each` kept nothing for (a made value may well be None)
