"""What a built site consists of: each `Output` names a file of output/ and how to make it.

A template with a context (`pages.py`), a function that returns bytes (feeds, calendars), or a
file to copy (`files.py`); `declare.py` lists every producer, in the order that matters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from litfass.content.model import Page
from litfass.site import page_url


@dataclass(frozen=True)
class Output:
    """One file of the built site."""

    path: str  # relative to output/, POSIX separators
    template: str = ""
    context: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    produce: Callable[[], bytes] | None = field(default=None, compare=False)
    # The file to copy; with `produce`, the file it is made from (an SVG rebuilt): either
    # way the output is made again when that file changes.
    source: Path | None = None
    # What to name while making it, when that takes seconds (a new photo to resize).
    slow: str = field(default="", compare=False)

    def __reduce__(self) -> tuple[Any, ...]:
        # Saved with the last build's records (engine/state.py) without its producer, which
        # may be a closure: the record names the producer's code in its head instead.
        return (Output, (self.path, self.template, self.context, None, self.source))


@dataclass(frozen=True)
class Pager:
    """One page of a paginated list."""

    number: int
    count: int
    items: tuple[Page, ...]
    base_url: str

    def url(self, number: int) -> str:
        return page_url(self.base_url, number)

    @property
    def previous_url(self) -> str | None:
        return self.url(self.number - 1) if self.number > 1 else None

    @property
    def next_url(self) -> str | None:
        return self.url(self.number + 1) if self.number < self.count else None

    @property
    def window(self) -> list[int | None]:
        """Page numbers to link: first, last and two either side; None marks a gap.

        A fixed-size window keeps every list page small however long the archive grows.
        """
        near = sorted(
            {1, self.count, *range(max(1, self.number - 2), min(self.count, self.number + 2) + 1)}
        )
        shown: list[int | None] = []
        for number in near:
            if shown and number - (shown[-1] or 0) > 1:
                shown.append(None)
            shown.append(number)
        return shown


def path_of(url: str) -> str:
    """Output path of a site URL: '/aktuelles/x/' -> 'aktuelles/x/index.html'."""
    path = url.lstrip("/")
    return path + "index.html" if path == "" or path.endswith("/") else path
