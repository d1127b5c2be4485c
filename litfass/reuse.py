"""Parts of the last declaration handed out again when what they are made from is the same.

After one edit, a preview rebuild declares the site's thousands of outputs once more. When
each output (and each list a feed or the sitemap needs) made from the very same objects as
last time is the very same object again, the steps after the declaration tell "unchanged" by
one identity test instead of comparing contents, and a rebuild costs what the edit touched.

A plain build starts with an empty `Reuse` and so makes everything, the same way.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Hashable, Iterable
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
        if (
            kept is not None
            and len(kept[0]) == len(inputs)
            and all(map(operator.is_, kept[0], inputs))
        ):
            self._now[key] = kept
            return kept[1]
        value = make()
        self._now[key] = (inputs, value)
        return value

    def each(self, key: Hashable, items: Iterable[Any], make: Callable[[Any], T]) -> list[T]:
        """`make(item)` for each item, kept per item for as long as it is the same object."""
        kept: dict[int, tuple[Any, T]] = self._before.get(key, ((), {}))[1]
        now: dict[int, tuple[Any, T]] = {}
        values = []
        for item in items:
            hit = kept.get(id(item))
            if hit is None or hit[0] is not item:
                hit = (item, make(item))
            now[id(item)] = hit
            values.append(hit[1])
        self._now[key] = ((), now)
        return values
