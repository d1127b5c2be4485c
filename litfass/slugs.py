"""German-aware slugs: "Fachtag in Görlitz: Straßen" -> "fachtag-in-goerlitz-strassen"."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import PurePosixPath

_GERMAN = [
    ["Ä", "Ae"], ["Ö", "Oe"], ["Ü", "Ue"], ["ä", "ae"], ["ö", "oe"], ["ü", "ue"],
    ["ß", "ss"], ["ẞ", "SS"],
]  # fmt: skip


@lru_cache(maxsize=8192)  # the same topics and regions come up on thousands of items
def slugify(text: str) -> str:
    """Lower-case ASCII slug with German transliteration; never empty.

    NFC first: a name typed on a Mac may spell "ä" as "a" and a combining diaeresis, which
    the transliteration would not see (and "ä" must give "ae" either way).
    """
    # Imported here: python-slugify loads a transliteration table of megabytes, which a
    # build whose pages were read by its workers never needs in its own process.
    from slugify import slugify as _slugify

    text = unicodedata.normalize("NFC", str(text))
    return _slugify(text, replacements=_GERMAN, max_length=80, word_boundary=True) or "seite"


def is_slug(text: str) -> bool:
    """Whether `text` is already a clean slug (what editors may put in `slug:`)."""
    return bool(text) and slugify(text) == text


def file_name(name: str) -> str:
    """The name a file added by `new --image` or uploaded in the browser editor gets: the
    same rule both ways, "Pressefoto_Übergabe.JPG" -> "pressefoto-uebergabe.jpg"."""
    path = PurePosixPath(unicodedata.normalize("NFC", name))
    return slugify(path.stem) + path.suffix.lower()
